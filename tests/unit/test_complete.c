/* The tasks offered while a member types one into a command: /done and /unclaim offer the member's
 * own claims (not the whole board), /claim the open tasks they do not hold, handoff accept the
 * tasks offered to them, /task edit and /task cancel every open task; narrowed by what they typed;
 * nothing for a stranger; labels cut whole. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "bot/bot.h"
#include "testkit.h"

static void run_ok(testkit *kit, const char *who, const char *text)
{
    assert_int_equal(testkit_run(kit, who, 0, text), 0);
    assert_true(kit->out.count >= 1);
    assert_string_not_equal(kit->out.items[0].kind, "error");
}

/* The offered task numbers as "1,3" (or "" for none). */
static const char *offered(testkit *kit, const char *who, const char *command, const char *typed)
{
    static char list[256];
    tend_choice c[TEND_MAX_CHOICES];
    size_t n = tend_bot_complete(tend_bot_env(kit->bot), kit->group_key, who, command, typed, c,
                                 TEND_MAX_CHOICES);
    size_t o = 0;
    list[0] = '\0';
    for (size_t i = 0; i < n; i++)
        o += (size_t)snprintf(list + o, sizeof list - o, "%s%s", i ? "," : "", c[i].value);
    return list;
}

/* #1 Soup run (bea), #2 Pantry shift, #3 Bike repair (1 slot: bea holds it, cara waits), #4 Tea */
static testkit *board(void)
{
    testkit *kit = testkit_new();
    run_ok(kit, "ana", "task add \"Soup run\"");
    run_ok(kit, "ana", "task add \"Pantry shift\"");
    run_ok(kit, "ana", "task add \"Bike repair\" slots:1");
    run_ok(kit, "ana", "task add Tea");
    run_ok(kit, "bea", "claim 1");
    run_ok(kit, "bea", "claim 3");
    run_ok(kit, "cara", "claim 3");
    return kit;
}

static void done_and_unclaim_offer_the_members_own_claims(void **state)
{
    (void)state;
    testkit *kit = board();
    assert_string_equal(offered(kit, "bea", "done", NULL), "1,3");
    assert_string_equal(offered(kit, "bea", "unclaim", ""), "1,3");
    assert_string_equal(offered(kit, "bea", "done bike", "bike"), "3");
    /* cara only waits on #3: nothing to finish, but she can leave the waitlist */
    assert_string_equal(offered(kit, "cara", "done", NULL), "");
    assert_string_equal(offered(kit, "cara", "unclaim", NULL), "3");
    assert_string_equal(offered(kit, "bea", "handoff", NULL), "1,3");
    /* a member tend has not met, and a group it does not know, hold nothing */
    assert_string_equal(offered(kit, "dan", "done", NULL), "");
    tend_choice c[TEND_MAX_CHOICES];
    assert_int_equal(tend_bot_complete(tend_bot_env(kit->bot), "discord:404", "bea", "done", NULL, c,
                                       TEND_MAX_CHOICES), 0);
    /* a finished task is no longer offered */
    run_ok(kit, "bea", "done 1");
    assert_string_equal(offered(kit, "bea", "done", NULL), "3");
    testkit_free(kit);
}

static void claim_offers_the_open_tasks_not_held_yet(void **state)
{
    (void)state;
    testkit *kit = board();
    assert_string_equal(offered(kit, "bea", "claim", NULL), "2,4");
    assert_string_equal(offered(kit, "cara", "claim", NULL), "1,2,4");
    assert_string_equal(offered(kit, "dan", "claim", NULL), "1,2,3,4");
    assert_string_equal(offered(kit, "dan", "claim", "PANTRY"), "2");
    assert_string_equal(offered(kit, "dan", "claim", "#4"), "4");
    assert_string_equal(offered(kit, "dan", "claim", "nothing like it"), "");
    testkit_free(kit);
}

static void task_edit_and_cancel_offer_the_whole_open_board(void **state)
{
    (void)state;
    testkit *kit = board();
    /* what bea holds is offered too, unlike for /claim; whether she may change it is the handler's call */
    assert_string_equal(offered(kit, "bea", "task edit", NULL), "1,2,3,4");
    assert_string_equal(offered(kit, "ana", "task cancel", "bike"), "3");
    run_ok(kit, "ana", "task cancel 2");
    assert_string_equal(offered(kit, "ana", "task edit", NULL), "1,3,4");
    testkit_free(kit);
}

