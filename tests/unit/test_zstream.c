/*
 * test_zstream.c — Discord's zlib-stream, read the way its gateway sends it (lib/zstream.h): one
 * deflate context per connection, each message flushed with Z_SYNC_FLUSH (so it ends 00 00 FF FF).
 * The compressing side here is zlib's own deflate, as a server's would be.
 *   - fifty gateway events in a row come out exactly as they went in, each from one websocket
 *     message, and later ones are small because the window holds the earlier ones;
 *   - a message split across websocket messages (Discord's docs allow it), and one delivered in
 *     fragments of a single websocket message, come out whole, and only once it is complete;
 *   - bytes that look like the marker inside a message do not end it early;
 *   - a new connection (reset) reads a new stream; the old context would not;
 *   - bytes that are not zlib, and a message larger than the limit, break the stream (a
 *     reconnect is the only way on) and nothing after them is read until the reset.
 */
#include "testkit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "lib/zstream.h"

#define LIMIT (1u << 20)

typedef struct {
    z_stream zs;
    unsigned char buf[1 << 18];
    size_t len;
} server;

static void server_start(server *s)
{
    memset(&s->zs, 0, sizeof s->zs);
    assert_int_equal(deflateInit(&s->zs, Z_DEFAULT_COMPRESSION), Z_OK);
}

/* One message as the gateway sends it: compressed, flushed; s->buf / s->len. */
static void server_send(server *s, const char *text)
{
    s->zs.next_in = (unsigned char *)text;
    s->zs.avail_in = (uInt)strlen(text);
    s->zs.next_out = s->buf;
    s->zs.avail_out = sizeof s->buf;
    assert_int_equal(deflate(&s->zs, Z_SYNC_FLUSH), Z_OK);
    assert_int_equal(s->zs.avail_in, 0);
    s->len = sizeof s->buf - s->zs.avail_out;
    assert_true(s->len >= 4 && memcmp(s->buf + s->len - 4, "\x00\x00\xff\xff", 4) == 0);
}

static void server_end(server *s)
{
    deflateEnd(&s->zs);
}

static void event(char *out, size_t outlen, int i)
{
    snprintf(out, outlen,
             "{\"t\":\"INTERACTION_CREATE\",\"s\":%d,\"op\":0,\"d\":{\"type\":2,\"token\":\"aW50ZXJhY3Rpb246%08d"
             "OlhZWlhZWlhZWlhZWlhZWlhZWlhZWlhZWlhZWlhZWlhZWlhZWlhZWlhZWlhZ\",\"member\":{\"user\":{\"username\":"
             "\"member %d\",\"id\":\"8035111022467%04d\"},\"roles\":[],\"permissions\":\"2147483647\"},"
             "\"locale\":\"en-GB\",\"id\":\"11856543210987%05d\",\"guild_id\":\"290926798626357250\","
             "\"data\":{\"type\":1,\"options\":[{\"value\":%d,\"type\":4,\"name\":\"number\"}],\"name\":\"claim\"},"
             "\"channel_id\":\"645027906669510667\",\"application_id\":\"1185000000000000000\"}}",
             i, i * 7919, i, i, i, i % 50 + 1);
}

static void fifty_events_come_out_as_they_went_in(void **state)
{
    (void)state;
    server s;
    server_start(&s);
    tend_zstream *z = tend_zstream_create(LIMIT);
    assert_non_null(z);
    size_t first = 0, later = 0, raw = 0;
    for (int i = 1; i <= 50; i++) {
        char text[2048];
        event(text, sizeof text, i);
        server_send(&s, text);
        raw += strlen(text);
        if (i == 1)
            first = s.len;
        else
            later += s.len;
        const char *out = NULL;
        size_t out_len = 0;
        assert_int_equal(tend_zstream_feed(z, s.buf, s.len, true, &out, &out_len), TEND_ZSTREAM_MESSAGE);
        assert_int_equal(out_len, strlen(text));
        assert_string_equal(out, text);
    }
    later /= 49;
    printf("zstream: events of %zu bytes on average; compressed, the first %zu, later ones %zu\n", raw / 50,
           first, later);
    assert_true(later * 2 < first); /* the shared window is what makes it pay */
    tend_zstream_destroy(z);
    server_end(&s);
}

static void a_message_split_or_fragmented_comes_out_once_whole(void **state)
{
    (void)state;
    server s;
    server_start(&s);
    tend_zstream *z = tend_zstream_create(LIMIT);
    char text[2048];
    const char *out = NULL;
    size_t out_len = 0;

    /* across two websocket messages: the first does not end with the marker */
    event(text, sizeof text, 1);
    server_send(&s, text);
    size_t cut = s.len / 2;
    assert_int_equal(tend_zstream_feed(z, s.buf, cut, true, &out, &out_len), TEND_ZSTREAM_MORE);
    assert_int_equal(tend_zstream_feed(z, s.buf + cut, s.len - cut, true, &out, &out_len), TEND_ZSTREAM_MESSAGE);
    assert_string_equal(out, text);

    /* in fragments of one websocket message, byte by byte */
    event(text, sizeof text, 2);
    server_send(&s, text);
    for (size_t i = 0; i + 1 < s.len; i++)
        assert_int_equal(tend_zstream_feed(z, s.buf + i, 1, false, &out, &out_len), TEND_ZSTREAM_MORE);
    assert_int_equal(tend_zstream_feed(z, s.buf + s.len - 1, 1, true, &out, &out_len), TEND_ZSTREAM_MESSAGE);
    assert_string_equal(out, text);

    /* and the stream goes on after both */
    event(text, sizeof text, 3);
    server_send(&s, text);
    assert_int_equal(tend_zstream_feed(z, s.buf, s.len, true, &out, &out_len), TEND_ZSTREAM_MESSAGE);
    assert_string_equal(out, text);
    tend_zstream_destroy(z);
    server_end(&s);
}

