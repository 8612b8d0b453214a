/* test_holdings.c — the phrase /healthz ends with on a tend that shares a bot with others: which
 * Discord shards and which leases this process holds, grouped and ordered the way an operator
 * reads them, and bounded to the line whatever it holds. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/holdings.h"

static const tend_shard_range NO_RANGE = {0, 0, 0};

static const char *phrase_of(const char *const *held, size_t n, bool waiting, tend_shard_range fixed)
{
    static char out[300];
    size_t len = tend_holdings_phrase(held, n, waiting, fixed, out, sizeof out);
    assert_int_equal(len, strlen(out));
    return out;
}

#define PHRASE(waiting, fixed, ...)                                                                             \
    phrase_of((const char *const[]){__VA_ARGS__}, sizeof((const char *const[]){__VA_ARGS__}) / sizeof(char *), \
              waiting, fixed)

static void shard_leases_are_grouped_into_one_phrase(void **state)
{
    (void)state;
    assert_string_equal(PHRASE(false, NO_RANGE, "discord.shard.5-of-8", "discord.shard.0-of-8", "discord.shard.2-of-8"),
                        "holds discord shards 0,2,5 of 8");
    /* three or more in a row read as a range, the way [discord] shards writes them */
    assert_string_equal(PHRASE(false, NO_RANGE, "discord.shard.3-of-8", "discord.shard.1-of-8", "discord.shard.2-of-8",
                               "discord.shard.0-of-8", "discord.shard.6-of-8", "discord.shard.7-of-8"),
                        "holds discord shards 0-3,6,7 of 8");
    assert_string_equal(PHRASE(false, NO_RANGE, "discord.shard.3-of-8"), "holds discord shard 3 of 8");
    assert_string_equal(PHRASE(false, NO_RANGE, "discord.shard.0-of-1"), "holds discord shard 0 of 1");
    assert_string_equal(PHRASE(false, NO_RANGE, "discord.shard.1-of-2", "discord.shard.0-of-2"),
                        "holds all 2 discord shards");
    /* the same lease twice (a renewal seen twice) is said once */
    assert_string_equal(PHRASE(false, NO_RANGE, "discord.shard.4-of-8", "discord.shard.4-of-8"),
                        "holds discord shard 4 of 8");
}

static void shards_come_first_then_other_leases_by_name(void **state)
{
    (void)state;
    assert_string_equal(PHRASE(false, NO_RANGE, "scheduler.turn", "discord.shard.2-of-8", "process.vm:4242",
                        "matrix.sync",
                               "discord.shard.0-of-8", "discord.shard.5-of-8"),
                        "holds discord shards 0,2,5 of 8, matrix.sync, scheduler.turn");
    assert_string_equal(PHRASE(false, NO_RANGE, "matrix.sync"), "holds matrix.sync");
    /* while a bot is resharded, each shard count is its own group, the smaller count first */
    assert_string_equal(PHRASE(false, NO_RANGE, "discord.shard.9-of-16", "discord.shard.1-of-8",
                        "discord.shard.8-of-16"),
                        "holds discord shard 1 of 8, discord shards 8,9 of 16");
}

static void the_process_lease_alone_says_nothing(void **state)
{
    (void)state;
    /* a lone tend holds only its own lease: /healthz stays as it was */
    assert_string_equal(PHRASE(false, NO_RANGE, "process.vm:4242"), "");
    assert_string_equal(phrase_of(NULL, 0, false, NO_RANGE), "");
    /* "other" is what the metrics make of a name they cannot show: not a lease to name */
    assert_string_equal(PHRASE(false, NO_RANGE, "other"), "");
    /* holding nothing shared while others do: standby */
    assert_string_equal(PHRASE(true, NO_RANGE, "process.vm:4242"), "holds no shared work (standby)");
    assert_string_equal(phrase_of(NULL, 0, true, NO_RANGE), "holds no shared work (standby)");
    /* holding some and waiting for more is holding */
    assert_string_equal(PHRASE(true, NO_RANGE, "discord.shard.1-of-4"), "holds discord shard 1 of 4");
}

static void a_static_range_is_said_when_it_is_a_share(void **state)
{
    (void)state;
    assert_string_equal(phrase_of(NULL, 0, false, (tend_shard_range){0, 3, 8}),
                        "runs discord shards 0-3 of 8 (static)");
    assert_string_equal(phrase_of(NULL, 0, false, (tend_shard_range){0, 0, 2}), "runs discord shard 0 of 2 (static)");
    assert_string_equal(PHRASE(true, ((tend_shard_range){4, 7, 8}), "matrix.sync"),
                        "runs discord shards 4-7 of 8 (static), holds matrix.sync");
    /* every shard here ("8"): nothing is shared, nothing to say */
    assert_string_equal(phrase_of(NULL, 0, false, (tend_shard_range){0, 7, 8}), "");
    /* shard leases, when held, say it better than the configuration */
    assert_string_equal(PHRASE(false, ((tend_shard_range){0, 3, 8}), "discord.shard.2-of-8"),
                        "holds discord shard 2 of 8");
}

