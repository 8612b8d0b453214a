/* test_matrix_render.c — the Matrix adapter's pure parts: commands and pills in, event content out. */
#include "testkit.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "adapters/matrix/internal.h"

static void plain_command_is_found_and_chat_is_not(void **state)
{
    (void)state;
    tend_matrix_command cmd;
    assert_int_equal(tend_matrix_parse_command("!claim 12", NULL, &cmd), 1);
    assert_string_equal(cmd.text, "claim 12");
    assert_int_equal(cmd.n_refs, 0);
    tend_matrix_command_free(&cmd);
    assert_int_equal(tend_matrix_parse_command("  /task add \"Soup run\"", NULL, &cmd), 1);
    assert_string_equal(cmd.text, "task add \"Soup run\"");
    tend_matrix_command_free(&cmd);
    /* chat, excitement and a command in the middle of a sentence run nothing */
    assert_int_equal(tend_matrix_parse_command("lunch at noon? !claim 3", NULL, &cmd), 0);
    assert_int_equal(tend_matrix_parse_command("!!!", NULL, &cmd), 0);
    assert_int_equal(tend_matrix_parse_command("! claim", NULL, &cmd), 0);
    assert_int_equal(tend_matrix_parse_command("", NULL, &cmd), 0);
    assert_int_equal(tend_matrix_parse_command(NULL, NULL, &cmd), 0);
}

static void control_characters_cannot_forge_markers(void **state)
{
    (void)state;
    tend_matrix_command cmd;
    assert_int_equal(tend_matrix_parse_command("!thanks \x1E" "0\x1F for \x1D" "x", NULL, &cmd), 1);
    assert_string_equal(cmd.text, "thanks 0 for x");
    assert_int_equal(cmd.n_refs, 0);
    tend_matrix_command_free(&cmd);
}

static void pill_in_html_becomes_a_member_reference(void **state)
{
    (void)state;
    tend_matrix_command cmd;
    const char *html = "!thanks <a href=\"https://matrix.to/#/@bea:example.org\">Bea</a> for the &lt;lift&gt;";
    assert_int_equal(tend_matrix_parse_command("!thanks Bea for the <lift>", html, &cmd), 1);
    assert_string_equal(cmd.text, "thanks \x1E" "0\x1F for the <lift>");
    assert_int_equal(cmd.n_refs, 1);
    assert_string_equal(cmd.refs[0].member_key, "@bea:example.org");
    assert_string_equal(cmd.refs[0].name, "bea");
    tend_matrix_command_free(&cmd);
}

static void plain_user_id_becomes_a_reference_but_room_does_not(void **state)
{
    (void)state;
    tend_matrix_command cmd;
    assert_int_equal(tend_matrix_parse_command("!handoff 4 @cy:example.org. @room x@no:t.org", NULL, &cmd), 1);
    assert_string_equal(cmd.text, "handoff 4 \x1E" "0\x1F. @room x@no:t.org");
    assert_int_equal(cmd.n_refs, 1);
    assert_string_equal(cmd.refs[0].member_key, "@cy:example.org");
    tend_matrix_command_free(&cmd);
}

static void reply_fallback_is_skipped(void **state)
{
    (void)state;
    tend_matrix_command cmd;
    assert_int_equal(tend_matrix_parse_command("> <@a:x.org> New task: soup\n\n!claim 2", NULL, &cmd), 1);
    assert_string_equal(cmd.text, "claim 2");
    tend_matrix_command_free(&cmd);
    const char *html = "<mx-reply><blockquote>!done 1</blockquote></mx-reply>hello "
                       "<a href=\"https://matrix.to/#/@a:x.org\">A</a>";
    assert_int_equal(tend_matrix_parse_command("> quoted\n\nhello A", html, &cmd), 0);
}

static cJSON *render(const tend_message *m, const char *reply_to)
{
    char *json = tend_matrix_render_content(m, reply_to);
    assert_non_null(json);
    cJSON *c = cJSON_Parse(json);
    free(json);
    assert_non_null(c);
    return c;
}

