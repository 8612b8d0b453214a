/*
 * tasks.c — tasks, claims, waitlists, handoffs and the load figures (store_tasks.h).
 *
 * A task's number is per group (groups.next_task_number), so members of two groups both have a
 * task 1. Lists are read in full before the callback runs: callbacks may run other statements,
 * even the one being walked, and a cached statement cannot be stepped twice at once.
 */
#include "store/sqlite/internal.h"

#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- reading rows */

#define CLAIM_COLUMNS                                                                             \
    "id, task_id, member_id, state, created_at, updated_at, done_at, reminded_at, note, remind_at," \
    " followup_at"

static const char *const task_state_names[] = {"open", "done", "cancelled"};
static const char *const claim_state_names[] = {"active", "waiting", "released", "done", "handed_off"};

static tend_task_state task_state_from(const unsigned char *s)
{
    for (int i = 0; i < 3; i++)
        if (s && strcmp((const char *)s, task_state_names[i]) == 0)
            return (tend_task_state)i;
    return TEND_TASK_CANCELLED; /* unreadable: treat as gone rather than claimable */
}

static tend_claim_state claim_state_from(const unsigned char *s)
{
    for (int i = 0; i < 5; i++)
        if (s && strcmp((const char *)s, claim_state_names[i]) == 0)
            return (tend_claim_state)i;
    return TEND_CLAIM_RELEASED;
}

void store_read_task(sqlite3_stmt *st, void *out)
{
    tend_task *t = out;
    memset(t, 0, sizeof *t);
    t->id = sqlite3_column_int64(st, 0);
    t->group_id = sqlite3_column_int64(st, 1);
    t->number = sqlite3_column_int(st, 2);
    store_copy_text(st, 3, t->title, sizeof t->title);
    store_copy_text(st, 4, t->when_text, sizeof t->when_text);
    t->due_at = sqlite3_column_int64(st, 5);
    t->slots = sqlite3_column_int(st, 6);
    t->weight = sqlite3_column_int(st, 7);
    store_copy_text(st, 8, t->repeat, sizeof t->repeat);
    t->state = task_state_from(sqlite3_column_text(st, 9));
    t->created_by = sqlite3_column_int64(st, 10);
    t->created_at = sqlite3_column_int64(st, 11);
    t->done_at = sqlite3_column_int64(st, 12);
    t->active = sqlite3_column_int(st, 13);
    t->waiting = sqlite3_column_int(st, 14);
    store_copy_text(st, 15, t->note, sizeof t->note);
    t->all_day = sqlite3_column_int(st, 16) != 0;
    t->starts_at = sqlite3_column_int64(st, 17);
    t->over_at = sqlite3_column_int64(st, 18);
    t->followup_at = sqlite3_column_int64(st, 19);
}

static void read_claim(sqlite3_stmt *st, void *out)
{
    tend_claim *c = out;
    memset(c, 0, sizeof *c);
    c->id = sqlite3_column_int64(st, 0);
    c->task_id = sqlite3_column_int64(st, 1);
    c->member_id = sqlite3_column_int64(st, 2);
    c->state = claim_state_from(sqlite3_column_text(st, 3));
    c->created_at = sqlite3_column_int64(st, 4);
    c->updated_at = sqlite3_column_int64(st, 5);
    c->done_at = sqlite3_column_int64(st, 6);
    c->reminded_at = sqlite3_column_int64(st, 7);
    store_copy_text(st, 8, c->note, sizeof c->note);
    c->remind_at = sqlite3_column_int64(st, 9);
    c->followup_at = sqlite3_column_int64(st, 10);
}

typedef struct {
    int (*task_cb)(const tend_task *t, void *ud);
    int (*claim_cb)(const tend_claim *c, void *ud);
    void *ud;
} each_adapter;

static int each_task(const void *rec, void *ud)
{
    each_adapter *a = ud;
    return a->task_cb(rec, a->ud);
}

static int each_claim(const void *rec, void *ud)
{
    each_adapter *a = ud;
    return a->claim_cb(rec, a->ud);
}

static int collect_tasks(tend_store *store, sqlite3_stmt *st, int (*cb)(const tend_task *, void *),
                         void *ud)
{
    each_adapter a = {.task_cb = cb, .ud = ud};
    return store_each_row(store, st, sizeof(tend_task), store_read_task, each_task, &a);
}

