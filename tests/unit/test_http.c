/* test_http.c — the loop-driven HTTP client against a tiny server on 127.0.0.1 in the same loop:
 * answers arrive with status, body and headers, a slow answer never stalls other timers, and a
 * binary body (an encrypted file, NUL bytes and all) goes out whole, and a request sent on a reused
 * easy handle carries nothing of the one before it (and each its User-Agent once; a compressed
 * answer is asked for by a GET only). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "lib/http.h"

typedef struct {
    uv_tcp_t server;
    int port;
    int delay_ms;         /* answer this late */
    char last[4096];      /* the last request's body, as it arrived */
    size_t last_len;
    char head[4096];      /* the last request's line and headers */
} test_server;

typedef struct {
    uv_tcp_t conn;
    uv_timer_t delay;
    test_server *srv;
    char request[4096];
    size_t len;
    uv_write_t write;
} test_conn;

static const char reply[] = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                            "X-RateLimit-Remaining: 4\r\nContent-Length: 11\r\nConnection: close\r\n\r\n"
                            "{\"ok\":true}";

static void free_after_timer(uv_handle_t *h)
{
    free(h->data);
}

static void conn_closed(uv_handle_t *h)
{
    test_conn *c = h->data;
    uv_close((uv_handle_t *)&c->delay, free_after_timer);
}

static void written(uv_write_t *w, int status)
{
    (void)status;
    test_conn *c = w->data;
    uv_close((uv_handle_t *)&c->conn, conn_closed);
}

static void send_reply(uv_timer_t *t)
{
    test_conn *c = t->data;
    uv_buf_t buf = uv_buf_init((char *)reply, sizeof reply - 1);
    c->write.data = c;
    uv_write(&c->write, (uv_stream_t *)&c->conn, &buf, 1, written);
}

static void alloc_cb(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
    (void)suggested;
    test_conn *c = h->data;
    *buf = uv_buf_init(c->request + c->len, (unsigned)(sizeof c->request - c->len - 1));
}

static void read_cb(uv_stream_t *s, ssize_t n, const uv_buf_t *buf)
{
    (void)buf;
    test_conn *c = s->data;
    if (n <= 0)
        return;
    c->len += (size_t)n;
    c->request[c->len] = '\0';
    const char *end = strstr(c->request, "\r\n\r\n");
    if (end) {
        /* the whole body, as long as its Content-Length says (the client sends one) */
        const char *cl = strstr(c->request, "Content-Length: ");
        size_t want = cl && cl < end ? strtoul(cl + 16, NULL, 10) : 0, head = (size_t)(end + 4 - c->request);
        if (c->len < head + want && c->len < sizeof c->request - 1)
            return;
        c->srv->last_len = c->len - head;
        snprintf(c->srv->head, sizeof c->srv->head, "%.*s", (int)head, c->request);
        memcpy(c->srv->last, end + 4, c->srv->last_len);
        uv_read_stop(s);
        uv_timer_start(&c->delay, send_reply, (uint64_t)c->srv->delay_ms, 0);
    }
}

static void on_connection(uv_stream_t *server, int status)
{
    assert_int_equal(status, 0);
    test_server *srv = server->data;
    test_conn *c = calloc(1, sizeof *c);
    c->srv = srv;
    uv_tcp_init(server->loop, &c->conn);
    uv_timer_init(server->loop, &c->delay);
    c->conn.data = c;
    c->delay.data = c;
    assert_int_equal(uv_accept(server, (uv_stream_t *)&c->conn), 0);
    uv_read_start((uv_stream_t *)&c->conn, alloc_cb, read_cb);
}

static void server_start(uv_loop_t *loop, test_server *srv)
{
    struct sockaddr_in addr;
    uv_ip4_addr("127.0.0.1", 0, &addr);
    uv_tcp_init(loop, &srv->server);
    srv->server.data = srv;
    assert_int_equal(uv_tcp_bind(&srv->server, (const struct sockaddr *)&addr, 0), 0);
    assert_int_equal(uv_listen((uv_stream_t *)&srv->server, 16, on_connection), 0);
    struct sockaddr_in bound;
    int len = sizeof bound;
    uv_tcp_getsockname(&srv->server, (struct sockaddr *)&bound, &len);
    srv->port = ntohs(bound.sin_port);
}

