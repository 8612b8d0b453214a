/*
 * e2ee_in.c — encrypted room events in: room keys kept, events decrypted and run like plain ones.
 *
 * A room key (m.room_key over Olm) is kept as an inbound Megolm session in the store, with who
 * sent it (user, curve25519 key, and the ed25519 key their Olm payload claimed). An event counts
 * only when its session came from the event's sender and that sender's device, as /keys/query
 * lists it signed, has those very keys. Megolm may decrypt a message twice by design, so each
 * (session, message index) is remembered with its event id: the same index under another event
 * id is a replay and is refused.
 *
 * An event whose key has not arrived is held and tried again whenever keys or devices come in;
 * its sender's devices are asked for the key once (m.room_key_request). After HOLD_MS the room is
 * told, once for the events given up together, that a message could not be read.
 *
 * When the sender's device says it will not share the key (m.room_key.withheld, naming the room,
 * its curve25519 key and the session), waiting is pointless: the events of that session from that
 * sender get the same notice at the next pass (after the sync that brought it) and no key request
 * goes out for it. Only the event's own sender can say so: to-device events carry a sender the
 * homeserver vouches for, and the sender_key must be the one on the held event; anyone else's
 * withheld is ignored. m.unavailable (one device lacks the key) proves nothing of the others, and
 * m.no_olm names no session: both leave the minute's wait as it is. As with the minute's notice, an
 * event given up is released: a key that arrives after the notice runs nothing (the member was
 * told to send it again). A key that arrives before the pass still runs it.
 */
#ifdef TEND_HAVE_E2EE
#include "adapters/matrix/e2ee_state.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "adapters/host_crypto.h"
#include "bot/messages.h"
#include "lib/log.h"

#define MEGOLM_ALGORITHM "m.megolm.v1.aes-sha2"
#define HOLD_MS 60000
#define HELD_MAX 500 /* beyond this the oldest is given up at once (noticed, never silent) */
#define WITHHELD_MAX 1000 /* withheld sessions remembered; beyond, the oldest is forgotten */

struct tend_matrix_held {
    char *room_id;
    cJSON *ev;
    int64_t since_ms;
    struct tend_matrix_held *next;
};

typedef enum { DONE, WAIT } outcome;

static const char *str(const cJSON *obj, const char *name)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, name);
    return cJSON_IsString(it) ? it->valuestring : NULL;
}

static void inbound_id(char *out, size_t len, const char *room_id, const char *sender_key, const char *session_id)
{
    snprintf(out, len, "%s|%s|%s", room_id, sender_key, session_id);
}

/* ---------------------------------------------------------------- room keys */

