/*
 * gateway.c — Discord's gateway websocket with libwebsockets on the app's libuv loop.
 *
 * lws runs on the foreign loop (LWS_SERVER_OPTION_LIBUV); names are resolved with uv_getaddrinfo
 * because lws would resolve them with a blocking getaddrinfo. Heartbeats, reconnect pauses and the
 * send window are plain libuv timers. Every way a connection ends comes through on_closed(), which
 * decides: stop (a close code that retrying cannot fix), resume, or identify anew, and when.
 */
#include <libwebsockets.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adapters/discord/internal.h"
#include "adapters/metrics.h"
#include "lib/log.h"

#define RX_MAX (32u << 20) /* a payload larger than this is skipped, not buffered */
#define BACKOFF_MAX_MS 60000

typedef struct tx {
    struct tx *next;
    bool heartbeat;
    size_t len;
    unsigned char buf[]; /* LWS_PRE bytes, then the payload */
} tx;

struct dc_gateway {
    discord *d;
    struct lws_context *ctx;
    void *foreign_loops[1];
    struct lws *wsi;
    uv_timer_t heartbeat, reconnect, send_later;
    uv_getaddrinfo_t resolver;
    bool resolving, timers_closed, stopped;
    char *url;                /* from GET /gateway/bot or the config */
    char *resume_url;         /* from READY */
    char session_id[128];
    long long seq;            /* -1 = none yet */
    uint64_t interval_ms;
    bool acked;
    bool identified;          /* this connection sent IDENTIFY or RESUME */
    int close_to_send;        /* we are closing this connection with this code */
    int peer_close;           /* the code the server closed with */
    uint64_t reconnect_delay; /* set by whoever asked for the close */
    bool have_delay;
    uint64_t backoff_ms;
    uint64_t dropped_at;
    char host[256], address[64], path[600];
    int port;
    bool tls;
    char *rx;
    size_t rx_len, rx_cap;
    bool rx_skip;
    tx *tx_head;
    dc_send_window window;
};

static int lws_cb(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len);

static const struct lws_protocols protocols[] = {
    {"tend-discord", lws_cb, 0, 65536, 0, NULL, 0},
    {NULL, NULL, 0, 0, 0, NULL, 0},
};

static uint64_t now_ms(dc_gateway *gw)
{
    return uv_now(gw->d->loop);
}

/* random in [0, 1) */
static double jitter(void)
{
    return (double)(rand() % 10000) / 10000.0;
}

static void lws_log_line(int level, const char *line)
{
    /* lws never sees the token (it goes only in IDENTIFY/RESUME payloads, which lws does not log) */
    tend_log(level == LLL_ERR ? TEND_LOG_WARN : TEND_LOG_DEBUG, "discord", "lws: %.*s",
             (int)strcspn(line, "\n"), line);
}

dc_gateway *dc_gateway_create(discord *d)
{
    dc_gateway *gw = calloc(1, sizeof *gw);
    if (!gw)
        return NULL;
    gw->d = d;
    gw->seq = -1;
    gw->backoff_ms = 500;
    dc_send_window_init(&gw->window, 110, 60000); /* 120 allowed; keep 10 for heartbeats */
    lws_set_log_level(LLL_ERR, lws_log_line);
    struct lws_context_creation_info info;
    memset(&info, 0, sizeof info);
    info.port = CONTEXT_PORT_NO_LISTEN;
    info.protocols = protocols;
    info.options = LWS_SERVER_OPTION_LIBUV | LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
    gw->foreign_loops[0] = d->loop;
    info.foreign_loops = gw->foreign_loops;
    info.user = gw;
    gw->ctx = lws_create_context(&info);
    if (!gw->ctx) {
        tend_log(TEND_LOG_ERROR, "discord",
                 "could not start libwebsockets on the loop (is libwebsockets-evlib-uv installed?)");
        free(gw);
        return NULL;
    }
    tend_metric_set(&TEND_M_CONNECTED, "discord", NULL, 0);
    uv_timer_init(d->loop, &gw->heartbeat);
    uv_timer_init(d->loop, &gw->reconnect);
    uv_timer_init(d->loop, &gw->send_later);
    gw->heartbeat.data = gw->reconnect.data = gw->send_later.data = gw;
    return gw;
}

