/* test_rest.c — /stepback and /back: rest is one command, releases claims, and stays private. */
#include "testkit.h"

#include <string.h>

#define DAY (24 * 3600)
#define WEEK (7 * DAY)

static tend_member member_named(testkit *kit, const char *key)
{
    tend_group g;
    tend_member m;
    assert_int_equal(tend_store_group_get(kit->store, kit->group_key, &g), TEND_STORE_OK);
    assert_int_equal(tend_store_member_get(kit->store, g.id, key, &m), TEND_STORE_OK);
    return m;
}

static int nothing_public(testkit *kit)
{
    for (size_t i = 0; i < kit->out.count; i++)
        if (kit->out.items[i].audience == TEND_TO_PUBLIC)
            return 0;
    return 1;
}

/* A task with one slot that ana holds and bea waits for. Returns its number. */
static int task_held_by_ana_awaited_by_bea(testkit *kit)
{
    testkit_run(kit, "ana", 0, "me");
    testkit_run(kit, "bea", 0, "me");
    tend_member ana = member_named(kit, "ana"), bea = member_named(kit, "bea");
    tend_task t = {.group_id = ana.group_id, .slots = 1, .weight = 1, .created_by = ana.id,
                   .created_at = TESTKIT_START};
    strcpy(t.title, "Soup run");
    assert_int_equal(tend_store_task_add(kit->store, &t), TEND_STORE_OK);
    tend_claim c;
    assert_int_equal(tend_store_claim_add(kit->store, t.id, ana.id, TEND_CLAIM_ACTIVE, TESTKIT_START, &c),
                     TEND_STORE_OK);
    assert_int_equal(tend_store_claim_add(kit->store, t.id, bea.id, TEND_CLAIM_WAITING, TESTKIT_START, &c),
                     TEND_STORE_OK);
    return t.number;
}

static void stepback_defaults_to_a_week_privately(void **state)
{
    (void)state;
    testkit *kit = testkit_new();
    assert_int_equal(testkit_run(kit, "ana", 0, "stepback"), 0);
    assert_int_equal(kit->out.count, 1);
    assert_int_equal(kit->out.items[0].audience, TEND_TO_PRIVATE);
    assert_true(testkit_said_has(kit, "Rest well"));
    assert_true(testkit_said_has(kit, "Monday 9 November"));
    assert_true(testkit_said_has(kit, "nothing to give back"));
    assert_true(testkit_said_has(kit, "/back"));
    tend_member ana = member_named(kit, "ana");
    assert_int_equal(ana.resting_until, TESTKIT_START + WEEK);
    tend_rest r;
    assert_int_equal(tend_store_rest_current(kit->store, ana.id, &r), TEND_STORE_OK);
    assert_int_equal(r.until, TESTKIT_START + WEEK);
    testkit_free(kit);
}

static void stepback_reads_durations_and_keeps_the_note(void **state)
{
    (void)state;
    testkit *kit = testkit_new();
    assert_int_equal(testkit_run(kit, "ana", 0, "stepback 3d my mum is in hospital"), 0);
    assert_true(nothing_public(kit));
    assert_false(testkit_said_has(kit, "hospital")); /* not even echoed back */
    tend_member ana = member_named(kit, "ana");
    tend_rest r;
    assert_int_equal(tend_store_rest_current(kit->store, ana.id, &r), TEND_STORE_OK);
    assert_int_equal(r.until, TESTKIT_START + 3 * DAY);
    assert_string_equal(r.note, "my mum is in hospital");
    testkit_free(kit);
}

/* Typed as text (console, Matrix), for:2 weeks runs on over "weeks" as Discord's for:"2 weeks" does,
 * and the words after it are the note. */
static void stepback_for_option_typed_as_text_takes_two_words(void **state)
{
    (void)state;
    testkit *kit = testkit_new();
    assert_int_equal(testkit_run(kit, "ana", 0, "stepback for:2 weeks worn out"), 0);
    tend_member ana = member_named(kit, "ana");
    tend_rest r;
    assert_int_equal(tend_store_rest_current(kit->store, ana.id, &r), TEND_STORE_OK);
    assert_int_equal(r.until, TESTKIT_START + 2 * WEEK);
    assert_string_equal(r.note, "worn out");
    testkit_free(kit);
}

