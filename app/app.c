/*
 * app.c — the composition root: the adapters the config asks for, each with its host; the outbox
 * sender; the scheduler's timer; an orderly stop on SIGINT/SIGTERM.
 *
 * One thread, one libuv loop. The scheduler is a timer that sleeps until tend_bot_next_due()
 * (never more than a minute, so a changed clock or a new group is noticed, and never less than a
 * second, so a scheduler that keeps saying "now" cannot spin the loop). When much is due at once
 * (10,000 groups' prompts in the same minute) it runs in slices of TEND_SCHEDULER_SLICE with the
 * loop's I/O in between, so heartbeats and commands are not held up behind the whole batch.
 */
#include "app/app.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adapters/console/console.h"
#include "adapters/discord/discord.h"
#include "adapters/matrix/matrix.h"
#include "adapters/signal/signal.h"
#include "adapters/telegram/telegram.h"
#include "app/internal.h"
#include "bot/scheduler.h"
#include "lib/log.h"

#define MAX_ADAPTERS TEND_APP_MAX_ADAPTERS
#define TEND_APP_MATRIX "matrix" /* the Matrix adapter's platform name (adapters/matrix/internal.h) */
#define TICK_MAX_MS 60000
#define TICK_MIN_MS 1000
#define TICK_NEXT_SLICE_MS 1 /* not 0: a 0 ms timer started in a timer callback runs before I/O */


typedef tend_adapter *(*adapter_factory)(uv_loop_t *loop, tend_host *host, const tend_config *cfg);

/* Creates one adapter with a host of its own; false when it is configured but cannot run. */
static bool add_adapter(tend_app *app, adapter_factory create, const char *platform)
{
    if (app->n_adapters == MAX_ADAPTERS)
        return false;
    tend_host *host = &app->hosts[app->n_adapters];
    tend_app_host_init(app, host, platform);
    tend_adapter *a = create(app->loop, host, app->cfg);
    if (!a)
        return false; /* the adapter logged why */
    app->adapters[app->n_adapters++] = a;
    return true;
}

static tend_adapter *route(void *ud, const char *platform)
{
    tend_app *app = ud;
    for (size_t i = 0; i < app->n_adapters; i++)
        if (strcmp(app->adapters[i]->ops->platform, platform) == 0)
            return app->adapters[i];
    return NULL;
}

/* The scheduler serves the groups of the platforms this process runs now: a platform in standby
 * is served by the process holding its lease, so its posts are not made twice (nor queued here
 * for an adapter that is not running). */
static void serve_platforms(tend_app *app)
{
    const char *platforms[MAX_ADAPTERS];
    size_t n = 0;
    for (size_t i = 0; i < app->n_adapters; i++) { /* a console serves its own group, no other console's */
        if (app->standby[i])
            continue;
        const char *platform = app->adapters[i]->ops->platform;
        platforms[n++] = strcmp(platform, "console") == 0 ? tend_console_group_key(app->adapters[i]) : platform;
    }
    int rc = tend_app_async_serve(app, platforms, n); /* the bot may be on the store thread */
    if (rc < 0)
        tend_log(TEND_LOG_WARN, "app", "cannot say which platforms this process serves");
    else if (rc > 0)
        tend_bot_serve_platforms(app->bot, platforms, n);
}

