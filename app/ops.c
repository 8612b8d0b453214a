/*
 * ops.c — systemd notifications (libsystemd's, opened only when systemd listens: app/sd.h), SIGHUP,
 * and the health verdict behind /healthz.
 *
 * One timer does the periodic work: READY=1 on the loop's first turn (the adapters have started;
 * connecting can take a while and is what /healthz reports, so systemd is not made to wait for
 * Discord), then WATCHDOG=1 at half the interval systemd asked for, so a loop stuck for longer
 * gets tend restarted, and STATUS= whenever the verdict changes (`systemctl status tend`).
 */
#include "app/ops.h"

#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adapters/metrics.h"
#include "app/health.h"
#include "app/holdings.h"
#include "app/leases.h"
#include "app/sd.h"
#include "lib/log.h"

#define STATUS_EVERY_MS 10000 /* without a watchdog: how often STATUS= is brought up to date */
#define HOLDINGS_MAX 160      /* the most the holdings add to the verdict's line */

static const tend_metric_def M_SHARDS_HELD = {
    "tend_discord_shards_held",
    "Discord gateway shards this process runs: the shard leases it holds, or its [discord] shards range.",
    TEND_METRIC_GAUGE, {NULL, NULL}};

struct tend_ops {
    uv_loop_t *loop;
    tend_bot *bot;
    tend_store *store; /* what /healthz asks: the bot's, or the loop's own (tend_ops_use_store) */
    const int *failing; /* then the store thread's tend_store_failing, as its last job saw it */
    const tend_config *cfg;
    char platforms[TEND_MAX_PLATFORMS][16];
    size_t n_platforms;
    bool discord;           /* Discord is one of them */
    tend_shard_range fixed; /* its [discord] shards, when set */
    tend_health *health;
    uv_signal_t sighup;
    uv_timer_t tick;
    uint64_t watchdog_usec;
    bool handles_open, stopped, ready;
    char status[300];
};

static void held_signals(sigset_t *set)
{
    sigemptyset(set);
    sigaddset(set, SIGINT);
    sigaddset(set, SIGTERM);
    sigaddset(set, SIGHUP);
}

void tend_ops_hold_signals(void)
{
    sigset_t set;
    held_signals(&set);
    sigprocmask(SIG_BLOCK, &set, NULL);
}

/* ---------------------------------------------------------------- what this process holds */

/* The tend_lease_held series as the metrics keep them (label values: at most 32 bytes each). */
typedef struct {
    char names[TEND_METRIC_SERIES_MAX][TEND_METRIC_LABEL_MAX + 1];
    const char *held[TEND_METRIC_SERIES_MAX];
    size_t n_held;
    bool waiting; /* a shared lease this process contends for and does not hold */
} lease_view;

static int see_lease(const char *name, const char *unused, double value, void *ud)
{
    (void)unused;
    lease_view *v = ud;
    if (value > 0.5 && v->n_held < TEND_METRIC_SERIES_MAX) {
        char *copy = v->names[v->n_held];
        snprintf(copy, sizeof v->names[0], "%s", name);
        v->held[v->n_held++] = copy;
    } else if (value <= 0.5 && strncmp(name, "process.", 8) != 0 && strcmp(name, "other") != 0) {
        v->waiting = true;
    }
    return 0;
}

/* Reads the leases, brings tend_discord_shards_held up to date, and writes the phrase. */
static void holdings(tend_ops *ops, char *phrase, size_t len)
{
    lease_view *v = calloc(1, sizeof *v);
    if (phrase && len)
        phrase[0] = '\0';
    if (!v)
        return;
    tend_metric_each(&TEND_M_LEASE_HELD, see_lease, v);
    tend_shard_range none = {0, 0, 0};
    if (ops->discord) /* a range is run as configured; otherwise the shards go by leases */
        tend_metric_set(&M_SHARDS_HELD, NULL, NULL,
                        ops->fixed.count ? ops->fixed.last - ops->fixed.first + 1
                                         : tend_holdings_shard_count(v->held, v->n_held));
    /* a platform in standby is said already ("matrix in standby"): not twice */
    for (size_t i = 0; i < ops->n_platforms && v->waiting; i++)
        v->waiting = tend_metric_value(&TEND_M_PLATFORM_STANDBY, ops->platforms[i], NULL) <= 0;
    if (phrase && len) {
        /* a lone tend holds every lease it takes: its line stays the plain verdict. A static range
         * is said alone too: the process that runs the other shards may be the one that is down */
        tend_store *store = ops->store ? ops->store : tend_bot_env(ops->bot)->store;
        bool alone = tend_lease_count_live(store, "process.") == 1;
        tend_holdings_phrase(v->held, alone ? 0 : v->n_held, v->waiting && !alone, ops->discord ? ops->fixed : none,
                             phrase, len);
    }
    free(v);
}

