/*
 * schedule_repeat.c — repeating tasks (weekly, biweekly, monthly, every N days), so the board
 * never holds two copies of one:
 *   - done, or called off without repeat:off: the next one is posted like a new task (a new
 *     number, the same title, note, slots and weight, the next date at the same local time);
 *   - its time passed while someone holds it: the next one is posted, and the held one waits for
 *     its "did it happen?";
 *   - its time passed and nobody took it: the same task rolls forward to its next date (same
 *     number, nobody to tell but the group);
 *   - no time at all: it comes back when it is done.
 * "Next" is the first date after now, so a bot that was down for weeks posts one, not a pile.
 * A posted copy is recorded in `fired` ("repeat", "task:<id>") and a roll ("roll",
 * "task:<id>@<its old end>") in the transaction that makes it, so each happens once. While new
 * tasks are paused, copies wait and go out when the group resumes; a roll is no new task and goes on.
 */
#include <stdio.h>
#include <string.h>

#include "lib/log.h"
#include "bot/fillin.h"
#include "bot/messages.h"
#include "bot/schedule_internal.h"
#include "bot/task_time.h"
#include "bot/tasks.h"
#include "bot/tz.h"

typedef enum { REPEAT_NOTHING, REPEAT_COPY, REPEAT_ROLL } repeat_action;

/* What the task calls for, and from when. */
static repeat_action action_of(const tend_task *t, int64_t now, int64_t *ready)
{
    *ready = INT64_MAX;
    if (t->state == TEND_TASK_DONE) {
        *ready = t->done_at;
        return REPEAT_COPY;
    }
    if (t->state == TEND_TASK_CANCELLED) {
        *ready = now;
        return REPEAT_COPY;
    }
    if (!t->over_at)
        return REPEAT_NOTHING; /* no time: it comes back when it is done */
    *ready = t->over_at;
    return t->active > 0 ? REPEAT_COPY : REPEAT_ROLL;
}

static bool paused(const tend_group *g, int64_t t)
{
    return g->new_tasks_paused_until > t;
}

/* t's time moved to its first date after now; when_text says the new date. */
static int move_to_next(const tend_group *g, tend_task *t, int64_t now)
{
    if (!t->due_at)
        return 0;
    const char *zone = tend_tz_of_group(g);
    tend_when from = tend_task_when(t), next;
    if (tend_repeat_next(t->repeat, zone, &from, now, &next) != 0 || tend_task_set_time(t, &next, zone) != 0)
        return -1;
    tend_when_format(&next, zone, false, now, TEND_WHEN_SHORT, t->when_text, sizeof t->when_text);
    return 0;
}

static int announce(const tend_group *g, const tend_task *t, int64_t now, const char *fmt, tend_messages *out)
{
    char line[TEND_TITLE_MAX + 300], claim[32];
    tend_task_view v = tend_task_view_group(g, now);
    tend_task_describe(t, &v, line, sizeof line);
    snprintf(claim, sizeof claim, "claim %d", t->number);
    tend_message *msg = tend_sched_post(out, g, "task.announce", fmt, line);
    if (!msg || (t->note[0] && tend_message_appendf(msg, MSG_TASKS_NOTE_LINE, t->note)) ||
        tend_message_add_button(msg, MSG_SCHED_BTN_CLAIM, "✅", claim))
        return TEND_STORE_ERROR;
    return TEND_STORE_OK;
}

static int post_copy(const tend_env *env, const tend_group *g, const tend_task *t, int64_t now, tend_messages *out)
{
    char slot[40];
    snprintf(slot, sizeof slot, "task:%lld", (long long)t->id);
    int rc = tend_store_fired_record(env->store, g->id, "repeat", slot, now);
    if (rc != TEND_STORE_OK)
        return rc;
    tend_task copy;
    memset(&copy, 0, sizeof copy);
    copy.group_id = t->group_id;
    snprintf(copy.title, sizeof copy.title, "%s", t->title);
    snprintf(copy.note, sizeof copy.note, "%s", t->note);
    snprintf(copy.when_text, sizeof copy.when_text, "%s", t->when_text);
    snprintf(copy.repeat, sizeof copy.repeat, "%s", t->repeat);
    copy.slots = t->slots;
    copy.weight = t->weight;
    copy.created_by = t->created_by;
    copy.created_at = now;
    copy.due_at = t->due_at;
    copy.all_day = t->all_day;
    if (move_to_next(g, &copy, now) != 0)
        return TEND_STORE_ERROR;
    rc = tend_store_task_add(env->store, &copy);
    if (rc == TEND_STORE_OK)
        rc = tend_store_task_by_id(env->store, copy.id, &copy);
    if (rc == TEND_STORE_OK)
        rc = tend_task_traits_copy(env->store, t->id, copy.id); /* its kind, rotation, teach */
    /* a rotating role is offered round privately first (rotation.c); the group hears of it when
     * nobody takes their turn */
    bool offered = false;
    if (rc == TEND_STORE_OK)
        rc = tend_rotation_start(env, g, &copy, now, out, &offered);
    if (rc == TEND_STORE_OK && !offered)
        rc = announce(g, &copy, now, MSG_SCHED_REPEAT, out);
    /* whoever learned it last time is among the first asked (a rotation asks them itself) */
    if (rc == TEND_STORE_OK && !offered)
        rc = tend_learning_offer_next(env, g, &copy, now, out);
    return rc;
}

