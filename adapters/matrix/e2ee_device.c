/*
 * e2ee_device.c — the bot's device for end-to-end encryption.
 *
 * Its Olm account (identity keys, one-time keys, fallback key) lives in the store as a pickle,
 * encrypted with a 32-byte key read from [matrix] pickle_key_file, made once (mode 0600) when the
 * file is absent. The same account comes back after a restart, so members' clients keep trusting
 * the same device. Keys are uploaded in the order that survives a crash: new keys are generated
 * and the account saved first, then uploaded, then marked published and saved again, so a crash
 * in between uploads the very same keys once more (the server accepts an identical key again).
 */
#ifdef TEND_HAVE_E2EE
#include "adapters/matrix/e2ee_state.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "adapters/host_crypto.h"
#include "lib/log.h"

#define PUBLISHED_KEY "e2ee:published" /* adapter state: "<device id> <ed25519 key>" once uploaded */

/* ---------------------------------------------------------------- the pickle key file */

static int hexval(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* 64 hex digits and optional trailing whitespace. */
static int parse_key(const char *text, size_t len, uint8_t key[TEND_OLM_PICKLE_KEY_BYTES])
{
    while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == '\r' || text[len - 1] == ' '))
        len--;
    if (len != 2 * TEND_OLM_PICKLE_KEY_BYTES)
        return -1;
    for (size_t i = 0; i < TEND_OLM_PICKLE_KEY_BYTES; i++) {
        int hi = hexval(text[2 * i]), lo = hexval(text[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return -1;
        key[i] = (uint8_t)(hi << 4 | lo);
    }
    return 0;
}

static int make_key_file(const char *path, uint8_t key[TEND_OLM_PICKLE_KEY_BYTES])
{
    if (getrandom(key, TEND_OLM_PICKLE_KEY_BYTES, 0) != TEND_OLM_PICKLE_KEY_BYTES)
        return -1;
    char text[2 * TEND_OLM_PICKLE_KEY_BYTES + 2];
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < TEND_OLM_PICKLE_KEY_BYTES; i++) {
        text[2 * i] = digits[key[i] >> 4];
        text[2 * i + 1] = digits[key[i] & 15];
    }
    text[2 * TEND_OLM_PICKLE_KEY_BYTES] = '\n';
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0)
        return -1;
    ssize_t n = write(fd, text, 2 * TEND_OLM_PICKLE_KEY_BYTES + 1);
    int rc = n == 2 * TEND_OLM_PICKLE_KEY_BYTES + 1 && fsync(fd) == 0 ? 0 : -1;
    close(fd);
    explicit_bzero(text, sizeof text);
    if (rc != 0)
        unlink(path);
    return rc;
}

/* Reads the key, or makes the file when it does not exist. 0, or -1 with the reason logged
 * (never the key). */
static int load_pickle_key(const char *path, uint8_t key[TEND_OLM_PICKLE_KEY_BYTES])
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT) {
        if (make_key_file(path, key) != 0) {
            tend_log(TEND_LOG_ERROR, "matrix", "could not make the pickle key file %s: %s", path, strerror(errno));
            return -1;
        }
        tend_log(TEND_LOG_INFO, "matrix", "made a new pickle key in %s (mode 0600); keep it with the "
                 "database's backups", path);
        return 0;
    }
    if (fd < 0) {
        tend_log(TEND_LOG_ERROR, "matrix", "cannot read the pickle key file %s: %s", path, strerror(errno));
        return -1;
    }
    struct stat st;
    if (fstat(fd, &st) == 0 && (st.st_mode & 077))
        tend_log(TEND_LOG_WARN, "matrix", "the pickle key file %s can be read by other users; chmod 600 it", path);
    char text[2 * TEND_OLM_PICKLE_KEY_BYTES + 8];
    ssize_t n = read(fd, text, sizeof text);
    close(fd);
    int rc = n > 0 ? parse_key(text, (size_t)n, key) : -1;
    explicit_bzero(text, sizeof text);
    if (rc != 0)
        tend_log(TEND_LOG_ERROR, "matrix", "the pickle key file %s does not hold a key (64 hex digits)", path);
    return rc;
}

/* ---------------------------------------------------------------- the account in the store */

