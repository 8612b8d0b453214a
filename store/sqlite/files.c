/*
 * files.c — the database's files as files: created for their owner alone, and a full disk told
 * apart from SQLite's other I/O errors.
 */
#include "store/sqlite/internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/statvfs.h>
#include <unistd.h>

/* A new database is created readable by its owner alone: it holds members' check-in notes and, after
 * a Matrix password login, the bot's access token. SQLite gives the -wal and -shm files the mode of
 * the database file itself, so creating the file first (empty: SQLite takes an empty file as a new
 * database) covers all three, whatever the umask. 0, or the errno that stopped the creation. */
int store_create_private(const char *path)
{
    if (!path[0] || strcmp(path, ":memory:") == 0 || strncmp(path, "file:", 5) == 0)
        return 0;
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd >= 0)
        return close(fd), 0;
    return errno == EEXIST ? 0 : errno;
}

bool store_disk_full(int error)
{
    return error == ENOSPC || error == EDQUOT;
}

/* SQLite reports a WAL or -shm it cannot grow as one of several I/O errors ("disk I/O error");
 * at start, with next to no space left where the database lives, that is what it means. */
bool store_nearly_no_space(const char *path)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (!slash)
        snprintf(dir, sizeof dir, ".");
    else
        slash[slash == dir ? 1 : 0] = '\0';
    struct statvfs vfs;
    return statvfs(dir, &vfs) == 0 && (unsigned long long)vfs.f_bavail * vfs.f_frsize < 256 * 1024;
}

