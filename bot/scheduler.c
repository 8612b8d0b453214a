/*
 * scheduler.c — what the bot does on its own: the weekly check-in prompt and digest, the monthly
 * process check-in and weekly repeats of each group; the member events (schedule_members.c) and
 * what the posts say (schedule_posts.c) have their own files.
 *
 * A tick visits only what is due. Each group has a look time in the store (schedule_due): the
 * earliest of its next prompt, digest, process check-in and weekly repeat. A tick looks at the
 * groups whose time has come, fires what is due, and stores the next time; a changed setting, a
 * new group or a weekly task done or added resets the time to "now" in the store itself (triggers,
 * migration 3). tend_scheduler_next_due is the minimum of a few indexed look times. A tick does at
 * most a budget of things (tend_scheduler_tick_some), so a minute in which 10,000 groups' prompts
 * fall is worked off in slices with the loop's I/O in between.
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
#include "bot/language.h"
#include "bot/scheduler.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bot/fillin.h"
#include "bot/load.h"
#include "lib/log.h"
#include "lib/metrics.h"
#include "bot/messages.h"
#include "bot/outbox.h"
#include "bot/parse.h"
#include "bot/schedule_internal.h"
#include "bot/tasks.h"
#include "bot/tz.h"

#define DAY_SECONDS (24 * 3600)

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
    if (!has_quiet_hours(m) || tend_sched_local(tend_tz_of_member(g, m), t, NULL, &minute, NULL))
        return false;
    return minute_is_quiet(m, minute);
}

int64_t tend_sched_quiet_over(const tend_group *g, const tend_member *m, int64_t t)
{
    if (!tend_sched_is_quiet(g, m, t))
        return t;
    const char *zone = tend_tz_of_member(g, m);
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
    /* the group reads the group's language; a member their own */
    const char *lang = audience == TEND_TO_PUBLIC ? g->language : tend_lang_of_member(g, m);
    tend_message *msg = tend_messages_vadd_lang(out, lang, audience, g->key, m ? m->key : NULL,
                                                m ? m->name : NULL, kind, fmt, ap);
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
    /* what fired and what it says land together: a crash after the commit cannot lose the post */
    if (rc == TEND_STORE_OK)
        rc = tend_outbox_write(env, out, mark, tend_clock_now(env->clock));
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
    const char *zone = tend_tz_of_group(g);
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
    if (tend_sched_local(tend_tz_of_group(g), now, &today, NULL, NULL))
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

static const tend_metric_def scheduled_posts = {
    "tend_scheduled_posts_total",
    "Scheduled group posts (check-in, digest, process) fired, or skipped as too late to matter.",
    TEND_METRIC_COUNTER, {"kind", "outcome"}};

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
            rc = tend_sched_say_checkin(env, g, now, out);
        else if (kind == SCHED_PROCESS)
            rc = tend_sched_say_process(env, g, out);
        else
            rc = tend_sched_say_digest(env, g, o.prev_due, o.due, now, out);
    }
    rc = tend_sched_end(env, rc, kind_names[kind], out, mark);
    if (rc == TEND_STORE_OK)
        tend_metric_add(&scheduled_posts, kind_names[kind], action == OCC_SKIP ? "skipped" : "fired", 1);
    return rc;
}

/* ---------------------------------------------------------------- budget, platforms, groups */

bool tend_sched_spend(tend_sched_budget *b)
{
    if (b->left == 0) {
        b->exhausted = true;
        return false;
    }
    b->left--;
    return true;
}

void tend_sched_platforms(const tend_env *env, tend_store_platforms *p)
{
    memset(p, 0, sizeof *p);
    for (size_t i = 0; i < env->n_platforms && i < TEND_STORE_PLATFORMS_MAX; i++)
        p->names[p->n++] = env->platforms[i];
}

const tend_group *tend_sched_group(const tend_env *env, tend_sched_group_cache *cache, int64_t group_id)
{
    if (cache->have && cache->g.id == group_id)
        return &cache->g;
    cache->have = tend_store_group_by_id(env->store, group_id, &cache->g) == TEND_STORE_OK;
    if (cache->have)
        tend_lang_scope_group(&cache->g); /* pieces of its sentences are in its language */
    return cache->have ? &cache->g : NULL;
}

/* ---------------------------------------------------------------- the group schedule */

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

/* When the group's schedule next needs a look: its earliest prompt, digest, process check-in or
 * weekly repeat that has not happened yet. */
static int64_t group_next(const tend_env *env, const tend_group *g, int64_t now)
{
    int64_t times[] = {
        group_schedule_next(env, g, SCHED_CHECKIN, now),
        group_schedule_next(env, g, SCHED_PROCESS, now),
        group_schedule_next(env, g, SCHED_DIGEST, now),
        tend_sched_repeats_next(env, g, now),
        tend_rotation_next(env, g, now),
        tend_backups_next(env, g, now),
    };
    int64_t best = INT64_MAX;
    for (size_t i = 0; i < sizeof times / sizeof times[0]; i++)
        if (times[i] < best)
            best = times[i];
    return best;
}

typedef struct {
    int64_t group_id;
    int64_t next;
} group_look;

typedef struct {
    const tend_env *env;
    int64_t now;
    tend_messages *out;
    int failed;
    group_look *looked;
    size_t n_looked;
} group_walk;