static void before_metrics(void *ud)
{
    holdings(ud, NULL, 0);
}

/* ---------------------------------------------------------------- the verdict */

/* "; holds ..." after the verdict, within the line. */
static void add_holdings(tend_ops *ops, char *reason, size_t len)
{
    size_t used = strlen(reason);
    if (used + 3 >= len)
        return;
    char phrase[HOLDINGS_MAX];
    size_t room = len - used - 2; /* "; " */
    holdings(ops, phrase, room < sizeof phrase ? room : sizeof phrase);
    if (phrase[0])
        snprintf(reason + used, len - used, "; %s", phrase);
}

static bool platforms_verdict(tend_ops *ops, char *reason, size_t len)
{
    tend_store *store = ops->store ? ops->store : tend_bot_env(ops->bot)->store;
    if (tend_store_schema_version(store) < 0) {
        snprintf(reason, len, "unhealthy: the database does not answer");
        return false;
    }
    int failing = tend_store_failing(store);
    if (failing == TEND_STORE_OK && ops->failing)
        failing = *ops->failing;
    if (failing != TEND_STORE_OK) {
        snprintf(reason, len, "unhealthy: %s (the last database write failed; none has succeeded since)",
                 failing == TEND_STORE_FULL       ? "the disk is full"
                 : failing == TEND_STORE_READONLY ? "the database is read-only"
                 : failing == TEND_STORE_BUSY     ? "the database is locked by another process"
                                                  : "the database fails");
        return false;
    }
    char down[80] = "", up[80] = "", waiting[80] = "";
    for (size_t i = 0; i < ops->n_platforms; i++) {
        const char *p = ops->platforms[i];
        bool connected = strcmp(p, "console") == 0 || tend_metric_value(&TEND_M_CONNECTED, p, NULL) > 0;
        /* another process of this bot holds the platform's lease: waiting is this one's job */
        bool standby = !connected && tend_metric_value(&TEND_M_PLATFORM_STANDBY, p, NULL) > 0;
        char *list = connected ? up : standby ? waiting : down;
        size_t used = strlen(list);
        snprintf(list + used, sizeof up - used, "%s%s", used ? " and " : "", p);
    }
    if (down[0]) {
        snprintf(reason, len, "unhealthy: not connected to %s", down);
        return false;
    }
    /* "ok: discord up, matrix in standby (...), ..."; a process wholly in standby says only that */
    char ups[sizeof up + 8] = "", standby[sizeof waiting + 48] = "";
    if (up[0] || !waiting[0])
        snprintf(ups, sizeof ups, "%s up, ", up[0] ? up : "nothing");
    if (waiting[0])
        snprintf(standby, sizeof standby, "%s in standby (another tend process holds it), ", waiting);
    snprintf(reason, len, "ok: %s%sthe database answers", ups, standby);
    return true;
}

/* The platforms' and the database's verdict, then what this process holds. */
static bool verdict(void *ud, char *reason, size_t len)
{
    tend_ops *ops = ud;
    bool ok = platforms_verdict(ops, reason, len);
    add_holdings(ops, reason, len);
    return ok;
}

/* ---------------------------------------------------------------- systemd */

static void on_tick(uv_timer_t *t)
{
    tend_ops *ops = t->data;
    char line[sizeof ops->status];
    verdict(ops, line, sizeof line);
    char msg[sizeof line + 64];
    int n = snprintf(msg, sizeof msg, "%s%s", ops->ready ? "" : "READY=1\n", ops->watchdog_usec ? "WATCHDOG=1\n" : "");
    if (strcmp(line, ops->status) != 0) {
        snprintf(msg + n, sizeof msg - (size_t)n, "STATUS=%s", line);
        memcpy(ops->status, line, sizeof line);
    }
    if (msg[0])
        tend_sd_notify(msg);
    ops->ready = true;
}

/* ---------------------------------------------------------------- SIGHUP */

/* Reads the configuration again. Only the log level changes in a running tend: the rest (tokens,
 * the database, the listener) is wired into live connections, so it waits for a restart. */
