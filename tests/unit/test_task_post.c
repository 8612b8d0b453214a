/* test_task_post.c — fixing and calling off a task (/task edit, /task cancel), the board a page
 * at a time, and naming a task by its whole title in every command. Through the router and a real
 * in-memory store; now is Monday 2 Nov 2026, 09:00 UTC (the group's zone). */
#include "testkit.h"

#include <stdio.h>
#include <string.h>

#include "bot/tasks.h"

static tend_group group_of(testkit *kit)
{
    tend_group g;
    assert_int_equal(tend_store_group_get(kit->store, kit->group_key, &g), TEND_STORE_OK);
    return g;
}

static tend_task task_of(testkit *kit, int number)
{
    tend_task t;
    assert_int_equal(tend_store_task_get(kit->store, group_of(kit).id, number, &t), TEND_STORE_OK);
    return t;
}

static int claim_state(testkit *kit, const char *name, int number)
{
    tend_member m;
    tend_claim c;
    assert_int_equal(tend_store_member_get(kit->store, group_of(kit).id, name, &m), TEND_STORE_OK);
    int rc = tend_store_claim_current(kit->store, task_of(kit, number).id, m.id, &c);
    return rc == TEND_STORE_NOTFOUND ? -1 : (int)c.state;
}

static void run_ok(testkit *kit, const char *who, const char *text)
{
    assert_int_equal(testkit_run(kit, who, 0, text), 0);
    for (size_t i = 0; i < kit->out.count; i++)
        if (strcmp(kit->out.items[i].kind, "error") == 0)
            fail_msg("%s: %s", text, testkit_said(kit));
}

/* The one message to `who` of `kind`, or NULL; fails when there are two. */
static const tend_message *to(testkit *kit, const char *who, const char *kind)
{
    const tend_message *found = NULL;
    for (size_t i = 0; i < kit->out.count; i++) {
        const tend_message *m = &kit->out.items[i];
        if (strcmp(m->kind, kind) == 0 && ((!who && !m->member_key) || (who && m->member_key &&
                                                                         strcmp(m->member_key, who) == 0))) {
            if (found)
                fail_msg("two %s messages to %s", kind, who ? who : "the group");
            found = m;
        }
    }
    return found;
}

/* A refusal: one private line to `who` saying `said`, and the task unchanged. */
static void refused(testkit *kit, const char *who, int coord, const char *cmd, const char *said)
{
    tend_task before = task_of(kit, 1);
    testkit_run(kit, who, coord, cmd);
    if (kit->out.count != 1 || kit->out.items[0].audience != TEND_TO_PRIVATE || !testkit_said_has(kit, said))
        fail_msg("%s said: %s", cmd, testkit_said(kit));
    tend_task after = task_of(kit, 1);
    assert_string_equal(after.title, before.title);
    assert_int_equal(after.due_at, before.due_at);
    assert_int_equal(after.slots, before.slots);
    assert_int_equal(after.state, before.state);
}

/* ana posts a Friday soup run for two; bea and dan take it, cara waits. */
static testkit *soup_run(void)
{
    testkit *kit = testkit_new();
    run_ok(kit, "ana", "task add Soup run when:\"fri 18:00\" slots:2");
    run_ok(kit, "bea", "claim 1");
    run_ok(kit, "dan", "claim 1");
    run_ok(kit, "cara", "claim 1");
    assert_int_equal(claim_state(kit, "cara", 1), TEND_CLAIM_WAITING);
    return kit;
}

/* ---------------------------------------------------------------- edit */

static void the_author_edits_and_everyone_on_it_hears_privately(void **state)
{
    (void)state;
    testkit *kit = soup_run();
    run_ok(kit, "ana", "task edit 1 when:\"sat 10am\" slots:3 note:bring two big pots");
    tend_task t = task_of(kit, 1);
    assert_int_equal(t.slots, 3);
    assert_string_equal(t.note, "bring two big pots");
    assert_int_equal(t.due_at, TESTKIT_START + 5 * 86400 + 3600); /* Sat 7 Nov 10:00 UTC */
    const tend_message *pub = to(kit, NULL, "task.edited");
    assert_non_null(pub);
    assert_int_equal(pub->audience, TEND_TO_PUBLIC);
    assert_true(strstr(pub->text, "#1 Soup run (3 of 3 people, Sat 7 Nov, 10:00)") != NULL);
    assert_true(strstr(pub->text, "bring two big pots") != NULL);
    assert_int_equal(pub->n_mentions, 0);
    /* bea and dan are told privately; cara moved up into the new slot and hears that instead */
    for (const char *const *who = (const char *const[]){"bea", "dan", NULL}; *who; who++) {
        const tend_message *dm = to(kit, *who, "task.changed");
        assert_non_null(dm);
        assert_int_equal(dm->audience, TEND_TO_DM);
        assert_true(strstr(dm->text, "ana changed a task you're on") != NULL);
        assert_true(strstr(dm->text, "Sat 7 Nov, 10:00") != NULL);
    }
    assert_null(to(kit, "cara", "task.changed"));
    assert_non_null(to(kit, "cara", "waitlist.promoted"));
    assert_null(to(kit, "ana", "task.changed")); /* the author knows */
    assert_int_equal(claim_state(kit, "cara", 1), TEND_CLAIM_ACTIVE);
    assert_true(testkit_said_has(kit, "[private ana] I read when:\"sat 10am\" as Saturday 7 November at 10:00 UTC."));

    /* a title fix alone: no time said back */
    run_ok(kit, "ana", "task edit Soup run title:\"Soup run to the shelter\"");
    assert_string_equal(task_of(kit, 1).title, "Soup run to the shelter");
    assert_false(testkit_said_has(kit, "I read when"));
    /* and when:none takes the time away */
    run_ok(kit, "ana", "task edit 1 when:none");
    assert_int_equal(task_of(kit, 1).due_at, 0);
    assert_int_equal(task_of(kit, 1).over_at, 0);
    testkit_free(kit);
}

