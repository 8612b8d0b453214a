/* test_when.c — the time phrases when: understands, in a zone, relative to now; and how a time is
 * shown back. Now is Monday 2026-11-02 10:00 in Berlin (09:00 UTC) unless a test says otherwise. */
#include "testkit.h"

#include <string.h>

#include "bot/tz.h"
#include "bot/when.h"

#define BERLIN "Europe/Berlin"

static int64_t local(const char *zone, int y, int mo, int d, int h, int mi)
{
    int64_t t = 0;
    assert_int_equal(tend_tz_to_utc(zone, y, mo, d, h, mi, &t), 0);
    return t;
}

/* Parses `text` at now in Berlin and checks the instant and whether it is a whole day. */
static void reads_as(const char *text, int64_t now, int y, int mo, int d, int h, int mi, bool all_day)
{
    tend_when w;
    tend_when_result r = tend_when_parse(text, BERLIN, now, &w);
    if (r != TEND_WHEN_OK)
        fail_msg("\"%s\" was not understood (%d)", text, (int)r);
    if (w.at != local(BERLIN, y, mo, d, h, mi) || w.all_day != all_day)
        fail_msg("\"%s\" read as %lld (all day %d), expected %04d-%02d-%02d %02d:%02d", text, (long long)w.at,
                 w.all_day, y, mo, d, h, mi);
}

static void refused(const char *text, int64_t now, tend_when_result expected)
{
    tend_when w = {12345, true};
    tend_when_result r = tend_when_parse(text, BERLIN, now, &w);
    if (r != expected)
        fail_msg("\"%s\" gave %d, expected %d", text, (int)r, (int)expected);
    assert_int_equal(w.at, 12345); /* untouched */
}

static void weekdays_and_times_in_any_order(void **state)
{
    (void)state;
    int64_t now = TESTKIT_START; /* Mon 2 Nov, 10:00 Berlin */
    reads_as("fri 18:00", now, 2026, 11, 6, 18, 0, false);
    reads_as("Friday 18:00", now, 2026, 11, 6, 18, 0, false);
    reads_as("18:00 fri", now, 2026, 11, 6, 18, 0, false);
    reads_as("fri at 6pm", now, 2026, 11, 6, 18, 0, false);
    reads_as("thurs 6:30pm", now, 2026, 11, 5, 18, 30, false);
    reads_as("wed, 7 am", now, 2026, 11, 4, 7, 0, false);
    reads_as("this saturday noon", now, 2026, 11, 7, 12, 0, false);
    reads_as("fri", now, 2026, 11, 6, 0, 0, true);
    /* today's weekday: today while the time is ahead, else next week */
    reads_as("mon 18:00", now, 2026, 11, 2, 18, 0, false);
    reads_as("mon 9:00", now, 2026, 11, 9, 9, 0, false);
    reads_as("monday", now, 2026, 11, 2, 0, 0, true);
}

static void today_tomorrow_and_a_time_alone(void **state)
{
    (void)state;
    int64_t now = TESTKIT_START;
    reads_as("today 15:00", now, 2026, 11, 2, 15, 0, false);
    reads_as("tomorrow", now, 2026, 11, 3, 0, 0, true);
    reads_as("tomorrow 6pm", now, 2026, 11, 3, 18, 0, false);
    reads_as("Tomorrow at 9:30", now, 2026, 11, 3, 9, 30, false);
    reads_as("12am tomorrow", now, 2026, 11, 3, 0, 0, false);
    reads_as("12pm", now, 2026, 11, 2, 12, 0, false);
    reads_as("16:45", now, 2026, 11, 2, 16, 45, false); /* still ahead today */
    reads_as("8:00", now, 2026, 11, 3, 8, 0, false);   /* gone today: tomorrow's */
    reads_as("6 pm", now, 2026, 11, 2, 18, 0, false);
}

static void dates_with_and_without_a_year(void **state)
{
    (void)state;
    int64_t now = TESTKIT_START;
    reads_as("2026-12-02", now, 2026, 12, 2, 0, 0, true);
    reads_as("2026-12-02 15:00", now, 2026, 12, 2, 15, 0, false);
    reads_as("3 dec", now, 2026, 12, 3, 0, 0, true);
    reads_as("dec 3rd 7pm", now, 2026, 12, 3, 19, 0, false);
    reads_as("3 December 2026 10:00", now, 2026, 12, 3, 10, 0, false);
    reads_as("1 feb", now, 2027, 2, 1, 0, 0, true);          /* past this year: next year's */
    reads_as("2 nov 18:00", now, 2026, 11, 2, 18, 0, false); /* today, still ahead */
    reads_as("wed 2026-11-04", now, 2026, 11, 4, 0, 0, true);
}

