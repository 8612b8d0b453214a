/*
 * test_scheduler.c — what the bot does on its own, on a fake clock: local times across daylight-
 * saving changes, exactly once across a restart, the grace window, nudges, stale claims, welcomes
 * back, digests, the monthly process check-in and weekly repeats. The scheduler at scale (only
 * what is due is visited) has its own file, test_scheduler_scale.c.
 */
#include "schedkit.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bot/scheduler.h"
#include "bot/tz.h"


/* ---------------------------------------------------------------- local time and DST */

static void berlin_spring_forward_week_fires_once_at_the_stated_rule(void **state)
{
    (void)state;
    testkit *kit = testkit_new();
    set_now(kit, 1805592600LL - 3 * DAY); /* 2027-03-18 */
    make_group(kit, "Europe/Berlin", "sun 02:30", "sat 18:00");
    int64_t at[8];
    assert_int_equal(run_until(kit, 1806798600LL + HOUR, "checkin.prompt", at, 8), 3);
    assert_int_equal(at[0], 1805592600LL); /* 03-21 02:30 CET                              */
    assert_int_equal(at[1], 1806197400LL); /* 03-28: 02:30 does not exist -> 03:30 CEST    */
    assert_int_equal(at[2], 1806798600LL); /* 04-04 02:30 CEST: local time kept after DST */
    testkit_free(kit);
}

static void berlin_fall_back_fires_at_the_first_of_the_repeated_hour(void **state)
{
    (void)state;
    testkit *kit = testkit_new();
    set_now(kit, 1824337800LL - 2 * DAY);
    make_group(kit, "Europe/Berlin", "sun 02:30", "sat 18:00");
    int64_t at[8];
    assert_int_equal(run_until(kit, 1825551000LL + HOUR, "checkin.prompt", at, 8), 3);
    assert_int_equal(at[0], 1824337800LL);
    assert_int_equal(at[1], 1824942600LL); /* 00:30Z, the first 02:30; not again at 01:30Z */
    assert_int_equal(at[2], 1825551000LL);
    testkit_free(kit);
}

static void new_york_spring_and_fall_weeks(void **state)
{
    (void)state;
    testkit *kit = testkit_new();
    set_now(kit, 1804404600LL - DAY);
    make_group(kit, "America/New_York", "sun 02:30", "sat 18:00");
    int64_t at[8];
    assert_int_equal(run_until(kit, 1805610600LL + HOUR, "checkin.prompt", at, 8), 3);
    assert_int_equal(at[0], 1804404600LL);
    assert_int_equal(at[1], 1805009400LL); /* 03-14: 03:30 EDT, once */
    assert_int_equal(at[2], 1805610600LL);

    /* the fall-back week, with the check-in inside the repeated hour */
    tend_group g;
    assert_int_equal(tend_store_group_get(kit->store, kit->group_key, &g), TEND_STORE_OK);
    snprintf(g.checkin_at, sizeof g.checkin_at, "sun 01:30");
    assert_int_equal(tend_store_group_save(kit->store, &g), TEND_STORE_OK);
    set_now(kit, 1824960600LL - DAY);
    assert_int_equal(run_until(kit, 1826173800LL + HOUR, "checkin.prompt", at, 8), 3);
    assert_int_equal(at[0], 1824960600LL);
    assert_int_equal(at[1], 1825565400LL); /* 11-07 01:30 EDT, the first; not at 01:30 EST */
    assert_int_equal(at[2], 1826173800LL);
    testkit_free(kit);
}

static void auckland_group_follows_its_own_clock(void **state)
{
    (void)state;
    testkit *kit = testkit_new();
    set_now(kit, 1806264000LL - 2 * DAY);
    make_group(kit, "Pacific/Auckland", "mon 09:00", "sun 18:00");
    int64_t at[4];
    assert_int_equal(run_until(kit, 1806872400LL + HOUR, "checkin.prompt", at, 4), 2);
    assert_int_equal(at[0], 1806264000LL); /* Monday 09:00 NZDT = Sunday 20:00Z */
    assert_int_equal(at[1], 1806872400LL); /* Monday 09:00 NZST = Sunday 21:00Z */
    struct tm tm;
    assert_int_equal(tend_tz_local("Pacific/Auckland", at[1], &tm), 0);
    assert_int_equal(tm.tm_wday, 1);
    assert_int_equal(tm.tm_hour, 9);
    testkit_free(kit);
}

