/*
 * recent.c — events answered without a write (a read-only command), remembered in memory only.
 *
 * A read stores nothing, so its event id is not in seen_events: a second delivery of the same
 * event in this run is caught here instead. Two generations of 64-bit hashes of "platform event":
 * when the newer one is half full the older is dropped, so the set holds at least the last
 * RECENT_PER_GENERATION events and never grows. After a restart it is empty, and a replayed read
 * is simply read again (a platform that already had the answer refuses the second one: Discord
 * answers 40060 "already acknowledged").
 */
#include "store/sqlite/internal.h"

#include <stdint.h>
#include <string.h>

#define RECENT_SLOTS 8192                       /* per generation, a power of two */
#define RECENT_PER_GENERATION (RECENT_SLOTS / 2) /* open addressing stays at most half full */

struct store_recent {
    uint64_t gen[2][RECENT_SLOTS]; /* 0 = empty; [cur] is the newer */
    size_t count;                  /* in gen[cur] */
    int cur;
};

static uint64_t key_hash(const char *platform, const char *event_id)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a over "platform\0event_id" */
    for (const char *p = platform; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ULL;
    h = (h ^ 0xffu) * 1099511628211ULL;
    for (const char *p = event_id; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ULL;
    h ^= h >> 29; /* FNV's low bits are weak: they pick the slot */
    return h ? h : 1;
}

static bool in_generation(const uint64_t *slots, uint64_t h)
{
    for (size_t i = h & (RECENT_SLOTS - 1);; i = (i + 1) & (RECENT_SLOTS - 1)) {
        if (slots[i] == h)
            return true;
        if (slots[i] == 0)
            return false;
    }
}

store_recent *store_recent_create(void)
{
    return calloc(1, sizeof(store_recent));
}

void store_recent_destroy(store_recent *r)
{
    free(r);
}

bool store_recent_has(const store_recent *r, const char *platform, const char *event_id)
{
    if (!r)
        return false;
    uint64_t h = key_hash(platform, event_id);
    return in_generation(r->gen[r->cur], h) || in_generation(r->gen[!r->cur], h);
}

void store_recent_add(store_recent *r, const char *platform, const char *event_id)
{
    uint64_t h = key_hash(platform, event_id);
    if (in_generation(r->gen[r->cur], h))
        return;
    if (r->count == RECENT_PER_GENERATION) {
        r->cur = !r->cur;
        memset(r->gen[r->cur], 0, sizeof r->gen[r->cur]);
        r->count = 0;
    }
    uint64_t *slots = r->gen[r->cur];
    size_t i = h & (RECENT_SLOTS - 1);
    while (slots[i])
        i = (i + 1) & (RECENT_SLOTS - 1);
    slots[i] = h;
    r->count++;
}
