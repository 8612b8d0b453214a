/*
 * schedule_members.c — the scheduler's member events in one group: a rest that ends (a private
 * welcome back), a claim untouched for a while (a private "still on it?"), and the load nudge.
 *
 * Rules: a nudge goes to a member whose load (load.h) is over their own capacity, at most once in
 * 7 days, never while they rest, never with nudges off, and never in their quiet hours (in their
 * own zone, else the group's); one held back by quiet hours goes out when they end. The stale-claim
 * reminder also waits out quiet hours. Each is recorded (nudges row, claim reminded_at, rest ended)
 * in the same transaction as its message.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bot/load.h"
#include "bot/messages.h"
#include "bot/schedule_internal.h"

#define DAY_SECONDS (24 * 3600)
#define NUDGE_KIND "load"
#define NUDGE_EVERY (7LL * DAY_SECONDS)

/* Collects records first: the scheduler writes while walking them. */
typedef struct {
    void *items;
    size_t count, cap, size;
} collected;

static int collect(collected *c, const void *item)
{
    if (c->count == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 8;
        void *grown = realloc(c->items, cap * c->size);
        if (!grown)
            return 1;
        c->items = grown;
        c->cap = cap;
    }
    memcpy((char *)c->items + c->count++ * c->size, item, c->size);
    return 0;
}

static int collect_rest(const tend_rest *r, void *ud)
{
    return collect(ud, r);
}

static int collect_claim(const tend_claim *c, void *ud)
{
    return collect(ud, c);
}

static int collect_member(const tend_member *m, void *ud)
{
    return collect(ud, m);
}

static bool can_hear(const tend_member *m)
{
    return !m->forgotten && m->key[0];
}

/* ---------------------------------------------------------------- rests that end */

static int end_rest(const tend_env *env, const tend_group *g, const tend_rest *r, int64_t now,
                    tend_messages *out)
{
    size_t mark = out->count;
    int rc = tend_sched_begin(env);
    if (rc != TEND_STORE_OK)
        return rc;
    tend_rest current;
    tend_member m;
    rc = tend_store_rest_current(env->store, r->member_id, &current);
    if (rc == TEND_STORE_NOTFOUND || (rc == TEND_STORE_OK && current.id != r->id)) {
        tend_store_rollback(env->store); /* ended meanwhile (/back, another process) */
        return TEND_STORE_OK;
    }
    if (rc == TEND_STORE_OK)
        rc = tend_store_member_by_id(env->store, r->member_id, &m);
    if (rc == TEND_STORE_OK)
        rc = tend_store_rest_end(env->store, r->id, true, now);
    if (rc == TEND_STORE_OK && can_hear(&m) && !tend_sched_dm(out, g, &m, "welcome", MSG_SCHED_WELCOME))
        rc = TEND_STORE_ERROR;
    return tend_sched_end(env, rc, "a welcome back", out, mark);
}

static int rests_tick(const tend_env *env, const tend_group *g, int64_t now, tend_messages *out)
{
    collected due = {NULL, 0, 0, sizeof(tend_rest)};
    int rc = tend_store_rests_due(env->store, g->id, now, collect_rest, &due);
    for (size_t i = 0; rc == TEND_STORE_OK && i < due.count; i++)
        rc = end_rest(env, g, &((tend_rest *)due.items)[i], now, out);
    free(due.items);
    return rc;
}

/* ---------------------------------------------------------------- stale claims */

static int64_t stale_after(const tend_env *env)
{
    return (int64_t)env->settings->stale_claim_days * DAY_SECONDS;
}

static int remind_claim(const tend_env *env, const tend_group *g, const tend_claim *c, int64_t now,
                        tend_messages *out)
{
    tend_member m;
    int rc = tend_store_member_by_id(env->store, c->member_id, &m);
    if (rc != TEND_STORE_OK || tend_sched_is_quiet(g, &m, now))
        return rc; /* quiet hours: tried again when they end */
    size_t mark = out->count;
    if ((rc = tend_sched_begin(env)) != TEND_STORE_OK)
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
    if (rc == TEND_STORE_OK && can_hear(&m)) {
        char unclaim[32], keep[32];
        snprintf(unclaim, sizeof unclaim, "unclaim %d", t.number);
        snprintf(keep, sizeof keep, "keep %d", t.number);
        tend_message *msg = tend_sched_dm(out, g, &m, "claim.stale", MSG_SCHED_STALE, t.number, t.title);
        if (!msg || tend_message_add_button(msg, MSG_SCHED_BTN_STILL_ON_IT, "💪", keep) ||
            tend_message_add_button(msg, MSG_SCHED_BTN_UNCLAIM, "↩️", unclaim))
            rc = TEND_STORE_ERROR;
    }
    return tend_sched_end(env, rc, "a claim reminder", out, mark);
}

