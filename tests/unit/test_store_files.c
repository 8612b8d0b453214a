/*
 * test_store_files.c — the files the store makes are the owner's alone: the database, its -wal and
 * -shm, and every backup, whatever the umask (the usual 022 would make them world-readable, and
 * they hold members' check-in notes). A backup is taken while the database is open and written to,
 * holds what was committed, is one file, and never overwrites anything.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/sqlite/internal.h"
#include "store/store.h"

typedef struct {
    char dir[64], db[96], copy[96];
    mode_t umask_before;
} files;

static int setup(void **state)
{
    files *f = calloc(1, sizeof *f);
    assert_non_null(f);
    snprintf(f->dir, sizeof f->dir, "/tmp/tend-files-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->db, sizeof f->db, "%s/tend.db", f->dir);
    snprintf(f->copy, sizeof f->copy, "%s/backup.db", f->dir);
    f->umask_before = umask(022); /* the usual one: what a careless default would produce */
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    files *f = *state;
    umask(f->umask_before);
    const char *const suffixes[] = {"", "-wal", "-shm", "-journal"};
    char p[128];
    for (size_t i = 0; i < 4; i++) {
        snprintf(p, sizeof p, "%s%s", f->db, suffixes[i]);
        unlink(p);
        snprintf(p, sizeof p, "%s%s", f->copy, suffixes[i]);
        unlink(p);
    }
    rmdir(f->dir);
    free(f);
    return 0;
}

static mode_t mode_of(const char *path)
{
    struct stat sb;
    if (stat(path, &sb) != 0)
        fail_msg("%s does not exist", path);
    return sb.st_mode & 0777;
}

static void assert_private(const char *path)
{
    mode_t m = mode_of(path);
    if (m != 0600)
        fail_msg("%s is %03o, not 600", path, (unsigned)m);
}

static void add_group(tend_store *s, const char *key)
{
    tend_group g;
    assert_int_equal(tend_store_group_ensure(s, key, NULL, 1793610000, &g), TEND_STORE_OK);
}

static void a_new_database_and_its_wal_and_shm_are_the_owners_alone(void **state)
{
    files *f = *state;
    tend_store *s = NULL;
    char err[256];
    assert_int_equal(tend_store_open(f->db, &s, err, sizeof err), TEND_STORE_OK);
    add_group(s, "console:files"); /* a write: the -wal grows */
    char wal[128], shm[128];
    snprintf(wal, sizeof wal, "%s-wal", f->db);
    snprintf(shm, sizeof shm, "%s-shm", f->db);
    assert_private(f->db);
    assert_private(wal);
    assert_private(shm);
    tend_store_close(s);
}

static void an_existing_database_keeps_the_mode_its_owner_gave_it(void **state)
{
    files *f = *state;
    FILE *fp = fopen(f->db, "w");
    assert_non_null(fp);
    fclose(fp);
    chmod(f->db, 0640); /* a deliberate choice (a backup group, say) is not tend's to undo */
    tend_store *s = NULL;
    char err[256];
    assert_int_equal(tend_store_open(f->db, &s, err, sizeof err), TEND_STORE_OK);
    assert_int_equal(mode_of(f->db), 0640);
    tend_store_close(s);
}

static void a_backup_is_private_complete_and_one_file(void **state)
{
    files *f = *state;
    tend_store *s = NULL;
    char err[256];
    assert_int_equal(tend_store_open(f->db, &s, err, sizeof err), TEND_STORE_OK);
    add_group(s, "console:before");
    /* the database stays open (tend running), with committed rows still only in its -wal */
    tend_store_backup_info info;
    assert_int_equal(tend_store_backup(f->db, f->copy, &info, err, sizeof err), TEND_STORE_OK);
    add_group(s, "console:after");
    assert_private(f->copy);
    assert_true(info.bytes > 0);
    assert_int_equal(info.schema, tend_store_schema_latest());
    char wal[128];
    snprintf(wal, sizeof wal, "%s-wal", f->copy);
    assert_int_equal(access(wal, F_OK), -1); /* self-contained: no -wal beside it */

    tend_store *copy = NULL;
    assert_int_equal(tend_store_open(f->copy, &copy, err, sizeof err), TEND_STORE_OK);
    tend_group g;
    assert_int_equal(tend_store_group_get(copy, "console:before", &g), TEND_STORE_OK);
    assert_int_equal(tend_store_group_get(copy, "console:after", &g), TEND_STORE_NOTFOUND);
    tend_store_close(copy);
    assert_private(f->copy); /* opening it (WAL again) did not loosen it */
    tend_store_close(s);
}

