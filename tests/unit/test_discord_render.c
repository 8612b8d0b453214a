/* Rendering for Discord (mentions, allowed_mentions, buttons, limits) and the command table. The
 * rate limit bookkeeping has its own test (test_discord_ratelimit.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "adapters/discord/internal.h"
#include "bot/command.h"

static tend_message *one(tend_messages *list, tend_audience a, const char *text)
{
    tend_messages_init(list);
    return tend_messages_add(list, a, "discord:1", "42", "Ana", "reply", "%s", text);
}

static void test_mentions_ping_only_the_members_meant(void **state)
{
    (void)state;
    tend_messages list;
    tend_message *m = one(&list, TEND_TO_PUBLIC, "Thanks @everyone <@99> ");
    assert_int_equal(tend_message_add_mention(m, "43", "Ben"), 0);
    assert_int_equal(tend_message_add_mention(m, "43", "Ben"), 0);
    tend_message_appendf(m, " " TEND_CMD "claim 1");
    char *s = dc_json_take(dc_render_message(m, false));
    assert_string_equal(s, "{\"content\":\"Thanks @everyone <@99> <@43><@43> /claim 1\","
                           "\"allowed_mentions\":{\"parse\":[],\"users\":[\"43\"],\"replied_user\":false}}");
    free(s);
    tend_messages_clear(&list);
}

static void test_private_callback_and_buttons(void **state)
{
    (void)state;
    tend_messages list;
    tend_message *m = one(&list, TEND_TO_PRIVATE, "Over capacity");
    tend_message_add_button(m, "Claim it anyway", NULL, "claim 3 anyway");
    char long_cmd[200];
    memset(long_cmd, 'x', sizeof long_cmd - 1);
    long_cmd[sizeof long_cmd - 1] = '\0';
    tend_message_add_button(m, "Too long", NULL, long_cmd); /* over 100 bytes: left out */
    cJSON *cb = dc_render_callback(m, true);
    cJSON *data = cJSON_GetObjectItem(cb, "data");
    assert_int_equal(cJSON_GetObjectItem(cb, "type")->valueint, 4);
    assert_int_equal(cJSON_GetObjectItem(data, "flags")->valueint, 64);
    cJSON *row = cJSON_GetArrayItem(cJSON_GetObjectItem(data, "components"), 0);
    cJSON *buttons = cJSON_GetObjectItem(row, "components");
    assert_int_equal(cJSON_GetArraySize(buttons), 1);
    assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(buttons, 0), "custom_id")->valuestring,
                        "tend:1:claim 3 anyway"); /* the guild rides along for presses in a DM */
    cJSON_Delete(cb);
    tend_messages_clear(&list);
}

static void test_a_long_message_is_split_at_line_ends(void **state)
{
    (void)state;
    tend_messages list, pieces;
    tend_message *m = one(&list, TEND_TO_PRIVATE, "");
    for (int i = 0; i < 200; i++)
        tend_message_appendf(m, "line %03d of a long export, with some words to fill it\n", i);
    tend_message_add_mention(m, "43", "Ben");
    tend_message_add_button(m, "Claim", NULL, "claim 1");
    size_t total = strlen(m->text);
    tend_messages_init(&pieces);
    assert_int_equal(dc_split_message(m, &pieces), 0);
    assert_true(pieces.count >= 7);
    size_t joined = 0;
    for (size_t i = 0; i < pieces.count; i++) {
        const tend_message *p = &pieces.items[i];
        assert_true(strlen(p->text) <= DC_SPLIT_BYTES);
        assert_int_equal(p->audience, TEND_TO_PRIVATE);
        assert_string_equal(p->member_key, "42");
        assert_int_equal(p->n_buttons, i + 1 == pieces.count ? 1 : 0); /* buttons under the end */
        char *rendered = tend_message_render(p, "/", NULL, NULL);
        assert_true(strlen(rendered) <= DC_CONTENT_MAX);
        free(rendered);
        joined += strlen(p->text) + 1; /* each cut ate one line end */
    }
    assert_int_equal(joined - 1, total);
    /* nothing was lost: the last line and the mention are in the last piece */
    char *last = tend_message_render(&pieces.items[pieces.count - 1], "/", NULL, NULL);
    assert_non_null(strstr(last, "line 199"));
    assert_non_null(strstr(last, "@Ben"));
    free(last);
    tend_messages_clear(&pieces);
    /* a short one is passed through whole */
    tend_messages_init(&pieces);
    tend_messages shorts;
    tend_message *short_one = one(&shorts, TEND_TO_PUBLIC, "hello");
    assert_int_equal(dc_split_message(short_one, &pieces), 0);
    assert_int_equal(pieces.count, 1);
    assert_string_equal(pieces.items[0].text, "hello");
    tend_messages_clear(&pieces);
    tend_messages_clear(&shorts);
    tend_messages_clear(&list);
}