/* ---------------------------------------------------------------- sending */

static int queue_send(dc_gateway *gw, cJSON *payload, bool heartbeat)
{
    char *s = dc_json_take(payload);
    if (!s)
        return -1;
    size_t n = strlen(s);
    tx *t = malloc(sizeof *t + LWS_PRE + n);
    if (!t) {
        free(s);
        return -1;
    }
    t->next = NULL;
    t->heartbeat = heartbeat;
    t->len = n;
    memcpy(t->buf + LWS_PRE, s, n);
    free(s);
    tx **p = &gw->tx_head;
    if (heartbeat) { /* a heartbeat goes before anything else waiting */
        t->next = gw->tx_head;
        gw->tx_head = t;
    } else {
        while (*p)
            p = &(*p)->next;
        *p = t;
    }
    if (gw->wsi)
        lws_callback_on_writable(gw->wsi);
    return 0;
}

static void drop_queue(dc_gateway *gw)
{
    while (gw->tx_head) {
        tx *t = gw->tx_head;
        gw->tx_head = t->next;
        free(t);
    }
}

static void send_later_cb(uv_timer_t *t)
{
    dc_gateway *gw = t->data;
    if (gw->wsi)
        lws_callback_on_writable(gw->wsi);
}

static int on_writeable(dc_gateway *gw, struct lws *wsi)
{
    if (gw->close_to_send) {
        lws_close_reason(wsi, (enum lws_close_status)gw->close_to_send, NULL, 0);
        return -1;
    }
    tx *t = gw->tx_head;
    if (!t)
        return 0;
    uint64_t wait = t->heartbeat ? 0 : dc_send_window_wait(&gw->window, now_ms(gw));
    if (wait > 0) {
        uv_timer_start(&gw->send_later, send_later_cb, wait, 0);
        return 0;
    }
    gw->tx_head = t->next;
    dc_send_window_note(&gw->window, now_ms(gw));
    int n = lws_write(wsi, t->buf + LWS_PRE, t->len, LWS_WRITE_TEXT);
    free(t);
    if (n < 0)
        return -1;
    if (gw->tx_head)
        lws_callback_on_writable(wsi);
    return 0;
}

static void send_heartbeat(dc_gateway *gw)
{
    cJSON *p = cJSON_CreateObject();
    cJSON_AddNumberToObject(p, "op", 1);
    if (gw->seq >= 0)
        cJSON_AddNumberToObject(p, "d", (double)gw->seq);
    else
        cJSON_AddNullToObject(p, "d");
    queue_send(gw, p, true);
}

static void send_identify(dc_gateway *gw)
{
    cJSON *p = cJSON_CreateObject();
    cJSON_AddNumberToObject(p, "op", 2);
    cJSON *d = cJSON_AddObjectToObject(p, "d");
    cJSON_AddStringToObject(d, "token", gw->d->token);
    cJSON_AddNumberToObject(d, "intents", DC_INTENTS);
    cJSON *props = cJSON_AddObjectToObject(d, "properties");
    cJSON_AddStringToObject(props, "os", "linux");
    cJSON_AddStringToObject(props, "browser", "tend");
    cJSON_AddStringToObject(props, "device", "tend");
    queue_send(gw, p, false);
}

static void send_resume(dc_gateway *gw)
{
    cJSON *p = cJSON_CreateObject();
    cJSON_AddNumberToObject(p, "op", 6);
    cJSON *d = cJSON_AddObjectToObject(p, "d");
    cJSON_AddStringToObject(d, "token", gw->d->token);
    cJSON_AddStringToObject(d, "session_id", gw->session_id);
    cJSON_AddNumberToObject(d, "seq", (double)(gw->seq >= 0 ? gw->seq : 0));
    queue_send(gw, p, false);
}

/* Closes this connection with `code` (non-1000 keeps the session resumable) and reconnects after
 * delay_ms. */
static void close_and_reconnect(dc_gateway *gw, int code, uint64_t delay_ms)
{
    gw->reconnect_delay = delay_ms;
    gw->have_delay = true;
    if (!gw->wsi)
        return;
    gw->close_to_send = code;
    lws_callback_on_writable(gw->wsi);
}

