/*
 * learning.c — learning a task alongside someone who does it, so the circle of people who can do
 * the driving, the pharmacy runs or the books grows. A learner takes no slot and carries no load;
 * when the task is done, learner and doers are thanked privately, and the next time that role
 * comes round the learner is among the first offered it. The group hears only an aggregate, in
 * the digest, once at least three people learned something.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bot/i18n.h"
#include "bot/fillin.h"
#include "bot/load.h"
#include "bot/messages.h"
#include "bot/tasks.h"
#include "bot/tasks_internal.h"

#define MONTH_SECONDS (30LL * 24 * 3600)

/* ---------------------------------------------------------------- /claim N learn */

typedef struct {
    tend_ctx *ctx;
    const tend_task *task;
    char names[400];
    int n;
    int rc;
} teacher_walk;

/* Each one doing the task hears, privately, that someone would like to learn it with them. */
static int tell_teacher(const tend_claim *c, void *ud)
{
    teacher_walk *w = ud;
    tend_member who;
    w->rc = tend_store_member_by_id(w->ctx->env->store, c->member_id, &who);
    if (w->rc != TEND_STORE_OK)
        return 1;
    size_t used = strlen(w->names);
    snprintf(w->names + used, sizeof w->names - used, "%s%s", w->n++ ? ", " : "", who.name);
    if (who.key[0] && !tend_dm(w->ctx, &who, "learn.teacher", MSG_LEARN_TELL_TEACHER, w->ctx->member.name,
                               w->task->number, w->task->title)) {
        w->rc = TEND_STORE_ERROR;
        return 1;
    }
    return 0;
}

int tend_learn_join(tend_ctx *ctx, const tend_task *t)
{
    if (t->state != TEND_TASK_OPEN)
        return tend_task_refuse_closed(ctx, t);
    tend_claim c;
    int rc = tend_store_claim_current(ctx->env->store, t->id, ctx->member.id, &c);
    if (rc == TEND_STORE_OK && c.state == TEND_CLAIM_ACTIVE)
        return tend_refuse(ctx, MSG_LEARN_HOLDER, t->number);
    if (rc != TEND_STORE_OK && rc != TEND_STORE_NOTFOUND)
        return tend_store_failed(ctx, rc);
    rc = tend_store_learner_add(ctx->env->store, t->id, ctx->member.id, ctx->now);
    if (rc == TEND_STORE_EXISTS)
        return tend_refuse(ctx, MSG_LEARN_ALREADY, t->number);
    if (rc != TEND_STORE_OK)
        return tend_store_failed(ctx, rc);
    teacher_walk w = {ctx, t, "", 0, TEND_STORE_OK};
    rc = tend_store_claims_of_task(ctx->env->store, t->id, tell_teacher, &w);
    if (rc == TEND_STORE_OK)
        rc = w.rc;
    if (rc != TEND_STORE_OK)
        return tend_store_failed(ctx, rc);
    tend_message *m = tend_reply_private(ctx, "reply", MSG_LEARN_JOINED, t->number, t->title);
    if (!m || (w.n && tend_message_appendf(m, MSG_LEARN_JOINED_WITH, w.names)))
        return tend_store_failed(ctx, TEND_STORE_ERROR);
    return tend_task_audit(ctx, "learn", t, NULL);
}

/* ---------------------------------------------------------------- /tasks learn */

typedef struct {
    tend_ctx *ctx;
    tend_message *msg;
    int listed;
    int rc;
} teach_walk;

static int list_teachable(const tend_task *t, void *ud)
{
    teach_walk *w = ud;
    tend_task_traits tr;
    w->rc = tend_store_task_traits_get(w->ctx->env->store, t->id, &tr);
    if (w->rc != TEND_STORE_OK)
        return 1;
    if (!tr.teach || (t->over_at && t->over_at <= w->ctx->now))
        return 0;
    char line[TEND_TITLE_MAX + 300];
    tend_task_view v = tend_task_view_member(&w->ctx->group, &w->ctx->member, w->ctx->now);
    tend_task_describe(t, &v, line, sizeof line);
    if ((w->listed == 0 && tend_message_appendf(w->msg, MSG_LEARN_LIST_HEAD)) ||
        tend_message_appendf(w->msg, MSG_LEARN_LIST_LINE, line)) {
        w->rc = TEND_STORE_ERROR;
        return 1;
    }
    w->listed++;
    return 0;
}

