/*
 * ops.h — what the person running tend sees of it while it runs: systemd's READY, WATCHDOG and
 * STATUS notifications, SIGHUP (the configuration read again; the log level follows), and the
 * optional health and metrics endpoint ([ops] listen). The app starts it once its own signal
 * watchers are in place and stops it with everything else.
 */
#ifndef TEND_OPS_H
#define TEND_OPS_H

#include <stddef.h>

#include <uv.h>

#include "adapters/adapter.h"
#include "bot/bot.h"
#include "config/config.h"

typedef struct tend_ops tend_ops;

/* Blocks SIGINT, SIGTERM and SIGHUP until tend_ops_start has watchers for them on the loop, so a
 * signal in tend's first milliseconds is handled (an orderly stop, a reload) instead of ending the
 * process by default. main() calls it first thing. */
void tend_ops_hold_signals(void);

/* Starts on `loop`: the SIGHUP watcher, the watchdog timer when systemd asked for one, the health
 * endpoint when cfg->ops_listen is set, READY=1 once the loop runs; then lets held signals in.
 * `adapters` are the running chat adapters (their platforms must be connected for /healthz to
 * say 200); ops borrows everything it is given. Returns the object (stop and destroy it even on
 * failure) and fills err with a one-line reason when something configured could not start.
 * NULL only when memory ran out. */
tend_ops *tend_ops_start(uv_loop_t *loop, tend_bot *bot, const tend_config *cfg, tend_adapter *const *adapters,
                         size_t n_adapters, char *err, size_t errlen);
/* The store /healthz asks instead of the bot's: the loop's own connection, when the bot's belongs
 * to the store thread (app/host_async.c), and `failing`, what the thread last published of its
 * own (tend_store_failing; read on the loop). Accepts NULL ops. */
void tend_ops_use_store(tend_ops *ops, tend_store *store, const int *failing);
/* Tells systemd tend is stopping and closes ops' handles. Accepts NULL; safe to call twice. */
void tend_ops_stop(tend_ops *ops);
/* Frees everything once the loop has drained. Accepts NULL. */
void tend_ops_destroy(tend_ops *ops);

#endif
