/*
 * tasks_internal.h — what the task family's files (tasks.c, task_find.c, task_board.c,
 * task_post.c, handoff.c) share; nothing else includes it.
 */
#ifndef TEND_TASKS_INTERNAL_H
#define TEND_TASKS_INTERNAL_H

#include "bot/command.h"

/* Finds the task a member named ("12", "#12", title words): TEND_OK, or a refusal/usage answer. */
int tend_task_find(tend_ctx *ctx, const char *ref, tend_task *out);
/* When a title matches several open tasks (last week's, still held, and this week's), the only one
 * that fits is meant: one the member holds (/unclaim, /done, /handoff), one still needing hands
 * (/claim), or one whose time is still ahead (/task edit, /task cancel). Otherwise the member is
 * asked which. */
typedef enum { TEND_PREFER_NONE, TEND_PREFER_HELD, TEND_PREFER_NEEDS_HANDS, TEND_PREFER_UPCOMING } tend_task_prefer;
/* The same for the words from..to-1 of the command. */
int tend_task_find_words(tend_ctx *ctx, size_t from, size_t to, tend_task_prefer prefer, tend_task *out);
/* The way every command with free text after its task reads it: the task is the words before the
 * free-text option `tail_key` ("note" for /done 3 note:it went well), all the words without it;
 * *tail is the option's text or NULL. When nothing matches and the first word is a task number
 * ("/done 3 it went well"), the refusal shows how to write the note. */
int tend_task_find_before(tend_ctx *ctx, const char *tail_key, tend_task_prefer prefer, tend_task *out,
                          const char **tail);
/* "Task 12 is already done." and its kin, for a task that is not open. */
int tend_task_refuse_closed(tend_ctx *ctx, const tend_task *t);
/* An audit line for an act on a task; TEND_OK or TEND_ESTORE. */
int tend_task_audit(tend_ctx *ctx, const char *action, const tend_task *t, const char *what);
/* Gives the task's free slot to the first member waiting, and tells them; *promoted (may be NULL)
 * is their member id, 0 when nobody waited. TEND_OK or TEND_ESTORE. */
int tend_task_promote_waiting(tend_ctx *ctx, int64_t task_id, int64_t *promoted);
/* A copy of s without the blanks around it; NULL on OOM. */
char *tend_task_trimmed(const char *s);

/* The handlers of the family's other files, listed in tasks.c's command table. */
int tend_cmd_tasks(tend_ctx *ctx);        /* task_board.c */
int tend_cmd_task_add(tend_ctx *ctx);     /* task_post.c  */
int tend_cmd_task_edit(tend_ctx *ctx);    /* task_post.c  */
int tend_cmd_task_cancel(tend_ctx *ctx);  /* task_post.c  */

#endif
