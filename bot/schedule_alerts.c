/*
 * schedule_alerts.c — the two private notes a claimer gets about a timed task: one reminder before
 * it (default two hours; the member's /profile remind:, or off) and one "did it happen?" after it,
 * with Done and Unclaim to tap. Only people holding the task hear them, never the waitlist.
 *
 * Each active claim carries when each is due (claims.remind_at, claims.followup_at), kept right by
 * the store's triggers (the tasks migration) whenever a claim becomes active, the task's time
 * changes or the member's lead changes. A tick asks for what is due through an index, and sends,
 * skips or holds each one in a transaction that also marks it handled, so it goes out exactly
 * once, also across restarts. Rules:
 *   - a reminder waits out the member's quiet hours unless the task itself falls in them; one
 *     that could only go out after the task started is dropped, as is one for a claim taken after
 *     the reminder's moment (the member just chose it) or a task already under way;
 *   - "did it happen?" waits out quiet hours.
 */
#include <stdio.h>

#include "bot/i18n.h"
#include "bot/messages.h"
#include "bot/schedule_internal.h"
#include "bot/tasks.h"
#include "bot/when.h"

typedef enum { ALERT_SEND, ALERT_SKIP, ALERT_HOLD } alert_verdict;

static bool can_hear(const tend_member *m)
{
    return !m->forgotten && m->key[0];
}

/* What to do with a due reminder at now; *until is set for a hold. */
static alert_verdict judge_reminder(const tend_group *g, const tend_member *m, const tend_task *t,
                                    const tend_claim *c, int64_t now, int64_t *until)
{
    if (!can_hear(m) || now >= t->starts_at || c->updated_at >= c->remind_at)
        return ALERT_SKIP;
    if (tend_sched_is_quiet(g, m, now) && !tend_sched_is_quiet(g, m, t->starts_at)) {
        *until = tend_sched_quiet_over(g, m, now);
        return *until < t->starts_at ? ALERT_HOLD : ALERT_SKIP;
    }
    return ALERT_SEND;
}

static alert_verdict judge_followup(const tend_group *g, const tend_member *m, int64_t now, int64_t *until)
{
    if (!can_hear(m))
        return ALERT_SKIP;
    if (tend_sched_is_quiet(g, m, now)) {
        *until = tend_sched_quiet_over(g, m, now);
        return ALERT_HOLD;
    }
    return ALERT_SEND;
}

static int say_reminder(const tend_group *g, const tend_member *m, const tend_task *t, int64_t now,
                        tend_messages *out)
{
    char when[96], title[TEND_TITLE_MAX + 16], unclaim[32];
    tend_task_view v = tend_task_view_member(g, m, now);
    tend_when w = {t->due_at, t->all_day};
    const char *was = tend_i18n_text_lang(v.lang); /* the member's language, as the reminder is */
    tend_when_format(&w, w.all_day ? v.day_zone : v.zone, v.name_zone, now, TEND_WHEN_NEAR, when, sizeof when);
    tend_i18n_text_lang(was);
    snprintf(title, sizeof title, "#%d %s", t->number, t->title);
    snprintf(unclaim, sizeof unclaim, "unclaim %d", t->number);
    tend_message *msg = tend_sched_dm(out, g, m, "task.reminder", MSG_SCHED_REMIND, title, when);
    if (!msg || (t->note[0] && tend_message_appendf(msg, MSG_TASKS_NOTE_LINE, t->note)) ||
        tend_message_add_button(msg, MSG_SCHED_BTN_UNCLAIM, "↩️", unclaim))
        return TEND_STORE_ERROR;
    return TEND_STORE_OK;
}

static int say_followup(const tend_group *g, const tend_member *m, const tend_task *t, tend_messages *out)
{
    char done[32], unclaim[32];
    snprintf(done, sizeof done, "done %d", t->number);
    snprintf(unclaim, sizeof unclaim, "unclaim %d", t->number);
    tend_message *msg = tend_sched_dm(out, g, m, "task.followup", MSG_SCHED_FOLLOWUP, t->number, t->title);
    if (!msg || tend_message_add_button(msg, MSG_SCHED_BTN_DONE, "✅", done) ||
        tend_message_add_button(msg, MSG_SCHED_BTN_UNCLAIM, "↩️", unclaim))
        return TEND_STORE_ERROR;
    return TEND_STORE_OK;
}

