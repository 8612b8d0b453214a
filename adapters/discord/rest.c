/*
 * rest.c — Discord's REST API on adapters/http.h, never blocking the loop.
 *
 * Requests of one chain go out one after another (an interaction's callback before its
 * follow-ups, a DM channel before the DM); different chains run side by side, so an interaction's
 * callback never waits behind someone else's slow request. Before each request the rate limit
 * bookkeeping (ratelimit.c) says whether to wait; one timer wakes the queue when the earliest
 * waiting request may go. 429s wait retry_after and try again; 5xx and lost answers are retried a
 * few times with growing pauses; a 401 means the token is wrong, and the adapter stops.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adapters/discord/internal.h"
#include "bot/log.h"

#define MAX_429 5
#define MAX_5XX 3
#define MAX_LOST 3

typedef struct rest_req {
    struct rest_req *next;
    dc_rest *rest;
    uint64_t chain;
    char *method;
    char *path;
    char *body;
    char route[160];
    dc_rest_done cb;
    void *ud;
    int n_429, n_5xx, n_lost;
    uint64_t not_before;  /* a retry's pause */
    bool in_flight;
} rest_req;

struct dc_rest {
    discord *d;
    dc_ratelimit *rl;
    rest_req *head;       /* in the order they were asked for */
    uint64_t next_chain;
    size_t count;
    uv_timer_t wake;
    bool closing;
};

static void pump(dc_rest *rest);

static void wake_cb(uv_timer_t *t)
{
    pump(t->data);
}

dc_rest *dc_rest_create(discord *d)
{
    dc_rest *rest = calloc(1, sizeof *rest);
    if (!rest)
        return NULL;
    rest->d = d;
    rest->rl = dc_ratelimit_create();
    if (!rest->rl || uv_timer_init(d->loop, &rest->wake) != 0) {
        dc_ratelimit_destroy(rest->rl);
        free(rest);
        return NULL;
    }
    rest->wake.data = rest;
    rest->next_chain = 1;
    return rest;
}

static void free_req(rest_req *r)
{
    free(r->method);
    free(r->path);
    free(r->body);
    free(r);
}

static void closed_cb(uv_handle_t *h)
{
    dc_rest *rest = h->data;
    dc_ratelimit_destroy(rest->rl);
    free(rest);
}

void dc_rest_destroy(dc_rest *rest)
{
    if (!rest || rest->closing)
        return;
    rest->closing = true;
    while (rest->head) {
        rest_req *r = rest->head;
        rest->head = r->next;
        free_req(r);
    }
    rest->count = 0;
    uv_close((uv_handle_t *)&rest->wake, closed_cb);
}

uint64_t dc_rest_new_chain(dc_rest *rest)
{
    return rest->next_chain++;
}

size_t dc_rest_pending(const dc_rest *rest)
{
    return rest ? rest->count : 0;
}

int dc_rest_send(dc_rest *rest, uint64_t chain, const char *method, const char *path,
                 const char *body, dc_rest_done cb, void *ud)
{
    if (!rest || rest->closing)
        return -1;
    rest_req *r = calloc(1, sizeof *r);
    if (!r)
        return -1;
    r->rest = rest;
    r->chain = chain;
    r->method = strdup(method);
    r->path = strdup(path);
    r->body = body ? strdup(body) : NULL;
    r->cb = cb;
    r->ud = ud;
    if (!r->method || !r->path || (body && !r->body)) {
        free_req(r);
        return -1;
    }
    dc_ratelimit_route_key(method, path, r->route, sizeof r->route);
    rest_req **tail = &rest->head;
    while (*tail)
        tail = &(*tail)->next;
    *tail = r;
    rest->count++;
    pump(rest);
    return 0;
}

static void unlink_req(dc_rest *rest, rest_req *r)
{
    for (rest_req **p = &rest->head; *p; p = &(*p)->next)
        if (*p == r) {
            *p = r->next;
            rest->count--;
            return;
        }
}

static void finish(rest_req *r, long status, const cJSON *body)
{
    dc_rest *rest = r->rest;
    unlink_req(rest, r);
    if (r->cb)
        r->cb(rest->d, status, body, r->ud);
    free_req(r);
    if (!rest->closing)
        pump(rest);
}

static void retry_later(rest_req *r, uint64_t delay_ms)
{
    r->in_flight = false;
    r->not_before = uv_now(r->rest->d->loop) + delay_ms;
    pump(r->rest);
}

static double header_number(const tend_http_response *res, const char *name, double fallback)
{
    char v[64];
    if (tend_http_header(res, name, v, sizeof v) != 0)
        return fallback;
    char *end = NULL;
    double x = strtod(v, &end);
    return end == v ? fallback : x;
}

