# olm.cmake — the encryption library (lib/olm) beyond its unit tests (tests/unit/test_olm.c and
# test_olm_verify.c): the Rust side's own tests (a panic is an error value and poisons its handle;
# olm.h's error enum is the Rust one), a cross-check against libolm, a second implementation,
# through Debian's python3-olm (Olm, Megolm, Ed25519 signatures and SAS); and the unit tests under
# valgrind. Only in builds with end-to-end encryption (TEND_E2EE); tests/run says when a build has
# none. Labels: olm, plus valgrind.
if(NOT TEND_E2EE_ENABLED)
  return()
endif()

set(_olm ${CMAKE_CURRENT_LIST_DIR}/olm)
add_test(NAME olm.rust
         COMMAND ${CMAKE_COMMAND} -E env CARGO_TARGET_DIR=${TEND_OLM_TARGET_DIR}
                 ${TEND_CARGO} test --release --locked --manifest-path ${TEND_OLM_DIR}/Cargo.toml)
set_tests_properties(olm.rust PROPERTIES LABELS "olm" TIMEOUT 600)

add_executable(olm_crosscheck ${_olm}/crosscheck.c)
target_link_libraries(olm_crosscheck PRIVATE tend_lib PkgConfig::CJSON)

# Debian's python3-olm is for Debian's own python3, not another one first on PATH (pyenv, venv).
# Without it the case fails, naming the package, rather than quietly vanishing.
add_test(NAME olm.libolm COMMAND /usr/bin/python3 ${_olm}/crosscheck.py $<TARGET_FILE:olm_crosscheck>)
set_tests_properties(olm.libolm PROPERTIES LABELS "olm" TIMEOUT 120)

if(NOT TEND_FUZZ AND NOT TEND_SANITIZE)
  find_program(TEND_VALGRIND valgrind)
  add_test(NAME olm.valgrind
           COMMAND ${TEND_VALGRIND} -q --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite
                   $<TARGET_FILE:test_olm>)
  set_tests_properties(olm.valgrind PROPERTIES LABELS "olm;valgrind" TIMEOUT 300)
  # the signing keys and the SAS (test_olm_verify.c), the same way
  add_test(NAME olm.valgrind_verify
           COMMAND ${TEND_VALGRIND} -q --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite
                   $<TARGET_FILE:test_olm_verify>)
  set_tests_properties(olm.valgrind_verify PROPERTIES LABELS "olm;valgrind" TIMEOUT 300)
  # encrypted attachments (test_olm_attachment.c): the same, for the file buffers crossing over
  add_test(NAME olm.valgrind_attachment
           COMMAND ${TEND_VALGRIND} -q --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite
                   $<TARGET_FILE:test_olm_attachment>)
  set_tests_properties(olm.valgrind_attachment PROPERTIES LABELS "olm;valgrind" TIMEOUT 300)
endif()
