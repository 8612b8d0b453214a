/*
 * calendar.h — timed tasks as an iCalendar file (RFC 5545) that a calendar app imports: for
 * /tasks ics (the group's open tasks that have a time) and /tasks ics mine (the ones I hold).
 *
 * Times are the group's: DTSTART carries the group's IANA zone as TZID with a VTIMEZONE worked
 * out from the system's tz database (so a weekly 18:00 stays 18:00 across a DST change), or UTC
 * ("...Z") for a group on UTC; a whole-day task is a DATE. A task's UID is stable (its number in
 * its group), so importing again updates rather than doubles.
 */
#ifndef TEND_CALENDAR_H
#define TEND_CALENDAR_H

#include <stddef.h>
#include <stdint.h>

#include "lib/strbuf.h"
#include "store/store.h"

/* One calendar being written. */
typedef struct tend_calendar tend_calendar;

/* A calendar for group g (its zone, its key for the UIDs), stamped `now`. NULL on OOM. */
tend_calendar *tend_calendar_new(const tend_group *g, int64_t now);
/* Adds t when it has a time (a task without one is skipped). description may be NULL.
 * 0, or -1 on OOM. */
int tend_calendar_add(tend_calendar *cal, const tend_task *t, const char *description);
/* How many events it holds. */
size_t tend_calendar_count(const tend_calendar *cal);
/* The whole file, CRLF lines folded at 75 octets; malloc'd, the calendar freed. NULL on OOM. */
char *tend_calendar_finish(tend_calendar *cal);
/* Frees an unfinished calendar; accepts NULL. */
void tend_calendar_free(tend_calendar *cal);

/* RFC 5545 TEXT escaping (backslash, ";", ",", newlines as \n; other control characters
 * dropped) appended to sb. */
void tend_ics_escape(tend_strbuf *sb, const char *text);
/* Appends one content line to sb: folded so no line is longer than 75 octets (never inside a
 * UTF-8 character), ended with CRLF. */
void tend_ics_line(tend_strbuf *sb, const char *line);

#endif
