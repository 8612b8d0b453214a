/*
 * host_crypto.h — where an adapter keeps its end-to-end encryption state across restarts: opaque
 * pickles (already encrypted by the adapter with its pickle key), named by a kind and an id, in
 * the adapter's own namespace. The store side is store/store_crypto.h; the app's host implements
 * this table (app/host_crypto.c) and hangs it on tend_host_ops.crypto.
 */
#ifndef TEND_HOST_CRYPTO_H
#define TEND_HOST_CRYPTO_H

#include <stdbool.h>
#include <stdint.h>

#include "adapters/host.h"

typedef struct tend_host_crypto_ops {
    int (*get)(tend_host *h, const char *kind, const char *id, char **pickle_out);
    int (*put)(tend_host *h, const char *kind, const char *id, const char *pickle);
    int (*remove)(tend_host *h, const char *kind, const char *id);
    int (*each)(tend_host *h, const char *kind, const char *id_prefix,
                int (*cb)(const char *id, const char *pickle, void *ud), void *ud);
    int (*megolm_seen)(tend_host *h, const char *session_id, int64_t index, const char *event_id);
    int (*megolm_prune)(tend_host *h, int64_t older_than_s, int *removed);
} tend_host_crypto_ops;

/* The app's table (app/host_crypto.c). */
extern const tend_host_crypto_ops tend_app_host_crypto_ops;

/* True when the host keeps crypto state at all. */
static inline bool tend_host_has_crypto(tend_host *h)
{
    return h->ops->crypto != NULL;
}
/* 0 found (*pickle_out malloc'd, the caller frees it), 1 not found, negative on failure. */
static inline int tend_host_crypto_get(tend_host *h, const char *kind, const char *id, char **pickle_out)
{
    *pickle_out = NULL;
    return h->ops->crypto ? h->ops->crypto->get(h, kind, id, pickle_out) : -1;
}
/* 0 or negative. */
static inline int tend_host_crypto_put(tend_host *h, const char *kind, const char *id, const char *pickle)
{
    return h->ops->crypto ? h->ops->crypto->put(h, kind, id, pickle) : -1;
}
static inline int tend_host_crypto_remove(tend_host *h, const char *kind, const char *id)
{
    return h->ops->crypto ? h->ops->crypto->remove(h, kind, id) : -1;
}
/* Calls cb for each row of kind whose id starts with id_prefix, in id order; cb's positive return
 * stops the walk. 0, cb's return, or negative on failure. */
static inline int tend_host_crypto_each(tend_host *h, const char *kind, const char *id_prefix,
                                        int (*cb)(const char *id, const char *pickle, void *ud), void *ud)
{
    return h->ops->crypto ? h->ops->crypto->each(h, kind, id_prefix, cb, ud) : -1;
}

/* The replay guard (store_crypto.h's tend_store_megolm_seen, seen at the host's clock): 0 when the
 * (session, index) is new or was seen under this event id, 1 when it is a replay, negative on
 * failure. */
static inline int tend_host_megolm_seen(tend_host *h, const char *session_id, int64_t index, const char *event_id)
{
    return h->ops->crypto ? h->ops->crypto->megolm_seen(h, session_id, index, event_id) : -1;
}
/* Forgets pairs seen more than older_than_s seconds ago (each session's floor remembers them). */
static inline int tend_host_megolm_prune(tend_host *h, int64_t older_than_s, int *removed)
{
    return h->ops->crypto ? h->ops->crypto->megolm_prune(h, older_than_s, removed) : -1;
}

#endif
