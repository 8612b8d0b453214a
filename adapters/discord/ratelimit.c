/*
 * ratelimit.c — Discord's REST rate limits per bucket and top-level resource, and the gateway's
 * send window (see ratelimit.h).
 *
 * Two maps: a route ("POST /channels/:id/messages") to the bucket Discord named for it, and a
 * limit ("<bucket>|channels/123") to what is left of it. A limit remembers the requests counted
 * on it that are still in flight, because an answer's X-RateLimit-Remaining cannot count them:
 * without that, five posts in flight on a 5-request bucket would each come back saying "4 left".
 * A limit whose window is over says nothing any more and is forgotten, so thousands of
 * interactions a minute (one limit each) cost memory only for the seconds their window lasts.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adapters/discord/ratelimit.h"
#include "adapters/discord/restq.h"

#define RL_BUCKET_MAX 64
#define RL_ROUTES_MAX 512    /* route templates are few; a stranger path is simply not learned */
#define RL_SWEEP_MIN 256     /* limits remembered before the first look for forgotten ones     */
/* After a window ended with requests still out, its next reset is unknown until one answers:
 * look again after this long rather than send blind. */
#define RL_UNKNOWN_RESET_MS 100

typedef struct {
    dc_hnode h;
    char route[DC_RL_ROUTE_MAX];
    char bucket[RL_BUCKET_MAX];
} rl_route;

typedef struct {
    dc_hnode h;
    char id[DC_RL_ID_MAX];
    long limit;             /* X-RateLimit-Limit; -1 = not told                 */
    long remaining;         /* in the current window; -1 = not known            */
    uint64_t reset_at;      /* when the window ends; 0 = not known              */
    uint64_t blocked_until; /* a 429 on this limit                               */
    long inflight;          /* counted on it, not answered yet                   */
} rl_limit;

struct dc_ratelimit {
    dc_hmap routes, limits;
    size_t sweep_at;
    uint64_t global_until;
};

dc_ratelimit *dc_ratelimit_create(void)
{
    dc_ratelimit *rl = calloc(1, sizeof *rl);
    if (rl)
        rl->sweep_at = RL_SWEEP_MIN;
    return rl;
}

static void free_nodes(dc_hmap *m, size_t offset)
{
    for (size_t i = 0; i < m->n_slots; i++)
        for (dc_hnode *n = m->slots[i], *next; n; n = next) {
            next = n->next;
            free((char *)n - offset);
        }
    free(m->slots);
}

void dc_ratelimit_destroy(dc_ratelimit *rl)
{
    if (!rl)
        return;
    free_nodes(&rl->routes, offsetof(rl_route, h));
    free_nodes(&rl->limits, offsetof(rl_limit, h));
    free(rl);
}

/* ---------------------------------------------------------------- keys */

static bool is_top_level(const char *seg, size_t n)
{
    static const char *const names[] = {"channels", "guilds", "webhooks", "interactions"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strlen(names[i]) == n && memcmp(names[i], seg, n) == 0)
            return true;
    return false;
}

static bool all_digits(const char *s, size_t n)
{
    if (n == 0)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!isdigit((unsigned char)s[i]))
            return false;
    return true;
}

/* A token is known only by a hash: keys are logged, tokens never are. */
static void token_hash(const char *s, size_t n, char *out, size_t outlen)
{
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
    snprintf(out, outlen, "t:%016llx", (unsigned long long)h);
}

static void route_add(char *out, size_t *o, const char *s, size_t n)
{
    if (*o + n >= DC_RL_ROUTE_MAX)
        n = DC_RL_ROUTE_MAX - 1 - *o;
    memcpy(out + *o, s, n);
    *o += n;
    out[*o] = '\0';
}

#define RL_SEGMENTS 16

typedef struct {
    const char *s;
    size_t n;
} rl_seg;

static bool seg_is(const rl_seg *g, const char *name)
{
    return g->n == strlen(name) && memcmp(g->s, name, g->n) == 0;
}

