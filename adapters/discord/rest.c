/*
 * rest.c — Discord's REST API on lib/http.h, never blocking the loop.
 *
 * Requests of one chain go out one after another (an interaction's callback before its
 * follow-ups, a DM channel before the DM); different chains run side by side, so an interaction's
 * callback never waits behind someone else's slow request. Before each request the rate limit
 * bookkeeping (ratelimit.c) says whether to wait; one timer wakes the queue when the earliest
 * waiting request may go. 429s wait retry_after and try again; 5xx and lost answers are retried a
 * few times with growing pauses; a 401 means the token is wrong, and the adapter stops.
 *
 * Discord allows a bot 50 requests a second in all, so that budget is kept here too: ten thousand
 * weekly prompts in one minute go out at that pace instead of earning ten thousand 429s (and, past
 * 10,000 invalid requests in 10 minutes, a ban). Interaction endpoints are outside it, and outside
 * a global 429 too: each interaction has its own limit, its requests are sent before anything
 * else on every pump, and on connections of their own, so an interaction's response is never
 * queued behind a post, a slow answer or the global budget.
 *
 * The queue scales with its length (10,000 posts queued must not cost 10,000² steps): only the
 * first unfinished request of a chain is ready; ready requests wait in one queue per route and
 * top-level resource; a queue that must wait sleeps in a timer heap as a whole, and so does a
 * request's retry pause. So pump() touches only queues that can send now, and stops as soon as
 * the budget is spent.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adapters/discord/internal.h"
#include "adapters/discord/restq.h"
#include "adapters/metrics.h"
#include "lib/log.h"

#define MAX_429 5
#define MAX_5XX 3
#define MAX_LOST 3
/* Pauses before trying again after a 5xx or a lost answer, doubling each time. An interaction's
 * response is worth nothing after Discord's 3 seconds, so its pauses are short. */
#define RETRY_BASE_MS 500
#define RETRY_BASE_INTERACTION_MS 100
#define GLOBAL_LIMIT 50

static const tend_metric_def DC_M_REST_BUDGET = {
    "tend_discord_rest_budget", "Requests a second this process may send of Discord's bot-wide 50 (its share, as last applied).",
    TEND_METRIC_GAUGE, {NULL, NULL}};
/* a little over Discord's second: its clock starts a window when our first request arrives */
#define GLOBAL_WINDOW_MS 1050
/* connections for interaction endpoints, beside the adapter's own for everything else */
#define INTERACTION_CONNECTIONS 6
#define QUEUE_NAME_MAX (DC_RL_ROUTE_MAX + DC_RL_RESOURCE_MAX + 2)

/* ---------------------------------------------------------------- the queue's parts */

typedef struct rest_req {
    struct rest_req *all_prev, *all_next; /* every request not yet finished              */
    struct rest_req *next;                /* the next ready request on the same route    */
    struct rest_req *chain_next;          /* the next request of its chain, held back    */
    dc_rest *rest;
    uint64_t chain;
    char *method;
    char *path;
    char *body;
    char *file_name, *file_type, *file_data; /* set: body is payload_json beside files[0] */
    size_t file_len;
    dc_rl_key key;
    char counted[DC_RL_ID_MAX]; /* the limit it was counted on when it went out */
    dc_rest_done cb;
    void *ud;
    int n_429, n_5xx, n_lost;
    dc_tnode pause; /* a retry's pause */
} rest_req;

enum { RQ_ACTIVE, RQ_SLEEPING };

/* The ready requests of one route in one top-level resource, in the order they became ready. */
typedef struct route_q {
    dc_hnode h;
    struct route_q *prev, *next; /* in the active list */
    rest_req *head, *tail;
    dc_tnode wake;
    int state;
    dc_rl_key key;
    char name[QUEUE_NAME_MAX]; /* route and resource */
} route_q;

typedef struct {
    route_q *head, *tail;
} rq_list;

