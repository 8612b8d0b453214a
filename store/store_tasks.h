/*
 * store_tasks.h — tasks, claims, waitlists, handoffs, and the figures the load model needs.
 * See store.h for the conventions; included by store.h only.
 */
#ifndef TEND_STORE_TASKS_H
#define TEND_STORE_TASKS_H

#include <stdbool.h>
#include <stdint.h>

typedef enum { TEND_TASK_OPEN, TEND_TASK_DONE, TEND_TASK_CANCELLED } tend_task_state;

typedef struct {
    int64_t id;
    int64_t group_id;
    int number;                   /* what members type: /claim 12; counts from 1 per group     */
    char title[TEND_TITLE_MAX];
    char note[TEND_TASK_NOTE_MAX];/* details: where, what to bring                             */
    char when_text[128];          /* as the member wrote it ("fri 18:00", "2026-12-01")       */
    int64_t due_at;               /* 0 = no time; a whole day: the start of that local day     */
    bool all_day;                 /* due_at is a day, not a moment                             */
    /* Worked out from due_at in the group's zone whenever it is set (0 without a time): */
    int64_t starts_at;            /* reminders count back from here (a day: its 09:00)         */
    int64_t over_at;              /* its time has passed (a day: the next midnight)            */
    int64_t followup_at;          /* claimers are asked whether it happened                    */
    int slots;                    /* people it needs, >= 1                                     */
    int weight;                   /* how much of a capacity it takes, >= 1                     */
    char repeat[TEND_REPEAT_MAX]; /* "" none, "weekly", "biweekly", "monthly", "every:3d"      */
    tend_task_state state;
    int64_t created_by;           /* member id, 0 if unknown                                   */
    int64_t created_at;
    int64_t done_at;
    int active;                   /* filled on read: active claims                             */
    int waiting;                  /* filled on read: members on the waitlist                   */
} tend_task;

typedef enum {
    TEND_CLAIM_ACTIVE,
    TEND_CLAIM_WAITING,
    TEND_CLAIM_RELEASED,
    TEND_CLAIM_DONE,
    TEND_CLAIM_HANDED_OFF
} tend_claim_state;

typedef struct {
    int64_t id;
    int64_t task_id;
    int64_t member_id;
    tend_claim_state state;
    int64_t created_at;
    int64_t updated_at;           /* last touched: claim, confirm, "still on it"               */
    int64_t done_at;
    int64_t reminded_at;          /* when the "still on it?" went out; 0 = not yet             */
    int64_t remind_at;            /* the start reminder is due; 0 = none pending               */
    int64_t followup_at;          /* "did it happen?" is due; 0 = none pending                 */
    char note[TEND_NOTE_MAX];
} tend_claim;

typedef enum { TEND_TASKS_OPEN, TEND_TASKS_MINE, TEND_TASKS_ALL } tend_task_filter;

/* Adds a task: reads group_id, title, note, when_text, the time fields, slots, weight, repeat,
 * created_by and created_at from t; writes back id and number (the group's next). */
int tend_store_task_add(tend_store *store, tend_task *t);
/* Writes what an edit or a roll forward may change (title, note, when_text, the time fields,
 * slots, weight, repeat) of the task t->id. */
int tend_store_task_update(tend_store *store, const tend_task *t);
/* By the group's task number. */
int tend_store_task_get(tend_store *store, int64_t group_id, int number, tend_task *out);
int tend_store_task_by_id(tend_store *store, int64_t id, tend_task *out);
/* What a member typed to name a task: "12", "#12", or words that match exactly one open task's
 * title (case-insensitive substring). NOTFOUND when nothing matches; EXISTS when several do. */
int tend_store_task_find(tend_store *store, int64_t group_id, const char *ref, tend_task *out);
/* OPEN: open tasks; MINE: tasks member_id actively claims or waits on; ALL: every task, newest
 * first. Open tasks come in number order. At most `limit` (0 = no limit) after skipping `offset`. */
int tend_store_tasks_each(tend_store *store, int64_t group_id, tend_task_filter filter,
                          int64_t member_id, int offset, int limit,
                          int (*cb)(const tend_task *t, void *ud), void *ud);
/* OPEN or MINE as tend_store_tasks_each, open tasks only, in number order, with only id, group_id,
 * number, title and state filled in: what autocomplete offers, without the rest's cost. */
int tend_store_task_titles_each(tend_store *store, int64_t group_id, tend_task_filter filter, int64_t member_id,
                                int (*cb)(const tend_task *t, void *ud), void *ud);
/* How many tasks tend_store_tasks_each would walk without a limit. */
int tend_store_tasks_count(tend_store *store, int64_t group_id, tend_task_filter filter, int64_t member_id,
                           int *count);
