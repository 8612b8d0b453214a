/* test_store_checkpoint.c — the WAL's checkpoint through a connection of its own, on another thread
 * (store_batch.h; app/batch.c runs it on libuv's pool): the store goes on committing while it
 * runs, the WAL is copied home, and it starts over at the next commit instead of growing. Where
 * there is no file (in memory) there is no such connection, and the store's own checkpoint runs.
 * SQLite only (no .pg case): the files are testkit_shared_open's. */
#include "testkit.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/sqlite/internal.h"

typedef struct {
    tend_store_checkpointer *c;
    int rc;
    char err[200];
} run_args;

static void *run_on_thread(void *p)
{
    run_args *a = p;
    a->rc = tend_store_checkpointer_run(a->c, a->err, sizeof a->err);
    return NULL;
}

/* One commit of one row: a few WAL frames (the row's page and the table's) */
static void commit_a_row(tend_store *store, int i)
{
    char sql[160];
    snprintf(sql, sizeof sql, "INSERT INTO scratch VALUES (%d, randomblob(3000))", i);
    assert_int_equal(tend_store_begin(store), TEND_STORE_OK);
    assert_int_equal(sqlite3_exec(store_db(store), sql, NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(tend_store_commit(store), TEND_STORE_OK);
}

static void the_wal_is_copied_home_while_the_store_commits(void **state)
{
    (void)state;
    tend_store *store = testkit_shared_open();
    assert_int_equal(sqlite3_exec(store_db(store), "CREATE TABLE scratch (i INTEGER PRIMARY KEY, b BLOB)", NULL,
                                  NULL, NULL),
                     SQLITE_OK);
    int i = 0;
    while (!tend_store_checkpoint_due(store))
        commit_a_row(store, i++);
    assert_true(i > 100); /* the WAL grew over many commits, none of which checkpointed it */

    tend_store_checkpointer *c = tend_store_checkpointer_create(store);
    assert_non_null(c);
    run_args a = {c, -1, ""};
    pthread_t thread;
    assert_int_equal(pthread_create(&thread, NULL, run_on_thread, &a), 0);
    for (int k = 0; k < 50; k++) /* meanwhile, on this thread: commits go on */
        commit_a_row(store, i++);
    assert_int_equal(pthread_join(thread, NULL), 0);
    assert_int_equal(a.rc, TEND_STORE_OK);

    /* a second run, with nothing committing beside it, copies the rest */
    assert_int_equal(tend_store_checkpointer_run(c, a.err, sizeof a.err), TEND_STORE_OK);
    tend_store_checkpointer_noted(store, c);
    assert_false(tend_store_checkpoint_due(store));
    commit_a_row(store, i++);
    assert_true(store->wal_frames < 10); /* the next commit started the WAL over */
    assert_false(tend_store_checkpoint_due(store));

    /* what was committed is in the file itself: read with the WAL set aside */
    tend_store_checkpointer_destroy(c);
    sqlite3 *direct;
    char uri[128];
    snprintf(uri, sizeof uri, "file:%s?immutable=1", testkit_shared_path());
    assert_int_equal(sqlite3_open_v2(uri, &direct, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, NULL), SQLITE_OK);
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(direct, "SELECT count(*) FROM scratch", -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(st, 0), i - 1); /* all but the row after the last checkpoint */
    sqlite3_finalize(st);
    sqlite3_close(direct);
    testkit_shared_close(store);
}

/* Its file gone from under it (the store keeps its own open): the run says why, and changes nothing
 * (app/batch.c then checkpoints on the loop, as without a second connection). */
static void a_checkpointer_without_its_file_says_why(void **state)
{
    (void)state;
    tend_store *store = testkit_shared_open();
    tend_store_checkpointer *c = tend_store_checkpointer_create(store);
    assert_non_null(c);
    assert_int_equal(unlink(testkit_shared_path()), 0);
    char why[200] = "";
    assert_int_equal(tend_store_checkpointer_run(c, why, sizeof why), TEND_STORE_ERROR);
    assert_non_null(strstr(why, "cannot open a connection to checkpoint with"));
    tend_store_checkpointer_destroy(c);
    testkit_shared_close(store);
}

static void an_in_memory_store_checkpoints_itself(void **state)
{
    (void)state;
    tend_store *store;
    char err[256];
    assert_int_equal(tend_store_open(":memory:", &store, err, sizeof err), TEND_STORE_OK);
    assert_null(tend_store_checkpointer_create(store)); /* a second connection would be another database */
    assert_int_equal(tend_store_checkpoint(store), TEND_STORE_OK);
    tend_store_close(store);
    tend_store_checkpointer_destroy(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_wal_is_copied_home_while_the_store_commits),
        cmocka_unit_test(a_checkpointer_without_its_file_says_why),
        cmocka_unit_test(an_in_memory_store_checkpoints_itself),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
