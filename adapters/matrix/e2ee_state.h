/*
 * e2ee_state.h — what the e2ee_*.c files share of the device's encryption state; only they
 * include it. Built only with TEND_HAVE_E2EE.
 */
#ifndef TEND_MATRIX_E2EE_STATE_H
#define TEND_MATRIX_E2EE_STATE_H

#include <stdbool.h>
#include <stdint.h>

#include "adapters/matrix/e2ee.h"
#include "adapters/matrix/internal.h"
#include "lib/olm/olm.h"

/* What the server should hold of our one-time keys is decided by the account's capacity (half
 * of it, as other clients do), so keys claimed before their messages arrive are still known. */
struct tend_matrix_e2ee {
    uint8_t pickle_key[TEND_OLM_PICKLE_KEY_BYTES]; /* secret: zeroed on free */
    tend_olm_account *account;
    char *curve25519;        /* the device's identity keys (public) */
    char *ed25519;
    bool device_published;   /* the device keys are on the server (kept in adapter state) */
    bool uploading;          /* one /keys/upload at a time */
    bool fallback_needed;    /* the server's fallback key was used: make and upload another */
    long server_otks;        /* one-time keys the server holds, -1 until told */
    /* e2ee_devices.c: every member of an encrypted room, with their verified devices:
     * {"@user": {"stale": bool, "devices": {"DEVICE": {"c": curve25519, "e": ed25519}}}} */
    cJSON *users;
    bool querying;           /* one /keys/query at a time */
    int64_t query_failed_ms; /* when the last one failed, so a failing server is not hammered */
    uint64_t txn_counter;    /* to-device transaction ids */
    /* e2ee_in.c: encrypted room events waiting for their keys (held), oldest first */
    struct tend_matrix_held *held;
    cJSON *asked;            /* session ids a key request went out for: {"id": true} */
    cJSON *withheld;         /* sessions their senders withhold: {"room|key|session|sender": true} */
    bool replays_pruned;     /* the replay guard was pruned this run, last at replays_pruned_ms */
    int64_t replays_pruned_ms;
    /* e2ee_out.c: per room, its outbound Megolm session and who has its key */
    struct tend_matrix_outbound *outbound;
    struct tend_matrix_share *sharing; /* the rooms whose key is being shared, NULL when none */
    /* e2ee_identity.c: the bot's cross-signing keys (secret: freed zeroed) and their public halves */
    tend_olm_signing_key *cross_signing[3];
    char *cross_signing_public[3];
    bool identity_published; /* the keys are on the server and this device is signed (adapter state) */
    bool identity_busy;      /* one publication at a time */
    bool identity_refused;   /* the server holds another identity: not tried again this run */
    /* e2ee_verify.c: interactive verifications under way, newest first */
    struct tend_matrix_verification *verifications;
};

/* The three cross-signing keys, in e2ee_identity.c's order. */
#define TEND_MATRIX_CROSS_SIGNING_KEYS 3
#define TEND_MATRIX_MASTER_KEY 0
#define TEND_MATRIX_SELF_SIGNING_KEY 1
#define TEND_MATRIX_USER_SIGNING_KEY 2

/* ---------------------------------------------------------------- e2ee_device.c */

/* The device's row in the store (kind "account", id the device id). */
#define TEND_MATRIX_E2EE_ACCOUNT "account"
/* Pickles the account into the store: 0 or -1 (logged). Call after every change to it. */
int tend_matrix_e2ee_save_account(tend_matrix *mx);


/* The device's key object ({user_id, device_id, algorithms, keys}) signed by the device. */
cJSON *tend_matrix_e2ee_device_keys(tend_matrix *mx);
/* Adds the device's signature to obj (canonical JSON, "signatures" and "unsigned" left out). */
int tend_matrix_e2ee_sign_as_device(tend_matrix *mx, cJSON *obj);
/* Puts signature under obj.signatures[user_id][key_name]. 0 or -1. */
int tend_matrix_e2ee_add_signature(cJSON *obj, const char *user_id, const char *key_name, const char *signature);

/* What /sync says of the device's keys (one-time key count, unused fallback key): uploads more
 * when they run low. */
void tend_matrix_e2ee_key_counts(tend_matrix *mx, const cJSON *batch);

/* ---------------------------------------------------------------- e2ee_devices.c */
/* Tracks user_id's devices (a member of an encrypted room); their keys are asked for soon. */
void tend_matrix_e2ee_track(tend_matrix *mx, const char *user_id);
/* device_lists from /sync: changed users are asked again, left ones forgotten. */
void tend_matrix_e2ee_device_lists(tend_matrix *mx, const cJSON *device_lists);
/* True when every tracked user's devices are known (no query pending or needed). */
bool tend_matrix_e2ee_devices_fresh(tend_matrix *mx, const char *user_id);
/* Starts a /keys/query for the stale users, if none runs. When it ends, held events are retried
 * and key shares waiting for devices go on. */
