/*
 * store.c — opening the database, migrations, transactions, the statement cache, and the records
 * every command touches (groups, members) plus the adapters' bookkeeping.
 */
#include "store/sqlite/internal.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/metrics.h"
#ifdef TEND_HAVE_POSTGRES
#include "store/postgres/pg.h"
#endif

sqlite3 *store_db(tend_store *store)
{
    return store->db;
}

static const tend_metric_def store_errors = {
    "tend_store_errors_total", "Database operations that failed, by kind (full, readonly, busy, error).",
    TEND_METRIC_COUNTER, {"kind", NULL}};

static int classify(int rc)
{
    switch (rc & 0xff) {
    case SQLITE_FULL:
        return TEND_STORE_FULL;
    case SQLITE_READONLY:
    case SQLITE_CANTOPEN:
        return TEND_STORE_READONLY;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return TEND_STORE_BUSY;
    case SQLITE_IOERR:
        /* a full disk often surfaces as an I/O error on a write or the WAL */
        return (rc == SQLITE_IOERR_WRITE || rc == SQLITE_IOERR_FSYNC) ? TEND_STORE_FULL : TEND_STORE_ERROR;
    default:
        return TEND_STORE_ERROR;
    }
}

int store_fail(tend_store *store, int rc)
{
    snprintf(store->errmsg, sizeof store->errmsg, "%s", sqlite3_errmsg(store->db));
    int code = classify(rc);
    store->failing = code;
    tend_metric_add(&store_errors,
                    code == TEND_STORE_FULL       ? "full"
                    : code == TEND_STORE_READONLY ? "readonly"
                    : code == TEND_STORE_BUSY     ? "busy"
                                                  : "error",
                    NULL, 1);
    return code;
}

sqlite3_stmt *store_stmt(tend_store *store, const char *sql)
{
    size_t h = ((uintptr_t)sql >> 3) % STMT_CACHE_SIZE;
    for (size_t i = 0; i < STMT_CACHE_SIZE; i++) {
        stmt_slot *slot = &store->cache[(h + i) % STMT_CACHE_SIZE];
        if (slot->sql == sql) {
            sqlite3_reset(slot->stmt);
            sqlite3_clear_bindings(slot->stmt);
            return slot->stmt;
        }
        if (!slot->sql) {
            sqlite3_stmt *st = NULL;
            int rc = sqlite3_prepare_v3(store->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL);
            if (rc != SQLITE_OK) {
                store_fail(store, rc);
                return NULL;
            }
            slot->sql = sql;
            slot->stmt = st;
            return st;
        }
    }
    snprintf(store->errmsg, sizeof store->errmsg, "statement cache full");
    return NULL;
}

int store_exec_stmt(tend_store *store, sqlite3_stmt *st)
{
    if (!st)
        return TEND_STORE_ERROR;
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc == SQLITE_DONE || rc == SQLITE_ROW)
        return TEND_STORE_OK;
    if ((rc & 0xff) == SQLITE_CONSTRAINT) {
        snprintf(store->errmsg, sizeof store->errmsg, "%s", sqlite3_errmsg(store->db));
        return TEND_STORE_EXISTS;
    }
    return store_fail(store, rc);
}

/* A bounded copy, not snprintf("%s"): every text column of every row read comes through here
 * (~30 a command), and the format machinery cost ten times the copy. */
void store_copy_text(sqlite3_stmt *st, int col, char *buf, size_t buflen)
{
    if (buflen == 0)
        return;
    const unsigned char *t = sqlite3_column_text(st, col);
    size_t n = t ? strnlen((const char *)t, buflen - 1) : 0;
    if (n)
        memcpy(buf, t, n);
    buf[n] = '\0';
}

static int exec_sql(tend_store *store, const char *sql)
{
    char *msg = NULL;
    int rc = sqlite3_exec(store->db, sql, NULL, NULL, &msg);
    if (rc != SQLITE_OK) {
        snprintf(store->errmsg, sizeof store->errmsg, "%s", msg ? msg : sqlite3_errstr(rc));
        sqlite3_free(msg);
        int code = store_fail(store, rc); /* once: it counts the failure */
        return code == TEND_STORE_OK ? TEND_STORE_ERROR : code;
    }
    return TEND_STORE_OK;
}

