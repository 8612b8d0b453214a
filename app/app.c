/*
 * app.c — the loop wiring: adapters, the scheduler's timer, and an orderly stop on SIGINT/SIGTERM.
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
#include "app/ops.h"
#include "lib/log.h"
#include "bot/scheduler.h"

#define MAX_ADAPTERS 4
#define TICK_MAX_MS 60000
#define TICK_MIN_MS 1000
#define TICK_NEXT_SLICE_MS 1 /* not 0: a 0 ms timer started in a timer callback runs before I/O */

struct tend_app {
    uv_loop_t *loop;
    tend_bot *bot;
    const tend_config *cfg;
    tend_adapter *adapters[MAX_ADAPTERS];
    size_t n_adapters;
    uv_timer_t timer;
    uv_signal_t sigint, sigterm;
    bool handles_open;
    bool stopping;
    bool ticking, tick_again;
    int failed;
    tend_ops *ops; /* systemd, SIGHUP, the health endpoint (app/ops.c) */
};

static void add_adapter(tend_app *app, tend_adapter *adapter)
{
    if (adapter && app->n_adapters < MAX_ADAPTERS)
        app->adapters[app->n_adapters++] = adapter;
}

typedef tend_adapter *(*adapter_factory)(uv_loop_t *loop, tend_bot *bot, const tend_config *cfg);

/* Creates one chat adapter; false when it is configured but cannot run. */
static bool create_chat_adapter(tend_app *app, adapter_factory create)
{
    tend_adapter *a = create(app->loop, app->bot, app->cfg);
    if (!a)
        return false; /* the adapter logged why */
    add_adapter(app, a);
    return true;
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
    loop->data = app;
    bool discord = tend_config_has_discord(cfg), matrix = tend_config_has_matrix(cfg);
    if (console || (!discord && !matrix)) {
        add_adapter(app, tend_console_adapter_create(loop, bot, cfg));
        if (app->n_adapters == 0)
            snprintf(err, errlen, "cannot start the console");
    } else {
        bool ok = true;
        if (discord)
            ok = create_chat_adapter(app, tend_discord_adapter_create) && ok;
        if (matrix)
            ok = create_chat_adapter(app, tend_matrix_adapter_create) && ok;
        if (!ok)
            snprintf(err, errlen, "a configured chat platform cannot start (see the lines above)");
    }
    const char *platforms[MAX_ADAPTERS];
    for (size_t i = 0; i < app->n_adapters; i++)
        platforms[i] = app->adapters[i]->ops->platform;
    tend_bot_serve_platforms(bot, platforms, app->n_adapters);
    if (app->n_adapters == 0 || err[0]) {
        if (!err[0])
            snprintf(err, errlen, "nothing to run");
        tend_app_destroy(app);
        loop->data = NULL;
        return NULL;
    }
    return app;
}

tend_app *tend_app_of(const tend_adapter *adapter)
{
    return adapter && adapter->loop ? adapter->loop->data : NULL;
}

static tend_adapter *adapter_for(tend_app *app, const char *group_key)
{
    size_t len = group_key ? strcspn(group_key, ":") : 0;
    for (size_t i = 0; i < app->n_adapters; i++) {
        const char *platform = app->adapters[i]->ops->platform;
        if (strlen(platform) == len && strncmp(platform, group_key, len) == 0)
            return app->adapters[i];
    }
    return NULL;
}

int tend_app_deliver(tend_app *app, const tend_message *msg)
{
    tend_adapter *a = adapter_for(app, msg->group_key);
    if (!a) {
        /* a shared database can hold groups of a platform this process does not run */
        tend_log(TEND_LOG_WARN, "app", "no adapter for %s; a %s message was not delivered",
                 msg->group_key ? msg->group_key : "(no group)", msg->kind);
        return -1;
    }
    if (a->ops->deliver(a, msg) != 0) {
        tend_log(TEND_LOG_WARN, "app", "could not deliver a %s message to %s", msg->kind, msg->group_key);
        return -1;
    }
    return 0;
}

static void deliver_all(tend_app *app, tend_messages *out)
{
    for (size_t i = 0; i < out->count; i++)
        tend_app_deliver(app, &out->items[i]);
    tend_messages_clear(out);
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
    deliver_all(app, &out);
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
    after_slice(app, run_slice(app));
}

int tend_app_after_command(tend_app *app, const char *group_key, const char *member_key)
{
    if (!app || app->stopping)
        return 0;
    const tend_env *env = tend_bot_env(app->bot);
    int64_t now = tend_clock_now(env->clock);
    tend_messages out;
    tend_messages_init(&out);
    int rc = tend_scheduler_after_command(env, group_key, member_key, now, &out);
    deliver_all(app, &out);
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

int tend_app_run(tend_app *app)
{
    if (!open_handles(app)) {
        tend_log(TEND_LOG_ERROR, "app", "cannot set up the event loop");
        app->failed = 1;
        tend_app_stop(app);
    }
    char why[300] = "";
    if (!app->stopping)
        app->ops = tend_ops_start(app->loop, app->bot, app->cfg, app->adapters, app->n_adapters, why, sizeof why);
    if (why[0]) {
        tend_log(TEND_LOG_ERROR, "app", "%s", why);
        app->failed = 1;
        tend_app_stop(app);
    }
    for (size_t i = 0; i < app->n_adapters && !app->stopping; i++) {
        tend_adapter *a = app->adapters[i];
        if (a->ops->start(a) != 0) {
            tend_log(TEND_LOG_ERROR, "app", "%s could not start", a->ops->platform);
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
    for (size_t i = 0; i < app->n_adapters; i++)
        app->adapters[i]->ops->stop(app->adapters[i]);
    tend_ops_stop(app->ops);
}

void tend_app_destroy(tend_app *app)
{
    if (!app)
        return;
    for (size_t i = 0; i < app->n_adapters; i++)
        app->adapters[i]->ops->destroy(app->adapters[i]);
    tend_ops_destroy(app->ops);
    if (app->loop && app->loop->data == app)
        app->loop->data = NULL;
    free(app);
}
