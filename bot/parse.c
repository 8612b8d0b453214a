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

int tend_parse_duration(const char *text, int64_t *seconds)
{
    if (!text || !isdigit((unsigned char)text[0]))
        return -1;
    char *end = NULL;
    long long n = strtoll(text, &end, 10);
    if (end == text || n <= 0 || n > 1000 || end[0] == '\0' || end[1] != '\0')
        return -1;
    long long unit;
    switch (tolower((unsigned char)end[0])) {
    case 'm': unit = 60; break;
    case 'h': unit = 3600; break;
    case 'd': unit = 24 * 3600; break;
    case 'w': unit = 7 * 24 * 3600; break;
    default: return -1;
    }
    if (n * unit > YEAR_SECONDS)
        return -1;
    *seconds = n * unit;
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
