/*
 * config.c — tend.conf (INI, read by libinih) and the environment over built-in defaults.
 *
 * Every key lives in one table below: its section, its name, where it goes in tend_config and how
 * its value is checked. The file, the TEND_<SECTION>_<KEY> variables and the problems reported all
 * come from that table, so a new key is one line. Problems are collected, not stopped at, so a
 * coordinator fixes the whole file in one go. A secret's value never reaches an error message.
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

#include "lib/log.h"

#define CONFIG_FILE_MAX (1024 * 1024)

typedef enum {
    K_TEXT,      /* any non-empty text                                  */
    K_SECRET,    /* text that is never echoed                           */
    K_INT,       /* whole number in [min, max]                          */
    K_BOOL,      /* true/false, yes/no, on/off, 1/0                     */
    K_SYNC,      /* normal | full                                       */
    K_LEVEL,     /* debug | info | warn | error                         */
    K_HTTP,      /* http:// or https:// URL                             */
    K_WS,        /* ws:// or wss:// URL                                 */
    K_SNOWFLAKE, /* Discord id: digits                                  */
    K_SHARDS,    /* a shard count "8" or a range "0-3/8"                */
    K_MXID,      /* @user:server                                        */
    K_INVITERS,  /* comma-separated @user:server or :server             */
    K_PHONE,     /* +<digits>, never echoed (an account number)         */
    K_TGTOKEN    /* a Telegram bot token: digits ':' then 30+ [A-Za-z0-9_-]; secret */
} key_kind;

typedef struct {
    const char *section;
    const char *key;
    key_kind kind;
    size_t offset;
    int min, max;
} key_spec;

#define AT(field) offsetof(tend_config, field)

static const key_spec keys[] = {
    {"store", "database", K_TEXT, AT(database), 0, 0},
    {"store", "synchronous", K_SYNC, AT(synchronous), 0, 0},
    {"log", "level", K_LEVEL, AT(log_level), 0, 0},
    {"bot", "stale_claim_days", K_INT, AT(settings.stale_claim_days), 1, 365},
    {"bot", "grace_hours", K_INT, AT(settings.grace_hours), 0, 168},
    {"bot", "thanks_per_day", K_INT, AT(settings.thanks_per_day), 1, 100},
    {"bot", "default_capacity", K_INT, AT(settings.default_capacity), 1, 50},
    {"bot", "commands_per_minute", K_INT, AT(settings.commands_per_minute), 0, 1000},
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
    {"signal", "rpc_url", K_HTTP, AT(signal_rpc_url), 0, 0},
    {"signal", "account", K_PHONE, AT(signal_account), 0, 0},
    {"telegram", "token", K_TGTOKEN, AT(telegram_token), 0, 0},
    {"telegram", "api_base", K_HTTP, AT(telegram_api_base), 0, 0},
};
#define N_KEYS (sizeof keys / sizeof keys[0])

static const char *const sections[] = {"store", "log", "bot", "console", "discord", "matrix", "signal",
                                       "telegram"};
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

/* Levenshtein distance, for "did you mean"; names are short, so the small table is enough. */
static size_t edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 40 || lb > 40)
        return 99;
    size_t row[41];
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t cost = tolower((unsigned char)a[i - 1]) == tolower((unsigned char)b[j - 1]) ? 0 : 1;
            size_t best = diag + cost;
            if (row[j] + 1 < best)
                best = row[j] + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

