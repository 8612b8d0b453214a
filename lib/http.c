/*
 * http.c — libcurl's multi socket interface driven by libuv, after curl's own multi-uv example:
 * curl says which sockets to watch (socket_cb) and when to wake it (timer_cb); libuv watches and
 * calls back into curl_multi_socket_action; finished transfers are collected in check_done.
 */
#include "lib/http.h"

#include <curl/curl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/tls_trust.h"

typedef struct transfer transfer;

/* Easy handles kept for the next request once theirs is done: making one (curl_easy_init) and
 * freeing it (curl_easy_cleanup) cost ~1.3 % of tend's CPU at saturation, one pair per callback.
 * The connections themselves live in the multi handle's cache either way. */
#define HTTP_IDLE_EASY 16

struct tend_http {
    uv_loop_t *loop;
    CURLM *multi;
    uv_timer_t timer;
    uv_check_t kick;       /* curl's "timeout 0": run it after this turn's I/O, see timer_cb */
    uv_idle_t kick_awake;  /* ...and keep the poll from sleeping until then                 */
    char *user_agent;      /* "User-Agent: ..." as a header line, see tend_http_send */
    char *ca_file, *ca_dir; /* the system's CAs (lib/tls_trust.h); ca_file NULL: none but the dir */
    size_t in_flight;
    transfer *transfers;   /* every live transfer, to cancel them on destroy */
    CURL *idle[HTTP_IDLE_EASY];
    size_t n_idle;
    int closing;
    int open_handles;      /* timer, kick + socket watchers still to be closed */
};

struct transfer {
    tend_http *http;
    CURL *easy;
    struct curl_slist *headers;
    curl_mime *mime;           /* a multipart body, freed after the easy handle */
    tend_http_done cb;
    tend_http_chunk on_chunk;  /* streaming: the body goes here, not into `body` */
    void *ud;
    char *body;
    size_t body_len, body_cap;
    char *raw_headers;
    size_t headers_len, headers_cap;
    char errbuf[CURL_ERROR_SIZE];
    transfer *prev, *next;
};

/* One watcher per socket curl asks about. */
typedef struct {
    uv_poll_t poll;
    curl_socket_t fd;
    tend_http *http;
} socket_watch;

static int grow_append(char **buf, size_t *len, size_t *cap, const char *data, size_t n)
{
    if (*len + n + 1 > *cap) {
        size_t c = *cap ? *cap : 1024;
        while (*len + n + 1 > c)
            c *= 2;
        char *b = realloc(*buf, c);
        if (!b)
            return -1;
        *buf = b;
        *cap = c;
    }
    memcpy(*buf + *len, data, n);
    *len += n;
    (*buf)[*len] = '\0';
    return 0;
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *userp)
{
    transfer *t = userp;
    size_t n = size * nmemb;
    if (t->on_chunk)
        return t->on_chunk(data, n, t->ud) == 0 ? n : 0;
    /* a server that sends endless data gets cut off rather than eating our memory */
    if (t->body_len + n > 16u * 1024 * 1024)
        return 0;
    return grow_append(&t->body, &t->body_len, &t->body_cap, data, n) == 0 ? n : 0;
}

static size_t on_header(char *data, size_t size, size_t nmemb, void *userp)
{
    transfer *t = userp;
    size_t n = size * nmemb;
    /* a new status line (a redirect or 100-continue) starts a fresh header block */
    if (n >= 5 && strncmp(data, "HTTP/", 5) == 0)
        t->headers_len = 0;
    if (t->headers_len + n > 256 * 1024)
        return 0;
    return grow_append(&t->raw_headers, &t->headers_len, &t->headers_cap, data, n) == 0 ? n : 0;
}

static CURL *easy_take(tend_http *http)
{
    return http->n_idle ? http->idle[--http->n_idle] : curl_easy_init();
}

/* A handle goes back to the pool reset to curl's defaults, so nothing of one request (its URL,
 * body, headers, callbacks' data) can leak into the next; one that carried a multipart body is
 * freed instead, since its mime is bound to it. */
static void easy_give_back(tend_http *http, CURL *easy, bool bound)
{
    if (!bound && !http->closing && http->n_idle < HTTP_IDLE_EASY) {
        curl_easy_reset(easy);
        http->idle[http->n_idle++] = easy;
    } else {
        curl_easy_cleanup(easy);
    }
}

