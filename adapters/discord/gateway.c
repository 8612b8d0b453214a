/*
 * gateway.c — one shard's gateway session: hello, heartbeats, IDENTIFY or RESUME, dispatches, and
 * what to do after each way a connection ends.
 *
 * The rules, from Discord's gateway documentation:
 * - A dropped connection, op 7 RECONNECT and op 9 INVALID_SESSION with d: true are resumed at once
 *   (on resume_gateway_url); only the first retry of a connection that keeps failing waits.
 * - op 9 with d: false ends the session: a new IDENTIFY after a random 1-5 s, in the shard's
 *   IDENTIFY bucket (shards.c).
 * - A zombie connection (no ACK between two heartbeats) and op 7 are closed with 4000, never 1000
 *   or 1001, which would end the session.
 * - Close codes 4004 and 4010-4014 cannot be fixed by retrying: tend stops, and exits non-zero.
 *
 * The session (session_id, the last sequence number, resume_gateway_url) is kept in the store, so
 * a restart within Discord's few minutes RESUMEs and receives what was sent while tend was down.
 * The sequence number is written at most once a second (shards.c's timer) and at every stop, not
 * on each event: a crash then replays at most a second of events, which the router recognises by
 * their ids (interactions and messages are recorded with their effects), so a replay is harmless.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adapters/discord/gateway.h"
#include "adapters/metrics.h"
#include "lib/log.h"

#define BACKOFF_FIRST_MS 500
#define BACKOFF_MAX_MS 60000
#define RESUME_URL_TRIES 3 /* then resume through the main URL: that host may be gone */

static uint64_t now_ms(const dc_shard *sh)
{
    return uv_now(sh->d->loop);
}

/* random in [0, 1) */
static double jitter(void)
{
    return (double)(rand() % 10000) / 10000.0;
}

/* ---------------------------------------------------------------- the session in the store */

int dc_session_format(const dc_session_record *r, char *out, size_t outlen)
{
    const char *fields[] = {r->session_id, r->resume_url[0] ? r->resume_url : "-",
                            r->bot_user_id[0] ? r->bot_user_id : "-"};
    for (size_t i = 0; i < 3; i++)
        if (!fields[i][0] || strpbrk(fields[i], " \t\r\n"))
            return -1;
    int n = snprintf(out, outlen, "1 %d %lld %llx %s %s %s", r->count, r->seq,
                     (unsigned long long)r->commands_hash, fields[0], fields[1], fields[2]);
    return n > 0 && (size_t)n < outlen ? 0 : -1;
}

/* The next space-separated word of *p into out (at most outlen - 1 bytes). 0 or -1. */
static int next_word(const char **p, char *out, size_t outlen)
{
    size_t n = strcspn(*p, " ");
    if (n == 0 || n >= outlen)
        return -1;
    memcpy(out, *p, n);
    out[n] = '\0';
    *p += n;
    if (**p == ' ')
        (*p)++;
    return 0;
}

int dc_session_parse(const char *text, dc_session_record *r)
{
    char version[4], count[12], seq[24], hash[20];
    const char *p = text;
    memset(r, 0, sizeof *r);
    if (next_word(&p, version, sizeof version) || strcmp(version, "1") != 0 ||
        next_word(&p, count, sizeof count) || next_word(&p, seq, sizeof seq) ||
        next_word(&p, hash, sizeof hash) || next_word(&p, r->session_id, sizeof r->session_id) ||
        next_word(&p, r->resume_url, sizeof r->resume_url) ||
        next_word(&p, r->bot_user_id, sizeof r->bot_user_id) || *p)
        return -1;
    char *end;
    long c = strtol(count, &end, 10);
    if (*end || c < 1 || c > TEND_SHARDS_MAX)
        return -1;
    r->count = (int)c;
    r->seq = strtoll(seq, &end, 10);
    if (*end || r->seq < -1)
        return -1;
    r->commands_hash = strtoull(hash, &end, 16);
    if (*end)
        return -1;
    if (strcmp(r->resume_url, "-") == 0)
        r->resume_url[0] = '\0';
    if (strcmp(r->bot_user_id, "-") == 0)
        r->bot_user_id[0] = '\0';
    return 0;
}