static int collect_claims(tend_store *store, sqlite3_stmt *st, int (*cb)(const tend_claim *, void *),
                          void *ud)
{
    each_adapter a = {.claim_cb = cb, .ud = ud};
    return store_each_row(store, st, sizeof(tend_claim), read_claim, each_claim, &a);
}

/* SQLite reads a negative LIMIT as "no limit". */
static int sql_limit(int limit)
{
    return limit > 0 ? limit : -1;
}

/* ---------------------------------------------------------------- tasks */

static int next_task_number(tend_store *store, int64_t group_id, int *number)
{
    sqlite3_stmt *st = store_stmt(store, "SELECT next_task_number FROM groups WHERE id = ?1");
    if (!st)
        return TEND_STORE_ERROR;
    sqlite3_bind_int64(st, 1, group_id);
    int rc = sqlite3_step(st);
    int code = TEND_STORE_NOTFOUND;
    if (rc == SQLITE_ROW) {
        *number = sqlite3_column_int(st, 0);
        code = TEND_STORE_OK;
    } else if (rc != SQLITE_DONE) {
        code = store_fail(store, rc);
    }
    sqlite3_reset(st);
    if (code != TEND_STORE_OK)
        return code;
    st = store_stmt(store, "UPDATE groups SET next_task_number = ?2 + 1 WHERE id = ?1");
    if (!st)
        return TEND_STORE_ERROR;
    sqlite3_bind_int64(st, 1, group_id);
    sqlite3_bind_int(st, 2, *number);
    return store_exec_stmt(store, st);
}

int tend_store_task_add(tend_store *store, tend_task *t)
{
    int number = 0;
    int rc = next_task_number(store, t->group_id, &number);
    if (rc != TEND_STORE_OK)
        return rc;
    sqlite3_stmt *st = store_stmt(store, "INSERT INTO tasks (group_id, number, title, when_text, due_at,"
                                         " slots, weight, repeat_weekly, created_by, created_at, note, all_day,"
                                         " starts_at, over_at, followup_at, repeat_rule)"
                                         " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14,"
                                         " ?15, ?16)");
    if (!st)
        return TEND_STORE_ERROR;
    sqlite3_bind_int64(st, 1, t->group_id);
    sqlite3_bind_int(st, 2, number);
    sqlite3_bind_text(st, 3, t->title, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, t->when_text, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 5, t->due_at);
    sqlite3_bind_int(st, 6, t->slots > 0 ? t->slots : 1);
    sqlite3_bind_int(st, 7, t->weight > 0 ? t->weight : 1);
    sqlite3_bind_int(st, 8, t->repeat[0] ? 1 : 0); /* "it repeats": what migration 3's triggers watch */
    if (t->created_by > 0)
        sqlite3_bind_int64(st, 9, t->created_by);
    else
        sqlite3_bind_null(st, 9);
    sqlite3_bind_int64(st, 10, t->created_at);
    sqlite3_bind_text(st, 11, t->note, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 12, t->all_day ? 1 : 0);
    sqlite3_bind_int64(st, 13, t->starts_at);
    sqlite3_bind_int64(st, 14, t->over_at);
    sqlite3_bind_int64(st, 15, t->followup_at);
    sqlite3_bind_text(st, 16, t->repeat, -1, SQLITE_STATIC);
    rc = store_exec_stmt(store, st);
    if (rc != TEND_STORE_OK)
        return rc;
    t->id = sqlite3_last_insert_rowid(store_db(store));
    t->number = number;
    return TEND_STORE_OK;
}

