/* test_matrix_gap.c — paging back through a Matrix timeline gap: which rooms need it, what each
 * /messages page means (go on, done, too long, nonsense), and the order events are handled in. */
#include "testkit.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adapters/matrix/internal.h"

#define BOT "@tend:example.org"
#define NOW_MS 1900000000000LL
#define DAY_MS (24LL * 3600 * 1000)

/* A /messages answer (dir=b) holding messages numbered first, first-1, ... (newest first), each
 * sent `age_ms` before NOW_MS plus one ms per step back; `end` NULL leaves the token out. */
static char *page(int first, int count, long long age_ms, const char *end)
{
    cJSON *p = cJSON_CreateObject();
    cJSON_AddStringToObject(p, "start", "from-token");
    if (end)
        cJSON_AddStringToObject(p, "end", end);
    cJSON *chunk = cJSON_AddArrayToObject(p, "chunk");
    for (int i = 0; i < count; i++) {
        char id[32], body[32];
        snprintf(id, sizeof id, "$e%d", first - i);
        snprintf(body, sizeof body, "message %d", first - i);
        cJSON *ev = cJSON_CreateObject();
        cJSON_AddStringToObject(ev, "type", "m.room.message");
        cJSON_AddStringToObject(ev, "event_id", id);
        cJSON_AddStringToObject(ev, "sender", "@ana:example.org");
        cJSON_AddNumberToObject(ev, "origin_server_ts", (double)(NOW_MS - age_ms - i));
        cJSON *content = cJSON_AddObjectToObject(ev, "content");
        cJSON_AddStringToObject(content, "msgtype", "m.text");
        cJSON_AddStringToObject(content, "body", body);
        cJSON_AddItemToArray(chunk, ev);
    }
    char *json = cJSON_PrintUnformatted(p);
    cJSON_Delete(p);
    return json;
}

static tend_matrix_gap_step take(tend_matrix_backfill *bf, char *json)
{
    tend_matrix_gap_step step = tend_matrix_backfill_take(bf, json, strlen(json));
    free(json);
    return step;
}

/* The event ids of an array, joined with spaces, for one readable assertion. */
static void ids_of(const cJSON *events, char *out, size_t outlen)
{
    out[0] = '\0';
    size_t used = 0;
    const cJSON *ev;
    cJSON_ArrayForEach(ev, events) {
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(ev, "event_id");
        int n = snprintf(out + used, outlen - used, "%s%s", used ? " " : "", id->valuestring);
        used += (size_t)n;
    }
}

static tend_matrix_backfill *fresh(size_t max_events)
{
    tend_matrix_backfill *bf = tend_matrix_backfill_create("prev-0", BOT, NOW_MS - DAY_MS, max_events);
    assert_non_null(bf);
    return bf;
}

static void pages_are_followed_until_end_is_gone_then_handled_oldest_first(void **state)
{
    (void)state;
    tend_matrix_backfill *bf = fresh(1000);
    assert_string_equal(tend_matrix_backfill_from(bf), "prev-0");
    assert_int_equal(tend_matrix_backfill_limit(bf), TEND_MATRIX_GAP_PAGE);
    assert_int_equal(take(bf, page(5, 3, 1000, "tok-1")), TEND_MATRIX_GAP_MORE);
    assert_string_equal(tend_matrix_backfill_from(bf), "tok-1");
    /* an empty chunk that still has an end is not the end (the spec says so) */
    assert_int_equal(take(bf, page(0, 0, 0, "tok-2")), TEND_MATRIX_GAP_MORE);
    assert_string_equal(tend_matrix_backfill_from(bf), "tok-2");
    assert_int_equal(take(bf, page(2, 2, 2000, "tok-3")), TEND_MATRIX_GAP_MORE);
    /* reached `to`: the server leaves end out */
    assert_int_equal(take(bf, page(0, 0, 0, NULL)), TEND_MATRIX_GAP_FILLED);
    assert_int_equal(tend_matrix_backfill_count(bf), 5);

    /* the sync's own timeline (events 6 and 7) comes after the gap */
    cJSON *timeline = cJSON_Parse("[{\"event_id\":\"$e6\"},{\"event_id\":\"$e7\"}]");
    tend_matrix_backfill_splice(bf, timeline);
    char ids[256];
    ids_of(timeline, ids, sizeof ids);
    assert_string_equal(ids, "$e1 $e2 $e3 $e4 $e5 $e6 $e7");
    assert_int_equal(tend_matrix_backfill_count(bf), 0);
    cJSON_Delete(timeline);
    tend_matrix_backfill_destroy(bf);
}