int tend_store_schema_latest(void)
{
    return tend_store_migration_count;
}

int tend_store_schema_version(tend_store *store)
{
#ifdef TEND_HAVE_POSTGRES
    if (store->postgres)
        return tend_pg_schema_version(store->db);
#endif
    sqlite3_stmt *st = NULL;
    int version = -1;
    if (sqlite3_prepare_v2(store->db, "PRAGMA user_version", -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        version = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return version;
}

static int migrate(tend_store *store)
{
    int version = tend_store_schema_version(store);
    if (version < 0)
        return store_fail(store, sqlite3_errcode(store->db));
    if (version > tend_store_migration_count) {
        snprintf(store->errmsg, sizeof store->errmsg,
                 "the database is from a newer tend (schema %d, this one knows %d)", version,
                 tend_store_migration_count);
        return TEND_STORE_ERROR;
    }
    for (int v = version; v < tend_store_migration_count; v++) {
        char bump[64];
        snprintf(bump, sizeof bump, "PRAGMA user_version = %d;", v + 1);
        int rc = exec_sql(store, "BEGIN IMMEDIATE;");
        /* another tend starting on the same file may have migrated while this one waited for the
         * write lock: go on from where it left the schema */
        int now = rc == TEND_STORE_OK ? tend_store_schema_version(store) : -1;
        if (now > v && now <= tend_store_migration_count) {
            rc = exec_sql(store, "COMMIT;");
            if (rc == TEND_STORE_OK) {
                v = now - 1;
                continue;
            }
        }
        if (rc == TEND_STORE_OK)
            rc = exec_sql(store, tend_store_migrations[v]);
        if (rc == TEND_STORE_OK)
            rc = exec_sql(store, bump);
        if (rc == TEND_STORE_OK)
            rc = exec_sql(store, "COMMIT;");
        if (rc != TEND_STORE_OK) {
            char why[200];
            snprintf(why, sizeof why, "%.199s", store->errmsg);
            sqlite3_exec(store->db, "ROLLBACK;", NULL, NULL, NULL);
            snprintf(store->errmsg, sizeof store->errmsg, "migration %d failed: %.199s", v + 1, why);
            return rc;
        }
    }
    return TEND_STORE_OK;
}

/* Two tends opening one new file at once (a standby started beside the main one) both switch it to
 * WAL; SQLite answers the second "database is locked" at once, without waiting (its busy handler is
 * not called where waiting could deadlock). Tried again for up to 2 s, before the loop runs; any
 * other answer is left to the pragmas below, which report it. */
static void wal_mode_when_free(tend_store *store)
{
    for (int tries = 0; tries < 40; tries++) {
        int rc = sqlite3_exec(store->db, "PRAGMA journal_mode = WAL;", NULL, NULL, NULL);
        if ((rc & 0xff) != SQLITE_BUSY && (rc & 0xff) != SQLITE_LOCKED)
            return;
        sqlite3_sleep(50);
    }
}

/* A WAL database on a read-only volume cannot be opened the usual way once its -shm file is gone
 * (a clean shutdown removes it). Opened as immutable it still answers reads, and every write fails
 * with SQLITE_READONLY, so members hear "read-only" instead of tend refusing to start. */
static int open_immutable(tend_store *store, const char *path)
{
    size_t len = strlen(path);
    char *uri = malloc(len * 3 + 32);
    if (!uri)
        return SQLITE_NOMEM;
    char *w = uri + sprintf(uri, "file:");
    for (const char *p = path; *p; p++) {
        if (*p == '%' || *p == '?' || *p == '#')
            w += sprintf(w, "%%%02X", (unsigned char)*p);
        else
            *w++ = *p;
    }
    sprintf(w, "?immutable=1");
    sqlite3_close(store->db);
    store->db = NULL;
    int rc = sqlite3_open_v2(uri, &store->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX, NULL);
    free(uri);
    if (rc == SQLITE_OK)
        sqlite3_extended_result_codes(store->db, 1);
    return rc;
}

/* A connection is only ever used by the loop's thread, so SQLite's own locking is pure cost: every
 * sqlite3_column_* call took and released the connection's mutex, every allocation the memory
 * statistics' one (together ~4 % of tend's CPU at saturation). NOMUTEX at open drops the first;
 * the second is a library-wide setting that only takes before SQLite initialises, so a process
 * that used SQLite already (a test harness) simply keeps it. Nothing in tend reads those statistics. */
static void store_tune_library(void)
{
    static bool tuned;
    if (!tuned) {
        tuned = true;
        (void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    }
}

static bool cannot_write(const char *path)
{
    return strcmp(path, ":memory:") != 0 && access(path, F_OK) == 0 && access(path, W_OK) != 0;
}

/* A PostgreSQL store: the same struct and statement cache, its handle made by store/postgres/. */
static int open_postgres(const char *url, tend_store **out, char *err, size_t errlen)
{
#ifdef TEND_HAVE_POSTGRES
    tend_store *store = calloc(1, sizeof *store);
    if (!store) {
        snprintf(err, errlen, "out of memory");
        return TEND_STORE_ERROR;
    }
    int rc = tend_pg_open(url, &store->db, err, errlen);
    if (rc != TEND_STORE_OK) {
        free(store);
        return rc;
    }
    store->postgres = true;
    *out = store;
    return TEND_STORE_OK;
#else
    (void)url;
    (void)out;
    snprintf(err, errlen, "this tend was built without PostgreSQL (libpq-dev); use a SQLite database");
    return TEND_STORE_ERROR;
#endif
}

const char *tend_store_postgres_library(void)
{
#ifdef TEND_HAVE_POSTGRES
    return tend_pg_library();
#else
    return NULL;
#endif
}

bool tend_store_is_url(const char *path)
{
    return strncmp(path, "postgresql://", 13) == 0 || strncmp(path, "postgres://", 11) == 0;
}

int tend_store_open(const char *path, tend_store **out, char *err, size_t errlen)
{
    *out = NULL;
    if (tend_store_is_url(path))
        return open_postgres(path, out, err, errlen);
    if (store_disk_full(store_create_private(path))) {
        snprintf(err, errlen, "the disk holding %s is full; free some space and start tend again", path);
        return TEND_STORE_FULL;
    }
    tend_store *store = calloc(1, sizeof *store);
    if (!store) {
        snprintf(err, errlen, "out of memory");
        return TEND_STORE_ERROR;
    }
    store_tune_library();
    int rc = sqlite3_open_v2(path, &store->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        snprintf(err, errlen, "cannot open database %s: %s", path,
                 store->db ? sqlite3_errmsg(store->db) : sqlite3_errstr(rc));
        int code = store->db ? store_fail(store, rc) : TEND_STORE_ERROR;
        sqlite3_close(store->db);
        free(store);
        return code;
    }
    sqlite3_extended_result_codes(store->db, 1);
    sqlite3_busy_timeout(store->db, 2000);
    /* secure_delete: what is deleted (a forgotten member above all) is overwritten with zeros, not
     * left in free space; Debian's build happens to default to it, others do not */
    /* temp_store in memory: a savepoint of a group commit (transaction.c) keeps the pages it may
     * have to undo in a journal of its own, which would otherwise be a file made and unlinked */
    /* cache_size 512 KiB, not SQLite's 2 MB: the pages beyond it are a read from the kernel's page
     * cache away, and at 1,000 guilds the smaller cache cost no CPU that interleaved runs could
     * tell (bench/profiles/rss-round3.txt) while saving 1.6 MB of resident memory */
    wal_mode_when_free(store);
    int code = exec_sql(store, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;"
                               "PRAGMA foreign_keys = ON; PRAGMA secure_delete = ON;"
                               "PRAGMA temp_store = MEMORY; PRAGMA cache_size = -512;");
    if (code != TEND_STORE_OK && cannot_write(path) && open_immutable(store, path) == SQLITE_OK)
        code = exec_sql(store, "PRAGMA foreign_keys = ON;");
    if (code == TEND_STORE_OK)
        code = migrate(store);
    if (code == TEND_STORE_OK) {
        store_watch_wal(store);
        store_watch_writes(store);
    }
    if (code == TEND_STORE_FULL || (code == TEND_STORE_ERROR && store_nearly_no_space(path))) {
        code = TEND_STORE_FULL;
        /* SQLite says "disk I/O error" for a WAL it cannot grow; the person at the console needs
         * to hear what to do about it */
        snprintf(err, errlen, "the disk holding %s is full; free some space and start tend again", path);
        tend_store_close(store);
        return code;
    }
    if (code != TEND_STORE_OK) {
        snprintf(err, errlen, "cannot use database %s: %s", path, store->errmsg);
        tend_store_close(store);
        return code;
    }
    *out = store;
    return TEND_STORE_OK;
}

void tend_store_close(tend_store *store)
{
    if (!store)
        return;
    for (size_t i = 0; i < STMT_CACHE_SIZE; i++)
        sqlite3_finalize(store->cache[i].stmt);
    sqlite3_close(store->db);
    store_recent_destroy(store->recent);
    free(store);
}

const char *tend_store_errmsg(const tend_store *store)
{
    return store ? store->errmsg : "no store";
}

int tend_store_set_synchronous(tend_store *store, int level)
{
    static const char *const pragmas[] = {"PRAGMA synchronous = OFF;", "PRAGMA synchronous = NORMAL;",
                                          "PRAGMA synchronous = FULL;"};
    if (level < 0 || level > 2)
        return TEND_STORE_ERROR;
    if (store->postgres)
        return TEND_STORE_OK; /* the server's synchronous_commit decides, for every client alike */
    return exec_sql(store, pragmas[level]);
}

int tend_store_bound_waits(tend_store *store, int lock_ms, int statement_ms)
{
    if (lock_ms < 0 || statement_ms < 0)
        return TEND_STORE_ERROR;
#ifdef TEND_HAVE_POSTGRES
    if (store->postgres)
        return tend_pg_bound_waits(tend_pg_conn_of(store->db), lock_ms, statement_ms) == SQLITE_OK
                   ? TEND_STORE_OK
                   : TEND_STORE_ERROR;
#endif
    return TEND_STORE_OK;
}

/* ---------------------------------------------------------------- groups */

#define GROUP_COLUMNS                                                                             \
    "id, key, channel_key, timezone, checkin_at, digest_at, default_capacity, "                  \
    "new_tasks_paused_until, created_at, language"

static void read_group(sqlite3_stmt *st, tend_group *g)
{
    memset(g, 0, sizeof *g);
    g->id = sqlite3_column_int64(st, 0);
    store_copy_text(st, 1, g->key, sizeof g->key);
    store_copy_text(st, 2, g->channel_key, sizeof g->channel_key);
    store_copy_text(st, 3, g->timezone, sizeof g->timezone);
    store_copy_text(st, 4, g->checkin_at, sizeof g->checkin_at);
    store_copy_text(st, 5, g->digest_at, sizeof g->digest_at);
    g->default_capacity = sqlite3_column_int(st, 6);
    g->new_tasks_paused_until = sqlite3_column_int64(st, 7);
    g->created_at = sqlite3_column_int64(st, 8);
    store_copy_text(st, 9, g->language, sizeof g->language);
}

int store_step_one(tend_store *store, sqlite3_stmt *st, store_row_reader read, void *out)
{
    int rc = sqlite3_step(st);
    int code = TEND_STORE_NOTFOUND;
    if (rc == SQLITE_ROW) {
        read(st, out);
        code = TEND_STORE_OK;
    } else if (rc != SQLITE_DONE) {
        code = store_fail(store, rc);
    }
    sqlite3_reset(st);
    return code;
}

int store_collect_rows(tend_store *store, sqlite3_stmt *st, size_t size, store_row_reader read, void **rows,
                       size_t *count)
{
    char *all = NULL;
    size_t n = 0, cap = 0;
    int rc;
    *rows = NULL;
    *count = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (n == cap) {
            cap = cap ? cap * 2 : 8;
            char *grown = realloc(all, cap * size);
            if (!grown) {
                free(all);
                sqlite3_reset(st);
                return TEND_STORE_ERROR;
            }
            all = grown;
        }
        read(st, all + n++ * size);
    }
    int code = rc == SQLITE_DONE ? TEND_STORE_OK : store_fail(store, rc);
    sqlite3_reset(st);
    if (code != TEND_STORE_OK) {
        free(all);
        return code;
    }
    *rows = all;
    *count = n;
    return TEND_STORE_OK;
}

int store_each_row(tend_store *store, sqlite3_stmt *st, size_t size, store_row_reader read,
                   int (*each)(const void *record, void *ud), void *ud)
{
    void *rows;
    size_t n;
    int code = store_collect_rows(store, st, size, read, &rows, &n);
    for (size_t i = 0; code == TEND_STORE_OK && i < n; i++)
        if (each((const char *)rows + i * size, ud))
            break;
    free(rows);
    return code;
}

static void read_group_v(sqlite3_stmt *st, void *out)
{
    read_group(st, out);
}

int tend_store_group_get(tend_store *store, const char *key, tend_group *out)
{
    if (store_memo_group(store, key, out))
        return TEND_STORE_OK;
    sqlite3_stmt *st = store_stmt(store, "SELECT " GROUP_COLUMNS " FROM groups WHERE key = ?1");
    if (!st)
        return TEND_STORE_ERROR;
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    int rc = store_step_one(store, st, read_group_v, out);
    if (rc == TEND_STORE_OK)
        store_memo_keep_group(store, out);
    return rc;
}

int tend_store_group_by_id(tend_store *store, int64_t id, tend_group *out)
{
    if (store_memo_group_by_id(store, id, out))
        return TEND_STORE_OK;
    sqlite3_stmt *st = store_stmt(store, "SELECT " GROUP_COLUMNS " FROM groups WHERE id = ?1");
    if (!st)
        return TEND_STORE_ERROR;
    sqlite3_bind_int64(st, 1, id);
    int rc = store_step_one(store, st, read_group_v, out);
    if (rc == TEND_STORE_OK)
        store_memo_keep_group(store, out);
    return rc;
}

int tend_store_group_ensure(tend_store *store, const char *key, const char *channel_key, int64_t now,
                            tend_group *out)
{
    int rc = tend_store_group_get(store, key, out);
    if (rc != TEND_STORE_NOTFOUND)
        return rc;
    sqlite3_stmt *st =
        store_stmt(store, "INSERT INTO groups (key, channel_key, created_at) VALUES (?1, ?2, ?3)");
    if (!st)
        return TEND_STORE_ERROR;
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, channel_key ? channel_key : "", -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, now);
    rc = store_exec_stmt(store, st);
    if (rc != TEND_STORE_OK)
        return rc;
    return tend_store_group_get(store, key, out);
}

int tend_store_group_save(tend_store *store, const tend_group *g)
{
    sqlite3_stmt *st = store_stmt(store,
                                  "UPDATE groups SET channel_key = ?2, timezone = ?3, checkin_at = ?4, "
                                  "digest_at = ?5, default_capacity = ?6, new_tasks_paused_until = ?7, "
                                  "language = ?8 WHERE id = ?1");
    if (!st)
        return TEND_STORE_ERROR;
    sqlite3_bind_int64(st, 1, g->id);
    sqlite3_bind_text(st, 2, g->channel_key, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, g->timezone, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, g->checkin_at, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, g->digest_at, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 6, g->default_capacity);
    sqlite3_bind_int64(st, 7, g->new_tasks_paused_until);
    sqlite3_bind_text(st, 8, g->language, -1, SQLITE_STATIC);
    return store_exec_stmt(store, st);
}

int tend_store_groups_each(tend_store *store, int (*cb)(const tend_group *g, void *ud), void *ud)
{
    sqlite3_stmt *st = store_stmt(store, "SELECT " GROUP_COLUMNS " FROM groups ORDER BY id");
    if (!st)
        return TEND_STORE_ERROR;
    STORE_RETURN_EACH_ROW(store, st, tend_group, read_group_v, cb, ud);
}

/* ---------------------------------------------------------------- members */

#define MEMBER_COLUMNS                                                                            \
    "id, group_id, key, name, pronouns, capacity, nudges, quiet_start, quiet_end, timezone, "     \
    "resting_until, forgotten, joined_at, remind_minutes, welcomed, language, app_language"

static void read_member(sqlite3_stmt *st, void *out)
{
    tend_member *m = out;
    memset(m, 0, sizeof *m);
    m->id = sqlite3_column_int64(st, 0);
    m->group_id = sqlite3_column_int64(st, 1);
    store_copy_text(st, 2, m->key, sizeof m->key);
    store_copy_text(st, 3, m->name, sizeof m->name);
    store_copy_text(st, 4, m->pronouns, sizeof m->pronouns);
    m->capacity = sqlite3_column_int(st, 5);
    m->nudges = sqlite3_column_int(st, 6) != 0;
    m->quiet_start = sqlite3_column_int(st, 7);
    m->quiet_end = sqlite3_column_int(st, 8);
    store_copy_text(st, 9, m->timezone, sizeof m->timezone);
    m->resting_until = sqlite3_column_int64(st, 10);
    m->forgotten = sqlite3_column_int(st, 11) != 0;
    m->joined_at = sqlite3_column_int64(st, 12);
    m->remind_minutes = sqlite3_column_int(st, 13);
    m->welcomed = sqlite3_column_int(st, 14) != 0;
    store_copy_text(st, 15, m->language, sizeof m->language);
    store_copy_text(st, 16, m->app_language, sizeof m->app_language);
}

int tend_store_member_get(tend_store *store, int64_t group_id, const char *key, tend_member *out)
{
    if (!key || !*key)
        return TEND_STORE_NOTFOUND;
    if (store_memo_member(store, group_id, key, out))
        return TEND_STORE_OK;
    /* "key <> ''" is members_key's own condition (a partial index): without it in the query SQLite
     * cannot use that index and walks the group's members by members_name instead (~70,000
     * instructions a lookup at 100 members a group instead of ~8,000) */
    sqlite3_stmt *st = store_stmt(store, "SELECT " MEMBER_COLUMNS
                                         " FROM members WHERE group_id = ?1 AND key = ?2 AND key <> ''");
    if (!st)
        return TEND_STORE_ERROR;
    sqlite3_bind_int64(st, 1, group_id);
    sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
    int rc = store_step_one(store, st, read_member, out);
    if (rc == TEND_STORE_OK)
        store_memo_keep_member(store, out);
    return rc;
}

int tend_store_member_by_id(tend_store *store, int64_t id, tend_member *out)
{
    if (store_memo_member_by_id(store, id, out))
        return TEND_STORE_OK;
    sqlite3_stmt *st = store_stmt(store, "SELECT " MEMBER_COLUMNS " FROM members WHERE id = ?1");
    if (!st)
        return TEND_STORE_ERROR;
    sqlite3_bind_int64(st, 1, id);
    int rc = store_step_one(store, st, read_member, out);
    if (rc == TEND_STORE_OK)
        store_memo_keep_member(store, out);
    return rc;
}

int tend_store_member_find_name(tend_store *store, int64_t group_id, const char *name, tend_member *out)
{
    sqlite3_stmt *st = store_stmt(store, "SELECT " MEMBER_COLUMNS " FROM members WHERE group_id = ?1"
                                         " AND forgotten = 0 AND name = ?2 COLLATE NOCASE"
                                         " ORDER BY id LIMIT 1");
    if (!st)
        return TEND_STORE_ERROR;
    sqlite3_bind_int64(st, 1, group_id);
    sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
    return store_step_one(store, st, read_member, out);
}

int tend_store_member_ensure(tend_store *store, int64_t group_id, const char *key, const char *name,
                             int64_t now, tend_member *out)
{
    int rc = tend_store_member_get(store, group_id, key, out);
    if (rc != TEND_STORE_NOTFOUND)
        return rc;
    if (!key || !*key)
        return TEND_STORE_ERROR;
    sqlite3_stmt *st = store_stmt(store, "INSERT INTO members (group_id, key, name, joined_at)"
                                         " VALUES (?1, ?2, ?3, ?4)");
    if (!st)
        return TEND_STORE_ERROR;
    sqlite3_bind_int64(st, 1, group_id);
    sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, name && *name ? name : key, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, now - now % 86400); /* the day only: the second would time what came with it */
    rc = store_exec_stmt(store, st);
    if (rc != TEND_STORE_OK)
        return rc;
    return tend_store_member_get(store, group_id, key, out);
}

