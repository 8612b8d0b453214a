/*
 * e2ee_olm.c — Olm sessions with members' devices: to-device messages in and out (room keys).
 *
 * Sessions live in the store as pickles, one row per session ("olm", "<their curve25519>|<id>"),
 * unpickled for each message and saved after it (a decrypt or encrypt advances the ratchet). A
 * payload counts only when it says it is from the event's sender to this very device (recipient
 * and recipient_keys): an Olm message cannot be replayed to another device or user.
 */
#ifdef TEND_HAVE_E2EE
#include "adapters/matrix/e2ee_state.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adapters/host_crypto.h"
#include "lib/log.h"

#define OLM_ALGORITHM "m.olm.v1.curve25519-aes-sha2"

static const char *str(const cJSON *obj, const char *name)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, name);
    return cJSON_IsString(it) ? it->valuestring : NULL;
}

static int save_session(tend_matrix *mx, const char *curve, tend_olm_session *session)
{
    char *sid = NULL, *pickle = NULL;
    int rc = -1;
    if (tend_olm_session_id(session, &sid) == TEND_OLM_OK &&
        tend_olm_session_pickle(session, mx->e2ee->pickle_key, &pickle) == TEND_OLM_OK) {
        char id[512], key[MX_KEY_MAX + 16];
        snprintf(id, sizeof id, "%s|%s", curve, sid);
        rc = tend_host_crypto_put(mx->base.host, "olm", id, pickle);
        /* the session to encrypt with next: the one that last worked */
        snprintf(key, sizeof key, "olmlast:%s", curve);
        if (rc == 0)
            tend_host_state_set(mx->base.host, key, sid);
    }
    tend_olm_free_string(sid);
    tend_olm_free_string(pickle);
    if (rc != 0)
        tend_log(TEND_LOG_WARN, "matrix", "could not save an Olm session");
    return rc;
}

/* ---------------------------------------------------------------- decrypt */

typedef struct {
    tend_matrix *mx;
    const char *curve;
    int type;
    const char *body;
    const char *pre_key_id; /* the session a pre-key message names */
    char *plaintext;
    size_t len;
} attempt;

static int try_session(const char *id, const char *pickle, void *ud)
{
    attempt *a = ud;
    const char *sid = strchr(id, '|');
    if (!sid || (a->pre_key_id && strcmp(sid + 1, a->pre_key_id) != 0))
        return 0;
    tend_olm_session *s = NULL;
    if (tend_olm_session_unpickle(pickle, a->mx->e2ee->pickle_key, &s) != TEND_OLM_OK)
        return 0;
    if (tend_olm_session_decrypt(s, a->type, a->body, &a->plaintext, &a->len) == TEND_OLM_OK)
        save_session(a->mx, a->curve, s);
    tend_olm_session_free(s);
    return a->plaintext ? 1 : 0;
}