static void stepback_first_word_must_be_a_length_and_a_note_can_stand_alone(void **state)
{
    (void)state;
    testkit *kit = testkit_new();
    assert_int_equal(testkit_run(kit, "ana", 0, "me"), 0);
    /* "soon" is not a length of time: explained, and she is not resting */
    assert_int_equal(testkit_run(kit, "ana", 0, "stepback soon moving house"), 0);
    assert_true(testkit_said_has(kit, "Usage: /stepback"));
    tend_member ana = member_named(kit, "ana");
    tend_rest r;
    assert_int_equal(tend_store_rest_current(kit->store, ana.id, &r), TEND_STORE_NOTFOUND);
    assert_int_equal(ana.resting_until, 0);
    /* a note on its own takes the default week */
    assert_int_equal(testkit_run(kit, "ana", 0, "stepback note:\"moving house\""), 0);
    ana = member_named(kit, "ana");
    assert_int_equal(tend_store_rest_current(kit->store, ana.id, &r), TEND_STORE_OK);
    assert_int_equal(r.until, TESTKIT_START + WEEK);
    assert_string_equal(r.note, "moving house");
    testkit_free(kit);
}

static void stepback_until_a_date_ends_that_night_in_the_members_zone(void **state)
{
    (void)state;
    testkit *kit = testkit_new();
    assert_int_equal(testkit_run(kit, "ana", 0, "profile tz:Europe/Berlin"), 0);
    assert_int_equal(testkit_run(kit, "ana", 0, "stepback 2026-11-20"), 0);
    assert_true(testkit_said_has(kit, "Friday 20 November"));
    tend_member ana = member_named(kit, "ana");
    /* midnight after 20 November in Berlin (UTC+1) is 23:00 UTC on the 20th */
    assert_int_equal(ana.resting_until, TESTKIT_START + 18 * DAY + 14 * 3600);
    testkit_free(kit);
}

static void stepback_bad_durations_get_usage_and_change_nothing(void **state)
{
    (void)state;
    static const char *const bad[] = {"stepback 0d",         "stepback -1w",        "stepback 999y",
                                      "stepback for:soon",   "stepback 2026-10-01", "stepback 2028-06-01",
                                      "stepback 2026-13-01", "stepback 3x"};
    testkit *kit = testkit_new();
    testkit_run(kit, "ana", 0, "back"); /* ana is known */
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(testkit_run(kit, "ana", 0, bad[i]), 0);
        assert_int_equal(kit->out.count, 1);
        assert_int_equal(kit->out.items[0].audience, TEND_TO_PRIVATE);
        assert_true(testkit_said_has(kit, "Usage: /stepback"));
        tend_member ana = member_named(kit, "ana");
        assert_int_equal(ana.resting_until, 0);
        tend_rest r;
        assert_int_equal(tend_store_rest_current(kit->store, ana.id, &r), TEND_STORE_NOTFOUND);
    }
    testkit_free(kit);
}

static void stepback_note_over_500_characters_is_refused(void **state)
{
    (void)state;
    testkit *kit = testkit_new();
    testkit_run(kit, "ana", 0, "back");
    char text[700] = "stepback 1w ";
    memset(text + strlen(text), 'x', 501);
    assert_int_equal(testkit_run(kit, "ana", 0, text), 0);
    assert_int_equal(kit->out.count, 1);
    assert_true(testkit_said_has(kit, "500"));
    assert_int_equal(member_named(kit, "ana").resting_until, 0);
    testkit_free(kit);
}

static void stepback_releases_claims_and_promotes_the_waiting_member(void **state)
{
    (void)state;
    testkit *kit = testkit_new();
    int number = task_held_by_ana_awaited_by_bea(kit);
    assert_int_equal(testkit_run(kit, "ana", 0, "stepback 1w burnt out at work"), 0);
    assert_true(testkit_said_has(kit, "Your task went back to the group"));
    /* bea hears she is off the waitlist; nobody hears the reason */
    int bea_told = 0;
    for (size_t i = 0; i < kit->out.count; i++) {
        const tend_message *m = &kit->out.items[i];
        assert_int_not_equal(m->audience, TEND_TO_PUBLIC);
        assert_null(strstr(m->text, "burnt"));
        if (m->audience == TEND_TO_DM && strcmp(m->member_key, "bea") == 0)
            bea_told = 1;
    }
    assert_true(bea_told);
    tend_member ana = member_named(kit, "ana"), bea = member_named(kit, "bea");
    tend_task t;
    assert_int_equal(tend_store_task_get(kit->store, ana.group_id, number, &t), TEND_STORE_OK);
    tend_claim c;
    assert_int_equal(tend_store_claim_current(kit->store, t.id, ana.id, &c), TEND_STORE_NOTFOUND);
    assert_int_equal(tend_store_claim_current(kit->store, t.id, bea.id, &c), TEND_STORE_OK);
    assert_int_equal(c.state, TEND_CLAIM_ACTIVE);
    testkit_free(kit);
}

