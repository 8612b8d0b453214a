/*
 * crypto.c — the crypto_state table: pickles an adapter's encryption keeps (store_crypto.h).
 */
#include "store/store_crypto.h"

#include <stdlib.h>
#include <string.h>

#include "store/sqlite/internal.h"

int tend_store_crypto_get(tend_store *store, const char *platform, const char *kind, const char *id,
                          char **pickle_out)
{
    *pickle_out = NULL;
    sqlite3_stmt *st = store_stmt(store, "SELECT pickle FROM crypto_state"
                                         " WHERE platform = ?1 AND kind = ?2 AND id = ?3");
    if (!st)
        return TEND_STORE_ERROR;
    sqlite3_bind_text(st, 1, platform, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, id, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    int code = TEND_STORE_NOTFOUND;
    if (rc == SQLITE_ROW) {
        const char *text = (const char *)sqlite3_column_text(st, 0);
        *pickle_out = strdup(text ? text : "");
        code = *pickle_out ? TEND_STORE_OK : TEND_STORE_ERROR;
    } else if (rc != SQLITE_DONE) {
        code = store_fail(store, rc);
    }
    sqlite3_reset(st);
    return code;
}

int tend_store_crypto_put(tend_store *store, const char *platform, const char *kind, const char *id,
                          const char *pickle)
{
    sqlite3_stmt *st = store_stmt(store, "INSERT INTO crypto_state (platform, kind, id, pickle)"
                                         " VALUES (?1, ?2, ?3, ?4) ON CONFLICT (platform, kind, id)"
                                         " DO UPDATE SET pickle = excluded.pickle");
    if (!st)
        return TEND_STORE_ERROR;
    sqlite3_bind_text(st, 1, platform, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, pickle, -1, SQLITE_STATIC);
    return store_exec_stmt(store, st);
}

int tend_store_crypto_delete(tend_store *store, const char *platform, const char *kind, const char *id)
{
    sqlite3_stmt *st = store_stmt(store, "DELETE FROM crypto_state WHERE platform = ?1 AND kind = ?2 AND id = ?3");
    if (!st)
        return TEND_STORE_ERROR;
    sqlite3_bind_text(st, 1, platform, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, id, -1, SQLITE_STATIC);
    return store_exec_stmt(store, st);
}

int tend_store_crypto_each(tend_store *store, const char *platform, const char *kind, const char *id_prefix,
                           int (*cb)(const char *id, const char *pickle, void *ud), void *ud)
{
    /* substr rather than LIKE: ids hold '_' and '%' freely */
    sqlite3_stmt *st = store_stmt(store, "SELECT id, pickle FROM crypto_state WHERE platform = ?1 AND kind = ?2"
                                         " AND substr(id, 1, length(?3)) = ?3 ORDER BY id");
    if (!st)
        return TEND_STORE_ERROR;
    sqlite3_bind_text(st, 1, platform, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, id_prefix ? id_prefix : "", -1, SQLITE_STATIC);
    int rc, stop = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *id = (const char *)sqlite3_column_text(st, 0);
        const char *pickle = (const char *)sqlite3_column_text(st, 1);
        if ((stop = cb(id ? id : "", pickle ? pickle : "", ud)) != 0)
            break;
    }
    int code = stop ? stop : (rc == SQLITE_DONE || rc == SQLITE_ROW ? TEND_STORE_OK : store_fail(store, rc));
    sqlite3_reset(st);
    return code;
}

/* ---------------------------------------------------------------- the Megolm replay guard */

