/*
 * scheduler.c — what the bot does on its own, group by group: the weekly check-in prompt and
 * digest, the monthly process check-in, then the member events and weekly repeats (their own files).
 *
 * Rules, so each occurrence happens exactly once and at the right local time:
 *   - An occurrence is a local date and time in the group's zone ("mon 18:00" on 2026-11-02), and
 *     its slot in the `fired` table is that local date and time ("2026-11-02 18:00"; the monthly
 *     process check-in's slot is the month, "2026-11"). The fired row is written in the same
 *     transaction as the occurrence's effect; messages reach `out` only once it committed.
 *   - A local time skipped by a spring-forward change fires the gap later (02:30 -> 03:30); a local
 *     time that happens twice in a fall-back night fires at the first of the two, and only then,
 *     since both readings are the same slot.
 *   - Only the latest occurrence counts: when the bot was down, it fires it if it is at most
 *     grace_hours old, else records it as skipped. Occurrences before the group existed never fire.
 *   - The monthly process check-in is the first check-in weekday of each month, at the check-in
 *     time, posted just after that day's check-in prompt.
 */
#include "bot/scheduler.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bot/load.h"
#include "bot/log.h"
#include "bot/messages.h"
#include "bot/parse.h"
#include "bot/schedule_internal.h"
#include "bot/tasks.h"
#include "bot/tz.h"

#define DAY_SECONDS (24 * 3600)
#define HANDS_LISTED 10
#define FEEDBACK_SHOWN_FROM 3

/* ---------------------------------------------------------------- local calendar */

int tend_sched_local(const char *zone, int64_t t, tend_sched_date *date, int *minute, int *weekday)
{
    struct tm tm;
    if (tend_tz_local(zone, t, &tm) != 0)
        return -1;
    if (date) {
        date->year = tm.tm_year + 1900;
        date->month = tm.tm_mon + 1;
        date->day = tm.tm_mday;
    }
    if (minute)
        *minute = tm.tm_hour * 60 + tm.tm_min;
    if (weekday)
        *weekday = tm.tm_wday;
    return 0;
}

/* Plain calendar arithmetic: noon UTC of the date never meets a zone's oddities. */
static struct tm date_noon(tend_sched_date d, int days)
{
    struct tm tm = {0};
    tm.tm_year = d.year - 1900;
    tm.tm_mon = d.month - 1;
    tm.tm_mday = d.day + days;
    tm.tm_hour = 12;
    time_t t = timegm(&tm);
    struct tm out;
    gmtime_r(&t, &out);
    return out;
}

tend_sched_date tend_sched_date_add(tend_sched_date d, int days)
{
    struct tm tm = date_noon(d, days);
    return (tend_sched_date){tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday};
}

int tend_sched_weekday(tend_sched_date d)
{
    return date_noon(d, 0).tm_wday;
}

int tend_sched_at(const char *zone, tend_sched_date d, int minute, int64_t *out)
{
    return tend_tz_to_utc(zone, d.year, d.month, d.day, minute / 60, minute % 60, out);
}

const char *tend_sched_group_zone(const tend_group *g)
{
    return tend_tz_valid(g->timezone) ? g->timezone : "UTC";
}

const char *tend_sched_member_zone(const tend_group *g, const tend_member *m)
{
    return m->timezone[0] && tend_tz_valid(m->timezone) ? m->timezone : tend_sched_group_zone(g);
}

static bool has_quiet_hours(const tend_member *m)
{
    return m->quiet_start >= 0 && m->quiet_end >= 0 && m->quiet_start < 1440 && m->quiet_end < 1440 &&
           m->quiet_start != m->quiet_end;
}

static bool minute_is_quiet(const tend_member *m, int minute)
{
    if (m->quiet_start < m->quiet_end)
        return minute >= m->quiet_start && minute < m->quiet_end;
    return minute >= m->quiet_start || minute < m->quiet_end; /* across midnight: 22:00-07:00 */
}