tend_app *tend_app_create(uv_loop_t *loop, tend_bot *bot, const tend_config *cfg, bool console, char *err,
                          size_t errlen)
{
    err[0] = '\0';
    tend_app *app = calloc(1, sizeof *app);
    if (!app) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    app->loop = loop;
    app->bot = bot;
    app->cfg = cfg;
    const tend_env *env = tend_bot_env(bot);
    if (tend_app_async_open(app, console, err, errlen) != 0) { /* PostgreSQL: the bot off the loop */
        free(app);
        return NULL;
    }
    app->sender = tend_sender_create(loop, tend_app_loop_store(app), env->clock, route, app);
    if (!app->sender) {
        snprintf(err, errlen, "cannot set up the outbox (see the line above)");
        tend_app_async_destroy(app);
        free(app);
        return NULL;
    }
    tend_bot_use_outbox(bot);
    /* the rows this process writes are its to send; others take them only once it is gone */
    tend_store_outbox_set_owner(env->store, tend_lease_me());
    if (app->loop_store) /* the sender loads and claims through the loop's connection */
        tend_store_outbox_set_owner(app->loop_store, tend_lease_me());
    app->batch = tend_batch_create(app);
    bool discord = tend_config_has_discord(cfg), matrix = tend_config_has_matrix(cfg);
    bool signal_on = tend_config_has_signal(cfg);
    bool telegram = tend_config_has_telegram(cfg);
    if (console || (!discord && !matrix && !signal_on && !telegram)) {
        if (!add_adapter(app, tend_console_adapter_create, "console"))
            snprintf(err, errlen, "cannot start the console");
    } else {
        bool ok = true;
        if (discord)
            ok = add_adapter(app, tend_discord_adapter_create, "discord") && ok;
        if (matrix)
            ok = add_adapter(app, tend_matrix_adapter_create, "matrix") && ok;
        if (signal_on)
            ok = add_adapter(app, tend_signal_adapter_create, "signal") && ok;
        if (telegram)
            ok = add_adapter(app, tend_telegram_adapter_create, "telegram") && ok;
        if (!ok)
            snprintf(err, errlen, "a configured chat platform cannot start (see the lines above)");
    }
    /* the Matrix account is synced by one process of those sharing the database: this one waits
     * for the lease before it starts the adapter (tend_app_run) */
    for (size_t i = 0; i < app->n_adapters; i++)
        if ((app->standby[i] = strcmp(app->adapters[i]->ops->platform, TEND_APP_MATRIX) == 0))
            tend_metric_set(&TEND_M_PLATFORM_STANDBY, TEND_APP_MATRIX, NULL, 1);
    serve_platforms(app);
    if (app->n_adapters == 0 || err[0]) {
        if (!err[0])
            snprintf(err, errlen, "nothing to run");
        tend_app_destroy(app);
        return NULL;
    }
    return app;
}

void tend_app_host_init(tend_app *app, tend_host *host, const char *platform)
{
    host->ops = app->loop_store ? &tend_app_host_async_ops : &tend_app_host_ops;
    host->app = app;
    host->platform = platform;
}

tend_adapter *tend_app_adapter(tend_app *app, const char *platform)
{
    return route(app, platform);
}

void tend_app_failpoint(const char *point)
{
    static const char *armed;
    static bool looked;
    if (!looked) {
        armed = getenv("TEND_TEST_FAILPOINT");
        looked = true;
    }
    if (armed && strcmp(armed, point) == 0)
        raise(SIGKILL);
}

void tend_app_take(tend_app *app, tend_messages *said)
{
    tend_sender_take(app->sender, said);
    tend_messages_clear(said);
}

/* Runs one slice of the scheduler and delivers what it says: 0 when nothing due is left, 1 when
 * more is due, -1 when the store failed. A call from inside a delivery only asks for one more
 * slice, so the scheduler never runs inside itself. */
static int run_slice(tend_app *app)
{
    if (app->ticking) {
        app->tick_again = true;
        return 0;
    }
    app->ticking = true;
    app->tick_again = false;
    const tend_env *env = tend_bot_env(app->bot);
    tend_messages out;
    tend_messages_init(&out);
    int rc = tend_scheduler_tick_some(env, tend_clock_now(env->clock), TEND_SCHEDULER_SLICE, &out);
    if (out.count)
        tend_app_failpoint("after-fire");
    tend_app_take(app, &out);
    app->ticking = false;
    if (rc == 0 && app->tick_again)
        rc = 1;
    return rc;
}

static void on_timer(uv_timer_t *timer);

/* Sleeps until `due` (unix seconds), at least min_ms and at most a minute. */
static void arm_timer_at(tend_app *app, int64_t due, int64_t min_ms)
{
    if (app->stopping || !app->handles_open)
        return;
    int64_t wait_ms = (due - tend_clock_now(tend_bot_env(app->bot)->clock)) * 1000;
    if (wait_ms > TICK_MAX_MS)
        wait_ms = TICK_MAX_MS;
    if (wait_ms < min_ms)
        wait_ms = min_ms;
    uv_timer_start(&app->timer, on_timer, (uint64_t)wait_ms, 0);
}

