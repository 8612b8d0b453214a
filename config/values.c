/*
 * values.c — what each kind of config value may look like, and the "did you mean" distance.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config/config.h"
#include "config/internal.h"
#include "lib/log.h"
#include "lib/url.h"

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

const char *tend_config_nearest(const char *word, const char *const *candidates, size_t n)
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

/* postgresql://[user[:password]@][host][:port][/dbname][?param=value...]: the scheme and no spaces or
 * control characters; libpq parses the rest when the store opens (a host may be empty: the local
 * socket). */
static bool pgurl_ok(const char *v)
{
    const char *rest = has_prefix(v, "postgresql://") ? v + 13 : has_prefix(v, "postgres://") ? v + 11 : NULL;
    if (!rest)
        return false;
    for (const char *p = v; *p; p++)
        if (isspace((unsigned char)*p) || iscntrl((unsigned char)*p))
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

int tend_config_listen_parse(const char *v, char *host, size_t hostlen, int *port)
{
    const char *port_text = v;
    char addr[64] = "127.0.0.1";
    if (v[0] == '[') { /* [::1]:9464 */
        const char *close = strchr(v, ']');
        if (!close || close[1] != ':' || (size_t)(close - v - 1) >= sizeof addr)
            return -1;
        snprintf(addr, sizeof addr, "%.*s", (int)(close - v - 1), v + 1);
        port_text = close + 2;
        struct in6_addr a6;
        if (inet_pton(AF_INET6, addr, &a6) != 1)
            return -1;
    } else if (strchr(v, ':')) { /* 127.0.0.1:9464 */
        const char *colon = strrchr(v, ':');
        if ((size_t)(colon - v) >= sizeof addr)
            return -1;
        if (colon > v)
            snprintf(addr, sizeof addr, "%.*s", (int)(colon - v), v);
        port_text = colon + 1;
        struct in_addr a4;
        if (inet_pton(AF_INET, addr, &a4) != 1)
            return -1; /* a host name would need a lookup: numbers only */
    }
    if (!*port_text || strspn(port_text, "0123456789") != strlen(port_text) || strlen(port_text) > 5)
        return -1;
    long p = strtol(port_text, NULL, 10);
    if (p > 65535)
        return -1;
    if (host)
        snprintf(host, hostlen, "%s", addr);
    if (port)
        *port = (int)p;
    return 0;
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

void tend_config_describe(const key_spec *k, char *buf, size_t len)
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
    case K_TGTOKEN:
        snprintf(buf, len, "the token BotFather gave, like 123456789:AA... (digits, a colon, then letters)");
        break;
    case K_LISTEN: snprintf(buf, len, "an address and port like 127.0.0.1:9464 (numbers, no host name)"); break;
    case K_PGURL: snprintf(buf, len, "a PostgreSQL URL like postgresql://tend@db.example.org/tend"); break;
    default: snprintf(buf, len, "some text"); break;
    }
}

bool tend_config_value_ok(const key_spec *k, const char *v, int *number)
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
    case K_PHONE:
        return v[0] == '+' && strlen(v) >= 7 && strlen(v) <= 16 && strspn(v + 1, "0123456789") == strlen(v + 1);
    case K_TGTOKEN: return tgtoken_ok(v);
    case K_LISTEN: return tend_config_listen_parse(v, NULL, 0, NULL) == 0;
    case K_PGURL: return pgurl_ok(v);
    default: return true;
    }
}
