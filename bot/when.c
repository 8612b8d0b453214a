/*
 * when.c — see when.h. Reading happens in two steps: the words become a few facts (a weekday, a
 * date, today or tomorrow, a time of day), then the facts become an instant in the zone. Every
 * local-to-instant step goes through tz.h; only plain calendar dates are counted here.
 */
#include "bot/when.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "bot/i18n.h"
#include "bot/messages.h"
#include "bot/tz.h"

#define WORDS_MAX 12
#define WORD_MAX 24
#define YEAR_SECONDS (366LL * 24 * 3600)

static const char *const weekday_names[] = {"sunday", "monday", "tuesday", "wednesday",
                                            "thursday", "friday", "saturday"};
static const char *const month_names[] = {"january", "february", "march",     "april",   "may",      "june",
                                          "july",    "august",   "september", "october", "november", "december"};
/* shown in the reader's language (bot/i18n.h: tend_tr, or the language a task line is for) */
static const char *const short_weekdays[] = {MSG_WHEN_SUN, MSG_WHEN_MON, MSG_WHEN_TUE, MSG_WHEN_WED,
                                             MSG_WHEN_THU, MSG_WHEN_FRI, MSG_WHEN_SAT};
static const char *const short_months[] = {MSG_WHEN_JAN, MSG_WHEN_FEB, MSG_WHEN_MAR, MSG_WHEN_APR,
                                           MSG_WHEN_MAY, MSG_WHEN_JUN, MSG_WHEN_JUL, MSG_WHEN_AUG,
                                           MSG_WHEN_SEP, MSG_WHEN_OCT, MSG_WHEN_NOV, MSG_WHEN_DEC};
static const char *const long_weekdays[] = {MSG_WHEN_SUNDAY,   MSG_WHEN_MONDAY, MSG_WHEN_TUESDAY,
                                            MSG_WHEN_WEDNESDAY, MSG_WHEN_THURSDAY, MSG_WHEN_FRIDAY,
                                            MSG_WHEN_SATURDAY};
static const char *const long_months[] = {MSG_WHEN_JANUARY, MSG_WHEN_FEBRUARY, MSG_WHEN_MARCH,
                                          MSG_WHEN_APRIL,   MSG_WHEN_MAY,      MSG_WHEN_JUNE,
                                          MSG_WHEN_JULY,    MSG_WHEN_AUGUST,   MSG_WHEN_SEPTEMBER,
                                          MSG_WHEN_OCTOBER, MSG_WHEN_NOVEMBER, MSG_WHEN_DECEMBER};

/* What the words said. -1 = not said. */
typedef struct {
    int weekday;          /* 0 = Sunday                  */
    int rel_days;         /* today 0, tomorrow 1          */
    int year, month, day; /* a date, year -1 when left out */
    int minute;           /* minutes after midnight       */
} facts;

/* ---------------------------------------------------------------- words */

/* "thurs" and "thursday" name Thursday; at least three letters, a prefix of the full name. */
static int name_index(const char *w, const char *const *names, int n)
{
    size_t len = strlen(w);
    if (len < 3)
        return -1;
    for (int i = 0; i < n; i++)
        if (len <= strlen(names[i]) && strncmp(w, names[i], len) == 0)
            return i;
    return -1;
}

/* "3", "3rd", "21st": a day of the month, 1..31. -1 otherwise. */
static int day_number(const char *w)
{
    char *end = NULL;
    if (!isdigit((unsigned char)w[0]) || strlen(w) > 4)
        return -1;
    long n = strtol(w, &end, 10);
    if (n < 1 || n > 31)
        return -1;
    if (*end && strcmp(end, "st") != 0 && strcmp(end, "nd") != 0 && strcmp(end, "rd") != 0 &&
        strcmp(end, "th") != 0)
        return -1;
    return (int)n;
}

