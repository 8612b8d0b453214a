/*
 * gap.c — filling a room's timeline when /sync cut it short.
 *
 * A /sync answer holds at most the filter's timeline limit of events per room. When more happened
 * since tend's last sync (it was down, or the homeserver was), the room's timeline is `limited`
 * and what came in between is reachable only by paging back from its `prev_batch` with
 * /rooms/{roomId}/messages (the client-server spec's way to fill such a gap). Each such room is
 * paged back to where tend last was: `to` is the `since` token the batch was asked with, so the
 * server stops exactly there; the bot's own join ends it too (what came before is history tend was
 * not there for). A fill is bounded, TEND_MATRIX_GAP_MAX_EVENTS events or
 * TEND_MATRIX_GAP_MAX_AGE_MS back: beyond that the room gets one log line and one plain notice
 * that a command may have been missed. The events found are put in front of the room's timeline,
 * so sync.c then handles the batch as if the server had sent it whole: oldest first, before the
 * timeline's own events, each command once (the router records every event id it ran).
 *
 * Why a crash cannot lose a command in the gap: nothing in the batch runs while a fill is under
 * way, and the sync position (`since`) is saved only after the whole batch, gaps included, was
 * handled. A crash or a failed request before that leaves `since` where it was, so the next sync,
 * in this process or after a restart, meets the same gap again and fills it anew; a command that
 * already ran before a crash is recognised by its event id and not run twice. The notice is
 * remembered per room with the `since` it was given for, so a replayed gap does not repeat it.
 */
#include "adapters/matrix/internal.h"
#include "adapters/matrix/e2ee.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bot/messages.h"
#include "lib/log.h"

#define GAP_PARALLEL 2          /* rooms paged at once; the rest wait their turn */
#define GAP_TIMEOUT_MS 30000
/* Fills tried before a gap whose pages keep failing is given up (with the notice): the waits
 * between them add up to about half a minute, and tend must not stay deaf in every room because
 * one room's history cannot be read. */
#define GAP_MAX_TRIES 6

static const char *str(const cJSON *obj, const char *name)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, name);
    return cJSON_IsString(it) ? it->valuestring : NULL;
}

static const cJSON *path2(const cJSON *obj, const char *a, const char *b)
{
    return cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(obj, a), b);
}

/* ---------------------------------------------------------------- the pure part */

bool tend_matrix_is_own_join(const char *bot_user_id, const cJSON *ev)
{
    const char *type = str(ev, "type");
    const char *key = str(ev, "state_key");
    const char *membership = str(cJSON_GetObjectItemCaseSensitive(ev, "content"), "membership");
    const char *before = str(path2(ev, "unsigned", "prev_content"), "membership");
    return bot_user_id && type && key && membership && strcmp(type, "m.room.member") == 0 &&
           strcmp(key, bot_user_id) == 0 && strcmp(membership, "join") == 0 &&
           !(before && strcmp(before, "join") == 0);
}

bool tend_matrix_gap_needed(const char *bot_user_id, const cJSON *room)
{
    const cJSON *timeline = cJSON_GetObjectItemCaseSensitive(room, "timeline");
    if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(timeline, "limited")))
        return false;
    const cJSON *ev;
    cJSON_ArrayForEach(ev, cJSON_GetObjectItemCaseSensitive(timeline, "events")) {
        if (tend_matrix_is_own_join(bot_user_id, ev))
            return false;
    }
    return true;
}

struct tend_matrix_backfill {
    char *from;          /* the token to page back from next          */
    char *bot;           /* the bot's own user id: its join ends a gap */
    int64_t oldest_ms;
    size_t max_events;
    int pages;
    cJSON *events;       /* kept so far, newest first                  */
};

tend_matrix_backfill *tend_matrix_backfill_create(const char *prev_batch, const char *bot_user_id,
                                                  int64_t oldest_ms, size_t max_events)
{
    tend_matrix_backfill *bf = calloc(1, sizeof *bf);
    if (!bf)
        return NULL;
    bf->from = strdup(prev_batch);
    bf->bot = strdup(bot_user_id);
    bf->events = cJSON_CreateArray();
    bf->oldest_ms = oldest_ms;
    bf->max_events = max_events;
    if (!bf->from || !bf->bot || !bf->events) {
        tend_matrix_backfill_destroy(bf);
        return NULL;
    }
    return bf;
}

