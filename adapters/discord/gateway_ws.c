/*
 * gateway_ws.c — one shard's websocket: libwebsockets on the app's libuv loop.
 *
 * lws runs on the foreign loop (LWS_SERVER_OPTION_LIBUV, set up in shards.c); names are resolved
 * with uv_getaddrinfo because lws would resolve them with a blocking getaddrinfo. Each connection
 * carries its shard as lws' opaque user data.
 *
 * Closing: Debian builds lws with _DEBUG, and in its libuv path a callback that returns -1 after
 * lws_close_reason() has its connection closed a second time at once ("close_and_handled uv
 * repeat test"), which drops the socket before the close frame leaves: the server sees 1006, never
 * our code. So tend closes from a libuv timer, outside every lws callback, with lws_close_reason()
 * and lws_set_timeout(LWS_TO_KILL_SYNC): lws then writes the close frame and waits for the
 * server's answer; a timer of ours drops the socket if that answer does not come in time.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adapters/discord/gateway.h"
#include "lib/log.h"
#include "lib/tls_trust.h"

#define RX_MAX (32u << 20) /* a payload larger than this is skipped, not buffered */

struct dc_tx {
    struct dc_tx *next;
    dc_tx_kind kind;
    size_t len;
    unsigned char buf[]; /* LWS_PRE bytes, then the payload */
};

static int ws_cb(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len);

const struct lws_protocols dc_ws_protocols[] = {
    {"tend-discord", ws_cb, 0, 65536, 0, NULL, 0},
    {NULL, NULL, 0, 0, 0, NULL, 0},
};

static uint64_t now_ms(dc_shard *sh)
{
    return uv_now(sh->d->loop);
}

/* ---------------------------------------------------------------- sending */

int dc_ws_send(dc_shard *sh, cJSON *payload, dc_tx_kind kind)
{
    char *s = dc_json_take(payload);
    if (!s)
        return -1;
    size_t n = strlen(s);
    dc_tx *t = malloc(sizeof *t + LWS_PRE + n);
    if (!t) {
        free(s);
        return -1;
    }
    t->next = NULL;
    t->kind = kind;
    t->len = n;
    memcpy(t->buf + LWS_PRE, s, n);
    free(s);
    if (kind == DC_TX_HEARTBEAT) { /* a heartbeat goes before anything else waiting */
        t->next = sh->tx_head;
        sh->tx_head = t;
    } else {
        dc_tx **p = &sh->tx_head;
        while (*p)
            p = &(*p)->next;
        *p = t;
    }
    if (sh->wsi)
        lws_callback_on_writable(sh->wsi);
    return 0;
}

void dc_ws_reset(dc_shard *sh)
{
    while (sh->tx_head) {
        dc_tx *t = sh->tx_head;
        sh->tx_head = t->next;
        free(t);
    }
    sh->rx_len = 0;
    sh->rx_skip = false;
}

static void send_later_cb(uv_timer_t *t)
{
    dc_shard *sh = t->data;
    if (sh->wsi)
        lws_callback_on_writable(sh->wsi);
}

/* After the close frame had its time to be answered: the socket goes. */
static void give_up_cb(uv_timer_t *t)
{
    dc_shard *sh = t->data;
    if (sh->wsi)
        lws_set_timeout(sh->wsi, PENDING_TIMEOUT_CLOSE_ACK, LWS_TO_KILL_ASYNC);
}

/* From a timer, so no lws callback is on the stack: lws writes the close frame on the next
 * writeable turn and waits for the server's answer (then the socket closes). */
static void close_now_cb(uv_timer_t *t)
{
    dc_shard *sh = t->data;
    if (!sh->wsi)
        return;
    lws_close_reason(sh->wsi, (enum lws_close_status)sh->close_code, NULL, 0);
    lws_set_timeout(sh->wsi, PENDING_TIMEOUT_CLOSE_SEND, LWS_TO_KILL_SYNC);
    if (sh->wsi) /* still open: the frame is on its way */
        uv_timer_start(&sh->send_later, give_up_cb, sh->close_wait_ms > 50 ? (uint64_t)sh->close_wait_ms : 50,
                       0);
}

void dc_ws_close(dc_shard *sh, int code, int wait_ms)
{
    if (!sh->wsi || sh->close_code)
        return;
    sh->close_code = code;
    sh->close_wait_ms = wait_ms;
    uv_timer_start(&sh->send_later, close_now_cb, 0, 0);
}

