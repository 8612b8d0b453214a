/*
 * console.h — stdin/stdout: the embedded default and the demo. Each input line is a message from
 * the current member, typed in their private chat with the bot unless ":room" moved them into the
 * group's room (where others read along; ":dm" goes back); ":as NAME" switches member,
 * ":advance 3d" moves the clock (and runs what falls due), ":quit" or end of input exits. Output
 * lines start with [public], [private NAME] or [dm NAME].
 */
#ifndef TEND_CONSOLE_H
#define TEND_CONSOLE_H

#include <stdio.h>

#include "adapters/adapter.h"
#include "config/config.h"

/* NULL on OOM. Reads stdin once started; writes to stdout unless tend_console_set_output says else. */
tend_adapter *tend_console_adapter_create(uv_loop_t *loop, tend_host *host, const tend_config *cfg);

/* "console:<group>": the one group this console speaks for. The app has the scheduler serve only
 * it, so a console opened as group beta on a file that holds group alpha neither prints nor uses up
 * alpha's prompts, suggestions and digest. */
const char *tend_console_group_key(const tend_adapter *console);

/* Where the console prints (tests pass a memory stream). */
void tend_console_set_output(tend_adapter *console, FILE *out);

/* Handles one input line as if typed: a command, a comment ("# ..."), or :as / :dm / :room /
 * :advance / :quit.
 * Returns 1 when the line asked to quit, else 0. */
int tend_console_handle_line(tend_adapter *console, const char *line);

/* Prints one message the way the console shows it: "[public] text", "[private NAME] text" or
 * "[dm NAME] text", further lines indented two spaces, buttons on one more indented line. */
void tend_console_print(FILE *out, const tend_message *msg);

#endif
