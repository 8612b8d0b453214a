/* test_thanks.c — /thanks: a public shout-out that pings only the member thanked, with a daily limit. */
#include "testkit.h"

#include <string.h>

#define DAY (24 * 3600)

static tend_member member_named(testkit *kit, const char *key)
{
    tend_group g;
    tend_member m;
    assert_int_equal(tend_store_group_get(kit->store, kit->group_key, &g), TEND_STORE_OK);
    assert_int_equal(tend_store_member_get(kit->store, g.id, key, &m), TEND_STORE_OK);
    return m;
}

static int thanks_given(testkit *kit, const char *key)
{
    int count = -1;
    assert_int_equal(tend_store_thanks_given_since(kit->store, member_named(kit, key).id, 0, &count),
                     TEND_STORE_OK);
    return count;
}

/* ana and bea both exist in the group. */
static testkit *kit_with_two(void)
{
    testkit *kit = testkit_new();
    testkit_run(kit, "ana", 0, "me");
    testkit_run(kit, "bea", 0, "me");
    return kit;
}

static int keep_thanks(const tend_thanks *t, void *ud)
{
    *(tend_thanks *)ud = *t;
    return 0;
}

static void thanks_is_public_and_pings_only_the_member(void **state)
{
    (void)state;
    testkit *kit = kit_with_two();
    assert_int_equal(testkit_run(kit, "ana", 0, "thanks bea for the lift @everyone"), 0);
    assert_int_equal(kit->out.count, 1);
    const tend_message *m = &kit->out.items[0];
    assert_int_equal(m->audience, TEND_TO_PUBLIC);
    assert_string_equal(m->kind, "thanks");
    assert_int_equal(m->n_mentions, 1);
    assert_string_equal(m->mentions[0].member_key, "bea");
    assert_true(testkit_said_has(kit, "ana thanks @bea for the lift @everyone"));
    /* no points, no counts */
    assert_false(testkit_said_has(kit, "1"));
    tend_member bea = member_named(kit, "bea");
    tend_thanks stored = {0};
    assert_int_equal(tend_store_thanks_between(kit->store, bea.group_id, 0, TESTKIT_START + 1, keep_thanks,
                                               &stored),
                     TEND_STORE_OK);
    assert_int_equal(stored.to_member, bea.id);
    assert_int_equal(stored.from_member, member_named(kit, "ana").id);
    assert_string_equal(stored.reason, "for the lift @everyone"); /* as typed: its own "for" */
    testkit_free(kit);
}

static void thanks_without_reason_and_with_at_name(void **state)
{
    (void)state;
    testkit *kit = kit_with_two();
    assert_int_equal(testkit_run(kit, "ana", 0, "thanks @BEA"), 0);
    assert_int_equal(kit->out.count, 1);
    assert_int_equal(kit->out.items[0].audience, TEND_TO_PUBLIC);
    assert_true(testkit_said_has(kit, "ana thanks @bea!"));
    testkit_free(kit);
}

static void thanks_a_platform_reference_creates_the_member(void **state)
{
    (void)state;
    testkit *kit = kit_with_two();
    tend_member_ref refs[] = {{"U77", "Cleo"}};
    tend_request req = {.group_key = kit->group_key, .channel_key = "console:channel", .member_key = "ana",
                        .member_name = "ana", .text = "thanks \x1E" "0\x1F for the soup", .refs = refs,
                        .n_refs = 1};
    tend_messages_clear(&kit->out);
    assert_int_equal(tend_bot_handle(kit->bot, &req, &kit->out), 0);
    assert_int_equal(kit->out.count, 1);
    assert_int_equal(kit->out.items[0].n_mentions, 1);
    assert_string_equal(kit->out.items[0].mentions[0].member_key, "U77");
    assert_true(testkit_said_has(kit, "@Cleo for the soup"));
    member_named(kit, "U77");
    testkit_free(kit);
}

static void thanks_mistakes_change_nothing(void **state)
{
    (void)state;
    testkit *kit = kit_with_two();
    assert_int_equal(testkit_run(kit, "ana", 0, "thanks ana for being me"), 0);
    assert_int_equal(kit->out.count, 1);
    assert_int_equal(kit->out.items[0].audience, TEND_TO_PRIVATE);
    assert_true(testkit_said_has(kit, "someone else"));

    assert_int_equal(testkit_run(kit, "ana", 0, "thanks zed"), 0);
    assert_int_equal(kit->out.count, 1);
    assert_int_equal(kit->out.items[0].audience, TEND_TO_PRIVATE);
    assert_true(testkit_said_has(kit, "I don't know anyone called zed"));

    assert_int_equal(testkit_run(kit, "ana", 0, "thanks"), 0);
    assert_int_equal(kit->out.count, 1);
    assert_true(testkit_said_has(kit, "Usage: /thanks"));

    char text[700] = "thanks bea for ";
    memset(text + strlen(text), 'x', 501);
    assert_int_equal(testkit_run(kit, "ana", 0, text), 0);
    assert_int_equal(kit->out.count, 1);
    assert_int_equal(kit->out.items[0].audience, TEND_TO_PRIVATE);
    assert_true(testkit_said_has(kit, "500"));

    assert_int_equal(thanks_given(kit, "ana"), 0);
    testkit_free(kit);
}

static void thanks_daily_limit_rolls_over_24_hours(void **state)
{
    (void)state;
    testkit *kit = kit_with_two();
    for (int i = 0; i < 5; i++) {
        assert_int_equal(testkit_run(kit, "ana", 0, "thanks bea"), 0);
        assert_int_equal(kit->out.items[0].audience, TEND_TO_PUBLIC);
        tend_clock_advance(kit->clock, 600);
    }
    assert_int_equal(testkit_run(kit, "ana", 0, "thanks bea again"), 0);
    assert_int_equal(kit->out.count, 1);
    assert_int_equal(kit->out.items[0].audience, TEND_TO_PRIVATE);
    assert_true(testkit_said_has(kit, "meaning"));
    assert_int_equal(thanks_given(kit, "ana"), 5);
    /* the limit is per giver: bea can still thank ana */
    assert_int_equal(testkit_run(kit, "bea", 0, "thanks ana"), 0);
    assert_int_equal(kit->out.items[0].audience, TEND_TO_PUBLIC);
    /* 24 hours after the first one, one more is possible, and only one */
    tend_clock_advance(kit->clock, DAY - 5 * 600);
    assert_int_equal(testkit_run(kit, "ana", 0, "thanks bea"), 0);
    assert_int_equal(kit->out.items[0].audience, TEND_TO_PUBLIC);
    assert_int_equal(testkit_run(kit, "ana", 0, "thanks bea"), 0);
    assert_int_equal(kit->out.items[0].audience, TEND_TO_PRIVATE);
    assert_int_equal(thanks_given(kit, "ana"), 6);
    testkit_free(kit);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(thanks_is_public_and_pings_only_the_member),
        cmocka_unit_test(thanks_without_reason_and_with_at_name),
        cmocka_unit_test(thanks_a_platform_reference_creates_the_member),
        cmocka_unit_test(thanks_mistakes_change_nothing),
        cmocka_unit_test(thanks_daily_limit_rolls_over_24_hours),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
