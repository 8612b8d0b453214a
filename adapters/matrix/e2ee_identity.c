/*
 * e2ee_identity.c — the bot's cross-signing identity: who "the bot" is, beyond one device.
 *
 * Matrix cross-signing gives the bot three Ed25519 keys: the master key (its identity, which a
 * member's client trusts once a coordinator verified the bot), the self-signing key (signs the
 * bot's own devices, so a member's client trusts the device because it trusts the bot) and the
 * user-signing key (would sign other users' master keys; the bot trusts nobody that way yet, but
 * clients expect all three). They are made once, kept in the store as pickles under the pickle
 * key (kind "cross_signing"), and published once: /keys/device_signing/upload (a first upload
 * needs no password, MSC3967; the same keys again are accepted as they are), then the device's
 * keys signed by the self-signing key through /keys/signatures/upload. Made and saved before
 * anything is uploaded, so a crash in between publishes the very same keys again.
 *
 * A homeserver that already holds another identity for the bot (the store was lost) asks for a
 * password to replace it; tend has none, so it says so once and goes on: encryption works
 * without cross-signing, only Element shows the bot's device as not verified by its owner.
 */
#ifdef TEND_HAVE_E2EE
#include "adapters/matrix/e2ee_state.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adapters/host_crypto.h"
#include "lib/log.h"

#define CROSS_SIGNING_KIND "cross_signing"
#define PUBLISHED_IDENTITY "e2ee:cross-signing" /* adapter state: "<device id> <master key>" */

static const char *const key_names[TEND_MATRIX_CROSS_SIGNING_KEYS] = {"master", "self_signing", "user_signing"};

/* ---------------------------------------------------------------- the keys in the store */

static int save_key(tend_matrix *mx, int which)
{
    char *pickle = NULL;
    tend_olm_error err = tend_olm_signing_key_pickle(mx->e2ee->cross_signing[which], mx->e2ee->pickle_key, &pickle);
    int rc = err == TEND_OLM_OK ? tend_host_crypto_put(mx->base.host, CROSS_SIGNING_KIND, key_names[which], pickle)
                                : -1;
    tend_olm_free_string(pickle);
    return rc;
}

static void forget_keys(struct tend_matrix_e2ee *e)
{
    for (int i = 0; i < TEND_MATRIX_CROSS_SIGNING_KEYS; i++) {
        tend_olm_signing_key_free(e->cross_signing[i]);
        e->cross_signing[i] = NULL;
        tend_olm_free_string(e->cross_signing_public[i]); /* the library's string: never free() */
        e->cross_signing_public[i] = NULL;
    }
}

/* The stored keys, or three new ones saved at once. Without them the bot still encrypts: -1
 * only says that it has no identity this run. */
static int load_keys(tend_matrix *mx)
{
    struct tend_matrix_e2ee *e = mx->e2ee;
    int found = 0;
    for (int i = 0; i < TEND_MATRIX_CROSS_SIGNING_KEYS; i++) {
        char *pickle = NULL;
        int rc = tend_host_crypto_get(mx->base.host, CROSS_SIGNING_KIND, key_names[i], &pickle);
        if (rc < 0)
            return -1;
        if (rc == 0) {
            tend_olm_error err = tend_olm_signing_key_unpickle(pickle, e->pickle_key, &e->cross_signing[i]);
            free(pickle);
            if (err != TEND_OLM_OK) {
                tend_log(TEND_LOG_ERROR, "matrix", "the bot's stored %s key does not open (%s)", key_names[i],
                         tend_olm_strerror(err));
                forget_keys(e);
                return -1;
            }
            found++;
        }
    }
    if (found != 0 && found != TEND_MATRIX_CROSS_SIGNING_KEYS) {
        tend_log(TEND_LOG_ERROR, "matrix", "only %d of the bot's 3 cross-signing keys are in the store; "
                 "cross-signing is off this run", found);
        forget_keys(e);
        return -1;
    }
    bool made = found == 0;
    for (int i = 0; made && i < TEND_MATRIX_CROSS_SIGNING_KEYS; i++) {
        if (tend_olm_signing_key_new(&e->cross_signing[i]) != TEND_OLM_OK || save_key(mx, i) != 0) {
            tend_log(TEND_LOG_ERROR, "matrix", "could not make and keep the bot's cross-signing keys");
            forget_keys(e);
            return -1;
        }
    }
    for (int i = 0; i < TEND_MATRIX_CROSS_SIGNING_KEYS; i++) {
        if (tend_olm_signing_key_public(e->cross_signing[i], &e->cross_signing_public[i]) != TEND_OLM_OK) {
            forget_keys(e);
            return -1;
        }
    }
    if (made)
        tend_log(TEND_LOG_INFO, "matrix", "made the bot's cross-signing identity (master key %s)",
                 e->cross_signing_public[TEND_MATRIX_MASTER_KEY]);
    return 0;
}

