/*
 * icu.h — ICU's functions, loaded the first time something needs them.
 *
 * libicuuc and libicui18n, with the libstdc++ they bring, are about 2.5 MB of resident memory once
 * mapped, relocated and initialised, and only two things use them: a member's name seen for the
 * first time or changed (bot/names.c) and folding a word that is not ASCII (bot/words.c). A bot
 * whose members are all known and who type ASCII never needs them, so they are opened with
 * dlopen on first use instead of at start. The functions are ICU's own, looked up by their
 * versioned names (u_charType_72 for the ICU tend was built against), so nothing is re-implemented
 * and the library loaded is the one the headers describe.
 *
 * Only the loop thread calls these (like everything in bot/).
 */
#ifndef TEND_ICU_H
#define TEND_ICU_H

#include <stdbool.h>

#include <unicode/uchar.h>
#include <unicode/uclean.h>
#include <unicode/unorm2.h>
#include <unicode/uspoof.h>
#include <unicode/ustring.h>

typedef struct tend_icu {
    __typeof__(u_charType) *char_type;
    __typeof__(u_hasBinaryProperty) *has_binary_property;
    __typeof__(u_isUWhiteSpace) *is_white_space;
    __typeof__(u_strFromUTF8) *str_from_utf8;
    __typeof__(u_strToUTF8) *str_to_utf8;
    __typeof__(u_strFoldCase) *str_fold_case;
    __typeof__(u_strncmp) *str_ncmp;
    __typeof__(unorm2_getNFCInstance) *nfc_instance;
    __typeof__(unorm2_getNFDInstance) *nfd_instance;
    __typeof__(unorm2_normalize) *normalize;
    __typeof__(uspoof_open) *spoof_open;
    __typeof__(uspoof_close) *spoof_close;
    __typeof__(uspoof_getSkeleton) *spoof_skeleton;
    __typeof__(u_cleanup) *cleanup;
} tend_icu;

/* ICU's functions, loading the library on the first call; NULL when it cannot be loaded (said once
 * in the log: the package depends on ICU, so that is a broken install). */
const tend_icu *tend_icu_get(void);

/* Whether ICU is loaded in this process now (the tests check it stays unloaded until needed). */
bool tend_icu_loaded(void);

/* Releases what ICU keeps (u_cleanup) and unloads it, for a clean exit under valgrind; the next
 * tend_icu_get() loads it again. Safe to call when it was never loaded. */
void tend_icu_unload(void);

#endif
