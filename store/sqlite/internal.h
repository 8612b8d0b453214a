/*
 * internal.h — what the SQLite backend's files share; nothing outside store/sqlite/ includes it.
 */
#ifndef TEND_STORE_SQLITE_INTERNAL_H
#define TEND_STORE_SQLITE_INTERNAL_H

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>

#include "store/store.h"

#define STMT_CACHE_SIZE 256 /* open addressing; the whole backend has fewer distinct statements */

typedef struct store_recent store_recent;

typedef struct {
    const char *sql;
    sqlite3_stmt *stmt;
} stmt_slot;

/* The last group and member row read in a transaction (memo.c). */
typedef struct {
    bool have_group, have_member;
    /* when each was read: the rows written to its table, and the changes the hook did not see */
    long long group_writes, group_unseen, member_writes, member_unseen;
    tend_group group;
    tend_member member;
} store_memo;

struct tend_store {
    sqlite3 *db;
    stmt_slot cache[STMT_CACHE_SIZE];
    char errmsg[256];
    int failing; /* the last failure's code until a transaction writes again; 0 when none */
    int changes_at_begin;
    bool scrub_after_commit; /* a member was forgotten: see store_scrub_after_commit */
    store_recent *recent;    /* events answered by a read: made on the first one */
    bool batching;           /* a group commit is open: begin/commit are savepoints in it */
    bool batch_lost;         /* SQLite rolled the group's transaction back under it */
    bool reading;            /* tend_store_read_begin opened a read transaction, to be ended */
    bool events_pruned;      /* seen_events' old rows were pruned, at events_pruned_at (store.c) */
    int64_t events_pruned_at;
    int changes_at_batch;
    int wal_frames;          /* in the WAL after the last commit (the WAL hook) */
    bool postgres;           /* db is store/postgres/'s handle: see store/postgres/pg.h */
    char outbox_owner[128];  /* the process that sends the outbox rows this store writes ("": one process) */
    store_memo memo;
    long long rows_hooked, rows_unscheduled; /* writes.c: rows the update hook reported */
    long long groups_written, members_written; /* writes.c: the hook's rows of these two tables */
};

extern const char *const tend_store_migrations[];
extern const int tend_store_migration_count;

/* Returns the prepared statement for `sql`, preparing it on first use and resetting it (bindings
 * cleared) on every later use. `sql` must be a string literal: the cache is keyed by its address.
 * NULL on failure (the store's error message says why). */
sqlite3_stmt *store_stmt(tend_store *store, const char *sql);
/* memo.c: a group or member row served again while nothing can have changed it; forgotten at
 * every transaction's start and end and every rollback. */
void store_memo_forget(tend_store *store);
bool store_memo_group(tend_store *store, const char *key, tend_group *out);
bool store_memo_group_by_id(tend_store *store, int64_t id, tend_group *out);
void store_memo_keep_group(tend_store *store, const tend_group *g);
bool store_memo_member(tend_store *store, int64_t group_id, const char *key, tend_member *out);
bool store_memo_member_by_id(tend_store *store, int64_t id, tend_member *out);
void store_memo_keep_member(tend_store *store, const tend_member *m);
/* The raw handle, for the few places that need sqlite3_changes() and friends. */
sqlite3 *store_db(tend_store *store);
/* Maps a SQLite result code to a TEND_STORE_* code and remembers the message. */
int store_fail(tend_store *store, int sqlite_rc);
/* Steps a statement that returns no rows: TEND_STORE_OK or an error code. */
int store_exec_stmt(tend_store *store, sqlite3_stmt *st);

/* Fills a record from the current row. */
typedef void (*store_row_reader)(sqlite3_stmt *st, void *out);
/* Steps a one-row query into *out: TEND_STORE_OK, TEND_STORE_NOTFOUND or an error. Resets st. */
int store_step_one(tend_store *store, sqlite3_stmt *st, store_row_reader read, void *out);
/* Reads every row into a new array of `size`-byte records (*rows, freed by the caller) before any
 * callback runs, so a callback may use the store, even this very statement. Resets st. */