cJSON *tend_matrix_olm_decrypt(tend_matrix *mx, const cJSON *ev, const char **sender_key)
{
    struct tend_matrix_e2ee *e = mx->e2ee;
    const cJSON *content = cJSON_GetObjectItemCaseSensitive(ev, "content");
    const char *sender = str(ev, "sender");
    const char *alg = str(content, "algorithm");
    const char *curve = str(content, "sender_key");
    const cJSON *mine = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(content, "ciphertext"),
                                                         e->curve25519);
    const cJSON *type = cJSON_GetObjectItemCaseSensitive(mine, "type");
    const char *body = str(mine, "body");
    if (!sender || !alg || strcmp(alg, OLM_ALGORITHM) != 0 || !curve || !cJSON_IsNumber(type) || !body)
        return NULL;
    *sender_key = curve;
    attempt a = {.mx = mx, .curve = curve, .type = (int)type->valuedouble, .body = body};
    char *pre_key_id = NULL;
    if (a.type == TEND_OLM_MESSAGE_PRE_KEY && tend_olm_pre_key_session_id(body, &pre_key_id) != TEND_OLM_OK)
        return NULL;
    a.pre_key_id = pre_key_id;
    char prefix[256];
    snprintf(prefix, sizeof prefix, "%s|", curve);
    tend_host_crypto_each(mx->base.host, "olm", prefix, try_session, &a);
    if (!a.plaintext && a.type == TEND_OLM_MESSAGE_PRE_KEY) {
        tend_olm_session *s = NULL;
        tend_olm_error err = tend_olm_session_new_inbound(e->account, curve, body, &s, &a.plaintext, &a.len);
        if (err == TEND_OLM_OK) {
            tend_matrix_e2ee_save_account(mx); /* its one-time key is used up */
            save_session(mx, curve, s);
        } else {
            tend_log(TEND_LOG_INFO, "matrix", "an Olm message from %s could not start a session: %s", sender,
                     tend_olm_strerror(err));
        }
        tend_olm_session_free(s);
    }
    tend_olm_free_string(pre_key_id);
    if (!a.plaintext) {
        tend_log(TEND_LOG_INFO, "matrix", "could not decrypt an Olm message from %s", sender);
        return NULL;
    }
    cJSON *payload = cJSON_ParseWithLength(a.plaintext, a.len);
    tend_olm_free_string(a.plaintext);
    const char *p_sender = str(payload, "sender"), *p_recipient = str(payload, "recipient");
    const char *p_recipient_ed = str(cJSON_GetObjectItemCaseSensitive(payload, "recipient_keys"), "ed25519");
    if (!p_sender || strcmp(p_sender, sender) != 0 || !p_recipient || strcmp(p_recipient, mx->user_id) != 0 ||
        !p_recipient_ed || strcmp(p_recipient_ed, e->ed25519) != 0 || !str(payload, "type") ||
        !str(cJSON_GetObjectItemCaseSensitive(payload, "keys"), "ed25519")) {
        tend_log(TEND_LOG_WARN, "matrix", "an Olm message from %s was not addressed to this device; ignored", sender);
        cJSON_Delete(payload);
        return NULL;
    }
    return payload;
}

/* ---------------------------------------------------------------- encrypt */

typedef struct {
    const char *want; /* the session id to use, or NULL: the first */
    char *pickle;
} pick;

static int pick_session(const char *id, const char *pickle, void *ud)
{
    pick *p = ud;
    const char *sid = strchr(id, '|');
    if (p->want && (!sid || strcmp(sid + 1, p->want) != 0))
        return 0;
    p->pickle = strdup(pickle);
    return 1;
}

static char *session_pickle(tend_matrix *mx, const char *curve)
{
    char prefix[256], key[MX_KEY_MAX + 16], last[128];
    snprintf(prefix, sizeof prefix, "%s|", curve);
    snprintf(key, sizeof key, "olmlast:%s", curve);
    pick p = {.want = tend_host_state_get(mx->base.host, key, last, sizeof last) == 0 ? last : NULL};
    tend_host_crypto_each(mx->base.host, "olm", prefix, pick_session, &p);
    if (!p.pickle && p.want) {
        p.want = NULL;
        tend_host_crypto_each(mx->base.host, "olm", prefix, pick_session, &p);
    }
    return p.pickle;
}

bool tend_matrix_olm_has_session(tend_matrix *mx, const char *curve)
{
    char *p = session_pickle(mx, curve);
    free(p);
    return p != NULL;
}

cJSON *tend_matrix_olm_encrypt(tend_matrix *mx, const char *user_id, const char *device_id, const char *curve,
                               const char *ed25519, const char *type, const cJSON *content)
{
    struct tend_matrix_e2ee *e = mx->e2ee;
    (void)device_id;
    char *pickle = session_pickle(mx, curve);
    tend_olm_session *s = NULL;
    if (!pickle || tend_olm_session_unpickle(pickle, e->pickle_key, &s) != TEND_OLM_OK) {
        free(pickle);
        return NULL;
    }
    free(pickle);
    cJSON *payload = cJSON_CreateObject();
    cJSON_AddStringToObject(payload, "type", type);
    cJSON_AddItemToObject(payload, "content", cJSON_Duplicate(content, 1));
    cJSON_AddStringToObject(payload, "sender", mx->user_id);
    cJSON_AddStringToObject(payload, "sender_device", mx->device_id);
    cJSON_AddStringToObject(cJSON_AddObjectToObject(payload, "keys"), "ed25519", e->ed25519);
    cJSON_AddStringToObject(payload, "recipient", user_id);
    cJSON_AddStringToObject(cJSON_AddObjectToObject(payload, "recipient_keys"), "ed25519", ed25519);
    char *plain = cJSON_PrintUnformatted(payload);
    cJSON_Delete(payload);
    char *ciphertext = NULL;
    int mtype = 0;
    cJSON *out = NULL;
    if (plain && tend_olm_session_encrypt(s, (const uint8_t *)plain, strlen(plain), &mtype, &ciphertext) ==
                     TEND_OLM_OK &&
        save_session(mx, curve, s) == 0) { /* saved before it leaves: a ratchet step is never reused */
        out = cJSON_CreateObject();
        cJSON_AddStringToObject(out, "algorithm", OLM_ALGORITHM);
        cJSON_AddStringToObject(out, "sender_key", e->curve25519);
        cJSON *ct = cJSON_AddObjectToObject(cJSON_AddObjectToObject(out, "ciphertext"), curve);
        cJSON_AddNumberToObject(ct, "type", mtype);
        cJSON_AddStringToObject(ct, "body", ciphertext);
    }
    if (plain) {
        explicit_bzero(plain, strlen(plain)); /* it holds a room key */
        free(plain);
    }
    tend_olm_free_string(ciphertext);
    tend_olm_session_free(s);
    return out;
}

