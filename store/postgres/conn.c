/*
 * conn.c — a PostgreSQL store's connection: opening it from a URL, the numbered migrations, error
 * codes in SQLite's terms, and the registry that tells the shim's pointers from SQLite's.
 */
#include "store/postgres/pg.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/url.h"
#include "store/store.h"

/* ---------------------------------------------------------------- registry */

/* Open addressing over pointers; a handful of handles and a few hundred statements per store. A
 * store is used from one thread at a time, as SQLite's handle is, but two stores may live on two
 * threads (the loop's and the store thread's, store/postgres/SEAM.md) and share this table, so
 * `registry_lock` guards it. With no PostgreSQL store open (a SQLite tend built with libpq, whose
 * every sqlite3_* call asks here) the count alone answers, without the lock. */
static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
static const void **slots;
static size_t slot_cap;
static _Atomic size_t slot_used;
static const void *const tombstone = &tombstone;

static size_t slot_of(const void *p, size_t cap)
{
    return (size_t)(((uintptr_t)p >> 4) * 11400714819323198485ull) & (cap - 1);
}

static bool owned(const void *p)
{
    for (size_t i = slot_of(p, slot_cap), n = 0; n < slot_cap; i = (i + 1) & (slot_cap - 1), n++) {
        if (slots[i] == p)
            return true;
        if (!slots[i])
            return false;
    }
    return false;
}

bool tend_pg_owns(const void *p)
{
    if (!p || !atomic_load_explicit(&slot_used, memory_order_acquire))
        return false;
    pthread_mutex_lock(&registry_lock);
    bool found = slot_cap && owned(p);
    pthread_mutex_unlock(&registry_lock);
    return found;
}

static void insert_slot(const void **table, size_t cap, const void *p)
{
    size_t i = slot_of(p, cap);
    while (table[i] && table[i] != tombstone)
        i = (i + 1) & (cap - 1);
    table[i] = p;
}

void tend_pg_registry_add(const void *p)
{
    pthread_mutex_lock(&registry_lock);
    if ((slot_used + 1) * 2 > slot_cap) {
        size_t cap = slot_cap ? slot_cap * 2 : 1024;
        const void **grown = calloc(cap, sizeof *grown);
        if (!grown)
            abort(); /* a statement we could not remember would be sent to SQLite */
        for (size_t i = 0; i < slot_cap; i++)
            if (slots[i] && slots[i] != tombstone)
                insert_slot(grown, cap, slots[i]);
        free(slots);
        slots = grown;
        slot_cap = cap;
    }
    insert_slot(slots, slot_cap, p);
    atomic_fetch_add_explicit(&slot_used, 1, memory_order_release);
    pthread_mutex_unlock(&registry_lock);
}

void tend_pg_registry_remove(const void *p)
{
    pthread_mutex_lock(&registry_lock);
    for (size_t i = slot_of(p, slot_cap), n = 0; slot_cap && n < slot_cap; i = (i + 1) & (slot_cap - 1), n++) {
        if (slots[i] == p) {
            slots[i] = tombstone;
            if (atomic_fetch_sub_explicit(&slot_used, 1, memory_order_release) == 1) {
                /* the last store closed: start clean (tombstones and all) */
                free(slots);
                slots = NULL;
                slot_cap = 0;
            }
            break;
        }
        if (!slots[i])
            break;
    }
    pthread_mutex_unlock(&registry_lock);
}

/* ---------------------------------------------------------------- errors */

/* libpq's messages run over lines with tabs ("...failed: No such file\n\tIs the server running");
 * a log line and tend's start-up message are one line, its whitespace single spaces */
static void one_line(char *text)
{
    char *w = text;
    for (const char *r = text; *r; r++) {
        bool space = *r == '\n' || *r == '\t' || *r == '\r' || *r == ' ';
        if (space && (w == text || w[-1] == ' '))
            continue;
        *w++ = space ? ' ' : *r;
    }
    while (w > text && w[-1] == ' ')
        w--;
    *w = '\0';
}

int tend_pg_fail(tend_pg_conn *c, const void *result)
{
    const PGresult *res = result;
    /* the primary message only: the DETAIL of a constraint error quotes the row ("Failing row
     * contains ..."), which may be a member's note, and errors reach the log */
    const char *msg = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    if (!msg || !*msg)
        msg = PQerrorMessage(c->conn);
    snprintf(c->errmsg, sizeof c->errmsg, "%s", msg && *msg ? msg : "PostgreSQL failed");
    one_line(c->errmsg);
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    int code = SQLITE_ERROR;
    if (PQstatus(c->conn) != CONNECTION_OK)
        code = SQLITE_IOERR;
    else if (state && strncmp(state, "23", 2) == 0)
        code = SQLITE_CONSTRAINT;
    else if (state && (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0 ||
                       strcmp(state, "55P03") == 0 || strcmp(state, "57014") == 0))
        code = SQLITE_BUSY;
    else if (state && strncmp(state, "53", 2) == 0)
        code = SQLITE_FULL; /* disk full, out of memory or connections: the server has no room */
    else if (state && strcmp(state, "25006") == 0)
        code = SQLITE_READONLY;
    c->errcode = code;
    return code;
}

