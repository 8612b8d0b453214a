# fillin.cmake — six weeks of one group through the real tend binary's console (fillin/weeks.txt):
# others fill in. A backup call when sam rests two days before a drive (private invitations in the
# spreading order, the first Claim fills the slot and stops them, the resting, the full-up and the
# quiet are never asked, the public line names nobody), a meeting host that goes round and never
# to the same person twice in a row, a learner thanked and offered the role next time, and "three
# driving tasks" in a nudge. Labels: integration, console, scheduler.
find_package(Python3 COMPONENTS Interpreter REQUIRED)
add_test(NAME console.fillin
         COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/fillin/check_weeks.py
                 $<TARGET_FILE:tend> ${CMAKE_CURRENT_LIST_DIR}/fillin/weeks.txt)
set_tests_properties(console.fillin PROPERTIES LABELS "integration;console;scheduler" TIMEOUT 120)
