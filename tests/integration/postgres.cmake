# postgres.cmake — the PostgreSQL store backend under test: one PostgreSQL server for the whole run
# (the postgres fixture: files in a folder under /tmp, a unix socket there and no TCP port, stopped
# and removed at the end), and the same assertions as SQLite's for the store's unit tests, some
# handler tests, and the console, Discord and Matrix suites, each as NAME.pg. Labels: postgres
# (plus unit / console / discord / matrix). Whole integration suites whose SQLite runs already go
# through the sanitizers also carry pgsuite: tests/run runs them once, in the plain build, since
# what they add is the backend, not the memory checks.
# Without PostgreSQL's binaries each says "skipped: no PostgreSQL" and is counted as skipped.
find_package(Python3 COMPONENTS Interpreter REQUIRED)

# dialect.c's rules need no server; without PostgreSQL built in, the program says it skipped
set_tests_properties(unit.test_pg_dialect PROPERTIES SKIP_RETURN_CODE 77 LABELS "unit;postgres")

# the store's per-command latency on a backend (bench/store_latency.c): a smoke run here, figures
# printed, not checked; `tend_store_latency DATABASE 20000` for real numbers
add_executable(tend_store_latency ${CMAKE_SOURCE_DIR}/bench/store_latency.c)
target_link_libraries(tend_store_latency PRIVATE tend_app)
add_test(NAME bench.store_latency.sqlite
         COMMAND sh -c "rm -f \"$1\" && exec \"$0\" \"$1\" 500" $<TARGET_FILE:tend_store_latency>
                 ${CMAKE_BINARY_DIR}/store_latency.db)
set_tests_properties(bench.store_latency.sqlite PROPERTIES LABELS bench TIMEOUT 120)
# the same commands through the store thread (app/storeq.h): what the hop off the loop costs
add_test(NAME bench.store_latency.thread.sqlite
         COMMAND sh -c "rm -f \"$1\" && exec \"$0\" --thread \"$1\" 500" $<TARGET_FILE:tend_store_latency>
                 ${CMAKE_BINARY_DIR}/store_latency_thread.db)
set_tests_properties(bench.store_latency.thread.sqlite PROPERTIES LABELS bench TIMEOUT 120)

