/*
 * internal.h — what app.c and host.c share: the app's one struct. Nothing outside app/ includes it.
 */
#ifndef TEND_APP_INTERNAL_H
#define TEND_APP_INTERNAL_H

#include <stdbool.h>

#include <uv.h>

#include "adapters/adapter.h"
#include "app/app.h"
#include "app/batch.h"
#include "app/leases.h"
#include "app/ops.h"
#include "app/sender.h"
#include "bot/bot.h"
#include "config/config.h"

#define TEND_APP_MAX_ADAPTERS 4

struct tend_app {
    uv_loop_t *loop;
    tend_bot *bot;
    const tend_config *cfg;
    tend_sender *sender;
    tend_batch *batch;     /* group commit of a turn's commands (batch.c) */
    tend_adapter *adapters[TEND_APP_MAX_ADAPTERS];
    tend_host hosts[TEND_APP_MAX_ADAPTERS]; /* one per adapter, bound to its platform */
    size_t n_adapters;
    uv_timer_t timer;
    uv_signal_t sigint, sigterm;
    bool handles_open;
    bool stopping;
    bool ticking, tick_again;
    int failed;
    tend_ops *ops; /* systemd, SIGHUP, the health endpoint (app/ops.c) */
    /* an adapter in standby is created but not started: another process holds its lease */
    bool standby[TEND_APP_MAX_ADAPTERS];
    tend_lease *matrix_lease; /* the Matrix account's sync, one process at a time (leases.h) */
    tend_lease *process_lease; /* "this process is alive": others leave its outbox rows alone */
    uv_timer_t orphan_timer;   /* looks for outbox rows of stopped processes (orphans.c) */
    bool orphan_timer_open;
};

/* The host functions the adapters are given (host.c). */
extern const tend_host_ops tend_app_host_ops;

/* Test-only crash points, so the crash tests can stop tend exactly between a commit and a send:
 * when TEND_TEST_FAILPOINT names `point` ("after-commit": a command committed, its answers not
 * yet handed to the sender; "after-fire": a scheduled post committed, not yet sent), the process
 * kills itself with SIGKILL, as a power cut would. Costs one getenv at start otherwise. */
void tend_app_failpoint(const char *point);

/* Claims and queues the undelivered rows of gone processes for `platform` (NULL: every platform
 * this process runs, not those in standby) (orphans.c). */
void tend_app_claim_orphans(tend_app *app, const char *platform);
/* The timer that does it every TEND_LEASE_RENEW_MS; stop closes it. */
int tend_app_orphans_start(tend_app *app);
void tend_app_orphans_stop(tend_app *app);

/* What the bot said, queued for delivery (the outbox rows were written with their cause). */
void tend_app_take(tend_app *app, tend_messages *said);

#endif
