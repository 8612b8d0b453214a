/* test_help.c — a first week that explains itself: /help COMMAND with its usage and an example,
 * "did you mean" for a slip, the words that go after /task, and durations said the way people say
 * them. */
#include "testkit.h"

#include <stdio.h>
#include <string.h>

#include "bot/help.h"
#include "bot/parse.h"

static void every_command_has_an_example_that_runs_the_command_itself(void **state)
{
    (void)state;
    for (const tend_command_spec *c = tend_catalogue(); c->name; c++) {
        const char *example = tend_help_example(c->name);
        if (!example)
            fail_msg("/%s has no example in bot/catalogue.c", c->name);
        char start[64];
        snprintf(start, sizeof start, TEND_CMD "%s", c->name);
        if (strncmp(example, start, strlen(start)) != 0)
            fail_msg("the example of /%s starts with another command: %s", c->name, example + 1);
    }
}

static void help_for_one_command_shows_usage_and_an_example(void **state)
{
    (void)state;
    testkit *kit = testkit_new();
    assert_int_equal(testkit_run(kit, "ana", 0, "help claim"), 0);
    assert_int_equal(kit->out.count, 1);
    assert_true(testkit_said_has(kit, "/claim <task>\ntake a slot on a task."));
    assert_true(testkit_said_has(kit, "For example: /claim 12, or /claim Soup run"));
    assert_false(testkit_said_has(kit, "/thanks")); /* not the whole list */
    assert_int_equal(testkit_run(kit, "ana", 0, "help /task add"), 0);
    assert_true(testkit_said_has(kit, "/task add <title>"));
    assert_false(testkit_said_has(kit, "/task edit"));
    assert_int_equal(testkit_run(kit, "ana", 0, "help task"), 0);
    assert_true(testkit_said_has(kit, "The /task commands:\n/task add"));
    assert_true(testkit_said_has(kit, "/task edit <task>"));
    assert_true(testkit_said_has(kit, "/task cancel <task>"));
    assert_int_equal(testkit_run(kit, "ana", 0, "help setup"), 0);
    assert_true(testkit_said_has(kit, "(For coordinators.)"));
    assert_int_equal(testkit_run(kit, "ana", 0, "help clam"), 0);
    assert_true(testkit_said_has(kit, "I don't know /clam. Did you mean /claim?"));
    assert_int_equal(testkit_run(kit, "ana", 0, "help"), 0);
    assert_true(testkit_said_has(kit, "/help <command> shows how one goes"));
    testkit_free(kit);
}

static void a_slip_gets_did_you_mean_and_a_far_word_does_not(void **state)
{
    (void)state;
    char near[32];
    struct {
        const char *typed, *meant;
    } slips[] = {{"clam", "claim"}, {"tsks", "tasks"}, {"taks", "tasks"}, {"unclam", "unclaim"},
                 {"stepbak", "stepback"}, {"Thanks", NULL}, {"thank", "thanks"}, {"tas", "tasks"},
                 {"hepl", "help"}, {"xyzzy", NULL}, {"a", NULL}, {"", NULL}};
    for (size_t i = 0; i < sizeof slips / sizeof slips[0]; i++) {
        bool found = tend_help_suggest(slips[i].typed, near, sizeof near);
        if (!slips[i].meant && found)
            fail_msg("\"%s\" suggested %s", slips[i].typed, near);
        if (slips[i].meant && (!found || strcmp(near, slips[i].meant) != 0))
            fail_msg("\"%s\" should suggest %s, got %s", slips[i].typed, slips[i].meant, found ? near : "nothing");
    }
    testkit *kit = testkit_new();
    assert_int_equal(testkit_run(kit, "ana", 0, "clam 3"), 0);
    assert_int_equal(kit->out.count, 1);
    assert_true(testkit_said_has(kit, "I don't know /clam. Did you mean /claim?"));
    assert_int_equal(testkit_run(kit, "ana", 0, "task"), 0);
    assert_true(testkit_said_has(kit, "/task goes with one of: add, edit, cancel"));
    assert_int_equal(testkit_run(kit, "ana", 0, "task remove 3"), 0);
    assert_true(testkit_said_has(kit, "/task goes with one of: add, edit, cancel"));
    assert_int_equal(testkit_run(kit, "ana", 0, "frobnicate"), 0);
    assert_true(testkit_said_has(kit, "I don't know /frobnicate. /help lists"));
    testkit_free(kit);
}

