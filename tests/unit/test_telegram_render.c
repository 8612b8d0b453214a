/* test_telegram_render.c — the Telegram shape of text: commands read from messages (UTF-16 entity
 * offsets, @bot suffixes, Telegram's '_' for '-'), messages rendered with text_mention entities that
 * ping only the members meant, long messages split, buttons' callback_data, the command menu. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "adapters/telegram/internal.h"
#include "bot/reply.h"

static void utf16_counts_astral_characters_twice(void **state)
{
    (void)state;
    const char *s = "a\xF0\x9F\x98\x80" "b\xC3\xA9"; /* a 😀 b é */
    assert_int_equal(tend_telegram_utf16_units(s, strlen(s)), 5);
    assert_int_equal(tend_telegram_utf16_byte(s, strlen(s), 1), 1);
    assert_int_equal(tend_telegram_utf16_byte(s, strlen(s), 3), 5);
    assert_int_equal(tend_telegram_utf16_byte(s, strlen(s), 2), SIZE_MAX); /* inside the emoji */
    assert_int_equal(tend_telegram_utf16_byte(s, strlen(s), 6), SIZE_MAX); /* past the end */
}

static void a_plain_command_and_one_for_this_bot(void **state)
{
    (void)state;
    tend_telegram_command c;
    assert_int_equal(tend_telegram_parse_command("/claim 12", NULL, "tend_bot", NULL, NULL, &c), 1);
    assert_string_equal(c.name, "claim");
    assert_string_equal(c.text, "claim 12");
    tend_telegram_command_free(&c);
    assert_int_equal(tend_telegram_parse_command("/Claim@Tend_Bot  12", NULL, "tend_bot", NULL, NULL, &c), 1);
    assert_string_equal(c.text, "claim 12");
    tend_telegram_command_free(&c);
    /* Telegram names cannot hold '-': the menu offers pause_new, which is tend's pause-new */
    assert_int_equal(tend_telegram_parse_command("/pause_new 1w", NULL, "tend_bot", NULL, NULL, &c), 1);
    assert_string_equal(c.text, "pause-new 1w");
    tend_telegram_command_free(&c);
    assert_int_equal(tend_telegram_parse_command("/help", NULL, "tend_bot", NULL, NULL, &c), 1);
    assert_string_equal(c.text, "help");
    tend_telegram_command_free(&c);
}

static void not_ours(void **state)
{
    (void)state;
    tend_telegram_command c;
    assert_int_equal(tend_telegram_parse_command("/claim@other_bot 12", NULL, "tend_bot", NULL, NULL, &c), 0);
    assert_int_equal(tend_telegram_parse_command("claim 12", NULL, "tend_bot", NULL, NULL, &c), 0);
    assert_int_equal(tend_telegram_parse_command("/", NULL, "tend_bot", NULL, NULL, &c), 0);
    assert_int_equal(tend_telegram_parse_command("/\xF0\x9F\x92\xA5 boom", NULL, "tend_bot", NULL, NULL, &c), 0);
    assert_int_equal(tend_telegram_parse_command(NULL, NULL, "tend_bot", NULL, NULL, &c), 0);
}

static cJSON *mention_entity(int offset, int length, double user_id, const char *first)
{
    cJSON *list = cJSON_CreateArray();
    cJSON *e = cJSON_CreateObject();
    cJSON_AddStringToObject(e, "type", "text_mention");
    cJSON_AddNumberToObject(e, "offset", offset);
    cJSON_AddNumberToObject(e, "length", length);
    cJSON *u = cJSON_AddObjectToObject(e, "user");
    cJSON_AddNumberToObject(u, "id", user_id);
    cJSON_AddBoolToObject(u, "is_bot", 0);
    cJSON_AddStringToObject(u, "first_name", first);
    cJSON_AddItemToArray(list, e);
    return list;
}

