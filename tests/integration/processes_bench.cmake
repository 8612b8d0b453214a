# The several-processes benchmark (bench/processes.py) as smoke runs, so it cannot rot: a short run of
# one tend on SQLite, and of 1, 2 and 3 tends sharing the test PostgreSQL (static shard ranges over 8
# shards), against the Discord double. Figures are printed, not checked (a shared machine is too
# noisy); a run fails when it does not complete, an interaction goes unanswered or past 3 s, one is
# answered twice, the double sees a protocol violation, or the bot goes over Discord's global 50
# requests a second. Label "bench".
#
# Read after discord.cmake and postgres.cmake (this folder's *.cmake are included in name order): it
# needs the Discord venv and the postgres fixture's TEND_WITH_PG.
if(TEND_DISCORD_VENV)
  set(TEND_PROCESSES_BENCH_ENV
      "TEND_DISCORD_SPEC=${CMAKE_SOURCE_DIR}/../shared/discord-api-spec/openapi.json;PYTHONDONTWRITEBYTECODE=1")
  add_test(NAME bench.processes.smoke.sqlite
           COMMAND ${TEND_DISCORD_VENV}/bin/python ${CMAKE_SOURCE_DIR}/bench/processes.py
                   --tend $<TARGET_FILE:tend> --smoke --config sqlite:1)
  set_tests_properties(bench.processes.smoke.sqlite PROPERTIES FIXTURES_REQUIRED discord_venv LABELS bench
                       TIMEOUT 60 ENVIRONMENT "${TEND_PROCESSES_BENCH_ENV}")
  if(TEND_HAVE_POSTGRES AND TEND_WITH_PG)
    add_test(NAME bench.processes.smoke.pg
             COMMAND ${TEND_WITH_PG} ${TEND_DISCORD_VENV}/bin/python ${CMAKE_SOURCE_DIR}/bench/processes.py
                     --tend $<TARGET_FILE:tend> --smoke --config postgresql:1 --config postgresql:2
                     --config postgresql:3)
    set_tests_properties(bench.processes.smoke.pg PROPERTIES FIXTURES_REQUIRED "discord_venv;postgres"
                         LABELS "bench;postgres" SKIP_RETURN_CODE 77 TIMEOUT 60
                         ENVIRONMENT "${TEND_PROCESSES_BENCH_ENV}")
  endif()
endif()
