/*
 * shares.h — work in numbered parts split between the tend processes sharing one database (the
 * Discord gateway's shards, issue 21). Each part is a lease of its own, "<prefix><part>-of-<parts>"
 * (e.g. "discord.shard.3-of-8": a metric's label keeps it as it is), taken, renewed and lost as app/leases.h says; what this file adds is
 * how many each process takes, so that three processes run 3, 3 and 2 of 8 shards rather than the
 * first one all eight:
 *
 * - The fair share is ceil(parts / processes alive), counting the processes by their own leases
 *   ("process.<host>:<pid>"). A process whose lease on some part ran out without being given back
 *   is not counted: it stopped renewing (killed, frozen, cut off), so the others take its parts as
 *   soon as they run out, not only once its process lease does too.
 * - Every TEND_LEASE_RETRY_MS a process renews what it holds (each part every TEND_LEASE_RENEW_MS)
 *   and, below its share, takes free parts: never held, given back, run out, or held by an earlier
 *   run on this host whose process is gone (taken at once, app/leases.h).
 * - Above its share for two looks in a row (another process started), it gives the parts over it
 *   back, highest first: the owner stops each in order (a Discord shard keeps its session for the
 *   next holder to RESUME) and says so with tend_share_given_back; the lease is released then.
 * - A part whose renewal fails for good, or which another process holds now, is LOST: the owner
 *   stops it at once, before its lease can run out on the database's side.
 */
#ifndef TEND_APP_SHARES_H
#define TEND_APP_SHARES_H

#include <stdbool.h>
#include <stdint.h>

#include <uv.h>

#include "adapters/host.h"
#include "store/store.h"
#include "store/store_lease.h"

typedef struct tend_share tend_share;

/* Starts on the loop; the first look is on the loop's next turn (a lone process takes every part
 * at once). `changed` is called on the loop thread for each part taken, lost, or to give back.
 * NULL when memory or the loop fails, or parts is not 1..TEND_SHARE_PARTS_MAX. */
#define TEND_SHARE_PARTS_MAX 4096
tend_share *tend_share_start(uv_loop_t *loop, tend_store *store, const char *prefix, int parts,
                             tend_host_share_cb changed, void *ud);
/* The owner stopped `part` after TEND_SHARE_GIVE_BACK: its lease is released now, so another
 * process takes it at its next look. */
void tend_share_given_back(tend_share *share, int part);
/* How many parts this process holds now (those being given back included). */
int tend_share_held(const tend_share *share);
int tend_share_parts(const tend_share *share);
/* Stops looking and renewing (closes the timer); the leases are kept until release_free, after
 * the work they guard has stopped. Accepts NULL. */
void tend_share_stop(tend_share *share);
/* Gives back every part still held (others take them at once) and frees. Accepts NULL. */
void tend_share_release_free(tend_share *share);

/* ---------------------------------------------------------------- pure parts, for the unit tests */

/* ceil(parts / processes); every part when processes < 1. */
int tend_share_fair(int parts, int processes);
/* The part a lease name stands for under prefix and parts ("discord.shard.3-of-8" -> 3), or -1 when
 * the name is another prefix's or another count's. */
int tend_share_part_of(const char *name, const char *prefix, int parts);
/* Whether a part's lease is free to take at `now` by `me`: never held (NULL), given back
 * (expires_at 0), run out, or mine already. A lease held by an earlier run on this host whose
 * process is gone is not free here: leases.c takes those with take_from. */
bool tend_share_free(const tend_store_lease *lease, const char *me, int64_t now);
/* Whether the holder of `lease` stopped renewing it: it ran out (expires_at in the past, not 0,
 * which is a lease given back in order) and the holder is not `me`. */
bool tend_share_stalled(const tend_store_lease *lease, const char *me, int64_t now);

#endif