/* The closest candidate when it is close enough to be a typo, else NULL. */
static const char *nearest(const char *word, const char *const *candidates, size_t n)
{
    const char *best = NULL;
    size_t best_d = 99;
    for (size_t i = 0; i < n; i++) {
        size_t d = edit_distance(word, candidates[i]);
        if (d < best_d) {
            best_d = d;
            best = candidates[i];
        }
    }
    size_t allowed = strlen(word) <= 4 ? 1 : strlen(word) <= 8 ? 2 : 3;
    return best_d <= allowed ? best : NULL;
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

static const char *suggest_key(const char *section, const char *key)
{
    const char *names[N_KEYS];
    size_t n = 0;
    for (size_t i = 0; i < N_KEYS; i++)
        if (strcasecmp(keys[i].section, section) == 0)
            names[n++] = keys[i].key;
    return nearest(key, names, n);
}

/* ---------------------------------------------------------------- values */

static bool parse_bool(const char *v, bool *out)
{
    static const char *const yes[] = {"true", "yes", "on", "1"};
    static const char *const no[] = {"false", "no", "off", "0"};
    for (size_t i = 0; i < 4; i++) {
        if (strcasecmp(v, yes[i]) == 0)
            return *out = true, true;
        if (strcasecmp(v, no[i]) == 0)
            return *out = false, true;
    }
    return false;
}

static bool has_prefix(const char *s, const char *prefix)
{
    return strncasecmp(s, prefix, strlen(prefix)) == 0;
}

static bool url_ok(const char *v, const char *a, const char *b)
{
    const char *rest = has_prefix(v, a) ? v + strlen(a) : has_prefix(v, b) ? v + strlen(b) : NULL;
    if (!rest || !*rest || *rest == '/')
        return false;
    for (const char *p = v; *p; p++)
        if (isspace((unsigned char)*p))
            return false;
    return true;
}

/* "@local:server" with both parts non-empty and no spaces. */
static bool mxid_ok(const char *v, size_t len)
{
    if (len < 4 || v[0] != '@')
        return false;
    const char *colon = memchr(v, ':', len);
    if (!colon || colon == v + 1 || colon == v + len - 1)
        return false;
    for (size_t i = 0; i < len; i++)
        if (isspace((unsigned char)v[i]))
            return false;
    return true;
}

static bool inviters_ok(const char *v)
{
    const char *p = v;
    while (*p) {
        while (*p == ' ' || *p == '\t')
            p++;
        size_t len = strcspn(p, ",");
        while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '\t'))
            len--;
        bool server = len > 1 && p[0] == ':' && !memchr(p, ' ', len);
        if (!server && !mxid_ok(p, len))
            return false;
        p += strcspn(p, ",");
        if (*p == ',')
            p++;
    }
    return true;
}

