# discord_fillin.cmake — others fill in on Discord (issue 15): a backup call by DM with buttons,
# through the real tend binary and the Discord double (discord/test_fillin.py). It shares the
# suite's Python environment (the discord_venv fixture of discord.cmake).
add_test(NAME integration.discord.fillin
         COMMAND ${CMAKE_BINARY_DIR}/discord-venv/bin/python -m pytest -q -s -p no:cacheprovider
                 ${CMAKE_CURRENT_SOURCE_DIR}/integration/discord/test_fillin.py
         WORKING_DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR}/integration/discord)
set_tests_properties(integration.discord.fillin PROPERTIES
                     FIXTURES_REQUIRED discord_venv LABELS "integration;discord" TIMEOUT 600
                     ENVIRONMENT "TEND_BIN=$<TARGET_FILE:tend>;TEND_DISCORD_SPEC=${CMAKE_SOURCE_DIR}/../shared/discord-api-spec/openapi.json;PYTHONDONTWRITEBYTECODE=1")
