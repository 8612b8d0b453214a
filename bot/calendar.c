/* calendar.c — see calendar.h. */
#include "bot/calendar.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bot/tz.h"

#define ICS_LINE_OCTETS 75
#define DAY (24 * 3600)
/* How far a repeating task's zone rules are written ahead: a calendar app needs the rules for
 * every date it shows, and beyond the last one it keeps the last offset it knows. */
#define RULES_AHEAD (3 * 366 * (int64_t)DAY)

struct tend_calendar {
    char zone[64];
    bool utc;               /* the group lives on UTC: times end in Z, no VTIMEZONE           */
    uint64_t group_hash;    /* in every UID, so two groups' task 12 stay two events            */
    int64_t now;
    tend_strbuf events;
    size_t count;
    int64_t first, last;    /* the span of timed events, for the zone's rules                 */
    bool repeats;
};

/* ---------------------------------------------------------------- text */

void tend_ics_escape(tend_strbuf *sb, const char *text)
{
    for (const char *p = text ? text : ""; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (c == '\\' || c == ';' || c == ',') {
            char esc[2] = {'\\', (char)c};
            tend_strbuf_put(sb, esc, 2);
        } else if (c == '\n') {
            tend_strbuf_puts(sb, "\\n");
        } else if (c >= 0x20 && c != 0x7F) {
            tend_strbuf_put(sb, p, 1);
        }
    }
}

void tend_ics_line(tend_strbuf *sb, const char *line)
{
    size_t len = strlen(line), at = 0, room = ICS_LINE_OCTETS;
    while (len - at > room) {
        size_t cut = at + room;
        while (cut > at && ((unsigned char)line[cut] & 0xC0) == 0x80)
            cut--; /* never between the bytes of one character */
        tend_strbuf_put(sb, line + at, cut - at);
        tend_strbuf_puts(sb, "\r\n ");
        at = cut;
        room = ICS_LINE_OCTETS - 1; /* the leading space counts */
    }
    tend_strbuf_put(sb, line + at, len - at);
    tend_strbuf_puts(sb, "\r\n");
}

/* name + value (already escaped as needed) as one folded line */
static void put_prop(tend_strbuf *sb, const char *name, const char *value)
{
    tend_strbuf line = TEND_STRBUF_INIT;
    tend_strbuf_puts(&line, name);
    tend_strbuf_puts(&line, value);
    char *s = tend_strbuf_finish(&line);
    if (!s) {
        sb->failed = 1;
        return;
    }
    tend_ics_line(sb, s);
    free(s);
}

static void put_text_prop(tend_strbuf *sb, const char *name, const char *text)
{
    tend_strbuf value = TEND_STRBUF_INIT;
    tend_ics_escape(&value, text);
    char *s = tend_strbuf_finish(&value);
    if (!s) {
        sb->failed = 1;
        return;
    }
    put_prop(sb, name, s);
    free(s);
}

/* ---------------------------------------------------------------- times */

static void utc_stamp(int64_t t, char *out, size_t outlen)
{
    time_t tt = (time_t)t;
    struct tm tm;
    if (!gmtime_r(&tt, &tm))
        memset(&tm, 0, sizeof tm);
    strftime(out, outlen, "%Y%m%dT%H%M%SZ", &tm);
}

static void local_stamp(const struct tm *tm, char *out, size_t outlen)
{
    strftime(out, outlen, "%Y%m%dT%H%M%S", tm);
}

static void offset_text(long seconds, char *out, size_t outlen)
{
    long a = seconds < 0 ? -seconds : seconds;
    if (a % 60)
        snprintf(out, outlen, "%c%02ld%02ld%02ld", seconds < 0 ? '-' : '+', a / 3600, a / 60 % 60, a % 60);
    else
        snprintf(out, outlen, "%c%02ld%02ld", seconds < 0 ? '-' : '+', a / 3600, a / 60 % 60);
}

/* The repeat as an RRULE value, or NULL for none. A month on keeps the day, or the month's last
 * day when it has fewer (task_time.h): for the 29th to 31st that is the last of 28..day. */
