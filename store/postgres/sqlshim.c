/*
 * sqlshim.c — the calls sqlshim.h routes here: a PostgreSQL statement is served over libpq, any
 * other pointer goes to SQLite as the caller wrote it.
 *
 * A statement is prepared on the server the first time it runs (its parameter types are known
 * then: a bound integer is int8, text and NULL are left for the server to infer from the query),
 * named once per connection and reused for every later run, like SQLite's statement cache. Values
 * travel as text and results come back as text: "t"/"f" read as 1/0, so a comparison read as an
 * integer means what it means in SQLite. A step runs the whole query on the first call and hands
 * out its rows one by one.
 *
 * TEND_PG_DEBUG=1 in the environment prints each failing statement's PostgreSQL text and error on
 * stderr (never its values): the quickest way to see what dialect.c made of a new query.
 */
#include "store/postgres/pg.h"
#include "store/postgres/sqlshim.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* sqlshim.h's macros would turn this file's own calls into SQLite back into itself */
#undef sqlite3_prepare_v2
#undef sqlite3_prepare_v3
#undef sqlite3_bind_int64
#undef sqlite3_bind_int
#undef sqlite3_bind_text
#undef sqlite3_bind_null
#undef sqlite3_step
#undef sqlite3_reset
#undef sqlite3_clear_bindings
#undef sqlite3_finalize
#undef sqlite3_column_int64
#undef sqlite3_column_int
#undef sqlite3_column_text
#undef sqlite3_column_type
#undef sqlite3_changes
#undef sqlite3_total_changes
#undef sqlite3_last_insert_rowid
#undef sqlite3_errmsg
#undef sqlite3_errcode
#undef sqlite3_exec
#undef sqlite3_get_autocommit
#undef sqlite3_close

#define INT8_OID 20

typedef struct {
    tend_pg_conn *pg;
    char *sql; /* PostgreSQL's text; "" runs as nothing */
    unsigned flags;
    char name[24];
    unsigned prepared_in; /* the connection generation it was prepared in; 0 = not yet */
    int nparams;
    char **values;   /* NULL entries are SQL NULL */
    Oid *types;
    PGresult *res;
    int row;         /* the row the columns read; rows handed out so far */
} pg_stmt;

static pg_stmt *as_pg(sqlite3_stmt *st)
{
    return st && tend_pg_owns(st) ? (pg_stmt *)(void *)st : NULL;
}

static tend_pg_conn *as_conn(sqlite3 *db)
{
    return db && tend_pg_owns(db) ? (tend_pg_conn *)(void *)db : NULL;
}

tend_pg_conn *tend_pg_conn_of(sqlite3 *db)
{
    return as_conn(db);
}

int tend_shim_prepare(sqlite3 *db, const char *sql, int n, unsigned flags, sqlite3_stmt **out)
{
    tend_pg_conn *c = as_conn(db);
    if (!c)
        return sqlite3_prepare_v3(db, sql, n, flags, out, NULL);
    *out = NULL;
    pg_stmt *st = calloc(1, sizeof *st);
    if (!st)
        return SQLITE_NOMEM;
    st->pg = c;
    st->sql = tend_pg_dialect(sql, &st->nparams, &st->flags, c->errmsg, sizeof c->errmsg);
    if (!st->sql) {
        free(st);
        c->errcode = SQLITE_ERROR;
        return SQLITE_ERROR;
    }
    st->values = calloc((size_t)st->nparams + 1, sizeof *st->values);
    st->types = calloc((size_t)st->nparams + 1, sizeof *st->types);
    if (!st->values || !st->types) {
        free(st->values);
        free(st->types);
        free(st->sql);
        free(st);
        return SQLITE_NOMEM;
    }
    snprintf(st->name, sizeof st->name, "tend%u", ++c->next_name);
    st->row = -1;
    tend_pg_registry_add(st);
    *out = (sqlite3_stmt *)(void *)st;
    return SQLITE_OK;
}

static int set_value(pg_stmt *st, int i, char *value, Oid type)
{
    if (i < 1 || i > st->nparams) {
        free(value);
        return SQLITE_RANGE;
    }
    free(st->values[i - 1]);
    st->values[i - 1] = value;
    st->types[i - 1] = type;
    return SQLITE_OK;
}

