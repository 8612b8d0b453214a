/* language.c — the language of each destination; see language.h. */
#include "bot/language.h"
#include "bot/i18n.h"

#include <string.h>

const char *tend_lang_of_member(const tend_group *g, const tend_member *m)
{
    if (m && m->language[0])
        return m->language;
    return g ? g->language : "";
}

void tend_lang_scope_rows(const tend_group *g, const tend_member *m, const tend_request *req)
{
    const char *own = m && m->language[0] ? m->language : "";
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
