/*
 * orphans.c — outbox rows whose sending process is gone (issue 21). Each row names the process
 * that sends it (store_outbox.h); when several tends share a database and one stops or dies, its
 * undelivered rows would wait for its restart. Every TEND_LEASE_RENEW_MS, and once at start for
 * each platform this process runs, the owners of a platform's rows are looked at, and the rows
 * of any that is gone (app/leases.h says when) are claimed and queued here. The claim is one
 * compare-and-set in the database, so two processes looking at once never both take a row.
 * The same look counts the tend processes alive (for tend_host_peers).
 */
#include <string.h>

#include "app/internal.h"
#include "lib/log.h"
#include "store/store_outbox.h"

typedef struct {
    tend_app *app;
    const char *platform;
} sweep;

static int claim_if_gone(const char *owner, void *ud)
{
    sweep *w = ud;
    tend_store *store = tend_app_loop_store(w->app);
    if (tend_lease_holder_gone(store, owner))
        tend_sender_claim(w->app->sender, w->platform, owner);
    return 0;
}

void tend_app_claim_orphans(tend_app *app, const char *platform)
{
    tend_store *store = tend_app_loop_store(app);
    /* the same look counts the processes alive, for budgets shared between them (host.h's peers) */
    int alive = tend_lease_count_live(store, "process.");
    if (alive >= 0)
        app->processes_alive = alive;
    tend_lease_forget_gone(store); /* the rows of processes killed long ago */
    for (size_t i = 0; i < app->n_adapters; i++) {
        const char *p = app->adapters[i]->ops->platform;
        if (app->standby[i] || (platform && strcmp(p, platform) != 0))
            continue; /* a platform in standby: the process holding its lease sends its rows */
        sweep w = {app, p};
        if (tend_store_outbox_owners(store, p, claim_if_gone, &w) != TEND_STORE_OK)
            tend_log(TEND_LOG_WARN, "outbox", "cannot look for messages of stopped processes: %s",
                     tend_store_errmsg(store));
    }
}

static void on_sweep(uv_timer_t *t)
{
    tend_app *app = t->data;
    if (!app->stopping)
        tend_app_claim_orphans(app, NULL);
}

int tend_app_orphans_start(tend_app *app)
{
    if (uv_timer_init(app->loop, &app->orphan_timer) != 0)
        return -1;
    app->orphan_timer.data = app;
    app->orphan_timer_open = true;
    return uv_timer_start(&app->orphan_timer, on_sweep, TEND_LEASE_RENEW_MS, TEND_LEASE_RENEW_MS);
}

void tend_app_orphans_stop(tend_app *app)
{
    if (!app->orphan_timer_open)
        return;
    app->orphan_timer_open = false;
    uv_timer_stop(&app->orphan_timer);
    uv_close((uv_handle_t *)&app->orphan_timer, NULL);
}
