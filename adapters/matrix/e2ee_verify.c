/*
 * e2ee_verify.c — a member verifies the bot interactively (SAS: the emoji or numbers compared).
 *
 * The Matrix spec's key verification framework with the m.sas.v1 method, over either transport
 * a client uses: to-device messages (the transaction id in the content) or events in a direct
 * chat (Element's "Verify" on a user: an m.room.message of msgtype m.key.verification.request,
 * then events that refer to it with m.reference; the request's event id is the transaction).
 * The bot never starts one; it answers: ready, accept (with the commitment to its key), its key,
 * then its MAC of its device key and of its master key (e2ee_identity.c), so a member's client
 * that completes the verification trusts the bot's identity, and through it every device the
 * bot's self-signing key signs.
 *
 * The bot has no screen. It writes its emoji and numbers to tend's log, where the operator reads
 * them to the coordinator who is verifying (README: "Verifying the bot"); the coordinator's
 * client asks them whether they match, and only their "yes" makes their client trust the bot. The
 * bot sends its MAC without waiting for a person (it has none to wait for): a MAC only proves to
 * the other side what the comparison already shows. It checks the member's MAC of their device
 * key before it says done, and trusts nobody through it: the bot shares room keys with every
 * member's devices anyway.
 *
 * Verifications live in memory: one cut by a restart is started again by the person. At most
 * MAX_ACTIVE at a time; each ends after TIMEOUT_MS, as the spec says.
 */
#ifdef TEND_HAVE_E2EE
#include "adapters/matrix/e2ee_state.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/log.h"
#include "lib/strbuf.h"

#define SAS_METHOD "m.sas.v1"
#define KEY_AGREEMENT "curve25519-hkdf-sha256"
#define HASH "sha256"
#define MAC_V2 "hkdf-hmac-sha256.v2"
#define MAC_LEGACY "hkdf-hmac-sha256"
#define TIMEOUT_MS (10 * 60 * 1000)
#define MAX_ACTIVE 16
/* a MAC's info: a fixed prefix, two users, two devices and a transaction, then a key id */
#define BASE_MAX (MX_KEY_MAX * 6)
#define INFO_MAX (BASE_MAX + MX_KEY_MAX * 2)
#define KEY_ID_MAX (MX_KEY_MAX + 16)

typedef enum { ASKED, ACCEPTED, KEYS_SENT, DONE } stage;

typedef struct tend_matrix_verification {
    char txn[MX_KEY_MAX];    /* transaction id, or the request's event id in a room */
    char room[MX_KEY_MAX];   /* "" over to-device */
    char user[MX_KEY_MAX];   /* the member verifying the bot, and their device */
    char device[MX_KEY_MAX];
    int64_t started_ms;
    stage at;
    bool legacy_mac;         /* the older MAC encoding, for clients that offer only it */
    bool done_received;
    tend_olm_sas *sas;
    char *our_key, *their_key;
    struct tend_matrix_verification *next;
} verification;