static void what_it_does_not_read_is_refused_clearly(void **state)
{
    (void)state;
    int64_t now = TESTKIT_START;
    refused("soonish", now, TEND_WHEN_UNKNOWN);
    refused("", now, TEND_WHEN_UNKNOWN);
    refused("   ", now, TEND_WHEN_UNKNOWN);
    refused(NULL, now, TEND_WHEN_UNKNOWN);
    refused("fri 25:00", now, TEND_WHEN_UNKNOWN);
    refused("fri 13pm", now, TEND_WHEN_UNKNOWN);
    refused("fri 18", now, TEND_WHEN_UNKNOWN);       /* a bare number is no time */
    refused("dec", now, TEND_WHEN_UNKNOWN);          /* a month needs its day */
    refused("next fri", now, TEND_WHEN_UNKNOWN);
    refused("fri 18:00 and then some more words here", now, TEND_WHEN_UNKNOWN);
    refused("31 nov", now, TEND_WHEN_NO_DAY);
    refused("2026-02-30", now, TEND_WHEN_NO_DAY);
    refused("fri 2026-12-01", now, TEND_WHEN_CONFLICT); /* that's a Tuesday */
    refused("fri sat", now, TEND_WHEN_CONFLICT);
    refused("18:00 19:00", now, TEND_WHEN_CONFLICT);
    refused("tomorrow 3 dec", now, TEND_WHEN_CONFLICT);
    refused("today 9:00", now, TEND_WHEN_PAST);
    refused("2026-10-01", now, TEND_WHEN_PAST);
    refused("2027-12-01", now, TEND_WHEN_FAR);
}

static void a_spring_forward_gap_moves_on_and_a_fall_back_hour_is_the_first(void **state)
{
    (void)state;
    /* Berlin springs forward on Sun 28 Mar 2027 at 02:00; falls back on Sun 31 Oct 2027 at 03:00 */
    int64_t now = local(BERLIN, 2027, 3, 25, 12, 0);
    tend_when w;
    assert_int_equal(tend_when_parse("sun 2:30", BERLIN, now, &w), TEND_WHEN_OK);
    assert_int_equal(w.at, local(BERLIN, 2027, 3, 28, 3, 30)); /* 02:30 never happens: 03:30 */
    now = local(BERLIN, 2027, 10, 28, 12, 0);
    assert_int_equal(tend_when_parse("sun 2:30", BERLIN, now, &w), TEND_WHEN_OK);
    assert_int_equal(w.at, 1824942600LL); /* 00:30 UTC, the first 02:30 (CEST) */
}

static void another_zone_reads_its_own_wall_clock(void **state)
{
    (void)state;
    tend_when w;
    /* 09:00 UTC on Monday is 04:00 in New York: "18:00" is the same day's evening there */
    assert_int_equal(tend_when_parse("18:00", "America/New_York", TESTKIT_START, &w), TEND_WHEN_OK);
    assert_int_equal(w.at, local("America/New_York", 2026, 11, 2, 18, 0));
    /* and in Auckland (UTC+13) it is already Monday 22:00: 18:00 is Tuesday's */
    assert_int_equal(tend_when_parse("18:00", "Pacific/Auckland", TESTKIT_START, &w), TEND_WHEN_OK);
    assert_int_equal(w.at, local("Pacific/Auckland", 2026, 11, 3, 18, 0));
}

static void shown_short_long_near_and_with_the_zone(void **state)
{
    (void)state;
    char out[64];
    tend_when w = {local(BERLIN, 2026, 11, 6, 18, 0), false};
    tend_when_format(&w, BERLIN, false, TESTKIT_START, TEND_WHEN_SHORT, out, sizeof out);
    assert_string_equal(out, "Fri 6 Nov, 18:00");
    tend_when_format(&w, BERLIN, false, TESTKIT_START, TEND_WHEN_LONG, out, sizeof out);
    assert_string_equal(out, "Friday 6 November at 18:00");
    tend_when_format(&w, "America/New_York", true, TESTKIT_START, TEND_WHEN_SHORT, out, sizeof out);
    assert_string_equal(out, "Fri 6 Nov, 12:00 EST");
    tend_when_format(&w, BERLIN, false, w.at - 3600, TEND_WHEN_NEAR, out, sizeof out);
    assert_string_equal(out, "today at 18:00");
    tend_when_format(&w, BERLIN, false, w.at - 20 * 3600, TEND_WHEN_NEAR, out, sizeof out);
    assert_string_equal(out, "tomorrow at 18:00");
    tend_when_format(&w, BERLIN, false, TESTKIT_START, TEND_WHEN_NEAR, out, sizeof out);
    assert_string_equal(out, "Fri 6 Nov, 18:00");
    tend_when day = {local(BERLIN, 2026, 12, 3, 0, 0), true};
    tend_when_format(&day, BERLIN, true, TESTKIT_START, TEND_WHEN_SHORT, out, sizeof out);
    assert_string_equal(out, "Thu 3 Dec");
    char tiny[6];
    tend_when_format(&w, BERLIN, false, TESTKIT_START, TEND_WHEN_LONG, tiny, sizeof tiny);
    assert_string_equal(tiny, "Frida"); /* cut, never overrun */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(weekdays_and_times_in_any_order),
        cmocka_unit_test(today_tomorrow_and_a_time_alone),
        cmocka_unit_test(dates_with_and_without_a_year),
        cmocka_unit_test(what_it_does_not_read_is_refused_clearly),
        cmocka_unit_test(a_spring_forward_gap_moves_on_and_a_fall_back_hour_is_the_first),
        cmocka_unit_test(another_zone_reads_its_own_wall_clock),
        cmocka_unit_test(shown_short_long_near_and_with_the_zone),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