static void only_the_author_or_a_coordinator_may_change_a_task(void **state)
{
    (void)state;
    testkit *kit = soup_run();
    refused(kit, "bea", 0, "task edit 1 slots:5", "Only whoever posted #1, or a coordinator");
    refused(kit, "bea", 0, "task cancel 1", "Only whoever posted #1, or a coordinator");
    run_ok(kit, "zoe", "tasks");
    assert_int_equal(testkit_run(kit, "zoe", 1, "task edit 1 slots:4"), 0);
    assert_int_equal(task_of(kit, 1).slots, 4);
    testkit_free(kit);
}

static void edit_mistakes_change_nothing(void **state)
{
    (void)state;
    testkit *kit = soup_run();
    refused(kit, "ana", 0, "task edit 1", "What should change?");
    refused(kit, "ana", 0, "task edit 1 slots:1", "2 people are on #1, so it needs at least 2 slots");
    refused(kit, "ana", 0, "task edit 1 when:\"last tuesday\"", "couldn't read when:\"last tuesday\"");
    refused(kit, "ana", 0, "task edit 1 when:\"today 8:00\"", "already behind us");
    refused(kit, "ana", 0, "task edit 1 title:\"\"", "What's the task?");
    refused(kit, "ana", 0, "task edit 1 repeat:hourly", "repeat: can be weekly");
    refused(kit, "ana", 0, "task edit 7 slots:3", "can't find a task \"7\"");
    refused(kit, "ana", 0, "task edit slots:3", "Which task?");
    run_ok(kit, "bea", "done 1");
    refused(kit, "ana", 0, "task edit 1 slots:3", "#1 is already done");
    refused(kit, "ana", 0, "task cancel 1", "#1 is already done");
    testkit_free(kit);
}

/* ---------------------------------------------------------------- cancel */

static void cancelling_tells_everyone_on_it_and_leaves_the_board(void **state)
{
    (void)state;
    testkit *kit = soup_run();
    run_ok(kit, "ana", "task add Pharmacy pickup");
    run_ok(kit, "ana", "task cancel Soup run note: the kitchen is closed this week");
    const tend_message *pub = to(kit, NULL, "task.cancelled");
    assert_non_null(pub);
    assert_true(strstr(pub->text, "#1 Soup run is called off") != NULL);
    assert_null(strstr(pub->text, "kitchen")); /* the reason goes to the people on it */
    for (const char *const *who = (const char *const[]){"bea", "dan", "cara", NULL}; *who; who++) {
        const tend_message *dm = to(kit, *who, "task.changed");
        assert_non_null(dm);
        assert_true(strstr(dm->text, "ana called off a task you were on") != NULL);
        assert_true(strstr(dm->text, "\"the kitchen is closed this week\"") != NULL);
        assert_int_equal(claim_state(kit, *who, 1), -1);
    }
    assert_int_equal(task_of(kit, 1).state, TEND_TASK_CANCELLED);
    run_ok(kit, "bea", "tasks");
    assert_false(testkit_said_has(kit, "Soup run"));
    assert_true(testkit_said_has(kit, "#2 Pharmacy pickup"));
    run_ok(kit, "bea", "tasks mine");
    assert_true(testkit_said_has(kit, "not holding any tasks"));
    /* the weekly prompt no longer lists it, and nobody can claim it */
    refused(kit, "eve", 0, "claim 1", "#1 was cancelled");
    testkit_free(kit);
}