int tend_store_member_save(tend_store *store, const tend_member *m)
{
    sqlite3_stmt *st = store_stmt(store,
                                  "UPDATE members SET key = ?2, name = ?3, pronouns = ?4, capacity = ?5,"
                                  " nudges = ?6, quiet_start = ?7, quiet_end = ?8, timezone = ?9,"
                                  " resting_until = ?10, forgotten = ?11, remind_minutes = ?12,"
                                  " welcomed = ?13, language = ?14, app_language = ?15 WHERE id = ?1");
    if (!st)
        return TEND_STORE_ERROR;
    sqlite3_bind_int64(st, 1, m->id);
    sqlite3_bind_text(st, 2, m->key, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, m->name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, m->pronouns, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 5, m->capacity);
    sqlite3_bind_int(st, 6, m->nudges ? 1 : 0);
    sqlite3_bind_int(st, 7, m->quiet_start);
    sqlite3_bind_int(st, 8, m->quiet_end);
    sqlite3_bind_text(st, 9, m->timezone, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 10, m->resting_until);
    sqlite3_bind_int(st, 11, m->forgotten ? 1 : 0);
    sqlite3_bind_int(st, 12, m->remind_minutes);
    sqlite3_bind_int(st, 13, m->welcomed ? 1 : 0);
    sqlite3_bind_text(st, 14, m->language, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 15, m->app_language, -1, SQLITE_STATIC);
    return store_exec_stmt(store, st);
}

