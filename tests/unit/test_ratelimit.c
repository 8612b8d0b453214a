/* test_ratelimit.c — per-member and per-group command budgets, alone and through the router. */
#include "testkit.h"

#include <stdio.h>
#include <string.h>

#include "bot/messages.h"
#include "bot/ratelimit.h"
#include "store/sqlite/internal.h"

#define T0 TESTKIT_START

static void a_member_gets_a_burst_of_their_budget_then_one_every_share_of_a_minute(void **state)
{
    (void)state;
    tend_ratelimit *rl = tend_ratelimit_create(30, 0);
    assert_non_null(rl);
    for (int i = 0; i < 30; i++)
        assert_int_equal(tend_ratelimit_check(rl, "g", "ana", T0), TEND_RATE_OK);
    assert_int_equal(tend_ratelimit_check(rl, "g", "ana", T0), TEND_RATE_MEMBER);
    assert_int_equal(tend_ratelimit_check(rl, "g", "ana", T0 + 1), TEND_RATE_MEMBER);
    /* 30 a minute refills one every 2 seconds */
    assert_int_equal(tend_ratelimit_check(rl, "g", "ana", T0 + 2), TEND_RATE_OK);
    assert_int_equal(tend_ratelimit_check(rl, "g", "ana", T0 + 2), TEND_RATE_MEMBER);
    /* a quiet minute gives the whole burst back, and no more */
    for (int i = 0; i < 30; i++)
        assert_int_equal(tend_ratelimit_check(rl, "g", "ana", T0 + 200), TEND_RATE_OK);
    assert_int_equal(tend_ratelimit_check(rl, "g", "ana", T0 + 200), TEND_RATE_MEMBER);
    tend_ratelimit_destroy(rl);
}

static void refused_commands_are_not_counted(void **state)
{
    (void)state;
    tend_ratelimit *rl = tend_ratelimit_create(2, 0);
    assert_int_equal(tend_ratelimit_check(rl, "g", "ana", T0), TEND_RATE_OK);
    assert_int_equal(tend_ratelimit_check(rl, "g", "ana", T0), TEND_RATE_OK);
    /* hammering while refused must not push the wait further out */
    for (int i = 0; i < 1000; i++)
        assert_int_equal(tend_ratelimit_check(rl, "g", "ana", T0 + 29), TEND_RATE_MEMBER);
    assert_int_equal(tend_ratelimit_check(rl, "g", "ana", T0 + 30), TEND_RATE_OK);
    tend_ratelimit_destroy(rl);
}

static void members_and_groups_have_their_own_budgets(void **state)
{
    (void)state;
    tend_ratelimit *rl = tend_ratelimit_create(3, 5);
    for (int i = 0; i < 3; i++)
        assert_int_equal(tend_ratelimit_check(rl, "g1", "ana", T0), TEND_RATE_OK);
    assert_int_equal(tend_ratelimit_check(rl, "g1", "ana", T0), TEND_RATE_MEMBER);
    /* the same member key in another group, and another member here, are unaffected */
    assert_int_equal(tend_ratelimit_check(rl, "g2", "ana", T0), TEND_RATE_OK);
    assert_int_equal(tend_ratelimit_check(rl, "g1", "bea", T0), TEND_RATE_OK);
    assert_int_equal(tend_ratelimit_check(rl, "g1", "bea", T0), TEND_RATE_OK);
    /* g1 has spent 5: a fresh member there is held back by the group's budget */
    assert_int_equal(tend_ratelimit_check(rl, "g1", "cai", T0), TEND_RATE_GROUP);
    /* key boundaries matter: ("g1a","na") is not ("g1","ana") */
    assert_int_equal(tend_ratelimit_check(rl, "g1a", "na", T0), TEND_RATE_OK);
    /* a group refusal did not cost cai anything */
    assert_int_equal(tend_ratelimit_check(rl, "g1", "cai", T0 + 60), TEND_RATE_OK);
    tend_ratelimit_destroy(rl);
}

static void zero_turns_limits_off_and_null_allows_everything(void **state)
{
    (void)state;
    tend_ratelimit *rl = tend_ratelimit_create(0, 0);
    assert_non_null(rl);
    for (int i = 0; i < 5000; i++)
        assert_int_equal(tend_ratelimit_check(rl, "g", "ana", T0), TEND_RATE_OK);
    tend_ratelimit_destroy(rl);
    assert_int_equal(tend_ratelimit_check(NULL, "g", "ana", T0), TEND_RATE_OK);
    tend_ratelimit_destroy(NULL);
}

static void a_flood_of_new_ids_keeps_memory_bounded_and_busy_members_limited(void **state)
{
    (void)state;
    tend_ratelimit *rl = tend_ratelimit_create(5, 0);
    for (int i = 0; i < 5; i++)
        assert_int_equal(tend_ratelimit_check(rl, "g", "ana", T0), TEND_RATE_OK);
    /* 200k one-off ids, 10 s later: the fixed tables reuse idle slots first */
    char key[32];
    for (int i = 0; i < 200000; i++) {
        snprintf(key, sizeof key, "bot%d", i);
        tend_ratelimit_check(rl, "g", key, T0 + 10);
    }
    /* ana spent her burst and 10 s earn less than one command back (one per 12 s). The flood's
     * slots are closer to idle than hers, so they are the ones reused: she is still held back. */
    assert_int_equal(tend_ratelimit_check(rl, "g", "ana", T0 + 10), TEND_RATE_MEMBER);
    assert_int_equal(tend_ratelimit_check(rl, "g", "ana", T0 + 12), TEND_RATE_OK);
    assert_int_equal(tend_ratelimit_check(rl, "g", "ana", T0 + 12), TEND_RATE_MEMBER);
    tend_ratelimit_destroy(rl);
}

