/*
 * store_fillin.h — others fill in: a task's kind and traits, private offers (backups and
 * rotations), standing backups and learners. See store.h for the conventions; included by store.h
 * only.
 */
#ifndef TEND_STORE_FILLIN_H
#define TEND_STORE_FILLIN_H

#include <stdbool.h>
#include <stdint.h>

#define TEND_KIND_MAX 64 /* a kind: 24 characters of the group's own words */

/* What a task is besides its title. A task without a row has the defaults (no kind, no rotation,
 * no learner asked for). */
typedef struct {
    char kind[TEND_KIND_MAX];
    bool rotate; /* each new copy is offered round, privately, before the group hears of it */
    bool teach;  /* a learner is welcome alongside whoever takes it */
} tend_task_traits;

int tend_store_task_traits_get(tend_store *store, int64_t task_id, tend_task_traits *out);
int tend_store_task_traits_set(tend_store *store, int64_t task_id, const tend_task_traits *t);
/* The kinds the group's tasks use, most used first, at most `limit` (0: all); cb returns nonzero
 * to stop. For a kind: option's autocomplete. */
int tend_store_kinds_each(tend_store *store, int64_t group_id, int limit,
                          int (*cb)(const char *kind, void *ud), void *ud);
/* The kind the member took most since `since` (at least `min` of it): OK with kind and *count,
 * NOTFOUND when none reaches min. */
int tend_store_kind_busiest_since(tend_store *store, int64_t member_id, int64_t since, int min, char *kind,
                                  size_t kindlen, int *count);

/* ---------------------------------------------------------------- offers */

typedef enum { TEND_OFFER_BACKUP, TEND_OFFER_ROTATION } tend_offer_why;
typedef enum { TEND_OFFER_OPEN, TEND_OFFER_TAKEN, TEND_OFFER_PASSED, TEND_OFFER_CLOSED } tend_offer_state;

typedef struct {
    int64_t id;
    int64_t task_id;
    int64_t member_id;
    tend_offer_why why;
    tend_offer_state state;
    int64_t created_at;
} tend_offer;

/* Records an open offer; EXISTS when the member was already asked about this task (once each). */
int tend_store_offer_add(tend_store *store, int64_t task_id, int64_t member_id, tend_offer_why why, int64_t now);
/* The member's offer for the task, in any state; NOTFOUND when never asked. */
int tend_store_offer_get(tend_store *store, int64_t task_id, int64_t member_id, tend_offer *out);
int tend_store_offer_set_state(tend_store *store, int64_t offer_id, tend_offer_state state);
/* The task's open offers, oldest first. */
int tend_store_offers_open_of(tend_store *store, int64_t task_id, int (*cb)(const tend_offer *o, void *ud),
                              void *ud);
/* Closes every open offer of the task (it is filled, done or called off). */
int tend_store_offers_close(tend_store *store, int64_t task_id);
/* How many offers of the task went out, and how many of them are open. */
int tend_store_offers_count(tend_store *store, int64_t task_id, int *asked, int *open);
/* Open rotation offers made before `before`, oldest first: unanswered for a day, they move on. */
int tend_store_offers_stale(tend_store *store, int64_t group_id, int64_t before,
                            int (*cb)(const tend_offer *o, void *ud), void *ud);
/* The oldest open rotation offer's time: OK with *at, or NOTFOUND. */
int tend_store_offers_oldest_open(tend_store *store, int64_t group_id, int64_t *at);

/* The group is to hear that a task could use a hand: it lost one (backup), or nobody took their
 * turn (rotation). The scheduler says it, so it is never the answer to anyone's command. */
int tend_store_backup_call_add(tend_store *store, int64_t task_id, tend_offer_why why, int64_t now);
/* Calls of the group not yet announced, oldest first. */
int tend_store_backup_calls_pending(tend_store *store, int64_t group_id,
                                    int (*cb)(int64_t call_id, int64_t task_id, tend_offer_why why, void *ud),
                                    void *ud);
int tend_store_backup_call_announced(tend_store *store, int64_t call_id, int64_t now);

/* ---------------------------------------------------------------- who to ask */

/* Every member of the group who can be asked (not forgotten) with the last time they took a task
 * (claims taken, done or handed on; of tasks titled `title` only, when it is not NULL), least
 * recent first (never: 0), then in join order: the spreading order's raw material. */
int tend_store_members_by_last_take(tend_store *store, int64_t group_id, const char *title,
                                    int (*cb)(int64_t member_id, int64_t last_at, void *ud), void *ud);
/* Whether the member ever had a claim on the task (held, waited, gave back, did). */
int tend_store_claim_ever(tend_store *store, int64_t task_id, int64_t member_id, bool *ever);
/* The member who most recently took a task titled `title` in the group: OK, or NOTFOUND. */
int tend_store_last_holder(tend_store *store, int64_t group_id, const char *title, int64_t *member_id);

/* The task's done claims (its doers), oldest first. */
int tend_store_claims_done_of_task(tend_store *store, int64_t task_id, int (*cb)(const tend_claim *c, void *ud),
                                   void *ud);

/* ---------------------------------------------------------------- standing backups */

int tend_store_backup_set(tend_store *store, int64_t member_id, const char *kind, bool on);
int tend_store_backup_is(tend_store *store, int64_t member_id, const char *kind, bool *on);
/* The member's standing kinds, in alphabetical order. */
int tend_store_backups_of(tend_store *store, int64_t member_id, int (*cb)(const char *kind, void *ud), void *ud);

/* ---------------------------------------------------------------- learners */

typedef struct {
    int64_t id;
    int64_t task_id;
    int64_t member_id;
    int64_t created_at;
    int64_t learned_at; /* 0 until the task is done */
} tend_learner;

/* EXISTS when the member already learns this task. */
int tend_store_learner_add(tend_store *store, int64_t task_id, int64_t member_id, int64_t now);
int tend_store_learners_of(tend_store *store, int64_t task_id, int (*cb)(const tend_learner *l, void *ud),
                           void *ud);
/* The task is done: its learners have learned it. */
int tend_store_learners_learned(tend_store *store, int64_t task_id, int64_t now);
/* Members who learned a task titled `title` in the group and were not offered it since, oldest
 * first; offering marks them (tend_store_learner_offered). */
int tend_store_learners_ready(tend_store *store, int64_t group_id, const char *title,
                              int (*cb)(const tend_learner *l, void *ud), void *ud);
int tend_store_learner_offered(tend_store *store, int64_t learner_id);
/* How many different members learned a task in [since, until). */
int tend_store_learned_count(tend_store *store, int64_t group_id, int64_t since, int64_t until, int *count);

#endif
