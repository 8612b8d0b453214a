/*
 * console_impl.h — what the console's input side (console.c) and its line handling
 * (console_lines.c) share. Not for other modules.
 */
#ifndef TEND_CONSOLE_IMPL_H
#define TEND_CONSOLE_IMPL_H

#include <limits.h>
#include <stdbool.h>
#include <stdio.h>

#include "adapters/console/console.h"

#define CONSOLE_KEY_MAX 256 /* TEND_KEY_MAX: the console's member key is the name, 60 characters */

typedef enum { CONSOLE_IN_NONE, CONSOLE_IN_TTY, CONSOLE_IN_PIPE, CONSOLE_IN_FILE } console_input;

typedef struct console {
    tend_adapter adapter;            /* adapter.impl points back here */
    FILE *out;
    char group_key[CONSOLE_KEY_MAX]; /* "console:<group>", also the channel */
    char member[CONSOLE_KEY_MAX];    /* who is typing: key and name at once */
    bool in_room;                    /* typing in the group room (:room), not the private chat (:dm) */
    console_input input;
    union {
        uv_tty_t tty;
        uv_pipe_t pipe;
    } stream;
    uv_fs_t fs_req;
    bool fs_busy;                    /* a read request is in flight            */
    bool interactive;                /* a terminal: greet and prompt           */
    bool stopping, quit;
    char chunk[65536];               /* one read's bytes                        */
    char *line;                      /* the line being assembled               */
    size_t line_len, line_cap;
    bool line_too_long;
    char files_dir[PATH_MAX];        /* where files that messages carry are written */
} console;

/* Files beside the database (console_files.c): sets c->files_dir from the database's path. */
void console_files_init(console *c, const char *database);
/* Writes the file under c->files_dir with mode 0600, never over an earlier one; its path goes to
 * `path`. 0, or -1 with a one-line reason in err (nothing is left half-written). */
int console_write_file(console *c, const tend_attachment *file, char *path, size_t pathlen, char *err,
                       size_t errlen);

/* Feeds raw input bytes; complete lines are handled at once. Returns 1 once a line asked to quit. */
int console_feed(console *c, const char *bytes, size_t len);
/* Handles what is left without a newline at end of input. */
void console_feed_end(console *c);
/* Prints the short prompt when a person is typing. */
void console_prompt(console *c);

#endif
