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