int tend_shim_bind_int64(sqlite3_stmt *s, int i, sqlite3_int64 v)
{
    pg_stmt *st = as_pg(s);
    if (!st)
        return sqlite3_bind_int64(s, i, v);
    char buf[24];
    snprintf(buf, sizeof buf, "%" PRId64, (int64_t)v);
    char *copy = strdup(buf);
    return copy ? set_value(st, i, copy, INT8_OID) : SQLITE_NOMEM;
}

int tend_shim_bind_text(sqlite3_stmt *s, int i, const char *v, int n, void (*destructor)(void *))
{
    pg_stmt *st = as_pg(s);
    if (!st)
        return sqlite3_bind_text(s, i, v, n, destructor);
    if (!v)
        return set_value(st, i, NULL, 0);
    char *copy = n < 0 ? strdup(v) : strndup(v, (size_t)n);
    return copy ? set_value(st, i, copy, 0) : SQLITE_NOMEM;
}

int tend_shim_bind_null(sqlite3_stmt *s, int i)
{
    pg_stmt *st = as_pg(s);
    return st ? set_value(st, i, NULL, 0) : sqlite3_bind_null(s, i);
}

static int debug_fail(pg_stmt *st, int rc)
{
    if (getenv("TEND_PG_DEBUG"))
        fprintf(stderr, "pg: %s\n  in: %s\n", st->pg->errmsg, st->sql);
    return rc;
}

/* Whether $n appears in the query: SQLite lets a query skip numbers, PostgreSQL then cannot infer
 * the skipped one's type, so it is declared text (its value is never read). */
static bool uses_param(const char *sql, int n)
{
    char tok[16];
    int len = snprintf(tok, sizeof tok, "$%d", n);
    for (const char *p = strstr(sql, tok); p; p = strstr(p + 1, tok))
        if (p[len] < '0' || p[len] > '9')
            return true;
    return false;
}

static PGresult *prepare_typed(pg_stmt *st, bool unknown_as_text)
{
    Oid *types = calloc((size_t)st->nparams + 1, sizeof *types);
    if (!types)
        return NULL;
    for (int i = 0; i < st->nparams; i++)
        types[i] = st->types[i] ? st->types[i] : unknown_as_text || !uses_param(st->sql, i + 1) ? 25 : 0;
    PGresult *res = PQprepare(st->pg->conn, st->name, st->sql, st->nparams, types);
    free(types);
    return res;
}

static bool indeterminate(const PGresult *res)
{
    const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
    /* "could not determine data type of parameter": ambiguous or indeterminate */
    return state && (strcmp(state, "42P08") == 0 || strcmp(state, "42P18") == 0);
}

/* Prepares with the types the first binding gave (an integer is int8; text and NULL are left for
 * the server to infer). A parameter that is only ever compared with NULL cannot be inferred: then
 * it is prepared again with those as text. Inside a transaction the first try runs under a
 * savepoint, as a failed statement would abort the whole transaction; this happens once per
 * statement and connection. */
static int prepare_on_server(pg_stmt *st)
{
    tend_pg_conn *c = st->pg;
    bool in_tx = PQtransactionStatus(c->conn) == PQTRANS_INTRANS;
    if (in_tx && tend_pg_exec(c, "SAVEPOINT tend_prepare") != SQLITE_OK)
        return debug_fail(st, c->errcode);
    PGresult *res = prepare_typed(st, false);
    if (PQresultStatus(res) != PGRES_COMMAND_OK && indeterminate(res)) {
        PQclear(res);
        if (in_tx && tend_pg_exec(c, "ROLLBACK TO SAVEPOINT tend_prepare") != SQLITE_OK)
            return debug_fail(st, c->errcode);
        res = prepare_typed(st, true);
    }
    int rc = PQresultStatus(res) == PGRES_COMMAND_OK ? SQLITE_OK : debug_fail(st, tend_pg_fail(c, res));
    PQclear(res);
    if (rc == SQLITE_OK && in_tx)
        rc = tend_pg_exec(c, "RELEASE SAVEPOINT tend_prepare");
    if (rc == SQLITE_OK)
        st->prepared_in = c->generation;
    return rc;
}