static void forget_session(dc_gateway *gw)
{
    gw->session_id[0] = '\0';
    gw->seq = -1;
    free(gw->resume_url);
    gw->resume_url = NULL;
}

/* ---------------------------------------------------------------- heartbeats */

static void heartbeat_cb(uv_timer_t *t)
{
    dc_gateway *gw = t->data;
    if (!gw->wsi)
        return;
    if (!gw->acked) {
        /* a zombie connection: no ACK since the last beat. Close (not 1000) and resume. */
        tend_log(TEND_LOG_WARN, "discord", "no heartbeat ACK from the gateway; reconnecting");
        uv_timer_stop(&gw->heartbeat);
        close_and_reconnect(gw, 4000, 0);
        return;
    }
    gw->acked = false;
    send_heartbeat(gw);
}

/* ---------------------------------------------------------------- receiving */

/* For the health check and the metrics: a session is usable again (READY or RESUMED). */
static void note_connected(dc_gateway *gw)
{
    tend_metric_set(&TEND_M_CONNECTED, "discord", NULL, 1);
    if (gw->dropped_at)
        tend_metric_add(&TEND_M_RECONNECTS, "discord", NULL, 1);
}

static void on_dispatch(dc_gateway *gw, const char *t, const cJSON *data)
{
    discord *d = gw->d;
    if (strcmp(t, "READY") == 0) {
        const cJSON *sid = cJSON_GetObjectItemCaseSensitive(data, "session_id");
        const cJSON *rurl = cJSON_GetObjectItemCaseSensitive(data, "resume_gateway_url");
        const cJSON *uid = cJSON_GetObjectItemCaseSensitive(
            cJSON_GetObjectItemCaseSensitive(data, "user"), "id");
        if (cJSON_IsString(sid))
            snprintf(gw->session_id, sizeof gw->session_id, "%s", sid->valuestring);
        free(gw->resume_url);
        gw->resume_url = cJSON_IsString(rurl) ? strdup(rurl->valuestring) : NULL;
        if (cJSON_IsString(uid))
            snprintf(d->bot_user_id, sizeof d->bot_user_id, "%s", uid->valuestring);
        gw->backoff_ms = 500;
        note_connected(gw);
        tend_log(TEND_LOG_INFO, "discord", "gateway ready (user %s)", d->bot_user_id);
        if (d->global_commands)
            dc_register_commands(d, NULL);
    } else if (strcmp(t, "RESUMED") == 0) {
        gw->backoff_ms = 500;
        note_connected(gw);
        tend_log(TEND_LOG_INFO, "discord", "gateway session resumed %llu ms after the drop",
                 (unsigned long long)(gw->dropped_at ? now_ms(gw) - gw->dropped_at : 0));
    } else if (strcmp(t, "GUILD_CREATE") == 0) {
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(data, "id");
        if (cJSON_IsString(id) && !d->global_commands)
            dc_register_commands(d, id->valuestring);
    } else if (strcmp(t, "INTERACTION_CREATE") == 0) {
        dc_dispatch_interaction(d, data);
    } else if (strcmp(t, "MESSAGE_CREATE") == 0) {
        dc_dispatch_message(d, data);
    }
}