int tend_matrix_e2ee_save_account(tend_matrix *mx)
{
    char *pickle = NULL;
    tend_olm_error err = tend_olm_account_pickle(mx->e2ee->account, mx->e2ee->pickle_key, &pickle);
    int rc = err == TEND_OLM_OK ? tend_host_crypto_put(mx->base.host, TEND_MATRIX_E2EE_ACCOUNT, mx->device_id, pickle)
                                : -1;
    tend_olm_free_string(pickle);
    if (rc != 0)
        tend_log(TEND_LOG_ERROR, "matrix", "could not save the encryption account: %s",
                 err != TEND_OLM_OK ? tend_olm_strerror(err) : "the store failed");
    return rc;
}

static int identity_of(struct tend_matrix_e2ee *e)
{
    char *json = NULL;
    if (tend_olm_account_identity_keys(e->account, &json) != TEND_OLM_OK)
        return -1;
    cJSON *keys = cJSON_Parse(json);
    tend_olm_free_string(json);
    const cJSON *c = cJSON_GetObjectItemCaseSensitive(keys, "curve25519");
    const cJSON *ed = cJSON_GetObjectItemCaseSensitive(keys, "ed25519");
    if (cJSON_IsString(c) && cJSON_IsString(ed)) {
        e->curve25519 = strdup(c->valuestring);
        e->ed25519 = strdup(ed->valuestring);
    }
    cJSON_Delete(keys);
    return e->curve25519 && e->ed25519 ? 0 : -1;
}

/* The stored account of this device, or a new one stored at once. */
static int load_account(tend_matrix *mx)
{
    struct tend_matrix_e2ee *e = mx->e2ee;
    char *pickle = NULL;
    int rc = tend_host_crypto_get(mx->base.host, TEND_MATRIX_E2EE_ACCOUNT, mx->device_id, &pickle);
    if (rc == 0) {
        tend_olm_error err = tend_olm_account_unpickle(pickle, e->pickle_key, &e->account);
        free(pickle);
        if (err != TEND_OLM_OK) {
            /* never replaced: a new identity would strand every room key members shared with it */
            tend_log(TEND_LOG_ERROR, "matrix", "the stored encryption account of device %s does not open (%s); "
                     "is [matrix] pickle_key_file the key it was saved with?", mx->device_id, tend_olm_strerror(err));
            return -1;
        }
        return identity_of(e);
    }
    if (rc < 0)
        return -1;
    if (tend_olm_account_new(&e->account) != TEND_OLM_OK ||
        tend_olm_account_generate_fallback_key(e->account) != TEND_OLM_OK || identity_of(e) != 0)
        return -1;
    tend_log(TEND_LOG_INFO, "matrix", "made new encryption keys for device %s", mx->device_id);
    return tend_matrix_e2ee_save_account(mx);
}

/* ---------------------------------------------------------------- /keys/upload */

int tend_matrix_e2ee_add_signature(cJSON *obj, const char *user_id, const char *key_name, const char *signature)
{
    cJSON *sigs = cJSON_GetObjectItemCaseSensitive(obj, "signatures");
    if (!sigs)
        sigs = cJSON_AddObjectToObject(obj, "signatures");
    cJSON *mine = cJSON_GetObjectItemCaseSensitive(sigs, user_id);
    if (!mine)
        mine = cJSON_AddObjectToObject(sigs, user_id);
    return mine && cJSON_AddStringToObject(mine, key_name, signature) ? 0 : -1;
}

int tend_matrix_e2ee_sign_as_device(tend_matrix *mx, cJSON *obj)
{
    char *canon = tend_matrix_canonical_json(obj);
    char *sig = NULL;
    int rc = canon && tend_olm_account_sign(mx->e2ee->account, (const uint8_t *)canon, strlen(canon), &sig) ==
                          TEND_OLM_OK
                 ? 0
                 : -1;
    free(canon);
    if (rc == 0) {
        char name[MX_KEY_MAX];
        snprintf(name, sizeof name, "ed25519:%s", mx->device_id);
        rc = tend_matrix_e2ee_add_signature(obj, mx->user_id, name, sig);
    }
    tend_olm_free_string(sig);
    return rc;
}

cJSON *tend_matrix_e2ee_device_keys(tend_matrix *mx)
{
    struct tend_matrix_e2ee *e = mx->e2ee;
    cJSON *dk = cJSON_CreateObject();
    cJSON_AddStringToObject(dk, "user_id", mx->user_id);
    cJSON_AddStringToObject(dk, "device_id", mx->device_id);
    const char *algorithms[] = {"m.olm.v1.curve25519-aes-sha2", "m.megolm.v1.aes-sha2"};
    cJSON_AddItemToObject(dk, "algorithms", cJSON_CreateStringArray(algorithms, 2));
    cJSON *keys = cJSON_AddObjectToObject(dk, "keys");
    char name[MX_KEY_MAX];
    snprintf(name, sizeof name, "curve25519:%s", mx->device_id);
    cJSON_AddStringToObject(keys, name, e->curve25519);
    snprintf(name, sizeof name, "ed25519:%s", mx->device_id);
    cJSON_AddStringToObject(keys, name, e->ed25519);
    if (tend_matrix_e2ee_sign_as_device(mx, dk) != 0) {
        cJSON_Delete(dk);
        return NULL;
    }
    return dk;
}

