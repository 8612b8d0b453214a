/*
 * sender.c — the outbox's delivery: a queue in id order, one send in flight per destination.
 *
 * The queue lives in memory and mirrors the outbox table: rows written by a command or a firing
 * are taken straight from the messages the bot returned (no read-back), rows left by an earlier run
 * are loaded at start. A pass walks the queue once: the first row of each destination that is not
 * waiting for a retry goes to its adapter; every later row of that destination waits its turn, so
 * an interaction's callback always precedes its follow-ups and a channel's posts keep their order.
 * Adapters may report a verdict from inside send(): the pass then only marks the row and sweeps it
 * up afterwards, so the walk never loses its place.
 */
#include "app/sender.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app/internal.h"
#include "bot/outbox.h"
#include "lib/log.h"
#include "lib/metrics.h"

#define RETRY_FIRST_MS 1000
#define RETRY_MAX_MS (5 * 60 * 1000)
#define GIVE_UP_AFTER_S (24 * 3600) /* a reply a day late is noise, not help */
#define IDEM_MAX 48

/* For the ops endpoint (app/health.c), labelled by platform only. */
static const tend_metric_def outbox_depth = {
    "tend_outbox_depth",
    "Messages in the outbox waiting for the platform to accept them (in flight included).",
    TEND_METRIC_GAUGE, {"platform", NULL}};
static const tend_metric_def delivery_seconds = {
    "tend_delivery_seconds",
    "Time from a message entering the outbox (in this run) to the platform accepting it, in seconds.",
    TEND_METRIC_HISTOGRAM, {"platform", NULL}};

typedef struct item {
    int64_t id;            /* outbox row, or negative: a message the store could not take */
    char *platform, *dest;
    uint64_t dest_hash;    /* of dest: a pass hashes each destination once, not once a pass */
    char idem[IDEM_MAX];
    tend_messages msg;     /* exactly one message */
    int64_t created_at;
    int attempts;
    uint64_t queued_ns;    /* uv_hrtime() when it entered the queue, for delivery_seconds */
    uint64_t next_try_ms;  /* uv_now() before which it waits; 0 = now */
    bool in_flight, done;
    bool held;             /* taken during a group commit: waits for tend_sender_release */
    struct item *next;
} item;

struct tend_sender {
    uv_loop_t *loop;
    tend_store *store;
    tend_clock *clock;
    tend_sender_route route;
    void *route_ud;
    char epoch[12];        /* a random prefix per database, so idempotency keys never collide */
    item *head, *tail;
    size_t count;
    int64_t next_unstored; /* -1, -2, ...: ids of messages that have no outbox row */
    int64_t *removed;      /* delivered rows to delete at the end of this turn of the loop */
    size_t n_removed, cap_removed;
    uv_timer_t retry;
    uv_check_t flush;
    uv_idle_t awake;       /* while removals wait for the flush: the loop's poll must not block */
    bool handles_open, closing;
    bool pumping, again;
    bool holding;          /* a group commit is open: what is taken now is held */
    bool paused;           /* stored rows wait: this process's ownership of them is in doubt */
    size_t n_held;
    tend_sender_stats stats;
};

/* ---------------------------------------------------------------- the key prefix */

static int load_epoch(tend_sender *s)
{
    if (tend_store_state_get(s->store, "tend", "outbox_epoch", s->epoch, sizeof s->epoch) == TEND_STORE_OK &&
        s->epoch[0])
        return 0;
    unsigned char raw[4] = {0};
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    bool got = fd >= 0 && read(fd, raw, sizeof raw) == (ssize_t)sizeof raw;
    if (fd >= 0)
        close(fd);
    if (!got) { /* still distinct from the last database most of the time */
        uint64_t t = uv_hrtime();
        memcpy(raw, &t, sizeof raw);
    }
    snprintf(s->epoch, sizeof s->epoch, "%02x%02x%02x%02x", raw[0], raw[1], raw[2], raw[3]);
    return tend_store_state_set(s->store, "tend", "outbox_epoch", s->epoch) == TEND_STORE_OK ? 0 : -1;
}

/* ---------------------------------------------------------------- the queue */

static uint64_t hash_str(const char *p)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ULL;
    return h;
}

static void item_free(item *it)
{
    if (!it)
        return;
    free(it->platform);
    free(it->dest);
    tend_messages_clear(&it->msg);
    free(it);
}

static void enqueue(tend_sender *s, item *it)
{
    if (s->tail)
        s->tail->next = it;
    else
        s->head = it;
    s->tail = it;
    s->count++;
    it->queued_ns = uv_hrtime();
    tend_metric_add(&outbox_depth, it->platform, NULL, 1);
}

