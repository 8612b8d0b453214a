/* i18n.c — gettext switched per message; see i18n.h for why it is safe, also on two threads. */
#include "bot/i18n.h"
#include "bot/messages.h"
#include "lib/log.h"

#include <ctype.h>
#include <dirent.h>
#include <libintl.h>
#include <locale.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_LANGS 32

static bool ready;                          /* C.UTF-8 set and the domain bound                */
static char langs[MAX_LANGS][TEND_LANG_MAX]; /* with a catalogue, sorted; "en" is not listed */
static size_t n_langs;
/* The switch and the lookup after it are one step under `switching`: with the loop and the store
 * thread both translating (store/postgres/SEAM.md), another thread's switch in between would hand
 * back its language. What gettext returns points into the catalogue and stays valid after. */
static pthread_mutex_t switching = PTHREAD_MUTEX_INITIALIZER;
static char current[TEND_LANG_MAX];         /* what LANGUAGE says now (under switching)         */
static uint64_t switches;                   /* under switching                                  */
static uint64_t generation;

/* Whose command is being answered: each thread's own, as each runs its own commands. */
static _Thread_local struct {
    char group[TEND_LANG_MAX];
    char member_key[128];
    char member[TEND_LANG_MAX];
} scope;

static bool has_catalogue(const char *dir, const char *lang)
{
    char path[1024];
    struct stat st;
    int n = snprintf(path, sizeof path, "%s/%s/LC_MESSAGES/" TEND_TEXTDOMAIN ".mo", dir, lang);
    return n > 0 && (size_t)n < sizeof path && stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static int by_name(const void *a, const void *b)
{
    return strcmp(a, b);
}

static void scan(const char *dir)
{
    n_langs = 0;
    DIR *d = dir ? opendir(dir) : NULL;
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d)) && n_langs < MAX_LANGS) {
        size_t len = strlen(e->d_name);
        if (e->d_name[0] == '.' || len >= TEND_LANG_MAX || strcmp(e->d_name, "en") == 0 ||
            !has_catalogue(dir, e->d_name))
            continue;
        memcpy(langs[n_langs++], e->d_name, len + 1);
    }
    closedir(d);
    qsort(langs, n_langs, sizeof langs[0], by_name);
}

const char *tend_i18n_pick_dir(const char *const *dirs)
{
    for (size_t i = 0; dirs && dirs[i]; i++) {
        DIR *d = dirs[i][0] ? opendir(dirs[i]) : NULL;
        if (!d)
            continue;
        struct dirent *e;
        bool found = false;
        while (!found && (e = readdir(d)))
            found = e->d_name[0] != '.' && has_catalogue(dirs[i], e->d_name);
        closedir(d);
        if (found)
            return dirs[i];
    }
    return NULL;
}

int tend_i18n_init(const char *locale_dir)
{
    ready = false;
    current[0] = '\0';
    generation++;
    scan(locale_dir);
    /* not "C": glibc ignores LANGUAGE there; C.UTF-8 is built into glibc 2.35 and later */
    /* the variable exists from now on, so each switch replaces its value (glibc keeps the old
     * strings) and never grows the environment under another thread's getenv (libcurl's proxies) */
    if (!getenv("LANGUAGE"))
        setenv("LANGUAGE", "", 0);
    if (!setlocale(LC_MESSAGES, "C.UTF-8")) {
        tend_log(TEND_LOG_WARN, "i18n", "no C.UTF-8 locale, so tend speaks English only");
        return -1;
    }
    if (!locale_dir || !bindtextdomain(TEND_TEXTDOMAIN, locale_dir) ||
        !bind_textdomain_codeset(TEND_TEXTDOMAIN, "UTF-8") || !textdomain(TEND_TEXTDOMAIN))
        return locale_dir ? -1 : 0;
    ready = true;
    /* debug: start-up stays quiet, and a start that fails says so in its one line */
    tend_log(TEND_LOG_DEBUG, "i18n", "translations from %s: %zu besides English", locale_dir, n_langs);
    return 0;
}

static bool known(const char *lang)
{
    for (size_t i = 0; i < n_langs; i++)
        if (strcmp(langs[i], lang) == 0)
            return true;
    return false;
}

bool tend_i18n_match(const char *typed, char *out, size_t outlen)
{
    /* "pt-br" -> "pt_BR": gettext's spelling, language lower case and region upper case */
    char want[TEND_LANG_MAX];
    size_t n = 0, cut = 0;
    for (const char *p = typed ? typed : ""; *p; p++) {
        if (n + 1 >= sizeof want)
            return false;
        unsigned char c = (unsigned char)*p;
        if (c == '-' || c == '_') {
            if (cut || n == 0)
                return false;
            cut = n;
            want[n++] = '_';
        } else if (isalpha(c) || (cut && isdigit(c))) { /* a region may be numeric: es-419 */
            want[n++] = (char)(cut ? toupper(c) : tolower(c));
        } else {
            return false;
        }
    }
    want[n] = '\0';
    if (n == 0)
        return false;
    if (known(want)) {
        snprintf(out, outlen, "%s", want);
        return true;
    }
    if (cut)
        want[cut] = '\0';
    if (strcmp(want, "en") == 0 || known(want)) {
        snprintf(out, outlen, "%s", want);
        return true;
    }
    /* "pt" (or Discord's "pt-PT") when only pt_BR is there: the one catalogue of that language */
    size_t base = strlen(want);
    for (size_t i = 0; i < n_langs; i++)
        if (strncmp(langs[i], want, base) == 0 && langs[i][base] == '_') {
            snprintf(out, outlen, "%s", langs[i]);
            return true;
        }
    return false;
}

