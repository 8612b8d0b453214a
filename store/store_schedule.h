/*
 * store_schedule.h — what the scheduler fired and which nudges went out, so each happens exactly
 * once. See store.h for the conventions; included by store.h only.
 */
#ifndef TEND_STORE_SCHEDULE_H
#define TEND_STORE_SCHEDULE_H

#include <stdint.h>

/* Whether (group, kind, slot) already fired (or was skipped as too old): TEND_STORE_OK with
 * *fired_at set (when fired_at is not NULL), or TEND_STORE_NOTFOUND. kind: "checkin", "digest",
 * "process", "repeat"; slot: which occurrence ("2026-11-02 18:00", "2026-11", "task:42"). */
int tend_store_fired_get(tend_store *store, int64_t group_id, const char *kind, const char *slot,
                         int64_t *fired_at);
/* Records that (group, kind, slot) fired at `now`. TEND_STORE_EXISTS when it already had. Call it
 * inside the transaction that holds the firing's effect. */
int tend_store_fired_record(tend_store *store, int64_t group_id, const char *kind, const char *slot,
                            int64_t now);

/* When the member was last sent a nudge of `kind` ("load"): OK with *sent_at, or NOTFOUND. */
int tend_store_nudge_last(tend_store *store, int64_t member_id, const char *kind, int64_t *sent_at);
/* Records a nudge of `kind` sent to the member at `now`. */
int tend_store_nudge_record(tend_store *store, int64_t member_id, const char *kind, int64_t now);

/* Records the member's answer ("no thanks") to their latest nudge of `kind`. NOTFOUND when they
 * were never nudged. */
int tend_store_nudge_answer(tend_store *store, int64_t member_id, const char *kind, const char *answer);
/* The ids of the group's weekly repeating tasks (open or done, not cancelled) whose next week's
 * copy has not been posted yet (no fired row "repeat" / "task:<id>"), in id order. */
int tend_store_repeats_pending(tend_store *store, int64_t group_id,
                               int (*cb)(int64_t task_id, void *ud), void *ud);

#endif
