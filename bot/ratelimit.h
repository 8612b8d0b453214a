/*
 * ratelimit.h — how many commands a member and a group may send per minute, in memory.
 *
 * Each (group, member) pair and each group has a budget of `per_minute` commands that refills
 * evenly over a minute (GCRA, the token bucket written as one timestamp). The tables have a fixed
 * size, so a flood of new member ids cannot grow memory: when a bucket of slots is full, the slot
 * that is closest to idle is reused. Losing the state of an idle member loses nothing; losing a busy
 * one only forgives them a little, which is the safe way to be wrong.
 */
#ifndef TEND_RATELIMIT_H
#define TEND_RATELIMIT_H

#include <stdint.h>

typedef struct tend_ratelimit tend_ratelimit;

typedef enum {
    TEND_RATE_OK = 0,      /* go ahead; the command was counted          */
    TEND_RATE_MEMBER = 1,  /* this member is over their per-minute budget */
    TEND_RATE_GROUP = 2    /* the whole group is over its budget          */
} tend_rate_result;

/* A limiter allowing member_per_minute commands per member and group_per_minute per group
 * (0 turns that limit off). NULL on OOM. */
tend_ratelimit *tend_ratelimit_create(int member_per_minute, int group_per_minute);
/* Accepts NULL. */
void tend_ratelimit_destroy(tend_ratelimit *rl);

/* Counts one command from member_key in group_key at unix time now, unless a budget is spent; a
 * refused command is not counted, so waiting always helps. NULL rl allows everything. */
tend_rate_result tend_ratelimit_check(tend_ratelimit *rl, const char *group_key, const char *member_key,
                                      int64_t now);

#endif