typedef struct {
    dc_hnode h;
    uint64_t id;
    rest_req *head, *tail; /* head: the one ready or in flight */
} chain_q;

struct dc_rest {
    discord *d;
    tend_http *fast;     /* interaction endpoints' own connections */
    dc_ratelimit *rl;
    rest_req *all;       /* newest first */
    dc_hmap routes, chains;
    rq_list active[2];   /* [0] exempt routes, [1] routes within the global budget */
    dc_theap timers;
    dc_send_window global;
    uint64_t next_chain;
    size_t count;
    uv_timer_t wake;
    bool closing, pumping, pump_again;
};

static void pump(dc_rest *rest);

/* Discord's 50 a second is the bot's, whatever the number of processes running it: each takes its
 * share, as many as there are tends alive on the database (counted by the host every few seconds),
 * so two processes never send 100 a second between them. */
static void share_budget(dc_rest *rest)
{
    int peers = tend_host_peers(rest->d->base.host);
    size_t share = (size_t)(GLOBAL_LIMIT / peers);
    if (share != rest->global.limit) {
        dc_send_window_set_limit(&rest->global, share);
        tend_metric_set(&DC_M_REST_BUDGET, NULL, NULL, (double)rest->global.limit);
        tend_log(TEND_LOG_INFO, "discord", "REST budget: %zu requests a second, this process's share of the bot's %d"
                 " (%d tend process%s running it)", rest->global.limit, GLOBAL_LIMIT, peers, peers == 1 ? "" : "es");
    }
}

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
    rest->fast = rest->rl ? tend_http_create(d->loop, DC_USER_AGENT, INTERACTION_CONNECTIONS) : NULL;
    if (!rest->fast || uv_timer_init(d->loop, &rest->wake) != 0) {
        tend_http_destroy(rest->fast);
        dc_ratelimit_destroy(rest->rl);
        free(rest);
        return NULL;
    }
    rest->wake.data = rest;
    rest->next_chain = 1;
    dc_send_window_init(&rest->global, GLOBAL_LIMIT, GLOBAL_WINDOW_MS);
    tend_metric_set(&DC_M_REST_BUDGET, NULL, NULL, GLOBAL_LIMIT);
    return rest;
}

static void free_req(rest_req *r)
{
    free(r->method);
    free(r->path);
    free(r->body);
    free(r->file_name);
    free(r->file_type);
    free(r->file_data);
    free(r);
}

