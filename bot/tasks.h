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

/* Writes "#12 Soup run (1 of 2 hands, fri 18:00)" for the task board, prompts and digests. */
void tend_task_describe(const tend_task *t, char *out, size_t outlen);

#endif