static void transfer_free(transfer *t)
{
    if (!t)
        return;
    if (t->easy)
        easy_give_back(t->http, t->easy, t->mime != NULL);
    curl_mime_free(t->mime);
    curl_slist_free_all(t->headers);
    free(t->body);
    free(t->raw_headers);
    free(t);
}

static void unlink_transfer(transfer *t)
{
    if (t->prev)
        t->prev->next = t->next;
    else
        t->http->transfers = t->next;
    if (t->next)
        t->next->prev = t->prev;
    t->prev = t->next = NULL;
}

static void check_done(tend_http *http)
{
    CURLMsg *msg;
    int pending;
    while ((msg = curl_multi_info_read(http->multi, &pending))) {
        if (msg->msg != CURLMSG_DONE)
            continue;
        transfer *t = NULL;
        curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&t);
        CURLcode result = msg->data.result;
        curl_multi_remove_handle(http->multi, msg->easy_handle);
        unlink_transfer(t);
        http->in_flight--;

        tend_http_response res = {0};
        if (result == CURLE_OK)
            curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &res.status);
        res.body = t->body ? t->body : "";
        res.body_len = t->body_len;
        res.raw_headers = t->raw_headers ? t->raw_headers : "";
        if (result != CURLE_OK)
            res.error = t->errbuf[0] ? t->errbuf : curl_easy_strerror(result);
        if (t->cb)
            t->cb(&res, t->ud);
        transfer_free(t);
    }
}

static void on_poll(uv_poll_t *handle, int status, int events)
{
    socket_watch *w = handle->data;
    tend_http *http = w->http;
    int flags = 0;
    if (status < 0)
        flags = CURL_CSELECT_ERR;
    if (!status && (events & UV_READABLE))
        flags |= CURL_CSELECT_IN;
    if (!status && (events & UV_WRITABLE))
        flags |= CURL_CSELECT_OUT;
    int running = 0;
    curl_multi_socket_action(http->multi, w->fd, flags, &running);
    check_done(http);
}

static void on_timeout(uv_timer_t *timer)
{
    tend_http *http = timer->data;
    int running = 0;
    curl_multi_socket_action(http->multi, CURL_SOCKET_TIMEOUT, 0, &running);
    check_done(http);
}

static void maybe_free_http(tend_http *http)
{
    if (http->closing && http->open_handles == 0) {
        while (http->n_idle)
            curl_easy_cleanup(http->idle[--http->n_idle]);
        curl_multi_cleanup(http->multi);
        free(http->user_agent);
        free(http->ca_file);
        free(http->ca_dir);
        free(http);
    }
}

static void on_watch_closed(uv_handle_t *handle)
{
    socket_watch *w = handle->data;
    tend_http *http = w->http;
    free(w);
    http->open_handles--;
    maybe_free_http(http);
}

static void on_kick(uv_check_t *check)
{
    tend_http *http = check->data;
    uv_check_stop(&http->kick);
    uv_idle_stop(&http->kick_awake);
    int running = 0;
    curl_multi_socket_action(http->multi, CURL_SOCKET_TIMEOUT, 0, &running);
    check_done(http);
}

static void on_awake(uv_idle_t *idle)
{
    (void)idle; /* only there so the poll does not sleep while a kick waits */
}

static int timer_cb(CURLM *multi, long timeout_ms, void *userp)
{
    (void)multi;
    tend_http *http = userp;
    if (http->closing)
        return 0;
    uv_check_stop(&http->kick);
    uv_idle_stop(&http->kick_awake);
    if (timeout_ms < 0) {
        uv_timer_stop(&http->timer);
    } else if (timeout_ms == 0) {
        /* "now" (a request just added): after this turn's I/O, never inside curl. It was a 1 ms
         * timer, which held every interaction's callback back by up to a millisecond of sleep
         * (a timer of 0 could run again in the same pass of libuv 1.44's timers, starving I/O) */
        uv_timer_stop(&http->timer);
        uv_check_start(&http->kick, on_kick);
        uv_idle_start(&http->kick_awake, on_awake);
    } else {
        uv_timer_start(&http->timer, on_timeout, (uint64_t)timeout_ms, 0);
    }
    return 0;
}

