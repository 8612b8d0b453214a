/*
 * ratelimit.h — Discord's REST rate limits, counted the way its documentation describes them, and
 * the gateway's send window. Pure bookkeeping on loop milliseconds: rest.c asks how long to wait
 * and arms its own timers.
 *
 * A limit is one bucket (the X-RateLimit-Bucket an answer names) within one top-level resource of
 * the path: a channel, a guild, a webhook id + token, an interaction's token. So a spent bucket in
 * one channel never holds a post to another channel, and each interaction's callback and
 * follow-ups count on their own. Until an answer names a route's bucket, the route itself stands
 * for it. The global limit (50 a second, or a 429 that says it is global) never applies to
 * interaction endpoints.
 */
#ifndef TEND_DISCORD_RATELIMIT_H
#define TEND_DISCORD_RATELIMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DC_RL_ROUTE_MAX 96
#define DC_RL_RESOURCE_MAX 64
/* "<bucket or route>|<resource>" */
#define DC_RL_ID_MAX (DC_RL_ROUTE_MAX + DC_RL_RESOURCE_MAX + 2)

typedef struct dc_ratelimit dc_ratelimit;

/* Where a request stands for rate limits. Neither string ever holds a token (a token is known
 * only by a hash), so both may be logged. */
typedef struct {
    char route[DC_RL_ROUTE_MAX];       /* "POST /channels/:id/messages": every id blanked        */
    char resource[DC_RL_RESOURCE_MAX]; /* "channels/123", "guilds/9", "webhooks/7/t:<hash>",
                                          "interactions/t:<hash>"; "" when the path has none     */
    bool interaction;                  /* an interaction endpoint: outside the global limit      */
} dc_rl_key;

/* The rate-limit headers of one answer; NULL where a header was absent. */
typedef struct {
    const char *bucket;       /* X-RateLimit-Bucket      */
    const char *limit;        /* X-RateLimit-Limit       */
    const char *remaining;    /* X-RateLimit-Remaining   */
    const char *reset_after;  /* X-RateLimit-Reset-After */
} dc_rl_headers;

dc_ratelimit *dc_ratelimit_create(void);
/* Accepts NULL. */
void dc_ratelimit_destroy(dc_ratelimit *rl);

/* The key of method + path (relative to the API base; a query string is ignored). */
void dc_ratelimit_key(const char *method, const char *path, dc_rl_key *out);

/* Milliseconds before a request with this key may go out (0 = now): its own limit, and the
 * global one unless it is an interaction endpoint. */
uint64_t dc_ratelimit_wait(const dc_ratelimit *rl, const dc_rl_key *k, uint64_t now_ms);
/* Milliseconds until a global 429 is over (0 = none pending). */
uint64_t dc_ratelimit_global_wait(const dc_ratelimit *rl, uint64_t now_ms);

/* A request is going out now: it takes one of its limit's remaining. Writes the limit it was
 * counted on into counted (DC_RL_ID_MAX bytes), to give back with its answer. 0, or -1 when out of
 * memory (the request may still go; it is just not counted). */
int dc_ratelimit_sent(dc_ratelimit *rl, const dc_rl_key *k, uint64_t now_ms, char *counted);
/* Its answer came (or never will: h all NULL): the request is no longer in flight, and the
 * headers say what is left of its limit. A 429 calls this first, then dc_ratelimit_on_429. */
void dc_ratelimit_answered(dc_ratelimit *rl, const dc_rl_key *k, const char *counted,
                           const dc_rl_headers *h, uint64_t now_ms);
/* A 429: nothing more on its limit (or, when global, on any route but interaction endpoints) for
 * retry_after seconds. */
void dc_ratelimit_on_429(dc_ratelimit *rl, const dc_rl_key *k, double retry_after, bool global,
                         uint64_t now_ms);

/* How many limits are remembered (those of past windows are forgotten as new ones come). */
size_t dc_ratelimit_tracked(const dc_ratelimit *rl);

/* The gateway's outgoing budget: at most `limit` sends in any `window_ms`. */
typedef struct {
    uint64_t sent[120];
    size_t head;
    size_t count;
    size_t limit;     /* <= 120 */
    uint64_t window_ms;
} dc_send_window;

void dc_send_window_init(dc_send_window *w, size_t limit, uint64_t window_ms);
/* A new limit from now on (1..120), e.g. the bot's budget shared by more processes: the sends
 * already in the window count against it. */
void dc_send_window_set_limit(dc_send_window *w, size_t limit);
/* Milliseconds until one more send fits (0 = now). */
uint64_t dc_send_window_wait(const dc_send_window *w, uint64_t now_ms);
void dc_send_window_note(dc_send_window *w, uint64_t now_ms);

#endif
