/*
 * discord.c — the Discord adapter as the app sees it: create, start, deliver, stop, destroy.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "adapters/discord/discord.h"
#include "adapters/discord/internal.h"
#include "lib/log.h"

static discord *impl(tend_adapter *a)
{
    return a ? a->impl : NULL;
}

static int start_op(tend_adapter *a)
{
    discord *d = impl(a);
    if (dc_gateway_start(d->gw) != 0) {
        tend_log(TEND_LOG_ERROR, "discord", "could not start");
        return -1;
    }
    return 0;
}

static int send_op(tend_adapter *a, const tend_outgoing *o)
{
    return dc_send(impl(a), o);
}

static void handled_op(tend_adapter *a, const char *reply_to, int rc)
{
    dc_dispatch_handled(impl(a), reply_to, rc);
}

static void stop_op(tend_adapter *a)
{
    discord *d = impl(a);
    if (!d || d->stopped)
        return;
    d->stopping = d->stopped = true;
    dc_gateway_stop(d->gw);
    /* http first: it cancels what is in flight, whose callbacks would reach rest's requests */
    tend_http_destroy(d->http);
    d->http = NULL;
    dc_rest_destroy(d->rest);
    d->rest = NULL;
    uv_close((uv_handle_t *)&d->stop_timer, NULL);
    uv_close((uv_handle_t *)&d->defer_timer, NULL);
    dc_defer_free(d);
}

static void destroy_op(tend_adapter *a)
{
    discord *d = impl(a);
    if (!d)
        return;
    dc_gateway_destroy(d->gw);
    dc_dispatch_free(d);
    dc_defer_free(d);
    for (size_t i = 0; i < d->registered_guilds.n_slots; i++)
        for (dc_hnode *n = d->registered_guilds.slots[i], *next; n; n = next) {
            next = n->next;
            free(n);
        }
    free(d->registered_guilds.slots);
    free(d->token);
    free(d->auth_header);
    free(d->app_id);
    free(d->api_base);
    free(d->gateway_url_cfg);
    free(d->commands_body);
    free(d);
}

static const tend_adapter_ops ops = {
    .platform = "discord",
    .start = start_op,
    .send = send_op,
    .stop = stop_op,
    .destroy = destroy_op,
    .handled = handled_op,
};

static void fatal_stop_cb(uv_timer_t *t)
{
    discord *d = t->data;
    /* tend cannot serve Discord: end the process, non-zero so a service manager sees it */
    tend_host_stop(d->base.host, 1);
}

void dc_fatal(discord *d, const char *why)
{
    if (d->fatal || d->stopped)
        return;
    d->fatal = true;
    tend_log(TEND_LOG_ERROR, "discord", "%s", why);
    uv_timer_start(&d->stop_timer, fatal_stop_cb, 0, 0);
}

static void registered_cb(discord *d, long status, const cJSON *body, void *ud)
{
    (void)d;
    (void)ud;
    if (status >= 200 && status < 300)
        tend_log(TEND_LOG_INFO, "discord", "slash commands registered (%d)", cJSON_GetArraySize(body));
    else
        tend_log(TEND_LOG_WARN, "discord", "registering slash commands failed (status %ld)", status);
}

/* A guild whose commands this process registered or will: a node of the hash set, and of the queue
 * of those still waiting while it waits. */
typedef struct registered_guild {
    dc_hnode node; /* first, so a node is its guild */
    struct registered_guild *next;
    char id[32];
} registered_guild;

/* Adds guild_id to the set: its node when new, NULL when it was there or out of memory. */
static registered_guild *remember_guild(discord *d, const char *guild_id)
{
    uint64_t h = dc_hash_text(guild_id);
    for (dc_hnode *n = dc_hmap_first(&d->registered_guilds, h); n; n = n->next)
        if (n->hash == h && strcmp(((registered_guild *)n)->id, guild_id) == 0)
            return NULL;
    registered_guild *g = calloc(1, sizeof *g);
    if (!g)
        return NULL;
    g->node.hash = h;
    snprintf(g->id, sizeof g->id, "%s", guild_id);
    if (dc_hmap_insert(&d->registered_guilds, &g->node) != 0) {
        free(g);
        return NULL;
    }
    return g;
}

/* Per-guild registrations handed to rest at once. Each PUT carries the whole catalogue (~30 kB),
 * and 1,000 guilds' GUILD_CREATEs arrive within a second of READY: queued all at once they held
 * 30 MB until Discord's 50 requests/s let the last one go (bench/profiles/rss-round3.txt). Eight
 * keep rest busy up to that limit at a round trip of 160 ms. */
#define REGISTER_IN_FLIGHT 8

static void pump_registrations(discord *d);

static void guild_registered_cb(discord *d, long status, const cJSON *body, void *ud)
{
    registered_cb(d, status, body, ud);
    d->registering--;
    pump_registrations(d);
}