void tend_app_arm_timer_at(tend_app *app, int64_t due, int64_t min_ms)
{
    arm_timer_at(app, due, min_ms);
}

void tend_app_arm_timer_within(tend_app *app, uint64_t ms)
{
    if (app->stopping || !app->handles_open)
        return;
    if (!uv_is_active((uv_handle_t *)&app->timer) || uv_timer_get_due_in(&app->timer) > ms)
        uv_timer_start(&app->timer, on_timer, ms, 0);
}

static void arm_timer(tend_app *app)
{
    arm_timer_at(app, tend_bot_next_due(app->bot), TICK_MIN_MS);
}

/* After a slice: straight on when more is due (the loop reads sockets and sends heartbeats in
 * between), else until the next due time. */
static void after_slice(tend_app *app, int rc)
{
    if (rc < 0)
        tend_log(TEND_LOG_WARN, "app", "the scheduler could not finish; it will try again");
    if (rc == 1)
        arm_timer_at(app, 0, TICK_NEXT_SLICE_MS);
    else
        arm_timer(app);
}

static void on_timer(uv_timer_t *timer)
{
    tend_app *app = timer->data;
    if (app->loop_store) {
        tend_app_async_tick(app);
        return;
    }
    after_slice(app, run_slice(app));
}

int tend_app_after_command(tend_app *app, const char *group_key, const char *member_key, bool may_wait)
{
    if (!app || app->stopping)
        return 0;
    const tend_env *env = tend_bot_env(app->bot);
    int64_t now = tend_clock_now(env->clock);
    tend_messages out;
    tend_messages_init(&out);
    int rc = tend_scheduler_after_command(env, group_key, member_key, now, &out);
    tend_app_take(app, &out);
    uint64_t now_ms = uv_now(app->loop);
    if (may_wait && now_ms - app->due_looked_ms < TEND_APP_DUE_LOOK_MS) {
        if (!app->ticking)
            tend_app_arm_timer_within(app, TEND_APP_DUE_LOOK_MS);
        return rc;
    }
    app->due_looked_ms = now_ms;
    /* what else the command made due (a member promoted from a waitlist, next week's copy of a
     * done weekly task) goes out now rather than at the next timer */
    int64_t due = tend_scheduler_next_due(env, now);
    if (due <= now && !app->ticking) {
        int slice = run_slice(app);
        if (slice < 0)
            rc = -1;
        after_slice(app, slice);
        return rc;
    }
    arm_timer_at(app, due, TICK_MIN_MS);
    return rc;
}

int tend_app_tick(tend_app *app)
{
    if (!app || app->stopping)
        return 0;
    int rc;
    int slices = 0;
    while ((rc = run_slice(app)) == 1 && ++slices < 100000)
        ;
    after_slice(app, rc);
    return rc < 0 ? -1 : 0;
}

int tend_app_advance(tend_app *app, int64_t seconds)
{
    tend_clock *clock = tend_bot_env(app->bot)->clock;
    int64_t target = tend_clock_now(clock) + seconds;
    int64_t last = INT64_MIN;
    int rc = 0;
    /* the clock stops at every moment something falls due on the way, so a week that passes in
     * one line still fires each prompt at its own time, inside its grace window */
    for (int steps = 0; steps < 100000; steps++) {
        int64_t now = tend_clock_now(clock);
        int64_t due = tend_bot_next_due(app->bot);
        if (due <= last)
            due = last + 1; /* already ran at that moment: look further on */
        if (due > target)
            break;
        if (due > now)
            tend_clock_advance(clock, due - now);
        rc |= tend_app_tick(app);
        last = tend_clock_now(clock);
    }
    int64_t now = tend_clock_now(clock);
    if (target > now)
        tend_clock_advance(clock, target - now);
    rc |= tend_app_tick(app);
    return rc ? -1 : 0;
}

static void on_signal(uv_signal_t *sig, int signum)
{
    tend_app *app = sig->data;
    tend_log(TEND_LOG_INFO, "app", "%s, stopping",
             signum == SIGINT ? "interrupted (SIGINT)" : "asked to stop (SIGTERM)");
    tend_app_stop(app);
}