void dc_ratelimit_key(const char *method, const char *path, dc_rl_key *out)
{
    memset(out, 0, sizeof *out);
    rl_seg segs[RL_SEGMENTS];
    size_t n_segs = 0;
    for (const char *p = path; *p && *p != '?' && n_segs < RL_SEGMENTS;) {
        size_t n = strcspn(p, "/?");
        if (n > 0)
            segs[n_segs++] = (rl_seg){p, n};
        p += n;
        if (*p == '/')
            p++;
    }
    /* the first top-level resource with its id; for a webhook or an interaction, its token */
    size_t top = n_segs, token = n_segs;
    for (size_t i = 0; i + 1 < n_segs && top == n_segs; i++)
        if (is_top_level(segs[i].s, segs[i].n) && all_digits(segs[i + 1].s, segs[i + 1].n))
            top = i;
    if (top < n_segs && (seg_is(&segs[top], "webhooks") || seg_is(&segs[top], "interactions")) &&
        top + 2 < n_segs)
        token = top + 2;
    char hash[24] = "";
    if (token < n_segs)
        token_hash(segs[token].s, segs[token].n, hash, sizeof hash);
    if (top < n_segs) {
        const rl_seg *name = &segs[top], *id = &segs[top + 1];
        if (hash[0] && seg_is(name, "interactions")) /* each token its own, whatever the id */
            snprintf(out->resource, sizeof out->resource, "interactions/%s", hash);
        else
            snprintf(out->resource, sizeof out->resource, "%.*s/%.*s%s%s", (int)name->n, name->s,
                     (int)(id->n < 24 ? id->n : 24), id->s, hash[0] ? "/" : "", hash);
    }
    out->interaction = n_segs > 0 && (seg_is(&segs[0], "interactions") || seg_is(&segs[0], "webhooks"));
    size_t o = 0;
    route_add(out->route, &o, method, strlen(method));
    route_add(out->route, &o, " ", 1);
    for (size_t i = 0; i < n_segs; i++) {
        route_add(out->route, &o, "/", 1);
        if (i == token || segs[i].n > 40) /* never a token in a key, whatever the route */
            route_add(out->route, &o, ":token", 6);
        else if (all_digits(segs[i].s, segs[i].n))
            route_add(out->route, &o, ":id", 3);
        else
            route_add(out->route, &o, segs[i].s, segs[i].n);
    }
}

/* ---------------------------------------------------------------- the maps */

static rl_route *route_find(const dc_ratelimit *rl, const char *route)
{
    uint64_t h = dc_hash_text(route);
    for (dc_hnode *n = dc_hmap_first(&rl->routes, h); n; n = n->next) {
        rl_route *r = (rl_route *)((char *)n - offsetof(rl_route, h));
        if (n->hash == h && strcmp(r->route, route) == 0)
            return r;
    }
    return NULL;
}

/* The limit a key counts on now: its route's bucket once known, else the route. */
static void limit_id(const dc_ratelimit *rl, const dc_rl_key *k, char *id)
{
    const rl_route *r = route_find(rl, k->route);
    snprintf(id, DC_RL_ID_MAX, "%s|%s", r && r->bucket[0] ? r->bucket : k->route, k->resource);
}

static rl_limit *limit_find(const dc_ratelimit *rl, const char *id)
{
    uint64_t h = dc_hash_text(id);
    for (dc_hnode *n = dc_hmap_first(&rl->limits, h); n; n = n->next) {
        rl_limit *l = (rl_limit *)((char *)n - offsetof(rl_limit, h));
        if (n->hash == h && strcmp(l->id, id) == 0)
            return l;
    }
    return NULL;
}

static bool says_nothing(const rl_limit *l, uint64_t now)
{
    return l->inflight == 0 && l->reset_at <= now && l->blocked_until <= now;
}

/* Forgets the limits whose window is over, once their number doubled since the last look: each
 * limit is looked at a constant number of times on average. */
