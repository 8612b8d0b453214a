# week.cmake — a week of a group's life through the real tend binary's console: the check-in prompt,
# a nudge after a member's third done task (and one claim past her capacity), a stale-claim
# reminder and the digest, each at its own time and once. Labels: integration, console, scheduler.
find_package(Python3 COMPONENTS Interpreter REQUIRED)
add_test(NAME console.week
         COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/week/check_week.py
                 $<TARGET_FILE:tend> ${CMAKE_CURRENT_LIST_DIR}/week/week.txt)
set_tests_properties(console.week PROPERTIES LABELS "integration;console;scheduler" TIMEOUT 120)
