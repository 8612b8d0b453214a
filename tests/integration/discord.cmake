# The Discord suite: the real tend binary against a test double of Discord's gateway and REST API
# (tests/integration/discord/double.py), plus a check of the double itself with discord.py.
# A fixture case creates the Python environment once per build folder (skipped when it is there).

set(TEND_DISCORD_VENV ${CMAKE_BINARY_DIR}/discord-venv)
set(TEND_DISCORD_TESTS ${CMAKE_CURRENT_SOURCE_DIR}/integration/discord)

add_test(NAME integration.discord.setup
         COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/integration/python_venv.sh ${TEND_DISCORD_VENV} "aiohttp, discord, jsonschema, pytest, prometheus_client"
                 aiohttp discord.py jsonschema pytest prometheus-client)
set_tests_properties(integration.discord.setup PROPERTIES
                     FIXTURES_SETUP discord_venv LABELS "integration;discord" TIMEOUT 600)

# three tends sharing 8 shards for a minute (test_shards.py): on SQLite under the sanitizers (or
# without PostgreSQL); the plain run has it on PostgreSQL (integration.discord.shards.pg)
set(TEND_DISCORD_SHARDS_HERE "")
if(TEND_SANITIZE OR NOT TEND_HAVE_POSTGRES)
  set(TEND_DISCORD_SHARDS_HERE shards)
endif()
foreach(suite double tend_discord ratelimits outbox discord_gateway ops files processes ${TEND_DISCORD_SHARDS_HERE})
  add_test(NAME integration.discord.${suite}
           COMMAND ${TEND_DISCORD_VENV}/bin/python -m pytest -q -s -p no:cacheprovider
                   ${TEND_DISCORD_TESTS}/test_${suite}.py
           WORKING_DIRECTORY ${TEND_DISCORD_TESTS})
  set_tests_properties(integration.discord.${suite} PROPERTIES
                       FIXTURES_REQUIRED discord_venv LABELS "integration;discord" TIMEOUT 600
                       ENVIRONMENT "TEND_BIN=$<TARGET_FILE:tend>;TEND_DISCORD_SPEC=${CMAKE_SOURCE_DIR}/../shared/discord-api-spec/openapi.json;PYTHONDONTWRITEBYTECODE=1")
endforeach()

# test_double checks the double alone (discord.py against it): no tend to sanitize
set_tests_properties(integration.discord.double PROPERTIES LABELS "integration;discord;nosan")

# issue 17's memory round: TLS verified with the system's CAs looked up by hash, per-guild registration paced
foreach(suite tls registration)
  add_test(NAME integration.discord.${suite}
           COMMAND ${TEND_DISCORD_VENV}/bin/python -m pytest -q -s -p no:cacheprovider
                   ${TEND_DISCORD_TESTS}/test_${suite}.py
           WORKING_DIRECTORY ${TEND_DISCORD_TESTS})
  set_tests_properties(integration.discord.${suite} PROPERTIES
                       FIXTURES_REQUIRED discord_venv LABELS "integration;discord" TIMEOUT 600
                       ENVIRONMENT "TEND_BIN=$<TARGET_FILE:tend>;TEND_DISCORD_SPEC=${CMAKE_SOURCE_DIR}/../shared/discord-api-spec/openapi.json;PYTHONDONTWRITEBYTECODE=1")
endforeach()

# A Discord session under valgrind memcheck (issue 7): meaningless on sanitizer or fuzzer builds.
if(NOT TEND_FUZZ AND NOT TEND_SANITIZE)
  add_test(NAME integration.discord.valgrind
           COMMAND sh ${TEND_DISCORD_TESTS}/valgrind_session.sh ${TEND_DISCORD_VENV} $<TARGET_FILE:tend>)
  set_tests_properties(integration.discord.valgrind PROPERTIES
                       FIXTURES_REQUIRED discord_venv LABELS "integration;discord;valgrind" TIMEOUT 600
                       ENVIRONMENT "TEND_DISCORD_SPEC=${CMAKE_SOURCE_DIR}/../shared/discord-api-spec/openapi.json;PYTHONDONTWRITEBYTECODE=1")
endif()
