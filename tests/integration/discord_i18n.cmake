# discord_i18n.cmake — languages on Discord (issue 18): a member whose Discord is in Spanish reads
# Spanish privately in an English server (discord/test_i18n.py, the real tend and the double).
add_test(NAME integration.discord.i18n
         COMMAND ${CMAKE_BINARY_DIR}/discord-venv/bin/python -m pytest -q -s -p no:cacheprovider
                 ${CMAKE_CURRENT_SOURCE_DIR}/integration/discord/test_i18n.py
         WORKING_DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR}/integration/discord)
set_tests_properties(integration.discord.i18n PROPERTIES
                     FIXTURES_REQUIRED discord_venv LABELS "integration;discord;i18n" TIMEOUT 600
                     ENVIRONMENT "TEND_BIN=$<TARGET_FILE:tend>;TEND_LOCALE_TREE=${CMAKE_BINARY_DIR}/locale;TEND_DISCORD_SPEC=${CMAKE_SOURCE_DIR}/../shared/discord-api-spec/openapi.json;PYTHONDONTWRITEBYTECODE=1")
