/*
 * e2ee_out.c — the bot's messages in an encrypted room, encrypted with one outbound Megolm session
 * per room, whose key goes over Olm to every device of every joined (and invited) member first.
 *
 * send.c asks tend_matrix_e2ee_encrypt for each event when its turn comes; while members' devices
 * are being learned (/keys/query), Olm sessions made (/keys/claim) or the key sent (to-device
 * m.room.encrypted), the room's queue waits and is resumed (tend_matrix_send_resume). The session
 * is saved after every message it encrypts, before the message leaves: a crash never makes it
 * encrypt two messages at one index. It is replaced when the room's m.room.encryption says
 * (rotation_period_ms, rotation_period_msgs) and whenever a member leaves, so a leaver cannot
 * read what follows; likewise when /keys/query no longer lists a device the session went to (a
 * device signed out, or removed because it was lost: whoever holds it must not read on). A device
 * that has no one-time key left to claim is skipped until the next session (logged).
 */
#ifdef TEND_HAVE_E2EE
#include "adapters/matrix/e2ee_state.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adapters/host_crypto.h"
#include "lib/log.h"

#define MEGOLM_ALGORITHM "m.megolm.v1.aes-sha2"
#define DEFAULT_ROTATION_MS (7LL * 24 * 3600 * 1000) /* the spec's defaults */
#define DEFAULT_ROTATION_MSGS 100

struct tend_matrix_outbound {
    char *room_id;
    tend_olm_outbound_group *session;
    int64_t created_ms;
    cJSON *shared;  /* {"@user": {"DEVICE": true (has the key) | false (unreachable)}} */
    cJSON *claiming; /* the devices a /keys/claim is out for, or NULL */
    bool busy;      /* a claim or a to-device send is in flight */
    bool waiting;   /* the room's queue waits for this session */
    bool rotate;    /* a member left: the next message starts a new session */
    struct tend_matrix_outbound *next;
};

static const char *str(const cJSON *obj, const char *name)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, name);
    return cJSON_IsString(it) ? it->valuestring : NULL;
}

/* ---------------------------------------------------------------- the session and its row */

static int save(tend_matrix *mx, struct tend_matrix_outbound *ob)
{
    char *pickle = NULL;
    int rc = -1;
    if (tend_olm_outbound_group_pickle(ob->session, mx->e2ee->pickle_key, &pickle) == TEND_OLM_OK) {
        cJSON *row = cJSON_CreateObject();
        cJSON_AddStringToObject(row, "p", pickle);
        cJSON_AddNumberToObject(row, "t", (double)ob->created_ms);
        cJSON_AddItemToObject(row, "shared", cJSON_Duplicate(ob->shared, 1));
        char *text = cJSON_PrintUnformatted(row);
        cJSON_Delete(row);
        rc = text ? tend_host_crypto_put(mx->base.host, "outbound", ob->room_id, text) : -1;
        free(text);
    }
    tend_olm_free_string(pickle);
    if (rc != 0)
        tend_log(TEND_LOG_WARN, "matrix", "could not save the room key of %s", ob->room_id);
    return rc;
}

static int fresh_session(tend_matrix *mx, struct tend_matrix_outbound *ob)
{
    tend_olm_outbound_group_free(ob->session);
    ob->session = NULL;
    cJSON_Delete(ob->shared);
    ob->shared = cJSON_CreateObject();
    ob->created_ms = tend_matrix_now_ms();
    ob->rotate = false;
    if (tend_olm_outbound_group_new(&ob->session) != TEND_OLM_OK || !ob->shared)
        return -1;
    tend_log(TEND_LOG_DEBUG, "matrix", "new room key for %s", ob->room_id);
    return save(mx, ob);
}