if(TEND_HAVE_POSTGRES)
  set(TEND_PG_DIR ${CMAKE_BINARY_DIR}/pg-test)
  set(TEND_PG_CTL ${CMAKE_CURRENT_LIST_DIR}/postgres_ctl.sh)
  set(TEND_WITH_PG ${CMAKE_CURRENT_LIST_DIR}/with_postgres.sh ${TEND_PG_DIR})

  add_test(NAME postgres.start COMMAND ${TEND_PG_CTL} start ${TEND_PG_DIR})
  add_test(NAME postgres.stop COMMAND ${TEND_PG_CTL} stop ${TEND_PG_DIR})
  set_tests_properties(postgres.start PROPERTIES FIXTURES_SETUP postgres LABELS postgres
                       SKIP_RETURN_CODE 77 TIMEOUT 120)
  set_tests_properties(postgres.stop PROPERTIES FIXTURES_CLEANUP postgres LABELS postgres TIMEOUT 60)

  # the store's own tests, the outbox, and handler tests that reach most of the store's queries
  foreach(name test_store_backend test_store_tasks test_store_people test_store_process test_outbox test_router
               test_people test_rest test_checkin test_spread test_load test_task_post test_thanks
               test_team test_setup test_i18n test_task_alerts test_complete test_calendar test_console
               test_matrix_links test_store_megolm test_storeq test_store_lease
               test_scheduler_processes test_outbox_owners test_shares)
    add_test(NAME unit.${name}.pg COMMAND ${TEND_WITH_PG} $<TARGET_FILE:${name}>)
    set_tests_properties(unit.${name}.pg PROPERTIES FIXTURES_REQUIRED postgres LABELS "unit;postgres"
                         SKIP_RETURN_CODE 77 TIMEOUT 300)
  endforeach()

  add_test(NAME bench.store_latency.pg
           COMMAND ${TEND_WITH_PG} sh -c "exec \"$0\" \"$(${TEND_PG_CTL} schema ${TEND_PG_DIR} latency)\" 500"
                   $<TARGET_FILE:tend_store_latency>)
  set_tests_properties(bench.store_latency.pg PROPERTIES FIXTURES_REQUIRED postgres LABELS "bench;postgres"
                       SKIP_RETURN_CODE 77 TIMEOUT 120)

  # the Discord double against PostgreSQL: the durable outbox across kill -9 and restarts, and ops
  if(TEND_DISCORD_VENV)
    foreach(suite outbox ops slowdb processes shards)
      set(labels "integration;discord;postgres")
      if(suite STREQUAL "shards")
        # three processes, a minute: plain here; the sanitizers run it on SQLite (discord.cmake)
        set(labels "integration;discord;postgres;pgsuite")
      endif()
      add_test(NAME integration.discord.${suite}.pg
               COMMAND ${TEND_WITH_PG} ${TEND_DISCORD_VENV}/bin/python -m pytest -q -s -p no:cacheprovider
                       ${TEND_DISCORD_TESTS}/test_${suite}.py
               WORKING_DIRECTORY ${TEND_DISCORD_TESTS})
      set_tests_properties(integration.discord.${suite}.pg PROPERTIES
                           FIXTURES_REQUIRED "discord_venv;postgres" LABELS "${labels}"
                           SKIP_RETURN_CODE 77 TIMEOUT 600
                           ENVIRONMENT "TEND_BIN=$<TARGET_FILE:tend>;TEND_DISCORD_SPEC=${CMAKE_SOURCE_DIR}/../shared/discord-api-spec/openapi.json;PYTHONDONTWRITEBYTECODE=1")
    endforeach()
    # the rest of the Discord suite that runs tend (test_double checks the double alone, tls and
    # registration the transport): label pgsuite, the SQLite runs of the same files are the ones
    # tests/run repeats under the sanitizers
    foreach(suite tend_discord discord_gateway ratelimits files fillin i18n)
      add_test(NAME integration.discord.${suite}.pg
               COMMAND ${TEND_WITH_PG} ${TEND_DISCORD_VENV}/bin/python -m pytest -q -s -p no:cacheprovider
                       ${TEND_DISCORD_TESTS}/test_${suite}.py
               WORKING_DIRECTORY ${TEND_DISCORD_TESTS})
      set_tests_properties(integration.discord.${suite}.pg PROPERTIES
                           FIXTURES_REQUIRED "discord_venv;postgres" LABELS "integration;discord;postgres;pgsuite"
                           SKIP_RETURN_CODE 77 TIMEOUT 600
                           ENVIRONMENT "TEND_BIN=$<TARGET_FILE:tend>;TEND_LOCALE_TREE=${CMAKE_BINARY_DIR}/locale;TEND_DISCORD_SPEC=${CMAKE_SOURCE_DIR}/../shared/discord-api-spec/openapi.json;PYTHONDONTWRITEBYTECODE=1")
    endforeach()
  endif()

  # two tends sharing one Matrix bot through PostgreSQL, as on two machines (app/leases.h)
  if(TEND_SYNAPSE_VENV)
    add_test(NAME integration.matrix.leases.pg
             COMMAND ${TEND_WITH_PG} ${TEND_SYNAPSE_VENV}/bin/python -m pytest -v -p no:cacheprovider
                     ${TEND_MATRIX_TESTS}/test_matrix_leases.py)
    set_tests_properties(integration.matrix.leases.pg PROPERTIES
                         FIXTURES_REQUIRED "matrix_venv;matrix_server;postgres" RESOURCE_LOCK synapse
                         LABELS "integration;matrix;postgres" SKIP_RETURN_CODE 77 TIMEOUT 600
                         ENVIRONMENT "TEND_BIN=$<TARGET_FILE:tend>;TEND_SYNAPSE_DIR=${TEND_SYNAPSE_DIR};TEND_SYNAPSE_VENV=${TEND_SYNAPSE_VENV}")

    # the main Matrix suite on PostgreSQL (label pgsuite: not repeated under the sanitizers), against
    # a Synapse of its own, so that it runs beside the SQLite suite rather than after it under the
    # synapse lock (the gap tests stop and start the Synapse they use). The leases file is left to
    # integration.matrix.leases.pg above, which the sanitizer run keeps.
    set(TEND_SYNAPSE_PG_DIR ${CMAKE_BINARY_DIR}/synapse-pg)
    add_test(NAME integration.matrix.synapse_start.pg
             COMMAND ${TEND_SYNAPSE_VENV}/bin/python ${TEND_MATRIX_TESTS}/synapse_ctl.py start ${TEND_SYNAPSE_PG_DIR})
    set_tests_properties(integration.matrix.synapse_start.pg PROPERTIES
                         LABELS "integration;matrix;postgres;pgsuite" TIMEOUT 180
                         FIXTURES_SETUP matrix_server_pg FIXTURES_REQUIRED matrix_venv)
    add_test(NAME integration.matrix.synapse_stop.pg
             COMMAND ${TEND_SYNAPSE_VENV}/bin/python ${TEND_MATRIX_TESTS}/synapse_ctl.py stop ${TEND_SYNAPSE_PG_DIR})
    set_tests_properties(integration.matrix.synapse_stop.pg PROPERTIES
                         LABELS "integration;matrix;postgres;pgsuite" TIMEOUT 60
                         FIXTURES_CLEANUP matrix_server_pg FIXTURES_REQUIRED matrix_venv)
    add_test(NAME integration.matrix.pytest.pg
             COMMAND ${TEND_WITH_PG} ${TEND_SYNAPSE_VENV}/bin/python -m pytest -v -p no:cacheprovider
                     "--ignore-glob=${TEND_MATRIX_TESTS}/test_matrix_e2ee*.py"
                     "--ignore=${TEND_MATRIX_TESTS}/test_matrix_leases.py" ${TEND_MATRIX_TESTS})
    set_tests_properties(integration.matrix.pytest.pg PROPERTIES
                         FIXTURES_REQUIRED "matrix_venv;matrix_server_pg;postgres"
                         LABELS "integration;matrix;postgres;pgsuite" SKIP_RETURN_CODE 77 TIMEOUT 900
                         ENVIRONMENT "TEND_BIN=$<TARGET_FILE:tend>;TEND_SYNAPSE_DIR=${TEND_SYNAPSE_PG_DIR};TEND_SYNAPSE_VENV=${TEND_SYNAPSE_VENV};TEND_MATRIX_LOG=${CMAKE_BINARY_DIR}/matrix-tend-pg.log")
  endif()

  # Telegram and Signal on PostgreSQL, through the store thread (app/host_async.c): their main
  # suite and the faults (kill -9, restarts) against their doubles. signal.cmake and telegram.cmake
  # are read after this file (alphabetical order), so their venv paths are spelled here; the
  # fixtures that create them are theirs. Label pgsuite: the SQLite runs are the sanitizers' ones.
  # Telegram's slowdb (a locked table: /healthz at once, every command once, no getUpdates past a
  # command not yet run) runs on PostgreSQL only.
  set(TEND_PG_SUITES_telegram tend_telegram faults slowdb)
  set(TEND_PG_SUITES_signal tend_signal) # its faults are the stream's and signal-cli's: SQLite's run covers them
  foreach(platform telegram signal)
    set(venv ${CMAKE_BINARY_DIR}/${platform}-venv)
    set(dir ${CMAKE_CURRENT_LIST_DIR}/${platform})
    foreach(suite ${TEND_PG_SUITES_${platform}})
      add_test(NAME integration.${platform}.${suite}.pg
               COMMAND ${TEND_WITH_PG} ${venv}/bin/python -m pytest -q -s -p no:cacheprovider ${dir}/test_${suite}.py
               WORKING_DIRECTORY ${dir})
      string(TOUPPER ${platform} upper)
      set_tests_properties(integration.${platform}.${suite}.pg PROPERTIES
                           FIXTURES_REQUIRED "${platform}_venv;postgres"
                           LABELS "integration;${platform};postgres;pgsuite" SKIP_RETURN_CODE 77 TIMEOUT 600
                           ENVIRONMENT "TEND_BIN=$<TARGET_FILE:tend>;TEND_${upper}_TRANSCRIPT=${CMAKE_BINARY_DIR}/${platform}-transcript-pg.txt;PYTHONDONTWRITEBYTECODE=1")
    endforeach()
  endforeach()

  # the scripted weeks (the scheduler, reminders across a daylight-saving change, others filling in)
  foreach(suite week month fillin)
    set(script ${CMAKE_CURRENT_LIST_DIR}/${suite}/check_${suite}.py)
    set(input ${CMAKE_CURRENT_LIST_DIR}/${suite}/${suite}.txt)
    if(suite STREQUAL "fillin")
      set(script ${CMAKE_CURRENT_LIST_DIR}/fillin/check_weeks.py)
      set(input ${CMAKE_CURRENT_LIST_DIR}/fillin/weeks.txt)
    endif()
    add_test(NAME console.${suite}.pg COMMAND ${TEND_WITH_PG} ${Python3_EXECUTABLE} ${script} $<TARGET_FILE:tend> ${input})
    set_tests_properties(console.${suite}.pg PROPERTIES FIXTURES_REQUIRED postgres
                         LABELS "integration;console;scheduler;postgres" SKIP_RETURN_CODE 77 TIMEOUT 180)
  endforeach()

  foreach(case flow restart bad_input advance two_groups names small_things)
    add_test(NAME console.${case}.pg
             COMMAND ${TEND_WITH_PG} ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/console/check.py ${case}
                     $<TARGET_FILE:tend> ${CMAKE_CURRENT_LIST_DIR}/console ${CMAKE_SOURCE_DIR})
    set_tests_properties(console.${case}.pg PROPERTIES FIXTURES_REQUIRED postgres
                         LABELS "integration;console;postgres" SKIP_RETURN_CODE 77 TIMEOUT 180)
  endforeach()
endif()
