# ops.cmake — tend as the person who runs it meets it (issue 16): --check-config's lines and a
# start that agrees; file modes, backup and restore, a full disk; SIGHUP, signals during start-up,
# systemd's notify socket and the journal; GnuTLS (mapped through libcurl) kept from setting itself
# up; the health and metrics endpoint (read with the Prometheus project's parser, from the Discord
# suite's venv); the systemd unit. Scripts live in tests/integration/ops/. Labels: integration;ops plus one per concern.
find_package(Python3 COMPONENTS Interpreter REQUIRED)
set(_ops ${CMAKE_CURRENT_LIST_DIR}/ops)

foreach(case check_config files signals libraries)
  add_test(NAME ops.${case} COMMAND ${Python3_EXECUTABLE} ${_ops}/${case}.py $<TARGET_FILE:tend>)
  set_tests_properties(ops.${case} PROPERTIES LABELS "integration;ops" TIMEOUT 120)
endforeach()

add_test(NAME ops.systemd
         COMMAND ${Python3_EXECUTABLE} ${_ops}/systemd.py $<TARGET_FILE:tend> ${CMAKE_SOURCE_DIR}/config/tend.service)
set_tests_properties(ops.systemd PROPERTIES LABELS "integration;ops;systemd" TIMEOUT 120)

# prometheus_client comes with the Discord suite's venv (integration.discord.setup makes it)
add_test(NAME ops.health
         COMMAND ${CMAKE_BINARY_DIR}/discord-venv/bin/python ${_ops}/health.py $<TARGET_FILE:tend>)
set_tests_properties(ops.health PROPERTIES LABELS "integration;ops" TIMEOUT 180
                     FIXTURES_REQUIRED discord_venv ENVIRONMENT "PYTHONDONTWRITEBYTECODE=1")

# config/compose.yaml (two tends on PostgreSQL), checked without Docker: read with PyYAML (from
# PyPI, into a venv of its own), every variable it sets held to what tend --check-config accepts
set(TEND_OPS_VENV ${CMAKE_BINARY_DIR}/ops-venv)
add_test(NAME ops.setup
         COMMAND sh ${CMAKE_CURRENT_LIST_DIR}/python_venv.sh ${TEND_OPS_VENV} "yaml" pyyaml)
set_tests_properties(ops.setup PROPERTIES FIXTURES_SETUP ops_venv LABELS "integration;ops" TIMEOUT 600)
add_test(NAME ops.compose
         COMMAND ${TEND_OPS_VENV}/bin/python ${_ops}/compose.py $<TARGET_FILE:tend> ${CMAKE_SOURCE_DIR}/config/compose.yaml)
set_tests_properties(ops.compose PROPERTIES LABELS "integration;ops" TIMEOUT 120 FIXTURES_REQUIRED ops_venv
                     ENVIRONMENT "PYTHONDONTWRITEBYTECODE=1")