static void a_backup_never_overwrites_and_needs_a_database(void **state)
{
    files *f = *state;
    char err[256];
    tend_store_backup_info info;
    /* no database yet: nothing is created */
    assert_int_equal(tend_store_backup(f->db, f->copy, &info, err, sizeof err), TEND_STORE_NOTFOUND);
    assert_non_null(strstr(err, "there is no database at"));
    assert_int_equal(access(f->copy, F_OK), -1);

    tend_store *s = NULL;
    assert_int_equal(tend_store_open(f->db, &s, err, sizeof err), TEND_STORE_OK);
    tend_store_close(s);
    /* the live database itself as the destination, or any file there: refused, untouched */
    off_t before;
    struct stat sb;
    assert_int_equal(stat(f->db, &sb), 0);
    before = sb.st_size;
    assert_int_equal(tend_store_backup(f->db, f->db, &info, err, sizeof err), TEND_STORE_ERROR);
    assert_non_null(strstr(err, "already exists"));
    assert_int_equal(stat(f->db, &sb), 0);
    assert_int_equal(sb.st_size, before);
    assert_int_equal(tend_store_open(f->db, &s, err, sizeof err), TEND_STORE_OK);
    tend_store_close(s);
}

/* What /healthz reports: the last failure, until a transaction writes again (one that writes
 * nothing, like a scheduler tick with nothing due, proves nothing about the disk). */
static void a_failed_write_is_remembered_until_one_succeeds(void **state)
{
    files *f = *state;
    tend_store *s = NULL;
    char err[256];
    assert_int_equal(tend_store_open(f->db, &s, err, sizeof err), TEND_STORE_OK);
    assert_int_equal(tend_store_failing(s), TEND_STORE_OK);
    sqlite3_exec(store_db(s), "PRAGMA query_only = 1", NULL, NULL, NULL); /* writes now fail: read-only */
    assert_int_equal(tend_store_begin(s), TEND_STORE_READONLY);
    assert_int_equal(tend_store_failing(s), TEND_STORE_READONLY);
    sqlite3_exec(store_db(s), "PRAGMA query_only = 0", NULL, NULL, NULL);
    assert_int_equal(tend_store_begin(s), TEND_STORE_OK);
    assert_int_equal(tend_store_commit(s), TEND_STORE_OK); /* wrote nothing */
    assert_int_equal(tend_store_failing(s), TEND_STORE_READONLY);
    assert_int_equal(tend_store_begin(s), TEND_STORE_OK);
    add_group(s, "console:rw");
    assert_int_equal(tend_store_commit(s), TEND_STORE_OK);
    assert_int_equal(tend_store_failing(s), TEND_STORE_OK);
    tend_store_close(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(a_new_database_and_its_wal_and_shm_are_the_owners_alone, setup, teardown),
        cmocka_unit_test_setup_teardown(an_existing_database_keeps_the_mode_its_owner_gave_it, setup, teardown),
        cmocka_unit_test_setup_teardown(a_backup_is_private_complete_and_one_file, setup, teardown),
        cmocka_unit_test_setup_teardown(a_backup_never_overwrites_and_needs_a_database, setup, teardown),
        cmocka_unit_test_setup_teardown(a_failed_write_is_remembered_until_one_succeeds, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
