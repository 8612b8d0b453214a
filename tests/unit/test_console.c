/* test_console.c — what the console prints and how it reads lines: the demo and the scripted
 * integration tests depend on both. The real app on testkit's in-memory store and fixed clock: the
 * console's answers arrive through the outbox, as in tend. */
#include "testkit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adapters/console/console_impl.h"

typedef struct {
    testkit *kit;
    testkit_app ta;
    tend_adapter *console;
    char *buf;
    size_t len;
    FILE *out;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    f->kit = testkit_new();
    testkit_app_open(f->kit, &f->ta);
    f->console = tend_app_adapter(f->ta.app, "console");
    f->out = open_memstream(&f->buf, &f->len);
    tend_console_set_output(f->console, f->out);
    *state = f;
    return f->kit && f->console && f->out ? 0 : -1;
}

static int teardown(void **state)
{
    fixture *f = *state;
    testkit_app_close(&f->ta);
    fclose(f->out);
    free(f->buf);
    testkit_free(f->kit);
    free(f);
    return 0;
}

/* Everything printed since the last call. */
static const char *printed(fixture *f)
{
    static char copy[65536];
    fflush(f->out);
    long end = ftell(f->out); /* what this round wrote: an earlier, longer round may linger after it */
    snprintf(copy, sizeof copy, "%.*s", (int)end, f->buf ? f->buf : "");
    fseek(f->out, 0, SEEK_SET);
    f->buf[0] = '\0';
    return copy;
}

static void prints_audience_lines_buttons_and_mentions(void **state)
{
    fixture *f = *state;
    tend_messages list;
    tend_messages_init(&list);
    tend_message *m = tend_messages_add(&list, TEND_TO_PUBLIC, "console:demo", NULL, NULL, "task.announce",
                                        "New task #3 from ");
    tend_message_add_mention(m, "ana", "Ana");
    tend_message_appendf(m, ".\nSay " TEND_CMD "claim 3 to help.");
    tend_message_add_button(m, "Claim", "\u2705", "claim 3");
    tend_message_add_button(m, "Later", NULL, "tasks");
    tend_messages_add(&list, TEND_TO_PRIVATE, "console:demo", "bob", "bob", "reply", "Only you see this.");
    tend_messages_add(&list, TEND_TO_DM, "console:demo", "cam", "cam", "promote", "A spot opened.");
    for (size_t i = 0; i < list.count; i++)
        tend_console_print(f->out, &list.items[i]);
    assert_string_equal(printed(f), "[public] New task #3 from @Ana.\n"
                                    "  Say /claim 3 to help.\n"
                                    "  \u2192 Claim: /claim 3 \u00b7 Later: /tasks\n"
                                    "[private bob] Only you see this.\n"
                                    "[dm cam] A spot opened.\n");
    tend_messages_clear(&list);
}

static void a_line_is_a_command_with_or_without_slash(void **state)
{
    fixture *f = *state;
    assert_int_equal(tend_console_handle_line(f->console, "/help"), 0);
    const char *with_slash = printed(f);
    assert_non_null(strstr(with_slash, "[private you] "));
    char *first = strdup(with_slash);
    assert_non_null(first);
    assert_int_equal(tend_console_handle_line(f->console, "  help  "), 0);
    assert_string_equal(printed(f), first);
    free(first);
}

static void comments_and_blank_lines_say_nothing(void **state)
{
    fixture *f = *state;
    assert_int_equal(tend_console_handle_line(f->console, "# a note for whoever reads the script"), 0);
    assert_int_equal(tend_console_handle_line(f->console, "   "), 0);
    assert_string_equal(printed(f), "");
}

static void as_switches_and_creates_the_member(void **state)
{
    fixture *f = *state;
    tend_console_handle_line(f->console, ":as sam");
    assert_string_equal(printed(f), "[console] now speaking as sam\n");
    tend_group g;
    tend_member m;
    assert_int_equal(tend_store_group_get(f->kit->store, "console:demo", &g), TEND_STORE_OK);
    assert_int_equal(tend_store_member_get(f->kit->store, g.id, "sam", &m), TEND_STORE_OK);
    assert_string_equal(m.name, "sam");
    tend_console_handle_line(f->console, "/me");
    assert_non_null(strstr(printed(f), "[private sam] "));

    tend_console_handle_line(f->console, ":as");
    assert_non_null(strstr(printed(f), "[console] :as needs a name"));
    tend_console_handle_line(f->console, "/me");
    assert_non_null(strstr(printed(f), "[private sam] ")); /* still sam */
}

