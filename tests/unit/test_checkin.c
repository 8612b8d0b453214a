/* test_checkin.c — /checkin: private, one tap, and a kind offer of rest on a low week. */
#include "testkit.h"

#include <string.h>

static tend_member member_named(testkit *kit, const char *key)
{
    tend_group g;
    tend_member m;
    assert_int_equal(tend_store_group_get(kit->store, kit->group_key, &g), TEND_STORE_OK);
    assert_int_equal(tend_store_member_get(kit->store, g.id, key, &m), TEND_STORE_OK);
    return m;
}

static void assert_all_private(testkit *kit)
{
    assert_true(kit->out.count > 0);
    for (size_t i = 0; i < kit->out.count; i++) {
        assert_int_equal(kit->out.items[i].audience, TEND_TO_PRIVATE);
        assert_string_equal(kit->out.items[i].member_key, "ana");
    }
}

static int has_button(const tend_message *m, const char *command)
{
    for (size_t i = 0; i < m->n_buttons; i++)
        if (strcmp(m->buttons[i].command, command) == 0)
            return 1;
    return 0;
}

static void checkin_alone_asks_privately_with_four_buttons(void **state)
{
    (void)state;
    testkit *kit = testkit_new();
    assert_int_equal(testkit_run(kit, "ana", 0, "checkin"), 0);
    assert_int_equal(kit->out.count, 1);
    assert_all_private(kit);
    const tend_message *m = &kit->out.items[0];
    assert_int_equal(m->n_buttons, 4);
    assert_string_equal(m->buttons[0].label, "Great");
    assert_string_equal(m->buttons[0].emoji, "\xF0\x9F\x8C\x9F");
    assert_string_equal(m->buttons[1].label, "OK");
    assert_string_equal(m->buttons[2].emoji, "\xF0\x9F\xAA\xAB");
    assert_string_equal(m->buttons[3].label, "Out");
    assert_true(has_button(m, "checkin great") && has_button(m, "checkin ok") && has_button(m, "checkin low") &&
                has_button(m, "checkin out"));
    tend_checkin c;
    assert_int_equal(tend_store_checkin_latest(kit->store, member_named(kit, "ana").id, &c), TEND_STORE_NOTFOUND);
    testkit_free(kit);
}

static void checkin_great_is_recorded_with_its_note(void **state)
{
    (void)state;
    testkit *kit = testkit_new();
    assert_int_equal(testkit_run(kit, "ana", 0, "checkin Great slept well"), 0);
    assert_int_equal(kit->out.count, 1);
    assert_all_private(kit);
    assert_int_equal(kit->out.items[0].n_buttons, 0);
    assert_false(testkit_said_has(kit, "stepback"));
    tend_checkin c;
    assert_int_equal(tend_store_checkin_latest(kit->store, member_named(kit, "ana").id, &c), TEND_STORE_OK);
    assert_string_equal(c.energy, "great");
    assert_string_equal(c.note, "slept well");
    assert_int_equal(c.created_at, TESTKIT_START);
    testkit_free(kit);
}

static void checkin_low_offers_rest_and_lists_claims(void **state)
{
    (void)state;
    testkit *kit = testkit_new();
    testkit_run(kit, "ana", 0, "checkin ok");
    tend_member ana = member_named(kit, "ana");
    tend_task t = {.group_id = ana.group_id, .slots = 2, .weight = 1, .created_at = TESTKIT_START};
    strcpy(t.title, "Soup run");
    assert_int_equal(tend_store_task_add(kit->store, &t), TEND_STORE_OK);
    tend_claim c;
    assert_int_equal(tend_store_claim_add(kit->store, t.id, ana.id, TEND_CLAIM_ACTIVE, TESTKIT_START, &c),
                     TEND_STORE_OK);

    assert_int_equal(testkit_run(kit, "ana", 0, "checkin low rough week"), 0);
    assert_int_equal(kit->out.count, 1);
    assert_all_private(kit);
    const tend_message *m = &kit->out.items[0];
    assert_true(has_button(m, "stepback 1w"));
    assert_true(testkit_said_has(kit, "/stepback"));
    assert_true(testkit_said_has(kit, "Soup run"));
    assert_true(testkit_said_has(kit, "/unclaim"));
    tend_checkin latest;
    assert_int_equal(tend_store_checkin_latest(kit->store, ana.id, &latest), TEND_STORE_OK);
    assert_string_equal(latest.energy, "low");
    testkit_free(kit);
}

