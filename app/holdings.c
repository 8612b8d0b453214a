/*
 * holdings.c — the phrase of holdings.h. The names are sorted into shard groups (one per shard
 * count: two only while a bot is resharded) and other leases, then written whole; when that does
 * not fit, the shard lists are cut to the most leading runs that fit, then the other names, so the
 * line stays bounded however many shards a process runs.
 */
#include "app/holdings.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SHARD_PREFIX "discord.shard."
#define SHARD_COUNT_MAX 1000000 /* far past any bot Discord would shard; keeps the numbers small */

typedef struct {
    int count, id;
} shard;

/* out as written so far: what fits is kept, `need` counts everything asked for */
typedef struct {
    char *buf;
    size_t len, need;
} writer;

static void put(writer *w, const char *s)
{
    size_t n = strlen(s);
    if (w->need + 1 < w->len) {
        size_t room = w->len - 1 - w->need;
        memcpy(w->buf + w->need, s, n < room ? n : room);
        w->buf[w->need + (n < room ? n : room)] = '\0';
    }
    w->need += n;
}

static void put_int(writer *w, const char *before, long v, const char *after)
{
    char num[64];
    snprintf(num, sizeof num, "%s%ld%s", before, v, after);
    put(w, num);
}

static int parse_number(const char *s, const char **end, long max)
{
    if (*s < '0' || *s > '9')
        return -1;
    char *stop = NULL;
    errno = 0;
    long v = strtol(s, &stop, 10);
    if (errno || v > max)
        return -1;
    *end = stop;
    return (int)v;
}

int tend_holdings_shard_lease(const char *name, int *id, int *count)
{
    if (strncmp(name, SHARD_PREFIX, strlen(SHARD_PREFIX)) != 0)
        return -1;
    const char *p = name + strlen(SHARD_PREFIX);
    int i = parse_number(p, &p, SHARD_COUNT_MAX);
    if (i < 0 || strncmp(p, "-of-", 4) != 0)
        return -1;
    int n = parse_number(p + 4, &p, SHARD_COUNT_MAX);
    if (n < 1 || *p || i >= n)
        return -1;
    *id = i;
    *count = n;
    return 0;
}

/* Neither the process's own lease nor the overflow of the metrics' label bound. */
static bool shared(const char *name)
{
    return name && name[0] && strncmp(name, "process.", 8) != 0 && strcmp(name, "other") != 0;
}

int tend_holdings_shard_count(const char *const *held, size_t n_held)
{
    int n = 0, id, count;
    for (size_t i = 0; i < n_held; i++)
        n += shared(held[i]) && tend_holdings_shard_lease(held[i], &id, &count) == 0;
    return n;
}