void tend_matrix_e2ee_room_key(tend_matrix *mx, const char *sender, const char *sender_key, const cJSON *payload)
{
    const cJSON *content = cJSON_GetObjectItemCaseSensitive(payload, "content");
    const char *alg = str(content, "algorithm"), *room_id = str(content, "room_id");
    const char *session_id = str(content, "session_id"), *session_key = str(content, "session_key");
    const char *claimed_ed = str(cJSON_GetObjectItemCaseSensitive(payload, "keys"), "ed25519");
    if (!alg || strcmp(alg, MEGOLM_ALGORITHM) != 0 || !room_id || !session_id || !session_key || !claimed_ed)
        return;
    tend_olm_inbound_group *g = NULL;
    char *sid = NULL, *pickle = NULL;
    if (tend_olm_inbound_group_new(session_key, &g) != TEND_OLM_OK ||
        tend_olm_inbound_group_session_id(g, &sid) != TEND_OLM_OK || strcmp(sid, session_id) != 0) {
        tend_log(TEND_LOG_WARN, "matrix", "a room key from %s does not hold the session it names; ignored", sender);
        goto out;
    }
    char id[1024];
    inbound_id(id, sizeof id, room_id, sender_key, session_id);
    char *before = NULL;
    if (tend_host_crypto_get(mx->base.host, "inbound", id, &before) == 0) {
        /* a key we hold from an earlier index is the better one: keep it */
        cJSON *old = cJSON_Parse(before);
        free(before);
        tend_olm_inbound_group *og = NULL;
        bool keep = str(old, "p") && tend_olm_inbound_group_unpickle(str(old, "p"), mx->e2ee->pickle_key, &og) ==
                                         TEND_OLM_OK &&
                    tend_olm_inbound_group_first_known_index(og) <= tend_olm_inbound_group_first_known_index(g);
        tend_olm_inbound_group_free(og);
        cJSON_Delete(old);
        if (keep)
            goto out;
    }
    if (tend_olm_inbound_group_pickle(g, mx->e2ee->pickle_key, &pickle) != TEND_OLM_OK)
        goto out;
    cJSON *row = cJSON_CreateObject();
    cJSON_AddStringToObject(row, "p", pickle);
    cJSON_AddStringToObject(row, "s", sender);
    cJSON_AddStringToObject(row, "e", claimed_ed);
    char *text = cJSON_PrintUnformatted(row);
    cJSON_Delete(row);
    if (text && tend_host_crypto_put(mx->base.host, "inbound", id, text) == 0)
        tend_log(TEND_LOG_DEBUG, "matrix", "room key for %s from %s kept", room_id, sender);
    free(text);
out:
    tend_olm_free_string(sid);
    tend_olm_free_string(pickle);
    tend_olm_inbound_group_free(g);
}

/* ---------------------------------------------------------------- withheld keys */

/* e->withheld's name for a session withheld by sender: the room, the sender's device key and the
 * session (inbound_id), then who said it, so one member cannot speak for another's session. */
static void withheld_id(char *out, size_t len, const char *room_id, const char *sender_key, const char *session_id,
                        const char *sender)
{
    snprintf(out, len, "%s|%s|%s|%s", room_id, sender_key, session_id, sender);
}

static bool is_withheld(tend_matrix *mx, const char *room_id, const char *sender, const char *sender_key,
                        const char *session_id)
{
    if (!mx->e2ee->withheld || !room_id || !sender || !sender_key || !session_id)
        return false;
    char id[1280];
    withheld_id(id, sizeof id, room_id, sender_key, session_id, sender);
    return cJSON_GetObjectItemCaseSensitive(mx->e2ee->withheld, id) != NULL;
}

/* The held event's session was withheld by the event's own sender. */
static bool held_withheld(tend_matrix *mx, const struct tend_matrix_held *h)
{
    const cJSON *content = cJSON_GetObjectItemCaseSensitive(h->ev, "content");
    return is_withheld(mx, h->room_id, str(h->ev, "sender"), str(content, "sender_key"), str(content, "session_id"));
}

void tend_matrix_e2ee_withheld(tend_matrix *mx, const char *sender, const cJSON *content)
{
    struct tend_matrix_e2ee *e = mx->e2ee;
    const char *alg = str(content, "algorithm"), *code = str(content, "code"), *room_id = str(content, "room_id");
    const char *sender_key = str(content, "sender_key"), *session_id = str(content, "session_id");
    if (!e || !sender || !alg || strcmp(alg, MEGOLM_ALGORITHM) != 0 || !code || !room_id || !sender_key ||
        !session_id || strcmp(code, "m.unavailable") == 0 || strcmp(code, "m.no_olm") == 0)
        return;
    char id[1280];
    withheld_id(id, sizeof id, room_id, sender_key, session_id, sender);
    if (!e->withheld)
        e->withheld = cJSON_CreateObject();
    if (!e->withheld || cJSON_GetObjectItemCaseSensitive(e->withheld, id))
        return;
    if (cJSON_GetArraySize(e->withheld) >= WITHHELD_MAX)
        cJSON_Delete(cJSON_DetachItemViaPointer(e->withheld, e->withheld->child));
    cJSON_AddTrueToObject(e->withheld, id);
    tend_log(TEND_LOG_INFO, "matrix", "%s withholds a room key in %s (%s)", sender, room_id, code);
}