/* The spec's 64 emoji (sas-emojis.json), in the order of their numbers, with their English names. */
static const char *const emoji[64][2] = {
    {"\U0001F436", "Dog"},      {"\U0001F431", "Cat"},       {"\U0001F981", "Lion"},      {"\U0001F40E", "Horse"},
    {"\U0001F984", "Unicorn"},  {"\U0001F437", "Pig"},       {"\U0001F418", "Elephant"},  {"\U0001F430", "Rabbit"},
    {"\U0001F43C", "Panda"},    {"\U0001F413", "Rooster"},   {"\U0001F427", "Penguin"},   {"\U0001F422", "Turtle"},
    {"\U0001F41F", "Fish"},     {"\U0001F419", "Octopus"},   {"\U0001F98B", "Butterfly"}, {"\U0001F337", "Flower"},
    {"\U0001F333", "Tree"},     {"\U0001F335", "Cactus"},    {"\U0001F344", "Mushroom"},  {"\U0001F30F", "Globe"},
    {"\U0001F319", "Moon"},     {"\u2601\uFE0F", "Cloud"},   {"\U0001F525", "Fire"},      {"\U0001F34C", "Banana"},
    {"\U0001F34E", "Apple"},    {"\U0001F353", "Strawberry"}, {"\U0001F33D", "Corn"},     {"\U0001F355", "Pizza"},
    {"\U0001F382", "Cake"},     {"\u2764\uFE0F", "Heart"},   {"\U0001F600", "Smiley"},    {"\U0001F916", "Robot"},
    {"\U0001F3A9", "Hat"},      {"\U0001F453", "Glasses"},   {"\U0001F527", "Spanner"},   {"\U0001F385", "Santa"},
    {"\U0001F44D", "Thumbs Up"}, {"\u2602\uFE0F", "Umbrella"}, {"\u231B", "Hourglass"},  {"\u23F0", "Clock"},
    {"\U0001F381", "Gift"},     {"\U0001F4A1", "Light Bulb"}, {"\U0001F4D5", "Book"},     {"\u270F\uFE0F", "Pencil"},
    {"\U0001F4CE", "Paperclip"}, {"\u2702\uFE0F", "Scissors"}, {"\U0001F512", "Lock"},    {"\U0001F511", "Key"},
    {"\U0001F528", "Hammer"},   {"\u260E\uFE0F", "Telephone"}, {"\U0001F3C1", "Flag"},    {"\U0001F682", "Train"},
    {"\U0001F6B2", "Bicycle"},  {"\u2708\uFE0F", "Aeroplane"}, {"\U0001F680", "Rocket"},  {"\U0001F3C6", "Trophy"},
    {"\u26BD", "Ball"},         {"\U0001F3B8", "Guitar"},    {"\U0001F3BA", "Trumpet"},   {"\U0001F514", "Bell"},
    {"\u2693", "Anchor"},       {"\U0001F3A7", "Headphones"}, {"\U0001F4C1", "Folder"},   {"\U0001F4CC", "Pin"},
};

static const char *str(const cJSON *obj, const char *name)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, name);
    return cJSON_IsString(it) ? it->valuestring : NULL;
}

static bool has_string(const cJSON *array, const char *want)
{
    const cJSON *it;
    cJSON_ArrayForEach(it, array) {
        if (cJSON_IsString(it) && strcmp(it->valuestring, want) == 0)
            return true;
    }
    return false;
}

static void drop(tend_matrix *mx, verification *v)
{
    for (verification **p = &mx->e2ee->verifications; *p; p = &(*p)->next) {
        if (*p == v) {
            *p = v->next;
            break;
        }
    }
    tend_olm_sas_free(v->sas);
    tend_olm_free_string(v->our_key);
    free(v->their_key);
    free(v);
}

static verification *find(tend_matrix *mx, const char *txn)
{
    for (verification *v = mx->e2ee->verifications; v; v = v->next) {
        if (strcmp(v->txn, txn) == 0)
            return v;
    }
    return NULL;
}

/* Forgets verifications past their time; counts the rest. */
static int expire(tend_matrix *mx)
{
    int64_t now = tend_matrix_clock_now(mx) * 1000;
    int n = 0;
    verification *v = mx->e2ee->verifications;
    while (v) {
        verification *next = v->next;
        if (now - v->started_ms > TIMEOUT_MS)
            drop(mx, v);
        else
            n++;
        v = next;
    }
    return n;
}

/* ---------------------------------------------------------------- sending */

static void on_sent(const tend_http_response *res, void *ud)
{
    (void)ud;
    if (res->status != 200)
        tend_log(TEND_LOG_WARN, "matrix", "a verification message was not delivered (HTTP %ld)", res->status);
}

