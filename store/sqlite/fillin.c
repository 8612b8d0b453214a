/*
 * fillin.c — a task's kind and traits, private offers, standing backups and learners
 * (store_fillin.h).
 */
#include "store/sqlite/internal.h"

#include <string.h>

/* ---------------------------------------------------------------- traits and kinds */

static void read_traits(sqlite3_stmt *st, void *out)
{
    tend_task_traits *t = out;
    memset(t, 0, sizeof *t);
    store_copy_text(st, 0, t->kind, sizeof t->kind);
    t->rotate = sqlite3_column_int(st, 1) != 0;
    t->teach = sqlite3_column_int(st, 2) != 0;
}

int tend_store_task_traits_get(tend_store *store, int64_t task_id, tend_task_traits *out)
{
    sqlite3_stmt *st = store_stmt(store, "SELECT kind, rotate, teach FROM task_traits WHERE task_id = ?1");
    if (!st)
        return TEND_STORE_ERROR;
    sqlite3_bind_int64(st, 1, task_id);
    int rc = store_step_one(store, st, read_traits, out);
    if (rc == TEND_STORE_NOTFOUND) {
        memset(out, 0, sizeof *out);
        rc = TEND_STORE_OK;
    }
    return rc;
}

int tend_store_task_traits_set(tend_store *store, int64_t task_id, const tend_task_traits *t)
{
    sqlite3_stmt *st = store_stmt(store, "INSERT OR REPLACE INTO task_traits (task_id, kind, rotate, teach)"
                                         " VALUES (?1, ?2, ?3, ?4)");
    if (!st)
        return TEND_STORE_ERROR;
    sqlite3_bind_int64(st, 1, task_id);
    sqlite3_bind_text(st, 2, t->kind, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(st, 3, t->rotate);
    sqlite3_bind_int(st, 4, t->teach);
    return store_exec_stmt(store, st);
}

typedef struct {
    char text[TEND_KIND_MAX];
} kind_row;

static void read_kind(sqlite3_stmt *st, void *out)
{
    kind_row *k = out;
    store_copy_text(st, 0, k->text, sizeof k->text);
}

static int each_kind(sqlite3_stmt *st, tend_store *store, int (*cb)(const char *kind, void *ud), void *ud)
{
    void *rows;
    size_t n;
    int rc = store_collect_rows(store, st, sizeof(kind_row), read_kind, &rows, &n);
    for (size_t i = 0; rc == TEND_STORE_OK && i < n; i++)
        if (cb(((const kind_row *)rows)[i].text, ud))
            break;
    free(rows);
    return rc;
}

int tend_store_kinds_each(tend_store *store, int64_t group_id, int limit, int (*cb)(const char *kind, void *ud),
                          void *ud)
{
    sqlite3_stmt *st = store_stmt(store, "SELECT k.kind FROM task_traits k JOIN tasks t ON t.id = k.task_id"
                                         " WHERE t.group_id = ?1 AND k.kind <> ''"
                                         " GROUP BY k.kind ORDER BY count(*) DESC, k.kind LIMIT ?2");
    if (!st)
        return TEND_STORE_ERROR;
    sqlite3_bind_int64(st, 1, group_id);
    sqlite3_bind_int(st, 2, limit > 0 ? limit : -1);
    return each_kind(st, store, cb, ud);
}

int tend_store_kind_busiest_since(tend_store *store, int64_t member_id, int64_t since, int min, char *kind,
                                  size_t kindlen, int *count)
{
    sqlite3_stmt *st = store_stmt(store, "SELECT k.kind, count(*) AS n FROM claims c"
                                         " JOIN task_traits k ON k.task_id = c.task_id"
                                         " WHERE c.member_id = ?1 AND k.kind <> '' AND c.created_at >= ?2"
                                         " AND c.state IN ('active','done')"
                                         " GROUP BY k.kind HAVING n >= ?3 ORDER BY n DESC, k.kind LIMIT 1");
    if (!st)
        return TEND_STORE_ERROR;
    sqlite3_bind_int64(st, 1, member_id);
    sqlite3_bind_int64(st, 2, since);
    sqlite3_bind_int(st, 3, min);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        store_copy_text(st, 0, kind, kindlen);
        *count = sqlite3_column_int(st, 1);
    }
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? TEND_STORE_OK : rc == SQLITE_DONE ? TEND_STORE_NOTFOUND : store_fail(store, rc);
}

/* ---------------------------------------------------------------- offers */

static const char *const why_names[] = {"backup", "rotation"};
static const char *const offer_state_names[] = {"open", "taken", "passed", "closed"};

