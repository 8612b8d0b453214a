/*
 * store_people.h — check-ins, rests and thanks. See store.h for the conventions; included by
 * store.h only.
 */
#ifndef TEND_STORE_PEOPLE_H
#define TEND_STORE_PEOPLE_H

#include <stdint.h>

/* ---------------------------------------------------------------- check-ins (private) */

typedef struct {
    int64_t id;
    int64_t member_id;
    char energy[8];            /* "great", "ok", "low", "out" */
    char note[TEND_NOTE_MAX];
    int64_t created_at;
} tend_checkin;

int tend_store_checkin_add(tend_store *store, int64_t member_id, const char *energy, const char *note,
                           int64_t now);
/* The member's latest check-in. NOTFOUND when they never checked in. */
int tend_store_checkin_latest(tend_store *store, int64_t member_id, tend_checkin *out);

/* ---------------------------------------------------------------- rests */

typedef struct {
    int64_t id;
    int64_t member_id;
    int64_t started_at;
    int64_t until;
    int64_t ended_at;          /* 0 while resting                         */
    char note[TEND_NOTE_MAX];  /* private reason; never shown to the group */
    bool welcomed;             /* the welcome back went out                */
    bool announce;             /* the member said yes to a welcome back in the digest */
} tend_rest;

/* Starts a rest (also sets members.resting_until); writes back the rest's id when out_id. */
int tend_store_rest_start(tend_store *store, int64_t member_id, int64_t until, const char *note,
                          int64_t now, int64_t *out_id);
/* The member's rest in progress. NOTFOUND when they are not resting. */
int tend_store_rest_current(tend_store *store, int64_t member_id, tend_rest *out);
/* Ends a rest at `now` (also clears members.resting_until); welcomed records whether the welcome
 * back is part of the same transaction. */
int tend_store_rest_end(tend_store *store, int64_t rest_id, bool welcomed, int64_t now);
/* Moves the end of a rest in progress to `until` and replaces its private note (a second /stepback
 * while resting); also sets members.resting_until. NOTFOUND when the rest already ended. */
int tend_store_rest_extend(tend_store *store, int64_t rest_id, int64_t until, const char *note);
/* Rests in the group whose `until` has passed at `now` but that have not ended yet. */
int tend_store_rests_due(tend_store *store, int64_t group_id, int64_t now,
                         int (*cb)(const tend_rest *r, void *ud), void *ud);
/* The member said yes to being welcomed back in the digest: marks their latest rest that ended at
 * or after `since`. NOTFOUND when there is none. */
int tend_store_rest_announce(tend_store *store, int64_t member_id, int64_t since);
/* Rests in the group that ended in [since, until) — for the digest's welcomes back. */
int tend_store_rests_ended_between(tend_store *store, int64_t group_id, int64_t since, int64_t until,
                                   int (*cb)(const tend_rest *r, void *ud), void *ud);

/* ---------------------------------------------------------------- thanks (public) */

typedef struct {
    int64_t id;
    int64_t group_id;
    int64_t from_member;
    int64_t to_member;
    char reason[TEND_NOTE_MAX];
    int64_t created_at;
} tend_thanks;

int tend_store_thanks_add(tend_store *store, const tend_thanks *t);
/* How many thanks `from_member` gave since `since` (the daily limit). */
int tend_store_thanks_given_since(tend_store *store, int64_t from_member, int64_t since, int *count);
/* Thanks in the group in [since, until), oldest first — for the digest. */
int tend_store_thanks_between(tend_store *store, int64_t group_id, int64_t since, int64_t until,
                              int (*cb)(const tend_thanks *t, void *ud), void *ud);

#endif
