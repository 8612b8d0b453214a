/* schedule.c — the scheduler's bookkeeping: what fired, which nudges went out, repeats pending. */
#include "store/sqlite/internal.h"

#include <stdlib.h>

int tend_store_fired_get(tend_store *store, int64_t group_id, const char *kind, const char *slot,
                         int64_t *fired_at)
{
    sqlite3_stmt *st = store_stmt(store, "SELECT fired_at FROM fired "
                                         "WHERE group_id = ?1 AND kind = ?2 AND slot = ?3");
    if (!st)
        return TEND_STORE_ERROR;
    sqlite3_bind_int64(st, 1, group_id);
    sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, slot, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    int code = TEND_STORE_NOTFOUND;
    if (rc == SQLITE_ROW) {
        if (fired_at)
            *fired_at = sqlite3_column_int64(st, 0);
        code = TEND_STORE_OK;
    } else if (rc != SQLITE_DONE) {
        code = store_fail(store, rc);
    }
    sqlite3_reset(st);
    return code;
}

int tend_store_fired_record(tend_store *store, int64_t group_id, const char *kind, const char *slot,
                            int64_t now)
{
    sqlite3_stmt *st = store_stmt(store, "INSERT INTO fired (group_id, kind, slot, fired_at) "
                                         "VALUES (?1, ?2, ?3, ?4)");
    if (!st)
        return TEND_STORE_ERROR;
    sqlite3_bind_int64(st, 1, group_id);
    sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, slot, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, now);
    return store_exec_stmt(store, st);
}

int tend_store_nudge_last(tend_store *store, int64_t member_id, const char *kind, int64_t *sent_at)
{
    sqlite3_stmt *st = store_stmt(store, "SELECT MAX(sent_at) FROM nudges "
                                         "WHERE member_id = ?1 AND kind = ?2");
    if (!st)
        return TEND_STORE_ERROR;
    sqlite3_bind_int64(st, 1, member_id);
    sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    int code;
    if (rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL) {
        *sent_at = sqlite3_column_int64(st, 0);
        code = TEND_STORE_OK;
    } else if (rc == SQLITE_ROW || rc == SQLITE_DONE) {
        code = TEND_STORE_NOTFOUND;
    } else {
        code = store_fail(store, rc);
    }
    sqlite3_reset(st);
    return code;
}

int tend_store_nudge_record(tend_store *store, int64_t member_id, const char *kind, int64_t now)
{
    sqlite3_stmt *st =
        store_stmt(store, "INSERT INTO nudges (member_id, kind, sent_at) VALUES (?1, ?2, ?3)");
    if (!st)
        return TEND_STORE_ERROR;
    sqlite3_bind_int64(st, 1, member_id);
    sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, now);
    return store_exec_stmt(store, st);
}

int tend_store_repeats_pending(tend_store *store, int64_t group_id,
                               int (*cb)(int64_t task_id, void *ud), void *ud)
{
    sqlite3_stmt *st = store_stmt(store,
                                  "SELECT t.id FROM tasks t WHERE t.group_id = ?1 AND t.repeat_weekly = 1 "
                                  "AND t.state IN ('open', 'done') AND NOT EXISTS (SELECT 1 FROM fired f "
                                  "WHERE f.group_id = t.group_id AND f.kind = 'repeat' "
                                  "AND f.slot = 'task:' || t.id) ORDER BY t.id");
    if (!st)
        return TEND_STORE_ERROR;
    sqlite3_bind_int64(st, 1, group_id);
    /* collect first: the callback runs other statements (and may add tasks) */
    int64_t *ids = NULL;
    size_t n = 0, cap = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            int64_t *grown = realloc(ids, cap * sizeof *ids);
            if (!grown) {
                free(ids);
                sqlite3_reset(st);
                return TEND_STORE_ERROR;
            }
            ids = grown;
        }
        ids[n++] = sqlite3_column_int64(st, 0);
    }
    int code = rc == SQLITE_DONE ? TEND_STORE_OK : store_fail(store, rc);
    sqlite3_reset(st);
    for (size_t i = 0; code == TEND_STORE_OK && i < n; i++)
        if (cb(ids[i], ud))
            break;
    free(ids);
    return code;
}

int tend_store_nudge_answer(tend_store *store, int64_t member_id, const char *kind, const char *answer)
{
    sqlite3_stmt *st = store_stmt(store, "UPDATE nudges SET answer = ?3 WHERE id = (SELECT id FROM nudges"
                                         " WHERE member_id = ?1 AND kind = ?2 ORDER BY sent_at DESC, id DESC"
                                         " LIMIT 1)");
    if (!st)
        return TEND_STORE_ERROR;
    sqlite3_bind_int64(st, 1, member_id);
    sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, answer, -1, SQLITE_STATIC);
    int rc = store_exec_stmt(store, st);
    if (rc == TEND_STORE_OK && sqlite3_changes(store_db(store)) == 0)
        return TEND_STORE_NOTFOUND;
    return rc;
}