static void free_map(dc_hmap *m, size_t node_offset)
{
    for (size_t i = 0; i < m->n_slots; i++)
        for (dc_hnode *e = m->slots[i], *next; e; e = next) {
            next = e->next;
            free((char *)e - node_offset);
        }
    free(m->slots);
    memset(m, 0, sizeof *m);
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
    /* first: it cancels what is in flight, whose callbacks would reach the requests freed below */
    tend_http_destroy(rest->fast);
    rest->fast = NULL;
    while (rest->all) {
        rest_req *r = rest->all;
        rest->all = r->all_next;
        free_req(r);
    }
    rest->count = 0;
    free_map(&rest->routes, offsetof(route_q, h));
    free_map(&rest->chains, offsetof(chain_q, h));
    free(rest->timers.a);
    memset(&rest->timers, 0, sizeof rest->timers);
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

/* ---------------------------------------------------------------- routes and chains */

static void list_append(rq_list *l, route_q *q)
{
    q->next = NULL;
    q->prev = l->tail;
    if (l->tail)
        l->tail->next = q;
    else
        l->head = q;
    l->tail = q;
}

static void list_remove(rq_list *l, route_q *q)
{
    if (q->prev)
        q->prev->next = q->next;
    else
        l->head = q->next;
    if (q->next)
        q->next->prev = q->prev;
    else
        l->tail = q->prev;
    q->prev = q->next = NULL;
}

static rq_list *list_of(dc_rest *rest, const route_q *q)
{
    return &rest->active[q->key.interaction ? 0 : 1];
}

static void queue_name(const dc_rl_key *k, char *out)
{
    snprintf(out, QUEUE_NAME_MAX, "%s%s%s", k->route, k->resource[0] ? " " : "", k->resource);
}

static route_q *route_get(dc_rest *rest, const rest_req *r)
{
    char name[QUEUE_NAME_MAX];
    queue_name(&r->key, name);
    uint64_t h = dc_hash_text(name);
    for (dc_hnode *n = dc_hmap_first(&rest->routes, h); n; n = n->next) {
        route_q *q = (route_q *)((char *)n - offsetof(route_q, h));
        if (n->hash == h && strcmp(q->name, name) == 0)
            return q;
    }
    route_q *q = calloc(1, sizeof *q);
    if (!q)
        return NULL;
    q->h.hash = h;
    q->key = r->key;
    memcpy(q->name, name, sizeof name);
    if (dc_hmap_insert(&rest->routes, &q->h) != 0) {
        free(q);
        return NULL;
    }
    q->state = RQ_ACTIVE;
    list_append(list_of(rest, q), q);
    return q;
}

/* A route with nothing ready and no pause pending is forgotten (ratelimit.c keeps its limits). */
static void route_drop(dc_rest *rest, route_q *q)
{
    list_remove(list_of(rest, q), q);
    dc_hmap_remove(&rest->routes, &q->h);
    free(q);
}

/* r may go as soon as its route and the budgets allow; front: it had its turn already (a retry). */
static int make_ready(dc_rest *rest, rest_req *r, bool front)
{
    route_q *q = route_get(rest, r);
    if (!q)
        return -1;
    if (front) {
        r->next = q->head;
        q->head = r;
        if (!q->tail)
            q->tail = r;
    } else {
        r->next = NULL;
        if (q->tail)
            q->tail->next = r;
        else
            q->head = r;
        q->tail = r;
    }
    return 0;
}

static chain_q *chain_find(dc_rest *rest, uint64_t id)
{
    uint64_t h = dc_hash_u64(id);
    for (dc_hnode *n = dc_hmap_first(&rest->chains, h); n; n = n->next) {
        chain_q *c = (chain_q *)((char *)n - offsetof(chain_q, h));
        if (c->id == id)
            return c;
    }
    return NULL;
}

/* Joins r to its chain; true when it is the chain's first and so ready now. -1 if out of memory. */
static int chain_join(dc_rest *rest, rest_req *r)
{
    if (!r->chain)
        return 1;
    chain_q *c = chain_find(rest, r->chain);
    if (c) {
        c->tail->chain_next = r;
        c->tail = r;
        return 0;
    }
    c = calloc(1, sizeof *c);
    if (!c)
        return -1;
    c->id = r->chain;
    c->h.hash = dc_hash_u64(r->chain);
    c->head = c->tail = r;
    if (dc_hmap_insert(&rest->chains, &c->h) != 0) {
        free(c);
        return -1;
    }
    return 1;
}

/* r is finished: the next of its chain becomes ready. */
static void chain_advance(dc_rest *rest, rest_req *r)
{
    chain_q *c = r->chain ? chain_find(rest, r->chain) : NULL;
    if (!c || c->head != r)
        return;
    c->head = r->chain_next;
    if (!c->head) {
        dc_hmap_remove(&rest->chains, &c->h);
        free(c);
    } else if (make_ready(rest, c->head, false) != 0) {
        /* out of memory: the rest of the chain cannot be queued; it is dropped on destroy */
        tend_log(TEND_LOG_ERROR, "discord", "out of memory queueing %s", c->head->key.route);
    }
}

static int queue_req(dc_rest *rest, rest_req *r);

int dc_rest_send(dc_rest *rest, uint64_t chain, const char *method, const char *path,
                 const char *body, dc_rest_done cb, void *ud)
{
    return dc_rest_send_file(rest, chain, method, path, body, NULL, cb, ud);
}

int dc_rest_send_file(dc_rest *rest, uint64_t chain, const char *method, const char *path, const char *body,
                      const tend_attachment *file, dc_rest_done cb, void *ud)
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
    r->pause.is_req = true;
    bool file_ok = true;
    if (file) {
        r->file_name = strdup(file->name);
        r->file_type = strdup(file->content_type);
        r->file_data = malloc(file->len + 1);
        if (r->file_data)
            memcpy(r->file_data, file->data, file->len + 1);
        r->file_len = file->len;
        file_ok = r->file_name && r->file_type && r->file_data && body;
    }
    if (!r->method || !r->path || (body && !r->body) || !file_ok) {
        free_req(r);
        return -1;
    }
    return queue_req(rest, r);
}

