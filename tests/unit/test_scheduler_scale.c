/*
 * test_scheduler_scale.c — the scheduler at scale: it visits only what is due. Thousands of groups
 * and members with nothing due cost no writes and a few index lookups; 10,000 things due at once
 * go out in slices, each once; a nudge held by quiet hours goes out when they end (not when the
 * member is no longer over capacity by then); /setup, /pause-new and /resume-new move what is due;
 * a restart keeps every due time. The scheduler's rules themselves are in test_scheduler.c.
 */
#include "schedkit.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bot/scheduler.h"

/* ---------------------------------------------------------------- at scale */

/* A file database with a second connection that watches it: PRAGMA data_version changes when
 * another connection commits, so "the tick wrote nothing" can be checked from outside. */
typedef struct {
    char path[64];
    tend_store *store;
    tend_clock *clock;
    tend_bot *bot;
    sqlite3 *watch;
} filekit;

static void filekit_open(filekit *f, int64_t now)
{
    snprintf(f->path, sizeof f->path, "/tmp/tend-scale-XXXXXX");
    int fd = mkstemp(f->path);
    assert_true(fd >= 0);
    close(fd);
    char err[256];
    assert_int_equal(tend_store_open(f->path, &f->store, err, sizeof err), TEND_STORE_OK);
    f->clock = tend_clock_create_fixed(now);
    f->bot = tend_bot_create(f->store, f->clock, NULL);
    assert_non_null(f->bot);
    assert_int_equal(sqlite3_open(f->path, &f->watch), SQLITE_OK);
}

/* Closes the bot and store and opens them again on the same file: a restart. */
static void filekit_restart(filekit *f)
{
    tend_bot_destroy(f->bot);
    tend_store_close(f->store);
    char err[256];
    assert_int_equal(tend_store_open(f->path, &f->store, err, sizeof err), TEND_STORE_OK);
    f->bot = tend_bot_create(f->store, f->clock, NULL);
    assert_non_null(f->bot);
}

static void filekit_close(filekit *f)
{
    sqlite3_close(f->watch);
    tend_bot_destroy(f->bot);
    tend_store_close(f->store);
    tend_clock_destroy(f->clock);
    char side[80];
    unlink(f->path);
    snprintf(side, sizeof side, "%s-wal", f->path);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", f->path);
    unlink(side);
}

