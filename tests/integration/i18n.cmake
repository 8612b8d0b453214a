# i18n.cmake — the translations: every .po checked by msgfmt, the catalogue checked against the code,
# a test locale tree (the real Spanish plus a pseudo-translation "qps") for test_i18n, and console
# sessions in Spanish. Labels: i18n.
find_package(Python3 COMPONENTS Interpreter REQUIRED)

# test_i18n alternates languages message by message: it needs two catalogues besides English whose
# strings differ, so a leak from one language into the next cannot hide.
set(test_locale ${CMAKE_BINARY_DIR}/tests/locale)
add_custom_command(
  OUTPUT ${test_locale}/qps/LC_MESSAGES/tend.mo ${test_locale}/es/LC_MESSAGES/tend.mo
  COMMAND ${CMAKE_COMMAND} -E make_directory ${test_locale}/qps/LC_MESSAGES ${test_locale}/es/LC_MESSAGES
  COMMAND ${Python3_EXECUTABLE} ${CMAKE_SOURCE_DIR}/tests/i18n/pseudo_po.py ${TEND_POT}
          ${CMAKE_BINARY_DIR}/tests/qps.po
  COMMAND ${TEND_MSGFMT} --check-format --output-file=${test_locale}/qps/LC_MESSAGES/tend.mo
          ${CMAKE_BINARY_DIR}/tests/qps.po
  COMMAND ${TEND_MSGFMT} --check --output-file=${test_locale}/es/LC_MESSAGES/tend.mo
          ${CMAKE_SOURCE_DIR}/po/es.po
  DEPENDS ${TEND_POT} ${CMAKE_SOURCE_DIR}/po/es.po ${CMAKE_SOURCE_DIR}/tests/i18n/pseudo_po.py
          ${CMAKE_SOURCE_DIR}/tests/i18n/pocat.py
  COMMENT "Making the test locale tree (es, qps)"
  VERBATIM)
add_custom_target(tend_test_locale DEPENDS ${test_locale}/qps/LC_MESSAGES/tend.mo)
# the .pot is made in po/: a file made in another folder needs its target built first
add_dependencies(tend_test_locale tend_translations)
if(TARGET test_i18n)
  add_dependencies(test_i18n tend_test_locale tend_translations)
  target_compile_definitions(test_i18n PRIVATE TEND_TEST_LOCALE_DIR="${test_locale}")
endif()

# test_words reads the word lists members type from every shipped catalogue (the build's own tree)
if(TARGET test_words)
  add_dependencies(test_words tend_translations)
  target_compile_definitions(test_words PRIVATE TEND_BUILD_LOCALE_DIR="${CMAKE_BINARY_DIR}/locale")
  set_tests_properties(unit.test_words PROPERTIES LABELS "unit;i18n")
endif()

# test_examples runs every command's /help example in every shipped language (the build's tree)
if(TARGET test_examples)
  add_dependencies(test_examples tend_translations)
  target_compile_definitions(test_examples PRIVATE TEND_BUILD_LOCALE_DIR="${CMAKE_BINARY_DIR}/locale")
  set_tests_properties(unit.test_examples PROPERTIES LABELS "unit;i18n")
endif()

# msgfmt --check (formats in order, headers, plural forms) on every translation
foreach(po ${TEND_PO_FILES})
  get_filename_component(lang ${po} NAME_WE)
  add_test(NAME i18n.msgfmt.${lang}
           COMMAND ${TEND_MSGFMT} --check --check-format --statistics --output-file=/dev/null ${po})
  set_tests_properties(i18n.msgfmt.${lang} PROPERTIES LABELS i18n TIMEOUT 60)
endforeach()

# every MSG_ of bot/messages.h is in the generated tend.pot, po/tend.pot is that .pot, and every .po
# translates all of it (nothing missing, nothing fuzzy, command markers kept)
add_test(NAME i18n.catalogue
         COMMAND ${Python3_EXECUTABLE} ${CMAKE_SOURCE_DIR}/tests/i18n/check_catalogue.py
                 ${CMAKE_SOURCE_DIR} ${TEND_POT})
set_tests_properties(i18n.catalogue PROPERTIES LABELS i18n TIMEOUT 60)

# the real binary in Spanish through its console (two groups on one database file, one after the
# other and interleaved with English)
add_test(NAME i18n.console
         COMMAND ${Python3_EXECUTABLE} ${CMAKE_SOURCE_DIR}/tests/i18n/console_es.py $<TARGET_FILE:tend>
                 ${CMAKE_BINARY_DIR}/locale)
set_tests_properties(i18n.console PROPERTIES LABELS "i18n;integration" TIMEOUT 120)

# a short session in each of the other shipped languages (Portuguese chosen as plain "pt")
add_test(NAME i18n.console_langs
         COMMAND ${Python3_EXECUTABLE} ${CMAKE_SOURCE_DIR}/tests/i18n/console_langs.py $<TARGET_FILE:tend>
                 ${CMAKE_BINARY_DIR}/locale)
set_tests_properties(i18n.console_langs PROPERTIES LABELS "i18n;integration" TIMEOUT 120)

# members typing their own language's words (check-in, two weeks of rest, a Friday task, nudges off)
# in a Spanish and a German group, read back as stored
add_test(NAME i18n.console_words
         COMMAND ${Python3_EXECUTABLE} ${CMAKE_SOURCE_DIR}/tests/i18n/console_words.py $<TARGET_FILE:tend>
                 ${CMAKE_BINARY_DIR}/locale)
set_tests_properties(i18n.console_words PROPERTIES LABELS "i18n;integration" TIMEOUT 120)
