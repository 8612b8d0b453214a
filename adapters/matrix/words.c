/*
 * words.c — the adapter's own sentences (an introduction, a notice, a link's answer) in the language
 * of who reads them: a room's group's language for what the room reads, a member's own for what
 * only they read. The host knows the languages (adapters/host.h); a linked room reads its group's.
 */
#include "adapters/matrix/internal.h"

#include <stdio.h>

#include "bot/i18n.h"

void tend_matrix_lang(tend_matrix *mx, const char *room_id, const char *member, char *out, size_t outlen)
{
    char group[MX_KEY_MAX], key[MX_KEY_MAX + 16];
    tend_matrix_group_room(mx, room_id, group, sizeof group);
    snprintf(key, sizeof key, TEND_MATRIX_PLATFORM ":%s", group);
    tend_host_language(mx->base.host, key, member, NULL, out, outlen);
}

const char *tend_matrix_words(tend_matrix *mx, const char *room_id, const char *member, const char *msgid)
{
    char lang[TEND_LANG_MAX];
    tend_matrix_lang(mx, room_id, member, lang, sizeof lang);
    return tend_i18n_tr(lang, msgid);
}
