/*
 * test_privacy.c — issue 12's promises in the core: private commands only where nobody else
 * reads, suggestions that nothing ties to their author, exports and aggregates that cannot point
 * at anyone, and names that cannot pass for someone else's.
 */
#include "testkit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bot/privacy.h"

static int cells_with(testkit *kit, const char *needle)
{
    int n = -1;
    assert_int_equal(tend_store_debug_find_text(kit->store, needle, &n), TEND_STORE_OK);
    return n;
}

static int run_in(testkit *kit, const char *group_key, const char *name, int in_public, const char *text)
{
    char saved[64];
    snprintf(saved, sizeof saved, "%s", kit->group_key);
    snprintf(kit->group_key, sizeof kit->group_key, "%s", group_key);
    kit->in_public = in_public;
    int rc = testkit_run(kit, name, 0, text);
    snprintf(kit->group_key, sizeof kit->group_key, "%s", saved);
    kit->in_public = 0;
    return rc;
}

/* ---------------------------------------------------------------- private commands in the open */

static const char *const private_commands[] = {
    "checkin low wrecked-qz7",  "stepback 1w wrecked-qz7",   "back",       "me",
    "capacity 2",               "profile pronouns:qz7/qz7", "nudges off", "feedback wrecked-qz7 idea",
    "export",                   "forgetme confirm",
};

static void a_private_command_typed_in_the_open_records_nothing(void **state)
{
    (void)state;
    static const char *const platforms[] = {"matrix:!room:x", "discord:81", "console:test"};
    static const char *const hints[] = {"Send it here instead", "slash command", ":dm"};
    for (size_t p = 0; p < 3; p++) {
        for (size_t i = 0; i < sizeof private_commands / sizeof private_commands[0]; i++) {
            testkit *kit = testkit_new();
            assert_int_equal(run_in(kit, platforms[p], "qz7-stranger", 1, private_commands[i]), 0);
            /* one word, to the member alone, saying where to send it */
            assert_int_equal(kit->out.count, 1);
            const tend_message *m = &kit->out.items[0];
            assert_int_equal(m->audience, TEND_TO_PRIVATE);
            assert_string_equal(m->member_key, "qz7-stranger");
            assert_string_equal(m->kind, TEND_KIND_PRIVATE_ONLY);
            assert_non_null(strstr(m->text, hints[p]));
            /* nothing was written: not the note, not the member, not even the group */
            assert_int_equal(cells_with(kit, "qz7"), 0);
            tend_group g;
            assert_int_equal(tend_store_group_get(kit->store, platforms[p], &g), TEND_STORE_NOTFOUND);
            testkit_free(kit);
        }
    }
}

static void the_same_commands_work_in_private_and_public_ones_anywhere(void **state)
{
    (void)state;
    testkit *kit = testkit_new();
    assert_int_equal(run_in(kit, "matrix:!room:x", "ana", 0, "checkin low wrecked-qz7"), 0);
    assert_string_equal(kit->out.items[0].kind, "checkin");
    assert_int_equal(cells_with(kit, "wrecked-qz7"), 1);
    /* group commands are fine where everyone reads, and from the private chat */
    assert_int_equal(run_in(kit, "matrix:!room:x", "ana", 1, "task add \"Soup run\""), 0);
    assert_int_equal(kit->out.items[0].audience, TEND_TO_PUBLIC);
    assert_int_equal(run_in(kit, "matrix:!room:x", "ana", 0, "claim 1"), 0);
    assert_true(testkit_said_has(kit, "yours"));
    testkit_free(kit);
}

static void only_discord_taps_on_a_public_post_stay_private(void **state)
{
    (void)state;
    assert_true(tend_privacy_taps_are_private("discord"));
    assert_false(tend_privacy_taps_are_private("matrix"));
    assert_false(tend_privacy_taps_are_private("console"));
    assert_false(tend_privacy_taps_are_private("signal"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_private_command_typed_in_the_open_records_nothing),
        cmocka_unit_test(the_same_commands_work_in_private_and_public_ones_anywhere),
        cmocka_unit_test(only_discord_taps_on_a_public_post_stay_private),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