/* {"<id>":"<key>",...} from the account into signed key objects under "signed_curve25519:<id>". */
static int add_signed_keys(tend_matrix *mx, cJSON *into, const char *json, bool fallback)
{
    cJSON *keys = cJSON_Parse(json);
    if (!cJSON_IsObject(keys)) {
        cJSON_Delete(keys);
        return -1;
    }
    int rc = 0;
    const cJSON *k;
    cJSON_ArrayForEach(k, keys) {
        if (!cJSON_IsString(k))
            continue;
        cJSON *signed_key = cJSON_CreateObject();
        cJSON_AddStringToObject(signed_key, "key", k->valuestring);
        if (fallback)
            cJSON_AddTrueToObject(signed_key, "fallback");
        char name[MX_KEY_MAX];
        snprintf(name, sizeof name, "signed_curve25519:%s", k->string);
        if (tend_matrix_e2ee_sign_as_device(mx, signed_key) != 0) {
            cJSON_Delete(signed_key);
            rc = -1;
            break;
        }
        cJSON_AddItemToObject(into, name, signed_key);
    }
    cJSON_Delete(keys);
    return rc;
}

static void upload_keys(tend_matrix *mx);

static void on_uploaded(const tend_http_response *res, void *ud)
{
    tend_matrix *mx = ud;
    struct tend_matrix_e2ee *e = mx->e2ee;
    if (!e)
        return;
    e->uploading = false;
    if (res->status != 200) {
        tend_log(TEND_LOG_WARN, "matrix", "could not upload the device's encryption keys (HTTP %ld); "
                 "trying again after the next sync", res->status);
        return;
    }
    cJSON *json = cJSON_ParseWithLength(res->body, res->body_len);
    const cJSON *count = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(json, "one_time_key_counts"),
                                                          "signed_curve25519");
    e->server_otks = cJSON_IsNumber(count) ? (long)count->valuedouble : 0;
    cJSON_Delete(json);
    tend_olm_account_mark_keys_as_published(e->account);
    tend_matrix_e2ee_save_account(mx);
    if (!e->device_published) {
        char value[MX_KEY_MAX * 2];
        snprintf(value, sizeof value, "%s %s", mx->device_id, e->ed25519);
        if (tend_host_state_set(mx->base.host, PUBLISHED_KEY, value) == 0)
            e->device_published = true;
        tend_log(TEND_LOG_INFO, "matrix", "device %s: encryption keys published (ed25519 %s)", mx->device_id,
                 e->ed25519);
    }
    tend_matrix_e2ee_identity_publish(mx); /* the device must be on the server before it is signed */
    upload_keys(mx);                        /* more, when the server is still short */
}

/* Uploads what the server lacks: the device keys once, one-time keys up to half the account's
 * capacity, a new fallback key when the last was used. At most one upload is in flight. */
static void upload_keys(tend_matrix *mx)
{
    struct tend_matrix_e2ee *e = mx->e2ee;
    if (!e || e->uploading || !mx->http || mx->stopping)
        return;
    long target = (long)tend_olm_account_max_one_time_keys(e->account) / 2;
    bool changed = false;
    if (e->server_otks >= 0 && e->server_otks < target) {
        long n = target - e->server_otks;
        tend_olm_account_generate_one_time_keys(e->account, (size_t)(n > 100 ? 100 : n));
        changed = true;
    }
    if (e->fallback_needed) {
        tend_olm_account_generate_fallback_key(e->account);
        e->fallback_needed = false;
        changed = true;
    }
    if (changed && tend_matrix_e2ee_save_account(mx) != 0)
        return; /* never upload keys the store could lose */
    char *otks = NULL, *fallback = NULL;
    tend_olm_account_one_time_keys(e->account, &otks);
    tend_olm_account_fallback_key(e->account, &fallback);
    cJSON *body = cJSON_CreateObject();
    bool any = false;
    if (!e->device_published) {
        cJSON *dk = tend_matrix_e2ee_device_keys(mx);
        if (dk)
            cJSON_AddItemToObject(body, "device_keys", dk), any = true;
    }
    cJSON *ot = cJSON_CreateObject(), *fb = cJSON_CreateObject();
    if (otks && add_signed_keys(mx, ot, otks, false) == 0 && ot->child)
        any = true;
    if (fallback && add_signed_keys(mx, fb, fallback, true) == 0 && fb->child)
        any = true;
    cJSON_AddItemToObject(body, "one_time_keys", ot);
    cJSON_AddItemToObject(body, "fallback_keys", fb);
    tend_olm_free_string(otks);
    tend_olm_free_string(fallback);
    char *text = any ? cJSON_PrintUnformatted(body) : NULL;
    cJSON_Delete(body);
    if (!text)
        return;
    char *url = tend_matrix_url(mx, "/keys/upload");
    if (url && tend_matrix_request(mx, "POST", url, text, 30000, on_uploaded, mx) == 0)
        e->uploading = true;
    free(url);
    free(text);
}

