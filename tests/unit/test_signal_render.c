/* test_signal_render.c — the Signal adapter's pure parts: commands out of message bodies with
 * mentions counted in UTF-16 units (as Signal counts them), replies with mention ranges that ping
 * only the members meant, buttons as reactions in 1:1 chats, and the event-stream parser. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "adapters/signal/internal.h"
#include "bot/reply.h"

#define FFFC "\xEF\xBF\xBC" /* U+FFFC, what a Signal client puts where a mention stands */
#define HERB "\xF0\x9F\x8C\xBF" /* 🌿, outside the BMP: two UTF-16 units */
#define UUID_SAM "3f1a7c2e-0b4d-4e8a-9c61-5d2f8e7a1b90"
#define UUID_BEA "a0b1c2d3-e4f5-4a6b-8c7d-9e0f1a2b3c4d"

static void utf16_counts_as_signal_does(void **state)
{
    (void)state;
    assert_int_equal(tend_signal_utf16_length("abc", 3), 3);
    assert_int_equal(tend_signal_utf16_length("\xC3\xA9", 2), 1);   /* é */
    assert_int_equal(tend_signal_utf16_length(FFFC, 3), 1);
    assert_int_equal(tend_signal_utf16_length(HERB, 4), 2);
    assert_int_equal(tend_signal_utf16_length("\xFF" "a", 2), 2); /* a stray byte is one unit */
    char out[32];
    tend_signal_emoji_normalize("\xE2\x9C\x85\xEF\xB8\x8F", out, sizeof out); /* ✅ + VS16 */
    assert_string_equal(out, "\xE2\x9C\x85");
}

static void commands_start_with_bang_or_slash(void **state)
{
    (void)state;
    sg_command cmd;
    assert_int_equal(tend_signal_parse_command("/claim 12", NULL, 0, &cmd), 1);
    assert_string_equal(cmd.text, "claim 12");
    tend_signal_command_free(&cmd);
    assert_int_equal(tend_signal_parse_command("  !task add \"Soup run\" slots:2", NULL, 0, &cmd), 1);
    assert_string_equal(cmd.text, "task add \"Soup run\" slots:2");
    tend_signal_command_free(&cmd);
    const char *not_commands[] = {"claim 12", "!!!", "/ claim", "/12", "see /claim", "!", "", "\xF0\x9F\x8E\x89"};
    for (size_t i = 0; i < sizeof not_commands / sizeof not_commands[0]; i++)
        assert_int_equal(tend_signal_parse_command(not_commands[i], NULL, 0, &cmd), 0);
    assert_int_equal(tend_signal_parse_command(NULL, NULL, 0, &cmd), 0);
    /* tend's own markers typed by a member are plain nothing, never a reference */
    assert_int_equal(tend_signal_parse_command("/thanks \x1E" "0\x1F for \x1D soup", NULL, 0, &cmd), 1);
    assert_string_equal(cmd.text, "thanks 0 for  soup");
    assert_int_equal(cmd.n_refs, 0);
    tend_signal_command_free(&cmd);
}

static void mentions_become_references_at_their_utf16_place(void **state)
{
    (void)state;
    sg_command cmd;
    /* "!thanks 🌿 ￼ for soup": the herb is two units, so the mention starts at 11, not 10 */
    sg_mention_in m[] = {{UUID_SAM, "Sam", 11, 1}};
    assert_int_equal(tend_signal_parse_command("!thanks " HERB " " FFFC " for soup", m, 1, &cmd), 1);
    assert_string_equal(cmd.text, "thanks " HERB " \x1E" "0\x1F for soup");
    assert_int_equal(cmd.n_refs, 1);
    assert_string_equal(cmd.refs[0].member_key, UUID_SAM);
    assert_string_equal(cmd.refs[0].name, "Sam");
    tend_signal_command_free(&cmd);

    /* out of order, one unnamed, one overlapping, one out of range, one before the command */
    sg_mention_in many[] = {{UUID_BEA, NULL, 10, 1},
                            {UUID_SAM, "Sam", 8, 1},
                            {UUID_BEA, "Bea", 8, 2},
                            {UUID_SAM, "Sam", 40, 1},
                            {UUID_BEA, "Bea", 0, 1}};
    assert_int_equal(tend_signal_parse_command("/thanks " FFFC " " FFFC, many, 5, &cmd), 1);
    assert_string_equal(cmd.text, "thanks \x1E" "0\x1F \x1E" "1\x1F");
    assert_int_equal(cmd.n_refs, 2);
    assert_string_equal(cmd.refs[0].member_key, UUID_SAM);
    assert_string_equal(cmd.refs[1].member_key, UUID_BEA);
    assert_string_equal(cmd.refs[1].name, "someone"); /* never their number */
    tend_signal_command_free(&cmd);
}

static tend_message *message(tend_messages *list, tend_audience audience, const char *text)
{
    return tend_messages_add(list, audience, "signal:grp", UUID_SAM, "Sam", "reply", "%s", text);
}