static void on_sighup(uv_signal_t *sig, int signum)
{
    (void)signum;
    tend_ops *ops = sig->data;
    tend_config fresh;
    char err[4096];
    if (tend_config_defaults(&fresh) != 0) {
        tend_log(TEND_LOG_WARN, "ops", "SIGHUP: out of memory; nothing changed");
        return;
    }
    if (tend_config_load(&fresh, ops->cfg->file, err, sizeof err) != 0) {
        tend_log(TEND_LOG_WARN, "ops",
                 "SIGHUP: the configuration has problems now (tend --check-config shows them); nothing changed");
    } else {
        int level = tend_log_level_parse(fresh.log_level);
        tend_log_set_level(TEND_LOG_INFO); /* so this line is seen whatever the new level */
        tend_log(TEND_LOG_INFO, "ops",
                 "SIGHUP: configuration read again; log level %s (other changes take effect at the next start)",
                 fresh.log_level);
        tend_log_set_level(level >= 0 ? (tend_log_level)level : TEND_LOG_INFO);
    }
    tend_config_free(&fresh);
}

/* ---------------------------------------------------------------- life */

static int start_health(tend_ops *ops, char *err, size_t errlen)
{
    char host[64];
    int port = 0;
    if (!ops->cfg->ops_listen)
        return 0;
    if (tend_config_listen_parse(ops->cfg->ops_listen, host, sizeof host, &port) != 0) {
        snprintf(err, errlen, "[ops] listen is not an address and port"); /* config checked it already */
        return -1;
    }
    ops->health = tend_health_start(ops->loop, host, port, verdict, ops, err, errlen);
    if (!ops->health || err[0])
        return -1;
    tend_health_before_metrics(ops->health, before_metrics);
    bool v6 = strchr(host, ':') != NULL;
    tend_log(TEND_LOG_INFO, "ops", "health and metrics on http://%s%s%s:%d/healthz and /metrics", v6 ? "[" : "",
             host, v6 ? "]" : "", tend_health_port(ops->health));
    return 0;
}

tend_ops *tend_ops_start(uv_loop_t *loop, tend_bot *bot, const tend_config *cfg, tend_adapter *const *adapters,
                         size_t n_adapters, char *err, size_t errlen)
{
    err[0] = '\0';
    tend_ops *ops = calloc(1, sizeof *ops);
    if (!ops) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    ops->loop = loop;
    ops->bot = bot;
    ops->cfg = cfg;
    for (size_t i = 0; i < n_adapters && i < TEND_MAX_PLATFORMS; i++) {
        snprintf(ops->platforms[ops->n_platforms++], sizeof ops->platforms[0], "%s", adapters[i]->ops->platform);
        ops->discord |= strcmp(adapters[i]->ops->platform, "discord") == 0;
    }
    /* a range ("0-3/8") pins the shards; a count ("8") or nothing shares them through leases */
    if (ops->discord && cfg->discord_shards && strchr(cfg->discord_shards, '/') &&
        tend_config_shards(cfg->discord_shards, &ops->fixed.first, &ops->fixed.last, &ops->fixed.count) != 0)
        ops->fixed.count = 0; /* the adapter refused it already */
    if (uv_signal_init(loop, &ops->sighup) != 0 || uv_timer_init(loop, &ops->tick) != 0) {
        snprintf(err, errlen, "cannot set up the event loop");
        return ops;
    }
    ops->handles_open = true;
    ops->sighup.data = ops->tick.data = ops;
    uv_signal_start(&ops->sighup, on_sighup, SIGHUP);
    if (tend_sd_watchdog_enabled(&ops->watchdog_usec) <= 0)
        ops->watchdog_usec = 0;
    uint64_t every = ops->watchdog_usec ? ops->watchdog_usec / 2000 : STATUS_EVERY_MS;
    uv_timer_start(&ops->tick, on_tick, 0, every ? every : 1);
    start_health(ops, err, errlen);
    /* the app's SIGINT/SIGTERM watchers and ours are in place: what arrived meanwhile lands now */
    sigset_t set;
    held_signals(&set);
    sigprocmask(SIG_UNBLOCK, &set, NULL);
    return ops;
}

void tend_ops_stop(tend_ops *ops)
{
    if (!ops || ops->stopped)
        return;
    ops->stopped = true;
    tend_sd_notify("STOPPING=1");
    if (ops->handles_open) {
        uv_close((uv_handle_t *)&ops->sighup, NULL);
        uv_close((uv_handle_t *)&ops->tick, NULL);
    }
    tend_health_stop(ops->health);
}

void tend_ops_destroy(tend_ops *ops)
{
    if (!ops)
        return;
    tend_health_destroy(ops->health);
    free(ops);
}

void tend_ops_use_store(tend_ops *ops, tend_store *store, const int *failing)
{
    if (ops) {
        ops->store = store;
        ops->failing = failing;
    }
}
