/* test_reply.c — the message markup: prefixes and mentions render per platform, user text cannot
 * smuggle markers, and a copied message outlives its original. */
#include "testkit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/strbuf.h"

static void discord_ping(const tend_mention *m, void *ud, char *out, size_t outlen)
{
    (void)ud;
    snprintf(out, outlen, "<@%s>", m->member_key);
}

static void prefix_and_mentions_render_per_platform(void **state)
{
    (void)state;
    tend_messages list;
    tend_messages_init(&list);
    tend_message *m = tend_messages_add(&list, TEND_TO_PUBLIC, "discord:1", NULL, NULL, "thanks",
                                        "%s thanks ", "Ana");
    assert_non_null(m);
    assert_int_equal(tend_message_add_mention(m, "42", "Ben"), 0);
    assert_int_equal(tend_message_appendf(m, "! Try " TEND_CMD "thanks too."), 0);
    char *console = tend_message_render(m, "/", NULL, NULL);
    char *matrix = tend_message_render(m, "!", NULL, NULL);
    char *discord = tend_message_render(m, "/", discord_ping, NULL);
    assert_string_equal(console, "Ana thanks @Ben! Try /thanks too.");
    assert_string_equal(matrix, "Ana thanks @Ben! Try !thanks too.");
    assert_string_equal(discord, "Ana thanks <@42>! Try /thanks too.");
    free(console);
    free(matrix);
    free(discord);
    tend_messages_clear(&list);
}

static void a_forged_marker_renders_as_nothing(void **state)
{
    (void)state;
    tend_messages list;
    tend_messages_init(&list);
    /* a marker pointing past the mention table (as a handler bug or forged text would) */
    tend_message *m = tend_messages_add(&list, TEND_TO_PUBLIC, "console:x", NULL, NULL, NULL,
                                        "hi \x1E" "3\x1F there");
    char *out = tend_message_render(m, "/", NULL, NULL);
    assert_string_equal(out, "hi  there"); /* never a name, never a ping, no stray bytes */
    free(out);
    tend_messages_clear(&list);
}

static void a_copy_outlives_its_original(void **state)
{
    (void)state;
    tend_messages a, b;
    tend_messages_init(&a);
    tend_messages_init(&b);
    tend_message *m = tend_messages_add(&a, TEND_TO_DM, "matrix:!r", "@ben:x", "Ben", "nudge", "Hey ");
    assert_int_equal(tend_message_add_mention(m, "@ben:x", "Ben"), 0);
    assert_int_equal(tend_message_add_button(m, "No thanks", "👌", "nudges later"), 0);
    assert_int_equal(tend_message_set_channel(m, "!room"), 0);
    tend_message *copy = tend_messages_add_copy(&b, m);
    assert_non_null(copy);
    tend_messages_clear(&a);
    char *out = tend_message_render(copy, "!", NULL, NULL);
    assert_string_equal(out, "Hey @Ben");
    free(out);
    assert_int_equal(copy->audience, TEND_TO_DM);
    assert_string_equal(copy->member_key, "@ben:x");
    assert_string_equal(copy->channel_key, "!room");
    assert_int_equal(copy->n_buttons, 1);
    assert_string_equal(copy->buttons[0].command, "nudges later");
    tend_messages_clear(&b);
}

static void strbuf_builds_and_starts_empty(void **state)
{
    (void)state;
    tend_strbuf sb = TEND_STRBUF_INIT;
    char *empty = tend_strbuf_finish(&sb);
    assert_string_equal(empty, "");
    free(empty);
    tend_strbuf big = TEND_STRBUF_INIT;
    for (int i = 0; i < 1000; i++)
        tend_strbuf_puts(&big, "ab");
    tend_strbuf_put(&big, "xyz", 1);
    char *s = tend_strbuf_finish(&big);
    assert_int_equal(strlen(s), 2001);
    assert_int_equal(s[2000], 'x');
    free(s);
}

/* Where a platform cannot carry the file yet, its text follows the message's, and it is gone. */
static void a_file_can_go_inline(void **state)
{
    (void)state;
    tend_messages list;
    tend_messages_init(&list);
    tend_message *m = tend_messages_add(&list, TEND_TO_PRIVATE, "telegram:1", "5", "Ben", "export", "Here:");
    assert_int_equal(tend_message_attach(m, "a/b/c.json", "application/json", "{\"x\": 1}"), 0);
    assert_string_equal(m->file->name, "c.json");
    assert_int_equal(tend_message_inline_file(m), 0);
    assert_null(m->file);
    assert_string_equal(m->text, "Here:\n{\"x\": 1}");
    assert_int_equal(tend_message_inline_file(m), 0); /* nothing more to do */
    assert_string_equal(m->text, "Here:\n{\"x\": 1}");
    /* a name that is only folders falls back to a plain one */
    assert_int_equal(tend_message_attach(m, "../", "text/plain", ""), 0);
    assert_string_equal(m->file->name, "tend.txt");
    tend_messages_clear(&list);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(prefix_and_mentions_render_per_platform),
        cmocka_unit_test(a_forged_marker_renders_as_nothing),
        cmocka_unit_test(a_copy_outlives_its_original),
        cmocka_unit_test(strbuf_builds_and_starts_empty),
        cmocka_unit_test(a_file_can_go_inline),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