/* ---------------------------------------------------------------- the prompt itself */

static void assert_four_answers(const tend_message *m)
{
    assert_int_equal(m->n_buttons, 4);
    assert_string_equal(m->buttons[0].command, "checkin great");
    assert_string_equal(m->buttons[1].command, "checkin ok");
    assert_string_equal(m->buttons[2].command, "checkin low");
    assert_string_equal(m->buttons[3].command, "checkin out");
}

/* Where a tap on the group's post would be seen by everyone (Matrix, the console), the prompt
 * carries no answers: each member is asked in their private chat, except who rests, turned nudges
 * off, or is in their quiet hours. */
static void checkin_prompt_asks_each_member_privately(void **state)
{
    (void)state;
    testkit *kit = testkit_new(); /* Monday 09:00 UTC */
    tend_group g = make_group(kit, "UTC", "mon 18:00", "sun 18:00");
    tend_member ana = make_member(kit, &g, "ana");
    tend_member rests = make_member(kit, &g, "rests");
    tend_member quiet = make_member(kit, &g, "quiet");
    tend_member off = make_member(kit, &g, "off");
    rests.resting_until = TESTKIT_START + 3 * DAY;
    quiet.quiet_start = 17 * 60;
    quiet.quiet_end = 19 * 60;
    off.nudges = false;
    save_member(kit, &rests);
    save_member(kit, &quiet);
    save_member(kit, &off);
    tend_task soup = make_task(kit, &g, "Soup run", 0, false);
    tend_task full = make_task(kit, &g, "Fix the bike", 0, false);
    claim(kit, &full, &ana);
    (void)soup;
    assert_int_equal(testkit_tick(kit), 0);
    assert_int_equal(count_kind(&kit->out, "checkin.prompt"), 0); /* not yet */
    assert_int_equal(tend_bot_next_due(kit->bot), TESTKIT_START + 9 * HOUR);
    set_now(kit, TESTKIT_START + 9 * HOUR);
    assert_int_equal(testkit_tick(kit), 0);
    const tend_message *p = find_kind(&kit->out, "checkin.prompt");
    assert_non_null(p);
    assert_int_equal(p->audience, TEND_TO_PUBLIC);
    assert_string_equal(p->channel_key, "console:channel");
    assert_int_equal(p->n_buttons, 0); /* an answer on the group's post would be seen by all */
    assert_non_null(strstr(p->text, "private check-in"));
    assert_non_null(strstr(p->text, "Soup run"));
    assert_null(strstr(p->text, "Fix the bike")); /* it has its hands */
    assert_int_equal(p->n_mentions, 0);
    assert_int_equal(count_kind(&kit->out, "checkin.ask"), 1);
    const tend_message *ask = find_kind(&kit->out, "checkin.ask");
    assert_int_equal(ask->audience, TEND_TO_DM);
    assert_string_equal(ask->member_key, "ana");
    assert_four_answers(ask);
    testkit_free(kit);
}

/* On Discord a button is answered so only the one who pressed it sees: the answers stay on the
 * group's post and nobody gets a message of their own. */
static void checkin_prompt_on_discord_has_one_tap_answers(void **state)
{
    (void)state;
    testkit *kit = testkit_new();
    snprintf(kit->group_key, sizeof kit->group_key, "discord:42");
    tend_group g = make_group(kit, "UTC", "mon 18:00", "sun 18:00");
    make_member(kit, &g, "ana");
    make_task(kit, &g, "Soup run", 0, false);
    set_now(kit, TESTKIT_START + 9 * HOUR);
    assert_int_equal(testkit_tick(kit), 0);
    const tend_message *p = find_kind(&kit->out, "checkin.prompt");
    assert_non_null(p);
    assert_four_answers(p);
    assert_true(testkit_said_has(kit, "Soup run"));
    assert_int_equal(count_kind(&kit->out, "checkin.ask"), 0);
    testkit_free(kit);
}

/* ---------------------------------------------------------------- exactly once */