/* content (taken) to the other side, by the transport the verification came on. */
static void send_step(tend_matrix *mx, const verification *v, const char *type, cJSON *content)
{
    if (v->room[0]) {
        cJSON *rel = cJSON_AddObjectToObject(content, "m.relates_to");
        cJSON_AddStringToObject(rel, "rel_type", "m.reference");
        cJSON_AddStringToObject(rel, "event_id", v->txn);
        char *text = cJSON_PrintUnformatted(content);
        cJSON_Delete(content);
        if (text)
            tend_matrix_send_event(mx, v->room, type, text, NULL, NULL); /* encrypted in an encrypted room */
        free(text);
        return;
    }
    cJSON_AddStringToObject(content, "transaction_id", v->txn);
    cJSON *body = cJSON_CreateObject();
    cJSON_AddItemToObject(cJSON_AddObjectToObject(cJSON_AddObjectToObject(body, "messages"), v->user), v->device,
                          content);
    char *text = cJSON_PrintUnformatted(body);
    cJSON_Delete(body);
    char *type_segment = tend_matrix_escape(type);
    char path[MX_KEY_MAX + 96];
    snprintf(path, sizeof path, "/sendToDevice/%s/tendverify%" PRId64 "-%" PRIu64, type_segment ? type_segment : "",
             mx->txn_epoch_ms, ++mx->e2ee->txn_counter);
    free(type_segment);
    char *url = tend_matrix_url(mx, path);
    if (text && url)
        tend_matrix_request(mx, "PUT", url, text, 30000, on_sent, NULL);
    free(text);
    free(url);
}

static void cancel(tend_matrix *mx, verification *v, const char *code, const char *reason)
{
    tend_log(TEND_LOG_INFO, "matrix", "verification with %s (device %s) cancelled: %s", v->user, v->device, reason);
    cJSON *c = cJSON_CreateObject();
    cJSON_AddStringToObject(c, "code", code);
    cJSON_AddStringToObject(c, "reason", reason);
    send_step(mx, v, "m.key.verification.cancel", c);
    drop(mx, v);
}

/* ---------------------------------------------------------------- the steps */

static verification *begin(tend_matrix *mx, const char *txn, const char *room_id, const char *user,
                           const char *device)
{
    if (strlen(txn) >= MX_KEY_MAX || strlen(user) >= MX_KEY_MAX || strlen(device) >= MX_KEY_MAX ||
        (room_id && strlen(room_id) >= MX_KEY_MAX))
        return NULL;
    verification *v = calloc(1, sizeof *v);
    if (!v)
        return NULL;
    snprintf(v->txn, sizeof v->txn, "%s", txn);
    snprintf(v->room, sizeof v->room, "%s", room_id ? room_id : "");
    snprintf(v->user, sizeof v->user, "%s", user);
    snprintf(v->device, sizeof v->device, "%s", device);
    v->started_ms = tend_matrix_clock_now(mx) * 1000;
    if (expire(mx) >= MAX_ACTIVE) {
        cancel(mx, v, "m.user", "tend is busy with other verifications; try again in a few minutes");
        return NULL;
    }
    v->next = mx->e2ee->verifications;
    mx->e2ee->verifications = v;
    /* their device's keys are needed to check their MAC: asked for now, known by then */
    tend_matrix_e2ee_track(mx, user);
    tend_matrix_e2ee_query(mx);
    return v;
}

static void on_request(tend_matrix *mx, const char *txn, const char *room_id, const char *sender,
                       const cJSON *content)
{
    const char *device = str(content, "from_device");
    if (!device || find(mx, txn))
        return;
    verification *v = begin(mx, txn, room_id, sender, device);
    if (!v)
        return;
    if (!has_string(cJSON_GetObjectItemCaseSensitive(content, "methods"), SAS_METHOD)) {
        cancel(mx, v, "m.unknown_method", "tend verifies with emoji (m.sas.v1) only");
        return;
    }
    tend_log(TEND_LOG_INFO, "matrix", "%s (device %s) asked to verify the bot", sender, device);
    cJSON *ready = cJSON_CreateObject();
    cJSON_AddStringToObject(ready, "from_device", mx->device_id);
    const char *methods[] = {SAS_METHOD};
    cJSON_AddItemToObject(ready, "methods", cJSON_CreateStringArray(methods, 1));
    send_step(mx, v, "m.key.verification.ready", ready);
}

