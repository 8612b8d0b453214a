/* test_tz.c — local time in named zones: validity, readings, and the skipped / repeated hour rules. */
#include "testkit.h"

#include <stdlib.h>

#include "bot/tz.h"

static int64_t utc(const char *zone, int y, int mo, int d, int h, int mi)
{
    int64_t t = 0;
    assert_int_equal(tend_tz_to_utc(zone, y, mo, d, h, mi, &t), 0);
    return t;
}

static void known_zones_are_valid_and_others_are_not(void **state)
{
    (void)state;
    assert_true(tend_tz_valid("Europe/Berlin"));
    assert_true(tend_tz_valid("America/New_York"));
    assert_true(tend_tz_valid("Pacific/Auckland"));
    assert_true(tend_tz_valid("UTC"));
    assert_false(tend_tz_valid("Europe"));            /* a folder, not a zone */
    assert_false(tend_tz_valid("Mars/Olympus_Mons"));
    assert_false(tend_tz_valid("../../etc/passwd"));
    assert_false(tend_tz_valid("/usr/share/zoneinfo/UTC"));
    assert_false(tend_tz_valid("Europe/Berlin; rm -rf"));
    assert_false(tend_tz_valid(""));
    assert_false(tend_tz_valid(NULL));
}

static void unknown_zone_and_impossible_dates_are_errors(void **state)
{
    (void)state;
    int64_t t = 42;
    struct tm tm;
    assert_int_equal(tend_tz_to_utc("Nowhere/Land", 2027, 1, 1, 10, 0, &t), -1);
    assert_int_equal(tend_tz_local("Nowhere/Land", 0, &tm), -1);
    assert_int_equal(tend_tz_to_utc("UTC", 2027, 2, 31, 10, 0, &t), -1);
    assert_int_equal(tend_tz_to_utc("UTC", 2027, 13, 1, 10, 0, &t), -1);
    assert_int_equal(tend_tz_to_utc("UTC", 2027, 1, 1, 24, 0, &t), -1);
    assert_int_equal(t, 42); /* untouched on failure */
}

static void ordinary_times_round_trip(void **state)
{
    (void)state;
    /* 2026-11-02 18:00 in Berlin is 17:00 UTC (CET, +1) */
    assert_int_equal(utc("Europe/Berlin", 2026, 11, 2, 18, 0), 1793638800LL);
    struct tm tm;
    assert_int_equal(tend_tz_local("America/New_York", 1793638800LL, &tm), 0);
    assert_int_equal(tm.tm_hour, 12); /* EST, -5 */
    assert_int_equal(tm.tm_wday, 1);
    /* switching zones back and forth gives each its own reading */
    assert_int_equal(tend_tz_local("Europe/Berlin", 1793638800LL, &tm), 0);
    assert_int_equal(tm.tm_hour, 18);
}

static void skipped_hour_moves_forward_by_the_gap(void **state)
{
    (void)state;
    /* Berlin 2027-03-28: 02:00 -> 03:00; 02:30 does not exist and becomes 03:30 CEST (01:30Z) */
    assert_int_equal(utc("Europe/Berlin", 2027, 3, 28, 2, 30), 1806197400LL);
    /* New York 2027-03-14: 02:30 becomes 03:30 EDT (07:30Z) */
    assert_int_equal(utc("America/New_York", 2027, 3, 14, 2, 30), 1805009400LL);
    /* Auckland 2026-09-27: 02:30 becomes 03:30 NZDT */
    assert_int_equal(utc("Pacific/Auckland", 2026, 9, 27, 2, 30), 1790433000LL);
    struct tm tm;
    assert_int_equal(tend_tz_local("Europe/Berlin", 1806197400LL, &tm), 0);
    assert_int_equal(tm.tm_hour, 3);
    assert_int_equal(tm.tm_min, 30);
}

static void repeated_hour_is_the_first(void **state)
{
    (void)state;
    /* Berlin 2027-10-31: 02:30 happens at 00:30Z (CEST) and 01:30Z (CET): the first */
    assert_int_equal(utc("Europe/Berlin", 2027, 10, 31, 2, 30), 1824942600LL);
    /* New York 2027-11-07: 01:30 happens at 05:30Z (EDT) and 06:30Z (EST): the first */
    assert_int_equal(utc("America/New_York", 2027, 11, 7, 1, 30), 1825565400LL);
    /* the day after, the same wall time is on the new offset */
    assert_int_equal(utc("America/New_York", 2027, 11, 8, 1, 30), 1825565400LL + 25 * 3600);
}

static void southern_hemisphere_offsets(void **state)
{
    (void)state;
    /* Auckland ends DST on 2027-04-04: Monday 09:00 is +13 before and +12 after */
    assert_int_equal(utc("Pacific/Auckland", 2027, 3, 29, 9, 0), 1806264000LL);
    assert_int_equal(utc("Pacific/Auckland", 2027, 4, 5, 9, 0), 1806872400LL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(known_zones_are_valid_and_others_are_not),
        cmocka_unit_test(unknown_zone_and_impossible_dates_are_errors),
        cmocka_unit_test(ordinary_times_round_trip),
        cmocka_unit_test(skipped_hour_moves_forward_by_the_gap),
        cmocka_unit_test(repeated_hour_is_the_first),
        cmocka_unit_test(southern_hemisphere_offsets),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