static const char *rrule_of(const tend_task *t, const struct tm *local, char *buf, size_t buflen)
{
    if (strcmp(t->repeat, "weekly") == 0)
        return "FREQ=WEEKLY";
    if (strcmp(t->repeat, "biweekly") == 0)
        return "FREQ=WEEKLY;INTERVAL=2";
    if (strcmp(t->repeat, "monthly") == 0) {
        if (local->tm_mday <= 28)
            return "FREQ=MONTHLY";
        int n = snprintf(buf, buflen, "FREQ=MONTHLY;BYMONTHDAY=28");
        for (int d = 29; d <= local->tm_mday && n > 0 && (size_t)n < buflen; d++)
            n += snprintf(buf + n, buflen - (size_t)n, ",%d", d);
        if (n > 0 && (size_t)n < buflen)
            snprintf(buf + n, buflen - (size_t)n, ";BYSETPOS=-1");
        return buf;
    }
    long days = 0;
    if (sscanf(t->repeat, "every:%ldd", &days) == 1 && days > 0) {
        snprintf(buf, buflen, days % 7 == 0 ? "FREQ=WEEKLY;INTERVAL=%ld" : "FREQ=DAILY;INTERVAL=%ld",
                 days % 7 == 0 ? days / 7 : days);
        return buf;
    }
    return NULL;
}

/* ---------------------------------------------------------------- the calendar */

tend_calendar *tend_calendar_new(const tend_group *g, int64_t now)
{
    tend_calendar *cal = calloc(1, sizeof *cal);
    if (!cal)
        return NULL;
    snprintf(cal->zone, sizeof cal->zone, "%s", tend_tz_of_group(g));
    cal->utc = strcmp(cal->zone, "UTC") == 0 || strcmp(cal->zone, "Etc/UTC") == 0;
    cal->now = now;
    cal->group_hash = 1469598103934665603ULL;
    for (const char *p = g->key; *p; p++)
        cal->group_hash = (cal->group_hash ^ (unsigned char)*p) * 1099511628211ULL;
    tend_strbuf init = TEND_STRBUF_INIT;
    cal->events = init;
    return cal;
}

void tend_calendar_free(tend_calendar *cal)
{
    if (!cal)
        return;
    free(tend_strbuf_finish(&cal->events));
    free(cal);
}

size_t tend_calendar_count(const tend_calendar *cal)
{
    return cal->count;
}

int tend_calendar_add(tend_calendar *cal, const tend_task *t, const char *description)
{
    if (t->due_at == 0)
        return 0;
    struct tm local;
    if (tend_tz_local(cal->zone, t->due_at, &local) != 0)
        return 0; /* the group's zone is checked when set: a vanished one leaves the task out */
    tend_strbuf *sb = &cal->events;
    char value[160], stamp[32];
    tend_ics_line(sb, "BEGIN:VEVENT");
    snprintf(value, sizeof value, "tend-task-%d-%016" PRIx64 "@tend", t->number, cal->group_hash);
    put_prop(sb, "UID:", value);
    utc_stamp(cal->now, stamp, sizeof stamp);
    put_prop(sb, "DTSTAMP:", stamp);
    if (t->all_day) {
        strftime(stamp, sizeof stamp, "%Y%m%d", &local);
        put_prop(sb, "DTSTART;VALUE=DATE:", stamp);
    } else if (cal->utc) {
        utc_stamp(t->due_at, stamp, sizeof stamp);
        put_prop(sb, "DTSTART:", stamp);
    } else {
        local_stamp(&local, stamp, sizeof stamp);
        snprintf(value, sizeof value, "DTSTART;TZID=%s:", cal->zone);
        put_prop(sb, value, stamp);
    }
    char rule[96];
    const char *rrule = rrule_of(t, &local, rule, sizeof rule);
    if (rrule)
        put_prop(sb, "RRULE:", rrule);
    put_text_prop(sb, "SUMMARY:", t->title);
    if (description && *description)
        put_text_prop(sb, "DESCRIPTION:", description);
    tend_ics_line(sb, "END:VEVENT");
    if (cal->count == 0 || t->due_at < cal->first)
        cal->first = t->due_at;
    if (cal->count == 0 || t->due_at > cal->last)
        cal->last = t->due_at;
    cal->repeats = cal->repeats || rrule;
    cal->count++;
    return sb->failed ? -1 : 0;
}

