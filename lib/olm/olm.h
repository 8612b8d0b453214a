/* lib/olm/olm.h — Olm and Megolm (Matrix end-to-end encryption) for tend, through vodozemac.
 *
 * A small C interface over vodozemac, the Matrix Foundation's Rust implementation of the Olm
 * double ratchet (to-device messages) and the Megolm ratchet (room messages). The Rust side is
 * lib/olm/src/, built by CMake with cargo into a static library; it exists only in builds where
 * TEND_HAVE_E2EE is defined. This interface knows nothing of Matrix's JSON events, HTTP or the
 * store: it turns keys, plaintexts and ciphertexts into each other, and the caller does the rest.
 *
 * Why it is safe to call from C:
 * - Ownership. Every object (account, Olm session, outbound and inbound group session, signing
 *   key, SAS) is an opaque handle the library creates (…_new, …_unpickle) and only its own …_free
 *   releases;
 *   …_free(NULL) does nothing. Every string the library returns (char **out) is a new allocation
 *   the caller owns and releases with tend_olm_free_string, never with free(). The library keeps
 *   no pointer the caller passed in after a call returns, and has no global state: two handles
 *   never share anything, so separate handles may be used from separate threads (one handle from
 *   one thread at a time).
 * - Secrets. Returned strings can hold key material (a Megolm session key, a plaintext that carries
 *   a room key), so tend_olm_free_string overwrites the whole allocation with zeroes before it frees
 *   it, and so does every …_free for the keys inside a handle (vodozemac zeroes its keys on drop).
 *   The library's own temporary copies of secrets (plaintexts, session keys, exported keys) are
 *   zeroed the same way. Handles are saved only as pickles: the object's state encrypted and
 *   authenticated with a 32-byte key the caller provides (vodozemac's pickle format: AES-256-CBC
 *   and HMAC-SHA-256 truncated to 8 bytes, keys derived from the pickle key with HKDF), so a pickle
 *   at rest reveals nothing without that key, and a pickle changed or opened with another key is
 *   refused.
 * - Errors. Every call that can fail returns a tend_olm_error; TEND_OLM_OK is 0. On any error every
 *   output is NULL or 0 and the handle is unchanged (vodozemac checks a message before it advances a
 *   ratchet). tend_olm_strerror gives a fixed English sentence per value, never built from input
 *   or key material, so it may go to a log. A Rust panic never crosses into C: each call catches
 *   it and returns TEND_OLM_ERR_INTERNAL, and the handle it happened on is then poisoned (every
 *   later call on it returns TEND_OLM_ERR_POISONED) so state a panic may have left half-updated is
 *   never used or pickled; free it and unpickle the last saved copy. Running out of memory aborts
 *   the process (Rust's allocator does), as a failed malloc in tend is treated as fatal anyway.
 * - Inputs. Keys, ciphertexts and pickles are NUL-terminated strings (unpadded base64, as Matrix
 *   sends them); plaintexts and signed messages are (pointer, length) and may hold any bytes.
 *   A NULL pointer where one is required is TEND_OLM_ERR_INVALID_ARGUMENT, never a crash. Passing a
 *   handle that was freed, or a string the library did not allocate, is undefined behaviour, as
 *   with free().
 * - Replays. Olm refuses a message whose key was used (TEND_OLM_ERR_MESSAGE_KEY_USED). Megolm can
 *   decrypt the same message again by design (a restarted sync delivers events twice), so it returns
 *   the message index: the Matrix layer refuses a known (session, index) seen on another event id.
 */
#ifndef TEND_OLM_H
#define TEND_OLM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The pickle key: exactly this many bytes, e.g. from [matrix] pickle_key_file. */
#define TEND_OLM_PICKLE_KEY_BYTES 32