static int on_writeable(dc_shard *sh, struct lws *wsi)
{
    if (sh->close_code)
        return 0; /* nothing goes after a close frame */
    dc_tx *t = sh->tx_head;
    if (!t)
        return 0;
    uint64_t wait = t->kind == DC_TX_HEARTBEAT ? 0 : dc_send_window_wait(&sh->window, now_ms(sh));
    if (wait > 0) {
        uv_timer_start(&sh->send_later, send_later_cb, wait, 0);
        return 0;
    }
    sh->tx_head = t->next;
    dc_send_window_note(&sh->window, now_ms(sh));
    int n = lws_write(wsi, t->buf + LWS_PRE, t->len, LWS_WRITE_TEXT);
    if (n >= 0 && t->kind == DC_TX_IDENTIFY) {
        uv_update_time(sh->d->loop); /* the loop's time is from its turn's start, maybe long ago */
        dc_identify_written(sh->gw->bucket_sent, sh->gw->max_concurrency, sh->id, now_ms(sh));
    }
    free(t);
    if (n < 0)
        return -1;
    if (sh->tx_head)
        lws_callback_on_writable(wsi);
    return 0;
}

/* ---------------------------------------------------------------- receiving */

/* A binary frame: a piece of the connection's zlib-stream (tend asks for compress=zlib-stream).
 * lws hands a frame over in pieces of up to the protocol's rx size; only where a whole websocket
 * message ends can a gateway message end. */
static void on_compressed(dc_shard *sh, struct lws *wsi, const void *in, size_t len)
{
    bool complete = lws_is_final_fragment(wsi) && lws_remaining_packet_payload(wsi) == 0;
    const char *msg = NULL;
    size_t msg_len = 0;
    if (!sh->z)
        sh->z = tend_zstream_create(RX_MAX);
    tend_zstream_result r = sh->z ? tend_zstream_feed(sh->z, in, len, complete, &msg, &msg_len)
                                  : TEND_ZSTREAM_BROKEN;
    if (r == TEND_ZSTREAM_MESSAGE)
        dc_shard_on_payload(sh, msg, msg_len);
    else if (r == TEND_ZSTREAM_BROKEN)
        dc_shard_on_unreadable(sh);
}

static void on_receive(dc_shard *sh, struct lws *wsi, const void *in, size_t len)
{
    if (lws_frame_is_binary(wsi)) {
        on_compressed(sh, wsi, in, len);
        return;
    }
    if (!sh->rx_skip && sh->rx_len + len > RX_MAX) {
        tend_log(TEND_LOG_WARN, "discord", "skipped a gateway payload over %u bytes", RX_MAX);
        sh->rx_skip = true;
    }
    if (!sh->rx_skip && sh->rx_len + len + 1 > sh->rx_cap) {
        size_t cap = sh->rx_cap ? sh->rx_cap : 65536;
        while (cap < sh->rx_len + len + 1)
            cap *= 2;
        char *grown = realloc(sh->rx, cap);
        if (!grown) {
            sh->rx_skip = true;
        } else {
            sh->rx = grown;
            sh->rx_cap = cap;
        }
    }
    if (!sh->rx_skip) {
        memcpy(sh->rx + sh->rx_len, in, len);
        sh->rx_len += len;
    }
    if (!lws_is_final_fragment(wsi) || lws_remaining_packet_payload(wsi) > 0)
        return; /* a fragment: wait for the rest */
    bool skipped = sh->rx_skip;
    size_t n = sh->rx_len;
    sh->rx_len = 0;
    sh->rx_skip = false;
    if (!skipped)
        dc_shard_on_payload(sh, sh->rx, n);
}

/* The connection (or the attempt) is over: once, whichever way it ended. */
static void ended(dc_shard *sh)
{
    sh->wsi = NULL;
    sh->connecting = false;
    uv_timer_stop(&sh->send_later);
    dc_ws_reset(sh);
    dc_shard_on_closed(sh);
    sh->close_code = 0;
    sh->peer_close = 0;
}

static int ws_cb(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len)
{
    if (reason == LWS_CALLBACK_OPENSSL_LOAD_EXTRA_CLIENT_VERIFY_CERTS) {
        tend_tls_trust_system(user); /* user: the client SSL_CTX, made once per context */
        return 0;
    }
    dc_shard *sh = lws_get_opaque_user_data(wsi);
    if (!sh)
        return 0; /* the context's own callbacks */
    switch (reason) {
    case LWS_CALLBACK_CLIENT_ESTABLISHED:
        sh->wsi = wsi;
        sh->rx_len = 0;
        if (sh->z)
            tend_zstream_reset(sh->z); /* each connection is a stream of its own */
        tend_log(TEND_LOG_DEBUG, "discord", "shard %d connected", sh->id);
        break;
    case LWS_CALLBACK_CLIENT_RECEIVE:
        if (sh->wsi == wsi && !sh->close_code)
            on_receive(sh, wsi, in, len); /* after our close frame, the rest waits for the RESUME */
        break;
    case LWS_CALLBACK_CLIENT_WRITEABLE:
        return sh->wsi == wsi ? on_writeable(sh, wsi) : 0;
    case LWS_CALLBACK_WS_PEER_INITIATED_CLOSE:
        if (len >= 2) {
            const unsigned char *b = in;
            sh->peer_close = (b[0] << 8) | b[1];
        }
        return 0; /* lws answers with a close frame of its own, then the socket closes */
    case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
        tend_log(TEND_LOG_WARN, "discord", "shard %d: gateway connection failed: %.*s", sh->id,
                 in ? (int)len : 7, in ? (const char *)in : "unknown");
        if (sh->connecting && (!sh->wsi || sh->wsi == wsi))
            ended(sh);
        break;
    case LWS_CALLBACK_CLIENT_CLOSED:
        if (sh->wsi == wsi)
            ended(sh);
        break;
    default:
        break;
    }
    return 0;
}

