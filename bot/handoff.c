/*
 * handoff.c — offering my slot on a task to someone; it moves only when they accept, so nobody is
 * handed work they did not say yes to.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bot/handlers.h"
#include "bot/messages.h"
#include "bot/tasks.h"
#include "bot/tasks_internal.h"

static int offer_handoff(tend_ctx *ctx, const tend_task *t, const tend_member *to)
{
    tend_handoff h = {.task_id = t->id, .from_member = ctx->member.id, .to_member = to->id,
                      .created_at = ctx->now};
    int rc = tend_store_handoff_offer(ctx->env->store, &h);
    if (rc != TEND_STORE_OK)
        return tend_store_failed(ctx, rc);
    char line[TEND_TITLE_MAX + 300], accept[40], decline[40];
    tend_task_view v = tend_task_view_member(&ctx->group, to, ctx->now);
    tend_task_describe(t, &v, line, sizeof line);
    snprintf(accept, sizeof accept, "handoff accept %d", t->number);
    snprintf(decline, sizeof decline, "handoff decline %d", t->number);
    tend_message *m = tend_dm(ctx, to, "handoff.offer", MSG_TASKS_HANDOFF_OFFER, ctx->member.name, line);
    if (!m || tend_message_add_button(m, MSG_TASKS_HANDOFF_ACCEPT, "\xE2\x9C\x85", accept) != 0 ||
        tend_message_add_button(m, MSG_TASKS_HANDOFF_DECLINE, "\xE2\x9D\x8C", decline) != 0 ||
        !tend_reply_private(ctx, "reply", MSG_TASKS_HANDOFF_OFFERED, t->number, to->name))
        return tend_store_failed(ctx, TEND_STORE_ERROR);
    return tend_task_audit(ctx, "handoff", t, "offered");
}

#define NAME_WORDS_MAX 3 /* "Ana Lopez Garcia" typed as words after the title */

/* Words [from, to) joined by single spaces; NULL on OOM. */
static char *words_between(const tend_args *args, size_t from, size_t to)
{
    char *all = tend_args_join(args, from);
    if (!all)
        return NULL;
    char *cut = all;
    for (size_t i = from; i < to && *cut; i++)
        cut += strlen(tend_args_word(args, i)) + (i + 1 < to);
    *cut = '\0';
    return all;
}

/* Title, then member: a mention (anywhere), member:NAME, or the last one to three words when
 * they are someone's name here. *task_to is where the task's words end (they start at 0, or
 * right after a leading mention, *task_from). */
static int read_member_after_title(tend_ctx *ctx, tend_member *to, size_t *task_from, size_t *task_to)
{
    size_t n = tend_args_count(ctx->args);
    const char *named = tend_args_named(ctx->args, "member");
    *task_from = 0;
    *task_to = n;
    if (named)
        return tend_store_member_find_name(ctx->env->store, ctx->group.id, named[0] == '@' ? named + 1 : named, to);
    for (size_t i = n; i-- > 0;)
        if (tend_args_ref(ctx->args, i)) {
            if (i == 0)
                *task_from = 1; /* "/handoff @Ana Soup run" reads too */
            else
                *task_to = i;
            return tend_resolve_member(ctx, i, to);
        }
    int rc = TEND_STORE_NOTFOUND;
    for (size_t k = 1; k <= NAME_WORDS_MAX && k < n && rc == TEND_STORE_NOTFOUND; k++) {
        char *name = words_between(ctx->args, n - k, n);
        if (!name)
            return TEND_STORE_ERROR;
        rc = tend_store_member_find_name(ctx->env->store, ctx->group.id, name[0] == '@' ? name + 1 : name, to);
        free(name);
        if (rc == TEND_STORE_OK)
            *task_to = n - k;
    }
    return rc;
}

int tend_cmd_handoff(tend_ctx *ctx)
{
    size_t n = tend_args_count(ctx->args);
    if (n < 2 && !(n == 1 && tend_args_named(ctx->args, "member")))
        return tend_usage(ctx, n ? MSG_TASKS_HANDOFF_WHO : MSG_TASKS_WHICH);
    tend_member to;
    size_t from = 0, upto = n;
    int rc = read_member_after_title(ctx, &to, &from, &upto);
    if (rc == TEND_STORE_NOTFOUND || (rc == TEND_STORE_OK && to.forgotten)) {
        const char *named = tend_args_named(ctx->args, "member");
        char *shown = tend_text_clean(named ? named : tend_args_word(ctx->args, n - 1), 60);
        int result = shown ? tend_refuse(ctx, MSG_MEMBER_NOT_FOUND_AFTER_TASK, shown)
                           : tend_store_failed(ctx, TEND_STORE_ERROR);
        free(shown);
        return result;
    }
    if (rc != TEND_STORE_OK)
        return tend_store_failed(ctx, rc);
    if (upto <= from)
        return tend_usage(ctx, MSG_TASKS_WHICH);
    tend_task t;
    int result = tend_task_find_words(ctx, from, upto, TEND_PREFER_HELD, &t);
    if (result != TEND_OK)
        return result;
    if (t.state != TEND_TASK_OPEN)
        return tend_task_refuse_closed(ctx, &t);
    tend_claim mine, theirs;
    rc = tend_store_claim_current(ctx->env->store, t.id, ctx->member.id, &mine);
    if (rc == TEND_STORE_NOTFOUND || (rc == TEND_STORE_OK && mine.state != TEND_CLAIM_ACTIVE))
        return tend_refuse(ctx, MSG_TASKS_HANDOFF_NOT_HELD, t.number, t.number);
    /* after the holding check, so "give it back instead" is only said to someone who holds it */
    if (rc == TEND_STORE_OK && to.id == ctx->member.id)
        return tend_refuse(ctx, MSG_TASKS_HANDOFF_SELF, t.number);
    if (rc == TEND_STORE_OK)
        rc = tend_store_claim_current(ctx->env->store, t.id, to.id, &theirs);
    if (rc == TEND_STORE_OK && theirs.state == TEND_CLAIM_ACTIVE)
        return tend_refuse(ctx, MSG_TASKS_HANDOFF_HAS_IT, to.name, t.number);
    if (rc != TEND_STORE_OK && rc != TEND_STORE_NOTFOUND)
        return tend_store_failed(ctx, rc);
    if (to.resting_until > ctx->now)
        return tend_refuse(ctx, MSG_TASKS_HANDOFF_RESTING, to.name, t.number);
    return offer_handoff(ctx, &t, &to);
}