void tend_matrix_backfill_destroy(tend_matrix_backfill *bf)
{
    if (!bf)
        return;
    free(bf->from);
    free(bf->bot);
    cJSON_Delete(bf->events);
    free(bf);
}

const char *tend_matrix_backfill_from(const tend_matrix_backfill *bf)
{
    return bf->from;
}

size_t tend_matrix_backfill_count(const tend_matrix_backfill *bf)
{
    return (size_t)cJSON_GetArraySize(bf->events);
}

int tend_matrix_backfill_limit(const tend_matrix_backfill *bf)
{
    size_t room = bf->max_events + 1 - tend_matrix_backfill_count(bf);
    return room < TEND_MATRIX_GAP_PAGE ? (int)room : TEND_MATRIX_GAP_PAGE;
}

/* Keeps one event of a page. FILLED at the bot's own join, TOO_LONG when the event is beyond the
 * bound (not kept), MORE otherwise. */
static tend_matrix_gap_step keep(tend_matrix_backfill *bf, const cJSON *ev)
{
    const cJSON *ts = cJSON_GetObjectItemCaseSensitive(ev, "origin_server_ts");
    if (cJSON_IsNumber(ts) && ts->valuedouble < (double)bf->oldest_ms)
        return TEND_MATRIX_GAP_TOO_LONG;
    if (tend_matrix_backfill_count(bf) >= bf->max_events)
        return TEND_MATRIX_GAP_TOO_LONG;
    cJSON *copy = cJSON_Duplicate(ev, 1);
    if (!copy || !cJSON_AddItemToArray(bf->events, copy)) {
        cJSON_Delete(copy);
        return TEND_MATRIX_GAP_BAD;
    }
    return tend_matrix_is_own_join(bf->bot, ev) ? TEND_MATRIX_GAP_FILLED : TEND_MATRIX_GAP_MORE;
}

tend_matrix_gap_step tend_matrix_backfill_take(tend_matrix_backfill *bf, const char *body, size_t len)
{
    cJSON *json = body ? cJSON_ParseWithLength(body, len) : NULL;
    const cJSON *chunk = cJSON_GetObjectItemCaseSensitive(json, "chunk");
    if (!cJSON_IsArray(chunk)) {
        cJSON_Delete(json);
        return TEND_MATRIX_GAP_BAD;
    }
    bf->pages++;
    tend_matrix_gap_step step = TEND_MATRIX_GAP_MORE;
    const cJSON *ev;
    cJSON_ArrayForEach(ev, chunk) {
        if (!cJSON_IsObject(ev))
            continue;
        if ((step = keep(bf, ev)) != TEND_MATRIX_GAP_MORE)
            break;
    }
    if (step == TEND_MATRIX_GAP_MORE) {
        /* the spec: an empty chunk may still have more behind it; only a missing `end` says done */
        const char *end = str(json, "end");
        char *next = end ? strdup(end) : NULL;
        if (!end)
            step = TEND_MATRIX_GAP_FILLED;
        else if (!next || strcmp(end, bf->from) == 0)
            step = TEND_MATRIX_GAP_BAD; /* a token that does not move would page forever */
        else if (bf->pages >= TEND_MATRIX_GAP_MAX_PAGES)
            step = TEND_MATRIX_GAP_TOO_LONG;
        if (step == TEND_MATRIX_GAP_MORE) {
            free(bf->from);
            bf->from = next;
        } else {
            free(next);
        }
    }
    cJSON_Delete(json);
    return step;
}

void tend_matrix_backfill_splice(tend_matrix_backfill *bf, cJSON *timeline)
{
    /* kept newest first: each one in turn goes to the very front, which leaves them oldest first */
    cJSON *ev;
    while ((ev = cJSON_DetachItemFromArray(bf->events, 0)) != NULL) {
        if (!cJSON_InsertItemInArray(timeline, 0, ev))
            cJSON_Delete(ev);
    }
}

/* ---------------------------------------------------------------- the notice, in the store */

/* The key remembers the `since` the notice was given for: the same gap met again after a crash
 * or a failed fill says nothing more, a new gap later says it again. */
static void notice_key(const char *room_id, char *out, size_t outlen)
{
    snprintf(out, outlen, "gapnotice:%s", room_id);
}

