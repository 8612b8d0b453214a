/*
 * app.h — the running daemon: one libuv loop, the adapters the config asks for (each given a host,
 * adapters/host.h), the outbox sender, and the scheduler's timer. main() creates it, runs it,
 * destroys it. Adapters never see this header.
 */
#ifndef TEND_APP_H
#define TEND_APP_H

#include <stdbool.h>
#include <stdint.h>

#include <uv.h>

#include "adapters/adapter.h"
#include "bot/bot.h"
#include "config/config.h"

typedef struct tend_app tend_app;

/* Creates the adapters on `loop`: the console when `console` is true or when no chat platform is
 * configured, else each of Discord, Matrix and Telegram that is. Turns the bot's outbox on. The app borrows
 * loop, bot and cfg (they must outlive it). NULL with a one-line reason in err. */
tend_app *tend_app_create(uv_loop_t *loop, tend_bot *bot, const tend_config *cfg, bool console, char *err,
                          size_t errlen);

/* Delivers what earlier runs left in the outbox, starts the adapters and the scheduler, then runs
 * the loop until every handle is closed (after tend_app_stop, SIGINT or SIGTERM). 0 on a clean
 * end, non-zero when something could not start or an adapter stopped for good. */
int tend_app_run(tend_app *app);

/* Queues what earlier runs committed to the outbox but did not deliver (tend_app_run does this
 * after starting the adapters). 0, or -1 when the store could not be read. */
int tend_app_resume_outbox(tend_app *app);

/* Begins an orderly shutdown: adapters stop, the timer and signal watchers close, the loop drains.
 * Safe to call more than once and from any callback on the loop. */
void tend_app_stop(tend_app *app);

/* Destroys the adapters and the sender; call after tend_app_run returned. Accepts NULL. */
void tend_app_destroy(tend_app *app);

/* Makes `host` one of this app's hosts for `platform`, as each adapter is given (for tests and
 * tools that drive an adapter's parts by hand). */
void tend_app_host_init(tend_app *app, tend_host *host, const char *platform);

/* The adapter of `platform`, or NULL (for tests). */
tend_adapter *tend_app_adapter(tend_app *app, const char *platform);

/* What a member's command made due, sent at once: their own nudge (tend_scheduler_after_command),
 * then, when the command made anything else due now (a member promoted from a waitlist, next week's
 * copy of a done weekly task), one slice of the scheduler; then the timer is re-armed to the new
 * next due time. The host runs it after every command that wrote a row a due time depends on.
 * Cheap whatever the number of groups and members: nothing is visited that is not due.
 * With `may_wait`, the look for the next due time is made at most once per
 * TEND_APP_DUE_LOOK_MS: a command in between arms the timer within that much instead, and the
 * tick finds what it made due (a chat platform's burst of commands needs one look, not one each;
 * the console answers a keyboard and looks every time). 0, or -1 when the store failed. */
int tend_app_after_command(tend_app *app, const char *group_key, const char *member_key, bool may_wait);

/* Runs everything due at the clock's now (slice after slice) and sends it, then re-arms the timer.
 * 0 or -1. */
int tend_app_tick(tend_app *app);

/* Moves the clock `seconds` forward (the console's :advance), stopping at each moment something
 * falls due and running it then. 0, or -1 when the scheduler could not finish somewhere. */
int tend_app_advance(tend_app *app, int64_t seconds);

#endif