static void on_start(tend_matrix *mx, verification *v, const char *txn, const char *room_id, const char *sender,
                     const cJSON *content)
{
    const char *device = str(content, "from_device");
    if (!device)
        return;
    if (!v) /* a client that starts without asking first (the older to-device flow) */
        v = begin(mx, txn, room_id, sender, device);
    if (!v)
        return;
    if (v->at != ASKED || strcmp(device, v->device) != 0) {
        cancel(mx, v, "m.unexpected_message", "a second start for one verification");
        return;
    }
    const char *method = str(content, "method");
    bool sas_ok = method && strcmp(method, SAS_METHOD) == 0 &&
                  has_string(cJSON_GetObjectItemCaseSensitive(content, "key_agreement_protocols"), KEY_AGREEMENT) &&
                  has_string(cJSON_GetObjectItemCaseSensitive(content, "hashes"), HASH);
    const cJSON *macs = cJSON_GetObjectItemCaseSensitive(content, "message_authentication_codes");
    const cJSON *strings = cJSON_GetObjectItemCaseSensitive(content, "short_authentication_string");
    bool emoji_ok = has_string(strings, "emoji"), decimal_ok = has_string(strings, "decimal");
    if (!sas_ok || (!has_string(macs, MAC_V2) && !has_string(macs, MAC_LEGACY)) || (!emoji_ok && !decimal_ok)) {
        cancel(mx, v, "m.unknown_method", "tend speaks m.sas.v1 with curve25519-hkdf-sha256 and sha256");
        return;
    }
    v->legacy_mac = !has_string(macs, MAC_V2);
    /* the commitment binds our key to this very start before we see their key */
    char *canon = tend_matrix_canonical_json(content);
    char *commitment = NULL, *committed = NULL;
    if (canon && tend_olm_sas_new(&v->sas) == TEND_OLM_OK && tend_olm_sas_public_key(v->sas, &v->our_key) == TEND_OLM_OK) {
        tend_strbuf sb = TEND_STRBUF_INIT;
        tend_strbuf_puts(&sb, v->our_key);
        tend_strbuf_puts(&sb, canon);
        committed = tend_strbuf_finish(&sb);
    }
    bool ok = committed && tend_olm_sha256((const uint8_t *)committed, strlen(committed), &commitment) == TEND_OLM_OK;
    free(canon);
    free(committed);
    if (!ok) {
        tend_olm_free_string(commitment);
        cancel(mx, v, "m.user", "tend could not prepare its key");
        return;
    }
    cJSON *accept = cJSON_CreateObject();
    cJSON_AddStringToObject(accept, "method", SAS_METHOD);
    cJSON_AddStringToObject(accept, "key_agreement_protocol", KEY_AGREEMENT);
    cJSON_AddStringToObject(accept, "hash", HASH);
    cJSON_AddStringToObject(accept, "message_authentication_code", v->legacy_mac ? MAC_LEGACY : MAC_V2);
    cJSON *sas = cJSON_AddArrayToObject(accept, "short_authentication_string");
    if (decimal_ok)
        cJSON_AddItemToArray(sas, cJSON_CreateString("decimal"));
    if (emoji_ok)
        cJSON_AddItemToArray(sas, cJSON_CreateString("emoji"));
    cJSON_AddStringToObject(accept, "commitment", commitment);
    tend_olm_free_string(commitment);
    v->at = ACCEPTED;
    send_step(mx, v, "m.key.verification.accept", accept);
}

/* "MATRIX_KEY_VERIFICATION_MAC" + sender user + device + receiver user + device + transaction. */
static void mac_info(char *out, size_t outlen, const char *from_user, const char *from_device, const char *to_user,
                     const char *to_device, const char *txn)
{
    snprintf(out, outlen, "MATRIX_KEY_VERIFICATION_MAC%s%s%s%s%s", from_user, from_device, to_user, to_device, txn);
}