/* ---------------------------------------------------------------- key requests */

static void on_request_sent(const tend_http_response *res, void *ud)
{
    (void)ud;
    if (res->status != 200)
        tend_log(TEND_LOG_INFO, "matrix", "a room key request was not sent (HTTP %ld)", res->status);
}

/* Asks the sender's devices (and the bot's own) for a key, once per session. */
static void request_key(tend_matrix *mx, const char *room_id, const char *sender, const char *sender_key,
                        const char *session_id)
{
    struct tend_matrix_e2ee *e = mx->e2ee;
    if (!e->asked)
        e->asked = cJSON_CreateObject();
    if (!e->asked || cJSON_GetObjectItemCaseSensitive(e->asked, session_id) ||
        is_withheld(mx, room_id, sender, sender_key, session_id))
        return;
    cJSON_AddTrueToObject(e->asked, session_id);
    char request_id[64];
    snprintf(request_id, sizeof request_id, "tendkr%" PRId64 "-%" PRIu64, mx->txn_epoch_ms, ++e->txn_counter);
    cJSON *body = cJSON_CreateObject();
    cJSON *req = cJSON_CreateObject();
    cJSON_AddStringToObject(req, "action", "request");
    cJSON *b = cJSON_AddObjectToObject(req, "body");
    cJSON_AddStringToObject(b, "algorithm", MEGOLM_ALGORITHM);
    cJSON_AddStringToObject(b, "room_id", room_id);
    cJSON_AddStringToObject(b, "sender_key", sender_key);
    cJSON_AddStringToObject(b, "session_id", session_id);
    cJSON_AddStringToObject(req, "request_id", request_id);
    cJSON_AddStringToObject(req, "requesting_device_id", mx->device_id);
    cJSON *messages = cJSON_AddObjectToObject(body, "messages");
    cJSON_AddItemToObject(cJSON_AddObjectToObject(messages, sender), "*", req);
    char *text = cJSON_PrintUnformatted(body);
    cJSON_Delete(body);
    char path[256];
    snprintf(path, sizeof path, "/sendToDevice/m.room_key_request/%s", request_id);
    char *url = tend_matrix_url(mx, path);
    if (text && url)
        tend_matrix_request(mx, "PUT", url, text, 30000, on_request_sent, NULL);
    free(text);
    free(url);
}

/* ---------------------------------------------------------------- one event */

/* The same (session, index) seen under another event id is a replay. The store remembers each pair
 * (tend_store_megolm_seen); a failing store refuses rather than risk running a replay. */
static bool replayed(tend_matrix *mx, const char *session_id, uint32_t index, const char *event_id)
{
    int rc = tend_host_megolm_seen(mx->base.host, session_id, index, event_id);
    if (rc < 0)
        tend_log(TEND_LOG_WARN, "matrix", "could not check an encrypted event against replays; ignored");
    return rc != 0;
}

/* How long a (session, index) pair is kept: 7 days. Safe because a pruned pair still counts as
 * seen: the prune raises its session's floor to the highest index it forgets, and an index at or
 * below the floor with no row is refused. So no ciphertext, however old, runs twice. What the
 * retention bounds is how late a message never seen before may come below the floor and still
 * run: Megolm's index grows with each message of a session, so that is a message that reached
 * tend more than 7 days after a later one of its sender. Nothing legitimate is that late: held
 * events are given up after a minute, a gap is read back in order, and the app forgets event ids
 * after the same 7 days (seen_events), so a /sync that gives an event again after that is refused
 * here rather than run twice. Pruned at start and once a day, never per event. */
#define REPLAY_KEEP_S (7LL * 24 * 3600)
#define PRUNE_EVERY_MS (24LL * 3600 * 1000)