static void on_payload(dc_gateway *gw, const char *buf, size_t len)
{
    cJSON *p = cJSON_ParseWithLength(buf, len);
    const cJSON *op = cJSON_GetObjectItemCaseSensitive(p, "op");
    if (!cJSON_IsNumber(op)) {
        /* the payload is not quoted: it could echo anything back, and it is useless in a log */
        tend_log(TEND_LOG_WARN, "discord", "skipped a malformed gateway payload (%zu bytes)", len);
        cJSON_Delete(p);
        return;
    }
    const cJSON *data = cJSON_GetObjectItemCaseSensitive(p, "d");
    switch (op->valueint) {
    case 0: {
        const cJSON *s = cJSON_GetObjectItemCaseSensitive(p, "s");
        const cJSON *t = cJSON_GetObjectItemCaseSensitive(p, "t");
        if (cJSON_IsNumber(s))
            gw->seq = (long long)s->valuedouble;
        if (cJSON_IsString(t))
            on_dispatch(gw, t->valuestring, data);
        break;
    }
    case 1:
        send_heartbeat(gw);
        break;
    case 7:
        tend_log(TEND_LOG_INFO, "discord", "gateway asked to reconnect");
        close_and_reconnect(gw, 4000, 0);
        break;
    case 9:
        if (!cJSON_IsTrue(data))
            forget_session(gw);
        tend_log(TEND_LOG_INFO, "discord", "gateway session invalid (%s)",
                 cJSON_IsTrue(data) ? "resumable" : "identifying anew");
        close_and_reconnect(gw, 4000, 1000 + (uint64_t)(jitter() * 4000));
        break;
    case 10: {
        const cJSON *hi = cJSON_GetObjectItemCaseSensitive(data, "heartbeat_interval");
        gw->interval_ms = cJSON_IsNumber(hi) && hi->valuedouble >= 1 ? (uint64_t)hi->valuedouble : 41250;
        gw->acked = true;
        uv_timer_start(&gw->heartbeat, heartbeat_cb, (uint64_t)(gw->interval_ms * jitter()),
                       gw->interval_ms);
        if (!gw->identified) {
            gw->identified = true;
            if (gw->session_id[0])
                send_resume(gw);
            else
                send_identify(gw);
        }
        break;
    }
    case 11:
        gw->acked = true;
        break;
    default:
        break;
    }
    cJSON_Delete(p);
}

static void on_receive(dc_gateway *gw, struct lws *wsi, const void *in, size_t len)
{
    if (!gw->rx_skip && gw->rx_len + len > RX_MAX) {
        tend_log(TEND_LOG_WARN, "discord", "skipped a gateway payload over %u bytes", RX_MAX);
        gw->rx_skip = true;
    }
    if (!gw->rx_skip) {
        if (gw->rx_len + len + 1 > gw->rx_cap) {
            size_t cap = gw->rx_cap ? gw->rx_cap : 65536;
            while (cap < gw->rx_len + len + 1)
                cap *= 2;
            char *grown = realloc(gw->rx, cap);
            if (!grown) {
                gw->rx_skip = true;
            } else {
                gw->rx = grown;
                gw->rx_cap = cap;
            }
        }
        if (!gw->rx_skip) {
            memcpy(gw->rx + gw->rx_len, in, len);
            gw->rx_len += len;
        }
    }
    if (!lws_is_final_fragment(wsi) || lws_remaining_packet_payload(wsi) > 0)
        return; /* a fragment: wait for the rest */
    if (!gw->rx_skip)
        on_payload(gw, gw->rx, gw->rx_len);
    gw->rx_len = 0;
    gw->rx_skip = false;
}

/* ---------------------------------------------------------------- connecting */

static void connect_now(dc_gateway *gw);

static void reconnect_cb(uv_timer_t *t)
{
    connect_now(t->data);
}

static const char *fatal_reason(int code)
{
    switch (code) {
    case 4004: return "Discord rejected the bot token (close code 4004). Check discord_token and start tend again.";
    case 4010: return "Discord says the shard sent is invalid (close code 4010).";
    case 4011: return "Discord says this bot is in too many servers for one connection and needs sharding (close code 4011).";
    case 4012: return "Discord does not accept this gateway version (close code 4012).";
    case 4013: return "Discord says the gateway intents sent are invalid (close code 4013).";
    case 4014: return "Discord refused the gateway intents: this bot is not allowed them (close code 4014). Check the bot's settings in the Developer Portal.";
    default: return NULL;
    }
}

static void on_closed(dc_gateway *gw)
{
    gw->wsi = NULL;
    uv_timer_stop(&gw->heartbeat);
    uv_timer_stop(&gw->send_later);
    drop_queue(gw);
    gw->rx_len = 0;
    gw->identified = false;
    gw->dropped_at = now_ms(gw);
    tend_metric_set(&TEND_M_CONNECTED, "discord", NULL, 0);
    int code = gw->peer_close;
    gw->peer_close = 0;
    gw->close_to_send = 0;
    if (gw->stopped)
        return;
    const char *fatal = fatal_reason(code);
    if (fatal) {
        dc_fatal(gw->d, fatal);
        return;
    }
    if (code == 4007 || code == 4009)
        forget_session(gw); /* the session cannot be resumed: identify anew */
    uint64_t delay;
    if (gw->have_delay) {
        delay = gw->reconnect_delay;
    } else {
        delay = (uint64_t)(gw->backoff_ms * (0.5 + jitter()));
        gw->backoff_ms = gw->backoff_ms * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : gw->backoff_ms * 2;
        tend_log(TEND_LOG_WARN, "discord", "gateway connection lost (code %d); reconnecting in %llu ms",
                 code, (unsigned long long)delay);
    }
    gw->have_delay = false;
    uv_timer_start(&gw->reconnect, reconnect_cb, delay, 0);
}