static int add_mac(verification *v, cJSON *macs, const char *key_id, const char *key, const char *base)
{
    char info[INFO_MAX];
    snprintf(info, sizeof info, "%s%s", base, key_id);
    char *mac = NULL;
    if (tend_olm_sas_mac(v->sas, key, info, v->legacy_mac, &mac) != TEND_OLM_OK)
        return -1;
    cJSON_AddStringToObject(macs, key_id, mac);
    tend_olm_free_string(mac);
    return 0;
}

/* Our MAC of our device key and master key, and of the list of their ids. */
static int send_mac(tend_matrix *mx, verification *v)
{
    char base[BASE_MAX];
    mac_info(base, sizeof base, mx->user_id, mx->device_id, v->user, v->device, v->txn);
    char device_id[KEY_ID_MAX], master_id[KEY_ID_MAX] = "";
    snprintf(device_id, sizeof device_id, "ed25519:%s", mx->device_id);
    const char *master = tend_matrix_e2ee_master_key(mx);
    if (master)
        snprintf(master_id, sizeof master_id, "ed25519:%s", master);
    cJSON *content = cJSON_CreateObject();
    cJSON *macs = cJSON_AddObjectToObject(content, "mac");
    int rc = add_mac(v, macs, device_id, mx->e2ee->ed25519, base);
    if (rc == 0 && master)
        rc = add_mac(v, macs, master_id, master, base);
    /* the ids, sorted and joined by commas: both ids start "ed25519:", so strcmp orders them */
    char ids[KEY_ID_MAX * 2 + 2];
    if (!master)
        snprintf(ids, sizeof ids, "%s", device_id);
    else if (strcmp(device_id, master_id) < 0)
        snprintf(ids, sizeof ids, "%s,%s", device_id, master_id);
    else
        snprintf(ids, sizeof ids, "%s,%s", master_id, device_id);
    char info[INFO_MAX], *keys = NULL;
    snprintf(info, sizeof info, "%sKEY_IDS", base);
    if (rc == 0 && tend_olm_sas_mac(v->sas, ids, info, v->legacy_mac, &keys) == TEND_OLM_OK)
        cJSON_AddStringToObject(content, "keys", keys);
    else
        rc = -1;
    tend_olm_free_string(keys);
    if (rc != 0) {
        cJSON_Delete(content);
        return -1;
    }
    send_step(mx, v, "m.key.verification.mac", content);
    return 0;
}

/* Writes what the bot's screen would show, for the operator to read to the person verifying. */
static void show_string(const verification *v, const tend_olm_sas_string *s)
{
    char line[512];
    size_t used = 0;
    line[0] = '\0';
    for (int i = 0; i < TEND_OLM_SAS_EMOJI && used < sizeof line; i++) {
        const char *const *e = emoji[s->emoji[i] & 63];
        int n = snprintf(line + used, sizeof line - used, "%s%s %s", i ? ", " : "", e[0], e[1]);
        used += n > 0 ? (size_t)n : 0;
    }
    tend_log(TEND_LOG_INFO, "matrix", "verification with %s (device %s): the bot shows %s; or the numbers "
             "%u %u %u. They must match what that person's screen shows: read them to them.",
             v->user, v->device, line, s->decimals[0], s->decimals[1], s->decimals[2]);
}