static int queue_req(dc_rest *rest, rest_req *r)
{
    const char *method = r->method, *path = r->path;
    dc_ratelimit_key(method, path, &r->key);
    int ready = chain_join(rest, r);
    if (ready < 0 || (ready && make_ready(rest, r, false) != 0)) {
        if (ready > 0)
            chain_advance(rest, r);
        free_req(r);
        return -1;
    }
    r->all_next = rest->all;
    if (rest->all)
        rest->all->all_prev = r;
    rest->all = r;
    rest->count++;
    pump(rest);
    return 0;
}

/* ---------------------------------------------------------------- answers */

static void finish(rest_req *r, long status, const cJSON *body)
{
    dc_rest *rest = r->rest;
    if (r->all_prev)
        r->all_prev->all_next = r->all_next;
    else
        rest->all = r->all_next;
    if (r->all_next)
        r->all_next->all_prev = r->all_prev;
    rest->count--;
    chain_advance(rest, r);
    if (r->cb)
        r->cb(rest->d, status, body, r->ud);
    free_req(r);
    if (!rest->closing)
        pump(rest);
}

static void retry_later(rest_req *r, uint64_t delay_ms)
{
    dc_rest *rest = r->rest;
    int rc;
    if (delay_ms == 0) {
        rc = make_ready(rest, r, true);
    } else {
        r->pause.at = uv_now(rest->d->loop) + delay_ms;
        rc = dc_heap_push(&rest->timers, &r->pause);
    }
    if (rc != 0) {
        finish(r, 0, NULL);
        return;
    }
    pump(rest);
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

static bool header_is(const tend_http_response *res, const char *name, const char *value)
{
    char v[32];
    return tend_http_header(res, name, v, sizeof v) == 0 && strcmp(v, value) == 0;
}

/* Every answer, a 429 or an error too, says what is left of the request's limit. */
static void note_headers(rest_req *r, const tend_http_response *res, uint64_t now)
{
    char bucket[80], limit[24], remaining[24], reset_after[32];
    dc_rl_headers h = {0};
    if (res->status != 0) {
        if (tend_http_header(res, "X-RateLimit-Bucket", bucket, sizeof bucket) == 0)
            h.bucket = bucket;
        if (tend_http_header(res, "X-RateLimit-Limit", limit, sizeof limit) == 0)
            h.limit = limit;
        if (tend_http_header(res, "X-RateLimit-Remaining", remaining, sizeof remaining) == 0)
            h.remaining = remaining;
        if (tend_http_header(res, "X-RateLimit-Reset-After", reset_after, sizeof reset_after) == 0)
            h.reset_after = reset_after;
    }
    dc_ratelimit_answered(r->rest->rl, &r->key, r->counted, &h, now);
    r->counted[0] = '\0';
}

static void on_429(rest_req *r, const tend_http_response *res, const cJSON *body, uint64_t now)
{
    const cJSON *ra = cJSON_GetObjectItemCaseSensitive(body, "retry_after");
    double retry_after = cJSON_IsNumber(ra) ? ra->valuedouble : header_number(res, "Retry-After", 1);
    bool global = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(body, "global")) ||
                  header_is(res, "X-RateLimit-Global", "true") ||
                  header_is(res, "X-RateLimit-Scope", "global");
    dc_ratelimit_on_429(r->rest->rl, &r->key, retry_after, global, now);
    tend_metric_add(&TEND_M_THROTTLED, "discord", NULL, 1);
    tend_log(TEND_LOG_WARN, "discord", "rate limited on %s %s%s: waiting %.3f s", r->key.route,
             r->key.resource, global ? " (global)" : "", retry_after);
}

