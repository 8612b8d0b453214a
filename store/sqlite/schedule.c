/* schedule.c — the scheduler's bookkeeping: what fired, which nudges went out, repeats pending,
 * and what is due across every group (each query one index range; see migration 3). */
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

/* ---------------------------------------------------------------- what is due, across groups */

/* Every statement below ends its WHERE with one of these, platform names (or whole group keys)
 * bound at ?10..?14. A subquery rather than a join: joined, the planner may build a Bloom filter
 * over every group. */
#define SERVED_KEY_IN \
    " IN (?11, ?12, ?13, ?14) OR g.key IN (?11, ?12, ?13, ?14))))"
#define SERVED_SCHEDULE \
    "(?10 = 0 OR EXISTS (SELECT 1 FROM groups g WHERE g.id = s.group_id" \
    " AND (substr(g.key, 1, instr(g.key, ':') - 1)" SERVED_KEY_IN
#define SERVED_MEMBER \
    "(?10 = 0 OR EXISTS (SELECT 1 FROM members m, groups g WHERE m.id = member_id AND g.id = m.group_id" \
    " AND (substr(g.key, 1, instr(g.key, ':') - 1)" SERVED_KEY_IN
#define SERVED_TASK \
    "(?10 = 0 OR EXISTS (SELECT 1 FROM groups g WHERE g.id = t.group_id" \
    " AND (substr(g.key, 1, instr(g.key, ':') - 1)" SERVED_KEY_IN

static void bind_platforms(sqlite3_stmt *st, const tend_store_platforms *p)
{
    size_t n = p && p->n <= TEND_STORE_PLATFORMS_MAX ? p->n : 0;
    sqlite3_bind_int(st, 10, (int)n);
    for (size_t i = 0; i < n; i++)
        sqlite3_bind_text(st, 11 + (int)i, p->names[i], -1, SQLITE_STATIC);
}

/* SQLite reads a negative LIMIT as "no limit". */
static int sql_limit(int limit)
{
    return limit > 0 ? limit : -1;
}

/* Columns: group_id, id, member_id, task_id, at. */
static void read_due(sqlite3_stmt *st, void *out)
{
    tend_store_due_item *it = out;
    it->group_id = sqlite3_column_int64(st, 0);
    it->id = sqlite3_column_int64(st, 1);
    it->member_id = sqlite3_column_int64(st, 2);
    it->task_id = sqlite3_column_int64(st, 3);
    it->at = sqlite3_column_int64(st, 4);
}

typedef struct {
    tend_store_due_cb cb;
    void *ud;
} due_walk;

static int each_due(const void *record, void *ud)
{
    due_walk *w = ud;
    return w->cb(record, w->ud);
}

/* Collects first (store_each_row): the scheduler writes while it walks these. */
static int walk_due(tend_store *store, sqlite3_stmt *st, tend_store_due_cb cb, void *ud)
{
    due_walk w = {cb, ud};
    return store_each_row(store, st, sizeof(tend_store_due_item), read_due, each_due, &w);
}

/* A one-value query: OK with *at, NOTFOUND for no row or NULL. Resets st. */
static int step_time(tend_store *store, sqlite3_stmt *st, int64_t *at)
{
    int rc = sqlite3_step(st);
    int code = TEND_STORE_NOTFOUND;
    if (rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL) {
        *at = sqlite3_column_int64(st, 0);
        code = TEND_STORE_OK;
    } else if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        code = store_fail(store, rc);
    }
    sqlite3_reset(st);
    return code;
}

int tend_store_schedule_groups_due(tend_store *store, const tend_store_platforms *p, int64_t now, int limit,
                                   tend_store_due_cb cb, void *ud)
{
    sqlite3_stmt *st = store_stmt(store, "SELECT s.group_id, s.group_id, 0, 0, s.due_at"
                                         " FROM schedule_due s"
                                         " WHERE s.due_at <= ?1 AND " SERVED_SCHEDULE
                                         " ORDER BY s.due_at LIMIT ?2");
    if (!st)
        return TEND_STORE_ERROR;
    sqlite3_bind_int64(st, 1, now);
    sqlite3_bind_int(st, 2, sql_limit(limit));
    bind_platforms(st, p);
    return walk_due(store, st, cb, ud);
}

int tend_store_schedule_groups_next(tend_store *store, const tend_store_platforms *p, int64_t *at)
{
    sqlite3_stmt *st = store_stmt(store, "SELECT s.due_at FROM schedule_due s WHERE " SERVED_SCHEDULE
                                         " ORDER BY s.due_at LIMIT 1");
    if (!st)
        return TEND_STORE_ERROR;
    bind_platforms(st, p);
    return step_time(store, st, at);
}

int tend_store_schedule_group_set(tend_store *store, int64_t group_id, int64_t due_at)
{
    sqlite3_stmt *st =
        store_stmt(store, "INSERT OR REPLACE INTO schedule_due (group_id, due_at) VALUES (?1, ?2)");
    if (!st)
        return TEND_STORE_ERROR;
    sqlite3_bind_int64(st, 1, group_id);
    sqlite3_bind_int64(st, 2, due_at);
    return store_exec_stmt(store, st);
}