static void read_offer(sqlite3_stmt *st, void *out)
{
    tend_offer *o = out;
    memset(o, 0, sizeof *o);
    o->id = sqlite3_column_int64(st, 0);
    o->task_id = sqlite3_column_int64(st, 1);
    o->member_id = sqlite3_column_int64(st, 2);
    const unsigned char *why = sqlite3_column_text(st, 3);
    o->why = why && strcmp((const char *)why, "rotation") == 0 ? TEND_OFFER_ROTATION : TEND_OFFER_BACKUP;
    const unsigned char *state = sqlite3_column_text(st, 4);
    o->state = TEND_OFFER_CLOSED;
    for (int i = 0; i < 4; i++)
        if (state && strcmp((const char *)state, offer_state_names[i]) == 0)
            o->state = (tend_offer_state)i;
    o->created_at = sqlite3_column_int64(st, 5);
}

#define OFFER_COLUMNS "id, task_id, member_id, why, state, created_at"

int tend_store_offer_add(tend_store *store, int64_t task_id, int64_t member_id, tend_offer_why why, int64_t now)
{
    sqlite3_stmt *st = store_stmt(store, "INSERT OR IGNORE INTO offers (task_id, member_id, why, created_at)"
                                         " VALUES (?1, ?2, ?3, ?4)");
    if (!st)
        return TEND_STORE_ERROR;
    sqlite3_bind_int64(st, 1, task_id);
    sqlite3_bind_int64(st, 2, member_id);
    sqlite3_bind_text(st, 3, why_names[why], -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, now);
    int rc = store_exec_stmt(store, st);
    if (rc == TEND_STORE_OK && sqlite3_changes(store_db(store)) == 0)
        return TEND_STORE_EXISTS;
    return rc;
}

int tend_store_offer_get(tend_store *store, int64_t task_id, int64_t member_id, tend_offer *out)
{
    sqlite3_stmt *st = store_stmt(store, "SELECT " OFFER_COLUMNS " FROM offers WHERE task_id = ?1 AND member_id = ?2");
    if (!st)
        return TEND_STORE_ERROR;
    sqlite3_bind_int64(st, 1, task_id);
    sqlite3_bind_int64(st, 2, member_id);
    return store_step_one(store, st, read_offer, out);
}

int tend_store_offer_set_state(tend_store *store, int64_t offer_id, tend_offer_state state)
{
    sqlite3_stmt *st = store_stmt(store, "UPDATE offers SET state = ?2 WHERE id = ?1");
    if (!st)
        return TEND_STORE_ERROR;
    sqlite3_bind_int64(st, 1, offer_id);
    sqlite3_bind_text(st, 2, offer_state_names[state], -1, SQLITE_STATIC);
    return store_exec_stmt(store, st);
}

int tend_store_offers_open_of(tend_store *store, int64_t task_id, int (*cb)(const tend_offer *o, void *ud),
                              void *ud)
{
    sqlite3_stmt *st = store_stmt(store, "SELECT " OFFER_COLUMNS " FROM offers WHERE task_id = ?1 AND state = 'open'"
                                         " ORDER BY created_at, id");
    if (!st)
        return TEND_STORE_ERROR;
    sqlite3_bind_int64(st, 1, task_id);
    STORE_RETURN_EACH_ROW(store, st, tend_offer, read_offer, cb, ud);
}

int tend_store_offers_close(tend_store *store, int64_t task_id)
{
    sqlite3_stmt *st = store_stmt(store, "UPDATE offers SET state = 'closed' WHERE task_id = ?1 AND state = 'open'");
    if (!st)
        return TEND_STORE_ERROR;
    sqlite3_bind_int64(st, 1, task_id);
    return store_exec_stmt(store, st);
}

int tend_store_offers_count(tend_store *store, int64_t task_id, int *asked, int *open)
{
    sqlite3_stmt *st = store_stmt(store, "SELECT count(*), coalesce(sum(state = 'open'), 0) FROM offers"
                                         " WHERE task_id = ?1");
    if (!st)
        return TEND_STORE_ERROR;
    sqlite3_bind_int64(st, 1, task_id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *asked = sqlite3_column_int(st, 0);
        *open = sqlite3_column_int(st, 1);
    }
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? TEND_STORE_OK : store_fail(store, rc);
}

