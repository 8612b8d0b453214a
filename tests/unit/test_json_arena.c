/*
 * test_json_arena.c — gateway payloads parsed into reused memory (lib/json_arena.h) read exactly as
 * cJSON's own parse reads them, and the memory behaves:
 *   - an INTERACTION_CREATE parsed in the arena equals cJSON's plain parse of it, node for node,
 *     and every node and string of it is inside the arena (no malloc of its own);
 *   - ten thousand payloads later the arena holds what it held after the first (reused, not
 *     grown), and each payload's tree starts at the same address;
 *   - a 380 KB payload (10,000 members, ~2.5 MB of nodes) takes more chunks and gives them back when it is deleted;
 *   - a tree parsed while another is alive (a nested parse) stays whole when the other is deleted:
 *     the arena is reset only when its last tree goes (under the sanitizer build, reading a reset
 *     node is an error, so this case fails there if the reset came early);
 *   - cJSON used outside a parse is malloc's as before: a built body and its printed text are
 *     not in the arena, and the text is free()d; a string set on an arena node is freed with it;
 *   - text that is not JSON gives NULL and leaves the arena as it was;
 *   - with no arena, the parse is cJSON's own.
 */
#include "testkit.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "lib/json_arena.h"

#define CHUNK (32 * 1024)

/* About what Discord sends for /claim with one option: ~1.4 KB here, its shape is what counts. */
static const char INTERACTION[] =
    "{\"t\":\"INTERACTION_CREATE\",\"s\":42,\"op\":0,\"d\":{\"version\":1,\"type\":2,"
    "\"token\":\"aW50ZXJhY3Rpb246MTIzNDU2Nzg5MDEyMzQ1Njc4OTpYWVpYWVpYWVpYWVpYWVpYWVpYWVpYWVpYWVpYWVpY"
    "WVpYWVpYWVpYWVpYWVpYWVpYWVpYWVpYWVpYWVpYWVpYWVpYWVpYWVpYWVpYWVpYWVpYWVpYWVpYWVpYWVpY\","
    "\"member\":{\"user\":{\"username\":\"sam\",\"public_flags\":0,\"id\":\"80351110224678912\","
    "\"global_name\":\"Sam\",\"discriminator\":\"0\",\"avatar\":null},\"roles\":[\"1\",\"2\"],"
    "\"premium_since\":null,\"permissions\":\"2147483647\",\"pending\":false,\"nick\":null,"
    "\"mute\":false,\"joined_at\":\"2026-01-01T00:00:00.000000+00:00\",\"deaf\":false},"
    "\"locale\":\"en-GB\",\"id\":\"1185654321098765432\",\"guild_locale\":\"en-US\","
    "\"guild_id\":\"290926798626357250\",\"entitlements\":[],\"data\":{\"type\":1,"
    "\"options\":[{\"value\":7,\"type\":4,\"name\":\"number\"}],\"name\":\"claim\","
    "\"id\":\"1185654321000000001\"},\"channel_id\":\"645027906669510667\","
    "\"channel\":{\"type\":0,\"name\":\"tasks\",\"id\":\"645027906669510667\",\"nsfw\":false},"
    "\"application_id\":\"1185000000000000000\",\"app_permissions\":\"2147483647\"}}";

static int all_inside(const tend_json_arena *a, const cJSON *node)
{
    for (; node; node = node->next) {
        if (!tend_json_arena_holds(a, node) || (node->string && !tend_json_arena_holds(a, node->string)) ||
            (node->valuestring && !tend_json_arena_holds(a, node->valuestring)))
            return 0;
        if (node->child && !all_inside(a, node->child))
            return 0;
    }
    return 1;
}

/* Where a fresh arena puts the root of a payload's tree (the tree is deleted again). */
static uintptr_t where_a_tree_starts(tend_json_arena *a)
{
    cJSON *t = tend_json_arena_parse(a, INTERACTION, strlen(INTERACTION));
    assert_non_null(t);
    uintptr_t at = (uintptr_t)t;
    tend_json_arena_delete(a, t);
    return at;
}