bool tend_sched_is_quiet(const tend_group *g, const tend_member *m, int64_t t)
{
    int minute;
    if (!has_quiet_hours(m) || tend_sched_local(tend_sched_member_zone(g, m), t, NULL, &minute, NULL))
        return false;
    return minute_is_quiet(m, minute);
}

int64_t tend_sched_quiet_over(const tend_group *g, const tend_member *m, int64_t t)
{
    if (!tend_sched_is_quiet(g, m, t))
        return t;
    const char *zone = tend_sched_member_zone(g, m);
    tend_sched_date today;
    int minute;
    if (tend_sched_local(zone, t, &today, &minute, NULL))
        return t;
    /* the quiet stretch ends today, or tomorrow when we are in its evening half */
    tend_sched_date end_day = minute < m->quiet_end ? today : tend_sched_date_add(today, 1);
    int64_t end;
    if (tend_sched_at(zone, end_day, m->quiet_end, &end) || end <= t)
        return t + 60;
    return end;
}

/* ---------------------------------------------------------------- messages and transactions */

static tend_message *vadd(tend_messages *out, tend_audience audience, const tend_group *g,
                          const tend_member *m, const char *kind, const char *fmt, va_list ap)
{
    char *text = NULL;
    if (vasprintf(&text, fmt, ap) < 0)
        return NULL;
    tend_message *msg = tend_messages_add(out, audience, g->key, m ? m->key : NULL, m ? m->name : NULL,
                                          kind, "%s", text);
    free(text);
    if (msg && audience == TEND_TO_PUBLIC && g->channel_key[0] &&
        tend_message_set_channel(msg, g->channel_key) != 0)
        return NULL;
    return msg;
}

tend_message *tend_sched_post(tend_messages *out, const tend_group *g, const char *kind, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    tend_message *msg = vadd(out, TEND_TO_PUBLIC, g, NULL, kind, fmt, ap);
    va_end(ap);
    return msg;
}

tend_message *tend_sched_dm(tend_messages *out, const tend_group *g, const tend_member *m,
                            const char *kind, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    tend_message *msg = vadd(out, TEND_TO_DM, g, m, kind, fmt, ap);
    va_end(ap);
    return msg;
}

int tend_sched_begin(const tend_env *env)
{
    int rc = tend_store_begin(env->store);
    if (rc != TEND_STORE_OK)
        tend_log(TEND_LOG_WARN, "scheduler", "cannot start a transaction: %s",
                 tend_store_errmsg(env->store));
    return rc;
}

int tend_sched_end(const tend_env *env, int rc, const char *what, tend_messages *out, size_t mark)
{
    if (rc == TEND_STORE_OK) {
        rc = tend_store_commit(env->store);
        if (rc == TEND_STORE_OK)
            return rc;
    }
    tend_log(TEND_LOG_WARN, "scheduler", "%s did not happen, will retry: %s", what,
             tend_store_errmsg(env->store));
    tend_store_rollback(env->store);
    tend_messages_truncate(out, mark);
    return rc == TEND_STORE_OK ? TEND_STORE_ERROR : rc;
}

/* ---------------------------------------------------------------- occurrences */

typedef enum { SCHED_CHECKIN, SCHED_PROCESS, SCHED_DIGEST } sched_kind;

static const char *const kind_names[] = {"checkin", "process", "digest"};

typedef struct {
    sched_kind kind;
    tend_sched_date date;  /* local date of the occurrence */
    int64_t due;
    int64_t prev_due;      /* the occurrence before it (the digest's week starts there) */
    char slot[64]; /* "YYYY-MM-DD HH:MM" needs 17; room for what the compiler cannot bound */
} occurrence;

/* The group's weekly schedule for this kind: weekday and minute. -1 when it does not parse. */
static int schedule_of(const tend_group *g, sched_kind kind, int *weekday, int *minute)
{
    const char *text = kind == SCHED_DIGEST ? g->digest_at : g->checkin_at;
    return tend_parse_weekly(text, weekday, minute);
}

