/*
 * holdings.h — what this tend process holds of the bot's shared work, said in one short phrase for
 * /healthz and systemd's STATUS (app/ops.c): "holds discord shards 0-2,5 of 8, matrix.sync". With
 * several processes on one database, the operator reads on each one which shards it runs and which
 * leases it holds (app/leases.h) without opening the database.
 *
 * Pure formatting: the caller collects the names (from the tend_lease_held gauge) and says how
 * the configuration splits Discord's shards; nothing here touches the loop, the store or a clock.
 */
#ifndef TEND_APP_HOLDINGS_H
#define TEND_APP_HOLDINGS_H

#include <stdbool.h>
#include <stddef.h>

/* Shards fixed by configuration ([discord] shards = "0-3/8"): first..last of count; count 0 when
 * the configuration names none. */
typedef struct {
    int first, last, count;
} tend_shard_range;

/* A shard lease's name, "discord.shard.<id>-of-<count>" (id < count; app/shares.h): 0 with *id
 * and *count set, -1 for any other name. */
int tend_holdings_shard_lease(const char *name, int *id, int *count);

/* Writes the phrase into out (len bytes, always terminated, never more than len - 1 characters:
 * long shard lists are shortened to "discord shards 0,2,4,... (512 of 1024)") and returns its
 * length. held: the names of the leases this process holds, in any order; the process's own lease
 * ("process.*") and the metrics' overflow name "other" are left out. waiting: whether it waits for
 * a shared lease it does not hold. fixed: shards run by configuration, said when no shard lease is
 * held and they are not all of the bot's. The phrase:
 *   "holds discord shards 0-2,5 of 8, matrix.sync"    leases held (shards first, then by name)
 *   "holds all 8 discord shards"                      every shard of the bot
 *   "runs discord shards 0-3 of 8 (static)"           a [discord] shards range
 *   "holds no shared work (standby)"                  nothing held, waiting for a lease
 *   ""                                                nothing held, nothing waited for */
size_t tend_holdings_phrase(const char *const *held, size_t n_held, bool waiting, tend_shard_range fixed, char *out,
                            size_t len);

/* How many of held are shard leases (for tend_discord_shards_held). */
int tend_holdings_shard_count(const char *const *held, size_t n_held);

#endif