int tend_learn_list(tend_ctx *ctx)
{
    tend_message *m = tend_reply_private(ctx, "tasks.learn", "%s", "");
    if (!m)
        return tend_store_failed(ctx, TEND_STORE_ERROR);
    teach_walk w = {ctx, m, 0, TEND_STORE_OK};
    int rc = tend_store_tasks_each(ctx->env->store, ctx->group.id, TEND_TASKS_OPEN, 0, 0, 0, list_teachable, &w);
    if (rc == TEND_STORE_OK)
        rc = w.rc;
    if (rc != TEND_STORE_OK)
        return tend_store_failed(ctx, rc);
    int err = w.listed ? tend_message_appendf(m, MSG_LEARN_LIST_HINT) : tend_message_appendf(m, MSG_LEARN_LIST_NONE);
    return err ? tend_store_failed(ctx, TEND_STORE_ERROR) : TEND_OK;
}

/* ---------------------------------------------------------------- done: thanks */

typedef struct {
    tend_ctx *ctx;
    const tend_task *task;
    int learners;
    int rc;
} thanks_walk;

static int thank_learner(const tend_learner *l, void *ud)
{
    thanks_walk *w = ud;
    tend_member who;
    if (l->learned_at != w->ctx->now)
        return 0; /* learned it another time: thanked then */
    w->rc = tend_store_member_by_id(w->ctx->env->store, l->member_id, &who);
    if (w->rc != TEND_STORE_OK)
        return 1;
    w->learners++;
    /* "next time" is a promise only a repeating task can keep */
    if (who.key[0] && !tend_dm(w->ctx, &who, "learn.thanks",
                               w->task->repeat[0] ? MSG_LEARN_THANKS_LEARNER : MSG_LEARN_THANKS_LEARNER_ONCE,
                               w->task->number, w->task->title)) {
        w->rc = TEND_STORE_ERROR;
        return 1;
    }
    return 0;
}

static int thank_teacher(const tend_claim *c, void *ud)
{
    thanks_walk *w = ud;
    tend_member who;
    if (c->state != TEND_CLAIM_DONE)
        return 0;
    w->rc = tend_store_member_by_id(w->ctx->env->store, c->member_id, &who);
    if (w->rc != TEND_STORE_OK)
        return 1;
    if (who.key[0] && !tend_dm(w->ctx, &who, "learn.thanks", MSG_LEARN_THANKS_TEACHER, w->task->number,
                               w->task->title)) {
        w->rc = TEND_STORE_ERROR;
        return 1;
    }
    return 0;
}

typedef struct {
    const tend_task *done;
    int64_t now;
    tend_task next;
    bool found;
} next_walk;

/* The next one of the same role already on the board, still needing hands. */
static int find_next(const tend_task *c, void *ud)
{
    next_walk *w = ud;
    if (c->id == w->done->id || strcasecmp(c->title, w->done->title) != 0 || c->active >= c->slots ||
        (c->over_at && c->over_at <= w->now))
        return 0;
    w->next = *c;
    w->found = true;
    return 1;
}