static void test_long_content_is_cut_on_a_character(void **state)
{
    (void)state;
    char *text = malloc(3001);
    for (int i = 0; i < 3000; i += 2)
        memcpy(text + i, "\xC3\xA9", 2); /* é */
    text[3000] = '\0';
    tend_messages list;
    tend_message *m = one(&list, TEND_TO_PUBLIC, text);
    cJSON *j = dc_render_message(m, false);
    const char *c = cJSON_GetObjectItem(j, "content")->valuestring;
    assert_true(strlen(c) <= 2000);
    assert_memory_equal(c + strlen(c) - 3, "\xE2\x80\xA6", 3);
    assert_int_equal(((unsigned char)c[strlen(c) - 4] & 0xC0) == 0x80 || (unsigned char)c[strlen(c) - 4] < 0x80, 1);
    cJSON_Delete(j);
    free(text);
    tend_messages_clear(&list);
}

static void test_every_tend_command_is_registered(void **state)
{
    (void)state;
    cJSON *list = dc_commands_json();
    size_t n = 0;
    for (const tend_command_spec *s = tend_catalogue(); s->name; s++, n++) {
        char top[64];
        snprintf(top, sizeof top, "%.*s", (int)strcspn(s->name, " "), s->name);
        int found = 0;
        cJSON *c;
        cJSON_ArrayForEach(c, list) found |= strcmp(cJSON_GetObjectItem(c, "name")->valuestring, top) == 0;
        if (!found)
            fail_msg("command %s has no Discord shape", s->name);
    }
    assert_true(n > 10);
    cJSON *c;
    cJSON_ArrayForEach(c, list)
    {
        assert_true(strlen(cJSON_GetObjectItem(c, "description")->valuestring) <= 100);
        assert_true(cJSON_GetArraySize(cJSON_GetObjectItem(c, "options")) <= 25);
    }
    assert_string_equal(dc_commands_lookup("agreements", "show"), "agreements");
    assert_string_equal(dc_commands_lookup("task", "add"), "task add");
    assert_null(dc_commands_lookup("task", "nope"));
    assert_int_equal(dc_commands_option_mode("task", "add", "when"), DC_OPT_NAMED);
    assert_int_equal(dc_commands_option_mode("claim", NULL, "task"), DC_OPT_WORD);
    assert_string_equal(dc_commands_lookup("task", "edit"), "task edit");
    assert_string_equal(dc_commands_lookup("task", "cancel"), "task cancel");
    assert_int_equal(dc_commands_option_mode("task", "edit", "task"), DC_OPT_WORD);
    assert_int_equal(dc_commands_option_mode("task", "edit", "when"), DC_OPT_NAMED);
    assert_int_equal(dc_commands_option_mode("profile", NULL, "remind"), DC_OPT_NAMED);
    assert_int_equal(dc_commands_option_mode("help", NULL, "command"), DC_OPT_RAW);
    /* coordinator commands stay out of members' pickers; a command members also use stays in */
    const char *coordinators[] = {"setup", "team", "pause-new", "resume-new"};
    const char *members[] = {"claim", "task", "tasks", "profile", "agreements", "export", "help"};
    for (size_t i = 0; i < 4; i++) {
        cJSON *perm = NULL;
        cJSON_ArrayForEach(c, list) if (strcmp(cJSON_GetObjectItem(c, "name")->valuestring, coordinators[i]) == 0)
            perm = cJSON_GetObjectItem(c, "default_member_permissions");
        if (!cJSON_IsNumber(perm) || perm->valuedouble != 32)
            fail_msg("/%s is shown to every member", coordinators[i]);
    }
    for (size_t i = 0; i < 7; i++)
        cJSON_ArrayForEach(c, list) if (strcmp(cJSON_GetObjectItem(c, "name")->valuestring, members[i]) == 0 &&
                                        cJSON_GetObjectItem(c, "default_member_permissions"))
            fail_msg("/%s is hidden from members", members[i]);
    cJSON_Delete(list);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mentions_ping_only_the_members_meant),
        cmocka_unit_test(test_private_callback_and_buttons),
        cmocka_unit_test(test_a_long_message_is_split_at_line_ends),
        cmocka_unit_test(test_long_content_is_cut_on_a_character),
        cmocka_unit_test(test_every_tend_command_is_registered),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