static const char *field(const cJSON *c, const char *name)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(c, name);
    assert_true(cJSON_IsString(it));
    return it->valuestring;
}

static void reply_is_a_notice_with_escaped_html_and_only_the_meant_mentions(void **state)
{
    (void)state;
    tend_messages list;
    tend_messages_init(&list);
    tend_message *m = tend_messages_add(&list, TEND_TO_PUBLIC, "matrix:!r:x.org", NULL, NULL, "thanks",
                                        "<b>@room</b> & ");
    assert_non_null(m);
    assert_int_equal(tend_message_add_mention(m, "@bea:x.org", "Bea <3"), 0);
    assert_int_equal(tend_message_appendf(m, " see " TEND_CMD "claim 2\nbye"), 0);
    cJSON *c = render(m, "$cmd");
    assert_string_equal(field(c, "msgtype"), "m.notice");
    assert_string_equal(field(c, "body"), "<b>@room</b> & Bea <3 see !claim 2\nbye");
    assert_string_equal(field(c, "format"), "org.matrix.custom.html");
    assert_string_equal(field(c, "formatted_body"),
                        "&lt;b&gt;@room&lt;/b&gt; &amp; <a href=\"https://matrix.to/#/@bea:x.org\">Bea "
                        "&lt;3</a> see !claim 2<br>bye");
    const cJSON *ids = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(c, "m.mentions"),
                                                        "user_ids");
    assert_int_equal(cJSON_GetArraySize(ids), 1);
    assert_string_equal(cJSON_GetArrayItem(ids, 0)->valuestring, "@bea:x.org");
    assert_null(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(c, "m.mentions"), "room"));
    const cJSON *rel = cJSON_GetObjectItemCaseSensitive(c, "m.relates_to");
    assert_string_equal(field(cJSON_GetObjectItemCaseSensitive(rel, "m.in_reply_to"), "event_id"), "$cmd");
    cJSON_Delete(c);
    tend_messages_clear(&list);
}

/* A DM that asks for the member's attention notifies (m.text); a private reply stays a notice. */
static void attention_dms_are_text_and_replies_notices(void **state)
{
    (void)state;
    tend_messages list;
    tend_messages_init(&list);
    tend_messages_add(&list, TEND_TO_DM, "matrix:!r:x.org", "@cam:x.org", "cam", "promoted", "A spot opened.");
    tend_messages_add(&list, TEND_TO_PRIVATE, "matrix:!r:x.org", "@cam:x.org", "cam", "reply", "Thanks.");
    cJSON *dm = render(&list.items[0], NULL);
    cJSON *reply = render(&list.items[1], NULL);
    assert_string_equal(field(dm, "msgtype"), "m.text");
    assert_string_equal(field(reply, "msgtype"), "m.notice");
    cJSON_Delete(dm);
    cJSON_Delete(reply);
    tend_messages_clear(&list);
}

static void group_option_is_taken_out_of_a_direct_chat_command(void **state)
{
    (void)state;
    char text[128], value[64];
    snprintf(text, sizeof text, "checkin low tired group:\"Soup kitchen\"");
    assert_int_equal(tend_matrix_take_group_option(text, value, sizeof value), 1);
    assert_string_equal(text, "checkin low tired");
    assert_string_equal(value, "Soup kitchen");
    snprintf(text, sizeof text, "claim 3 GROUP:#soup:x.org please");
    assert_int_equal(tend_matrix_take_group_option(text, value, sizeof value), 1);
    assert_string_equal(text, "claim 3 please");
    assert_string_equal(value, "#soup:x.org");
    /* a title that mentions group: is the member's text, not an option */
    snprintf(text, sizeof text, "task add \"ask group:pantry\" slots:2");
    assert_int_equal(tend_matrix_take_group_option(text, value, sizeof value), 0);
    assert_string_equal(text, "task add \"ask group:pantry\" slots:2");
    snprintf(text, sizeof text, "regroup:x");
    assert_int_equal(tend_matrix_take_group_option(text, value, sizeof value), 0);
}

