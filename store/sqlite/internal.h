/*
 * internal.h — what the SQLite backend's files share; nothing outside store/sqlite/ includes it.
 */
#ifndef TEND_STORE_SQLITE_INTERNAL_H
#define TEND_STORE_SQLITE_INTERNAL_H

#include <sqlite3.h>

#include "store/store.h"

extern const char *const tend_store_migrations[];
extern const int tend_store_migration_count;

/* Returns the prepared statement for `sql`, preparing it on first use and resetting it (bindings
 * cleared) on every later use. `sql` must be a string literal: the cache is keyed by its address.
 * NULL on failure (the store's error message says why). */
sqlite3_stmt *store_stmt(tend_store *store, const char *sql);
/* The raw handle, for the few places that need sqlite3_changes() and friends. */
sqlite3 *store_db(tend_store *store);
/* Maps a SQLite result code to a TEND_STORE_* code and remembers the message. */
int store_fail(tend_store *store, int sqlite_rc);
/* Steps a statement that returns no rows: TEND_STORE_OK or an error code. */
int store_exec_stmt(tend_store *store, sqlite3_stmt *st);

/* Copies column `col` as text into buf (always NUL-terminated, "" for NULL). */
void store_copy_text(sqlite3_stmt *st, int col, char *buf, size_t buflen);

#endif
