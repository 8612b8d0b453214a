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
#include "bot/words.h"

#define WORDS_MAX 12
#define WORD_MAX 32
#define PHRASE_MAX 4 /* "the day after tomorrow", "depois de amanhã" */
#define YEAR_SECONDS (366LL * 24 * 3600)

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

/* The word of kind w names in the scope's languages (bot/words.h), also without a last '.'
 * ("Fr.", "Nov."). -1 when none. */
static int word_of(tend_words_kind kind, const char *w, bool own_first)
{
    size_t len = strlen(w);
    int found = tend_words_find(kind, w, len, own_first);
    if (found < 0 && len > 1 && w[len - 1] == '.')
        found = tend_words_find(kind, w, len - 1, own_first);
    return found;
}

/* "3", "3rd", "21st", "1er", "3.": a day of the month, 1..31. -1 otherwise. */
static int day_number(const char *w, bool own_first)
{
    char *end = NULL;
    if (!isdigit((unsigned char)w[0]) || strlen(w) > 8)
        return -1;
    long n = strtol(w, &end, 10);
    if (n < 1 || n > 31 || end - w > 2)
        return -1;
    if (*end && tend_words_find(TEND_WORDS_ORDINAL, end, strlen(end), own_first) < 0)
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

/* What follows an hour: am, pm, or the 24-hour clock's mark ("Uhr", "h"), which may carry the
 * minutes itself ("18h30": *minutes set). -1 when it is none of them. */
static int clock_mark(const char *rest, bool own_first, int *minutes)
{
    int kind = word_of(TEND_WORDS_CLOCK, rest, own_first);
    size_t len = strlen(rest);
    if (kind < 0 && len > 2 && isdigit((unsigned char)rest[len - 1]) && isdigit((unsigned char)rest[len - 2]) &&
        tend_words_find(TEND_WORDS_CLOCK, rest, len - 2, own_first) == TEND_WORD_OCLOCK) {
        *minutes = (rest[len - 2] - '0') * 10 + (rest[len - 1] - '0');
        kind = TEND_WORD_OCLOCK;
    }
    return kind;
}

/* "18:00", "6:30", "6pm", "6:30pm", "12am", "18h", "18h30", or "6" with "pm" (or "Uhr") as the
 * next word (*took_next is then set). Minutes after midnight, or -1. */
static int clock_minutes(const char *w, const char *next, bool own_first, bool *took_next)
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
    int mark_minutes = -1;
    int mark = *p ? clock_mark(p, own_first, &mark_minutes) : next ? clock_mark(next, own_first, &mark_minutes) : -1;
    if (mark >= 0 && mark_minutes >= 0) {
        if (has_minutes || !*p)
            return -1; /* "18:00h30", or "18 h30" */
        m = mark_minutes;
    }
    if (mark == TEND_WORD_AM || mark == TEND_WORD_PM) {
        if (h < 1 || h > 12 || m > 59)
            return -1;
        h = h % 12 + (mark == TEND_WORD_PM ? 12 : 0);
    } else if (mark != TEND_WORD_OCLOCK && (*p || !has_minutes)) {
        return -1; /* "6" alone is a day of the month, not a time */
    }
    *took_next = mark >= 0 && !*p;
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

/* words[i..i+k-1] joined by single spaces into out. */
static void join(char words[WORDS_MAX][WORD_MAX], int i, int k, char *out, size_t outlen)
{
    size_t used = 0;
    out[0] = '\0';
    for (int j = i; j < i + k && used < outlen; j++)
        used += (size_t)snprintf(out + used, outlen - used, "%s%s", j > i ? " " : "", words[j]);
}

#define SET_ONCE(field, value)                  \
    do {                                        \
        if ((field) != -1 && (field) != (value)) \
            return TEND_WHEN_CONFLICT;          \
        (field) = (value);                      \
    } while (0)

/* One word (or phrase) of a day: what it says goes into f or the pending day and month. */
static tend_when_result take_word(int w, facts *f, int *pending_month)
{
    if (w == TEND_WORD_TODAY)
        SET_ONCE(f->rel_days, 0);
    else if (w == TEND_WORD_TOMORROW)
        SET_ONCE(f->rel_days, 1);
    else if (w == TEND_WORD_AFTER_TOMORROW)
        SET_ONCE(f->rel_days, 2);
    else if (w == TEND_WORD_NOON)
        SET_ONCE(f->minute, 12 * 60);
    else if (w >= TEND_WORD_SUNDAY && w <= TEND_WORD_SATURDAY)
        SET_ONCE(f->weekday, w - TEND_WORD_SUNDAY);
    else if (w >= TEND_WORD_JANUARY && w <= TEND_WORD_DECEMBER)
        SET_ONCE(*pending_month, w - TEND_WORD_JANUARY + 1);
    return TEND_WHEN_OK; /* a filler ("at", "next", "a las") says nothing */
}

/* The facts the words say. With own_first, a word is read in the member's and the group's
 * languages before English (see tend_when_parse). */
static tend_when_result read_facts(const char *text, facts *f, bool own_first)
{
    char words[WORDS_MAX][WORD_MAX];
    int n = text ? split(text, words) : -1;
    *f = (facts){-1, -1, -1, -1, -1, -1};
    if (n <= 0)
        return TEND_WHEN_UNKNOWN;
    int pending_day = -1; /* "3" waiting for its month, or "dec" for its day */
    int pending_month = -1;
    bool ends_in_filler = false;
    for (int i = 0; i < n; i++) {
        const char *w = words[i];
        const char *next = i + 1 < n ? words[i + 1] : NULL;
        int v, year, said = -1;
        ends_in_filler = false;
        bool took_next = false;
        for (int k = n - i < PHRASE_MAX ? n - i : PHRASE_MAX; k > 1 && said < 0 && !isdigit((unsigned char)w[0]); k--) {
            char phrase[WORDS_MAX * WORD_MAX];
            join(words, i, k, phrase, sizeof phrase);
            said = tend_words_find(TEND_WORDS_WHEN, phrase, strlen(phrase), own_first);
            if (said >= 0)
                i += k - 1; /* "pasado mañana": both words were this one's */
        }
        if (said >= 0) {
            tend_when_result r = take_word(said, f, &pending_month);
            if (r != TEND_WHEN_OK)
                return r;
            ends_in_filler = said == TEND_WORD_FILLER;
        } else if ((v = clock_minutes(w, next, own_first, &took_next)) >= 0) {
            SET_ONCE(f->minute, v);
            if (took_next)
                i++; /* "6 pm": the next word was this time's */
        } else if (f->month == -1 && iso_date(w, f)) {
            if (pending_day != -1 || pending_month != -1)
                return TEND_WHEN_CONFLICT;
        } else if ((said = word_of(TEND_WORDS_WHEN, w, own_first)) >= 0) {
            tend_when_result r = take_word(said, f, &pending_month);
            if (r != TEND_WHEN_OK)
                return r;
            ends_in_filler = said == TEND_WORD_FILLER;
        } else if ((v = day_number(w, own_first)) >= 0) {
            SET_ONCE(pending_day, v);
        } else if (is_year(w, &year) && pending_month != -1) {
            SET_ONCE(f->year, year);
        } else {
            return TEND_WHEN_UNKNOWN;
        }
    }
    /* "fri 18:00 de": a small word with nothing after it belongs to what follows (when: stops
     * before it, so "de la sopa" stays in the title) */
    if (ends_in_filler)
        return TEND_WHEN_UNKNOWN;
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
    tend_when_result r = read_facts(text, &f, false);
    /* English first ("mar 3" is March); when that made no sense, the member's own words first
     * ("mar 18:00" is Tuesday in Spanish and French) */
    if (r == TEND_WHEN_UNKNOWN)
        r = read_facts(text, &f, true);
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

const char *tend_when_weekday_short(int wday)
{
    return wday >= 0 && wday <= 6 ? tend_tr(short_weekdays[wday]) : "";
}