static void mentions_are_always_present_even_when_empty(void **state)
{
    (void)state;
    char *json = tend_matrix_render_notice("Hi @room, type " TEND_CMD "help");
    cJSON *c = cJSON_Parse(json);
    free(json);
    assert_string_equal(field(c, "body"), "Hi @room, type !help");
    const cJSON *mentions = cJSON_GetObjectItemCaseSensitive(c, "m.mentions");
    assert_true(cJSON_IsObject(mentions));
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(mentions, "user_ids")), 0);
    assert_null(cJSON_GetObjectItemCaseSensitive(c, "m.relates_to"));
    cJSON_Delete(c);
}

static void inviters_follow_the_config(void **state)
{
    (void)state;
    /* default: the bot's own server only */
    assert_true(tend_matrix_inviter_allowed(NULL, "x.org", "@ana:x.org"));
    assert_false(tend_matrix_inviter_allowed("", "x.org", "@ana:evil.org"));
    assert_false(tend_matrix_inviter_allowed(NULL, "x.org", "@ana:x.org.evil.org"));
    const char *allowed = "@bea:y.org, :z.org";
    assert_true(tend_matrix_inviter_allowed(allowed, "x.org", "@bea:y.org"));
    assert_false(tend_matrix_inviter_allowed(allowed, "x.org", "@bo:y.org"));
    assert_true(tend_matrix_inviter_allowed(allowed, "x.org", "@anyone:z.org"));
    assert_false(tend_matrix_inviter_allowed(allowed, "x.org", "@ana:x.org"));
    assert_false(tend_matrix_inviter_allowed(allowed, "x.org", "@bea:y.org.evil"));
    assert_false(tend_matrix_inviter_allowed(allowed, "x.org", NULL));
}

static void reaction_keys_ignore_the_variation_selector(void **state)
{
    (void)state;
    char a[128], b[128];
    tend_matrix_reaction_state_key("$ev", "\xE2\x9C\x85", a, sizeof a);
    tend_matrix_reaction_state_key("$ev", "\xE2\x9C\x85\xEF\xB8\x8F", b, sizeof b);
    assert_string_equal(a, "react:$ev:\xE2\x9C\x85");
    assert_string_equal(a, b);
    assert_string_equal(tend_matrix_room_of_group("matrix:!r:x.org"), "!r:x.org");
    assert_null(tend_matrix_room_of_group("discord:123"));
    assert_null(tend_matrix_room_of_group("matrix:"));
}

static void backoff_grows_with_jitter_and_retry_after_is_honoured(void **state)
{
    (void)state;
    for (int i = 0; i < 50; i++) {
        uint64_t first = tend_matrix_backoff_ms(1, 500, 30000);
        uint64_t late = tend_matrix_backoff_ms(12, 500, 30000);
        assert_in_range(first, 375, 625);
        assert_in_range(late, 22500, 37500);
    }
    tend_http_response r = {.status = 429, .body = "{\"errcode\":\"M_LIMIT_EXCEEDED\",\"retry_after_ms\":1234}",
                            .raw_headers = "HTTP/1.1 429 Too Many Requests\r\n\r\n"};
    r.body_len = strlen(r.body);
    assert_int_equal(tend_matrix_retry_after_ms(&r, 9), 1284);
    r.raw_headers = "HTTP/1.1 429 Too Many Requests\r\nRetry-After: 3\r\n\r\n";
    assert_int_equal(tend_matrix_retry_after_ms(&r, 9), 3050);
    r.raw_headers = "";
    r.body = "not json";
    r.body_len = strlen(r.body);
    assert_int_equal(tend_matrix_retry_after_ms(&r, 9), 9);
}

static void path_segments_are_escaped(void **state)
{
    (void)state;
    char *e = tend_matrix_escape("!room:x.org/../$ev");
    assert_string_equal(e, "%21room%3Ax.org%2F..%2F%24ev");
    free(e);
}

/* A command's answers reply to its event; a reaction's reply to the message reacted to, while a
 * take-down of a private command must remove the member's reaction, never the bot's message. */
