/* test_router.c — the router: unknown commands, parsing failures, permissions, cleaning input. */
#include "testkit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bot/args.h"
#include "store/store_people.h"
#include "store/store_process.h"

static void unknown_command_gets_one_private_line(void **state)
{
    (void)state;
    testkit *kit = testkit_new();
    assert_int_equal(testkit_run(kit, "ana", 0, "frobnicate 12"), 0);
    assert_int_equal(kit->out.count, 1);
    assert_int_equal(kit->out.items[0].audience, TEND_TO_PRIVATE);
    assert_true(testkit_said_has(kit, "I don't know /frobnicate"));
    assert_true(testkit_said_has(kit, "/help"));
    testkit_free(kit);
}

static void empty_and_unbalanced_quotes_are_explained(void **state)
{
    (void)state;
    testkit *kit = testkit_new();
    testkit_run(kit, "ana", 0, "   ");
    assert_int_equal(kit->out.count, 1);
    assert_true(testkit_said_has(kit, "/help"));
    testkit_run(kit, "ana", 0, "task add \"never closed");
    assert_int_equal(kit->out.count, 1);
    assert_true(testkit_said_has(kit, "never closed"));
    testkit_free(kit);
}

/* Text that is not UTF-8 (a Discord or Matrix client should never send it, the console may) is
 * answered with one line and nothing is stored as it came. */
static void text_that_is_not_utf8_changes_nothing(void **state)
{
    (void)state;
    testkit *kit = testkit_new();
    int before = -1, after = -1;
    assert_int_equal(tend_store_debug_find_text(kit->store, "Soup", &before), TEND_STORE_OK);
    testkit_run(kit, "ana", 0, "task add Soup \xff\xfe run");
    assert_int_equal(kit->out.count, 1);
    assert_int_equal(kit->out.items[0].audience, TEND_TO_PRIVATE);
    assert_true(testkit_said_has(kit, "isn't text I can read"));
    testkit_run(kit, "ana", 0, "task add Soup \xed\xa0\x80");
    assert_true(testkit_said_has(kit, "isn't text I can read"));
    assert_int_equal(tend_store_debug_find_text(kit->store, "Soup", &after), TEND_STORE_OK);
    assert_int_equal(after, before);
    testkit_free(kit);
}

static void args_split_words_quotes_and_options(void **state)
{
    (void)state;
    tend_member_ref refs[] = {{"U1", "Bea"}};
    tend_args *a = NULL;
    char err[100];
    assert_int_equal(tend_args_parse("task add \"Soup run\" slots:2 when:\"fri 18:00\" Meeting: x \x1E"
                                     "0\x1F",
                                     refs, 1, &a, err, sizeof err),
                     0);
    assert_string_equal(tend_args_word(a, 2), "Soup run");
    assert_string_equal(tend_args_named(a, "slots"), "2");
    assert_string_equal(tend_args_named(a, "when"), "fri 18:00");
    assert_string_equal(tend_args_word(a, 3), "Meeting:");
    assert_string_equal(tend_args_word(a, 5), "@Bea");
    assert_ptr_equal(tend_args_ref(a, 5), &refs[0]);
    tend_args_shift(a, 2);
    char *joined = tend_args_join(a, 0);
    assert_string_equal(joined, "Soup run Meeting: x @Bea");
    free(joined);
    tend_args_free(a);
    /* a marker pointing past the refs is plain text, never a reference */
    assert_int_equal(tend_args_parse("thanks \x1E" "5\x1F", refs, 1, &a, err, sizeof err), 0);
    assert_null(tend_args_ref(a, 1));
    tend_args_free(a);
}

static void free_text_keeps_what_was_typed(void **state)
{
    (void)state;
    tend_args *a = NULL;
    char err[100];
    assert_int_equal(tend_args_parse("feedback note: the \"rota\"  is  hard", NULL, 0, &a, err, sizeof err), 0);
    tend_args_shift(a, 1);
    assert_string_equal(tend_args_rest(a, 0), "note: the \"rota\"  is  hard");
    assert_string_equal(tend_args_rest(a, 1), "\"rota\"  is  hard");
    assert_string_equal(tend_args_rest(a, 9), "");
    tend_args_free(a);
    /* a long note is many words: still one command, not "too many words" */
    char *line = malloc(20000);
    strcpy(line, "feedback");
    for (int i = 0; i < 2000; i++)
        strcat(line, " word");
    assert_int_equal(tend_args_parse(line, NULL, 0, &a, err, sizeof err), 0);
    assert_int_equal(tend_args_count(a), 2001);
    tend_args_free(a);
    free(line);
}

static int run_event(testkit *kit, const char *name, const char *text, const char *event_id)
{
    tend_messages_clear(&kit->out);
    tend_request req = {.group_key = kit->group_key, .channel_key = "c", .member_key = name,
                        .member_name = name, .text = text, .event_id = event_id};
    return tend_bot_handle(kit->bot, &req, &kit->out);
}

