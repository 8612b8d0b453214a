/* test_store_memo.c — store/sqlite/memo.c: a group or member row served again from memory is never
 * one that changed since it was read (a write to its table, a trigger's too, a change SQLite does not
 * report, a rollback, another connection's commit); a write elsewhere does not make it read again. */
#include "testkit.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/sqlite/internal.h"

#define T0 TESTKIT_START

typedef struct {
    tend_store *store;
    tend_group group;
    tend_member ana;
} fixture;

static void fixture_open(fixture *f)
{
    memset(f, 0, sizeof *f);
    testkit_store_open(&f->store);
    assert_int_equal(tend_store_group_ensure(f->store, "console:g", "c", T0, &f->group), TEND_STORE_OK);
    assert_int_equal(tend_store_member_ensure(f->store, f->group.id, "ana", "Ana", T0, &f->ana), TEND_STORE_OK);
}

static void name_is(tend_store *store, int64_t group_id, const char *want)
{
    tend_member m;
    assert_int_equal(tend_store_member_get(store, group_id, "ana", &m), TEND_STORE_OK);
    assert_string_equal(m.name, want);
}

/* Inside one transaction: the row is served again, until anything writes. */
static void a_write_in_the_transaction_is_read_back(void **state)
{
    (void)state;
    fixture f;
    fixture_open(&f);
    assert_int_equal(tend_store_begin(f.store), TEND_STORE_OK);
    name_is(f.store, f.group.id, "Ana");
    tend_member m = f.ana;
    snprintf(m.name, sizeof m.name, "Ana B");
    assert_int_equal(tend_store_member_save(f.store, &m), TEND_STORE_OK);
    name_is(f.store, f.group.id, "Ana B");

    /* a write the memo knows nothing about: another statement, a trigger's table */
    assert_int_equal(sqlite3_exec(store_db(f.store), "UPDATE members SET name = 'Ana C' WHERE key = 'ana'", NULL,
                                  NULL, NULL),
                     SQLITE_OK);
    name_is(f.store, f.group.id, "Ana C");
    tend_member by_id;
    assert_int_equal(tend_store_member_by_id(f.store, f.ana.id, &by_id), TEND_STORE_OK); /* served */
    assert_string_equal(by_id.name, "Ana C");
    m = by_id;
    m.capacity = 7;
    assert_int_equal(tend_store_member_save(f.store, &m), TEND_STORE_OK);
    assert_int_equal(tend_store_member_by_id(f.store, f.ana.id, &by_id), TEND_STORE_OK);
    assert_int_equal(by_id.capacity, 7);

    tend_group g;
    assert_int_equal(tend_store_group_get(f.store, "console:g", &g), TEND_STORE_OK);
    snprintf(g.timezone, sizeof g.timezone, "Europe/Lisbon");
    assert_int_equal(tend_store_group_save(f.store, &g), TEND_STORE_OK);
    assert_int_equal(tend_store_group_get(f.store, "console:g", &g), TEND_STORE_OK);
    assert_string_equal(g.timezone, "Europe/Lisbon");
    assert_int_equal(tend_store_commit(f.store), TEND_STORE_OK);

    /* another key is another row */
    tend_member bea;
    assert_int_equal(tend_store_begin(f.store), TEND_STORE_OK);
    name_is(f.store, f.group.id, "Ana C");
    assert_int_equal(tend_store_member_get(f.store, f.group.id, "bea", &bea), TEND_STORE_NOTFOUND);
    assert_int_equal(tend_store_commit(f.store), TEND_STORE_OK);
    tend_store_close(f.store);
}

