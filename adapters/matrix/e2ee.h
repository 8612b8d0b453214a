/*
 * e2ee.h — end-to-end encryption in the Matrix adapter: what the adapter's other files call.
 *
 *   e2ee_json.c    canonical JSON (what Matrix signs) and signature checks of device keys
 *   e2ee_device.c  the bot's device: the pickle key, the Olm account kept in the store, identity,
 *                  one-time and fallback keys signed and uploaded (/keys/upload) and replenished
 *   e2ee_sync.c    what /sync brings: to-device messages, device list changes, members leaving
 *   e2ee_devices.c members' devices (/keys/query), their keys checked by their own signatures
 *   e2ee_olm.c     Olm sessions with those devices (/keys/claim), to-device messages in and out
 *   e2ee_in.c      room keys kept; encrypted room events decrypted, held while keys are missing
 *   e2ee_out.c     the bot's own events encrypted, one Megolm session per room shared over Olm
 *   e2ee_identity.c the bot's cross-signing keys, published once, its device signed by them
 *   e2ee_verify.c  a member verifies the bot with emoji (SAS), to-device or in a direct chat
 *   e2ee_file.c    files for encrypted rooms sealed as encrypted attachments (before their upload)
 *
 * Only builds with TEND_HAVE_E2EE (lib/olm) have it; without, every call below is a no-op that
 * says "no encryption", so an encrypted room keeps today's one-time notice.
 */
#ifndef TEND_MATRIX_E2EE_H
#define TEND_MATRIX_E2EE_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>

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
/* A /sync batch, before its rooms are handled: key counts, to-device messages (room keys),
 * device list changes, members who left an encrypted room (its room key is replaced). */
void tend_matrix_e2ee_sync(tend_matrix *mx, const cJSON *batch);
/* After the batch's rooms: members of encrypted rooms tracked, their devices asked for, held
 * events tried again. */
void tend_matrix_e2ee_after_sync(tend_matrix *mx);
/* An m.room.encrypted timeline event: decrypted and run like a plain one (through
 * tend_matrix_handle_decrypted), or held until its key comes. 0, or -1 when encryption is off
 * (the caller says so in the room). */
int tend_matrix_e2ee_room_event(tend_matrix *mx, const char *room_id, const cJSON *ev);
/* True when events to room_id must go out encrypted (and can: encryption is on). */
bool tend_matrix_e2ee_room_needs(tend_matrix *mx, const char *room_id);
/* Replaces *type and *content (malloc'd) by the m.room.encrypted event carrying them: 0 done;
 * 1 the room key is being shared first: the room's queue is resumed by tend_matrix_send_resume;
 * -1 failed (try again later). */
int tend_matrix_e2ee_encrypt(tend_matrix *mx, const char *room_id, char **type, char **content);
/* A room event of interactive verification (m.key.verification.*, or an m.room.message of
 * msgtype m.key.verification.request to the bot): handled, and true; false for any other event. */
bool tend_matrix_e2ee_verify_room_event(tend_matrix *mx, const char *room_id, const cJSON *ev);
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
static inline void tend_matrix_e2ee_after_sync(tend_matrix *mx)
{
    (void)mx;
}
static inline int tend_matrix_e2ee_room_event(tend_matrix *mx, const char *room_id, const cJSON *ev)
{
    (void)mx, (void)room_id, (void)ev;
    return -1;
}
static inline bool tend_matrix_e2ee_room_needs(tend_matrix *mx, const char *room_id)
{
    (void)mx, (void)room_id;
    return false;
}
static inline int tend_matrix_e2ee_encrypt(tend_matrix *mx, const char *room_id, char **type, char **content)
{
    (void)mx, (void)room_id, (void)type, (void)content;
    return -1;
}
static inline bool tend_matrix_e2ee_verify_room_event(tend_matrix *mx, const char *room_id, const cJSON *ev)
{
    (void)mx, (void)room_id, (void)ev;
    return false;
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

/* ---------------------------------------------------------------- e2ee_file.c */
/* A file for an encrypted room (an export, a calendar): its len bytes of data encrypted as
 * Matrix's encrypted attachments say (lib/olm: AES-256-CTR under a fresh key each call).
 * *ciphertext (the same len bytes) is what is uploaded; *file_info is the EncryptedFile object
 * without url, for tend_matrix_render_encrypted_file. Both go back through
 * tend_matrix_e2ee_file_release, which zeroes them (file_info holds the key). 0, or -1 (logged;
 * always -1 without encryption in the build). */
#ifdef TEND_HAVE_E2EE
int tend_matrix_e2ee_file_seal(const char *data, size_t len, char **ciphertext, char **file_info);
void tend_matrix_e2ee_file_release(char *sealed);
#else
static inline int tend_matrix_e2ee_file_seal(const char *data, size_t len, char **ciphertext, char **file_info)
{
    (void)data, (void)len;
    *ciphertext = *file_info = NULL;
    return -1;
}
static inline void tend_matrix_e2ee_file_release(char *sealed)
{
    (void)sealed;
}
#endif

#endif