/* ---------------------------------------------------------------- connecting */

/* "wss://host[:port][/path][?query]" into the connect target, adding v=10&encoding=json and
 * compress=zlib-stream: each event then comes as a few hundred bytes of one zlib stream instead of
 * ~3 KB of JSON, fewer bytes for libwebsockets to parse one at a time (issue 17), and less to
 * carry for a bot in many servers, as Discord's documentation advises. */
static int parse_url(dc_shard *sh, const char *url)
{
    const char *rest;
    if (strncmp(url, "wss://", 6) == 0) {
        sh->tls = true;
        rest = url + 6;
    } else if (strncmp(url, "ws://", 5) == 0) {
        sh->tls = false;
        rest = url + 5;
    } else {
        return -1;
    }
    size_t hostlen = strcspn(rest, ":/?");
    if (hostlen == 0 || hostlen >= sizeof sh->host)
        return -1;
    memcpy(sh->host, rest, hostlen);
    sh->host[hostlen] = '\0';
    rest += hostlen;
    sh->port = sh->tls ? 443 : 80;
    if (*rest == ':') {
        char *end = NULL;
        long port = strtol(rest + 1, &end, 10);
        if (end == rest + 1 || port <= 0 || port >= 65536)
            return -1;
        sh->port = (int)port;
        rest = end;
    }
    const char *path = *rest == '/' ? rest : "/";
    const char *q = *rest == '?' ? rest : "";
    int n = snprintf(sh->path, sizeof sh->path, "%s%s%sv=10&encoding=json&compress=zlib-stream",
                     *rest == '?' ? "/" : path, q, strchr(*rest == '?' ? q : path, '?') ? "&" : "?");
    return n > 0 && (size_t)n < sizeof sh->path ? 0 : -1;
}

static void resolved_cb(uv_getaddrinfo_t *req, int status, struct addrinfo *res)
{
    dc_shard *sh = req->data;
    sh->resolving = false;
    if (sh->gw->stopping || !sh->running || status != 0 || !res) {
        if (!sh->gw->stopping && sh->running)
            tend_log(TEND_LOG_WARN, "discord", "could not resolve %s: %s", sh->host, uv_strerror(status));
        uv_freeaddrinfo(res);
        ended(sh);
        return;
    }
    if (res->ai_family == AF_INET6)
        uv_ip6_name((const struct sockaddr_in6 *)res->ai_addr, sh->address, sizeof sh->address);
    else
        uv_ip4_name((const struct sockaddr_in *)res->ai_addr, sh->address, sizeof sh->address);
    uv_freeaddrinfo(res);
    struct lws_client_connect_info ci;
    memset(&ci, 0, sizeof ci);
    ci.context = sh->gw->ctx;
    ci.address = sh->address;
    ci.port = sh->port;
    ci.path = sh->path;
    ci.host = sh->host; /* SNI and the certificate check use the name, not the address */
    ci.origin = sh->host;
    ci.ssl_connection = sh->tls ? LCCSCF_USE_SSL : 0;
    ci.local_protocol_name = dc_ws_protocols[0].name;
    ci.opaque_user_data = sh;
    sh->peer_close = 0;
    /* a failure may already have been reported through CLIENT_CONNECTION_ERROR, which ended it */
    if (!lws_client_connect_via_info(&ci) && sh->connecting) {
        tend_log(TEND_LOG_WARN, "discord", "shard %d: could not open the gateway connection", sh->id);
        ended(sh);
    }
}

int dc_ws_connect(dc_shard *sh, const char *url)
{
    if (sh->connecting || sh->wsi)
        return 0;
    if (!url || parse_url(sh, url) != 0)
        return -1;
    struct addrinfo hints;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    sh->resolver.data = sh;
    sh->connecting = sh->resolving = true;
    if (uv_getaddrinfo(sh->d->loop, &sh->resolver, resolved_cb, sh->host, NULL, &hints) != 0) {
        sh->resolving = false;
        ended(sh);
    }
    return 0;
}

void dc_ws_cancel(dc_shard *sh)
{
    if (sh->resolving)
        uv_cancel((uv_req_t *)&sh->resolver);
}