int tend_store_task_update(tend_store *store, const tend_task *t)
{
    sqlite3_stmt *st = store_stmt(store, "UPDATE tasks SET title = ?2, note = ?3, when_text = ?4, due_at = ?5,"
                                         " all_day = ?6, starts_at = ?7, over_at = ?8, followup_at = ?9,"
                                         " slots = ?10, weight = ?11, repeat_rule = ?12, repeat_weekly = ?13"
                                         " WHERE id = ?1");
    if (!st)
        return TEND_STORE_ERROR;
    sqlite3_bind_int64(st, 1, t->id);
    sqlite3_bind_text(st, 2, t->title, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, t->note, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, t->when_text, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 5, t->due_at);
    sqlite3_bind_int(st, 6, t->all_day ? 1 : 0);
    sqlite3_bind_int64(st, 7, t->starts_at);
    sqlite3_bind_int64(st, 8, t->over_at);
    sqlite3_bind_int64(st, 9, t->followup_at);
    sqlite3_bind_int(st, 10, t->slots > 0 ? t->slots : 1);
    sqlite3_bind_int(st, 11, t->weight > 0 ? t->weight : 1);
    sqlite3_bind_text(st, 12, t->repeat, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 13, t->repeat[0] ? 1 : 0);
    int rc = store_exec_stmt(store, st);
    if (rc == TEND_STORE_OK && sqlite3_changes(store_db(store)) == 0)
        return TEND_STORE_NOTFOUND;
    return rc;
}

int tend_store_task_get(tend_store *store, int64_t group_id, int number, tend_task *out)
{
    sqlite3_stmt *st = store_stmt(store, "SELECT " STORE_TASK_COLUMNS " FROM tasks t"
                                         " WHERE t.group_id = ?1 AND t.number = ?2");
    if (!st)
        return TEND_STORE_ERROR;
    sqlite3_bind_int64(st, 1, group_id);
    sqlite3_bind_int(st, 2, number);
    return store_step_one(store, st, store_read_task, out);
}

int tend_store_task_by_id(tend_store *store, int64_t id, tend_task *out)
{
    sqlite3_stmt *st = store_stmt(store, "SELECT " STORE_TASK_COLUMNS " FROM tasks t WHERE t.id = ?1");
    if (!st)
        return TEND_STORE_ERROR;
    sqlite3_bind_int64(st, 1, id);
    return store_step_one(store, st, store_read_task, out);
}

/* "12" or "#12" -> 12; anything else -> 0. */
static int task_number_of(const char *ref)
{
    if (*ref == '#')
        ref++;
    if (!*ref || strlen(ref) > 9)
        return 0;
    int n = 0;
    for (const char *p = ref; *p; p++) {
        if (*p < '0' || *p > '9')
            return 0;
        n = n * 10 + (*p - '0');
    }
    return n;
}

int tend_store_task_find(tend_store *store, int64_t group_id, const char *ref, tend_task *out)
{
    if (!ref || !*ref)
        return TEND_STORE_NOTFOUND;
    int number = task_number_of(ref);
    if (number > 0)
        return tend_store_task_get(store, group_id, number, out);
    /* instr on lower() folds ASCII only; a title in another script still matches as typed */
    sqlite3_stmt *st = store_stmt(store, "SELECT " STORE_TASK_COLUMNS " FROM tasks t"
                                         " WHERE t.group_id = ?1 AND t.state = 'open'"
                                         " AND instr(lower(t.title), lower(?2)) > 0"
                                         " ORDER BY t.number LIMIT 2");
    if (!st)
        return TEND_STORE_ERROR;
    sqlite3_bind_int64(st, 1, group_id);
    sqlite3_bind_text(st, 2, ref, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    int code = TEND_STORE_NOTFOUND;
    if (rc == SQLITE_ROW) {
        store_read_task(st, out);
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW)
            code = TEND_STORE_EXISTS;
        else if (rc == SQLITE_DONE)
            code = TEND_STORE_OK;
        else
            code = store_fail(store, rc);
    } else if (rc != SQLITE_DONE) {
        code = store_fail(store, rc);
    }
    sqlite3_reset(st);
    return code;
}

int tend_store_tasks_matching(tend_store *store, int64_t group_id, const char *words, int limit,
                              int (*cb)(const tend_task *t, void *ud), void *ud)
{
    sqlite3_stmt *st = store_stmt(store, "SELECT " STORE_TASK_COLUMNS " FROM tasks t"
                                         " WHERE t.group_id = ?1 AND t.state = 'open'"
                                         " AND instr(lower(t.title), lower(?2)) > 0"
                                         " ORDER BY t.number LIMIT ?3");
    if (!st)
        return TEND_STORE_ERROR;
    sqlite3_bind_int64(st, 1, group_id);
    sqlite3_bind_text(st, 2, words ? words : "", -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 3, sql_limit(limit));
    return collect_tasks(store, st, cb, ud);
}