/* A row read after a write that a rollback then undid is not served: the rollback undid it. */
static void a_rolled_back_write_is_not_served(void **state)
{
    (void)state;
    fixture f;
    fixture_open(&f);
    assert_int_equal(tend_store_batch_begin(f.store), TEND_STORE_OK);
    assert_int_equal(tend_store_begin(f.store), TEND_STORE_OK); /* a command's savepoint in the group */
    tend_member m = f.ana;
    snprintf(m.name, sizeof m.name, "Undone");
    assert_int_equal(tend_store_member_save(f.store, &m), TEND_STORE_OK);
    name_is(f.store, f.group.id, "Undone"); /* read, and remembered, after the write */
    assert_int_equal(tend_store_rollback(f.store), TEND_STORE_OK);
    assert_int_equal(tend_store_begin(f.store), TEND_STORE_OK);
    name_is(f.store, f.group.id, "Ana");
    assert_int_equal(tend_store_commit(f.store), TEND_STORE_OK);
    assert_int_equal(tend_store_batch_commit(f.store), TEND_STORE_OK);

    /* the same for a transaction of its own */
    assert_int_equal(tend_store_begin(f.store), TEND_STORE_OK);
    assert_int_equal(tend_store_member_save(f.store, &m), TEND_STORE_OK);
    name_is(f.store, f.group.id, "Undone");
    assert_int_equal(tend_store_rollback(f.store), TEND_STORE_OK);
    assert_int_equal(tend_store_begin(f.store), TEND_STORE_OK);
    name_is(f.store, f.group.id, "Ana");
    assert_int_equal(tend_store_commit(f.store), TEND_STORE_OK);
    tend_store_close(f.store);
}

typedef struct {
    int members, groups; /* SELECTs run on each table */
} row_reads;

static int count_row_reads(unsigned type, void *ctx, void *stmt, void *sql)
{
    (void)type;
    (void)stmt;
    row_reads *r = ctx;
    if (strncmp(sql, "SELECT", 6) == 0 && strstr(sql, "FROM members"))
        r->members++;
    if (strncmp(sql, "SELECT", 6) == 0 && strstr(sql, "FROM groups"))
        r->groups++;
    return 0;
}

static void exec_ok(tend_store *store, const char *sql)
{
    assert_int_equal(sqlite3_exec(store_db(store), sql, NULL, NULL, NULL), SQLITE_OK);
}

/* What a command writes besides the member's row (a check-in, its event, its answer) leaves the
 * row served: the command reads it once, not again after its write. A trigger that writes the
 * member's row on the way is read back; a change SQLite's hook does not report (a truncating
 * DELETE) could have been anywhere, so the row is read again. */
static void a_write_elsewhere_keeps_the_row_and_a_triggers_write_is_read(void **state)
{
    (void)state;
    fixture f;
    fixture_open(&f);
    exec_ok(f.store, "CREATE TEMP TABLE scratch (a); INSERT INTO scratch VALUES (1), (2)");
    row_reads reads = {0, 0};
    sqlite3_trace_v2(store_db(f.store), SQLITE_TRACE_STMT, count_row_reads, &reads);
    assert_int_equal(tend_store_batch_begin(f.store), TEND_STORE_OK);
    name_is(f.store, f.group.id, "Ana");
    tend_group g;
    assert_int_equal(tend_store_group_by_id(f.store, f.group.id, &g), TEND_STORE_OK);
    assert_int_equal(reads.members, 1);
    assert_int_equal(reads.groups, 1);
    char sql[200];
    snprintf(sql, sizeof sql, "INSERT INTO checkins (member_id, energy, created_at) VALUES (%lld, 'ok', 1)",
             (long long)f.ana.id);
    exec_ok(f.store, sql);
    name_is(f.store, f.group.id, "Ana");
    tend_member by_id;
    assert_int_equal(tend_store_member_by_id(f.store, f.ana.id, &by_id), TEND_STORE_OK);
    assert_int_equal(tend_store_group_by_id(f.store, f.group.id, &g), TEND_STORE_OK);
    assert_int_equal(tend_store_group_get(f.store, "console:g", &g), TEND_STORE_OK);
    assert_int_equal(reads.members, 1); /* all served after the check-in's write */
    assert_int_equal(reads.groups, 1);
    exec_ok(f.store, "UPDATE groups SET timezone = 'Europe/Rome'");
    assert_int_equal(tend_store_group_by_id(f.store, f.group.id, &g), TEND_STORE_OK);
    assert_string_equal(g.timezone, "Europe/Rome");
    assert_int_equal(reads.groups, 2);
    name_is(f.store, f.group.id, "Ana");
    assert_int_equal(reads.members, 1); /* the group's write left the member's row served */

    exec_ok(f.store, "CREATE TEMP TRIGGER renames AFTER INSERT ON checkins BEGIN"
                     " UPDATE members SET name = 'Ana T' WHERE id = NEW.member_id; END");
    exec_ok(f.store, sql);
    name_is(f.store, f.group.id, "Ana T");
    assert_int_equal(reads.members, 2);

    exec_ok(f.store, "DELETE FROM scratch"); /* SQLite truncates: its hook hears nothing */
    name_is(f.store, f.group.id, "Ana T");
    assert_int_equal(reads.members, 3);
    name_is(f.store, f.group.id, "Ana T");
    assert_int_equal(reads.members, 3);
    assert_int_equal(tend_store_batch_commit(f.store), TEND_STORE_OK);
    sqlite3_trace_v2(store_db(f.store), 0, NULL, NULL);
    tend_store_close(f.store);
}

