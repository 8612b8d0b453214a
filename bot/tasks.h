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

/* Writes "#12 Soup run (1 of 2 hands, fri 18:00)" for the task board, prompts and digests. */
void tend_task_describe(const tend_task *t, char *out, size_t outlen);

#endif
