/*
 * sqlshim.h — included first (-include) in every the files of store/sqlite/ of a build with PostgreSQL:
 * routes the calls a query makes on a statement or a database handle through sqlshim.c, which
 * serves the PostgreSQL store's handles and statements and hands everything else to SQLite as it
 * was. Function-like macros defined after <sqlite3.h>, so SQLite's own declarations are untouched.
 */
#ifndef TEND_STORE_SQLSHIM_H
#define TEND_STORE_SQLSHIM_H

#include <sqlite3.h>

int tend_shim_prepare(sqlite3 *db, const char *sql, int n, unsigned flags, sqlite3_stmt **st);
int tend_shim_bind_int64(sqlite3_stmt *st, int i, sqlite3_int64 v);
int tend_shim_bind_text(sqlite3_stmt *st, int i, const char *v, int n, void (*destructor)(void *));
int tend_shim_bind_null(sqlite3_stmt *st, int i);
int tend_shim_step(sqlite3_stmt *st);
int tend_shim_reset(sqlite3_stmt *st);
int tend_shim_clear_bindings(sqlite3_stmt *st);
int tend_shim_finalize(sqlite3_stmt *st);
sqlite3_int64 tend_shim_column_int64(sqlite3_stmt *st, int col);
const unsigned char *tend_shim_column_text(sqlite3_stmt *st, int col);
int tend_shim_column_type(sqlite3_stmt *st, int col);
int tend_shim_changes(sqlite3 *db);
int tend_shim_total_changes(sqlite3 *db);
sqlite3_int64 tend_shim_last_insert_rowid(sqlite3 *db);
const char *tend_shim_errmsg(sqlite3 *db);
int tend_shim_errcode(sqlite3 *db);
int tend_shim_exec(sqlite3 *db, const char *sql, int (*cb)(void *, int, char **, char **), void *arg,
                   char **errmsg);
int tend_shim_get_autocommit(sqlite3 *db);
int tend_shim_close(sqlite3 *db);

#define sqlite3_prepare_v2(db, sql, n, st, tail) tend_shim_prepare((db), (sql), (n), 0, (st))
#define sqlite3_prepare_v3(db, sql, n, flags, st, tail) tend_shim_prepare((db), (sql), (n), (flags), (st))
#define sqlite3_bind_int64(st, i, v) tend_shim_bind_int64((st), (i), (v))
#define sqlite3_bind_int(st, i, v) tend_shim_bind_int64((st), (i), (v))
#define sqlite3_bind_text(st, i, v, n, d) tend_shim_bind_text((st), (i), (v), (n), (d))
#define sqlite3_bind_null(st, i) tend_shim_bind_null((st), (i))
#define sqlite3_step(st) tend_shim_step(st)
#define sqlite3_reset(st) tend_shim_reset(st)
#define sqlite3_clear_bindings(st) tend_shim_clear_bindings(st)
#define sqlite3_finalize(st) tend_shim_finalize(st)
#define sqlite3_column_int64(st, col) tend_shim_column_int64((st), (col))
#define sqlite3_column_int(st, col) ((int)tend_shim_column_int64((st), (col)))
#define sqlite3_column_text(st, col) tend_shim_column_text((st), (col))
#define sqlite3_column_type(st, col) tend_shim_column_type((st), (col))
#define sqlite3_changes(db) tend_shim_changes(db)
#define sqlite3_total_changes(db) tend_shim_total_changes(db)
#define sqlite3_last_insert_rowid(db) tend_shim_last_insert_rowid(db)
#define sqlite3_errmsg(db) tend_shim_errmsg(db)
#define sqlite3_errcode(db) tend_shim_errcode(db)
#define sqlite3_exec(db, sql, cb, arg, err) tend_shim_exec((db), (sql), (cb), (arg), (err))
#define sqlite3_get_autocommit(db) tend_shim_get_autocommit(db)
#define sqlite3_close(db) tend_shim_close(db)

#endif
