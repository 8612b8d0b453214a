/*
 * schedule_members.c — the scheduler's member events, across every group at once: a rest that ends
 * (a private welcome back), a claim untouched for a while (a private "still on it?"), and the load
 * nudge. Each is one indexed query for what is due, never a walk over every member.
 *
 * A claim on a task with a time gets no "still on it?": its reminder and its "did it happen?" do
 * that job (schedule_alerts.c).
 *
 * Rules: a nudge goes to a member whose load (load.h) is over their own capacity, at most once in
 * 7 days, never while they rest, never with nudges off, and never in their quiet hours (in their
 * own zone, else the group's); one held back by quiet hours goes out when they end. The stale-claim
 * reminder also waits out quiet hours. Each is recorded (nudges row, claim reminded_at, rest ended)
 * in the same transaction as its message.
 *
 * A load only rises through a new or promoted active claim, and the verdict changes only with the
 * member's capacity, nudge switch, quiet hours, zone or rest: the store marks the member's nudge
 * "look now" on each of those (migration 3), and a look either sends the nudge, records when it may
 * go out (quiet hours, a rest, the once-a-week rule), or finds none called for and forgets it.
 */
#include <stdio.h>

#include "bot/fillin.h"
#include "bot/load.h"
#include "bot/messages.h"
#include "bot/rest.h"
#include "bot/schedule_internal.h"

#define DAY_SECONDS (24 * 3600)
#define NUDGE_KIND "load"
#define NUDGE_EVERY (7LL * DAY_SECONDS)

static bool can_hear(const tend_member *m)
{
    return !m->forgotten && m->key[0];
}

/* ---------------------------------------------------------------- rests that end */

static int end_rest(const tend_env *env, const tend_group *g, int64_t rest_id, int64_t member_id, int64_t now,
                    tend_messages *out)
{
    size_t mark = out->count;
    int rc = tend_sched_begin(env);
    if (rc != TEND_STORE_OK)
        return rc;
    tend_rest current;
    tend_member m;
    rc = tend_store_rest_current(env->store, member_id, &current);
    if (rc == TEND_STORE_NOTFOUND || (rc == TEND_STORE_OK && current.id != rest_id)) {
        tend_store_rollback(env->store); /* ended meanwhile (/back, another process) */
        return TEND_STORE_OK;
    }
    if (rc == TEND_STORE_OK)
        rc = tend_store_member_by_id(env->store, member_id, &m);
    if (rc == TEND_STORE_OK)
        rc = tend_store_rest_end(env->store, rest_id, true, now);
    tend_message *welcome = NULL;
    if (rc == TEND_STORE_OK && can_hear(&m) &&
        (!(welcome = tend_sched_dm(out, g, &m, "welcome", MSG_SCHED_WELCOME)) || tend_rest_offer_hello(welcome) != 0))
        rc = TEND_STORE_ERROR;
    return tend_sched_end(env, rc, "a welcome back", out, mark);
}

/* What a walk over due items shares. */
typedef struct {
    const tend_env *env;
    int64_t now;
    tend_sched_budget *budget;
    tend_messages *out;
    tend_sched_group_cache groups;
    int rc;
    int64_t next; /* next_due's walk: the earliest time found */
} member_walk;

static void walk_failed(member_walk *w, int rc)
{
    if (rc != TEND_STORE_OK && w->rc == TEND_STORE_OK)
        w->rc = rc;
}

/* The budget's room plus one: the extra row tells that more is due than this slice may do. */
static int budget_limit(const tend_sched_budget *b)
{
    return b->left < 100000 ? (int)b->left + 1 : 100001;
}

static int end_due_rest(const tend_store_due_item *it, void *ud)
{
    member_walk *w = ud;
    if (!tend_sched_spend(w->budget))
        return 1;
    const tend_group *g = tend_sched_group(w->env, &w->groups, it->group_id);
    walk_failed(w, g ? end_rest(w->env, g, it->id, it->member_id, w->now, w->out) : TEND_STORE_ERROR);
    return 0;
}

static int rests_tick(member_walk *w, const tend_store_platforms *p)
{
    int rc = tend_store_rests_due_all(w->env->store, p, w->now, budget_limit(w->budget), end_due_rest, w);
    return rc != TEND_STORE_OK ? rc : w->rc;
}

/* ---------------------------------------------------------------- stale claims */

static int64_t stale_after(const tend_env *env)
{
    return (int64_t)env->settings->stale_claim_days * DAY_SECONDS;
}