static bool is_year(const char *w, int *year)
{
    if (strlen(w) != 4)
        return false;
    int y = 0;
    for (const char *p = w; *p; p++) {
        if (!isdigit((unsigned char)*p))
            return false;
        y = y * 10 + (*p - '0');
    }
    *year = y;
    return y >= 2000 && y <= 2200;
}

/* "18:00", "6:30", "6pm", "6:30pm", "12am", or "6" with "pm" as the next word (*took_next is then
 * set). Minutes after midnight, or -1. */
static int clock_minutes(const char *w, const char *next, bool *took_next)
{
    int h = 0, m = 0, digits = 0;
    const char *p = w;
    while (isdigit((unsigned char)*p) && digits < 3)
        h = h * 10 + (*p++ - '0'), digits++;
    if (digits == 0 || digits > 2)
        return -1;
    bool has_minutes = false;
    *took_next = false;
    if (*p == ':') {
        p++;
        if (!isdigit((unsigned char)p[0]) || !isdigit((unsigned char)p[1]))
            return -1;
        m = (p[0] - '0') * 10 + (p[1] - '0');
        p += 2;
        has_minutes = true;
    }
    const char *ampm = *p ? p : next;
    if (ampm && (strcmp(ampm, "am") == 0 || strcmp(ampm, "pm") == 0)) {
        if (h < 1 || h > 12 || m > 59)
            return -1;
        h = h % 12 + (ampm[0] == 'p' ? 12 : 0);
        *took_next = !*p;
    } else if (*p || !has_minutes) {
        return -1; /* "6" alone is a day of the month, not a time */
    }
    if (h > 23 || m > 59)
        return -1;
    return h * 60 + m;
}

static bool iso_date(const char *w, facts *f)
{
    int y, mo, d;
    char extra;
    if (strlen(w) != 10 || w[4] != '-' || w[7] != '-' || sscanf(w, "%4d-%2d-%2d%c", &y, &mo, &d, &extra) != 3)
        return false;
    f->year = y;
    f->month = mo;
    f->day = d;
    return true;
}

static int split(const char *text, char words[WORDS_MAX][WORD_MAX])
{
    int n = 0;
    const char *p = text;
    for (;;) {
        while (*p == ' ' || *p == ',' || *p == '\t')
            p++;
        if (!*p)
            return n;
        size_t len = strcspn(p, " ,\t");
        if (n == WORDS_MAX || len >= WORD_MAX)
            return -1;
        for (size_t i = 0; i < len; i++)
            words[n][i] = (char)tolower((unsigned char)p[i]);
        words[n][len] = '\0';
        n++;
        p += len;
    }
}

#define SET_ONCE(field, value)                  \
    do {                                        \
        if ((field) != -1 && (field) != (value)) \
            return TEND_WHEN_CONFLICT;          \
        (field) = (value);                      \
    } while (0)

