/*
 * clock.h — the one source of time. Production reads the system clock; tests and the console's
 * `:advance` move an offset, so a week of a group's life can pass in a second.
 */
#ifndef TEND_CLOCK_H
#define TEND_CLOCK_H

#include <stdint.h>

typedef struct tend_clock tend_clock;

/* A clock that follows the system clock (plus any offset added later). NULL on OOM. */
tend_clock *tend_clock_create_system(void);
/* A clock frozen at `start` (unix seconds) until advanced. NULL on OOM. */
tend_clock *tend_clock_create_fixed(int64_t start);
/* Accepts NULL. */
void tend_clock_destroy(tend_clock *clock);

/* Now, in unix seconds (UTC). */
int64_t tend_clock_now(const tend_clock *clock);
/* Moves the clock forward by `seconds` (>= 0). */
void tend_clock_advance(tend_clock *clock, int64_t seconds);

#endif
