/*
 * store_outbox.h — the durable outbox: every message tend says, written in the transaction of its
 * cause, kept until its platform accepted it. The payload is opaque here (the bot encodes it).
 */
#ifndef TEND_STORE_OUTBOX_H
#define TEND_STORE_OUTBOX_H

#include <stdint.h>

/* Adds one message to deliver. Call inside the transaction of what caused it. *id gets the row id,
 * which is never reused. */
int tend_store_outbox_add(tend_store *store, const char *platform, const char *dest, const char *reply_to,
                          const char *payload, int64_t now, int64_t *id);

/* One undelivered row; the strings live only during the callback. */
typedef struct {
    int64_t id;
    const char *platform;
    const char *dest;
    const char *reply_to; /* NULL when none */
    const char *payload;
    int64_t created_at;
} tend_outbox_row;

/* Every undelivered row of `platform` in id order (for the sender after a start). */
int tend_store_outbox_each(tend_store *store, const char *platform,
                           int (*cb)(const tend_outbox_row *row, void *ud), void *ud);

/* Removes delivered (or given-up) rows; ids not there are ignored. One statement per id: call inside
 * a transaction to batch. */
int tend_store_outbox_remove(tend_store *store, int64_t id);

/* How many rows wait (for tests and the operator). */
int tend_store_outbox_count(tend_store *store, int64_t *count);

#endif