static void names_that_are_not_shard_leases(void **state)
{
    (void)state;
    int id = -1, count = -1;
    assert_int_equal(tend_holdings_shard_lease("discord.shard.3-of-8", &id, &count), 0);
    assert_int_equal(id, 3);
    assert_int_equal(count, 8);
    const char *bad[] = {"discord.shard.8-of-8", "discord.shard.3", "discord.shard.-of-8", "discord.shard.3-of-",
                         "discord.shard.3-of-8x", "discord.shard.-1-of-8", "discord.shard.+1-of-8",
                         "discord.shard.1-of-0", "discord.shard.3/8", "discord.shard.3-of--8",
                         "discord.shard.99999999999999999999-of-8", "discord.shards.1-of-8", "matrix.sync"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(tend_holdings_shard_lease(bad[i], &id, &count), -1);
    /* such a name is still a lease this process holds: said as it is */
    assert_string_equal(PHRASE(false, NO_RANGE, "discord.shard.8-of-8"), "holds discord.shard.8-of-8");
    assert_int_equal(tend_holdings_shard_count((const char *const[]){"discord.shard.8-of-8", "discord.shard.1-of-8",
                                                                      "discord.shard.2-of-8", "matrix.sync",
                                                                      "process.vm:1"},
                                               5),
                     2);
}

/* Every other shard of 1,024: no ranges to fold, far more than a line holds. */
static void a_long_list_is_cut_to_the_line(void **state)
{
    (void)state;
    enum { COUNT = 1024 };
    char names[COUNT / 2][32];
    const char *held[COUNT / 2 + 1];
    for (int i = 0; i < COUNT / 2; i++) {
        snprintf(names[i], sizeof names[i], "discord.shard.%d-of-%d", 2 * i, COUNT);
        held[i] = names[i];
    }
    held[COUNT / 2] = "matrix.sync";
    for (size_t len = 120; len >= 60; len -= 7) {
        char out[120];
        memset(out, 'x', sizeof out);
        size_t n = tend_holdings_phrase(held, COUNT / 2 + 1, false, NO_RANGE, out, len);
        assert_int_equal(n, strlen(out));
        assert_true(n < len);
        /* as many leading shards as fit, how many in all, and the other lease */
        assert_non_null(strstr(out, "holds discord shards 0,2,4,"));
        assert_non_null(strstr(out, ",... (512 of 1024), matrix.sync"));
        assert_true(n + 4 >= len); /* cut no shorter than it had to be: one more ",NN" would not fit */
    }
    char out[120];
    /* 79 characters in an 80-byte buffer: one more ",22" would not fit */
    assert_string_equal((tend_holdings_phrase(held, COUNT / 2 + 1, false, NO_RANGE, out, 80), out),
                        "holds discord shards 0,2,4,6,8,10,12,14,16,18,20,... (512 of 1024), matrix.sync");
    /* narrower: the count alone, with the other lease */
    assert_string_equal((tend_holdings_phrase(held, COUNT / 2 + 1, false, NO_RANGE, out, 48), out),
                        "holds 512 of 1024 discord shards, matrix.sync");
    /* narrower still: cut, and the cut said */
    size_t n = tend_holdings_phrase(held, COUNT / 2 + 1, false, NO_RANGE, out, 20);
    assert_int_equal(n, 19);
    assert_string_equal(out, "holds 512 of 102...");
    assert_int_equal(tend_holdings_phrase(held, COUNT / 2 + 1, false, NO_RANGE, out, 1), 0);
    assert_string_equal(out, "");
}

static void many_other_leases_are_counted_past_the_line(void **state)
{
    (void)state;
    const char *held[] = {"lease.e", "lease.d", "lease.c", "lease.b", "lease.a", "discord.shard.0-of-2"};
    char out[64];
    tend_holdings_phrase(held, 6, false, NO_RANGE, out, 60);
    assert_string_equal(out, "holds discord shard 0 of 2, lease.a, lease.b and 3 more");
    tend_holdings_phrase(held, 5, false, NO_RANGE, out, 30);
    assert_string_equal(out, "holds lease.a and 4 more");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(shard_leases_are_grouped_into_one_phrase),
        cmocka_unit_test(shards_come_first_then_other_leases_by_name),
        cmocka_unit_test(the_process_lease_alone_says_nothing),
        cmocka_unit_test(a_static_range_is_said_when_it_is_a_share),
        cmocka_unit_test(names_that_are_not_shard_leases),
        cmocka_unit_test(a_long_list_is_cut_to_the_line),
        cmocka_unit_test(many_other_leases_are_counted_past_the_line),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
