/*
 * shards.c — the Discord gateway as a set of shards on the app's one loop.
 *
 * GET /gateway/bot gives the URL, the recommended shard count and the session start limit; the
 * config's [discord] shards (e.g. 0-3/8) can name the count and the range run by this process
 * instead. Each shard is its own connection with its own heartbeat, session and resume
 * (gateway.c); they share one libwebsockets context and the IDENTIFY buckets: Discord lets a bot
 * start max_concurrency sessions per 5 s, one per bucket, bucket = shard_id % max_concurrency, so
 * shards 0..mc-1 start together, then mc..2mc-1 after 5 s, and so on. RESUMEs use no slot.
 *
 * Stopping is orderly: every shard keeps its session in the store and sends a close frame that
 * keeps the session resumable (tend is usually restarting), then the lws context goes once every
 * shard has closed, or after STOP_WAIT_MS at the latest.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adapters/discord/gateway.h"
#include "adapters/metrics.h"
#include "lib/log.h"

#define BACKOFF_MAX_MS 60000
#define STOP_WAIT_MS 2000

static void lws_log_line(int level, const char *line)
{
    /* lws never sees the token (it goes only in IDENTIFY/RESUME payloads, which lws does not log) */
    tend_log(level == LLL_ERR ? TEND_LOG_WARN : TEND_LOG_DEBUG, "discord", "lws: %.*s",
             (int)strcspn(line, "\n"), line);
}

/* Which slash commands this build registers, and how: a session made by a build that registered
 * others is not resumed, so the new commands are registered on the GUILD_CREATEs that follow a
 * fresh IDENTIFY (a RESUME brings none). */
static uint64_t commands_hash(const discord *d)
{
    char *json = dc_json_take(dc_commands_json());
    uint64_t h = json ? dc_hash_text(json) : 0;
    free(json);
    return d->global_commands ? h ^ 1 : h;
}

dc_gateway *dc_gateway_create(discord *d)
{
    dc_gateway *gw = calloc(1, sizeof *gw);
    if (!gw)
        return NULL;
    gw->d = d;
    /* 32 KB: a 3 KB INTERACTION_CREATE's ~250 nodes and strings take about 15 KB */
    gw->payloads = tend_json_arena_create(32 * 1024);
    if (!gw->payloads) {
        free(gw);
        return NULL;
    }
    gw->backoff_ms = 500;
    gw->commands_hash = commands_hash(d);
    lws_set_log_level(LLL_ERR, lws_log_line);
    struct lws_context_creation_info info;
    memset(&info, 0, sizeof info);
    info.port = CONTEXT_PORT_NO_LISTEN;
    info.protocols = dc_ws_protocols;
    /* not lws's OS CA loading (the whole bundle parsed at start, ~1.3 MB): the same authorities
     * looked up by hash when the gateway's certificate is verified (ws_cb, lib/tls_trust.h) */
    info.options = LWS_SERVER_OPTION_LIBUV | LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT |
                   LWS_SERVER_OPTION_DISABLE_OS_CA_CERTS;
    gw->foreign_loops[0] = d->loop;
    info.foreign_loops = gw->foreign_loops;
    info.user = gw;
    gw->ctx = lws_create_context(&info);
    if (!gw->ctx) {
        tend_log(TEND_LOG_ERROR, "discord",
                 "could not start libwebsockets on the loop (is libwebsockets-evlib-uv installed?)");
        tend_json_arena_destroy(gw->payloads);
        free(gw);
        return NULL;
    }
    tend_metric_set(&TEND_M_CONNECTED, "discord", NULL, 0); /* until every shard is READY */
    uv_timer_init(d->loop, &gw->retry);
    uv_timer_init(d->loop, &gw->save);
    uv_timer_init(d->loop, &gw->stop_wait);
    gw->retry.data = gw->save.data = gw->stop_wait.data = gw;
    return gw;
}

/* ---------------------------------------------------------------- pure helpers */

int dc_shard_of_guild(const char *guild_id, int count)
{
    size_t n = guild_id ? strspn(guild_id, "0123456789") : 0;
    if (count < 1 || n == 0 || n > 20 || guild_id[n] != '\0')
        return -1;
    errno = 0;
    unsigned long long id = strtoull(guild_id, NULL, 10);
    if (errno)
        return -1;
    return (int)((id >> 22) % (unsigned long long)count);
}

uint64_t dc_identify_reserve(uint64_t *bucket_next, int max_concurrency, int shard_id, uint64_t earliest)
{
    uint64_t *slot = &bucket_next[shard_id % max_concurrency];
    uint64_t at = *slot > earliest ? *slot : earliest;
    *slot = at + DC_IDENTIFY_GAP_MS;
    return at;
}

void dc_identify_written(uint64_t *bucket_next, int max_concurrency, int shard_id, uint64_t sent)
{
    uint64_t *slot = &bucket_next[shard_id % max_concurrency];
    if (*slot < sent + DC_IDENTIFY_GAP_MS)
        *slot = sent + DC_IDENTIFY_GAP_MS;
}

