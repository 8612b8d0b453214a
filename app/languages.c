/* languages.c — where the translations are; see languages.h. */
#include "app/languages.h"
#include "bot/i18n.h"
#include "lib/log.h"

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