typedef enum tend_olm_error {
    TEND_OLM_OK = 0,
    TEND_OLM_ERR_INVALID_ARGUMENT,   /* a NULL pointer, a string that is not UTF-8, a count out of range */
    TEND_OLM_ERR_BAD_KEY,            /* a public key, session key or exported key does not decode */
    TEND_OLM_ERR_BAD_MESSAGE,        /* a ciphertext does not decode (base64, layout, version, type) */
    TEND_OLM_ERR_BAD_SIGNATURE,      /* an Ed25519 signature does not verify (or does not decode) */
    TEND_OLM_ERR_BAD_MAC,            /* a ciphertext failed authentication: changed, or another session's */
    TEND_OLM_ERR_MESSAGE_KEY_USED,   /* Olm: this message was decrypted before (replay) or is too old */
    TEND_OLM_ERR_MESSAGE_GAP,        /* Olm: too many messages skipped to reach this one */
    TEND_OLM_ERR_UNKNOWN_INDEX,      /* Megolm: the message is older than the session's first known index */
    TEND_OLM_ERR_UNKNOWN_ONE_TIME_KEY, /* a pre-key message names a one-time key this account does not hold */
    TEND_OLM_ERR_IDENTITY_MISMATCH,  /* a pre-key message is not from the identity key the caller expects */
    TEND_OLM_ERR_INSECURE_KEY,       /* a key exchange would give a weak shared secret (non-contributory) */
    TEND_OLM_ERR_UNSUPPORTED,        /* a message or session of a version this build does not speak */
    TEND_OLM_ERR_PICKLE_KEY,         /* a pickle failed authentication: wrong pickle key, or changed */
    TEND_OLM_ERR_PICKLE_CORRUPT,     /* a pickle is not base64 or not a pickle of this kind of object */
    TEND_OLM_ERR_POISONED,           /* an earlier call on this handle hit an internal error: free it */
    TEND_OLM_ERR_INTERNAL,           /* a bug in the library (a caught panic); the handle is poisoned */
} tend_olm_error;

/* A fixed sentence for an error value (never NULL, never key material); static storage. */
const char *tend_olm_strerror(tend_olm_error err);

/* The version of vodozemac linked in, e.g. "0.11.1" (static storage). */
const char *tend_olm_vodozemac_version(void);

/* Zeroes, then frees, a string this library returned. NULL does nothing. */
void tend_olm_free_string(char *s);

/* Verifies an Ed25519 signature (unpadded base64) of message by public_key (unpadded base64): OK,
 * TEND_OLM_ERR_BAD_SIGNATURE, or TEND_OLM_ERR_BAD_KEY. Matrix signs canonical JSON: pass exactly
 * the bytes that were signed. */
tend_olm_error tend_olm_ed25519_verify(const char *public_key, const uint8_t *message, size_t message_len,
                                       const char *signature);

/* The SHA-256 of data as unpadded base64 (an SAS commitment: m.key.verification.accept). */
tend_olm_error tend_olm_sha256(const uint8_t *data, size_t data_len, char **base64_out);

/* ---- Account: the device's identity keys, one-time keys and fallback key ---- */
typedef struct tend_olm_account tend_olm_account;

tend_olm_error tend_olm_account_new(tend_olm_account **out);
void tend_olm_account_free(tend_olm_account *account);
/* {"curve25519":"<key>","ed25519":"<key>"}: the values of the device's "keys" object. */
tend_olm_error tend_olm_account_identity_keys(const tend_olm_account *account, char **json_out);
/* The Ed25519 signature (unpadded base64) of message, e.g. a canonical-JSON device key object. */
tend_olm_error tend_olm_account_sign(const tend_olm_account *account, const uint8_t *message,
                                     size_t message_len, char **signature_out);
/* How many one-time keys to keep on the server (vodozemac holds more locally, so that keys claimed
 * before their pre-key messages arrive are not forgotten). */
size_t tend_olm_account_max_one_time_keys(const tend_olm_account *account);
/* Generates count new one-time keys (at most 1000 a call); the oldest are dropped past the
 * account's capacity. */
tend_olm_error tend_olm_account_generate_one_time_keys(tend_olm_account *account, size_t count);
/* The unpublished one-time keys as {"<key id>":"<curve25519 key>",...} ({} when none). */
tend_olm_error tend_olm_account_one_time_keys(const tend_olm_account *account, char **json_out);
/* Generates a new fallback key; the previous one is kept until forget_fallback_key. */
tend_olm_error tend_olm_account_generate_fallback_key(tend_olm_account *account);
/* The unpublished fallback key as {"<key id>":"<curve25519 key>"}, or {} when it was published. */
tend_olm_error tend_olm_account_fallback_key(const tend_olm_account *account, char **json_out);
/* Drops the previous fallback key (once senders have had time to stop using it). */
tend_olm_error tend_olm_account_forget_fallback_key(tend_olm_account *account);
/* Marks every unpublished one-time and fallback key as published (after the upload succeeded). */
tend_olm_error tend_olm_account_mark_keys_as_published(tend_olm_account *account);
tend_olm_error tend_olm_account_pickle(const tend_olm_account *account,
                                       const uint8_t key[TEND_OLM_PICKLE_KEY_BYTES], char **pickle_out);
