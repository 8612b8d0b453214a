/* Discord events as requests: slash commands become console text, user options become references,
 * and nothing a member types can carry a marker or a ping. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "adapters/discord/internal.h"

#define MEMBER(perms) "\"member\":{\"nick\":null,\"permissions\":\"" perms "\",\"user\":{\"id\":\"42\",\"username\":\"ana\",\"global_name\":\"Ana\"}}"
#define BASE "\"id\":\"7\",\"token\":\"tok\",\"guild_id\":\"100\",\"channel_id\":\"200\","

static int decode(const char *json, dc_event *ev)
{
    cJSON *d = cJSON_Parse(json);
    char err[128];
    int rc = dc_event_from_interaction(d, ev, err, sizeof err);
    cJSON_Delete(d);
    return rc;
}

static void test_task_add_with_options(void **state)
{
    (void)state;
    dc_event ev;
    assert_int_equal(decode("{" BASE "\"type\":2," MEMBER("0") ",\"data\":{\"name\":\"task\",\"options\":[{\"type\":1,\"name\":\"add\",\"options\":["
                            "{\"name\":\"title\",\"type\":3,\"value\":\"Soup \\\"big\\\" run\"},"
                            "{\"name\":\"slots\",\"type\":4,\"value\":2},"
                            "{\"name\":\"when\",\"type\":3,\"value\":\"fri 18:00\"}]}]}}", &ev), 0);
    assert_string_equal(ev.req.text, "task add \"Soup \\\"big\\\" run\" slots:2 when:\"fri 18:00\"");
    assert_string_equal(ev.req.group_key, "discord:100");
    assert_string_equal(ev.req.channel_key, "200");
    assert_string_equal(ev.req.member_key, "42");
    assert_string_equal(ev.req.member_name, "Ana");
    assert_false(ev.req.is_coordinator);
    assert_int_equal(ev.req.place, TEND_PLACE_PRIVATE); /* seen by the member and tend alone */
    dc_event_free(&ev);
}

static void test_user_option_becomes_a_reference(void **state)
{
    (void)state;
    dc_event ev;
    assert_int_equal(decode("{" BASE "\"type\":2," MEMBER("32") ",\"data\":{\"name\":\"thanks\",\"options\":["
                            "{\"name\":\"member\",\"type\":6,\"value\":\"43\"},{\"name\":\"for\",\"type\":3,\"value\":\"the lift\"}],"
                            "\"resolved\":{\"users\":{\"43\":{\"id\":\"43\",\"username\":\"ben\"}},\"members\":{\"43\":{\"nick\":\"Benny\"}}}}}", &ev), 0);
    assert_string_equal(ev.req.text, "thanks \x1E" "0\x1F for:\"the lift\"");
    assert_int_equal(ev.req.n_refs, 1);
    assert_string_equal(ev.req.refs[0].member_key, "43");
    assert_string_equal(ev.req.refs[0].name, "Benny");
    assert_true(ev.req.is_coordinator); /* MANAGE_GUILD */
    dc_event_free(&ev);
}

static void test_control_characters_and_colons_cannot_inject(void **state)
{
    (void)state;
    dc_event ev;
    assert_int_equal(decode("{" BASE "\"type\":2," MEMBER("8") ",\"data\":{\"name\":\"task\",\"options\":[{\"type\":1,\"name\":\"add\",\"options\":["
                            "{\"name\":\"title\",\"type\":3,\"value\":\"x\\u001e0\\u001f slots:9\"}]}]}}", &ev), 0);
    assert_null(strchr(ev.req.text, '\x1E'));
    assert_string_equal(ev.req.text, "task add \"x0 slots:9\"");
    assert_true(ev.req.is_coordinator); /* ADMINISTRATOR */
    dc_event_free(&ev);
}