static void other_writes(const char *path, const char *sql)
{
    sqlite3 *other;
    assert_int_equal(sqlite3_open(path, &other), SQLITE_OK);
    assert_int_equal(sqlite3_exec(other, sql, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(other);
}

static void zone_is(tend_store *store, const char *want)
{
    tend_group g;
    assert_int_equal(tend_store_group_get(store, "console:g", &g), TEND_STORE_OK);
    assert_string_equal(g.timezone, want);
}

/* Between two transactions, or outside any (autocomplete reads there), another process may write
 * the file: what it committed is read. */
static void another_connections_commit_is_read(void **state)
{
    (void)state;
    const char *url = getenv("TEND_TEST_STORE_URL");
    if (url && *url)
        skip(); /* a second SQLite connection is what this is about */
    char dir[] = "/tmp/tend-memo-XXXXXX", path[64];
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/tend.db", dir);
    tend_store *store;
    char err[256];
    assert_int_equal(tend_store_open(path, &store, err, sizeof err), TEND_STORE_OK);
    tend_group g;
    tend_member m;
    assert_int_equal(tend_store_group_ensure(store, "console:g", "c", T0, &g), TEND_STORE_OK);
    assert_int_equal(tend_store_member_ensure(store, g.id, "ana", "Ana", T0, &m), TEND_STORE_OK);

    /* read outside a transaction, written by another, read outside again and then inside one */
    name_is(store, g.id, "Ana");
    zone_is(store, "UTC");
    other_writes(path, "UPDATE members SET name = 'Ana O' WHERE key = 'ana';"
                       "UPDATE groups SET timezone = 'Asia/Tokyo' WHERE key = 'console:g'");
    name_is(store, g.id, "Ana O");
    zone_is(store, "Asia/Tokyo");
    other_writes(path, "UPDATE members SET name = 'Ana P' WHERE key = 'ana'");
    assert_int_equal(tend_store_batch_begin(store), TEND_STORE_OK);
    name_is(store, g.id, "Ana P");
    assert_int_equal(tend_store_batch_commit(store), TEND_STORE_OK);

    /* read inside a group commit, written by another after it, read in the next group */
    other_writes(path, "UPDATE members SET name = 'Ana Q' WHERE key = 'ana';"
                       "UPDATE groups SET timezone = 'Europe/Oslo' WHERE key = 'console:g'");
    assert_int_equal(tend_store_batch_begin(store), TEND_STORE_OK);
    name_is(store, g.id, "Ana Q");
    zone_is(store, "Europe/Oslo");
    assert_int_equal(tend_store_batch_commit(store), TEND_STORE_OK);
    tend_store_close(store);
    char wal[80], shm[80];
    snprintf(wal, sizeof wal, "%s-wal", path);
    snprintf(shm, sizeof shm, "%s-shm", path);
    unlink(wal);
    unlink(shm);
    unlink(path);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_write_in_the_transaction_is_read_back),
        cmocka_unit_test(a_rolled_back_write_is_not_served),
        cmocka_unit_test(another_connections_commit_is_read),
    };
    /* the memo is SQLite's only (PostgreSQL reads every time), and so is its statement trace */
    const struct CMUnitTest sqlite_only[] = {
        cmocka_unit_test(a_write_elsewhere_keeps_the_row_and_a_triggers_write_is_read),
    };
    const char *url = getenv("TEND_TEST_STORE_URL");
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    if (!(url && *url))
        failed += cmocka_run_group_tests_name("sqlite", sqlite_only, NULL, NULL);
    return failed;
}
