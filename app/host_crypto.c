/*
 * host_crypto.c — the host's crypto-state table (adapters/host_crypto.h) over the store
 * (store/store_crypto.h), in the adapter's own namespace.
 */
#include "adapters/host_crypto.h"

#include "app/internal.h"
#include "store/store_crypto.h"

/* The loop's store: the bot's own, or on the async host the loop's own connection (the bot's
 * belongs to the store thread). Crypto state is written at once, never behind the queue: a
 * ratchet must be on disk before the ciphertext it made leaves. */
static tend_store *store_of(tend_host *h)
{
    return tend_app_loop_store((tend_app *)h->app);
}

static int result_of(int rc)
{
    return rc == TEND_STORE_OK ? 0 : rc == TEND_STORE_NOTFOUND ? 1 : -1;
}

static int crypto_get(tend_host *h, const char *kind, const char *id, char **pickle_out)
{
    return result_of(tend_store_crypto_get(store_of(h), h->platform, kind, id, pickle_out));
}

static int crypto_put(tend_host *h, const char *kind, const char *id, const char *pickle)
{
    return result_of(tend_store_crypto_put(store_of(h), h->platform, kind, id, pickle));
}

static int crypto_remove(tend_host *h, const char *kind, const char *id)
{
    return result_of(tend_store_crypto_delete(store_of(h), h->platform, kind, id));
}

static int crypto_each(tend_host *h, const char *kind, const char *id_prefix,
                       int (*cb)(const char *id, const char *pickle, void *ud), void *ud)
{
    /* cb stops the walk with a positive value, which comes back as it is; the store's failures
     * are negative */
    int rc = tend_store_crypto_each(store_of(h), h->platform, kind, id_prefix, cb, ud);
    return rc < 0 ? -1 : rc;
}

static int megolm_seen(tend_host *h, const char *session_id, int64_t index, const char *event_id)
{
    int rc = tend_store_megolm_seen(store_of(h), h->platform, session_id, index, event_id, tend_host_now(h));
    return rc == TEND_STORE_OK ? 0 : rc == TEND_STORE_EXISTS ? 1 : -1;
}

static int megolm_prune(tend_host *h, int64_t older_than_s, int *removed)
{
    return result_of(tend_store_megolm_prune(store_of(h), h->platform, tend_host_now(h) - older_than_s, removed));
}

const tend_host_crypto_ops tend_app_host_crypto_ops = {
    .get = crypto_get,
    .put = crypto_put,
    .remove = crypto_remove,
    .each = crypto_each,
    .megolm_seen = megolm_seen,
    .megolm_prune = megolm_prune,
};