/* ---------------------------------------------------------------- /keys/claim */

typedef struct {
    tend_matrix *mx;
    void (*done)(tend_matrix *mx, void *ud);
    void *ud;
} claim;

static void on_claimed(const tend_http_response *res, void *ud)
{
    claim *c = ud;
    tend_matrix *mx = c->mx;
    void (*done)(tend_matrix *, void *) = c->done;
    void *done_ud = c->ud;
    free(c);
    if (!mx->e2ee) {
        done(mx, done_ud);
        return;
    }
    cJSON *json = res->status == 200 ? cJSON_ParseWithLength(res->body, res->body_len) : NULL;
    const cJSON *u;
    int made = 0;
    cJSON_ArrayForEach(u, cJSON_GetObjectItemCaseSensitive(json, "one_time_keys")) {
        const cJSON *dev;
        cJSON_ArrayForEach(dev, u) {
            const cJSON *d = cJSON_GetObjectItemCaseSensitive(tend_matrix_e2ee_devices(mx, u->string), dev->string);
            const char *curve = str(d, "c"), *ed = str(d, "e");
            const cJSON *key = dev->child; /* {"signed_curve25519:<id>": {"key", "signatures"}} */
            const char *otk = str(key, "key");
            if (!curve || !ed || !otk || !tend_matrix_signed_by(key, u->string, dev->string, ed))
                continue;
            tend_olm_session *s = NULL;
            if (tend_olm_session_new_outbound(mx->e2ee->account, curve, otk, &s) == TEND_OLM_OK &&
                save_session(mx, curve, s) == 0)
                made++;
            tend_olm_session_free(s);
        }
    }
    if (res->status != 200)
        tend_log(TEND_LOG_WARN, "matrix", "could not claim one-time keys (HTTP %ld)", res->status);
    tend_log(TEND_LOG_DEBUG, "matrix", "made %d Olm sessions from claimed keys", made);
    cJSON_Delete(json);
    done(mx, done_ud);
}

int tend_matrix_olm_claim(tend_matrix *mx, const cJSON *wanted, void (*done)(tend_matrix *mx, void *ud), void *ud)
{
    cJSON *body = cJSON_CreateObject();
    cJSON *otk = cJSON_AddObjectToObject(body, "one_time_keys");
    const cJSON *u;
    cJSON_ArrayForEach(u, wanted) {
        cJSON *mine = cJSON_AddObjectToObject(otk, u->string);
        const cJSON *d;
        cJSON_ArrayForEach(d, u) {
            cJSON_AddStringToObject(mine, d->string, "signed_curve25519");
        }
    }
    cJSON_AddNumberToObject(body, "timeout", 10000);
    char *text = cJSON_PrintUnformatted(body);
    cJSON_Delete(body);
    char *url = tend_matrix_url(mx, "/keys/claim");
    claim *c = malloc(sizeof *c);
    int rc = -1;
    if (text && url && c) {
        *c = (claim){.mx = mx, .done = done, .ud = ud};
        rc = tend_matrix_request(mx, "POST", url, text, 30000, on_claimed, c);
    }
    if (rc != 0)
        free(c);
    free(text);
    free(url);
    return rc;
}
#endif