static bool notice_given(tend_matrix *mx, const char *room_id, const char *since)
{
    char key[MX_KEY_MAX + 16], value[512];
    notice_key(room_id, key, sizeof key);
    return tend_host_state_get(mx->base.host, key, value, sizeof value) == 0 && strcmp(value, since) == 0;
}

static bool record_notice(tend_matrix *mx, const char *room_id, const char *since)
{
    char key[MX_KEY_MAX + 16];
    notice_key(room_id, key, sizeof key);
    return tend_host_state_set(mx->base.host, key, since) == 0;
}

/* ---------------------------------------------------------------- one fill, on the loop */

typedef struct room_fill {
    struct tend_matrix_gap *gap;
    const char *room_id;        /* the room's key in the batch, which outlives the fill */
    cJSON *room;                /* rooms.join.<room_id> in the batch                     */
    tend_matrix_backfill *bf;   /* NULL when the room had no prev_batch to start from    */
    char unread[96];            /* why the fill stopped short of where tend was, or ""   */
} room_fill;

struct tend_matrix_gap {
    tend_matrix *mx;
    cJSON *batch;
    char *since;
    char *filter;               /* the timeline's RoomEventFilter, escaped for a query */
    tend_matrix_gap_done done;
    room_fill *rooms;
    size_t n_rooms, next, active;
    bool failed;                /* a request failed for now: the whole sync is tried again */
    uint64_t retry_after_ms;    /* what a 429 asked for, else 0 (back-off)                 */
    char why[160];              /* the first failure, for the log                          */
    int64_t started_ms;
};

static void gap_free(tend_matrix_gap *g)
{
    if (!g)
        return;
    for (size_t i = 0; i < g->n_rooms; i++)
        tend_matrix_backfill_destroy(g->rooms[i].bf);
    free(g->rooms);
    cJSON_Delete(g->batch);
    free(g->since);
    free(g->filter);
    free(g);
}

void tend_matrix_gap_cancel(tend_matrix *mx)
{
    gap_free(mx->gap);
    mx->gap = NULL;
}

/* This attempt cannot finish; what is in flight still lands, then the sync is tried again. */
static void fail(tend_matrix_gap *g, const char *room_id, const char *why, uint64_t retry_after_ms)
{
    if (g->failed)
        return;
    g->failed = true;
    g->retry_after_ms = retry_after_ms;
    snprintf(g->why, sizeof g->why, "%.100s: %.50s", room_id, why);
}

static void on_page(const tend_http_response *res, void *ud);

static int ask_page(room_fill *rf)
{
    tend_matrix_gap *g = rf->gap;
    char *room = tend_matrix_escape(rf->room_id);
    char *from = tend_matrix_escape(tend_matrix_backfill_from(rf->bf));
    char *to = tend_matrix_escape(g->since);
    size_t n = (room && from && to ? strlen(room) + strlen(from) + strlen(to) : 0) + strlen(g->filter) + 96;
    char *path = malloc(n);
    char *url = NULL;
    if (room && from && to && path) {
        snprintf(path, n, "/rooms/%s/messages?dir=b&from=%s&to=%s&limit=%d&filter=%s", room, from, to,
                 tend_matrix_backfill_limit(rf->bf), g->filter);
        url = tend_matrix_url(g->mx, path);
    }
    int rc = url ? tend_matrix_request(g->mx, "GET", url, NULL, GAP_TIMEOUT_MS, on_page, rf) : -1;
    free(room);
    free(from);
    free(to);
    free(path);
    free(url);
    if (rc == 0)
        g->active++;
    else
        fail(g, rf->room_id, "could not send the request", 0);
    return rc;
}

/* Where the notice would help: not in a DM room (commands are not typed there), not in an
 * encrypted room (tend cannot read commands there in the first place). */
static bool notice_fits(tend_matrix *mx, const room_fill *rf)
{
    if (tend_matrix_is_dm_room(mx, rf->room_id))
        return false;
    if (tend_matrix_e2ee_on(mx))
        return true; /* encrypted rooms are read, and the notice goes out encrypted */
    const tend_matrix_room *known = tend_matrix_room_get(mx, rf->room_id, false);
    if (known && known->encrypted)
        return false;
    static const char *const lists[] = {"state", "timeline"};
    for (size_t i = 0; i < 2; i++) {
        const cJSON *ev;
        cJSON_ArrayForEach(ev, path2(rf->room, lists[i], "events")) {
            const char *type = str(ev, "type");
            if (type && strcmp(type, "m.room.encryption") == 0)
                return false;
        }
    }
    return true;
}

