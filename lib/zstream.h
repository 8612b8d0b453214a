/*
 * zstream.h — reads a zlib stream that a server flushes after each message (Discord's gateway
 * "zlib-stream" transport compression): one inflate context for the whole connection, each message
 * ending with the sync-flush marker 00 00 FF FF.
 *
 * Why tend asks for it: a gateway event is JSON of ~3 KB, mostly the same keys and ids as the one
 * before it, so with the connection's shared window it arrives as a few hundred bytes. Every byte
 * of a websocket frame costs libwebsockets' parser ~25 instructions; inflating costs a few per
 * byte out (issue 17).
 *
 * Feed it each websocket message as it arrives, saying whether the message is complete: bytes are
 * held until a complete message ends with the marker (the check is only made there, since the
 * marker's bytes can occur inside a message), then everything held is inflated at once.
 */
#ifndef TEND_ZSTREAM_H
#define TEND_ZSTREAM_H

#include <stdbool.h>
#include <stddef.h>

typedef struct tend_zstream tend_zstream;

typedef enum {
    TEND_ZSTREAM_MORE = 0,    /* held: the message goes on in a later websocket message      */
    TEND_ZSTREAM_MESSAGE = 1, /* *out holds a whole inflated message                          */
    TEND_ZSTREAM_BROKEN = -1, /* not a zlib stream, or a message over the limit: the context is
                                 lost, so the connection must be made anew                   */
} tend_zstream_result;

/* A reader whose messages may inflate to at most `max` bytes. NULL when out of memory. */
tend_zstream *tend_zstream_create(size_t max);
void tend_zstream_destroy(tend_zstream *z);
/* A new connection: a new context, nothing held. */
void tend_zstream_reset(tend_zstream *z);

/* Feeds len bytes; `complete` when they end a websocket message. On TEND_ZSTREAM_MESSAGE, *out
 * and *out_len are the message (NUL-terminated, valid until the next call). After
 * TEND_ZSTREAM_BROKEN every call fails until tend_zstream_reset. */
tend_zstream_result tend_zstream_feed(tend_zstream *z, const void *in, size_t len, bool complete,
                                      const char **out, size_t *out_len);

#endif
