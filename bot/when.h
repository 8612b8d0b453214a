/*
 * when.h — the time a member gives a task ("fri 18:00", "tomorrow 6pm", "2026-12-02 15:00",
 * "3 dec"), read in a zone relative to now, and shown back in a zone.
 *
 * What it understands, in any order, commas and the words "at", "on", "this" and "the" ignored
 * ("next fri" is refused: this coming Friday to some, the one after to others):
 *   a day:   today, tomorrow, the day after tomorrow, a weekday (mon, monday, thurs...: the next
 *            one, today included while the time is still ahead), a date 2026-12-02, or a day and a
 *            month (3 dec, dec 3rd, 3 december 2026; without a year, the next such day)
 *   a time:  18:00, 6:30, 6pm, 6:30pm, 6 pm, 12am, noon, and on the 24-hour clock with a mark
 *            where a language has one (18h, 18h30, 18 Uhr)
 * The words are read in English and in the asking member's and the group's languages
 * (bot/words.h: "viernes 18:00", "mañana 18h", "3. Dez"). English is read first ("3 mar" is
 * March 3); when the English reading makes no sense, the member's words come first ("mar 18:00"
 * is Tuesday in Spanish).
 * A time alone is the next such time (today, else tomorrow). A day alone is the whole day. Local
 * times go through tz.h (the system's tz database): a time skipped by a spring-forward change is
 * moved on by the gap, one repeated in the fall is the first of the two.
 */
#ifndef TEND_WHEN_H
#define TEND_WHEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

typedef struct {
    int64_t at;    /* the instant; for a whole day, the start of that local day */
    bool all_day;  /* only a day was given                                      */
} tend_when;

typedef enum {
    TEND_WHEN_OK = 0,
    TEND_WHEN_UNKNOWN,   /* a word it does not read, or nothing at all                */
    TEND_WHEN_NO_DAY,    /* a date that does not exist: 31 nov                          */
    TEND_WHEN_CONFLICT,  /* two days or two times that disagree: "fri 2026-12-01"     */
    TEND_WHEN_PAST,      /* already behind us                                          */
    TEND_WHEN_FAR        /* more than a year ahead                                     */
} tend_when_result;

/* Reads `text` in `zone` (an IANA name tz.h accepts) at unix time `now`. */
tend_when_result tend_when_parse(const char *text, const char *zone, int64_t now, tend_when *out);

typedef enum {
    TEND_WHEN_SHORT, /* "Fri 6 Nov, 18:00" / "Fri 6 Nov"                          */
    TEND_WHEN_LONG,  /* "Friday 6 November at 18:00" / "Friday 6 November"       */
    TEND_WHEN_NEAR   /* "today at 18:00", "tomorrow at 9:30", else the short form */
} tend_when_style;

/* Writes w as seen in `zone`; with name_zone, the zone's abbreviation follows the time ("18:00
 * CET"). `now` is only read by TEND_WHEN_NEAR. Always NUL-terminates; "" when the zone fails. */
/* "Monday 9 November" (with " 2027" when with_year) for a local day, in tend_tr's language. */
void tend_when_day_long(const struct tm *day, bool with_year, char *out, size_t outlen);

/* "Mon" for tm_wday 1, in tend_tr's language ("lun", "Mo."); "" outside 0..6. */
const char *tend_when_weekday_short(int wday);

void tend_when_format(const tend_when *w, const char *zone, bool name_zone, int64_t now, tend_when_style style,
                      char *out, size_t outlen);

#endif