static void exactly_once_across_a_crash_and_restart(void **state)
{
    (void)state;
    char path[] = "/tmp/tend-sched-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    char err[256];
    tend_store *store;
    assert_int_equal(tend_store_open(path, &store, err, sizeof err), TEND_STORE_OK);
    tend_clock *clock = tend_clock_create_fixed(TESTKIT_START);
    tend_group g;
    assert_int_equal(tend_store_group_ensure(store, "console:test", "c", TESTKIT_START, &g), TEND_STORE_OK);
    tend_clock_advance(clock, 9 * HOUR); /* Monday 18:00 UTC: the check-in is due */

    /* 1. crash before the decision is committed: another process holds the write lock, so the
     *    transaction never commits; nothing fired, nothing is said */
    sqlite3 *other;
    assert_int_equal(sqlite3_open(path, &other), SQLITE_OK);
    assert_int_equal(sqlite3_exec(other, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
    tend_bot *bot = tend_bot_create(store, clock, NULL);
    tend_messages out;
    tend_messages_init(&out);
    assert_int_equal(tend_bot_tick(bot, &out), -1);
    assert_int_equal(count_kind(&out, "checkin.prompt"), 0);
    sqlite3_exec(other, "ROLLBACK", NULL, NULL, NULL);
    sqlite3_close(other);
    tend_bot_destroy(bot);
    tend_store_close(store);

    /* 2. restart: the prompt is not lost */
    assert_int_equal(tend_store_open(path, &store, err, sizeof err), TEND_STORE_OK);
    bot = tend_bot_create(store, clock, NULL);
    assert_int_equal(tend_bot_next_due(bot), tend_clock_now(clock));
    assert_int_equal(tend_bot_tick(bot, &out), 0);
    assert_int_equal(count_kind(&out, "checkin.prompt"), 1);
    /* ...and the process dies right after the commit, before delivering */
    tend_messages_clear(&out);
    tend_bot_destroy(bot);
    tend_store_close(store);

    /* 3. a second bot on the same file does not say it again */
    assert_int_equal(tend_store_open(path, &store, err, sizeof err), TEND_STORE_OK);
    bot = tend_bot_create(store, clock, NULL);
    assert_true(tend_bot_next_due(bot) > tend_clock_now(clock));
    tend_clock_advance(clock, 30 * 60);
    assert_int_equal(tend_bot_tick(bot, &out), 0);
    assert_int_equal(count_kind(&out, "checkin.prompt"), 0);
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

static void missed_prompt_within_grace_fires_once_older_is_skipped(void **state)
{
    (void)state;
    testkit *kit = testkit_new();
    tend_group g = make_group(kit, "UTC", "mon 18:00", "fri 18:00");
    /* down from before 18:00 until 23:59: 5h59m late, inside the 6 hour grace */
    set_now(kit, TESTKIT_START + 9 * HOUR + 5 * HOUR + 59 * 60);
    assert_int_equal(testkit_tick(kit), 0);
    assert_int_equal(count_kind(&kit->out, "checkin.prompt"), 1);
    assert_int_equal(testkit_tick(kit), 0);
    assert_int_equal(kit->out.count, 0);

    /* down for the whole of the next Monday evening: 7 hours late is skipped, and recorded */
    set_now(kit, TESTKIT_START + 7 * DAY + 16 * HOUR);
    assert_int_equal(testkit_tick(kit), 0);
    assert_int_equal(count_kind(&kit->out, "checkin.prompt"), 0);
    assert_int_equal(tend_store_fired_get(kit->store, g.id, "checkin", "2026-11-09 18:00", NULL), TEND_STORE_OK);
    assert_true(tend_bot_next_due(kit->bot) >= TESTKIT_START + 7 * DAY + 16 * HOUR);
    testkit_free(kit);
}

static void nothing_fires_for_occurrences_before_the_group_existed(void **state)
{
    (void)state;
    testkit *kit = testkit_new();
    set_now(kit, TESTKIT_START + 9 * HOUR + 30 * 60); /* Monday 18:30, just after 18:00 */
    make_group(kit, "UTC", "mon 18:00", "sun 18:00");
    assert_int_equal(testkit_tick(kit), 0);
    assert_int_equal(kit->out.count, 0);
    assert_int_equal(tend_bot_next_due(kit->bot), TESTKIT_START + 6 * DAY + 9 * HOUR); /* Sunday's digest */
    testkit_free(kit);
}

static void a_broken_schedule_or_zone_never_crashes(void **state)
{
    (void)state;
    testkit *kit = testkit_new();
    tend_group g = make_group(kit, "Not/AZone", "someday", "");
    (void)g;
    set_now(kit, TESTKIT_START + 3 * DAY);
    assert_int_equal(testkit_tick(kit), 0);
    assert_int_equal(kit->out.count, 0);
    int64_t next = tend_bot_next_due(kit->bot);
    assert_true(next > now_of(kit));
    testkit_free(kit);
}

/* ---------------------------------------------------------------- nudges */

static void nudge_is_private_an_offer_and_once_a_week(void **state)
{
    (void)state;
    testkit *kit = testkit_new();
    tend_group g = make_group(kit, "UTC", "sat 18:00", "sat 19:00");
    overloaded(kit, &g, "bea");
    make_member(kit, &g, "cam"); /* within capacity: never nudged */
    assert_int_equal(testkit_tick(kit), 0);
    assert_int_equal(count_kind(&kit->out, "nudge"), 1);
    const tend_message *n = find_kind(&kit->out, "nudge");
    assert_int_equal(n->audience, TEND_TO_DM);
    assert_string_equal(n->member_key, "bea");
    assert_true(testkit_said_has(kit, "/handoff"));
    assert_int_equal(n->n_buttons, 2);
    assert_string_equal(n->buttons[0].command, "stepback 1w");
    assert_string_equal(n->buttons[1].label, "No thanks");
    assert_int_equal(testkit_tick(kit), 0);
    assert_int_equal(count_kind(&kit->out, "nudge"), 0);
    set_now(kit, now_of(kit) + 6 * DAY);
    assert_int_equal(testkit_tick(kit), 0);
    assert_int_equal(count_kind(&kit->out, "nudge"), 0);
    assert_int_equal(tend_bot_next_due(kit->bot), TESTKIT_START + 7 * DAY);
    set_now(kit, TESTKIT_START + 7 * DAY);
    assert_int_equal(testkit_tick(kit), 0);
    assert_int_equal(count_kind(&kit->out, "nudge"), 1);
    testkit_free(kit);
}

static void no_nudge_while_resting_or_with_nudges_off(void **state)
{
    (void)state;
    testkit *kit = testkit_new();
    tend_group g = make_group(kit, "UTC", "sat 18:00", "sat 19:00");
    tend_member dee = overloaded(kit, &g, "dee");
    tend_member eli = overloaded(kit, &g, "eli");
    assert_int_equal(tend_store_rest_start(kit->store, dee.id, TESTKIT_START + 3 * DAY, "tired", now_of(kit), NULL),
                     TEND_STORE_OK);
    eli.nudges = false;
    save_member(kit, &eli);
    int64_t at[4];
    assert_int_equal(run_until(kit, TESTKIT_START + 3 * DAY - 1, "nudge", at, 4), 0);
    /* her rest ends: a private welcome back, with no word of the reason */
    set_now(kit, TESTKIT_START + 3 * DAY);
    assert_int_equal(testkit_tick(kit), 0);
    const tend_message *w = find_kind(&kit->out, "welcome");
    assert_non_null(w);
    assert_int_equal(w->audience, TEND_TO_DM);
    assert_string_equal(w->member_key, "dee");
    assert_false(testkit_said_has(kit, "tired"));
    assert_int_equal(testkit_tick(kit), 0);
    assert_int_equal(count_kind(&kit->out, "welcome"), 0);
    /* eli, nudges off, hears nothing in a whole month; dee, back and still over, weekly */
    assert_int_equal(run_until(kit, TESTKIT_START + 30 * DAY, "nudge", at, 4), 3);
    int64_t last;
    assert_int_equal(tend_store_nudge_last(kit->store, eli.id, "load", &last), TEND_STORE_NOTFOUND);
    assert_int_equal(tend_store_nudge_last(kit->store, dee.id, "load", &last), TEND_STORE_OK);
    testkit_free(kit);
}

static void quiet_hours_cross_midnight_in_the_members_own_zone(void **state)
{
    (void)state;
    testkit *kit = testkit_new();
    set_now(kit, 1799811000LL); /* 2027-01-13 03:30Z: 22:30 in New York, 04:30 in Berlin */
    tend_group g = make_group(kit, "Europe/Berlin", "sat 18:00", "sat 19:00");
    tend_member fay = overloaded(kit, &g, "fay");
    fay.quiet_start = 22 * 60;
    fay.quiet_end = 7 * 60;
    snprintf(fay.timezone, sizeof fay.timezone, "America/New_York");
    save_member(kit, &fay);
    assert_int_equal(testkit_tick(kit), 0);
    assert_int_equal(count_kind(&kit->out, "nudge"), 0);
    /* held back until 07:00 in New York (12:00Z), not 07:00 in Berlin (06:00Z) */
    assert_int_equal(tend_bot_next_due(kit->bot), 1799841600LL);
    set_now(kit, 1799841600LL - 60);
    assert_int_equal(testkit_tick(kit), 0);
    assert_int_equal(count_kind(&kit->out, "nudge"), 0);
    set_now(kit, 1799841600LL);
    assert_int_equal(testkit_tick(kit), 0);
    assert_int_equal(count_kind(&kit->out, "nudge"), 1);
    testkit_free(kit);
}

/* ---------------------------------------------------------------- stale claims, digest, process, repeats */

static void stale_claim_gets_one_gentle_private_reminder(void **state)
{
    (void)state;
    testkit *kit = testkit_new();
    tend_group g = make_group(kit, "UTC", "sat 18:00", "sat 19:00");
    tend_member gus = make_member(kit, &g, "gus");
    tend_task t = make_task(kit, &g, "Call the landlord", 0, false);
    claim(kit, &t, &gus);
    set_now(kit, TESTKIT_START + 5 * DAY);
    assert_int_equal(testkit_tick(kit), 0);
    assert_int_equal(count_kind(&kit->out, "claim.stale"), 0); /* exactly 5 days: not yet */
    int64_t at[4];
    assert_int_equal(run_until(kit, TESTKIT_START + 6 * DAY, "claim.stale", at, 4), 1);
    assert_int_equal(at[0], TESTKIT_START + 5 * DAY + 1);
    assert_int_equal(run_until(kit, TESTKIT_START + 20 * DAY, "claim.stale", at, 4), 0);
    testkit_free(kit);
}

static void stale_reminder_names_the_task_and_offers_unclaim(void **state)
{
    (void)state;
    testkit *kit = testkit_new();
    tend_group g = make_group(kit, "UTC", "sat 18:00", "sat 19:00");
    tend_member gus = make_member(kit, &g, "gus");
    tend_task t = make_task(kit, &g, "@everyone Call the landlord", 0, false);
    claim(kit, &t, &gus);
    set_now(kit, TESTKIT_START + 6 * DAY);
    assert_int_equal(testkit_tick(kit), 0);
    const tend_message *s = find_kind(&kit->out, "claim.stale");
    assert_non_null(s);
    assert_int_equal(s->audience, TEND_TO_DM);
    assert_string_equal(s->member_key, "gus");
    assert_int_equal(s->n_mentions, 0); /* the title is text, never a ping */
    assert_true(testkit_said_has(kit, "#1 @everyone Call the landlord"));
    assert_true(testkit_said_has(kit, "unclaiming is completely fine"));
    assert_string_equal(s->buttons[1].command, "unclaim 1");
    testkit_free(kit);
}

static void still_on_it_keeps_the_claim_quiet_for_another_stretch(void **state)
{
    (void)state;
    testkit *kit = testkit_new();
    tend_group g = make_group(kit, "UTC", "sat 18:00", "sat 19:00");
    tend_member gus = make_member(kit, &g, "gus");
    tend_task t = make_task(kit, &g, "Call the landlord", 0, false);
    claim(kit, &t, &gus);
    set_now(kit, TESTKIT_START + 6 * DAY);
    assert_int_equal(testkit_tick(kit), 0);
    const tend_message *s = find_kind(&kit->out, "claim.stale");
    assert_non_null(s);
    /* the button runs "keep 1" as gus: the claim is fresh again */
    assert_string_equal(s->buttons[0].command, "keep 1");
    assert_int_equal(testkit_run(kit, "gus", 0, "keep 1"), 0);
    assert_true(testkit_said_has(kit, "#1 stays with you"));
    tend_claim c;
    assert_int_equal(tend_store_claim_current(kit->store, t.id, gus.id, &c), TEND_STORE_OK);
    assert_int_equal(c.updated_at, now_of(kit));
    assert_int_equal(c.reminded_at, 0);
    set_now(kit, now_of(kit) + 4 * DAY);
    assert_int_equal(testkit_tick(kit), 0);
    assert_int_equal(count_kind(&kit->out, "claim.stale"), 0);
    set_now(kit, now_of(kit) + 2 * DAY);
    assert_int_equal(testkit_tick(kit), 0);
    assert_int_equal(count_kind(&kit->out, "claim.stale"), 1);
    /* someone who does not hold it cannot keep it */
    make_member(kit, &g, "ida");
    assert_int_equal(testkit_run(kit, "ida", 0, "keep 1"), 0);
    assert_true(testkit_said_has(kit, "[private ida]"));
    assert_false(testkit_said_has(kit, "stays with you"));
    testkit_free(kit);
}

static void no_thanks_to_a_nudge_is_noted_and_changes_nothing_else(void **state)
{
    (void)state;
    testkit *kit = testkit_new();
    tend_group g = make_group(kit, "UTC", "sat 18:00", "sat 19:00");
    overloaded(kit, &g, "bea");
    assert_int_equal(testkit_tick(kit), 0);
    const tend_message *n = find_kind(&kit->out, "nudge");
    assert_non_null(n);
    assert_string_equal(n->buttons[1].command, "nudges later");
    assert_int_equal(testkit_run(kit, "bea", 0, "nudges later"), 0);
    assert_int_equal(kit->out.count, 1);
    assert_int_equal(kit->out.items[0].audience, TEND_TO_PRIVATE);
    tend_member bea;
    assert_int_equal(tend_store_member_get(kit->store, g.id, "bea", &bea), TEND_STORE_OK);
    assert_true(bea.nudges); /* "no thanks" is about this one, not a switch-off */
    assert_int_equal(bea.resting_until, 0);
    testkit_free(kit);
}

static void a_console_on_a_shared_database_leaves_discord_groups_alone(void **state)
{
    (void)state;
    testkit *kit = testkit_new(); /* Monday 09:00 */
    make_group(kit, "UTC", "mon 10:00", "sun 18:00"); /* console:test */
    snprintf(kit->group_key, sizeof kit->group_key, "discord:42");
    make_group(kit, "UTC", "mon 10:00", "sun 18:00");
    const char *console_only[] = {"console"};
    assert_int_equal(tend_bot_serve_platforms(kit->bot, console_only, 1), 0);
    set_now(kit, TESTKIT_START + HOUR);
    assert_int_equal(testkit_tick(kit), 0);
    assert_int_equal(count_kind(&kit->out, "checkin.prompt"), 1);
    assert_string_equal(find_kind(&kit->out, "checkin.prompt")->group_key, "console:test");
    /* the Discord group's prompt is still there for the process that serves Discord */
    const char *discord_only[] = {"discord"};
    assert_int_equal(tend_bot_serve_platforms(kit->bot, discord_only, 1), 0);
    assert_int_equal(testkit_tick(kit), 0);
    assert_int_equal(count_kind(&kit->out, "checkin.prompt"), 1);
    assert_string_equal(find_kind(&kit->out, "checkin.prompt")->group_key, "discord:42");
    testkit_free(kit);
}

static void digest_celebrates_the_week_without_names_for_concentration(void **state)
{
    (void)state;
    testkit *kit = testkit_new(); /* Monday */
    tend_group g = make_group(kit, "UTC", "sat 10:00", "sun 18:00");
    tend_member ana = make_member(kit, &g, "ana");
    tend_member bea = make_member(kit, &g, "bea");
    make_member(kit, &g, "cam");
    make_member(kit, &g, "dee");
    make_member(kit, &g, "eli");
    for (int i = 0; i < 6; i++) { /* eleven: a share of the busiest fifth points at three people */
        char name[16];
        snprintf(name, sizeof name, "more%d", i);
        make_member(kit, &g, name);
    }
    for (int i = 0; i < 3; i++) {
        tend_task t = make_task(kit, &g, i == 0 ? "Soup run" : "Pantry shift", 0, false);
        tend_claim c = claim(kit, &t, &ana);
        finish(kit, &t, &c);
    }
    make_task(kit, &g, "Fix the bike", 0, false);
    tend_thanks th = {0, g.id, bea.id, ana.id, "the lift", now_of(kit)};
    assert_int_equal(tend_store_thanks_add(kit->store, &th), TEND_STORE_OK);
    int64_t rest;
    assert_int_equal(tend_store_rest_start(kit->store, bea.id, now_of(kit) + DAY, "private reason", now_of(kit), &rest),
                     TEND_STORE_OK);
    set_now(kit, now_of(kit) + DAY);
    assert_int_equal(testkit_tick(kit), 0); /* her rest ends on Tuesday */
    assert_int_equal(count_kind(&kit->out, "welcome"), 1);
    assert_int_equal(testkit_run(kit, "bea", 0, "back hello"), 0); /* yes to a welcome in the digest */
    set_now(kit, TESTKIT_START + 6 * DAY + 9 * HOUR); /* Sunday 18:00 */
    assert_int_equal(testkit_tick(kit), 0);
    const tend_message *d = find_kind(&kit->out, "digest");
    assert_non_null(d);
    assert_int_equal(d->audience, TEND_TO_PUBLIC);
    assert_true(testkit_said_has(kit, "#1 Soup run"));
    assert_true(testkit_said_has(kit, "bea to ana for the lift"));
    assert_true(testkit_said_has(kit, "Welcome back, bea"));
    assert_false(testkit_said_has(kit, "private reason"));
    assert_true(testkit_said_has(kit, "Fix the bike"));
    assert_true(testkit_said_has(kit, "A few of us did most"));
    assert_int_equal(d->n_mentions, 0);
    testkit_free(kit);
}

static void an_empty_week_still_gets_a_warm_digest(void **state)
{
    (void)state;
    testkit *kit = testkit_new();
    make_group(kit, "UTC", "sat 10:00", "sun 18:00");
    set_now(kit, TESTKIT_START + 6 * DAY + 9 * HOUR);
    assert_int_equal(testkit_tick(kit), 0);
    assert_int_equal(count_kind(&kit->out, "digest"), 1);
    assert_true(testkit_said_has(kit, "A quiet week"));
    assert_false(testkit_said_has(kit, "A few of us carried"));
    testkit_free(kit);
}

static void process_checkin_monthly_shows_feedback_only_from_three(void **state)
{
    (void)state;
    testkit *kit = testkit_new(); /* 2026-11-02, the first Monday of November, 09:00 */
    tend_group g = make_group(kit, "UTC", "mon 18:00", "sun 18:00");
    assert_int_equal(tend_store_feedback_add(kit->store, g.id, "more snacks", "2026-11-01"), TEND_STORE_OK);
    assert_int_equal(tend_store_feedback_add(kit->store, g.id, "shorter meetings", "2026-11-01"), TEND_STORE_OK);
    int64_t at[4];
    /* November's: two suggestions are too few to show */
    set_now(kit, TESTKIT_START + 9 * HOUR);
    assert_int_equal(testkit_tick(kit), 0);
    assert_int_equal(count_kind(&kit->out, "process"), 1);
    assert_true(testkit_said_has(kit, "/feedback"));
    assert_false(testkit_said_has(kit, "more snacks"));
    /* no other process check-in until the first Monday of December (2026-12-07) */
    assert_int_equal(run_until(kit, 1796601600LL + 17 * HOUR, "process", at, 4), 0);
    assert_int_equal(tend_store_feedback_add(kit->store, g.id, "a rota", "2026-11-20"), TEND_STORE_OK);
    assert_int_equal(run_until(kit, 1796601600LL + 19 * HOUR, "process", at, 4), 1);
    assert_int_equal(at[0], 1796601600LL + 18 * HOUR);
    int unshown = -1;
    assert_int_equal(tend_store_feedback_unshown_count(kit->store, g.id, &unshown), TEND_STORE_OK);
    assert_int_equal(unshown, 0);
    testkit_free(kit);
}

static void process_checkin_lists_three_suggestions(void **state)
{
    (void)state;
    testkit *kit = testkit_new();
    tend_group g = make_group(kit, "UTC", "mon 18:00", "sun 18:00");
    const char *texts[] = {"more snacks", "shorter meetings", "@everyone a rota"};
    for (int i = 0; i < 3; i++)
        assert_int_equal(tend_store_feedback_add(kit->store, g.id, texts[i], "2026-11-01"), TEND_STORE_OK);
    set_now(kit, TESTKIT_START + 9 * HOUR);
    assert_int_equal(testkit_tick(kit), 0);
    const tend_message *p = find_kind(&kit->out, "process");
    assert_non_null(p);
    assert_true(testkit_said_has(kit, "more snacks"));
    assert_true(testkit_said_has(kit, "shorter meetings"));
    assert_true(testkit_said_has(kit, "@everyone a rota"));
    assert_int_equal(p->n_mentions, 0);
    testkit_free(kit);
}

static void weekly_task_is_reposted_once_for_next_week(void **state)
{
    (void)state;
    testkit *kit = testkit_new();
    tend_group g = make_group(kit, "Europe/Berlin", "sat 18:00", "sat 19:00");
    tend_member ana = make_member(kit, &g, "ana");
    int64_t due = TESTKIT_START + 2 * DAY; /* Wednesday 10:00 Berlin */
    tend_task t = make_task(kit, &g, "Soup run", due, true);
    tend_task once = make_task(kit, &g, "One-off", due, false);
    tend_claim c = claim(kit, &t, &ana);
    assert_int_equal(testkit_tick(kit), 0);
    assert_int_equal(count_kind(&kit->out, "task.announce"), 0);
    finish(kit, &t, &c);
    assert_int_equal(testkit_tick(kit), 0);
    const tend_message *a = find_kind(&kit->out, "task.announce");
    assert_non_null(a);
    assert_int_equal(a->audience, TEND_TO_PUBLIC);
    assert_true(testkit_said_has(kit, "#3 Soup run"));
    assert_int_equal(a->n_buttons, 1);
    assert_string_equal(a->buttons[0].command, "claim 3");
    tend_task copy;
    assert_int_equal(tend_store_task_get(kit->store, g.id, 3, &copy), TEND_STORE_OK);
    assert_int_equal(copy.due_at, due + 7 * DAY);
    assert_string_equal(copy.repeat, "weekly");
    assert_int_equal(copy.state, TEND_TASK_OPEN);
    assert_int_equal(testkit_tick(kit), 0);
    assert_int_equal(count_kind(&kit->out, "task.announce"), 0);
    /* nobody takes the copy: when its time passes it rolls on to the next week, the same task
     * (never a second copy beside it); the one-off never repeats */
    int64_t at[4];
    assert_int_equal(run_until(kit, due + 7 * DAY + HOUR, "task.announce", at, 4), 1);
    assert_int_equal(at[0], due + 7 * DAY);
    assert_int_equal(tend_store_task_get(kit->store, g.id, 4, &copy), TEND_STORE_NOTFOUND);
    assert_int_equal(tend_store_task_get(kit->store, g.id, 3, &copy), TEND_STORE_OK);
    assert_int_equal(copy.due_at, due + 14 * DAY);
    assert_int_equal(copy.state, TEND_TASK_OPEN);
    (void)once;
    testkit_free(kit);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(berlin_spring_forward_week_fires_once_at_the_stated_rule),
        cmocka_unit_test(berlin_fall_back_fires_at_the_first_of_the_repeated_hour),
        cmocka_unit_test(new_york_spring_and_fall_weeks),
        cmocka_unit_test(auckland_group_follows_its_own_clock),
        cmocka_unit_test(checkin_prompt_asks_each_member_privately),
        cmocka_unit_test(checkin_prompt_on_discord_has_one_tap_answers),
        cmocka_unit_test(exactly_once_across_a_crash_and_restart),
        cmocka_unit_test(missed_prompt_within_grace_fires_once_older_is_skipped),
        cmocka_unit_test(nothing_fires_for_occurrences_before_the_group_existed),
        cmocka_unit_test(a_broken_schedule_or_zone_never_crashes),
        cmocka_unit_test(nudge_is_private_an_offer_and_once_a_week),
        cmocka_unit_test(no_nudge_while_resting_or_with_nudges_off),
        cmocka_unit_test(quiet_hours_cross_midnight_in_the_members_own_zone),
        cmocka_unit_test(stale_claim_gets_one_gentle_private_reminder),
        cmocka_unit_test(stale_reminder_names_the_task_and_offers_unclaim),
        cmocka_unit_test(still_on_it_keeps_the_claim_quiet_for_another_stretch),
        cmocka_unit_test(no_thanks_to_a_nudge_is_noted_and_changes_nothing_else),
        cmocka_unit_test(a_console_on_a_shared_database_leaves_discord_groups_alone),
        cmocka_unit_test(digest_celebrates_the_week_without_names_for_concentration),
        cmocka_unit_test(an_empty_week_still_gets_a_warm_digest),
        cmocka_unit_test(process_checkin_monthly_shows_feedback_only_from_three),
        cmocka_unit_test(process_checkin_lists_three_suggestions),
        cmocka_unit_test(weekly_task_is_reposted_once_for_next_week),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
