/*
 * task_titles.c — the open tasks' numbers and titles, for autocomplete: what a member is offered
 * while typing needs neither the claim counts (two subqueries a task) nor the other columns
 * tend_store_tasks_each reads, and autocomplete asks for them on every key a member types.
 */
#include "store/sqlite/internal.h"

#include <string.h>

static void read_title(sqlite3_stmt *st, void *out)
{
    tend_task *t = out;
    memset(t, 0, sizeof *t);
    t->id = sqlite3_column_int64(st, 0);
    t->group_id = sqlite3_column_int64(st, 1);
    t->number = sqlite3_column_int(st, 2);
    store_copy_text(st, 3, t->title, sizeof t->title);
    t->state = TEND_TASK_OPEN; /* both queries ask for open tasks only */
}

typedef struct {
    int (*cb)(const tend_task *t, void *ud);
    void *ud;
} titles_walk;

static int each_title(const void *record, void *ud)
{
    titles_walk *w = ud;
    return w->cb(record, w->ud);
}

int tend_store_task_titles_each(tend_store *store, int64_t group_id, tend_task_filter filter, int64_t member_id,
                                int (*cb)(const tend_task *t, void *ud), void *ud)
{
    sqlite3_stmt *st;
    /* from the member's few live claims, as tend_store_tasks_each does; +mine.state: the two
     * states are compared in place, not made a temporary b-tree to look up in the index */
    if (filter == TEND_TASKS_MINE)
        st = store_stmt(store, "SELECT t.id, t.group_id, t.number, t.title FROM claims mine CROSS JOIN tasks t"
                               " ON t.id = mine.task_id WHERE mine.member_id = ?2"
                               " AND +mine.state IN ('active','waiting') AND t.group_id = ?1 AND t.state = 'open'"
                               " GROUP BY t.id ORDER BY t.number");
    else
        st = store_stmt(store, "SELECT t.id, t.group_id, t.number, t.title FROM tasks t WHERE t.group_id = ?1"
                               " AND t.state = 'open' ORDER BY t.number");
    if (!st)
        return TEND_STORE_ERROR;
    sqlite3_bind_int64(st, 1, group_id);
    if (filter == TEND_TASKS_MINE)
        sqlite3_bind_int64(st, 2, member_id);
    titles_walk w = {cb, ud};
    return store_each_row(store, st, sizeof(tend_task), read_title, each_title, &w);
}