static void maybe_sweep(dc_ratelimit *rl, uint64_t now)
{
    if (rl->limits.count < rl->sweep_at)
        return;
    for (size_t i = 0; i < rl->limits.n_slots; i++)
        for (dc_hnode **p = &rl->limits.slots[i]; *p;) {
            rl_limit *l = (rl_limit *)((char *)*p - offsetof(rl_limit, h));
            if (says_nothing(l, now)) {
                *p = (*p)->next;
                rl->limits.count--;
                free(l);
            } else {
                p = &(*p)->next;
            }
        }
    rl->sweep_at = rl->limits.count * 2 > RL_SWEEP_MIN ? rl->limits.count * 2 : RL_SWEEP_MIN;
}

static rl_limit *limit_get(dc_ratelimit *rl, const char *id)
{
    rl_limit *l = limit_find(rl, id);
    if (l)
        return l;
    l = calloc(1, sizeof *l);
    if (!l)
        return NULL;
    snprintf(l->id, sizeof l->id, "%s", id);
    l->h.hash = dc_hash_text(id);
    l->limit = l->remaining = -1;
    if (dc_hmap_insert(&rl->limits, &l->h) != 0) {
        free(l);
        return NULL;
    }
    return l;
}

static void learn_bucket(dc_ratelimit *rl, const char *route, const char *bucket)
{
    rl_route *r = route_find(rl, route);
    if (!r) {
        if (rl->routes.count >= RL_ROUTES_MAX || !(r = calloc(1, sizeof *r)))
            return;
        snprintf(r->route, sizeof r->route, "%s", route);
        r->h.hash = dc_hash_text(route);
        if (dc_hmap_insert(&rl->routes, &r->h) != 0) {
            free(r);
            return;
        }
    }
    snprintf(r->bucket, sizeof r->bucket, "%s", bucket);
}

/* ---------------------------------------------------------------- the interface */

uint64_t dc_ratelimit_global_wait(const dc_ratelimit *rl, uint64_t now_ms)
{
    return rl->global_until > now_ms ? rl->global_until - now_ms : 0;
}

uint64_t dc_ratelimit_wait(const dc_ratelimit *rl, const dc_rl_key *k, uint64_t now_ms)
{
    uint64_t until = k->interaction ? 0 : rl->global_until;
    char id[DC_RL_ID_MAX];
    limit_id(rl, k, id);
    const rl_limit *l = limit_find(rl, id);
    if (l) {
        if (l->blocked_until > until)
            until = l->blocked_until;
        if (l->remaining == 0 && l->reset_at > now_ms && l->reset_at > until)
            until = l->reset_at;
        if (l->remaining == 0 && l->reset_at == 0 && l->inflight > 0 && until < now_ms + RL_UNKNOWN_RESET_MS)
            until = now_ms + RL_UNKNOWN_RESET_MS;
    }
    return until > now_ms ? until - now_ms : 0;
}

/* A window that is over: full again (as far as we were told its size), less what is still out. */
static void roll_window(rl_limit *l, uint64_t now)
{
    if (l->reset_at && l->reset_at <= now) {
        l->reset_at = 0;
        l->remaining = l->limit >= 0 ? (l->limit > l->inflight ? l->limit - l->inflight : 0) : -1;
    }
}

int dc_ratelimit_sent(dc_ratelimit *rl, const dc_rl_key *k, uint64_t now_ms, char *counted)
{
    maybe_sweep(rl, now_ms);
    limit_id(rl, k, counted);
    rl_limit *l = limit_get(rl, counted);
    if (!l) {
        counted[0] = '\0';
        return -1;
    }
    roll_window(l, now_ms);
    if (l->remaining > 0)
        l->remaining--;
    l->inflight++;
    return 0;
}

static bool parse_long(const char *s, long *out)
{
    char *end = NULL;
    long v = s ? strtol(s, &end, 10) : -1;
    if (!s || end == s || v < 0)
        return false;
    *out = v;
    return true;
}

static bool parse_seconds_ms(const char *s, uint64_t *out)
{
    char *end = NULL;
    double v = s ? strtod(s, &end) : -1;
    if (!s || end == s || !(v >= 0) || v > 86400)
        return false;
    *out = (uint64_t)(v * 1000.0 + 0.5);
    return true;
}