tend_olm_error tend_olm_account_unpickle(const char *pickle, const uint8_t key[TEND_OLM_PICKLE_KEY_BYTES],
                                         tend_olm_account **out);

/* ---- Olm session: a double ratchet with one other device (to-device m.olm.v1 messages) ---- */
typedef struct tend_olm_session tend_olm_session;

/* Message types as m.olm.v1.curve25519-aes-sha2 carries them in "type". */
#define TEND_OLM_MESSAGE_PRE_KEY 0
#define TEND_OLM_MESSAGE_NORMAL 1

/* A session to the device with identity key their_identity_key, using the one-time (or fallback)
 * key claimed for it with /keys/claim (the caller verifies that key's signature first). */
tend_olm_error tend_olm_session_new_outbound(const tend_olm_account *account, const char *their_identity_key,
                                             const char *their_one_time_key, tend_olm_session **out);
/* A session from a received pre-key message (type 0) sent by their_identity_key: returns the
 * session and the message's plaintext. Uses up the one-time key it names, so pickle the account
 * afterwards. Try the sessions you already have with that device first (session_id of the
 * pre-key message: tend_olm_pre_key_session_id). */
tend_olm_error tend_olm_session_new_inbound(tend_olm_account *account, const char *their_identity_key,
                                            const char *pre_key_message, tend_olm_session **out,
                                            char **plaintext_out, size_t *plaintext_len_out);
/* The id of the session a pre-key message belongs to (to find an existing session for it). */
tend_olm_error tend_olm_pre_key_session_id(const char *pre_key_message, char **session_id_out);
tend_olm_error tend_olm_session_id(const tend_olm_session *session, char **session_id_out);
/* Encrypts plaintext; *type_out is TEND_OLM_MESSAGE_PRE_KEY until the other side has answered. */
tend_olm_error tend_olm_session_encrypt(tend_olm_session *session, const uint8_t *plaintext,
                                        size_t plaintext_len, int *type_out, char **ciphertext_out);
/* Decrypts a message of the given type. The plaintext is NUL-terminated and *plaintext_len_out
 * long (it may hold NUL bytes; Matrix's JSON never does). */
tend_olm_error tend_olm_session_decrypt(tend_olm_session *session, int type, const char *ciphertext,
                                        char **plaintext_out, size_t *plaintext_len_out);
void tend_olm_session_free(tend_olm_session *session);
tend_olm_error tend_olm_session_pickle(const tend_olm_session *session,
                                       const uint8_t key[TEND_OLM_PICKLE_KEY_BYTES], char **pickle_out);
tend_olm_error tend_olm_session_unpickle(const char *pickle, const uint8_t key[TEND_OLM_PICKLE_KEY_BYTES],
                                         tend_olm_session **out);

/* ---- Megolm outbound group session: what tend encrypts a room's messages with ---- */
typedef struct tend_olm_outbound_group tend_olm_outbound_group;

tend_olm_error tend_olm_outbound_group_new(tend_olm_outbound_group **out);
void tend_olm_outbound_group_free(tend_olm_outbound_group *group);
tend_olm_error tend_olm_outbound_group_session_id(const tend_olm_outbound_group *group, char **session_id_out);
/* The session key at the current index, to send in m.room_key over Olm. A secret. */
tend_olm_error tend_olm_outbound_group_session_key(const tend_olm_outbound_group *group, char **session_key_out);
/* The index the next message will be encrypted at (how many messages so far): for rotation. */
uint32_t tend_olm_outbound_group_message_index(const tend_olm_outbound_group *group);
/* Encrypts one room event's plaintext (the JSON of type, content, room_id) to the m.megolm.v1
 * "ciphertext" string, and advances the ratchet. */
tend_olm_error tend_olm_outbound_group_encrypt(tend_olm_outbound_group *group, const uint8_t *plaintext,
                                               size_t plaintext_len, char **ciphertext_out);
