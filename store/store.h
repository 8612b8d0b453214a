/*
 * store.h — the one interface the bot uses to remember things, in the product's own words.
 *
 * The embedded backend is SQLite (store/sqlite/): one file, WAL, foreign keys on, every statement
 * prepared once and cached, numbered migrations applied at open. A PostgreSQL backend can sit behind
 * this same header later, so nothing here speaks SQL.
 *
 * Conventions, after SQLite's own interface:
 *   - Every function returns an int result code (TEND_STORE_OK, TEND_STORE_NOTFOUND, ...).
 *   - Records are plain structs with fixed-size text fields, filled by the store; nothing to free.
 *   - Lists are walked with a callback; the callback returns 0 to go on, non-zero to stop.
 *   - tend_store_close() accepts NULL.
 *   - The router wraps every command in tend_store_begin()/commit(), so a command's writes land
 *     together or not at all. The scheduler does the same for each thing it fires.
 *
 * The product's areas each have a header of their own, all included here so the bot includes only
 * this file: store_tasks.h (tasks, claims, waitlists, handoffs, load), store_people.h (check-ins,
 * rests, thanks), store_process.h (feedback, agreements, team figures, export, forget),
 * store_schedule.h (what the scheduler fired, nudges and reminders sent).
 */
#ifndef TEND_STORE_H
#define TEND_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct tend_store tend_store;

enum {
    TEND_STORE_OK = 0,
    TEND_STORE_NOTFOUND = 1,  /* no such record: a normal answer, not a failure      */
    TEND_STORE_EXISTS = 2,    /* a unique thing already exists                       */
    TEND_STORE_ERROR = -1,    /* SQLite failed; tend_store_errmsg() says why          */
    TEND_STORE_FULL = -2,     /* the disk is full: nothing was written                */
    TEND_STORE_READONLY = -3, /* the database cannot be written                       */
    TEND_STORE_BUSY = -4      /* another process holds the lock past the busy timeout */
};

/* Field sizes, in bytes, including the terminating NUL. */
#define TEND_KEY_MAX 256      /* a Matrix user id is up to 255 bytes; a console key is a name */
#define TEND_NAME_MAX 256     /* names are limited to 60 characters; 4 bytes each at most */
#define TEND_PRONOUNS_MAX 128 /* pronouns: 30 characters */
#define TEND_TZ_MAX 64
#define TEND_SCHEDULE_MAX 32
#define TEND_TITLE_MAX 1024  /* titles are limited to 200 characters; 4 bytes each at most */
#define TEND_NOTE_MAX 2048   /* notes: 500 characters */
#define TEND_TASK_NOTE_MAX 1024 /* a task's note: 250 characters */
#define TEND_REPEAT_MAX 16

/* Opens (creating if needed) the database at `path` and applies pending migrations. ":memory:" gives
 * a private in-memory database for tests. A postgresql:// (or postgres://) URL opens a PostgreSQL
 * database instead (store/postgres/, when built with libpq), migrated the same way. On failure
 * returns an error code, sets *out to NULL and writes a one-line reason to err (never a password). */
int tend_store_open(const char *path, tend_store **out, char *err, size_t errlen);
/* "libpq 15.18" when this tend can open PostgreSQL URLs, NULL when it was built without libpq. */
const char *tend_store_postgres_library(void);
/* True when `path` is a PostgreSQL URL rather than a SQLite file. */
bool tend_store_is_url(const char *path);
/* Finalizes every statement and closes the database. Accepts NULL. */
void tend_store_close(tend_store *store);

/* What a backup wrote. */
typedef struct {
    long long bytes; /* size of the copy    */
    int schema;      /* its schema version  */
} tend_store_backup_info;
/* Copies the database at db_path to dest (which must not exist) while tend may be running, with
 * SQLite's online backup: dest is created 0600, left as one self-contained file and checked with
 * quick_check. Never migrates the source. TEND_STORE_OK with *info filled, else a code and a
 * one-line reason in err (a partial copy is removed). */
