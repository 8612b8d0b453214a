/*
 * store_schedule.h — what the scheduler fired and which nudges went out, so each happens exactly
 * once. See store.h for the conventions; included by store.h only.
 */
#ifndef TEND_STORE_SCHEDULE_H
#define TEND_STORE_SCHEDULE_H

#include <stddef.h>
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

/* ---------------------------------------------------------------- what is due, across groups
 *
 * The scheduler does not walk every group and member: it asks for what is due. The store keeps
 * "when to look next" itself (store/sqlite/schema.c, migration 3): a changed group setting, a new
 * or promoted claim, a member's capacity, quiet hours, zone, rest or nudge switch each mark the
 * group or member as "look now" in the same transaction as the change. */

#define TEND_STORE_PLATFORMS_MAX 4

/* Which groups these queries look at: those whose key starts with one of the platform names and a
 * ':' ("discord" matches "discord:42"), or is one of them ("console:demo"). n = 0: every group. */
typedef struct {
    const char *names[TEND_STORE_PLATFORMS_MAX];
    size_t n;
} tend_store_platforms;

/* One due thing, as the lists below hand it over. */
typedef struct {
    int64_t group_id;
    int64_t id;        /* the group, rest, claim or member it is about                       */
    int64_t member_id; /* rests, claims and nudge checks                                      */
    int64_t task_id;   /* claims                                                              */
    int64_t at;        /* when it fell due: the look time, the rest's end, the claim's touch  */
} tend_store_due_item;

typedef int (*tend_store_due_cb)(const tend_store_due_item *item, void *ud);

/* Groups whose schedule (check-in prompt, digest, process check-in, weekly repeats) needs a look at
 * `now`, earliest first, at most `limit` (<= 0: no limit). id = group_id. */
int tend_store_schedule_groups_due(tend_store *store, const tend_store_platforms *p, int64_t now, int limit,
                                   tend_store_due_cb cb, void *ud);
/* The earliest look time of any group: OK with *at, or NOTFOUND when there is no group. */
int tend_store_schedule_groups_next(tend_store *store, const tend_store_platforms *p, int64_t *at);
/* When the group's schedule next needs a look (INT64_MAX: never, until a setting changes). */
int tend_store_schedule_group_set(tend_store *store, int64_t group_id, int64_t due_at);

/* Rests in progress whose end has passed at `now`, earliest end first, at most `limit`. id = the
 * rest, at = its end. */
int tend_store_rests_due_all(tend_store *store, const tend_store_platforms *p, int64_t now, int limit,
                             tend_store_due_cb cb, void *ud);
/* The earliest end of a rest in progress: OK with *at, or NOTFOUND. */
int tend_store_rests_next_end(tend_store *store, const tend_store_platforms *p, int64_t *at);

/* Active claims on open tasks, not reminded yet, last touched before `before`, oldest touch first,
 * at most `limit`. id = the claim, at = its last touch. */
int tend_store_claims_stale_all(tend_store *store, const tend_store_platforms *p, int64_t before, int limit,
                                tend_store_due_cb cb, void *ud);
/* The oldest last touch at or after `before` among such claims (the next to go stale): OK with
 * *at, or NOTFOUND. */
int tend_store_claims_stale_next(tend_store *store, const tend_store_platforms *p, int64_t before,
                                 int64_t *at);

/* Members whose nudge needs a look at `now`, earliest first, at most `limit`. id = member_id. */
int tend_store_nudge_checks_due(tend_store *store, const tend_store_platforms *p, int64_t now, int limit,
                                tend_store_due_cb cb, void *ud);
/* The earliest nudge look time: OK with *at, or NOTFOUND. */
int tend_store_nudge_checks_next(tend_store *store, const tend_store_platforms *p, int64_t *at);
/* One member's look time: OK with *due_at, or NOTFOUND when nothing is pending for them. */
int tend_store_nudge_check_get(tend_store *store, int64_t member_id, int64_t *due_at);
/* Sets the member's look time (a nudge held by quiet hours, a rest or the once-a-week rule). */
int tend_store_nudge_check_set(tend_store *store, int64_t member_id, int64_t due_at);
/* Nothing pending for the member any more (not over capacity, nudges off). */
int tend_store_nudge_check_clear(tend_store *store, int64_t member_id);

#endif