static int lws_cb(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len)
{
    (void)user;
    dc_gateway *gw = lws_context_user(lws_get_context(wsi));
    switch (reason) {
    case LWS_CALLBACK_CLIENT_ESTABLISHED:
        gw->wsi = wsi;
        gw->rx_len = 0;
        tend_log(TEND_LOG_DEBUG, "discord", "gateway connected");
        break;
    case LWS_CALLBACK_CLIENT_RECEIVE:
        on_receive(gw, wsi, in, len);
        break;
    case LWS_CALLBACK_CLIENT_WRITEABLE:
        return on_writeable(gw, wsi);
    case LWS_CALLBACK_WS_PEER_INITIATED_CLOSE:
        if (len >= 2) {
            const unsigned char *b = in;
            gw->peer_close = (b[0] << 8) | b[1];
        }
        break;
    case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
        tend_log(TEND_LOG_WARN, "discord", "gateway connection failed: %.*s", in ? (int)len : 7,
                 in ? (const char *)in : "unknown");
        if (gw->wsi == wsi || !gw->wsi)
            on_closed(gw);
        break;
    case LWS_CALLBACK_CLIENT_CLOSED:
        if (gw->wsi == wsi)
            on_closed(gw);
        break;
    default:
        break;
    }
    return 0;
}

/* "wss://host[:port][/path]" into the connect target, adding ?v=10&encoding=json. */
static int parse_url(dc_gateway *gw, const char *url)
{
    const char *rest;
    if (strncmp(url, "wss://", 6) == 0) {
        gw->tls = true;
        rest = url + 6;
    } else if (strncmp(url, "ws://", 5) == 0) {
        gw->tls = false;
        rest = url + 5;
    } else {
        return -1;
    }
    size_t hostlen = strcspn(rest, ":/?");
    if (hostlen == 0 || hostlen >= sizeof gw->host)
        return -1;
    memcpy(gw->host, rest, hostlen);
    gw->host[hostlen] = '\0';
    rest += hostlen;
    gw->port = gw->tls ? 443 : 80;
    if (*rest == ':') {
        gw->port = atoi(rest + 1);
        rest += 1 + strspn(rest + 1, "0123456789");
    }
    const char *path = *rest == '/' ? rest : "/";
    const char *q = *rest == '?' ? rest : "";
    int n = snprintf(gw->path, sizeof gw->path, "%s%s%sv=10&encoding=json", *rest == '?' ? "/" : path,
                     q, strchr(*rest == '?' ? q : path, '?') ? "&" : "?");
    return gw->port > 0 && gw->port < 65536 && n > 0 && (size_t)n < sizeof gw->path ? 0 : -1;
}

static void resolved_cb(uv_getaddrinfo_t *req, int status, struct addrinfo *res)
{
    dc_gateway *gw = req->data;
    gw->resolving = false;
    if (gw->stopped) {
        uv_freeaddrinfo(res);
        return;
    }
    if (status != 0 || !res) {
        tend_log(TEND_LOG_WARN, "discord", "could not resolve %s: %s", gw->host, uv_strerror(status));
        uv_freeaddrinfo(res);
        on_closed(gw);
        return;
    }
    if (res->ai_family == AF_INET6)
        uv_ip6_name((const struct sockaddr_in6 *)res->ai_addr, gw->address, sizeof gw->address);
    else
        uv_ip4_name((const struct sockaddr_in *)res->ai_addr, gw->address, sizeof gw->address);
    uv_freeaddrinfo(res);
    struct lws_client_connect_info ci;
    memset(&ci, 0, sizeof ci);
    ci.context = gw->ctx;
    ci.address = gw->address;
    ci.port = gw->port;
    ci.path = gw->path;
    ci.host = gw->host; /* SNI and the certificate check use the name, not the address */
    ci.origin = gw->host;
    ci.ssl_connection = gw->tls ? LCCSCF_USE_SSL : 0;
    ci.local_protocol_name = protocols[0].name;
    gw->peer_close = 0;
    if (!lws_client_connect_via_info(&ci)) {
        tend_log(TEND_LOG_WARN, "discord", "could not open the gateway connection");
        on_closed(gw);
    }
}