static void cancelling_one_of_a_series_keeps_the_series_unless_told(void **state)
{
    (void)state;
    testkit *kit = testkit_new();
    run_ok(kit, "ana", "task add Fridge restock when:\"fri 18:00\" repeat:weekly");
    run_ok(kit, "ana", "task cancel 1");
    assert_true(testkit_said_has(kit, "The next one goes up as usual"));
    assert_int_equal(testkit_tick(kit), 0);
    tend_task next = task_of(kit, 2);
    assert_string_equal(next.title, "Fridge restock");
    assert_int_equal(next.due_at, task_of(kit, 1).due_at + 7 * 86400);
    assert_int_equal(testkit_tick(kit), 0);
    assert_int_equal(kit->out.count, 0); /* once */

    run_ok(kit, "ana", "task cancel 2 repeat:off");
    assert_false(testkit_said_has(kit, "next one"));
    assert_int_equal(testkit_tick(kit), 0);
    tend_task none;
    assert_int_equal(tend_store_task_get(kit->store, group_of(kit).id, 3, &none), TEND_STORE_NOTFOUND);
    refused(kit, "ana", 0, "task cancel 1 repeat:weekly", "#1 was cancelled");
    testkit_free(kit);
}

/* ---------------------------------------------------------------- the board, a page at a time */

static void a_long_board_says_how_many_more_there_are(void **state)
{
    (void)state;
    testkit *kit = testkit_new();
    for (int i = 1; i <= 45; i++) {
        char cmd[64], who[16];
        snprintf(cmd, sizeof cmd, "task add Errand %d", i);
        snprintf(who, sizeof who, "m%d", i % 5); /* within each member's commands a minute */
        run_ok(kit, who, cmd);
    }
    run_ok(kit, "ana", "tasks");
    assert_true(testkit_said_has(kit, "Open tasks, page 1 of 3 (45 in all):"));
    assert_true(testkit_said_has(kit, "#20 Errand 20"));
    assert_false(testkit_said_has(kit, "#21 Errand"));
    assert_true(testkit_said_has(kit, "25 more: /tasks open page:2"));
    run_ok(kit, "ana", "tasks all page:3");
    assert_true(testkit_said_has(kit, "All tasks, newest first, page 3 of 3 (45 in all):"));
    assert_true(testkit_said_has(kit, "#5 Errand 5"));
    assert_true(testkit_said_has(kit, "#1 Errand 1"));
    assert_false(testkit_said_has(kit, "#6 Errand"));
    assert_true(testkit_said_has(kit, "That's the last page."));
    testkit_run(kit, "ana", 0, "tasks all page:4");
    assert_true(testkit_said_has(kit, "no page 4: the board has 3 pages. /tasks all page:3 is the last"));
    testkit_run(kit, "ana", 0, "tasks page:zero");
    assert_true(testkit_said_has(kit, "page: takes a page number"));
    /* a short board has no page talk */
    run_ok(kit, "bea", "claim 1");
    run_ok(kit, "bea", "tasks mine");
    assert_true(testkit_said_has(kit, "Your tasks:\n#1 Errand 1"));
    assert_false(testkit_said_has(kit, "page"));
    testkit_free(kit);
}

/* ---------------------------------------------------------------- a task by its whole title */

static void every_command_takes_a_whole_title(void **state)
{
    (void)state;
    testkit *kit = testkit_new();
    run_ok(kit, "ana", "tasks");
    run_ok(kit, "bea", "task add Soup run Friday");
    run_ok(kit, "bea", "task add Drive to the pantry");
    run_ok(kit, "bea", "claim Soup run Friday");
    run_ok(kit, "bea", "done Soup run Friday");
    const tend_message *done = to(kit, NULL, "task.done");
    assert_non_null(done);
    assert_true(strstr(done->text, "#1 Soup run Friday is done") != NULL);
    assert_null(strstr(done->text, "\"")); /* no stray note */

    run_ok(kit, "bea", "claim Drive to the pantry");
    run_ok(kit, "bea", "handoff Drive to the pantry ana");
    const tend_message *offer = to(kit, "ana", "handoff.offer");
    assert_non_null(offer);
    assert_true(strstr(offer->text, "#2 Drive to the pantry") != NULL);
    run_ok(kit, "bea", "unclaim Drive to the pantry");
    assert_int_equal(claim_state(kit, "bea", 2), -1);

    /* a note after note:, its words never taken as the task */
    run_ok(kit, "ana", "claim 2");
    run_ok(kit, "ana", "done Drive to the pantry note: took the van, all fine");
    done = to(kit, NULL, "task.done");
    assert_non_null(done);
    assert_true(strstr(done->text, "\"took the van, all fine\"") != NULL);
    testkit_free(kit);
}

