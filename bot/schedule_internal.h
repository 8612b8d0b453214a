/*
 * schedule_internal.h — what the scheduler's files (scheduler.c, schedule_posts.c,
 * schedule_members.c, schedule_repeat.c) share: local calendar arithmetic, quiet hours, firing one
 * thing in one transaction, and the budget of a tick. Nothing outside the scheduler includes it.
 */
#ifndef TEND_SCHEDULE_INTERNAL_H
#define TEND_SCHEDULE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bot/bot.h"

/* A local calendar date (no zone: the zone is whoever asked). */
typedef struct {
    int year, month, day;
} tend_sched_date;

/* The local date, minute of the day and weekday (0 = Sunday) at instant t in `zone`. 0 or -1. */
int tend_sched_local(const char *zone, int64_t t, tend_sched_date *date, int *minute, int *weekday);
/* The date `days` later (or earlier, when negative). */
tend_sched_date tend_sched_date_add(tend_sched_date d, int days);
/* 0 = Sunday .. 6. */
int tend_sched_weekday(tend_sched_date d);
/* The instant of local `minute` of date d in `zone` (tz.h's rules for skipped and repeated
 * hours). 0 or -1. */
int tend_sched_at(const char *zone, tend_sched_date d, int minute, int64_t *out);

/* True when t falls in the member's quiet hours (which may cross midnight). */
bool tend_sched_is_quiet(const tend_group *g, const tend_member *m, int64_t t);
/* The first instant at or after t outside the member's quiet hours. */
int64_t tend_sched_quiet_over(const tend_group *g, const tend_member *m, int64_t t);

/* A post in the group's channel / a direct message to a member, as the scheduler sends them.
 * NULL on OOM. */
tend_message *tend_sched_post(tend_messages *out, const tend_group *g, const char *kind,
                              const char *fmt, ...) __attribute__((format(printf, 4, 5)));
tend_message *tend_sched_dm(tend_messages *out, const tend_group *g, const tend_member *m,
                            const char *kind, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* Starts the transaction one firing lives in. TEND_STORE_OK or an error. */
int tend_sched_begin(const tend_env *env);
/* Ends it: commits when rc is TEND_STORE_OK, else (or when the commit fails) rolls back and drops
 * the messages appended since `mark`, so nothing is said about what did not happen. Returns the
 * final code. */
int tend_sched_end(const tend_env *env, int rc, const char *what, tend_messages *out, size_t mark);

/* How much one tick may do (firings, checks, groups looked at), so that 10,000 prompts falling in
 * the same minute go out in slices and the loop answers commands and heartbeats in between. */
typedef struct {
    size_t left;
    bool exhausted; /* something due was left for the next slice */
} tend_sched_budget;
/* Takes one unit; false (and marks the budget exhausted) when none is left. */
bool tend_sched_spend(tend_sched_budget *b);

/* The groups this process serves, as the store's due-queries want them. */
void tend_sched_platforms(const tend_env *env, tend_store_platforms *p);

/* A group by id, kept across calls while it stays the same (one lookup per run of items). */
typedef struct {
    tend_group g;
    bool have;
} tend_sched_group_cache;
const tend_group *tend_sched_group(const tend_env *env, tend_sched_group_cache *cache, int64_t group_id);

/* What the group schedule posts (schedule_posts.c), each appended to out; TEND_STORE_OK or an
 * error. The digest covers [since, until). */
int tend_sched_say_checkin(const tend_env *env, const tend_group *g, int64_t now, tend_messages *out);
int tend_sched_say_process(const tend_env *env, const tend_group *g, tend_messages *out);
int tend_sched_say_digest(const tend_env *env, const tend_group *g, int64_t since, int64_t until,
                          tend_messages *out);

/* Member events across every served group (schedule_members.c): rests that end, stale claims,
 * nudges whose look time came. Each takes from the budget. */
int tend_sched_members_tick(const tend_env *env, int64_t now, tend_sched_budget *budget, tend_messages *out);
/* The nudge look of one member (by key), if their command left one due. */
int tend_sched_member_nudge(const tend_env *env, const tend_group *g, const char *member_key, int64_t now,
                            tend_messages *out);
/* The earliest time a member event is due (now when due already), or INT64_MAX for none. */
int64_t tend_sched_members_next(const tend_env *env, int64_t now);

/* Weekly repeating tasks of one group (schedule_repeat.c). */
int tend_sched_repeats_tick(const tend_env *env, const tend_group *g, int64_t now, tend_messages *out);
int64_t tend_sched_repeats_next(const tend_env *env, const tend_group *g, int64_t now);

#endif
