/* task_time.c — see task_time.h. Local dates and times go through tz.h; only calendar dates are
 * counted here (at noon UTC, where no zone's oddities reach). */
#include "bot/task_time.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "bot/i18n.h"
#include "bot/messages.h"
#include "bot/parse.h"
#include "bot/tz.h"
#include "bot/words.h"

#define REPEAT_DAYS_MAX 365

typedef struct {
    int year, month, day;
} cal_date;

static cal_date cal_add(cal_date d, int months, int days)
{
    struct tm tm = {0};
    tm.tm_year = d.year - 1900;
    tm.tm_mon = d.month - 1 + months;
    tm.tm_mday = 1;
    tm.tm_hour = 12;
    time_t first = timegm(&tm); /* the first of the target month, normalised */
    gmtime_r(&first, &tm);
    /* keep the day, or the month's last when it is shorter */
    struct tm last = tm;
    last.tm_mon += 1;
    last.tm_mday = 0;
    time_t end = timegm(&last);
    gmtime_r(&end, &last);
    tm.tm_mday = d.day < last.tm_mday ? d.day : last.tm_mday;
    tm.tm_mday += days;
    time_t t = timegm(&tm);
    gmtime_r(&t, &tm);
    return (cal_date){tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday};
}

/* The instant of local (d, hour:minute) in zone. */
static int at_local(const char *zone, cal_date d, int hour, int minute, int64_t *out)
{
    return tend_tz_to_utc(zone, d.year, d.month, d.day, hour, minute, out);
}

static int local_date(const char *zone, int64_t t, cal_date *d, int *minute)
{
    struct tm tm;
    if (tend_tz_local(zone, t, &tm) != 0)
        return -1;
    *d = (cal_date){tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday};
    if (minute)
        *minute = tm.tm_hour * 60 + tm.tm_min;
    return 0;
}

int tend_task_set_time(tend_task *t, const tend_when *w, const char *zone)
{
    t->due_at = t->starts_at = t->over_at = t->followup_at = 0;
    t->all_day = false;
    if (!w || w->at == 0)
        return 0;
    if (!w->all_day) {
        t->due_at = t->starts_at = t->over_at = w->at;
        t->followup_at = w->at + TEND_TASK_FOLLOWUP_AFTER;
        return 0;
    }
    cal_date d;
    if (local_date(zone, w->at, &d, NULL) != 0)
        return -1;
    cal_date next = cal_add(d, 0, 1);
    int64_t starts, over, followup;
    if (at_local(zone, d, TEND_TASK_DAY_STARTS_HOUR, 0, &starts) != 0 || at_local(zone, next, 0, 0, &over) != 0 ||
        at_local(zone, next, TEND_TASK_DAY_FOLLOWUP_HOUR, 0, &followup) != 0)
        return -1;
    t->due_at = w->at;
    t->all_day = true;
    t->starts_at = starts;
    t->over_at = over;
    t->followup_at = followup;
    return 0;
}

tend_when tend_task_when(const tend_task *t)
{
    return (tend_when){t->due_at, t->all_day};
}

/* ---------------------------------------------------------------- repeats */

/* A rule as a step: months, or days. -1 when it is not a rule. */
static int rule_step(const char *rule, int *months, int *days)
{
    *months = *days = 0;
    if (!rule || !*rule)
        return -1;
    if (strcmp(rule, "weekly") == 0)
        *days = 7;
    else if (strcmp(rule, "biweekly") == 0)
        *days = 14;
    else if (strcmp(rule, "monthly") == 0)
        *months = 1;
    else if (strncmp(rule, "every:", 6) == 0) {
        char *end = NULL;
        long n = strtol(rule + 6, &end, 10);
        if (end == rule + 6 || n < 1 || n > REPEAT_DAYS_MAX || strcmp(end, "d") != 0)
            return -1;
        *days = (int)n;
    } else {
        return -1;
    }
    return 0;
}

int tend_repeat_parse(const char *text, char *canon, size_t canonlen)
{
    if (!text || canonlen < TEND_REPEAT_MAX)
        return -1;
    if (tend_parse_switch(text) == 0) { /* off, none, no, or the member's words for them */
        canon[0] = '\0';
        return 0;
    }
    /* "weekly", "fortnightly", and the member's words: "semanal", "monatlich" */
    static const char *const canonical[] = {"every:1d", "weekly", "biweekly", "monthly"};
    int said = tend_words_find(TEND_WORDS_REPEAT, text, strlen(text), false);
    if (said >= 0) {
        snprintf(canon, canonlen, "%s", canonical[said - TEND_WORD_DAILY]);
        return 0;
    }
    if (strncasecmp(text, "every:", 6) != 0 || text[6] < '1' || text[6] > '9')
        return -1;
    /* every:3d, every:2w, every:2semanas: a number of days or weeks in any of the scope's words */
    char *end = NULL;
    long n = strtol(text + 6, &end, 10);
    while (*end == ' ')
        end++;
    int unit = tend_words_find_in(TEND_WORD_DAY, TEND_WORD_WEEK, end, strlen(end), false);
    long days = unit == TEND_WORD_DAY ? n : unit == TEND_WORD_WEEK ? n * 7 : 0;
    if (n < 1 || days < 1 || days > REPEAT_DAYS_MAX)
        return -1;
    if (days == 7 || days == 14)
        snprintf(canon, canonlen, "%s", days == 7 ? "weekly" : "biweekly");
    else
        snprintf(canon, canonlen, "every:%ldd", days);
    return 0;
}

int tend_repeat_next(const char *rule, const char *zone, const tend_when *from, int64_t after, tend_when *next)
{
    int months, days, minute;
    cal_date d;
    if (rule_step(rule, &months, &days) != 0 || local_date(zone, from->at, &d, &minute) != 0)
        return -1;
    for (int k = 1; k <= 2000; k++) {
        cal_date c = cal_add(d, months * k, days * k);
        int64_t at, over;
        if (at_local(zone, c, from->all_day ? 0 : minute / 60, from->all_day ? 0 : minute % 60, &at) != 0)
            return -1;
        over = at; /* a whole day is still ahead until it is over */
        if (from->all_day && at_local(zone, cal_add(c, 0, 1), 0, 0, &over) != 0)
            return -1;
        if (over > after) {
            *next = (tend_when){at, from->all_day};
            return 0;
        }
    }
    return -1;
}

void tend_repeat_describe(const char *rule, char *out, size_t outlen)
{
    int months, days;
    if (outlen == 0)
        return;
    if (rule_step(rule, &months, &days) != 0)
        out[0] = '\0';
    else if (months)
        snprintf(out, outlen, "%s", tend_tr(MSG_REPEAT_MONTHLY));
    else if (days == 7)
        snprintf(out, outlen, "%s", tend_tr(MSG_REPEAT_WEEKLY));
    else if (days == 1)
        snprintf(out, outlen, "%s", tend_tr(MSG_REPEAT_DAILY));
    else if (days % 7 == 0)
        snprintf(out, outlen, tend_ntr(MSG_REPEAT_WEEKS_N, (unsigned long)(days / 7)), days / 7);
    else
        snprintf(out, outlen, tend_ntr(MSG_REPEAT_DAYS_N, (unsigned long)days), days);
}
