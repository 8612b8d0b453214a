/*
 * test_isolation.c — a member of one group can never read or change another group's data.
 *
 * Group A gets tasks, claims, a waitlist, a pending handoff, thanks, an agreement, feedback, a
 * check-in and a rest. Then members of group B — a stranger, and members whose platform ids are
 * the same as A's members (one Discord user in two servers) — try every command that takes a task
 * id, a title or a member name, with A's ids and names. No reply may show A's words, and every row
 * that belongs to or points into A must be byte-for-byte the same afterwards.
 */
#include "testkit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/sqlite/internal.h"

#define GROUP_A "console:A"
#define GROUP_B "console:B"

/* Every row of every table that belongs to group A or points into it, as one string. */
static const char *const a_rows[] = {
    "SELECT * FROM groups WHERE key = '" GROUP_A "'",
    "SELECT * FROM members WHERE group_id = (SELECT id FROM groups WHERE key = '" GROUP_A "')",
    "SELECT * FROM tasks WHERE group_id = (SELECT id FROM groups WHERE key = '" GROUP_A "')",
    "SELECT * FROM claims WHERE task_id IN (SELECT t.id FROM tasks t JOIN groups g ON g.id = t.group_id"
    " WHERE g.key = '" GROUP_A "') OR member_id IN (SELECT m.id FROM members m JOIN groups g"
    " ON g.id = m.group_id WHERE g.key = '" GROUP_A "')",
    "SELECT * FROM handoffs WHERE task_id IN (SELECT t.id FROM tasks t JOIN groups g ON g.id = t.group_id"
    " WHERE g.key = '" GROUP_A "') OR from_member IN (SELECT m.id FROM members m JOIN groups g"
    " ON g.id = m.group_id WHERE g.key = '" GROUP_A "') OR to_member IN (SELECT m.id FROM members m"
    " JOIN groups g ON g.id = m.group_id WHERE g.key = '" GROUP_A "')",
    "SELECT * FROM checkins WHERE member_id IN (SELECT m.id FROM members m JOIN groups g"
    " ON g.id = m.group_id WHERE g.key = '" GROUP_A "')",
    "SELECT * FROM rests WHERE member_id IN (SELECT m.id FROM members m JOIN groups g"
    " ON g.id = m.group_id WHERE g.key = '" GROUP_A "')",
    "SELECT * FROM nudges WHERE member_id IN (SELECT m.id FROM members m JOIN groups g"
    " ON g.id = m.group_id WHERE g.key = '" GROUP_A "')",
    "SELECT * FROM thanks WHERE group_id = (SELECT id FROM groups WHERE key = '" GROUP_A "')"
    " OR from_member IN (SELECT m.id FROM members m JOIN groups g ON g.id = m.group_id"
    " WHERE g.key = '" GROUP_A "') OR to_member IN (SELECT m.id FROM members m JOIN groups g"
    " ON g.id = m.group_id WHERE g.key = '" GROUP_A "')",
    "SELECT * FROM feedback WHERE group_id = (SELECT id FROM groups WHERE key = '" GROUP_A "')",
    "SELECT * FROM agreements WHERE group_id = (SELECT id FROM groups WHERE key = '" GROUP_A "')",
    "SELECT * FROM audit WHERE group_id = (SELECT id FROM groups WHERE key = '" GROUP_A "')"
    " OR member_id IN (SELECT m.id FROM members m JOIN groups g ON g.id = m.group_id"
    " WHERE g.key = '" GROUP_A "')",
    "SELECT * FROM fired WHERE group_id = (SELECT id FROM groups WHERE key = '" GROUP_A "')",
    NULL,
};

