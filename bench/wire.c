/*
 * wire.c — a minimal HTTP/1.1 + websocket server on libuv for the load driver.
 *
 * Output is gathered per connection and written once per read (or per wire_flush), so a burst of
 * pipelined requests or a batch of gateway events costs one write system call, not one each.
 */
#include "bench/wire.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>
#include <zlib.h>

struct wire_conn {
    uv_tcp_t tcp;
    char *in;
    size_t in_len, in_cap;
    char *out;
    size_t out_len, out_cap;
    size_t writing;          /* bytes handed to uv_write and not yet done */
    bool ws;
    bool closing;
    z_stream *z;             /* the websocket asked compress=zlib-stream: its one stream      */
    unsigned char *zbuf;     /* a frame's compressed bytes                                     */
    size_t zcap;
    struct wire_conn *next;
};

typedef struct {
    uv_write_t req;
    wire_conn *c;
    char *data;
    size_t len;
} write_req;

static uv_tcp_t listener;
static wire_handlers handlers;
static wire_conn *conns;

static void grow(char **buf, size_t *cap, size_t need)
{
    if (need <= *cap)
        return;
    size_t n = *cap ? *cap : 4096;
    while (n < need)
        n *= 2;
    char *p = realloc(*buf, n);
    if (!p) {
        fputs("driver: out of memory\n", stderr);
        exit(1);
    }
    *buf = p;
    *cap = n;
}

static void out_append(wire_conn *c, const void *data, size_t len)
{
    grow(&c->out, &c->out_cap, c->out_len + len);
    memcpy(c->out + c->out_len, data, len);
    c->out_len += len;
}

static void on_closed(uv_handle_t *h)
{
    wire_conn *c = (wire_conn *)h;
    for (wire_conn **p = &conns; *p; p = &(*p)->next)
        if (*p == c) {
            *p = c->next;
            break;
        }
    if (c->z) {
        deflateEnd(c->z);
        free(c->z);
    }
    free(c->zbuf);
    free(c->in);
    free(c->out);
    free(c);
}

static void close_conn(wire_conn *c)
{
    if (c->closing)
        return;
    c->closing = true;
    if (c->ws && handlers.on_ws_close)
        handlers.on_ws_close(c, handlers.ud);
    uv_close((uv_handle_t *)&c->tcp, on_closed);
}

static void on_written(uv_write_t *req, int status)
{
    write_req *w = (write_req *)req;
    w->c->writing -= w->len;
    free(w->data);
    free(w);
    (void)status; /* a failed write shows up as a read error or EOF on the same connection */
}

void wire_flush(wire_conn *c)
{
    if (!c || c->closing || c->out_len == 0)
        return;
    write_req *w = malloc(sizeof *w);
    if (!w)
        return;
    w->c = c;
    w->data = c->out;
    w->len = c->out_len;
    c->out = NULL;
    c->out_len = c->out_cap = 0;
    c->writing += w->len;
    uv_buf_t b = uv_buf_init(w->data, (unsigned)w->len);
    if (uv_write(&w->req, (uv_stream_t *)&c->tcp, &b, 1, on_written) != 0) {
        c->writing -= w->len;
        free(w->data);
        free(w);
        close_conn(c);
    }
}

size_t wire_pending(const wire_conn *c)
{
    return c ? c->writing + c->out_len : 0;
}

static const char *reason(int status)
{
    switch (status) {
    case 101: return "Switching Protocols";
    case 200: return "OK";
    case 204: return "No Content";
    case 404: return "Not Found";
    case 429: return "Too Many Requests";
    default: return "Status";
    }
}

void wire_respond(wire_conn *c, int status, const char *headers, const char *body, size_t body_len)
{
    char head[1024];
    /* like Discord, no Content-Type on an answer without a body (a callback's 204): a client that
     * trusts the header (discord.js's REST) would otherwise try to parse nothing as JSON */
    bool has_body = body && body_len;
    int n = snprintf(head, sizeof head, "HTTP/1.1 %d %s\r\n%sContent-Length: %zu\r\n%s\r\n", status,
                     reason(status), has_body ? "Content-Type: application/json\r\n" : "",
                     has_body ? body_len : 0, headers ? headers : "");
    out_append(c, head, (size_t)n < sizeof head ? (size_t)n : sizeof head - 1);
    if (body && body_len)
        out_append(c, body, body_len);
}

/* Discord's zlib-stream: the payload deflated on the connection's one stream and flushed, so it
 * ends 00 00 FF FF; sent as a binary frame. NULL (then sent as text) when memory runs out. */
