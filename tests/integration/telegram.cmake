# The Telegram suite: the real tend binary against a test double of the Bot API
# (tests/integration/telegram/double.py), plus a check of the double itself with
# python-telegram-bot, pointed at it with base_url. A fixture case creates the Python environment
# once per build folder (skipped when it is there).

set(TEND_TELEGRAM_VENV ${CMAKE_BINARY_DIR}/telegram-venv)
set(TEND_TELEGRAM_TESTS ${CMAKE_CURRENT_SOURCE_DIR}/integration/telegram)

add_test(NAME integration.telegram.setup
         COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/integration/python_venv.sh ${TEND_TELEGRAM_VENV} "aiohttp, telegram, pytest"
                 aiohttp python-telegram-bot pytest)
set_tests_properties(integration.telegram.setup PROPERTIES
                     FIXTURES_SETUP telegram_venv LABELS "integration;telegram" TIMEOUT 600)

foreach(suite double tend_telegram faults pacing health)
  add_test(NAME integration.telegram.${suite}
           COMMAND ${TEND_TELEGRAM_VENV}/bin/python -m pytest -q -s -p no:cacheprovider
                   ${TEND_TELEGRAM_TESTS}/test_${suite}.py
           WORKING_DIRECTORY ${TEND_TELEGRAM_TESTS})
  set_tests_properties(integration.telegram.${suite} PROPERTIES
                       FIXTURES_REQUIRED telegram_venv LABELS "integration;telegram" TIMEOUT 600
                       ENVIRONMENT "TEND_BIN=$<TARGET_FILE:tend>;TEND_TELEGRAM_TRANSCRIPT=${CMAKE_BINARY_DIR}/telegram-transcript.txt;PYTHONDONTWRITEBYTECODE=1")
endforeach()
# test_double checks the double alone: no tend to sanitize
set_tests_properties(integration.telegram.double PROPERTIES LABELS "integration;telegram;nosan")
