/*
 * task_time.h — a task's time and how it repeats: the instants worked out from when: (when to
 * remind, when it is over, when to ask whether it happened), and the next date of a repeat. Shared
 * by the task commands and the scheduler.
 */
#ifndef TEND_TASK_TIME_H
#define TEND_TASK_TIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bot/when.h"
#include "store/store.h"

/* A whole-day task counts as starting at this local hour, for reminders. */
#define TEND_TASK_DAY_STARTS_HOUR 9
/* Claimers are asked "did it happen?" this long after a task's time... */
#define TEND_TASK_FOLLOWUP_AFTER (3 * 3600)
/* ...or, for a whole-day task, at this local hour the next day. */
#define TEND_TASK_DAY_FOLLOWUP_HOUR 10

/* Sets t's time to w in `zone` (the group's): due_at, all_day, and starts_at, over_at and
 * followup_at worked out from them. w NULL clears the time. 0, or -1 for an unknown zone. */
int tend_task_set_time(tend_task *t, const tend_when *w, const char *zone);
/* The time t has, as a tend_when (at 0 when it has none). */
tend_when tend_task_when(const tend_task *t);

/* Reads a repeat rule a member typed: "daily", "weekly", "biweekly" (or "fortnightly"), "monthly",
 * "every:3d", "every:2w" (1 to 365 days), or "off" / "none" for no repeat (canon ""), each also in
 * the words of the scope's languages (bot/words.h: "semanal", "every:2semanas"). Writes the
 * canonical rule ("weekly", "biweekly", "monthly", "every:3d"). 0, or -1 when it does not read. */
int tend_repeat_parse(const char *text, char *canon, size_t canonlen);
/* The first date of the repeat after `after`, keeping the local wall time of `from` in `zone`
 * (a month on keeps the day, or the month's last day when it has fewer). 0, or -1 for no rule
 * or an unknown zone. */
int tend_repeat_next(const char *rule, const char *zone, const tend_when *from, int64_t after, tend_when *next);
/* "weekly", "every 2 weeks", "monthly", "every 3 days"; "" for no rule. */
void tend_repeat_describe(const char *rule, char *out, size_t outlen);

#endif