static uint64_t retry_pause(const rest_req *r, int attempt)
{
    return (uint64_t)(r->key.interaction ? RETRY_BASE_INTERACTION_MS : RETRY_BASE_MS) << attempt;
}

/* An interaction's callback and its webhook ("/interactions/<id>/<token>/...", "/webhooks/<app
 * id>/<token>...") carry their own credential in the path: Discord's OpenAPI description lists
 * them as needing no bot token, so the bot's token does not travel there (and curl formats ~90
 * fewer bytes of header a byte at a time on the hot path). */
static bool path_carries_token(const char *path)
{
    if (strncmp(path, "/interactions/", 14) == 0)
        return true;
    if (strncmp(path, "/webhooks/", 10) != 0)
        return false;
    const char *id_end = strchr(path + 10, '/');
    return id_end && id_end[1] != '\0' && id_end[1] != '/';
}

static void done_cb(const tend_http_response *res, void *ud)
{
    rest_req *r = ud;
    dc_rest *rest = r->rest;
    discord *d = rest->d;
    uint64_t now = uv_now(d->loop);
    cJSON *body = res->body_len ? cJSON_ParseWithLength(res->body, res->body_len) : NULL;

    note_headers(r, res, now);
    if (res->status == 0 && r->n_lost++ < MAX_LOST) {
        tend_log(TEND_LOG_WARN, "discord", "%s got no answer (%s); trying again", r->key.route,
                 res->error ? res->error : "unknown");
        retry_later(r, retry_pause(r, r->n_lost) * 2);
    } else if (res->status == 429 && r->n_429++ < MAX_429) {
        on_429(r, res, body, now);
        retry_later(r, 0);
    } else if (res->status >= 500 && r->n_5xx++ < MAX_5XX) {
        tend_log(TEND_LOG_WARN, "discord", "%s answered %ld; trying again", r->key.route, res->status);
        retry_later(r, retry_pause(r, r->n_5xx));
    } else {
        if (res->status == 401 && !path_carries_token(r->path)) {
            cJSON_Delete(body);
            finish(r, res->status, NULL);
            dc_fatal(d, "Discord refused the bot token (401 Unauthorized). Check [discord] token in "
                        "tend.conf, or TEND_DISCORD_TOKEN / DISCORD_TOKEN, then start tend again.");
            return;
        }
        if (res->status < 200 || res->status >= 300)
            tend_log(TEND_LOG_WARN, "discord", "%s answered %ld", r->key.route, res->status);
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
    const char *headers[] = {path_carries_token(r->path) ? NULL : d->auth_header, NULL};
    tend_http_request req = {.method = r->method, .url = url, .body = r->body,
                             .headers = headers, .timeout_ms = 15000};
    /* Discord's uploads: the JSON as payload_json, the file as files[0], each with its own type */
    tend_http_part parts[2] = {
        {"payload_json", NULL, "application/json", r->body, r->body ? strlen(r->body) : 0},
        {"files[0]", r->file_name, r->file_type, r->file_data, r->file_len},
    };
    if (r->file_data) {
        req.body = NULL;
        req.parts = parts;
        req.n_parts = 2;
        req.timeout_ms = 60000;
    }
    uint64_t now = uv_now(d->loop);
    int rc = tend_http_send(r->key.interaction ? rest->fast : d->http, &req, done_cb, r);
    free(url);
    if (rc != 0)
        return -1;
    /* counted only once it is out: a request that never left must not hold its limit */
    dc_ratelimit_sent(rest->rl, &r->key, now, r->counted);
    if (!r->key.interaction)
        dc_send_window_note(&rest->global, now);
    return 0;
}

/* ---------------------------------------------------------------- the pump */

/* Pauses and route waits that are over: their requests are ready again. */
static void wake_due(dc_rest *rest, uint64_t now)
{
    while (rest->timers.n && rest->timers.a[0]->at <= now && !rest->closing) {
        dc_tnode *t = dc_heap_pop(&rest->timers);
        if (t->is_req) {
            rest_req *r = (rest_req *)((char *)t - offsetof(rest_req, pause));
            if (make_ready(rest, r, true) != 0)
                finish(r, 0, NULL);
        } else {
            route_q *q = (route_q *)((char *)t - offsetof(route_q, wake));
            q->state = RQ_ACTIVE;
            list_append(list_of(rest, q), q);
        }
    }
}

/* Sends what may go now on one list's routes, one request per route in turn (a route with many
 * waiting cannot starve the others); a route that must wait goes to sleep as a whole.
 * Returns false when the global budget is spent (or the adapter closed, or memory ran out). */
static bool run_list(dc_rest *rest, rq_list *l, bool budgeted, uint64_t now, uint64_t *soonest)
{
    route_q *q;
    while ((q = l->head) != NULL) {
        if (!q->head) {
            route_drop(rest, q);
            continue;
        }
        if (budgeted && dc_send_window_wait(&rest->global, now) > 0)
            return false;
        uint64_t wait = dc_ratelimit_wait(rest->rl, &q->key, now);
        if (wait > 0) {
            tend_metric_add(&TEND_M_RATELIMIT_WAITS, "discord", NULL, 1);
            q->wake.at = now + wait;
            if (dc_heap_push(&rest->timers, &q->wake) != 0) {
                *soonest = wait; /* out of memory: look again then */
                return false;
            }
            list_remove(l, q);
            q->state = RQ_SLEEPING;
            continue;
        }
        rest_req *r = q->head;
        q->head = r->next;
        if (!q->head)
            q->tail = NULL;
        r->next = NULL;
        list_remove(l, q);
        list_append(l, q); /* its next request waits for the other routes' turn */
        if (start(r) != 0) {
            tend_log(TEND_LOG_ERROR, "discord", "could not send %s", r->key.route);
            finish(r, 0, NULL); /* its own pump waits for this one to end */
            if (rest->closing)
                return false;
        }
    }
    return true;
}

/* Starts every request that may go now; arms the timer for the earliest one that must wait. */
static void pump(dc_rest *rest)
{
    if (rest->closing)
        return;
    if (rest->pumping) { /* a callback asked again: the outer pump goes round once more */
        rest->pump_again = true;
        return;
    }
    rest->pumping = true;
    uint64_t now, soonest, global;
    bool budget_spent;
    do {
        rest->pump_again = false;
        now = uv_now(rest->d->loop);
        soonest = UINT64_MAX;
        budget_spent = false;
        wake_due(rest, now);
        share_budget(rest);
        /* interaction endpoints first, and whatever the global limit says */
        bool more = run_list(rest, &rest->active[0], false, now, &soonest);
        global = rest->closing ? 0 : dc_ratelimit_global_wait(rest->rl, now);
        if (more && global == 0 && !rest->closing)
            budget_spent = !run_list(rest, &rest->active[1], true, now, &soonest);
    } while (rest->pump_again && !rest->closing);
    if (rest->closing)
        return;
    rest->pumping = false;
    if (rest->timers.n && rest->timers.a[0]->at - now < soonest)
        soonest = rest->timers.a[0]->at - now;
    if (global && rest->active[1].head && global < soonest)
        soonest = global;
    if (budget_spent) {
        uint64_t w = dc_send_window_wait(&rest->global, now);
        if (w < soonest)
            soonest = w ? w : 1;
    }
    if (soonest != UINT64_MAX)
        uv_timer_start(&rest->wake, wake_cb, soonest, 0);
}
