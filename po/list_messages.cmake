# Writes a C file that names every MSG_ define of bot/messages.h inside N_() (NN_() for a counted
# sentence, whose name ends in _N: singular, plural), each after a TRANSLATORS comment with its name.
# The build runs it through the C preprocessor, which expands TEND_CMD and joins the literals, and
# gives the result to xgettext: the msgids are then byte for byte the strings tend looks up.
# Usage: cmake -DMESSAGES=bot/messages.h -DOUT=messages_list.c -P list_messages.cmake
file(READ ${MESSAGES} text)
# names only: a whole line in a CMake list would split at its ';' and join at an unmatched '['
string(REGEX MATCHALL "\n#define MSG_[A-Z0-9_]+" defines "${text}")
set(body "#include \"bot/messages.h\"\n")
foreach(define IN LISTS defines)
  string(REGEX REPLACE "^\n#define " "" name "${define}")
  if(name MATCHES "_N$")
    string(APPEND body "/* TRANSLATORS: ${name} */ NN_(${name})\n")
  else()
    string(APPEND body "/* TRANSLATORS: ${name} */ N_(${name})\n")
  endif()
endforeach()
file(WRITE ${OUT}.tmp "${body}")
# only touch the file when the list changed, so the .pot is not rebuilt for nothing
execute_process(COMMAND ${CMAKE_COMMAND} -E copy_if_different ${OUT}.tmp ${OUT})
