# month.cmake — five weeks of one group through the real tend binary's console (month/month.txt):
# times read and said back, a weekly task rolling forward untaken, reminders at the right local time
# on both sides of a daylight-saving change, "did it happen?", an edit and a cancellation told
# privately, each once. Labels: integration, console, scheduler.
find_package(Python3 COMPONENTS Interpreter REQUIRED)
add_test(NAME console.month
         COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/month/check_month.py
                 $<TARGET_FILE:tend> ${CMAKE_CURRENT_LIST_DIR}/month/month.txt)
set_tests_properties(console.month PROPERTIES LABELS "integration;console;scheduler" TIMEOUT 120)
