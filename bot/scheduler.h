/*
 * scheduler.h — what the bot does on its own: weekly check-in prompts and digests, nudges, stale
 * claim reminders, the monthly process check-in, welcomes back, weekly repeats. Each thing fires
 * exactly once: it is recorded in the store in the same transaction as its effect.
 */
#ifndef TEND_SCHEDULER_H
#define TEND_SCHEDULER_H

#include <stdint.h>

#include "bot/bot.h"

/* Fires everything due at `now` for every group and member; appends messages to deliver.
 * 0, or -1 when the store failed (what fired before the failure stays fired and delivered). */
int tend_scheduler_tick(const tend_env *env, int64_t now, tend_messages *out);

/* What a member's command may have made due at once: a nudge when it took them over their capacity.
 * One member's work, not every group's and member's, so an adapter can run it after every command;
 * everything else (a schedule /setup moved, a member promoted from a waitlist) comes with the next
 * tend_scheduler_tick, which the live loop runs at least once a minute. A group or member that
 * does not exist (yet) is fine. 0 or -1. */
int tend_scheduler_after_command(const tend_env *env, const char *group_key, const char *member_key,
                                 int64_t now, tend_messages *out);

/* The unix time at which tend_scheduler_tick next has something to do: the exact earliest due
 * occurrence (may be far ahead; the live loop caps its own sleep at a minute, and the console's
 * :advance steps the clock through these times so nothing falls outside the grace window).
 * Returns now when something is due already. */
int64_t tend_scheduler_next_due(const tend_env *env, int64_t now);

#endif