static void an_origin_names_the_reply_and_the_command_apart(void **state)
{
    (void)state;
    char buf[3 * MX_KEY_MAX + 3];
    tend_matrix_origin o;
    tend_matrix_origin_write(buf, sizeof buf, "!room:x", "$typed", "$typed", NULL);
    assert_string_equal(buf, "!room:x\t$typed");
    tend_matrix_origin_read(buf, &o);
    assert_string_equal(o.room, "!room:x");
    assert_string_equal(o.reply, "$typed");
    assert_string_equal(o.command, "$typed");
    tend_matrix_origin_write(buf, sizeof buf, "!room:x", "$prompt", "$reaction", NULL);
    tend_matrix_origin_read(buf, &o);
    assert_string_equal(o.room, "!room:x");
    assert_string_equal(o.reply, "$prompt");
    assert_string_equal(o.command, "$reaction");
    tend_matrix_origin_read(NULL, &o); /* an unprompted message */
    assert_string_equal(o.room, "");
    assert_string_equal(o.reply, "");
    assert_string_equal(o.command, "");
    tend_matrix_origin_read("!room:x\t", &o);
    assert_string_equal(o.room, "!room:x");
    assert_string_equal(o.reply, "");
}

/* A command typed in a thread: its origin keeps the thread root, and the answer's content is a
 * reply to the command inside that thread (so Element shows it there, not in the timeline). */
static void an_answer_in_a_thread_carries_the_thread_relation(void **state)
{
    (void)state;
    char buf[4 * MX_KEY_MAX + 4];
    tend_matrix_origin o;
    tend_matrix_origin_write(buf, sizeof buf, "!room:x", "$typed", "$typed", "$root");
    tend_matrix_origin_read(buf, &o);
    assert_string_equal(o.room, "!room:x");
    assert_string_equal(o.reply, "$typed");
    assert_string_equal(o.command, "$typed");
    assert_string_equal(o.thread, "$root");
    tend_matrix_origin_write(buf, sizeof buf, "!room:x", "$typed", "$typed", NULL);
    tend_matrix_origin_read(buf, &o);
    assert_string_equal(o.thread, "");

    cJSON *typed = cJSON_Parse("{\"msgtype\":\"m.text\",\"body\":\"!tasks\",\"m.relates_to\":"
                               "{\"rel_type\":\"m.thread\",\"event_id\":\"$root\",\"is_falling_back\":true,"
                               "\"m.in_reply_to\":{\"event_id\":\"$last\"}}}");
    assert_string_equal(tend_matrix_thread_of(typed), "$root");
    cJSON_Delete(typed);
    typed = cJSON_Parse("{\"msgtype\":\"m.text\",\"body\":\"!tasks\",\"m.relates_to\":"
                        "{\"m.in_reply_to\":{\"event_id\":\"$other\"}}}");
    assert_null(tend_matrix_thread_of(typed)); /* a plain reply is not a thread */
    cJSON_Delete(typed);

    tend_messages list;
    tend_messages_init(&list);
    tend_message *m = tend_messages_add(&list, TEND_TO_PUBLIC, "matrix:!room:x", NULL, NULL, "reply", "Done");
    char *plain = tend_matrix_render_content(m, "$typed");
    char *json = tend_matrix_in_thread(plain, "$root", "$typed");
    cJSON *c = cJSON_Parse(json);
    const cJSON *rel = cJSON_GetObjectItemCaseSensitive(c, "m.relates_to");
    assert_string_equal(field(rel, "rel_type"), "m.thread");
    assert_string_equal(field(rel, "event_id"), "$root");
    assert_true(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(rel, "is_falling_back")));
    assert_string_equal(field(cJSON_GetObjectItemCaseSensitive(rel, "m.in_reply_to"), "event_id"), "$typed");
    assert_string_equal(field(c, "msgtype"), "m.notice");
    assert_non_null(cJSON_GetObjectItemCaseSensitive(c, "m.mentions"));
    cJSON_Delete(c);
    free(json);
    free(plain);
    tend_messages_clear(&list);
}

