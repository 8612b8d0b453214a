/*
 * writes.c — which tables a piece of work wrote, for the one question the app asks after a
 * command: could a scheduled time have moved?
 *
 * Every due time the scheduler looks at is kept in a table of its own by the schema's triggers
 * (schedule_due, nudge_checks, claims' alert times, ...): a member's capacity, quiet hours or
 * zone changing writes nudge_checks, a reminder setting writes claims. So a command that wrote
 * only the bookkeeping of events and answers (seen_events, outbox) and members' own rows moved no
 * scheduled time, whatever the member row's new values. A change SQLite's update hook does not
 * report (a truncating DELETE, a row a REPLACE removed) makes the counts disagree, and counts as
 * a change that matters; seen_events, a table the hook never reports, counts its own rows.
 */
#include "store/sqlite/internal.h"

#include <string.h>

static void on_update(void *ud, int op, const char *db, const char *table, sqlite3_int64 rowid)
{
    (void)op;
    (void)db;
    (void)rowid;
    tend_store *store = ud;
    store->rows_hooked++;
    if (strcmp(table, "groups") == 0)
        store->groups_written++;
    else if (strcmp(table, "members") == 0)
        store->members_written++; /* memo.c: a member row served again must not be one of these */
    if (strcmp(table, "seen_events") == 0 || strcmp(table, "outbox") == 0 || strcmp(table, "members") == 0)
        store->rows_unscheduled++;
}

/* SQLite's update hook does not report a table WITHOUT ROWID (seen_events, migration 14): its
 * writer says how many rows it changed instead. PostgreSQL has no hook, and every write counts. */
void store_unhooked_rows(tend_store *store, long long rows)
{
    if (store->postgres)
        return;
    store->rows_hooked += rows;
    store->rows_unscheduled += rows;
}

void store_watch_writes(tend_store *store)
{
    sqlite3_update_hook(store->db, on_update, store);
}

void tend_store_mark_writes(tend_store *store, tend_store_mark *mark)
{
    mark->total = sqlite3_total_changes(store->db);
    mark->hooked = store->rows_hooked;
    mark->unscheduled = store->rows_unscheduled;
}

bool tend_store_schedule_touched(tend_store *store, const tend_store_mark *mark)
{
    long long total = sqlite3_total_changes(store->db) - mark->total;
    long long hooked = store->rows_hooked - mark->hooked;
    long long unscheduled = store->rows_unscheduled - mark->unscheduled;
    if (total == 0)
        return false;
    return !(hooked == total && unscheduled == hooked); /* PostgreSQL has no hook: every write counts */
}