int tend_pg_exec(tend_pg_conn *c, const char *sql)
{
    PGresult *res = PQexec(c->conn, sql);
    ExecStatusType status = PQresultStatus(res);
    int rc = status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK ? SQLITE_OK : tend_pg_fail(c, res);
    PQclear(res);
    return rc;
}

const char *tend_pg_library(void)
{
    static char name[32];
    int v = PQlibVersion(); /* 150018 for 15.18 */
    snprintf(name, sizeof name, "libpq %d.%d", v / 10000, v % 10000);
    return name;
}

/* ---------------------------------------------------------------- the URL */

void tend_pg_redact(const char *url, char *out, size_t outlen)
{
    char buf[1024];
    snprintf(buf, sizeof buf, "%s", url);
    char *scheme = strstr(buf, "://");
    if (scheme) {
        char *auth = scheme + 3;
        char *path = auth + strcspn(auth, "/?");
        char *at = NULL;
        for (char *p = auth; p < path; p++)
            if (*p == '@')
                at = p;
        char *colon = at ? memchr(auth, ':', (size_t)(at - auth)) : NULL;
        if (colon) {
            memmove(colon + 4, at, strlen(at) + 1);
            memcpy(colon, ":***", 4);
        }
    }
    /* a password given as a query parameter */
    for (char *p = strstr(buf, "password="); p; p = strstr(p + 1, "password=")) {
        if (p != buf && p[-1] != '?' && p[-1] != '&')
            continue;
        char *value = p + strlen("password=");
        char *end = value + strcspn(value, "&");
        memmove(value + 3, end, strlen(end) + 1);
        memcpy(value, "***", 3);
    }
    snprintf(out, outlen, "%s", buf);
}

/* libpq quotes a URL's piece it cannot parse ("invalid percent-encoded token: ..."), which may be
 * the password: every copy of it in text becomes *** */
static void mask_password(char *text, size_t size, const char *url)
{
    char secret[256];
    tend_url_password(url, secret, sizeof secret);
    size_t n = strlen(secret);
    if (!n)
        return;
    for (char *hit = strstr(text, secret); hit; hit = strstr(hit + 3, secret)) {
        size_t tail = strlen(hit + n) + 1;
        if ((size_t)(hit - text) + 3 + tail > size)
            break;
        memmove(hit + 3, hit + n, tail);
        memcpy(hit, "***", 3);
    }
}

/* ---------------------------------------------------------------- open */

/* libpq prints the server's notices on stderr by default; a migration's "already exists,
 * skipping" is nobody's business */
static void quiet(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

/* What every session of tend's sets, at open and after a reconnect. */
static int session_setup(tend_pg_conn *c)
{
    PQsetNoticeProcessor(c->conn, quiet, NULL);
    /* a lock held by another process waits as long as SQLite's busy timeout, then BUSY; a
     * connection whose caller cannot wait that long (the loop's own) says less */
    char sql[256];
    snprintf(sql, sizeof sql,
             "SET client_min_messages = warning; SET lock_timeout = %d; SET statement_timeout = %d;"
             " SET idle_in_transaction_session_timeout = '60s'",
             c->lock_timeout_ms > 0 ? c->lock_timeout_ms : 2000,
             c->statement_timeout_ms > 0 ? c->statement_timeout_ms : 10000);
    return tend_pg_exec(c, sql);
}

int tend_pg_bound_waits(tend_pg_conn *c, int lock_ms, int statement_ms)
{
    c->lock_timeout_ms = lock_ms;
    c->statement_timeout_ms = statement_ms;
    return session_setup(c);
}

int tend_pg_reconnect(tend_pg_conn *c)
{
    PQreset(c->conn);
    c->generation++; /* the server forgot the prepared statements with the session */
    if (PQstatus(c->conn) != CONNECTION_OK)
        return tend_pg_fail(c, NULL);
    return session_setup(c);
}

static int read_version(tend_pg_conn *c, int *version)
{
    PGresult *res = PQexec(c->conn, "SELECT coalesce(max(version), 0) FROM schema_version");
    int rc = SQLITE_OK;
    if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1)
        *version = (int)strtol(PQgetvalue(res, 0, 0), NULL, 10);
    else
        rc = tend_pg_fail(c, res);
    PQclear(res);
    return rc;
}

int tend_pg_schema_version(sqlite3 *db)
{
    tend_pg_conn *c = (tend_pg_conn *)(void *)db;
    int version = -1;
    if (!tend_pg_owns(c) || read_version(c, &version) != SQLITE_OK)
        return -1;
    return version;
}

/* Each migration in its own transaction, under an advisory lock, so two processes starting on one
 * database at once migrate it once: the second waits, then finds the version already there. */
