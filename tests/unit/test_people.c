/* test_people.c — /me, /capacity, /profile, /nudges: a member's own settings, always private. */
#include "testkit.h"

#include "bot/parse.h"

#include <string.h>

static tend_member member_named(testkit *kit, const char *key)
{
    tend_group g;
    tend_member m;
    assert_int_equal(tend_store_group_get(kit->store, kit->group_key, &g), TEND_STORE_OK);
    assert_int_equal(tend_store_member_get(kit->store, g.id, key, &m), TEND_STORE_OK);
    return m;
}

static void assert_one_private(testkit *kit, const char *key)
{
    assert_int_equal(kit->out.count, 1);
    assert_int_equal(kit->out.items[0].audience, TEND_TO_PRIVATE);
    assert_string_equal(kit->out.items[0].member_key, key);
}

/* Everything the member record holds that a refused command must leave alone. */
static void assert_same_member(const tend_member *a, const tend_member *b)
{
    assert_string_equal(a->name, b->name);
    assert_string_equal(a->pronouns, b->pronouns);
    assert_string_equal(a->timezone, b->timezone);
    assert_int_equal(a->capacity, b->capacity);
    assert_int_equal(a->nudges, b->nudges);
    assert_int_equal(a->quiet_start, b->quiet_start);
    assert_int_equal(a->quiet_end, b->quiet_end);
}

static void capacity_is_set_privately(void **state)
{
    (void)state;
    testkit *kit = testkit_new();
    assert_int_equal(testkit_run(kit, "ana", 0, "capacity 5"), 0);
    assert_one_private(kit, "ana");
    assert_true(testkit_said_has(kit, "5"));
    assert_int_equal(member_named(kit, "ana").capacity, 5);
    testkit_free(kit);
}

static void capacity_out_of_range_gets_usage(void **state)
{
    (void)state;
    static const char *const bad[] = {"capacity", "capacity 0", "capacity 21", "capacity -2", "capacity lots",
                                      "capacity 3 4"};
    testkit *kit = testkit_new();
    assert_int_equal(testkit_run(kit, "ana", 0, "capacity 4"), 0);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(testkit_run(kit, "ana", 0, bad[i]), 0);
        assert_one_private(kit, "ana");
        assert_true(testkit_said_has(kit, "Usage: /capacity"));
        assert_int_equal(member_named(kit, "ana").capacity, 4);
    }
    testkit_free(kit);
}

static void nudges_on_and_off(void **state)
{
    (void)state;
    testkit *kit = testkit_new();
    assert_int_equal(testkit_run(kit, "ana", 0, "nudges off"), 0);
    assert_one_private(kit, "ana");
    assert_false(member_named(kit, "ana").nudges);
    assert_int_equal(testkit_run(kit, "ana", 0, "nudges ON"), 0);
    assert_one_private(kit, "ana");
    assert_true(testkit_said_has(kit, "once a week"));
    assert_true(member_named(kit, "ana").nudges);
    assert_int_equal(testkit_run(kit, "ana", 0, "nudges maybe"), 0);
    assert_one_private(kit, "ana");
    assert_true(testkit_said_has(kit, "Usage: /nudges"));
    assert_true(member_named(kit, "ana").nudges);
    assert_int_equal(testkit_run(kit, "ana", 0, "nudges"), 0);
    assert_true(testkit_said_has(kit, "Usage: /nudges"));
    testkit_free(kit);
}

