/*
 * zstream.c — a zlib stream flushed after each message (zstream.h), read with zlib's inflate.
 *
 * A message that arrives whole in one websocket message (the usual case) is inflated straight from
 * the frame; only one split across websocket messages is copied into `held` first. The output
 * buffer is kept between messages; one grown past KEEP_AT_MOST for a large message (a big
 * GUILD_CREATE at start-up) is given back before the next.
 */
#include "lib/zstream.h"

#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#define FIRST_OUT ((size_t)16 << 10)
#define KEEP_AT_MOST ((size_t)1 << 20)

static const unsigned char MARKER[4] = {0x00, 0x00, 0xFF, 0xFF};

struct tend_zstream {
    z_stream zs;
    size_t max;
    bool broken;
    unsigned char *held; /* compressed bytes of a message not yet ended */
    size_t held_len, held_cap;
    char *out;
    size_t out_cap;
};

tend_zstream *tend_zstream_create(size_t max)
{
    tend_zstream *z = calloc(1, sizeof *z);
    if (!z)
        return NULL;
    if (inflateInit(&z->zs) != Z_OK) {
        free(z);
        return NULL;
    }
    z->max = max;
    return z;
}

void tend_zstream_destroy(tend_zstream *z)
{
    if (!z)
        return;
    inflateEnd(&z->zs);
    free(z->held);
    free(z->out);
    free(z);
}

void tend_zstream_reset(tend_zstream *z)
{
    z->broken = inflateReset(&z->zs) != Z_OK;
    z->held_len = 0;
}

static bool ends_with_marker(const unsigned char *p, size_t n)
{
    return n >= sizeof MARKER && memcmp(p + n - sizeof MARKER, MARKER, sizeof MARKER) == 0;
}

static bool hold(tend_zstream *z, const void *in, size_t len)
{
    if (len > z->max - z->held_len)
        return false; /* compressed, it is already more than it may inflate to */
    if (z->held_len + len > z->held_cap) {
        size_t cap = z->held_cap ? z->held_cap : 4096;
        while (cap < z->held_len + len)
            cap *= 2;
        unsigned char *grown = realloc(z->held, cap);
        if (!grown)
            return false;
        z->held = grown;
        z->held_cap = cap;
    }
    memcpy(z->held + z->held_len, in, len);
    z->held_len += len;
    return true;
}

/* Room for at least one more byte and the NUL after `produced` bytes, within max. */
static bool room(tend_zstream *z, size_t produced)
{
    if (z->out_cap > produced + 1)
        return true;
    if (produced >= z->max)
        return false;
    size_t cap = z->out_cap ? z->out_cap * 2 : FIRST_OUT;
    if (cap > z->max + 1)
        cap = z->max + 1;
    char *grown = realloc(z->out, cap);
    if (!grown)
        return false;
    z->out = grown;
    z->out_cap = cap;
    return true;
}

static tend_zstream_result inflate_message(tend_zstream *z, const unsigned char *src, size_t n, const char **out,
                                           size_t *out_len)
{
    z->zs.next_in = (unsigned char *)src; /* zlib's type; it does not write there */
    z->zs.avail_in = (uInt)n;
    size_t produced = 0;
    for (;;) {
        if (!room(z, produced))
            return TEND_ZSTREAM_BROKEN;
        size_t space = z->out_cap - 1 - produced;
        z->zs.next_out = (unsigned char *)z->out + produced;
        z->zs.avail_out = (uInt)space;
        int rc = inflate(&z->zs, Z_SYNC_FLUSH);
        produced += space - z->zs.avail_out;
        if (rc != Z_OK && rc != Z_BUF_ERROR)
            return TEND_ZSTREAM_BROKEN; /* not zlib, or a stream that ended: nothing more to read */
        if (z->zs.avail_out > 0 && z->zs.avail_in == 0)
            break; /* all read, all written */
        if (z->zs.avail_out > 0)
            return TEND_ZSTREAM_BROKEN; /* input left that zlib will not take */
    }
    z->out[produced] = '\0'; /* room() keeps out_cap at most max + 1: produced <= max */
    *out = z->out;
    *out_len = produced;
    return TEND_ZSTREAM_MESSAGE;
}

tend_zstream_result tend_zstream_feed(tend_zstream *z, const void *in, size_t len, bool complete,
                                      const char **out, size_t *out_len)
{
    if (z->broken)
        return TEND_ZSTREAM_BROKEN;
    if (z->out_cap > KEEP_AT_MOST) {
        free(z->out);
        z->out = NULL;
        z->out_cap = 0;
    }
    const unsigned char *src = in;
    size_t n = len;
    if (z->held_len || !complete || !ends_with_marker(src, n)) {
        if (!hold(z, in, len)) {
            z->broken = true;
            return TEND_ZSTREAM_BROKEN;
        }
        if (!complete || !ends_with_marker(z->held, z->held_len))
            return TEND_ZSTREAM_MORE;
        src = z->held;
        n = z->held_len;
    }
    tend_zstream_result r = inflate_message(z, src, n, out, out_len);
    z->held_len = 0;
    if (z->held_cap > KEEP_AT_MOST) {
        free(z->held);
        z->held = NULL;
        z->held_cap = 0;
    }
    if (r == TEND_ZSTREAM_BROKEN)
        z->broken = true;
    return r;
}
