/*
 * languages.h — where tend finds its translations, chosen once at start.
 */
#ifndef TEND_APP_LANGUAGES_H
#define TEND_APP_LANGUAGES_H

/* Binds the translations: `configured` ([bot] locale_dir) when set, else the installed folder when
 * it holds any, else the build folder's. Logs which; English always works. */
void tend_app_languages(const char *configured);

#endif