int tend_store_tasks_each(tend_store *store, int64_t group_id, tend_task_filter filter,
                          int64_t member_id, int offset, int limit,
                          int (*cb)(const tend_task *t, void *ud), void *ud)
{
    sqlite3_stmt *st;
    if (filter == TEND_TASKS_MINE) {
        /* from the member's few live claims, not the group's whole history: CROSS JOIN keeps
         * SQLite from starting at tasks (a million done tasks made /tasks mine 4.5x slower) */
        st = store_stmt(store, "SELECT " STORE_TASK_COLUMNS " FROM claims mine CROSS JOIN tasks t"
                               " ON t.id = mine.task_id WHERE mine.member_id = ?2"
                               " AND +mine.state IN ('active','waiting') AND t.group_id = ?1"
                               " GROUP BY t.id ORDER BY t.number LIMIT ?3 OFFSET ?4");
    } else if (filter == TEND_TASKS_ALL) {
        st = store_stmt(store, "SELECT " STORE_TASK_COLUMNS " FROM tasks t WHERE t.group_id = ?1"
                               " ORDER BY t.number DESC LIMIT ?3 OFFSET ?4");
    } else {
        st = store_stmt(store, "SELECT " STORE_TASK_COLUMNS " FROM tasks t WHERE t.group_id = ?1"
                               " AND t.state = 'open' ORDER BY t.number LIMIT ?3 OFFSET ?4");
    }
    if (!st)
        return TEND_STORE_ERROR;
    sqlite3_bind_int64(st, 1, group_id);
    sqlite3_bind_int64(st, 2, member_id);
    sqlite3_bind_int(st, 3, sql_limit(limit));
    sqlite3_bind_int(st, 4, offset > 0 ? offset : 0);
    return collect_tasks(store, st, cb, ud);
}

int tend_store_tasks_count(tend_store *store, int64_t group_id, tend_task_filter filter, int64_t member_id,
                           int *count)
{
    sqlite3_stmt *st;
    if (filter == TEND_TASKS_MINE)
        st = store_stmt(store, "SELECT count(DISTINCT t.id) FROM claims mine CROSS JOIN tasks t"
                               " ON t.id = mine.task_id WHERE mine.member_id = ?2"
                               " AND +mine.state IN ('active','waiting') AND t.group_id = ?1");
    else if (filter == TEND_TASKS_ALL)
        st = store_stmt(store, "SELECT count(*) FROM tasks t WHERE t.group_id = ?1 AND ?2 = ?2");
    else
        st = store_stmt(store, "SELECT count(*) FROM tasks t WHERE t.group_id = ?1 AND t.state = 'open'"
                               " AND ?2 = ?2");
    if (!st)
        return TEND_STORE_ERROR;
    sqlite3_bind_int64(st, 1, group_id);
    sqlite3_bind_int64(st, 2, member_id);
    int rc = sqlite3_step(st);
    *count = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
    int code = rc == SQLITE_ROW ? TEND_STORE_OK : store_fail(store, rc);
    sqlite3_reset(st);
    return code;
}

int tend_store_tasks_needing_hands(tend_store *store, int64_t group_id, int64_t now, int limit,
                                   int (*cb)(const tend_task *t, void *ud), void *ud)
{
    sqlite3_stmt *st = store_stmt(store, "SELECT " STORE_TASK_COLUMNS " FROM tasks t WHERE t.group_id = ?1"
                                         " AND t.state = 'open' AND (t.over_at = 0 OR t.over_at > ?3)"
                                         " AND t.slots > (SELECT count(*)"
                                         " FROM claims c WHERE c.task_id = t.id AND c.state = 'active')"
                                         " ORDER BY t.number LIMIT ?2");
    if (!st)
        return TEND_STORE_ERROR;
    sqlite3_bind_int64(st, 1, group_id);
    sqlite3_bind_int(st, 2, sql_limit(limit));
    sqlite3_bind_int64(st, 3, now);
    return collect_tasks(store, st, cb, ud);
}

