/*
 * http.h — HTTP requests on the app's libuv loop, through libcurl's multi socket interface.
 *
 * Nothing here blocks: curl tells us which sockets to watch and when to time out, libuv watches
 * them, and each finished request calls its callback on the loop. Connections are reused, and the
 * number of simultaneous connections is kept small (each new TLS connection costs CPU on the loop).
 *
 * Secrets travel only in request headers; nothing in this module logs headers or bodies.
 */
#ifndef TEND_HTTP_H
#define TEND_HTTP_H

#include <stddef.h>
#include <uv.h>

typedef struct tend_http tend_http;

/* A streaming request's body, handed over as it arrives (a server-sent-events stream never ends):
 * `data` holds `len` bytes, valid only during the call. Return 0 to go on, non-zero to end the
 * request (its tend_http_done then reports status 0 and an error). */
typedef int (*tend_http_chunk)(const char *data, size_t len, void *ud);

/* One part of a multipart/form-data body (an upload with its JSON beside it). */
typedef struct tend_http_part {
    const char *name;                /* the form field: "payload_json", "files[0]"              */
    const char *filename;            /* a file's name, or NULL for a plain field                */
    const char *content_type;        /* the part's type, or NULL                                */
    const char *data;                /* len bytes; copied                                       */
    size_t len;
} tend_http_part;

typedef struct tend_http_request {
    const char *method;              /* "GET", "POST", "PUT", "DELETE"                          */
    const char *url;
    const char *body;                /* NULL for none; copied                                   */
    size_t body_len;                 /* body's length; 0: strlen(body) (a binary body sets it)  */
    const char *content_type;        /* default "application/json" when body is set            */
    const char *const *headers;      /* NULL-terminated "Name: value" lines; copied             */
    long timeout_ms;                 /* whole request; 0 = 30 s, or no limit when streaming      */
    tend_http_chunk on_chunk;        /* set: the body streams to it instead of being collected  */
    const tend_http_part *parts;     /* set (and body NULL): a multipart/form-data body of      */
    size_t n_parts;                  /* these parts, its boundary chosen by curl                 */
} tend_http_request;

typedef struct tend_http_response {
    long status;                     /* HTTP status; 0 when the request never got an answer    */
    const char *body;                /* NUL-terminated (may hold NULs before it); "" streamed   */
    size_t body_len;
    const char *error;               /* curl's one-line reason when status is 0, else NULL      */
    const char *raw_headers;         /* the response's header lines, for tend_http_header()     */
} tend_http_response;

/* Called once per request, on the loop (a streaming one: when the stream ends, is cut or was
 * ended by its tend_http_chunk). The response is valid only during the call. */
typedef void (*tend_http_done)(const tend_http_response *res, void *ud);

/* NULL on failure. `user_agent` is sent with every request. `max_connections` 0 = 4. */
tend_http *tend_http_create(uv_loop_t *loop, const char *user_agent, long max_connections);
/* Cancels what is in flight (their callbacks are not called) and closes the loop handles; the
 * memory is freed once libuv has closed them. Never call it from inside a tend_http_done callback.
 * Accepts NULL. */
void tend_http_destroy(tend_http *http);

/* Starts a request. 0, or -1 when it could not even start (then cb is not called). */
int tend_http_send(tend_http *http, const tend_http_request *req, tend_http_done cb, void *ud);

/* How many requests are in flight. */
size_t tend_http_in_flight(const tend_http *http);

/* Copies the value of response header `name` (case-insensitive) into out. 0, or -1 if absent. */
int tend_http_header(const tend_http_response *res, const char *name, char *out, size_t outlen);

#endif
