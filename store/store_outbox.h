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

/* Every undelivered row of `platform` this process owns, in id order (for the sender after a
 * start: rows an earlier run under the same owner name left). */
int tend_store_outbox_each(tend_store *store, const char *platform,
                           int (*cb)(const tend_outbox_row *row, void *ud), void *ud);

/* Several tends on one database (issue 21): each row names the process that sends it, the owner
 * set here for every row this store adds from now on (a holder name, "<host>:<pid>"; "" when
 * unset: the one process). At most 127 bytes; longer is refused (TEND_STORE_ERROR). */
int tend_store_outbox_set_owner(tend_store *store, const char *owner);
/* The owners other than this store's of `platform`'s undelivered rows, each once (to decide which
 * are gone; "" is the owner of rows from before owners existed). */
int tend_store_outbox_owners(tend_store *store, const char *platform, int (*cb)(const char *owner, void *ud),
                             void *ud);
/* Whether row `id` is still there and this store's owner's: TEND_STORE_OK, or TEND_STORE_NOTFOUND
 * (sent and removed, or taken by another process). */
int tend_store_outbox_owned(tend_store *store, int64_t id);
/* Takes every undelivered row of `platform` that `from` owns (a process known to be gone) for this
 * store's owner, in one statement, and hands each taken row to cb in id order. Two processes
 * claiming the same rows at once each get a share, never the same row: the owner is compared and
 * set by the database in one write. */
int tend_store_outbox_claim(tend_store *store, const char *platform, const char *from,
                            int (*cb)(const tend_outbox_row *row, void *ud), void *ud);

/* Removes delivered (or given-up) rows; ids not there are ignored. One statement per id: call inside
 * a transaction to batch. */
int tend_store_outbox_remove(tend_store *store, int64_t id);

/* How many rows wait (for tests and the operator). */
int tend_store_outbox_count(tend_store *store, int64_t *count);

#endif
