/*
 * fuzz_gateway_stream.c — the bytes of a Discord gateway connection as tend reads them: websocket
 * messages of a zlib stream (lib/zstream.h), each whole message parsed into the payload arena
 * (lib/json_arena.h). The input's first byte picks where it is cut into websocket messages and
 * fragments; the rest is the stream. Beyond "no crash, no leak":
 *   - a message handed out is within the limit and NUL-terminated where its length says;
 *   - the arena reads it exactly as cJSON's own parse does (both JSON or both not, the same tree
 *     printed back), and is back to its first chunk once the tree is deleted.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/json_arena.h"
#include "lib/zstream.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define LIMIT (1u << 20)

static void check_message(tend_json_arena *arena, size_t empty, const char *msg, size_t len)
{
    if (len > LIMIT || msg[len] != '\0')
        abort();
    cJSON *plain = cJSON_ParseWithLength(msg, len);
    cJSON *tree = tend_json_arena_parse(arena, msg, len);
    if ((plain == NULL) != (tree == NULL))
        abort();
    if (plain) {
        /* compared as printed, not with cJSON_Compare: a number past a double's range reads as
         * infinity in both, and cJSON_Compare finds two infinities unequal */
        char *a = cJSON_PrintUnformatted(plain), *b = cJSON_PrintUnformatted(tree);
        if (!a || !b || strcmp(a, b) != 0)
            abort();
        free(a);
        free(b);
    }
    tend_json_arena_delete(arena, tree);
    cJSON_Delete(plain);
    if (tend_json_arena_footprint(arena) != empty)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    size_t piece = (size_t)(data[0] & 0x3F) + 1; /* bytes per fragment */
    bool ends_messages = data[0] & 0x40;          /* each fragment a whole websocket message */
    data++;
    size--;
    tend_zstream *z = tend_zstream_create(LIMIT);
    tend_json_arena *arena = tend_json_arena_create(4096);
    if (!z || !arena)
        abort();
    size_t empty = tend_json_arena_footprint(arena);
    for (size_t at = 0; at < size; at += piece) {
        size_t n = size - at < piece ? size - at : piece;
        bool complete = ends_messages || at + n == size;
        const char *msg = NULL;
        size_t len = 0;
        tend_zstream_result r = tend_zstream_feed(z, data + at, n, complete, &msg, &len);
        if (r == TEND_ZSTREAM_MESSAGE)
            check_message(arena, empty, msg, len);
        else if (r == TEND_ZSTREAM_BROKEN)
            tend_zstream_reset(z); /* as a new connection would */
    }
    tend_json_arena_destroy(arena);
    tend_zstream_destroy(z);
    return 0;
}