typedef struct {
    long status;
    char body[64];
    char remaining[16];
    int done;
    int had_error;
    int ticks_before_answer;
    int *ticks;
    tend_http *http;
    test_server *srv;
} result;

static void on_done(const tend_http_response *res, void *ud)
{
    result *r = ud;
    r->status = res->status;
    snprintf(r->body, sizeof r->body, "%s", res->body);
    if (tend_http_header(res, "x-ratelimit-remaining", r->remaining, sizeof r->remaining) != 0)
        r->remaining[0] = '\0';
    r->done = 1;
    r->had_error = res->error != NULL && res->error[0] != '\0';
    r->ticks_before_answer = *r->ticks;
}

static int ticks;
static void on_tick(uv_timer_t *t)
{
    result *r = t->data;
    ticks++;
    if (r->done) {
        uv_timer_stop(t);
        uv_close((uv_handle_t *)t, NULL);
        uv_close((uv_handle_t *)&r->srv->server, NULL);
    }
}

static void slow_answer_leaves_the_loop_free(void **state)
{
    (void)state;
    uv_loop_t loop;
    uv_loop_init(&loop);
    test_server srv = {.delay_ms = 300};
    server_start(&loop, &srv);
    tend_http *http = tend_http_create(&loop, "tend-test", 0);
    assert_non_null(http);
    ticks = 0;
    result r = {.ticks = &ticks, .http = http, .srv = &srv};
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/api/v10/gateway/bot", srv.port);
    const char *headers[] = {"Authorization: Bot not-a-real-token", NULL};
    tend_http_request req = {.method = "POST", .url = url, .body = "{\"a\":1}", .headers = headers};
    assert_int_equal(tend_http_send(http, &req, on_done, &r), 0);
    assert_int_equal(tend_http_in_flight(http), 1);
    uv_timer_t tick;
    uv_timer_init(&loop, &tick);
    tick.data = &r;
    uv_timer_start(&tick, on_tick, 10, 10);
    uv_run(&loop, UV_RUN_DEFAULT);
    assert_true(r.done);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, "{\"ok\":true}");
    assert_string_equal(r.remaining, "4");
    /* a 10 ms timer kept firing while the 300 ms answer was pending */
    assert_true(r.ticks_before_answer >= 10);
    tend_http_destroy(http);
    uv_run(&loop, UV_RUN_DEFAULT);
    assert_int_equal(uv_loop_close(&loop), 0);
}

static void refused_connection_reports_an_error(void **state)
{
    (void)state;
    uv_loop_t loop;
    uv_loop_init(&loop);
    test_server srv = {0};
    server_start(&loop, &srv);
    int port = srv.port;
    uv_close((uv_handle_t *)&srv.server, NULL);
    uv_run(&loop, UV_RUN_DEFAULT); /* the port is free again */
    tend_http *http = tend_http_create(&loop, "tend-test", 0);
    ticks = 0;
    result r = {.ticks = &ticks, .http = http, .srv = &srv};
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/", port);
    tend_http_request req = {.url = url};
    assert_int_equal(tend_http_send(http, &req, on_done, &r), 0);
    uv_run(&loop, UV_RUN_DEFAULT);
    assert_true(r.done);
    assert_int_equal(r.status, 0);
    assert_true(r.had_error);
    tend_http_destroy(http);
    uv_run(&loop, UV_RUN_DEFAULT);
    assert_int_equal(uv_loop_close(&loop), 0);
}