static void a_text_mention_after_an_emoji_becomes_a_reference(void **state)
{
    (void)state;
    /* "/thanks 😀 Ben for soup": Ben starts at UTF-16 offset 11 (the emoji counts two) */
    const char *text = "/thanks \xF0\x9F\x98\x80 Ben for soup";
    cJSON *ents = mention_entity(11, 3, 7001, "Ben");
    tend_telegram_command c;
    assert_int_equal(tend_telegram_parse_command(text, ents, "tend_bot", NULL, NULL, &c), 1);
    assert_string_equal(c.text, "thanks \xF0\x9F\x98\x80 \x1E" "0\x1F for soup");
    assert_int_equal(c.n_refs, 1);
    assert_string_equal(c.refs[0].member_key, "7001");
    assert_string_equal(c.refs[0].name, "Ben");
    tend_telegram_command_free(&c);
    cJSON_Delete(ents);
    /* an entity whose offset falls inside a character is ignored, not misread */
    ents = mention_entity(9, 3, 7001, "Ben");
    assert_int_equal(tend_telegram_parse_command(text, ents, "tend_bot", NULL, NULL, &c), 1);
    assert_int_equal(c.n_refs, 0);
    tend_telegram_command_free(&c);
    cJSON_Delete(ents);
}

static bool resolver(void *ud, const char *username, char *key, size_t keylen, char *name, size_t namelen)
{
    (void)ud;
    if (strcmp(username, "cai_k") != 0)
        return false;
    snprintf(key, keylen, "7003");
    snprintf(name, namelen, "Cai");
    return true;
}

static void a_known_username_becomes_a_reference_and_markers_cannot_be_typed(void **state)
{
    (void)state;
    cJSON *ents = cJSON_Parse("[{\"type\":\"mention\",\"offset\":8,\"length\":6},"
                              "{\"type\":\"mention\",\"offset\":19,\"length\":4}]");
    tend_telegram_command c;
    assert_int_equal(tend_telegram_parse_command("/thanks @cai_k and @zed \x1E" "0\x1F", ents, "tend_bot", resolver,
                                                 NULL, &c), 1);
    /* cai is known; @zed is left as text for the bot to look up; the typed marker is gone */
    assert_string_equal(c.text, "thanks \x1E" "0\x1F and @zed 0");
    assert_int_equal(c.n_refs, 1);
    assert_string_equal(c.refs[0].member_key, "7003");
    tend_telegram_command_free(&c);
    cJSON_Delete(ents);
}

static void the_group_option_is_taken_out(void **state)
{
    (void)state;
    char text[128], value[64];
    snprintf(text, sizeof text, "checkin low group:\"Soup kitchen\" tired");
    assert_int_equal(tend_telegram_take_group_option(text, value, sizeof value), 1);
    assert_string_equal(value, "Soup kitchen");
    assert_string_equal(text, "checkin low tired");
    snprintf(text, sizeof text, "me group:-100123");
    assert_int_equal(tend_telegram_take_group_option(text, value, sizeof value), 1);
    assert_string_equal(value, "-100123");
    assert_string_equal(text, "me");
    snprintf(text, sizeof text, "feedback subgroup:x is odd");
    assert_int_equal(tend_telegram_take_group_option(text, value, sizeof value), 0);
    assert_string_equal(text, "feedback subgroup:x is odd");
}

