/* test_calendar.c — the iCalendar text (RFC 5545): escaping, folding at 75 octets between
 * characters, one event per timed task with a stable UID, DTSTART in UTC, the group's zone or as a
 * DATE, repeats as RRULEs; and /tasks ics through the router (a private file, bad words refused
 * with one line and no file). tests/integration/files parses whole files with a real library. */
#include "testkit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bot/calendar.h"

static char *escaped(const char *text)
{
    tend_strbuf sb = TEND_STRBUF_INIT;
    tend_ics_escape(&sb, text);
    return tend_strbuf_finish(&sb);
}

static void text_is_escaped_as_rfc5545_says(void **state)
{
    (void)state;
    char *s = escaped("Soup, run; a\\b\nnext\r\x01 \xF0\x9F\x8D\xB2 @everyone");
    assert_string_equal(s, "Soup\\, run\\; a\\\\b\\nnext \xF0\x9F\x8D\xB2 @everyone");
    free(s);
}

static void long_lines_fold_at_75_octets_between_characters(void **state)
{
    (void)state;
    char line[400] = "SUMMARY:";
    for (size_t n = strlen(line); n < 300; n = strlen(line)) /* 2 + 4 + 1 bytes: cuts fall everywhere */
        snprintf(line + n, sizeof line - n, "\xC3\xA9\xF0\x9F\x8D\xB2x");
    tend_strbuf sb = TEND_STRBUF_INIT;
    tend_ics_line(&sb, line);
    char *out = tend_strbuf_finish(&sb);
    assert_non_null(out);
    /* unfolded it is the line again; every physical line is at most 75 octets and starts on a
     * character, never on a continuation byte */
    char unfolded[400] = "";
    size_t u = 0;
    int physical = 0;
    for (char *p = out; *p;) {
        char *end = strstr(p, "\r\n");
        assert_non_null(end);
        size_t n = (size_t)(end - p);
        assert_true(n <= 75);
        const char *content = physical ? p + 1 : p;
        if (physical)
            assert_int_equal(p[0], ' ');
        assert_true(((unsigned char)content[0] & 0xC0) != 0x80);
        memcpy(unfolded + u, content, n - (size_t)(physical ? 1 : 0));
        u += n - (size_t)(physical ? 1 : 0);
        physical++;
        p = end + 2;
    }
    unfolded[u] = '\0';
    assert_string_equal(unfolded, line);
    assert_true(physical >= 4);
    free(out);

    /* exactly 75 octets stays one line */
    char exact[76];
    memset(exact, 'a', 75);
    exact[75] = '\0';
    tend_strbuf one = TEND_STRBUF_INIT;
    tend_ics_line(&one, exact);
    out = tend_strbuf_finish(&one);
    assert_int_equal(strlen(out), 77);
    free(out);
}

static tend_task timed(int number, const char *title, int64_t due, bool all_day, const char *repeat)
{
    tend_task t = {.number = number, .due_at = due, .all_day = all_day, .slots = 1, .weight = 1};
    snprintf(t.title, sizeof t.title, "%s", title);
    snprintf(t.repeat, sizeof t.repeat, "%s", repeat);
    return t;
}

static void events_carry_uid_times_and_repeats(void **state)
{
    (void)state;
    tend_group g = {.id = 1};
    snprintf(g.key, sizeof g.key, "console:test");
    snprintf(g.timezone, sizeof g.timezone, "UTC");
    tend_calendar *cal = tend_calendar_new(&g, TESTKIT_START);
    tend_task a = timed(3, "Soup", TESTKIT_START + 3600, false, "weekly");
    tend_task b = timed(4, "Bike", TESTKIT_START, true, "every:14d");
    tend_task c = timed(5, "Count", TESTKIT_START, false, "every:3d");
    tend_task none = timed(6, "No time", 0, false, "");
    assert_int_equal(tend_calendar_add(cal, &a, "bring a pot"), 0);
    assert_int_equal(tend_calendar_add(cal, &b, NULL), 0);
    assert_int_equal(tend_calendar_add(cal, &c, NULL), 0);
    assert_int_equal(tend_calendar_add(cal, &none, NULL), 0);
    assert_int_equal(tend_calendar_count(cal), 3);
    char *ics = tend_calendar_finish(cal);
    assert_non_null(ics);
    assert_non_null(strstr(ics, "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"));
    assert_non_null(strstr(ics, "DTSTART:20261102T100000Z\r\nRRULE:FREQ=WEEKLY\r\nSUMMARY:Soup\r\n"));
    assert_non_null(strstr(ics, "DTSTART;VALUE=DATE:20261102\r\nRRULE:FREQ=WEEKLY;INTERVAL=2\r\n"));
    assert_non_null(strstr(ics, "RRULE:FREQ=DAILY;INTERVAL=3\r\n"));
    assert_non_null(strstr(ics, "DTSTAMP:20261102T090000Z\r\n"));
    assert_null(strstr(ics, "No time"));
    assert_null(strstr(ics, "VTIMEZONE")); /* a UTC group needs none */
    const char *uid = strstr(ics, "UID:tend-task-3-");
    assert_non_null(uid);
    char first[80];
    snprintf(first, sizeof first, "%.*s", (int)strcspn(uid, "\r"), uid);
    free(ics);

    /* the same task in a fresh calendar keeps its UID; another group's task 3 does not share it */
    cal = tend_calendar_new(&g, TESTKIT_START + 86400);
    tend_calendar_add(cal, &a, NULL);
    ics = tend_calendar_finish(cal);
    assert_non_null(strstr(ics, first));
    free(ics);
    snprintf(g.key, sizeof g.key, "console:other");
    cal = tend_calendar_new(&g, TESTKIT_START);
    tend_calendar_add(cal, &a, NULL);
    ics = tend_calendar_finish(cal);
    assert_null(strstr(ics, first));
    free(ics);
}

