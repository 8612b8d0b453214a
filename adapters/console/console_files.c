/*
 * console_files.c — a file a message carries (an export, a calendar) is written where the
 * console's user can open it: a folder beside the database, readable by its owner only, since an
 * export holds a member's check-ins and notes. The console prints the path.
 *
 * The write is a few open/write/close calls on the loop, like SQLite's own writes beside it; a
 * console is one person at a keyboard, and a file is written only when they asked for one.
 */
#include "adapters/console/console_impl.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define FILES_FOLDER "tend-files"

void console_files_init(console *c, const char *database)
{
    const char *db = database && *database && strcmp(database, ":memory:") != 0 ? database : NULL;
    const char *slash = db ? strrchr(db, '/') : NULL;
    if (slash)
        snprintf(c->files_dir, sizeof c->files_dir, "%.*s/" FILES_FOLDER, (int)(slash - db + (slash == db)), db);
    else
        snprintf(c->files_dir, sizeof c->files_dir, FILES_FOLDER);
}

/* Writes all of data to fd. 0, or an errno. */
static int write_all(int fd, const char *data, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, data, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return n < 0 ? errno : EIO;
        data += n;
        len -= (size_t)n;
    }
    return 0;
}

int console_write_file(console *c, const tend_attachment *file, char *path, size_t pathlen, char *err, size_t errlen)
{
    if (mkdir(c->files_dir, 0700) != 0 && errno != EEXIST) {
        snprintf(err, errlen, "cannot make the folder %s: %s", c->files_dir, strerror(errno));
        return -1;
    }
    char dir[PATH_MAX];
    if (!realpath(c->files_dir, dir))
        snprintf(dir, sizeof dir, "%s", c->files_dir);
    /* never over an earlier file: "name.json", then "name-2.json", ... */
    const char *dot = strrchr(file->name, '.');
    int stem = dot && dot != file->name ? (int)(dot - file->name) : (int)strlen(file->name);
    const char *ext = dot && dot != file->name ? dot : "";
    int fd = -1, why = 0;
    for (int n = 1; n <= 1000 && fd < 0; n++) {
        if (n == 1)
            snprintf(path, pathlen, "%s/%s", dir, file->name);
        else
            snprintf(path, pathlen, "%s/%.*s-%d%s", dir, stem, file->name, n, ext);
        fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        why = fd < 0 ? errno : 0;
        if (fd < 0 && why != EEXIST)
            break;
    }
    if (fd < 0) {
        snprintf(err, errlen, "cannot write %s: %s", path, strerror(why));
        return -1;
    }
    why = write_all(fd, file->data, file->len);
    if (close(fd) != 0 && !why)
        why = errno;
    if (why) {
        snprintf(err, errlen, "cannot write %s: %s", path, strerror(why));
        unlink(path);
        return -1;
    }
    return 0;
}