static void replies_ping_exactly_the_members_meant(void **state)
{
    (void)state;
    tend_messages list;
    tend_messages_init(&list);
    tend_message *m = message(&list, TEND_TO_PUBLIC, HERB " ");
    assert_int_equal(tend_message_add_mention(m, UUID_SAM, "Sam"), 0);
    assert_int_equal(tend_message_appendf(m, " thanks @everyone and "), 0);
    assert_int_equal(tend_message_add_mention(m, UUID_BEA, "B" HERB "a"), 0);
    assert_int_equal(tend_message_appendf(m, "! " TEND_CMD "thanks"), 0);
    sg_rendered r;
    assert_int_equal(tend_signal_render(m, false, &r, NULL, 0), 0);
    assert_string_equal(r.text, HERB " @Sam thanks @everyone and @B" HERB "a! /thanks");
    assert_int_equal(r.n_mentions, 2); /* "@everyone" is text: no range, no ping */
    assert_string_equal(r.mentions[0], "3:4:" UUID_SAM);
    /* 3 + 4 + " thanks @everyone and " (22) = 29; "@B🌿a" is five units */
    assert_string_equal(r.mentions[1], "29:5:" UUID_BEA);
    tend_signal_rendered_free(&r);
    tend_messages_clear(&list);
}

static void buttons_are_reactions_in_a_1to1_chat_and_commands_in_a_group(void **state)
{
    (void)state;
    tend_messages list;
    tend_messages_init(&list);
    tend_message *m = message(&list, TEND_TO_PRIVATE, "Over your capacity.");
    tend_message_add_button(m, "Claim anyway", NULL, "claim 3 confirm");
    tend_message_add_button(m, "Step back", "\xF0\x9F\x8C\xBF", "stepback 1w");
    char emojis[4][16] = {{0}};
    sg_rendered r;
    assert_int_equal(tend_signal_render(m, true, &r, emojis, 4), 0);
    assert_non_null(strstr(r.text, "React to answer: 1\xEF\xB8\x8F\xE2\x83\xA3 Claim anyway \xC2\xB7 " HERB " Step back"));
    assert_string_equal(emojis[0], "1\xEF\xB8\x8F\xE2\x83\xA3");
    assert_string_equal(emojis[1], HERB);
    tend_signal_rendered_free(&r);

    m->audience = TEND_TO_PUBLIC;
    assert_int_equal(tend_signal_render(m, false, &r, NULL, 0), 0);
    assert_non_null(strstr(r.text, "\n\xE2\x86\x92 Claim anyway: /claim 3 confirm \xC2\xB7 Step back: /stepback 1w"));
    assert_null(strstr(r.text, "React"));
    tend_signal_rendered_free(&r);
    tend_messages_clear(&list);
}

/* ---------------------------------------------------------------- the event stream */

typedef struct {
    char seen[8][256];
    size_t n;
} events;

static void collect(const char *data, size_t len, void *ud)
{
    events *e = ud;
    if (e->n < 8)
        snprintf(e->seen[e->n++], 256, "%.*s", (int)len, data);
}

static void sse_events_survive_any_split(void **state)
{
    (void)state;
    const char stream[] = ":\n"
                          "event:receive\n"
                          "data:{\"envelope\":{\"timestamp\":1}}\n\n"
                          ":\r\n"
                          "event: other\ndata:{\"ignored\":true}\n\n"
                          "event:receive\r\ndata:{\"a\":\r\ndata:1}\r\n\r\n"
                          "data\n\n"
                          "event:receive\ndata:{\"half\":";
    for (size_t step = 1; step <= sizeof stream; step++) {
        events e = {.n = 0};
        sg_sse *p = tend_signal_sse_new(collect, &e);
        for (size_t at = 0; at < sizeof stream - 1; at += step) {
            size_t n = sizeof stream - 1 - at < step ? sizeof stream - 1 - at : step;
            assert_int_equal(tend_signal_sse_feed(p, stream + at, n), 0);
        }
        assert_int_equal(e.n, 3);
        assert_string_equal(e.seen[0], "{\"envelope\":{\"timestamp\":1}}");
        assert_string_equal(e.seen[1], "{\"a\":\n1}");
        assert_string_equal(e.seen[2], ""); /* signal-cli's "data" with nothing: handed over empty */
        /* the stream was cut mid-event: nothing of it survives a reconnect */
        tend_signal_sse_reset(p);
        assert_int_equal(tend_signal_sse_feed(p, "\n", 1), 0);
        assert_int_equal(e.n, 3);
        tend_signal_sse_free(p);
    }
}

static void sse_oversized_event_is_skipped_whole(void **state)
{
    (void)state;
    events e = {.n = 0};
    sg_sse *p = tend_signal_sse_new(collect, &e);
    assert_int_equal(tend_signal_sse_feed(p, "data:", 5), 0);
    char *big = malloc(1024 * 1024);
    memset(big, 'x', 1024 * 1024);
    for (int i = 0; i < 5; i++)
        assert_int_equal(tend_signal_sse_feed(p, big, 1024 * 1024), 0);
    free(big);
    assert_int_equal(tend_signal_sse_feed(p, "\n\ndata:{\"next\":1}\n\n", 20), 0);
    assert_int_equal(e.n, 1);
    assert_string_equal(e.seen[0], "{\"next\":1}");
    tend_signal_sse_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(utf16_counts_as_signal_does),
        cmocka_unit_test(commands_start_with_bang_or_slash),
        cmocka_unit_test(mentions_become_references_at_their_utf16_place),
        cmocka_unit_test(replies_ping_exactly_the_members_meant),
        cmocka_unit_test(buttons_are_reactions_in_a_1to1_chat_and_commands_in_a_group),
        cmocka_unit_test(sse_events_survive_any_split),
        cmocka_unit_test(sse_oversized_event_is_skipped_whole),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