static int remind_claim(const tend_env *env, const tend_group *g, const tend_member *m,
                        const tend_store_due_item *c, int64_t now, tend_messages *out)
{
    size_t mark = out->count;
    int rc = tend_sched_begin(env);
    if (rc != TEND_STORE_OK)
        return rc;
    tend_claim now_claim;
    tend_task t;
    rc = tend_store_claim_current(env->store, c->task_id, c->member_id, &now_claim);
    if (rc == TEND_STORE_NOTFOUND || (rc == TEND_STORE_OK && (now_claim.id != c->id || now_claim.reminded_at))) {
        tend_store_rollback(env->store);
        return TEND_STORE_OK;
    }
    if (rc == TEND_STORE_OK)
        rc = tend_store_task_by_id(env->store, c->task_id, &t);
    if (rc == TEND_STORE_OK)
        rc = tend_store_claim_mark_reminded(env->store, c->id, now);
    /* a task with a time has its own reminder before it and "did it happen?" after it
     * (schedule_alerts.c): a "still on it?" on top would be a third note about one task */
    bool asked_instead = rc == TEND_STORE_OK && t.over_at;
    if (rc == TEND_STORE_OK && can_hear(m) && !asked_instead) {
        char unclaim[32], keep[32];
        snprintf(unclaim, sizeof unclaim, "unclaim %d", t.number);
        snprintf(keep, sizeof keep, "keep %d", t.number);
        tend_message *msg = tend_sched_dm(out, g, m, "claim.stale", MSG_SCHED_STALE, t.number, t.title);
        if (!msg || tend_message_add_button(msg, MSG_SCHED_BTN_STILL_ON_IT, "💪", keep) ||
            tend_message_add_button(msg, MSG_SCHED_BTN_UNCLAIM, "↩️", unclaim))
            rc = TEND_STORE_ERROR;
    }
    return tend_sched_end(env, rc, "a claim reminder", out, mark);
}

/* A stale claim whose member is in quiet hours waits for their end: walked again each tick (a
 * handful at most, those who went quiet with a claim gone stale), never written. */
static int remind_stale(const tend_store_due_item *it, void *ud)
{
    member_walk *w = ud;
    tend_member m;
    const tend_group *g = tend_sched_group(w->env, &w->groups, it->group_id);
    int rc = g ? tend_store_member_by_id(w->env->store, it->member_id, &m) : TEND_STORE_ERROR;
    if (rc != TEND_STORE_OK) {
        walk_failed(w, rc);
        return 0;
    }
    if (tend_sched_is_quiet(g, &m, w->now))
        return 0;
    if (!tend_sched_spend(w->budget))
        return 1;
    walk_failed(w, remind_claim(w->env, g, &m, it, w->now, w->out));
    return 0;
}

static int stale_tick(member_walk *w, const tend_store_platforms *p)
{
    int rc = tend_store_claims_stale_all(w->env->store, p, w->now - stale_after(w->env), 0, remind_stale, w);
    return rc != TEND_STORE_OK ? rc : w->rc;
}

/* ---------------------------------------------------------------- nudges */

/* When m may next be nudged, given their load at now: *when (<= now when due already), or
 * TEND_STORE_NOTFOUND when no nudge is called for. */
static int nudge_time(const tend_env *env, const tend_group *g, const tend_member *m, int64_t now,
                      tend_load *load, int64_t *when)
{
    if (!m->nudges || !can_hear(m))
        return TEND_STORE_NOTFOUND;
    int rc = tend_load_of(env->store, g, m, now, load);
    if (rc != TEND_STORE_OK)
        return rc;
    if (!tend_load_is_over(load))
        return TEND_STORE_NOTFOUND;
    int64_t t = now, last;
    if (m->resting_until > t)
        t = m->resting_until;
    rc = tend_store_nudge_last(env->store, m->id, NUDGE_KIND, &last);
    if (rc == TEND_STORE_OK && last + NUDGE_EVERY > t)
        t = last + NUDGE_EVERY;
    else if (rc != TEND_STORE_OK && rc != TEND_STORE_NOTFOUND)
        return rc;
    *when = tend_sched_quiet_over(g, m, t);
    return TEND_STORE_OK;
}

/* One look at a member's nudge, in one transaction with what it records: the nudge and when to
 * look again (a week on), the time it may go out, or nothing pending any more. */
static int look_at_nudge(const tend_env *env, const tend_group *g, int64_t member_id, int64_t now,
                         tend_messages *out)
{
    size_t mark = out->count;
    int rc = tend_sched_begin(env);
    if (rc != TEND_STORE_OK)
        return rc;
    tend_member m;
    tend_load load;
    int64_t when = 0;
    rc = tend_store_member_by_id(env->store, member_id, &m);
    if (rc == TEND_STORE_OK)
        rc = nudge_time(env, g, &m, now, &load, &when);
    if (rc == TEND_STORE_NOTFOUND)
        rc = tend_store_nudge_check_clear(env->store, member_id);
    else if (rc == TEND_STORE_OK && when > now)
        rc = tend_store_nudge_check_set(env->store, member_id, when);
    else if (rc == TEND_STORE_OK) {
        rc = tend_store_nudge_record(env->store, m.id, NUDGE_KIND, now);
        if (rc == TEND_STORE_OK)
            rc = tend_store_nudge_check_set(env->store, member_id, now + NUDGE_EVERY);
        char kind_words[160] = ""; /* " That's three driving tasks this week." (task_kind.c) */
        if (rc == TEND_STORE_OK)
            rc = tend_kind_nudge_words(env->store, &m, now, kind_words, sizeof kind_words);
        tend_message *msg = rc == TEND_STORE_OK ? tend_sched_dm(out, g, &m, "nudge", MSG_SCHED_NUDGE, load.total,
                                                                load.capacity)
                                                : NULL;
        if (msg && kind_words[0] && tend_message_appendf(msg, "%s", kind_words))
            msg = NULL;
        /* "No thanks" runs a harmless /me until a one-tap snooze command exists */
        if (rc == TEND_STORE_OK && (!msg || tend_message_add_button(msg, MSG_SCHED_BTN_WEEK_OFF, "🛌", "stepback 1w") ||
                                    tend_message_add_button(msg, MSG_SCHED_BTN_NO_THANKS, "👌", "nudges later")))
            rc = TEND_STORE_ERROR;
    }
    return tend_sched_end(env, rc, "a nudge", out, mark);
}

