/* test_store_megolm.c — the Megolm replay guard in the real store: pairs remembered with their event
 * ids, old ones pruned while recent ones stay, and a pruned pair still refused (its session's floor). */
#include "testkit.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "store/sqlite/internal.h"
#include "store/store_crypto.h"

#define DAY (24 * 3600)
#define NOW TESTKIT_START

/* Rows counted straight in the SQLite file; against PostgreSQL (TEND_TEST_STORE_URL) the
 * store's own answers (removed counts, seen or replay) carry the checks, so this answers `want`. */
static int64_t count_or(tend_store *s, const char *sql, int64_t want)
{
    const char *url = getenv("TEND_TEST_STORE_URL");
    if (url && *url)
        return want;
    sqlite3_stmt *st = NULL;
    int64_t n = -1;
    assert_int_equal(sqlite3_prepare_v2(store_db(s), sql, -1, &st, NULL), SQLITE_OK);
    if (sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return n;
}

static void a_pair_is_new_once_and_a_replay_under_another_event(void **state)
{
    (void)state;
    tend_store *s = NULL;
    testkit_store_open(&s);
    assert_int_equal(tend_store_megolm_seen(s, "matrix", "S1", 0, "$a", NOW), TEND_STORE_OK);
    assert_int_equal(tend_store_megolm_seen(s, "matrix", "S1", 1, "$b", NOW), TEND_STORE_OK);
    /* the same event again (a sync gives it twice): not a replay */
    assert_int_equal(tend_store_megolm_seen(s, "matrix", "S1", 0, "$a", NOW), TEND_STORE_OK);
    /* the same ciphertext under a new event id: a replay */
    assert_int_equal(tend_store_megolm_seen(s, "matrix", "S1", 0, "$copy", NOW), TEND_STORE_EXISTS);
    /* other sessions and other platforms are apart */
    assert_int_equal(tend_store_megolm_seen(s, "matrix", "S2", 0, "$c", NOW), TEND_STORE_OK);
    assert_int_equal(tend_store_megolm_seen(s, "other", "S1", 0, "$d", NOW), TEND_STORE_OK);
    tend_store_close(s);
}

static void old_rows_go_recent_rows_stay_and_the_old_still_count(void **state)
{
    (void)state;
    tend_store *s = NULL;
    testkit_store_open(&s);
    /* S1: indexes 0..2 seen 10 days ago, 3 seen yesterday; S2: only recent; S3: only old */
    assert_int_equal(tend_store_megolm_seen(s, "matrix", "S1", 0, "$s1-0", NOW - 10 * DAY), TEND_STORE_OK);
    assert_int_equal(tend_store_megolm_seen(s, "matrix", "S1", 2, "$s1-2", NOW - 9 * DAY), TEND_STORE_OK);
    assert_int_equal(tend_store_megolm_seen(s, "matrix", "S1", 5, "$s1-5", NOW - 1 * DAY), TEND_STORE_OK);
    assert_int_equal(tend_store_megolm_seen(s, "matrix", "S2", 0, "$s2-0", NOW - 1 * DAY), TEND_STORE_OK);
    assert_int_equal(tend_store_megolm_seen(s, "matrix", "S3", 7, "$s3-7", NOW - 30 * DAY), TEND_STORE_OK);
    assert_int_equal(tend_store_megolm_seen(s, "other", "S9", 0, "$o", NOW - 30 * DAY), TEND_STORE_OK);
    assert_int_equal(count_or(s, "SELECT count(*) FROM megolm_seen", 6), 6);

    int removed = -1;
    assert_int_equal(tend_store_megolm_prune(s, "matrix", NOW - 7 * DAY, &removed), TEND_STORE_OK);
    assert_int_equal(removed, 3);
    /* the old rows of this platform are gone; the recent ones and another platform's stay */
    char sql[160];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM megolm_seen WHERE platform = 'matrix' AND seen_at < %lld",
             (long long)(NOW - 7 * DAY));
    assert_int_equal(count_or(s, sql, 0), 0);
    assert_int_equal(count_or(s, "SELECT count(*) FROM megolm_seen WHERE platform = 'matrix'", 2), 2);
    assert_int_equal(count_or(s, "SELECT count(*) FROM megolm_seen WHERE event_id IN ('$s1-5', '$s2-0', '$o')", 3), 3);

    /* a recent pair still answers as before */
    assert_int_equal(tend_store_megolm_seen(s, "matrix", "S1", 5, "$s1-5", NOW), TEND_STORE_OK);
    assert_int_equal(tend_store_megolm_seen(s, "matrix", "S1", 5, "$copy", NOW), TEND_STORE_EXISTS);
    /* a pruned pair replayed as a new event is still refused, as is any index at or below the
     * highest one pruned (the session's floor), even one never seen */
    assert_int_equal(tend_store_megolm_seen(s, "matrix", "S1", 2, "$copy", NOW), TEND_STORE_EXISTS);
    assert_int_equal(tend_store_megolm_seen(s, "matrix", "S1", 1, "$never", NOW), TEND_STORE_EXISTS);
    assert_int_equal(tend_store_megolm_seen(s, "matrix", "S3", 7, "$copy", NOW), TEND_STORE_EXISTS);
    /* above the floor the session goes on */
    assert_int_equal(tend_store_megolm_seen(s, "matrix", "S1", 6, "$s1-6", NOW), TEND_STORE_OK);
    assert_int_equal(tend_store_megolm_seen(s, "matrix", "S3", 8, "$s3-8", NOW), TEND_STORE_OK);

    /* a later prune never lowers a floor */
    assert_int_equal(tend_store_megolm_seen(s, "matrix", "S4", 1, "$s4-1", NOW), TEND_STORE_OK);
    assert_int_equal(tend_store_megolm_prune(s, "matrix", NOW + 1, &removed), TEND_STORE_OK);
    assert_int_equal(count_or(s, "SELECT count(*) FROM megolm_seen WHERE platform = 'matrix'", 0), 0);
    assert_int_equal(count_or(s, "SELECT below FROM megolm_floor WHERE session_id = 'S1'", 6), 6);
    assert_int_equal(count_or(s, "SELECT below FROM megolm_floor WHERE session_id = 'S3'", 8), 8);
    assert_int_equal(tend_store_megolm_seen(s, "matrix", "S1", 6, "$s1-6", NOW), TEND_STORE_EXISTS);
    assert_int_equal(tend_store_megolm_seen(s, "matrix", "S1", 7, "$s1-7", NOW), TEND_STORE_OK);
    /* nothing old: nothing removed */
    assert_int_equal(tend_store_megolm_prune(s, "matrix", NOW - 7 * DAY, &removed), TEND_STORE_OK);
    assert_int_equal(removed, 0);
    tend_store_close(s);
}

