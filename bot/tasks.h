/*
 * tasks.h — what other command families and the scheduler borrow from the task family.
 */
#ifndef TEND_TASKS_H
#define TEND_TASKS_H

#include "bot/command.h"

/* Releases every active claim and waitlist spot `m` holds (for /stepback and /forgetme). Each task
 * left with a free slot promotes its first waiting member, who gets a DM. *released counts the
 * active claims given back. TEND_OK or TEND_ESTORE. */
int tend_tasks_release_all(tend_ctx *ctx, const tend_member *m, int *released);

/* Appends to m the claims `who` holds in `state`, a "\n- #12 Soup run (…)" line each, with
 * `heading` before the first (nothing at all when there are none). *listed counts them (may be
 * NULL). TEND_STORE_OK or a store error. Used by /me and the low check-in. */
int tend_tasks_list_claims(tend_ctx *ctx, tend_message *m, const tend_member *who, tend_claim_state state,
                           const char *heading, int *listed);

/* Whose eyes a task line is for: times in this zone (named when it is not the group's), "time
 * passed" judged at now. A whole-day task is a date on the group's calendar, shown as that date
 * in day_zone (the group's) wherever the reader is. */
typedef struct {
    const char *zone;
    bool name_zone;
    int64_t now;
    const char *day_zone;
    const char *lang;    /* the reader's language ("" = English) */
} tend_task_view;

/* For the group's channel: the group's zone. */
tend_task_view tend_task_view_group(const tend_group *g, int64_t now);
/* For one member, privately: their own zone, named when it is not the group's. */
tend_task_view tend_task_view_member(const tend_group *g, const tend_member *m, int64_t now);

/* Writes "#12 Soup run (1 of 2 hands, Fri 6 Nov, 18:00, weekly)" for the task board, prompts and
 * digests. */
void tend_task_describe(const tend_task *t, const tend_task_view *v, char *out, size_t outlen);

#endif