/* ---------------------------------------------------------------- signed key objects */

/* Adds to obj a signature by key (the bot's key id "ed25519:<public>"). 0 or -1. */
static int sign_with(tend_matrix *mx, cJSON *obj, int which)
{
    struct tend_matrix_e2ee *e = mx->e2ee;
    char *canon = tend_matrix_canonical_json(obj);
    char *sig = NULL;
    int rc = canon && tend_olm_signing_key_sign(e->cross_signing[which], (const uint8_t *)canon, strlen(canon),
                                                &sig) == TEND_OLM_OK
                 ? 0
                 : -1;
    free(canon);
    if (rc == 0) {
        char name[MX_KEY_MAX];
        snprintf(name, sizeof name, "ed25519:%s", e->cross_signing_public[which]);
        rc = tend_matrix_e2ee_add_signature(obj, mx->user_id, name, sig);
    }
    tend_olm_free_string(sig);
    return rc;
}

/* {"user_id", "usage": [usage], "keys": {"ed25519:<pub>": pub}} of one cross-signing key. */
static cJSON *key_object(tend_matrix *mx, int which)
{
    cJSON *k = cJSON_CreateObject();
    cJSON_AddStringToObject(k, "user_id", mx->user_id);
    const char *usage[] = {key_names[which]};
    cJSON_AddItemToObject(k, "usage", cJSON_CreateStringArray(usage, 1));
    char name[MX_KEY_MAX];
    snprintf(name, sizeof name, "ed25519:%s", mx->e2ee->cross_signing_public[which]);
    cJSON_AddStringToObject(cJSON_AddObjectToObject(k, "keys"), name, mx->e2ee->cross_signing_public[which]);
    return k;
}

/* ---------------------------------------------------------------- publishing */

static void on_device_signed(const tend_http_response *res, void *ud)
{
    tend_matrix *mx = ud;
    struct tend_matrix_e2ee *e = mx->e2ee;
    if (!e)
        return;
    e->identity_busy = false;
    cJSON *json = res->status == 200 ? cJSON_ParseWithLength(res->body, res->body_len) : NULL;
    const cJSON *failures = cJSON_GetObjectItemCaseSensitive(json, "failures");
    bool ok = json && (!failures || !failures->child);
    cJSON_Delete(json);
    if (!ok) {
        tend_log(TEND_LOG_WARN, "matrix", "the homeserver did not take the bot's device signature (HTTP %ld); "
                 "trying again after the next sync", res->status);
        return;
    }
    char value[MX_KEY_MAX * 2];
    snprintf(value, sizeof value, "%s %s", mx->device_id, e->cross_signing_public[TEND_MATRIX_MASTER_KEY]);
    if (tend_host_state_set(mx->base.host, PUBLISHED_IDENTITY, value) == 0)
        e->identity_published = true;
    tend_log(TEND_LOG_INFO, "matrix", "the bot's cross-signing identity is published: master key %s; device %s "
             "is signed by it", e->cross_signing_public[TEND_MATRIX_MASTER_KEY], mx->device_id);
}

/* Step 2: the device's keys, signed by the self-signing key. */
static void sign_device(tend_matrix *mx)
{
    cJSON *dk = tend_matrix_e2ee_device_keys(mx);
    if (!dk || sign_with(mx, dk, TEND_MATRIX_SELF_SIGNING_KEY) != 0) {
        cJSON_Delete(dk);
        mx->e2ee->identity_busy = false;
        return;
    }
    cJSON *body = cJSON_CreateObject();
    cJSON_AddItemToObject(cJSON_AddObjectToObject(body, mx->user_id), mx->device_id, dk);
    char *text = cJSON_PrintUnformatted(body);
    cJSON_Delete(body);
    char *url = tend_matrix_url(mx, "/keys/signatures/upload");
    if (!text || !url || tend_matrix_request(mx, "POST", url, text, 30000, on_device_signed, mx) != 0)
        mx->e2ee->identity_busy = false;
    free(text);
    free(url);
}