int tend_store_tasks_done_between(tend_store *store, int64_t group_id, int64_t since, int64_t until,
                                  int (*cb)(const tend_task *t, void *ud), void *ud)
{
    sqlite3_stmt *st = store_stmt(store, "SELECT " STORE_TASK_COLUMNS " FROM tasks t WHERE t.group_id = ?1"
                                         " AND t.state = 'done' AND t.done_at >= ?2 AND t.done_at < ?3"
                                         " ORDER BY t.done_at, t.number");
    if (!st)
        return TEND_STORE_ERROR;
    sqlite3_bind_int64(st, 1, group_id);
    sqlite3_bind_int64(st, 2, since);
    sqlite3_bind_int64(st, 3, until);
    return collect_tasks(store, st, cb, ud);
}

int tend_store_task_set_state(tend_store *store, int64_t task_id, tend_task_state state, int64_t now)
{
    if ((int)state < 0 || (int)state > 2)
        return TEND_STORE_ERROR;
    sqlite3_stmt *st = store_stmt(store, "UPDATE tasks SET state = ?2,"
                                         " done_at = CASE WHEN ?2 = 'done' THEN ?3 ELSE 0 END"
                                         " WHERE id = ?1");
    if (!st)
        return TEND_STORE_ERROR;
    sqlite3_bind_int64(st, 1, task_id);
    sqlite3_bind_text(st, 2, task_state_names[state], -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, now);
    int rc = store_exec_stmt(store, st);
    if (rc == TEND_STORE_OK && sqlite3_changes(store_db(store)) == 0)
        return TEND_STORE_NOTFOUND;
    return rc;
}

/* ---------------------------------------------------------------- claims */

int tend_store_claim_current(tend_store *store, int64_t task_id, int64_t member_id, tend_claim *out)
{
    /* the newest by max(id), the state compared in place (+state): no temporary b-tree for the
     * IN list or the ORDER BY, two of them on every run before (issue 17) */
    sqlite3_stmt *st = store_stmt(store, "SELECT " CLAIM_COLUMNS " FROM claims WHERE id ="
                                         " (SELECT max(id) FROM claims WHERE task_id = ?1"
                                         " AND member_id = ?2 AND +state IN ('active','waiting'))");
    if (!st)
        return TEND_STORE_ERROR;
    sqlite3_bind_int64(st, 1, task_id);
    sqlite3_bind_int64(st, 2, member_id);
    return store_step_one(store, st, read_claim, out);
}

static int claim_by_id(tend_store *store, int64_t id, tend_claim *out)
{
    sqlite3_stmt *st = store_stmt(store, "SELECT " CLAIM_COLUMNS " FROM claims WHERE id = ?1");
    if (!st)
        return TEND_STORE_ERROR;
    sqlite3_bind_int64(st, 1, id);
    return store_step_one(store, st, read_claim, out);
}

int tend_store_claim_add(tend_store *store, int64_t task_id, int64_t member_id, tend_claim_state state,
                         int64_t now, tend_claim *out)
{
    if ((int)state < 0 || (int)state > 4)
        return TEND_STORE_ERROR;
    sqlite3_stmt *st = store_stmt(store, "INSERT INTO claims (task_id, member_id, state, created_at,"
                                         " updated_at, done_at) VALUES (?1, ?2, ?3, ?4, ?4,"
                                         " CASE WHEN ?3 = 'done' THEN ?4 ELSE 0 END)");
    if (!st)
        return TEND_STORE_ERROR;
    sqlite3_bind_int64(st, 1, task_id);
    sqlite3_bind_int64(st, 2, member_id);
    sqlite3_bind_text(st, 3, claim_state_names[state], -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, now);
    int rc = store_exec_stmt(store, st);
    if (rc != TEND_STORE_OK)
        return rc;
    int64_t id = sqlite3_last_insert_rowid(store_db(store));
    if (!out)
        return TEND_STORE_OK;
    return claim_by_id(store, id, out);
}

int tend_store_claim_set_state(tend_store *store, int64_t claim_id, tend_claim_state state,
                               const char *note, int64_t now)
{
    if ((int)state < 0 || (int)state > 4)
        return TEND_STORE_ERROR;
    sqlite3_stmt *st = store_stmt(store, "UPDATE claims SET state = ?2, updated_at = ?3,"
                                         " done_at = CASE WHEN ?2 = 'done' THEN ?3 ELSE done_at END,"
                                         " note = COALESCE(?4, note) WHERE id = ?1");
    if (!st)
        return TEND_STORE_ERROR;
    sqlite3_bind_int64(st, 1, claim_id);
    sqlite3_bind_text(st, 2, claim_state_names[state], -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, now);
    if (note)
        sqlite3_bind_text(st, 4, note, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, 4);
    int rc = store_exec_stmt(store, st);
    if (rc == TEND_STORE_OK && sqlite3_changes(store_db(store)) == 0)
        return TEND_STORE_NOTFOUND;
    return rc;
}