static void words_after_a_number_are_explained_not_guessed(void **state)
{
    (void)state;
    testkit *kit = testkit_new();
    run_ok(kit, "ana", "task add Soup run");
    run_ok(kit, "ana", "claim 1");
    refused(kit, "ana", 0, "done 1 it went well",
            "If you meant #1, anything after it goes after note:, like /done 1 note:it went well");
    refused(kit, "ana", 0, "handoff Soup run nobody", "I don't know anyone called nobody");
    assert_int_equal(task_of(kit, 1).state, TEND_TASK_OPEN);
    testkit_free(kit);
}

static void a_title_shared_by_two_means_the_one_that_fits(void **state)
{
    (void)state;
    testkit *kit = testkit_new();
    run_ok(kit, "ana", "task add Restock the fridge when:\"today 18:00\" repeat:weekly");
    run_ok(kit, "cam", "claim Restock the fridge");
    tend_clock_advance(kit->clock, 10 * 3600); /* its time passes while cam holds it */
    assert_int_equal(testkit_tick(kit), 0);
    assert_string_equal(task_of(kit, 2).title, "Restock the fridge"); /* next week's is up */
    /* two open tasks share the title: each command picks the one it can mean */
    run_ok(kit, "bea", "claim Restock the fridge");
    assert_int_equal(claim_state(kit, "bea", 2), TEND_CLAIM_ACTIVE);
    run_ok(kit, "ana", "task edit Restock the fridge slots:2");
    assert_int_equal(task_of(kit, 2).slots, 2);
    assert_int_equal(task_of(kit, 1).slots, 1);
    run_ok(kit, "cam", "unclaim Restock the fridge");
    assert_int_equal(claim_state(kit, "cam", 1), -1);
    assert_int_equal(task_of(kit, 1).state, TEND_TASK_CANCELLED); /* the old one leaves the board */
    /* two that both fit: ask */
    run_ok(kit, "ana", "task add Errand for Ana");
    run_ok(kit, "ana", "task add Errand for Bea");
    testkit_run(kit, "dan", 0, "claim Errand");
    assert_true(testkit_said_has(kit, "A few open tasks match \"Errand\": #3, #4"));
    testkit_free(kit);
}

/* when: runs on over the words typed after it, as people type a time, and those words are not the
 * title; a bare number the time does not need stays in the title. */
static void a_time_typed_in_several_words_is_one_time(void **state)
{
    (void)state;
    testkit *kit = testkit_new();
    run_ok(kit, "ana", "task add Pantry drive when:thu 17:00 repeat:weekly");
    assert_string_equal(task_of(kit, 1).title, "Pantry drive");
    assert_int_equal(task_of(kit, 1).due_at, 1793898000); /* Thu 5 Nov 17:00 UTC */
    assert_true(testkit_said_has(kit, "when:\"thu 17:00\""));
    run_ok(kit, "ana", "task add Soup run when:nov 20 6 pm slots:2");
    assert_string_equal(task_of(kit, 2).title, "Soup run");
    assert_int_equal(task_of(kit, 2).due_at, 1795197600); /* Fri 20 Nov 18:00 */
    assert_int_equal(task_of(kit, 2).slots, 2);
    run_ok(kit, "ana", "task add when:fri 6 cans of soup");
    assert_string_equal(task_of(kit, 3).title, "6 cans of soup"); /* "fri" is whole; the 6 is the title's */
    run_ok(kit, "ana", "task add Coffee when:sat noon note: bring the key");
    assert_string_equal(task_of(kit, 4).title, "Coffee");
    assert_int_equal(task_of(kit, 4).due_at, 1794052800); /* Sat 7 Nov 12:00 */
    assert_string_equal(task_of(kit, 4).note, "bring the key");
    testkit_run(kit, "ana", 0, "task add Soup when:31 nov 18:00"); /* the whole impossible day is named */
    assert_true(testkit_said_has(kit, "when:\"31 nov 18:00\" names a day that doesn't exist"));
    run_ok(kit, "ana", "task edit 1 when:fri 18:30");
    assert_int_equal(task_of(kit, 1).due_at, 1793989800); /* Fri 6 Nov 18:30 */
    assert_string_equal(task_of(kit, 1).title, "Pantry drive");
    testkit_free(kit);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_author_edits_and_everyone_on_it_hears_privately),
        cmocka_unit_test(only_the_author_or_a_coordinator_may_change_a_task),
        cmocka_unit_test(edit_mistakes_change_nothing),
        cmocka_unit_test(cancelling_tells_everyone_on_it_and_leaves_the_board),
        cmocka_unit_test(cancelling_one_of_a_series_keeps_the_series_unless_told),
        cmocka_unit_test(a_long_board_says_how_many_more_there_are),
        cmocka_unit_test(every_command_takes_a_whole_title),
        cmocka_unit_test(words_after_a_number_are_explained_not_guessed),
        cmocka_unit_test(a_title_shared_by_two_means_the_one_that_fits),
        cmocka_unit_test(a_time_typed_in_several_words_is_one_time),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
