/* parse.c — the small values members type. Strict on purpose: "soon" or "-1w" gets an explanation. */
#include "bot/parse.h"

#include <ctype.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define YEAR_SECONDS (366LL * 24 * 3600)

int tend_parse_int(const char *text, int min, int max, int *out)
{
    if (!text || !*text)
        return -1;
    for (const char *p = text; *p; p++)
        if (!isdigit((unsigned char)*p))
            return -1;
    if (strlen(text) > 9)
        return -1;
    long v = strtol(text, NULL, 10);
    if (v < min || v > max)
        return -1;
    *out = (int)v;
    return 0;
}

/* "d", "day", "days" ... -> seconds per unit; 0 when it is no unit. */
static long long unit_seconds(const char *u, size_t len)
{
    static const struct {
        const char *name;
        long long seconds;
    } units[] = {
        {"m", 60},          {"min", 60},     {"mins", 60},    {"minute", 60},   {"minutes", 60},
        {"h", 3600},        {"hr", 3600},    {"hrs", 3600},   {"hour", 3600},   {"hours", 3600},
        {"d", 86400},       {"day", 86400},  {"days", 86400}, {"w", 604800},    {"wk", 604800},
        {"week", 604800},   {"weeks", 604800},
    };
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
        if (strlen(units[i].name) == len && strncasecmp(u, units[i].name, len) == 0)
            return units[i].seconds;
    return 0;
}

int tend_parse_duration(const char *text, int64_t *seconds)
{
    if (!text)
        return -1;
    long long n;
    const char *p;
    if (strncasecmp(text, "a ", 2) == 0 || strncasecmp(text, "an ", 3) == 0) {
        n = 1; /* "a week", "an hour" */
        p = text + (text[1] == ' ' ? 2 : 3);
    } else {
        if (!isdigit((unsigned char)text[0]) || strlen(text) > 32)
            return -1;
        char *end = NULL;
        n = strtoll(text, &end, 10);
        p = end;
    }
    while (*p == ' ')
        p++;
    long long unit = unit_seconds(p, strlen(p));
    if (n <= 0 || n > 1000 || unit == 0 || n * unit > YEAR_SECONDS)
        return -1;
    *seconds = n * unit;
    return 0;
}

int tend_parse_duration_words(const char *first, const char *second, int64_t *seconds, size_t *used)
{
    char both[80];
    size_t a = first ? strlen(first) : 0, b = second ? strlen(second) : 0;
    if (first && second && a + b + 2 <= sizeof both) {
        memcpy(both, first, a);
        both[a] = ' ';
        memcpy(both + a + 1, second, b + 1);
        if (tend_parse_duration(both, seconds) == 0) {
            *used = 2;
            return 0;
        }
    }
    if (tend_parse_duration(first, seconds) != 0)
        return -1;
    *used = 1;
    return 0;
}

int tend_parse_energy(const char *text, const char **out)
{
    static const char *const levels[] = {"great", "ok", "low", "out"};
    for (size_t i = 0; text && i < 4; i++)
        if (strcasecmp(text, levels[i]) == 0) {
            *out = levels[i];
            return 0;
        }
    return -1;
}

int tend_parse_clock(const char *text, int *minutes)
{
    int h, m;
    char extra;
    if (!text || sscanf(text, "%2d:%2d%c", &h, &m, &extra) != 2)
        return -1;
    if (h < 0 || h > 23 || m < 0 || m > 59 || !isdigit((unsigned char)text[0]))
        return -1;
    *minutes = h * 60 + m;
    return 0;
}

int tend_parse_weekly(const char *text, int *weekday, int *minutes)
{
    static const char *const days[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};
    static const char *const long_days[] = {"sunday", "monday", "tuesday", "wednesday",
                                            "thursday", "friday", "saturday"};
    if (!text)
        return -1;
    const char *space = strchr(text, ' ');
    if (!space)
        return -1;
    size_t len = (size_t)(space - text);
    for (int d = 0; d < 7; d++) {
        if ((len == 3 && strncasecmp(text, days[d], 3) == 0) ||
            (len == strlen(long_days[d]) && strncasecmp(text, long_days[d], len) == 0)) {
            while (*space == ' ')
                space++;
            if (tend_parse_clock(space, minutes) != 0)
                return -1;
            *weekday = d;
            return 0;
        }
    }
    return -1;
}

int tend_parse_date(const char *text, int *year, int *month, int *day)
{
    int y, m, d;
    char extra;
    if (!text || strlen(text) != 10 || sscanf(text, "%4d-%2d-%2d%c", &y, &m, &d, &extra) != 3)
        return -1;
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (y < 2000 || y > 2200 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
        return -1;
    if (m == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return -1;
    *year = y;
    *month = m;
    *day = d;
    return 0;
}

size_t tend_utf8_length(const char *s)
{
    size_t n = 0;
    for (; s && *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80)
            n++;
    return n;
}

bool tend_utf8_valid(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    for (size_t i = 0; i < len;) {
        unsigned c = p[i];
        if (c == 0)
            return false;
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t n;
        unsigned lo = 0x80, hi = 0xBF; /* the range of the second byte (RFC 3629's table) */
        if (c >= 0xC2 && c <= 0xDF) {
            n = 2;
        } else if (c >= 0xE0 && c <= 0xEF) {
            n = 3;
            if (c == 0xE0)
                lo = 0xA0; /* overlong */
            else if (c == 0xED)
                hi = 0x9F; /* surrogates */
        } else if (c >= 0xF0 && c <= 0xF4) {
            n = 4;
            if (c == 0xF0)
                lo = 0x90; /* overlong */
            else if (c == 0xF4)
                hi = 0x8F; /* past U+10FFFF */
        } else {
            return false;
        }
        if (len - i < n || p[i + 1] < lo || p[i + 1] > hi)
            return false;
        for (size_t k = 2; k < n; k++)
            if ((p[i + k] & 0xC0) != 0x80)
                return false;
        i += n;
    }
    return true;
}
