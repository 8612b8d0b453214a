# catalogue.cmake — test_catalogue (tests/unit) checks the command catalogue's descriptions in every
# shipped language, so it reads the build's own locale tree, made before it.
if(TARGET test_catalogue)
  add_dependencies(test_catalogue tend_translations)
  target_compile_definitions(test_catalogue PRIVATE TEND_TEST_LOCALE_DIR="${CMAKE_BINARY_DIR}/locale")
endif()
