# Files members receive (issue 14): /export, /export group and /tasks ics through the real tend
# binary's console, the calendar parsed by a real iCalendar library (icalendar from PyPI, in a venv
# under the build folder made once by a fixture case). Labels: integration, files.
set(TEND_FILES_VENV ${CMAKE_BINARY_DIR}/files-venv)
set(TEND_FILES_TESTS ${CMAKE_CURRENT_SOURCE_DIR}/integration/files)

add_test(NAME integration.files.setup COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/integration/python_venv.sh ${TEND_FILES_VENV} icalendar icalendar)
set_tests_properties(integration.files.setup PROPERTIES
                     FIXTURES_SETUP files_venv LABELS "integration;files" TIMEOUT 600)

foreach(case export calendar)
  add_test(NAME integration.files.${case}
           COMMAND ${TEND_FILES_VENV}/bin/python ${TEND_FILES_TESTS}/check_files.py ${case} $<TARGET_FILE:tend>)
  set_tests_properties(integration.files.${case} PROPERTIES
                       FIXTURES_REQUIRED files_venv LABELS "integration;files" TIMEOUT 120
                       ENVIRONMENT "PYTHONDONTWRITEBYTECODE=1")
endforeach()