int tend_store_rests_due_all(tend_store *store, const tend_store_platforms *p, int64_t now, int limit,
                             tend_store_due_cb cb, void *ud)
{
    sqlite3_stmt *st = store_stmt(store, "SELECT (SELECT group_id FROM members WHERE id = r.member_id),"
                                         " r.id, r.member_id, 0, r.until FROM rests r"
                                         " WHERE r.ended_at = 0 AND r.until <= ?1 AND " SERVED_MEMBER
                                         " ORDER BY r.until, r.id LIMIT ?2");
    if (!st)
        return TEND_STORE_ERROR;
    sqlite3_bind_int64(st, 1, now);
    sqlite3_bind_int(st, 2, sql_limit(limit));
    bind_platforms(st, p);
    return walk_due(store, st, cb, ud);
}

int tend_store_rests_next_end(tend_store *store, const tend_store_platforms *p, int64_t *at)
{
    sqlite3_stmt *st = store_stmt(store, "SELECT r.until FROM rests r"
                                         " WHERE r.ended_at = 0 AND " SERVED_MEMBER
                                         " ORDER BY r.until LIMIT 1");
    if (!st)
        return TEND_STORE_ERROR;
    bind_platforms(st, p);
    return step_time(store, st, at);
}

int tend_store_claims_stale_all(tend_store *store, const tend_store_platforms *p, int64_t before, int limit,
                                tend_store_due_cb cb, void *ud)
{
    /* claims first, through claims_stale: one range over every group's forgotten claims */
    sqlite3_stmt *st = store_stmt(store, "SELECT t.group_id, c.id, c.member_id, c.task_id, c.updated_at"
                                         " FROM claims c CROSS JOIN tasks t ON t.id = c.task_id"
                                                                                  " WHERE c.state = 'active' AND c.reminded_at = 0"
                                         " AND c.updated_at < ?1 AND t.state = 'open' AND " SERVED_TASK
                                         " ORDER BY c.updated_at, c.id LIMIT ?2");
    if (!st)
        return TEND_STORE_ERROR;
    sqlite3_bind_int64(st, 1, before);
    sqlite3_bind_int(st, 2, sql_limit(limit));
    bind_platforms(st, p);
    return walk_due(store, st, cb, ud);
}

int tend_store_claims_stale_next(tend_store *store, const tend_store_platforms *p, int64_t before,
                                 int64_t *at)
{
    sqlite3_stmt *st = store_stmt(store, "SELECT c.updated_at FROM claims c CROSS JOIN tasks t ON t.id = c.task_id"
                                                                                  " WHERE c.state = 'active' AND c.reminded_at = 0"
                                         " AND c.updated_at >= ?1 AND t.state = 'open' AND " SERVED_TASK
                                         " ORDER BY c.updated_at LIMIT 1");
    if (!st)
        return TEND_STORE_ERROR;
    sqlite3_bind_int64(st, 1, before);
    bind_platforms(st, p);
    return step_time(store, st, at);
}

int tend_store_nudge_checks_due(tend_store *store, const tend_store_platforms *p, int64_t now, int limit,
                                tend_store_due_cb cb, void *ud)
{
    sqlite3_stmt *st = store_stmt(store, "SELECT (SELECT group_id FROM members WHERE id = n.member_id),"
                                         " n.member_id, n.member_id, 0, n.due_at FROM nudge_checks n"
                                         " WHERE n.due_at <= ?1 AND " SERVED_MEMBER
                                         " ORDER BY n.due_at LIMIT ?2");
    if (!st)
        return TEND_STORE_ERROR;
    sqlite3_bind_int64(st, 1, now);
    sqlite3_bind_int(st, 2, sql_limit(limit));
    bind_platforms(st, p);
    return walk_due(store, st, cb, ud);
}

int tend_store_nudge_checks_next(tend_store *store, const tend_store_platforms *p, int64_t *at)
{
    sqlite3_stmt *st = store_stmt(store, "SELECT n.due_at FROM nudge_checks n WHERE " SERVED_MEMBER " ORDER BY n.due_at LIMIT 1");
    if (!st)
        return TEND_STORE_ERROR;
    bind_platforms(st, p);
    return step_time(store, st, at);
}

int tend_store_nudge_check_get(tend_store *store, int64_t member_id, int64_t *due_at)
{
    sqlite3_stmt *st = store_stmt(store, "SELECT due_at FROM nudge_checks WHERE member_id = ?1");
    if (!st)
        return TEND_STORE_ERROR;
    sqlite3_bind_int64(st, 1, member_id);
    return step_time(store, st, due_at);
}

int tend_store_nudge_check_set(tend_store *store, int64_t member_id, int64_t due_at)
{
    sqlite3_stmt *st =
        store_stmt(store, "INSERT OR REPLACE INTO nudge_checks (member_id, due_at) VALUES (?1, ?2)");
    if (!st)
        return TEND_STORE_ERROR;
    sqlite3_bind_int64(st, 1, member_id);
    sqlite3_bind_int64(st, 2, due_at);
    return store_exec_stmt(store, st);
}

int tend_store_nudge_check_clear(tend_store *store, int64_t member_id)
{
    sqlite3_stmt *st = store_stmt(store, "DELETE FROM nudge_checks WHERE member_id = ?1");
    if (!st)
        return TEND_STORE_ERROR;
    sqlite3_bind_int64(st, 1, member_id);
    return store_exec_stmt(store, st);
}
