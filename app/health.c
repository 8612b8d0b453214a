/*
 * health.c — GET /healthz and GET /metrics over HTTP/1.1, served by libwebsockets on the app's
 * libuv loop (the same foreign-loop setup as the Discord gateway), so no request parsing of ours:
 * lws reads the request line and headers, enforces its timeouts, and calls us with the path.
 *
 * Each answer is built whole when the request arrives (a few kB of metrics) and written in pieces
 * as the socket takes them, so a slow reader never blocks the loop. Connections are capped: past
 * MAX_CONNECTIONS, new ones are refused at accept, and lws's own timeouts close idle ones.
 */
#include "app/health.h"

#include <curl/curl.h>
#include <libwebsockets.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/log.h"
#include "lib/metrics.h"
#include "lib/strbuf.h"

#define MAX_CONNECTIONS 32
#define CHUNK 4096
#define VHOST_NAME "tend-ops"

struct tend_health {
    struct lws_context *ctx;
    void *foreign_loops[1];
    tend_health_verdict verdict;
    void (*before_metrics)(void *ud);
    void *ud;
    int port;
    int connections;
    bool stopped;
};

/* One answer in flight on one connection. */
typedef struct {
    unsigned char *buf; /* LWS_PRE bytes, then the body */
    size_t len, sent;
} session;

static void session_clear(session *s)
{
    free(s->buf);
    s->buf = NULL;
    s->len = s->sent = 0;
}

/* The body for `path`, with its status and type; NULL for an unknown path (404). */
static char *answer_for(tend_health *h, const char *path, unsigned *status, const char **type)
{
    *type = "text/plain; charset=utf-8";
    if (strcmp(path, "/healthz") == 0) {
        char line[300] = "";
        *status = h->verdict(h->ud, line, sizeof line) ? HTTP_STATUS_OK : HTTP_STATUS_SERVICE_UNAVAILABLE;
        size_t n = strlen(line);
        char *body = malloc(n + 2);
        if (body)
            memcpy(body, line, n), body[n] = '\n', body[n + 1] = '\0';
        return body;
    }
    if (strcmp(path, "/metrics") == 0) {
        *status = HTTP_STATUS_OK;
        *type = "text/plain; version=0.0.4; charset=utf-8";
        if (h->before_metrics)
            h->before_metrics(h->ud);
        tend_strbuf sb = TEND_STRBUF_INIT;
        tend_metrics_render(&sb);
        return tend_strbuf_finish(&sb);
    }
    *status = HTTP_STATUS_NOT_FOUND;
    return strdup("not found: try /healthz or /metrics\n");
}

static int send_headers(struct lws *wsi, unsigned status, const char *type, size_t len)
{
    unsigned char headers[LWS_PRE + 512];
    unsigned char *start = headers + LWS_PRE, *p = start, *end = headers + sizeof headers - 1;
    if (lws_add_http_common_headers(wsi, status, type, len, &p, end) ||
        lws_add_http_header_by_token(wsi, WSI_TOKEN_HTTP_CACHE_CONTROL, (const unsigned char *)"no-store", 8, &p,
                                     end))
        return -1;
    return lws_finalize_write_http_header(wsi, start, &p, end) ? -1 : 0;
}

static int on_request(tend_health *h, struct lws *wsi, session *s, const char *path)
{
    session_clear(s);
    bool get = lws_hdr_total_length(wsi, WSI_TOKEN_GET_URI) > 0;
    bool head = lws_hdr_total_length(wsi, WSI_TOKEN_HEAD_URI) > 0;
    if (!get && !head) {
        /* a body may follow that we will not read: answer and close rather than parse it */
        lws_return_http_status(wsi, HTTP_STATUS_METHOD_NOT_ALLOWED, "GET /healthz or /metrics");
        return -1;
    }
    unsigned status;
    const char *type;
    char *body = answer_for(h, path, &status, &type);
    if (!body)
        return -1; /* out of memory: drop the connection, the client retries */
    size_t len = strlen(body);
    if (send_headers(wsi, status, type, len) != 0) {
        free(body);
        return -1;
    }
    if (head || len == 0) {
        free(body);
        return lws_http_transaction_completed(wsi) ? -1 : 0;
    }
    s->buf = malloc(LWS_PRE + len);
    if (!s->buf) {
        free(body);
        return -1;
    }
    memcpy(s->buf + LWS_PRE, body, len);
    free(body);
    s->len = len;
    lws_callback_on_writable(wsi);
    return 0;
}

static int on_writeable(struct lws *wsi, session *s)
{
    if (!s->buf)
        return 0;
    size_t n = s->len - s->sent > CHUNK ? CHUNK : s->len - s->sent;
    bool last = s->sent + n == s->len;
    /* lws may use the LWS_PRE bytes before what it writes; those were sent already */
    if (lws_write(wsi, s->buf + LWS_PRE + s->sent, n, last ? LWS_WRITE_HTTP_FINAL : LWS_WRITE_HTTP) != (int)n)
        return -1;
    s->sent += n;
    if (!last) {
        lws_callback_on_writable(wsi);
        return 0;
    }
    session_clear(s);
    return lws_http_transaction_completed(wsi) ? -1 : 0;
}