static item *item_new(tend_sender *s, int64_t id, const char *platform, const char *dest, int64_t created_at)
{
    item *it = calloc(1, sizeof *it);
    if (!it)
        return NULL;
    it->id = id;
    it->created_at = created_at;
    it->platform = strdup(platform);
    it->dest = strdup(dest);
    it->dest_hash = it->dest ? hash_str(it->dest) : 0;
    tend_messages_init(&it->msg);
    if (id > 0)
        snprintf(it->idem, sizeof it->idem, "%s-%lld", s->epoch, (long long)id);
    else
        snprintf(it->idem, sizeof it->idem, "%s-x%lld-%llu", s->epoch, (long long)-id,
                 (unsigned long long)(uv_hrtime() % 100000));
    if (!it->platform || !it->dest) {
        item_free(it);
        return NULL;
    }
    return it;
}

static void platform_of(const tend_message *m, char *out, size_t outlen)
{
    const char *g = m->group_key ? m->group_key : "";
    snprintf(out, outlen, "%.*s", (int)strcspn(g, ":"), g);
}

/* The same destination rule as bot/outbox.c, for messages that have no row. */
static void dest_of(const tend_message *m, char *out, size_t outlen)
{
    if (m->reply_to)
        snprintf(out, outlen, "r:%s", m->reply_to);
    else if (m->audience == TEND_TO_PUBLIC)
        snprintf(out, outlen, "c:%s", m->channel_key && m->channel_key[0] ? m->channel_key : m->group_key);
    else
        snprintf(out, outlen, "m:%s", m->member_key ? m->member_key : "");
}

/* ---------------------------------------------------------------- removing what was delivered */

static void flush_removed(tend_sender *s)
{
    if (s->n_removed == 0)
        return;
    tend_app_failpoint("before-removal"); /* delivered, and the rows still there: a crash now sends again */
    int rc = tend_store_begin(s->store);
    for (size_t i = 0; rc == TEND_STORE_OK && i < s->n_removed; i++)
        rc = tend_store_outbox_remove(s->store, s->removed[i]);
    if (rc == TEND_STORE_OK)
        rc = tend_store_commit(s->store);
    if (rc != TEND_STORE_OK) {
        /* the rows stay and go out again after a restart, where the platform's idempotency key
         * catches the repeat: a warning, not a loss */
        tend_log(TEND_LOG_WARN, "outbox", "could not mark %zu delivered messages: %s", s->n_removed,
                 tend_store_errmsg(s->store));
        tend_store_rollback(s->store);
    }
    s->n_removed = 0;
}

static void on_flush(uv_check_t *check)
{
    tend_sender *s = check->data;
    flush_removed(s);
    uv_check_stop(check);
    uv_idle_stop(&s->awake);
}

static void on_awake(uv_idle_t *idle)
{
    (void)idle; /* only there so the poll returns at once and the flush runs this turn */
}

static void remember_removed(tend_sender *s, int64_t id, bool at_once)
{
    if (id <= 0)
        return;
    if (at_once) {
        flush_removed(s); /* keeps the order of removals */
        if (tend_store_outbox_remove(s->store, id) != TEND_STORE_OK)
            tend_log(TEND_LOG_WARN, "outbox", "could not mark a delivered message: %s", tend_store_errmsg(s->store));
        return;
    }
    if (s->n_removed == s->cap_removed) {
        size_t cap = s->cap_removed ? s->cap_removed * 2 : 64;
        int64_t *grown = realloc(s->removed, cap * sizeof *grown);
        if (!grown) {
            flush_removed(s); /* out of memory: pay for a transaction now rather than forget */
            if (s->n_removed == s->cap_removed) {
                (void)tend_store_outbox_remove(s->store, id);
                return;
            }
        } else {
            s->removed = grown;
            s->cap_removed = cap;
        }
    }
    s->removed[s->n_removed++] = id;
    if (s->handles_open && !s->closing) {
        /* a verdict that came in a timer's turn (curl reads an answer from its timeout) would
         * otherwise wait in the poll for the next event, a heartbeat away: the row stays, and a
         * crash meanwhile sends it twice */
        uv_check_start(&s->flush, on_flush);
        uv_idle_start(&s->awake, on_awake);
    } else {
        flush_removed(s);
    }
}

/* ---------------------------------------------------------------- a small set of destinations */

typedef struct {
    const item **slots;
    size_t cap;
} dest_set;