static bool open_handles(tend_app *app)
{
    if (uv_timer_init(app->loop, &app->timer) != 0)
        return false;
    uv_signal_init(app->loop, &app->sigint);
    uv_signal_init(app->loop, &app->sigterm);
    app->timer.data = app->sigint.data = app->sigterm.data = app;
    app->handles_open = true;
    return uv_signal_start(&app->sigint, on_signal, SIGINT) == 0 &&
           uv_signal_start(&app->sigterm, on_signal, SIGTERM) == 0;
}

/* This process took the Matrix account's sync (at start, or from a process that stopped or died):
 * the adapter starts, what is owed on Matrix is queued, and its groups' schedule is served here.
 * Lost (another process holds it now): this process stops, so no two sync the same account; its
 * supervisor starts it again, in standby. */
static void on_matrix_lease(tend_lease *lease, bool held, const char *other, void *ud)
{
    (void)lease;
    (void)other;
    tend_app *app = ud;
    size_t i = 0;
    while (i < app->n_adapters && strcmp(app->adapters[i]->ops->platform, TEND_APP_MATRIX) != 0)
        i++;
    if (i == app->n_adapters || app->stopping)
        return;
    if (!held) {
        tend_log(TEND_LOG_ERROR, "app", "stopping: another tend process syncs the Matrix account now");
        app->failed = 1;
        tend_app_stop(app);
        return;
    }
    app->standby[i] = false;
    tend_metric_set(&TEND_M_PLATFORM_STANDBY, TEND_APP_MATRIX, NULL, 0);
    if (app->adapters[i]->ops->start(app->adapters[i]) != 0) {
        tend_log(TEND_LOG_ERROR, "app", "%s could not start", TEND_APP_MATRIX);
        app->failed = 1;
        tend_app_stop(app);
        return;
    }
    if (tend_sender_load(app->sender, TEND_APP_MATRIX) != 0)
        tend_log(TEND_LOG_WARN, "app", "cannot read the %s outbox: %s", TEND_APP_MATRIX,
                 tend_store_errmsg(tend_app_loop_store(app)));
    tend_app_claim_orphans(app, TEND_APP_MATRIX); /* what the last holder could not deliver */
    serve_platforms(app);
    if (app->handles_open && !app->ticking)
        uv_timer_start(&app->timer, on_timer, 0, 0); /* what fell due for Matrix groups meanwhile */
}

/* This process's own lease is what tells others it is alive. Without it (the database will not
 * take a renewal), another tend sharing the database may take its outbox rows over: its stored
 * rows wait until it holds the lease again, and those taken over meanwhile are dropped. A lone
 * tend on a read-only database keeps answering (unstored answers still go). */
static void on_process_lease(tend_lease *lease, bool held, const char *other, void *ud)
{
    (void)lease;
    (void)other;
    tend_app *app = ud;
    if (held)
        tend_sender_resume(app->sender);
    else
        tend_sender_pause(app->sender);
}

static void start_process_lease(tend_app *app)
{
    tend_store *store = tend_app_loop_store(app);
    int rc = tend_lease_take_now(store, tend_lease_process_name());
    if (rc != TEND_STORE_OK) {
        tend_log(TEND_LOG_WARN, "app", "cannot record this process in the database (%s); trying again",
                 tend_store_errmsg(store));
        tend_sender_pause(app->sender); /* until it is recorded */
    } else {
        tend_metric_set(&TEND_M_LEASE_HELD, tend_lease_process_name(), NULL, 1);
    }
    app->process_lease = tend_lease_start(app->loop, store, tend_lease_process_name(), on_process_lease, app);
    if (!app->process_lease || tend_app_orphans_start(app) != 0) {
        tend_log(TEND_LOG_ERROR, "app", "out of memory starting up");
        app->failed = 1;
        tend_app_stop(app);
    }
}

int tend_app_resume_outbox(tend_app *app)
{
    int rc = 0;
    for (size_t i = 0; i < app->n_adapters; i++) {
        const char *platform = app->adapters[i]->ops->platform;
        if (app->standby[i])
            continue; /* loaded when this process takes the platform's lease */
        if (tend_sender_load(app->sender, platform) != 0) {
            tend_log(TEND_LOG_WARN, "app", "cannot read the %s outbox: %s", platform,
                     tend_store_errmsg(tend_app_loop_store(app)));
            rc = -1;
        }
    }
    tend_app_claim_orphans(app, NULL); /* an earlier run's rows, under its own process name */
    return rc;
}

