/*
 * leases.h — work that only one of several tend processes on one database may do at a time, held
 * through a lease in the store (store/store_lease.h says the protocol). Today that is the Matrix
 * account's sync ("matrix.sync"): two processes reading one account's /sync would each run every
 * command (the shared event ids keep the answers single, but the work, the sync token and the
 * encryption state would race).
 *
 * A process holding the lease renews it every TEND_LEASE_RENEW_MS; one in standby tries every
 * TEND_LEASE_RETRY_MS and takes it when nobody holds it, when its holder released it (an orderly
 * stop), when its holder stopped renewing for TEND_LEASE_TTL_MS (a crash, kill -9, a lost
 * machine), or at once when the holder was an earlier run on this host whose process is gone.
 * A holder that cannot renew before its time runs out, or finds the lease taken, is told it lost
 * it before another process can start the same work.
 * Times are the wall clock's (processes on several machines compare them): keep clocks in step.
 */
#ifndef TEND_APP_LEASES_H
#define TEND_APP_LEASES_H

#include <stdbool.h>
#include <stdint.h>

#include <uv.h>

#include "lib/metrics.h"
#include "store/store.h"

#define TEND_LEASE_TTL_MS 15000
#define TEND_LEASE_RENEW_MS 5000
#define TEND_LEASE_RETRY_MS 2000

typedef struct tend_lease tend_lease;

/* held: true when this process just took the lease (start the work), false when it lost it (stop
 * the work now). `other` names the process that held it before or holds it now ("" if none). */
typedef void (*tend_lease_changed)(tend_lease *lease, bool held, const char *other, void *ud);

/* Starts contending for `name` on the loop; the first try is on the loop's next turn (a lone
 * process starts its work at once). NULL when memory or the loop fails. */
tend_lease *tend_lease_start(uv_loop_t *loop, tend_store *store, const char *name, tend_lease_changed changed,
                             void *ud);
bool tend_lease_held(const tend_lease *lease);
const char *tend_lease_name(const tend_lease *lease);
/* Who holds it now, as last seen ("" when free or unknown): for the standby's log and /healthz. */
const char *tend_lease_other(const tend_lease *lease);
/* Stops trying and renewing (closes the timer). The lease itself is kept until
 * tend_lease_release_free, after the work it guards has stopped. Accepts NULL. */
void tend_lease_stop(tend_lease *lease);
/* Once the loop has drained: gives the lease back if held (another process takes it at once)
 * and frees. Accepts NULL. */
void tend_lease_release_free(tend_lease *lease);

/* tend_lease_held{lease}: 1 while this process holds the lease, 0 while it waits in standby.
 * tend_platform_standby{platform}: 1 while a configured platform waits for its lease here; /healthz
 * counts such a platform as healthy ("standby"), not as "not connected". */
extern const tend_metric_def TEND_M_LEASE_HELD;
extern const tend_metric_def TEND_M_PLATFORM_STANDBY;

/* Takes or renews `name` for this process once, now (before work that must not start without it).
 * TEND_STORE_OK, TEND_STORE_EXISTS (another holds it) or an error. */
int tend_lease_take_now(tend_store *store, const char *name);

/* Whether the process `holder` names is gone, so what it owns may be taken: "" (rows from before
 * owners existed), an earlier run on this host whose process no longer exists, or a process whose
 * lease "process.<holder>" ran out (or never was). Not this process. A store failure answers false
 * (nothing is taken on a guess). */
bool tend_lease_holder_gone(tend_store *store, const char *holder);
/* The name of this process's own lease, "process.<host>:<pid>": held while it runs, so others know
 * it is alive and leave its outbox rows alone. */
const char *tend_lease_process_name(void);

/* How many leases named with `prefix` are held now (not run out): with "process.", how many tend
 * processes share the database. -1 when the store fails. */
int tend_lease_count_live(tend_store *store, const char *prefix);

/* Deletes the process leases that ran out more than a day ago (processes killed without giving
 * theirs back), so the table keeps only the living and the recently gone. */
void tend_lease_forget_gone(tend_store *store);

/* Whether `holder` is an earlier run on this host whose process no longer exists (killed,
 * crashed): what it held may be taken at once, without waiting for its leases to run out. Another
 * host's holder, or this process, is never judged so (false). */
bool tend_lease_holder_exited(const char *holder);

/* This process as a lease holder: "<host name>:<process id>". */
const char *tend_lease_me(void);

#endif
