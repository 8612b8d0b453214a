/*
 * sender.h — delivers the outbox: rows go to their platform's adapter one at a time per
 * destination, in order; a row is removed only once the platform accepted it (removals are batched,
 * one transaction per turn of the loop); a passing failure is retried with back-off; after a
 * start, whatever was not delivered goes out again with the same idempotency key, so the platform
 * can recognise a send it already has (Matrix txn id, Discord nonce).
 */
#ifndef TEND_APP_SENDER_H
#define TEND_APP_SENDER_H

#include <stddef.h>
#include <stdint.h>

#include <uv.h>

#include "adapters/adapter.h"
#include "bot/reply.h"
#include "lib/clock.h"
#include "store/store.h"

typedef struct tend_sender tend_sender;

/* The adapter that delivers a platform's messages, or NULL when this process does not run it. */
typedef tend_adapter *(*tend_sender_route)(void *ud, const char *platform);

/* NULL on OOM or when the store cannot give the outbox its key prefix. */
tend_sender *tend_sender_create(uv_loop_t *loop, tend_store *store, tend_clock *clock, tend_sender_route route,
                                void *route_ud);
/* Removes what was delivered, then frees everything (undelivered rows stay in the store for the
 * next start). Accepts NULL. */
void tend_sender_destroy(tend_sender *s);
/* Closes the sender's loop handles (call when the app stops); what was delivered is removed. */
void tend_sender_close(tend_sender *s);

/* Queues every undelivered row of `platform` this process owns (after a start, before anything
 * new). 0 or -1. */
int tend_sender_load(tend_sender *s, const char *platform);
/* While this process cannot renew its lease (app/leases.h), another may take its rows over: stored
 * rows wait (unstored answers, which nobody else has, still go). Resume drops the queued rows that
 * are no longer this process's, then sends the rest. */
void tend_sender_pause(tend_sender *s);
void tend_sender_resume(tend_sender *s);
/* Takes the undelivered rows of `platform` that the process `from` owned (it is gone: app/leases.h
 * decides) and queues them; rows another process took first are left to it. 0 or -1. */
int tend_sender_claim(tend_sender *s, const char *platform, const char *from);

/* Queues what a command or the scheduler said (written to the outbox already: outbox_id > 0; a
 * message the store could not take, outbox_id 0, is sent once, best effort) and starts sending at
 * once. The list is left as it was. */
void tend_sender_take(tend_sender *s, const tend_messages *said);

/* The platform's verdict on row `id` (called by adapters through their host). */
void tend_sender_sent(tend_sender *s, int64_t id, tend_sent_result result);

/* Group commit (app/batch.c): what is taken after hold() waits, in its place in the queue, until
 * release(). committed says whether the group's transaction reached the disk: if not, every held
 * message with an outbox row is dropped (its row never existed) and `lost` is called with each
 * that was the first answer to a command, so the member can be told the store failed; messages
 * without a row go out either way. */
void tend_sender_hold(tend_sender *s);
void tend_sender_release(tend_sender *s, bool committed, void (*lost)(void *ud, const tend_message *m), void *ud);
/* Marks the messages delivered so far in the store now (a group commit takes them along). */
void tend_sender_flush(tend_sender *s);

/* Messages waiting or in flight, and the totals since start (for tests and the operator). */
typedef struct {
    size_t waiting;
    uint64_t delivered, retried, dropped;
} tend_sender_stats;
void tend_sender_get_stats(const tend_sender *s, tend_sender_stats *out);

#endif
