/*
 * lease.c — leases shared by the tend processes of one database (store_lease.h says the protocol).
 * The same queries serve SQLite and PostgreSQL: the take is one INSERT ... ON CONFLICT DO UPDATE
 * whose WHERE lets the row change only for its holder or once it ran out, so the database's own
 * row lock decides a race (PostgreSQL re-checks the WHERE on the newest row after a concurrent
 * writer commits; SQLite has one writer at a time).
 */
#include "store/store_lease.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "store/sqlite/internal.h"

static bool fits(const char *s, size_t max)
{
    return s && *s && strlen(s) < max;
}

/* A write that RETURNs the epoch when it changed the row: OK with *epoch, or EXISTS when the
 * WHERE kept the row as it was. */
static int step_returning_epoch(tend_store *store, sqlite3_stmt *st, int64_t *epoch)
{
    int rc = sqlite3_step(st), code = TEND_STORE_EXISTS;
    if (rc == SQLITE_ROW) {
        code = TEND_STORE_OK;
        if (epoch)
            *epoch = sqlite3_column_int64(st, 0);
        rc = sqlite3_step(st); /* finishes the statement, so SQLite commits the write */
    }
    if (rc != SQLITE_DONE)
        code = store_fail(store, rc);
    sqlite3_reset(st);
    return code;
}

int tend_store_lease_take(tend_store *store, const char *name, const char *holder, int64_t now_ms,
                          int64_t ttl_ms, int64_t *epoch)
{
    if (!fits(name, TEND_LEASE_NAME_MAX) || !fits(holder, TEND_LEASE_HOLDER_MAX) || ttl_ms <= 0 ||
        now_ms > INT64_MAX - ttl_ms)
        return TEND_STORE_ERROR;
    /* the epoch grows only when the holder changes: a holder renewing (even late, when nobody took
     * the lease meanwhile) keeps its number, so its work stays valid */
    sqlite3_stmt *st = store_stmt(store, "INSERT INTO leases (name, holder, expires_at, epoch)"
                                         " VALUES (?1, ?2, ?3, 1)"
                                         " ON CONFLICT (name) DO UPDATE SET holder = excluded.holder,"
                                         " expires_at = excluded.expires_at,"
                                         " epoch = CASE WHEN leases.holder = excluded.holder"
                                         " THEN leases.epoch ELSE leases.epoch + 1 END"
                                         " WHERE leases.holder = excluded.holder OR leases.expires_at <= ?4"
                                         " RETURNING epoch");
    if (!st)
        return TEND_STORE_ERROR;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, holder, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, now_ms + ttl_ms);
    sqlite3_bind_int64(st, 4, now_ms);
    return step_returning_epoch(store, st, epoch);
}

int tend_store_lease_take_from(tend_store *store, const char *name, const char *holder, const char *from,
                               int64_t now_ms, int64_t ttl_ms, int64_t *epoch)
{
    if (!fits(name, TEND_LEASE_NAME_MAX) || !fits(holder, TEND_LEASE_HOLDER_MAX) || !fits(from, TEND_LEASE_HOLDER_MAX) ||
        ttl_ms <= 0 || now_ms > INT64_MAX - ttl_ms)
        return TEND_STORE_ERROR;
    sqlite3_stmt *st = store_stmt(store, "UPDATE leases SET holder = ?2, expires_at = ?3,"
                                         " epoch = CASE WHEN holder = ?2 THEN epoch ELSE epoch + 1 END"
                                         " WHERE name = ?1 AND holder = ?4 RETURNING epoch");
    if (!st)
        return TEND_STORE_ERROR;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, holder, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, now_ms + ttl_ms);
    sqlite3_bind_text(st, 4, from, -1, SQLITE_STATIC);
    return step_returning_epoch(store, st, epoch);
}

int tend_store_lease_release(tend_store *store, const char *name, const char *holder)
{
    sqlite3_stmt *st = store_stmt(store, "UPDATE leases SET expires_at = 0 WHERE name = ?1 AND holder = ?2"
                                         " AND expires_at > 0");
    if (!st)
        return TEND_STORE_ERROR;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, holder, -1, SQLITE_STATIC);
    int rc = store_exec_stmt(store, st);
    if (rc == TEND_STORE_OK && sqlite3_changes(store_db(store)) == 0)
        rc = TEND_STORE_NOTFOUND;
    return rc;
}

int tend_store_lease_drop(tend_store *store, const char *name, const char *holder)
{
    sqlite3_stmt *st = store_stmt(store, "DELETE FROM leases WHERE name = ?1 AND holder = ?2");
    if (!st)
        return TEND_STORE_ERROR;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, holder, -1, SQLITE_STATIC);
    int rc = store_exec_stmt(store, st);
    if (rc == TEND_STORE_OK && sqlite3_changes(store_db(store)) == 0)
        rc = TEND_STORE_NOTFOUND;
    return rc;
}

int tend_store_lease_forget(tend_store *store, const char *prefix, int64_t before_ms, int *removed)
{
    if (removed)
        *removed = 0;
    sqlite3_stmt *st = store_stmt(store, "DELETE FROM leases WHERE substr(name, 1, length(?1)) = ?1"
                                         " AND expires_at < ?2");
    if (!st)
        return TEND_STORE_ERROR;
    sqlite3_bind_text(st, 1, prefix, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, before_ms);
    int rc = store_exec_stmt(store, st);
    if (rc == TEND_STORE_OK && removed)
        *removed = sqlite3_changes(store_db(store));
    return rc;
}

static void read_lease(sqlite3_stmt *st, void *out)
{
    tend_store_lease *lease = out;
    const char *name = (const char *)sqlite3_column_text(st, 0);
    const char *holder = (const char *)sqlite3_column_text(st, 1);
    snprintf(lease->name, sizeof lease->name, "%s", name ? name : "");
    snprintf(lease->holder, sizeof lease->holder, "%s", holder ? holder : "");
    lease->expires_at = sqlite3_column_int64(st, 2);
    lease->epoch = sqlite3_column_int64(st, 3);
}

int tend_store_lease_each(tend_store *store, const char *prefix,
                          int (*cb)(const tend_store_lease *lease, void *ud), void *ud)
{
    /* substr rather than LIKE: names hold '_' freely */
    sqlite3_stmt *st = store_stmt(store, "SELECT name, holder, expires_at, epoch FROM leases"
                                         " WHERE substr(name, 1, length(?1)) = ?1 ORDER BY name");
    if (!st)
        return TEND_STORE_ERROR;
    sqlite3_bind_text(st, 1, prefix ? prefix : "", -1, SQLITE_STATIC);
    STORE_RETURN_EACH_ROW(store, st, tend_store_lease, read_lease, cb, ud);
}
