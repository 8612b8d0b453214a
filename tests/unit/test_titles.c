/* test_titles.c — a task's title as the member typed it, everywhere it is shown: a quote inside
 * it stays (issue 14: `Fix the "big" fridge` lost its quotes), quotes around it still only hold
 * the words together, and nothing in a title pings anyone on Discord or Matrix. */
#include "testkit.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "adapters/discord/internal.h"
#include "adapters/matrix/internal.h"
#include "bot/args.h"
#include "store/store_tasks.h"

static tend_task task_number(testkit *kit, int number)
{
    tend_group g;
    tend_task t;
    assert_int_equal(tend_store_group_get(kit->store, kit->group_key, &g), TEND_STORE_OK);
    assert_int_equal(tend_store_task_get(kit->store, g.id, number, &t), TEND_STORE_OK);
    return t;
}

static const tend_message *said_kind(testkit *kit, const char *kind)
{
    for (size_t i = 0; i < kit->out.count; i++)
        if (strcmp(kit->out.items[i].kind, kind) == 0)
            return &kit->out.items[i];
    fail_msg("no %s message in:\n%s", kind, testkit_said(kit));
    return NULL;
}

static char *args_text(const char *line, size_t from, size_t to)
{
    tend_args *a = NULL;
    char err[100];
    assert_int_equal(tend_args_parse(line, NULL, 0, &a, err, sizeof err), 0);
    char *s = tend_args_text(a, from, to);
    tend_args_free(a);
    assert_non_null(s);
    return s;
}

static void args_text_keeps_inner_quotes_and_unwraps_a_wholly_quoted_span(void **state)
{
    (void)state;
    static const struct {
        const char *line, *text;
    } cases[] = {
        {"Fix the \"big\" fridge", "Fix the \"big\" fridge"},
        {"\"Soup run\"", "Soup run"},
        {"\"Fix the \\\"big\\\" fridge\"", "Fix the \"big\" fridge"},
        {"\"big\" fridge", "\"big\" fridge"},
        {"Fix the \"big\"", "Fix the \"big\""},
        {"say \"hi\"there", "say \"hi\"there"},
        {"\"a\"b\"c\"", "\"a\"b\"c\""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *s = args_text(cases[i].line, 0, 100);
        assert_string_equal(s, cases[i].text);
        free(s);
    }
    /* a lone quote still opens a quote that never closes: explained, as before */
    tend_args *a = NULL;
    char err[100];
    assert_int_equal(tend_args_parse("5\" pipe", NULL, 0, &a, err, sizeof err), -1);
    assert_null(a);
    /* options are not words: the title around them reads as typed */
    char *s = args_text("Fix the \"big\" fridge slots:2 when:\"fri 18:00\"", 0, 100);
    assert_string_equal(s, "Fix the \"big\" fridge");
    free(s);
}

static void a_quote_inside_a_title_is_kept_on_the_board_and_in_every_message(void **state)
{
    (void)state;
    testkit *kit = testkit_new();
    kit->in_public = 1;
    testkit_run(kit, "ana", 1, "task add Fix the \"big\" fridge slots:2");
    assert_string_equal(task_number(kit, 1).title, "Fix the \"big\" fridge");
    assert_non_null(strstr(said_kind(kit, "task.announce")->text, "Fix the \"big\" fridge"));
    assert_int_equal(task_number(kit, 1).slots, 2);

    testkit_run(kit, "ana", 1, "task add \"Soup run\" slots:2");
    assert_string_equal(task_number(kit, 2).title, "Soup run");
    testkit_run(kit, "ana", 1, "task add \"Fix the \\\"small\\\" sink\"");
    assert_string_equal(task_number(kit, 3).title, "Fix the \"small\" sink");

    /* the title as typed names the task, quotes and all */
    testkit_run(kit, "bob", 0, "claim Fix the \"big\" fridge");
    assert_true(testkit_said_has(kit, "#1"));
    assert_true(testkit_said_has(kit, "Fix the \"big\" fridge"));
    kit->in_public = 0;
    testkit_run(kit, "bob", 0, "tasks all");
    assert_true(testkit_said_has(kit, "#1 Fix the \"big\" fridge"));
    assert_true(testkit_said_has(kit, "#3 Fix the \"small\" sink"));
    /* the private word to a claimer carries it too */
    testkit_run(kit, "ana", 1, "task cancel 1 note:the \"new\" fridge came");
    const tend_message *dm = NULL;
    for (size_t i = 0; i < kit->out.count; i++)
        if (kit->out.items[i].audience == TEND_TO_DM && strcmp(kit->out.items[i].member_key, "bob") == 0)
            dm = &kit->out.items[i];
    if (!dm)
        fail_msg("%s", testkit_said(kit));
    assert_non_null(strstr(dm->text, "Fix the \"big\" fridge"));
    testkit_free(kit);
}

static void a_title_pings_nobody_and_keeps_its_quotes_on_discord_and_matrix(void **state)
{
    (void)state;
    testkit *kit = testkit_new();
    kit->in_public = 1;
    testkit_run(kit, "ana", 1,
                "task add Say \"hi\" to @everyone @here @room <@&1> <@99> "
                "<a href=\"https://matrix.to/#/@eve:x.org\">Eve</a>");
    const tend_message *ann = said_kind(kit, "task.announce");
    assert_int_equal(ann->n_mentions, 0);

    char *dc = dc_json_take(dc_render_message(ann, false));
    cJSON *d = cJSON_Parse(dc);
    assert_non_null(d);
    const char *content = cJSON_GetObjectItemCaseSensitive(d, "content")->valuestring;
    assert_non_null(strstr(content, "Say \"hi\" to @everyone @here"));
    const cJSON *allowed = cJSON_GetObjectItemCaseSensitive(d, "allowed_mentions");
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(allowed, "parse")), 0);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(allowed, "users")), 0);
    assert_null(cJSON_GetObjectItemCaseSensitive(allowed, "roles"));
    cJSON_Delete(d);
    free(dc);

    char *mx = tend_matrix_render_content(ann, "$cmd");
    cJSON *m = cJSON_Parse(mx);
    assert_non_null(m);
    const char *body = cJSON_GetObjectItemCaseSensitive(m, "body")->valuestring;
    const char *html = cJSON_GetObjectItemCaseSensitive(m, "formatted_body")->valuestring;
    assert_non_null(strstr(body, "Say \"hi\" to @everyone @here @room"));
    assert_non_null(strstr(html, "Say &quot;hi&quot; to"));
    assert_null(strstr(html, "<a href")); /* no pill: the title's link is text */
    const cJSON *mentions = cJSON_GetObjectItemCaseSensitive(m, "m.mentions");
    assert_non_null(mentions); /* present, so "@room" in the body pings nobody */
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(mentions, "user_ids")), 0);
    assert_null(cJSON_GetObjectItemCaseSensitive(mentions, "room"));
    cJSON_Delete(m);
    free(mx);
    testkit_free(kit);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(args_text_keeps_inner_quotes_and_unwraps_a_wholly_quoted_span),
        cmocka_unit_test(a_quote_inside_a_title_is_kept_on_the_board_and_in_every_message),
        cmocka_unit_test(a_title_pings_nobody_and_keeps_its_quotes_on_discord_and_matrix),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