/* "INSERT 0 1" / "UPDATE 3": the rows a statement wrote */
static void count_changes(tend_pg_conn *c, PGresult *res)
{
    const char *n = PQcmdTuples(res);
    long long changed = n && *n ? strtoll(n, NULL, 10) : 0;
    const char *status = PQcmdStatus(res);
    if (status && (strncmp(status, "INSERT", 6) == 0 || strncmp(status, "UPDATE", 6) == 0 ||
                   strncmp(status, "DELETE", 6) == 0)) {
        c->changes = changed;
        c->total_changes += changed;
    }
}

/* Prepares the statement if this connection has not, then runs it; NULL when the prepare failed
 * (c->errcode says why). */
static PGresult *run(pg_stmt *st)
{
    tend_pg_conn *c = st->pg;
    if (st->prepared_in != c->generation && prepare_on_server(st) != SQLITE_OK)
        return NULL;
    return PQexecPrepared(c->conn, st->name, st->nparams, (const char *const *)st->values, NULL, NULL, 0);
}

int tend_shim_step(sqlite3_stmt *s)
{
    pg_stmt *st = as_pg(s);
    if (!st)
        return sqlite3_step(s);
    tend_pg_conn *c = st->pg;
    if (!st->res) {
        if (!st->sql[0])
            return SQLITE_DONE;
        PGresult *res = run(st);
        /* a lost connection (a server restart, a failover) is made again where nothing can be
         * half done: at the start of a transaction, which is then tried once more */
        if (PQresultStatus(res) != PGRES_COMMAND_OK && PQstatus(c->conn) == CONNECTION_BAD &&
            strcmp(st->sql, "BEGIN") == 0) {
            PQclear(res);
            if (tend_pg_reconnect(c) != SQLITE_OK)
                return debug_fail(st, c->errcode);
            res = run(st);
        }
        if (!res)
            return c->errcode;
        ExecStatusType status = PQresultStatus(res);
        int rc;
        if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
            rc = debug_fail(st, tend_pg_fail(c, res));
            PQclear(res);
            return rc;
        }
        count_changes(c, res);
        if ((st->flags & TEND_PG_CONFLICT_IS_ERROR) && c->changes == 0 &&
            strncmp(PQcmdStatus(res), "INSERT", 6) == 0) {
            PQclear(res);
            snprintf(c->errmsg, sizeof c->errmsg, "UNIQUE constraint failed");
            c->errcode = SQLITE_CONSTRAINT;
            return SQLITE_CONSTRAINT;
        }
        st->res = res;
        st->row = -1;
        if ((st->flags & TEND_PG_RETURNS_ID) && PQntuples(res) == 1) {
            c->last_id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
            st->row = 0; /* the id was ours to keep: the caller's INSERT hands out no row */
        }
    }
    if (st->row + 1 < PQntuples(st->res)) {
        st->row++;
        return SQLITE_ROW;
    }
    return SQLITE_DONE;
}

int tend_shim_reset(sqlite3_stmt *s)
{
    pg_stmt *st = as_pg(s);
    if (!st)
        return sqlite3_reset(s);
    PQclear(st->res);
    st->res = NULL;
    st->row = -1;
    return SQLITE_OK;
}

int tend_shim_clear_bindings(sqlite3_stmt *s)
{
    pg_stmt *st = as_pg(s);
    if (!st)
        return sqlite3_clear_bindings(s);
    for (int i = 0; i < st->nparams; i++) {
        free(st->values[i]);
        st->values[i] = NULL;
    }
    return SQLITE_OK;
}

int tend_shim_finalize(sqlite3_stmt *s)
{
    pg_stmt *st = as_pg(s);
    if (!st)
        return sqlite3_finalize(s);
    tend_shim_reset(s);
    tend_shim_clear_bindings(s);
    /* the server's prepared statement is left to end with the session: the store's statements
     * live as long as it, and a round trip each would make closing slow (only the privacy check's
     * one-off queries are finalized earlier, a few names per call) */
    tend_pg_registry_remove(st);
    free(st->values);
    free(st->types);
    free(st->sql);
    free(st);
    return SQLITE_OK;
}

