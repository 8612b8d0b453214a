/*
 * scheduler.h — what the bot does on its own: weekly check-in prompts and digests, nudges, stale
 * claim reminders, the monthly process check-in, welcomes back, weekly repeats. Each thing fires
 * exactly once: it is recorded in the store in the same transaction as its effect.
 */
#ifndef TEND_SCHEDULER_H
#define TEND_SCHEDULER_H

#include <stddef.h>
#include <stdint.h>

#include "bot/bot.h"

/* How much one slice of a tick does at most (firings, nudge checks, groups looked at). */
#define TEND_SCHEDULER_SLICE 64

/* Fires what is due at `now`, at most `budget` things (a prompt, a welcome back, a nudge check, a
 * group looked at); appends messages to deliver. Only what is due is visited: the cost follows
 * the work due, not the number of groups and members. 0 when nothing due is left, 1 when the
 * budget ran out first (call again soon, after letting the loop breathe), -1 when the store failed
 * (what fired before the failure stays fired and delivered). */
int tend_scheduler_tick_some(const tend_env *env, int64_t now, size_t budget, tend_messages *out);

/* Fires everything due at `now` (tend_scheduler_tick_some until nothing is left). 0 or -1. */
int tend_scheduler_tick(const tend_env *env, int64_t now, tend_messages *out);

/* What a member's command may have made due at once: a nudge when it took them over their capacity
 * (or, held by quiet hours, a rest or the once-a-week rule, its look time recorded). One member's
 * work, so an adapter can run it after every command; whatever else the command made due (a
 * schedule /setup moved, a member promoted from a waitlist, next week's copy of a done weekly task)
 * is marked due in the store, and tend_scheduler_next_due says "now". A group or member that does
 * not exist (yet) is fine. 0 or -1. */
int tend_scheduler_after_command(const tend_env *env, const char *group_key, const char *member_key,
                                 int64_t now, tend_messages *out);

/* The unix time at which tend_scheduler_tick next has something to do: the exact earliest due
 * occurrence, at most a week ahead (the live loop caps its own sleep at a minute, and the
 * console's :advance steps the clock through these times so nothing falls outside the grace
 * window). Returns now when something is due already. A few index lookups, whatever the number of
 * groups and members. */
int64_t tend_scheduler_next_due(const tend_env *env, int64_t now);

#endif