static tend_sched_date first_weekday_of_month(int year, int month, int weekday)
{
    tend_sched_date d = {year, month, 1};
    return tend_sched_date_add(d, (weekday - tend_sched_weekday(d) + 7) % 7);
}

/* The occurrence `step` periods away from the one on or after local date `from` (step 0) — a
 * week for the weekly kinds, a month for the process check-in. */
static int occurrence_near(const tend_group *g, sched_kind kind, tend_sched_date from, int step,
                           occurrence *o)
{
    int weekday, minute;
    if (schedule_of(g, kind, &weekday, &minute))
        return -1;
    const char *zone = tend_sched_group_zone(g);
    memset(o, 0, sizeof *o);
    o->kind = kind;
    if (kind == SCHED_PROCESS) {
        int months = from.year * 12 + (from.month - 1) + step;
        o->date = first_weekday_of_month(months / 12, months % 12 + 1, weekday);
        snprintf(o->slot, sizeof o->slot, "%04d-%02d", o->date.year, o->date.month);
    } else {
        int ahead = (weekday - tend_sched_weekday(from) + 7) % 7;
        o->date = tend_sched_date_add(from, ahead + 7 * step);
        snprintf(o->slot, sizeof o->slot, "%04d-%02d-%02d %02d:%02d", o->date.year, o->date.month,
                 o->date.day, minute / 60, minute % 60);
    }
    if (tend_sched_at(zone, o->date, minute, &o->due) ||
        tend_sched_at(zone, tend_sched_date_add(o->date, -7), minute, &o->prev_due))
        return -1;
    return 0;
}

/* The latest occurrence at or before now (latest = 1) or the first after now (latest = 0). */
static int occurrence_around(const tend_group *g, sched_kind kind, int64_t now, int latest, occurrence *o)
{
    tend_sched_date today;
    if (tend_sched_local(tend_sched_group_zone(g), now, &today, NULL, NULL))
        return -1;
    if (kind == SCHED_PROCESS)
        today.day = 1; /* months step from the month's start */
    else
        today = tend_sched_date_add(today, -7);
    occurrence found = {0};
    bool have = false;
    for (int step = 0; step < 4; step++) {
        occurrence c;
        if (occurrence_near(g, kind, today, step - (kind == SCHED_PROCESS ? 1 : 0), &c))
            return -1;
        if (latest && c.due <= now) {
            found = c;
            have = true;
        } else if (!latest && c.due > now) {
            *o = c;
            return 0;
        }
    }
    if (!have)
        return -1;
    *o = found;
    return 0;
}

typedef enum { OCC_NOTHING, OCC_FIRE, OCC_SKIP } occ_action;

/* What to do about the latest occurrence of `kind` at now. TEND_STORE_OK or an error. */
static int decide(const tend_env *env, const tend_group *g, sched_kind kind, int64_t now, occurrence *o,
                  occ_action *action)
{
    *action = OCC_NOTHING;
    if (occurrence_around(g, kind, now, 1, o) || o->due < g->created_at)
        return TEND_STORE_OK;
    int rc = tend_store_fired_get(env->store, g->id, kind_names[kind], o->slot, NULL);
    if (rc == TEND_STORE_OK)
        return TEND_STORE_OK;
    if (rc != TEND_STORE_NOTFOUND)
        return rc;
    *action = now - o->due <= (int64_t)env->settings->grace_hours * 3600 ? OCC_FIRE : OCC_SKIP;
    return TEND_STORE_OK;
}

/* ---------------------------------------------------------------- what each occurrence says */

typedef struct {
    tend_message *msg;
    int count;
    const char *header;
} task_lines;

