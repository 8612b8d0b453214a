/* testkit.c — see testkit.h. */
#include "testkit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#ifdef TEND_HAVE_POSTGRES
#include <errno.h> /* program_invocation_short_name */
#include <libpq-fe.h>
#endif

#ifdef TEND_HAVE_POSTGRES
static void pg_run(PGconn *c, const char *sql)
{
    PGresult *res = PQexec(c, sql);
    ExecStatusType st = PQresultStatus(res);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
        fail_msg("testkit: %s: %s", sql, PQresultErrorMessage(res));
    PQclear(res);
}

/* A database of this test program's own (programs run in parallel) on the server the URL names,
 * and in it a new, empty schema for every store (a test may hold two stores at once), which the
 * returned URL makes the store's search_path. */
static void pg_fresh(const char *url, char *out, size_t outlen)
{
    static int stores;
    char db[64], schema[32];
    snprintf(db, sizeof db, "t_%s", program_invocation_short_name);
    for (char *p = db; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9')))
            *p = '_';
    snprintf(schema, sizeof schema, "kit%d", ++stores);
    const char *const keys[] = {"dbname", NULL};
    const char *values[] = {url, NULL};
    PGconn *c = PQconnectdbParams(keys, values, 1);
    if (PQstatus(c) != CONNECTION_OK)
        fail_msg("testkit: TEND_TEST_STORE_URL: %s", PQerrorMessage(c));
    PGresult *res = PQexecParams(c, "SELECT 1 FROM pg_database WHERE datname = $1", 1, NULL,
                                 (const char *const[]){db}, NULL, NULL, 0);
    bool have = PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1;
    PQclear(res);
    char sql[160];
    if (!have) {
        snprintf(sql, sizeof sql, "CREATE DATABASE %s", db);
        pg_run(c, sql);
    }
    PQfinish(c);
    /* the same server and user, this program's database, the new schema */
    const char *slash = strrchr(url, '/');
    const char *query = strchr(url, '?');
    snprintf(out, outlen, "%.*s/%s%s%soptions=-csearch_path%%3D%s", (int)(slash - url), url, db,
             query ? query : "", query ? "&" : "?", schema);
    values[0] = out;
    c = PQconnectdbParams(keys, values, 1);
    if (PQstatus(c) != CONNECTION_OK)
        fail_msg("testkit: %s: %s", db, PQerrorMessage(c));
    snprintf(sql, sizeof sql, "SET client_min_messages = warning; DROP SCHEMA IF EXISTS %s CASCADE;"
                              " CREATE SCHEMA %s", schema, schema);
    pg_run(c, sql);
    PQfinish(c);
}
#endif

static char last_url[1024];

const char *testkit_store_url(void)
{
    return last_url;
}

void testkit_store_open(tend_store **out)
{
    char err[512] = "";
    const char *url = getenv("TEND_TEST_STORE_URL");
    if (!url || !*url) {
        assert_int_equal(tend_store_open(":memory:", out, err, sizeof err), TEND_STORE_OK);
        return;
    }
#ifdef TEND_HAVE_POSTGRES
    pg_fresh(url, last_url, sizeof last_url);
    int rc = tend_store_open(last_url, out, err, sizeof err);
    if (rc != TEND_STORE_OK)
        fail_msg("testkit: %s", err);
#else
    fail_msg("TEND_TEST_STORE_URL is set but this tend was built without PostgreSQL");
#endif
}

void testkit_store_open_at(const char *path, int fresh, tend_store **out)
{
    char err[512] = "";
    const char *url = getenv("TEND_TEST_STORE_URL");
    if (url && *url && fresh) {
        testkit_store_open(out);
        return;
    }
    int rc = tend_store_open(url && *url ? last_url : path, out, err, sizeof err);
    if (rc != TEND_STORE_OK)
        fail_msg("testkit: %s", err);
}

static char shared_path[64];

tend_store *testkit_shared_open(void)
{
    snprintf(shared_path, sizeof shared_path, "/tmp/tend-shared-%d.db", (int)getpid());
    unlink(shared_path);
    tend_store *s = NULL;
    testkit_store_open_at(shared_path, 1, &s);
    return s;
}

tend_store *testkit_shared_again(void)
{
    tend_store *s = NULL;
    testkit_store_open_at(shared_path, 0, &s);
    return s;
}

const char *testkit_shared_path(void)
{
    return shared_path;
}

void testkit_shared_close(tend_store *s)
{
    tend_store_close(s);
    char side[96];
    unlink(shared_path);
    snprintf(side, sizeof side, "%s-wal", shared_path);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", shared_path);
    unlink(side);
}

testkit *testkit_new(void)
{
    testkit *kit = calloc(1, sizeof *kit);
    assert_non_null(kit);
    testkit_store_open(&kit->store);
    kit->clock = tend_clock_create_fixed(TESTKIT_START);
    assert_non_null(kit->clock);
    kit->bot = tend_bot_create(kit->store, kit->clock, NULL);
    assert_non_null(kit->bot);
    tend_messages_init(&kit->out);
    snprintf(kit->group_key, sizeof kit->group_key, "console:test");
    return kit;
}

void testkit_free(testkit *kit)
{
    if (!kit)
        return;
    tend_messages_clear(&kit->out);
    tend_bot_destroy(kit->bot);
    tend_clock_destroy(kit->clock);
    tend_store_close(kit->store);
    free(kit);
}

int testkit_run(testkit *kit, const char *name, int coord, const char *text)
{
    tend_messages_clear(&kit->out);
    tend_request req = {
        .group_key = kit->group_key,
        .channel_key = "console:channel",
        .member_key = name,
        .member_name = name,
        .is_coordinator = coord != 0,
        .place = kit->in_public ? TEND_PLACE_SHARED : TEND_PLACE_PRIVATE,
        .text = text,
    };
    return tend_bot_handle(kit->bot, &req, &kit->out);
}

int testkit_tick(testkit *kit)
{
    tend_messages_clear(&kit->out);
    return tend_bot_tick(kit->bot, &kit->out);
}

const char *testkit_said(testkit *kit)
{
    static char buf[65536];
    size_t n = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < kit->out.count; i++) {
        const tend_message *m = &kit->out.items[i];
        char *text = tend_message_render(m, "/", NULL, NULL);
        const char *who = m->member_name ? m->member_name : "?";
        int w;
        if (m->audience == TEND_TO_PUBLIC)
            w = snprintf(buf + n, sizeof buf - n, "%s[public] %s", n ? "\n" : "", text ? text : "");
        else
            w = snprintf(buf + n, sizeof buf - n, "%s[%s %s] %s", n ? "\n" : "",
                         m->audience == TEND_TO_PRIVATE ? "private" : "dm", who, text ? text : "");
        free(text);
        if (w < 0 || (size_t)w >= sizeof buf - n)
            break;
        n += (size_t)w;
        /* a file the message carries is part of what was said (an export must not leak either) */
        if (m->file) {
            w = snprintf(buf + n, sizeof buf - n, "\n  [file %s] %s", m->file->name, m->file->data);
            if (w < 0 || (size_t)w >= sizeof buf - n)
                break;
            n += (size_t)w;
        }
    }
    return buf;
}

int testkit_said_has(testkit *kit, const char *needle)
{
    return strstr(testkit_said(kit), needle) != NULL;
}

void testkit_app_open(testkit *kit, testkit_app *ta)
{
    char err[256];
    assert_int_equal(uv_loop_init(&ta->loop), 0);
    assert_int_equal(tend_config_defaults(&ta->cfg), 0);
    ta->app = tend_app_create(&ta->loop, kit->bot, &ta->cfg, true, err, sizeof err);
    assert_non_null(ta->app);
}

void testkit_app_turn(testkit_app *ta)
{
    uv_run(&ta->loop, UV_RUN_NOWAIT);
}

void testkit_app_close(testkit_app *ta)
{
    tend_app_stop(ta->app);
    uv_run(&ta->loop, UV_RUN_DEFAULT);
    tend_app_destroy(ta->app);
    uv_run(&ta->loop, UV_RUN_DEFAULT);
    assert_int_equal(uv_loop_close(&ta->loop), 0);
    tend_config_free(&ta->cfg);
}

int64_t testkit_outbox_count(testkit *kit)
{
    int64_t n = -1;
    assert_int_equal(tend_store_outbox_count(kit->store, &n), TEND_STORE_OK);
    return n;
}