/* ---------------------------------------------------------------- the adapter's calls */

int tend_matrix_e2ee_start(tend_matrix *mx, const char *pickle_key_file)
{
    if (!mx->device_id) {
        tend_log(TEND_LOG_WARN, "matrix", "the homeserver did not say the bot's device id; set [matrix] "
                 "device_id to read encrypted rooms");
        return -1;
    }
    if (!tend_host_has_crypto(mx->base.host))
        return -1;
    mx->e2ee = calloc(1, sizeof *mx->e2ee);
    if (!mx->e2ee)
        return -1;
    mx->e2ee->server_otks = -1;
    if (load_pickle_key(pickle_key_file, mx->e2ee->pickle_key) != 0 || load_account(mx) != 0) {
        tend_log(TEND_LOG_WARN, "matrix", "end-to-end encryption is off this run: encrypted rooms get a notice");
        tend_matrix_e2ee_free(mx);
        return -1;
    }
    char value[MX_KEY_MAX * 2], want[MX_KEY_MAX * 2];
    snprintf(want, sizeof want, "%s %s", mx->device_id, mx->e2ee->ed25519);
    mx->e2ee->device_published =
        tend_host_state_get(mx->base.host, PUBLISHED_KEY, value, sizeof value) == 0 && strcmp(value, want) == 0;
    tend_log(TEND_LOG_INFO, "matrix", "end-to-end encryption on: device %s, ed25519 %s", mx->device_id,
             mx->e2ee->ed25519);
    tend_matrix_e2ee_held_load(mx);
    tend_matrix_e2ee_identity_start(mx); /* without it the bot still encrypts: said in the log */
    upload_keys(mx);
    tend_matrix_e2ee_identity_publish(mx);
    return 0;
}

void tend_matrix_e2ee_key_counts(tend_matrix *mx, const cJSON *batch)
{
    struct tend_matrix_e2ee *e = mx->e2ee;
    if (!e)
        return;
    const cJSON *counts = cJSON_GetObjectItemCaseSensitive(batch, "device_one_time_keys_count");
    const cJSON *n = cJSON_GetObjectItemCaseSensitive(counts, "signed_curve25519");
    /* Synapse leaves a count of zero out */
    e->server_otks = cJSON_IsNumber(n) ? (long)n->valuedouble : 0;
    const cJSON *unused = cJSON_GetObjectItemCaseSensitive(batch, "device_unused_fallback_key_types");
    if (cJSON_IsArray(unused)) {
        bool have = false;
        const cJSON *t;
        cJSON_ArrayForEach(t, unused) {
            if (cJSON_IsString(t) && strcmp(t->valuestring, "signed_curve25519") == 0)
                have = true;
        }
        if (!have && e->device_published && !e->uploading)
            e->fallback_needed = true;
    }
    upload_keys(mx);
    tend_matrix_e2ee_identity_publish(mx); /* again after a failure */
}

bool tend_matrix_e2ee_on(const tend_matrix *mx)
{
    return mx->e2ee != NULL;
}

void tend_matrix_e2ee_free(tend_matrix *mx)
{
    struct tend_matrix_e2ee *e = mx->e2ee;
    if (!e)
        return;
    tend_matrix_e2ee_held_free(mx);
    tend_matrix_e2ee_outbound_free(mx);
    tend_matrix_e2ee_identity_free(mx);
    tend_matrix_e2ee_verify_free(mx);
    cJSON_Delete(e->users);
    tend_olm_account_free(e->account);
    free(e->curve25519);
    free(e->ed25519);
    explicit_bzero(e->pickle_key, sizeof e->pickle_key);
    free(e);
    mx->e2ee = NULL;
}
#endif