void dc_ratelimit_answered(dc_ratelimit *rl, const dc_rl_key *k, const char *counted,
                           const dc_rl_headers *h, uint64_t now_ms)
{
    rl_limit *was = counted && counted[0] ? limit_find(rl, counted) : NULL;
    if (was && was->inflight > 0)
        was->inflight--;
    if (!h || (!h->bucket && !h->remaining && !h->reset_after))
        return;
    if (h->bucket && h->bucket[0])
        learn_bucket(rl, k->route, h->bucket);
    char id[DC_RL_ID_MAX];
    limit_id(rl, k, id);
    maybe_sweep(rl, now_ms);
    rl_limit *l = limit_get(rl, id);
    was = counted && counted[0] ? limit_find(rl, counted) : NULL; /* a sweep may have taken it */
    if (!l)
        return;
    /* requests counted before the bucket was known are out on this limit too */
    long out = l->inflight + (was && was != l ? was->inflight : 0);
    long limit, remaining;
    uint64_t reset_ms;
    if (parse_long(h->limit, &limit))
        l->limit = limit;
    roll_window(l, now_ms);
    bool same_window = l->reset_at > now_ms;
    if (parse_long(h->remaining, &remaining)) {
        long left = remaining > out ? remaining - out : 0;
        /* answers overtake each other: within a window, the lowest count is the true one */
        if (!same_window || l->remaining < 0 || left < l->remaining)
            l->remaining = left;
    }
    if (parse_seconds_ms(h->reset_after, &reset_ms) && (!same_window || now_ms + reset_ms > l->reset_at))
        l->reset_at = now_ms + reset_ms;
}

void dc_ratelimit_on_429(dc_ratelimit *rl, const dc_rl_key *k, double retry_after, bool global,
                         uint64_t now_ms)
{
    if (!(retry_after >= 0) || retry_after > 3600)
        retry_after = 1; /* a nonsensical value: wait a moment rather than hammer or hang */
    uint64_t until = now_ms + (uint64_t)(retry_after * 1000.0 + 0.5);
    if (global) {
        if (until > rl->global_until)
            rl->global_until = until;
        return;
    }
    maybe_sweep(rl, now_ms);
    char id[DC_RL_ID_MAX];
    limit_id(rl, k, id);
    rl_limit *l = limit_get(rl, id);
    if (!l)
        return;
    /* Discord's retry_after is the last word on when this limit is free again */
    l->blocked_until = until;
    l->remaining = 0;
    l->reset_at = until;
}

size_t dc_ratelimit_tracked(const dc_ratelimit *rl)
{
    return rl->limits.count;
}

/* ---------------------------------------------------------------- the gateway's send window */

void dc_send_window_init(dc_send_window *w, size_t limit, uint64_t window_ms)
{
    memset(w, 0, sizeof *w);
    w->limit = limit > 120 ? 120 : (limit ? limit : 1);
    w->window_ms = window_ms;
}

void dc_send_window_set_limit(dc_send_window *w, size_t limit)
{
    w->limit = limit > 120 ? 120 : (limit ? limit : 1);
}

uint64_t dc_send_window_wait(const dc_send_window *w, uint64_t now_ms)
{
    if (w->count < w->limit)
        return 0;
    /* the limit-th newest send decides when one more fits (with a limit lowered since, more than
     * `limit` sends are remembered: the newer ones count) */
    size_t oldest = (w->head + 120 - w->limit) % 120;
    uint64_t free_at = w->sent[oldest] + w->window_ms;
    return free_at > now_ms ? free_at - now_ms : 0;
}

void dc_send_window_note(dc_send_window *w, uint64_t now_ms)
{
    /* forget sends that left the window */
    while (w->count > 0) {
        size_t oldest = (w->head + 120 - w->count) % 120;
        if (w->sent[oldest] + w->window_ms > now_ms)
            break;
        w->count--;
    }
    w->sent[w->head] = now_ms;
    w->head = (w->head + 1) % 120;
    if (w->count < 120)
        w->count++; /* all 120 slots kept: a limit raised later still sees the sends before it */
}