int tend_store_claim_touch(tend_store *store, int64_t claim_id, int64_t now)
{
    sqlite3_stmt *st = store_stmt(store, "UPDATE claims SET updated_at = ?2, reminded_at = 0 WHERE id = ?1");
    if (!st)
        return TEND_STORE_ERROR;
    sqlite3_bind_int64(st, 1, claim_id);
    sqlite3_bind_int64(st, 2, now);
    return store_exec_stmt(store, st);
}

int tend_store_claim_mark_reminded(tend_store *store, int64_t claim_id, int64_t now)
{
    sqlite3_stmt *st = store_stmt(store, "UPDATE claims SET reminded_at = ?2 WHERE id = ?1");
    if (!st)
        return TEND_STORE_ERROR;
    sqlite3_bind_int64(st, 1, claim_id);
    sqlite3_bind_int64(st, 2, now);
    return store_exec_stmt(store, st);
}

int tend_store_claim_first_waiting(tend_store *store, int64_t task_id, tend_claim *out)
{
    sqlite3_stmt *st = store_stmt(store, "SELECT " CLAIM_COLUMNS " FROM claims WHERE task_id = ?1"
                                         " AND state = 'waiting' ORDER BY id LIMIT 1");
    if (!st)
        return TEND_STORE_ERROR;
    sqlite3_bind_int64(st, 1, task_id);
    return store_step_one(store, st, read_claim, out);
}

int tend_store_claims_release_waiting(tend_store *store, int64_t task_id, int64_t now)
{
    sqlite3_stmt *st = store_stmt(store, "UPDATE claims SET state = 'released', updated_at = ?2"
                                         " WHERE task_id = ?1 AND state = 'waiting'");
    if (!st)
        return TEND_STORE_ERROR;
    sqlite3_bind_int64(st, 1, task_id);
    sqlite3_bind_int64(st, 2, now);
    return store_exec_stmt(store, st);
}

int tend_store_claims_of_member(tend_store *store, int64_t member_id,
                                int (*cb)(const tend_claim *c, void *ud), void *ud)
{
    sqlite3_stmt *st = store_stmt(store, "SELECT " CLAIM_COLUMNS " FROM claims WHERE member_id = ?1"
                                         " AND state IN ('active','waiting') ORDER BY id");
    if (!st)
        return TEND_STORE_ERROR;
    sqlite3_bind_int64(st, 1, member_id);
    return collect_claims(store, st, cb, ud);
}

int tend_store_claims_live_of_task(tend_store *store, int64_t task_id,
                                   int (*cb)(const tend_claim *c, void *ud), void *ud)
{
    sqlite3_stmt *st = store_stmt(store, "SELECT " CLAIM_COLUMNS " FROM claims WHERE task_id = ?1"
                                         " AND state IN ('active','waiting') ORDER BY id");
    if (!st)
        return TEND_STORE_ERROR;
    sqlite3_bind_int64(st, 1, task_id);
    return collect_claims(store, st, cb, ud);
}

int tend_store_claims_release_all(tend_store *store, int64_t task_id, int64_t now)
{
    sqlite3_stmt *st = store_stmt(store, "UPDATE claims SET state = 'released', updated_at = ?2"
                                         " WHERE task_id = ?1 AND state IN ('active','waiting')");
    if (!st)
        return TEND_STORE_ERROR;
    sqlite3_bind_int64(st, 1, task_id);
    sqlite3_bind_int64(st, 2, now);
    return store_exec_stmt(store, st);
}

int tend_store_claims_of_task(tend_store *store, int64_t task_id,
                              int (*cb)(const tend_claim *c, void *ud), void *ud)
{
    sqlite3_stmt *st = store_stmt(store, "SELECT " CLAIM_COLUMNS " FROM claims WHERE task_id = ?1"
                                         " AND state = 'active' ORDER BY id");
    if (!st)
        return TEND_STORE_ERROR;
    sqlite3_bind_int64(st, 1, task_id);
    return collect_claims(store, st, cb, ud);
}