static void durations_as_people_say_them(void **state)
{
    (void)state;
    struct {
        const char *text;
        int64_t seconds;
    } ok[] = {{"3d", 3 * 86400},      {"3 days", 3 * 86400}, {"3days", 3 * 86400}, {"a week", 7 * 86400},
              {"2 weeks", 14 * 86400}, {"1 day", 86400},      {"an hour", 3600},     {"30 minutes", 1800},
              {"12h", 12 * 3600},      {"2 Weeks", 14 * 86400}};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        int64_t s = 0;
        if (tend_parse_duration(ok[i].text, &s) != 0 || s != ok[i].seconds)
            fail_msg("\"%s\" read as %lld", ok[i].text, (long long)s);
    }
    const char *bad[] = {"soon", "3", "days", "a", "-1w", "0d", "3 fortnights", "53 weeks", "a week ago", "1w2", NULL};
    for (size_t i = 0; bad[i]; i++) {
        int64_t s = 42;
        if (tend_parse_duration(bad[i], &s) == 0)
            fail_msg("\"%s\" was accepted", bad[i]);
    }
    size_t used = 0;
    int64_t s = 0;
    assert_int_equal(tend_parse_duration_words("3", "days", &s, &used), 0);
    assert_int_equal(used, 2);
    assert_int_equal(tend_parse_duration_words("3d", "tired", &s, &used), 0);
    assert_int_equal(used, 1);

    testkit *kit = testkit_new();
    assert_int_equal(testkit_run(kit, "ana", 0, "stepback 3 days tired out"), 0);
    assert_true(testkit_said_has(kit, "You're off until Thursday 5 November"));
    tend_group g;
    tend_member m;
    tend_rest r;
    assert_int_equal(tend_store_group_get(kit->store, kit->group_key, &g), TEND_STORE_OK);
    assert_int_equal(tend_store_member_get(kit->store, g.id, "ana", &m), TEND_STORE_OK);
    assert_int_equal(tend_store_rest_current(kit->store, m.id, &r), TEND_STORE_OK);
    assert_string_equal(r.note, "tired out");
    assert_int_equal(r.until, TESTKIT_START + 3 * 86400);
    assert_int_equal(testkit_run(kit, "ana", 1, "pause-new 2 weeks"), 0);
    assert_true(testkit_said_has(kit, "no new tasks until"));
    testkit_free(kit);
}

static size_t count_kind(testkit *kit, const char *kind)
{
    size_t n = 0;
    for (size_t i = 0; i < kit->out.count; i++)
        n += strcmp(kit->out.items[i].kind, kind) == 0;
    return n;
}

static void a_first_command_in_a_shared_room_gets_one_private_welcome(void **state)
{
    (void)state;
    testkit *kit = testkit_new();
    snprintf(kit->group_key, sizeof kit->group_key, "discord:42");
    assert_int_equal(testkit_run(kit, "ana", 0, "tasks"), 0);
    assert_int_equal(count_kind(kit, "welcome.first"), 1);
    const tend_message *w = &kit->out.items[kit->out.count - 1]; /* after the answer */
    assert_string_equal(w->kind, "welcome.first");
    assert_int_equal(w->audience, TEND_TO_PRIVATE);
    assert_string_equal(w->member_key, "ana");
    assert_true(testkit_said_has(kit, "/claim 12"));
    assert_true(testkit_said_has(kit, "/help lists the rest"));
    assert_int_equal(testkit_run(kit, "ana", 0, "tasks"), 0);
    assert_int_equal(count_kind(kit, "welcome.first"), 0); /* once */
    /* a mistake changes nothing, the welcome included: it comes with the next answer */
    assert_int_equal(testkit_run(kit, "bea", 0, "claim 99"), 0);
    assert_int_equal(count_kind(kit, "welcome.first"), 0);
    assert_int_equal(testkit_run(kit, "bea", 0, "me"), 0);
    assert_int_equal(count_kind(kit, "welcome.first"), 1);
    /* the console is one person at a keyboard: no welcome there */
    snprintf(kit->group_key, sizeof kit->group_key, "console:demo");
    assert_int_equal(testkit_run(kit, "cam", 0, "tasks"), 0);
    assert_int_equal(count_kind(kit, "welcome.first"), 0);
    testkit_free(kit);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_command_has_an_example_that_runs_the_command_itself),
        cmocka_unit_test(help_for_one_command_shows_usage_and_an_example),
        cmocka_unit_test(a_slip_gets_did_you_mean_and_a_far_word_does_not),
        cmocka_unit_test(durations_as_people_say_them),
        cmocka_unit_test(a_first_command_in_a_shared_room_gets_one_private_welcome),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