/* The fill of this room stops short of where tend last was; the reason goes to the log. */
static void stop_short(room_fill *rf, const char *why)
{
    snprintf(rf->unread, sizeof rf->unread, "%s", why);
}

static void say_gap_once(tend_matrix *mx, const room_fill *rf, const char *since)
{
    if (notice_given(mx, rf->room_id, since))
        return;
    tend_log(TEND_LOG_WARN, "matrix", "%s: not all that happened while tend was away was read back (%s); "
             "commands sent before that are not run", rf->room_id, rf->unread);
    if (record_notice(mx, rf->room_id, since) && notice_fits(mx, rf))
        tend_matrix_send_notice(mx, rf->room_id, tend_matrix_words(mx, rf->room_id, NULL, MSG_MATRIX_GAP));
}

static void set_false(cJSON *obj, const char *name)
{
    cJSON *no = cJSON_CreateFalse();
    if (no && !cJSON_ReplaceItemInObjectCaseSensitive(obj, name, no))
        cJSON_Delete(no);
}

/* Puts each room's gap in front of its timeline. The number of events read back. */
static size_t splice_all(tend_matrix_gap *g)
{
    size_t events = 0;
    for (size_t i = 0; i < g->n_rooms; i++) {
        room_fill *rf = &g->rooms[i];
        cJSON *timeline = cJSON_GetObjectItemCaseSensitive(rf->room, "timeline");
        cJSON *list = cJSON_GetObjectItemCaseSensitive(timeline, "events");
        if (!cJSON_IsArray(list)) {
            cJSON_DeleteItemFromObjectCaseSensitive(timeline, "events");
            list = cJSON_AddArrayToObject(timeline, "events");
        }
        if (rf->bf && list) {
            events += tend_matrix_backfill_count(rf->bf);
            tend_matrix_backfill_splice(rf->bf, list);
        }
        set_false(timeline, "limited");
    }
    return events;
}

/* Every room is paged, or one failed: hand the batch back whole, or ask for the sync again. */
static void finish(tend_matrix_gap *g)
{
    tend_matrix *mx = g->mx;
    tend_matrix_gap_done done = g->done;
    mx->gap = NULL;
    if (g->failed) {
        if (mx->gap_failures++ == 0)
            tend_log(TEND_LOG_WARN, "matrix", "could not read back what tend missed in %s; trying again",
                     g->why);
        uint64_t wait = g->retry_after_ms ? g->retry_after_ms
                                          : tend_matrix_backoff_ms(mx->gap_failures, 1000, 60000);
        gap_free(g);
        done(mx, NULL, wait);
        return;
    }
    mx->gap_failures = 0;
    size_t events = splice_all(g);
    for (size_t i = 0; i < g->n_rooms; i++)
        if (g->rooms[i].unread[0])
            say_gap_once(mx, &g->rooms[i], g->since);
    tend_log(TEND_LOG_INFO, "matrix", "read back %zu events tend missed in %zu room%s (%lld ms)", events,
             g->n_rooms, g->n_rooms == 1 ? "" : "s", (long long)(tend_matrix_now_ms() - g->started_ms));
    cJSON *batch = g->batch;
    g->batch = NULL;
    gap_free(g);
    done(mx, batch, 0);
}

/* Starts rooms while there is room for them; finishes once nothing is left in flight. */
static void advance(tend_matrix_gap *g)
{
    while (!g->failed && g->active < GAP_PARALLEL && g->next < g->n_rooms) {
        room_fill *rf = &g->rooms[g->next++];
        if (rf->bf)
            ask_page(rf);
        else
            stop_short(rf, "no prev_batch to page back from");
    }
    if (g->active == 0 && (g->failed || g->next == g->n_rooms))
        finish(g);
}

/* Answers that may be different in a moment: then the whole sync is tried again. */
static bool transient(long status)
{
    return status == 0 || status == 401 || status == 408 || status == 429 || status >= 500;
}

static void describe(const tend_http_response *res, char *out, size_t outlen)
{
    if (res->status)
        snprintf(out, outlen, "HTTP %ld", res->status);
    else
        snprintf(out, outlen, "%s", res->error ? res->error : "no answer");
}