/* BotFather's shape: the bot's numeric id, a colon, then the secret part (35 characters today). */
static bool tgtoken_ok(const char *v)
{
    size_t id = strspn(v, "0123456789");
    if (id == 0 || id > 20 || v[id] != ':')
        return false;
    const char *secret = v + id + 1;
    size_t n = strspn(secret, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-");
    return n >= 30 && n <= 200 && !secret[n];
}

/* What a value of this kind should look like, for the message when it does not. */
static void describe(const key_spec *k, char *buf, size_t len)
{
    switch (k->kind) {
    case K_INT: snprintf(buf, len, "a whole number from %d to %d", k->min, k->max); break;
    case K_BOOL: snprintf(buf, len, "true or false"); break;
    case K_SYNC: snprintf(buf, len, "normal or full"); break;
    case K_LEVEL: snprintf(buf, len, "debug, info, warn or error"); break;
    case K_HTTP: snprintf(buf, len, "an http:// or https:// address"); break;
    case K_WS: snprintf(buf, len, "a ws:// or wss:// address"); break;
    case K_SNOWFLAKE: snprintf(buf, len, "the application's numeric id"); break;
    case K_SHARDS:
        snprintf(buf, len, "a shard count like 8 or a range of shards like 0-3/8 (first-last/total)");
        break;
    case K_MXID: snprintf(buf, len, "a Matrix user id like @tend:example.org"); break;
    case K_INVITERS: snprintf(buf, len, "user ids and :server names separated by commas"); break;
    case K_PHONE: snprintf(buf, len, "a phone number in international form, like +15551234567"); break;
    case K_TGTOKEN: snprintf(buf, len, "the token BotFather gave, like 123456789:AA... (digits, a colon, then letters)"); break;
    default: snprintf(buf, len, "some text"); break;
    }
}

static bool value_ok(const key_spec *k, const char *v, int *number)
{
    if (!*v)
        return false;
    switch (k->kind) {
    case K_INT: {
        char *end = NULL;
        errno = 0;
        long n = strtol(v, &end, 10);
        if (errno || end == v || *end || n < k->min || n > k->max)
            return false;
        *number = (int)n;
        return true;
    }
    case K_BOOL: {
        bool b;
        if (!parse_bool(v, &b))
            return false;
        *number = b;
        return true;
    }
    case K_SYNC:
        if (strcasecmp(v, "normal") == 0)
            return *number = 1, true;
        if (strcasecmp(v, "full") == 0)
            return *number = 2, true;
        return false;
    case K_LEVEL: return tend_log_level_parse(v) >= 0;
    case K_HTTP: return url_ok(v, "http://", "https://");
    case K_WS: return url_ok(v, "ws://", "wss://");
    case K_SNOWFLAKE: return strspn(v, "0123456789") == strlen(v) && strlen(v) <= 20;
    case K_SHARDS: {
        int first, last, count;
        return tend_config_shards(v, &first, &last, &count) == 0;
    }
    case K_MXID: return mxid_ok(v, strlen(v));
    case K_INVITERS: return inviters_ok(v);
    case K_PHONE: return v[0] == '+' && strlen(v) >= 7 && strlen(v) <= 16 && strspn(v + 1, "0123456789") == strlen(v + 1);
    case K_TGTOKEN: return tgtoken_ok(v);
    default: return true;
    }
}

/* A whole number of at most 5 digits at *p, moving *p past it; -1 when there is none. */
static int shard_number(const char **p)
{
    size_t n = strspn(*p, "0123456789");
    if (n == 0 || n > 5)
        return -1;
    int v = 0;
    for (size_t i = 0; i < n; i++)
        v = v * 10 + ((*p)[i] - '0');
    *p += n;
    return v;
}

int tend_config_shards(const char *text, int *first, int *last, int *count)
{
    const char *p = text;
    int a = shard_number(&p);
    if (a < 0)
        return -1;
    if (*p == '\0') { /* "8": every shard of 8 */
        if (a < 1 || a > TEND_SHARDS_MAX)
            return -1;
        *first = 0, *last = a - 1, *count = a;
        return 0;
    }
    int b = a;
    if (*p == '-') {
        p++;
        if ((b = shard_number(&p)) < 0)
            return -1;
    }
    if (*p++ != '/')
        return -1;
    int n = shard_number(&p);
    if (*p != '\0' || n < 1 || n > TEND_SHARDS_MAX || a > b || b >= n)
        return -1;
    *first = a, *last = b, *count = n;
    return 0;
}

/* Checks and stores one value. `where` is "path:line" or the variable's name. */
static void set_value(load_state *st, const key_spec *k, const char *value, const char *where)
{
    int number = 0;
    char *base = (char *)st->cfg + k->offset;
    bool optional = strcmp(k->section, "discord") == 0 || strcmp(k->section, "matrix") == 0 ||
                    strcmp(k->section, "signal") == 0 ||
                    strcmp(k->section, "telegram") == 0;
    if (!*value && optional) {
        /* "token =" left empty means "not set", as if the line were not there */
        if (k->kind == K_BOOL)
            *(bool *)(void *)base = false;
        else
            free(*(char **)(void *)base), *(char **)(void *)base = NULL;
        return;
    }
    if (!value_ok(k, value, &number)) {
        char want[96];
        describe(k, want, sizeof want);
        if (k->kind == K_PHONE)
            problem(st, "%s: %s in [%s] must be %s (not shown here)", where, k->key, k->section, want);
        else if (k->kind == K_TGTOKEN && *value)
            problem(st, "%s: %s in [%s] must be %s; the value is not shown, since it may be a secret", where,
                    k->key, k->section, want);
        else if (k->kind == K_SECRET || !*value)
            problem(st, "%s: %s in [%s] needs a value", where, k->key, k->section);
        else
            problem(st, "%s: %s in [%s] must be %s, not '%.40s'", where, k->key, k->section, want, value);
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
            const char *near = nearest(name, sections, N_SECTIONS);
            if (near)
                problem(st, "%s:%d: unknown section [%s] (did you mean [%s]?)", st->path, st->lineno, name,
                        near);
            else
                problem(st, "%s:%d: unknown section [%s]", st->path, st->lineno, name);
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
        problem(st, "%s: '%s' must be inside a section such as [bot]", where, name);
        return 1;
    }
    if (!st->section_known)
        return 1; /* the section itself was reported */
    const key_spec *k = find_key(section, name);
    if (!k) {
        const char *near = suggest_key(section, name);
        if (near)
            problem(st, "%s: unknown key '%s' in [%s] (did you mean '%s'?)", where, name, section, near);
        else
            problem(st, "%s: unknown key '%s' in [%s]", where, name, section);
        return 1;
    }
    if ((k->kind == K_SECRET || k->kind == K_TGTOKEN) && *value)
        st->file_has_secret = true;
    set_value(st, k, value, where);
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
    bool exposed = fstat(fileno(f), &sb) == 0 && (sb.st_mode & 077) != 0;
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
        reader_state r = {text, st};
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

static void env_name(const key_spec *k, char *buf, size_t len)
{
    snprintf(buf, len, "TEND_%s_%s", k->section, k->key);
    for (char *p = buf; *p; p++)
        *p = (char)toupper((unsigned char)*p);
}

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
            set_value(st, &keys[i], v, name);
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
    if (st.oom)
        problem(&st, "out of memory while reading the configuration");
    mask_secret(err, cfg->discord_token);
    mask_secret(err, cfg->matrix_access_token);
    mask_secret(err, cfg->matrix_password);
    mask_secret(err, cfg->signal_account);
    mask_secret(err, cfg->telegram_token);
    /* Whatever happens next, no log line may show these. */
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