static int add_task_line(const tend_task *t, void *ud)
{
    task_lines *l = ud;
    char line[TEND_TITLE_MAX + 128];
    tend_task_describe(t, line, sizeof line);
    if ((l->count == 0 && tend_message_appendf(l->msg, "%s", l->header) != 0) ||
        tend_message_appendf(l->msg, MSG_SCHED_TASK_LINE, line) != 0)
        return 1;
    l->count++;
    return 0;
}

static int list_needing_hands(const tend_env *env, const tend_group *g, tend_message *msg)
{
    task_lines l = {msg, 0, MSG_SCHED_NEEDS_HANDS};
    int rc = tend_store_tasks_needing_hands(env->store, g->id, HANDS_LISTED, add_task_line, &l);
    if (rc == TEND_STORE_OK && l.count == HANDS_LISTED &&
        tend_message_appendf(msg, MSG_SCHED_MORE_TASKS) != 0)
        return TEND_STORE_ERROR;
    return rc;
}

static int say_checkin_prompt(const tend_env *env, const tend_group *g, tend_messages *out)
{
    tend_message *msg = tend_sched_post(out, g, "checkin.prompt", MSG_SCHED_CHECKIN_PROMPT);
    if (!msg || tend_message_add_button(msg, MSG_SCHED_BTN_GREAT, "🌟", "checkin great") ||
        tend_message_add_button(msg, MSG_SCHED_BTN_OK, "👍", "checkin ok") ||
        tend_message_add_button(msg, MSG_SCHED_BTN_LOW, "🪫", "checkin low") ||
        tend_message_add_button(msg, MSG_SCHED_BTN_OUT, "🛌", "checkin out"))
        return TEND_STORE_ERROR;
    return list_needing_hands(env, g, msg);
}

/* ---- digest */

typedef struct {
    const tend_env *env;
    tend_message *msg;
    int count;
    char names[1024];
} digest_part;

static int add_done_line(const tend_task *t, void *ud)
{
    digest_part *p = ud;
    if ((p->count == 0 && tend_message_appendf(p->msg, MSG_SCHED_DIGEST_DONE) != 0) ||
        tend_message_appendf(p->msg, MSG_SCHED_DIGEST_DONE_LINE, t->number, t->title) != 0)
        return 1;
    p->count++;
    return 0;
}

static const char *name_of(const tend_env *env, int64_t member_id, tend_member *m)
{
    if (tend_store_member_by_id(env->store, member_id, m) != TEND_STORE_OK)
        snprintf(m->name, sizeof m->name, "someone");
    return m->name;
}

static int add_thanks_line(const tend_thanks *t, void *ud)
{
    digest_part *p = ud;
    tend_member from, to;
    /* names as plain text: the digest celebrates, it pings nobody */
    if ((p->count == 0 && tend_message_appendf(p->msg, MSG_SCHED_DIGEST_THANKS) != 0) ||
        tend_message_appendf(p->msg, MSG_SCHED_DIGEST_THANKS_LINE, name_of(p->env, t->from_member, &from),
                             name_of(p->env, t->to_member, &to)) != 0 ||
        (t->reason[0] && tend_message_appendf(p->msg, MSG_SCHED_DIGEST_THANKS_FOR, t->reason) != 0))
        return 1;
    p->count++;
    return 0;
}

static int add_welcome_name(const tend_rest *r, void *ud)
{
    digest_part *p = ud;
    tend_member m;
    if (tend_store_member_by_id(p->env->store, r->member_id, &m) != TEND_STORE_OK || m.forgotten ||
        strstr(p->names, m.name))
        return 0; /* names only, once each; a rest's reason never appears here */
    size_t len = strlen(p->names);
    snprintf(p->names + len, sizeof p->names - len, "%s%s", len ? ", " : "", m.name);
    p->count++;
    return 0;
}