static void on_page(const tend_http_response *res, void *ud)
{
    room_fill *rf = ud;
    tend_matrix_gap *g = rf->gap;
    if (g->mx->stopping)
        return; /* tend_matrix_gap_cancel frees it once the HTTP client is gone */
    g->active--;
    char why[64];
    describe(res, why, sizeof why);
    if (res->status == 429)
        tend_matrix_note_throttled(tend_matrix_retry_after_ms(res, 2000));
    if (transient(res->status) && g->mx->gap_failures + 1 < GAP_MAX_TRIES) {
        fail(g, rf->room_id, why, res->status == 429 ? tend_matrix_retry_after_ms(res, 2000) : 0);
        advance(g);
        return;
    }
    tend_matrix_gap_step step = res->status == 200 ? tend_matrix_backfill_take(rf->bf, res->body, res->body_len)
                                                   : TEND_MATRIX_GAP_BAD;
    if (step == TEND_MATRIX_GAP_MORE && !g->failed) {
        ask_page(rf);
    } else if (step == TEND_MATRIX_GAP_BAD) {
        /* a refusal, an answer that is no page, or the last try: asking again will not help */
        char reason[96];
        snprintf(reason, sizeof reason, "the homeserver did not give it: %s",
                 res->status == 200 ? "no page" : why);
        stop_short(rf, reason);
    } else if (step == TEND_MATRIX_GAP_TOO_LONG) {
        char reason[96];
        snprintf(reason, sizeof reason, "it goes back more than %d events or %lld hours",
                 TEND_MATRIX_GAP_MAX_EVENTS, TEND_MATRIX_GAP_MAX_AGE_MS / 3600000);
        stop_short(rf, reason);
    }
    advance(g);
}

/* Nothing of the batch may run without its gaps: when a fill cannot even start, the sync is
 * tried again in a moment, as after a failed request. */
static int cannot_start(tend_matrix *mx, cJSON *batch, tend_matrix_gap *g, tend_matrix_gap_done done)
{
    tend_log(TEND_LOG_WARN, "matrix", "out of memory reading back what tend missed; trying again");
    gap_free(g);
    cJSON_Delete(batch);
    done(mx, NULL, 1000);
    return 1;
}

int tend_matrix_gap_fill(tend_matrix *mx, cJSON *batch, const char *since, tend_matrix_gap_done done)
{
    size_t n = 0;
    cJSON *room;
    cJSON *joined = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(batch, "rooms"), "join");
    cJSON_ArrayForEach(room, joined) {
        if (tend_matrix_gap_needed(mx->user_id, room))
            n++;
    }
    if (n == 0)
        return 0;
    tend_matrix_gap *g = mx->gap ? NULL : calloc(1, sizeof *g); /* one sync, so one fill, at a time */
    char *filter = tend_matrix_timeline_filter();
    if (g) {
        g->mx = mx;
        g->done = done;
        g->since = strdup(since);
        g->filter = filter ? tend_matrix_escape(filter) : NULL;
        g->rooms = calloc(n, sizeof *g->rooms);
    }
    free(filter);
    if (!g || !g->since || !g->filter || !g->rooms)
        return cannot_start(mx, batch, g, done);
    int64_t oldest_ms = tend_matrix_clock_now(mx) * 1000 - TEND_MATRIX_GAP_MAX_AGE_MS;
    cJSON_ArrayForEach(room, joined) {
        if (!tend_matrix_gap_needed(mx->user_id, room))
            continue;
        room_fill *rf = &g->rooms[g->n_rooms++];
        rf->gap = g;
        rf->room_id = room->string;
        rf->room = room;
        const char *prev = str(cJSON_GetObjectItemCaseSensitive(room, "timeline"), "prev_batch");
        if (prev && !(rf->bf = tend_matrix_backfill_create(prev, mx->user_id, oldest_ms,
                                                           TEND_MATRIX_GAP_MAX_EVENTS)))
            return cannot_start(mx, batch, g, done);
    }
    g->batch = batch;
    g->started_ms = tend_matrix_now_ms();
    mx->gap = g;
    tend_log(TEND_LOG_INFO, "matrix", "reading back what tend missed in %zu room%s", n, n == 1 ? "" : "s");
    advance(g);
    return 1;
}