int tend_store_backup(const char *db_path, const char *dest, tend_store_backup_info *info, char *err,
                      size_t errlen);
/* The last error's message, for logs. Never contains secrets (the store holds none). */
const char *tend_store_errmsg(const tend_store *store);
/* TEND_STORE_OK, or the code of the last failure when no transaction has written since (for the
 * health check: a full disk, a read-only database). */
int tend_store_failing(const tend_store *store);
/* The schema version the database is at after migrations. */
int tend_store_schema_version(tend_store *store);
/* The newest schema version this tend knows (what every database is migrated to). */
int tend_store_schema_latest(void);
/* Sets PRAGMA synchronous (0 OFF, 1 NORMAL, 2 FULL); NORMAL is the default in WAL mode. On
 * PostgreSQL it changes nothing (the server's synchronous_commit decides) and returns OK. */
int tend_store_set_synchronous(tend_store *store, int level);
/* How long a PostgreSQL store waits for another session's lock (default 2 s, then
 * TEND_STORE_BUSY) and for one statement (default 10 s): less for a connection the event loop
 * itself waits on (store/postgres/SEAM.md). Kept across reconnects. 0 keeps a default. On SQLite it
 * changes nothing and returns OK (its busy timeout stays). */
int tend_store_bound_waits(tend_store *store, int lock_ms, int statement_ms);

/* Transactions. begin starts an IMMEDIATE transaction; commit/rollback end it. Not nestable. */
int tend_store_begin(tend_store *store);
int tend_store_commit(tend_store *store);
int tend_store_rollback(tend_store *store);
/* Reads outside a command (a Discord autocomplete) in one read transaction: its statements see one
 * snapshot and take the database file's locks once between them, not once each (on SQLite every
 * statement outside a transaction is a transaction of its own: two to four fcntl calls). Inside an
 * open transaction (a group commit) and on PostgreSQL it does nothing. Always pair with
 * tend_store_read_end, which writes nothing. */
int tend_store_read_begin(tend_store *store);
void tend_store_read_end(tend_store *store);

/* ---------------------------------------------------------------- groups */

typedef struct {
    int64_t id;
    char key[TEND_KEY_MAX];              /* "discord:<guild id>", "matrix:<room id>", "console:demo" */
    char channel_key[TEND_KEY_MAX];      /* where public posts go; "" = unknown yet             */
    char timezone[TEND_TZ_MAX];          /* IANA name, default "UTC"                            */
    char checkin_at[TEND_SCHEDULE_MAX];  /* weekly check-in prompt, "mon 18:00" local           */
    char digest_at[TEND_SCHEDULE_MAX];   /* weekly digest, "sun 18:00" local                    */
    int default_capacity;                /* default 3                                           */
    int64_t new_tasks_paused_until;      /* 0 = new tasks welcome; INT64_MAX = until resumed   */
    int64_t created_at;
    char language[16];                   /* gettext code, "es", "pt_BR"; "" = English           */
} tend_group;

/* Finds the group by key, creating it with defaults (and channel_key, if given) when new. */
int tend_store_group_ensure(tend_store *store, const char *key, const char *channel_key, int64_t now,
                            tend_group *out);
int tend_store_group_get(tend_store *store, const char *key, tend_group *out);
int tend_store_group_by_id(tend_store *store, int64_t id, tend_group *out);
/* Writes every settings field of g (found by g->id). */
int tend_store_group_save(tend_store *store, const tend_group *g);
int tend_store_groups_each(tend_store *store, int (*cb)(const tend_group *g, void *ud), void *ud);

/* ---------------------------------------------------------------- members */