static const char *compressed(wire_conn *c, const char *text, size_t *len)
{
    size_t need = deflateBound(c->z, (uLong)*len) + 16;
    if (need > c->zcap) {
        unsigned char *grown = realloc(c->zbuf, need);
        if (!grown)
            return NULL;
        c->zbuf = grown;
        c->zcap = need;
    }
    c->z->next_in = (unsigned char *)text;
    c->z->avail_in = (uInt)*len;
    c->z->next_out = c->zbuf;
    c->z->avail_out = (uInt)c->zcap;
    if (deflate(c->z, Z_SYNC_FLUSH) != Z_OK || c->z->avail_in != 0)
        return NULL;
    *len = c->zcap - c->z->avail_out;
    return (const char *)c->zbuf;
}

void wire_ws_queue(wire_conn *c, const char *text, size_t len)
{
    unsigned char h[10];
    size_t hl;
    h[0] = 0x81; /* FIN, text */
    const char *z = c->z ? compressed(c, text, &len) : NULL;
    if (z) {
        h[0] = 0x82; /* FIN, binary */
        text = z;
    }
    if (len < 126) {
        h[1] = (unsigned char)len;
        hl = 2;
    } else if (len < 65536) {
        h[1] = 126;
        h[2] = (unsigned char)(len >> 8);
        h[3] = (unsigned char)len;
        hl = 4;
    } else {
        h[1] = 127;
        for (int i = 0; i < 8; i++)
            h[2 + i] = (unsigned char)((uint64_t)len >> (56 - 8 * i));
        hl = 10;
    }
    out_append(c, h, hl);
    out_append(c, text, len);
}

/* The value of header `name` in a NUL-terminated header block, copied into out. */
static bool header(const char *block, const char *name, char *out, size_t outlen)
{
    size_t nl = strlen(name);
    for (const char *p = block; (p = strstr(p, "\r\n")) != NULL;) {
        p += 2;
        if (strncasecmp(p, name, nl) == 0 && p[nl] == ':') {
            const char *v = p + nl + 1;
            v += strspn(v, " \t");
            size_t vl = strcspn(v, "\r\n");
            if (vl >= outlen)
                vl = outlen - 1;
            memcpy(out, v, vl);
            out[vl] = '\0';
            return true;
        }
    }
    return false;
}

static void upgrade(wire_conn *c, const char *path, const char *block)
{
    char key[128], accept[64];
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    if (!header(block, "Sec-WebSocket-Key", key, sizeof key - 40)) {
        wire_respond(c, 404, NULL, NULL, 0);
        return;
    }
    strcat(key, "258EAFA5-E914-47DA-95CA-C5AB0DC85B11");
    EVP_Digest(key, strlen(key), md, &mdlen, EVP_sha1(), NULL);
    EVP_EncodeBlock((unsigned char *)accept, md, (int)mdlen);
    char head[256];
    int n = snprintf(head, sizeof head,
                     "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                     "Sec-WebSocket-Accept: %s\r\n\r\n",
                     accept);
    out_append(c, head, (size_t)n);
    c->ws = true;
    if (strstr(path, "compress=zlib-stream")) { /* as Discord's gateway: one stream a connection */
        c->z = calloc(1, sizeof *c->z);
        if (c->z && deflateInit(c->z, Z_DEFAULT_COMPRESSION) != Z_OK) {
            free(c->z);
            c->z = NULL;
        }
    }
    if (handlers.on_ws_open)
        handlers.on_ws_open(c, handlers.ud);
}

/* One HTTP request at the start of c->in: its length, or 0 when incomplete. */
static size_t parse_http(wire_conn *c)
{
    char *end = memmem(c->in, c->in_len, "\r\n\r\n", 4);
    if (!end)
        return 0;
    size_t head_len = (size_t)(end - c->in) + 4;
    *end = '\0'; /* the header block is now a string; the body starts at end + 4 */
    char cl[32];
    size_t body_len = header(c->in, "Content-Length", cl, sizeof cl) ? strtoul(cl, NULL, 10) : 0;
    if (c->in_len < head_len + body_len) {
        *end = '\r';
        return 0;
    }
    char *method = c->in;
    char *sp = strchr(method, ' ');
    char *path = sp ? sp + 1 : NULL;
    char *sp2 = path ? strchr(path, ' ') : NULL;
    if (!sp || !sp2) {
        close_conn(c);
        return 0;
    }
    *sp = '\0';
    *sp2 = '\0';
    char up[32];
    if (strncmp(path, "/gw", 3) == 0 && header(sp2 + 1, "Upgrade", up, sizeof up) &&
        strcasecmp(up, "websocket") == 0) {
        upgrade(c, path, sp2 + 1);
    } else {
        wire_request req = {method, path, end + 4, body_len};
        handlers.on_http(c, &req, handlers.ud);
    }
    return head_len + body_len;
}