static int count_rows(testkit *kit, const char *table_sql)
{
    int n = -1;
    assert_int_equal(tend_store_debug_find_text(kit->store, table_sql, &n), TEND_STORE_OK);
    return n;
}

/* The console starts in the member's private chat; in the group room (:room) a private command
 * is refused in private and records nothing, and :dm brings them back. */
static void room_and_dm_move_where_the_member_types(void **state)
{
    fixture *f = *state;
    tend_console_handle_line(f->console, ":as wren");
    printed(f);
    int cells = count_rows(f->kit, "wren");
    tend_console_handle_line(f->console, ":room");
    assert_string_equal(printed(f), "[console] wren is typing in the group room now, where everyone reads along\n");
    tend_console_handle_line(f->console, "/checkin low wrenfeels-qz");
    const char *said = printed(f);
    assert_non_null(strstr(said, "[private wren] That one is just between you and me"));
    assert_non_null(strstr(said, ":dm"));
    assert_null(strstr(said, "[public]"));
    assert_int_equal(count_rows(f->kit, "wrenfeels-qz"), 0);
    assert_int_equal(count_rows(f->kit, "wren"), cells);
    /* public commands still work from the room */
    tend_console_handle_line(f->console, "/task add \"Sweep the hall\"");
    assert_non_null(strstr(printed(f), "[public] "));
    tend_console_handle_line(f->console, ":dm");
    assert_string_equal(printed(f), "[console] wren is typing in their private chat with tend now\n");
    tend_console_handle_line(f->console, ":as you"); /* the default person is spoken to, not of */
    printed(f);
    tend_console_handle_line(f->console, ":room");
    assert_string_equal(printed(f), "[console] you are typing in the group room now, where everyone reads along\n");
    tend_console_handle_line(f->console, ":dm");
    assert_string_equal(printed(f), "[console] you are typing in your private chat with tend now\n");
    tend_console_handle_line(f->console, ":as wren");
    printed(f);
    tend_console_handle_line(f->console, "/checkin low wrenfeels-qz");
    said = printed(f);
    assert_non_null(strstr(said, "[private wren] Thanks for telling me"));
    assert_int_equal(count_rows(f->kit, "wrenfeels-qz"), 1);
}

static void advance_moves_the_clock_exactly(void **state)
{
    fixture *f = *state;
    int64_t before = tend_clock_now(f->kit->clock);
    tend_console_handle_line(f->console, ":advance 1d");
    assert_int_equal(tend_clock_now(f->kit->clock), before + 86400);
    assert_non_null(strstr(printed(f), "[console] the clock is now Tue 2026-11-03 09:00 UTC\n"));

    static const char *const bad[] = {":advance soon", ":advance 0d", ":advance -1w", ":advance 999y",
                                      ":advance"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        tend_console_handle_line(f->console, bad[i]);
        assert_string_equal(printed(f),
                            "[console] :advance needs a duration like 30m, 1h, 3d or 1w (at most a year)\n");
    }
    assert_int_equal(tend_clock_now(f->kit->clock), before + 86400);
}

static void quit_ends_and_unknown_directives_are_explained(void **state)
{
    fixture *f = *state;
    assert_int_equal(tend_console_handle_line(f->console, ":quit"), 1);
    assert_int_equal(tend_console_handle_line(f->console, ":qiut"), 0);
    assert_string_equal(printed(f), "[console] I know :as NAME, :dm, :room, :advance DURATION and :quit\n");
}

static void input_split_across_reads_and_crlf(void **state)
{
    fixture *f = *state;
    console *c = f->console->impl;
    assert_int_equal(console_feed(c, ":as r", 5), 0);
    assert_string_equal(printed(f), ""); /* half a line waits for the rest */
    assert_int_equal(console_feed(c, "ia\r\n:as", 7), 0);
    assert_string_equal(printed(f), "[console] now speaking as ria\n");
    console_feed_end(c); /* the last line needs no newline */
    assert_non_null(strstr(printed(f), "[console] :as needs a name"));

    /* a :quit in the middle of a read stops the lines after it */
    c->quit = false;
    assert_int_equal(console_feed(c, ":quit\n:as zed\n", 14), 1);
    assert_string_equal(printed(f), "");
}

/* A piped script runs under a frozen clock (--now): the minute never passes, yet every line is the
 * one person at the keyboard, so no per-minute budget may cut the script off (issue 14). */