static void an_interaction_reads_as_cjson_reads_it_and_lives_in_the_arena(void **state)
{
    (void)state;
    tend_json_arena *a = tend_json_arena_create(CHUNK);
    assert_non_null(a);
    size_t empty = tend_json_arena_footprint(a);

    cJSON *plain = cJSON_ParseWithLength(INTERACTION, strlen(INTERACTION));
    cJSON *tree = tend_json_arena_parse(a, INTERACTION, strlen(INTERACTION));
    assert_non_null(plain);
    assert_non_null(tree);
    assert_true(cJSON_Compare(plain, tree, true));
    assert_true(all_inside(a, tree));
    assert_false(tend_json_arena_holds(a, plain));
    const cJSON *d = cJSON_GetObjectItemCaseSensitive(tree, "d");
    const cJSON *opt = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(
                                              cJSON_GetObjectItemCaseSensitive(d, "data"), "options"), 0);
    assert_int_equal(cJSON_GetObjectItemCaseSensitive(opt, "value")->valueint, 7);
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(d, "guild_id")->valuestring, "290926798626357250");
    assert_int_equal(tend_json_arena_footprint(a), empty); /* it fit in the first chunk */

    tend_json_arena_delete(a, tree);
    cJSON_Delete(plain);
    assert_int_equal(tend_json_arena_footprint(a), empty);
    tend_json_arena_destroy(a);
}

static void ten_thousand_payloads_reuse_the_same_memory(void **state)
{
    (void)state;
    tend_json_arena *a = tend_json_arena_create(CHUNK);
    size_t empty = tend_json_arena_footprint(a);
    uintptr_t where = where_a_tree_starts(a);
    for (int i = 0; i < 10000; i++) {
        cJSON *t = tend_json_arena_parse(a, INTERACTION, strlen(INTERACTION));
        assert_true((uintptr_t)t == where);
        assert_int_equal(cJSON_GetObjectItemCaseSensitive(t, "s")->valueint, 42);
        tend_json_arena_delete(a, t);
    }
    assert_int_equal(tend_json_arena_footprint(a), empty);
    tend_json_arena_destroy(a);
}

static void a_large_payload_takes_more_chunks_and_gives_them_back(void **state)
{
    (void)state;
    tend_json_arena *a = tend_json_arena_create(CHUNK);
    size_t empty = tend_json_arena_footprint(a);
    /* a GUILD_CREATE-sized array: 10,000 members of ~40 bytes */
    size_t cap = 512 * 1024, len = 0;
    char *text = malloc(cap);
    len += (size_t)snprintf(text + len, cap - len, "{\"op\":0,\"d\":{\"members\":[");
    for (int i = 0; i < 10000; i++)
        len += (size_t)snprintf(text + len, cap - len, "%s{\"id\":\"%d\",\"nick\":\"member %d\"}", i ? "," : "",
                                100000 + i, i);
    len += (size_t)snprintf(text + len, cap - len, "]}}");
    assert_true(len > 350 * 1000);

    cJSON *tree = tend_json_arena_parse(a, text, len);
    assert_non_null(tree);
    const cJSON *members = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(tree, "d"), "members");
    assert_int_equal(cJSON_GetArraySize(members), 10000);
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(members, 9999), "nick")->valuestring,
                        "member 9999");
    assert_true(all_inside(a, tree));
    size_t grown = tend_json_arena_footprint(a);
    assert_true(grown > empty + 350 * 1000);
    /* chunks double up to 1 MiB: what it takes is within about twice what the nodes need */
    assert_true(grown < empty + 6 * 1024 * 1024);

    tend_json_arena_delete(a, tree);
    assert_int_equal(tend_json_arena_footprint(a), empty);
    free(text);
    tend_json_arena_destroy(a);
}