/* Fires what is due in one group, then works out when to look at it again. */
static int visit_group(const tend_store_due_item *item, void *ud)
{
    group_walk *w = ud;
    tend_group g;
    int rc = tend_store_group_by_id(w->env->store, item->group_id, &g);
    if (rc != TEND_STORE_OK || !tend_env_serves(w->env, g.key)) {
        w->failed |= rc != TEND_STORE_OK;
        return 0; /* not ours: the process that serves its platform looks after it */
    }
    tend_lang_scope_group(&g);
    int fired[] = {
        fire(w->env, &g, SCHED_CHECKIN, w->now, w->out),
        fire(w->env, &g, SCHED_PROCESS, w->now, w->out),
        fire(w->env, &g, SCHED_DIGEST, w->now, w->out),
        tend_sched_repeats_tick(w->env, &g, w->now, w->out),
        tend_rotation_tick(w->env, &g, w->now, w->out), /* rotation.c: offers unanswered for a day */
        tend_backups_tick(w->env, &g, w->now, w->out),  /* backups.c: "could use a hand"        */
    };
    for (size_t i = 0; i < sizeof fired / sizeof fired[0]; i++)
        if (fired[i] != TEND_STORE_OK)
            w->failed = 1;
    w->looked[w->n_looked++] = (group_look){g.id, group_next(w->env, &g, w->now)};
    return 0;
}

/* The look times of the groups just visited, in one transaction. */
static int save_group_looks(const tend_env *env, const group_walk *w)
{
    if (w->n_looked == 0)
        return TEND_STORE_OK;
    int rc = tend_store_begin(env->store);
    for (size_t i = 0; rc == TEND_STORE_OK && i < w->n_looked; i++)
        rc = tend_store_schedule_group_set(env->store, w->looked[i].group_id, w->looked[i].next);
    if (rc == TEND_STORE_OK && (rc = tend_store_commit(env->store)) == TEND_STORE_OK)
        return rc;
    tend_log(TEND_LOG_WARN, "scheduler", "cannot record when to look at groups again: %s",
             tend_store_errmsg(env->store));
    tend_store_rollback(env->store);
    return rc;
}

static int groups_tick(const tend_env *env, int64_t now, tend_sched_budget *budget, tend_messages *out)
{
    if (budget->left == 0) {
        budget->exhausted = true; /* cannot tell whether a group is due without asking: assume so */
        return TEND_STORE_OK;
    }
    size_t limit = budget->left < 4096 ? budget->left : 4096;
    group_walk w = {env, now, out, 0, calloc(limit, sizeof(group_look)), 0};
    if (!w.looked)
        return TEND_STORE_ERROR;
    tend_store_platforms p;
    tend_sched_platforms(env, &p);
    int rc = tend_store_schedule_groups_due(env->store, &p, now, (int)limit, visit_group, &w);
    if (rc == TEND_STORE_OK && !w.failed)
        rc = save_group_looks(env, &w); /* after a failure they stay due and are looked at again */
    budget->left -= w.n_looked;
    if (w.n_looked == limit)
        budget->exhausted = true;
    free(w.looked);
    return rc != TEND_STORE_OK ? rc : w.failed ? TEND_STORE_ERROR : TEND_STORE_OK;
}

/* ---------------------------------------------------------------- the scheduler's interface */

int tend_scheduler_tick_some(const tend_env *env, int64_t now, size_t budget, tend_messages *out)
{
    tend_sched_budget b = {budget, false};
    /* member events first, so someone whose rest ends today is back before today's prompt */
    int rc = tend_sched_members_tick(env, now, &b, out);
    int rc2 = groups_tick(env, now, &b, out);
    if (rc != TEND_STORE_OK || rc2 != TEND_STORE_OK)
        return -1;
    return b.exhausted ? 1 : 0;
}

int tend_scheduler_tick(const tend_env *env, int64_t now, tend_messages *out)
{
    /* everything due, in slices, for callers that do not keep a loop responsive (tests, tools) */
    int rc;
    int rounds = 0;
    while ((rc = tend_scheduler_tick_some(env, now, TEND_SCHEDULER_SLICE, out)) == 1 && ++rounds < 100000)
        ;
    return rc < 0 ? -1 : 0;
}

int tend_scheduler_after_command(const tend_env *env, const char *group_key, const char *member_key,
                                 int64_t now, tend_messages *out)
{
    tend_group g;
    int rc = group_key && member_key ? tend_store_group_get(env->store, group_key, &g) : TEND_STORE_NOTFOUND;
    if (rc == TEND_STORE_OK && tend_env_serves(env, g.key))
        rc = tend_sched_member_nudge(env, &g, member_key, now, out);
    return rc == TEND_STORE_OK || rc == TEND_STORE_NOTFOUND ? 0 : -1;
}

int64_t tend_scheduler_next_due(const tend_env *env, int64_t now)
{
    /* with nothing scheduled at all, look again in a week */
    int64_t best = now + 7LL * DAY_SECONDS, at;
    tend_store_platforms p;
    tend_sched_platforms(env, &p);
    int rc = tend_store_schedule_groups_next(env->store, &p, &at);
    if (rc == TEND_STORE_OK && at < best)
        best = at;
    else if (rc != TEND_STORE_OK && rc != TEND_STORE_NOTFOUND)
        return now + 60; /* the store is unwell: look again in a minute */
    at = tend_sched_members_next(env, now);
    if (at < best)
        best = at;
    return best < now ? now : best;
}