static void profile_sets_every_field(void **state)
{
    (void)state;
    testkit *kit = testkit_new();
    assert_int_equal(testkit_run(kit, "ana", 0,
                                 "profile name:\"Ana María\" pronouns:she/her quiet:22:00-7:30 tz:Europe/Berlin"),
                     0);
    assert_one_private(kit, "ana");
    assert_true(testkit_said_has(kit, "Ana María (she/her)"));
    assert_true(testkit_said_has(kit, "22:00-07:30"));
    assert_true(testkit_said_has(kit, "Europe/Berlin"));
    tend_member m = member_named(kit, "ana");
    assert_string_equal(m.name, "Ana María");
    assert_string_equal(m.pronouns, "she/her");
    assert_int_equal(m.quiet_start, 22 * 60);
    assert_int_equal(m.quiet_end, 7 * 60 + 30);
    assert_string_equal(m.timezone, "Europe/Berlin");
    /* and back off again */
    assert_int_equal(testkit_run(kit, "ana", 0, "profile quiet:off tz:off"), 0);
    m = member_named(kit, "ana");
    assert_int_equal(m.quiet_start, -1);
    assert_string_equal(m.timezone, "");
    assert_true(testkit_said_has(kit, "the group's (UTC)"));
    /* profile alone shows it and changes nothing */
    assert_int_equal(testkit_run(kit, "ana", 0, "profile"), 0);
    assert_one_private(kit, "ana");
    assert_true(testkit_said_has(kit, "Your profile: Ana María (she/her)"));
    assert_false(testkit_said_has(kit, "Saved"));
    testkit_free(kit);
}

static void profile_mistakes_change_nothing(void **state)
{
    (void)state;
    char long_name[120] = "profile name:";
    memset(long_name + strlen(long_name), 'n', 61);
    const char *bad[] = {
        "profile name:Bo tz:Mars/Olympus",     /* one good, one bad: neither is saved */
        "profile quiet:22-07",
        "profile quiet:22:00-22:00",
        "profile quiet:25:00-07:00",
        "profile pronouns:\"abcdefghijklmnopqrstuvwxyz abcdef\"",
        "profile name:\"\"",
        long_name,
        "profile Ana",                         /* positional words are not a profile */
        "profile tz:../../etc/passwd",
    };
    testkit *kit = testkit_new();
    assert_int_equal(testkit_run(kit, "ana", 0, "profile pronouns:they/them quiet:23:00-06:00"), 0);
    tend_member before = member_named(kit, "ana");
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(testkit_run(kit, "ana", 0, bad[i]), 0);
        assert_one_private(kit, "ana");
        assert_true(testkit_said_has(kit, "Usage: /profile"));
        tend_member after = member_named(kit, "ana");
        assert_same_member(&before, &after);
    }
    testkit_free(kit);
}

static void profile_name_someone_else_has_is_refused(void **state)
{
    (void)state;
    testkit *kit = testkit_new();
    testkit_run(kit, "bea", 0, "profile name:Robin");
    testkit_run(kit, "ana", 0, "me");
    tend_member before = member_named(kit, "ana");
    assert_int_equal(testkit_run(kit, "ana", 0, "profile name:ROBIN"), 0);
    assert_one_private(kit, "ana");
    assert_true(testkit_said_has(kit, "already goes by ROBIN"));
    tend_member after = member_named(kit, "ana");
    assert_same_member(&before, &after);
    /* keeping your own name, in another case, is fine */
    assert_int_equal(testkit_run(kit, "bea", 0, "profile name:robin"), 0);
    assert_string_equal(member_named(kit, "bea").name, "robin");
    testkit_free(kit);
}