/* Open tasks with fewer active claims than slots whose time has not passed at `now` ("still need
 * hands"), in number order. */
int tend_store_tasks_needing_hands(tend_store *store, int64_t group_id, int64_t now, int limit,
                                   int (*cb)(const tend_task *t, void *ud), void *ud);
/* Tasks done in [since, until), in the order they were done. */
int tend_store_tasks_done_between(tend_store *store, int64_t group_id, int64_t since, int64_t until,
                                  int (*cb)(const tend_task *t, void *ud), void *ud);
/* How many open tasks the group has (for its limit). */
int tend_store_tasks_open_count(tend_store *store, int64_t group_id, int *count);
int tend_store_task_set_state(tend_store *store, int64_t task_id, tend_task_state state, int64_t now);
/* Open tasks whose title contains `words` (case-insensitive), in number order, at most `limit`
 * (0 = no limit): what tend_store_task_find matched when it said EXISTS, to list the candidates. */
int tend_store_tasks_matching(tend_store *store, int64_t group_id, const char *words, int limit,
                              int (*cb)(const tend_task *t, void *ud), void *ud);

/* The member's current claim on the task: active or waiting. NOTFOUND when they hold neither. */
int tend_store_claim_current(tend_store *store, int64_t task_id, int64_t member_id, tend_claim *out);
/* Adds an active or waiting claim; writes back its id. */
int tend_store_claim_add(tend_store *store, int64_t task_id, int64_t member_id, tend_claim_state state,
                         int64_t now, tend_claim *out);
/* Moves a claim to a new state (done sets done_at and note). */
int tend_store_claim_set_state(tend_store *store, int64_t claim_id, tend_claim_state state,
                               const char *note, int64_t now);
/* Marks a claim touched now (the member said they're still on it), clearing reminded_at. */
int tend_store_claim_touch(tend_store *store, int64_t claim_id, int64_t now);
int tend_store_claim_mark_reminded(tend_store *store, int64_t claim_id, int64_t now);
/* The first member waiting on the task (the longest waiting). NOTFOUND when nobody waits. */
int tend_store_claim_first_waiting(tend_store *store, int64_t task_id, tend_claim *out);
/* Where a waiting claim stands on its task's waitlist: 1 = next in line. */
int tend_store_claim_waitlist_position(tend_store *store, const tend_claim *c, int *position);
/* Releases every waitlist spot on the task (it is done or cancelled: nobody needs to wait). */
int tend_store_claims_release_waiting(tend_store *store, int64_t task_id, int64_t now);
/* Every active and waiting claim of a member, oldest first. */
int tend_store_claims_of_member(tend_store *store, int64_t member_id,
                                int (*cb)(const tend_claim *c, void *ud), void *ud);
/* Every active and waiting claim of a task, oldest first (whom to tell about an edit). */
int tend_store_claims_live_of_task(tend_store *store, int64_t task_id,
                                   int (*cb)(const tend_claim *c, void *ud), void *ud);
/* Releases every active claim and waitlist spot on the task (it was cancelled). */
int tend_store_claims_release_all(tend_store *store, int64_t task_id, int64_t now);
/* Every active claim of a task, oldest first. */
int tend_store_claims_of_task(tend_store *store, int64_t task_id,
                              int (*cb)(const tend_claim *c, void *ud), void *ud);
/* Active claims in the group last touched before `before` and not yet reminded. */
int tend_store_claims_untouched(tend_store *store, int64_t group_id, int64_t before,
                                int (*cb)(const tend_claim *c, void *ud), void *ud);

/* The two halves of a member's load: the weight of their active claims, and the weight of what
 * they finished in [since, now]. */
int tend_store_member_load(tend_store *store, int64_t member_id, int64_t since, int *open_weight,
                           int *done_weight);
/* Done work per member in the group since `since` (sum of task weights), busiest first; members
 * with nothing done are not listed. For the concentration figure; never shown per person. */
int tend_store_done_weight_by_member(tend_store *store, int64_t group_id, int64_t since,
                                     int (*cb)(int64_t member_id, int weight, void *ud), void *ud);

typedef struct {
    int64_t id;
    int64_t task_id;
    int64_t from_member;
    int64_t to_member;
    int64_t created_at;
} tend_handoff;

/* Records an offer of from's slot to `to`; writes back id. A newer offer of the same task to the
 * same member replaces the old one. */
int tend_store_handoff_offer(tend_store *store, tend_handoff *h);
/* The open offer of task_id to member `to`. */
int tend_store_handoff_pending(tend_store *store, int64_t task_id, int64_t to_member, tend_handoff *out);
/* Closes an offer: "accepted", "declined" or "withdrawn". */
int tend_store_handoff_close(tend_store *store, int64_t handoff_id, const char *how);

#endif