static void a_zone_gives_tzid_and_its_rules(void **state)
{
    (void)state;
    tend_group g = {.id = 1};
    snprintf(g.key, sizeof g.key, "console:test");
    snprintf(g.timezone, sizeof g.timezone, "America/New_York");
    tend_calendar *cal = tend_calendar_new(&g, TESTKIT_START);
    tend_task a = timed(1, "Soup", TESTKIT_START, false, ""); /* 09:00 UTC = 04:00 EST */
    tend_calendar_add(cal, &a, NULL);
    char *ics = tend_calendar_finish(cal);
    assert_non_null(strstr(ics, "DTSTART;TZID=America/New_York:20261102T040000\r\n"));
    assert_non_null(strstr(ics, "BEGIN:VTIMEZONE\r\nTZID:America/New_York\r\n"));
    assert_non_null(strstr(ics, "TZOFFSETTO:-0500\r\n"));
    free(ics);
}

static const char *tz_of_kit(testkit *kit, const char *zone)
{
    char cmd[96];
    snprintf(cmd, sizeof cmd, "setup timezone:%s", zone);
    assert_int_equal(testkit_run(kit, "cora", 1, cmd), 0);
    return zone;
}

static void tasks_ics_answers_privately_with_a_file(void **state)
{
    (void)state;
    testkit *kit = testkit_new();
    tz_of_kit(kit, "Europe/Berlin");
    testkit_run(kit, "ana", 0, "tasks ics");
    assert_int_equal(kit->out.count, 1);
    assert_null(kit->out.items[0].file);
    assert_true(testkit_said_has(kit, "nothing to put in a calendar"));

    testkit_run(kit, "ana", 0, "task add \"@everyone, soup\" when:\"fri 18:00\"");
    testkit_run(kit, "ana", 0, "task add Quiet one");
    kit->in_public = 1; /* typed in the group room: the board is the group's, the file still private */
    assert_int_equal(testkit_run(kit, "bea", 0, "tasks ics"), 0);
    assert_int_equal(kit->out.count, 1);
    const tend_message *m = &kit->out.items[0];
    assert_int_equal(m->audience, TEND_TO_PRIVATE);
    assert_string_equal(m->member_key, "bea");
    assert_non_null(m->file);
    assert_string_equal(m->file->content_type, "text/calendar");
    assert_non_null(strstr(m->file->name, ".ics"));
    assert_non_null(strstr(m->file->data, "SUMMARY:@everyone\\, soup\r\n"));
    assert_non_null(strstr(m->file->data, "DTSTART;TZID=Europe/Berlin:20261106T180000\r\n"));
    assert_null(strstr(m->file->data, "Quiet one"));
    assert_null(strstr(m->text, "everyone")); /* the chat line names no title: nothing to ping */
    assert_int_equal(m->n_mentions, 0);

    testkit_run(kit, "bea", 0, "tasks ics mine");
    assert_null(kit->out.items[0].file);
    assert_true(testkit_said_has(kit, "None of the tasks you hold"));
    testkit_run(kit, "bea", 0, "claim 1");
    testkit_run(kit, "bea", 0, "tasks ics mine");
    assert_non_null(kit->out.items[0].file);

    testkit_run(kit, "bea", 0, "tasks ics everything");
    assert_int_equal(kit->out.count, 1);
    assert_string_equal(kit->out.items[0].kind, "error");
    assert_null(kit->out.items[0].file);
    assert_true(testkit_said_has(kit, "tasks ics mine"));
    assert_null(strchr(testkit_said(kit), '\n'));
    testkit_free(kit);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(text_is_escaped_as_rfc5545_says),
        cmocka_unit_test(long_lines_fold_at_75_octets_between_characters),
        cmocka_unit_test(events_carry_uid_times_and_repeats),
        cmocka_unit_test(a_zone_gives_tzid_and_its_rules),
        cmocka_unit_test(tasks_ics_answers_privately_with_a_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
