/* test_store_backend.c — what every store backend must do alike (run on SQLite, and as
 * unit.test_store_backend.pg on PostgreSQL): transactions, the event-id dedupe inside a command's
 * transaction, outbox ids never reused, migrations; and how a PostgreSQL URL fails. */
#include "testkit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static bool on_postgres(void)
{
    const char *url = getenv("TEND_TEST_STORE_URL");
    return url && *url;
}

static void a_replayed_event_is_refused_and_the_command_goes_on(void **state)
{
    (void)state;
    tend_store *s;
    testkit_store_open(&s);
    tend_group g;
    assert_int_equal(tend_store_begin(s), TEND_STORE_OK);
    assert_int_equal(tend_store_event_claim(s, "discord", "1234", TESTKIT_START), TEND_STORE_OK);
    assert_int_equal(tend_store_event_claim(s, "discord", "1234", TESTKIT_START), TEND_STORE_EXISTS);
    /* the refusal is an answer, not a failure: the transaction it came in still writes and commits
     * (PostgreSQL would abort a transaction on a failed INSERT; the store must not let it) */
    assert_int_equal(tend_store_group_ensure(s, "console:after", "c", TESTKIT_START, &g), TEND_STORE_OK);
    assert_int_equal(tend_store_commit(s), TEND_STORE_OK);
    assert_int_equal(tend_store_event_seen(s, "discord", "1234"), TEND_STORE_OK);
    assert_int_equal(tend_store_event_seen(s, "discord", "5678"), TEND_STORE_NOTFOUND);
    assert_int_equal(tend_store_group_get(s, "console:after", &g), TEND_STORE_OK);
    /* a week later the same id is new again: old ones are pruned */
    assert_int_equal(tend_store_event_claim(s, "discord", "1234", TESTKIT_START + 8 * 86400), TEND_STORE_OK);
    tend_store_close(s);
}

static void old_events_are_pruned_a_minute_at_a_time(void **state)
{
    (void)state;
    tend_store *s;
    testkit_store_open(&s);
    const int64_t t = TESTKIT_START, week = 7 * 86400;
    assert_int_equal(tend_store_event_claim(s, "discord", "a", t), TEND_STORE_OK);
    assert_int_equal(tend_store_event_claim(s, "discord", "b", t + 30), TEND_STORE_OK);
    /* a week and a second after a: a is gone, b (younger) stays */
    assert_int_equal(tend_store_event_claim(s, "discord", "c", t + week + 1), TEND_STORE_OK);
    assert_int_equal(tend_store_event_seen(s, "discord", "a"), TEND_STORE_NOTFOUND);
    assert_int_equal(tend_store_event_seen(s, "discord", "b"), TEND_STORE_OK);
    /* b's week is over 40 s later, but the next prune waits for the minute */
    assert_int_equal(tend_store_event_claim(s, "discord", "d", t + week + 40), TEND_STORE_OK);
    assert_int_equal(tend_store_event_seen(s, "discord", "b"), TEND_STORE_OK);
    assert_int_equal(tend_store_event_claim(s, "discord", "b", t + week + 45), TEND_STORE_EXISTS);
    /* and then it goes, while the week-young ones stay */
    assert_int_equal(tend_store_event_claim(s, "discord", "e", t + week + 61), TEND_STORE_OK);
    assert_int_equal(tend_store_event_seen(s, "discord", "b"), TEND_STORE_NOTFOUND);
    assert_int_equal(tend_store_event_seen(s, "discord", "c"), TEND_STORE_OK);
    assert_int_equal(tend_store_event_seen(s, "discord", "d"), TEND_STORE_OK);
    /* a week on, those go too, and the event just claimed stays */
    assert_int_equal(tend_store_event_claim(s, "discord", "f", t + 2 * week + 70), TEND_STORE_OK);
    assert_int_equal(tend_store_event_seen(s, "discord", "c"), TEND_STORE_NOTFOUND);
    assert_int_equal(tend_store_event_seen(s, "discord", "e"), TEND_STORE_NOTFOUND);
    assert_int_equal(tend_store_event_seen(s, "discord", "f"), TEND_STORE_OK);
    tend_store_close(s);
}