static void connect_now(dc_gateway *gw)
{
    if (gw->stopped || gw->wsi || gw->resolving)
        return;
    const char *url = gw->session_id[0] && gw->resume_url ? gw->resume_url : gw->url;
    if (!url || parse_url(gw, url) != 0) {
        dc_fatal(gw->d, "The Discord gateway URL is not a ws:// or wss:// URL.");
        return;
    }
    struct addrinfo hints;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    gw->resolver.data = gw;
    gw->resolving = true;
    if (uv_getaddrinfo(gw->d->loop, &gw->resolver, resolved_cb, gw->host, NULL, &hints) != 0) {
        gw->resolving = false;
        on_closed(gw);
    }
}

/* ---------------------------------------------------------------- GET /gateway/bot */

static void retry_gateway_bot_cb(uv_timer_t *t)
{
    dc_gateway_start(t->data);
}

static void gateway_bot_cb(discord *d, long status, const cJSON *body, void *ud)
{
    dc_gateway *gw = ud;
    if (gw->stopped || d->stopping)
        return;
    if (status != 200) {
        if (status != 401) {
            tend_log(TEND_LOG_WARN, "discord", "GET /gateway/bot answered %ld; trying again", status);
            uv_timer_start(&gw->reconnect, retry_gateway_bot_cb, gw->backoff_ms, 0);
        }
        return;
    }
    const cJSON *limit = cJSON_GetObjectItemCaseSensitive(body, "session_start_limit");
    const cJSON *remaining = cJSON_GetObjectItemCaseSensitive(limit, "remaining");
    const cJSON *reset = cJSON_GetObjectItemCaseSensitive(limit, "reset_after");
    if (cJSON_IsNumber(remaining) && remaining->valueint <= 0) {
        char why[256];
        snprintf(why, sizeof why,
                 "Discord allows no more gateway sessions for this bot today; tend will not burn "
                 "more. They come back in about %d minutes.",
                 cJSON_IsNumber(reset) ? (int)(reset->valuedouble / 60000) + 1 : 60);
        dc_fatal(d, why);
        return;
    }
    const cJSON *url = cJSON_GetObjectItemCaseSensitive(body, "url");
    free(gw->url);
    gw->url = strdup(d->gateway_url_cfg ? d->gateway_url_cfg : cJSON_IsString(url) ? url->valuestring : "");
    connect_now(gw);
}

int dc_gateway_start(dc_gateway *gw)
{
    /* also the reconnect timer's callback after a failed GET /gateway/bot */
    gw->backoff_ms = gw->backoff_ms < BACKOFF_MAX_MS ? gw->backoff_ms * 2 : BACKOFF_MAX_MS;
    return dc_rest_send(gw->d->rest, 0, "GET", "/gateway/bot", NULL, gateway_bot_cb, gw);
}

/* ---------------------------------------------------------------- shutting down */

void dc_gateway_stop(dc_gateway *gw)
{
    if (!gw || gw->stopped)
        return;
    gw->stopped = true;
    if (gw->resolving)
        uv_cancel((uv_req_t *)&gw->resolver);
    uv_close((uv_handle_t *)&gw->heartbeat, NULL);
    uv_close((uv_handle_t *)&gw->reconnect, NULL);
    uv_close((uv_handle_t *)&gw->send_later, NULL);
    /* with a foreign loop this only starts the teardown; destroy() finishes it */
    lws_context_destroy(gw->ctx);
}

void dc_gateway_destroy(dc_gateway *gw)
{
    if (!gw)
        return;
    if (gw->ctx)
        lws_context_destroy(gw->ctx);
    drop_queue(gw);
    free(gw->url);
    free(gw->resume_url);
    free(gw->rx);
    free(gw);
}
