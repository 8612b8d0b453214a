/*
 * i18n.h — one process, many languages: GNU gettext with the language switched per message.
 *
 * Every sentence in bot/messages.h is an English msgid of the "tend" text domain. A message is
 * translated where it meets its destination (bot/reply.c, router.c's replies, the scheduler): the
 * group's language for what the group sees, the member's own for what only they read (falling back
 * to the group's). The switch is process-wide: LC_MESSAGES is the
 * built-in C.UTF-8 (glibc ignores LANGUAGE only under the bare "C" locale) and each switch sets
 * LANGUAGE and bumps gettext's catalogue counter so its cache cannot hand back the previous
 * language's string. Switching happens only when the language changes. A switch and its lookup
 * hold one lock, and the command's scope (tend_i18n_scope, tend_i18n_text_lang) is the calling
 * thread's own, so the loop and a store thread may both translate (store/postgres/SEAM.md).
 *
 * Language codes are gettext's: "es", "pt_BR". "en" (or "") is the source language and costs no
 * lookup at all.
 */
#ifndef TEND_I18N_H
#define TEND_I18N_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TEND_TEXTDOMAIN "tend"
#define TEND_LANG_MAX 16

/* Binds the text domain to locale_dir (a folder of <lang>/LC_MESSAGES/tend.mo) and lists the
 * languages found there. 0, or -1 when the C.UTF-8 locale is missing (then tend speaks English only
 * and says why in the log). Safe to call again with another folder (tests). */
int tend_i18n_init(const char *locale_dir);

/* The first folder of dirs (NULL-terminated) holding at least one tend.mo, or NULL. */
const char *tend_i18n_pick_dir(const char *const *dirs);

/* Reads a language as typed ("es", "ES", "es-ES", "pt-br") into one tend speaks: the exact
 * language and region when there is a catalogue for it, else the language alone. True with out
 * filled ("es", "pt_BR", "en"), false when tend has no such language. */
bool tend_i18n_match(const char *typed, char *out, size_t outlen);

/* "español (es)": a language by its own name, then its code. */
void tend_i18n_describe(const char *lang, char *out, size_t outlen);

/* "en, es" — every language tend speaks, for the one line that answers an unknown code. */
void tend_i18n_list(char *out, size_t outlen);

/* The i-th language tend has a catalogue for besides English ("de", "es", "pt_BR"), or NULL past the
 * last: for a platform that is told each language's words once (Telegram's menus). */
const char *tend_i18n_lang_at(size_t i);
/* msgid in lang (NULL or "" = English). The result lives as long as the process. */
const char *tend_i18n_tr(const char *lang, const char *msgid) __attribute__((format_arg(2)));
/* The singular or plural of a counted sentence in lang, by that language's plural rule. */
const char *tend_i18n_ntr(const char *lang, const char *singular, const char *plural, unsigned long n)
    __attribute__((format_arg(2))) __attribute__((format_arg(3)));

/* Who is spoken to while one command (or one group's scheduled work) is answered: the group's
 * language, and the member who asked with their own. Set by the router and the scheduler; NULLs
 * clear it (English). */
void tend_i18n_scope(const char *group_lang, const char *member_key, const char *member_lang);
/* True when member_key is the member whose command is being answered. */
bool tend_i18n_is_asker(const char *member_key);
/* The language of a message to the group (to_group) or to member_key. */
const char *tend_i18n_lang_for(bool to_group, const char *member_key);
/* The scope's private language: the asker's own, else the group's. Pieces of a sentence formatted
 * before it is placed (a refusal, a line of the board in a private answer) use it. */
const char *tend_i18n_private_lang(void);
const char *tend_i18n_group_lang(void);

/* Sets the language tend_tr uses for a while (a task line for the group, or for one member who is
 * not the asker): NULL goes back to the scope's private language. Returns the one before. */
const char *tend_i18n_text_lang(const char *lang);

/* msgid in the scope's private language (see above), or tend_i18n_text_lang's. */
const char *tend_tr(const char *msgid) __attribute__((format_arg(1)));
const char *tend_ntr(const char *singular, const char *plural, unsigned long n)
    __attribute__((format_arg(1))) __attribute__((format_arg(2)));

/* msgid under the context ctx (gettext's msgctxt, as pgettext reads it) in lang; msgid itself when
 * the language has no translation for it. Used for the word lists members type (bot/words.h). */
const char *tend_i18n_ptr(const char *lang, const char *ctx, const char *msgid) __attribute__((format_arg(3)));

/* Changes each time tend_i18n_init binds another folder: what is cached from the catalogues (the
 * word lists) is read again. */
uint64_t tend_i18n_generation(void);

/* How many times the process switched language, for tests and the bench. */
uint64_t tend_i18n_switches(void);

#endif