/* One websocket frame at the start of c->in: its length, or 0 when incomplete. */
static size_t parse_frame(wire_conn *c)
{
    unsigned char *b = (unsigned char *)c->in;
    if (c->in_len < 2)
        return 0;
    int opcode = b[0] & 0x0F;
    bool masked = b[1] & 0x80;
    uint64_t len = b[1] & 0x7F;
    size_t at = 2;
    if (len == 126) {
        if (c->in_len < 4)
            return 0;
        len = ((uint64_t)b[2] << 8) | b[3];
        at = 4;
    } else if (len == 127) {
        if (c->in_len < 10)
            return 0;
        len = 0;
        for (int i = 0; i < 8; i++)
            len = (len << 8) | b[2 + i];
        at = 10;
    }
    unsigned char mask[4] = {0};
    if (masked) {
        if (c->in_len < at + 4)
            return 0;
        memcpy(mask, b + at, 4);
        at += 4;
    }
    if (c->in_len < at + len)
        return 0;
    for (uint64_t i = 0; masked && i < len; i++)
        b[at + i] ^= mask[i & 3];
    if (opcode == 1 || opcode == 0) {
        handlers.on_ws_text(c, (const char *)b + at, (size_t)len, handlers.ud);
    } else if (opcode == 8) {
        unsigned char close[4] = {0x88, 2, len >= 2 ? b[at] : 0x03, len >= 2 ? b[at + 1] : 0xE8};
        out_append(c, close, sizeof close);
        wire_flush(c);
        close_conn(c);
        return 0;
    } else if (opcode == 9) {
        unsigned char pong[2] = {0x8A, 0};
        out_append(c, pong, 2);
    }
    return at + (size_t)len;
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
    wire_conn *c = (wire_conn *)h;
    (void)suggested;
    grow(&c->in, &c->in_cap, c->in_len + 65536);
    *buf = uv_buf_init(c->in + c->in_len, (unsigned)(c->in_cap - c->in_len));
}

static void on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf)
{
    wire_conn *c = (wire_conn *)s;
    (void)buf;
    if (n < 0) {
        close_conn(c);
        return;
    }
    c->in_len += (size_t)n;
    size_t used = 0;
    while (!c->closing && used < c->in_len) {
        /* parse at the front: move what is left down first (cheap: usually nothing is left) */
        if (used) {
            memmove(c->in, c->in + used, c->in_len - used);
            c->in_len -= used;
            used = 0;
        }
        size_t k = c->ws ? parse_frame(c) : parse_http(c);
        if (k == 0)
            break;
        used = k;
    }
    if (c->closing)
        return;
    if (used) {
        memmove(c->in, c->in + used, c->in_len - used);
        c->in_len -= used;
    }
    wire_flush(c);
}

static void on_connection(uv_stream_t *server, int status)
{
    if (status < 0)
        return;
    wire_conn *c = calloc(1, sizeof *c);
    if (!c)
        return;
    uv_tcp_init(server->loop, &c->tcp);
    if (uv_accept(server, (uv_stream_t *)&c->tcp) != 0) {
        uv_close((uv_handle_t *)&c->tcp, on_closed);
        return;
    }
    uv_tcp_nodelay(&c->tcp, 1);
    c->next = conns;
    conns = c;
    uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read);
}

int wire_listen(uv_loop_t *loop, const wire_handlers *h, int *port)
{
    handlers = *h;
    struct sockaddr_in addr;
    uv_ip4_addr("127.0.0.1", 0, &addr);
    int rc = uv_tcp_init(loop, &listener);
    if (rc == 0)
        rc = uv_tcp_bind(&listener, (const struct sockaddr *)&addr, 0);
    if (rc == 0)
        rc = uv_listen((uv_stream_t *)&listener, 256, on_connection);
    if (rc != 0)
        return rc;
    struct sockaddr_storage got;
    int len = sizeof got;
    uv_tcp_getsockname(&listener, (struct sockaddr *)&got, &len);
    *port = ntohs(((struct sockaddr_in *)&got)->sin_port);
    return 0;
}

void wire_close_all(void)
{
    if (!uv_is_closing((uv_handle_t *)&listener))
        uv_close((uv_handle_t *)&listener, NULL);
    for (wire_conn *c = conns; c; c = c->next)
        close_conn(c);
}