static int socket_cb(CURL *easy, curl_socket_t s, int action, void *userp, void *socketp)
{
    (void)easy;
    tend_http *http = userp;
    socket_watch *w = socketp;
    if (action == CURL_POLL_REMOVE) {
        if (w) {
            uv_poll_stop(&w->poll);
            curl_multi_assign(http->multi, s, NULL);
            uv_close((uv_handle_t *)&w->poll, on_watch_closed);
        }
        return 0;
    }
    if (!w) {
        w = calloc(1, sizeof *w);
        if (!w)
            return -1;
        w->fd = s;
        w->http = http;
        if (uv_poll_init_socket(http->loop, &w->poll, s) != 0) {
            free(w);
            return -1;
        }
        w->poll.data = w;
        http->open_handles++;
        curl_multi_assign(http->multi, s, w);
    }
    int events = 0;
    if (action == CURL_POLL_IN || action == CURL_POLL_INOUT)
        events |= UV_READABLE;
    if (action == CURL_POLL_OUT || action == CURL_POLL_INOUT)
        events |= UV_WRITABLE;
    uv_poll_start(&w->poll, events, on_poll);
    return 0;
}

tend_http *tend_http_create(uv_loop_t *loop, const char *user_agent, long max_connections)
{
    static int global_ready;
    if (!global_ready) {
        if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
            return NULL;
        global_ready = 1;
    }
    tend_http *http = calloc(1, sizeof *http);
    if (!http)
        return NULL;
    http->loop = loop;
    const char *ua = user_agent ? user_agent : "tend";
    size_t ua_len = sizeof "User-Agent: " + strlen(ua);
    if ((http->user_agent = malloc(ua_len)) != NULL)
        snprintf(http->user_agent, ua_len, "User-Agent: %s", ua);
    const char *ca_file, *ca_dir;
    tend_tls_trust_paths(&ca_file, &ca_dir);
    http->ca_file = ca_file ? strdup(ca_file) : NULL;
    http->ca_dir = strdup(ca_dir);
    http->multi = curl_multi_init();
    /* check and idle handles cannot fail to initialise (libuv only fills them in) */
    if (!http->user_agent || (ca_file && !http->ca_file) || !http->ca_dir || !http->multi ||
        uv_timer_init(loop, &http->timer) != 0) {
        if (http->multi)
            curl_multi_cleanup(http->multi);
        free(http->user_agent);
        free(http->ca_file);
        free(http->ca_dir);
        free(http);
        return NULL;
    }
    uv_check_init(loop, &http->kick);
    uv_idle_init(loop, &http->kick_awake);
    http->timer.data = http->kick.data = http->kick_awake.data = http;
    http->open_handles = 3;
    curl_multi_setopt(http->multi, CURLMOPT_SOCKETFUNCTION, socket_cb);
    curl_multi_setopt(http->multi, CURLMOPT_SOCKETDATA, http);
    curl_multi_setopt(http->multi, CURLMOPT_TIMERFUNCTION, timer_cb);
    curl_multi_setopt(http->multi, CURLMOPT_TIMERDATA, http);
    curl_multi_setopt(http->multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, max_connections > 0 ? max_connections : 4L);
    curl_multi_setopt(http->multi, CURLMOPT_PIPELINING, CURLPIPE_MULTIPLEX);
    return http;
}

static void on_timer_closed(uv_handle_t *handle)
{
    tend_http *http = handle->data;
    http->open_handles--;
    maybe_free_http(http);
}

void tend_http_destroy(tend_http *http)
{
    if (!http || http->closing)
        return;
    http->closing = 1;
    while (http->transfers) {
        transfer *t = http->transfers;
        unlink_transfer(t);
        /* removing the handle makes curl drop its sockets via socket_cb(CURL_POLL_REMOVE) */
        curl_multi_remove_handle(http->multi, t->easy);
        transfer_free(t);
        http->in_flight--;
    }
    uv_timer_stop(&http->timer);
    uv_check_stop(&http->kick);
    uv_idle_stop(&http->kick_awake);
    uv_close((uv_handle_t *)&http->timer, on_timer_closed);
    uv_close((uv_handle_t *)&http->kick, on_timer_closed);
    uv_close((uv_handle_t *)&http->kick_awake, on_timer_closed);
}