/* ---------------------------------------------------------------- starting */

static void save_cb(uv_timer_t *t)
{
    dc_gateway *gw = t->data;
    for (int i = 0; i < gw->n_shards; i++)
        dc_shard_save(&gw->shards[i]);
}

/* Sets up shards first..last of count. 0 or -1 (out of memory, logged by the caller). */
static int make_shards(dc_gateway *gw, int first, int last, int count, int max_concurrency)
{
    gw->first = first;
    gw->last = last;
    gw->count = count;
    gw->max_concurrency = max_concurrency;
    gw->bucket_next = calloc((size_t)max_concurrency, sizeof *gw->bucket_next);
    gw->bucket_sent = calloc((size_t)max_concurrency, sizeof *gw->bucket_sent);
    gw->shards = calloc((size_t)(last - first + 1), sizeof *gw->shards);
    if (!gw->bucket_next || !gw->bucket_sent || !gw->shards)
        return -1;
    for (int id = first; id <= last; id++) {
        if (dc_shard_init(&gw->shards[gw->n_shards], gw, id) != 0)
            return -1;
        gw->n_shards++;
    }
    return 0;
}

/* ---------------------------------------------------------------- shards shared through leases */

/* The host says what this process runs (adapters/host.h, app/shares.h). A shard taken RESUMEs the
 * session its last holder kept in the store (a crash loses at most DC_SEQ_SAVE_MS of sequence:
 * those events come again and are recognised by their ids), or IDENTIFYs in its bucket's slot. */
static void on_share(void *ud, int part, tend_share_event event)
{
    dc_gateway *gw = ud;
    if (gw->stopping || part < 0 || part >= gw->n_shards)
        return;
    dc_shard *sh = &gw->shards[part];
    switch (event) {
    case TEND_SHARE_TAKEN: {
        sh->running = true;
        sh->giving_back = false;
        bool resuming = dc_shard_load_session(sh);
        tend_log(TEND_LOG_INFO, "discord", "shard %d of %d: running here now (%s)", sh->id, gw->count,
                 resuming ? "resuming its session" : "identifying");
        if (!sh->wsi && !sh->connecting) /* else the close under way reconnects it */
            dc_shard_start(sh);
        break;
    }
    case TEND_SHARE_LOST:
        tend_log(TEND_LOG_WARN, "discord", "shard %d of %d: stopped here (another tend process runs it now)",
                 sh->id, gw->count);
        sh->running = false;
        sh->giving_back = false;
        dc_shard_drop(sh);
        break;
    case TEND_SHARE_GIVE_BACK:
        tend_log(TEND_LOG_INFO, "discord", "shard %d of %d: handing it to another tend process", sh->id,
                 gw->count);
        sh->running = false;
        sh->giving_back = true;
        if (!dc_shard_stop(sh)) /* no connection to close: handed over at once */
            dc_gateway_shard_given_back(sh);
        break;
    }
}

void dc_gateway_shard_given_back(dc_shard *sh)
{
    sh->giving_back = false;
    dc_shard_forget_memory(sh);
    tend_host_share_given_back(sh->d->base.host, sh->id);
}

static void retry_gateway_bot_cb(uv_timer_t *t)
{
    dc_gateway_start(t->data);
}

static int json_int(const cJSON *obj, const char *name, int fallback)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);
    return cJSON_IsNumber(v) && v->valuedouble >= 0 && v->valuedouble < 1e9 ? (int)v->valuedouble : fallback;
}

