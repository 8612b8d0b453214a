/*
 * languages.h — where tend finds its translations, chosen once at start.
 */
#ifndef TEND_APP_LANGUAGES_H
#define TEND_APP_LANGUAGES_H

/* Binds the translations: `configured` ([bot] locale_dir) when set, else the installed folder when
 * it holds any, else the build folder's. Logs which; English always works. */
void tend_app_languages(const char *configured);

#include <stddef.h>

#include "store/store.h"

/* The host's language op (adapters/host.h, tend_host_language): the language of an adapter's own
 * sentence to group_key's group (member_key NULL) or to one member of it. 0, 1 (the group is not
 * known: the locale's language or English), or a negative store failure. */
int tend_app_language_of(tend_store *store, const char *group_key, const char *member_key, const char *locale,
                         char *out, size_t outlen);

#endif