/* A file in an encrypted room: "file" (the sealed upload's key, iv and hash, with its url)
 * instead of "url", info about the file itself, and no mention of anyone. */
static void an_encrypted_file_carries_its_key_beside_its_url(void **state)
{
    (void)state;
    const char *info = "{\"hashes\":{\"sha256\":\"aGFzaA\"},\"iv\":\"aXY\",\"key\":{\"alg\":\"A256CTR\","
                       "\"ext\":true,\"k\":\"a2V5\",\"key_ops\":[\"encrypt\",\"decrypt\"],\"kty\":\"oct\"},\"v\":\"v2\"}";
    char *json = tend_matrix_render_encrypted_file("tend-export.json", "application/json", 1234,
                                                   "mxc://example.org/sealed", info);
    assert_non_null(json);
    cJSON *c = cJSON_Parse(json);
    assert_string_equal(cJSON_GetObjectItem(c, "msgtype")->valuestring, "m.file");
    assert_string_equal(cJSON_GetObjectItem(c, "body")->valuestring, "tend-export.json");
    assert_null(cJSON_GetObjectItem(c, "url")); /* a client finds the file under "file" only */
    const cJSON *file = cJSON_GetObjectItem(c, "file");
    assert_string_equal(cJSON_GetObjectItem(file, "url")->valuestring, "mxc://example.org/sealed");
    assert_string_equal(cJSON_GetObjectItem(file, "v")->valuestring, "v2");
    assert_string_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(file, "key"), "k")->valuestring, "a2V5");
    assert_string_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(file, "hashes"), "sha256")->valuestring, "aGFzaA");
    const cJSON *about = cJSON_GetObjectItem(c, "info");
    assert_string_equal(cJSON_GetObjectItem(about, "mimetype")->valuestring, "application/json");
    assert_int_equal((int)cJSON_GetObjectItem(about, "size")->valuedouble, 1234);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(cJSON_GetObjectItem(c, "m.mentions"), "user_ids")), 0);
    cJSON_Delete(c);
    free(json);
    /* a plain file keeps its url where it was */
    json = tend_matrix_render_file("tend-export.json", "application/json", 5, "mxc://example.org/plain");
    c = cJSON_Parse(json);
    assert_string_equal(cJSON_GetObjectItem(c, "url")->valuestring, "mxc://example.org/plain");
    assert_null(cJSON_GetObjectItem(c, "file"));
    cJSON_Delete(c);
    free(json);
    assert_null(tend_matrix_render_encrypted_file("a", "text/plain", 1, "mxc://x/y", "[1]"));
    assert_null(tend_matrix_render_encrypted_file("a", "text/plain", 1, "mxc://x/y", "not json"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(plain_command_is_found_and_chat_is_not),
        cmocka_unit_test(control_characters_cannot_forge_markers),
        cmocka_unit_test(pill_in_html_becomes_a_member_reference),
        cmocka_unit_test(plain_user_id_becomes_a_reference_but_room_does_not),
        cmocka_unit_test(reply_fallback_is_skipped),
        cmocka_unit_test(reply_is_a_notice_with_escaped_html_and_only_the_meant_mentions),
        cmocka_unit_test(mentions_are_always_present_even_when_empty),
        cmocka_unit_test(attention_dms_are_text_and_replies_notices),
        cmocka_unit_test(group_option_is_taken_out_of_a_direct_chat_command),
        cmocka_unit_test(inviters_follow_the_config),
        cmocka_unit_test(reaction_keys_ignore_the_variation_selector),
        cmocka_unit_test(backoff_grows_with_jitter_and_retry_after_is_honoured),
        cmocka_unit_test(path_segments_are_escaped),
        cmocka_unit_test(an_origin_names_the_reply_and_the_command_apart),
        cmocka_unit_test(an_answer_in_a_thread_carries_the_thread_relation),
        cmocka_unit_test(an_encrypted_file_carries_its_key_beside_its_url),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