/* Every access to the kept session is in the three functions below, through the host. */

static tend_host *host_of(const dc_shard *sh)
{
    return sh->d->base.host;
}

static bool session_read(dc_shard *sh, dc_session_record *r)
{
    char key[32], value[1024];
    snprintf(key, sizeof key, "gateway:%d", sh->id);
    return tend_host_state_get(host_of(sh), key, value, sizeof value) == 0 &&
           dc_session_parse(value, r) == 0;
}

static void session_write(dc_shard *sh)
{
    dc_session_record r = {.count = sh->gw->count, .seq = sh->seq, .commands_hash = sh->gw->commands_hash};
    char key[32], value[1024];
    snprintf(key, sizeof key, "gateway:%d", sh->id);
    snprintf(r.session_id, sizeof r.session_id, "%s", sh->session_id);
    snprintf(r.resume_url, sizeof r.resume_url, "%s", sh->resume_url ? sh->resume_url : "");
    snprintf(r.bot_user_id, sizeof r.bot_user_id, "%s", sh->d->bot_user_id);
    if (dc_session_format(&r, value, sizeof value) != 0) {
        tend_log(TEND_LOG_WARN, "discord", "shard %d: the session cannot be kept for a restart", sh->id);
        return;
    }
    if (tend_host_state_set(host_of(sh), key, value) == 0)
        sh->saved_seq = sh->seq;
    else
        tend_log(TEND_LOG_WARN, "discord", "shard %d: could not keep the session in the store", sh->id);
}

static void session_erase(dc_shard *sh)
{
    char key[32];
    snprintf(key, sizeof key, "gateway:%d", sh->id);
    if (tend_host_state_delete(host_of(sh), key) != 0)
        tend_log(TEND_LOG_WARN, "discord", "shard %d: could not forget the old session", sh->id);
}

static void forget_session(dc_shard *sh)
{
    if (sh->session_id[0])
        session_erase(sh);
    sh->session_id[0] = '\0';
    sh->seq = sh->saved_seq = -1;
    free(sh->resume_url);
    sh->resume_url = NULL;
}

bool dc_shard_load_session(dc_shard *sh)
{
    dc_session_record r;
    if (!session_read(sh, &r))
        return false;
    if (r.count != sh->gw->count || r.commands_hash != sh->gw->commands_hash) {
        tend_log(TEND_LOG_INFO, "discord", "shard %d: the last session was for %s; identifying anew",
                 sh->id, r.count != sh->gw->count ? "another shard count" : "other slash commands");
        session_erase(sh);
        return false;
    }
    snprintf(sh->session_id, sizeof sh->session_id, "%s", r.session_id);
    sh->seq = sh->saved_seq = r.seq;
    free(sh->resume_url);
    sh->resume_url = r.resume_url[0] ? strdup(r.resume_url) : NULL;
    if (!sh->d->bot_user_id[0]) /* READY, which names the bot, does not come again on RESUME */
        snprintf(sh->d->bot_user_id, sizeof sh->d->bot_user_id, "%s", r.bot_user_id);
    return true;
}

void dc_shard_save(dc_shard *sh)
{
    if (sh->session_id[0] && sh->seq != sh->saved_seq)
        session_write(sh);
}

/* ---------------------------------------------------------------- sending */

static void send_heartbeat(dc_shard *sh)
{
    cJSON *p = cJSON_CreateObject();
    cJSON_AddNumberToObject(p, "op", 1);
    if (sh->seq >= 0)
        cJSON_AddNumberToObject(p, "d", (double)sh->seq);
    else
        cJSON_AddNullToObject(p, "d");
    dc_ws_send(sh, p, DC_TX_HEARTBEAT);
}

