/* outbox.c — the outbox table: add in the cause's transaction, walk after a start, remove when sent. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/sqlite/internal.h"

int tend_store_outbox_add(tend_store *store, const char *platform, const char *dest, const char *reply_to,
                          const char *payload, int64_t now, int64_t *id)
{
    sqlite3_stmt *st = store_stmt(store, "INSERT INTO outbox (platform, dest, reply_to, payload, created_at, owner)"
                                         " VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
    if (!st)
        return TEND_STORE_ERROR;
    sqlite3_bind_text(st, 1, platform, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, dest, -1, SQLITE_STATIC);
    if (reply_to)
        sqlite3_bind_text(st, 3, reply_to, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, payload, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 5, now);
    sqlite3_bind_text(st, 6, store->outbox_owner, -1, SQLITE_STATIC);
    int rc = store_exec_stmt(store, st);
    if (rc == TEND_STORE_OK && id)
        *id = sqlite3_last_insert_rowid(store_db(store));
    return rc;
}

/* Hands each row of a statement selecting (id, platform, dest, reply_to, payload, created_at) to cb
 * until it returns non-zero. The callback only copies (the sender keeps rows in memory), so
 * stepping in place is safe; the statement is reset. */
static int walk_rows(tend_store *store, sqlite3_stmt *st, int (*cb)(const tend_outbox_row *row, void *ud), void *ud)
{
    int rc;
    bool stopped = false;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        tend_outbox_row row = {
            .id = sqlite3_column_int64(st, 0),
            .platform = (const char *)sqlite3_column_text(st, 1),
            .dest = (const char *)sqlite3_column_text(st, 2),
            .reply_to = (const char *)sqlite3_column_text(st, 3),
            .payload = (const char *)sqlite3_column_text(st, 4),
            .created_at = sqlite3_column_int64(st, 5),
        };
        if (!stopped && cb(&row, ud))
            stopped = true; /* an UPDATE ... RETURNING is stepped to its end all the same */
    }
    int code = rc == SQLITE_DONE ? TEND_STORE_OK : store_fail(store, rc);
    sqlite3_reset(st);
    return code;
}

int tend_store_outbox_each(tend_store *store, const char *platform,
                           int (*cb)(const tend_outbox_row *row, void *ud), void *ud)
{
    sqlite3_stmt *st = store_stmt(store, "SELECT id, platform, dest, reply_to, payload, created_at"
                                         " FROM outbox WHERE platform = ?1 AND owner = ?2 ORDER BY id");
    if (!st)
        return TEND_STORE_ERROR;
    sqlite3_bind_text(st, 1, platform, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, store->outbox_owner, -1, SQLITE_STATIC);
    return walk_rows(store, st, cb, ud);
}

int tend_store_outbox_set_owner(tend_store *store, const char *owner)
{
    if (!owner || strlen(owner) >= sizeof store->outbox_owner)
        return TEND_STORE_ERROR;
    memcpy(store->outbox_owner, owner, strlen(owner) + 1);
    return TEND_STORE_OK;
}

int tend_store_outbox_owners(tend_store *store, const char *platform, int (*cb)(const char *owner, void *ud),
                             void *ud)
{
    sqlite3_stmt *st = store_stmt(store, "SELECT DISTINCT owner FROM outbox WHERE platform = ?1 AND owner <> ?2"
                                         " ORDER BY owner");
    if (!st)
        return TEND_STORE_ERROR;
    sqlite3_bind_text(st, 1, platform, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, store->outbox_owner, -1, SQLITE_STATIC);
    /* a few owners at most: copied out first, so cb may claim (write) while nothing is stepping */
    char (*owners)[128] = NULL;
    size_t n = 0, cap = 0;
    int rc, code = TEND_STORE_OK;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (n == cap) {
            size_t want = cap ? cap * 2 : 8;
            char(*grown)[128] = realloc(owners, want * sizeof *owners);
            if (!grown) {
                code = TEND_STORE_ERROR;
                break;
            }
            owners = grown;
            cap = want;
        }
        const char *o = (const char *)sqlite3_column_text(st, 0);
        snprintf(owners[n++], sizeof owners[0], "%s", o ? o : "");
    }
    if (code == TEND_STORE_OK && rc != SQLITE_DONE)
        code = store_fail(store, rc);
    sqlite3_reset(st);
    for (size_t i = 0; code == TEND_STORE_OK && i < n; i++)
        if (cb(owners[i], ud))
            break;
    free(owners);
    return code;
}

