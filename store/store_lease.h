/*
 * store_lease.h — leases: which tend process does a named piece of shared work for a while (a
 * Discord shard, the Matrix sync, the scheduler's turn), so that several processes on one database
 * share the work and a process that dies loses its share when its lease runs out.
 *
 * The protocol (issue 21):
 * - A process names itself (the holder: a host name and a process id, unique per start) and takes
 *   each lease for a time to live (ttl). It renews every ttl/3; a lease it fails to renew in time
 *   is lost, and the process stops that work before the lease runs out on the database's side.
 * - Taking and renewing are one statement, atomic on both backends: the row is written only when
 *   nobody holds it, the holder already does, or the last holder's time ran out. So two processes
 *   racing for a free lease get one OK and one EXISTS, never two holders.
 * - Each lease carries an epoch that grows every time it changes hands (a fencing number): work
 *   done under an epoch that is no longer the lease's can be recognised and refused.
 * - An orderly stop releases its leases, so another process takes them at once rather than after
 *   the ttl.
 * Times are milliseconds on the caller's clock. Processes on several machines need clocks kept in
 * step (NTP): a skew must stay well below the ttl.
 */
#ifndef TEND_STORE_LEASE_H
#define TEND_STORE_LEASE_H

#include <stdint.h>

#include "store/store.h"

enum { TEND_LEASE_NAME_MAX = 128, TEND_LEASE_HOLDER_MAX = 128 };

typedef struct tend_store_lease {
    char name[TEND_LEASE_NAME_MAX];
    char holder[TEND_LEASE_HOLDER_MAX];
    int64_t expires_at; /* ms; at or before now: free to take */
    int64_t epoch;      /* grows by one each time the lease changes hands */
} tend_store_lease;

/* Takes or renews `name` for `holder` until now_ms + ttl_ms. TEND_STORE_OK when holder holds it now
 * (*epoch, if not NULL, gets the lease's epoch); TEND_STORE_EXISTS when another holder's lease has
 * not run out (nothing changed); TEND_STORE_ERROR for an empty or too long name or holder, or a
 * ttl that is not positive (the callers build them: a programming error, never a member's input). */
int tend_store_lease_take(tend_store *store, const char *name, const char *holder, int64_t now_ms,
                          int64_t ttl_ms, int64_t *epoch);
/* Takes `name` for `holder` only if `from` holds it now, whatever its time left: for a lease
 * whose holder is known to be gone (an earlier run on this host whose process no longer exists).
 * TEND_STORE_OK (the epoch moves on), or TEND_STORE_EXISTS when `from` no longer holds it. */
int tend_store_lease_take_from(tend_store *store, const char *name, const char *holder, const char *from,
                               int64_t now_ms, int64_t ttl_ms, int64_t *epoch);
/* Ends holder's lease on `name` at once (its row stays, with its epoch). TEND_STORE_OK, or
 * TEND_STORE_NOTFOUND when holder did not hold it (a lease already taken over is left alone). */
int tend_store_lease_release(tend_store *store, const char *name, const char *holder);
/* Deletes holder's lease on `name` (a lease that never changes hands, like a process's own, needs
 * no row once its holder stopped). TEND_STORE_OK, or TEND_STORE_NOTFOUND when holder did not hold it. */
int tend_store_lease_drop(tend_store *store, const char *name, const char *holder);
/* Deletes the leases named with `prefix` that ran out before `before_ms` (those of processes long
 * gone); *removed (may be NULL) gets how many. */
int tend_store_lease_forget(tend_store *store, const char *prefix, int64_t before_ms, int *removed);
/* Every lease whose name starts with prefix ("" for all), by name; a non-zero return from cb stops
 * the walk. */
int tend_store_lease_each(tend_store *store, const char *prefix,
                          int (*cb)(const tend_store_lease *lease, void *ud), void *ud);

#endif