static void send_identify(dc_shard *sh)
{
    cJSON *p = cJSON_CreateObject();
    cJSON_AddNumberToObject(p, "op", 2);
    cJSON *d = cJSON_AddObjectToObject(p, "d");
    cJSON_AddStringToObject(d, "token", sh->d->token);
    cJSON_AddNumberToObject(d, "intents", DC_INTENTS);
    cJSON *props = cJSON_AddObjectToObject(d, "properties");
    cJSON_AddStringToObject(props, "os", "linux");
    cJSON_AddStringToObject(props, "browser", "tend");
    cJSON_AddStringToObject(props, "device", "tend");
    const int shard[2] = {sh->id, sh->gw->count};
    cJSON_AddItemToObject(d, "shard", cJSON_CreateIntArray(shard, 2));
    dc_ws_send(sh, p, DC_TX_IDENTIFY);
}

static void send_resume(dc_shard *sh)
{
    cJSON *p = cJSON_CreateObject();
    cJSON_AddNumberToObject(p, "op", 6);
    cJSON *d = cJSON_AddObjectToObject(p, "d");
    cJSON_AddStringToObject(d, "token", sh->d->token);
    cJSON_AddStringToObject(d, "session_id", sh->session_id);
    cJSON_AddNumberToObject(d, "seq", (double)(sh->seq >= 0 ? sh->seq : 0));
    dc_ws_send(sh, p, DC_TX_EVENT);
}

/* ---------------------------------------------------------------- connecting */

static void connect_cb(uv_timer_t *t)
{
    dc_shard *sh = t->data;
    if (sh->gw->stopping || !sh->running)
        return;
    bool resume = sh->session_id[0] && sh->resume_url && sh->failures < RESUME_URL_TRIES;
    if (dc_ws_connect(sh, resume ? sh->resume_url : sh->gw->url) != 0)
        dc_fatal(sh->d, "The Discord gateway URL is not a ws:// or wss:// URL.");
}

/* Connects after delay_ms; without a session, not before the shard's next IDENTIFY slot. */
static void connect_later(dc_shard *sh, uint64_t delay_ms)
{
    uint64_t now = now_ms(sh);
    if (!sh->session_id[0]) {
        dc_gateway *gw = sh->gw;
        uint64_t at = dc_identify_reserve(gw->bucket_next, gw->max_concurrency, sh->id, now + delay_ms);
        delay_ms = at - now;
    }
    uv_timer_start(&sh->later, connect_cb, delay_ms, 0);
}

void dc_shard_start(dc_shard *sh)
{
    connect_later(sh, 0);
}

static void identify_cb(uv_timer_t *t)
{
    dc_shard *sh = t->data;
    if (sh->wsi && !sh->close_code && !sh->gw->stopping)
        send_identify(sh);
}

/* After HELLO: RESUME at once, or IDENTIFY when the bucket allows (the connection was opened in
 * its slot, so this waits only when another shard's IDENTIFY of the bucket went out late). */
static void identify_or_resume(dc_shard *sh)
{
    if (sh->session_id[0]) {
        send_resume(sh);
        return;
    }
    uint64_t now = now_ms(sh);
    uint64_t at = dc_identify_reserve(sh->gw->bucket_sent, sh->gw->max_concurrency, sh->id, now);
    if (at > now)
        uv_timer_start(&sh->later, identify_cb, at - now, 0);
    else
        send_identify(sh);
}

/* Ends this connection on purpose (a non-1000 code: the session stays resumable) and reconnects
 * delay_ms after it closed. */
static void close_and_reconnect(dc_shard *sh, int wait_ms, uint64_t delay_ms)
{
    uv_timer_stop(&sh->heartbeat);
    sh->next_delay_ms = delay_ms;
    sh->have_delay = true;
    dc_ws_close(sh, DC_CLOSE_RECONNECT, wait_ms);
}

/* ---------------------------------------------------------------- heartbeats */

static void heartbeat_cb(uv_timer_t *t)
{
    dc_shard *sh = t->data;
    if (!sh->wsi)
        return;
    if (!sh->acked) {
        /* a zombie: the server may never answer, so the socket goes as soon as the frame is out */
        tend_log(TEND_LOG_WARN, "discord", "shard %d: no heartbeat ACK from the gateway; reconnecting",
                 sh->id);
        close_and_reconnect(sh, 0, 0);
        return;
    }
    sh->acked = false;
    send_heartbeat(sh);
}