int tend_store_claims_untouched(tend_store *store, int64_t group_id, int64_t before,
                                int (*cb)(const tend_claim *c, void *ud), void *ud)
{
    /* CROSS JOIN keeps the group's open tasks as the outer loop: left to itself the planner walks
     * every group's active claims through claims_done, once per group (README, "Benchmarks") */
    sqlite3_stmt *st = store_stmt(store, "SELECT c.id, c.task_id, c.member_id, c.state, c.created_at,"
                                         " c.updated_at, c.done_at, c.reminded_at, c.note, c.remind_at,"
                                         " c.followup_at"
                                         " FROM tasks t CROSS JOIN claims c ON t.id = c.task_id"
                                         " WHERE t.group_id = ?1 AND t.state = 'open'"
                                         " AND c.state = 'active' AND c.updated_at < ?2"
                                         " AND c.reminded_at = 0 ORDER BY c.id");
    if (!st)
        return TEND_STORE_ERROR;
    sqlite3_bind_int64(st, 1, group_id);
    sqlite3_bind_int64(st, 2, before);
    return collect_claims(store, st, cb, ud);
}

/* ---------------------------------------------------------------- load */

int tend_store_member_load(tend_store *store, int64_t member_id, int64_t since, int *open_weight,
                           int *done_weight)
{
    sqlite3_stmt *st = store_stmt(store,
                                  "SELECT COALESCE(SUM(CASE WHEN c.state = 'active' AND t.state = 'open'"
                                  " THEN t.weight END), 0),"
                                  " COALESCE(SUM(CASE WHEN c.state = 'done' AND c.done_at >= ?2"
                                  " THEN t.weight END), 0)"
                                  " FROM claims c JOIN tasks t ON t.id = c.task_id"
                                  " WHERE c.member_id = ?1 AND +c.state IN ('active','done')");
    if (!st)
        return TEND_STORE_ERROR;
    sqlite3_bind_int64(st, 1, member_id);
    sqlite3_bind_int64(st, 2, since);
    int rc = sqlite3_step(st);
    int code = TEND_STORE_OK;
    if (rc == SQLITE_ROW) {
        *open_weight = sqlite3_column_int(st, 0);
        *done_weight = sqlite3_column_int(st, 1);
    } else {
        code = store_fail(store, rc);
    }
    sqlite3_reset(st);
    return code;
}

typedef struct {
    int64_t member_id;
    int weight;
} member_weight;

typedef struct {
    int (*cb)(int64_t member_id, int weight, void *ud);
    void *ud;
} member_weight_adapter;

static void read_member_weight(sqlite3_stmt *st, void *out)
{
    member_weight *w = out;
    w->member_id = sqlite3_column_int64(st, 0);
    w->weight = sqlite3_column_int(st, 1);
}

static int each_member_weight(const void *rec, void *ud)
{
    const member_weight *w = rec;
    member_weight_adapter *a = ud;
    return a->cb(w->member_id, w->weight, a->ud);
}

int tend_store_done_weight_by_member(tend_store *store, int64_t group_id, int64_t since,
                                     int (*cb)(int64_t member_id, int weight, void *ud), void *ud)
{
    sqlite3_stmt *st = store_stmt(store, "SELECT c.member_id, SUM(t.weight) AS w"
                                         " FROM claims c JOIN tasks t ON t.id = c.task_id"
                                         " WHERE t.group_id = ?1 AND c.state = 'done'"
                                         " AND c.done_at >= ?2 GROUP BY c.member_id"
                                         " ORDER BY w DESC, c.member_id");
    if (!st)
        return TEND_STORE_ERROR;
    sqlite3_bind_int64(st, 1, group_id);
    sqlite3_bind_int64(st, 2, since);
    member_weight_adapter a = {cb, ud};
    return store_each_row(store, st, sizeof(member_weight), read_member_weight, each_member_weight, &a);
}

/* ---------------------------------------------------------------- handoffs */