static struct tend_matrix_outbound *outbound_get(tend_matrix *mx, const char *room_id)
{
    struct tend_matrix_e2ee *e = mx->e2ee;
    for (struct tend_matrix_outbound *ob = e->outbound; ob; ob = ob->next)
        if (strcmp(ob->room_id, room_id) == 0)
            return ob;
    struct tend_matrix_outbound *ob = calloc(1, sizeof *ob);
    if (!ob || !(ob->room_id = strdup(room_id))) {
        free(ob);
        return NULL;
    }
    ob->next = e->outbound;
    e->outbound = ob;
    char *text = NULL;
    if (tend_host_crypto_get(mx->base.host, "outbound", room_id, &text) == 0) {
        cJSON *row = cJSON_Parse(text);
        const cJSON *t = cJSON_GetObjectItemCaseSensitive(row, "t");
        const cJSON *shared = cJSON_GetObjectItemCaseSensitive(row, "shared");
        if (str(row, "p") && cJSON_IsNumber(t) && cJSON_IsObject(shared) &&
            tend_olm_outbound_group_unpickle(str(row, "p"), e->pickle_key, &ob->session) == TEND_OLM_OK) {
            ob->created_ms = (int64_t)t->valuedouble;
            ob->shared = cJSON_Duplicate(shared, 1);
        }
        cJSON_Delete(row);
        free(text);
    }
    if (!ob->session && fresh_session(mx, ob) != 0)
        ob->rotate = true; /* tried again on the next message */
    return ob;
}

static bool due(const tend_matrix_room *room, const struct tend_matrix_outbound *ob)
{
    const cJSON *enc = room ? room->encryption : NULL;
    const cJSON *ms = cJSON_GetObjectItemCaseSensitive(enc, "rotation_period_ms");
    const cJSON *msgs = cJSON_GetObjectItemCaseSensitive(enc, "rotation_period_msgs");
    int64_t period = cJSON_IsNumber(ms) && ms->valuedouble >= 1 ? (int64_t)ms->valuedouble : DEFAULT_ROTATION_MS;
    double count = cJSON_IsNumber(msgs) && msgs->valuedouble >= 1 ? msgs->valuedouble : DEFAULT_ROTATION_MSGS;
    return ob->rotate || !ob->session || tend_matrix_now_ms() - ob->created_ms >= period ||
           tend_olm_outbound_group_message_index(ob->session) >= count;
}

/* ---------------------------------------------------------------- sharing the key */

static void resume(tend_matrix *mx, struct tend_matrix_outbound *ob)
{
    if (ob->waiting) {
        ob->waiting = false;
        tend_matrix_send_resume(mx, ob->room_id);
    }
}

typedef struct {
    tend_matrix *mx;
    char *room_id;
    cJSON *sent; /* {"@user": {"DEVICE": true}} */
} share_call;

static struct tend_matrix_outbound *find(tend_matrix *mx, const char *room_id)
{
    for (struct tend_matrix_outbound *ob = mx->e2ee ? mx->e2ee->outbound : NULL; ob; ob = ob->next)
        if (strcmp(ob->room_id, room_id) == 0)
            return ob;
    return NULL;
}

static void mark(cJSON *shared, const char *user, const char *device, bool value)
{
    cJSON *u = cJSON_GetObjectItemCaseSensitive(shared, user);
    if (!u)
        u = cJSON_AddObjectToObject(shared, user);
    if (cJSON_GetObjectItemCaseSensitive(u, device))
        cJSON_ReplaceItemInObjectCaseSensitive(u, device, cJSON_CreateBool(value));
    else
        cJSON_AddBoolToObject(u, device, value);
}

static void on_shared(const tend_http_response *res, void *ud)
{
    share_call *c = ud;
    struct tend_matrix_outbound *ob = find(c->mx, c->room_id);
    if (ob) {
        ob->busy = false;
        if (res->status == 200) {
            const cJSON *u;
            cJSON_ArrayForEach(u, c->sent) {
                const cJSON *d;
                cJSON_ArrayForEach(d, u) {
                    mark(ob->shared, u->string, d->string, true);
                }
            }
            save(c->mx, ob);
        } else {
            tend_log(TEND_LOG_WARN, "matrix", "could not send the room key of %s (HTTP %ld); trying again",
                     c->room_id, res->status);
        }
        resume(c->mx, ob);
    }
    cJSON_Delete(c->sent);
    free(c->room_id);
    free(c);
}

static void on_claimed(tend_matrix *mx, void *ud)
{
    char *room_id = ud;
    struct tend_matrix_outbound *ob = find(mx, room_id);
    free(room_id);
    if (!ob)
        return;
    ob->busy = false;
    /* a device still without a session had no key to claim: skipped until the next session */
    const cJSON *u;
    cJSON_ArrayForEach(u, ob->claiming) {
        const cJSON *d;
        cJSON_ArrayForEach(d, u) {
            const cJSON *dev = cJSON_GetObjectItemCaseSensitive(tend_matrix_e2ee_devices(mx, u->string), d->string);
            if (!str(dev, "c") || !tend_matrix_olm_has_session(mx, str(dev, "c"))) {
                tend_log(TEND_LOG_WARN, "matrix", "device %s of %s has no one-time key left; it cannot read "
                         "the bot in %s until the room key changes", d->string, u->string, ob->room_id);
                mark(ob->shared, u->string, d->string, false);
            }
        }
    }
    cJSON_Delete(ob->claiming);
    ob->claiming = NULL;
    resume(mx, ob);
}