void tend_matrix_e2ee_prune_replays(tend_matrix *mx)
{
    struct tend_matrix_e2ee *e = mx->e2ee;
    int64_t now = tend_matrix_now_ms();
    if (!e || (e->replays_pruned && now - e->replays_pruned_ms < PRUNE_EVERY_MS))
        return;
    e->replays_pruned = true;
    e->replays_pruned_ms = now;
    int removed = 0;
    if (tend_host_megolm_prune(mx->base.host, REPLAY_KEEP_S, &removed) != 0)
        tend_log(TEND_LOG_WARN, "matrix", "could not prune the replay guard; trying again tomorrow");
    else if (removed > 0)
        tend_log(TEND_LOG_INFO, "matrix", "pruned %d replay guard rows older than %lld days", removed,
                 REPLAY_KEEP_S / 86400);
}

static outcome try_event(tend_matrix *mx, const char *room_id, const cJSON *ev)
{
    struct tend_matrix_e2ee *e = mx->e2ee;
    const cJSON *content = cJSON_GetObjectItemCaseSensitive(ev, "content");
    const char *sender = str(ev, "sender"), *event_id = str(ev, "event_id");
    const char *alg = str(content, "algorithm"), *sender_key = str(content, "sender_key");
    const char *session_id = str(content, "session_id"), *ciphertext = str(content, "ciphertext");
    if (!sender || !event_id || !alg || strcmp(alg, MEGOLM_ALGORITHM) != 0 || !sender_key || !session_id ||
        !ciphertext)
        return DONE; /* not something any key would open */
    char id[1024];
    inbound_id(id, sizeof id, room_id, sender_key, session_id);
    char *row_text = NULL;
    if (tend_host_crypto_get(mx->base.host, "inbound", id, &row_text) != 0) {
        request_key(mx, room_id, sender, sender_key, session_id);
        return WAIT;
    }
    cJSON *row = cJSON_Parse(row_text);
    free(row_text);
    outcome result = DONE;
    tend_olm_inbound_group *g = NULL;
    char *plain = NULL;
    size_t len = 0;
    uint32_t index = 0;
    const char *key_sender = str(row, "s"), *claimed_ed = str(row, "e");
    if (!key_sender || strcmp(key_sender, sender) != 0) {
        tend_log(TEND_LOG_WARN, "matrix", "an encrypted event in %s uses a key %s did not send; ignored", room_id,
                 sender);
        goto out;
    }
    tend_matrix_e2ee_track(mx, sender);
    if (!tend_matrix_e2ee_devices_fresh(mx, sender)) {
        tend_matrix_e2ee_query(mx);
        result = WAIT;
        goto out;
    }
    const cJSON *dev = tend_matrix_e2ee_device_by_curve(mx, sender, sender_key, NULL);
    if (!dev || !claimed_ed || strcmp(str(dev, "e") ? str(dev, "e") : "", claimed_ed) != 0) {
        tend_log(TEND_LOG_WARN, "matrix", "an encrypted event in %s comes from no device %s has (signed); "
                 "ignored", room_id, sender);
        goto out;
    }
    tend_olm_error err = tend_olm_inbound_group_unpickle(str(row, "p"), e->pickle_key, &g);
    if (err == TEND_OLM_OK)
        err = tend_olm_inbound_group_decrypt(g, ciphertext, &plain, &len, &index);
    if (err == TEND_OLM_ERR_UNKNOWN_INDEX) {
        request_key(mx, room_id, sender, sender_key, session_id); /* a key from an earlier index may come */
        result = WAIT;
        goto out;
    }
    if (err != TEND_OLM_OK) {
        tend_log(TEND_LOG_WARN, "matrix", "an encrypted event in %s does not decrypt: %s", room_id,
                 tend_olm_strerror(err));
        goto out;
    }
    if (replayed(mx, session_id, index, event_id)) {
        tend_log(TEND_LOG_WARN, "matrix", "an encrypted event in %s repeats another's message; ignored", room_id);
        goto out;
    }
    cJSON *payload = cJSON_ParseWithLength(plain, len);
    const char *p_room = str(payload, "room_id"), *p_type = str(payload, "type");
    const cJSON *p_content = cJSON_GetObjectItemCaseSensitive(payload, "content");
    if (!p_room || strcmp(p_room, room_id) != 0 || !p_type || !cJSON_IsObject(p_content)) {
        tend_log(TEND_LOG_WARN, "matrix", "an encrypted event in %s was meant for another room; ignored", room_id);
    } else {
        cJSON *clear = cJSON_Duplicate(ev, 1);
        cJSON_ReplaceItemInObjectCaseSensitive(clear, "type", cJSON_CreateString(p_type));
        cJSON *inner = cJSON_Duplicate(p_content, 1);
        /* a relation travels in clear beside the ciphertext (the server aggregates reactions) */
        const cJSON *rel = cJSON_GetObjectItemCaseSensitive(content, "m.relates_to");
        if (inner && rel && !cJSON_GetObjectItemCaseSensitive(inner, "m.relates_to"))
            cJSON_AddItemToObject(inner, "m.relates_to", cJSON_Duplicate(rel, 1));
        cJSON_ReplaceItemInObjectCaseSensitive(clear, "content", inner);
        tend_log(TEND_LOG_DEBUG, "matrix", "decrypted a %s in %s (message %" PRIu32 ")", p_type, room_id, index);
        tend_matrix_handle_decrypted(mx, room_id, clear);
        cJSON_Delete(clear);
    }
    cJSON_Delete(payload);
out:
    if (plain) {
        explicit_bzero(plain, len);
        tend_olm_free_string(plain);
    }
    tend_olm_inbound_group_free(g);
    cJSON_Delete(row);
    return result;
}