/* One due alert, looked at afresh in its own transaction. */
static int fire_alert(const tend_env *env, const tend_group *g, const tend_store_due_item *it, tend_claim_alert kind,
                      int64_t now, tend_messages *out)
{
    size_t mark = out->count;
    int rc = tend_sched_begin(env);
    if (rc != TEND_STORE_OK)
        return rc;
    tend_claim c;
    tend_task t;
    tend_member m;
    rc = tend_store_claim_current(env->store, it->task_id, it->member_id, &c);
    int64_t due = rc == TEND_STORE_OK ? (kind == TEND_ALERT_REMIND ? c.remind_at : c.followup_at) : 0;
    if (rc == TEND_STORE_NOTFOUND || (rc == TEND_STORE_OK && (c.id != it->id || due == 0 || due > now))) {
        tend_store_rollback(env->store); /* handled or changed meanwhile */
        return TEND_STORE_OK;
    }
    if (rc == TEND_STORE_OK)
        rc = tend_store_task_by_id(env->store, c.task_id, &t);
    if (rc == TEND_STORE_OK)
        rc = tend_store_member_by_id(env->store, c.member_id, &m);
    int64_t until = 0;
    alert_verdict verdict = ALERT_SKIP;
    if (rc == TEND_STORE_OK)
        verdict = kind == TEND_ALERT_REMIND ? judge_reminder(g, &m, &t, &c, now, &until)
                                            : judge_followup(g, &m, now, &until);
    if (rc == TEND_STORE_OK && verdict == ALERT_HOLD)
        rc = tend_store_claim_alert_hold(env->store, c.id, kind, until);
    else if (rc == TEND_STORE_OK)
        rc = tend_store_claim_alert_done(env->store, c.id, kind);
    if (rc == TEND_STORE_OK && verdict == ALERT_SEND)
        rc = kind == TEND_ALERT_REMIND ? say_reminder(g, &m, &t, now, out) : say_followup(g, &m, &t, out);
    return tend_sched_end(env, rc, kind == TEND_ALERT_REMIND ? "a reminder before a task" : "a did-it-happen",
                          out, mark);
}

typedef struct {
    const tend_env *env;
    int64_t now;
    tend_sched_budget *budget;
    tend_messages *out;
    tend_sched_group_cache groups;
    tend_claim_alert kind;
    int rc;
} alert_walk;

static int visit_alert(const tend_store_due_item *it, void *ud)
{
    alert_walk *w = ud;
    if (!tend_sched_spend(w->budget))
        return 1;
    const tend_group *g = tend_sched_group(w->env, &w->groups, it->group_id);
    int rc = g ? fire_alert(w->env, g, it, w->kind, w->now, w->out) : TEND_STORE_ERROR;
    if (rc != TEND_STORE_OK && w->rc == TEND_STORE_OK)
        w->rc = rc;
    return 0;
}

int tend_sched_alerts_tick(const tend_env *env, int64_t now, tend_sched_budget *budget, tend_messages *out)
{
    tend_store_platforms p;
    tend_sched_platforms(env, &p);
    int result = TEND_STORE_OK;
    for (int kind = TEND_ALERT_REMIND; kind <= TEND_ALERT_FOLLOWUP; kind++) {
        alert_walk w = {env, now, budget, out, {.have = false}, (tend_claim_alert)kind, TEND_STORE_OK};
        /* the budget's room plus one: the extra row tells that more is due than this slice may do */
        int limit = budget->left < 100000 ? (int)budget->left + 1 : 100001;
        int rc = tend_store_claim_alerts_due(env->store, &p, w.kind, now, limit, visit_alert, &w);
        if (rc == TEND_STORE_OK)
            rc = w.rc;
        if (rc != TEND_STORE_OK && result == TEND_STORE_OK)
            result = rc;
    }
    return result;
}

int64_t tend_sched_alerts_next(const tend_env *env, int64_t now)
{
    tend_store_platforms p;
    tend_sched_platforms(env, &p);
    int64_t best = INT64_MAX, at;
    for (int kind = TEND_ALERT_REMIND; kind <= TEND_ALERT_FOLLOWUP; kind++) {
        int rc = tend_store_claim_alerts_next(env->store, &p, (tend_claim_alert)kind, &at);
        if (rc == TEND_STORE_OK && at < best)
            best = at;
        else if (rc != TEND_STORE_OK && rc != TEND_STORE_NOTFOUND)
            best = now + 60 < best ? now + 60 : best; /* the store is unwell: look again in a minute */
    }
    return best < now ? now : best;
}
