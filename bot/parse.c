/* parse.c — the small values members type. Strict on purpose: "soon" or "-1w" gets an explanation. */
#include "bot/parse.h"

#include <ctype.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bot/words.h"

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

/* A unit of time in any language of the scope ("days", "días", "Wochen") -> seconds; 0 when it is
 * none. A month counts as 30 days. */
static long long unit_seconds(const char *u, size_t len)
{
    static const long long seconds[] = {60, 3600, 86400, 604800, 30 * 86400};
    int w = tend_words_find_in(TEND_WORD_MINUTE, TEND_WORD_MONTH, u, len, false);
    return w < 0 ? 0 : seconds[w - TEND_WORD_MINUTE];
}

int tend_parse_duration(const char *text, int64_t *seconds)
{
    if (!text || strlen(text) > 64)
        return -1;
    long long n;
    const char *p;
    if (isdigit((unsigned char)text[0])) {
        char *end = NULL;
        n = strtoll(text, &end, 10);
        p = end;
    } else {
        /* "a week", "una semana", "eine Woche": a word for one, then the unit */
        size_t len = strcspn(text, " ");
        if (!text[len] || tend_words_find_in(TEND_WORD_ONE, TEND_WORD_ONE, text, len, false) < 0)
            return -1;
        n = 1;
        p = text + len;
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

static const char *const energy_levels[] = {"great", "ok", "low", "out"};

int tend_parse_energy(const char *text, const char **out)
{
    int w = text ? tend_words_find(TEND_WORDS_ENERGY, text, strlen(text), false) : -1;
    if (w < 0)
        return -1;
    *out = energy_levels[w - TEND_WORD_GREAT];
    return 0;
}

int tend_parse_energy_words(const char *first, const char *second, const char **out, size_t *used)
{
    char both[80];
    size_t a = first ? strlen(first) : 0, b = second ? strlen(second) : 0;
    if (first && second && a + b + 2 <= sizeof both) { /* "muy bien", "sin energía", "geht so" */
        memcpy(both, first, a);
        both[a] = ' ';
        memcpy(both + a + 1, second, b + 1);
        if (tend_parse_energy(both, out) == 0) {
            *used = 2;
            return 0;
        }
    }
    if (tend_parse_energy(first, out) != 0)
        return -1;
    *used = 1;
    return 0;
}

void tend_energy_say(const char *energy, const char *lang, char *out, size_t outlen)
{
    for (size_t i = 0; energy && i < sizeof energy_levels / sizeof energy_levels[0]; i++)
        if (strcmp(energy, energy_levels[i]) == 0) {
            tend_words_first(lang, (tend_word)(TEND_WORD_GREAT + (int)i), out, outlen);
            return;
        }
    snprintf(out, outlen, "%s", energy ? energy : "");
}

int tend_parse_switch(const char *text)
{
    int w = text ? tend_words_find(TEND_WORDS_SWITCH, text, strlen(text), false) : -1;
    return w < 0 ? -1 : w == TEND_WORD_ON;
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
    if (!text)
        return -1;
    const char *space = strchr(text, ' ');
    if (!space)
        return -1;
    /* "mon", "monday", and in the scope's languages "lunes", "Mo" */
    int w = tend_words_find_in(TEND_WORD_SUNDAY, TEND_WORD_SATURDAY, text, (size_t)(space - text), false);
    if (w < 0)
        return -1;
    while (*space == ' ')
        space++;
    if (tend_parse_clock(space, minutes) != 0)
        return -1;
    *weekday = w - TEND_WORD_SUNDAY;
    return 0;
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
