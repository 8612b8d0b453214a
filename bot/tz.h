/*
 * tz.h — local time in a named IANA zone, from the system's tz database through the C library
 * (TZ + tzset + localtime_r/mktime). tend is single-threaded, so switching TZ is safe; these
 * functions restore nothing and always set the zone they need before converting.
 */
#ifndef TEND_TZ_H
#define TEND_TZ_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "store/store.h"

/* True when `name` is a zone the system's tz database has ("Europe/Berlin", "UTC"). */
bool tend_tz_valid(const char *name);
/* The local wall-clock time in zone `name` at unix time t. 0, or -1 for an unknown zone. */
int tend_tz_local(const char *name, int64_t t, struct tm *out);
/* The unix time of local wall-clock (year, month 1-12, day, hour, minute) in zone `name`.
 * A time that falls in a spring-forward gap is moved forward by the gap (02:30 -> 03:30); a time
 * that happens twice in a fall-back hour is the first of the two. 0, or -1 for an unknown zone. */
int tend_tz_to_utc(const char *name, int year, int month, int day, int hour, int minute, int64_t *out);

/* The zone a group lives in: its own when valid, else "UTC". */
const char *tend_tz_of_group(const tend_group *g);
/* The zone a member lives in: their own, else their group's, else "UTC". */
const char *tend_tz_of_member(const tend_group *g, const tend_member *m);

#endif
