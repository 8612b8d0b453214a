/*
 * transaction.c — transactions, and the group commit that folds several into one.
 *
 * Outside a group, begin/commit/rollback are SQLite's own. Inside one (tend_store_batch_begin),
 * the group is one SQLite transaction and each begin/commit/rollback is a savepoint in it: a
 * command that fails rolls back to its savepoint, leaving the others' writes alone, and nothing
 * of the group is on disk until tend_store_batch_commit. The caller holds every answer until then.
 */
#include "store/sqlite/internal.h"

#include <string.h>

void store_scrub_after_commit(tend_store *store)
{
    store->scrub_after_commit = true;
}

/* What was deleted is zeroed where it lay (secure_delete), but the WAL still holds the pages as
 * they were before: copy the new ones home and cut the WAL to nothing, so a forgotten member is
 * gone from every file while tend runs, not only after a checkpoint some day. When a reader holds
 * the WAL open (another process on the file) the next commit tries again. */
static void scrub(tend_store *store)
{
    if (store->postgres) { /* no WAL of ours to cut: PostgreSQL's VACUUM is the operator's (README) */
        store->scrub_after_commit = false;
        return;
    }
    int log = -1, done = -1;
    if (sqlite3_wal_checkpoint_v2(store->db, NULL, SQLITE_CHECKPOINT_TRUNCATE, &log, &done) == SQLITE_OK)
        store->scrub_after_commit = false;
}

/* A savepoint in the group. SQLite ends the group's transaction by itself after some failures
 * (SQLITE_FULL, an I/O error): then nothing of the group is left, and nothing more may join it,
 * or a savepoint would quietly commit on its own. */
static int savepoint(tend_store *store)
{
    if (store->batch_lost || sqlite3_get_autocommit(store->db)) {
        store->batch_lost = true;
        snprintf(store->errmsg, sizeof store->errmsg, "the group commit was rolled back by an earlier failure");
        return store->failing ? store->failing : TEND_STORE_ERROR;
    }
    store->changes_at_begin = sqlite3_total_changes(store->db);
    return store_exec_stmt(store, store_stmt(store, "SAVEPOINT command"));
}

int tend_store_begin(tend_store *store)
{
    if (store->batching)
        return savepoint(store);
    store_memo_forget(store); /* what another connection committed meanwhile is read again */
    store->changes_at_begin = sqlite3_total_changes(store->db);
    return store_exec_stmt(store, store_stmt(store, "BEGIN IMMEDIATE"));
}

int tend_store_read_begin(tend_store *store)
{
    /* PostgreSQL: a BEGIN and a COMMIT would be two more round trips for no lock saved */
    if (store->postgres || store->reading || !sqlite3_get_autocommit(store->db))
        return TEND_STORE_OK;
    store_memo_forget(store);
    int rc = store_exec_stmt(store, store_stmt(store, "BEGIN"));
    store->reading = rc == TEND_STORE_OK;
    return rc;
}

void tend_store_read_end(tend_store *store)
{
    if (!store->reading)
        return;
    store->reading = false;
    store_memo_forget(store);
    /* nothing was written: a COMMIT that fails (it cannot, short of a lost handle) is a ROLLBACK */
    if (store_exec_stmt(store, store_stmt(store, "COMMIT")) != TEND_STORE_OK && !sqlite3_get_autocommit(store->db))
        (void)store_exec_stmt(store, store_stmt(store, "ROLLBACK"));
}

bool tend_store_wrote(tend_store *store)
{
    /* every row inserted, updated or deleted counts, by triggers too; a statement that matched
     * nothing wrote nothing */
    return sqlite3_total_changes(store->db) != store->changes_at_begin;
}

int tend_store_event_note(tend_store *store, const char *platform, const char *event_id)
{
    if (!store->recent && !(store->recent = store_recent_create()))
        return TEND_STORE_ERROR;
    store_recent_add(store->recent, platform, event_id);
    return TEND_STORE_OK;
}