static void on_identity_uploaded(const tend_http_response *res, void *ud)
{
    tend_matrix *mx = ud;
    struct tend_matrix_e2ee *e = mx->e2ee;
    if (!e)
        return;
    if (res->status == 200) {
        sign_device(mx);
        return;
    }
    e->identity_busy = false;
    if (res->status == 401) {
        /* a password prompt: the server holds another identity for the bot (its store was lost) */
        e->identity_refused = true;
        tend_log(TEND_LOG_WARN, "matrix", "the homeserver already holds another cross-signing identity for %s and "
                 "asks for a password to replace it; encryption works, but Element will show the bot's device "
                 "as not verified by its owner. To start afresh, reset the bot account's cross-signing in "
                 "Element (Settings, Security & Privacy) and restart tend", mx->user_id);
        return;
    }
    tend_log(TEND_LOG_WARN, "matrix", "could not publish the bot's cross-signing keys (HTTP %ld); trying again "
             "after the next sync", res->status);
}

void tend_matrix_e2ee_identity_publish(tend_matrix *mx)
{
    struct tend_matrix_e2ee *e = mx->e2ee;
    if (!e || !e->cross_signing[0] || e->identity_published || e->identity_busy || e->identity_refused ||
        !e->device_published || !mx->http || mx->stopping)
        return;
    cJSON *master = key_object(mx, TEND_MATRIX_MASTER_KEY);
    cJSON *self_signing = key_object(mx, TEND_MATRIX_SELF_SIGNING_KEY);
    cJSON *user_signing = key_object(mx, TEND_MATRIX_USER_SIGNING_KEY);
    /* the master key signed by the device too: clients that meet the device first see who owns it */
    bool ok = tend_matrix_e2ee_sign_as_device(mx, master) == 0 &&
              sign_with(mx, self_signing, TEND_MATRIX_MASTER_KEY) == 0 &&
              sign_with(mx, user_signing, TEND_MATRIX_MASTER_KEY) == 0;
    cJSON *body = cJSON_CreateObject();
    cJSON_AddItemToObject(body, "master_key", master);
    cJSON_AddItemToObject(body, "self_signing_key", self_signing);
    cJSON_AddItemToObject(body, "user_signing_key", user_signing);
    char *text = ok ? cJSON_PrintUnformatted(body) : NULL;
    cJSON_Delete(body);
    char *url = tend_matrix_url(mx, "/keys/device_signing/upload");
    if (text && url && tend_matrix_request(mx, "POST", url, text, 30000, on_identity_uploaded, mx) == 0)
        e->identity_busy = true;
    free(text);
    free(url);
}

int tend_matrix_e2ee_identity_start(tend_matrix *mx)
{
    struct tend_matrix_e2ee *e = mx->e2ee;
    if (load_keys(mx) != 0)
        return -1;
    char value[MX_KEY_MAX * 2], want[MX_KEY_MAX * 2];
    snprintf(want, sizeof want, "%s %s", mx->device_id, e->cross_signing_public[TEND_MATRIX_MASTER_KEY]);
    e->identity_published =
        tend_host_state_get(mx->base.host, PUBLISHED_IDENTITY, value, sizeof value) == 0 && strcmp(value, want) == 0;
    tend_log(TEND_LOG_INFO, "matrix", "the bot's master key (compare it when you verify the bot): %s",
             e->cross_signing_public[TEND_MATRIX_MASTER_KEY]);
    return 0;
}

const char *tend_matrix_e2ee_master_key(const tend_matrix *mx)
{
    return mx->e2ee ? mx->e2ee->cross_signing_public[TEND_MATRIX_MASTER_KEY] : NULL;
}

void tend_matrix_e2ee_identity_free(tend_matrix *mx)
{
    if (mx->e2ee)
        forget_keys(mx->e2ee);
}
#endif