/* The members whose devices get the room key: joined and invited, but the bot. */
static void members_of(const tend_matrix_room *room, const char *bot, cJSON *out)
{
    const cJSON *lists[2] = {room ? room->names : NULL, room ? room->invited : NULL};
    for (int i = 0; i < 2; i++) {
        const cJSON *m;
        cJSON_ArrayForEach(m, lists[i]) {
            if (strcmp(m->string, bot) != 0 && !cJSON_GetObjectItemCaseSensitive(out, m->string))
                cJSON_AddTrueToObject(out, m->string);
        }
    }
}

typedef enum { READY, PENDING, FAILED } progress;

/* Moves the session's sharing one step on: READY when every member's device has its key. */
static progress share(tend_matrix *mx, struct tend_matrix_outbound *ob, const tend_matrix_room *room)
{
    struct tend_matrix_e2ee *e = mx->e2ee;
    if (ob->busy)
        return PENDING;
    cJSON *members = cJSON_CreateObject();
    members_of(room, mx->user_id, members);
    bool stale = false;
    const cJSON *m;
    cJSON_ArrayForEach(m, members) {
        tend_matrix_e2ee_track(mx, m->string);
        if (!tend_matrix_e2ee_devices_fresh(mx, m->string))
            stale = true;
    }
    if (stale) {
        cJSON_Delete(members);
        tend_matrix_e2ee_query(mx);
        return e->querying ? PENDING : FAILED;
    }
    cJSON *claim = cJSON_CreateObject(), *messages = cJSON_CreateObject(), *sent = cJSON_CreateObject();
    bool any_claim = false, any_send = false, failed = false;
    char *session_id = NULL, *session_key = NULL;
    if (tend_olm_outbound_group_session_id(ob->session, &session_id) != TEND_OLM_OK ||
        tend_olm_outbound_group_session_key(ob->session, &session_key) != TEND_OLM_OK)
        failed = true;
    cJSON *key = cJSON_CreateObject();
    cJSON_AddStringToObject(key, "algorithm", MEGOLM_ALGORITHM);
    cJSON_AddStringToObject(key, "room_id", ob->room_id);
    cJSON_AddStringToObject(key, "session_id", session_id ? session_id : "");
    cJSON_AddStringToObject(key, "session_key", session_key ? session_key : "");
    const cJSON *to = failed ? NULL : members;
    cJSON_ArrayForEach(m, to) {
        const cJSON *had = cJSON_GetObjectItemCaseSensitive(ob->shared, m->string);
        const cJSON *d;
        cJSON_ArrayForEach(d, tend_matrix_e2ee_devices(mx, m->string)) {
            if (cJSON_GetObjectItemCaseSensitive(had, d->string))
                continue; /* has it, or was found unreachable */
            const char *curve = str(d, "c"), *ed = str(d, "e");
            if (!tend_matrix_olm_has_session(mx, curve)) {
                cJSON *u = cJSON_GetObjectItemCaseSensitive(claim, m->string);
                cJSON_AddTrueToObject(u ? u : cJSON_AddObjectToObject(claim, m->string), d->string);
                any_claim = true;
                continue;
            }
            cJSON *msg = tend_matrix_olm_encrypt(mx, m->string, d->string, curve, ed, "m.room_key", key);
            if (!msg)
                continue;
            cJSON *u = cJSON_GetObjectItemCaseSensitive(messages, m->string);
            cJSON_AddItemToObject(u ? u : cJSON_AddObjectToObject(messages, m->string), d->string, msg);
            cJSON *su = cJSON_GetObjectItemCaseSensitive(sent, m->string);
            cJSON_AddTrueToObject(su ? su : cJSON_AddObjectToObject(sent, m->string), d->string);
            any_send = true;
        }
    }
    /* the session key is a secret: its copies are zeroed before they are freed */
    cJSON *sk = cJSON_GetObjectItemCaseSensitive(key, "session_key");
    if (cJSON_IsString(sk))
        explicit_bzero(sk->valuestring, strlen(sk->valuestring));
    cJSON_Delete(key);
    tend_olm_free_string(session_id);
    tend_olm_free_string(session_key);
    cJSON_Delete(members);
    progress result = failed ? FAILED : READY;
    if (!failed && any_send) {
        /* first the devices that have sessions; the claimed ones follow on the next step */
        cJSON *body = cJSON_CreateObject();
        cJSON_AddItemToObject(body, "messages", messages);
        messages = NULL;
        char *text = cJSON_PrintUnformatted(body);
        cJSON_Delete(body);
        char path[128];
        snprintf(path, sizeof path, "/sendToDevice/m.room.encrypted/tendkey%" PRId64 "-%" PRIu64, mx->txn_epoch_ms,
                 ++e->txn_counter);
        char *url = tend_matrix_url(mx, path);
        share_call *c = calloc(1, sizeof *c);
        if (c && text && url && (c->room_id = strdup(ob->room_id))) {
            c->mx = mx;
            c->sent = sent;
            sent = NULL;
            if (tend_matrix_request(mx, "PUT", url, text, 30000, on_shared, c) == 0) {
                ob->busy = true;
                c = NULL;
                result = PENDING;
            } else {
                sent = c->sent;
            }
        }
        if (c) {
            free(c->room_id);
            free(c);
            result = FAILED;
        }
        free(url);
        if (text) {
            explicit_bzero(text, strlen(text));
            free(text);
        }
    } else if (!failed && any_claim) {
        char *room_id = strdup(ob->room_id);
        if (room_id && tend_matrix_olm_claim(mx, claim, on_claimed, room_id) == 0) {
            ob->claiming = claim;
            claim = NULL;
            ob->busy = true;
            result = PENDING;
        } else {
            free(room_id);
            result = FAILED;
        }
    }
    cJSON_Delete(claim);
    cJSON_Delete(messages);
    cJSON_Delete(sent);
    return result;
}