static void a_long_script_under_a_frozen_clock_runs_every_line(void **state)
{
    fixture *f = *state;
    tend_console_handle_line(f->console, ":as ana");
    printed(f);
    int64_t frozen = tend_clock_now(f->kit->clock);
    char line[64];
    for (int i = 1; i <= 45; i++) { /* the default budget is 30 a minute */
        snprintf(line, sizeof line, "/task add Chore number %d", i);
        tend_console_handle_line(f->console, line);
        testkit_app_turn(&f->ta);
        const char *said = printed(f);
        assert_null(strstr(said, "a lot of commands"));
        snprintf(line, sizeof line, "#%d Chore number %d", i, i);
        assert_non_null(strstr(said, line));
    }
    assert_int_equal(tend_clock_now(f->kit->clock), frozen);
    assert_int_equal(count_rows(f->kit, "Chore number 45"), 1);
}

/* A NUL or a byte that is no UTF-8: one line from the console, nothing run, nothing stored. */
static void a_line_that_is_not_text_is_refused_whole(void **state)
{
    fixture *f = *state;
    console *c = f->console->impl;
    tend_console_handle_line(f->console, ":as ana");
    printed(f);
    static const char *const bad[] = {
        "/task add Soup \xff\xfe run\n",        /* not UTF-8 at all            */
        "/task add Soup \xc3\n",                /* a character cut in half      */
        "/task add Soup \xed\xa0\x80 run\n",    /* a UTF-16 surrogate           */
        "/task add Soup \xc0\xaf run\n",        /* an overlong "/"              */
        "/task add Soup \xf4\x90\x80\x80\n",    /* past U+10FFFF                */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(console_feed(c, bad[i], strlen(bad[i])), 0);
        assert_string_equal(printed(f),
                            "[console] that line has a byte that isn't text (a NUL or broken UTF-8), so I skipped it\n");
    }
    static const char nul[] = "/task add Bread\0 and butter\n";
    assert_int_equal(console_feed(c, nul, sizeof nul - 1), 0);
    assert_string_equal(printed(f),
                        "[console] that line has a byte that isn't text (a NUL or broken UTF-8), so I skipped it\n");
    tend_console_handle_line(f->console, "/task add Soup \xff run");
    assert_non_null(strstr(printed(f), "isn't text"));
    assert_int_equal(count_rows(f->kit, "Soup"), 0);
    assert_int_equal(count_rows(f->kit, "Bread"), 0);
    /* and the next good line runs as usual, in CJK and emoji too */
    static const char good[] = "/task add \xe5\xad\x97 soup \xf0\x9f\x8d\xb2\n";
    assert_int_equal(console_feed(c, good, sizeof good - 1), 0);
    testkit_app_turn(&f->ta);
    assert_non_null(strstr(printed(f), "[public] New task: #1 \xe5\xad\x97 soup \xf0\x9f\x8d\xb2"));
}

/* :as takes the same names /profile does: up to 60 characters, counted as characters. */
static void as_takes_sixty_characters_in_any_script(void **state)
{
    fixture *f = *state;
    char name[61 * 4 + 8] = ":as ";
    for (int i = 0; i < 60; i++)
        strcat(name, "\xf0\x9f\x98\x80"); /* U+1F600, four bytes each */
    tend_console_handle_line(f->console, name);
    assert_non_null(strstr(printed(f), "[console] now speaking as \xf0\x9f\x98\x80"));
    strcat(name, "\xe5\xad\x97");
    tend_console_handle_line(f->console, name);
    assert_string_equal(printed(f), "[console] :as needs a name of 1 to 60 characters, like :as sam\n");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(prints_audience_lines_buttons_and_mentions, setup, teardown),
        cmocka_unit_test_setup_teardown(a_line_is_a_command_with_or_without_slash, setup, teardown),
        cmocka_unit_test_setup_teardown(comments_and_blank_lines_say_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(as_switches_and_creates_the_member, setup, teardown),
        cmocka_unit_test_setup_teardown(room_and_dm_move_where_the_member_types, setup, teardown),
        cmocka_unit_test_setup_teardown(advance_moves_the_clock_exactly, setup, teardown),
        cmocka_unit_test_setup_teardown(quit_ends_and_unknown_directives_are_explained, setup, teardown),
        cmocka_unit_test_setup_teardown(input_split_across_reads_and_crlf, setup, teardown),
        cmocka_unit_test_setup_teardown(a_long_script_under_a_frozen_clock_runs_every_line, setup, teardown),
        cmocka_unit_test_setup_teardown(a_line_that_is_not_text_is_refused_whole, setup, teardown),
        cmocka_unit_test_setup_teardown(as_takes_sixty_characters_in_any_script, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
