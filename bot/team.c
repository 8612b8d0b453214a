/*
 * team.c — the coordinators' view of group health. Everything here is aggregate: counts and one
 * share, never a name or a ranking, and never a figure that points at fewer than three people.
 */
#include <stdint.h>

#include "bot/handlers.h"
#include "bot/command.h"
#include "bot/load.h"
#include "bot/messages.h"

#define TEAM_WINDOW (30 * 24 * 3600)

/* ---------------------------------------------------------------- team */

typedef struct {
    int64_t now;
    int active;
    int resting;
} headcount;

static int count_member(const tend_member *m, void *ud)
{
    headcount *h = ud;
    if (m->resting_until > h->now)
        h->resting++;
    else
        h->active++;
    return 0;
}

static int count_task(const tend_task *t, void *ud)
{
    (void)t;
    (*(int *)ud)++;
    return 0;
}

int tend_cmd_team(tend_ctx *ctx)
{
    headcount h = {.now = ctx->now};
    int rc = tend_store_members_each(ctx->env->store, ctx->group.id, count_member, &h);
    int open = 0;
    if (rc == TEND_STORE_OK)
        rc = tend_store_tasks_needing_hands(ctx->env->store, ctx->group.id, ctx->now, 0, count_task, &open);
    if (rc != TEND_STORE_OK)
        return tend_store_failed(ctx, rc);
    /* how many rest is told only when it is three or more, so it never points at someone */
    tend_message *m = h.resting >= TEND_AGGREGATE_MIN_PEOPLE
                          ? tend_reply_private(ctx, "team", MSG_TEAM_HEALTH, h.active, h.resting, open)
                          : tend_reply_private(ctx, "team", MSG_TEAM_HEALTH_FEW_RESTING, h.active + h.resting,
                                               TEND_AGGREGATE_MIN_PEOPLE, open);
    if (!m)
        return tend_store_failed(ctx, TEND_STORE_ERROR);
    int share = tend_load_concentration_told(ctx->env->store, &ctx->group, ctx->now - TEAM_WINDOW);
    if (share == TEND_LOAD_TOO_FEW) {
        tend_message_appendf(m, MSG_TEAM_SHARE_FEW, TEND_CONCENTRATION_MIN_MEMBERS);
    } else if (share < 0) {
        tend_message_appendf(m, MSG_TEAM_SHARE_NONE);
    } else {
        tend_message_appendf(m, MSG_TEAM_SHARE, share);
        if (tend_load_concentrated(ctx->env->store, &ctx->group, ctx->now - TEAM_WINDOW))
            tend_message_appendf(m, MSG_TEAM_SHARE_HIGH);
    }
    return TEND_OK;
}