/* ---------------------------------------------------------------- held events */

/* Held events are kept in the store too (their ciphertext, never a plaintext), so one held when
 * tend stops is tried again, or noticed, after the restart rather than lost. */
static int64_t wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void keep_held(tend_matrix *mx, const struct tend_matrix_held *h)
{
    cJSON *row = cJSON_CreateObject();
    cJSON_AddStringToObject(row, "room", h->room_id);
    /* the hold's clock is monotonic; across a restart only the wall clock says how long it was */
    cJSON_AddNumberToObject(row, "since", (double)(wall_ms() - (tend_matrix_now_ms() - h->since_ms)));
    cJSON_AddItemToObject(row, "ev", cJSON_Duplicate(h->ev, 1));
    char *text = cJSON_PrintUnformatted(row);
    cJSON_Delete(row);
    if (text)
        tend_host_crypto_put(mx->base.host, "held", str(h->ev, "event_id"), text);
    free(text);
}

static void release(tend_matrix *mx, struct tend_matrix_held *h)
{
    tend_host_crypto_remove(mx->base.host, "held", str(h->ev, "event_id"));
    free(h->room_id);
    cJSON_Delete(h->ev);
    free(h);
}

static void hold(tend_matrix *mx, const char *room_id, const cJSON *ev)
{
    struct tend_matrix_e2ee *e = mx->e2ee;
    size_t n = 0;
    struct tend_matrix_held **tail = &e->held;
    while (*tail) {
        if (strcmp(str((*tail)->ev, "event_id"), str(ev, "event_id")) == 0)
            return; /* a sync replayed it: held once */
        tail = &(*tail)->next, n++;
    }
    struct tend_matrix_held *h = calloc(1, sizeof *h);
    if (!h || !(h->room_id = strdup(room_id)) || !(h->ev = cJSON_Duplicate(ev, 1))) {
        if (h)
            free(h->room_id);
        free(h);
        tend_matrix_send_notice(mx, room_id, MSG_MATRIX_UNDECRYPTABLE);
        return;
    }
    h->since_ms = tend_matrix_now_ms();
    if (n >= HELD_MAX)
        e->held->since_ms = 0; /* the oldest is given up on the next pass */
    *tail = h;
    keep_held(mx, h);
}

