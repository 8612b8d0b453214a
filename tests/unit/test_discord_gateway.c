/* The gateway's pure rules: which shard a server's events come on, when each shard may IDENTIFY
 * (one per bucket per 5 s, buckets by shard_id % max_concurrency), and the session record kept in
 * the store for a RESUME after a restart. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "adapters/discord/gateway.h"

static void a_guild_belongs_to_the_shard_discord_routes_it_to(void **state)
{
    (void)state;
    /* Discord's own example: (guild_id >> 22) % num_shards */
    char id[32];
    snprintf(id, sizeof id, "%llu", (unsigned long long)(((uint64_t)300000000005ULL << 22) | 12345));
    assert_int_equal(dc_shard_of_guild(id, 4), 1);  /* 300000000005 % 4 */
    assert_int_equal(dc_shard_of_guild(id, 10), 5); /* 300000000005 % 10 */
    assert_int_equal(dc_shard_of_guild(id, 1), 0);
    assert_int_equal(dc_shard_of_guild("4194303", 2), 0); /* below 1 << 22: always shard 0 */
    assert_int_equal(dc_shard_of_guild("18446744073709551615", 3), (int)((UINT64_MAX >> 22) % 3));
    assert_int_equal(dc_shard_of_guild("18446744073709551616", 3), -1); /* past 64 bits */
    assert_int_equal(dc_shard_of_guild("12a", 3), -1);
    assert_int_equal(dc_shard_of_guild("", 3), -1);
    assert_int_equal(dc_shard_of_guild(NULL, 3), -1);
    assert_int_equal(dc_shard_of_guild("123", 0), -1);
}

static void shards_identify_bucket_by_bucket_five_seconds_apart(void **state)
{
    (void)state;
    /* 8 shards, max_concurrency 4: shards 0-3 at once, 4-7 one gap later */
    uint64_t next[4] = {0};
    uint64_t at[8];
    for (int id = 0; id < 8; id++)
        at[id] = dc_identify_reserve(next, 4, id, 1000);
    for (int id = 0; id < 4; id++) {
        assert_int_equal(at[id], 1000);
        assert_int_equal(at[id + 4], 1000 + DC_IDENTIFY_GAP_MS);
    }
    assert_true(DC_IDENTIFY_GAP_MS >= 5000);
    /* max_concurrency 1: one after another */
    uint64_t one[1] = {0};
    assert_int_equal(dc_identify_reserve(one, 1, 0, 0), 0);
    assert_int_equal(dc_identify_reserve(one, 1, 1, 0), DC_IDENTIFY_GAP_MS);
    assert_int_equal(dc_identify_reserve(one, 1, 2, 0), 2 * DC_IDENTIFY_GAP_MS);
    /* a shard that re-identifies later than its bucket's next slot goes when it asks */
    assert_int_equal(dc_identify_reserve(one, 1, 0, 60000), 60000);
    assert_int_equal(dc_identify_reserve(one, 1, 0, 60001), 60000 + DC_IDENTIFY_GAP_MS);
    /* an IDENTIFY written 140 ms after its slot (the loop was busy): the next of its bucket waits
     * a whole gap after the write, not after the slot; another bucket is not moved */
    uint64_t two[2] = {0};
    assert_int_equal(dc_identify_reserve(two, 2, 0, 0), 0);
    assert_int_equal(dc_identify_reserve(two, 2, 1, 0), 0);
    dc_identify_written(two, 2, 0, 140);
    dc_identify_written(two, 2, 1, 0);
    assert_int_equal(dc_identify_reserve(two, 2, 2, 0), 140 + DC_IDENTIFY_GAP_MS);
    assert_int_equal(dc_identify_reserve(two, 2, 3, 0), DC_IDENTIFY_GAP_MS);
    /* a write on time leaves a later reservation where it was */
    dc_identify_written(two, 2, 2, 140 + DC_IDENTIFY_GAP_MS);
    assert_int_equal(dc_identify_reserve(two, 2, 0, 0), 140 + 2 * DC_IDENTIFY_GAP_MS);
}

static void a_session_record_reads_back_as_it_was_written(void **state)
{
    (void)state;
    dc_session_record r = {.count = 8, .seq = 123456789012LL, .commands_hash = 0xfeedfacecafebeefULL};
    snprintf(r.session_id, sizeof r.session_id, "a1b2c3d4e5f6");
    snprintf(r.resume_url, sizeof r.resume_url, "wss://gateway-us-east1-b.discord.gg");
    snprintf(r.bot_user_id, sizeof r.bot_user_id, "900000000000000004");
    char text[1024];
    assert_int_equal(dc_session_format(&r, text, sizeof text), 0);
    dc_session_record back;
    assert_int_equal(dc_session_parse(text, &back), 0);
    assert_int_equal(back.count, 8);
    assert_true(back.seq == 123456789012LL);
    assert_true(back.commands_hash == 0xfeedfacecafebeefULL);
    assert_string_equal(back.session_id, "a1b2c3d4e5f6");
    assert_string_equal(back.resume_url, "wss://gateway-us-east1-b.discord.gg");
    assert_string_equal(back.bot_user_id, "900000000000000004");
    /* no resume URL or user known yet: kept as absent, not as "-" */
    r.resume_url[0] = r.bot_user_id[0] = '\0';
    r.seq = -1;
    assert_int_equal(dc_session_format(&r, text, sizeof text), 0);
    assert_int_equal(dc_session_parse(text, &back), 0);
    assert_string_equal(back.resume_url, "");
    assert_string_equal(back.bot_user_id, "");
    assert_true(back.seq == -1);
    /* what Discord sent cannot break the record: a session id with a space is not kept */
    snprintf(r.session_id, sizeof r.session_id, "a b");
    assert_int_equal(dc_session_format(&r, text, sizeof text), -1);
    r.session_id[0] = '\0';
    assert_int_equal(dc_session_format(&r, text, sizeof text), -1);
    snprintf(r.session_id, sizeof r.session_id, "s1");
    assert_int_equal(dc_session_format(&r, text, 10), -1); /* does not fit */
}

static void a_damaged_session_record_is_refused(void **state)
{
    (void)state;
    dc_session_record r;
    static const char *const bad[] = {
        "",
        "2 1 5 ff s1 - -",          /* another version */
        "1 0 5 ff s1 - -",          /* no shards */
        "1 1 x ff s1 - -",
        "1 1 5 zz s1 - -",
        "1 1 5 ff s1 -",            /* a field missing */
        "1 1 5 ff s1 - - extra",
        "1 1 -7 ff s1 - -",
        "1  1 5 ff s1 - -",         /* an empty field */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(dc_session_parse(bad[i], &r), -1);
    char longid[300];
    memset(longid, 'x', sizeof longid - 1);
    longid[sizeof longid - 1] = '\0';
    char text[400];
    snprintf(text, sizeof text, "1 1 5 ff %s - -", longid);
    assert_int_equal(dc_session_parse(text, &r), -1);
    assert_int_equal(dc_session_parse("1 1 5 ff s1 - -", &r), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_guild_belongs_to_the_shard_discord_routes_it_to),
        cmocka_unit_test(shards_identify_bucket_by_bucket_five_seconds_apart),
        cmocka_unit_test(a_session_record_reads_back_as_it_was_written),
        cmocka_unit_test(a_damaged_session_record_is_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