/* ---------------------------------------------------------------- receiving */

/* For the health check and the metrics: Discord counts as connected while every shard run here
 * has a usable session (READY or RESUMED); a group on a shard that is down hears nothing. */
static void note_connection(dc_shard *sh, bool up)
{
    if (up && sh->dropped_at)
        tend_metric_add(&TEND_M_RECONNECTS, "discord", NULL, 1);
    sh->up = up;
    /* the shards this process runs; none (all held elsewhere) is standby, which the host reports */
    int running = 0;
    bool all = true;
    for (int i = 0; i < sh->gw->n_shards; i++)
        if (sh->gw->shards[i].running) {
            running++;
            all = all && sh->gw->shards[i].up;
        }
    all = all && running > 0;
    tend_metric_set(&TEND_M_CONNECTED, "discord", NULL, all ? 1 : 0);
}

static void on_dispatch(dc_shard *sh, const char *t, const cJSON *data)
{
    discord *d = sh->d;
    if (strcmp(t, "READY") == 0) {
        const cJSON *sid = cJSON_GetObjectItemCaseSensitive(data, "session_id");
        const cJSON *rurl = cJSON_GetObjectItemCaseSensitive(data, "resume_gateway_url");
        const cJSON *user = cJSON_GetObjectItemCaseSensitive(data, "user");
        const cJSON *uid = cJSON_GetObjectItemCaseSensitive(user, "id");
        if (cJSON_IsString(sid))
            snprintf(sh->session_id, sizeof sh->session_id, "%s", sid->valuestring);
        free(sh->resume_url);
        sh->resume_url = cJSON_IsString(rurl) ? strdup(rurl->valuestring) : NULL;
        if (cJSON_IsString(uid))
            snprintf(d->bot_user_id, sizeof d->bot_user_id, "%s", uid->valuestring);
        sh->failures = 0;
        note_connection(sh, true);
        session_write(sh); /* a new session: kept at once, so a crash now can still resume it */
        tend_log(TEND_LOG_INFO, "discord", "gateway ready (user %s, shard %d of %d)", d->bot_user_id, sh->id,
                 sh->gw->count);
        if (d->global_commands)
            dc_register_commands(d, NULL);
    } else if (strcmp(t, "RESUMED") == 0) {
        sh->failures = 0;
        note_connection(sh, true);
        if (sh->dropped_at)
            tend_log(TEND_LOG_INFO, "discord", "shard %d: gateway session resumed %llu ms after the drop",
                     sh->id, (unsigned long long)(now_ms(sh) - sh->dropped_at));
        else
            tend_log(TEND_LOG_INFO, "discord", "shard %d: gateway session resumed after tend's restart",
                     sh->id);
    } else if (strcmp(t, "GUILD_CREATE") == 0) {
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(data, "id");
        if (cJSON_IsString(id) && dc_shard_of_guild(id->valuestring, sh->gw->count) != sh->id)
            tend_log(TEND_LOG_WARN, "discord", "shard %d got a server that belongs to another shard", sh->id);
        if (cJSON_IsString(id) && !d->global_commands)
            dc_register_commands(d, id->valuestring);
        dc_intro_on_guild_create(d, data);
    } else if (strcmp(t, "INTERACTION_CREATE") == 0) {
        dc_dispatch_interaction(d, data);
    } else if (strcmp(t, "MESSAGE_CREATE") == 0) {
        dc_dispatch_message(d, data);
    }
}

static void on_hello(dc_shard *sh, const cJSON *data)
{
    const cJSON *hi = cJSON_GetObjectItemCaseSensitive(data, "heartbeat_interval");
    sh->interval_ms = cJSON_IsNumber(hi) && hi->valuedouble >= 1 ? (uint64_t)hi->valuedouble : 41250;
    sh->acked = true;
    uv_timer_start(&sh->heartbeat, heartbeat_cb, (uint64_t)((double)sh->interval_ms * jitter()),
                   sh->interval_ms);
    if (!sh->hello) {
        sh->hello = true;
        identify_or_resume(sh);
    }
}