/* One observance: from `at` (a unix time) on, the zone is `after`; `before` is what it was. */
static void put_observance(tend_strbuf *sb, int64_t at, const struct tm *before, const struct tm *after)
{
    char text[48];
    tend_ics_line(sb, after->tm_isdst > 0 ? "BEGIN:DAYLIGHT" : "BEGIN:STANDARD");
    /* DTSTART is the wall-clock time at the change, read in the offset that was in force */
    time_t wall = (time_t)(at + before->tm_gmtoff);
    struct tm w;
    gmtime_r(&wall, &w);
    local_stamp(&w, text, sizeof text);
    put_prop(sb, "DTSTART:", text);
    offset_text(before->tm_gmtoff, text, sizeof text);
    put_prop(sb, "TZOFFSETFROM:", text);
    offset_text(after->tm_gmtoff, text, sizeof text);
    put_prop(sb, "TZOFFSETTO:", text);
    if (after->tm_zone && after->tm_zone[0])
        put_text_prop(sb, "TZNAME:", after->tm_zone);
    tend_ics_line(sb, after->tm_isdst > 0 ? "END:DAYLIGHT" : "END:STANDARD");
}

/* The zone's rules over [from, until], read from the tz database: the offset in force at `from`,
 * then every change, each found to the second by halving the day it happens in. */
static void put_timezone(tend_strbuf *sb, const char *zone, int64_t from, int64_t until)
{
    struct tm prev, cur;
    if (tend_tz_local(zone, from, &prev) != 0)
        return;
    tend_ics_line(sb, "BEGIN:VTIMEZONE");
    put_prop(sb, "TZID:", zone);
    char name[16];
    snprintf(name, sizeof name, "%s", prev.tm_zone ? prev.tm_zone : "");
    prev.tm_zone = name; /* the next conversion reuses the library's buffer */
    put_observance(sb, from, &prev, &prev);
    for (int64_t t = from + DAY; t <= until + DAY; t += DAY) {
        if (tend_tz_local(zone, t, &cur) != 0 || cur.tm_gmtoff == prev.tm_gmtoff)
            continue;
        int64_t lo = t - DAY, hi = t; /* lo has the old offset, hi the new */
        while (hi - lo > 1) {
            int64_t mid = lo + (hi - lo) / 2;
            struct tm m;
            if (tend_tz_local(zone, mid, &m) == 0 && m.tm_gmtoff == prev.tm_gmtoff)
                lo = mid;
            else
                hi = mid;
        }
        tend_tz_local(zone, hi, &cur);
        put_observance(sb, hi, &prev, &cur);
        prev = cur;
        snprintf(name, sizeof name, "%s", cur.tm_zone ? cur.tm_zone : "");
        prev.tm_zone = name;
    }
    tend_ics_line(sb, "END:VTIMEZONE");
}

char *tend_calendar_finish(tend_calendar *cal)
{
    tend_strbuf sb = TEND_STRBUF_INIT;
    tend_ics_line(&sb, "BEGIN:VCALENDAR");
    tend_ics_line(&sb, "VERSION:2.0");
    tend_ics_line(&sb, "PRODID:-//tend//tasks//EN");
    tend_ics_line(&sb, "CALSCALE:GREGORIAN");
    tend_ics_line(&sb, "METHOD:PUBLISH");
    if (!cal->utc && cal->count > 0)
        put_timezone(&sb, cal->zone, cal->first - DAY, cal->repeats ? cal->last + RULES_AHEAD : cal->last + DAY);
    char *events = tend_strbuf_finish(&cal->events);
    if (events)
        tend_strbuf_puts(&sb, events);
    else
        sb.failed = 1;
    free(events);
    tend_ics_line(&sb, "END:VCALENDAR");
    free(cal);
    return tend_strbuf_finish(&sb);
}