static int look_at_due_nudge(const tend_store_due_item *it, void *ud)
{
    member_walk *w = ud;
    if (!tend_sched_spend(w->budget))
        return 1;
    const tend_group *g = tend_sched_group(w->env, &w->groups, it->group_id);
    walk_failed(w, g ? look_at_nudge(w->env, g, it->member_id, w->now, w->out) : TEND_STORE_ERROR);
    return 0;
}

static int nudges_tick(member_walk *w, const tend_store_platforms *p)
{
    int rc = tend_store_nudge_checks_due(w->env->store, p, w->now, budget_limit(w->budget), look_at_due_nudge, w);
    return rc != TEND_STORE_OK ? rc : w->rc;
}

int tend_sched_member_nudge(const tend_env *env, const tend_group *g, const char *member_key, int64_t now,
                            tend_messages *out)
{
    tend_member m;
    int64_t due;
    int rc = tend_store_member_get(env->store, g->id, member_key, &m);
    if (rc == TEND_STORE_OK)
        rc = tend_store_nudge_check_get(env->store, m.id, &due);
    if (rc == TEND_STORE_OK && due <= now)
        rc = look_at_nudge(env, g, m.id, now, out);
    return rc == TEND_STORE_NOTFOUND ? TEND_STORE_OK : rc;
}

/* ---------------------------------------------------------------- member events, every group */

int tend_sched_members_tick(const tend_env *env, int64_t now, tend_sched_budget *budget, tend_messages *out)
{
    tend_store_platforms p;
    tend_sched_platforms(env, &p);
    /* rests first, so someone back today is not skipped by what follows */
    member_walk w = {env, now, budget, out, {.have = false}, TEND_STORE_OK, INT64_MAX};
    int rc = rests_tick(&w, &p);
    w.rc = TEND_STORE_OK;
    int rc2 = stale_tick(&w, &p);
    w.rc = TEND_STORE_OK;
    int rc3 = nudges_tick(&w, &p);
    int rc4 = tend_sched_alerts_tick(env, now, budget, out); /* schedule_alerts.c */
    return rc != TEND_STORE_OK ? rc : rc2 != TEND_STORE_OK ? rc2 : rc3 != TEND_STORE_OK ? rc3 : rc4;
}

static void earliest(int64_t *best, int64_t t)
{
    if (t < *best)
        *best = t;
}

/* A stale claim held by quiet hours is due when they end. */
static int quiet_end_of(const tend_store_due_item *it, void *ud)
{
    member_walk *w = ud;
    tend_member m;
    const tend_group *g = tend_sched_group(w->env, &w->groups, it->group_id);
    if (g && tend_store_member_by_id(w->env->store, it->member_id, &m) == TEND_STORE_OK)
        earliest(&w->next, tend_sched_quiet_over(g, &m, w->now));
    else
        earliest(&w->next, w->now); /* the tick will meet the same trouble and say so */
    return 0;
}

int64_t tend_sched_members_next(const tend_env *env, int64_t now)
{
    tend_store_platforms p;
    tend_sched_platforms(env, &p);
    member_walk w = {env, now, NULL, NULL, {.have = false}, TEND_STORE_OK, INT64_MAX};
    int64_t before = now - stale_after(env), at;
    int rc[4];
    if ((rc[0] = tend_store_rests_next_end(env->store, &p, &at)) == TEND_STORE_OK)
        earliest(&w.next, at);
    if ((rc[1] = tend_store_nudge_checks_next(env->store, &p, &at)) == TEND_STORE_OK)
        earliest(&w.next, at);
    /* untouched for longer than stale_claim_days: a second after that many days */
    if ((rc[2] = tend_store_claims_stale_next(env->store, &p, before, &at)) == TEND_STORE_OK)
        earliest(&w.next, at + stale_after(env) + 1);
    rc[3] = tend_store_claims_stale_all(env->store, &p, before, 0, quiet_end_of, &w);
    for (size_t i = 0; i < 4; i++)
        if (rc[i] != TEND_STORE_OK && rc[i] != TEND_STORE_NOTFOUND)
            earliest(&w.next, now + 60); /* the store is unwell: look again in a minute */
    earliest(&w.next, tend_sched_alerts_next(env, now));
    return w.next < now ? now : w.next;
}