static void a_tree_outlives_one_parsed_before_it(void **state)
{
    (void)state;
    tend_json_arena *a = tend_json_arena_create(CHUNK);
    size_t empty = tend_json_arena_footprint(a);
    cJSON *outer = tend_json_arena_parse(a, INTERACTION, strlen(INTERACTION));
    const char *small = "{\"op\":11,\"d\":{\"note\":\"still here\"}}";
    cJSON *inner = tend_json_arena_parse(a, small, strlen(small));
    assert_non_null(outer);
    assert_non_null(inner);
    uintptr_t outer_at = (uintptr_t)outer;
    tend_json_arena_delete(a, outer);
    /* not reset: the inner tree reads whole (the sanitizers would flag a reset node) */
    assert_string_equal(
        cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(inner, "d"), "note")->valuestring,
        "still here");
    assert_int_equal(cJSON_GetObjectItemCaseSensitive(inner, "op")->valueint, 11);
    tend_json_arena_delete(a, inner);
    assert_int_equal(tend_json_arena_footprint(a), empty);
    /* and reused from the start once both are gone */
    cJSON *again = tend_json_arena_parse(a, INTERACTION, strlen(INTERACTION));
    assert_true((uintptr_t)again == outer_at);
    tend_json_arena_delete(a, again);
    tend_json_arena_destroy(a);
}

static void cjson_outside_a_parse_is_mallocs_as_before(void **state)
{
    (void)state;
    tend_json_arena *a = tend_json_arena_create(CHUNK);
    cJSON *tree = tend_json_arena_parse(a, INTERACTION, strlen(INTERACTION));

    /* an answer built while the payload's tree is alive, as a dispatch does */
    cJSON *body = cJSON_CreateObject();
    cJSON_AddStringToObject(body, "content", "Claimed #7.");
    cJSON_AddNumberToObject(body, "flags", 64);
    assert_false(tend_json_arena_holds(a, body));
    assert_false(tend_json_arena_holds(a, body->child));
    char *text = cJSON_PrintUnformatted(body);
    assert_string_equal(text, "{\"content\":\"Claimed #7.\",\"flags\":64}");
    assert_false(tend_json_arena_holds(a, text));
    free(text); /* as tend frees printed bodies */
    cJSON_Delete(body);

    /* a string set on one of the payload's nodes is malloc's, and freed with the tree (the leak
     * checkers of the sanitizer and valgrind runs see it otherwise) */
    cJSON *locale = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(tree, "d"), "locale");
    assert_non_null(cJSON_SetValuestring(locale, "a locale longer than the one Discord sent"));
    assert_false(tend_json_arena_holds(a, locale->valuestring));
    tend_json_arena_delete(a, tree);
    tend_json_arena_destroy(a);
}

static void text_that_is_not_json_leaves_the_arena_as_it_was(void **state)
{
    (void)state;
    tend_json_arena *a = tend_json_arena_create(CHUNK);
    size_t empty = tend_json_arena_footprint(a);
    uintptr_t where = where_a_tree_starts(a);

    const char *broken = "{\"op\":0,\"d\":{\"member\":{\"user\":{\"id\":\"1\"}},\"data\":[1,2,";
    assert_null(tend_json_arena_parse(a, broken, strlen(broken)));
    tend_json_arena_delete(a, NULL);
    assert_int_equal(tend_json_arena_footprint(a), empty);
    cJSON *t = tend_json_arena_parse(a, INTERACTION, strlen(INTERACTION));
    assert_true((uintptr_t)t == where); /* what the failed parse took was given back */
    tend_json_arena_delete(a, t);
    tend_json_arena_destroy(a);
}

static void without_an_arena_the_parse_is_cjsons_own(void **state)
{
    (void)state;
    tend_json_arena *a = tend_json_arena_create(CHUNK); /* hooks installed, this arena unused */
    cJSON *t = tend_json_arena_parse(NULL, INTERACTION, strlen(INTERACTION));
    assert_non_null(t);
    assert_false(tend_json_arena_holds(a, t));
    assert_int_equal(cJSON_GetObjectItemCaseSensitive(t, "s")->valueint, 42);
    tend_json_arena_delete(NULL, t);
    tend_json_arena_destroy(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(an_interaction_reads_as_cjson_reads_it_and_lives_in_the_arena),
        cmocka_unit_test(ten_thousand_payloads_reuse_the_same_memory),
        cmocka_unit_test(a_large_payload_takes_more_chunks_and_gives_them_back),
        cmocka_unit_test(a_tree_outlives_one_parsed_before_it),
        cmocka_unit_test(cjson_outside_a_parse_is_mallocs_as_before),
        cmocka_unit_test(text_that_is_not_json_leaves_the_arena_as_it_was),
        cmocka_unit_test(without_an_arena_the_parse_is_cjsons_own),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