static tend_when_result read_facts(const char *text, facts *f)
{
    char words[WORDS_MAX][WORD_MAX];
    int n = text ? split(text, words) : -1;
    *f = (facts){-1, -1, -1, -1, -1, -1};
    if (n <= 0)
        return TEND_WHEN_UNKNOWN;
    int pending_day = -1; /* "3" waiting for its month, or "dec" for its day */
    int pending_month = -1;
    for (int i = 0; i < n; i++) {
        const char *w = words[i];
        const char *next = i + 1 < n ? words[i + 1] : NULL;
        int v, year;
        bool took_next = false;
        if (strcmp(w, "at") == 0 || strcmp(w, "on") == 0 || strcmp(w, "this") == 0)
            continue;
        if (strcmp(w, "today") == 0) {
            SET_ONCE(f->rel_days, 0);
        } else if (strcmp(w, "tomorrow") == 0) {
            SET_ONCE(f->rel_days, 1);
        } else if (strcmp(w, "noon") == 0) {
            SET_ONCE(f->minute, 12 * 60);
        } else if ((v = clock_minutes(w, next, &took_next)) >= 0) {
            SET_ONCE(f->minute, v);
            if (took_next)
                i++; /* "6 pm": the next word was this time's */
        } else if (f->month == -1 && iso_date(w, f)) {
            if (pending_day != -1 || pending_month != -1)
                return TEND_WHEN_CONFLICT;
        } else if ((v = name_index(w, weekday_names, 7)) >= 0) {
            SET_ONCE(f->weekday, v);
        } else if ((v = name_index(w, month_names, 12)) >= 0) {
            SET_ONCE(pending_month, v + 1);
        } else if ((v = day_number(w)) >= 0) {
            SET_ONCE(pending_day, v);
        } else if (is_year(w, &year) && pending_month != -1) {
            SET_ONCE(f->year, year);
        } else {
            return TEND_WHEN_UNKNOWN;
        }
    }
    if ((pending_day == -1) != (pending_month == -1))
        return TEND_WHEN_UNKNOWN; /* "3" with no month, or "dec" with no day */
    if (pending_day != -1) {
        if (f->month != -1)
            return TEND_WHEN_CONFLICT;
        f->month = pending_month;
        f->day = pending_day;
    } else if (f->year != -1 && f->month == -1) {
        return TEND_WHEN_UNKNOWN;
    }
    if (f->weekday == -1 && f->rel_days == -1 && f->month == -1 && f->minute == -1)
        return TEND_WHEN_UNKNOWN;
    return TEND_WHEN_OK;
}

/* ---------------------------------------------------------------- calendar */

typedef struct {
    int year, month, day;
} date;

static date date_add(date d, int days)
{
    struct tm tm = {0};
    tm.tm_year = d.year - 1900;
    tm.tm_mon = d.month - 1;
    tm.tm_mday = d.day + days;
    tm.tm_hour = 12; /* noon UTC: plain calendar arithmetic */
    time_t t = timegm(&tm);
    gmtime_r(&t, &tm);
    return (date){tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday};
}

static int weekday_of(date d)
{
    struct tm tm = {0};
    tm.tm_year = d.year - 1900;
    tm.tm_mon = d.month - 1;
    tm.tm_mday = d.day;
    tm.tm_hour = 12;
    time_t t = timegm(&tm);
    gmtime_r(&t, &tm);
    return tm.tm_wday;
}

static bool date_exists(int year, int month, int day)
{
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (month < 1 || month > 12 || day < 1 || day > mdays[month - 1])
        return false;
    return !(month == 2 && day == 29 && !((year % 4 == 0 && year % 100 != 0) || year % 400 == 0));
}

static int date_cmp(date a, date b)
{
    if (a.year != b.year)
        return a.year < b.year ? -1 : 1;
    if (a.month != b.month)
        return a.month < b.month ? -1 : 1;
    return a.day == b.day ? 0 : a.day < b.day ? -1 : 1;
}

/* The day the facts name, seen from `today` at `now_minute`. */
static tend_when_result pick_day(const facts *f, date today, int now_minute, date *out)
{
    bool later_today = f->minute == -1 || f->minute > now_minute;
    if (f->month != -1) {
        date d = {f->year != -1 ? f->year : today.year, f->month, f->day};
        if (f->year == -1 && (date_cmp(d, today) < 0 || (date_cmp(d, today) == 0 && !later_today)))
            d.year++; /* "3 dec" said in late December: next year's */
        if (!date_exists(d.year, d.month, d.day))
            return TEND_WHEN_NO_DAY;
        if (f->rel_days != -1 && date_cmp(d, date_add(today, f->rel_days)) != 0)
            return TEND_WHEN_CONFLICT;
        *out = d;
    } else if (f->rel_days != -1) {
        *out = date_add(today, f->rel_days);
    } else if (f->weekday != -1) {
        int ahead = (f->weekday - weekday_of(today) + 7) % 7;
        if (ahead == 0 && !later_today)
            ahead = 7;
        *out = date_add(today, ahead);
    } else {
        *out = later_today ? today : date_add(today, 1); /* a time alone: the next one */
    }
    if (f->weekday != -1 && weekday_of(*out) != f->weekday)
        return TEND_WHEN_CONFLICT;
    return TEND_WHEN_OK;
}