int tend_store_offers_stale(tend_store *store, int64_t group_id, int64_t before,
                            int (*cb)(const tend_offer *o, void *ud), void *ud)
{
    sqlite3_stmt *st = store_stmt(store, "SELECT o.id, o.task_id, o.member_id, o.why, o.state, o.created_at"
                                         " FROM offers o JOIN tasks t ON t.id = o.task_id"
                                         " WHERE o.state = 'open' AND o.why = 'rotation' AND t.group_id = ?1"
                                         " AND o.created_at < ?2 ORDER BY o.created_at, o.id");
    if (!st)
        return TEND_STORE_ERROR;
    sqlite3_bind_int64(st, 1, group_id);
    sqlite3_bind_int64(st, 2, before);
    STORE_RETURN_EACH_ROW(store, st, tend_offer, read_offer, cb, ud);
}

int tend_store_offers_oldest_open(tend_store *store, int64_t group_id, int64_t *at)
{
    sqlite3_stmt *st = store_stmt(store, "SELECT min(o.created_at) FROM offers o JOIN tasks t ON t.id = o.task_id"
                                         " WHERE o.state = 'open' AND o.why = 'rotation' AND t.group_id = ?1");
    if (!st)
        return TEND_STORE_ERROR;
    sqlite3_bind_int64(st, 1, group_id);
    int rc = sqlite3_step(st);
    bool have = rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL;
    if (have)
        *at = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    if (rc != SQLITE_ROW)
        return store_fail(store, rc);
    return have ? TEND_STORE_OK : TEND_STORE_NOTFOUND;
}

int tend_store_backup_call_add(tend_store *store, int64_t task_id, tend_offer_why why, int64_t now)
{
    sqlite3_stmt *st = store_stmt(store, "INSERT INTO backup_calls (task_id, created_at, why) VALUES (?1, ?2, ?3)");
    if (!st)
        return TEND_STORE_ERROR;
    sqlite3_bind_int64(st, 1, task_id);
    sqlite3_bind_int64(st, 2, now);
    sqlite3_bind_text(st, 3, why_names[why], -1, SQLITE_STATIC);
    return store_exec_stmt(store, st);
}

typedef struct {
    int64_t call_id;
    int64_t task_id;
    tend_offer_why why;
} call_row;

static void read_call(sqlite3_stmt *st, void *out)
{
    call_row *r = out;
    r->call_id = sqlite3_column_int64(st, 0);
    r->task_id = sqlite3_column_int64(st, 1);
    const unsigned char *why = sqlite3_column_text(st, 2);
    r->why = why && strcmp((const char *)why, "rotation") == 0 ? TEND_OFFER_ROTATION : TEND_OFFER_BACKUP;
}

int tend_store_backup_calls_pending(tend_store *store, int64_t group_id,
                                    int (*cb)(int64_t call_id, int64_t task_id, tend_offer_why why, void *ud),
                                    void *ud)
{
    sqlite3_stmt *st = store_stmt(store, "SELECT b.id, b.task_id, b.why FROM backup_calls b JOIN tasks t ON t.id = b.task_id"
                                         " WHERE b.announced_at = 0 AND t.group_id = ?1 ORDER BY b.id");
    if (!st)
        return TEND_STORE_ERROR;
    sqlite3_bind_int64(st, 1, group_id);
    void *rows;
    size_t n;
    int rc = store_collect_rows(store, st, sizeof(call_row), read_call, &rows, &n);
    for (size_t i = 0; rc == TEND_STORE_OK && i < n; i++)
        if (cb(((const call_row *)rows)[i].call_id, ((const call_row *)rows)[i].task_id, ((const call_row *)rows)[i].why,
               ud))
            break;
    free(rows);
    return rc;
}

int tend_store_backup_call_announced(tend_store *store, int64_t call_id, int64_t now)
{
    sqlite3_stmt *st = store_stmt(store, "UPDATE backup_calls SET announced_at = ?2 WHERE id = ?1");
    if (!st)
        return TEND_STORE_ERROR;
    sqlite3_bind_int64(st, 1, call_id);
    sqlite3_bind_int64(st, 2, now);
    return store_exec_stmt(store, st);
}

/* ---------------------------------------------------------------- who to ask */

typedef struct {
    int64_t member_id;
    int64_t last_at;
} take_row;

static void read_take(sqlite3_stmt *st, void *out)
{
    take_row *r = out;
    r->member_id = sqlite3_column_int64(st, 0);
    r->last_at = sqlite3_column_int64(st, 1);
}