static void on_invalid_session(dc_shard *sh, bool resumable)
{
    tend_log(TEND_LOG_INFO, "discord", "shard %d: gateway session invalid (%s)", sh->id,
             resumable ? "resuming" : "identifying anew");
    if (resumable) {
        close_and_reconnect(sh, DC_CLOSE_ANSWER_MS, 0);
        return;
    }
    forget_session(sh);
    close_and_reconnect(sh, DC_CLOSE_ANSWER_MS, 1000 + (uint64_t)(jitter() * 4000));
}

void dc_shard_on_payload(dc_shard *sh, const char *buf, size_t len)
{
    if (sh->gw->stopping)
        return; /* not counted in seq: after the restart, the RESUME replays it */
    if (!sh->running) {
        /* held by another process now (or being handed over): the holder's RESUME replays it. A
         * connection that opened after the shard was let go ends here. */
        if (sh->wsi && !sh->close_code)
            dc_ws_close(sh, DC_CLOSE_RESTARTING, 0);
        return;
    }
    cJSON *p = tend_json_arena_parse(sh->gw->payloads, buf, len);
    const cJSON *op = cJSON_GetObjectItemCaseSensitive(p, "op");
    if (!cJSON_IsNumber(op)) {
        /* the payload is not quoted: it could echo anything back, and it is useless in a log */
        tend_log(TEND_LOG_WARN, "discord", "skipped a malformed gateway payload (%zu bytes)", len);
        tend_json_arena_delete(sh->gw->payloads, p);
        return;
    }
    const cJSON *data = cJSON_GetObjectItemCaseSensitive(p, "d");
    switch (op->valueint) {
    case 0: {
        const cJSON *s = cJSON_GetObjectItemCaseSensitive(p, "s");
        const cJSON *t = cJSON_GetObjectItemCaseSensitive(p, "t");
        if (cJSON_IsNumber(s))
            sh->seq = (long long)s->valuedouble;
        if (cJSON_IsString(t))
            on_dispatch(sh, t->valuestring, data);
        break;
    }
    case 1:
        send_heartbeat(sh);
        break;
    case 7:
        tend_log(TEND_LOG_INFO, "discord", "shard %d: gateway asked to reconnect", sh->id);
        close_and_reconnect(sh, DC_CLOSE_ANSWER_MS, 0);
        break;
    case 9:
        on_invalid_session(sh, cJSON_IsTrue(data));
        break;
    case 10:
        on_hello(sh, data);
        break;
    case 11:
        sh->acked = true;
        break;
    default:
        break;
    }
    tend_json_arena_delete(sh->gw->payloads, p);
}

void dc_shard_on_unreadable(dc_shard *sh)
{
    if (sh->gw->stopping || !sh->running || sh->close_code)
        return; /* closing already */
    tend_log(TEND_LOG_WARN, "discord",
             "shard %d: a compressed gateway message could not be read; connecting again to resume", sh->id);
    close_and_reconnect(sh, DC_CLOSE_ANSWER_MS, 0);
}

/* ---------------------------------------------------------------- after a close */

static const char *fatal_reason(int code)
{
    switch (code) {
    case 4004:
        return "Discord rejected the bot token (close code 4004). Check [discord] token "
               "(TEND_DISCORD_TOKEN) and start tend again.";
    case 4010:
        return "Discord says the shard sent is invalid (close code 4010). Check [discord] shards.";
    case 4011:
        return "Discord says this bot is in too many servers for its shards and needs more of them "
               "(close code 4011). Leave [discord] shards unset, or raise its total.";
    case 4012:
        return "Discord does not accept this gateway version (close code 4012).";
    case 4013:
        return "Discord says the gateway intents sent are invalid (close code 4013).";
    case 4014:
        return "Discord refused the gateway intents: this bot is not allowed them (close code 4014). "
               "Check the bot's settings in the Developer Portal.";
    default:
        return NULL;
    }
}

