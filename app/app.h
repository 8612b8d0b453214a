/*
 * app.h — the running daemon: one libuv loop, the adapters the config asks for, and the scheduler's
 * timer. main() creates it, runs it, destroys it; adapters reach it through tend_app_of() to hand
 * over messages that are not theirs and to let the scheduler run right after a command.
 */
#ifndef TEND_APP_H
#define TEND_APP_H

#include <stdbool.h>

#include <uv.h>

#include "adapters/adapter.h"
#include "bot/bot.h"
#include "config/config.h"

typedef struct tend_app tend_app;

/* Creates the adapters on `loop`: the console when `console` is true or when neither Discord nor
 * Matrix is configured, else Discord and/or Matrix. The app borrows loop, bot and cfg (they must
 * outlive it) and sets loop->data to itself. NULL with a one-line reason in err. */
tend_app *tend_app_create(uv_loop_t *loop, tend_bot *bot, const tend_config *cfg, bool console, char *err,
                          size_t errlen);

/* Starts the adapters and the scheduler, then runs the loop until every handle is closed (after
 * tend_app_stop, SIGINT or SIGTERM). 0 on a clean end, 1 when something could not start. */
int tend_app_run(tend_app *app);

/* Begins an orderly shutdown: adapters stop, the timer and signal watchers close, the loop drains.
 * Safe to call more than once and from any callback on the loop. */
void tend_app_stop(tend_app *app);

/* Like tend_app_stop, for an adapter that cannot go on (a refused token, a fatal close code):
 * tend_app_run then returns 1, so a service manager sees the failure. */
void tend_app_fail(tend_app *app);

/* Destroys the adapters; call after tend_app_run returned. Accepts NULL. */
void tend_app_destroy(tend_app *app);

/* The app that owns the adapter's loop, or NULL when the adapter runs without one (tests). */
tend_app *tend_app_of(const tend_adapter *adapter);

/* Hands msg to the adapter of its group's platform (the text before ':' in msg->group_key).
 * 0, or -1 when no such adapter runs (logged). */
int tend_app_deliver(tend_app *app, const tend_message *msg);

/* What a member's command made due, delivered at once: their own nudge (tend_scheduler_after_command),
 * then, when the command made anything else due now (a member promoted from a waitlist, next week's
 * copy of a done weekly task), one slice of the scheduler; then the timer is re-armed to the new
 * next due time. Every adapter calls it after handling a command. Cheap whatever the number of
 * groups and members: nothing is visited that is not due. 0, or -1 when the store failed. */
int tend_app_after_command(tend_app *app, const char *group_key, const char *member_key);

/* Runs everything due at the clock's now (slice after slice) and delivers it, then re-arms the
 * timer: for the console's :advance, which moves the clock itself. 0 or -1. */
int tend_app_tick(tend_app *app);

#endif