static void checkin_out_without_claims_lists_nothing(void **state)
{
    (void)state;
    testkit *kit = testkit_new();
    assert_int_equal(testkit_run(kit, "ana", 0, "checkin OUT"), 0);
    assert_all_private(kit);
    assert_true(has_button(&kit->out.items[0], "stepback 1w"));
    assert_false(testkit_said_has(kit, "holding"));
    tend_checkin c;
    assert_int_equal(tend_store_checkin_latest(kit->store, member_named(kit, "ana").id, &c), TEND_STORE_OK);
    assert_string_equal(c.energy, "out");
    testkit_free(kit);
}

static void checkin_unknown_energy_gets_usage_and_records_nothing(void **state)
{
    (void)state;
    testkit *kit = testkit_new();
    testkit_run(kit, "ana", 0, "checkin"); /* ana is known; the prompt records nothing */
    assert_int_equal(testkit_run(kit, "ana", 0, "checkin tired"), 0);
    assert_int_equal(kit->out.count, 1);
    assert_all_private(kit);
    assert_true(testkit_said_has(kit, "great, ok, low or out"));
    assert_true(testkit_said_has(kit, "Usage: /checkin"));
    tend_checkin c;
    assert_int_equal(tend_store_checkin_latest(kit->store, member_named(kit, "ana").id, &c), TEND_STORE_NOTFOUND);
    testkit_free(kit);
}

/* "checkin ok " and then `words` words of `letters` é each (two bytes, one character). */
static void note_of(char *out, int words, const int *letters)
{
    strcpy(out, "checkin ok");
    for (int w = 0; w < words; w++) {
        strcat(out, " ");
        for (int i = 0; i < letters[w]; i++)
            strcat(out, "\xC3\xA9");
    }
}

static void checkin_note_over_500_characters_is_refused(void **state)
{
    (void)state;
    testkit *kit = testkit_new();
    testkit_run(kit, "ana", 0, "checkin");
    char text[1400];
    static const int too_long[] = {100, 100, 100, 100, 97}; /* 497 + 4 spaces = 501 characters */
    note_of(text, 5, too_long);
    assert_int_equal(testkit_run(kit, "ana", 0, text), 0);
    assert_int_equal(kit->out.count, 1);
    assert_int_equal(kit->out.items[0].audience, TEND_TO_PRIVATE);
    assert_true(testkit_said_has(kit, "500"));
    tend_checkin c;
    assert_int_equal(tend_store_checkin_latest(kit->store, member_named(kit, "ana").id, &c), TEND_STORE_NOTFOUND);
    static const int just_fits[] = {100, 100, 100, 100, 96}; /* exactly 500 */
    note_of(text, 5, just_fits);
    assert_int_equal(testkit_run(kit, "ana", 0, text), 0);
    assert_int_equal(tend_store_checkin_latest(kit->store, member_named(kit, "ana").id, &c), TEND_STORE_OK);
    assert_int_equal(strlen(c.note), 996);
    testkit_free(kit);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(checkin_alone_asks_privately_with_four_buttons),
        cmocka_unit_test(checkin_great_is_recorded_with_its_note),
        cmocka_unit_test(checkin_low_offers_rest_and_lists_claims),
        cmocka_unit_test(checkin_out_without_claims_lists_nothing),
        cmocka_unit_test(checkin_unknown_energy_gets_usage_and_records_nothing),
        cmocka_unit_test(checkin_note_over_500_characters_is_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