/* ---------------------------------------------------------------- the adapter's calls */

bool tend_matrix_e2ee_room_needs(tend_matrix *mx, const char *room_id)
{
    const tend_matrix_room *room = tend_matrix_room_get(mx, room_id, false);
    return room && room->encrypted && mx->e2ee;
}

int tend_matrix_e2ee_encrypt(tend_matrix *mx, const char *room_id, char **type, char **content)
{
    if (!mx->e2ee)
        return -1;
    const tend_matrix_room *room = tend_matrix_room_get(mx, room_id, false);
    struct tend_matrix_outbound *ob = outbound_get(mx, room_id);
    if (!ob)
        return -1;
    if (!ob->busy && due(room, ob) && fresh_session(mx, ob) != 0)
        return -1;
    progress p = share(mx, ob, room);
    if (p != READY) {
        ob->waiting = p == PENDING;
        return p == PENDING ? 1 : -1;
    }
    cJSON *inner = cJSON_Parse(*content);
    if (!inner)
        return -1;
    cJSON *plain = cJSON_CreateObject();
    cJSON_AddStringToObject(plain, "type", *type);
    cJSON_AddItemToObject(plain, "content", cJSON_Duplicate(inner, 1));
    cJSON_AddStringToObject(plain, "room_id", room_id);
    char *text = cJSON_PrintUnformatted(plain);
    cJSON_Delete(plain);
    char *ciphertext = NULL, *session_id = NULL;
    int rc = -1;
    if (text &&
        tend_olm_outbound_group_encrypt(ob->session, (const uint8_t *)text, strlen(text), &ciphertext) ==
            TEND_OLM_OK &&
        tend_olm_outbound_group_session_id(ob->session, &session_id) == TEND_OLM_OK && save(mx, ob) == 0) {
        cJSON *out = cJSON_CreateObject();
        cJSON_AddStringToObject(out, "algorithm", MEGOLM_ALGORITHM);
        cJSON_AddStringToObject(out, "sender_key", mx->e2ee->curve25519);
        cJSON_AddStringToObject(out, "ciphertext", ciphertext);
        cJSON_AddStringToObject(out, "session_id", session_id);
        cJSON_AddStringToObject(out, "device_id", mx->device_id);
        /* relations stay readable to the server, as clients send them (threads, replies, reactions) */
        const cJSON *rel = cJSON_GetObjectItemCaseSensitive(inner, "m.relates_to");
        if (rel)
            cJSON_AddItemToObject(out, "m.relates_to", cJSON_Duplicate(rel, 1));
        char *json = cJSON_PrintUnformatted(out);
        cJSON_Delete(out);
        char *enc_type = strdup("m.room.encrypted");
        if (json && enc_type) {
            free(*type);
            explicit_bzero(*content, strlen(*content)); /* a file's key, a member's words */
            free(*content);
            *type = enc_type;
            *content = json;
            rc = 0;
        } else {
            free(json);
            free(enc_type);
        }
    }
    if (text) {
        explicit_bzero(text, strlen(text));
        free(text);
    }
    tend_olm_free_string(ciphertext);
    tend_olm_free_string(session_id);
    cJSON_Delete(inner);
    return rc;
}

