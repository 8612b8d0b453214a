/*
 * app.c — the loop wiring: adapters, the scheduler's timer, and an orderly stop on SIGINT/SIGTERM.
 *
 * One thread, one libuv loop. The scheduler is a timer that sleeps until tend_bot_next_due()
 * (never more than a minute, so a changed clock or a new group is noticed, and never less than a
 * second, so a scheduler that keeps saying "now" cannot spin the loop).
 */
#include "adapters/app.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adapters/console/console.h"
#include "adapters/discord/discord.h"
#include "adapters/matrix/matrix.h"
#include "bot/log.h"

#define MAX_ADAPTERS 4
#define TICK_MAX_MS 60000
#define TICK_MIN_MS 1000

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

/* Runs the scheduler and delivers what it says; a call from inside a delivery just asks for one
 * more round, so the scheduler never runs inside itself. */
static int run_tick(tend_app *app)
{
    if (app->ticking) {
        app->tick_again = true;
        return 0;
    }
    app->ticking = true;
    int rc = 0;
    int rounds = 0;
    do {
        app->tick_again = false;
        tend_messages out;
        tend_messages_init(&out);
        if (tend_bot_tick(app->bot, &out) != 0)
            rc = -1;
        for (size_t i = 0; i < out.count; i++)
            tend_app_deliver(app, &out.items[i]);
        tend_messages_clear(&out);
    } while (app->tick_again && !app->stopping && ++rounds < 8);
    app->ticking = false;
    return rc;
}

static void on_timer(uv_timer_t *timer);

static void arm_timer(tend_app *app)
{
    if (app->stopping || !app->handles_open)
        return;
    const tend_env *env = tend_bot_env(app->bot);
    int64_t wait_ms = (tend_bot_next_due(app->bot) - tend_clock_now(env->clock)) * 1000;
    if (wait_ms > TICK_MAX_MS)
        wait_ms = TICK_MAX_MS;
    if (wait_ms < TICK_MIN_MS)
        wait_ms = TICK_MIN_MS;
    uv_timer_start(&app->timer, on_timer, (uint64_t)wait_ms, 0);
}

static void on_timer(uv_timer_t *timer)
{
    tend_app *app = timer->data;
    if (run_tick(app) != 0)
        tend_log(TEND_LOG_WARN, "app", "the scheduler could not finish; it will try again");
    arm_timer(app);
}

int tend_app_after_command(tend_app *app)
{
    if (!app || app->stopping)
        return 0;
    int rc = run_tick(app);
    arm_timer(app);
    return rc;
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
}

void tend_app_destroy(tend_app *app)
{
    if (!app)
        return;
    for (size_t i = 0; i < app->n_adapters; i++)
        app->adapters[i]->ops->destroy(app->adapters[i]);
    if (app->loop && app->loop->data == app)
        app->loop->data = NULL;
    free(app);
}