static void more_than_the_bound_keeps_the_newest_and_says_too_long(void **state)
{
    (void)state;
    tend_matrix_backfill *bf = fresh(5);
    /* it asks for one more than it may keep, so a gap of exactly the bound is not "too long" */
    assert_int_equal(tend_matrix_backfill_limit(bf), 6);
    assert_int_equal(take(bf, page(20, 4, 1000, "tok-1")), TEND_MATRIX_GAP_MORE);
    assert_int_equal(tend_matrix_backfill_limit(bf), 2);
    assert_int_equal(take(bf, page(16, 2, 1000, "tok-2")), TEND_MATRIX_GAP_TOO_LONG);
    assert_int_equal(tend_matrix_backfill_count(bf), 5);
    cJSON *timeline = cJSON_CreateArray();
    tend_matrix_backfill_splice(bf, timeline);
    char ids[256];
    ids_of(timeline, ids, sizeof ids);
    assert_string_equal(ids, "$e16 $e17 $e18 $e19 $e20");
    cJSON_Delete(timeline);
    tend_matrix_backfill_destroy(bf);

    /* exactly the bound, then nothing more: filled, not too long */
    bf = fresh(5);
    assert_int_equal(take(bf, page(5, 5, 1000, "tok-1")), TEND_MATRIX_GAP_MORE);
    assert_int_equal(tend_matrix_backfill_limit(bf), 1);
    assert_int_equal(take(bf, page(0, 0, 0, NULL)), TEND_MATRIX_GAP_FILLED);
    assert_int_equal(tend_matrix_backfill_count(bf), 5);
    tend_matrix_backfill_destroy(bf);
}

static void events_older_than_a_day_are_beyond_the_bound(void **state)
{
    (void)state;
    tend_matrix_backfill *bf = fresh(1000);
    assert_int_equal(take(bf, page(9, 3, DAY_MS - 10, "tok-1")), TEND_MATRIX_GAP_MORE);
    /* 6 is a millisecond short of a day old and 5 exactly a day (both still read); 4 is a day
     * and a millisecond old, so it and everything before it stay unread */
    assert_int_equal(take(bf, page(6, 3, DAY_MS - 1, "tok-2")), TEND_MATRIX_GAP_TOO_LONG);
    assert_int_equal(tend_matrix_backfill_count(bf), 5);
    tend_matrix_backfill_destroy(bf);
}

static void the_bots_own_join_ends_the_gap(void **state)
{
    (void)state;
    tend_matrix_backfill *bf = fresh(1000);
    const char *json =
        "{\"start\":\"a\",\"end\":\"b\",\"chunk\":["
        "{\"type\":\"m.room.message\",\"event_id\":\"$after\",\"origin_server_ts\":1899999999000,"
        "\"content\":{\"msgtype\":\"m.text\",\"body\":\"!tasks\"}},"
        "{\"type\":\"m.room.member\",\"event_id\":\"$join\",\"state_key\":\"" BOT "\","
        "\"origin_server_ts\":1899999998000,\"content\":{\"membership\":\"join\"},"
        "\"unsigned\":{\"prev_content\":{\"membership\":\"invite\"}}},"
        "{\"type\":\"m.room.message\",\"event_id\":\"$before\",\"origin_server_ts\":1899999997000,"
        "\"content\":{\"msgtype\":\"m.text\",\"body\":\"!tasks\"}}]}";
    assert_int_equal(tend_matrix_backfill_take(bf, json, strlen(json)), TEND_MATRIX_GAP_FILLED);
    cJSON *timeline = cJSON_CreateArray();
    tend_matrix_backfill_splice(bf, timeline);
    char ids[256];
    ids_of(timeline, ids, sizeof ids);
    assert_string_equal(ids, "$join $after");
    cJSON_Delete(timeline);
    tend_matrix_backfill_destroy(bf);

    /* a display-name change is a join after a join, not the bot arriving */
    const char *rename = "{\"type\":\"m.room.member\",\"state_key\":\"" BOT "\","
                         "\"content\":{\"membership\":\"join\",\"displayname\":\"tend\"},"
                         "\"unsigned\":{\"prev_content\":{\"membership\":\"join\"}}}";
    cJSON *ev = cJSON_Parse(rename);
    assert_false(tend_matrix_is_own_join(BOT, ev));
    assert_false(tend_matrix_is_own_join("@someone:example.org", ev));
    cJSON_Delete(ev);
}

