/*
 * store_crypto.h — an adapter's end-to-end encryption state (Matrix: the device's account, Olm
 * sessions, Megolm sessions), kept as pickles.
 *
 * A pickle is already encrypted and authenticated by the caller (lib/olm, with the pickle key from
 * [matrix] pickle_key_file), so the store only keeps opaque text; nothing here is a member's words.
 * A row is named by (platform, kind, id): kind says what the pickle is ("account", "olm",
 * "inbound", "outbound", ...), id says which one (a device id, "<their key>|<session id>", ...).
 * Besides pickles, the ids hold only device ids and key ids the protocol needs: /forgetme has
 * nothing to remove here.
 */
#ifndef TEND_STORE_CRYPTO_H
#define TEND_STORE_CRYPTO_H

#include <stdint.h>

#include "store/store.h"

/* The pickle of (platform, kind, id) into *pickle_out (malloc'd; the caller frees it).
 * TEND_STORE_OK, TEND_STORE_NOTFOUND, or an error. */
int tend_store_crypto_get(tend_store *store, const char *platform, const char *kind, const char *id,
                          char **pickle_out);
/* Inserts or replaces one pickle. */
int tend_store_crypto_put(tend_store *store, const char *platform, const char *kind, const char *id,
                          const char *pickle);
int tend_store_crypto_delete(tend_store *store, const char *platform, const char *kind, const char *id);
/* Calls cb for every row of (platform, kind) whose id starts with id_prefix ("" for all), in id
 * order; a non-zero return from cb stops the walk and is returned. */
int tend_store_crypto_each(tend_store *store, const char *platform, const char *kind, const char *id_prefix,
                           int (*cb)(const char *id, const char *pickle, void *ud), void *ud);

/* The replay guard of decrypted Megolm messages: each (session, message index) is remembered with
 * the event id it came in. TEND_STORE_OK when the pair is new (now remembered, at now, in seconds)
 * or was seen under this very event id; TEND_STORE_EXISTS when it is a replay: seen under another
 * event id, or at or below the session's floor (the highest index pruned, whose row is gone). */
int tend_store_megolm_seen(tend_store *store, const char *platform, const char *session_id, int64_t index,
                           const char *event_id, int64_t now);
/* Forgets the pairs seen before `before` (seconds), raising each session's floor to the highest
 * index forgotten, so a forgotten pair still counts as seen. *removed (may be NULL) gets how many. */
int tend_store_megolm_prune(tend_store *store, const char *platform, int64_t before, int *removed);

#endif
