/*
 * schedule_repeat.c — weekly repeating tasks. Once a repeating task is done, or its time has
 * passed (its date, or a week after it was posted when it has none), next week's copy is posted
 * like a new task: a new number, the same title, slots and weight, the date a week on at the same
 * local time (further weeks on, if the bot was down long enough). The copy is recorded in the
 * `fired` table ("repeat", "task:<id>") with the new task, so it is posted once. While new tasks
 * are paused, copies wait and go out when the group resumes.
 */
#include <stdio.h>
#include <string.h>

#include "lib/log.h"
#include "bot/messages.h"
#include "bot/parse.h"
#include "bot/schedule_internal.h"
#include "bot/tasks.h"
#include "bot/tz.h"

#define WEEK_SECONDS (7LL * 24 * 3600)

/* When the task's next week is due to be posted. */
static int64_t ready_at(const tend_task *t)
{
    if (t->state == TEND_TASK_DONE)
        return t->done_at;
    return t->due_at ? t->due_at : t->created_at + WEEK_SECONDS;
}

static bool paused(const tend_group *g, int64_t t)
{
    return g->new_tasks_paused_until > t;
}

/* The same local wall time `weeks` weeks after `due`, in the group's zone. */
static int64_t weeks_later(const tend_group *g, int64_t due, int weeks)
{
    const char *zone = tend_tz_of_group(g);
    tend_sched_date d;
    int minute;
    int64_t out;
    if (tend_sched_local(zone, due, &d, &minute, NULL) ||
        tend_sched_at(zone, tend_sched_date_add(d, 7 * weeks), minute, &out))
        return due + weeks * WEEK_SECONDS;
    return out;
}

static void next_copy(const tend_group *g, const tend_task *t, int64_t now, tend_task *copy)
{
    memset(copy, 0, sizeof *copy);
    copy->group_id = t->group_id;
    snprintf(copy->title, sizeof copy->title, "%s", t->title);
    snprintf(copy->when_text, sizeof copy->when_text, "%s", t->when_text);
    copy->slots = t->slots;
    copy->weight = t->weight;
    copy->repeat_weekly = true;
    copy->created_by = t->created_by;
    copy->created_at = now;
    if (!t->due_at)
        return;
    int weeks = 1;
    copy->due_at = weeks_later(g, t->due_at, weeks);
    while (copy->due_at <= now && weeks < 520)
        copy->due_at = weeks_later(g, t->due_at, ++weeks);
    int wd, minute;
    if (tend_parse_weekly(t->when_text, &wd, &minute) == 0)
        return; /* "fri 18:00" still says it */
    tend_sched_date d;
    if (tend_sched_local(tend_tz_of_group(g), copy->due_at, &d, &minute, NULL) == 0)
        snprintf(copy->when_text, sizeof copy->when_text, "%04d-%02d-%02d %02d:%02d", d.year, d.month,
                 d.day, minute / 60, minute % 60);
}

static int post_copy(const tend_env *env, const tend_group *g, int64_t task_id, int64_t now,
                     tend_messages *out)
{
    char slot[40];
    snprintf(slot, sizeof slot, "task:%lld", (long long)task_id);
    size_t mark = out->count;
    int rc = tend_sched_begin(env);
    if (rc != TEND_STORE_OK)
        return rc;
    tend_task t, copy;
    rc = tend_store_task_by_id(env->store, task_id, &t);
    if (rc == TEND_STORE_OK)
        rc = tend_store_fired_record(env->store, g->id, "repeat", slot, now);
    if (rc == TEND_STORE_EXISTS) {
        tend_store_rollback(env->store);
        return TEND_STORE_OK;
    }
    if (rc == TEND_STORE_OK) {
        next_copy(g, &t, now, &copy);
        rc = tend_store_task_add(env->store, &copy);
    }
    if (rc == TEND_STORE_OK) {
        char line[TEND_TITLE_MAX + 128], claim[32];
        tend_task_describe(&copy, line, sizeof line);
        snprintf(claim, sizeof claim, "claim %d", copy.number);
        tend_message *msg = tend_sched_post(out, g, "task.announce", MSG_SCHED_REPEAT, line);
        if (!msg || tend_message_add_button(msg, MSG_SCHED_BTN_CLAIM, "✅", claim))
            rc = TEND_STORE_ERROR;
    }
    return tend_sched_end(env, rc, "a weekly task's next week", out, mark);
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
    int64_t when = ready_at(&t);
    if (paused(w->g, when > w->now ? when : w->now)) {
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
        rc = post_copy(w->env, w->g, task_id, w->now, w->out);
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
