/*
 * wire.h — the load driver's side of the wire: one 127.0.0.1 listener that answers HTTP/1.1
 * (keep-alive, Content-Length bodies) and upgrades /gw to a websocket. Just enough of both for
 * tend's libcurl and libwebsockets clients, written for speed rather than generality: the driver
 * must not be what limits the measurement.
 */
#ifndef TEND_BENCH_WIRE_H
#define TEND_BENCH_WIRE_H

#include <stdbool.h>
#include <stddef.h>

#include <uv.h>

typedef struct wire_conn wire_conn;

typedef struct wire_request {
    const char *method;  /* NUL-terminated copies inside the connection's buffer */
    const char *path;
    const char *body;    /* not NUL-terminated */
    size_t body_len;
} wire_request;

typedef struct wire_handlers {
    /* An HTTP request; answer it with wire_respond() before returning. */
    void (*on_http)(wire_conn *c, const wire_request *req, void *ud);
    /* A websocket was opened on /gw. */
    void (*on_ws_open)(wire_conn *c, void *ud);
    /* A text frame from the client (unmasked already). */
    void (*on_ws_text)(wire_conn *c, const char *text, size_t len, void *ud);
    /* The websocket went away. */
    void (*on_ws_close)(wire_conn *c, void *ud);
    void *ud;
} wire_handlers;

/* Listens on 127.0.0.1:0; the chosen port in *port. 0 or a libuv error. */
int wire_listen(uv_loop_t *loop, const wire_handlers *h, int *port);
/* Closes the listener and every connection. */
void wire_close_all(void);

/* One HTTP answer: status, extra header lines ("Name: value\r\n"... or NULL), JSON body or NULL. */
void wire_respond(wire_conn *c, int status, const char *headers, const char *body, size_t body_len);

/* Appends a text frame to the connection's pending output; wire_flush() writes what is pending.
 * On a websocket opened with compress=zlib-stream (tend asks for it; the reference bot does not),
 * the payload goes deflated on the connection's stream, in a binary frame, as Discord sends it. */
void wire_ws_queue(wire_conn *c, const char *text, size_t len);
void wire_flush(wire_conn *c);
/* Bytes queued to the kernel but not yet written (backpressure). */
size_t wire_pending(const wire_conn *c);

#endif