/* true when the item's destination was in the set already (it is added either way) */
static bool dest_seen(dest_set *set, const item *it)
{
    if (!set->slots)
        return false; /* no memory for the set: every row goes, order kept by the adapters' chains */
    for (size_t i = it->dest_hash & (set->cap - 1);; i = (i + 1) & (set->cap - 1)) {
        if (!set->slots[i]) {
            set->slots[i] = it;
            return false;
        }
        if (set->slots[i]->dest_hash == it->dest_hash && strcmp(set->slots[i]->dest, it->dest) == 0)
            return true;
    }
}

/* ---------------------------------------------------------------- sending */

static void arm_retry(tend_sender *s);

static void sweep_done(tend_sender *s)
{
    item **link = &s->head;
    s->tail = NULL;
    while (*link) {
        item *it = *link;
        if (it->done) {
            *link = it->next;
            tend_metric_add(&outbox_depth, it->platform, NULL, -1);
            item_free(it);
            s->count--;
        } else {
            s->tail = it;
            link = &it->next;
        }
    }
}

static void schedule_retry(tend_sender *s, item *it)
{
    uint64_t backoff = RETRY_FIRST_MS;
    for (int i = 1; i < it->attempts && backoff < RETRY_MAX_MS; i++)
        backoff *= 2;
    if (backoff > RETRY_MAX_MS)
        backoff = RETRY_MAX_MS;
    it->next_try_ms = uv_now(s->loop) + backoff;
}

static void send_one(tend_sender *s, item *it, tend_adapter *adapter)
{
    tend_outgoing o = {
        .id = it->id,
        .idem_key = it->idem,
        .msg = &it->msg.items[0],
        .reply_to = it->msg.items[0].reply_to,
        .created_at = it->created_at,
        .attempts = it->attempts,
    };
    it->in_flight = true;
    tend_log(TEND_LOG_DEBUG, "outbox", "sending %s %s message %lld (try %d)", it->platform, o.msg->kind,
             (long long)it->id, it->attempts + 1);
    if (adapter->ops->send(adapter, &o) != 0 && it->in_flight && !it->done) {
        it->in_flight = false;
        it->attempts++;
        s->stats.retried++;
        schedule_retry(s, it);
    }
}

static void pass(tend_sender *s)
{
    uint64_t now = uv_now(s->loop);
    item *first = s->head;
    while (first && (first->done || first->in_flight || first->held || first->next_try_ms > now))
        first = first->next;
    if (!first)
        return; /* everything is on its way or waiting: the common case while answers are in flight */
    size_t cap = 16;
    while (cap < s->count * 2)
        cap *= 2;
    dest_set set = {calloc(cap, sizeof(const item *)), cap};
    for (item *it = s->head; it; it = it->next) {
        /* a held row keeps its place: what follows it to the same destination waits too */
        if (it->done || dest_seen(&set, it) || it->in_flight || it->held || it->next_try_ms > now)
            continue;
        if (s->paused && it->id > 0)
            continue; /* its place kept: what follows it to the same destination waits too */
        tend_adapter *adapter = s->route(s->route_ud, it->platform);
        if (!adapter) {
            /* a group of a platform this process does not run (a shared database): its row waits
             * for the process that does; an unstored message is dropped with a word */
            if (it->id < 0)
                tend_log(TEND_LOG_WARN, "outbox", "no %s adapter for a %s message", it->platform,
                         it->msg.items[0].kind);
            it->done = true;
            continue;
        }
        send_one(s, it, adapter);
    }
    free(set.slots);
}

static void pump(tend_sender *s)
{
    if (s->closing)
        return;
    if (s->pumping) {
        s->again = true;
        return;
    }
    s->pumping = true;
    do {
        s->again = false;
        sweep_done(s);
        pass(s);
    } while (s->again);
    sweep_done(s);
    s->pumping = false;
    arm_retry(s);
}

static void on_retry(uv_timer_t *timer)
{
    pump(timer->data);
}

static void arm_retry(tend_sender *s)
{
    if (!s->handles_open || s->closing)
        return;
    uint64_t soonest = UINT64_MAX;
    for (item *it = s->head; it; it = it->next)
        if (!it->in_flight && !it->done && it->next_try_ms && it->next_try_ms < soonest)
            soonest = it->next_try_ms;
    if (soonest == UINT64_MAX) {
        uv_timer_stop(&s->retry);
        return;
    }
    uint64_t now = uv_now(s->loop);
    uv_timer_start(&s->retry, on_retry, soonest > now ? soonest - now : 1, 0);
}

