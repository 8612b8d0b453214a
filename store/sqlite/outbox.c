/* outbox.c — the outbox table: add in the cause's transaction, walk after a start, remove when sent. */
#include <string.h>

#include "store/sqlite/internal.h"

int tend_store_outbox_add(tend_store *store, const char *platform, const char *dest, const char *reply_to,
                          const char *payload, int64_t now, int64_t *id)
{
    sqlite3_stmt *st = store_stmt(store, "INSERT INTO outbox (platform, dest, reply_to, payload, created_at)"
                                         " VALUES (?1, ?2, ?3, ?4, ?5)");
    if (!st)
        return TEND_STORE_ERROR;
    sqlite3_bind_text(st, 1, platform, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, dest, -1, SQLITE_STATIC);
    if (reply_to)
        sqlite3_bind_text(st, 3, reply_to, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, payload, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 5, now);
    int rc = store_exec_stmt(store, st);
    if (rc == TEND_STORE_OK && id)
        *id = sqlite3_last_insert_rowid(store_db(store));
    return rc;
}

int tend_store_outbox_each(tend_store *store, const char *platform,
                           int (*cb)(const tend_outbox_row *row, void *ud), void *ud)
{
    sqlite3_stmt *st = store_stmt(store, "SELECT id, platform, dest, reply_to, payload, created_at"
                                         " FROM outbox WHERE platform = ?1 ORDER BY id");
    if (!st)
        return TEND_STORE_ERROR;
    sqlite3_bind_text(st, 1, platform, -1, SQLITE_STATIC);
    int rc;
    /* the callback only copies (the sender keeps rows in memory), so stepping in place is safe */
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        tend_outbox_row row = {
            .id = sqlite3_column_int64(st, 0),
            .platform = (const char *)sqlite3_column_text(st, 1),
            .dest = (const char *)sqlite3_column_text(st, 2),
            .reply_to = (const char *)sqlite3_column_text(st, 3),
            .payload = (const char *)sqlite3_column_text(st, 4),
            .created_at = sqlite3_column_int64(st, 5),
        };
        if (cb(&row, ud))
            break;
    }
    int code = rc == SQLITE_ROW || rc == SQLITE_DONE ? TEND_STORE_OK : store_fail(store, rc);
    sqlite3_reset(st);
    return code;
}

int tend_store_outbox_remove(tend_store *store, int64_t id)
{
    sqlite3_stmt *st = store_stmt(store, "DELETE FROM outbox WHERE id = ?1");
    if (!st)
        return TEND_STORE_ERROR;
    sqlite3_bind_int64(st, 1, id);
    return store_exec_stmt(store, st);
}

int tend_store_outbox_count(tend_store *store, int64_t *count)
{
    sqlite3_stmt *st = store_stmt(store, "SELECT count(*) FROM outbox");
    if (!st)
        return TEND_STORE_ERROR;
    int rc = sqlite3_step(st);
    int code = TEND_STORE_OK;
    if (rc == SQLITE_ROW)
        *count = sqlite3_column_int64(st, 0);
    else
        code = store_fail(store, rc);
    sqlite3_reset(st);
    return code;
}