int tend_store_outbox_owned(tend_store *store, int64_t id)
{
    sqlite3_stmt *st = store_stmt(store, "SELECT 1 FROM outbox WHERE id = ?1 AND owner = ?2");
    if (!st)
        return TEND_STORE_ERROR;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_text(st, 2, store->outbox_owner, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    int code = rc == SQLITE_ROW ? TEND_STORE_OK : rc == SQLITE_DONE ? TEND_STORE_NOTFOUND : store_fail(store, rc);
    sqlite3_reset(st);
    return code;
}

typedef struct {
    tend_outbox_row *rows;
    size_t n, cap;
    bool oom;
} claimed;

static char *dup_or_null(const char *s, bool *oom)
{
    if (!s)
        return NULL;
    char *d = strdup(s);
    if (!d)
        *oom = true;
    return d;
}

static int keep_row(const tend_outbox_row *row, void *ud)
{
    claimed *c = ud;
    if (c->n == c->cap) {
        size_t want = c->cap ? c->cap * 2 : 16;
        tend_outbox_row *grown = realloc(c->rows, want * sizeof *grown);
        if (!grown) {
            c->oom = true;
            return 0; /* stepped to the end all the same: the rows are claimed, and loaded at a restart */
        }
        c->rows = grown;
        c->cap = want;
    }
    tend_outbox_row *r = &c->rows[c->n++];
    *r = *row;
    r->platform = dup_or_null(row->platform, &c->oom);
    r->dest = dup_or_null(row->dest, &c->oom);
    r->reply_to = dup_or_null(row->reply_to, &c->oom);
    r->payload = dup_or_null(row->payload, &c->oom);
    return 0;
}

static int by_id(const void *a, const void *b)
{
    int64_t x = ((const tend_outbox_row *)a)->id, y = ((const tend_outbox_row *)b)->id;
    return (x > y) - (x < y);
}

int tend_store_outbox_claim(tend_store *store, const char *platform, const char *from,
                            int (*cb)(const tend_outbox_row *row, void *ud), void *ud)
{
    /* one write compares and sets the owner: a second claimer of the same rows finds them taken */
    sqlite3_stmt *st = store_stmt(store, "UPDATE outbox SET owner = ?3 WHERE platform = ?1 AND owner = ?2"
                                         " RETURNING id, platform, dest, reply_to, payload, created_at");
    if (!st)
        return TEND_STORE_ERROR;
    sqlite3_bind_text(st, 1, platform, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, from, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, store->outbox_owner, -1, SQLITE_STATIC);
    claimed c = {0};
    int rc = walk_rows(store, st, keep_row, &c);
    /* RETURNING gives no order: a destination's rows must go out in id order */
    if (c.n)
        qsort(c.rows, c.n, sizeof *c.rows, by_id);
    for (size_t i = 0; rc == TEND_STORE_OK && !c.oom && i < c.n; i++)
        if (cb(&c.rows[i], ud))
            break;
    if (rc == TEND_STORE_OK && c.oom)
        rc = TEND_STORE_ERROR; /* claimed, not loaded: this process sends them after its restart */
    for (size_t i = 0; i < c.n; i++) {
        free((char *)c.rows[i].platform);
        free((char *)c.rows[i].dest);
        free((char *)c.rows[i].reply_to);
        free((char *)c.rows[i].payload);
    }
    free(c.rows);
    return rc;
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
