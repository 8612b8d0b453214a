/*
 * language.h — which language each destination reads, from what the store and the request say.
 *
 * The group's language for everything the group sees; a member's own (chosen with /profile, else
 * their Discord locale while they are answered, else the group's) for what only they read.
 */
#ifndef TEND_LANGUAGE_H
#define TEND_LANGUAGE_H

#include "bot/bot.h"
#include "bot/request.h"
#include "store/store.h"

/* What m reads privately when no request says more: their own choice, else the group's. */
const char *tend_lang_of_member(const tend_group *g, const tend_member *m);

/* Remembers the language of the app m used for req (its Discord locale, when tend speaks it), so
 * what tend sends them later unasked (reminders, nudges) is in it too. In the command's own
 * transaction; a write only when it changed. TEND_STORE_OK or a store error. */
int tend_lang_note_app(tend_store *store, tend_member *m, const tend_request *req);

/* A group met for the first time by this command (created at `now`, no language chosen) starts in
 * its server's language (req->guild_locale: Discord's preferred locale of the server) when tend
 * speaks it, so a server that speaks Spanish is answered in Spanish from its first command, the
 * way its hello was. In the command's own transaction; TEND_STORE_OK or a store error. */
int tend_lang_start_group(tend_store *store, tend_group *g, const tend_request *req, int64_t now);

/* Sets bot/i18n.h's scope for answering req, reading the group's and the member's languages (a
 * read, no write: used before the command's transaction, so a refusal is in their language too). */
void tend_lang_scope_request(const tend_env *env, const tend_request *req);
/* The same from rows already loaded (after /setup or /profile changed them). */
void tend_lang_scope_rows(const tend_group *g, const tend_member *m, const tend_request *req);
/* For a group's scheduled work: the group's language, nobody asking. */
void tend_lang_scope_group(const tend_group *g);

#endif