static void read_handoff(sqlite3_stmt *st, void *out)
{
    tend_handoff *h = out;
    memset(h, 0, sizeof *h);
    h->id = sqlite3_column_int64(st, 0);
    h->task_id = sqlite3_column_int64(st, 1);
    h->from_member = sqlite3_column_int64(st, 2);
    h->to_member = sqlite3_column_int64(st, 3);
    h->created_at = sqlite3_column_int64(st, 4);
}

int tend_store_handoff_offer(tend_store *store, tend_handoff *h)
{
    sqlite3_stmt *st = store_stmt(store, "UPDATE handoffs SET state = 'withdrawn' WHERE task_id = ?1"
                                         " AND to_member = ?2 AND state = 'offered'");
    if (!st)
        return TEND_STORE_ERROR;
    sqlite3_bind_int64(st, 1, h->task_id);
    sqlite3_bind_int64(st, 2, h->to_member);
    int rc = store_exec_stmt(store, st);
    if (rc != TEND_STORE_OK)
        return rc;
    st = store_stmt(store, "INSERT INTO handoffs (task_id, from_member, to_member, created_at)"
                           " VALUES (?1, ?2, ?3, ?4)");
    if (!st)
        return TEND_STORE_ERROR;
    sqlite3_bind_int64(st, 1, h->task_id);
    sqlite3_bind_int64(st, 2, h->from_member);
    sqlite3_bind_int64(st, 3, h->to_member);
    sqlite3_bind_int64(st, 4, h->created_at);
    rc = store_exec_stmt(store, st);
    if (rc == TEND_STORE_OK)
        h->id = sqlite3_last_insert_rowid(store_db(store));
    return rc;
}

int tend_store_handoff_pending(tend_store *store, int64_t task_id, int64_t to_member, tend_handoff *out)
{
    sqlite3_stmt *st = store_stmt(store, "SELECT id, task_id, from_member, to_member, created_at"
                                         " FROM handoffs WHERE task_id = ?1 AND to_member = ?2"
                                         " AND state = 'offered' ORDER BY id DESC LIMIT 1");
    if (!st)
        return TEND_STORE_ERROR;
    sqlite3_bind_int64(st, 1, task_id);
    sqlite3_bind_int64(st, 2, to_member);
    return store_step_one(store, st, read_handoff, out);
}

int tend_store_handoff_close(tend_store *store, int64_t handoff_id, const char *how)
{
    if (!how || (strcmp(how, "accepted") != 0 && strcmp(how, "declined") != 0 &&
                 strcmp(how, "withdrawn") != 0))
        return TEND_STORE_ERROR;
    sqlite3_stmt *st = store_stmt(store, "UPDATE handoffs SET state = ?2 WHERE id = ?1");
    if (!st)
        return TEND_STORE_ERROR;
    sqlite3_bind_int64(st, 1, handoff_id);
    sqlite3_bind_text(st, 2, how, -1, SQLITE_STATIC);
    int rc = store_exec_stmt(store, st);
    if (rc == TEND_STORE_OK && sqlite3_changes(store_db(store)) == 0)
        return TEND_STORE_NOTFOUND;
    return rc;
}

int tend_store_claim_waitlist_position(tend_store *store, const tend_claim *c, int *position)
{
    sqlite3_stmt *st = store_stmt(store, "SELECT count(*) FROM claims WHERE task_id = ?1"
                                         " AND state = 'waiting' AND id <= ?2");
    if (!st)
        return TEND_STORE_ERROR;
    sqlite3_bind_int64(st, 1, c->task_id);
    sqlite3_bind_int64(st, 2, c->id);
    int rc = sqlite3_step(st);
    int code = TEND_STORE_OK;
    if (rc == SQLITE_ROW)
        *position = sqlite3_column_int(st, 0);
    else
        code = store_fail(store, rc);
    sqlite3_reset(st);
    return code;
}

int tend_store_tasks_open_count(tend_store *store, int64_t group_id, int *count)
{
    sqlite3_stmt *st = store_stmt(store, "SELECT COUNT(*) FROM tasks WHERE group_id = ?1 AND state = 'open'");
    if (!st)
        return TEND_STORE_ERROR;
    sqlite3_bind_int64(st, 1, group_id);
    int rc = sqlite3_step(st);
    *count = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
    int code = rc == SQLITE_ROW ? TEND_STORE_OK : store_fail(store, rc);
    sqlite3_reset(st);
    return code;
}
