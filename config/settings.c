/* settings.c — the defaults of the coordinator's knobs. */
#include "config/settings.h"

void tend_settings_defaults(tend_settings *s)
{
    s->stale_claim_days = 5;
    s->grace_hours = 6;
    s->thanks_per_day = 5;
    s->default_capacity = 3;
    s->commands_per_minute = 30;
    s->backup_window_days = 3;
}
