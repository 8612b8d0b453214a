/* languages.c — where the translations are; see languages.h. */
#include "app/languages.h"
#include "bot/i18n.h"
#include "bot/language.h"
#include "lib/log.h"

#include <stdio.h>
#include <string.h>

void tend_app_languages(const char *configured)
{
    if (configured && configured[0]) {
        const char *only[] = {configured, NULL};
        if (!tend_i18n_pick_dir(only))
            tend_log(TEND_LOG_WARN, "i18n", "locale_dir %s holds no tend.mo, so tend speaks English only",
                     configured);
        tend_i18n_init(configured);
        return;
    }
    const char *dirs[] = {TEND_LOCALE_DIR, TEND_BUILD_LOCALE_DIR, NULL};
    tend_i18n_init(tend_i18n_pick_dir(dirs));
}

int tend_app_language_of(tend_store *store, const char *group_key, const char *member_key, const char *locale,
                         char *out, size_t outlen)
{
    char from_app[TEND_LANG_MAX] = "";
    if (locale && !tend_i18n_match(locale, from_app, sizeof from_app))
        from_app[0] = '\0';
    tend_group g;
    int rc = group_key ? tend_store_group_get(store, group_key, &g) : TEND_STORE_NOTFOUND;
    if (rc != TEND_STORE_OK) {
        /* a group tend has not met: nothing to go on but what the member's app says */
        snprintf(out, outlen, "%s", member_key ? from_app : "");
        return rc == TEND_STORE_NOTFOUND ? 1 : -1;
    }
    tend_member m;
    bool member = member_key && tend_store_member_get(store, g.id, member_key, &m) == TEND_STORE_OK;
    if (!member_key)
        snprintf(out, outlen, "%s", g.language);
    else if (member && m.language[0])
        snprintf(out, outlen, "%s", m.language); /* their own choice first, as in the bot's answers */
    else if (from_app[0])
        snprintf(out, outlen, "%s", from_app);
    else
        snprintf(out, outlen, "%s", tend_lang_of_member(&g, member ? &m : NULL));
    return 0;
}