static void answers_that_are_no_page_stop_the_fill(void **state)
{
    (void)state;
    tend_matrix_backfill *bf = fresh(1000);
    const char *bad[] = {"", "not json", "{}", "{\"chunk\":{}}", "[1,2]", "{\"chunk\":\"x\",\"end\":\"t\"}"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(tend_matrix_backfill_take(bf, bad[i], strlen(bad[i])), TEND_MATRIX_GAP_BAD);
    /* an end that does not move would page forever */
    assert_int_equal(take(bf, page(3, 1, 1000, "prev-0")), TEND_MATRIX_GAP_BAD);
    /* odd items in a chunk are skipped, the rest kept */
    const char *odd = "{\"end\":\"t9\",\"chunk\":[1,\"x\",null,"
                      "{\"event_id\":\"$ok\",\"type\":\"m.room.message\"}]}";
    assert_int_equal(tend_matrix_backfill_take(bf, odd, strlen(odd)), TEND_MATRIX_GAP_MORE);
    assert_int_equal(tend_matrix_backfill_count(bf), 2);
    tend_matrix_backfill_destroy(bf);
}

static void endless_empty_pages_end_as_too_long(void **state)
{
    (void)state;
    tend_matrix_backfill *bf = fresh(1000);
    tend_matrix_gap_step step = TEND_MATRIX_GAP_MORE;
    int pages = 0;
    while (step == TEND_MATRIX_GAP_MORE && pages < 1000) {
        char token[32];
        snprintf(token, sizeof token, "tok-%d", ++pages);
        step = take(bf, page(0, 0, 0, token));
    }
    assert_int_equal(step, TEND_MATRIX_GAP_TOO_LONG);
    assert_int_equal(pages, TEND_MATRIX_GAP_MAX_PAGES);
    tend_matrix_backfill_destroy(bf);
}

static void only_a_limited_timeline_without_the_bots_join_needs_a_fill(void **state)
{
    (void)state;
    cJSON *plain = cJSON_Parse("{\"timeline\":{\"limited\":false,\"prev_batch\":\"p\",\"events\":[]}}");
    cJSON *cut = cJSON_Parse("{\"timeline\":{\"limited\":true,\"prev_batch\":\"p\",\"events\":[]}}");
    cJSON *no_flag = cJSON_Parse("{\"timeline\":{\"prev_batch\":\"p\",\"events\":[]}}");
    cJSON *joined = cJSON_Parse(
        "{\"timeline\":{\"limited\":true,\"prev_batch\":\"p\",\"events\":[{\"type\":\"m.room.member\","
        "\"state_key\":\"" BOT "\",\"content\":{\"membership\":\"join\"}}]}}");
    cJSON *truthy = cJSON_Parse("{\"timeline\":{\"limited\":\"yes\",\"prev_batch\":\"p\"}}");
    assert_false(tend_matrix_gap_needed(BOT, plain));
    assert_true(tend_matrix_gap_needed(BOT, cut));
    assert_false(tend_matrix_gap_needed(BOT, no_flag));
    assert_false(tend_matrix_gap_needed(BOT, joined)); /* history before tend arrived is not run */
    assert_false(tend_matrix_gap_needed(BOT, truthy));
    assert_false(tend_matrix_gap_needed(BOT, NULL));
    cJSON_Delete(plain);
    cJSON_Delete(cut);
    cJSON_Delete(no_flag);
    cJSON_Delete(joined);
    cJSON_Delete(truthy);
}

static void the_messages_filter_asks_for_the_timelines_types(void **state)
{
    (void)state;
    char *json = tend_matrix_timeline_filter();
    assert_non_null(json);
    cJSON *f = cJSON_Parse(json);
    const cJSON *types = cJSON_GetObjectItemCaseSensitive(f, "types");
    assert_true(cJSON_IsArray(types));
    bool message = false, reaction = false, member = false;
    const cJSON *t;
    cJSON_ArrayForEach(t, types) {
        message |= strcmp(t->valuestring, "m.room.message") == 0;
        reaction |= strcmp(t->valuestring, "m.reaction") == 0;
        member |= strcmp(t->valuestring, "m.room.member") == 0;
    }
    assert_true(message && reaction && member);
    cJSON_Delete(f);
    free(json);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(pages_are_followed_until_end_is_gone_then_handled_oldest_first),
        cmocka_unit_test(more_than_the_bound_keeps_the_newest_and_says_too_long),
        cmocka_unit_test(events_older_than_a_day_are_beyond_the_bound),
        cmocka_unit_test(the_bots_own_join_ends_the_gap),
        cmocka_unit_test(answers_that_are_no_page_stop_the_fill),
        cmocka_unit_test(endless_empty_pages_end_as_too_long),
        cmocka_unit_test(only_a_limited_timeline_without_the_bots_join_needs_a_fill),
        cmocka_unit_test(the_messages_filter_asks_for_the_timelines_types),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
