/*
 * test_icu_lazy.c — ICU is opened on first use (lib/icu.h), not at start: a bot whose members are
 * known and type ASCII never maps it, and the first name that needs it gets the same answer as
 * before: a look-alike refused, a newcomer told apart. cmocka runs the tests in order in one
 * process, so the order below is the story (testkit_free unloads ICU, like the bot at exit).
 */
#include "testkit.h"

#include <stdio.h>
#include <string.h>

#include "bot/names.h"
#include "bot/words.h"
#include "lib/icu.h"

/* Whether /proc/self/maps names ICU's library: the claim is about memory, so look at the mappings. */
static int icu_mapped(void)
{
    FILE *f = fopen("/proc/self/maps", "r");
    assert_non_null(f);
    char line[512];
    int found = 0;
    while (fgets(line, sizeof line, f))
        found |= strstr(line, "libicui18n") != NULL;
    fclose(f);
    return found;
}

static void a_bot_that_needs_no_unicode_work_never_maps_icu(void **state)
{
    (void)state;
    assert_false(tend_icu_loaded());
    assert_false(icu_mapped());
    testkit *kit = testkit_new();
    /* a bot made, its store opened, ASCII words folded: nothing needs ICU */
    char folded[64];
    assert_int_equal(tend_words_fold("Thanks For", 10, folded, sizeof folded), 0);
    assert_string_equal(folded, "thanks for");
    assert_false(tend_icu_loaded());
    assert_false(icu_mapped());
    testkit_free(kit);
}

static void the_first_name_checked_loads_it_and_a_lookalike_is_refused(void **state)
{
    (void)state;
    testkit *kit = testkit_new();
    /* ana is new: her name is checked, which opens ICU */
    assert_int_equal(testkit_run(kit, "ana", 0, "task add \"Soup run\""), 0);
    assert_true(tend_icu_loaded());
    assert_true(icu_mapped());
    /* and the checks are ICU's: a Cyrillic capital A and a zero-width space do not pass for her */
    assert_int_equal(testkit_run(kit, "bea", 0, "profile name:\u0410NA"), 0);
    assert_true(testkit_said_has(kit, "looks just like"));
    tend_messages_clear(&kit->out);
    tend_request req = {.group_key = kit->group_key, .channel_key = "console:channel", .member_key = "U-other",
                        .member_name = "an\u200ba", .place = TEND_PLACE_PRIVATE, .text = "claim 1"};
    assert_int_equal(tend_bot_handle(kit->bot, &req, &kit->out), 0);
    tend_group g;
    tend_member other;
    assert_int_equal(tend_store_group_get(kit->store, kit->group_key, &g), TEND_STORE_OK);
    assert_int_equal(tend_store_member_get(kit->store, g.id, "U-other", &other), TEND_STORE_OK);
    assert_string_equal(other.name, "ana (2)");
    testkit_free(kit);
}

static void accented_words_fold_through_the_loaded_library_and_again_after_unloading(void **state)
{
    (void)state;
    char folded[64];
    assert_int_equal(tend_words_fold("Für", strlen("Für"), folded, sizeof folded), 0);
    assert_string_equal(folded, "fur");
    tend_names_cleanup(); /* what the bot does at exit: ICU released and unmapped */
    assert_false(tend_icu_loaded());
    assert_false(icu_mapped());
    /* a later use opens it again */
    assert_int_equal(tend_words_fold("Qu\u00c9", strlen("Qu\u00c9"), folded, sizeof folded), 0);
    assert_string_equal(folded, "que");
    assert_true(tend_names_look_alike("Ana", "\u0410na"));
    assert_false(tend_names_look_alike("Ana", "Anna"));
    tend_names_cleanup();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_bot_that_needs_no_unicode_work_never_maps_icu),
        cmocka_unit_test(the_first_name_checked_loads_it_and_a_lookalike_is_refused),
        cmocka_unit_test(accented_words_fold_through_the_loaded_library_and_again_after_unloading),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
