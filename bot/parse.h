/*
 * parse.h — reading the small values members type: durations, counts, energy levels, times.
 * Each returns 0 on success and -1 for a value it will not accept (the caller explains).
 */
#ifndef TEND_PARSE_H
#define TEND_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Words are read in English and the languages of the scope (bot/words.h): "3 días", "eine Woche".
 *
 * "30m", "12h", "3d", "1w", "3 days", "2 weeks", "a week", "an hour", "2 months" (30 days each): a
 * positive duration of at most one year, in seconds. */
int tend_parse_duration(const char *text, int64_t *seconds);
/* A duration typed as one word ("3d") or two ("3 days", "a week"); *used says how many it took. */
int tend_parse_duration_words(const char *first, const char *second, int64_t *seconds, size_t *used);
/* A whole number in [min, max]. */
int tend_parse_int(const char *text, int min, int max, int *out);
/* "great", "ok", "low", "out" or a word of the scope's languages for them ("genial", "müde"); out
 * points at the canonical English word that is stored. */
int tend_parse_energy(const char *text, const char **out);
/* An energy typed as one word or two ("muy bien"); *used says how many it took. */
int tend_parse_energy_words(const char *first, const char *second, const char **out, size_t *used);
/* A stored energy ("low") as lang says it: the first of its words there ("bajo"). */
void tend_energy_say(const char *energy, const char *lang, char *out, size_t outlen);
/* on/off, yes/no and their words ("sí", "aus"): 1 for on, 0 for off, -1 for neither. */
int tend_parse_switch(const char *text);
/* "18:00" or "6:30" -> minutes after midnight. */
int tend_parse_clock(const char *text, int *minutes);
/* "mon 18:00", "sunday 19:30", "vie 18:00" -> weekday 0 (Sunday) .. 6 and minutes after midnight. */
int tend_parse_weekly(const char *text, int *weekday, int *minutes);
/* "YYYY-MM-DD". */
int tend_parse_date(const char *text, int *year, int *month, int *day);
/* Counts UTF-8 characters (code points) in s. */
size_t tend_utf8_length(const char *s);
/* True when the len bytes at s are well-formed UTF-8 (RFC 3629: no overlong forms, no surrogates,
 * nothing past U+10FFFF) with no NUL byte: text tend can store and show as it came. */
bool tend_utf8_valid(const char *s, size_t len);

#endif