void tend_sender_sent(tend_sender *s, int64_t id, tend_sent_result result)
{
    item *it = s->head;
    while (it && it->id != id)
        it = it->next;
    if (!it || it->done)
        return; /* a late verdict for a row already settled */
    it->in_flight = false;
    const tend_message *m = &it->msg.items[0];
    int64_t age = tend_clock_now(s->clock) - it->created_at;
    tend_log(TEND_LOG_DEBUG, "outbox", "%s %s message %lld: %s", it->platform, m->kind, (long long)id,
             result == TEND_SENT_OK ? "delivered" : result == TEND_SENT_RETRY ? "to retry" : "refused");
    if (result == TEND_SENT_RETRY && age > GIVE_UP_AFTER_S) {
        tend_log(TEND_LOG_WARN, "outbox", "gave up on a %s %s message after %d tries over a day", it->platform,
                 m->kind, it->attempts + 1);
        result = TEND_SENT_DROP;
    }
    if (result == TEND_SENT_RETRY) {
        it->attempts++;
        s->stats.retried++;
        schedule_retry(s, it);
    } else {
        if (result == TEND_SENT_DROP) {
            s->stats.dropped++;
            tend_log(TEND_LOG_WARN, "outbox", "a %s %s message cannot be delivered; dropped", it->platform, m->kind);
        } else {
            s->stats.delivered++;
            tend_metric_observe(&delivery_seconds, it->platform, NULL,
                                (double)(uv_hrtime() - it->queued_ns) / 1e9);
        }
        it->done = true;
        tend_adapter *adapter = s->route(s->route_ud, it->platform);
        remember_removed(s, it->id, adapter && adapter->ops->resend_shows_twice);
    }
    pump(s);
}

/* ---------------------------------------------------------------- filling the queue */

void tend_sender_take(tend_sender *s, const tend_messages *said)
{
    for (size_t i = 0; i < said->count; i++) {
        const tend_message *m = &said->items[i];
        char platform[16], dest[2 * TEND_KEY_MAX + 8];
        platform_of(m, platform, sizeof platform);
        dest_of(m, dest, sizeof dest);
        int64_t id = m->outbox_id > 0 ? m->outbox_id : s->next_unstored--;
        item *it = item_new(s, id, platform, dest, tend_clock_now(s->clock));
        if (!it || !tend_messages_add_copy(&it->msg, m)) {
            tend_log(TEND_LOG_ERROR, "outbox", "out of memory queueing a %s message%s", m->kind,
                     id > 0 ? "; it goes out after a restart" : "");
            item_free(it);
            continue;
        }
        if (s->holding) {
            it->held = true;
            s->n_held++;
        }
        enqueue(s, it);
    }
    if (!s->holding)
        pump(s);
}

void tend_sender_hold(tend_sender *s)
{
    s->holding = true;
}

void tend_sender_release(tend_sender *s, bool committed, void (*lost)(void *ud, const tend_message *m), void *ud)
{
    s->holding = false;
    if (s->n_held == 0)
        return;
    s->n_held = 0;
    tend_messages gone;
    tend_messages_init(&gone);
    for (item *it = s->head; it; it = it->next) {
        if (!it->held)
            continue;
        it->held = false;
        /* a row of a group that did not commit does not exist, and its id may be a later row's:
         * the message goes nowhere and is never marked delivered; one without a row (a read's
         * answer, a "the store failed") is true whatever happened to the group */
        if (!committed && it->id > 0) {
            it->done = true;
            if (lost && it->msg.items[0].first_answer && !tend_messages_add_copy(&gone, &it->msg.items[0]))
                tend_log(TEND_LOG_ERROR, "outbox", "out of memory: a member whose command failed is not told");
        }
    }
    pump(s);
    for (size_t i = 0; i < gone.count; i++)
        lost(ud, &gone.items[i]); /* after the walk: telling them takes new messages */
    tend_messages_clear(&gone);
}

void tend_sender_flush(tend_sender *s)
{
    flush_removed(s);
}

typedef struct {
    tend_sender *s;
    size_t loaded, broken;
} load_walk;

static int load_row(const tend_outbox_row *row, void *ud)
{
    load_walk *w = ud;
    item *it = item_new(w->s, row->id, row->platform, row->dest, row->created_at);
    if (!it)
        return 1;
    if (tend_message_decode(row->payload, &it->msg) != 0 ||
        (row->reply_to && !(it->msg.items[0].reply_to = strdup(row->reply_to)))) {
        w->broken++;
        it->done = true; /* unreadable: removed rather than retried forever */
        remember_removed(w->s, row->id, false);
        item_free(it);
        return 0;
    }
    it->msg.items[0].outbox_id = row->id;
    enqueue(w->s, it);
    w->loaded++;
    return 0;
}