static char *dump_group_a(testkit *kit)
{
    size_t cap = 1 << 16, len = 0;
    char *buf = calloc(1, cap);
    assert_non_null(buf);
    for (size_t q = 0; a_rows[q]; q++) {
        sqlite3_stmt *st = NULL;
        assert_int_equal(sqlite3_prepare_v2(store_db(kit->store), a_rows[q], -1, &st, NULL), SQLITE_OK);
        while (sqlite3_step(st) == SQLITE_ROW) {
            for (int c = 0; c < sqlite3_column_count(st); c++) {
                const char *v = (const char *)sqlite3_column_text(st, c);
                size_t need = strlen(v ? v : "NULL") + 2;
                if (len + need + 1 > cap) {
                    cap = (len + need + 1) * 2;
                    buf = realloc(buf, cap);
                    assert_non_null(buf);
                }
                len += (size_t)snprintf(buf + len, cap - len, "%s%c", v ? v : "NULL", c + 1 < sqlite3_column_count(st) ? '|' : '\n');
            }
        }
        sqlite3_finalize(st);
        len += (size_t)snprintf(buf + len, cap - len, "--\n");
    }
    return buf;
}

static int as_in(testkit *kit, const char *group, const char *who, const char *text)
{
    snprintf(kit->group_key, sizeof kit->group_key, "%s", group);
    return testkit_run(kit, who, 1, text);
}

/* The words only group A's data contains. */
static const char *const a_words[] = {"Alpha", "alpha", "secret", NULL};

static void group_a_is_busy(testkit *kit)
{
    as_in(kit, GROUP_A, "anaA", "task add \"Alpha soup run\" slots:2");
    as_in(kit, GROUP_A, "anaA", "task add \"Alpha pantry\"");
    as_in(kit, GROUP_A, "anaA", "task add \"Alpha leaflets\"");
    as_in(kit, GROUP_A, "anaA", "claim 1");
    as_in(kit, GROUP_A, "anaA", "claim 2");
    as_in(kit, GROUP_A, "beaA", "claim 1");
    as_in(kit, GROUP_A, "caiA", "claim 2"); /* waitlisted */
    as_in(kit, GROUP_A, "anaA", "handoff 2 beaA");
    assert_true(testkit_said_has(kit, "offered"));
    as_in(kit, GROUP_A, "beaA", "claim 3");
    as_in(kit, GROUP_A, "beaA", "done 3 note:alpha done note");
    as_in(kit, GROUP_A, "anaA", "thanks beaA for alpha help");
    as_in(kit, GROUP_A, "anaA", "agreements add Alpha agreement text");
    as_in(kit, GROUP_A, "anaA", "feedback Alpha suggestion secret");
    as_in(kit, GROUP_A, "anaA", "checkin low alpha tired note");
    as_in(kit, GROUP_A, "daiA", "stepback 1w alpha rest reason");
    as_in(kit, GROUP_A, "anaA", "profile pronouns:she/her");
}

/* Everything B tries, with A's numbers, titles and member names. */
static const char *const attempts[] = {
    "claim 1", "claim 2", "claim 3", "claim \"Alpha pantry\"", "claim Alpha",
    "unclaim 1", "unclaim 2", "unclaim \"Alpha soup run\"", "keep 1", "keep 2",
    "done 1", "done 2 stolen", "done \"Alpha pantry\"", "handoff 1 anaA", "handoff 2 beaA",
    "handoff accept 1", "handoff accept 2", "handoff decline 2", "handoff accept \"Alpha pantry\"",
    "thanks anaA", "thanks beaA for everything", "thanks @caiA", "thanks daiA",
    "agreements amend 1 hijacked", "agreements", "tasks", "tasks all", "tasks open", "tasks mine",
    "me", "export", "export group", "tasks ics", "tasks ics mine", "team", "checkin low", "checkin", "stepback 1w",
    "back", "capacity 9", "profile name:Mallory pronouns:x", "nudges off", "help",
    "setup timezone:Europe/Paris", "pause-new 1w", "resume-new", "feedback from b",
    "forgetme", "forgetme confirm", NULL,
};

