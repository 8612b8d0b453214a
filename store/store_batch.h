/*
 * store_batch.h — what makes a command cheap: a read that writes nothing (not even its event),
 * events answered by a read remembered in memory, and commands that arrive together committed
 * together. Included by store.h.
 */
#ifndef TEND_STORE_BATCH_H
#define TEND_STORE_BATCH_H

#include <stdbool.h>

/* Whether the transaction (or savepoint) under way changed any row since it began: a command that
 * did not only read. */
bool tend_store_wrote(tend_store *store);

/* Where the writes stood, for tend_store_schedule_touched. */
typedef struct {
    long long total, hooked, unscheduled;
} tend_store_mark;
void tend_store_mark_writes(tend_store *store, tend_store_mark *mark);
/* Whether anything written since the mark could move a time the scheduler waits for: false when
 * nothing was written, or only the bookkeeping of events and answers and members' own rows (the
 * schema's triggers turn every member change that matters to the scheduler into a write of
 * another table). With PostgreSQL, any write counts. */
bool tend_store_schedule_touched(tend_store *store, const tend_store_mark *mark);

/* Remembers in memory only, for a while, that an event was answered by a read: a second delivery
 * in this run is then seen by tend_store_event_seen. A restart forgets it; the replayed read is
 * answered by reading again. */
int tend_store_event_note(tend_store *store, const char *platform, const char *event_id);

/* Group commit: from tend_store_batch_begin to tend_store_batch_commit everything written is one
 * SQLite transaction, and each tend_store_begin ... commit or rollback inside is a savepoint in it
 * (a failed command changes nothing, the others keep their writes). A "commit" inside a group is
 * durable only once tend_store_batch_commit returns TEND_STORE_OK: hold every answer until then.
 * When the group fails (or SQLite rolled it back after an error), none of it was written. */
int tend_store_batch_begin(tend_store *store);
int tend_store_batch_commit(tend_store *store);
bool tend_store_batching(const tend_store *store);

/* The WAL has grown enough that a checkpoint should run soon, at a quiet moment. */
bool tend_store_checkpoint_due(const tend_store *store);
/* A passive WAL checkpoint, for that quiet moment (the automatic one would fall on a command). */
int tend_store_checkpoint(tend_store *store);

/* The same checkpoint through a connection of its own, to run on another thread: copying a
 * thousand frames home and syncing the file takes milliseconds that no command should wait
 * behind, and a passive checkpoint on a second connection never waits for this store's commits
 * (nor they for it). NULL when there is no file to checkpoint (PostgreSQL, an in-memory or a
 * read-only database) or out of memory: then tend_store_checkpoint on the store's own thread. */
typedef struct tend_store_checkpointer tend_store_checkpointer;
tend_store_checkpointer *tend_store_checkpointer_create(tend_store *store);
/* On one thread at a time, any thread: opens the connection the first time, then checkpoints.
 * TEND_STORE_OK also when a reader or another checkpoint kept it from copying everything; else
 * TEND_STORE_ERROR with SQLite's reason in err. */
int tend_store_checkpointer_run(tend_store_checkpointer *c, char *err, size_t errlen);
/* Back on the store's thread after a run: a WAL copied home whole starts over at the next
 * commit, so tend_store_checkpoint_due says no until it has grown again. */
void tend_store_checkpointer_noted(tend_store *store, const tend_store_checkpointer *c);
/* Closes the connection; not while a run is under way. Accepts NULL. */
void tend_store_checkpointer_destroy(tend_store_checkpointer *c);

#endif