static void a_rollback_leaves_nothing(void **state)
{
    (void)state;
    tend_store *s;
    testkit_store_open(&s);
    tend_group g;
    assert_int_equal(tend_store_begin(s), TEND_STORE_OK);
    assert_int_equal(tend_store_group_ensure(s, "console:gone", "c", TESTKIT_START, &g), TEND_STORE_OK);
    int64_t id;
    assert_int_equal(tend_store_outbox_add(s, "console", "c", NULL, "hello", TESTKIT_START, &id), TEND_STORE_OK);
    assert_int_equal(tend_store_rollback(s), TEND_STORE_OK);
    assert_int_equal(tend_store_group_get(s, "console:gone", &g), TEND_STORE_NOTFOUND);
    int64_t count = -1;
    assert_int_equal(tend_store_outbox_count(s, &count), TEND_STORE_OK);
    assert_int_equal(count, 0);
    tend_store_close(s);
}

static int collect_payload(const tend_outbox_row *row, void *ud)
{
    char *buf = ud;
    size_t n = strlen(buf);
    snprintf(buf + n, 64 - n, "%s%s", row->payload, row->reply_to ? "|" : "|-|");
    return 0;
}

static void outbox_ids_are_never_reused(void **state)
{
    (void)state;
    tend_store *s;
    testkit_store_open(&s);
    int64_t first, second, third;
    assert_int_equal(tend_store_outbox_add(s, "matrix", "!room", NULL, "one", TESTKIT_START, &first), TEND_STORE_OK);
    assert_int_equal(tend_store_outbox_add(s, "matrix", "!room", "$ev", "two", TESTKIT_START, &second), TEND_STORE_OK);
    assert_true(second > first);
    char seen[64] = "";
    assert_int_equal(tend_store_outbox_each(s, "matrix", collect_payload, seen), TEND_STORE_OK);
    assert_string_equal(seen, "one|-|two|"); /* in id order; a missing reply_to reads as NULL */
    assert_int_equal(tend_store_outbox_remove(s, second), TEND_STORE_OK);
    /* the newest row gone, a new one still gets a new id: a Matrix txn id is never sent twice */
    assert_int_equal(tend_store_outbox_add(s, "matrix", "!room", NULL, "three", TESTKIT_START, &third), TEND_STORE_OK);
    assert_true(third > second);
    tend_store_close(s);
}

static void the_schema_is_the_newest(void **state)
{
    (void)state;
    tend_store *s;
    testkit_store_open(&s);
    assert_int_equal(tend_store_schema_version(s), tend_store_schema_latest());
    assert_true(tend_store_schema_latest() >= 9);
    /* a setting only SQLite has is answered, not failed */
    assert_int_equal(tend_store_set_synchronous(s, 2), TEND_STORE_OK);
    tend_store_close(s);
}

static void a_postgresql_url_fails_in_one_line_without_its_password(void **state)
{
    (void)state;
    tend_store *s = (tend_store *)1;
    char err[512];
    /* libpq quotes the piece of a URL it cannot read: here, the password */
    int rc = tend_store_open("postgresql://tend:Sec%zzretPass@localhost/tend", &s, err, sizeof err);
    assert_int_not_equal(rc, TEND_STORE_OK);
    assert_null(s);
    assert_null(strchr(err, '\n'));
    assert_null(strstr(err, "Sec%zz"));
    assert_null(strstr(err, "retPass"));
#ifdef TEND_HAVE_POSTGRES
    assert_non_null(strstr(err, "postgresql://tend:***@localhost/tend"));
    /* nobody listens there: said in one line, the password still hidden */
    rc = tend_store_open("postgresql://tend:SecretPass@/tend?host=/nonexistent-tend-socket", &s, err, sizeof err);
    assert_int_equal(rc, TEND_STORE_ERROR);
    assert_null(strchr(err, '\n'));
    assert_null(strstr(err, "SecretPass"));
    assert_non_null(strstr(err, "cannot connect to PostgreSQL"));
#else
    assert_non_null(strstr(err, "built without PostgreSQL"));
#endif
    tend_store_backup_info info;
    rc = tend_store_backup("postgresql://tend@db/tend", "/tmp/never-written.db", &info, err, sizeof err);
    assert_int_not_equal(rc, TEND_STORE_OK);
    assert_non_null(strstr(err, "pg_dump"));
}