int tend_learning_after_done(tend_ctx *ctx, const tend_task *t)
{
    tend_store *store = ctx->env->store;
    int rc = tend_store_learners_learned(store, t->id, ctx->now);
    thanks_walk w = {ctx, t, 0, TEND_STORE_OK};
    if (rc == TEND_STORE_OK)
        rc = tend_store_learners_of(store, t->id, thank_learner, &w);
    if (rc == TEND_STORE_OK)
        rc = w.rc;
    if (rc == TEND_STORE_OK && w.learners > 0) {
        rc = tend_store_claims_done_of_task(store, t->id, thank_teacher, &w);
        if (rc == TEND_STORE_OK)
            rc = w.rc;
    }
    /* a repeat whose next one went up at its time, before this was marked done: the learner is
     * offered that one now */
    next_walk nw = {t, ctx->now, {0}, false};
    if (rc == TEND_STORE_OK && w.learners > 0 && t->repeat[0])
        rc = tend_store_tasks_matching(store, ctx->group.id, t->title, 0, find_next, &nw);
    if (rc == TEND_STORE_OK && nw.found)
        rc = tend_learning_offer_next(ctx->env, &ctx->group, &nw.next, ctx->now, ctx->out);
    return rc == TEND_STORE_OK ? TEND_OK : tend_store_failed(ctx, rc);
}

/* ---------------------------------------------------------------- next time round */

typedef struct {
    tend_store *store;
    const tend_env *env;
    const tend_group *g;
    const tend_task *task;
    int64_t now;
    tend_messages *out;
    int64_t member_id; /* mark only this one (a rotation offer), or 0: offer each */
    bool found;
    int rc;
} ready_walk;

static int offer_to_learner(const tend_learner *l, void *ud)
{
    ready_walk *w = ud;
    if (w->member_id && l->member_id != w->member_id)
        return 0;
    tend_member who;
    bool room = false;
    w->rc = tend_store_learner_offered(w->store, l->id);
    if (w->rc == TEND_STORE_OK)
        w->found = true;
    if (w->rc == TEND_STORE_OK && !w->member_id)
        w->rc = tend_store_member_by_id(w->env->store, l->member_id, &who);
    if (w->rc == TEND_STORE_OK && !w->member_id)
        w->rc = tend_spread_has_room(w->env, w->g, &who, w->task->weight, w->now, &room);
    if (w->rc != TEND_STORE_OK)
        return 1;
    if (w->member_id || !room)
        return 0; /* without room now, they are not asked: they can always claim it themselves */
    char line[TEND_TITLE_MAX + 300], claim[32];
    tend_task_view v = tend_task_view_member(w->g, &who, w->now);
    tend_task_describe(w->task, &v, line, sizeof line);
    snprintf(claim, sizeof claim, "claim %d", w->task->number);
    tend_message *m = tend_fillin_dm(w->out, w->g, &who, "learn.offer", MSG_ROTATION_LEARNED_OFFER, line);
    if (!m || tend_message_add_button(m, MSG_TASKS_CLAIM_BUTTON, "\xE2\x9C\x85", claim)) {
        w->rc = TEND_STORE_ERROR;
        return 1;
    }
    return 0;
}

int tend_learning_mark_offered(tend_store *store, const tend_group *g, const tend_task *t, int64_t member_id,
                               bool *learned)
{
    ready_walk w = {store, NULL, g, t, 0, NULL, member_id, false, TEND_STORE_OK};
    int rc = tend_store_learners_ready(store, g->id, t->title, offer_to_learner, &w);
    *learned = w.found;
    return rc == TEND_STORE_OK ? w.rc : rc;
}

int tend_learning_offer_next(const tend_env *env, const tend_group *g, const tend_task *t, int64_t now,
                             tend_messages *out)
{
    ready_walk w = {env->store, env, g, t, now, out, 0, false, TEND_STORE_OK};
    int rc = tend_store_learners_ready(env->store, g->id, t->title, offer_to_learner, &w);
    return rc == TEND_STORE_OK ? w.rc : rc;
}

int tend_learning_digest_line(tend_store *store, const tend_group *g, int64_t until, tend_message *digest)
{
    int count = 0;
    int rc = tend_store_learned_count(store, g->id, until - MONTH_SECONDS, until, &count);
    if (rc != TEND_STORE_OK)
        return rc;
    /* an aggregate points at nobody only from three people up */
    if (count >= TEND_AGGREGATE_MIN_PEOPLE && (tend_message_appendf(digest, "\n") || tend_message_appendf(digest, MSG_LEARN_DIGEST, count)))
        return TEND_STORE_ERROR;
    return TEND_STORE_OK;
}
