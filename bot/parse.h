/*
 * parse.h — reading the small values members type: durations, counts, energy levels, times.
 * Each returns 0 on success and -1 for a value it will not accept (the caller explains).
 */
#ifndef TEND_PARSE_H
#define TEND_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* "30m", "12h", "3d", "1w", "3 days", "2 weeks", "a week", "an hour": a positive duration of at
 * most one year, in seconds. */
int tend_parse_duration(const char *text, int64_t *seconds);
/* A duration typed as one word ("3d") or two ("3 days", "a week"); *used says how many it took. */
int tend_parse_duration_words(const char *first, const char *second, int64_t *seconds, size_t *used);
/* A whole number in [min, max]. */
int tend_parse_int(const char *text, int min, int max, int *out);
/* "great", "ok", "low", "out" (any case); out points at the canonical lower-case word. */
int tend_parse_energy(const char *text, const char **out);
/* "18:00" or "6:30" -> minutes after midnight. */
int tend_parse_clock(const char *text, int *minutes);
/* "mon 18:00", "sunday 19:30" -> weekday 0 (Sunday) .. 6 and minutes after midnight. */
int tend_parse_weekly(const char *text, int *weekday, int *minutes);
/* "YYYY-MM-DD". */
int tend_parse_date(const char *text, int *year, int *month, int *day);
/* Counts UTF-8 characters (code points) in s. */
size_t tend_utf8_length(const char *s);
/* True when the len bytes at s are well-formed UTF-8 (RFC 3629: no overlong forms, no surrogates,
 * nothing past U+10FFFF) with no NUL byte: text tend can store and show as it came. */
bool tend_utf8_valid(const char *s, size_t len);

#endif
