# hardening.cmake — the real tend binary attacked the way the internet and tired humans will:
# kill -9 mid-command, a full disk and a read-only database, secrets in every input, anonymous
# feedback traced through every output, and valgrind over full sessions. Scripts live in
# tests/integration/hardening/; the unit side is tests/unit/test_{ratelimit,isolation,store_faults}.c.
# Labels: integration;hardening plus one per concern (valgrind is its own label).
find_package(Python3 COMPONENTS Interpreter REQUIRED)
set(TEND_CRASH_KILLS 200 CACHE STRING "kill -9 rounds in the crash-safety test")
set(_hardening ${CMAKE_CURRENT_LIST_DIR}/hardening)

add_test(NAME hardening.crash
         COMMAND ${Python3_EXECUTABLE} ${_hardening}/crash.py $<TARGET_FILE:tend> ${TEND_CRASH_KILLS})
set_tests_properties(hardening.crash PROPERTIES LABELS "integration;hardening;crash" TIMEOUT 120)

add_test(NAME hardening.outbox COMMAND ${Python3_EXECUTABLE} ${_hardening}/outbox.py $<TARGET_FILE:tend>)
set_tests_properties(hardening.outbox PROPERTIES LABELS "integration;hardening;crash" TIMEOUT 120)

add_test(NAME hardening.faults COMMAND ${Python3_EXECUTABLE} ${_hardening}/faults.py $<TARGET_FILE:tend>)
set_tests_properties(hardening.faults PROPERTIES LABELS "integration;hardening;faults" TIMEOUT 120)

add_test(NAME hardening.secrets COMMAND ${Python3_EXECUTABLE} ${_hardening}/secrets.py $<TARGET_FILE:tend>)
set_tests_properties(hardening.secrets PROPERTIES LABELS "integration;hardening;secrets" TIMEOUT 120)

add_test(NAME hardening.privacy COMMAND ${Python3_EXECUTABLE} ${_hardening}/privacy.py $<TARGET_FILE:tend>)
set_tests_properties(hardening.privacy PROPERTIES LABELS "integration;hardening;privacy" TIMEOUT 120)

add_test(NAME hardening.forget COMMAND ${Python3_EXECUTABLE} ${_hardening}/forget.py $<TARGET_FILE:tend>)
set_tests_properties(hardening.forget PROPERTIES LABELS "integration;hardening;privacy" TIMEOUT 120)

# Memcheck is meaningless on a sanitizer or fuzzer build (they replace the allocator). Elsewhere
# it always runs: without valgrind installed the case fails rather than quietly vanishing.
if(NOT TEND_FUZZ AND NOT TEND_SANITIZE)
  add_test(NAME hardening.valgrind
           COMMAND ${Python3_EXECUTABLE} ${_hardening}/valgrind.py $<TARGET_FILE:tend>
                   ${CMAKE_CURRENT_LIST_DIR}/console)
  set_tests_properties(hardening.valgrind PROPERTIES LABELS "integration;hardening;valgrind" TIMEOUT 300)
endif()