static void test_button_and_autocomplete(void **state)
{
    (void)state;
    dc_event ev;
    assert_int_equal(decode("{" BASE "\"type\":3," MEMBER("0") ",\"data\":{\"custom_id\":\"tend:claim 12\",\"component_type\":2}}", &ev), 0);
    assert_int_equal(ev.kind, DC_EVENT_BUTTON);
    assert_string_equal(ev.req.text, "claim 12");
    dc_event_free(&ev);
    assert_int_equal(decode("{" BASE "\"type\":3," MEMBER("0") ",\"data\":{\"custom_id\":\"other:thing\"}}", &ev), -1);
    /* a press in a DM (a nudge's "No thanks") has no guild and no member: the custom_id says
     * which group, the top-level user says who */
    assert_int_equal(decode("{\"id\":\"8\",\"token\":\"tok\",\"channel_id\":\"300\",\"type\":3,"
                            "\"user\":{\"id\":\"42\",\"username\":\"ana\",\"global_name\":\"Ana\"},"
                            "\"data\":{\"custom_id\":\"tend:100:nudges later\",\"component_type\":2}}", &ev), 0);
    assert_string_equal(ev.req.group_key, "discord:100");
    assert_string_equal(ev.req.member_key, "42");
    assert_string_equal(ev.req.text, "nudges later");
    assert_false(ev.req.is_coordinator);
    dc_event_free(&ev);
    /* a guild press with the new form runs the same command */
    assert_int_equal(decode("{" BASE "\"type\":3," MEMBER("0") ",\"data\":{\"custom_id\":\"tend:100:claim 12\",\"component_type\":2}}", &ev), 0);
    assert_string_equal(ev.req.text, "claim 12");
    assert_string_equal(ev.req.group_key, "discord:100");
    dc_event_free(&ev);
    /* a DM press with no guild in its custom_id belongs to no group: skipped, not guessed */
    assert_int_equal(decode("{\"id\":\"9\",\"token\":\"tok\",\"channel_id\":\"300\",\"type\":3,"
                            "\"user\":{\"id\":\"42\",\"username\":\"ana\"},"
                            "\"data\":{\"custom_id\":\"tend:claim 12\",\"component_type\":2}}", &ev), -1);
    assert_int_equal(decode("{" BASE "\"type\":4," MEMBER("0") ",\"data\":{\"name\":\"claim\",\"options\":[{\"name\":\"task\",\"type\":3,\"value\":\"sou\",\"focused\":true}]}}", &ev), 0);
    assert_int_equal(ev.kind, DC_EVENT_AUTOCOMPLETE);
    assert_string_equal(ev.focused, "sou");
    dc_event_free(&ev);
}

static void test_bad_payloads_are_refused_not_crashed(void **state)
{
    (void)state;
    dc_event ev;
    assert_int_equal(decode("{}", &ev), -1);
    assert_int_equal(decode("{\"id\":\"1\",\"token\":\"t\",\"type\":2,\"data\":{\"name\":\"help\"}}", &ev), -1); /* no guild */
    assert_int_equal(decode("{" BASE "\"type\":2,\"data\":{\"name\":\"help\"}}", &ev), -1); /* no member */
    assert_int_equal(decode("{" BASE "\"type\":9," MEMBER("0") ",\"data\":{}}", &ev), -1);
    assert_int_equal(decode("{" BASE "\"type\":2," MEMBER("0") ",\"data\":{\"name\":\"claim\",\"options\":[{\"name\":\"task\"},5,null]}}", &ev), 0);
    assert_string_equal(ev.req.text, "claim");
    dc_event_free(&ev);
}

static void test_message_mentioning_the_bot(void **state)
{
    (void)state;
    dc_event ev;
    char err[128];
    cJSON *d = cJSON_Parse("{\"id\":\"9\",\"guild_id\":\"100\",\"channel_id\":\"200\",\"content\":\"<@555> thanks <@43> for the lift @everyone\","
                           "\"author\":{\"id\":\"42\",\"username\":\"ana\"},\"member\":{\"nick\":\"A\"},"
                           "\"mentions\":[{\"id\":\"43\",\"username\":\"ben\"},{\"id\":\"555\",\"username\":\"tend\"}]}");
    assert_int_equal(dc_event_from_message(d, "555", &ev, err, sizeof err), 1);
    assert_string_equal(ev.req.text, "thanks  \x1E" "0\x1F for the lift @everyone");
    assert_string_equal(ev.req.member_name, "A");
    assert_false(ev.req.is_coordinator);
    assert_int_equal(ev.req.place, TEND_PLACE_SHARED); /* the message sits in the channel for everyone */
    dc_event_free(&ev);
    assert_int_equal(dc_event_from_message(d, "556", &ev, err, sizeof err), 0); /* not for tend */
    cJSON_Delete(d);
    d = cJSON_Parse("{\"id\":\"9\",\"guild_id\":\"1\",\"channel_id\":\"2\",\"content\":\"<@555> help\",\"author\":{\"id\":\"3\",\"bot\":true}}");
    assert_int_equal(dc_event_from_message(d, "555", &ev, err, sizeof err), 0); /* bots never */
    cJSON_Delete(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_task_add_with_options),
        cmocka_unit_test(test_user_option_becomes_a_reference),
        cmocka_unit_test(test_control_characters_and_colons_cannot_inject),
        cmocka_unit_test(test_button_and_autocomplete),
        cmocka_unit_test(test_bad_payloads_are_refused_not_crashed),
        cmocka_unit_test(test_message_mentioning_the_bot),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