int tend_sender_load(tend_sender *s, const char *platform)
{
    load_walk w = {s, 0, 0};
    tend_metric_add(&outbox_depth, platform, NULL, 0); /* shown from the start, not from the first message */
    int rc = tend_store_outbox_each(s->store, platform, load_row, &w);
    if (w.loaded)
        tend_log(TEND_LOG_INFO, "outbox", "%zu %s message%s from before the restart to deliver", w.loaded,
                 platform, w.loaded == 1 ? "" : "s");
    if (w.broken)
        tend_log(TEND_LOG_WARN, "outbox", "%zu unreadable %s messages removed", w.broken, platform);
    flush_removed(s);
    pump(s);
    return rc == TEND_STORE_OK ? 0 : -1;
}

void tend_sender_pause(tend_sender *s)
{
    if (!s->paused)
        tend_log(TEND_LOG_WARN, "outbox", "messages wait: this process cannot show the database it is alive, "
                 "and another tend sharing it may take them over");
    s->paused = true;
}

void tend_sender_resume(tend_sender *s)
{
    if (!s->paused)
        return;
    /* while paused, another process may have taken rows over (and sent them): those are its now */
    size_t dropped = 0;
    for (item *it = s->head; it; it = it->next)
        if (it->id > 0 && !it->done && !it->in_flight && tend_store_outbox_owned(s->store, it->id) == TEND_STORE_NOTFOUND) {
            it->done = true; /* not removed here: the row is another process's, or gone */
            dropped++;
        }
    s->paused = false;
    if (dropped)
        tend_log(TEND_LOG_INFO, "outbox", "sending again; %zu message%s taken over by another process meanwhile",
                 dropped, dropped == 1 ? " was" : "s were");
    else
        tend_log(TEND_LOG_INFO, "outbox", "sending again");
    pump(s);
}

int tend_sender_claim(tend_sender *s, const char *platform, const char *from)
{
    load_walk w = {s, 0, 0};
    int rc = tend_store_outbox_claim(s->store, platform, from, load_row, &w);
    if (w.loaded)
        tend_log(TEND_LOG_INFO, "outbox", "%zu %s message%s left by a stopped tend process (%s) to deliver",
                 w.loaded, platform, w.loaded == 1 ? "" : "s", from[0] ? from : "from before owners");
    if (w.broken)
        tend_log(TEND_LOG_WARN, "outbox", "%zu unreadable %s messages removed", w.broken, platform);
    flush_removed(s);
    pump(s);
    return rc == TEND_STORE_OK ? 0 : -1;
}

/* ---------------------------------------------------------------- life */

tend_sender *tend_sender_create(uv_loop_t *loop, tend_store *store, tend_clock *clock, tend_sender_route route,
                                void *route_ud)
{
    tend_sender *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->loop = loop;
    s->store = store;
    s->clock = clock;
    s->route = route;
    s->route_ud = route_ud;
    s->next_unstored = -1;
    if (load_epoch(s) != 0) {
        tend_log(TEND_LOG_ERROR, "outbox", "cannot set up the outbox: %s", tend_store_errmsg(store));
        free(s);
        return NULL;
    }
    if (loop && uv_timer_init(loop, &s->retry) == 0 && uv_check_init(loop, &s->flush) == 0 &&
        uv_idle_init(loop, &s->awake) == 0) {
        s->retry.data = s->flush.data = s->awake.data = s;
        s->handles_open = true;
    }
    return s;
}

void tend_sender_close(tend_sender *s)
{
    if (!s || s->closing)
        return;
    flush_removed(s);
    s->closing = true;
    if (s->handles_open) {
        uv_close((uv_handle_t *)&s->retry, NULL);
        uv_close((uv_handle_t *)&s->flush, NULL);
        uv_close((uv_handle_t *)&s->awake, NULL);
    }
}

void tend_sender_destroy(tend_sender *s)
{
    if (!s)
        return;
    flush_removed(s);
    while (s->head) {
        item *next = s->head->next;
        tend_metric_add(&outbox_depth, s->head->platform, NULL, -1);
        item_free(s->head);
        s->head = next;
    }
    free(s->removed);
    free(s);
}

void tend_sender_get_stats(const tend_sender *s, tend_sender_stats *out)
{
    *out = s->stats;
    out->waiting = s->count;
}
