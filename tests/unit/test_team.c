/* test_team.c — /team: aggregate group health for coordinators, never a name or a ranking. */
#include "testkit.h"

#include <stdio.h>
#include <string.h>

static tend_member member(testkit *kit, const char *name)
{
    tend_group g;
    assert_int_equal(tend_store_group_ensure(kit->store, kit->group_key, "console:channel", TESTKIT_START, &g),
                     TEND_STORE_OK);
    tend_member m;
    assert_int_equal(tend_store_member_ensure(kit->store, g.id, name, name, TESTKIT_START, &m), TEND_STORE_OK);
    return m;
}

static tend_task task(testkit *kit, const tend_member *by, const char *title, int slots)
{
    tend_task t = {.group_id = by->group_id, .slots = slots, .weight = 1, .created_at = TESTKIT_START};
    snprintf(t.title, sizeof t.title, "%s", title);
    assert_int_equal(tend_store_task_add(kit->store, &t), TEND_STORE_OK);
    return t;
}

static void claim(testkit *kit, const tend_task *t, const tend_member *m)
{
    tend_claim c;
    assert_int_equal(tend_store_claim_add(kit->store, t->id, m->id, TEND_CLAIM_ACTIVE, TESTKIT_START, &c),
                     TEND_STORE_OK);
}

/* A finished one-person task: `m` did it within the last 30 days. */
static void did(testkit *kit, const tend_member *m, const char *title)
{
    tend_task t = task(kit, m, title, 1);
    tend_claim c;
    assert_int_equal(tend_store_claim_add(kit->store, t.id, m->id, TEND_CLAIM_ACTIVE, TESTKIT_START, &c),
                     TEND_STORE_OK);
    assert_int_equal(tend_store_claim_set_state(kit->store, c.id, TEND_CLAIM_DONE, "", TESTKIT_START),
                     TEND_STORE_OK);
    assert_int_equal(tend_store_task_set_state(kit->store, t.id, TEND_TASK_DONE, TESTKIT_START), TEND_STORE_OK);
}

/* Twelve members, so that "the busiest fifth" is three people and a share points at nobody. */
static void twelve(testkit *kit, tend_member m[12])
{
    for (int i = 0; i < 12; i++) {
        char name[16];
        snprintf(name, sizeof name, "Qmember%02d", i);
        m[i] = member(kit, name);
    }
}

static void team_counts_without_names_and_notices_concentration(void **state)
{
    (void)state;
    testkit *kit = testkit_new();
    tend_member m[12];
    twelve(kit, m);
    for (int i = 9; i < 12; i++)
        assert_int_equal(tend_store_rest_start(kit->store, m[i].id, TESTKIT_START + 86400, "", TESTKIT_START, NULL),
                         TEND_STORE_OK);
    tend_task two = task(kit, &m[0], "Soup run", 2);
    claim(kit, &two, &m[2]); /* one of two hands: still needs one */
    task(kit, &m[0], "Fix the bike", 1);
    tend_task full = task(kit, &m[0], "Drive to the clinic", 1);
    claim(kit, &full, &m[1]);
    for (int i = 0; i < 9; i++)
        did(kit, &m[i % 3], "Pantry shift"); /* three people did nine of ten */
    did(kit, &m[4], "Pantry shift 10");

    assert_int_equal(testkit_run(kit, "Qmember08", 1, "team"), 0);
    assert_int_equal(kit->out.count, 1);
    assert_int_equal(kit->out.items[0].audience, TEND_TO_PRIVATE);
    assert_string_equal(kit->out.items[0].kind, "team");
    assert_true(testkit_said_has(kit, "9 active, 3 resting"));
    assert_true(testkit_said_has(kit, "still need people: 2"));
    /* twelve members: the busiest fifth is three people, who did 9 of 10 */
    assert_true(testkit_said_has(kit, "did 90% of the last 30 days' work"));
    assert_true(testkit_said_has(kit, "a lot of work for a few people"));
    assert_null(strstr(kit->out.items[0].text, "Qmember"));
    assert_int_equal(kit->out.items[0].n_mentions, 0);
    testkit_free(kit);
}

static void team_even_share_gets_no_suggestion(void **state)
{
    (void)state;
    testkit *kit = testkit_new();
    tend_member m[12];
    twelve(kit, m);
    for (size_t i = 0; i < 10; i++)
        did(kit, &m[i], "Pantry shift");
    testkit_run(kit, "Qmember11", 1, "team");
    assert_true(testkit_said_has(kit, "did 30% of"));
    assert_false(testkit_said_has(kit, "a lot of work for a few people"));
    testkit_free(kit);
}

/* Issue 12: in a group of three, "1 resting" is someone, and the busiest fifth is one person. */
static void team_in_a_group_of_three_points_at_nobody(void **state)
{
    (void)state;
    testkit *kit = testkit_new();
    tend_member anouk = member(kit, "Anouk"), bertil = member(kit, "Bertil");
    member(kit, "Cosima");
    assert_int_equal(tend_store_rest_start(kit->store, bertil.id, TESTKIT_START + 86400, "", TESTKIT_START, NULL),
                     TEND_STORE_OK);
    did(kit, &anouk, "Pantry shift 1");
    did(kit, &anouk, "Pantry shift 2");
    did(kit, &anouk, "Pantry shift 3");
    assert_int_equal(testkit_run(kit, "Cosima", 1, "team"), 0);
    const char *text = kit->out.items[0].text;
    assert_non_null(strstr(text, "Members: 3 "));
    assert_null(strstr(text, "1 resting"));
    assert_null(strstr(text, "2 active"));
    assert_null(strstr(text, "%"));
    assert_null(strstr(text, "a lot of work for a few people"));
    assert_non_null(strstr(text, "once the group has 11 members"));
    testkit_free(kit);
}

static void team_with_no_done_work_says_so(void **state)
{
    (void)state;
    testkit *kit = testkit_new();
    testkit_run(kit, "Corabelle", 1, "team");
    assert_true(testkit_said_has(kit, "No tasks were marked done"));
    assert_false(testkit_said_has(kit, "%"));
    testkit_free(kit);
}

static void team_is_refused_to_members(void **state)
{
    (void)state;
    testkit *kit = testkit_new();
    testkit_run(kit, "Anouk", 0, "team");
    assert_int_equal(kit->out.count, 1);
    assert_string_equal(kit->out.items[0].kind, "error");
    assert_true(testkit_said_has(kit, "Only the group's coordinators can use /team"));
    assert_false(testkit_said_has(kit, "active"));
    testkit_free(kit);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(team_counts_without_names_and_notices_concentration),
        cmocka_unit_test(team_even_share_gets_no_suggestion),
        cmocka_unit_test(team_in_a_group_of_three_points_at_nobody),
        cmocka_unit_test(team_with_no_done_work_says_so),
        cmocka_unit_test(team_is_refused_to_members),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