void tend_matrix_e2ee_query(tend_matrix *mx);
/* The verified devices of user_id ({"DEVICE": {"c","e"}}), or NULL when unknown. */
const cJSON *tend_matrix_e2ee_devices(tend_matrix *mx, const char *user_id);
/* The device of user_id whose curve25519 key is curve, or NULL. */
const cJSON *tend_matrix_e2ee_device_by_curve(tend_matrix *mx, const char *user_id, const char *curve,
                                              const char **device_id);

/* ---------------------------------------------------------------- e2ee_olm.c */
/* Decrypts one to-device m.room.encrypted (Olm) sent by sender: the verified payload (its sender,
 * recipient and recipient key checked), or NULL. *sender_key gets the sender's curve25519 key
 * (borrowed from ev). */
cJSON *tend_matrix_olm_decrypt(tend_matrix *mx, const cJSON *ev, const char **sender_key);
/* The content of a to-device m.room.encrypted carrying {type, content} to one device, through
 * an Olm session with it (which must exist: tend_matrix_olm_has_session). NULL on failure. */
cJSON *tend_matrix_olm_encrypt(tend_matrix *mx, const char *user_id, const char *device_id, const char *curve,
                               const char *ed25519, const char *type, const cJSON *content);
bool tend_matrix_olm_has_session(tend_matrix *mx, const char *curve);
/* Claims one-time keys for `wanted` ({"@user": {"DEVICE": true}}) and makes Olm sessions with
 * each device whose key is signed by it; then calls done(mx, ud) (also on failure). 0, or -1 when
 * nothing was started (done is not called). */
int tend_matrix_olm_claim(tend_matrix *mx, const cJSON *wanted, void (*done)(tend_matrix *mx, void *ud), void *ud);

/* ---------------------------------------------------------------- e2ee_in.c */
/* A room key arrived (m.room_key through Olm): kept for the room. */
void tend_matrix_e2ee_room_key(tend_matrix *mx, const char *sender, const char *sender_key,
                               const cJSON *payload);
/* Tries the held events again (keys or devices arrived); gives up on those held too long. */
void tend_matrix_e2ee_retry_held(tend_matrix *mx);
void tend_matrix_e2ee_held_free(tend_matrix *mx);
/* An m.room_key.withheld to-device event from sender: events held for that session from that
 * sender (and device key) are given up with the notice at the next retry; no key is asked for it. */
void tend_matrix_e2ee_withheld(tend_matrix *mx, const char *sender, const cJSON *content);
/* Prunes the replay guard's old rows: the first call of a run, then once a day. */
void tend_matrix_e2ee_prune_replays(tend_matrix *mx);
/* Brings back the events held when tend last stopped (from the store). */
void tend_matrix_e2ee_held_load(tend_matrix *mx);

/* ---------------------------------------------------------------- e2ee_identity.c */
/* Loads (or makes and saves) the bot's cross-signing keys: 0, or -1 (no identity this run). */
int tend_matrix_e2ee_identity_start(tend_matrix *mx);
/* Publishes the identity and signs the device with it, once the device's keys are on the server;
 * a no-op once done (or while it runs). */
void tend_matrix_e2ee_identity_publish(tend_matrix *mx);
/* The bot's master key (unpadded base64), NULL without an identity. */
const char *tend_matrix_e2ee_master_key(const tend_matrix *mx);
void tend_matrix_e2ee_identity_free(tend_matrix *mx);

/* ---------------------------------------------------------------- e2ee_verify.c */
/* A to-device m.key.verification.* event (interactive verification of the bot by a member). */
void tend_matrix_e2ee_verify_to_device(tend_matrix *mx, const cJSON *ev);
void tend_matrix_e2ee_verify_free(tend_matrix *mx);

/* ---------------------------------------------------------------- e2ee_out.c */
/* Keys were just made or devices learned: shares waiting for them go on. */
void tend_matrix_e2ee_share_resume(tend_matrix *mx);
/* A member left room_id: its outbound session is not used again. */
void tend_matrix_e2ee_rotate(tend_matrix *mx, const char *room_id);
/* After a /keys/query answer: every room whose current session went to a device its user no
 * longer has is rotated (the device was signed out or removed). */
void tend_matrix_e2ee_rotate_for_lost_devices(tend_matrix *mx);
void tend_matrix_e2ee_outbound_free(tend_matrix *mx);

#endif
