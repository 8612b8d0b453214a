# Matrix integration: a real Synapse from PyPI in a venv under the build folder (cached between
# runs), started once for the suite and stopped after it, and pytest driving the real tend binary.
# Run with: ctest --test-dir <build> -L matrix --output-on-failure
set(TEND_SYNAPSE_VENV ${CMAKE_BINARY_DIR}/synapse-venv)
set(TEND_SYNAPSE_DIR ${CMAKE_BINARY_DIR}/synapse)
set(TEND_MATRIX_TESTS ${CMAKE_CURRENT_SOURCE_DIR}/integration/matrix)

add_test(NAME integration.matrix.venv
         COMMAND sh ${TEND_MATRIX_TESTS}/setup_venv.sh ${TEND_SYNAPSE_VENV})
set_tests_properties(integration.matrix.venv PROPERTIES
                     LABELS "integration;matrix" TIMEOUT 900 FIXTURES_SETUP matrix_venv)

add_test(NAME integration.matrix.synapse_start
         COMMAND ${TEND_SYNAPSE_VENV}/bin/python ${TEND_MATRIX_TESTS}/synapse_ctl.py start ${TEND_SYNAPSE_DIR})
set_tests_properties(integration.matrix.synapse_start PROPERTIES
                     LABELS "integration;matrix" TIMEOUT 180
                     FIXTURES_SETUP matrix_server FIXTURES_REQUIRED matrix_venv)

add_test(NAME integration.matrix.synapse_stop
         COMMAND ${TEND_SYNAPSE_VENV}/bin/python ${TEND_MATRIX_TESTS}/synapse_ctl.py stop ${TEND_SYNAPSE_DIR})
set_tests_properties(integration.matrix.synapse_stop PROPERTIES
                     LABELS "integration;matrix" TIMEOUT 60
                     FIXTURES_CLEANUP matrix_server FIXTURES_REQUIRED matrix_venv)

add_test(NAME integration.matrix.pytest
         COMMAND ${TEND_SYNAPSE_VENV}/bin/python -m pytest -v -p no:cacheprovider
                 "--ignore-glob=${TEND_MATRIX_TESTS}/test_matrix_e2ee*.py"
                 "--ignore=${TEND_MATRIX_TESTS}/test_matrix_slowdb.py" ${TEND_MATRIX_TESTS})
set_tests_properties(integration.matrix.pytest PROPERTIES
                     LABELS "integration;matrix" TIMEOUT 900
                     FIXTURES_REQUIRED "matrix_venv;matrix_server" RESOURCE_LOCK synapse
                     ENVIRONMENT "TEND_BIN=$<TARGET_FILE:tend>;TEND_SYNAPSE_DIR=${TEND_SYNAPSE_DIR};TEND_SYNAPSE_VENV=${TEND_SYNAPSE_VENV};TEND_MATRIX_LOG=${CMAKE_BINARY_DIR}/matrix-tend.log")


# End-to-end encryption (issue 20): only builds with it (TEND_E2EE); tests/run says when a build
# has none. Its own bot and database, beside the plain suite's.
# the two suites share one Synapse, and some of the plain suite's tests stop and start it (the gap
# tests): never both at once under ctest -j
if(TEND_E2EE_ENABLED)
  # every test_matrix_e2ee*.py: the flow, verification of the bot, files. Label nosan: it runs in
  # the plain pass only (CI's 30 minutes); under the sanitizers the encryption code runs through
  # unit.test_olm, unit.test_matrix_e2ee and the olm.* cases, the Matrix adapter through the main suite
  file(GLOB _tend_e2ee_tests ${TEND_MATRIX_TESTS}/test_matrix_e2ee*.py)
  add_test(NAME integration.matrix.e2ee
           COMMAND ${TEND_SYNAPSE_VENV}/bin/python -m pytest -v -p no:cacheprovider ${_tend_e2ee_tests})
  set_tests_properties(integration.matrix.e2ee PROPERTIES
                       LABELS "integration;matrix;olm;nosan" TIMEOUT 900
                       FIXTURES_REQUIRED "matrix_venv;matrix_server" RESOURCE_LOCK synapse
                       ENVIRONMENT "TEND_BIN=$<TARGET_FILE:tend>;TEND_SYNAPSE_DIR=${TEND_SYNAPSE_DIR};TEND_SYNAPSE_VENV=${TEND_SYNAPSE_VENV};TEND_MATRIX_E2EE_LOG=${CMAKE_BINARY_DIR}/matrix-e2ee-tend.log")
endif()
