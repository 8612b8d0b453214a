# The benchmark's tools (bench/) and its smoke run: the real tend binary under a few seconds of
# load from the C load driver, so `bench/run` cannot rot. Label "bench"; figures are not checked
# here (a shared CI machine is too noisy), only that every stage of the run completes.

find_package(OpenSSL REQUIRED COMPONENTS Crypto)

add_executable(tend_bench_driver ${CMAKE_SOURCE_DIR}/bench/driver.c ${CMAKE_SOURCE_DIR}/bench/wire.c
               ${CMAKE_SOURCE_DIR}/bench/mix.c ${CMAKE_SOURCE_DIR}/bench/proc.c
               ${CMAKE_SOURCE_DIR}/bench/check.c)
target_link_libraries(tend_bench_driver PRIVATE PkgConfig::LIBUV PkgConfig::CJSON PkgConfig::ZLIB OpenSSL::Crypto)

add_executable(tend_bench_seed ${CMAKE_SOURCE_DIR}/bench/seed.c)
target_link_libraries(tend_bench_seed PRIVATE tend_store PkgConfig::SQLITE3)

find_package(Python3 COMPONENTS Interpreter)
if(Python3_FOUND)
  add_test(NAME integration.bench.smoke
           COMMAND ${Python3_EXECUTABLE} ${CMAKE_SOURCE_DIR}/bench/run --smoke --no-build
                   --build-dir ${CMAKE_BINARY_DIR})
  set_tests_properties(integration.bench.smoke PROPERTIES LABELS "integration;bench" TIMEOUT 120)
endif()