static void marker_bytes_inside_a_message_do_not_end_it(void **state)
{
    (void)state;
    server s;
    server_start(&s);
    tend_zstream *z = tend_zstream_create(LIMIT);
    const char *out = NULL;
    size_t out_len = 0;
    /* two flushes make one websocket message carry a marker in its middle: a gateway message is
     * only over where a complete websocket message ends with it */
    char text[2048];
    event(text, sizeof text, 4);
    size_t half = strlen(text) / 2;
    unsigned char both[1 << 14];
    s.zs.next_in = (unsigned char *)text;
    s.zs.avail_in = (uInt)half;
    s.zs.next_out = both;
    s.zs.avail_out = sizeof both;
    assert_int_equal(deflate(&s.zs, Z_SYNC_FLUSH), Z_OK);
    size_t mid = sizeof both - s.zs.avail_out;
    assert_int_equal(memcmp(both + mid - 4, "\x00\x00\xff\xff", 4), 0);
    s.zs.next_in = (unsigned char *)text + half;
    s.zs.avail_in = (uInt)(strlen(text) - half);
    assert_int_equal(deflate(&s.zs, Z_SYNC_FLUSH), Z_OK);
    size_t len = sizeof both - s.zs.avail_out;
    /* delivered as fragments that happen to end right after the first marker */
    assert_int_equal(tend_zstream_feed(z, both, mid, false, &out, &out_len), TEND_ZSTREAM_MORE);
    assert_int_equal(tend_zstream_feed(z, both + mid, len - mid, true, &out, &out_len), TEND_ZSTREAM_MESSAGE);
    assert_string_equal(out, text);
    tend_zstream_destroy(z);
    server_end(&s);
}

static void a_new_connection_reads_a_new_stream(void **state)
{
    (void)state;
    server a, b;
    server_start(&a);
    tend_zstream *z = tend_zstream_create(LIMIT);
    const char *out = NULL;
    size_t out_len = 0;
    char text[2048];
    event(text, sizeof text, 5);
    server_send(&a, text);
    assert_int_equal(tend_zstream_feed(z, a.buf, a.len, true, &out, &out_len), TEND_ZSTREAM_MESSAGE);
    server_end(&a);

    /* the server's new connection starts a new stream (with its zlib header) */
    server_start(&b);
    event(text, sizeof text, 6);
    server_send(&b, text);
    tend_zstream_reset(z);
    assert_int_equal(tend_zstream_feed(z, b.buf, b.len, true, &out, &out_len), TEND_ZSTREAM_MESSAGE);
    assert_string_equal(out, text);

    /* without the reset, the old context cannot read a new stream */
    tend_zstream *stale = tend_zstream_create(LIMIT);
    server c;
    server_start(&c);
    server_send(&c, text);
    assert_int_equal(tend_zstream_feed(stale, c.buf, c.len, true, &out, &out_len), TEND_ZSTREAM_MESSAGE);
    server d;
    server_start(&d);
    server_send(&d, text);
    assert_int_equal(tend_zstream_feed(stale, d.buf, d.len, true, &out, &out_len), TEND_ZSTREAM_BROKEN);
    tend_zstream_destroy(stale);
    tend_zstream_destroy(z);
    server_end(&b);
    server_end(&c);
    server_end(&d);
}

static void broken_bytes_and_oversized_messages_stop_the_stream(void **state)
{
    (void)state;
    const char *out = NULL;
    size_t out_len = 0;
    tend_zstream *z = tend_zstream_create(LIMIT);
    static const unsigned char junk[] = "{\"op\":0 plain text, not zlib\x00\x00\xff\xff";
    assert_int_equal(tend_zstream_feed(z, junk, sizeof junk - 1, true, &out, &out_len), TEND_ZSTREAM_BROKEN);
    /* nothing is read until the reset, not even a good message */
    server s;
    server_start(&s);
    char text[2048];
    event(text, sizeof text, 7);
    server_send(&s, text);
    assert_int_equal(tend_zstream_feed(z, s.buf, s.len, true, &out, &out_len), TEND_ZSTREAM_BROKEN);
    tend_zstream_reset(z);
    assert_int_equal(tend_zstream_feed(z, s.buf, s.len, true, &out, &out_len), TEND_ZSTREAM_MESSAGE);
    assert_string_equal(out, text);
    tend_zstream_destroy(z);
    server_end(&s);

    /* 64 KB of one letter compresses to almost nothing and inflates past a 16 KB limit */
    tend_zstream *small = tend_zstream_create(16 * 1024);
    server big;
    server_start(&big);
    char *huge = malloc(64 * 1024 + 1);
    memset(huge, 'a', 64 * 1024);
    huge[64 * 1024] = '\0';
    server_send(&big, huge);
    assert_true(big.len < 1024);
    assert_int_equal(tend_zstream_feed(small, big.buf, big.len, true, &out, &out_len), TEND_ZSTREAM_BROKEN);
    free(huge);
    tend_zstream_destroy(small);
    server_end(&big);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fifty_events_come_out_as_they_went_in),
        cmocka_unit_test(a_message_split_or_fragmented_comes_out_once_whole),
        cmocka_unit_test(marker_bytes_inside_a_message_do_not_end_it),
        cmocka_unit_test(a_new_connection_reads_a_new_stream),
        cmocka_unit_test(broken_bytes_and_oversized_messages_stop_the_stream),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