int tend_store_member_mark_welcomed(tend_store *store, int64_t member_id)
{
    sqlite3_stmt *st = store_stmt(store, "UPDATE members SET welcomed = 1"
                                         " WHERE id = ?1 AND welcomed = 0 AND forgotten = 0");
    if (!st)
        return TEND_STORE_ERROR;
    sqlite3_bind_int64(st, 1, member_id);
    int rc = store_exec_stmt(store, st);
    if (rc == TEND_STORE_OK && sqlite3_changes(store_db(store)) == 0)
        return TEND_STORE_NOTFOUND;
    return rc;
}

int tend_store_member_set_app_language(tend_store *store, int64_t member_id, const char *lang)
{
    sqlite3_stmt *st = store_stmt(store, "UPDATE members SET app_language = ?2 WHERE id = ?1");
    if (!st)
        return TEND_STORE_ERROR;
    sqlite3_bind_int64(st, 1, member_id);
    sqlite3_bind_text(st, 2, lang, -1, SQLITE_STATIC);
    return store_exec_stmt(store, st);
}

int tend_store_members_each(tend_store *store, int64_t group_id,
                            int (*cb)(const tend_member *m, void *ud), void *ud)
{
    sqlite3_stmt *st = store_stmt(store, "SELECT " MEMBER_COLUMNS " FROM members"
                                         " WHERE group_id = ?1 AND forgotten = 0 ORDER BY id");
    if (!st)
        return TEND_STORE_ERROR;
    sqlite3_bind_int64(st, 1, group_id);
    STORE_RETURN_EACH_ROW(store, st, tend_member, read_member, cb, ud);
}