int tend_store_commit(tend_store *store)
{
    if (store->batching) /* durable with the group: the caller holds the answers until then */
        return store_exec_stmt(store, store_stmt(store, "RELEASE command"));
    store_memo_forget(store);
    int rc = store_exec_stmt(store, store_stmt(store, "COMMIT"));
    /* only a commit that wrote something shows the disk takes writes again */
    if (rc == TEND_STORE_OK && sqlite3_total_changes(store->db) != store->changes_at_begin)
        store->failing = TEND_STORE_OK;
    if (rc == TEND_STORE_OK && store->scrub_after_commit)
        scrub(store);
    return rc;
}

int tend_store_failing(const tend_store *store)
{
    return store ? store->failing : TEND_STORE_ERROR;
}

int tend_store_rollback(tend_store *store)
{
    store_memo_forget(store); /* a row read after a write that is now undone */
    if (sqlite3_get_autocommit(store->db)) {
        store->batch_lost = store->batching; /* SQLite already rolled back (e.g. after SQLITE_FULL) */
        if (!store->batching)
            store->scrub_after_commit = false;
        return TEND_STORE_OK;
    }
    if (!store->batching) {
        store->scrub_after_commit = false; /* nobody was forgotten after all */
        return store_exec_stmt(store, store_stmt(store, "ROLLBACK"));
    }
    /* an earlier command of the group may have forgotten someone: the scrub stays asked for */
    int rc = store_exec_stmt(store, store_stmt(store, "ROLLBACK TO command"));
    int rel = store_exec_stmt(store, store_stmt(store, "RELEASE command"));
    return rc != TEND_STORE_OK ? rc : rel;
}

/* ---------------------------------------------------------------- group commit */

int tend_store_batch_begin(tend_store *store)
{
    if (store->batching)
        return TEND_STORE_OK;
    store_memo_forget(store);
    /* immediate, as every transaction here: with a second process on the file (a shared database)
     * a deferred one could not take the write lock later without failing; once a turn it is cheap */
    int rc = store_exec_stmt(store, store_stmt(store, "BEGIN IMMEDIATE"));
    if (rc != TEND_STORE_OK)
        return rc;
    store->batching = true;
    store->batch_lost = false;
    store->changes_at_batch = sqlite3_total_changes(store->db);
    return TEND_STORE_OK;
}

bool tend_store_batching(const tend_store *store)
{
    return store->batching;
}

int tend_store_batch_commit(tend_store *store)
{
    if (!store->batching)
        return TEND_STORE_OK;
    store->batching = false;
    store_memo_forget(store);
    int rc;
    if (store->batch_lost || sqlite3_get_autocommit(store->db)) {
        rc = store->failing ? store->failing : TEND_STORE_ERROR;
        if (!sqlite3_get_autocommit(store->db))
            (void)store_exec_stmt(store, store_stmt(store, "ROLLBACK"));
        snprintf(store->errmsg, sizeof store->errmsg, "the group commit was rolled back by a failure");
    } else if ((rc = store_exec_stmt(store, store_stmt(store, "COMMIT"))) != TEND_STORE_OK) {
        if (!sqlite3_get_autocommit(store->db))
            (void)store_exec_stmt(store, store_stmt(store, "ROLLBACK"));
    }
    store->batch_lost = false;
    if (rc == TEND_STORE_OK && sqlite3_total_changes(store->db) != store->changes_at_batch)
        store->failing = TEND_STORE_OK;
    if (rc == TEND_STORE_OK && store->scrub_after_commit)
        scrub(store);
    if (rc != TEND_STORE_OK)
        store->scrub_after_commit = false;
    return rc;
}

/* ---------------------------------------------------------------- checkpoints */

/* SQLite's own checkpoint runs inside the commit that crosses 1,000 pages: a command's answer
 * waits for it. Instead the WAL's length is noted here and tend_store_checkpoint runs when the
 * caller has nothing more urgent; past WAL_HARD_FRAMES (a caller that never does) it runs here. */