static void on_429(rest_req *r, const tend_http_response *res, const cJSON *body, uint64_t now)
{
    const cJSON *ra = cJSON_GetObjectItemCaseSensitive(body, "retry_after");
    double retry_after = cJSON_IsNumber(ra) ? ra->valuedouble : header_number(res, "Retry-After", 1);
    bool global = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(body, "global"));
    char scope[16];
    if (tend_http_header(res, "X-RateLimit-Global", scope, sizeof scope) == 0 &&
        strcmp(scope, "true") == 0)
        global = true;
    dc_ratelimit_on_429(r->rest->rl, r->route, retry_after, global, now);
    tend_log(TEND_LOG_WARN, "discord", "rate limited on %s%s: waiting %.3f s", r->route,
             global ? " (global)" : "", retry_after);
}

static void done_cb(const tend_http_response *res, void *ud)
{
    rest_req *r = ud;
    dc_rest *rest = r->rest;
    discord *d = rest->d;
    uint64_t now = uv_now(d->loop);
    cJSON *body = res->body_len ? cJSON_ParseWithLength(res->body, res->body_len) : NULL;

    if (res->status == 0 && r->n_lost++ < MAX_LOST) {
        tend_log(TEND_LOG_WARN, "discord", "%s got no answer (%s); trying again", r->route,
                 res->error ? res->error : "unknown");
        retry_later(r, 1000ULL << r->n_lost);
    } else if (res->status == 429 && r->n_429++ < MAX_429) {
        on_429(r, res, body, now);
        retry_later(r, 0);
    } else if (res->status >= 500 && r->n_5xx++ < MAX_5XX) {
        tend_log(TEND_LOG_WARN, "discord", "%s answered %ld; trying again", r->route, res->status);
        retry_later(r, 500ULL << r->n_5xx);
    } else {
        char bucket[96], remaining[32], reset_after[32];
        bool has_b = tend_http_header(res, "X-RateLimit-Bucket", bucket, sizeof bucket) == 0;
        bool has_r = tend_http_header(res, "X-RateLimit-Remaining", remaining, sizeof remaining) == 0;
        bool has_a = tend_http_header(res, "X-RateLimit-Reset-After", reset_after, sizeof reset_after) == 0;
        dc_ratelimit_update(rest->rl, r->route, has_b ? bucket : NULL, has_r ? remaining : NULL,
                            has_a ? reset_after : NULL, now);
        if (res->status == 401) {
            cJSON_Delete(body);
            finish(r, res->status, NULL);
            dc_fatal(d, "Discord refused the bot token (401 Unauthorized). Check discord_token in "
                        "tend.conf or DISCORD_TOKEN, then start tend again.");
            return;
        }
        if (res->status < 200 || res->status >= 300)
            tend_log(TEND_LOG_WARN, "discord", "%s answered %ld", r->route, res->status);
        finish(r, res->status, body);
    }
    cJSON_Delete(body);
}

static int start(rest_req *r)
{
    dc_rest *rest = r->rest;
    discord *d = rest->d;
    size_t n = strlen(d->api_base) + strlen(r->path) + 1;
    char *url = malloc(n);
    if (!url)
        return -1;
    snprintf(url, n, "%s%s", d->api_base, r->path);
    const char *headers[] = {d->auth_header, NULL};
    tend_http_request req = {.method = r->method, .url = url, .body = r->body,
                             .headers = headers, .timeout_ms = 15000};
    r->in_flight = true;
    dc_ratelimit_consume(rest->rl, r->route, uv_now(d->loop));
    int rc = tend_http_send(d->http, &req, done_cb, r);
    free(url);
    if (rc != 0)
        r->in_flight = false;
    return rc;
}

/* Starts every request that may go now; arms the timer for the earliest one that must wait. */
static void pump(dc_rest *rest)
{
    if (rest->closing)
        return;
    uint64_t now = uv_now(rest->d->loop);
    uint64_t next_wait = UINT64_MAX;
    for (rest_req *r = rest->head; r;) {
        rest_req *next = r->next;
        bool blocked = false;
        for (rest_req *e = rest->head; e != r && r->chain; e = e->next)
            blocked = blocked || e->chain == r->chain;
        if (!r->in_flight && !blocked) {
            uint64_t wait = dc_ratelimit_wait(rest->rl, r->route, now);
            if (r->not_before > now && r->not_before - now > wait)
                wait = r->not_before - now;
            if (wait > 0) {
                if (wait < next_wait)
                    next_wait = wait;
            } else if (start(r) != 0) {
                tend_log(TEND_LOG_ERROR, "discord", "could not send %s", r->route);
                finish(r, 0, NULL);
                return; /* finish() pumped again */
            }
        }
        r = next;
    }
    if (next_wait != UINT64_MAX)
        uv_timer_start(&rest->wake, wake_cb, next_wait, 0);
}