/* ---------------------------------------------------------------- platform bookkeeping */

int tend_store_state_get(tend_store *store, const char *platform, const char *key, char *value,
                         size_t valuelen)
{
    sqlite3_stmt *st =
        store_stmt(store, "SELECT value FROM adapter_state WHERE platform = ?1 AND key = ?2");
    if (!st)
        return TEND_STORE_ERROR;
    sqlite3_bind_text(st, 1, platform, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    int code = TEND_STORE_NOTFOUND;
    if (rc == SQLITE_ROW) {
        store_copy_text(st, 0, value, valuelen);
        code = TEND_STORE_OK;
    } else if (rc != SQLITE_DONE) {
        code = store_fail(store, rc);
    }
    sqlite3_reset(st);
    return code;
}

int tend_store_state_set(tend_store *store, const char *platform, const char *key, const char *value)
{
    sqlite3_stmt *st = store_stmt(store, "INSERT INTO adapter_state (platform, key, value)"
                                         " VALUES (?1, ?2, ?3) ON CONFLICT (platform, key)"
                                         " DO UPDATE SET value = excluded.value");
    if (!st)
        return TEND_STORE_ERROR;
    sqlite3_bind_text(st, 1, platform, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, value, -1, SQLITE_STATIC);
    return store_exec_stmt(store, st);
}

int tend_store_state_delete(tend_store *store, const char *platform, const char *key)
{
    sqlite3_stmt *st = store_stmt(store, "DELETE FROM adapter_state WHERE platform = ?1 AND key = ?2");
    if (!st)
        return TEND_STORE_ERROR;
    sqlite3_bind_text(st, 1, platform, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
    return store_exec_stmt(store, st);
}

int tend_store_event_seen(tend_store *store, const char *platform, const char *event_id)
{
    if (store_recent_has(store->recent, platform, event_id))
        return TEND_STORE_OK;
    sqlite3_stmt *st = store_stmt(store, "SELECT 1 FROM seen_events WHERE platform = ?1 AND event_id = ?2");
    if (!st)
        return TEND_STORE_ERROR;
    sqlite3_bind_text(st, 1, platform, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, event_id, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    int code = rc == SQLITE_ROW ? TEND_STORE_OK : rc == SQLITE_DONE ? TEND_STORE_NOTFOUND : store_fail(store, rc);
    sqlite3_reset(st);
    return code;
}

/* Events are kept a week, and the older ones go at most once a minute, many at a time: pruned on
 * every claim, a busy group deleted about one row a command, two more b-tree pages written for each
 * (issue 17). An event replayed in the minute after its week is still caught: harmless. */
#define SEEN_EVENTS_KEPT_S (7 * 24 * 3600)
#define SEEN_EVENTS_PRUNED_EVERY_S 60

static int prune_seen_events(tend_store *store, int64_t now)
{
    if (store->events_pruned && now >= store->events_pruned_at &&
        now - store->events_pruned_at < SEEN_EVENTS_PRUNED_EVERY_S)
        return TEND_STORE_OK;
    sqlite3_stmt *prune = store_stmt(store, "DELETE FROM seen_events WHERE seen_at < ?1");
    if (!prune)
        return TEND_STORE_ERROR;
    sqlite3_bind_int64(prune, 1, now - SEEN_EVENTS_KEPT_S);
    int rc = store_exec_stmt(store, prune);
    if (rc == TEND_STORE_OK) {
        store_unhooked_rows(store, sqlite3_changes(store->db));
        store->events_pruned = true;
        store->events_pruned_at = now;
    }
    return rc;
}

int tend_store_event_claim(tend_store *store, const char *platform, const char *event_id, int64_t now)
{
    int rc = prune_seen_events(store, now);
    if (rc != TEND_STORE_OK)
        return rc;
    sqlite3_stmt *st = store_stmt(store, "INSERT INTO seen_events (platform, event_id, seen_at)"
                                         " VALUES (?1, ?2, ?3)");
    if (!st)
        return TEND_STORE_ERROR;
    sqlite3_bind_text(st, 1, platform, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, event_id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, now);
    rc = store_exec_stmt(store, st); /* a duplicate primary key comes back as EXISTS */
    if (rc == TEND_STORE_OK)
        store_unhooked_rows(store, 1);
    return rc;
}

int tend_store_audit(tend_store *store, int64_t group_id, int64_t member_id, const char *action,
                     const char *detail, int64_t now)
{
    sqlite3_stmt *st = store_stmt(store, "INSERT INTO audit (group_id, member_id, action, detail,"
                                         " created_at) VALUES (?1, ?2, ?3, ?4, ?5)");
    if (!st)
        return TEND_STORE_ERROR;
    sqlite3_bind_int64(st, 1, group_id);
    if (member_id > 0)
        sqlite3_bind_int64(st, 2, member_id);
    else
        sqlite3_bind_null(st, 2);
    sqlite3_bind_text(st, 3, action, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, detail ? detail : "", -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 5, now);
    return store_exec_stmt(store, st);
}