/* A member is a person *in one group*: the same platform user in two groups is two members. */
typedef struct {
    int64_t id;
    int64_t group_id;
    char key[TEND_KEY_MAX];          /* platform user id; "" once the member used /forgetme */
    char name[TEND_NAME_MAX];        /* "a former member" once forgotten                    */
    char pronouns[TEND_PRONOUNS_MAX];
    int capacity;                    /* 0 = the group's default                             */
    bool nudges;                     /* may the bot nudge them (default true)               */
    int quiet_start;                 /* minutes after local midnight; -1 = no quiet hours   */
    int quiet_end;
    char timezone[TEND_TZ_MAX];      /* "" = the group's                                    */
    int64_t resting_until;           /* 0 = not resting                                     */
    int remind_minutes;              /* before a timed task: -1 = the default (2 h), 0 = off */
    bool welcomed;                   /* has had the one-time welcome                        */
    bool forgotten;
    int64_t joined_at;               /* the UTC day they were first seen (midnight)        */
    char language[16];               /* their own for private answers; "" = never chose    */
    char app_language[16];           /* their app's (Discord locale), when tend speaks it  */
} tend_member;

/* Finds the member by (group, key), creating them with `name` when new. An existing member's name
 * is left as they set it. */
int tend_store_member_ensure(tend_store *store, int64_t group_id, const char *key, const char *name,
                             int64_t now, tend_member *out);
int tend_store_member_get(tend_store *store, int64_t group_id, const char *key, tend_member *out);
int tend_store_member_by_id(tend_store *store, int64_t id, tend_member *out);
/* Case-insensitive exact match on the display name within the group (ASCII case folding). */
int tend_store_member_find_name(tend_store *store, int64_t group_id, const char *name, tend_member *out);
/* Writes every field of m (found by m->id) except id, group_id and joined_at. */
int tend_store_member_save(tend_store *store, const tend_member *m);
/* One bookkeeping column each, for what nearly every member's first commands write: nothing
 * indexed is rewritten, where a whole-row save rewrites the key and name index entries.
 * mark_welcomed returns TEND_STORE_OK when this call marked them, TEND_STORE_NOTFOUND when they
 * were welcomed already, are forgotten, or are not there. */
int tend_store_member_mark_welcomed(tend_store *store, int64_t member_id);
int tend_store_member_set_app_language(tend_store *store, int64_t member_id, const char *lang);
/* Every member of the group who has not used /forgetme, in join order. */
int tend_store_members_each(tend_store *store, int64_t group_id,
                            int (*cb)(const tend_member *m, void *ud), void *ud);

/* ---------------------------------------------------------------- platform bookkeeping */

/* Small named values an adapter keeps across restarts (the Matrix `since` token, the DM room of a
 * user, which reaction on which message runs which command). `platform` namespaces the key. */
int tend_store_state_get(tend_store *store, const char *platform, const char *key, char *value,
                         size_t valuelen);
int tend_store_state_set(tend_store *store, const char *platform, const char *key, const char *value);
int tend_store_state_delete(tend_store *store, const char *platform, const char *key);

/* TEND_STORE_OK when the event was recorded before (by tend_store_event_claim), NOTFOUND when not. */
int tend_store_event_seen(tend_store *store, const char *platform, const char *event_id);
/* Records that an incoming event (a Discord interaction id, a Matrix event id) was handled.
 * Returns TEND_STORE_OK when it is new (and records it), TEND_STORE_EXISTS when it was seen before,
 * so a replay after a restart is recognised. Rows older than 7 days are pruned, at most once a
 * minute. */
int tend_store_event_claim(tend_store *store, const char *platform, const char *event_id, int64_t now);

/* An audit line: who (member_id, 0 for the bot or an anonymous act) did what. `detail` must not
 * identify the author of anonymous feedback. */
int tend_store_audit(tend_store *store, int64_t group_id, int64_t member_id, const char *action,
                     const char *detail, int64_t now);

#include "store/store_tasks.h"
#include "store/store_people.h"
#include "store/store_process.h"
#include "store/store_schedule.h"
#include "store/store_outbox.h"
#include "store/store_fillin.h"
#include "store/store_batch.h"

#endif
