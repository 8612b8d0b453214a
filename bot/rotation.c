/*
 * rotation.c — a role that goes round: each new copy of a task posted with rotate:yes is first
 * offered privately to one member with room, the one who held that role least recently (those
 * who learned it last time first), never the one who held it last time unless nobody else can.
 * Accept is a claim; a pass, or no answer within a day, moves the offer on; when nobody is left
 * to ask, the group hears it is up, as any repeat. Nobody sees who was asked or who passed.
 */
#include <stdio.h>
#include <string.h>

#include "bot/fillin.h"
#include "bot/messages.h"
#include "bot/schedule_internal.h"
#include "bot/tasks.h"

/* Offers t to the next in turn; *offered says whether anyone was asked. */
static int offer_next(const tend_env *env, const tend_group *g, const tend_task *t, int64_t now,
                      tend_messages *out, bool *offered)
{
    *offered = false;
    tend_member who;
    size_t n = 0;
    int rc = tend_spread_pick(env, g, t, TEND_SPREAD_ROTATION, now, 1, &who, &n);
    if (rc != TEND_STORE_OK || n == 0)
        return rc;
    rc = tend_store_offer_add(env->store, t->id, who.id, TEND_OFFER_ROTATION, now);
    /* the group's schedule looks again now and finds this offer's day in its next look time */
    if (rc == TEND_STORE_OK)
        rc = tend_store_schedule_group_set(env->store, g->id, now);
    if (rc != TEND_STORE_OK)
        return rc;
    /* a learner offered the role has had their turn to be first */
    bool learned = false;
    char line[TEND_TITLE_MAX + 300], claim[32], pass[32];
    tend_task_view v = tend_task_view_member(g, &who, now);
    tend_task_describe(t, &v, line, sizeof line);
    snprintf(claim, sizeof claim, "claim %d", t->number);
    snprintf(pass, sizeof pass, "pass %d", t->number);
    rc = tend_learning_mark_offered(env->store, g, t, who.id, &learned);
    if (rc != TEND_STORE_OK)
        return rc;
    tend_message *m = tend_fillin_dm(out, g, &who, "rotation.offer",
                                     learned ? MSG_ROTATION_LEARNED_OFFER : MSG_ROTATION_OFFER, line);
    if (!m || tend_message_add_button(m, MSG_ROTATION_BTN_ACCEPT, "\xE2\x9C\x85", claim) ||
        tend_message_add_button(m, MSG_ROTATION_BTN_PASS, "\xF0\x9F\x91\x8C", pass))
        return TEND_STORE_ERROR;
    *offered = true;
    return TEND_STORE_OK;
}

int tend_rotation_start(const tend_env *env, const tend_group *g, const tend_task *t, int64_t now,
                        tend_messages *out, bool *offered)
{
    tend_task_traits tr;
    *offered = false;
    int rc = tend_store_task_traits_get(env->store, t->id, &tr);
    if (rc != TEND_STORE_OK || !tr.rotate)
        return rc;
    return offer_next(env, g, t, now, out, offered);
}

int tend_rotation_move_on(const tend_env *env, const tend_group *g, int64_t task_id, int64_t now,
                          tend_messages *out)
{
    tend_task t;
    int asked = 0, open = 0;
    int rc = tend_store_task_by_id(env->store, task_id, &t);
    if (rc == TEND_STORE_OK)
        rc = tend_store_offers_count(env->store, task_id, &asked, &open);
    /* taken meanwhile, or its time passed: nothing to move on */
    if (rc != TEND_STORE_OK || open > 0 || t.state != TEND_TASK_OPEN || t.active >= t.slots ||
        (t.over_at && t.over_at <= now))
        return rc;
    bool offered = false;
    /* a few turns at most, a day each: then the group hears, while there is still time */
    if (asked < TEND_ROTATION_MAX_ASKED)
        rc = offer_next(env, g, &t, now, out, &offered);
    /* nobody took their turn: the group hears it is up, like any repeat, from the scheduler
     * (backups.c), so it is never the answer to the last pass */
    if (rc == TEND_STORE_OK && !offered)
        rc = tend_store_backup_call_add(env->store, t.id, TEND_OFFER_ROTATION, now);
    if (rc == TEND_STORE_OK && !offered)
        rc = tend_store_schedule_group_set(env->store, g->id, now);
    return rc;
}

typedef struct {
    const tend_env *env;
    const tend_group *g;
    int64_t now;
    tend_messages *out;
    int rc;
} stale_walk;

static int move_stale(const tend_offer *o, void *ud)
{
    stale_walk *w = ud;
    int rc = tend_store_offer_set_state(w->env->store, o->id, TEND_OFFER_CLOSED);
    if (rc == TEND_STORE_OK)
        rc = tend_rotation_move_on(w->env, w->g, o->task_id, w->now, w->out);
    w->rc = rc;
    return rc != TEND_STORE_OK;
}

int tend_rotation_tick(const tend_env *env, const tend_group *g, int64_t now, tend_messages *out)
{
    int64_t oldest;
    int rc = tend_store_offers_oldest_open(env->store, g->id, &oldest);
    if (rc == TEND_STORE_NOTFOUND || (rc == TEND_STORE_OK && oldest + TEND_ROTATION_ANSWER_WITHIN > now))
        return TEND_STORE_OK;
    if (rc != TEND_STORE_OK)
        return rc;
    size_t mark = out->count;
    rc = tend_sched_begin(env);
    if (rc != TEND_STORE_OK)
        return rc;
    stale_walk w = {env, g, now, out, TEND_STORE_OK};
    rc = tend_store_offers_stale(env->store, g->id, now - TEND_ROTATION_ANSWER_WITHIN, move_stale, &w);
    if (rc == TEND_STORE_OK)
        rc = w.rc;
    return tend_sched_end(env, rc, "a rotation moving on", out, mark);
}

int64_t tend_rotation_next(const tend_env *env, const tend_group *g, int64_t now)
{
    int64_t oldest;
    int rc = tend_store_offers_oldest_open(env->store, g->id, &oldest);
    if (rc == TEND_STORE_NOTFOUND)
        return INT64_MAX;
    if (rc != TEND_STORE_OK)
        return now + 60;
    return oldest + TEND_ROTATION_ANSWER_WITHIN;
}