static int say_digest(const tend_env *env, const tend_group *g, const occurrence *o, tend_messages *out)
{
    tend_message *msg = tend_sched_post(out, g, "digest", MSG_SCHED_DIGEST_TITLE);
    if (!msg)
        return TEND_STORE_ERROR;
    digest_part done = {env, msg, 0, ""}, thanks = {env, msg, 0, ""}, back = {env, msg, 0, ""};
    int rc = tend_store_tasks_done_between(env->store, g->id, o->prev_due, o->due, add_done_line, &done);
    if (rc == TEND_STORE_OK)
        rc = tend_store_thanks_between(env->store, g->id, o->prev_due, o->due, add_thanks_line, &thanks);
    if (rc == TEND_STORE_OK)
        rc = tend_store_rests_ended_between(env->store, g->id, o->prev_due, o->due, add_welcome_name, &back);
    if (rc != TEND_STORE_OK)
        return rc;
    if (back.count && tend_message_appendf(msg, MSG_SCHED_DIGEST_WELCOMES, back.names) != 0)
        return TEND_STORE_ERROR;
    if (!done.count && !thanks.count && !back.count && tend_message_appendf(msg, MSG_SCHED_DIGEST_QUIET) != 0)
        return TEND_STORE_ERROR;
    rc = list_needing_hands(env, g, msg);
    if (rc == TEND_STORE_OK && tend_load_concentrated(env->store, g, o->due - 30LL * DAY_SECONDS) &&
        tend_message_appendf(msg, MSG_SCHED_DIGEST_SHARE) != 0)
        return TEND_STORE_ERROR;
    return rc;
}

/* ---- monthly process check-in */

static int add_feedback_line(const tend_feedback *f, void *ud)
{
    task_lines *l = ud;
    if ((l->count == 0 && tend_message_appendf(l->msg, "%s", l->header) != 0) ||
        tend_message_appendf(l->msg, MSG_SCHED_PROCESS_FEEDBACK_LINE, f->text) != 0)
        return 1;
    l->count++;
    return 0;
}

/* The anonymous suggestions, only once there are at least 3 unshown, so no one can be singled out;
 * shown ones are marked in the same transaction as the post. */
static int show_feedback_when_enough(const tend_env *env, const tend_group *g, tend_message *msg)
{
    int unshown = 0;
    int rc = tend_store_feedback_unshown_count(env->store, g->id, &unshown);
    if (rc != TEND_STORE_OK || unshown < FEEDBACK_SHOWN_FROM)
        return rc;
    task_lines l = {msg, 0, MSG_SCHED_PROCESS_FEEDBACK};
    rc = tend_store_feedback_unshown_each(env->store, g->id, add_feedback_line, &l);
    if (rc == TEND_STORE_OK && l.count < unshown)
        rc = TEND_STORE_ERROR; /* out of memory half-way: try the whole post again */
    if (rc == TEND_STORE_OK)
        rc = tend_store_feedback_mark_shown(env->store, g->id);
    return rc;
}

static int say_process_checkin(const tend_env *env, const tend_group *g, tend_messages *out)
{
    tend_message *msg = tend_sched_post(out, g, "process", MSG_SCHED_PROCESS);
    if (!msg)
        return TEND_STORE_ERROR;
    return show_feedback_when_enough(env, g, msg);
}

/* ---------------------------------------------------------------- firing */

static int fire(const tend_env *env, const tend_group *g, sched_kind kind, int64_t now, tend_messages *out)
{
    occurrence o;
    occ_action action;
    int rc = decide(env, g, kind, now, &o, &action);
    if (rc != TEND_STORE_OK || action == OCC_NOTHING)
        return rc;
    size_t mark = out->count;
    if ((rc = tend_sched_begin(env)) != TEND_STORE_OK)
        return rc;
    /* another process sharing the database may have fired it since decide() looked */
    rc = tend_store_fired_record(env->store, g->id, kind_names[kind], o.slot, now);
    if (rc == TEND_STORE_EXISTS) {
        tend_store_rollback(env->store);
        return TEND_STORE_OK;
    }
    if (rc == TEND_STORE_OK && action == OCC_SKIP) {
        char detail[96];
        snprintf(detail, sizeof detail, "%s %s", kind_names[kind], o.slot);
        rc = tend_store_audit(env->store, g->id, 0, "schedule.skipped", detail, now);
    } else if (rc == TEND_STORE_OK) {
        if (kind == SCHED_CHECKIN)
            rc = say_checkin_prompt(env, g, out);
        else if (kind == SCHED_PROCESS)
            rc = say_process_checkin(env, g, out);
        else
            rc = say_digest(env, g, &o, out);
    }
    return tend_sched_end(env, rc, kind_names[kind], out, mark);
}