int tend_store_members_by_last_take(tend_store *store, int64_t group_id, const char *title,
                                    int (*cb)(int64_t member_id, int64_t last_at, void *ud), void *ud)
{
    sqlite3_stmt *st = store_stmt(
        store, "SELECT m.id, coalesce((SELECT max(c.created_at) FROM claims c JOIN tasks t ON t.id = c.task_id"
               "   WHERE c.member_id = m.id AND c.state IN ('active','done','handed_off')"
               "   AND (?2 IS NULL OR t.title = ?2 COLLATE NOCASE)), 0) AS last_at"
               " FROM members m WHERE m.group_id = ?1 AND m.forgotten = 0 AND m.key <> ''"
               " ORDER BY last_at, m.id");
    if (!st)
        return TEND_STORE_ERROR;
    sqlite3_bind_int64(st, 1, group_id);
    if (title)
        sqlite3_bind_text(st, 2, title, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(st, 2);
    void *rows;
    size_t n;
    int rc = store_collect_rows(store, st, sizeof(take_row), read_take, &rows, &n);
    for (size_t i = 0; rc == TEND_STORE_OK && i < n; i++)
        if (cb(((const take_row *)rows)[i].member_id, ((const take_row *)rows)[i].last_at, ud))
            break;
    free(rows);
    return rc;
}

int tend_store_claim_ever(tend_store *store, int64_t task_id, int64_t member_id, bool *ever)
{
    sqlite3_stmt *st = store_stmt(store, "SELECT 1 FROM claims WHERE task_id = ?1 AND member_id = ?2 LIMIT 1");
    if (!st)
        return TEND_STORE_ERROR;
    sqlite3_bind_int64(st, 1, task_id);
    sqlite3_bind_int64(st, 2, member_id);
    int rc = sqlite3_step(st);
    *ever = rc == SQLITE_ROW;
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? TEND_STORE_OK : store_fail(store, rc);
}

int tend_store_last_holder(tend_store *store, int64_t group_id, const char *title, int64_t *member_id)
{
    sqlite3_stmt *st = store_stmt(store, "SELECT c.member_id FROM claims c JOIN tasks t ON t.id = c.task_id"
                                         " WHERE t.group_id = ?1 AND t.title = ?2 COLLATE NOCASE"
                                         " AND c.state IN ('active','done','handed_off')"
                                         " ORDER BY c.created_at DESC, c.id DESC LIMIT 1");
    if (!st)
        return TEND_STORE_ERROR;
    sqlite3_bind_int64(st, 1, group_id);
    sqlite3_bind_text(st, 2, title, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *member_id = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? TEND_STORE_OK : rc == SQLITE_DONE ? TEND_STORE_NOTFOUND : store_fail(store, rc);
}

static void read_done_claim(sqlite3_stmt *st, void *out)
{
    tend_claim *c = out;
    memset(c, 0, sizeof *c);
    c->id = sqlite3_column_int64(st, 0);
    c->task_id = sqlite3_column_int64(st, 1);
    c->member_id = sqlite3_column_int64(st, 2);
    c->state = TEND_CLAIM_DONE;
    c->created_at = sqlite3_column_int64(st, 3);
    c->done_at = sqlite3_column_int64(st, 4);
}

int tend_store_claims_done_of_task(tend_store *store, int64_t task_id, int (*cb)(const tend_claim *c, void *ud),
                                   void *ud)
{
    sqlite3_stmt *st = store_stmt(store, "SELECT id, task_id, member_id, created_at, done_at FROM claims"
                                         " WHERE task_id = ?1 AND state = 'done' ORDER BY id");
    if (!st)
        return TEND_STORE_ERROR;
    sqlite3_bind_int64(st, 1, task_id);
    STORE_RETURN_EACH_ROW(store, st, tend_claim, read_done_claim, cb, ud);
}

/* ---------------------------------------------------------------- standing backups */

int tend_store_backup_set(tend_store *store, int64_t member_id, const char *kind, bool on)
{
    sqlite3_stmt *st = on ? store_stmt(store, "INSERT OR IGNORE INTO standing_backups (member_id, kind) VALUES (?1, ?2)")
                          : store_stmt(store, "DELETE FROM standing_backups WHERE member_id = ?1 AND kind = ?2");
    if (!st)
        return TEND_STORE_ERROR;
    sqlite3_bind_int64(st, 1, member_id);
    sqlite3_bind_text(st, 2, kind, -1, SQLITE_TRANSIENT);
    return store_exec_stmt(store, st);
}

int tend_store_backup_is(tend_store *store, int64_t member_id, const char *kind, bool *on)
{
    sqlite3_stmt *st = store_stmt(store, "SELECT 1 FROM standing_backups WHERE member_id = ?1 AND kind = ?2");
    if (!st)
        return TEND_STORE_ERROR;
    sqlite3_bind_int64(st, 1, member_id);
    sqlite3_bind_text(st, 2, kind, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(st);
    *on = rc == SQLITE_ROW;
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? TEND_STORE_OK : store_fail(store, rc);
}

int tend_store_backups_of(tend_store *store, int64_t member_id, int (*cb)(const char *kind, void *ud), void *ud)
{
    sqlite3_stmt *st = store_stmt(store, "SELECT kind FROM standing_backups WHERE member_id = ?1 ORDER BY kind");
    if (!st)
        return TEND_STORE_ERROR;
    sqlite3_bind_int64(st, 1, member_id);
    return each_kind(st, store, cb, ud);
}

/* ---------------------------------------------------------------- learners */

static void read_learner(sqlite3_stmt *st, void *out)
{
    tend_learner *l = out;
    l->id = sqlite3_column_int64(st, 0);
    l->task_id = sqlite3_column_int64(st, 1);
    l->member_id = sqlite3_column_int64(st, 2);
    l->created_at = sqlite3_column_int64(st, 3);
    l->learned_at = sqlite3_column_int64(st, 4);
}

int tend_store_learner_add(tend_store *store, int64_t task_id, int64_t member_id, int64_t now)
{
    sqlite3_stmt *st = store_stmt(store, "INSERT OR IGNORE INTO learners (task_id, member_id, created_at)"
                                         " VALUES (?1, ?2, ?3)");
    if (!st)
        return TEND_STORE_ERROR;
    sqlite3_bind_int64(st, 1, task_id);
    sqlite3_bind_int64(st, 2, member_id);
    sqlite3_bind_int64(st, 3, now);
    int rc = store_exec_stmt(store, st);
    if (rc == TEND_STORE_OK && sqlite3_changes(store_db(store)) == 0)
        return TEND_STORE_EXISTS;
    return rc;
}

int tend_store_learners_of(tend_store *store, int64_t task_id, int (*cb)(const tend_learner *l, void *ud), void *ud)
{
    sqlite3_stmt *st = store_stmt(store, "SELECT id, task_id, member_id, created_at, learned_at FROM learners"
                                         " WHERE task_id = ?1 ORDER BY id");
    if (!st)
        return TEND_STORE_ERROR;
    sqlite3_bind_int64(st, 1, task_id);
    STORE_RETURN_EACH_ROW(store, st, tend_learner, read_learner, cb, ud);
}

int tend_store_learners_learned(tend_store *store, int64_t task_id, int64_t now)
{
    sqlite3_stmt *st = store_stmt(store, "UPDATE learners SET learned_at = ?2 WHERE task_id = ?1 AND learned_at = 0");
    if (!st)
        return TEND_STORE_ERROR;
    sqlite3_bind_int64(st, 1, task_id);
    sqlite3_bind_int64(st, 2, now);
    return store_exec_stmt(store, st);
}

int tend_store_learners_ready(tend_store *store, int64_t group_id, const char *title,
                              int (*cb)(const tend_learner *l, void *ud), void *ud)
{
    sqlite3_stmt *st = store_stmt(store, "SELECT l.id, l.task_id, l.member_id, l.created_at, l.learned_at"
                                         " FROM learners l JOIN tasks t ON t.id = l.task_id"
                                         " JOIN members m ON m.id = l.member_id"
                                         " WHERE t.group_id = ?1 AND t.title = ?2 COLLATE NOCASE"
                                         " AND l.learned_at > 0 AND l.offered = 0 AND m.forgotten = 0"
                                         " ORDER BY l.learned_at, l.id");
    if (!st)
        return TEND_STORE_ERROR;
    sqlite3_bind_int64(st, 1, group_id);
    sqlite3_bind_text(st, 2, title, -1, SQLITE_TRANSIENT);
    STORE_RETURN_EACH_ROW(store, st, tend_learner, read_learner, cb, ud);
}

int tend_store_learner_offered(tend_store *store, int64_t learner_id)
{
    sqlite3_stmt *st = store_stmt(store, "UPDATE learners SET offered = 1 WHERE id = ?1");
    if (!st)
        return TEND_STORE_ERROR;
    sqlite3_bind_int64(st, 1, learner_id);
    return store_exec_stmt(store, st);
}

int tend_store_learned_count(tend_store *store, int64_t group_id, int64_t since, int64_t until, int *count)
{
    sqlite3_stmt *st = store_stmt(store, "SELECT count(DISTINCT l.member_id) FROM learners l"
                                         " JOIN tasks t ON t.id = l.task_id WHERE t.group_id = ?1"
                                         " AND l.learned_at >= ?2 AND l.learned_at < ?3");
    if (!st)
        return TEND_STORE_ERROR;
    sqlite3_bind_int64(st, 1, group_id);
    sqlite3_bind_int64(st, 2, since);
    sqlite3_bind_int64(st, 3, until);
    int rc = sqlite3_step(st);
    *count = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? TEND_STORE_OK : store_fail(store, rc);
}
