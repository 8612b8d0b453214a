/* test_http_stream.c — a streaming request (a server-sent-events stream) hands each piece of the body
 * over as it arrives, not when the response ends; the receiver can end the stream; a stream has no
 * overall time limit. The server is a tiny one on 127.0.0.1 in the same loop that sends a chunked
 * body in three pieces, 150 ms apart, and never ends it on its own. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "lib/http.h"

static const char *const pieces[] = {
    "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n"
    "e\r\nevent:receive\n\r\n",
    "16\r\ndata:{\"envelope\":{}}\n\n\r\n",
    "2\r\n:\n\r\n",
};
#define N_PIECES (sizeof pieces / sizeof pieces[0])

typedef struct {
    uv_tcp_t server;
    uv_tcp_t conn;
    uv_timer_t pace;
    uv_write_t writes[N_PIECES];
    size_t sent;              /* pieces written so far */
    bool accepted, closed;
    char request[2048];
    size_t len;
} stream_server;

static void pace_next(uv_timer_t *t)
{
    stream_server *s = t->data;
    if (s->sent == N_PIECES || s->closed)
        return; /* the stream stays open: only the client ends it */
    uv_buf_t buf = uv_buf_init((char *)pieces[s->sent], (unsigned)strlen(pieces[s->sent]));
    uv_write(&s->writes[s->sent], (uv_stream_t *)&s->conn, &buf, 1, NULL);
    s->sent++;
    uv_timer_start(&s->pace, pace_next, 150, 0);
}

static void alloc_cb(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
    (void)suggested;
    stream_server *s = h->data;
    *buf = uv_buf_init(s->request + s->len, (unsigned)(sizeof s->request - s->len - 1));
}

static void read_cb(uv_stream_t *stream, ssize_t n, const uv_buf_t *buf)
{
    (void)buf;
    stream_server *s = stream->data;
    if (n < 0) {
        s->closed = true; /* the client hung up */
        uv_read_stop(stream);
        return;
    }
    s->len += (size_t)n;
    s->request[s->len] = '\0';
    if (s->sent == 0 && strstr(s->request, "\r\n\r\n"))
        pace_next(&s->pace);
}

static void on_connection(uv_stream_t *server, int status)
{
    assert_int_equal(status, 0);
    stream_server *s = server->data;
    uv_tcp_init(server->loop, &s->conn);
    s->conn.data = s;
    assert_int_equal(uv_accept(server, (uv_stream_t *)&s->conn), 0);
    s->accepted = true;
    uv_read_start((uv_stream_t *)&s->conn, alloc_cb, read_cb);
}

static int server_start(uv_loop_t *loop, stream_server *s)
{
    struct sockaddr_in addr;
    uv_ip4_addr("127.0.0.1", 0, &addr);
    uv_tcp_init(loop, &s->server);
    uv_timer_init(loop, &s->pace);
    s->server.data = s->pace.data = s;
    assert_int_equal(uv_tcp_bind(&s->server, (const struct sockaddr *)&addr, 0), 0);
    assert_int_equal(uv_listen((uv_stream_t *)&s->server, 4, on_connection), 0);
    struct sockaddr_in bound;
    int len = sizeof bound;
    uv_tcp_getsockname(&s->server, (struct sockaddr *)&bound, &len);
    return ntohs(bound.sin_port);
}

static void server_close(stream_server *s)
{
    uv_timer_stop(&s->pace);
    uv_close((uv_handle_t *)&s->pace, NULL);
    uv_close((uv_handle_t *)&s->server, NULL);
    if (s->accepted)
        uv_close((uv_handle_t *)&s->conn, NULL);
}

typedef struct {
    stream_server *srv;
    char got[512];
    size_t got_len;
    size_t calls;
    size_t sent_at_first_call; /* how many pieces the server had written when the first arrived */
    size_t stop_after;         /* end the stream once this many bytes arrived */
    bool done;
    long status;
    bool had_error;
} receiver;

static int on_chunk(const char *data, size_t len, void *ud)
{
    receiver *r = ud;
    if (r->calls++ == 0)
        r->sent_at_first_call = r->srv->sent;
    assert_true(r->got_len + len < sizeof r->got);
    memcpy(r->got + r->got_len, data, len);
    r->got_len += len;
    r->got[r->got_len] = '\0';
    return r->got_len >= r->stop_after ? 1 : 0;
}

static void on_done(const tend_http_response *res, void *ud)
{
    receiver *r = ud;
    r->done = true;
    r->status = res->status;
    r->had_error = res->error && res->error[0];
    server_close(r->srv);
}

static void pieces_arrive_as_they_are_sent_until_the_receiver_ends_it(void **state)
{
    (void)state;
    uv_loop_t loop;
    uv_loop_init(&loop);
    stream_server srv = {0};
    int port = server_start(&loop, &srv);
    tend_http *http = tend_http_create(&loop, "tend-test", 0);
    assert_non_null(http);
    const char *expected = "event:receive\ndata:{\"envelope\":{}}\n\n:\n";
    receiver r = {.srv = &srv, .stop_after = strlen(expected)};
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/api/v1/events", port);
    /* a timeout shorter than the stream lasts would cut it: a stream ignores the default */
    tend_http_request req = {.url = url, .on_chunk = on_chunk};
    assert_int_equal(tend_http_send(http, &req, on_done, &r), 0);
    uv_run(&loop, UV_RUN_DEFAULT);
    assert_true(r.done);
    /* the first piece came while the server still held back the other two */
    assert_int_equal(r.sent_at_first_call, 1);
    assert_true(r.calls >= 3);
    assert_string_equal(r.got, expected);
    /* ended by the receiver: reported as a request that got no full answer */
    assert_int_equal(r.status, 0);
    assert_true(r.had_error);
    tend_http_destroy(http);
    uv_run(&loop, UV_RUN_DEFAULT);
    assert_int_equal(uv_loop_close(&loop), 0);
}

/* Destroying the client ends a stream that is still open, without calling back. */
static int never_stop(const char *data, size_t len, void *ud)
{
    (void)data;
    receiver *r = ud;
    r->got_len += len;
    return 0;
}

static void on_done_unexpected(const tend_http_response *res, void *ud)
{
    (void)res;
    receiver *r = ud;
    r->done = true;
}

typedef struct {
    tend_http *http;
    receiver *r;
} ender;

static void end_it(uv_timer_t *t)
{
    ender *e = t->data;
    tend_http_destroy(e->http);
    server_close(e->r->srv);
    uv_close((uv_handle_t *)t, NULL);
}

static void destroying_the_client_ends_an_open_stream_quietly(void **state)
{
    (void)state;
    uv_loop_t loop;
    uv_loop_init(&loop);
    stream_server srv = {0};
    int port = server_start(&loop, &srv);
    tend_http *http = tend_http_create(&loop, "tend-test", 0);
    receiver r = {.srv = &srv};
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/api/v1/events", port);
    tend_http_request req = {.url = url, .on_chunk = never_stop};
    assert_int_equal(tend_http_send(http, &req, on_done_unexpected, &r), 0);
    uv_timer_t timer;
    uv_timer_init(&loop, &timer);
    ender e = {http, &r};
    timer.data = &e;
    uv_timer_start(&timer, end_it, 600, 0); /* after every piece was sent */
    uv_run(&loop, UV_RUN_DEFAULT);
    assert_false(r.done);
    assert_true(r.got_len > 0);
    assert_int_equal(uv_loop_close(&loop), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(pieces_arrive_as_they_are_sent_until_the_receiver_ends_it),
        cmocka_unit_test(destroying_the_client_ends_an_open_stream_quietly),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
