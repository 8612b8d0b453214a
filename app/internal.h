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
    int processes_alive;       /* tend processes on this database with a live process lease (orphans.c) */
    /* On PostgreSQL (app/host_async.c): the bot, its store and the scheduler's tick run on the store
     * thread; the loop keeps a connection of its own for the adapters' small calls and the sender */
    struct tend_storeq *storeq;
    tend_store *loop_store;
    int store_failing; /* the store thread's tend_store_failing, published with each job's done */
    struct state_write *state_writes; /* adapter state written behind queued commands (host_async.c) */
    size_t commands_queued; /* handed to the store thread, their done not yet run */
    bool tick_queued;
    uint64_t due_looked_ms; /* when a command last looked for the next due time (the store thread's
                             * on PostgreSQL, the loop's on SQLite) */
    /* an adapter's work split with other processes (a Discord bot's shards): host_share.c */
    struct tend_share *shares[TEND_APP_MAX_ADAPTERS];
    tend_host_share_cb share_cb[TEND_APP_MAX_ADAPTERS];
    void *share_ud[TEND_APP_MAX_ADAPTERS];
};

/* The host functions the adapters are given (host.c), and on PostgreSQL (host_async.c). */
extern const tend_host_ops tend_app_host_ops;
extern const tend_host_ops tend_app_host_async_ops;

/* host_async.c: when this app should run its bot on a store thread (a PostgreSQL store, and
 * Discord and/or Matrix only: see the file's comment), opens the loop's own connection
 * (app->loop_store). 0 (nothing changed when it should not), or -1 with err filled when it should
 * but cannot. */
int tend_app_async_open(tend_app *app, bool console, char *err, size_t errlen);
/* Starts the store thread (tend_app_run, once the bot is set up). 0, or -1 with err filled. */
int tend_app_async_start(tend_app *app, char *err, size_t errlen);
/* The scheduler's timer fired: the tick runs as a store-thread job (one at a time). */
void tend_app_async_tick(tend_app *app);
/* The platforms this process delivers to (tend_bot_serve_platforms), set behind the queued jobs
 * when the bot is on the store thread (the Matrix lease is taken while it runs). 1 when there is
 * no store thread (the caller sets them itself), 0 when queued, -1 when it could not be. */
int tend_app_async_serve(tend_app *app, const char *const *names, size_t n);
/* Runs every queued job and its done, then stops the thread (at stop). Accepts an app without. */
void tend_app_async_close(tend_app *app);
/* After the thread is gone: closes the loop's connection. */
void tend_app_async_destroy(tend_app *app);

/* host_share.c: tend_host_share and tend_host_share_given_back for both hosts; the shares stop
 * looking with the app, and give their parts back once the adapters have drained. */
int tend_app_host_share(tend_host *h, const char *name, int parts, tend_host_share_cb cb, void *ud);
void tend_app_host_share_given_back(tend_host *h, int part);
void tend_app_shares_stop(tend_app *app);
void tend_app_shares_release(tend_app *app);

/* Sleeps until `due` (unix seconds), at least min_ms and at most a minute (app.c). */
void tend_app_arm_timer_at(tend_app *app, int64_t due, int64_t min_ms);
#define TEND_APP_TICK_MIN_MS 1000
/* After a command, the next due time is looked for at most this often. On PostgreSQL the look is
 * a dozen statements (a third of the server's work per command, measured with bench/processes.py);
 * on SQLite about 90k instructions, 7% of an interaction (bench/instructions). A burst of commands
 * needs it once: in between, the timer fires within this much and the tick finds what those
 * commands made due (a waitlist promoted, next week's copy of a task). */
#define TEND_APP_DUE_LOOK_MS 1000
/* Starts the scheduler's timer to fire within ms, unless it fires sooner already (app.c). */
void tend_app_arm_timer_within(tend_app *app, uint64_t ms);
#define TEND_APP_TICK_NEXT_SLICE_MS 1

/* The store the loop thread may use: the loop's own connection when the bot runs on a store thread
 * (host_async.c), else the one store. Leases, the orphan sweep and the sender use it. */
static inline tend_store *tend_app_loop_store(const tend_app *app)
{
    return app->loop_store ? app->loop_store : tend_bot_env(app->bot)->store;
}

/* The host's link_group on `store` (host.c): adapter state set and deleted and the group made, in
 * one transaction; both hosts call it, each with the store its thread may use. 0 or -1 (logged). */
int tend_app_link_group(tend_store *store, const char *platform, const char *const *set_keys,
                        const char *const *set_values, size_t n_set, const char *const *delete_keys,
                        size_t n_delete, const char *group_key, const char *channel_key, int64_t now);

/* Test-only crash points, so the crash tests can stop tend exactly between a commit and a send:
 * when TEND_TEST_FAILPOINT names `point` ("after-commit": a command committed, its answers not
 * yet handed to the sender; "after-fire": a scheduled post committed, not yet sent;
 * "before-removal": answers the platform accepted, their rows not yet removed), the process
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
