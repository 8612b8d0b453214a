/*
 * settings.h — the product's knobs a coordinator may set in tend.conf ([bot] section), with their
 * defaults. Plain values: config/ fills them, bot/ reads them, neither knows the other.
 */
#ifndef TEND_SETTINGS_H
#define TEND_SETTINGS_H

/* Knobs the coordinator may set in tend.conf ([bot] and [schedule] sections). */
typedef struct tend_settings {
    int stale_claim_days;     /* "still on it?" after this many untouched days; default 5   */
    int grace_hours;          /* a missed scheduled post is still sent this late; default 6 */
    int thanks_per_day;       /* /thanks a member may give per day; default 5              */
    int default_capacity;     /* for new groups; default 3                                 */
    int commands_per_minute;  /* per member, before a polite "slow down"; default 30      */
    int backup_window_days;   /* a timed task losing a hand this close asks backups; 3   */
} tend_settings;

/* Fills s with the defaults above. */
void tend_settings_defaults(tend_settings *s);

#endif