/* A database from before the guard had a table: its pairs (adapter_state "mi:<session>:<index>")
 * move into it at the upgrade, so no replay protection is lost. SQLite only: the upgrade is made
 * by rewinding a real file's schema. */
static void the_upgrade_moves_the_pairs_kept_before(void **state)
{
    (void)state;
    const char *url = getenv("TEND_TEST_STORE_URL");
    if (url && *url)
        skip();
    char path[] = "/tmp/tend-megolm-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    tend_store *s = NULL;
    testkit_store_open_at(path, 1, &s);
    int version = tend_store_schema_version(s);
    /* back to version 10, the one before the guard: what migration 11 and the later ones made goes
     * (a new migration adds its own DROP here) */
    assert_int_equal(sqlite3_exec(store_db(s),
                                  "DROP TABLE megolm_seen; DROP TABLE megolm_floor; DROP TABLE leases;"
                                  "ALTER TABLE outbox DROP COLUMN owner;"
                                  "INSERT INTO adapter_state VALUES ('matrix', 'mi:SX:4', '$ev4');"
                                  "INSERT INTO adapter_state VALUES ('matrix', 'sync_token', 's1');",
                                  NULL, NULL, NULL), SQLITE_OK);
    char sql[64];
    snprintf(sql, sizeof sql, "PRAGMA user_version = %d", 10);
    assert_int_equal(sqlite3_exec(store_db(s), sql, NULL, NULL, NULL), SQLITE_OK);
    tend_store_close(s);
    testkit_store_open_at(path, 0, &s);
    assert_int_equal(tend_store_schema_version(s), version);
    assert_int_equal(count_or(s, "SELECT count(*) FROM adapter_state WHERE key LIKE 'mi:%'", 0), 0);
    assert_int_equal(count_or(s, "SELECT count(*) FROM adapter_state WHERE key = 'sync_token'", 1), 1);
    assert_int_equal(count_or(s, "SELECT msg_index FROM megolm_seen WHERE session_id = 'SX'", 4), 4);
    assert_int_equal(tend_store_megolm_seen(s, "matrix", "SX", 4, "$ev4", NOW), TEND_STORE_OK);
    assert_int_equal(tend_store_megolm_seen(s, "matrix", "SX", 4, "$copy", NOW), TEND_STORE_EXISTS);
    tend_store_close(s);
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_pair_is_new_once_and_a_replay_under_another_event),
        cmocka_unit_test(old_rows_go_recent_rows_stay_and_the_old_still_count),
        cmocka_unit_test(the_upgrade_moves_the_pairs_kept_before),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