static int data_version(filekit *f)
{
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(f->watch, "PRAGMA data_version", -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    int v = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return v;
}

static int filekit_tick(filekit *f, tend_messages *out)
{
    tend_messages_clear(out);
    tend_messages_init(out);
    return tend_bot_tick(f->bot, out);
}

#define MANY_GROUPS 2000
#define MEMBERS_EACH 20

/* 2,000 groups of 20 members, every group's check-in at its own minute of Tuesday evening (the
 * earliest is group 0's at 18:00 UTC), each with a task someone holds, all created now. */
static void seed_many(filekit *f)
{
    int64_t now = tend_clock_now(f->clock);
    assert_int_equal(tend_store_begin(f->store), TEND_STORE_OK);
    for (int i = 0; i < MANY_GROUPS; i++) {
        char key[32], name[32];
        tend_group g;
        snprintf(key, sizeof key, "discord:%d", i);
        assert_int_equal(tend_store_group_ensure(f->store, key, key, now, &g), TEND_STORE_OK);
        snprintf(g.checkin_at, sizeof g.checkin_at, "tue %02d:%02d", 18 + i / 600, i / 10 % 60);
        snprintf(g.digest_at, sizeof g.digest_at, "sun 18:00");
        assert_int_equal(tend_store_group_save(f->store, &g), TEND_STORE_OK);
        tend_member first;
        for (int k = 0; k < MEMBERS_EACH; k++) {
            tend_member m;
            snprintf(name, sizeof name, "m%d", k);
            assert_int_equal(tend_store_member_ensure(f->store, g.id, name, name, now, &m), TEND_STORE_OK);
            if (k == 0)
                first = m;
        }
        tend_task t = {.group_id = g.id, .slots = 1, .weight = 1, .created_at = now};
        snprintf(t.title, sizeof t.title, "Soup run");
        assert_int_equal(tend_store_task_add(f->store, &t), TEND_STORE_OK);
        assert_int_equal(tend_store_claim_add(f->store, t.id, first.id, TEND_CLAIM_ACTIVE, now, NULL), TEND_STORE_OK);
    }
    assert_int_equal(tend_store_commit(f->store), TEND_STORE_OK);
}

static double seconds_since(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

static void many_groups_with_nothing_due_touch_nothing(void **state)
{
    (void)state;
    filekit f;
    filekit_open(&f, TESTKIT_START); /* Monday 09:00 UTC */
    seed_many(&f);
    tend_messages out;
    tend_messages_init(&out);
    /* the first tick looks at every new group once (and at every member who took a task): none
     * is over capacity and nothing was due before they existed */
    assert_int_equal(filekit_tick(&f, &out), 0);
    assert_int_equal(out.count, 0);
    assert_int_equal(tend_bot_next_due(f.bot), TESTKIT_START + DAY + 9 * HOUR); /* Tue 18:00 */

    /* an hour on, with 40,000 members and nothing due: the tick writes nothing at all */
    tend_clock_advance(f.clock, HOUR);
    int before = data_version(&f);
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (int i = 0; i < 100; i++) {
        assert_int_equal(filekit_tick(&f, &out), 0);
        assert_int_equal(out.count, 0);
        assert_int_equal(tend_bot_next_due(f.bot), TESTKIT_START + DAY + 9 * HOUR);
    }
    double idle = seconds_since(&t0) / 100;
    assert_int_equal(data_version(&f), before);
    print_message("idle tick + next_due, %d groups x %d members: %.3f ms\n", MANY_GROUPS, MEMBERS_EACH,
                  idle * 1e3);

    /* one member in one group goes over capacity: exactly that one nudge, nobody else's */
    tend_group g;
    tend_member m;
    assert_int_equal(tend_store_group_get(f.store, "discord:1234", &g), TEND_STORE_OK);
    assert_int_equal(tend_store_member_get(f.store, g.id, "m7", &m), TEND_STORE_OK);
    m.capacity = 1;
    assert_int_equal(tend_store_member_save(f.store, &m), TEND_STORE_OK);
    for (int i = 0; i < 2; i++) {
        tend_task t = {.group_id = g.id, .slots = 1, .weight = 1, .created_at = tend_clock_now(f.clock)};
        snprintf(t.title, sizeof t.title, "Pantry shift");
        assert_int_equal(tend_store_task_add(f.store, &t), TEND_STORE_OK);
        assert_int_equal(tend_store_claim_add(f.store, t.id, m.id, TEND_CLAIM_ACTIVE, tend_clock_now(f.clock), NULL),
                         TEND_STORE_OK);
    }
    assert_int_equal(tend_bot_next_due(f.bot), tend_clock_now(f.clock));
    assert_int_equal(filekit_tick(&f, &out), 0);
    assert_int_equal(out.count, 1);
    assert_string_equal(out.items[0].kind, "nudge");
    assert_string_equal(out.items[0].group_key, "discord:1234");
    assert_string_equal(out.items[0].member_key, "m7");

    /* Tuesday 18:00, the first Tuesday of November: groups 0..9's prompts and monthly process
     * check-ins, and only theirs; the next are groups 10..19's a minute later */
    tend_clock_advance(f.clock, TESTKIT_START + DAY + 9 * HOUR - tend_clock_now(f.clock));
    assert_int_equal(filekit_tick(&f, &out), 0);
    assert_int_equal(count_kind(&out, "checkin.prompt"), 10);
    assert_int_equal(count_kind(&out, "process"), 10);
    assert_int_equal(out.count, 20);
    assert_int_equal(tend_bot_next_due(f.bot), TESTKIT_START + DAY + 9 * HOUR + 60);

    /* the evening's prompts all go out, each once, at its own minute */
    size_t prompts = 10;
    for (int guard = 0; guard < 1000; guard++) {
        int64_t next = tend_bot_next_due(f.bot);
        if (next > TESTKIT_START + DAY + 13 * HOUR)
            break;
        tend_clock_advance(f.clock, next - tend_clock_now(f.clock));
        assert_int_equal(filekit_tick(&f, &out), 0);
        prompts += count_kind(&out, "checkin.prompt");
    }
    assert_int_equal(prompts, MANY_GROUPS);
    tend_messages_clear(&out);
    filekit_close(&f);
}

static void a_tick_in_slices_posts_each_prompt_once(void **state)
{
    (void)state;
    testkit *kit = testkit_new(); /* Monday 09:00 */
    for (int i = 0; i < 25; i++) {
        snprintf(kit->group_key, sizeof kit->group_key, "console:g%d", i);
        make_group(kit, "UTC", "mon 10:00", "sun 18:00");
    }
    set_now(kit, TESTKIT_START + HOUR);
    const tend_env *env = tend_bot_env(kit->bot);
    tend_messages out;
    tend_messages_init(&out);
    int slices = 0, rc;
    while ((rc = tend_scheduler_tick_some(env, now_of(kit), 10, &out)) == 1)
        slices++;
    assert_int_equal(rc, 0);
    assert_true(slices >= 2); /* 25 prompts do not fit in a budget of 10 */
    assert_int_equal(count_kind(&out, "checkin.prompt"), 25);
    for (int i = 0; i < 25; i++) {
        char key[32];
        snprintf(key, sizeof key, "console:g%d", i);
        size_t n = 0;
        for (size_t k = 0; k < out.count; k++)
            n += strcmp(out.items[k].group_key, key) == 0 && strcmp(out.items[k].kind, "checkin.prompt") == 0;
        assert_int_equal(n, 1);
    }
    tend_messages_clear(&out);
    assert_int_equal(testkit_tick(kit), 0);
    assert_int_equal(kit->out.count, 0);
    testkit_free(kit);
}

static void a_nudge_held_by_quiet_hours_goes_out_when_they_end_once(void **state)
{
    (void)state;
    testkit *kit = testkit_new(); /* Monday 09:00 UTC */
    tend_group g = make_group(kit, "UTC", "sat 18:00", "sat 19:00");
    tend_member ana = overloaded(kit, &g, "ana");
    tend_member bo = make_member(kit, &g, "bo");
    bo.capacity = 1;
    bo.quiet_start = 8 * 60;
    bo.quiet_end = 12 * 60;
    save_member(kit, &bo);
    ana.quiet_start = 8 * 60;
    ana.quiet_end = 12 * 60;
    save_member(kit, &ana);
    /* bo goes over too, by claiming through the bot, which checks his nudge after the command */
    make_task(kit, &g, "Call the landlord", 0, false);
    tend_task b = make_task(kit, &g, "Fix the bike", 0, false);
    assert_int_equal(testkit_run(kit, "bo", 0, "claim 3"), 0);
    assert_int_equal(testkit_run(kit, "bo", 0, "claim 4 confirm"), 0);
    tend_messages out;
    tend_messages_init(&out);
    assert_int_equal(tend_scheduler_after_command(tend_bot_env(kit->bot), kit->group_key, "bo", now_of(kit), &out), 0);
    assert_int_equal(out.count, 0); /* quiet hours: held */
    tend_messages_clear(&out);
    assert_int_equal(testkit_tick(kit), 0);
    assert_int_equal(count_kind(&kit->out, "nudge"), 0);
    assert_int_equal(tend_bot_next_due(kit->bot), TESTKIT_START + 3 * HOUR); /* 12:00, quiet ends */

    int64_t due;
    assert_int_equal(tend_store_nudge_check_get(kit->store, bo.id, &due), TEND_STORE_OK);
    assert_int_equal(due, TESTKIT_START + 3 * HOUR); /* his, held too */

    /* before then bo gives one back: no longer over his capacity */
    tend_claim c;
    assert_int_equal(tend_store_claim_current(kit->store, b.id, bo.id, &c), TEND_STORE_OK); /* he held #4 */
    assert_int_equal(testkit_run(kit, "bo", 0, "unclaim 4"), 0);
    int64_t at[4];
    set_now(kit, TESTKIT_START + 3 * HOUR - 1);
    assert_int_equal(testkit_tick(kit), 0);
    assert_int_equal(count_kind(&kit->out, "nudge"), 0);
    set_now(kit, TESTKIT_START + 3 * HOUR);
    assert_int_equal(testkit_tick(kit), 0);
    assert_int_equal(count_kind(&kit->out, "nudge"), 1);
    const tend_message *n = find_kind(&kit->out, "nudge");
    assert_string_equal(n->member_key, "ana");
    assert_int_equal(tend_store_nudge_check_get(kit->store, bo.id, &due), TEND_STORE_NOTFOUND);
    /* and never again that week, for either of them */
    assert_int_equal(run_until(kit, TESTKIT_START + 7 * DAY - 1, "nudge", at, 4), 0);
    int64_t last;
    assert_int_equal(tend_store_nudge_last(kit->store, bo.id, "load", &last), TEND_STORE_NOTFOUND);
    testkit_free(kit);
}

static void a_command_over_capacity_nudges_at_once_and_a_promotion_at_the_next_tick(void **state)
{
    (void)state;
    testkit *kit = testkit_new();
    tend_group g = make_group(kit, "UTC", "sat 18:00", "sat 19:00");
    tend_member cy = make_member(kit, &g, "cy");
    cy.capacity = 1;
    save_member(kit, &cy);
    make_member(kit, &g, "di");
    make_task(kit, &g, "Soup run", 0, false);
    make_task(kit, &g, "Pantry shift", 0, false);
    const tend_env *env = tend_bot_env(kit->bot);
    tend_messages out;
    tend_messages_init(&out);
    /* di holds #2; cy waits on it, then takes #1 herself: at capacity, not over */
    assert_int_equal(testkit_run(kit, "di", 0, "claim 2"), 0);
    assert_int_equal(testkit_run(kit, "cy", 0, "claim 2"), 0);
    assert_int_equal(testkit_run(kit, "cy", 0, "claim 1"), 0);
    assert_int_equal(tend_scheduler_after_command(env, kit->group_key, "cy", now_of(kit), &out), 0);
    assert_int_equal(out.count, 0);
    /* di gives #2 back: cy is promoted, which takes her over by someone else's command */
    assert_int_equal(testkit_run(kit, "di", 0, "unclaim 2"), 0);
    assert_int_equal(tend_scheduler_after_command(env, kit->group_key, "di", now_of(kit), &out), 0);
    assert_int_equal(count_kind(&out, "nudge"), 0);
    assert_int_equal(tend_bot_next_due(kit->bot), now_of(kit));
    assert_int_equal(testkit_tick(kit), 0);
    assert_int_equal(count_kind(&kit->out, "nudge"), 1);
    assert_string_equal(find_kind(&kit->out, "nudge")->member_key, "cy");
    tend_messages_clear(&out);
    /* a member who does not exist yet, or a group that does not: nothing, and no failure */
    assert_int_equal(tend_scheduler_after_command(env, kit->group_key, "nobody", now_of(kit), &out), 0);
    assert_int_equal(tend_scheduler_after_command(env, "console:none", "cy", now_of(kit), &out), 0);
    assert_int_equal(out.count, 0);
    testkit_free(kit);
}

static void setup_moving_the_checkin_moves_the_next_prompt(void **state)
{
    (void)state;
    testkit *kit = testkit_new(); /* Monday 09:00 UTC; the default check-in is mon 18:00 */
    assert_int_equal(testkit_run(kit, "ana", 1, "tasks"), 0);
    assert_int_equal(tend_bot_next_due(kit->bot), now_of(kit)); /* a new group: look at it now */
    assert_int_equal(testkit_tick(kit), 0);
    assert_int_equal(tend_bot_next_due(kit->bot), TESTKIT_START + 9 * HOUR);
    assert_int_equal(testkit_run(kit, "ana", 1, "setup checkin:\"wed 12:30\" digest:\"sun 19:00\""), 0);
    assert_int_equal(tend_bot_next_due(kit->bot), now_of(kit)); /* a setting changed: look now */
    assert_int_equal(testkit_tick(kit), 0);
    assert_int_equal(kit->out.count, 0);
    assert_int_equal(tend_bot_next_due(kit->bot), TESTKIT_START + 2 * DAY + 3 * HOUR + 30 * 60);
    int64_t at[4];
    assert_int_equal(run_until(kit, TESTKIT_START + 3 * DAY, "checkin.prompt", at, 4), 1);
    assert_int_equal(at[0], TESTKIT_START + 2 * DAY + 3 * HOUR + 30 * 60); /* not Monday 18:00 */
    /* a bad value changes nothing, and the schedule stays where it was */
    assert_int_equal(testkit_run(kit, "ana", 1, "setup checkin:\"someday\""), 0);
    assert_true(testkit_said_has(kit, "someday"));
    assert_int_equal(tend_bot_next_due(kit->bot), TESTKIT_START + 6 * DAY + 10 * HOUR); /* Sunday's digest */
    /* a time zone moves it too: 12:30 in Berlin is 11:30 UTC in November */
    assert_int_equal(testkit_run(kit, "ana", 1, "setup timezone:Europe/Berlin"), 0);
    assert_int_equal(testkit_tick(kit), 0);
    assert_int_equal(tend_bot_next_due(kit->bot), TESTKIT_START + 6 * DAY + 9 * HOUR); /* 19:00 Berlin */
    assert_int_equal(run_until(kit, TESTKIT_START + 10 * DAY, "checkin.prompt", at, 4), 1);
    assert_int_equal(at[0], TESTKIT_START + 9 * DAY + 2 * HOUR + 30 * 60);
    testkit_free(kit);
}

static void pause_new_holds_a_weekly_copy_and_resume_releases_it(void **state)
{
    (void)state;
    testkit *kit = testkit_new();
    tend_group g = make_group(kit, "UTC", "sat 18:00", "sat 19:00");
    tend_member ana = make_member(kit, &g, "ana");
    tend_task t = make_task(kit, &g, "Soup run", TESTKIT_START + DAY, true);
    assert_int_equal(testkit_run(kit, "ana", 1, "pause-new"), 0);
    tend_claim c = claim(kit, &t, &ana);
    finish(kit, &t, &c);
    assert_int_equal(testkit_tick(kit), 0);
    assert_int_equal(count_kind(&kit->out, "task.announce"), 0);
    assert_int_equal(testkit_run(kit, "ana", 1, "resume-new"), 0);
    assert_int_equal(tend_bot_next_due(kit->bot), now_of(kit));
    assert_int_equal(testkit_tick(kit), 0);
    assert_int_equal(count_kind(&kit->out, "task.announce"), 1);
    testkit_free(kit);
}

/* Everything pending (a prompt, a held nudge, a rest's end, a claim going stale) is in the store,
 * so a new bot on the same file has the same next due times and fires each thing once. */
static void a_restart_keeps_every_due_time(void **state)
{
    (void)state;
    filekit f;
    filekit_open(&f, TESTKIT_START); /* Monday 09:00 UTC */
    tend_store *s = f.store;
    tend_group g;
    assert_int_equal(tend_store_group_ensure(s, "console:test", "c", TESTKIT_START, &g), TEND_STORE_OK);
    snprintf(g.checkin_at, sizeof g.checkin_at, "wed 18:00");
    assert_int_equal(tend_store_group_save(s, &g), TEND_STORE_OK);
    tend_member ana, bo;
    assert_int_equal(tend_store_member_ensure(s, g.id, "ana", "ana", TESTKIT_START, &ana), TEND_STORE_OK);
    assert_int_equal(tend_store_member_ensure(s, g.id, "bo", "bo", TESTKIT_START, &bo), TEND_STORE_OK);
    ana.capacity = 1;
    ana.quiet_start = 0;
    ana.quiet_end = 14 * 60; /* quiet until 14:00 UTC */
    assert_int_equal(tend_store_member_save(s, &ana), TEND_STORE_OK);
    for (int i = 0; i < 2; i++) {
        tend_task t = {.group_id = g.id, .slots = 1, .weight = 1, .created_at = TESTKIT_START};
        snprintf(t.title, sizeof t.title, "Task %d", i);
        assert_int_equal(tend_store_task_add(s, &t), TEND_STORE_OK);
        assert_int_equal(tend_store_claim_add(s, t.id, ana.id, TEND_CLAIM_ACTIVE, TESTKIT_START, NULL), TEND_STORE_OK);
    }
    assert_int_equal(tend_store_rest_start(s, bo.id, TESTKIT_START + 2 * HOUR, "", TESTKIT_START, NULL),
                     TEND_STORE_OK);
    tend_messages out;
    tend_messages_init(&out);
    assert_int_equal(filekit_tick(&f, &out), 0);
    assert_int_equal(out.count, 0);
    int64_t expected[] = {TESTKIT_START + 2 * HOUR, TESTKIT_START + 5 * HOUR, TESTKIT_START + 2 * DAY + 9 * HOUR};
    const char *kinds[] = {"welcome", "nudge", "checkin.prompt"};
    for (size_t i = 0; i < 3; i++) {
        int64_t before_restart = tend_bot_next_due(f.bot);
        assert_int_equal(before_restart, expected[i]);
        filekit_restart(&f);
        assert_int_equal(tend_bot_next_due(f.bot), before_restart);
        tend_clock_advance(f.clock, before_restart - tend_clock_now(f.clock));
        assert_int_equal(filekit_tick(&f, &out), 0);
        assert_int_equal(count_kind(&out, kinds[i]), 1);
        /* the first Wednesday of November also brings the monthly process check-in, and the
         * check-in asks ana and bo (back from rest by then) privately */
        assert_int_equal(out.count, i == 2 ? 4 : 1);
        assert_int_equal(count_kind(&out, "checkin.ask"), i == 2 ? 2 : 0);
        /* the process dies right after; the next one says nothing again */
        filekit_restart(&f);
        assert_int_equal(filekit_tick(&f, &out), 0);
        assert_int_equal(out.count, 0);
    }
    tend_messages_clear(&out);
    filekit_close(&f);
}

extern const char *const tend_store_migrations[];

/* A database from before migration 3 opens with every group and every loaded member marked "look
 * now", so nothing pending is lost in the upgrade. */
static void an_older_database_upgrades_with_nothing_lost(void **state)
{
    (void)state;
    char path[] = "/tmp/tend-upgrade-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, tend_store_migrations[0], NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, tend_store_migrations[1], NULL, NULL, NULL), SQLITE_OK);
    char sql[1024];
    snprintf(sql, sizeof sql,
             "PRAGMA user_version = 2;"
             "INSERT INTO groups (id, key, checkin_at, created_at) VALUES (1, 'console:old', 'mon 10:00', %lld);"
             "INSERT INTO members (id, group_id, key, name, capacity, joined_at) VALUES (1, 1, 'ana', 'ana', 1, %lld);"
             "INSERT INTO tasks (id, group_id, number, title, created_at) VALUES (1, 1, 1, 'a', %lld), (2, 1, 2, 'b', %lld);"
             "INSERT INTO claims (task_id, member_id, state, created_at, updated_at) VALUES"
             " (1, 1, 'active', %lld, %lld), (2, 1, 'active', %lld, %lld);",
             TESTKIT_START, TESTKIT_START, TESTKIT_START, TESTKIT_START, TESTKIT_START, TESTKIT_START,
             TESTKIT_START, TESTKIT_START);
    assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);

    char err[256];
    tend_store *store;
    assert_int_equal(tend_store_open(path, &store, err, sizeof err), TEND_STORE_OK);
    assert_true(tend_store_schema_latest() >= 3); /* it came from 2, through 3 and on */
    assert_int_equal(tend_store_schema_version(store), tend_store_schema_latest());
    tend_clock *clock = tend_clock_create_fixed(TESTKIT_START + HOUR); /* Monday 10:00: the prompt */
    tend_bot *bot = tend_bot_create(store, clock, NULL);
    assert_int_equal(tend_bot_next_due(bot), TESTKIT_START + HOUR);
    tend_messages out;
    tend_messages_init(&out);
    assert_int_equal(tend_bot_tick(bot, &out), 0);
    assert_int_equal(count_kind(&out, "checkin.prompt"), 1);
    assert_int_equal(count_kind(&out, "nudge"), 1);
    tend_messages_clear(&out);
    tend_messages_init(&out);
    assert_int_equal(tend_bot_tick(bot, &out), 0);
    assert_int_equal(out.count, 0);
    tend_messages_clear(&out);
    tend_bot_destroy(bot);
    tend_store_close(store);
    tend_clock_destroy(clock);
    unlink(path);
    char side[sizeof path + 8];
    snprintf(side, sizeof side, "%s-wal", path);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", path);
    unlink(side);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(many_groups_with_nothing_due_touch_nothing),
        cmocka_unit_test(a_tick_in_slices_posts_each_prompt_once),
        cmocka_unit_test(a_nudge_held_by_quiet_hours_goes_out_when_they_end_once),
        cmocka_unit_test(a_command_over_capacity_nudges_at_once_and_a_promotion_at_the_next_tick),
        cmocka_unit_test(setup_moving_the_checkin_moves_the_next_prompt),
        cmocka_unit_test(pause_new_holds_a_weekly_copy_and_resume_releases_it),
        cmocka_unit_test(a_restart_keeps_every_due_time),
        cmocka_unit_test(an_older_database_upgrades_with_nothing_lost),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
