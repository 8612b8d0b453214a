/*
 * config.c — tend.conf (INI, read by libinih) and the environment over built-in defaults.
 *
 * Every key lives in one table below: its section, its name, where it goes in tend_config and how
 * its value is checked. The file, the TEND_<SECTION>_<KEY> variables and the problems reported all
 * come from that table, so a new key is one line. Problems are collected, not stopped at, so a
 * coordinator fixes the whole file in one go. A problem names the key the way the person wrote it
 * (`[discord] application_id`, or `TEND_DISCORD_APPLICATION_ID` for the environment) and never
 * repeats a value: a token pasted into the wrong key must not come back out, not even its start.
 */
#include "config/config.h"

#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "config/internal.h"
#include "lib/log.h"
#include "lib/url.h"

#define CONFIG_FILE_MAX (1024 * 1024)

#define AT(field) offsetof(tend_config, field)

static const key_spec keys[] = {
    {"store", "database", K_TEXT, AT(database), 0, 0},
    {"store", "synchronous", K_SYNC, AT(synchronous), 0, 0},
    {"store", "url", K_PGURL, AT(store_url), 0, 0},
    {"log", "level", K_LEVEL, AT(log_level), 0, 0},
    {"bot", "stale_claim_days", K_INT, AT(settings.stale_claim_days), 1, 365},
    {"bot", "grace_hours", K_INT, AT(settings.grace_hours), 0, 168},
    {"bot", "thanks_per_day", K_INT, AT(settings.thanks_per_day), 1, 100},
    {"bot", "default_capacity", K_INT, AT(settings.default_capacity), 1, 50},
    {"bot", "commands_per_minute", K_INT, AT(settings.commands_per_minute), 0, 1000},
    {"bot", "backup_window_days", K_INT, AT(settings.backup_window_days), 0, 60},
    {"bot", "locale_dir", K_TEXT, AT(locale_dir), 0, 0},
    {"console", "group", K_TEXT, AT(console_group), 0, 0},
    {"console", "member", K_TEXT, AT(console_member), 0, 0},
    {"discord", "token", K_SECRET, AT(discord_token), 0, 0},
    {"discord", "application_id", K_SNOWFLAKE, AT(discord_application_id), 0, 0},
    {"discord", "api_base", K_HTTP, AT(discord_api_base), 0, 0},
    {"discord", "gateway_url", K_WS, AT(discord_gateway_url), 0, 0},
    {"discord", "global_commands", K_BOOL, AT(discord_global_commands), 0, 0},
    {"discord", "shards", K_SHARDS, AT(discord_shards), 0, 0},
    {"matrix", "homeserver", K_HTTP, AT(matrix_homeserver), 0, 0},
    {"matrix", "user_id", K_MXID, AT(matrix_user_id), 0, 0},
    {"matrix", "access_token", K_SECRET, AT(matrix_access_token), 0, 0},
    {"matrix", "password", K_SECRET, AT(matrix_password), 0, 0},
    {"matrix", "device_id", K_TEXT, AT(matrix_device_id), 0, 0},
    {"matrix", "allowed_inviters", K_INVITERS, AT(matrix_allowed_inviters), 0, 0},
    {"matrix", "pickle_key_file", K_TEXT, AT(matrix_pickle_key_file), 0, 0},
    {"signal", "rpc_url", K_HTTP, AT(signal_rpc_url), 0, 0},
    {"signal", "account", K_PHONE, AT(signal_account), 0, 0},
    {"telegram", "token", K_TGTOKEN, AT(telegram_token), 0, 0},
    {"telegram", "api_base", K_HTTP, AT(telegram_api_base), 0, 0},
    {"ops", "listen", K_LISTEN, AT(ops_listen), 0, 0},
};
#define N_KEYS (sizeof keys / sizeof keys[0])

static const char *const sections[] = {"store", "log", "bot", "console", "discord", "matrix", "signal",
                                       "telegram", "ops"};
#define N_SECTIONS (sizeof sections / sizeof sections[0])

/* What one load collects: problems as lines in err, and where they come from. */
typedef struct {
    tend_config *cfg;
    const char *path;     /* for "path:line:" prefixes */
    char *err;
    size_t errlen, used;
    int problems;
    int lineno;
    bool section_known;   /* false after an unknown [section]: its keys were reported with it */
    bool file_has_secret;
    bool oom;
    char setby[N_KEYS][48]; /* how each key was set, as the person wrote it; "" when it was not */
    bool bad[N_KEYS];       /* given a value that was refused (and reported) */
} load_state;

