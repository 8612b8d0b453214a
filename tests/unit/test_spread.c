/*
 * test_spread.c — the spreading order (bot/spread.c): who is asked first when a task needs someone,
 * and the rotation's rule that the last holder is asked again only when nobody else can be.
 */
#include <stdio.h>
#include <string.h>

#include "bot/fillin.h"
#include "lib/clock.h"
#include "testkit.h"

#define HOUR 3600LL
#define DAY (24 * HOUR)

static size_t index_of(const tend_spread_candidate *c, size_t n, int64_t id)
{
    for (size_t i = 0; i < n; i++)
        if (c[i].member_id == id)
            return i;
    return n;
}

/* Least recent first; never before anyone; ties in join order. */
static void least_recent_take_goes_first(void **state)
{
    (void)state;
    tend_spread_candidate c[] = {
        {1, 5000, false, false}, /* took something most recently    */
        {2, 0, false, false},    /* never took anything              */
        {3, 1000, false, false}, /* took something long ago          */
        {4, 0, false, false},    /* never, and joined after member 2 */
        {5, 3000, false, false},
    };
    tend_spread_sort(c, 5);
    int64_t want[] = {2, 4, 3, 5, 1};
    for (size_t i = 0; i < 5; i++)
        assert_int_equal(c[i].member_id, want[i]);
}

/* A standing backup for the task's kind is asked before anyone else, and a learner of the role
 * before even them; within each, recency decides. */
static void learners_then_standing_backups_then_the_rest(void **state)
{
    (void)state;
    tend_spread_candidate c[] = {
        {1, 0, false, false},   {2, 9000, true, false}, {3, 100, true, false},
        {4, 9999, false, true}, {5, 50, false, false},
    };
    tend_spread_sort(c, 5);
    assert_int_equal(c[0].member_id, 4); /* learned it last time, however recently busy */
    assert_int_equal(c[1].member_id, 3); /* standing backup, least recent of the two    */
    assert_int_equal(c[2].member_id, 2);
    assert_int_equal(c[3].member_id, 1); /* then never-took before took-long-ago        */
    assert_int_equal(c[4].member_id, 5);
}

/* The order depends on recency alone: how much someone did never enters it (nothing to rank). */
static void the_order_is_stable_and_total(void **state)
{
    (void)state;
    tend_spread_candidate a[] = {{7, 10, false, false}, {3, 10, false, false}, {5, 10, false, false}};
    tend_spread_candidate b[] = {{5, 10, false, false}, {7, 10, false, false}, {3, 10, false, false}};
    tend_spread_sort(a, 3);
    tend_spread_sort(b, 3);
    for (size_t i = 0; i < 3; i++)
        assert_int_equal(a[i].member_id, b[i].member_id);
    assert_int_equal(index_of(a, 3, 3), 0);
    tend_spread_sort(NULL, 0); /* nothing to sort is fine */
}

static int dm_to(testkit *kit, const char *who, const char *needle)
{
    char head[64];
    snprintf(head, sizeof head, "[dm %s] ", who);
    const char *said = testkit_said(kit);
    for (const char *p = strstr(said, head); p; p = strstr(p + 1, head)) {
        const char *end = strstr(p + 1, "\n[");
        const char *hit = strstr(p, needle);
        if (hit && (!end || hit < end))
            return 1;
    }
    return 0;
}

/* A rotation never asks last time's holder while someone else has room; when nobody else can, it
 * does rather than leave the role unasked. */
static void rotation_asks_the_last_holder_only_when_nobody_else_can(void **state)
{
    (void)state;
    testkit *kit = testkit_new();
    assert_int_equal(testkit_run(kit, "ana", 1, "task add Host the meeting when:\"wed 18:00\" repeat:weekly rotate:yes"), 0);
    assert_int_equal(testkit_run(kit, "bea", 0, "claim Host the meeting"), 0);
    tend_clock_advance(kit->clock, 2 * DAY + 10 * HOUR); /* Wed 19:00: the next one is up */
    assert_int_equal(testkit_tick(kit), 0);
    assert_true(dm_to(kit, "ana", "It's your turn for this one"));
    assert_false(dm_to(kit, "bea", "It's your turn"));
    /* ana passes: bea held it last time, but nobody else is left who could */
    assert_int_equal(testkit_run(kit, "ana", 0, "pass 2"), 0);
    assert_true(dm_to(kit, "bea", "It's your turn for this one"));
    testkit_free(kit);
}

/* A member resting, over capacity or with nudges off is never asked; without anyone to ask, the
 * group hears it is up, once, from the scheduler. */
static void rotation_skips_those_without_room(void **state)
{
    (void)state;
    testkit *kit = testkit_new();
    assert_int_equal(testkit_run(kit, "ana", 1, "task add Restock the fridge when:\"wed 18:00\" repeat:weekly rotate:yes"), 0);
    assert_int_equal(testkit_run(kit, "bea", 0, "claim Restock the fridge"), 0);
    assert_int_equal(testkit_run(kit, "ana", 0, "stepback 2w"), 0);
    assert_int_equal(testkit_run(kit, "cam", 0, "nudges off"), 0);
    assert_int_equal(testkit_run(kit, "dan", 0, "capacity 1"), 0);
    assert_int_equal(testkit_run(kit, "dan", 0, "task add Fold flyers"), 0);
    assert_int_equal(testkit_run(kit, "dan", 0, "claim Fold flyers"), 0);
    tend_clock_advance(kit->clock, 2 * DAY + 10 * HOUR);
    assert_int_equal(testkit_tick(kit), 0);
    /* nobody but bea has room, and she held it last: she is the one asked */
    assert_true(dm_to(kit, "bea", "It's your turn for this one"));
    assert_false(dm_to(kit, "ana", "It's your turn"));
    assert_false(dm_to(kit, "cam", "It's your turn"));
    assert_false(dm_to(kit, "dan", "It's your turn"));
    assert_int_equal(testkit_run(kit, "bea", 0, "pass 3"), 0);
    /* the group hears it from the scheduler, never in the answer to whoever passed last */
    assert_false(testkit_said_has(kit, "open to anyone"));
    assert_int_equal(testkit_tick(kit), 0);
    assert_true(testkit_said_has(kit, "[public] The next one is open to anyone: #3 Restock the fridge"));
    assert_int_equal(testkit_tick(kit), 0);
    assert_false(testkit_said_has(kit, "open to anyone")); /* once */
    testkit_free(kit);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(least_recent_take_goes_first),
        cmocka_unit_test(learners_then_standing_backups_then_the_rest),
        cmocka_unit_test(the_order_is_stable_and_total),
        cmocka_unit_test(rotation_asks_the_last_holder_only_when_nobody_else_can),
        cmocka_unit_test(rotation_skips_those_without_room),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
