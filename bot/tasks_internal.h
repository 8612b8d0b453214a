/*
 * tasks_internal.h — what tasks.c shares with handoff.c; nothing else includes it.
 */
#ifndef TEND_TASKS_INTERNAL_H
#define TEND_TASKS_INTERNAL_H

#include "bot/command.h"

/* Finds the task a member named ("12", "#12", title words): TEND_OK, or a refusal/usage answer. */
int tend_task_find(tend_ctx *ctx, const char *ref, tend_task *out);
/* The same for the words from..to-1 of the command. */
int tend_task_find_words(tend_ctx *ctx, size_t from, size_t to, tend_task *out);
/* "Task 12 is already done." and its kin, for a task that is not open. */
int tend_task_refuse_closed(tend_ctx *ctx, const tend_task *t);
/* An audit line for an act on a task; TEND_OK or TEND_ESTORE. */
int tend_task_audit(tend_ctx *ctx, const char *action, const tend_task *t, const char *what);

#endif