/* ---------------------------------------------------------------- through the router */

static int count_rows(testkit *kit, const char *table)
{
    char sql[128];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM %s", table);
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(store_db(kit->store), sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    int n = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return n;
}

/* A kit whose bot has the given per-member budget (the group gets ten times it). */
static testkit *kit_with_budget(int per_minute)
{
    testkit *kit = testkit_new();
    tend_settings s;
    tend_settings_defaults(&s);
    s.commands_per_minute = per_minute;
    tend_bot_destroy(kit->bot);
    kit->bot = tend_bot_create(kit->store, kit->clock, &s);
    assert_non_null(kit->bot);
    return kit;
}

static void the_default_budget_is_thirty_a_minute_with_a_private_polite_reply(void **state)
{
    (void)state;
    testkit *kit = testkit_new();
    for (int i = 0; i < 30; i++) {
        assert_int_equal(testkit_run(kit, "ana", 0, "tasks"), 0);
        assert_false(testkit_said_has(kit, MSG_SLOW_DOWN));
    }
    int tasks_before = count_rows(kit, "tasks");
    int audit_before = count_rows(kit, "audit");
    assert_int_equal(testkit_run(kit, "ana", 0, "task add \"Soup run\""), 0);
    assert_int_equal(kit->out.count, 1);
    assert_int_equal(kit->out.items[0].audience, TEND_TO_PRIVATE);
    assert_string_equal(kit->out.items[0].member_key, "ana");
    assert_string_equal(kit->out.items[0].text, MSG_SLOW_DOWN);
    /* nothing ran */
    assert_int_equal(count_rows(kit, "tasks"), tasks_before);
    assert_int_equal(count_rows(kit, "audit"), audit_before);
    /* someone else in the group is not slowed by ana */
    testkit_run(kit, "bea", 0, "task add \"Pantry shift\"");
    assert_false(testkit_said_has(kit, MSG_SLOW_DOWN));
    assert_int_equal(count_rows(kit, "tasks"), tasks_before + 1);
    /* two seconds later ana has room for one again, and it works */
    tend_clock_advance(kit->clock, 2);
    testkit_run(kit, "ana", 0, "task add \"Soup run\"");
    assert_false(testkit_said_has(kit, MSG_SLOW_DOWN));
    assert_int_equal(count_rows(kit, "tasks"), tasks_before + 2);
    testkit_free(kit);
}

static void junk_counts_too_so_unknown_commands_cannot_flood(void **state)
{
    (void)state;
    testkit *kit = kit_with_budget(3);
    testkit_run(kit, "ana", 0, "frobnicate");
    testkit_run(kit, "ana", 0, "\"unbalanced");
    testkit_run(kit, "ana", 0, "");
    testkit_run(kit, "ana", 0, "help");
    assert_int_equal(kit->out.count, 1);
    assert_string_equal(kit->out.items[0].text, MSG_SLOW_DOWN);
    testkit_free(kit);
}

static void a_busy_group_gets_the_group_reply_and_nothing_changes(void **state)
{
    (void)state;
    testkit *kit = kit_with_budget(2); /* group: 20 a minute */
    char who[16];
    for (int i = 0; i < 10; i++) {
        snprintf(who, sizeof who, "m%d", i);
        testkit_run(kit, who, 0, "tasks");
        testkit_run(kit, who, 0, "tasks");
        assert_false(testkit_said_has(kit, MSG_SLOW_DOWN_GROUP));
    }
    int members_before = count_rows(kit, "members");
    testkit_run(kit, "newcomer", 0, "task add \"Soup run\"");
    assert_int_equal(kit->out.count, 1);
    assert_int_equal(kit->out.items[0].audience, TEND_TO_PRIVATE);
    assert_string_equal(kit->out.items[0].text, MSG_SLOW_DOWN_GROUP);
    assert_int_equal(count_rows(kit, "tasks"), 0);
    assert_int_equal(count_rows(kit, "members"), members_before); /* not even created */
    /* another group is not held back by this one */
    snprintf(kit->group_key, sizeof kit->group_key, "console:other");
    testkit_run(kit, "newcomer", 0, "task add \"Soup run\"");
    assert_false(testkit_said_has(kit, "slow"));
    assert_int_equal(count_rows(kit, "tasks"), 1);
    testkit_free(kit);
}

static void settings_zero_means_no_limit(void **state)
{
    (void)state;
    testkit *kit = kit_with_budget(0);
    for (int i = 0; i < 500; i++)
        testkit_run(kit, "ana", 0, "me");
    assert_false(testkit_said_has(kit, MSG_SLOW_DOWN));
    assert_false(testkit_said_has(kit, MSG_SLOW_DOWN_GROUP));
    testkit_free(kit);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_member_gets_a_burst_of_their_budget_then_one_every_share_of_a_minute),
        cmocka_unit_test(refused_commands_are_not_counted),
        cmocka_unit_test(members_and_groups_have_their_own_budgets),
        cmocka_unit_test(zero_turns_limits_off_and_null_allows_everything),
        cmocka_unit_test(a_flood_of_new_ids_keeps_memory_bounded_and_busy_members_limited),
        cmocka_unit_test(the_default_budget_is_thirty_a_minute_with_a_private_polite_reply),
        cmocka_unit_test(junk_counts_too_so_unknown_commands_cannot_flood),
        cmocka_unit_test(a_busy_group_gets_the_group_reply_and_nothing_changes),
        cmocka_unit_test(settings_zero_means_no_limit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