void tend_i18n_describe(const char *lang, char *out, size_t outlen)
{
    const char *code = lang && lang[0] ? lang : "en";
    snprintf(out, outlen, "%.60s (%.15s)", tend_i18n_tr(code, MSG_LANGUAGE_SELF), code);
}

const char *tend_i18n_lang_at(size_t i)
{
    return i < n_langs ? langs[i] : NULL;
}

void tend_i18n_list(char *out, size_t outlen)
{
    char one[96];
    tend_i18n_describe("en", one, sizeof one);
    int used = snprintf(out, outlen, "%s", one);
    for (size_t i = 0; i < n_langs && used > 0 && (size_t)used < outlen; i++) {
        tend_i18n_describe(langs[i], one, sizeof one);
        used += snprintf(out + used, outlen - (size_t)used, ", %s", one);
    }
}

static bool english(const char *lang)
{
    return !lang || !lang[0] || (lang[0] == 'e' && lang[1] == 'n' && (!lang[2] || lang[2] == '_'));
}

/* Points gettext at lang; the counter bump makes its cache forget the previous language. */
static void use(const char *lang)
{
    if (strcmp(current, lang) == 0)
        return;
    setenv("LANGUAGE", lang, 1);
    textdomain(textdomain(NULL));
    /* a name too long to remember is switched to afresh each time rather than cut short and
     * mistaken for another (every name tend speaks fits) */
    size_t n = strnlen(lang, sizeof current);
    if (n < sizeof current)
        memcpy(current, lang, n + 1);
    else
        current[0] = '\0';
    switches++;
}

const char *tend_i18n_tr(const char *lang, const char *msgid)
{
    /* "" is the catalogue's header in gettext, never a sentence */
    if (!ready || english(lang) || !msgid || !msgid[0])
        return msgid;
    pthread_mutex_lock(&switching);
    use(lang);
    const char *found = dgettext(TEND_TEXTDOMAIN, msgid);
    pthread_mutex_unlock(&switching);
    return found;
}

const char *tend_i18n_ntr(const char *lang, const char *singular, const char *plural, unsigned long n)
{
    if (!ready || english(lang))
        return n == 1 ? singular : plural;
    pthread_mutex_lock(&switching);
    use(lang);
    const char *found = dngettext(TEND_TEXTDOMAIN, singular, plural, n);
    pthread_mutex_unlock(&switching);
    return found;
}

void tend_i18n_scope(const char *group_lang, const char *member_key, const char *member_lang)
{
    snprintf(scope.group, sizeof scope.group, "%s", group_lang ? group_lang : "");
    snprintf(scope.member_key, sizeof scope.member_key, "%s", member_key ? member_key : "");
    snprintf(scope.member, sizeof scope.member, "%s", member_lang ? member_lang : "");
}

const char *tend_i18n_group_lang(void)
{
    return scope.group;
}

const char *tend_i18n_private_lang(void)
{
    return scope.member[0] ? scope.member : scope.group;
}

bool tend_i18n_is_asker(const char *member_key)
{
    return member_key && scope.member_key[0] && strcmp(member_key, scope.member_key) == 0;
}

const char *tend_i18n_lang_for(bool to_group, const char *member_key)
{
    if (!to_group && tend_i18n_is_asker(member_key))
        return tend_i18n_private_lang();
    return scope.group;
}

static _Thread_local const char *text_lang; /* NULL: the scope's private language */

const char *tend_i18n_text_lang(const char *lang)
{
    const char *before = text_lang;
    text_lang = lang;
    return before;
}

const char *tend_tr(const char *msgid)
{
    return tend_i18n_tr(text_lang ? text_lang : tend_i18n_private_lang(), msgid);
}

const char *tend_ntr(const char *singular, const char *plural, unsigned long n)
{
    return tend_i18n_ntr(text_lang ? text_lang : tend_i18n_private_lang(), singular, plural, n);
}

const char *tend_i18n_ptr(const char *lang, const char *ctx, const char *msgid)
{
    char key[512];
    if (!ready || english(lang) || !msgid || !msgid[0] || !ctx)
        return msgid;
    /* how pgettext finds an entry with a msgctxt: the context, byte 4, the msgid */
    int n = snprintf(key, sizeof key, "%s\004%s", ctx, msgid);
    if (n < 0 || (size_t)n >= sizeof key)
        return msgid;
    pthread_mutex_lock(&switching);
    use(lang);
    const char *found = dgettext(TEND_TEXTDOMAIN, key);
    pthread_mutex_unlock(&switching);
    return found == key ? msgid : found; /* untranslated: gettext hands back the key itself */
}

uint64_t tend_i18n_generation(void)
{
    return generation;
}

uint64_t tend_i18n_switches(void)
{
    pthread_mutex_lock(&switching);
    uint64_t n = switches;
    pthread_mutex_unlock(&switching);
    return n;
}