static void problem(load_state *st, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void problem(load_state *st, const char *fmt, ...)
{
    st->problems++;
    if (!st->err || st->errlen == 0 || st->used + 1 >= st->errlen)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(st->err + st->used, st->errlen - st->used, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    st->used += (size_t)n;
    if (st->used + 1 < st->errlen) {
        st->err[st->used++] = '\n';
        st->err[st->used] = '\0';
    } else {
        st->used = st->errlen - 1; /* full: later problems are counted, not written */
    }
}

static const key_spec *find_key(const char *section, const char *key)
{
    for (size_t i = 0; i < N_KEYS; i++)
        if (strcasecmp(keys[i].section, section) == 0 && strcasecmp(keys[i].key, key) == 0)
            return &keys[i];
    return NULL;
}

static bool section_exists(const char *section)
{
    for (size_t i = 0; i < N_SECTIONS; i++)
        if (strcasecmp(sections[i], section) == 0)
            return true;
    return false;
}

/* Names in the section (section NULL: every key) close enough to `key` to be a typo of one. */
static const char *suggest_key(const char *section, const char *key)
{
    const char *names[N_KEYS];
    size_t n = 0;
    for (size_t i = 0; i < N_KEYS; i++)
        if (!section || strcasecmp(keys[i].section, section) == 0)
            names[n++] = keys[i].key;
    return tend_config_nearest(key, names, n);
}

/* A word from the file is repeated only when it is nearly a real name (a typo of one): anything
 * else on the left of '=' may be half of a password that happened to hold one. */
static bool safe_to_repeat(const char *word, const char *near)
{
    return near && strlen(word) <= 40;
}

static void env_name(const key_spec *k, char *buf, size_t len)
{
    snprintf(buf, len, "TEND_%s_%s", k->section, k->key);
    for (char *p = buf; *p; p++)
        *p = (char)toupper((unsigned char)*p);
}

/* Checks and stores one value. `where` is "path:line", or NULL when `name` is the variable. */
static void set_value(load_state *st, const key_spec *k, const char *value, const char *where, const char *name)
{
    int number = 0;
    size_t index = (size_t)(k - keys);
    char *base = (char *)st->cfg + k->offset;
    bool optional = strcmp(k->section, "discord") == 0 || strcmp(k->section, "matrix") == 0 ||
                    strcmp(k->section, "signal") == 0 || strcmp(k->section, "telegram") == 0 ||
                    strcmp(k->section, "ops") == 0;
    if (!*value && optional) {
        /* "token =" left empty means "not set", as if the line were not there */
        if (k->kind == K_BOOL)
            *(bool *)(void *)base = false;
        else
            free(*(char **)(void *)base), *(char **)(void *)base = NULL;
        st->setby[index][0] = '\0';
        return;
    }
    /* set, even if refused below: a refused Discord key still says Discord was meant */
    if (where)
        snprintf(st->setby[index], sizeof st->setby[index], "[%s] %s", k->section, k->key);
    else
        snprintf(st->setby[index], sizeof st->setby[index], "%s", name);
    if (!tend_config_value_ok(k, value, &number)) {
        st->bad[index] = true;
        char want[96];
        tend_config_describe(k, want, sizeof want);
        const char *verb = k->kind == K_SECRET || !*value ? "needs a value" : "must be ";
        if (where)
            problem(st, "%s: [%s] %s %s%s", where, k->section, k->key, verb, *verb == 'm' ? want : "");
        else
            problem(st, "%s %s%s", name, verb, *verb == 'm' ? want : "");
        return;
    }
    if (k->kind == K_INT || k->kind == K_SYNC) {
        *(int *)(void *)base = number;
    } else if (k->kind == K_BOOL) {
        *(bool *)(void *)base = number != 0;
    } else {
        char *copy = strdup(value);
        if (!copy) {
            st->oom = true;
            return;
        }
        char **slot = (char **)(void *)base;
        free(*slot);
        *slot = copy;
    }
}

/* ---------------------------------------------------------------- the file */

typedef struct {
    const char *p;       /* the rest of the file text */
    load_state *st;
} reader_state;

/* Checks one line's shape; inih only reports the first bad line, and without saying what is wrong. */
static void check_line(load_state *st, const char *line)
{
    if (!*line || *line == ';' || *line == '#' || *line == '\n' || *line == '\r')
        return;
    if (*line == '[') {
        const char *close = strchr(line, ']');
        if (!close) {
            problem(st, "%s:%d: a section name needs a closing ']'", st->path, st->lineno);
            st->section_known = false;
            return;
        }
        char name[64];
        size_t len = (size_t)(close - line - 1);
        snprintf(name, sizeof name, "%.*s", (int)(len < sizeof name ? len : sizeof name - 1), line + 1);
        st->section_known = section_exists(name);
        if (!st->section_known) {
            const char *near = tend_config_nearest(name, sections, N_SECTIONS);
            if (safe_to_repeat(name, near))
                problem(st, "%s:%d: unknown section [%s] (did you mean [%s]?)", st->path, st->lineno, name,
                        near);
            else
                problem(st, "%s:%d: unknown section (its name is not repeated here)", st->path, st->lineno);
        }
        return;
    }
    if (!strpbrk(line, "=:"))
        problem(st, "%s:%d: expected 'key = value'", st->path, st->lineno);
}

/* An fgets over the file text that counts lines (the handler reports them) and drops leading
 * blanks, so an indented line is never taken as the previous value's continuation. */
static char *read_line(char *buf, int num, void *stream)
{
    reader_state *r = stream;
    load_state *st = r->st;
    if (!*r->p || num < 3)
        return NULL;
    const char *nl = strchr(r->p, '\n');
    size_t len = nl ? (size_t)(nl - r->p) + 1 : strlen(r->p);
    const char *start = r->p;
    r->p += len;
    st->lineno++;
    while (len > 0 && (*start == ' ' || *start == '\t'))
        start++, len--;
    if (len >= (size_t)num) {
        problem(st, "%s:%d: line is too long (at most %d characters)", st->path, st->lineno, num - 3);
        strcpy(buf, "\n");
        return buf;
    }
    memcpy(buf, start, len);
    buf[len] = '\0';
    check_line(st, buf);
    return buf;
}

static int on_key(void *user, const char *section, const char *name, const char *value)
{
    load_state *st = user;
    char where[600];
    snprintf(where, sizeof where, "%s:%d", st->path, st->lineno);
    if (!*section) {
        if (safe_to_repeat(name, suggest_key(NULL, name)))
            problem(st, "%s: '%s' must be inside a section such as [bot]", where, name);
        else
            problem(st, "%s: a key must be inside a section such as [bot]", where);
        return 1;
    }
    if (!st->section_known)
        return 1; /* the section itself was reported */
    const key_spec *k = find_key(section, name);
    if (!k) {
        const char *near = suggest_key(section, name);
        if (safe_to_repeat(name, near))
            problem(st, "%s: unknown key '%s' in [%s] (did you mean '%s'?)", where, name, section, near);
        else
            problem(st, "%s: unknown key in [%s] (its name is not repeated here)", where, section);
        return 1;
    }
    if ((k->kind == K_SECRET || k->kind == K_TGTOKEN || (k->kind == K_PGURL && strchr(value, '@'))) && *value)
        st->file_has_secret = true;
    set_value(st, k, value, where, NULL);
    return 1;
}

static char *slurp(FILE *f, size_t *len)
{
    char *text = malloc(CONFIG_FILE_MAX + 1);
    if (!text)
        return NULL;
    *len = fread(text, 1, CONFIG_FILE_MAX + 1, f);
    text[*len <= CONFIG_FILE_MAX ? *len : CONFIG_FILE_MAX] = '\0';
    return text;
}

static void load_file(load_state *st, const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        problem(st, "%s: cannot read it (%s)", path, strerror(errno));
        return;
    }
    struct stat sb;
    if (fstat(fileno(f), &sb) == 0 && S_ISDIR(sb.st_mode)) {
        /* what `docker run -v ./tend.conf:/etc/tend.conf` makes when ./tend.conf does not exist */
        problem(st, "%s: is a folder, not a config file (a bind mount of a missing file makes one)", path);
        fclose(f);
        return;
    }
    bool exposed = (sb.st_mode & 077) != 0;
    size_t len = 0;
    char *text = slurp(f, &len);
    fclose(f);
    if (!text) {
        st->oom = true;
        return;
    }
    if (len > CONFIG_FILE_MAX) {
        problem(st, "%s: too big for a config file (more than 1 MB)", path);
    } else if (memchr(text, '\0', len)) {
        problem(st, "%s: not a text file", path);
    } else {
        /* Windows editors start UTF-8 files with a byte order mark; it is not part of line 1 */
        bool bom = len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0;
        reader_state r = {text + (bom ? 3 : 0), st};
        st->section_known = true;
        if (ini_parse_stream(read_line, &r, on_key, st) == -2)
            st->oom = true;
    }
    free(text);
    st->cfg->file_secret_exposed = st->file_has_secret && exposed;
    if (st->cfg->file_secret_exposed)
        tend_log(TEND_LOG_WARN, "config",
                 "%s holds a token or password and other users can read it; run: chmod 600 %s", path, path);
}

/* ---------------------------------------------------------------- the environment */

static void load_env(load_state *st)
{
    for (size_t i = 0; i < N_KEYS; i++) {
        char name[64];
        env_name(&keys[i], name, sizeof name);
        const char *v = getenv(name);
        if ((!v || !*v) && keys[i].offset == AT(discord_token)) {
            v = getenv("DISCORD_TOKEN");
            snprintf(name, sizeof name, "DISCORD_TOKEN");
        }
        if ((!v || !*v) && keys[i].offset == AT(matrix_access_token)) {
            v = getenv("MATRIX_ACCESS_TOKEN");
            snprintf(name, sizeof name, "MATRIX_ACCESS_TOKEN");
        }
        if ((!v || !*v) && keys[i].offset == AT(telegram_token)) {
            v = getenv("TELEGRAM_TOKEN");
            snprintf(name, sizeof name, "TELEGRAM_TOKEN");
        }
        if (v && *v) {
            set_value(st, &keys[i], v, NULL, name);
            if (keys[i].offset == AT(database))
                st->cfg->database_is_default = false;
        }
    }
}

/* ---------------------------------------------------------------- the interface */

/* $XDG_DATA_HOME/tend/tend.db, else ~/.local/share/tend/tend.db, else ./tend.db. */
static char *default_database(void)
{
    const char *xdg = getenv("XDG_DATA_HOME");
    const char *home = getenv("HOME");
    char path[4096];
    if (xdg && xdg[0] == '/')
        snprintf(path, sizeof path, "%s/tend/tend.db", xdg);
    else if (home && home[0] == '/')
        snprintf(path, sizeof path, "%s/.local/share/tend/tend.db", home);
    else
        snprintf(path, sizeof path, "tend.db");
    return strdup(path);
}

int tend_config_defaults(tend_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    tend_settings_defaults(&cfg->settings);
    cfg->synchronous = 1;
    cfg->database = default_database();
    cfg->database_is_default = true;
    cfg->log_level = strdup("info");
    cfg->console_group = strdup("demo");
    cfg->console_member = strdup("you");
    cfg->discord_api_base = strdup("https://discord.com/api/v10");
    cfg->signal_rpc_url = strdup("http://127.0.0.1:8080");
    cfg->telegram_api_base = strdup("https://api.telegram.org");
    if (!cfg->database || !cfg->log_level || !cfg->console_group || !cfg->console_member ||
        !cfg->discord_api_base || !cfg->signal_rpc_url || !cfg->telegram_api_base) {
        tend_config_free(cfg);
        return -1;
    }
    return 0;
}

/* ---------------------------------------------------------------- platforms set up halfway */

/* How the first key of `section` the person set was written, or NULL when they set none. */
static const char *first_set(const load_state *st, const char *section)
{
    for (size_t i = 0; i < N_KEYS; i++)
        if (strcmp(keys[i].section, section) == 0 && st->setby[i][0])
            return st->setby[i];
    return NULL;
}

/* Not set, and not given a refused value either (that was reported already). */
static bool missing(const load_state *st, size_t offset)
{
    for (size_t i = 0; i < N_KEYS; i++)
        if (keys[i].offset == offset) {
            const char *v = *(char *const *)(const void *)((const char *)st->cfg + offset);
            return !st->bad[i] && !(v && *v);
        }
    return false;
}

/* A platform with some of its keys set is one the person meant to run: start it with a key missing
 * and it fails later in a worse way, leave it off and tend quietly runs the console instead (under
 * systemd or `docker run -d`, a service that "succeeds" and stops). So each missing key is a
 * problem, named the way it can be set. */
static void check_platforms(load_state *st)
{
    const char *why = first_set(st, "discord");
    if (why && missing(st, AT(discord_token)))
        problem(st, "Discord is half set up (%s is set): [discord] token is missing (or DISCORD_TOKEN)", why);
    if (why && missing(st, AT(discord_application_id)))
        problem(st, "Discord is half set up (%s is set): [discord] application_id is missing "
                    "(or TEND_DISCORD_APPLICATION_ID)", why);
    why = first_set(st, "matrix");
    if (why && missing(st, AT(matrix_homeserver)))
        problem(st, "Matrix is half set up (%s is set): [matrix] homeserver is missing (or TEND_MATRIX_HOMESERVER)",
                why);
    if (why && missing(st, AT(matrix_user_id)))
        problem(st, "Matrix is half set up (%s is set): [matrix] user_id is missing (or TEND_MATRIX_USER_ID)", why);
    if (why && missing(st, AT(matrix_access_token)) && missing(st, AT(matrix_password)))
        problem(st, "Matrix is half set up (%s is set): [matrix] access_token or [matrix] password is missing "
                    "(or MATRIX_ACCESS_TOKEN / TEND_MATRIX_PASSWORD)", why);
    why = first_set(st, "signal");
    if (why && missing(st, AT(signal_account)))
        problem(st, "Signal is half set up (%s is set): [signal] account is missing (or TEND_SIGNAL_ACCOUNT)", why);
    why = first_set(st, "telegram");
    if (why && missing(st, AT(telegram_token)))
        problem(st, "Telegram is half set up (%s is set): [telegram] token is missing (or TELEGRAM_TOKEN)", why);
}

/* A problem line may quote a key or a line that happens to hold a secret (a token pasted into a
 * misspelled key); the secrets are known only once the whole file is read, so mask them after. */
static void mask_secret(char *err, const char *secret)
{
    size_t n = secret ? strlen(secret) : 0;
    if (!err || n < 6)
        return;
    for (char *hit = strstr(err, secret); hit; hit = strstr(hit + n, secret))
        memset(hit, '*', n);
}

int tend_config_load(tend_config *cfg, const char *path, char *err, size_t errlen)
{
    if (err && errlen)
        err[0] = '\0';
    load_state st = {.cfg = cfg, .path = path, .err = err, .errlen = errlen};
    if (path) {
        char *before = cfg->database;
        load_file(&st, path);
        if (cfg->database != before)
            cfg->database_is_default = false;
    }
    load_env(&st);
    check_platforms(&st);
    if (path && !(cfg->file = strdup(path)))
        st.oom = true;
    if (st.oom)
        problem(&st, "out of memory while reading the configuration");
    char url_password[256];
    tend_url_password(cfg->store_url, url_password, sizeof url_password);
    mask_secret(err, url_password);
    mask_secret(err, cfg->discord_token);
    mask_secret(err, cfg->matrix_access_token);
    mask_secret(err, cfg->matrix_password);
    mask_secret(err, cfg->signal_account);
    mask_secret(err, cfg->telegram_token);
    /* Whatever happens next, no log line may show these. */
    if (url_password[0]) {
        tend_log_add_secret(url_password);
        tend_log_add_secret(cfg->store_url); /* the whole URL too: its password may be percent-encoded */
    }
    tend_log_add_secret(cfg->discord_token);
    tend_log_add_secret(cfg->matrix_access_token);
    tend_log_add_secret(cfg->matrix_password);
    tend_log_add_secret(cfg->signal_account); /* an identifier of a person: never in a log */
    tend_log_add_secret(cfg->telegram_token);
    if (err && st.used > 0 && err[st.used - 1] == '\n')
        err[st.used - 1] = '\0';
    return st.problems ? -1 : 0;
}

void tend_config_free(tend_config *cfg)
{
    if (!cfg)
        return;
    for (size_t i = 0; i < N_KEYS; i++) {
        key_kind kind = keys[i].kind;
        if (kind == K_INT || kind == K_BOOL || kind == K_SYNC)
            continue;
        char **slot = (char **)(void *)((char *)cfg + keys[i].offset);
        free(*slot);
        *slot = NULL;
    }
    free(cfg->file);
    cfg->file = NULL;
}

bool tend_config_has_discord(const tend_config *cfg)
{
    return cfg->discord_token && cfg->discord_token[0];
}

bool tend_config_has_signal(const tend_config *cfg)
{
    return cfg->signal_account && cfg->signal_account[0];
}

bool tend_config_has_matrix(const tend_config *cfg)
{
    return cfg->matrix_homeserver && cfg->matrix_homeserver[0] && cfg->matrix_user_id &&
           cfg->matrix_user_id[0] &&
           ((cfg->matrix_access_token && cfg->matrix_access_token[0]) ||
            (cfg->matrix_password && cfg->matrix_password[0]));
}

bool tend_config_has_telegram(const tend_config *cfg)
{
    return cfg->telegram_token && cfg->telegram_token[0];
}