static void gateway_bot_cb(discord *d, long status, const cJSON *body, void *ud)
{
    dc_gateway *gw = ud;
    if (gw->stopping || d->stopping || gw->shards)
        return;
    if (status != 200) {
        if (status != 401) { /* a 401 stopped tend already (rest.c) */
            tend_log(TEND_LOG_WARN, "discord", "GET /gateway/bot answered %ld; trying again", status);
            uv_timer_start(&gw->retry, retry_gateway_bot_cb, gw->backoff_ms, 0);
        }
        return;
    }
    const cJSON *url = cJSON_GetObjectItemCaseSensitive(body, "url");
    const cJSON *limit = cJSON_GetObjectItemCaseSensitive(body, "session_start_limit");
    int remaining = json_int(limit, "remaining", -1);
    int mc = json_int(limit, "max_concurrency", 1);
    int advised = json_int(body, "shards", 1);
    int count = d->shard_count ? d->shard_count : advised;
    if (count < 1 || count > TEND_SHARDS_MAX)
        count = 1;
    if (d->shard_count && advised > d->shard_count)
        tend_log(TEND_LOG_WARN, "discord", "Discord advises %d shards; [discord] shards says %d", advised,
                 d->shard_count);
    if (mc < 1 || mc > count)
        mc = mc < 1 ? 1 : count; /* more buckets than shards would stay empty */
    free(gw->url);
    gw->url = strdup(d->gateway_url_cfg ? d->gateway_url_cfg : cJSON_IsString(url) ? url->valuestring : "");
    int first = d->shard_count ? d->shard_first : 0, last = d->shard_count ? d->shard_last : count - 1;
    if (!gw->url || make_shards(gw, first, last, count, mc) != 0) {
        dc_fatal(d, "Out of memory while setting up the Discord gateway.");
        return;
    }
    uv_timer_start(&gw->save, save_cb, DC_SEQ_SAVE_MS, DC_SEQ_SAVE_MS);
    /* the sessions kept in the store (by this process or, shards being shared, by another): what
     * cannot be resumed needs a session start, and Discord allows only so many a day */
    int resuming = 0;
    for (int i = 0; i < gw->n_shards; i++)
        resuming += dc_shard_load_session(&gw->shards[i]);
    int identifying = gw->n_shards - resuming;
    if (remaining >= 0 && remaining < identifying) {
        char why[256];
        snprintf(why, sizeof why,
                 "Discord allows no more gateway sessions for this bot today (%d left, %d needed); tend "
                 "will not burn more. They come back in about %d minutes.",
                 remaining, identifying, json_int(limit, "reset_after", 3600000) / 60000 + 1);
        dc_fatal(d, why);
        return;
    }
    /* no range named: the shards are shared with any other tend process on this database, each
     * started here once its lease is (on_share, which reads its session again then); a lone
     * process takes them all at once */
    if (!d->shard_range && tend_host_share(d->base.host, "discord.shard.", count, on_share, gw) == 0) {
        gw->shared = true;
        for (int i = 0; i < gw->n_shards; i++)
            dc_shard_forget_memory(&gw->shards[i]);
        tend_log(TEND_LOG_INFO, "discord",
                 "gateway: %d shards (%d resumable, %d at a time), shared with any other tend process on "
                 "this database", gw->count, resuming, gw->max_concurrency);
        return;
    }
    tend_log(TEND_LOG_INFO, "discord",
             "gateway: shards %d-%d of %d (%d resuming, %d identifying, %d at a time)", gw->first, gw->last,
             gw->count, resuming, identifying, gw->max_concurrency);
    for (int i = 0; i < gw->n_shards; i++) {
        gw->shards[i].running = true;
        dc_shard_start(&gw->shards[i]);
    }
}

int dc_gateway_start(dc_gateway *gw)
{
    /* also the retry timer's callback after a failed GET /gateway/bot */
    gw->backoff_ms = gw->backoff_ms < BACKOFF_MAX_MS ? gw->backoff_ms * 2 : BACKOFF_MAX_MS;
    return dc_rest_send(gw->d->rest, 0, "GET", "/gateway/bot", NULL, gateway_bot_cb, gw);
}

/* ---------------------------------------------------------------- stopping */

static void finish_stop_cb(uv_timer_t *t)
{
    dc_gateway *gw = t->data;
    if (gw->stopped)
        return;
    gw->stopped = true;
    for (int i = 0; i < gw->n_shards; i++) {
        dc_ws_cancel(&gw->shards[i]);
        dc_shard_close_handles(&gw->shards[i]);
    }
    uv_close((uv_handle_t *)&gw->retry, NULL);
    uv_close((uv_handle_t *)&gw->save, NULL);
    uv_close((uv_handle_t *)&gw->stop_wait, NULL);
    /* with a foreign loop this only starts the teardown; destroy() finishes it */
    lws_context_destroy(gw->ctx);
}

void dc_gateway_shard_closed(dc_gateway *gw)
{
    if (gw->stopped)
        return;
    for (int i = 0; i < gw->n_shards; i++)
        if (gw->shards[i].wsi || gw->shards[i].resolving)
            return;
    /* from a timer, not here: this runs inside an lws callback, where the context cannot go */
    uv_timer_start(&gw->stop_wait, finish_stop_cb, 0, 0);
}

void dc_gateway_stop(dc_gateway *gw)
{
    if (!gw || gw->stopping)
        return;
    gw->stopping = true;
    uv_timer_stop(&gw->retry);
    uv_timer_stop(&gw->save);
    int closing = 0;
    for (int i = 0; i < gw->n_shards; i++)
        closing += dc_shard_stop(&gw->shards[i]);
    uv_timer_start(&gw->stop_wait, finish_stop_cb, closing ? STOP_WAIT_MS : 0, 0);
}

void dc_gateway_destroy(dc_gateway *gw)
{
    if (!gw)
        return;
    if (gw->ctx)
        lws_context_destroy(gw->ctx);
    for (int i = 0; i < gw->n_shards; i++)
        dc_shard_free(&gw->shards[i]);
    free(gw->shards);
    free(gw->bucket_next);
    free(gw->bucket_sent);
    free(gw->url);
    tend_json_arena_destroy(gw->payloads);
    free(gw);
}