static int megolm_lookup(tend_store *store, const char *sql, const char *platform, const char *session_id,
                         int64_t index, char **text_out, int64_t *number_out)
{
    sqlite3_stmt *st = store_stmt(store, sql);
    if (!st)
        return TEND_STORE_ERROR;
    sqlite3_bind_text(st, 1, platform, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, session_id, -1, SQLITE_STATIC);
    if (index >= 0)
        sqlite3_bind_int64(st, 3, index);
    int rc = sqlite3_step(st), code = TEND_STORE_NOTFOUND;
    if (rc == SQLITE_ROW) {
        code = TEND_STORE_OK;
        if (text_out) {
            const char *text = (const char *)sqlite3_column_text(st, 0);
            if (!(*text_out = strdup(text ? text : "")))
                code = TEND_STORE_ERROR;
        }
        if (number_out)
            *number_out = sqlite3_column_int64(st, 0);
    } else if (rc != SQLITE_DONE) {
        code = store_fail(store, rc);
    }
    sqlite3_reset(st);
    return code;
}

int tend_store_megolm_seen(tend_store *store, const char *platform, const char *session_id, int64_t index,
                           const char *event_id, int64_t now)
{
    char *was = NULL;
    int rc = megolm_lookup(store, "SELECT event_id FROM megolm_seen WHERE platform = ?1 AND session_id = ?2"
                                  " AND msg_index = ?3", platform, session_id, index, &was, NULL);
    if (rc == TEND_STORE_OK) {
        bool same = strcmp(was, event_id) == 0;
        free(was);
        return same ? TEND_STORE_OK : TEND_STORE_EXISTS;
    }
    if (rc != TEND_STORE_NOTFOUND)
        return rc;
    int64_t floor = -1;
    rc = megolm_lookup(store, "SELECT below FROM megolm_floor WHERE platform = ?1 AND session_id = ?2", platform,
                       session_id, -1, NULL, &floor);
    if (rc == TEND_STORE_OK && index <= floor)
        return TEND_STORE_EXISTS;
    if (rc != TEND_STORE_OK && rc != TEND_STORE_NOTFOUND)
        return rc;
    sqlite3_stmt *st = store_stmt(store, "INSERT OR IGNORE INTO megolm_seen (platform, session_id, msg_index,"
                                         " event_id, seen_at) VALUES (?1, ?2, ?3, ?4, ?5)");
    if (!st)
        return TEND_STORE_ERROR;
    sqlite3_bind_text(st, 1, platform, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, session_id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, index);
    sqlite3_bind_text(st, 4, event_id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 5, now);
    return store_exec_stmt(store, st);
}

int tend_store_megolm_prune(tend_store *store, const char *platform, int64_t before, int *removed)
{
    if (removed)
        *removed = 0;
    /* the floor first, in the same transaction as the delete: a crash between them must not leave
     * pairs forgotten without their floor */
    int rc = tend_store_begin(store);
    if (rc != TEND_STORE_OK)
        return rc;
    sqlite3_stmt *st = store_stmt(store, "INSERT INTO megolm_floor (platform, session_id, below)"
                                         " SELECT platform, session_id, max(msg_index) FROM megolm_seen"
                                         " WHERE platform = ?1 AND seen_at < ?2 GROUP BY platform, session_id"
                                         " ON CONFLICT (platform, session_id) DO UPDATE SET below = excluded.below"
                                         " WHERE excluded.below > megolm_floor.below");
    if (!st) {
        tend_store_rollback(store);
        return TEND_STORE_ERROR;
    }
    sqlite3_bind_text(st, 1, platform, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, before);
    rc = store_exec_stmt(store, st);
    if (rc == TEND_STORE_OK) {
        st = store_stmt(store, "DELETE FROM megolm_seen WHERE platform = ?1 AND seen_at < ?2");
        if (!st) {
            rc = TEND_STORE_ERROR;
        } else {
            sqlite3_bind_text(st, 1, platform, -1, SQLITE_STATIC);
            sqlite3_bind_int64(st, 2, before);
            rc = store_exec_stmt(store, st);
            if (rc == TEND_STORE_OK && removed)
                *removed = sqlite3_changes(store_db(store));
        }
    }
    if (rc != TEND_STORE_OK) {
        tend_store_rollback(store);
        return rc;
    }
    return tend_store_commit(store);
}