void dc_shard_on_closed(dc_shard *sh)
{
    uv_timer_stop(&sh->heartbeat);
    uv_timer_stop(&sh->later); /* an IDENTIFY waiting for its slot */
    note_connection(sh, false);
    if (sh->hello) /* a working connection ended (not one more failed attempt) */
        sh->dropped_at = now_ms(sh);
    sh->hello = false;
    int code = sh->peer_close;
    if (sh->gw->stopping) {
        dc_gateway_shard_closed(sh->gw);
        return;
    }
    if (!sh->running) { /* let go: another process runs it, or is about to */
        if (sh->giving_back)
            dc_gateway_shard_given_back(sh);
        return;
    }
    const char *fatal = fatal_reason(code);
    if (fatal) {
        dc_fatal(sh->d, fatal);
        return;
    }
    if (code == 4007 || code == 4009)
        forget_session(sh); /* the session cannot be resumed: identify anew */
    uint64_t delay = 0;
    if (sh->have_delay) {
        delay = sh->next_delay_ms;
    } else if (sh->failures > 0) {
        int shift = sh->failures > 7 ? 7 : sh->failures - 1;
        uint64_t base = (uint64_t)BACKOFF_FIRST_MS << shift;
        delay = (uint64_t)((double)(base < BACKOFF_MAX_MS ? base : BACKOFF_MAX_MS) * (0.5 + jitter()));
    }
    if (!sh->have_delay)
        tend_log(TEND_LOG_WARN, "discord",
                 "shard %d: gateway connection lost (code %d); reconnecting in %llu ms", sh->id, code,
                 (unsigned long long)delay);
    sh->have_delay = false;
    sh->failures++;
    connect_later(sh, delay);
}

/* ---------------------------------------------------------------- life */

int dc_shard_init(dc_shard *sh, dc_gateway *gw, int id)
{
    memset(sh, 0, sizeof *sh);
    sh->gw = gw;
    sh->d = gw->d;
    sh->id = id;
    sh->seq = sh->saved_seq = -1;
    dc_send_window_init(&sh->window, 110, 60000); /* 120 allowed; keep 10 for heartbeats */
    if (uv_timer_init(gw->d->loop, &sh->heartbeat) != 0 || uv_timer_init(gw->d->loop, &sh->later) != 0 ||
        uv_timer_init(gw->d->loop, &sh->send_later) != 0)
        return -1; /* timer_init only fails on a bad loop; nothing to close */
    sh->heartbeat.data = sh->later.data = sh->send_later.data = sh;
    sh->handles_open = true;
    return 0;
}

bool dc_shard_stop(dc_shard *sh)
{
    uv_timer_stop(&sh->heartbeat);
    uv_timer_stop(&sh->later);
    dc_shard_save(sh);
    if (sh->wsi) {
        dc_ws_close(sh, DC_CLOSE_RESTARTING, DC_CLOSE_ANSWER_MS);
        return true;
    }
    if (sh->resolving) {
        dc_ws_cancel(sh);
        return true;
    }
    return false;
}

void dc_shard_forget_memory(dc_shard *sh)
{
    sh->session_id[0] = '\0';
    sh->seq = sh->saved_seq = -1;
    free(sh->resume_url);
    sh->resume_url = NULL;
    sh->failures = 0;
}

void dc_shard_drop(dc_shard *sh)
{
    uv_timer_stop(&sh->heartbeat);
    uv_timer_stop(&sh->later);
    dc_shard_forget_memory(sh); /* the next holder's session is not ours to write */
    if (sh->wsi)
        dc_ws_close(sh, DC_CLOSE_RESTARTING, 0);
    else if (sh->resolving)
        dc_ws_cancel(sh);
    note_connection(sh, false);
}

void dc_shard_close_handles(dc_shard *sh)
{
    if (!sh->handles_open)
        return;
    sh->handles_open = false;
    uv_close((uv_handle_t *)&sh->heartbeat, NULL);
    uv_close((uv_handle_t *)&sh->later, NULL);
    uv_close((uv_handle_t *)&sh->send_later, NULL);
}

void dc_shard_free(dc_shard *sh)
{
    dc_ws_reset(sh);
    free(sh->rx);
    tend_zstream_destroy(sh->z);
    free(sh->resume_url);
}