static void a_mention_pings_only_the_member_meant(void **state)
{
    (void)state;
    tend_messages list;
    tend_messages_init(&list);
    tend_message *m = tend_messages_add(&list, TEND_TO_PUBLIC, "telegram:-100", NULL, NULL, "thanks",
                                        "\xF0\x9F\x92\x9B @everyone thanks ");
    assert_non_null(m);
    assert_int_equal(tend_message_add_mention(m, "7001", "Ben"), 0);
    assert_int_equal(tend_message_appendf(m, " for the soup! " TEND_CMD "thanks, " TEND_CMD "pause-new"), 0);
    tend_telegram_part parts[TG_MAX_PARTS];
    assert_int_equal(tend_telegram_render(m, parts, TG_MAX_PARTS), 1);
    /* "@everyone" is made inert with a word joiner; the command gets its "/" */
    assert_string_equal(parts[0].text, "\xF0\x9F\x92\x9B @\xE2\x81\xA0" "everyone thanks Ben for the soup! /thanks, /pause_new");
    assert_int_equal(cJSON_GetArraySize(parts[0].entities), 1);
    cJSON *e = cJSON_GetArrayItem(parts[0].entities, 0);
    assert_string_equal(cJSON_GetObjectItem(e, "type")->valuestring, "text_mention");
    /* 💛 is 2 units, " @" 2, the joiner 1, "everyone thanks " 16: Ben starts at 21 */
    assert_int_equal(cJSON_GetObjectItem(e, "offset")->valueint, 21);
    assert_int_equal(cJSON_GetObjectItem(e, "length")->valueint, 3);
    cJSON *u = cJSON_GetObjectItem(e, "user");
    assert_int_equal((int)cJSON_GetObjectItem(u, "id")->valuedouble, 7001);
    assert_true(cJSON_IsFalse(cJSON_GetObjectItem(u, "is_bot")));
    tend_telegram_parts_free(parts, 1);
    tend_messages_clear(&list);
}

static void bytes_that_are_no_utf8_become_replacement_characters(void **state)
{
    (void)state;
    tend_messages list;
    tend_messages_init(&list);
    tend_message *m = tend_messages_add(&list, TEND_TO_PUBLIC, "telegram:-100", NULL, NULL, "x", "a\xBD" "b\xE2\x82");
    tend_telegram_part parts[TG_MAX_PARTS];
    assert_int_equal(tend_telegram_render(m, parts, TG_MAX_PARTS), 1);
    assert_string_equal(parts[0].text, "a\xEF\xBF\xBD" "b\xEF\xBF\xBD\xEF\xBF\xBD");
    assert_int_equal(tend_telegram_utf16_units(parts[0].text, strlen(parts[0].text)), 5);
    tend_telegram_parts_free(parts, 1);
    tend_messages_clear(&list);
}

static void a_long_message_is_split_at_line_ends(void **state)
{
    (void)state;
    tend_messages list;
    tend_messages_init(&list);
    tend_message *m = tend_messages_add(&list, TEND_TO_PRIVATE, "telegram:-100", "7001", "Ben", "help", "%s", "");
    char line[101];
    memset(line, 'x', 99);
    line[99] = '\n';
    line[100] = '\0';
    for (int i = 0; i < 60; i++) /* 6,000 characters */
        assert_int_equal(tend_message_appendf(m, "%s", line), 0);
    assert_int_equal(tend_message_add_mention(m, "7002", "Cai"), 0);
    tend_telegram_part parts[TG_MAX_PARTS];
    size_t n = tend_telegram_render(m, parts, TG_MAX_PARTS);
    assert_int_equal(n, 2);
    size_t total = 0;
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(parts[i].text);
        assert_true(tend_telegram_utf16_units(parts[i].text, len) <= TG_TEXT_UNITS);
        total += len;
    }
    assert_int_equal(strlen(parts[0].text) % 100, 0); /* whole lines */
    assert_int_equal(total, 6003);
    /* the mention lands in the second part, at its own offset there */
    assert_int_equal(cJSON_GetArraySize(parts[0].entities), 0);
    cJSON *e = cJSON_GetArrayItem(parts[1].entities, 0);
    assert_non_null(e);
    assert_int_equal(cJSON_GetObjectItem(e, "offset")->valueint, (int)strlen(parts[1].text) - 3);
    tend_telegram_parts_free(parts, n);
    tend_messages_clear(&list);
}