static void pump_registrations(discord *d)
{
    while (!d->stopping && d->register_next && d->registering < REGISTER_IN_FLIGHT) {
        if (!d->commands_body && !(d->commands_body = dc_json_take(dc_commands_json()))) {
            tend_log(TEND_LOG_ERROR, "discord", "could not register slash commands");
            return; /* out of memory: the next GUILD_CREATE or answer tries again */
        }
        registered_guild *g = d->register_next;
        char path[256];
        snprintf(path, sizeof path, "/applications/%s/guilds/%s/commands", d->app_id, g->id);
        if (dc_rest_send(d->rest, 0, "PUT", path, d->commands_body, guild_registered_cb, NULL) != 0) {
            tend_log(TEND_LOG_ERROR, "discord", "could not register slash commands");
            return;
        }
        d->register_next = g->next;
        if (!d->register_next)
            d->register_last = NULL;
        d->registering++;
    }
    if (!d->register_next) { /* rest copied it into each request */
        free(d->commands_body);
        d->commands_body = NULL;
    }
}

void dc_register_commands(discord *d, const char *guild_id)
{
    if (!guild_id) {
        if (d->global_registered)
            return;
        d->global_registered = true;
        char path[256];
        snprintf(path, sizeof path, "/applications/%s/commands", d->app_id);
        char *body = dc_json_take(dc_commands_json());
        if (!body || dc_rest_send(d->rest, 0, "PUT", path, body, registered_cb, NULL) != 0)
            tend_log(TEND_LOG_ERROR, "discord", "could not register slash commands");
        free(body);
        return;
    }
    /* once per process: GUILD_CREATE comes again after every new session */
    registered_guild *g = remember_guild(d, guild_id);
    if (!g)
        return;
    if (d->register_last)
        d->register_last->next = g;
    else
        d->register_next = g;
    d->register_last = g;
    pump_registrations(d);
}

static char *strip_slash(const char *s)
{
    char *c = strdup(s);
    size_t n = c ? strlen(c) : 0;
    while (n > 0 && c[n - 1] == '/')
        c[--n] = '\0';
    return c;
}

tend_adapter *tend_discord_adapter_create(uv_loop_t *loop, tend_host *host, const tend_config *cfg)
{
    if (!cfg->discord_token || !*cfg->discord_token || !cfg->discord_application_id ||
        !*cfg->discord_application_id) {
        tend_log(TEND_LOG_ERROR, "discord",
                 "Discord needs both [discord] token and [discord] application_id "
                 "(TEND_DISCORD_TOKEN or DISCORD_TOKEN, TEND_DISCORD_APPLICATION_ID)");
        return NULL;
    }
    tend_log_add_secret(cfg->discord_token);
    discord *d = calloc(1, sizeof *d);
    if (!d)
        return NULL;
    srand((unsigned)time(NULL) ^ (unsigned)getpid());
    d->loop = loop;
    d->base.ops = &ops;
    d->base.impl = d;
    d->base.loop = loop;
    d->base.host = host;
    d->token = strdup(cfg->discord_token);
    d->app_id = strdup(cfg->discord_application_id);
    d->api_base = strip_slash(cfg->discord_api_base && *cfg->discord_api_base
                                  ? cfg->discord_api_base
                                  : "https://discord.com/api/v10");
    if (cfg->discord_gateway_url && *cfg->discord_gateway_url)
        d->gateway_url_cfg = strdup(cfg->discord_gateway_url);
    d->global_commands = cfg->discord_global_commands;
    if (cfg->discord_shards && *cfg->discord_shards &&
        tend_config_shards(cfg->discord_shards, &d->shard_first, &d->shard_last, &d->shard_count) != 0) {
        tend_log(TEND_LOG_ERROR, "discord", "[discord] shards must look like 0-3/8 or 8");
        destroy_op(&d->base);
        return NULL;
    }
    d->shard_range = cfg->discord_shards && strchr(cfg->discord_shards, '/');
    size_t n = strlen(cfg->discord_token) + sizeof "Authorization: Bot ";
    d->auth_header = malloc(n);
    if (d->auth_header)
        snprintf(d->auth_header, n, "Authorization: Bot %s", cfg->discord_token);
    if (!d->token || !d->app_id || !d->api_base || !d->auth_header ||
        uv_timer_init(loop, &d->stop_timer) != 0 || uv_timer_init(loop, &d->defer_timer) != 0) {
        destroy_op(&d->base);
        return NULL;
    }
    d->stop_timer.data = d->defer_timer.data = d;
    d->http = tend_http_create(loop, DC_USER_AGENT, 6);
    d->rest = d->http ? dc_rest_create(d) : NULL;
    d->gw = d->rest ? dc_gateway_create(d) : NULL;
    if (!d->gw) {
        tend_log(TEND_LOG_ERROR, "discord", "could not set up the Discord connection");
        stop_op(&d->base);
        /* the handles close on the loop's next turn; the rest is freed with them */
        uv_run(loop, UV_RUN_NOWAIT);
        destroy_op(&d->base);
        return NULL;
    }
    return &d->base;
}