void tend_matrix_e2ee_share_resume(tend_matrix *mx)
{
    for (struct tend_matrix_outbound *ob = mx->e2ee ? mx->e2ee->outbound : NULL; ob; ob = ob->next)
        resume(mx, ob);
}

void tend_matrix_e2ee_rotate(tend_matrix *mx, const char *room_id)
{
    if (!mx->e2ee)
        return;
    /* the stored key goes at once, so a restart cannot bring it back */
    tend_host_crypto_remove(mx->base.host, "outbound", room_id);
    struct tend_matrix_outbound *ob = find(mx, room_id);
    if (ob)
        ob->rotate = true;
}

/* True when shared (a session's {"@user": {"DEVICE": had it}}) names a device that had the key and
 * that its user, whose device list is fresh, no longer has. */
static bool lost_device(tend_matrix *mx, const cJSON *shared)
{
    const cJSON *u;
    cJSON_ArrayForEach(u, shared) {
        if (!tend_matrix_e2ee_devices_fresh(mx, u->string))
            continue; /* not known yet, or no longer tracked (a member who left rotated already) */
        const cJSON *now = tend_matrix_e2ee_devices(mx, u->string);
        const cJSON *d;
        cJSON_ArrayForEach(d, u) {
            if (cJSON_IsTrue(d) && !cJSON_GetObjectItemCaseSensitive(now, d->string))
                return true;
        }
    }
    return false;
}

typedef struct {
    tend_matrix *mx;
    cJSON *rooms; /* [room_id]: stored sessions to replace */
} lost_walk;

static int stored_lost(const char *room_id, const char *text, void *ud)
{
    lost_walk *w = ud;
    if (find(w->mx, room_id))
        return 0; /* the one in memory is newer */
    cJSON *row = cJSON_Parse(text);
    if (lost_device(w->mx, cJSON_GetObjectItemCaseSensitive(row, "shared")))
        cJSON_AddItemToArray(w->rooms, cJSON_CreateString(room_id));
    cJSON_Delete(row);
    return 0;
}

void tend_matrix_e2ee_rotate_for_lost_devices(tend_matrix *mx)
{
    if (!mx->e2ee)
        return;
    /* sessions in memory, and those only in the store (not used since the start: a device removed
     * while tend was down shows here, on the first answer after the start) */
    lost_walk w = {mx, cJSON_CreateArray()};
    if (!w.rooms)
        return;
    for (struct tend_matrix_outbound *ob = mx->e2ee->outbound; ob; ob = ob->next)
        if (ob->session && !ob->rotate && lost_device(mx, ob->shared))
            cJSON_AddItemToArray(w.rooms, cJSON_CreateString(ob->room_id));
    tend_host_crypto_each(mx->base.host, "outbound", "", stored_lost, &w);
    const cJSON *r;
    cJSON_ArrayForEach(r, w.rooms) {
        tend_log(TEND_LOG_INFO, "matrix", "a device that had the room key of %s is gone; a new key follows",
                 r->valuestring);
        tend_matrix_e2ee_rotate(mx, r->valuestring);
    }
    cJSON_Delete(w.rooms);
}

void tend_matrix_e2ee_outbound_free(tend_matrix *mx)
{
    struct tend_matrix_outbound *ob = mx->e2ee ? mx->e2ee->outbound : NULL;
    while (ob) {
        struct tend_matrix_outbound *next = ob->next;
        tend_olm_outbound_group_free(ob->session);
        cJSON_Delete(ob->shared);
        cJSON_Delete(ob->claiming);
        free(ob->room_id);
        free(ob);
        ob = next;
    }
    if (mx->e2ee)
        mx->e2ee->outbound = NULL;
}
#endif