static void on_key(tend_matrix *mx, verification *v, const cJSON *content)
{
    const char *key = str(content, "key");
    if (v->at != ACCEPTED || !key) {
        cancel(mx, v, "m.unexpected_message", "a key out of turn");
        return;
    }
    if (tend_olm_sas_establish(v->sas, key) != TEND_OLM_OK || !(v->their_key = strdup(key))) {
        cancel(mx, v, "m.key_mismatch", "their key does not work");
        return;
    }
    cJSON *ours = cJSON_CreateObject();
    cJSON_AddStringToObject(ours, "key", v->our_key);
    send_step(mx, v, "m.key.verification.key", ours);
    /* they started: their details come first */
    char info[MX_KEY_MAX * 8];
    snprintf(info, sizeof info, "MATRIX_KEY_VERIFICATION_SAS|%s|%s|%s|%s|%s|%s|%s", v->user, v->device,
             v->their_key, mx->user_id, mx->device_id, v->our_key, v->txn);
    tend_olm_sas_string shown;
    bool ok = tend_olm_sas_string_for(v->sas, info, &shown) == TEND_OLM_OK;
    if (!ok || send_mac(mx, v) != 0) {
        cancel(mx, v, "m.user", "tend could not compute the verification");
        return;
    }
    show_string(v, &shown);
    v->at = KEYS_SENT;
}

static void on_mac(tend_matrix *mx, verification *v, const cJSON *content)
{
    const cJSON *macs = cJSON_GetObjectItemCaseSensitive(content, "mac");
    const char *keys = str(content, "keys");
    if (v->at != KEYS_SENT || !cJSON_IsObject(macs) || !keys) {
        cancel(mx, v, "m.unexpected_message", "a MAC out of turn");
        return;
    }
    char base[BASE_MAX], info[INFO_MAX];
    mac_info(base, sizeof base, v->user, v->device, mx->user_id, mx->device_id, v->txn);
    /* the key ids they MACed, sorted, as they joined them */
    size_t n = (size_t)cJSON_GetArraySize(macs), i = 0;
    const char **ids = calloc(n ? n : 1, sizeof *ids);
    const cJSON *m;
    cJSON_ArrayForEach(m, macs) {
        if (ids && cJSON_IsString(m))
            ids[i++] = m->string;
    }
    for (size_t a = 1; ids && a < i; a++) /* a handful of ids: insertion sort */
        for (size_t b = a; b > 0 && strcmp(ids[b - 1], ids[b]) > 0; b--) {
            const char *t = ids[b];
            ids[b] = ids[b - 1];
            ids[b - 1] = t;
        }
    tend_strbuf sb = TEND_STRBUF_INIT;
    for (size_t a = 0; ids && a < i; a++) {
        if (a)
            tend_strbuf_puts(&sb, ",");
        tend_strbuf_puts(&sb, ids[a]);
    }
    free(ids);
    char *joined = tend_strbuf_finish(&sb);
    snprintf(info, sizeof info, "%sKEY_IDS", base);
    bool ok = joined && i == n && n > 0 &&
              tend_olm_sas_verify_mac(v->sas, joined, info, v->legacy_mac, keys) == TEND_OLM_OK;
    free(joined);
    /* their device key must be among them, and match what their device published */
    char device_id[KEY_ID_MAX];
    snprintf(device_id, sizeof device_id, "ed25519:%s", v->device);
    const char *their_mac = str(macs, device_id);
    const cJSON *dev = cJSON_GetObjectItemCaseSensitive(tend_matrix_e2ee_devices(mx, v->user), v->device);
    const char *their_ed = str(dev, "e");
    snprintf(info, sizeof info, "%s%s", base, device_id);
    if (ok && !their_ed) {
        cancel(mx, v, "m.key_mismatch", "tend does not know that device's keys yet; try again in a minute");
        return;
    }
    if (!ok || !their_mac || tend_olm_sas_verify_mac(v->sas, their_ed, info, v->legacy_mac, their_mac) != TEND_OLM_OK) {
        cancel(mx, v, "m.key_mismatch", "the keys do not match what was compared");
        return;
    }
    tend_log(TEND_LOG_INFO, "matrix", "verification with %s (device %s) is complete: their device's key matched",
             v->user, v->device);
    v->at = DONE;
    send_step(mx, v, "m.key.verification.done", cJSON_CreateObject());
    if (v->done_received)
        drop(mx, v);
}

/* ---------------------------------------------------------------- dispatch */

