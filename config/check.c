/*
 * check.c — what start-up will touch on disk, checked before it does: the database's folder and
 * file. `tend --check-config` and a real start run the same checks, so "ok" means it will start.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/config.h"

typedef struct {
    char *buf;
    size_t len, used;
} lines;

static void add_line(lines *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void add_line(lines *l, const char *fmt, ...)
{
    if (!l->buf || l->len == 0 || l->used + 1 >= l->len)
        return;
    if (l->used > 0)
        l->buf[l->used++] = '\n';
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(l->buf + l->used, l->len - l->used, fmt, ap);
    va_end(ap);
    if (n > 0)
        l->used += (size_t)n < l->len - l->used ? (size_t)n : l->len - l->used - 1;
    l->buf[l->used] = '\0';
}

/* The folder part of path ("." when there is none). */
static void folder_of(const char *path, char *dir, size_t len)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        snprintf(dir, len, ".");
    else if (slash == path)
        snprintf(dir, len, "/");
    else
        snprintf(dir, len, "%.*s", (int)(slash - path), path);
}

/* The nearest folder above a missing one that exists, for "can the default path be made". */
static void existing_ancestor(char *dir)
{
    struct stat sb;
    while (stat(dir, &sb) != 0) {
        char *slash = strrchr(dir, '/');
        if (!slash) {
            memcpy(dir, ".", 2); /* dir holds a path, so room for "." */
            return;
        }
        if (slash == dir) {
            dir[1] = '\0';
            return;
        }
        *slash = '\0';
    }
}

int tend_config_check_files(const tend_config *cfg, char *err, size_t errlen, char *warn, size_t warnlen)
{
    lines problems = {err, errlen, 0}, warnings = {warn, warnlen, 0};
    if (err && errlen)
        err[0] = '\0';
    if (warn && warnlen)
        warn[0] = '\0';
    const char *db = cfg->database;
    if (!db || strcmp(db, ":memory:") == 0 || strstr(db, "://") || (cfg->store_url && *cfg->store_url))
        return 0; /* in memory, or on a PostgreSQL server: no file here to check */
    int count = 0;
    char dir[4096];
    folder_of(db, dir, sizeof dir);
    struct stat sb;
    if (stat(db, &sb) == 0) {
        if (S_ISDIR(sb.st_mode)) {
            add_line(&problems, "database %s: is a folder; [store] database names the file, such as %s/tend.db",
                     db, db);
            return 1;
        }
        if (!S_ISREG(sb.st_mode)) {
            add_line(&problems, "database %s: is not a regular file", db);
            return 1;
        }
        if (access(db, R_OK) != 0) {
            add_line(&problems, "database %s: tend cannot read it (%s)", db, strerror(errno));
            return 1;
        }
        /* Read-only is a state tend runs in (members hear that nothing can be recorded); say it. */
        if (access(db, W_OK) != 0 || access(dir, W_OK | X_OK) != 0)
            add_line(&warnings, "database %s: read-only here; tend will answer but cannot record anything", db);
        if (sb.st_mode & 077)
            add_line(&warnings, "database %s: other users can read it (members' notes are in it); "
                                "run: chmod 600 %s*", db, db);
        return 0;
    }
    if (stat(dir, &sb) != 0) {
        if (!cfg->database_is_default) {
            add_line(&problems, "database %s: its folder %s does not exist", db, dir);
            return 1;
        }
        existing_ancestor(dir); /* tend makes the default folder; can it? */
    } else if (!S_ISDIR(sb.st_mode)) {
        add_line(&problems, "database %s: %s is not a folder", db, dir);
        return 1;
    }
    if (access(dir, W_OK | X_OK) != 0) {
        add_line(&problems, "database %s: tend cannot create it in %s (%s)", db, dir, strerror(errno));
        count++;
    }
    return count;
}
