/*
 * testkit.h — what handler tests share: a real in-memory SQLite store, a fixed clock, and a way to
 * run a command as a member and look at what the bot said.
 */
#ifndef TEND_TESTKIT_H
#define TEND_TESTKIT_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "app/app.h"
#include "bot/bot.h"

/* 2026-11-02 09:00:00 UTC, a Monday. */
#define TESTKIT_START 1793610000LL

typedef struct testkit {
    tend_store *store;
    tend_clock *clock;
    tend_bot *bot;
    tend_messages out;    /* what the last command (or tick) said */
    char group_key[64];   /* "console:test" unless changed */
    int in_public;        /* commands are typed in the group's room (not privately) when set */
} testkit;

/* A fresh, empty store: in memory, or, when TEND_TEST_STORE_URL names a PostgreSQL server (ctest's
 * *.pg cases), that server's database of this test program, emptied. Fails the test otherwise. */
void testkit_store_open(tend_store **out);
/* A store a test opens, closes and opens again (a restart): the SQLite file at `path`, or, under
 * TEND_TEST_STORE_URL, a fresh PostgreSQL schema when `fresh` and the last one again when not. */
void testkit_store_open_at(const char *path, int fresh, tend_store **out);
/* A fresh store that other processes (fork) can open too with testkit_shared_again: a SQLite file
 * under /tmp named after this process, or under TEND_TEST_STORE_URL a fresh PostgreSQL schema.
 * testkit_shared_close closes it and removes the file with its -wal and -shm. */
tend_store *testkit_shared_open(void);
tend_store *testkit_shared_again(void);
void testkit_shared_close(tend_store *s);
/* The SQLite file testkit_shared_open made (a test that looks at the file itself). */
const char *testkit_shared_path(void);
/* The URL of the last PostgreSQL store testkit_store_open made ("" on SQLite), to open it twice. */
const char *testkit_store_url(void);
/* Fresh kit with testkit_store_open's database and a clock at TESTKIT_START. */
testkit *testkit_new(void);
void testkit_free(testkit *kit);

/* Runs `text` as member `name` (key = name) in the kit's group; coordinator when coord != 0; typed
 * in the member's private chat with the bot unless kit->in_public is set.
 * Replaces kit->out. Returns tend_bot_handle's result. */
int testkit_run(testkit *kit, const char *name, int coord, const char *text);
/* The rendered text of every message of kit->out, each line prefixed like the console does
 * ("[public] ...", "[private NAME] ...", "[dm NAME] ..."), joined by newlines, a message's file
 * after it ("  [file NAME] its text"). Static buffer. */
const char *testkit_said(testkit *kit);
/* True when some message in kit->out contains `needle` (after rendering with "/" prefixes). */
int testkit_said_has(testkit *kit, const char *needle);
/* Runs a tick of the scheduler at the clock's now. Replaces kit->out. */
int testkit_tick(testkit *kit);

/* The real app around the kit's bot, console adapter and outbox included, on a loop of its own
 * that the test runs when it wants (testkit_app_turn). For adapter tests. */
typedef struct {
    uv_loop_t loop;
    tend_config cfg;
    tend_app *app;
} testkit_app;
void testkit_app_open(testkit *kit, testkit_app *ta);
/* One turn of the loop: what was delivered is removed from the outbox. */
void testkit_app_turn(testkit_app *ta);
void testkit_app_close(testkit_app *ta);
/* Rows waiting in the kit's outbox. */
int64_t testkit_outbox_count(testkit *kit);

#endif
