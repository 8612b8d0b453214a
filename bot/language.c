/* language.c — the language of each destination; see language.h. */
#include "bot/language.h"
#include "bot/i18n.h"

#include <stdio.h>
#include <string.h>

const char *tend_lang_of_member(const tend_group *g, const tend_member *m)
{
    if (m && m->language[0])
        return m->language;
    if (m && m->app_language[0])
        return m->app_language; /* never chose: the app's language, last time they used it */
    return g ? g->language : "";
}

int tend_lang_note_app(tend_store *store, tend_member *m, const tend_request *req)
{
    char lang[TEND_LANG_MAX] = "";
    if (!m->id || !req->locale || !tend_i18n_match(req->locale, lang, sizeof lang) ||
        strcmp(lang, m->app_language) == 0)
        return TEND_STORE_OK; /* written only when it changes: most commands write nothing */
    int rc = tend_store_member_set_app_language(store, m->id, lang);
    if (rc == TEND_STORE_OK)
        snprintf(m->app_language, sizeof m->app_language, "%s", lang);
    return rc;
}

int tend_lang_start_group(tend_store *store, tend_group *g, const tend_request *req, int64_t now)
{
    char lang[TEND_LANG_MAX];
    /* only a group this very command made: a group that exists keeps what it has */
    if (g->created_at != now || g->language[0] || !req->guild_locale ||
        !tend_i18n_match(req->guild_locale, lang, sizeof lang) || strcmp(lang, "en") == 0)
        return TEND_STORE_OK;
    tend_group updated = *g;
    snprintf(updated.language, sizeof updated.language, "%s", lang);
    int rc = tend_store_group_save(store, &updated);
    if (rc != TEND_STORE_OK)
        return rc;
    *g = updated;
    tend_lang_scope_rows(g, NULL, req); /* a new group has no member rows yet: the asker is new too */
    return TEND_STORE_OK;
}

void tend_lang_scope_rows(const tend_group *g, const tend_member *m, const tend_request *req)
{
    const char *own = m && m->language[0] ? m->language : m ? m->app_language : "";
    char from_platform[TEND_LANG_MAX];
    /* a member who never chose is answered in the language their app is set to, if tend has it */
    if (!own[0] && req && req->locale && tend_i18n_match(req->locale, from_platform, sizeof from_platform))
        own = from_platform;
    tend_i18n_scope(g ? g->language : "", req ? req->member_key : (m ? m->key : NULL), own);
}

void tend_lang_scope_request(const tend_env *env, const tend_request *req)
{
    tend_group g;
    tend_member m;
    memset(&g, 0, sizeof g);
    memset(&m, 0, sizeof m);
    if (env && env->store && req->group_key &&
        tend_store_group_get(env->store, req->group_key, &g) == TEND_STORE_OK && req->member_key)
        (void)tend_store_member_get(env->store, g.id, req->member_key, &m);
    tend_lang_scope_rows(&g, &m, req);
}

void tend_lang_scope_group(const tend_group *g)
{
    tend_i18n_scope(g ? g->language : "", NULL, NULL);
}