/* The open offer of the named task to the member typing, and who made it. */
static int find_offer(tend_ctx *ctx, tend_task *t, tend_handoff *h, tend_member *from)
{
    int result = tend_task_find_words(ctx, 0, tend_args_count(ctx->args), TEND_PREFER_NONE, t);
    if (result != TEND_OK)
        return result;
    int rc = tend_store_handoff_pending(ctx->env->store, t->id, ctx->member.id, h);
    if (rc == TEND_STORE_NOTFOUND)
        return tend_refuse(ctx, MSG_TASKS_HANDOFF_NONE, t->number);
    if (rc == TEND_STORE_OK)
        rc = tend_store_member_by_id(ctx->env->store, h->from_member, from);
    return rc == TEND_STORE_OK ? TEND_OK : tend_store_failed(ctx, rc);
}

int tend_cmd_handoff_accept(tend_ctx *ctx)
{
    tend_task t;
    tend_handoff h;
    tend_member from;
    int result = find_offer(ctx, &t, &h, &from);
    if (result != TEND_OK)
        return result;
    if (t.state != TEND_TASK_OPEN)
        return tend_task_refuse_closed(ctx, &t);
    tend_store *store = ctx->env->store;
    tend_claim given, mine;
    int rc = tend_store_claim_current(store, t.id, from.id, &given);
    if (rc == TEND_STORE_NOTFOUND || (rc == TEND_STORE_OK && given.state != TEND_CLAIM_ACTIVE))
        return tend_refuse(ctx, MSG_TASKS_HANDOFF_STALE, t.number, from.name);
    if (rc == TEND_STORE_OK)
        rc = tend_store_claim_current(store, t.id, ctx->member.id, &mine);
    if (rc == TEND_STORE_OK && mine.state == TEND_CLAIM_ACTIVE)
        return tend_refuse(ctx, MSG_TASKS_ALREADY_YOURS, t.number);
    if (rc == TEND_STORE_OK) /* they were waiting: the handed slot replaces their spot in line */
        rc = tend_store_claim_set_state(store, mine.id, TEND_CLAIM_RELEASED, NULL, ctx->now);
    else if (rc == TEND_STORE_NOTFOUND)
        rc = TEND_STORE_OK;
    if (rc == TEND_STORE_OK)
        rc = tend_store_claim_set_state(store, given.id, TEND_CLAIM_HANDED_OFF, NULL, ctx->now);
    if (rc == TEND_STORE_OK)
        rc = tend_store_claim_add(store, t.id, ctx->member.id, TEND_CLAIM_ACTIVE, ctx->now, &mine);
    if (rc == TEND_STORE_OK)
        rc = tend_store_handoff_close(store, h.id, "accepted");
    if (rc != TEND_STORE_OK)
        return tend_store_failed(ctx, rc);
    if (!tend_reply_private(ctx, "reply", MSG_TASKS_HANDOFF_TAKEN, t.number) ||
        (from.key[0] && !tend_dm(ctx, &from, "handoff.accepted", MSG_TASKS_HANDOFF_TAKEN_DM,
                                 ctx->member.name, t.number)))
        return tend_store_failed(ctx, TEND_STORE_ERROR);
    return tend_task_audit(ctx, "handoff", &t, "accepted");
}

int tend_cmd_handoff_decline(tend_ctx *ctx)
{
    tend_task t;
    tend_handoff h;
    tend_member from;
    int result = find_offer(ctx, &t, &h, &from);
    if (result != TEND_OK)
        return result;
    int rc = tend_store_handoff_close(ctx->env->store, h.id, "declined");
    if (rc != TEND_STORE_OK)
        return tend_store_failed(ctx, rc);
    if (!tend_reply_private(ctx, "reply", MSG_TASKS_HANDOFF_DECLINED, from.name) ||
        (from.key[0] && !tend_dm(ctx, &from, "handoff.declined", MSG_TASKS_HANDOFF_DECLINED_DM,
                                 ctx->member.name, t.number, t.number)))
        return tend_store_failed(ctx, TEND_STORE_ERROR);
    return tend_task_audit(ctx, "handoff", &t, "declined");
}