static int stale_tick(const tend_env *env, const tend_group *g, int64_t now, tend_messages *out)
{
    collected stale = {NULL, 0, 0, sizeof(tend_claim)};
    int rc = tend_store_claims_untouched(env->store, g->id, now - stale_after(env), collect_claim, &stale);
    for (size_t i = 0; rc == TEND_STORE_OK && i < stale.count; i++)
        rc = remind_claim(env, g, &((tend_claim *)stale.items)[i], now, out);
    free(stale.items);
    return rc;
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

static int nudge(const tend_env *env, const tend_group *g, const tend_member *m, int64_t now,
                 tend_messages *out)
{
    size_t mark = out->count;
    int rc = tend_sched_begin(env);
    if (rc != TEND_STORE_OK)
        return rc;
    tend_member fresh;
    tend_load load;
    int64_t when = 0;
    /* decided again inside the transaction, so two processes never both send it */
    rc = tend_store_member_by_id(env->store, m->id, &fresh);
    if (rc == TEND_STORE_OK)
        rc = nudge_time(env, g, &fresh, now, &load, &when);
    if (rc == TEND_STORE_NOTFOUND || (rc == TEND_STORE_OK && when > now)) {
        tend_store_rollback(env->store);
        return TEND_STORE_OK;
    }
    if (rc == TEND_STORE_OK)
        rc = tend_store_nudge_record(env->store, m->id, NUDGE_KIND, now);
    if (rc == TEND_STORE_OK) {
        tend_message *msg = tend_sched_dm(out, g, &fresh, "nudge", MSG_SCHED_NUDGE, load.total, load.capacity);
        /* "No thanks" runs a harmless /me until a one-tap snooze command exists */
        if (!msg || tend_message_add_button(msg, MSG_SCHED_BTN_WEEK_OFF, "🛌", "stepback 1w") ||
            tend_message_add_button(msg, MSG_SCHED_BTN_NO_THANKS, "👌", "nudges later"))
            rc = TEND_STORE_ERROR;
    }
    return tend_sched_end(env, rc, "a nudge", out, mark);
}

static int nudges_tick(const tend_env *env, const tend_group *g, int64_t now, tend_messages *out)
{
    collected members = {NULL, 0, 0, sizeof(tend_member)};
    int rc = tend_store_members_each(env->store, g->id, collect_member, &members);
    for (size_t i = 0; rc == TEND_STORE_OK && i < members.count; i++) {
        const tend_member *m = &((tend_member *)members.items)[i];
        tend_load load;
        int64_t when;
        int r = nudge_time(env, g, m, now, &load, &when);
        if (r == TEND_STORE_OK && when <= now)
            r = nudge(env, g, m, now, out);
        if (r != TEND_STORE_OK && r != TEND_STORE_NOTFOUND)
            rc = r;
    }
    free(members.items);
    return rc;
}

int tend_sched_member_nudge(const tend_env *env, const tend_group *g, const char *member_key, int64_t now,
                            tend_messages *out)
{
    tend_member m;
    tend_load load;
    int64_t when;
    int rc = tend_store_member_get(env->store, g->id, member_key, &m);
    if (rc == TEND_STORE_OK)
        rc = nudge_time(env, g, &m, now, &load, &when);
    if (rc == TEND_STORE_OK && when <= now)
        rc = nudge(env, g, &m, now, out);
    return rc == TEND_STORE_NOTFOUND ? TEND_STORE_OK : rc;
}

/* ---------------------------------------------------------------- the group's member events */

int tend_sched_members_tick(const tend_env *env, const tend_group *g, int64_t now, tend_messages *out)
{
    int rc = rests_tick(env, g, now, out);
    int rc2 = stale_tick(env, g, now, out);
    int rc3 = nudges_tick(env, g, now, out);
    return rc != TEND_STORE_OK ? rc : rc2 != TEND_STORE_OK ? rc2 : rc3;
}

static void earliest(int64_t *best, int64_t t)
{
    if (t < *best)
        *best = t;
}

int64_t tend_sched_members_next(const tend_env *env, const tend_group *g, int64_t now)
{
    int64_t best = INT64_MAX;
    collected rests = {NULL, 0, 0, sizeof(tend_rest)};
    collected claims = {NULL, 0, 0, sizeof(tend_claim)};
    collected members = {NULL, 0, 0, sizeof(tend_member)};
    if (tend_store_rests_due(env->store, g->id, INT64_MAX, collect_rest, &rests) != TEND_STORE_OK ||
        tend_store_claims_untouched(env->store, g->id, INT64_MAX, collect_claim, &claims) != TEND_STORE_OK ||
        tend_store_members_each(env->store, g->id, collect_member, &members) != TEND_STORE_OK)
        best = now + 60; /* the store is unwell: look again in a minute */
    for (size_t i = 0; i < rests.count; i++)
        earliest(&best, ((tend_rest *)rests.items)[i].until);
    for (size_t i = 0; i < claims.count; i++) {
        const tend_claim *c = &((tend_claim *)claims.items)[i];
        tend_member m;
        int64_t due = c->updated_at + stale_after(env) + 1; /* untouched for longer than that */
        if (due < now)
            due = now;
        if (tend_store_member_by_id(env->store, c->member_id, &m) == TEND_STORE_OK)
            due = tend_sched_quiet_over(g, &m, due);
        earliest(&best, due);
    }
    for (size_t i = 0; i < members.count; i++) {
        tend_load load;
        int64_t when;
        if (nudge_time(env, g, &((tend_member *)members.items)[i], now, &load, &when) == TEND_STORE_OK)
            earliest(&best, when);
    }
    free(rests.items);
    free(claims.items);
    free(members.items);
    return best < now ? now : best;
}
