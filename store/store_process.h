/*
 * store_process.h — the anonymous suggestion box, the group's agreements, what /export reads and
 * what /forgetme erases. See store.h for the conventions; included by store.h only.
 */
#ifndef TEND_STORE_PROCESS_H
#define TEND_STORE_PROCESS_H

#include <stdbool.h>
#include <stdint.h>

/* Suggestions and agreements are at most 1000 characters (TEND_LIMIT_LONG_TEXT_CHARS in
 * bot/limits.h); 4 bytes each at most, plus the NUL. */
#define TEND_LONG_TEXT_MAX 4096

/* ---------------------------------------------------------------- feedback (anonymous) */

/* No author on purpose, only the UTC month it arrived, and an id drawn at random: a row cannot be
 * matched to a moment in the chat, nor ordered against what its author did around it. Lists of
 * suggestions therefore come in no telling order. */
typedef struct {
    int64_t id;
    int64_t group_id;
    char text[TEND_LONG_TEXT_MAX];
    char month[8]; /* "YYYY-MM" */
    bool shown;    /* already shared at a process check-in */
} tend_feedback;

int tend_store_feedback_add(tend_store *store, int64_t group_id, const char *text, const char *month);
int tend_store_feedback_count(tend_store *store, int64_t group_id, int *count);
/* Every suggestion of the group, by month (in no telling order within one). */
int tend_store_feedback_each(tend_store *store, int64_t group_id,
                             int (*cb)(const tend_feedback *f, void *ud), void *ud);
/* The suggestions not yet shared at a monthly process check-in (which waits until there are at
 * least 3, so no one can be singled out). */
int tend_store_feedback_unshown_count(tend_store *store, int64_t group_id, int *count);
int tend_store_feedback_unshown_each(tend_store *store, int64_t group_id,
                                     int (*cb)(const tend_feedback *f, void *ud), void *ud);
/* Marks every suggestion of the group as shared. */
int tend_store_feedback_mark_shown(tend_store *store, int64_t group_id);

/* ---------------------------------------------------------------- agreements (versioned) */

typedef struct {
    int64_t id;
    int64_t group_id;
    int number;            /* 1, 2, ... per group                                */
    int version;           /* 1 when recorded; each amendment adds the next one  */
    char text[TEND_LONG_TEXT_MAX];
    int64_t recorded_by;   /* member id, 0 when unknown                          */
    int64_t created_at;
} tend_agreement;

/* Records agreement number (the group's next), version 1; writes the number to *number. */
int tend_store_agreement_add(tend_store *store, int64_t group_id, const char *text, int64_t recorded_by,
                             int64_t now, int *number);
/* Adds the next version of agreement `number`, keeping the old ones; writes it to *version.
 * NOTFOUND when the group has no such agreement. */
int tend_store_agreement_amend(tend_store *store, int64_t group_id, int number, const char *text,
                               int64_t recorded_by, int64_t now, int *version);
/* The highest version of each agreement, in number order. */
int tend_store_agreements_current_each(tend_store *store, int64_t group_id,
                                       int (*cb)(const tend_agreement *a, void *ud), void *ud);
/* Every version of agreement `number`, oldest first. */
int tend_store_agreement_versions(tend_store *store, int64_t group_id, int number,
                                  int (*cb)(const tend_agreement *a, void *ud), void *ud);

/* ---------------------------------------------------------------- export */

typedef struct {
    int task_number;
    char title[TEND_TITLE_MAX];
    char state[16];        /* "active", "waiting", "released", "done", "handed_off" */
    int64_t created_at;
    int64_t done_at;
    char note[TEND_NOTE_MAX];
} tend_export_claim;

typedef struct {
    int64_t from_member;
    int64_t to_member;
    char from_name[TEND_NAME_MAX];
    char to_name[TEND_NAME_MAX];
    char reason[TEND_NOTE_MAX];
    int64_t created_at;
} tend_export_thanks;

/* Every claim the member ever made, with its task, oldest first. */
int tend_store_export_claims(tend_store *store, int64_t member_id,
                             int (*cb)(const tend_export_claim *c, void *ud), void *ud);
/* Every check-in of the member, oldest first. */
int tend_store_export_checkins(tend_store *store, int64_t member_id,
                               int (*cb)(const tend_checkin *c, void *ud), void *ud);
/* Every rest of the member (with their private notes), oldest first. */
int tend_store_export_rests(tend_store *store, int64_t member_id,
                            int (*cb)(const tend_rest *r, void *ud), void *ud);
/* Thanks in the group, oldest first: those member_id gave or received, or all when member_id is 0. */
int tend_store_export_thanks(tend_store *store, int64_t group_id, int64_t member_id,
                             int (*cb)(const tend_export_thanks *t, void *ud), void *ud);
/* Every task of the group in number order, with active and waiting filled in. */
int tend_store_export_tasks(tend_store *store, int64_t group_id,
                            int (*cb)(const tend_task *t, void *ud), void *ud);

/* ---------------------------------------------------------------- forget */

/* Erases a member (the caller released their claims first): deletes their check-ins, rests and
 * nudges, clears their claim notes, removes their key and name from audit details, and turns the
 * members row into "a former member" with no key, pronouns or timezone, so the thanks, tasks and
 * audit rows that others' records need point at nobody in particular. Nothing of them stays on
 * disk either: deleted content is zeroed, and once the transaction commits the WAL is
 * checkpointed and truncated. */
int tend_store_member_forget(tend_store *store, int64_t member_id);

/* ---------------------------------------------------------------- tests */

/* How many text cells, in every column of every table, contain `needle`. For tests that prove a
 * forgotten member left no trace. */
int tend_store_debug_find_text(tend_store *store, const char *needle, int *count);

#endif
