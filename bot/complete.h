/*
 * complete.h — which tasks to offer while a member types one into a command (Discord's
 * autocomplete; any platform that suggests as one types). The choice is the bot's: /done and
 * /unclaim offer the member's own claims, /claim the open tasks they do not hold yet. Read only.
 */
#ifndef TEND_COMPLETE_H
#define TEND_COMPLETE_H

#include <stddef.h>

#include "bot/bot.h"

#define TEND_CHOICES_MAX 25   /* Discord shows at most 25 */
#define TEND_CHOICE_LABEL_MAX 128

typedef struct {
    int number;                          /* what the option's value becomes: /done 12 */
    char label[TEND_CHOICE_LABEL_MAX];   /* "#12 Soup run", cut on a character        */
} tend_task_choice;

/* The tasks to offer member_key of group_key in `command` (the command as typed so far; its first
 * words name it: "done", "handoff accept 3"), narrowed to labels containing `typed`
 * (case-insensitive; NULL or "" narrows nothing), in task number order:
 *   done, handoff, keep           the member's active claims on open tasks
 *   unclaim                       their active claims and waitlist spots
 *   handoff accept / decline      the tasks someone offered them
 *   claim, and anything else      open tasks they neither hold nor wait on
 * Writes at most max into out; returns how many, or -1 when the store failed. */
int tend_bot_complete_tasks(const tend_env *env, const char *group_key, const char *member_key,
                            const char *command, const char *typed, tend_task_choice *out, size_t max);

#endif
