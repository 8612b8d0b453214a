/*
 * memo.c — the last group and member row read, served again while nothing can have changed them.
 *
 * A command reads its group and member rows up to three times (its language before the
 * transaction, the transaction's own load, the welcome or the scheduler's look after it; the
 * member by key or by id). A row read inside a transaction is served from here while all of these
 * hold:
 *   - still inside a transaction, and not a new one: every BEGIN, COMMIT and ROLLBACK (a savepoint's
 *     too) forgets it, so what another connection committed in between is read again;
 *   - no row of its table (groups, members) written on this connection since it was read, as
 *     SQLite's update hook reports them (writes.c), a trigger's writes included: a command that
 *     wrote a check-in, its event and its answer still has its member row;
 *   - no change the hook does not report since then (sqlite3_total_changes beyond the rows the
 *     hook and seen_events' writer counted: a row a REPLACE removed, a truncating DELETE): of
 *     those nobody can say which table they were in, so they count as a change to both.
 * A group commit's savepoints begin and release inside one transaction, so a row read before a
 * command's savepoint is still served inside it.
 * Only SQLite's: its transaction reads one snapshot, so a second read could not see anything newer
 * anyway. PostgreSQL (read committed) shows each statement what others committed meanwhile; the
 * memo would change that, so a PostgreSQL store reads every time, as before.
 */
#include "store/sqlite/internal.h"

#include <string.h>

void store_memo_forget(tend_store *store)
{
    store->memo.have_group = store->memo.have_member = false;
}

static long long unseen_changes(tend_store *store)
{
    return (long long)sqlite3_total_changes(store->db) - store->rows_hooked;
}

static bool fresh(tend_store *store, long long table_writes, long long written_now, long long unseen)
{
    return !sqlite3_get_autocommit(store->db) && written_now == table_writes && unseen_changes(store) == unseen;
}

static bool group_fresh(tend_store *store)
{
    const store_memo *m = &store->memo;
    return m->have_group && fresh(store, m->group_writes, store->groups_written, m->group_unseen);
}

static bool member_fresh(tend_store *store)
{
    const store_memo *m = &store->memo;
    return m->have_member && fresh(store, m->member_writes, store->members_written, m->member_unseen);
}

bool store_memo_group(tend_store *store, const char *key, tend_group *out)
{
    store_memo *m = &store->memo;
    if (!group_fresh(store) || strcmp(m->group.key, key) != 0)
        return false;
    *out = m->group;
    return true;
}

bool store_memo_group_by_id(tend_store *store, int64_t id, tend_group *out)
{
    store_memo *m = &store->memo;
    if (!group_fresh(store) || m->group.id != id)
        return false;
    *out = m->group;
    return true;
}

void store_memo_keep_group(tend_store *store, const tend_group *g)
{
    store_memo *m = &store->memo;
    m->have_group = !store->postgres && !sqlite3_get_autocommit(store->db);
    if (!m->have_group)
        return;
    m->group = *g;
    m->group_writes = store->groups_written;
    m->group_unseen = unseen_changes(store);
}

bool store_memo_member(tend_store *store, int64_t group_id, const char *key, tend_member *out)
{
    store_memo *m = &store->memo;
    if (!member_fresh(store) || m->member.group_id != group_id || strcmp(m->member.key, key) != 0)
        return false;
    *out = m->member;
    return true;
}

bool store_memo_member_by_id(tend_store *store, int64_t id, tend_member *out)
{
    store_memo *m = &store->memo;
    if (!member_fresh(store) || m->member.id != id)
        return false;
    *out = m->member;
    return true;
}

void store_memo_keep_member(tend_store *store, const tend_member *mem)
{
    store_memo *m = &store->memo;
    m->have_member = !store->postgres && !sqlite3_get_autocommit(store->db);
    if (!m->have_member)
        return;
    m->member = *mem;
    m->member_writes = store->members_written;
    m->member_unseen = unseen_changes(store);
}