/* One verification event, whichever transport brought it. */
static void handle(tend_matrix *mx, const char *type, const char *sender, const char *txn, const char *room_id,
                   const cJSON *content)
{
    if (strcmp(sender, mx->user_id) == 0)
        return; /* our own, echoed back in a room */
    const char *step = type + strlen("m.key.verification.");
    if (strcmp(step, "request") == 0) {
        on_request(mx, txn, room_id, sender, content);
        return;
    }
    verification *v = find(mx, txn);
    if (v && strcmp(v->user, sender) != 0)
        return; /* someone else's words in another's verification */
    if (strcmp(step, "start") == 0) {
        on_start(mx, v, txn, room_id, sender, content);
        return;
    }
    if (!v)
        return; /* ended, timed out, or another device's */
    if (strcmp(step, "cancel") == 0) {
        tend_log(TEND_LOG_INFO, "matrix", "%s cancelled the verification (%s)", sender,
                 str(content, "reason") ? str(content, "reason") : "no reason given");
        drop(mx, v);
    } else if (strcmp(step, "key") == 0) {
        on_key(mx, v, content);
    } else if (strcmp(step, "mac") == 0) {
        on_mac(mx, v, content);
    } else if (strcmp(step, "done") == 0) {
        v->done_received = true;
        if (v->at == DONE)
            drop(mx, v);
    }
}

void tend_matrix_e2ee_verify_to_device(tend_matrix *mx, const cJSON *ev)
{
    const char *type = str(ev, "type"), *sender = str(ev, "sender");
    const cJSON *content = cJSON_GetObjectItemCaseSensitive(ev, "content");
    const char *txn = str(content, "transaction_id");
    if (!mx->e2ee || !type || !sender || !txn || strncmp(type, "m.key.verification.", 19) != 0)
        return;
    if (strcmp(type, "m.key.verification.request") == 0) {
        const cJSON *ts = cJSON_GetObjectItemCaseSensitive(content, "timestamp");
        int64_t now = tend_matrix_clock_now(mx) * 1000;
        /* the spec: a request more than ten minutes old, or five in the future, is ignored */
        if (!cJSON_IsNumber(ts) || now - (int64_t)ts->valuedouble > TIMEOUT_MS ||
            (int64_t)ts->valuedouble - now > 5 * 60 * 1000)
            return;
    }
    handle(mx, type, sender, txn, NULL, content);
}

bool tend_matrix_e2ee_verify_room_event(tend_matrix *mx, const char *room_id, const cJSON *ev)
{
    const char *type = str(ev, "type"), *sender = str(ev, "sender");
    const cJSON *content = cJSON_GetObjectItemCaseSensitive(ev, "content");
    if (!type || !sender)
        return false;
    bool request = strcmp(type, "m.room.message") == 0 && str(content, "msgtype") &&
                   strcmp(str(content, "msgtype"), "m.key.verification.request") == 0;
    if (!request && strncmp(type, "m.key.verification.", 19) != 0)
        return false;
    if (!mx->e2ee)
        return true; /* nothing to verify without encryption: not a command either */
    const cJSON *ts = cJSON_GetObjectItemCaseSensitive(ev, "origin_server_ts");
    int64_t now = tend_matrix_clock_now(mx) * 1000;
    if (!cJSON_IsNumber(ts) || now - (int64_t)ts->valuedouble > TIMEOUT_MS)
        return true; /* from before a restart or a gap: its moment has passed */
    if (request) {
        const char *to = str(content, "to"), *event_id = str(ev, "event_id");
        if (to && event_id && strcmp(to, mx->user_id) == 0)
            handle(mx, "m.key.verification.request", sender, event_id, room_id, content);
        return true;
    }
    const char *txn = str(cJSON_GetObjectItemCaseSensitive(content, "m.relates_to"), "event_id");
    if (txn)
        handle(mx, type, sender, txn, room_id, content);
    return true;
}

void tend_matrix_e2ee_verify_free(tend_matrix *mx)
{
    while (mx->e2ee && mx->e2ee->verifications)
        drop(mx, mx->e2ee->verifications);
}
#endif