static void a_binary_body_goes_out_whole(void **state)
{
    (void)state;
    uv_loop_t loop;
    uv_loop_init(&loop);
    test_server srv = {0};
    server_start(&loop, &srv);
    tend_http *http = tend_http_create(&loop, "tend-test", 0);
    ticks = 0;
    result r = {.ticks = &ticks, .http = http, .srv = &srv};
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/_matrix/media/v3/upload", srv.port);
    static const char bytes[] = {'\x8f', 0, 'a', 0, 0, '\xff', 'b'};
    tend_http_request req = {.method = "POST", .url = url, .body = bytes, .body_len = sizeof bytes,
                             .content_type = "application/octet-stream"};
    assert_int_equal(tend_http_send(http, &req, on_done, &r), 0);
    uv_timer_t tick;
    uv_timer_init(&loop, &tick);
    tick.data = &r;
    uv_timer_start(&tick, on_tick, 10, 10);
    uv_run(&loop, UV_RUN_DEFAULT);
    assert_int_equal(r.status, 200);
    assert_int_equal(srv.last_len, sizeof bytes); /* not cut at the first NUL */
    assert_memory_equal(srv.last, bytes, sizeof bytes);
    tend_http_destroy(http);
    uv_run(&loop, UV_RUN_DEFAULT);
    assert_int_equal(uv_loop_close(&loop), 0);
}

static void stop_when_done(uv_timer_t *t)
{
    result *r = t->data;
    if (r->done)
        uv_stop(t->loop);
}

static void run_until_done(uv_loop_t *loop, result *r)
{
    uv_timer_t tick;
    uv_timer_init(loop, &tick);
    tick.data = r;
    uv_timer_start(&tick, stop_when_done, 5, 5);
    uv_run(loop, UV_RUN_DEFAULT);
    uv_close((uv_handle_t *)&tick, NULL);
    uv_run(loop, UV_RUN_NOWAIT);
}

static int count_of(const char *text, const char *what)
{
    int n = 0;
    for (const char *p = strstr(text, what); p; p = strstr(p + 1, what))
        n++;
    return n;
}

static void a_reused_handle_forgets_the_request_before(void **state)
{
    (void)state;
    uv_loop_t loop;
    uv_loop_init(&loop);
    test_server srv = {0};
    server_start(&loop, &srv);
    tend_http *http = tend_http_create(&loop, "tend-test", 0);
    ticks = 0;
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/first", srv.port);
    const char *headers[] = {"Authorization: Bot first-secret", NULL};
    tend_http_request first = {.method = "PATCH", .url = url, .body = "{\"a\":1}", .headers = headers};
    result r1 = {.ticks = &ticks, .http = http, .srv = &srv};
    assert_int_equal(tend_http_send(http, &first, on_done, &r1), 0);
    run_until_done(&loop, &r1);
    assert_int_equal(r1.status, 200);
    assert_non_null(strstr(srv.head, "PATCH /first "));
    assert_non_null(strstr(srv.head, "first-secret"));
    assert_int_equal(count_of(srv.head, "\r\nUser-Agent: tend-test\r\n"), 1);
    assert_null(strstr(srv.head, "Accept-Encoding")); /* an answer to a write is small */

    /* the second goes out on the first's easy handle (the pool keeps it): a plain GET, no body */
    snprintf(url, sizeof url, "http://127.0.0.1:%d/second", srv.port);
    tend_http_request second = {.url = url};
    result r2 = {.ticks = &ticks, .http = http, .srv = &srv};
    assert_int_equal(tend_http_send(http, &second, on_done, &r2), 0);
    run_until_done(&loop, &r2);
    assert_int_equal(r2.status, 200);
    assert_string_equal(r2.body, "{\"ok\":true}");
    assert_non_null(strstr(srv.head, "GET /second "));
    assert_null(strstr(srv.head, "first-secret"));
    assert_null(strstr(srv.head, "Content-Type"));
    assert_int_equal(srv.last_len, 0);
    assert_int_equal(count_of(srv.head, "\r\nUser-Agent: tend-test\r\n"), 1);
    assert_non_null(strstr(srv.head, "\r\nAccept-Encoding: ")); /* a GET's answer may be large */

    uv_close((uv_handle_t *)&srv.server, NULL);
    tend_http_destroy(http);
    uv_run(&loop, UV_RUN_DEFAULT);
    assert_int_equal(uv_loop_close(&loop), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(slow_answer_leaves_the_loop_free),
        cmocka_unit_test(refused_connection_reports_an_error),
        cmocka_unit_test(a_binary_body_goes_out_whole),
        cmocka_unit_test(a_reused_handle_forgets_the_request_before),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
