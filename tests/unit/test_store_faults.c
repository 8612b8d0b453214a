/*
 * test_store_faults.c — a full disk and a read-only database, on a real database file.
 *
 * The disk fills through PRAGMA max_page_count (the database may not grow another page, which is
 * exactly what SQLite reports when the file system is full: SQLITE_FULL); read-only through
 * PRAGMA query_only (SQLITE_READONLY). The real tmpfs and read-only mount are in
 * tests/integration/hardening/faults.py. Each time: the member hears the clear sentence, the log
 * says why, nothing of the command is stored, and the next command works once the cause is gone.
 */
#include "testkit.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bot/messages.h"
#include "store/sqlite/internal.h"

typedef struct {
    testkit kit;
    char dir[64];
    char path[96];
    int saved_stderr;
    char log_path[96];
} filekit;

static filekit *filekit_new(void)
{
    filekit *f = calloc(1, sizeof *f);
    assert_non_null(f);
    snprintf(f->dir, sizeof f->dir, "/tmp/tend-faults-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->path, sizeof f->path, "%s/tend.db", f->dir);
    snprintf(f->log_path, sizeof f->log_path, "%s/log.txt", f->dir);
    char err[256];
    assert_int_equal(tend_store_open(f->path, &f->kit.store, err, sizeof err), TEND_STORE_OK);
    f->kit.clock = tend_clock_create_fixed(TESTKIT_START);
    tend_settings s;
    tend_settings_defaults(&s);
    s.commands_per_minute = 0;
    f->kit.bot = tend_bot_create(f->kit.store, f->kit.clock, &s);
    assert_non_null(f->kit.bot);
    tend_messages_init(&f->kit.out);
    snprintf(f->kit.group_key, sizeof f->kit.group_key, "console:test");
    f->saved_stderr = -1;
    return f;
}

static void filekit_free(filekit *f)
{
    tend_messages_clear(&f->kit.out);
    tend_bot_destroy(f->kit.bot);
    tend_clock_destroy(f->kit.clock);
    tend_store_close(f->kit.store);
    char p[128];
    const char *const suffixes[] = {"", "-wal", "-shm", NULL};
    for (size_t i = 0; suffixes[i]; i++) {
        snprintf(p, sizeof p, "%s%s", f->path, suffixes[i]);
        unlink(p);
    }
    unlink(f->log_path);
    rmdir(f->dir);
    free(f);
}

/* stderr (where tend_log writes) goes to a file until log_read(). */
static void log_capture(filekit *f)
{
    fflush(stderr);
    f->saved_stderr = dup(2);
    int fd = open(f->log_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    assert_true(fd >= 0);
    dup2(fd, 2);
    close(fd);
}

static char *log_read(filekit *f)
{
    fflush(stderr);
    dup2(f->saved_stderr, 2);
    close(f->saved_stderr);
    f->saved_stderr = -1;
    FILE *in = fopen(f->log_path, "r");
    assert_non_null(in);
    char *buf = calloc(1, 8192);
    size_t n = fread(buf, 1, 8191, in);
    buf[n] = '\0';
    fclose(in);
    return buf;
}

static int query_int(filekit *f, const char *sql)
{
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(store_db(f->kit.store), sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    int v = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return v;
}

static void exec_sql(filekit *f, const char *sql)
{
    assert_int_equal(sqlite3_exec(store_db(f->kit.store), sql, NULL, NULL, NULL), SQLITE_OK);
}

static void assert_integrity_ok(filekit *f)
{
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(store_db(f->kit.store), "PRAGMA integrity_check", -1, &st, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(st, 0), "ok");
    sqlite3_finalize(st);
}

static int said_exactly(filekit *f, const char *text)
{
    return f->kit.out.count == 1 && f->kit.out.items[0].audience == TEND_TO_PRIVATE &&
           strcmp(f->kit.out.items[0].text, text) == 0;
}

static void a_full_disk_changes_nothing_says_so_and_recovers(void **state)
{
    (void)state;
    filekit *f = filekit_new();
    testkit_run(&f->kit, "ana", 1, "task add \"First\"");
    int pages = query_int(f, "PRAGMA page_count");
    char sql[64];
    snprintf(sql, sizeof sql, "PRAGMA max_page_count = %d", pages);
    exec_sql(f, sql);

    /* long titles until the next page is needed: the disk is "full" there */
    char title[220], cmd[260];
    memset(title, 'x', 199);
    title[199] = '\0';
    int full_at = -1;
    log_capture(f);
    for (int i = 0; i < 2000 && full_at < 0; i++) {
        int tasks_before = query_int(f, "SELECT count(*) FROM tasks");
        int audit_before = query_int(f, "SELECT count(*) FROM audit");
        snprintf(cmd, sizeof cmd, "task add \"%s\" slots:3", title);
        int rc = testkit_run(&f->kit, "ana", 1, cmd);
        if (said_exactly(f, MSG_STORE_FULL)) {
            full_at = i;
            assert_int_equal(rc, -1);
            /* nothing half-written: no task, no audit line, no claim */
            assert_int_equal(query_int(f, "SELECT count(*) FROM tasks"), tasks_before);
            assert_int_equal(query_int(f, "SELECT count(*) FROM audit"), audit_before);
        } else {
            assert_int_equal(rc, 0);
            assert_true(testkit_said_has(&f->kit, "New task"));
        }
    }
    char *log = log_read(f);
    assert_true(full_at > 0);
    assert_non_null(strstr(log, "full"));
    assert_non_null(strstr(log, "task add"));
    free(log);
    assert_integrity_ok(f);
    /* reading still works while full */
    testkit_run(&f->kit, "ana", 1, "tasks");
    assert_true(testkit_said_has(&f->kit, "First"));

    /* space returns: the very next command goes through */
    int tasks = query_int(f, "SELECT count(*) FROM tasks");
    exec_sql(f, "PRAGMA max_page_count = 1000000");
    assert_int_equal(testkit_run(&f->kit, "ana", 1, "task add \"After the cleanup\""), 0);
    assert_true(testkit_said_has(&f->kit, "New task"));
    assert_int_equal(query_int(f, "SELECT count(*) FROM tasks"), tasks + 1);
    assert_integrity_ok(f);
    filekit_free(f);
}

static void a_read_only_database_changes_nothing_says_so_and_recovers(void **state)
{
    (void)state;
    filekit *f = filekit_new();
    testkit_run(&f->kit, "ana", 1, "task add \"Soup run\"");
    exec_sql(f, "PRAGMA query_only = 1");
    log_capture(f);
    int rc = testkit_run(&f->kit, "ana", 1, "claim 1");
    char *log = log_read(f);
    assert_int_equal(rc, -1);
    assert_true(said_exactly(f, MSG_STORE_READONLY));
    assert_non_null(strstr(log, "readonly"));
    free(log);
    assert_int_equal(query_int(f, "SELECT count(*) FROM claims"), 0);
    /* a newcomer cannot even be created, and hears the same */
    testkit_run(&f->kit, "bea", 0, "tasks");
    assert_true(said_exactly(f, MSG_STORE_READONLY));
    assert_int_equal(query_int(f, "SELECT count(*) FROM members"), 1);

    exec_sql(f, "PRAGMA query_only = 0");
    assert_int_equal(testkit_run(&f->kit, "ana", 1, "claim 1"), 0);
    assert_true(testkit_said_has(&f->kit, "is yours"));
    assert_int_equal(query_int(f, "SELECT count(*) FROM claims WHERE state = 'active'"), 1);
    assert_integrity_ok(f);
    filekit_free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_full_disk_changes_nothing_says_so_and_recovers),
        cmocka_unit_test(a_read_only_database_changes_nothing_says_so_and_recovers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