tend_when_result tend_when_parse(const char *text, const char *zone, int64_t now, tend_when *out)
{
    facts f;
    tend_when_result r = read_facts(text, &f);
    if (r != TEND_WHEN_OK)
        return r;
    struct tm local;
    if (tend_tz_local(zone, now, &local) != 0)
        return TEND_WHEN_UNKNOWN;
    date today = {local.tm_year + 1900, local.tm_mon + 1, local.tm_mday};
    date d;
    r = pick_day(&f, today, local.tm_hour * 60 + local.tm_min, &d);
    if (r != TEND_WHEN_OK)
        return r;
    int minute = f.minute == -1 ? 0 : f.minute;
    tend_when w = {0, f.minute == -1};
    if (tend_tz_to_utc(zone, d.year, d.month, d.day, minute / 60, minute % 60, &w.at) != 0)
        return TEND_WHEN_NO_DAY;
    if (w.all_day ? date_cmp(d, today) < 0 : w.at <= now)
        return TEND_WHEN_PAST;
    if (w.at - now > YEAR_SECONDS)
        return TEND_WHEN_FAR;
    *out = w;
    return TEND_WHEN_OK;
}

/* ---------------------------------------------------------------- showing */

void tend_when_day_long(const struct tm *day, bool with_year, char *out, size_t outlen)
{
    if (outlen == 0)
        return;
    int n = snprintf(out, outlen, tend_tr(MSG_WHEN_DATE), tend_tr(long_weekdays[day->tm_wday % 7]), day->tm_mday,
                     tend_tr(long_months[day->tm_mon % 12]));
    if (with_year && n > 0 && (size_t)n < outlen)
        snprintf(out + n, outlen - (size_t)n, " %d", day->tm_year + 1900);
}

void tend_when_format(const tend_when *w, const char *zone, bool name_zone, int64_t now, tend_when_style style,
                      char *out, size_t outlen)
{
    struct tm tm, today;
    if (outlen == 0)
        return;
    out[0] = '\0';
    if (tend_tz_local(zone, w->at, &tm) != 0 || tend_tz_local(zone, now, &today) != 0)
        return;
    char clock[32] = "";
    if (!w->all_day)
        snprintf(clock, sizeof clock, "%02d:%02d%s%s", tm.tm_hour, tm.tm_min, name_zone ? " " : "",
                 name_zone && tm.tm_zone ? tm.tm_zone : "");
    if (style == TEND_WHEN_NEAR) {
        date d = {tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday};
        date t = {today.tm_year + 1900, today.tm_mon + 1, today.tm_mday};
        const char *rel = date_cmp(d, t) == 0                  ? MSG_WHEN_TODAY
                          : date_cmp(d, date_add(t, 1)) == 0 ? MSG_WHEN_TOMORROW
                                                             : NULL;
        if (rel) {
            snprintf(out, outlen, "%s%s%s", tend_tr(rel), w->all_day ? "" : tend_tr(MSG_WHEN_AT), clock);
            return;
        }
    }
    bool full = style == TEND_WHEN_LONG;
    char day[96];
    snprintf(day, sizeof day, tend_tr(MSG_WHEN_DATE),
             tend_tr(full ? long_weekdays[tm.tm_wday] : short_weekdays[tm.tm_wday]), tm.tm_mday,
             tend_tr(full ? long_months[tm.tm_mon] : short_months[tm.tm_mon]));
    snprintf(out, outlen, "%s%s%s", day, w->all_day ? "" : tend_tr(full ? MSG_WHEN_AT : MSG_TASKS_DONE_COMMA), clock);
}
