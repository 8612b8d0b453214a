/*
 * pg.h — what the PostgreSQL backend's files share; nothing outside store/ includes it.
 *
 * The shape: the product's queries live once, in the files of store/sqlite/, written against the part of
 * SQLite's C interface a query needs (prepare, bind, step, column, changes). Built with PostgreSQL,
 * those files are compiled with sqlshim.h, which sends each of those calls to sqlshim.c: a handle or
 * statement that sqlshim.c made (it keeps a registry of them; SQLite's own structs are never
 * looked into) is served over libpq, anything else goes to SQLite untouched. store.c opens a
 * PostgreSQL store when its path is a postgresql:// URL. dialect.c turns each query into
 * PostgreSQL's words when it is first prepared; schema.c holds the migrations in those words.
 */
#ifndef TEND_STORE_PG_H
#define TEND_STORE_PG_H

#include <libpq-fe.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>

extern const char *const tend_pg_migrations[];
extern const int tend_pg_migration_count;

/* dialect.c. A statement flagged CONFLICT_IS_ERROR got "ON CONFLICT DO NOTHING" in place of
 * SQLite's constraint error: when it writes no row, the shim reports SQLITE_CONSTRAINT. */
enum { TEND_PG_CONFLICT_IS_ERROR = 1, TEND_PG_RETURNS_ID = 2 };
/* A statement flagged RETURNS_ID got "RETURNING id": the shim keeps the id for
 * sqlite3_last_insert_rowid and hands out no row, as SQLite's INSERT does. */
/* The PostgreSQL text of one SQLite query (malloc'd; "" for a statement that is nothing there),
 * with the number of parameters it takes; NULL with a reason in err when it cannot be. */
char *tend_pg_dialect(const char *sqlite_sql, int *nparams, unsigned *flags, char *err, size_t errlen);

/* sqlshim.c. Connects to `url`, applies pending migrations and returns the handle as the sqlite3
 * pointer store.c keeps (only sqlshim.c ever looks inside). TEND_STORE_* code; the reason in err
 * names the database by redacted URL, never with its password. */
int tend_pg_open(const char *url, sqlite3 **db, char *err, size_t errlen);
/* The schema version recorded in schema_version, -1 when it cannot be read. */
int tend_pg_schema_version(sqlite3 *db);
/* True for a handle or statement made by tend_pg_open or from its handle. */
bool tend_pg_owns(const void *handle_or_stmt);

/* The connection behind a PostgreSQL store's sqlite3 handle (conn.c, sqlshim.c). */
typedef struct tend_pg_conn {
    PGconn *conn;
    char errmsg[512];
    int errcode;             /* the SQLite code of the last failure */
    long long changes;       /* rows the last statement wrote */
    long long total_changes; /* rows written since the connection opened */
    long long last_id;       /* the id the last INSERT into a table with an identity drew */
    unsigned generation;     /* bumped on reconnect: statements prepare again */
    unsigned next_name;
    char where[256];         /* the redacted URL, for messages */
    int lock_timeout_ms;     /* 0: 2 s, as SQLite's busy timeout (tend_pg_bound_waits) */
    int statement_timeout_ms; /* 0: 10 s */
} tend_pg_conn;
/* Records the last failure of libpq's result (or connection when res is NULL) on c; returns the
 * SQLite code it maps to (a unique violation is SQLITE_CONSTRAINT, a lost lock SQLITE_BUSY...). */
int tend_pg_fail(tend_pg_conn *c, const void *res);
/* Runs SQL with no parameters and no rows (several statements allowed): SQLITE_OK or a code. */
int tend_pg_exec(tend_pg_conn *c, const char *sql);

/* Gives up on a lock after lock_ms and on a statement after statement_ms (0: the defaults), now
 * and after every reconnect: SQLITE_OK or a code. */
int tend_pg_bound_waits(tend_pg_conn *c, int lock_ms, int statement_ms);
/* The connection of a handle tend_pg_open made, NULL for anything else (a SQLite handle). */
tend_pg_conn *tend_pg_conn_of(sqlite3 *db);

/* Makes a lost connection again (same URL, session settings again; every statement prepares
 * again): SQLITE_OK or SQLITE_IOERR with the reason in c->errmsg. */
int tend_pg_reconnect(tend_pg_conn *c);

/* The registry of what the shim made, so a pointer can be told apart without looking in it. */
void tend_pg_registry_add(const void *p);
void tend_pg_registry_remove(const void *p);

/* conn.c. "libpq 15.18": the library linked in. */
const char *tend_pg_library(void);
/* conn.c. The URL with any password replaced by "***", for messages and logs. */
void tend_pg_redact(const char *url, char *out, size_t outlen);

#endif