static void stepback_while_resting_moves_the_end(void **state)
{
    (void)state;
    testkit *kit = testkit_new();
    assert_int_equal(testkit_run(kit, "ana", 0, "stepback 1w first"), 0);
    tend_rest first;
    assert_int_equal(tend_store_rest_current(kit->store, member_named(kit, "ana").id, &first), TEND_STORE_OK);
    assert_int_equal(testkit_run(kit, "ana", 0, "stepback 2w second"), 0);
    assert_true(testkit_said_has(kit, "now runs until Monday 16 November"));
    tend_rest r;
    tend_member ana = member_named(kit, "ana");
    assert_int_equal(tend_store_rest_current(kit->store, ana.id, &r), TEND_STORE_OK);
    assert_int_equal(r.id, first.id); /* the same rest, not a new one */
    assert_int_equal(r.until, TESTKIT_START + 2 * WEEK);
    assert_string_equal(r.note, "second");
    assert_int_equal(ana.resting_until, TESTKIT_START + 2 * WEEK);
    testkit_free(kit);
}

static int keep_rest(const tend_rest *r, void *ud)
{
    *(tend_rest *)ud = *r;
    return 0;
}

static int count_rest(const tend_rest *r, void *ud)
{
    (void)r;
    (*(int *)ud)++;
    return 0;
}

static void back_ends_rest_with_a_private_welcome(void **state)
{
    (void)state;
    testkit *kit = testkit_new();
    assert_int_equal(testkit_run(kit, "ana", 0, "stepback 2w"), 0);
    tend_rest r;
    assert_int_equal(tend_store_rest_current(kit->store, member_named(kit, "ana").id, &r), TEND_STORE_OK);
    tend_clock_advance(kit->clock, DAY);
    assert_int_equal(testkit_run(kit, "ana", 0, "back"), 0);
    assert_int_equal(kit->out.count, 1);
    assert_int_equal(kit->out.items[0].audience, TEND_TO_PRIVATE);
    assert_true(testkit_said_has(kit, "Welcome back"));
    tend_member ana = member_named(kit, "ana");
    assert_int_equal(ana.resting_until, 0);
    tend_rest now;
    assert_int_equal(tend_store_rest_current(kit->store, ana.id, &now), TEND_STORE_NOTFOUND);
    /* the scheduler will not welcome her a second time: the rest ended, welcomed */
    tend_rest ended = {0};
    assert_int_equal(tend_store_rests_ended_between(kit->store, ana.group_id, TESTKIT_START,
                                                    TESTKIT_START + 3 * WEEK, keep_rest, &ended),
                     TEND_STORE_OK);
    assert_int_equal(ended.id, r.id);
    assert_int_equal(ended.ended_at, TESTKIT_START + DAY);
    assert_true(ended.welcomed);
    int due = 0;
    assert_int_equal(tend_store_rests_due(kit->store, ana.group_id, TESTKIT_START + 3 * WEEK, count_rest, &due),
                     TEND_STORE_OK);
    assert_int_equal(due, 0);
    testkit_free(kit);
}

static void back_when_not_resting_is_a_gentle_line(void **state)
{
    (void)state;
    testkit *kit = testkit_new();
    assert_int_equal(testkit_run(kit, "ana", 0, "back"), 0);
    assert_int_equal(kit->out.count, 1);
    assert_int_equal(kit->out.items[0].audience, TEND_TO_PRIVATE);
    assert_true(testkit_said_has(kit, "not on a break"));
    testkit_free(kit);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(stepback_defaults_to_a_week_privately),
        cmocka_unit_test(stepback_reads_durations_and_keeps_the_note),
        cmocka_unit_test(stepback_for_option_typed_as_text_takes_two_words),
        cmocka_unit_test(stepback_first_word_must_be_a_length_and_a_note_can_stand_alone),
        cmocka_unit_test(stepback_until_a_date_ends_that_night_in_the_members_zone),
        cmocka_unit_test(stepback_bad_durations_get_usage_and_change_nothing),
        cmocka_unit_test(stepback_note_over_500_characters_is_refused),
        cmocka_unit_test(stepback_releases_claims_and_promotes_the_waiting_member),
        cmocka_unit_test(stepback_while_resting_moves_the_end),
        cmocka_unit_test(back_ends_rest_with_a_private_welcome),
        cmocka_unit_test(back_when_not_resting_is_a_gentle_line),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
