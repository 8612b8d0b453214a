/* clock.c — system or fixed time, plus an offset the console and tests can move. */
#include "lib/clock.h"

#include <stdbool.h>
#include <stdlib.h>
#include <time.h>

struct tend_clock {
    bool fixed;
    int64_t base;    /* fixed: the frozen time */
    int64_t offset;  /* seconds added by tend_clock_advance */
};

tend_clock *tend_clock_create_system(void)
{
    return calloc(1, sizeof(tend_clock));
}

tend_clock *tend_clock_create_fixed(int64_t start)
{
    tend_clock *c = calloc(1, sizeof *c);
    if (c) {
        c->fixed = true;
        c->base = start;
    }
    return c;
}

void tend_clock_destroy(tend_clock *clock)
{
    free(clock);
}

int64_t tend_clock_now(const tend_clock *clock)
{
    int64_t base = clock->fixed ? clock->base : (int64_t)time(NULL);
    return base + clock->offset;
}

void tend_clock_advance(tend_clock *clock, int64_t seconds)
{
    if (seconds > 0)
        clock->offset += seconds;
}
