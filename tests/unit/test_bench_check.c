/* test_bench_check.c — the benchmark driver's judge of first answers (bench/check.c): a right answer
 * of each kind passes, and each way an answer can be wrong for a member (wrong callback type, no
 * content, a private thing in public, a public thing hidden, a choice that is no task) is caught, so
 * "answered" in bench/run and bench/side-by-side means what it says for tend and the reference bot. */
#include "testkit.h"

#include <string.h>

#include "bench/check.c" /* the driver's own source: no library of its own to link */

static const char *judge(check_kind k, const char *body)
{
    return check_callback(k, body, strlen(body), 30);
}

#define PRIVATE_MSG(text) "{\"type\":4,\"data\":{\"content\":\"" text "\",\"flags\":64}}"
#define PUBLIC_MSG(text) "{\"type\":4,\"data\":{\"content\":\"" text "\",\"allowed_mentions\":{\"parse\":[]}}}"

static void right_answers_pass(void **state)
{
    (void)state;
    assert_null(judge(KIND_TASKS, PRIVATE_MSG("Open tasks:\\n#11 Soup run (0 of 2 hands)")));
    assert_null(judge(KIND_CLAIM, PRIVATE_MSG("#12 Soup run (1 of 2 hands) is yours. Thank you!")));
    assert_null(judge(KIND_BUTTON_CLAIM, PRIVATE_MSG("#11 is already done.")));
    assert_null(judge(KIND_CHECKIN, PRIVATE_MSG("Thanks for checking in.")));
    assert_null(judge(KIND_DONE, PUBLIC_MSG("🎉 #11 Soup run is done! Thank you, <@12>.")));
    assert_null(judge(KIND_DONE, PRIVATE_MSG("#20 is already marked done. Thank you all the same!")));
    assert_null(judge(KIND_THANKS, PUBLIC_MSG("💛 Ana thanks <@12> for the soup run!")));
    assert_null(judge(KIND_THANKS, PRIVATE_MSG("That's 5 thanks in the last day already. More tomorrow!")));
    assert_null(judge(KIND_AUTOCOMPLETE, "{\"type\":8,\"data\":{\"choices\":[{\"name\":\"#11 Soup\",\"value\":\"11\"}]}}"));
    assert_null(judge(KIND_AUTOCOMPLETE, "{\"type\":8,\"data\":{\"choices\":[]}}"));
}

static void a_polite_slow_down_is_counted_apart(void **state)
{
    (void)state;
    const char *why = judge(KIND_CLAIM, PRIVATE_MSG("That's a lot of commands in a minute; give me a moment and try again."));
    assert_ptr_equal(why, check_throttled);
    /* the same words in the channel are not private, so they are no answer to a claim */
    assert_non_null(judge(KIND_CLAIM, PUBLIC_MSG("That's a lot of commands in a minute; try again.")));
}

static void private_things_said_in_public_are_wrong(void **state)
{
    (void)state;
    assert_string_equal(judge(KIND_CHECKIN, PUBLIC_MSG("Thanks for checking in.")), "a check-in answered in public");
    assert_string_equal(judge(KIND_BUTTON_CHECKIN, PUBLIC_MSG("Glad to hear it. Thanks for checking in.")),
                        "a check-in answered in public");
    assert_string_equal(judge(KIND_CLAIM, PUBLIC_MSG("#12 is yours.")), "a claim answered in public");
    assert_string_equal(judge(KIND_TASKS, PUBLIC_MSG("Open tasks:\\n#11 Soup run")), "a board answered in public");
    assert_string_equal(judge(KIND_DONE, PUBLIC_MSG("You haven't claimed #12, so I can't mark it.")),
                        "a /done refusal answered in public");
    assert_string_equal(judge(KIND_THANKS, PUBLIC_MSG("Thank you for the soup run!")), "a public thanks that names nobody");
}

static void wrong_shapes_and_contents_are_caught(void **state)
{
    (void)state;
    assert_non_null(judge(KIND_CLAIM, "not json"));
    assert_non_null(judge(KIND_CLAIM, "{\"type\":5}"));                           /* deferred: no answer yet */
    assert_non_null(judge(KIND_CLAIM, "{\"type\":4,\"data\":{\"content\":\"\",\"flags\":64}}"));
    assert_non_null(judge(KIND_CHECKIN, PRIVATE_MSG("Something went wrong on my side; please try again.")));
    assert_non_null(judge(KIND_TASKS, PRIVATE_MSG("Hello!")));
    assert_non_null(judge(KIND_AUTOCOMPLETE, PRIVATE_MSG("#11 Soup run")));      /* a message, not choices */
    assert_non_null(judge(KIND_AUTOCOMPLETE, "{\"type\":8,\"data\":{}}"));
    assert_non_null(judge(KIND_AUTOCOMPLETE, "{\"type\":8,\"data\":{\"choices\":[{\"name\":\"#31\",\"value\":\"31\"}]}}"));
    assert_non_null(judge(KIND_AUTOCOMPLETE, "{\"type\":8,\"data\":{\"choices\":[{\"name\":\"Soup\",\"value\":\"soup\"}]}}"));
    assert_non_null(judge(KIND_AUTOCOMPLETE, "{\"type\":8,\"data\":{\"choices\":[{\"name\":\"\",\"value\":\"11\"}]}}"));
}

static void kinds_come_from_the_mix(void **state)
{
    (void)state;
    const char *claim_button = "{\"custom_id\":\"tend:claim 12\",\"component_type\":2}";
    const char *checkin_button = "{\"custom_id\":\"tend:checkin great\",\"component_type\":2}";
    assert_int_equal(check_kind_of("button", claim_button, strlen(claim_button)), KIND_BUTTON_CLAIM);
    assert_int_equal(check_kind_of("button", checkin_button, strlen(checkin_button)), KIND_BUTTON_CHECKIN);
    assert_int_equal(check_kind_of("thanks", "", 0), KIND_THANKS);
    assert_int_equal(check_kind_of("autocomplete", "", 0), KIND_AUTOCOMPLETE);
    assert_int_equal(check_kind_of("something else", "", 0), KIND_NONE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(right_answers_pass),
        cmocka_unit_test(a_polite_slow_down_is_counted_apart),
        cmocka_unit_test(private_things_said_in_public_are_wrong),
        cmocka_unit_test(wrong_shapes_and_contents_are_caught),
        cmocka_unit_test(kinds_come_from_the_mix),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
