# Matrix end-to-end encryption (TEND_E2EE, the outcome in TEND_E2EE_ENABLED): lib/olm, a Rust
# static library over vodozemac, built here with cargo from crates.io (Cargo.lock pins every
# crate). On when a new enough cargo is found; without one the build goes on without encryption,
# and `tend --version` says which.
# Included by the top-level CMakeLists.txt before any target, so TEND_HAVE_E2EE reaches all code.

set(TEND_OLM_DIR ${CMAKE_SOURCE_DIR}/lib/olm)
# The toolchain floor is Cargo.toml's rust-version (the newest any locked crate needs): one place.
file(STRINGS ${TEND_OLM_DIR}/Cargo.toml _tend_rust_version REGEX "^rust-version *=")
string(REGEX MATCH "[0-9]+\\.[0-9]+" TEND_E2EE_RUST_MIN "${_tend_rust_version}")

find_program(TEND_CARGO cargo HINTS $ENV{HOME}/.cargo/bin)
set(_tend_cargo_ok OFF)
set(_tend_cargo_why "no cargo found")
if(TEND_CARGO)
  execute_process(COMMAND ${TEND_CARGO} --version OUTPUT_VARIABLE _tend_cargo_out
                  RESULT_VARIABLE _tend_cargo_rc ERROR_QUIET OUTPUT_STRIP_TRAILING_WHITESPACE)
  string(REGEX MATCH "^cargo ([0-9]+\\.[0-9]+\\.[0-9]+)" _tend_m "${_tend_cargo_out}")
  if(_tend_cargo_rc EQUAL 0 AND CMAKE_MATCH_1 AND CMAKE_MATCH_1 VERSION_GREATER_EQUAL TEND_E2EE_RUST_MIN)
    set(_tend_cargo_ok ON)
    set(_tend_cargo_why "${_tend_cargo_out}")
  elseif(NOT _tend_cargo_rc EQUAL 0)
    set(_tend_cargo_why "${TEND_CARGO} --version failed")
  else()
    set(_tend_cargo_why "${TEND_CARGO} is '${_tend_cargo_out}', older than ${TEND_E2EE_RUST_MIN}")
  endif()
endif()

# AUTO (the default) decides again at every configure, so installing a toolchain and configuring
# again turns it on. The fuzz build leaves it out under AUTO: no fuzz target reaches the crypto
# yet, and it saves a third cargo build in tests/run.
set(TEND_E2EE AUTO CACHE STRING "Matrix end-to-end encryption: AUTO (when cargo >= ${TEND_E2EE_RUST_MIN} is found), ON or OFF")
set_property(CACHE TEND_E2EE PROPERTY STRINGS AUTO ON OFF)
if(TEND_E2EE STREQUAL "AUTO")
  set(TEND_E2EE_ENABLED ${_tend_cargo_ok})
  if(TEND_FUZZ)
    set(TEND_E2EE_ENABLED OFF)
  endif()
elseif(TEND_E2EE)
  if(NOT _tend_cargo_ok)
    message(FATAL_ERROR "TEND_E2EE=ON needs a Rust toolchain >= ${TEND_E2EE_RUST_MIN} (${_tend_cargo_why}); "
                        "install one (rustup on bookworm) or configure with -DTEND_E2EE=AUTO or OFF")
  endif()
  set(TEND_E2EE_ENABLED ON)
else()
  set(TEND_E2EE_ENABLED OFF)
endif()

if(NOT TEND_E2EE_ENABLED)
  if(_tend_cargo_ok AND TEND_FUZZ AND TEND_E2EE STREQUAL "AUTO")
    set(TEND_E2EE_OFF_REASON "left out of the fuzz build")
  elseif(_tend_cargo_ok)
    set(TEND_E2EE_OFF_REASON "built with TEND_E2EE=OFF")
  else()
    set(TEND_E2EE_OFF_REASON "built without a Rust toolchain ≥ ${TEND_E2EE_RUST_MIN}")
  endif()
  message(STATUS "Matrix end-to-end encryption: no (${TEND_E2EE_OFF_REASON}; ${_tend_cargo_why})")
  add_compile_definitions(TEND_E2EE_OFF_REASON="${TEND_E2EE_OFF_REASON}")
  return()
endif()

message(STATUS "Matrix end-to-end encryption: yes (${_tend_cargo_out})")
add_compile_definitions(TEND_HAVE_E2EE=1)

# cargo builds into the build folder (never the source tree), --locked so Cargo.lock is what ships.
# Always the release profile: the crypto is constant-time and fast only when optimised, and a
# Debug tend still links it. cargo sees the caller's environment (CARGO_BUILD_JOBS, proxies).
set(TEND_OLM_TARGET_DIR ${CMAKE_BINARY_DIR}/olm)
set(TEND_OLM_LIBRARY ${TEND_OLM_TARGET_DIR}/release/libtend_olm.a)
file(GLOB _tend_olm_sources CONFIGURE_DEPENDS ${TEND_OLM_DIR}/src/*.rs)
add_custom_command(
  OUTPUT ${TEND_OLM_LIBRARY}
  COMMAND ${CMAKE_COMMAND} -E env CARGO_TARGET_DIR=${TEND_OLM_TARGET_DIR}
          ${TEND_CARGO} build --release --locked --manifest-path ${TEND_OLM_DIR}/Cargo.toml
  DEPENDS ${TEND_OLM_DIR}/Cargo.toml ${TEND_OLM_DIR}/Cargo.lock ${_tend_olm_sources}
  COMMENT "Building lib/olm (vodozemac) with cargo"
  VERBATIM)
add_custom_target(tend_olm_build DEPENDS ${TEND_OLM_LIBRARY})

add_library(tend_olm STATIC IMPORTED GLOBAL)
add_dependencies(tend_olm tend_olm_build)
# What Rust's std needs from the system (rustc --print native-static-libs): threads, dlsym,
# maths, clock_gettime (rt), openpty (util), and libgcc_s's unwinder for catch_unwind.
set_target_properties(tend_olm PROPERTIES
  IMPORTED_LOCATION ${TEND_OLM_LIBRARY}
  INTERFACE_LINK_LIBRARIES "pthread;dl;m;rt;util;gcc_s")