int tend_http_send(tend_http *http, const tend_http_request *req, tend_http_done cb, void *ud)
{
    if (!http || http->closing || !req || !req->url)
        return -1;
    transfer *t = calloc(1, sizeof *t);
    if (!t)
        return -1;
    t->http = http;
    t->cb = cb;
    t->on_chunk = req->on_chunk;
    t->ud = ud;
    t->easy = easy_take(http);
    if (!t->easy) {
        free(t);
        return -1;
    }
    const char *method = req->method ? req->method : "GET";
    CURL *e = t->easy;
    curl_easy_setopt(e, CURLOPT_URL, req->url);
    curl_easy_setopt(e, CURLOPT_PRIVATE, t);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, t->errbuf);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, t);
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, t);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, 10000L);
    /* a stream has no end to wait for: its owner watches it for silence instead */
    long timeout = req->timeout_ms > 0 ? req->timeout_ms : req->on_chunk ? 0L : 30000L;
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, timeout);
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    /* the system's CAs looked up by hash, not Debian's whole bundle parsed into every connection */
    curl_easy_setopt(e, CURLOPT_CAINFO, http->ca_file);
    curl_easy_setopt(e, CURLOPT_CAPATH, http->ca_dir);
    /* curl writes every header it makes itself through its own printf, a byte at a time, twice
     * (~100 instructions a byte of Accept-Encoding or User-Agent, 14k of a callback's ~147k): a
     * compressed answer is asked for where one can be large (a GET: a sync, a file), and the
     * User-Agent goes with the request's own headers, formatted once */
    if (strcmp(method, "GET") != 0)
        curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, method);
    else
        curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
    int failed = 0;
    if (req->body) {
        size_t body_len = req->body_len ? req->body_len : strlen(req->body);
        curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len);
        curl_easy_setopt(e, CURLOPT_COPYPOSTFIELDS, req->body);
        char ct[128];
        snprintf(ct, sizeof ct, "Content-Type: %s", req->content_type ? req->content_type : "application/json");
        struct curl_slist *h = curl_slist_append(t->headers, ct);
        failed |= !h;
        if (h)
            t->headers = h;
    } else if (req->parts && req->n_parts) {
        failed |= !(t->mime = curl_mime_init(e));
        for (size_t i = 0; !failed && i < req->n_parts; i++) {
            const tend_http_part *p = &req->parts[i];
            curl_mimepart *part = curl_mime_addpart(t->mime);
            failed |= !part || curl_mime_name(part, p->name) != CURLE_OK ||
                      curl_mime_data(part, p->data ? p->data : "", p->data ? p->len : 0) != CURLE_OK ||
                      (p->filename && curl_mime_filename(part, p->filename) != CURLE_OK) ||
                      (p->content_type && curl_mime_type(part, p->content_type) != CURLE_OK);
        }
        if (!failed)
            curl_easy_setopt(e, CURLOPT_MIMEPOST, t->mime);
    } else if (strcmp(method, "POST") == 0 || strcmp(method, "PUT") == 0) {
        curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, 0L);
        curl_easy_setopt(e, CURLOPT_COPYPOSTFIELDS, "");
    }
    for (size_t i = 0; req->headers && req->headers[i]; i++) {
        struct curl_slist *h = curl_slist_append(t->headers, req->headers[i]);
        failed |= !h;
        if (h)
            t->headers = h;
    }
    /* curl would otherwise send "Expect: 100-continue" and wait on larger bodies */
    const char *last[] = {http->user_agent, "Expect:"};
    for (size_t i = 0; i < sizeof last / sizeof last[0]; i++) {
        struct curl_slist *h = curl_slist_append(t->headers, last[i]);
        failed |= !h;
        if (h)
            t->headers = h;
    }
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, t->headers);
    if (failed) {
        transfer_free(t);
        return -1;
    }
    t->next = http->transfers;
    if (http->transfers)
        http->transfers->prev = t;
    http->transfers = t;
    if (curl_multi_add_handle(http->multi, e) != CURLM_OK) {
        unlink_transfer(t);
        transfer_free(t);
        return -1;
    }
    http->in_flight++;
    return 0;
}

size_t tend_http_in_flight(const tend_http *http)
{
    return http ? http->in_flight : 0;
}

int tend_http_header(const tend_http_response *res, const char *name, char *out, size_t outlen)
{
    size_t nl = strlen(name);
    const char *p = res->raw_headers;
    while (p && *p) {
        const char *eol = strchr(p, '\n');
        size_t len = eol ? (size_t)(eol - p) : strlen(p);
        if (len > nl && p[nl] == ':' && strncasecmp(p, name, nl) == 0) {
            const char *v = p + nl + 1;
            const char *end = p + len;
            while (v < end && (*v == ' ' || *v == '\t'))
                v++;
            while (end > v && (end[-1] == '\r' || end[-1] == ' '))
                end--;
            snprintf(out, outlen, "%.*s", (int)(end - v), v);
            return 0;
        }
        p = eol ? eol + 1 : NULL;
    }
    return -1;
}