static int by_shard(const void *a, const void *b)
{
    const shard *x = a, *y = b;
    return x->count != y->count ? (x->count < y->count ? -1 : 1) : (x->id > y->id) - (x->id < y->id);
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The sorted, distinct leases, split. */
typedef struct {
    shard *shards;
    size_t n_shards;
    const char **others;
    size_t n_others;
} sorted;

/* A run of ids [at, *next): three or more in a row are one token "a-b", fewer are each their own. */
static size_t run_end(const shard *s, size_t at, size_t end)
{
    size_t j = at + 1;
    while (j < end && s[j].id == s[j - 1].id + 1)
        j++;
    return j - at >= 3 ? j : at + 1;
}

static size_t tokens_of(const shard *s, size_t at, size_t end)
{
    size_t n = 0;
    for (size_t i = at; i < end; i = run_end(s, i, end))
        n++;
    return n;
}

/* One shard count's group, its ids in s[at, end), listing at most `tokens` runs. */
static void put_group(writer *w, const shard *s, size_t at, size_t end, size_t tokens)
{
    size_t n = end - at;
    int count = s[at].count;
    if (n == (size_t)count && count >= 2) {
        put_int(w, "all ", count, " discord shards");
        return;
    }
    if (n == 1) {
        put_int(w, "discord shard ", s[at].id, "");
        put_int(w, " of ", count, "");
        return;
    }
    size_t all = tokens_of(s, at, end);
    if (tokens == 0 && all > 0) {
        put_int(w, "", (long)n, "");
        put_int(w, " of ", count, " discord shards");
        return;
    }
    put(w, "discord shards ");
    size_t shown = 0;
    for (size_t i = at; i < end && shown < tokens; shown++) {
        size_t j = run_end(s, i, end);
        put_int(w, shown ? "," : "", s[i].id, "");
        if (j - i > 1)
            put_int(w, "-", s[j - 1].id, "");
        i = j;
    }
    if (shown < all) {
        put_int(w, ",... (", (long)n, "");
        put_int(w, " of ", count, ")");
    } else {
        put_int(w, " of ", count, "");
    }
}

static void put_others(writer *w, const sorted *h, size_t shown, bool first)
{
    for (size_t i = 0; i < shown; i++) {
        put(w, first && i == 0 ? "" : ", ");
        put(w, h->others[i]);
    }
    size_t left = h->n_others - shown;
    if (left && shown)
        put_int(w, " and ", (long)left, " more");
    else if (left)
        put_int(w, first ? "" : ", ", (long)left,
                first ? (left == 1 ? " lease" : " leases") : (left == 1 ? " other lease" : " other leases"));
}

static bool whole_range(tend_shard_range r)
{
    return r.first == 0 && r.last == r.count - 1;
}

/* The whole phrase with at most `tokens` runs per shard group and `others` other names. */
static size_t render(const sorted *h, bool waiting, tend_shard_range fixed, size_t tokens, size_t others, char *out,
                     size_t len)
{
    writer w = {out, len, 0};
    if (len)
        out[0] = '\0';
    if (h->n_shards) {
        put(&w, "holds ");
        for (size_t at = 0; at < h->n_shards;) {
            size_t end = at;
            while (end < h->n_shards && h->shards[end].count == h->shards[at].count)
                end++;
            put(&w, at ? ", " : "");
            put_group(&w, h->shards, at, end, tokens);
            at = end;
        }
        put_others(&w, h, others, false);
    } else if (fixed.count > 0 && !whole_range(fixed)) {
        put_int(&w, fixed.last > fixed.first ? "runs discord shards " : "runs discord shard ", fixed.first, "");
        if (fixed.last > fixed.first)
            put_int(&w, "-", fixed.last, "");
        put_int(&w, " of ", fixed.count, " (static)");
        if (h->n_others) {
            put(&w, ", holds ");
            put_others(&w, h, others, true);
        }
    } else if (h->n_others) {
        put(&w, "holds ");
        put_others(&w, h, others, true);
    } else if (waiting) {
        put(&w, "holds no shared work (standby)");
    }
    return w.need;
}

size_t tend_holdings_phrase(const char *const *held, size_t n_held, bool waiting, tend_shard_range fixed, char *out,
                            size_t len)
{
    if (len == 0)
        return 0;
    out[0] = '\0';
    sorted h = {calloc(n_held ? n_held : 1, sizeof *h.shards), 0, calloc(n_held ? n_held : 1, sizeof *h.others), 0};
    if (!h.shards || !h.others) {
        free(h.shards);
        free(h.others);
        return 0; /* out of memory: /healthz says its verdict without the holdings */
    }
    for (size_t i = 0; i < n_held; i++) {
        shard s;
        if (!shared(held[i]))
            continue;
        if (tend_holdings_shard_lease(held[i], &s.id, &s.count) == 0)
            h.shards[h.n_shards++] = s;
        else
            h.others[h.n_others++] = held[i];
    }
    qsort(h.shards, h.n_shards, sizeof *h.shards, by_shard);
    qsort(h.others, h.n_others, sizeof *h.others, by_name);
    size_t kept = 0; /* the same lease twice is said once */
    for (size_t i = 0; i < h.n_shards; i++)
        if (!kept || by_shard(&h.shards[kept - 1], &h.shards[i]) != 0)
            h.shards[kept++] = h.shards[i];
    h.n_shards = kept;
    kept = 0;
    for (size_t i = 0; i < h.n_others; i++)
        if (!kept || strcmp(h.others[kept - 1], h.others[i]) != 0)
            h.others[kept++] = h.others[i];
    h.n_others = kept;

    size_t most = tokens_of(h.shards, 0, h.n_shards); /* no group has more runs than all together */
    size_t need = render(&h, waiting, fixed, most, h.n_others, out, len);
    if (need >= len) {
        /* the most leading runs that fit, with every other name; the length grows with the runs */
        size_t lo = 0, hi = most;
        while (lo < hi) {
            size_t mid = lo + (hi - lo + 1) / 2;
            if (render(&h, waiting, fixed, mid, h.n_others, out, len) < len)
                lo = mid;
            else
                hi = mid - 1;
        }
        size_t others = h.n_others;
        need = render(&h, waiting, fixed, lo, others, out, len);
        while (need >= len && others > 0)
            need = render(&h, waiting, fixed, lo, --others, out, len);
    }
    if (need >= len) {
        /* still too long (a tiny buffer, a very long name): cut, and say so */
        size_t n = strlen(out);
        if (len >= 4) {
            n = len - 4;
            while (n > 0 && ((unsigned char)out[n] & 0xC0) == 0x80)
                n--; /* not inside a UTF-8 character */
            memcpy(out + n, "...", 4);
            n += 3;
        }
        need = n;
    }
    free(h.shards);
    free(h.others);
    return need;
}