static void a_replayed_event_is_never_answered_twice(void **state)
{
    (void)state;
    testkit *kit = testkit_new();
    assert_int_equal(run_event(kit, "ana", "task add Soup run", "ev1"), 0);
    assert_true(testkit_said_has(kit, "#1 Soup run"));
    /* the platform delivers it again (a resume, a restart before the sync token moved) */
    assert_int_equal(run_event(kit, "ana", "task add Soup run", "ev1"), TEND_BOT_DUPLICATE);
    assert_int_equal(kit->out.count, 0);
    tend_task t;
    assert_int_equal(tend_store_task_get(kit->store, 1, 2, &t), TEND_STORE_NOTFOUND);
    /* a refusal is remembered too: its answer was given once */
    assert_int_equal(run_event(kit, "ana", "claim 99", "ev2"), 0);
    assert_int_equal(kit->out.count, 1);
    assert_int_equal(run_event(kit, "ana", "claim 99", "ev2"), TEND_BOT_DUPLICATE);
    assert_int_equal(kit->out.count, 0);
    /* the same event id on another platform is another event */
    snprintf(kit->group_key, sizeof kit->group_key, "matrix:!room");
    assert_int_equal(run_event(kit, "ana", "tasks", "ev1"), 0);
    assert_int_equal(kit->out.count, 2); /* the answer, and ana's one-time welcome in this room */
    assert_string_equal(kit->out.items[1].kind, "welcome.first");
    /* without an event id (the console) nothing is deduplicated */
    assert_int_equal(run_event(kit, "ana", "tasks", NULL), 0);
    assert_int_equal(run_event(kit, "ana", "tasks", NULL), 0);
    assert_int_equal(kit->out.count, 1);
    testkit_free(kit);
}

static int run_at(testkit *kit, const char *name, const char *text, const char *event_id, tend_place place)
{
    tend_messages_clear(&kit->out);
    tend_request req = {.group_key = kit->group_key, .channel_key = "c", .member_key = name,
                        .member_name = name, .text = text, .event_id = event_id, .place = place};
    return tend_bot_handle(kit->bot, &req, &kit->out);
}

/* A check-in typed in a group chat (Signal) records nothing, not even the member, and says so
 * privately; typed in the private chat it is recorded; what is public anyway runs anywhere. */
static void a_private_command_typed_where_others_read_records_nothing(void **state)
{
    (void)state;
    testkit *kit = testkit_new();
    snprintf(kit->group_key, sizeof kit->group_key, "signal:grp");
    assert_int_equal(run_at(kit, "ana", "checkin low so tired", "ev1", TEND_PLACE_SHARED), 0);
    assert_int_equal(kit->out.count, 1);
    assert_int_equal(kit->out.items[0].audience, TEND_TO_PRIVATE);
    assert_true(testkit_said_has(kit, "stays between us"));
    assert_true(testkit_said_has(kit, "/checkin to me in our private chat"));
    assert_false(testkit_said_has(kit, "so tired"));
    tend_group g;
    assert_int_equal(tend_store_group_get(kit->store, kit->group_key, &g), TEND_STORE_NOTFOUND);
    /* answered once: the same event again is a replay */
    assert_int_equal(run_at(kit, "ana", "checkin low so tired", "ev1", TEND_PLACE_SHARED), TEND_BOT_DUPLICATE);
    const char *private_ones[] = {"feedback the rota is hard", "stepback 1w", "me", "capacity 2",
                                  "profile pronouns:she", "nudges off", "export", "forgetme"};
    for (size_t i = 0; i < sizeof private_ones / sizeof private_ones[0]; i++) {
        assert_int_equal(run_at(kit, "ana", private_ones[i], NULL, TEND_PLACE_SHARED), 0);
        assert_true(testkit_said_has(kit, "stays between us"));
    }
    assert_int_equal(tend_store_group_get(kit->store, kit->group_key, &g), TEND_STORE_NOTFOUND);
    /* the group's own business runs in the group */
    assert_int_equal(run_at(kit, "ana", "task add Soup run", "ev2", TEND_PLACE_SHARED), 0);
    assert_true(testkit_said_has(kit, "#1 Soup run"));
    /* and the check-in, typed in the private chat, is recorded */
    assert_int_equal(run_at(kit, "ana", "checkin low so tired", "ev3", TEND_PLACE_PRIVATE), 0);
    assert_false(testkit_said_has(kit, "stays between us"));
    assert_int_equal(tend_store_group_get(kit->store, kit->group_key, &g), TEND_STORE_OK);
    tend_member m;
    tend_checkin c;
    assert_int_equal(tend_store_member_get(kit->store, g.id, "ana", &m), TEND_STORE_OK);
    assert_int_equal(tend_store_checkin_latest(kit->store, m.id, &c), TEND_STORE_OK);
    assert_string_equal(c.energy, "low");
    /* a request that does not say where (a tool's) is not affected */
    assert_int_equal(run_at(kit, "bo", "checkin ok", NULL, TEND_PLACE_UNSAID), 0);
    assert_false(testkit_said_has(kit, "stays between us"));
    testkit_free(kit);
}

static void text_clean_strips_markers_and_cuts_on_characters(void **state)
{
    (void)state;
    char *c = tend_text_clean("a\x1E" "0\x1F\x1D" "b\tc\nd", 100);
    assert_string_equal(c, "a0b\tc\nd");
    free(c);
    c = tend_text_clean("h\xC3\xA9llo", 2); /* "hé…" cut inside é keeps only "h" */
    assert_string_equal(c, "h");
    free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(unknown_command_gets_one_private_line),
        cmocka_unit_test(empty_and_unbalanced_quotes_are_explained),
        cmocka_unit_test(text_that_is_not_utf8_changes_nothing),
        cmocka_unit_test(args_split_words_quotes_and_options),
        cmocka_unit_test(text_clean_strips_markers_and_cuts_on_characters),
        cmocka_unit_test(free_text_keeps_what_was_typed),
        cmocka_unit_test(a_replayed_event_is_never_answered_twice),
        cmocka_unit_test(a_private_command_typed_where_others_read_records_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