int tend_app_run(tend_app *app)
{
    if (!open_handles(app)) {
        tend_log(TEND_LOG_ERROR, "app", "cannot set up the event loop");
        app->failed = 1;
        tend_app_stop(app);
    }
    char why[300] = "";
    if (!app->stopping && app->loop_store && tend_app_async_start(app, why, sizeof why) != 0) {
        tend_log(TEND_LOG_ERROR, "app", "%s", why);
        app->failed = 1;
        tend_app_stop(app);
    }
    if (!app->stopping)
        app->ops = tend_ops_start(app->loop, app->bot, app->cfg, app->adapters, app->n_adapters, why, sizeof why);
    if (why[0] && !app->stopping) {
        tend_log(TEND_LOG_ERROR, "app", "%s", why);
        app->failed = 1;
        tend_app_stop(app);
    }
    if (app->loop_store)
        tend_ops_use_store(app->ops, app->loop_store, &app->store_failing);
    if (!app->stopping)
        start_process_lease(app);
    for (size_t i = 0; i < app->n_adapters && !app->stopping; i++) {
        tend_adapter *a = app->adapters[i];
        if (app->standby[i])
            continue;
        if (a->ops->start(a) != 0) {
            tend_log(TEND_LOG_ERROR, "app", "%s could not start", a->ops->platform);
            app->failed = 1;
            tend_app_stop(app);
        }
    }
    /* what an earlier run committed but could not deliver goes first, in its order: each
     * adapter sends it once it is connected (a send before that is retried) */
    if (!app->stopping)
        tend_app_resume_outbox(app);
    for (size_t i = 0; i < app->n_adapters && !app->stopping; i++)
        if (app->standby[i] && !app->matrix_lease) {
            app->matrix_lease = tend_lease_start(app->loop, tend_app_loop_store(app), "matrix.sync",
                                                 on_matrix_lease, app);
            if (!app->matrix_lease) {
                tend_log(TEND_LOG_ERROR, "app", "out of memory starting the Matrix lease");
                app->failed = 1;
                tend_app_stop(app);
            }
        }
    /* A first tick at once catches up on anything that fell due while tend was not running. */
    if (!app->stopping)
        uv_timer_start(&app->timer, on_timer, 0, 0);
    uv_run(app->loop, UV_RUN_DEFAULT);
    return app->failed;
}

void tend_app_stop(tend_app *app)
{
    if (!app || app->stopping)
        return;
    app->stopping = true;
    if (app->handles_open) {
        uv_timer_stop(&app->timer);
        uv_close((uv_handle_t *)&app->timer, NULL);
        uv_close((uv_handle_t *)&app->sigint, NULL);
        uv_close((uv_handle_t *)&app->sigterm, NULL);
    }
    tend_batch_close(app->batch); /* the turn's commands commit, and their answers leave before the stop */
    tend_app_async_close(app);    /* the same for commands still on the store thread */
    tend_lease_stop(app->matrix_lease); /* given back once the adapter has drained (destroy) */
    tend_lease_stop(app->process_lease);
    tend_app_shares_stop(app); /* their parts are given back once the adapters have drained */
    tend_app_orphans_stop(app);
    for (size_t i = 0; i < app->n_adapters; i++)
        app->adapters[i]->ops->stop(app->adapters[i]);
    tend_sender_close(app->sender);
    tend_ops_stop(app->ops);
}

void tend_app_destroy(tend_app *app)
{
    if (!app)
        return;
    tend_lease_release_free(app->matrix_lease); /* the Matrix adapter stopped: another may sync now */
    tend_app_shares_release(app); /* the adapters kept what the next holder of each part needs */
    tend_lease_release_free(app->process_lease); /* what is left in the outbox is others' to send */
    for (size_t i = 0; i < app->n_adapters; i++)
        app->adapters[i]->ops->destroy(app->adapters[i]);
    tend_batch_close(app->batch);
    tend_batch_destroy(app->batch);
    tend_app_async_close(app);
    tend_sender_destroy(app->sender);
    tend_app_async_destroy(app); /* after the sender, which marks its last deliveries through it */
    tend_ops_destroy(app->ops);
    free(app);
}
