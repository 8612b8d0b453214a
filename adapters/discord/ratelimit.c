/*
 * ratelimit.c — Discord's REST rate limits, kept per bucket, and the gateway's send window.
 *
 * Discord names a bucket only in its answer (X-RateLimit-Bucket), so a route is first known by its
 * route key (method + path with minor ids blanked); once an answer names the bucket, the route key
 * maps to it and routes sharing a bucket share its budget. Times are the loop's milliseconds.
 * Everything here is pure bookkeeping: rest.c asks how long to wait and arms its own timers.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adapters/discord/internal.h"

#define RL_SLOTS 64
#define RL_KEY 96

typedef struct {
    char route[RL_KEY];    /* route key; "" = free slot            */
    char bucket[RL_KEY];   /* Discord's bucket hash, "" = not named */
    long remaining;        /* -1 = unknown (no limit known)         */
    uint64_t reset_at;     /* when remaining refills                */
    uint64_t blocked_until;/* a 429 on this route                   */
    uint64_t used_at;      /* for evicting the oldest               */
} rl_route;

struct dc_ratelimit {
    rl_route routes[RL_SLOTS];
    uint64_t global_until;
};

dc_ratelimit *dc_ratelimit_create(void)
{
    return calloc(1, sizeof(dc_ratelimit));
}

void dc_ratelimit_destroy(dc_ratelimit *rl)
{
    free(rl);
}

/* A major parameter keeps its id: limits are per channel, guild and webhook. */
static bool is_major(const char *prev)
{
    return strcmp(prev, "channels") == 0 || strcmp(prev, "guilds") == 0 ||
           strcmp(prev, "webhooks") == 0;
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

void dc_ratelimit_route_key(const char *method, const char *path, char *out, size_t outlen)
{
    size_t o = (size_t)snprintf(out, outlen, "%s ", method);
    char prev[32] = "";
    const char *p = path;
    while (*p && *p != '?' && o + 1 < outlen) {
        if (*p == '/') {
            out[o++] = *p++;
            continue;
        }
        size_t n = strcspn(p, "/?");
        const char *seg = p;
        size_t seglen = n;
        if (all_digits(p, n) && !is_major(prev)) {
            seg = ":id";
            seglen = 3;
        } else if (n > 40) {
            seg = ":token"; /* interaction and webhook tokens never become part of a key */
            seglen = 6;
        }
        if (o + seglen >= outlen)
            break;
        memcpy(out + o, seg, seglen);
        o += seglen;
        snprintf(prev, sizeof prev, "%.*s", (int)(n < sizeof prev ? n : sizeof prev - 1), p);
        p += n;
    }
    out[o < outlen ? o : outlen - 1] = '\0';
}

static rl_route *find_route(dc_ratelimit *rl, const char *route_key, bool create, uint64_t now)
{
    rl_route *oldest = &rl->routes[0];
    for (size_t i = 0; i < RL_SLOTS; i++) {
        rl_route *r = &rl->routes[i];
        if (r->route[0] && strcmp(r->route, route_key) == 0)
            return r;
        if (!r->route[0] || (oldest->route[0] && r->used_at < oldest->used_at))
            oldest = r;
    }
    if (!create)
        return NULL;
    memset(oldest, 0, sizeof *oldest);
    snprintf(oldest->route, sizeof oldest->route, "%s", route_key);
    oldest->remaining = -1;
    oldest->used_at = now;
    return oldest;
}

/* Every route whose answer named the same bucket shares its budget: apply to all of them. */
static void for_bucket(dc_ratelimit *rl, const rl_route *src)
{
    if (!src->bucket[0])
        return;
    for (size_t i = 0; i < RL_SLOTS; i++) {
        rl_route *r = &rl->routes[i];
        if (r != src && r->route[0] && strcmp(r->bucket, src->bucket) == 0) {
            r->remaining = src->remaining;
            r->reset_at = src->reset_at;
            if (src->blocked_until > r->blocked_until)
                r->blocked_until = src->blocked_until;
        }
    }
}

uint64_t dc_ratelimit_wait(dc_ratelimit *rl, const char *route_key, uint64_t now_ms)
{
    uint64_t until = rl->global_until > now_ms ? rl->global_until : 0;
    rl_route *r = find_route(rl, route_key, false, now_ms);
    if (r) {
        if (r->blocked_until > until)
            until = r->blocked_until;
        if (r->remaining == 0 && r->reset_at > now_ms && r->reset_at > until)
            until = r->reset_at;
    }
    return until > now_ms ? until - now_ms : 0;
}

uint64_t dc_ratelimit_global_wait(const dc_ratelimit *rl, uint64_t now_ms)
{
    return rl->global_until > now_ms ? rl->global_until - now_ms : 0;
}

void dc_ratelimit_consume(dc_ratelimit *rl, const char *route_key, uint64_t now_ms)
{
    rl_route *r = find_route(rl, route_key, true, now_ms);
    r->used_at = now_ms;
    if (r->reset_at && r->reset_at <= now_ms)
        r->remaining = -1; /* the window passed: unknown until the next answer */
    if (r->remaining > 0)
        r->remaining--;
    for_bucket(rl, r);
}

void dc_ratelimit_update(dc_ratelimit *rl, const char *route_key, const char *bucket,
                         const char *remaining, const char *reset_after, uint64_t now_ms)
{
    if (!bucket && !remaining && !reset_after)
        return;
    rl_route *r = find_route(rl, route_key, true, now_ms);
    if (bucket)
        snprintf(r->bucket, sizeof r->bucket, "%s", bucket);
    if (remaining) {
        char *end = NULL;
        long v = strtol(remaining, &end, 10);
        if (end != remaining && v >= 0)
            r->remaining = v;
    }
    if (reset_after) {
        char *end = NULL;
        double s = strtod(reset_after, &end);
        if (end != reset_after && s >= 0 && s < 86400)
            r->reset_at = now_ms + (uint64_t)(s * 1000.0 + 0.5);
    }
    for_bucket(rl, r);
}

void dc_ratelimit_on_429(dc_ratelimit *rl, const char *route_key, double retry_after, bool global,
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
    rl_route *r = find_route(rl, route_key, true, now_ms);
    r->blocked_until = until;
    r->remaining = 0;
    r->reset_at = until;
    for_bucket(rl, r);
}

/* ---------------------------------------------------------------- the gateway's send window */

void dc_send_window_init(dc_send_window *w, size_t limit, uint64_t window_ms)
{
    memset(w, 0, sizeof *w);
    w->limit = limit > 120 ? 120 : (limit ? limit : 1);
    w->window_ms = window_ms;
}

uint64_t dc_send_window_wait(const dc_send_window *w, uint64_t now_ms)
{
    if (w->count < w->limit)
        return 0;
    /* the oldest of the last `limit` sends decides when one more fits */
    size_t oldest = (w->head + 120 - w->count) % 120;
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
    if (w->count < w->limit)
        w->count++;
}