static int migrate(tend_pg_conn *c)
{
    int rc = SQLITE_OK;
    for (int done = 0; rc == SQLITE_OK && !done;) {
        int version = 0;
        /* a migration may take long on a big database, and waits for another process's; the
         * table is made under the lock too (two CREATE ... IF NOT EXISTS at once can collide) */
        rc = tend_pg_exec(c, "BEGIN; SET LOCAL statement_timeout = 0; SET LOCAL lock_timeout = 0;"
                             " SELECT pg_advisory_xact_lock(7310594286661955910);"
                             " CREATE TABLE IF NOT EXISTS schema_version (version integer NOT NULL)");
        if (rc == SQLITE_OK)
            rc = read_version(c, &version);
        if (rc == SQLITE_OK && version > tend_pg_migration_count) {
            snprintf(c->errmsg, sizeof c->errmsg, "the database is from a newer tend (schema %d, this one knows %d)",
                     version, tend_pg_migration_count);
            rc = SQLITE_ERROR;
        }
        if (rc == SQLITE_OK && version == tend_pg_migration_count) {
            done = 1;
            rc = tend_pg_exec(c, "COMMIT");
            break;
        }
        bool migrating = rc == SQLITE_OK;
        if (rc == SQLITE_OK)
            rc = tend_pg_exec(c, tend_pg_migrations[version]);
        if (rc == SQLITE_OK) {
            char bump[96];
            snprintf(bump, sizeof bump, "DELETE FROM schema_version; INSERT INTO schema_version VALUES (%d); COMMIT",
                     version + 1);
            rc = tend_pg_exec(c, bump);
        }
        if (rc != SQLITE_OK) {
            char why[400];
            snprintf(why, sizeof why, "%.399s", c->errmsg);
            PQclear(PQexec(c->conn, "ROLLBACK"));
            if (migrating)
                snprintf(c->errmsg, sizeof c->errmsg, "migration %d failed: %s", version + 1, why);
            else
                snprintf(c->errmsg, sizeof c->errmsg, "%s", why);
        }
    }
    return rc;
}

static int to_store_code(int sqlite_rc)
{
    switch (sqlite_rc) {
    case SQLITE_OK:
        return TEND_STORE_OK;
    case SQLITE_FULL:
        return TEND_STORE_FULL;
    case SQLITE_READONLY:
        return TEND_STORE_READONLY;
    case SQLITE_BUSY:
        return TEND_STORE_BUSY;
    default:
        return TEND_STORE_ERROR;
    }
}

int tend_pg_open(const char *url, sqlite3 **db, char *err, size_t errlen)
{
    *db = NULL;
    if (tend_pg_migration_count != tend_store_schema_latest()) {
        /* a migration added to store/sqlite/schema.c and not to store/postgres/schema.c */
        snprintf(err, errlen, "this tend knows %d SQLite migrations but %d for PostgreSQL; it cannot use PostgreSQL",
                 tend_store_schema_latest(), tend_pg_migration_count);
        return TEND_STORE_ERROR;
    }
    tend_pg_conn *c = calloc(1, sizeof *c);
    if (!c) {
        snprintf(err, errlen, "out of memory");
        return TEND_STORE_ERROR;
    }
    tend_pg_redact(url, c->where, sizeof c->where);
    /* defaults first, so the URL's own settings win: tend's calls run on its one loop thread, so a
     * server gone quiet must fail them in seconds, not hang every platform (keepalives and
     * tcp_user_timeout for a network path; statement and lock timeouts below for the server) */
    const char *const keys[] = {"connect_timeout", "keepalives_idle", "keepalives_interval", "keepalives_count",
                                "tcp_user_timeout", "fallback_application_name", "dbname", NULL};
    const char *const values[] = {"10", "10", "5", "3", "15000", "tend", url, NULL};
    c->conn = PQconnectdbParams(keys, values, 1);
    c->generation = 1;
    if (!c->conn || PQstatus(c->conn) != CONNECTION_OK) {
        char why[400] = "out of memory";
        if (c->conn)
            snprintf(why, sizeof why, "%s", PQerrorMessage(c->conn));
        one_line(why);
        mask_password(why, sizeof why, url);
        snprintf(err, errlen, "cannot connect to PostgreSQL at %s: %s", c->where, why);
        PQfinish(c->conn);
        free(c);
        return TEND_STORE_ERROR;
    }
    tend_pg_registry_add(c);
    int rc = session_setup(c);
    if (rc == SQLITE_OK)
        rc = migrate(c);
    if (rc != SQLITE_OK) {
        snprintf(err, errlen, "cannot use PostgreSQL at %s: %s", c->where, c->errmsg);
        tend_pg_registry_remove(c);
        PQfinish(c->conn);
        free(c);
        return to_store_code(rc);
    }
    *db = (sqlite3 *)(void *)c;
    return TEND_STORE_OK;
}