static int load_one(const char *id, const char *text, void *ud)
{
    tend_matrix *mx = ud;
    (void)id;
    cJSON *row = cJSON_Parse(text);
    const cJSON *since = cJSON_GetObjectItemCaseSensitive(row, "since");
    const cJSON *ev = cJSON_GetObjectItemCaseSensitive(row, "ev");
    struct tend_matrix_held *h = str(row, "room") && cJSON_IsNumber(since) && str(ev, "event_id")
                                     ? calloc(1, sizeof *h)
                                     : NULL;
    if (h && (h->room_id = strdup(str(row, "room"))) && (h->ev = cJSON_Duplicate(ev, 1))) {
        int64_t age = wall_ms() - (int64_t)since->valuedouble;
        h->since_ms = tend_matrix_now_ms() - (age > 0 ? age : 0);
        struct tend_matrix_held **tail = &mx->e2ee->held;
        while (*tail)
            tail = &(*tail)->next;
        *tail = h;
    } else if (h) {
        free(h->room_id);
        free(h);
    }
    cJSON_Delete(row);
    return 0;
}

void tend_matrix_e2ee_held_load(tend_matrix *mx)
{
    tend_host_crypto_each(mx->base.host, "held", "", load_one, mx);
}

int tend_matrix_e2ee_room_event(tend_matrix *mx, const char *room_id, const cJSON *ev)
{
    if (!mx->e2ee)
        return -1;
    if (try_event(mx, room_id, ev) == WAIT) {
        tend_log(TEND_LOG_DEBUG, "matrix", "an encrypted event in %s waits for its key or its sender's devices",
                 room_id);
        hold(mx, room_id, ev);
    }
    return 0;
}

void tend_matrix_e2ee_retry_held(tend_matrix *mx)
{
    struct tend_matrix_e2ee *e = mx->e2ee;
    if (!e)
        return;
    struct tend_matrix_held *list = e->held, *keep = NULL, **keep_tail = &keep;
    e->held = NULL;
    char told[MX_KEY_MAX] = "";
    int64_t now = tend_matrix_now_ms();
    while (list) {
        struct tend_matrix_held *h = list;
        list = h->next;
        h->next = NULL;
        outcome r = try_event(mx, h->room_id, h->ev);
        bool withheld = r == WAIT && held_withheld(mx, h);
        if (r == WAIT && now - h->since_ms < HOLD_MS && !withheld) {
            *keep_tail = h;
            keep_tail = &h->next;
            continue;
        }
        if (r == WAIT) {
            /* given up: said once per room for the events given up together, never silently */
            if (withheld)
                tend_log(TEND_LOG_WARN, "matrix", "the key of an encrypted event in %s was withheld by its "
                         "sender", h->room_id);
            else
                tend_log(TEND_LOG_WARN, "matrix", "no key came for an encrypted event in %s within %d s",
                         h->room_id, HOLD_MS / 1000);
            if (strcmp(told, h->room_id) != 0)
                tend_matrix_send_notice(mx, h->room_id, MSG_MATRIX_UNDECRYPTABLE);
            snprintf(told, sizeof told, "%s", h->room_id);
        }
        release(mx, h);
    }
    /* events held by try_event's own callbacks meanwhile (none today) go after the kept ones */
    *keep_tail = e->held;
    e->held = keep;
}

void tend_matrix_e2ee_held_free(tend_matrix *mx)
{
    struct tend_matrix_held *h = mx->e2ee ? mx->e2ee->held : NULL;
    while (h) {
        struct tend_matrix_held *next = h->next;
        free(h->room_id);
        cJSON_Delete(h->ev);
        free(h);
        h = next;
    }
    if (mx->e2ee) {
        mx->e2ee->held = NULL;
        cJSON_Delete(mx->e2ee->asked);
        mx->e2ee->asked = NULL;
        cJSON_Delete(mx->e2ee->withheld);
        mx->e2ee->withheld = NULL;
    }
}
#endif