#define WAL_SOFT_FRAMES 1000
#define WAL_HARD_FRAMES 8000

static int on_wal(void *ud, sqlite3 *db, const char *name, int frames)
{
    tend_store *store = ud;
    store->wal_frames = frames;
    if (frames >= WAL_HARD_FRAMES)
        (void)sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
    return SQLITE_OK;
}

void store_watch_wal(tend_store *store)
{
    sqlite3_wal_hook(store->db, on_wal, store);
}

bool tend_store_checkpoint_due(const tend_store *store)
{
    return store->wal_frames >= WAL_SOFT_FRAMES && !store->batching;
}

int tend_store_checkpoint(tend_store *store)
{
    if (store->batching || store->postgres) /* PostgreSQL checkpoints itself */
        return TEND_STORE_OK;
    int log = -1, done = -1;
    int rc = sqlite3_wal_checkpoint_v2(store->db, NULL, SQLITE_CHECKPOINT_PASSIVE, &log, &done);
    if (rc == SQLITE_OK && done == log)
        store->wal_frames = 0; /* all copied home: the next commit starts the WAL over */
    return rc == SQLITE_OK || rc == SQLITE_BUSY ? TEND_STORE_OK : store_fail(store, rc);
}

/* ---------------------------------------------------------------- checkpoints on another thread */

struct tend_store_checkpointer {
    char *path;
    sqlite3 *db;   /* opened by the first run, on the thread that runs it */
    int log, done; /* the last run's frames in the WAL, and copied home */
};

tend_store_checkpointer *tend_store_checkpointer_create(tend_store *store)
{
    if (!store || store->postgres)
        return NULL;
    const char *path = sqlite3_db_filename(store->db, "main");
    if (!path || !*path || sqlite3_db_readonly(store->db, "main") != 0)
        return NULL; /* in memory: another connection would be another database */
    tend_store_checkpointer *c = calloc(1, sizeof *c);
    if (!c || !(c->path = strdup(path))) {
        free(c);
        return NULL;
    }
    c->log = c->done = -1;
    return c;
}

int tend_store_checkpointer_run(tend_store_checkpointer *c, char *err, size_t errlen)
{
    int rc = SQLITE_OK;
    if (!c->db) {
        /* an existing file only, read-write: the store made it and set WAL mode in it; a small
         * cache, since a checkpoint reads the WAL's frames itself and keeps no pages */
        rc = sqlite3_open_v2(c->path, &c->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);
        if (rc == SQLITE_OK)
            rc = sqlite3_exec(c->db, "PRAGMA cache_size = -64;", NULL, NULL, NULL);
        if (rc != SQLITE_OK) {
            snprintf(err, errlen, "cannot open a connection to checkpoint with: %s",
                     c->db ? sqlite3_errmsg(c->db) : sqlite3_errstr(rc));
            sqlite3_close(c->db);
            c->db = NULL;
            return TEND_STORE_ERROR;
        }
    }
    c->log = c->done = -1;
    rc = sqlite3_wal_checkpoint_v2(c->db, NULL, SQLITE_CHECKPOINT_PASSIVE, &c->log, &c->done);
    if (rc == SQLITE_OK || rc == SQLITE_BUSY)
        return TEND_STORE_OK;
    snprintf(err, errlen, "%s", sqlite3_errmsg(c->db));
    return TEND_STORE_ERROR;
}

void tend_store_checkpointer_noted(tend_store *store, const tend_store_checkpointer *c)
{
    if (c->log >= 0 && c->done == c->log)
        store->wal_frames = 0; /* the next commit's WAL hook says how long it is again */
}

void tend_store_checkpointer_destroy(tend_store_checkpointer *c)
{
    if (!c)
        return;
    sqlite3_close(c->db);
    free(c->path);
    free(c);
}