static int http_cb(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len)
{
    tend_health *h = lws_context_user(lws_get_context(wsi));
    session *s = user;
    switch (reason) {
    case LWS_CALLBACK_FILTER_NETWORK_CONNECTION: /* accepted, not yet a connection: keep it? */
        return h->stopped || h->connections >= MAX_CONNECTIONS ? 1 : 0;
    case LWS_CALLBACK_WSI_CREATE: /* every accepted connection, idle or not; never the listener */
        h->connections++;
        break;
    case LWS_CALLBACK_WSI_DESTROY:
        if (h->connections > 0)
            h->connections--;
        break;
    case LWS_CALLBACK_HTTP:
        if (s)
            return on_request(h, wsi, s, in ? (const char *)in : "/");
        return -1;
    case LWS_CALLBACK_HTTP_WRITEABLE:
        return s ? on_writeable(wsi, s) : -1;
    case LWS_CALLBACK_HTTP_DROP_PROTOCOL: /* after each answer and at close: the buffer goes */
    case LWS_CALLBACK_CLOSED_HTTP:
        if (s)
            session_clear(s);
        break;
    default:
        break;
    }
    return lws_callback_http_dummy(wsi, reason, user, in, len);
}

static const struct lws_protocols protocols[] = {
    {"http", http_cb, sizeof(session), 0, 0, NULL, 0},
    {NULL, NULL, 0, 0, 0, NULL, 0},
};

static void lws_log_line(int level, const char *line)
{
    tend_log(level == LLL_ERR ? TEND_LOG_WARN : TEND_LOG_DEBUG, "lws", "%.*s", (int)strcspn(line, "\n"), line);
}

tend_health *tend_health_start(uv_loop_t *loop, const char *host, int port, tend_health_verdict verdict,
                               void *ud, char *err, size_t errlen)
{
    err[0] = '\0';
    tend_health *h = calloc(1, sizeof *h);
    if (!h) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    h->verdict = verdict;
    h->ud = ud;
    lws_set_log_level(LLL_ERR, lws_log_line);
    struct lws_context_creation_info info;
    memset(&info, 0, sizeof info);
    info.port = port;
    info.iface = host;
    info.vhost_name = VHOST_NAME;
    info.protocols = protocols;
    /* the vhost (the listening socket) is made apart from the context: when it cannot listen, a
     * failed context would leave lws's handles half-made on our loop, a failed vhost does not */
    info.options = LWS_SERVER_OPTION_LIBUV | LWS_SERVER_OPTION_EXPLICIT_VHOSTS;
    if (!strchr(host, ':'))
        info.options |= LWS_SERVER_OPTION_DISABLE_IPV6;
    h->foreign_loops[0] = loop;
    info.foreign_loops = h->foreign_loops;
    info.user = h;
    info.timeout_secs = 10;      /* a request's headers must arrive within this */
    info.keepalive_timeout = 5;  /* an idle kept-alive connection is closed after this */
    info.server_string = "tend";
    h->ctx = lws_create_context(&info);
    if (!h->ctx) {
        snprintf(err, errlen, "could not start libwebsockets on the loop (is libwebsockets-evlib-uv installed?)");
        h->stopped = true;
        return h;
    }
    struct lws_vhost *vh = lws_create_vhost(h->ctx, &info);
    h->port = vh ? lws_get_vhost_listen_port(vh) : -1;
    if (h->port <= 0) {
        bool v6 = strchr(host, ':') != NULL;
        snprintf(err, errlen, "cannot listen on %s%s%s:%d for [ops] listen (is the port taken, or the address "
                 "not this machine's?)", v6 ? "[" : "", host, v6 ? "]" : "", port);
        tend_health_stop(h); /* the caller destroys it after the loop drained */
    }
    return h;
}

void tend_health_before_metrics(tend_health *h, void (*fn)(void *ud))
{
    if (h)
        h->before_metrics = fn;
}

int tend_health_port(const tend_health *h)
{
    return h ? h->port : -1;
}

void tend_health_stop(tend_health *h)
{
    if (!h || h->stopped)
        return;
    h->stopped = true;
    /* with a foreign loop this only starts the teardown; destroy() finishes it */
    lws_context_destroy(h->ctx);
}

void tend_health_destroy(tend_health *h)
{
    if (!h)
        return;
    if (h->ctx)
        lws_context_destroy(h->ctx);
    free(h);
}

/* ---------------------------------------------------------------- the probe */

typedef struct {
    char *line;
    size_t len, used;
} first_line;

static size_t keep_first_line(char *data, size_t size, size_t n, void *ud)
{
    first_line *f = ud;
    size_t total = size * n;
    for (size_t i = 0; i < total && f->used + 1 < f->len; i++) {
        if (data[i] == '\n' || data[i] == '\r') {
            f->len = f->used + 1; /* the rest is not kept */
            break;
        }
        f->line[f->used++] = data[i];
    }
    f->line[f->used] = '\0';
    return total;
}

long tend_health_probe(const char *url, long timeout_ms, char *line, size_t len)
{
    first_line f = {line, len, 0};
    line[0] = '\0';
    CURL *c = curl_easy_init();
    if (!c) {
        snprintf(line, len, "cannot start libcurl");
        return 0;
    }
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, keep_first_line);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &f);
    long status = 0;
    CURLcode rc = curl_easy_perform(c);
    if (rc == CURLE_OK)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    else
        snprintf(line, len, "%s", curl_easy_strerror(rc));
    curl_easy_cleanup(c);
    return status;
}