static void a_second_open_finds_the_schema_there(void **state)
{
    (void)state;
    if (!on_postgres())
        return; /* SQLite's reopen is test_store_files' */
    tend_store *s;
    testkit_store_open(&s);
    tend_group g;
    assert_int_equal(tend_store_group_ensure(s, "console:kept", "c", TESTKIT_START, &g), TEND_STORE_OK);
    /* the URL testkit made for this store is its search_path; open it again beside the first */
    tend_store *again = NULL;
    char err[512];
    assert_int_equal(tend_store_open(testkit_store_url(), &again, err, sizeof err), TEND_STORE_OK);
    assert_int_equal(tend_store_schema_version(again), tend_store_schema_latest());
    assert_int_equal(tend_store_group_get(again, "console:kept", &g), TEND_STORE_OK);
    tend_store_close(again);
    tend_store_close(s);
}

#ifdef TEND_HAVE_POSTGRES
#include <libpq-fe.h>

/* Ends every other session on this test's database, as a server restart or a failover would. */
static void drop_other_sessions(void)
{
    const char *const keys[] = {"dbname", NULL};
    const char *const values[] = {testkit_store_url(), NULL};
    PGconn *c = PQconnectdbParams(keys, values, 1);
    assert_int_equal(PQstatus(c), CONNECTION_OK);
    PGresult *res = PQexec(c, "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                              " WHERE datname = current_database() AND pid <> pg_backend_pid()");
    assert_int_equal(PQresultStatus(res), PGRES_TUPLES_OK);
    assert_string_equal(PQgetvalue(res, 0, 0), "1");
    PQclear(res);
    PQfinish(c);
}
#endif

/* Several tends starting at once on one new database: each opens it, and it is migrated once. */
static void processes_starting_together_migrate_once(void **state)
{
    (void)state;
#ifdef TEND_HAVE_POSTGRES
    if (!on_postgres())
        return;
    tend_store *s;
    testkit_store_open(&s); /* a fresh schema, migrated; emptied again below */
    tend_store_close(s);
    const char *const keys[] = {"dbname", NULL};
    const char *const values[] = {testkit_store_url(), NULL};
    PGconn *c = PQconnectdbParams(keys, values, 1);
    assert_int_equal(PQstatus(c), CONNECTION_OK);
    PGresult *res = PQexec(c, "SET client_min_messages = warning; DO $$ BEGIN EXECUTE 'DROP SCHEMA '"
                              " || current_schema() || ' CASCADE; CREATE SCHEMA ' || current_schema(); END $$");
    assert_int_equal(PQresultStatus(res), PGRES_COMMAND_OK);
    PQclear(res);
    enum { N = 4 };
    pid_t kids[N];
    for (int i = 0; i < N; i++) {
        kids[i] = fork();
        assert_true(kids[i] >= 0);
        if (kids[i] == 0) {
            tend_store *mine = NULL;
            char err[512];
            int rc = tend_store_open(testkit_store_url(), &mine, err, sizeof err);
            if (rc != TEND_STORE_OK)
                fprintf(stderr, "child %d: %s\n", i, err);
            tend_store_close(mine);
            _exit(rc == TEND_STORE_OK ? 0 : 1);
        }
    }
    for (int i = 0; i < N; i++) {
        int status = 0;
        assert_int_equal(waitpid(kids[i], &status, 0), kids[i]);
        assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
    res = PQexec(c, "SELECT count(*), max(version) FROM schema_version");
    assert_int_equal(PQresultStatus(res), PGRES_TUPLES_OK);
    assert_string_equal(PQgetvalue(res, 0, 0), "1");
    char latest[16];
    snprintf(latest, sizeof latest, "%d", tend_store_schema_latest());
    assert_string_equal(PQgetvalue(res, 0, 1), latest);
    PQclear(res);
    PQfinish(c);
#endif
}

/* The same on a new SQLite file: tends on one machine starting together (a standby beside the
 * main one) each open it, and each migration runs once (before, the second died on "table groups
 * already exists"). Ten rounds, four processes let go at once each time. */
static void processes_starting_together_on_a_new_file_migrate_once(void **state)
{
    (void)state;
    if (getenv("TEND_TEST_STORE_URL") && *getenv("TEND_TEST_STORE_URL"))
        skip(); /* the PostgreSQL case is the one above */
    enum { N = 4, ROUNDS = 10 };
    for (int round = 0; round < ROUNDS; round++) {
        char path[64];
        snprintf(path, sizeof path, "/tmp/tend-migrate-%d-%d.db", (int)getpid(), round);
        unlink(path);
        int go[N][2];
        pid_t kids[N];
        for (int i = 0; i < N; i++) {
            assert_int_equal(pipe(go[i]), 0);
            kids[i] = fork();
            assert_true(kids[i] >= 0);
            if (kids[i] == 0) {
                char c;
                close(go[i][1]);
                if (read(go[i][0], &c, 1) != 1)
                    _exit(2);
                tend_store *mine = NULL;
                char err[512];
                int rc = tend_store_open(path, &mine, err, sizeof err);
                if (rc != TEND_STORE_OK)
                    fprintf(stderr, "child %d: %s\n", i, err);
                tend_store_close(mine);
                _exit(rc == TEND_STORE_OK ? 0 : 1);
            }
            close(go[i][0]);
        }
        for (int i = 0; i < N; i++)
            assert_int_equal(write(go[i][1], "g", 1), 1);
        for (int i = 0; i < N; i++) {
            int status = 0;
            close(go[i][1]);
            assert_int_equal(waitpid(kids[i], &status, 0), kids[i]);
            assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        }
        tend_store *s = NULL;
        char err[512];
        assert_int_equal(tend_store_open(path, &s, err, sizeof err), TEND_STORE_OK);
        assert_int_equal(tend_store_schema_version(s), tend_store_schema_latest());
        tend_store_close(s);
        char side[96];
        unlink(path);
        snprintf(side, sizeof side, "%s-wal", path);
        unlink(side);
        snprintf(side, sizeof side, "%s-shm", path);
        unlink(side);
    }
}

/* A database a newer tend migrated is refused, in one line, and left as it is. */
static void a_newer_schema_is_refused(void **state)
{
    (void)state;
#ifdef TEND_HAVE_POSTGRES
    if (!on_postgres())
        return;
    tend_store *s;
    testkit_store_open(&s);
    tend_store_close(s);
    const char *const keys[] = {"dbname", NULL};
    const char *const values[] = {testkit_store_url(), NULL};
    PGconn *c = PQconnectdbParams(keys, values, 1);
    assert_int_equal(PQstatus(c), CONNECTION_OK);
    char sql[96];
    snprintf(sql, sizeof sql, "UPDATE schema_version SET version = %d", tend_store_schema_latest() + 1);
    PQclear(PQexec(c, sql));
    char err[512];
    s = (tend_store *)1;
    assert_int_equal(tend_store_open(testkit_store_url(), &s, err, sizeof err), TEND_STORE_ERROR);
    assert_null(s);
    assert_non_null(strstr(err, "from a newer tend"));
    assert_null(strstr(err, "migration"));
    assert_null(strchr(err, '\n'));
    PGresult *res = PQexec(c, "SELECT version FROM schema_version");
    assert_int_equal(strtol(PQgetvalue(res, 0, 0), NULL, 10), tend_store_schema_latest() + 1);
    PQclear(res);
    PQfinish(c);
#endif
}

/* Another process holding a row this one must write: a wait as long as SQLite's busy timeout, then
 * BUSY (a failure the health check and the member hear), never a hang of the loop. */
static void a_row_held_by_another_process_is_busy_after_two_seconds(void **state)
{
    (void)state;
#ifdef TEND_HAVE_POSTGRES
    if (!on_postgres())
        return;
    tend_store *a, *b;
    testkit_store_open(&a);
    tend_group g;
    assert_int_equal(tend_store_group_ensure(a, "console:held", "c", TESTKIT_START, &g), TEND_STORE_OK);
    char err[512];
    assert_int_equal(tend_store_open(testkit_store_url(), &b, err, sizeof err), TEND_STORE_OK);
    assert_int_equal(tend_store_begin(a), TEND_STORE_OK);
    g.default_capacity = 4;
    assert_int_equal(tend_store_group_save(a, &g), TEND_STORE_OK);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    assert_int_equal(tend_store_begin(b), TEND_STORE_OK);
    g.default_capacity = 5;
    assert_int_equal(tend_store_group_save(b, &g), TEND_STORE_BUSY);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double waited = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    assert_true(waited >= 1.5 && waited < 5.0);
    assert_int_equal(tend_store_failing(b), TEND_STORE_BUSY);
    assert_int_equal(tend_store_rollback(b), TEND_STORE_OK);
    assert_int_equal(tend_store_commit(a), TEND_STORE_OK);
    assert_int_equal(tend_store_group_get(b, "console:held", &g), TEND_STORE_OK);
    assert_int_equal(g.default_capacity, 4);
    tend_store_close(b);
    tend_store_close(a);
#endif
}

static void a_lost_connection_is_made_again_at_the_next_command(void **state)
{
    (void)state;
#ifdef TEND_HAVE_POSTGRES
    if (!on_postgres())
        return;
    tend_store *s;
    testkit_store_open(&s);
    tend_group g;
    assert_int_equal(tend_store_group_ensure(s, "console:before", "c", TESTKIT_START, &g), TEND_STORE_OK);
    drop_other_sessions();
    /* the next command begins a transaction: the store connects again, prepares again, goes on */
    assert_int_equal(tend_store_begin(s), TEND_STORE_OK);
    assert_int_equal(tend_store_group_get(s, "console:before", &g), TEND_STORE_OK);
    assert_int_equal(tend_store_group_ensure(s, "console:after", "c", TESTKIT_START, &g), TEND_STORE_OK);
    assert_int_equal(tend_store_commit(s), TEND_STORE_OK);
    /* lost in the middle of one: that command fails whole (nothing of it lands), the next works */
    assert_int_equal(tend_store_begin(s), TEND_STORE_OK);
    assert_int_equal(tend_store_group_ensure(s, "console:half", "c", TESTKIT_START, &g), TEND_STORE_OK);
    drop_other_sessions();
    assert_int_not_equal(tend_store_group_ensure(s, "console:half2", "c", TESTKIT_START, &g), TEND_STORE_OK);
    tend_store_rollback(s);
    assert_int_equal(tend_store_begin(s), TEND_STORE_OK);
    assert_int_equal(tend_store_group_get(s, "console:half", &g), TEND_STORE_NOTFOUND);
    assert_int_equal(tend_store_group_get(s, "console:after", &g), TEND_STORE_OK);
    assert_int_equal(tend_store_commit(s), TEND_STORE_OK);
    tend_store_close(s);
#endif
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_replayed_event_is_refused_and_the_command_goes_on),
        cmocka_unit_test(old_events_are_pruned_a_minute_at_a_time),
        cmocka_unit_test(a_rollback_leaves_nothing),
        cmocka_unit_test(outbox_ids_are_never_reused),
        cmocka_unit_test(the_schema_is_the_newest),
        cmocka_unit_test(a_postgresql_url_fails_in_one_line_without_its_password),
        cmocka_unit_test(a_second_open_finds_the_schema_there),
        cmocka_unit_test(a_lost_connection_is_made_again_at_the_next_command),
        cmocka_unit_test(processes_starting_together_migrate_once),
        cmocka_unit_test(processes_starting_together_on_a_new_file_migrate_once),
        cmocka_unit_test(a_newer_schema_is_refused),
        cmocka_unit_test(a_row_held_by_another_process_is_busy_after_two_seconds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