tend_olm_error tend_olm_outbound_group_pickle(const tend_olm_outbound_group *group,
                                              const uint8_t key[TEND_OLM_PICKLE_KEY_BYTES], char **pickle_out);
tend_olm_error tend_olm_outbound_group_unpickle(const char *pickle, const uint8_t key[TEND_OLM_PICKLE_KEY_BYTES],
                                                tend_olm_outbound_group **out);

/* ---- Megolm inbound group session: what tend decrypts one sender's room messages with ---- */
typedef struct tend_olm_inbound_group tend_olm_inbound_group;

/* From the session_key of an m.room_key (signed by the sender's session: authentic). */
tend_olm_error tend_olm_inbound_group_new(const char *session_key, tend_olm_inbound_group **out);
/* From an exported key (m.forwarded_room_key, key backup): not signed by the sender, so the caller
 * decides how far to trust it. */
tend_olm_error tend_olm_inbound_group_import(const char *exported_key, tend_olm_inbound_group **out);
void tend_olm_inbound_group_free(tend_olm_inbound_group *group);
tend_olm_error tend_olm_inbound_group_session_id(const tend_olm_inbound_group *group, char **session_id_out);
/* The oldest message index this session can decrypt. */
uint32_t tend_olm_inbound_group_first_known_index(const tend_olm_inbound_group *group);
/* Decrypts an m.megolm.v1 "ciphertext"; *message_index_out is the index it was sent at (see
 * Replays above). The plaintext is NUL-terminated and *plaintext_len_out long. */
tend_olm_error tend_olm_inbound_group_decrypt(tend_olm_inbound_group *group, const char *ciphertext,
                                              char **plaintext_out, size_t *plaintext_len_out,
                                              uint32_t *message_index_out);
/* Exports the session from message index (>= the first known index) on, to forward it. A secret. */
tend_olm_error tend_olm_inbound_group_export(tend_olm_inbound_group *group, uint32_t message_index,
                                             char **exported_key_out);
tend_olm_error tend_olm_inbound_group_pickle(const tend_olm_inbound_group *group,
                                             const uint8_t key[TEND_OLM_PICKLE_KEY_BYTES], char **pickle_out);
tend_olm_error tend_olm_inbound_group_unpickle(const char *pickle, const uint8_t key[TEND_OLM_PICKLE_KEY_BYTES],
                                               tend_olm_inbound_group **out);


/* ---- Signing key: one Ed25519 key of the bot's cross-signing identity ---- */
/* Matrix cross-signing gives a user three Ed25519 keys besides each device's: the master key
 * (the user's identity), the self-signing key (signs the user's own devices) and the user-signing
 * key (signs other users' master keys once they are verified). Each is a handle here, saved only
 * as a pickle under the pickle key (the same format as the other pickles), zeroed on free. */
typedef struct tend_olm_signing_key tend_olm_signing_key;

tend_olm_error tend_olm_signing_key_new(tend_olm_signing_key **out);
void tend_olm_signing_key_free(tend_olm_signing_key *key);
/* The public half (unpadded base64): the key id after "ed25519:" and its value in the key object. */
tend_olm_error tend_olm_signing_key_public(const tend_olm_signing_key *key, char **public_out);
/* The Ed25519 signature (unpadded base64) of message (canonical JSON of a key object). */
tend_olm_error tend_olm_signing_key_sign(const tend_olm_signing_key *key, const uint8_t *message,
                                         size_t message_len, char **signature_out);
tend_olm_error tend_olm_signing_key_pickle(const tend_olm_signing_key *key,
                                           const uint8_t key_bytes[TEND_OLM_PICKLE_KEY_BYTES], char **pickle_out);
tend_olm_error tend_olm_signing_key_unpickle(const char *pickle, const uint8_t key_bytes[TEND_OLM_PICKLE_KEY_BYTES],
                                             tend_olm_signing_key **out);

/* ---- SAS: the short authentication string of interactive (emoji) verification ---- */
/* One verification's ephemeral Curve25519 key (m.key.verification.key), then, once the other
 * side's key is known, the shared secret that gives the emoji and decimals people compare and the
 * MACs of the keys being verified. The secret never leaves the handle; free zeroes it. A SAS
 * handle is used for one verification only. */
