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
};

/* The host functions the adapters are given (host.c). */
extern const tend_host_ops tend_app_host_ops;

/* Test-only crash points, so the crash tests can stop tend exactly between a commit and a send:
 * when TEND_TEST_FAILPOINT names `point` ("after-commit": a command committed, its answers not
 * yet handed to the sender; "after-fire": a scheduled post committed, not yet sent), the process
 * kills itself with SIGKILL, as a power cut would. Costs one getenv at start otherwise. */
void tend_app_failpoint(const char *point);

/* What the bot said, queued for delivery (the outbox rows were written with their cause). */
void tend_app_take(tend_app *app, tend_messages *said);

#endif
