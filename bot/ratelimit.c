/*
 * ratelimit.c — per-member and per-group command budgets; see ratelimit.h.
 *
 * GCRA: a slot remembers its "theoretical arrival time" (tat). Time is counted in units of
 * 1/limit seconds so everything stays in integers: each command pushes tat by 60 units (one
 * command's share of a minute), and a command is allowed while tat is less than a minute's worth
 * of units (60*limit) ahead of now, which permits a burst of `limit` and then one every 60/limit s.
 */
#include "bot/ratelimit.h"

#include <stdbool.h>
#include <stdlib.h>

#define MEMBER_SLOTS 4096
#define GROUP_SLOTS 1024
#define PROBE 8            /* slots looked at per key: a bucket; bounded work per command */
#define MAX_PER_MINUTE 1000000

typedef struct {
    uint64_t key;          /* 0 = empty; a 64-bit hash of the key strings */
    int64_t tat;
} slot;

typedef struct {
    slot *slots;
    size_t n;
    int64_t limit;         /* per minute; 0 = off */
} table;

struct tend_ratelimit {
    table members;
    table groups;
};

/* FNV-1a, continued over several strings with a separator so ("ab","c") != ("a","bc"). */
static uint64_t hash_more(uint64_t h, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
        h ^= *p;
        h *= 0x100000001b3ULL;
    }
    h ^= 0xFF; /* never a byte of UTF-8 text */
    h *= 0x100000001b3ULL;
    return h;
}

static int64_t clamp_limit(int per_minute)
{
    if (per_minute <= 0)
        return 0;
    return per_minute > MAX_PER_MINUTE ? MAX_PER_MINUTE : per_minute;
}

static int table_init(table *t, size_t n, int per_minute)
{
    t->limit = clamp_limit(per_minute);
    t->n = n;
    t->slots = t->limit ? calloc(n, sizeof *t->slots) : NULL;
    return t->limit && !t->slots ? -1 : 0;
}

/* The slot for key: its own, else an empty one, else the one closest to idle in its bucket. */
static slot *table_find(table *t, uint64_t key)
{
    if (key == 0)
        key = 1;
    size_t start = (size_t)(key % t->n);
    slot *best = NULL;
    for (size_t i = 0; i < PROBE; i++) {
        slot *s = &t->slots[(start + i) % t->n];
        if (s->key == key)
            return s;
        if (!best || (best->key != 0 && (s->key == 0 || s->tat < best->tat)))
            best = s;
    }
    best->key = key;
    best->tat = 0;
    return best;
}

/* Would one more command fit at now_units? The new tat through *next. */
static bool slot_allows(const table *t, const slot *s, int64_t now, int64_t *next)
{
    int64_t now_units = now * t->limit;
    int64_t tat = s->tat > now_units ? s->tat : now_units;
    *next = tat + 60;
    return tat - now_units <= 60 * t->limit - 60;
}

tend_ratelimit *tend_ratelimit_create(int member_per_minute, int group_per_minute)
{
    tend_ratelimit *rl = calloc(1, sizeof *rl);
    if (!rl)
        return NULL;
    if (table_init(&rl->members, MEMBER_SLOTS, member_per_minute) != 0 ||
        table_init(&rl->groups, GROUP_SLOTS, group_per_minute) != 0) {
        tend_ratelimit_destroy(rl);
        return NULL;
    }
    return rl;
}

void tend_ratelimit_destroy(tend_ratelimit *rl)
{
    if (!rl)
        return;
    free(rl->members.slots);
    free(rl->groups.slots);
    free(rl);
}

tend_rate_result tend_ratelimit_check(tend_ratelimit *rl, const char *group_key, const char *member_key,
                                      int64_t now)
{
    if (!rl)
        return TEND_RATE_OK;
    uint64_t gkey = hash_more(0xcbf29ce484222325ULL, group_key);
    slot *ms = NULL, *gs = NULL;
    int64_t mnext = 0, gnext = 0;
    if (rl->members.limit) {
        ms = table_find(&rl->members, hash_more(gkey, member_key));
        if (!slot_allows(&rl->members, ms, now, &mnext))
            return TEND_RATE_MEMBER;
    }
    if (rl->groups.limit) {
        gs = table_find(&rl->groups, gkey);
        if (!slot_allows(&rl->groups, gs, now, &gnext))
            return TEND_RATE_GROUP;
    }
    /* Counted only once both budgets agree, so a refusal costs the member nothing. */
    if (ms)
        ms->tat = mnext;
    if (gs)
        gs->tat = gnext;
    return TEND_RATE_OK;
}