static const char *cell(pg_stmt *st, int col)
{
    if (!st->res || st->row < 0 || st->row >= PQntuples(st->res) || col < 0 || col >= PQnfields(st->res) ||
        PQgetisnull(st->res, st->row, col))
        return NULL;
    return PQgetvalue(st->res, st->row, col);
}

sqlite3_int64 tend_shim_column_int64(sqlite3_stmt *s, int col)
{
    pg_stmt *st = as_pg(s);
    if (!st)
        return sqlite3_column_int64(s, col);
    const char *v = cell(st, col);
    if (!v)
        return 0;
    if (v[0] == 't' && !v[1])
        return 1;
    if (v[0] == 'f' && !v[1])
        return 0;
    return strtoll(v, NULL, 10);
}

const unsigned char *tend_shim_column_text(sqlite3_stmt *s, int col)
{
    pg_stmt *st = as_pg(s);
    if (!st)
        return sqlite3_column_text(s, col);
    return (const unsigned char *)cell(st, col);
}

int tend_shim_column_type(sqlite3_stmt *s, int col)
{
    pg_stmt *st = as_pg(s);
    if (!st)
        return sqlite3_column_type(s, col);
    if (!cell(st, col))
        return SQLITE_NULL;
    switch (PQftype(st->res, col)) {
    case 16: /* bool */
    case 20: /* int8 */
    case 21: /* int2 */
    case 23: /* int4 */
        return SQLITE_INTEGER;
    case 700: /* float4 */
    case 701: /* float8 */
    case 1700: /* numeric */
        return SQLITE_FLOAT;
    default:
        return SQLITE_TEXT;
    }
}

int tend_shim_changes(sqlite3 *db)
{
    tend_pg_conn *c = as_conn(db);
    return c ? (int)c->changes : sqlite3_changes(db);
}

int tend_shim_total_changes(sqlite3 *db)
{
    tend_pg_conn *c = as_conn(db);
    return c ? (int)c->total_changes : sqlite3_total_changes(db);
}

/* The id the last INSERT into a table with an identity drew (dialect.c added RETURNING id), as
 * SQLite's rowid. */
sqlite3_int64 tend_shim_last_insert_rowid(sqlite3 *db)
{
    tend_pg_conn *c = as_conn(db);
    return c ? c->last_id : sqlite3_last_insert_rowid(db);
}

const char *tend_shim_errmsg(sqlite3 *db)
{
    tend_pg_conn *c = as_conn(db);
    return c ? c->errmsg : sqlite3_errmsg(db);
}

int tend_shim_errcode(sqlite3 *db)
{
    tend_pg_conn *c = as_conn(db);
    return c ? c->errcode : sqlite3_errcode(db);
}

int tend_shim_exec(sqlite3 *db, const char *sql, int (*cb)(void *, int, char **, char **), void *arg,
                   char **errmsg)
{
    tend_pg_conn *c = as_conn(db);
    if (!c)
        return sqlite3_exec(db, sql, cb, arg, errmsg);
    if (errmsg)
        *errmsg = NULL;
    int nparams;
    unsigned flags;
    char *pg_sql = tend_pg_dialect(sql, &nparams, &flags, c->errmsg, sizeof c->errmsg);
    if (!pg_sql)
        return c->errcode = SQLITE_ERROR;
    int rc = pg_sql[0] ? tend_pg_exec(c, pg_sql) : SQLITE_OK;
    free(pg_sql);
    return rc;
}

int tend_shim_get_autocommit(sqlite3 *db)
{
    tend_pg_conn *c = as_conn(db);
    if (!c)
        return sqlite3_get_autocommit(db);
    return PQtransactionStatus(c->conn) == PQTRANS_IDLE;
}

int tend_shim_close(sqlite3 *db)
{
    tend_pg_conn *c = as_conn(db);
    if (!c)
        return sqlite3_close(db);
    tend_pg_registry_remove(c);
    PQfinish(c->conn);
    free(c);
    return SQLITE_OK;
}
