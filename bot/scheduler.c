/* scheduler.c — placeholder until the scheduler issue lands: nothing is due yet. */
#include "bot/scheduler.h"

int tend_scheduler_tick(const tend_env *env, int64_t now, tend_messages *out)
{
    (void)env;
    (void)now;
    (void)out;
    return 0;
}

int64_t tend_scheduler_next_due(const tend_env *env, int64_t now)
{
    (void)env;
    return now + 60;
}
