/*
 * e2ee.h — end-to-end encryption in the Matrix adapter: what the adapter's other files call.
 *
 *   e2ee_json.c    canonical JSON (what Matrix signs) and signature checks of device keys
 *   e2ee_device.c  the bot's device: the pickle key, the Olm account kept in the store, identity,
 *                  one-time and fallback keys signed and uploaded (/keys/upload) and replenished
 *
 * Only builds with TEND_HAVE_E2EE (lib/olm) have it; without, every call below is a no-op that
 * says "no encryption", so an encrypted room keeps today's one-time notice.
 */
#ifndef TEND_MATRIX_E2EE_H
#define TEND_MATRIX_E2EE_H

#include <cjson/cJSON.h>
#include <stdbool.h>

typedef struct tend_matrix tend_matrix;

/* ---------------------------------------------------------------- e2ee_json.c (pure) */
/* Matrix's canonical JSON of v (keys sorted by code point, no spaces), leaving out the top-level
 * "signatures" and "unsigned" members, as signing needs. malloc'd, NULL on OOM or a value
 * canonical JSON cannot hold (a number that is not an integer). */
char *tend_matrix_canonical_json(const cJSON *v);
/* True when obj carries a valid ed25519 signature by user_id's key "ed25519:<key_id>" whose
 * public half is ed25519 (unpadded base64). Always false without encryption in the build. */
bool tend_matrix_signed_by(const cJSON *obj, const char *user_id, const char *key_id, const char *ed25519);

#ifdef TEND_HAVE_E2EE
/* ---------------------------------------------------------------- e2ee_device.c */
/* Reads (or makes, 0600) the pickle key file and loads the bot's device account from the store,
 * or makes and stores a new one: called once the device id is known, before the first /sync.
 * Then uploads what the homeserver lacks of its keys, on the loop. 0 when encryption is on;
 * -1 when it is off for this run (logged once: encrypted rooms get today's notice). */
int tend_matrix_e2ee_start(tend_matrix *mx, const char *pickle_key_file);
/* What /sync says of the device's keys: how many one-time keys the server still holds, and
 * whether the fallback key was used; uploads more when they run low. */
void tend_matrix_e2ee_sync(tend_matrix *mx, const cJSON *batch);
/* True once the device has an account this run (encrypted rooms are served). */
bool tend_matrix_e2ee_on(const tend_matrix *mx);
/* Frees everything, zeroing the pickle key. */
void tend_matrix_e2ee_free(tend_matrix *mx);
#else
static inline int tend_matrix_e2ee_start(tend_matrix *mx, const char *pickle_key_file)
{
    (void)mx, (void)pickle_key_file;
    return -1;
}
static inline void tend_matrix_e2ee_sync(tend_matrix *mx, const cJSON *batch)
{
    (void)mx, (void)batch;
}
static inline bool tend_matrix_e2ee_on(const tend_matrix *mx)
{
    (void)mx;
    return false;
}
static inline void tend_matrix_e2ee_free(tend_matrix *mx)
{
    (void)mx;
}
#endif

#endif