typedef struct tend_olm_sas tend_olm_sas;

/* The emoji as indices 0..63 into the spec's emoji table, and the three decimals 1000..9191. */
#define TEND_OLM_SAS_EMOJI 7
typedef struct tend_olm_sas_string {
    uint8_t emoji[TEND_OLM_SAS_EMOJI];
    uint16_t decimals[3];
} tend_olm_sas_string;

tend_olm_error tend_olm_sas_new(tend_olm_sas **out);
void tend_olm_sas_free(tend_olm_sas *sas);
/* Our ephemeral public key (unpadded base64), for m.key.verification.key and the commitment. */
tend_olm_error tend_olm_sas_public_key(const tend_olm_sas *sas, char **public_out);
/* Agrees the shared secret with their ephemeral key (curve25519-hkdf-sha256). Once only:
 * a second call is TEND_OLM_ERR_INVALID_ARGUMENT; a low-order key TEND_OLM_ERR_INSECURE_KEY. */
tend_olm_error tend_olm_sas_establish(tend_olm_sas *sas, const char *their_public_key);
/* The emoji and decimals for info ("MATRIX_KEY_VERIFICATION_SAS|..." as the spec builds it).
 * TEND_OLM_ERR_INVALID_ARGUMENT before establish. */
tend_olm_error tend_olm_sas_string_for(const tend_olm_sas *sas, const char *info, tend_olm_sas_string *out);
/* The MAC (unpadded base64) of input (a public key, or the comma-joined sorted key ids) under
 * info, as "hkdf-hmac-sha256.v2" defines it. legacy_base64 gives instead the base64 of the older
 * "hkdf-hmac-sha256" (libolm's encoding, still spoken by older clients). */
tend_olm_error tend_olm_sas_mac(const tend_olm_sas *sas, const char *input, const char *info, int legacy_base64,
                                char **mac_out);
/* OK when mac is input's MAC under info (either encoding, as legacy_base64 says), else
 * TEND_OLM_ERR_BAD_MAC; compared in constant time. */
tend_olm_error tend_olm_sas_verify_mac(const tend_olm_sas *sas, const char *input, const char *info,
                                       int legacy_base64, const char *mac);

/* ---- Encrypted attachments: a file for an encrypted room (Matrix's EncryptedFile, v2) ---- */
/* The file is encrypted with AES-256-CTR under a fresh key from the OS's random numbers and a
 * 128-bit counter block whose high 64 bits are random and low 64 bits zero; every call makes a new
 * key, so a retried upload never reuses a key with other bytes. The ciphertext is what goes to the
 * media repository (as application/octet-stream); the key, the counter block and the SHA-256 of
 * the ciphertext go inside the Megolm-encrypted event, which is what makes a changed upload fail.
 *
 * Encrypts len bytes of data: *ciphertext_out (exactly *ciphertext_len_out bytes, the same length,
 * NUL-terminated after them) and *file_info_out, the EncryptedFile object without its url:
 *   {"hashes":{"sha256":"<b64>"},"iv":"<b64>","key":{"alg":"A256CTR","ext":true,"k":"<b64url>",
 *    "key_ops":["encrypt","decrypt"],"kty":"oct"},"v":"v2"}
 * (unpadded base64; k in the URL-safe alphabet, as a JSON Web Key has it). The caller adds "url"
 * once the upload has one. *file_info_out holds the key: a secret (tend_olm_free_string zeroes it). */
tend_olm_error tend_olm_attachment_encrypt(const uint8_t *data, size_t len, char **ciphertext_out,
                                           size_t *ciphertext_len_out, char **file_info_out);
/* Checks ciphertext's SHA-256 against file_info (an EncryptedFile object as above; its url, if
 * any, is ignored), then decrypts it: *plaintext_out (NUL-terminated, *plaintext_len_out bytes).
 * TEND_OLM_ERR_BAD_MAC when the hash differs (a changed ciphertext), TEND_OLM_ERR_BAD_KEY when a
 * field is missing or does not decode, TEND_OLM_ERR_UNSUPPORTED for another version or algorithm. */
tend_olm_error tend_olm_attachment_decrypt(const uint8_t *ciphertext, size_t len, const char *file_info,
                                           char **plaintext_out, size_t *plaintext_len_out);

#ifdef __cplusplus
}
#endif
#endif
