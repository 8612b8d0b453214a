/*
 * backup.c — an online copy of the database with SQLite's backup API, safe while tend runs.
 *
 * The copy is made by `tend --backup FILE`, a separate short-lived process: it opens the live
 * database without migrating it (a newer binary must not change the schema under a running older
 * one), copies it a hundred pages at a time, waiting briefly whenever tend holds the write lock,
 * then turns the copy into a single self-contained file (rollback journal, no -wal beside it) and
 * checks it. The file is created 0600 before SQLite writes a byte, for the same reason the
 * database is: it holds members' private notes.
 */
#include "store/sqlite/internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define PAGES_PER_STEP 100
#define BUSY_TRIES 200 /* 10 s of 50 ms pauses while tend holds the lock */

static void pause_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static int copy_pages(sqlite3 *src, sqlite3 *dst, char *err, size_t errlen)
{
    sqlite3_backup *b = sqlite3_backup_init(dst, "main", src, "main");
    if (!b) {
        snprintf(err, errlen, "cannot start the copy: %s", sqlite3_errmsg(dst));
        return sqlite3_errcode(dst);
    }
    int rc, busy = 0;
    while ((rc = sqlite3_backup_step(b, PAGES_PER_STEP)) == SQLITE_OK || rc == SQLITE_BUSY ||
           rc == SQLITE_LOCKED) {
        if (rc != SQLITE_OK) {
            if (++busy > BUSY_TRIES)
                break;
            pause_ms(50);
        }
    }
    int fin = sqlite3_backup_finish(b);
    if (rc != SQLITE_DONE) {
        snprintf(err, errlen, "the copy stopped: %s", sqlite3_errstr(rc));
        return rc;
    }
    if (fin != SQLITE_OK) {
        snprintf(err, errlen, "the copy could not finish: %s", sqlite3_errmsg(dst));
        return fin;
    }
    return SQLITE_OK;
}

/* A backup is one file: leave WAL mode, then check what was written. */
static int seal(sqlite3 *dst, int *schema, char *err, size_t errlen)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_exec(dst, "PRAGMA journal_mode = DELETE;", NULL, NULL, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_prepare_v2(dst, "PRAGMA quick_check", -1, &st, NULL);
    if (rc == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW) {
        const unsigned char *verdict = sqlite3_column_text(st, 0);
        if (!verdict || strcmp((const char *)verdict, "ok") != 0) {
            snprintf(err, errlen, "the copy did not pass SQLite's quick_check");
            rc = SQLITE_CORRUPT;
        }
    } else if (rc == SQLITE_OK) {
        rc = sqlite3_errcode(dst);
    }
    sqlite3_finalize(st);
    st = NULL;
    if (rc == SQLITE_OK && sqlite3_prepare_v2(dst, "PRAGMA user_version", -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        *schema = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    if (rc != SQLITE_OK && !err[0])
        snprintf(err, errlen, "cannot finish the copy: %s", sqlite3_errmsg(dst));
    return rc;
}

int tend_store_backup(const char *db_path, const char *dest, tend_store_backup_info *info, char *err,
                      size_t errlen)
{
    err[0] = '\0';
    memset(info, 0, sizeof *info);
    if (tend_store_is_url(db_path)) {
        snprintf(err, errlen, "tend backup copies a SQLite file; a PostgreSQL database is backed up with "
                              "pg_dump (pg_dump -Fc -f FILE DBNAME) while tend runs");
        return TEND_STORE_ERROR;
    }
    struct stat sb;
    if (stat(db_path, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        snprintf(err, errlen, "there is no database at %s", db_path);
        return TEND_STORE_NOTFOUND;
    }
    int fd = open(dest, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        int e = errno;
        if (e == EEXIST)
            snprintf(err, errlen, "%s already exists; a backup never overwrites a file, choose a new name", dest);
        else
            snprintf(err, errlen, "cannot create %s: %s", dest, strerror(e));
        return store_disk_full(e) ? TEND_STORE_FULL : TEND_STORE_ERROR;
    }
    close(fd);
    sqlite3 *src = NULL, *dst = NULL;
    int rc = sqlite3_open_v2(db_path, &src, SQLITE_OPEN_READWRITE, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_open_v2(dest, &dst, SQLITE_OPEN_READWRITE, NULL);
    if (rc != SQLITE_OK)
        snprintf(err, errlen, "cannot open %s: %s", dst ? dest : db_path,
                 sqlite3_errmsg(dst ? dst : src));
    if (rc == SQLITE_OK) {
        sqlite3_busy_timeout(src, 2000);
        rc = copy_pages(src, dst, err, errlen);
    }
    if (rc == SQLITE_OK)
        rc = seal(dst, &info->schema, err, errlen);
    sqlite3_close(src);
    sqlite3_close(dst);
    if (rc != SQLITE_OK) {
        unlink(dest); /* half a backup is worse than none: it looks like one */
        char journal[4200];
        snprintf(journal, sizeof journal, "%s-journal", dest);
        unlink(journal);
        int code = (rc & 0xff) == SQLITE_FULL || ((rc & 0xff) == SQLITE_IOERR && store_nearly_no_space(dest))
                       ? TEND_STORE_FULL
                       : TEND_STORE_ERROR;
        if (code == TEND_STORE_FULL)
            snprintf(err, errlen, "the disk holding %s is full; the partial copy was removed", dest);
        return code;
    }
    if (stat(dest, &sb) == 0)
        info->bytes = (long long)sb.st_size;
    return TEND_STORE_OK;
}