static void handoff_accept_offers_what_was_offered(void **state)
{
    (void)state;
    testkit *kit = board();
    run_ok(kit, "dan", "tasks");
    run_ok(kit, "bea", "handoff 1 @dan");
    assert_string_equal(offered(kit, "dan", "handoff accept", NULL), "1");
    assert_string_equal(offered(kit, "dan", "handoff decline 1", NULL), "1");
    assert_string_equal(offered(kit, "cara", "handoff accept", NULL), "");
    run_ok(kit, "dan", "handoff accept 1");
    assert_string_equal(offered(kit, "dan", "handoff accept", NULL), "");
    assert_string_equal(offered(kit, "dan", "done", NULL), "1");
    testkit_free(kit);
}

static void at_most_max_and_labels_cut_on_a_character(void **state)
{
    (void)state;
    testkit *kit = testkit_new();
    /* 60 two-byte letters: longer than a label, and no cut may split one */
    char title[121] = "";
    for (int i = 0; i < 60; i++)
        memcpy(title + 2 * i, "\xC3\xA9", 3);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "task add \"%s\"", title);
    for (int i = 0; i < 30; i++)
        run_ok(kit, "ana", cmd);
    tend_choice c[TEND_MAX_CHOICES];
    size_t n = tend_bot_complete(tend_bot_env(kit->bot), kit->group_key, "bea", "claim", NULL, c, 3);
    assert_int_equal(n, 3);
    n = tend_bot_complete(tend_bot_env(kit->bot), kit->group_key, "bea", "claim", NULL, c, TEND_MAX_CHOICES);
    assert_int_equal(n, TEND_MAX_CHOICES);
    size_t len = strlen(c[0].name);
    assert_true(len < sizeof c[0].name && len > 100);
    assert_int_equal(strncmp(c[0].name, "#1 ", 3), 0);
    assert_string_equal(c[0].value, "1");
    assert_int_equal((len - 3) % 2, 0); /* whole letters only */
    assert_int_equal((unsigned char)c[0].name[len - 1], 0xA9);
    testkit_free(kit);
}

/* A kind: option offers the group's own words, most used first, narrowed by what was typed; one
 * group's words never show in another's. */
static void kinds_are_the_groups_own_words(void **state)
{
    (void)state;
    testkit *kit = testkit_new();
    tend_choice c[TEND_MAX_CHOICES];
    assert_int_equal(tend_bot_complete_kind(tend_bot_env(kit->bot), kit->group_key, "", c, TEND_MAX_CHOICES), 0);
    run_ok(kit, "ana", "task add Soup for Friday kind:cooking");
    run_ok(kit, "ana", "task add Pantry drive kind:driving");
    run_ok(kit, "ana", "task add Clinic drive kind:driving");
    size_t n = tend_bot_complete_kind(tend_bot_env(kit->bot), kit->group_key, NULL, c, TEND_MAX_CHOICES);
    assert_int_equal(n, 2);
    assert_string_equal(c[0].value, "driving");
    assert_string_equal(c[1].value, "cooking");
    n = tend_bot_complete_kind(tend_bot_env(kit->bot), kit->group_key, "COOK", c, TEND_MAX_CHOICES);
    assert_int_equal(n, 1);
    assert_string_equal(c[0].name, "cooking");
    assert_int_equal(tend_bot_complete_kind(tend_bot_env(kit->bot), "discord:404", NULL, c, TEND_MAX_CHOICES), 0);
    testkit_free(kit);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(done_and_unclaim_offer_the_members_own_claims),
        cmocka_unit_test(claim_offers_the_open_tasks_not_held_yet),
        cmocka_unit_test(task_edit_and_cancel_offer_the_whole_open_board),
        cmocka_unit_test(handoff_accept_offers_what_was_offered),
        cmocka_unit_test(at_most_max_and_labels_cut_on_a_character),
        cmocka_unit_test(kinds_are_the_groups_own_words),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