typedef struct {
    const tend_env *env;
    int64_t now;
    tend_messages *out;
    int failed;
    int64_t next;
} group_walk;

static int tick_group(const tend_group *g, void *ud)
{
    group_walk *w = ud;
    if (!tend_env_serves(w->env, g->key))
        return 0; /* nobody here could deliver it: leave it for the process that can */
    /* rests first, so someone back today is not skipped by what follows */
    int rc[] = {
        tend_sched_members_tick(w->env, g, w->now, w->out),
        fire(w->env, g, SCHED_CHECKIN, w->now, w->out),
        fire(w->env, g, SCHED_PROCESS, w->now, w->out),
        fire(w->env, g, SCHED_DIGEST, w->now, w->out),
        tend_sched_repeats_tick(w->env, g, w->now, w->out),
    };
    for (size_t i = 0; i < sizeof rc / sizeof rc[0]; i++)
        if (rc[i] != TEND_STORE_OK)
            w->failed = 1;
    return 0;
}

int tend_scheduler_tick(const tend_env *env, int64_t now, tend_messages *out)
{
    group_walk w = {env, now, out, 0, 0};
    if (tend_store_groups_each(env->store, tick_group, &w) != TEND_STORE_OK)
        return -1;
    return w.failed ? -1 : 0;
}

int tend_scheduler_after_command(const tend_env *env, const char *group_key, const char *member_key,
                                 int64_t now, tend_messages *out)
{
    tend_group g;
    int rc = tend_store_group_get(env->store, group_key, &g);
    if (rc == TEND_STORE_OK && tend_env_serves(env, g.key))
        rc = tend_sched_member_nudge(env, &g, member_key, now, out);
    return rc == TEND_STORE_OK || rc == TEND_STORE_NOTFOUND ? 0 : -1;
}

static int64_t group_schedule_next(const tend_env *env, const tend_group *g, sched_kind kind, int64_t now)
{
    occurrence o;
    occ_action action;
    if (decide(env, g, kind, now, &o, &action) != TEND_STORE_OK)
        return now + 60; /* the store is unwell: look again in a minute */
    if (action != OCC_NOTHING)
        return now;
    return occurrence_around(g, kind, now, 0, &o) == 0 ? o.due : INT64_MAX;
}

static int next_of_group(const tend_group *g, void *ud)
{
    group_walk *w = ud;
    if (!tend_env_serves(w->env, g->key))
        return 0;
    int64_t times[] = {
        group_schedule_next(w->env, g, SCHED_CHECKIN, w->now),
        group_schedule_next(w->env, g, SCHED_PROCESS, w->now),
        group_schedule_next(w->env, g, SCHED_DIGEST, w->now),
        tend_sched_members_next(w->env, g, w->now),
        tend_sched_repeats_next(w->env, g, w->now),
    };
    for (size_t i = 0; i < sizeof times / sizeof times[0]; i++)
        if (times[i] < w->next)
            w->next = times[i];
    return w->next <= w->now; /* nothing can be sooner than now */
}

int64_t tend_scheduler_next_due(const tend_env *env, int64_t now)
{
    /* with no group at all, nothing is scheduled: look again in a week */
    group_walk w = {env, now, NULL, 0, now + 7LL * DAY_SECONDS};
    if (tend_store_groups_each(env->store, next_of_group, &w) != TEND_STORE_OK)
        return now + 60;
    return w.next < now ? now : w.next;
}