static int roll_forward(const tend_env *env, const tend_group *g, tend_task *t, int64_t now, tend_messages *out)
{
    char slot[64];
    snprintf(slot, sizeof slot, "task:%lld@%lld", (long long)t->id, (long long)t->over_at);
    int rc = tend_store_fired_record(env->store, g->id, "roll", slot, now);
    if (rc != TEND_STORE_OK)
        return rc;
    if (move_to_next(g, t, now) != 0)
        return TEND_STORE_ERROR;
    /* a turn offered for the date that passed is over: the group hears of the new date */
    rc = tend_store_offers_close(env->store, t->id);
    if (rc == TEND_STORE_OK)
        rc = tend_store_task_update(env->store, t);
    return rc == TEND_STORE_OK ? announce(g, t, now, MSG_SCHED_ROLLED, out) : rc;
}

/* One repeat, in its own transaction, looked at afresh inside it. */
static int fire_repeat(const tend_env *env, const tend_group *g, int64_t task_id, int64_t now, tend_messages *out)
{
    size_t mark = out->count;
    int rc = tend_sched_begin(env);
    if (rc != TEND_STORE_OK)
        return rc;
    tend_task t;
    int64_t ready;
    rc = tend_store_task_by_id(env->store, task_id, &t);
    repeat_action action = rc == TEND_STORE_OK && t.repeat[0] ? action_of(&t, now, &ready) : REPEAT_NOTHING;
    if (rc == TEND_STORE_OK && (action == REPEAT_NOTHING || ready > now || (action == REPEAT_COPY && paused(g, now)))) {
        tend_store_rollback(env->store); /* changed meanwhile (a claim, a done, another process) */
        return TEND_STORE_OK;
    }
    if (rc == TEND_STORE_OK)
        rc = action == REPEAT_ROLL ? roll_forward(env, g, &t, now, out) : post_copy(env, g, &t, now, out);
    if (rc == TEND_STORE_EXISTS) {
        tend_store_rollback(env->store);
        return TEND_STORE_OK;
    }
    return tend_sched_end(env, rc, action == REPEAT_ROLL ? "a repeating task's roll forward"
                                                         : "a repeating task's next one",
                          out, mark);
}

typedef struct {
    const tend_env *env;
    const tend_group *g;
    int64_t now;
    tend_messages *out;  /* NULL: only find the next time */
    int rc;
    int64_t next;
} repeat_walk;

static int visit_pending(int64_t task_id, void *ud)
{
    repeat_walk *w = ud;
    tend_task t;
    int rc = tend_store_task_by_id(w->env->store, task_id, &t);
    if (rc != TEND_STORE_OK) {
        w->rc = rc;
        return 0;
    }
    int64_t when;
    repeat_action action = action_of(&t, w->now, &when);
    if (action == REPEAT_NOTHING)
        return 0;
    if (action == REPEAT_COPY && paused(w->g, when > w->now ? when : w->now)) {
        if (w->g->new_tasks_paused_until == INT64_MAX)
            return 0; /* until someone resumes: nothing to wake up for */
        when = w->g->new_tasks_paused_until;
    }
    if (!w->out) {
        if (when < w->next)
            w->next = when;
        return 0;
    }
    if (when <= w->now) {
        rc = fire_repeat(w->env, w->g, task_id, w->now, w->out);
        if (rc != TEND_STORE_OK)
            w->rc = rc;
    }
    return 0;
}

int tend_sched_repeats_tick(const tend_env *env, const tend_group *g, int64_t now, tend_messages *out)
{
    repeat_walk w = {env, g, now, out, TEND_STORE_OK, INT64_MAX};
    int rc = tend_store_repeats_pending(env->store, g->id, visit_pending, &w);
    return rc != TEND_STORE_OK ? rc : w.rc;
}

int64_t tend_sched_repeats_next(const tend_env *env, const tend_group *g, int64_t now)
{
    repeat_walk w = {env, g, now, NULL, TEND_STORE_OK, INT64_MAX};
    if (tend_store_repeats_pending(env->store, g->id, visit_pending, &w) != TEND_STORE_OK)
        return now + 60;
    return w.next < now ? now : w.next;
}