int store_collect_rows(tend_store *store, sqlite3_stmt *st, size_t size, store_row_reader read, void **rows,
                       size_t *count);
/* Collects the rows, then hands each record to `each` until it returns non-zero. */
int store_each_row(tend_store *store, sqlite3_stmt *st, size_t size, store_row_reader read,
                   int (*each)(const void *record, void *ud), void *ud);

/* For a typed list walk: collects the statement's rows of `type`, hands each to cb until it asks
 * to stop, and returns the store's result from the enclosing function. */
#define STORE_RETURN_EACH_ROW(store, st, type, read, cb, ud)                                      \
    do {                                                                                          \
        void *rows_;                                                                              \
        size_t n_;                                                                                \
        int rc_ = store_collect_rows((store), (st), sizeof(type), (read), &rows_, &n_);           \
        for (size_t i_ = 0; rc_ == TEND_STORE_OK && i_ < n_; i_++)                                \
            if ((cb)((const type *)rows_ + i_, (ud)))                                             \
                break;                                                                            \
        free(rows_);                                                                              \
        return rc_;                                                                               \
    } while (0)

/* The columns store_read_task reads, in its order (t is the tasks table; the last two count the
 * task's active and waiting claims). */
#define STORE_TASK_COLUMNS                                                                        \
    "t.id, t.group_id, t.number, t.title, t.when_text, t.due_at, t.slots, t.weight,"              \
    " t.repeat_rule, t.state, COALESCE(t.created_by, 0), t.created_at, t.done_at,"                \
    " (SELECT count(*) FROM claims c WHERE c.task_id = t.id AND c.state = 'active'),"             \
    " (SELECT count(*) FROM claims c WHERE c.task_id = t.id AND c.state = 'waiting'),"            \
    " t.note, t.all_day, t.starts_at, t.over_at, t.followup_at"
/* Reads a task row selected with STORE_TASK_COLUMNS. */
void store_read_task(sqlite3_stmt *st, void *out);

/* Check-in and rest rows, read one way by people.c and the export in process.c. */
#define STORE_CHECKIN_COLUMNS "id, member_id, energy, note, created_at"
#define STORE_REST_COLUMNS "id, member_id, started_at, until, ended_at, note, welcomed, announce"
void store_read_checkin(sqlite3_stmt *st, void *out);
void store_read_rest(sqlite3_stmt *st, void *out);

/* The transaction under way erased a member: after it commits, the WAL is checkpointed and
 * truncated, so nothing of them is left in any file (store.c). */
void store_scrub_after_commit(tend_store *store);

/* Replaces SQLite's automatic checkpoint by tend_store_checkpoint (transaction.c). */
void store_watch_wal(tend_store *store);
/* writes.c: counts the rows written, by table, for tend_store_schedule_touched. */
void store_unhooked_rows(tend_store *store, long long rows);
void store_watch_writes(tend_store *store);

/* Events answered without a write, remembered in memory for a while (recent.c). */
store_recent *store_recent_create(void);
void store_recent_destroy(store_recent *r);
bool store_recent_has(const store_recent *r, const char *platform, const char *event_id);
void store_recent_add(store_recent *r, const char *platform, const char *event_id);

/* Copies column `col` as text into buf (always NUL-terminated, "" for NULL). */
void store_copy_text(sqlite3_stmt *st, int col, char *buf, size_t buflen);

/* True when the file system holding `path` has next to no space left: what SQLite's "disk I/O
 * error" means when a file it must grow cannot grow. */
bool store_nearly_no_space(const char *path);
/* Creates the database file 0600 when it does not exist yet (its -wal and -shm follow its mode).
 * 0, or the errno that stopped it. */
int store_create_private(const char *path);
/* True for the errno values of a full disk (or a spent quota). */
bool store_disk_full(int error);

#endif
