# console.cmake — the real tend binary driven through its console by scripts piped into stdin;
# tests/integration/console/check.py asserts what each transcript means. Labels: integration, console.
find_package(Python3 COMPONENTS Interpreter REQUIRED)
foreach(case flow restart bad_input advance cli two_groups names small_things)
  add_test(NAME console.${case}
           COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/console/check.py ${case}
                   $<TARGET_FILE:tend> ${CMAKE_CURRENT_LIST_DIR}/console ${CMAKE_SOURCE_DIR})
  set_tests_properties(console.${case} PROPERTIES LABELS "integration;console" TIMEOUT 120)
endforeach()
