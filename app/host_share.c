/*
 * host_share.c — tend_host_share for both hosts: an adapter's work split with the other tend
 * processes on the database (app/shares.h), one share per adapter. A platform whose share holds
 * no part here (more processes than parts) is in standby for /healthz, not down.
 */
#include <string.h>

#include "app/internal.h"
#include "app/shares.h"
#include "lib/log.h"

static size_t index_of(const tend_app *app, const tend_host *h)
{
    return (size_t)(h - app->hosts);
}

static void note_standby(tend_app *app, size_t i)
{
    const char *platform = app->hosts[i].platform;
    tend_metric_set(&TEND_M_PLATFORM_STANDBY, platform, NULL, tend_share_held(app->shares[i]) == 0 ? 1 : 0);
}

static void on_changed(void *ud, int part, tend_share_event event)
{
    tend_host *h = ud;
    tend_app *app = h->app;
    size_t i = index_of(app, h);
    if (app->stopping && event == TEND_SHARE_TAKEN)
        return; /* the adapter is stopping: the part is given back with the rest at the end */
    note_standby(app, i);
    app->share_cb[i](app->share_ud[i], part, event);
}

int tend_app_host_share(tend_host *h, const char *name, int parts, tend_host_share_cb cb, void *ud)
{
    tend_app *app = h->app;
    size_t i = index_of(app, h);
    if (i >= TEND_APP_MAX_ADAPTERS || app->shares[i]) {
        tend_log(TEND_LOG_ERROR, "app", "%s asked to share its work twice", h->platform);
        return -1;
    }
    app->share_cb[i] = cb;
    app->share_ud[i] = ud;
    app->shares[i] = tend_share_start(app->loop, tend_app_loop_store(app), name, parts, on_changed, h);
    if (!app->shares[i]) {
        tend_log(TEND_LOG_ERROR, "app", "cannot share %s's %d parts with other processes", h->platform, parts);
        return -1;
    }
    note_standby(app, i); /* until its first part is taken here (a third process for two shards never) */
    return 0;
}

void tend_app_host_share_given_back(tend_host *h, int part)
{
    tend_app *app = h->app;
    size_t i = index_of(app, h);
    tend_share_given_back(app->shares[i], part);
    note_standby(app, i);
}

void tend_app_shares_stop(tend_app *app)
{
    for (size_t i = 0; i < TEND_APP_MAX_ADAPTERS; i++)
        tend_share_stop(app->shares[i]);
}

void tend_app_shares_release(tend_app *app)
{
    for (size_t i = 0; i < TEND_APP_MAX_ADAPTERS; i++) {
        tend_share_release_free(app->shares[i]);
        app->shares[i] = NULL;
    }
}