static void me_shows_claims_load_rest_nudges_and_checkin_privately(void **state)
{
    (void)state;
    testkit *kit = testkit_new();
    testkit_run(kit, "ana", 0, "me");
    assert_one_private(kit, "ana");
    assert_true(testkit_said_has(kit, "not holding any tasks"));
    assert_true(testkit_said_has(kit, "0 of your 3"));
    assert_true(testkit_said_has(kit, "Nudges: on"));
    assert_false(testkit_said_has(kit, "resting"));

    tend_member ana = member_named(kit, "ana");
    tend_task soup = {.group_id = ana.group_id, .slots = 1, .weight = 2, .created_at = TESTKIT_START};
    strcpy(soup.title, "Soup run");
    tend_task rota = {.group_id = ana.group_id, .slots = 1, .weight = 1, .created_at = TESTKIT_START};
    strcpy(rota.title, "Phone rota");
    assert_int_equal(tend_store_task_add(kit->store, &soup), TEND_STORE_OK);
    assert_int_equal(tend_store_task_add(kit->store, &rota), TEND_STORE_OK);
    tend_claim c;
    assert_int_equal(tend_store_claim_add(kit->store, soup.id, ana.id, TEND_CLAIM_ACTIVE, TESTKIT_START, &c),
                     TEND_STORE_OK);
    testkit_run(kit, "bea", 0, "me");
    tend_member bea = member_named(kit, "bea");
    assert_int_equal(tend_store_claim_add(kit->store, rota.id, bea.id, TEND_CLAIM_ACTIVE, TESTKIT_START, &c),
                     TEND_STORE_OK);
    assert_int_equal(tend_store_claim_add(kit->store, rota.id, ana.id, TEND_CLAIM_WAITING, TESTKIT_START, &c),
                     TEND_STORE_OK);
    testkit_run(kit, "ana", 0, "capacity 4");
    testkit_run(kit, "ana", 0, "nudges off");
    testkit_run(kit, "ana", 0, "checkin low");

    assert_int_equal(testkit_run(kit, "ana", 0, "me"), 0);
    assert_one_private(kit, "ana");
    assert_true(testkit_said_has(kit, "Holding:"));
    assert_true(testkit_said_has(kit, "Soup run"));
    assert_true(testkit_said_has(kit, "On the waitlist for:"));
    assert_true(testkit_said_has(kit, "Phone rota"));
    assert_true(testkit_said_has(kit, "2 of your 4"));
    assert_true(testkit_said_has(kit, "Nudges: off"));
    assert_true(testkit_said_has(kit, "last check-in: low"));

    testkit_run(kit, "ana", 0, "stepback 1w");
    assert_int_equal(testkit_run(kit, "ana", 0, "me"), 0);
    assert_one_private(kit, "ana");
    assert_true(testkit_said_has(kit, "resting until Monday 9 November"));
    assert_false(testkit_said_has(kit, "Soup run")); /* given back when she stepped back */
    testkit_free(kit);
}

/* "Up to 60 characters" means characters: 60 Chinese characters or 60 emoji are a name, kept
 * whole (not cut at a byte count), and the 61st is refused with the real limit. */
static void names_and_pronouns_count_characters_not_bytes(void **state)
{
    (void)state;
    testkit *kit = testkit_new();
    testkit_run(kit, "ana", 0, "me");
    static const char *const chars[] = {"\xE5\x90\x8D", "\xF0\x9F\x98\x80"}; /* 名 (3 bytes), 😀 (4) */
    for (size_t k = 0; k < 2; k++) {
        char cmd[400] = "profile name:";
        for (int i = 0; i < 60; i++)
            strcat(cmd, chars[k]);
        testkit_run(kit, "ana", 0, cmd);
        assert_true(testkit_said_has(kit, "Saved"));
        tend_member m = member_named(kit, "ana");
        assert_int_equal(tend_utf8_length(m.name), 60);
        assert_string_equal(m.name, cmd + strlen("profile name:"));
        strcat(cmd, chars[k]);
        testkit_run(kit, "ana", 0, cmd);
        assert_true(testkit_said_has(kit, "A name is 1 to 60 characters"));
        assert_int_equal(tend_utf8_length(member_named(kit, "ana").name), 60);
    }
    char cmd[200] = "profile pronouns:";
    for (int i = 0; i < 30; i++)
        strcat(cmd, "\xE5\xA5\xB9"); /* 她 */
    testkit_run(kit, "ana", 0, cmd);
    assert_true(testkit_said_has(kit, "Saved"));
    assert_int_equal(tend_utf8_length(member_named(kit, "ana").pronouns), 30);
    strcat(cmd, "\xE5\xA5\xB9");
    testkit_run(kit, "ana", 0, cmd);
    assert_true(testkit_said_has(kit, "Pronouns are up to 30 characters"));
    testkit_free(kit);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(capacity_is_set_privately),
        cmocka_unit_test(capacity_out_of_range_gets_usage),
        cmocka_unit_test(nudges_on_and_off),
        cmocka_unit_test(profile_sets_every_field),
        cmocka_unit_test(profile_mistakes_change_nothing),
        cmocka_unit_test(profile_name_someone_else_has_is_refused),
        cmocka_unit_test(names_and_pronouns_count_characters_not_bytes),
        cmocka_unit_test(me_shows_claims_load_rest_nudges_and_checkin_privately),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