static void buttons_carry_their_group_and_come_back(void **state)
{
    (void)state;
    tend_messages list;
    tend_messages_init(&list);
    tend_message *m = tend_messages_add(&list, TEND_TO_PUBLIC, "telegram:-1001234567890", NULL, NULL,
                                        "task.announce", "New task");
    assert_int_equal(tend_message_add_button(m, "Claim", "\xE2\x9C\x85", "claim 12"), 0);
    cJSON *kb = tend_telegram_keyboard(m, "-1001234567890");
    cJSON *b = cJSON_GetArrayItem(cJSON_GetArrayItem(cJSON_GetObjectItem(kb, "inline_keyboard"), 0), 0);
    assert_string_equal(cJSON_GetObjectItem(b, "text")->valuestring, "\xE2\x9C\x85 Claim");
    const char *data = cJSON_GetObjectItem(b, "callback_data")->valuestring;
    assert_string_equal(data, "1|-1001234567890|claim 12");
    char chat[32], command[65];
    assert_int_equal(tend_telegram_button_parse(data, chat, sizeof chat, command, sizeof command), 0);
    assert_string_equal(chat, "-1001234567890");
    assert_string_equal(command, "claim 12");
    cJSON_Delete(kb);
    tend_messages_clear(&list);
    /* a command too long to carry with its group goes without it; longer still, no button */
    char out[80], big[80];
    memset(big, 'a', 60);
    big[60] = '\0';
    assert_int_equal(tend_telegram_button_data("-1001234567890", big, out, sizeof out), 0);
    assert_int_equal(strncmp(out, "1||", 3), 0);
    memset(big, 'a', 70);
    big[70] = '\0';
    assert_int_equal(tend_telegram_button_data("-1001234567890", big, out, sizeof out), -1);
    /* what a member's app may forge is refused or cleaned */
    assert_int_equal(tend_telegram_button_parse("2|-1|claim 1", chat, sizeof chat, command, sizeof command), -1);
    assert_int_equal(tend_telegram_button_parse("1|abc|claim 1", chat, sizeof chat, command, sizeof command), -1);
    assert_int_equal(tend_telegram_button_parse("1|-1|", chat, sizeof chat, command, sizeof command), -1);
    assert_int_equal(tend_telegram_button_parse("1|-1|claim\x1E" "0\x1F", chat, sizeof chat, command, sizeof command), 0);
    assert_string_equal(command, "claim0");
}

static void the_menu_follows_telegrams_rules(void **state)
{
    (void)state;
    cJSON *members = tend_telegram_command_menu(false);
    cJSON *all = tend_telegram_command_menu(true);
    assert_true(cJSON_GetArraySize(members) > 10);
    assert_true(cJSON_GetArraySize(all) > cJSON_GetArraySize(members));
    assert_true(cJSON_GetArraySize(all) <= 100);
    bool claim = false, pause_new = false, pause_for_members = false;
    cJSON *e;
    cJSON_ArrayForEach(e, all) {
        const char *c = cJSON_GetObjectItem(e, "command")->valuestring;
        const char *d = cJSON_GetObjectItem(e, "description")->valuestring;
        assert_true(strlen(c) >= 1 && strlen(c) <= 32);
        assert_true(strspn(c, "abcdefghijklmnopqrstuvwxyz0123456789_") == strlen(c));
        assert_true(strlen(d) >= 1 && strlen(d) <= 256);
        claim |= strcmp(c, "claim") == 0;
        pause_new |= strcmp(c, "pause_new") == 0;
    }
    cJSON_ArrayForEach(e, members) {
        pause_for_members |= strcmp(cJSON_GetObjectItem(e, "command")->valuestring, "pause_new") == 0;
    }
    assert_true(claim && pause_new && !pause_for_members);
    cJSON_Delete(members);
    cJSON_Delete(all);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(utf16_counts_astral_characters_twice),
        cmocka_unit_test(a_plain_command_and_one_for_this_bot),
        cmocka_unit_test(not_ours),
        cmocka_unit_test(a_text_mention_after_an_emoji_becomes_a_reference),
        cmocka_unit_test(a_known_username_becomes_a_reference_and_markers_cannot_be_typed),
        cmocka_unit_test(the_group_option_is_taken_out),
        cmocka_unit_test(a_mention_pings_only_the_member_meant),
        cmocka_unit_test(bytes_that_are_no_utf8_become_replacement_characters),
        cmocka_unit_test(a_long_message_is_split_at_line_ends),
        cmocka_unit_test(buttons_carry_their_group_and_come_back),
        cmocka_unit_test(the_menu_follows_telegrams_rules),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