static void assert_no_a_words(testkit *kit, const char *who, const char *cmd, int names_too)
{
    const char *said = testkit_said(kit);
    /* echoing what the member typed ("I can't find \"Alpha pantry\" here") reveals nothing */
    for (size_t w = 0; a_words[w]; w++)
        if (!strstr(cmd, a_words[w]) && strstr(said, a_words[w]))
            fail_msg("%s in B ran '%s' and saw '%s':\n%s", who, cmd, a_words[w], said);
    if (names_too)
        for (const char *n = "anaA"; n; n = strcmp(n, "anaA") == 0 ? "beaA" : strcmp(n, "beaA") == 0 ? "caiA" : NULL)
            if (!strstr(cmd, n) && strstr(said, n))
                fail_msg("%s in B ran '%s' and saw A's member %s:\n%s", who, cmd, n, said);
    for (size_t i = 0; i < kit->out.count; i++)
        assert_string_equal(kit->out.items[i].group_key, GROUP_B);
}

static void group_b_cannot_read_or_change_group_a(void **state)
{
    (void)state;
    testkit *kit = testkit_new();
    tend_settings s;
    tend_settings_defaults(&s);
    s.commands_per_minute = 0; /* hundreds of commands at one fixed instant */
    tend_bot_destroy(kit->bot);
    kit->bot = tend_bot_create(kit->store, kit->clock, &s);
    group_a_is_busy(kit);
    char *before = dump_group_a(kit);
    assert_non_null(strstr(before, "Alpha pantry"));
    assert_non_null(strstr(before, "offered"));

    /* a stranger first (names must not appear either), then A's own platform ids inside B */
    const char *const people[] = {"zedB", "anaA", "beaA", "caiA", "daiA", NULL};
    for (size_t p = 0; people[p]; p++) {
        for (size_t a = 0; attempts[a]; a++) {
            as_in(kit, GROUP_B, people[p], attempts[a]);
            assert_true(kit->out.count >= 1);
            assert_no_a_words(kit, people[p], attempts[a], p == 0);
        }
    }

    char *after = dump_group_a(kit);
    if (strcmp(before, after) != 0) {
        FILE *f = fopen("isolation-before.txt", "w"), *g = fopen("isolation-after.txt", "w");
        if (f && g) {
            fputs(before, f);
            fputs(after, g);
        }
        if (f)
            fclose(f);
        if (g)
            fclose(g);
        fail_msg("group A changed: diff isolation-before.txt isolation-after.txt");
    }
    free(before);
    free(after);
    /* the scheduler runs later (A's own rows may change now); B's messages never carry A's words */
    tend_clock_advance(kit->clock, 8 * 24 * 3600);
    testkit_tick(kit);
    for (size_t i = 0; i < kit->out.count; i++)
        if (strcmp(kit->out.items[i].group_key, GROUP_B) == 0)
            for (size_t w = 0; a_words[w]; w++)
                assert_null(strstr(kit->out.items[i].text, a_words[w]));
    testkit_free(kit);
}

static void b_numbers_its_own_tasks_and_never_reaches_a(void **state)
{
    (void)state;
    testkit *kit = testkit_new();
    group_a_is_busy(kit);
    char *before = dump_group_a(kit);
    as_in(kit, GROUP_B, "zedB", "task add \"Zulu bread run\"");
    assert_true(testkit_said_has(kit, "#1 Zulu bread run"));
    as_in(kit, GROUP_B, "zedB", "claim 1");
    assert_true(testkit_said_has(kit, "Zulu"));
    as_in(kit, GROUP_B, "zedB", "claim 2");
    assert_false(testkit_said_has(kit, "Alpha"));
    assert_false(testkit_said_has(kit, "is yours"));
    as_in(kit, GROUP_B, "zedB", "done 1 note:zulu done");
    if (!testkit_said_has(kit, "Zulu bread run is done"))
        fail_msg("%s", testkit_said(kit));
    char *after = dump_group_a(kit);
    assert_string_equal(before, after);
    /* and A still sees only its own board */
    as_in(kit, GROUP_A, "anaA", "tasks all");
    assert_true(testkit_said_has(kit, "Alpha pantry"));
    assert_false(testkit_said_has(kit, "Zulu"));
    free(before);
    free(after);
    testkit_free(kit);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(group_b_cannot_read_or_change_group_a),
        cmocka_unit_test(b_numbers_its_own_tasks_and_never_reaches_a),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
