/* test_tasks.c — the task commands, end to end through the router and a real in-memory store. */
#include "testkit.h"

#include "bot/limits.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bot/load.h"
#include "bot/parse.h"
#include "bot/task_time.h"
#include "bot/tasks.h"
#include "store/sqlite/internal.h"

/* ---------------------------------------------------------------- helpers */

static tend_group group_of(testkit *kit)
{
    tend_group g;
    assert_int_equal(tend_store_group_get(kit->store, kit->group_key, &g), TEND_STORE_OK);
    return g;
}

static tend_member member_of(testkit *kit, const char *name)
{
    tend_member m;
    assert_int_equal(tend_store_member_get(kit->store, group_of(kit).id, name, &m), TEND_STORE_OK);
    return m;
}

static tend_task task_of(testkit *kit, int number)
{
    tend_task t;
    assert_int_equal(tend_store_task_get(kit->store, group_of(kit).id, number, &t), TEND_STORE_OK);
    return t;
}

/* The state of `name`'s claim on task `number`: active, waiting, or -1 for none. */
static int claim_state(testkit *kit, const char *name, int number)
{
    tend_claim c;
    int rc = tend_store_claim_current(kit->store, task_of(kit, number).id, member_of(kit, name).id, &c);
    if (rc == TEND_STORE_NOTFOUND)
        return -1;
    assert_int_equal(rc, TEND_STORE_OK);
    return (int)c.state;
}

static long long count_rows(testkit *kit, const char *table)
{
    char sql[128];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM %s", table);
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(store_db(kit->store), sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    long long n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return n;
}

/* Everything a task command could write, as one number per table. */
typedef struct {
    long long tasks, claims, handoffs, audit;
    char claim_states[512];
} snapshot;

static snapshot snap(testkit *kit)
{
    snapshot s = {count_rows(kit, "tasks"), count_rows(kit, "claims"), count_rows(kit, "handoffs"),
                  count_rows(kit, "audit"), {0}};
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(store_db(kit->store),
                                        "SELECT group_concat(state || ':' || id, ',') FROM"
                                        " (SELECT state, id FROM claims UNION ALL"
                                        "  SELECT state, id FROM tasks UNION ALL"
                                        "  SELECT state, id FROM handoffs)",
                                        -1, &st, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    const unsigned char *t = sqlite3_column_text(st, 0);
    snprintf(s.claim_states, sizeof s.claim_states, "%s", t ? (const char *)t : "");
    sqlite3_finalize(st);
    return s;
}

static void assert_unchanged(testkit *kit, const snapshot *before)
{
    snapshot now = snap(kit);
    assert_int_equal(now.tasks, before->tasks);
    assert_int_equal(now.claims, before->claims);
    assert_int_equal(now.handoffs, before->handoffs);
    assert_int_equal(now.audit, before->audit);
    assert_string_equal(now.claim_states, before->claim_states);
}

/* Exactly one private line went back to `name`. */
static void assert_one_private(testkit *kit, const char *name)
{
    assert_int_equal(kit->out.count, 1);
    assert_int_equal(kit->out.items[0].audience, TEND_TO_PRIVATE);
    assert_string_equal(kit->out.items[0].member_key, name);
}

static const tend_message *find_kind(testkit *kit, const char *kind)
{
    for (size_t i = 0; i < kit->out.count; i++)
        if (strcmp(kit->out.items[i].kind, kind) == 0)
            return &kit->out.items[i];
    return NULL;
}

static void run_ok(testkit *kit, const char *who, const char *text)
{
    assert_int_equal(testkit_run(kit, who, 0, text), 0);
    assert_true(kit->out.count >= 1);
    assert_string_not_equal(kit->out.items[0].kind, "error");
}

/* ---------------------------------------------------------------- the board */

static void board_shows_open_mine_and_all(void **state)
{
    (void)state;
    testkit *kit = testkit_new();
    run_ok(kit, "ana", "tasks");
    assert_one_private(kit, "ana");
    assert_true(testkit_said_has(kit, "Nothing on the board"));
    assert_true(testkit_said_has(kit, "/task add"));

    run_ok(kit, "ana", "task add \"Soup run\" when:\"fri 18:00\" slots:2");
    run_ok(kit, "ana", "task add Pharmacy pickup");
    run_ok(kit, "bea", "claim 1");

    run_ok(kit, "bea", "tasks");
    assert_one_private(kit, "bea");
    assert_true(testkit_said_has(kit, "#1 Soup run (1 of 2 people, Fri 6 Nov, 18:00)"));
    assert_true(testkit_said_has(kit, "#2 Pharmacy pickup (0 of 1 person)"));

    run_ok(kit, "bea", "tasks mine");
    assert_true(testkit_said_has(kit, "#1 Soup run"));
    assert_false(testkit_said_has(kit, "Pharmacy"));
    run_ok(kit, "ana", "tasks mine");
    assert_true(testkit_said_has(kit, "not holding any tasks"));

    run_ok(kit, "bea", "done 1");
    run_ok(kit, "bea", "tasks open");
    assert_false(testkit_said_has(kit, "Soup run"));
    assert_true(testkit_said_has(kit, "#2 Pharmacy pickup"));
    run_ok(kit, "bea", "tasks all");
    assert_true(testkit_said_has(kit, "#1 Soup run (done)"));
    const char *said = testkit_said(kit);
    assert_true(strstr(said, "#2 Pharmacy") < strstr(said, "#1 Soup")); /* newest first */

    snapshot before = snap(kit);
    testkit_run(kit, "bea", 0, "tasks everything");
    assert_one_private(kit, "bea");
    assert_true(testkit_said_has(kit, "open, mine or all"));
    assert_true(testkit_said_has(kit, "Usage: /tasks"));
    assert_unchanged(kit, &before);
    testkit_free(kit);
}

static void board_mine_shows_waitlist_place(void **state)
{
    (void)state;
    testkit *kit = testkit_new();
    run_ok(kit, "ana", "task add Soup run");
    run_ok(kit, "ana", "claim 1");
    run_ok(kit, "bea", "claim 1");
    run_ok(kit, "cara", "claim 1");
    run_ok(kit, "cara", "tasks mine");
    assert_true(testkit_said_has(kit, "#1 Soup run (1 of 1 person, 2 waiting) (you're number 2 on the waitlist)"));
    testkit_free(kit);
}

/* ---------------------------------------------------------------- task add */

static void task_add_announces_with_a_claim_button(void **state)
{
    (void)state;
    testkit *kit = testkit_new();
    run_ok(kit, "ana", "task add \"Soup run\" slots:3 weight:2 when:2026-11-06");
    const tend_message *m = find_kind(kit, "task.announce");
    assert_non_null(m);
    assert_int_equal(kit->out.count, 2); /* the announcement, and what when: was read as */
    assert_true(testkit_said_has(kit, "[private ana] I read when:\"2026-11-06\" as Friday 6 November."));
    assert_int_equal(m->audience, TEND_TO_PUBLIC);
    assert_int_equal(m->n_mentions, 0);
    assert_int_equal(m->n_buttons, 1);
    assert_string_equal(m->buttons[0].label, "Claim");
    assert_string_equal(m->buttons[0].emoji, "\xE2\x9C\x85");
    assert_string_equal(m->buttons[0].command, "claim 1");
    assert_true(testkit_said_has(kit, "New task: #1 Soup run (0 of 3 people, Fri 6 Nov). /claim 1"));
    tend_task t = task_of(kit, 1);
    assert_int_equal(t.slots, 3);
    assert_int_equal(t.weight, 2);
    assert_int_equal(t.created_by, member_of(kit, "ana").id);
    assert_int_equal(t.due_at, 1793923200LL); /* 2026-11-06 00:00 UTC, the group's zone */
    run_ok(kit, "ana", "task add \"Second\nline\ttab\"");
    assert_string_equal(task_of(kit, 2).title, "Second line tab"); /* a board line stays one line */
    assert_int_equal(task_of(kit, 2).slots, 1);
    assert_int_equal(task_of(kit, 2).weight, 1);
    testkit_free(kit);
}

static void task_add_bad_options_change_nothing(void **state)
{
    (void)state;
    testkit *kit = testkit_new();
    run_ok(kit, "ana", "task add First");
    snapshot before = snap(kit);
    const char *bad[] = {"task add Soup slots:0",      "task add Soup slots:21", "task add Soup slots:two",
                         "task add Soup weight:6",     "task add Soup weight:0", "task add Soup repeat:hourly",
                         "task add Soup repeat:every:0d",
                         "task add \"   \"",            "task add",               "task add slots:2"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(testkit_run(kit, "ana", 0, bad[i]), 0);
        assert_one_private(kit, "ana");
        assert_string_equal(kit->out.items[0].kind, "error");
        assert_true(testkit_said_has(kit, "Usage: /task add"));
        assert_unchanged(kit, &before);
    }
    /* a time it cannot use: what it understands instead, without the whole usage around it */
    const char *bad_when[] = {"when:soonish", "when:\"31 nov\"", "when:yesterday", "when:2026-11-01",
                              "when:\"fri 2026-12-01\"", "when:2028-01-01"};
    for (size_t i = 0; i < sizeof bad_when / sizeof bad_when[0]; i++) {
        char cmd[80];
        snprintf(cmd, sizeof cmd, "task add Soup %s", bad_when[i]);
        assert_int_equal(testkit_run(kit, "ana", 0, cmd), 0);
        assert_one_private(kit, "ana");
        assert_true(testkit_said_has(kit, "when:"));
        assert_false(testkit_said_has(kit, "Usage"));
        assert_unchanged(kit, &before);
    }
    testkit_free(kit);
}

static void everyone_title_is_plain_text(void **state)
{
    (void)state;
    testkit *kit = testkit_new();
    run_ok(kit, "ana", "task add @everyone @here come help");
    const tend_message *m = find_kind(kit, "task.announce");
    assert_non_null(m);
    assert_int_equal(m->n_mentions, 0);
    assert_null(strchr(m->text, TEND_MARK_MENTION_OPEN));
    assert_true(testkit_said_has(kit, "#1 @everyone @here come help"));
    /* a smuggled mention marker in the title is stripped before it is stored */
    run_ok(kit, "ana", "task add x\x1E" "0\x1F y");
    assert_null(strchr(task_of(kit, 2).title, TEND_MARK_MENTION_OPEN));
    run_ok(kit, "bea", "claim 1");
    run_ok(kit, "bea", "done 1");
    m = find_kind(kit, "task.done");
    assert_non_null(m);
    assert_int_equal(m->n_mentions, 1); /* the doer, never "everyone" */
    assert_string_equal(m->mentions[0].member_key, "bea");
    testkit_free(kit);
}

static void overlong_title_is_refused_and_nothing_stored(void **state)
{
    (void)state;
    testkit *kit = testkit_new();
    run_ok(kit, "ana", "tasks"); /* the group exists */
    snapshot before = snap(kit);
    char *cmd = malloc(10 * 1024 + 32);
    assert_non_null(cmd);
    strcpy(cmd, "task add \"");
    memset(cmd + 10, 'a', 10 * 1024);
    strcpy(cmd + 10 + 10 * 1024, "\"");
    assert_int_equal(testkit_run(kit, "ana", 0, cmd), 0);
    assert_one_private(kit, "ana");
    /* far over the limit the member hears the limit, not a count (a platform may have cut the
     * text already, and "10240 characters" helps nobody shorten a title) */
    assert_true(testkit_said_has(kit, "up to 200 characters"));
    assert_false(testkit_said_has(kit, "10240"));
    assert_unchanged(kit, &before);
    /* the same for 64 KB of four-byte characters: never a count of anything */
    char *big = malloc(64 * 1024 + 32);
    assert_non_null(big);
    size_t at = 10;
    memcpy(big, "task add \"", 10);
    for (; at + 4 < 64 * 1024; at += 4)
        memcpy(big + at, "\xF0\x9F\x98\x80", 4);
    strcpy(big + at, "\"");
    testkit_run(kit, "ana", 0, big);
    free(big);
    assert_one_private(kit, "ana");
    assert_true(testkit_said_has(kit, "much longer than a title can be: up to 200 characters"));
    assert_false(testkit_said_has(kit, "16375"));
    assert_unchanged(kit, &before);

    /* the limit counts characters, not bytes: 200 two-byte letters fit, 201 do not */
    strcpy(cmd, "task add \"");
    size_t n = 10;
    for (int i = 0; i < 201; i++) {
        memcpy(cmd + n, "\xC3\xA9", 2);
        n += 2;
    }
    strcpy(cmd + n, "\"");
    testkit_run(kit, "ana", 0, cmd);
    assert_true(testkit_said_has(kit, "201 characters; a title can be up to 200"));
    assert_unchanged(kit, &before);
    strcpy(cmd + n - 2, "\"");
    run_ok(kit, "ana", cmd);
    assert_non_null(find_kind(kit, "task.announce"));
    assert_int_equal(tend_utf8_length(task_of(kit, 1).title), 200);
    free(cmd);
    testkit_free(kit);
}

static void paused_group_refuses_new_tasks_kindly(void **state)
{
    (void)state;
    testkit *kit = testkit_new();
    run_ok(kit, "ana", "tasks");
    tend_group g = group_of(kit);
    g.new_tasks_paused_until = TESTKIT_START + 2 * 86400; /* Wed 04 Nov 09:00 UTC */
    assert_int_equal(tend_store_group_save(kit->store, &g), TEND_STORE_OK);
    snapshot before = snap(kit);
    testkit_run(kit, "ana", 0, "task add Soup run");
    assert_one_private(kit, "ana");
    assert_true(testkit_said_has(kit, "paused until Wed 4 Nov, 09:00"));
    assert_true(testkit_said_has(kit, "/resume-new"));
    assert_false(testkit_said_has(kit, "Usage"));
    assert_unchanged(kit, &before);

    g.new_tasks_paused_until = INT64_MAX;
    assert_int_equal(tend_store_group_save(kit->store, &g), TEND_STORE_OK);
    testkit_run(kit, "ana", 0, "task add Soup run");
    assert_true(testkit_said_has(kit, "paused for now"));
    assert_unchanged(kit, &before);

    g.new_tasks_paused_until = TESTKIT_START - 1; /* the pause is over */
    assert_int_equal(tend_store_group_save(kit->store, &g), TEND_STORE_OK);
    run_ok(kit, "ana", "task add Soup run");
    assert_non_null(find_kind(kit, "task.announce"));
    testkit_free(kit);
}

/* ---------------------------------------------------------------- claim, waitlist, unclaim */

static void full_task_waitlists_and_unclaim_promotes_with_a_dm(void **state)
{
    (void)state;
    testkit *kit = testkit_new();
    run_ok(kit, "ana", "task add Soup run slots:1");
    run_ok(kit, "bea", "claim 1");
    assert_one_private(kit, "bea");
    assert_true(testkit_said_has(kit, "#1 Soup run (1 of 1 person) is yours"));
    run_ok(kit, "cara", "claim #1");
    assert_one_private(kit, "cara");
    assert_true(testkit_said_has(kit, "waitlist: number 1"));
    run_ok(kit, "dan", "claim soup");
    assert_true(testkit_said_has(kit, "waitlist: number 2"));
    assert_int_equal(claim_state(kit, "cara", 1), TEND_CLAIM_WAITING);
    assert_int_equal(task_of(kit, 1).waiting, 2);

    run_ok(kit, "bea", "unclaim 1");
    assert_int_equal(kit->out.count, 2);
    /* cara took the slot at once: it never went back on the board */
    assert_true(testkit_said_has(kit, "[private bea] Got it, #1 is off your list, and the next person on its waitlist has it now"));
    assert_false(testkit_said_has(kit, "back on the board"));
    const tend_message *reply = find_kind(kit, "reply");
    assert_non_null(reply);
    assert_null(strstr(reply->text, "cara")); /* who waited stays between them and the bot */
    const tend_message *dm = find_kind(kit, "waitlist.promoted");
    assert_non_null(dm);
    assert_int_equal(dm->audience, TEND_TO_DM);
    assert_string_equal(dm->member_key, "cara");
    assert_true(strstr(dm->text, "#1 Soup run") != NULL);
    assert_int_equal(claim_state(kit, "bea", 1), -1);
    assert_int_equal(claim_state(kit, "cara", 1), TEND_CLAIM_ACTIVE);
    assert_int_equal(claim_state(kit, "dan", 1), TEND_CLAIM_WAITING);

    /* leaving a waitlist promotes nobody and tells nobody else */
    run_ok(kit, "dan", "unclaim 1");
    assert_one_private(kit, "dan");
    assert_true(testkit_said_has(kit, "off the waitlist for #1"));
    assert_int_equal(claim_state(kit, "dan", 1), -1);
    assert_int_equal(claim_state(kit, "cara", 1), TEND_CLAIM_ACTIVE);

    snapshot before = snap(kit);
    testkit_run(kit, "dan", 0, "unclaim 1");
    assert_one_private(kit, "dan");
    assert_true(testkit_said_has(kit, "don't have #1"));
    assert_unchanged(kit, &before);
    testkit_free(kit);
}

static void unclaim_with_nobody_waiting_puts_the_slot_back_on_the_board(void **state)
{
    (void)state;
    testkit *kit = testkit_new();
    run_ok(kit, "ana", "task add Soup run slots:2");
    run_ok(kit, "bea", "claim 1");
    run_ok(kit, "bea", "unclaim 1");
    assert_one_private(kit, "bea");
    assert_true(testkit_said_has(kit, "[private bea] Got it, #1 is back on the board"));
    assert_null(find_kind(kit, "waitlist.promoted"));
    assert_int_equal(task_of(kit, 1).active, 0);
    testkit_free(kit);
}

static void claim_mistakes_get_one_line_and_change_nothing(void **state)
{
    (void)state;
    testkit *kit = testkit_new();
    run_ok(kit, "ana", "task add Soup run");
    run_ok(kit, "ana", "task add Soup kitchen rota");
    run_ok(kit, "ana", "task add Soup pots");
    run_ok(kit, "ana", "task add Soup delivery");
    run_ok(kit, "ana", "task add Pharmacy");
    run_ok(kit, "ana", "claim 5");
    run_ok(kit, "ana", "done 5");
    run_ok(kit, "bea", "claim 1");
    snapshot before = snap(kit);

    struct {
        const char *cmd, *said;
    } cases[] = {
        {"claim 1", "already have #1"},
        {"claim 99", "can't find a task \"99\""},
        {"claim 5", "#5 is already done"},
        {"claim", "Which task?"},
        {"claim soup", "#1, #2, #3"},
        {"claim nothing like it", "can't find"},
        {"unclaim 99", "can't find"},
        {"done 5", "already marked done"},
        {"done", "Which task?"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        assert_int_equal(testkit_run(kit, "bea", 0, cases[i].cmd), 0);
        assert_one_private(kit, "bea");
        if (!testkit_said_has(kit, cases[i].said))
            fail_msg("%s said: %s", cases[i].cmd, testkit_said(kit));
        assert_false(testkit_said_has(kit, "\n"));
        assert_unchanged(kit, &before);
    }
    /* a long unknown name is echoed short, never in full */
    char longref[400];
    strcpy(longref, "claim ");
    memset(longref + 6, 'z', 300);
    longref[306] = '\0';
    testkit_run(kit, "bea", 0, longref);
    assert_one_private(kit, "bea");
    assert_true(testkit_said_has(kit, "can't find"));
    assert_true(strlen(testkit_said(kit)) < 200);
    assert_unchanged(kit, &before);
    /* words matching exactly one open task are enough */
    run_ok(kit, "bea", "claim kitchen");
    assert_int_equal(claim_state(kit, "bea", 2), TEND_CLAIM_ACTIVE);
    testkit_free(kit);
}

static void over_capacity_asks_once_then_respects_confirm(void **state)
{
    (void)state;
    testkit *kit = testkit_new();
    run_ok(kit, "ana", "task add Big shop weight:3");
    run_ok(kit, "ana", "task add Soup run weight:1");
    run_ok(kit, "ana", "claim 1");
    assert_int_equal(claim_state(kit, "ana", 1), TEND_CLAIM_ACTIVE); /* 3 of 3 is not over */
    snapshot before = snap(kit);

    run_ok(kit, "ana", "claim 2");
    assert_one_private(kit, "ana");
    const tend_message *m = find_kind(kit, "claim.confirm");
    assert_non_null(m);
    assert_true(testkit_said_has(kit, "put you at 4 of your 3 this week"));
    assert_true(testkit_said_has(kit, "You decide"));
    assert_int_equal(m->n_buttons, 1);
    assert_string_equal(m->buttons[0].label, "Claim it anyway");
    assert_null(m->buttons[0].emoji);
    assert_string_equal(m->buttons[0].command, "claim 2 confirm");
    assert_unchanged(kit, &before);

    run_ok(kit, "ana", "claim 2 confirm");
    assert_one_private(kit, "ana");
    assert_true(testkit_said_has(kit, "is yours"));
    assert_int_equal(claim_state(kit, "ana", 2), TEND_CLAIM_ACTIVE);

    /* their own capacity counts, not the group's */
    run_ok(kit, "bea", "tasks");
    tend_member bea = member_of(kit, "bea");
    bea.capacity = 10;
    assert_int_equal(tend_store_member_save(kit->store, &bea), TEND_STORE_OK);
    run_ok(kit, "ana", "task add Garden weight:5");
    run_ok(kit, "bea", "claim 3");
    assert_int_equal(claim_state(kit, "bea", 3), TEND_CLAIM_ACTIVE);
    testkit_free(kit);
}

/* ---------------------------------------------------------------- handoff */

static void handoff_moves_only_on_accept(void **state)
{
    (void)state;
    testkit *kit = testkit_new();
    run_ok(kit, "bea", "tasks");
    run_ok(kit, "ana", "task add Soup run");
    run_ok(kit, "ana", "claim 1");
    run_ok(kit, "ana", "handoff 1 @bea");
    assert_int_equal(kit->out.count, 2);
    const tend_message *offer = find_kind(kit, "handoff.offer");
    assert_non_null(offer);
    assert_int_equal(offer->audience, TEND_TO_DM);
    assert_string_equal(offer->member_key, "bea");
    assert_int_equal(offer->n_buttons, 2);
    assert_string_equal(offer->buttons[0].label, "Accept");
    assert_string_equal(offer->buttons[0].command, "handoff accept 1");
    assert_string_equal(offer->buttons[1].label, "Decline");
    assert_string_equal(offer->buttons[1].command, "handoff decline 1");
    assert_true(testkit_said_has(kit, "[private ana] I've offered #1 to bea"));
    assert_int_equal(claim_state(kit, "ana", 1), TEND_CLAIM_ACTIVE);
    assert_int_equal(claim_state(kit, "bea", 1), -1);

    run_ok(kit, "bea", "handoff accept 1");
    assert_int_equal(kit->out.count, 2);
    assert_true(testkit_said_has(kit, "[private bea] #1 is yours now"));
    const tend_message *dm = find_kind(kit, "handoff.accepted");
    assert_non_null(dm);
    assert_string_equal(dm->member_key, "ana");
    assert_int_equal(claim_state(kit, "ana", 1), -1);
    assert_int_equal(claim_state(kit, "bea", 1), TEND_CLAIM_ACTIVE);
    assert_int_equal(task_of(kit, 1).active, 1);

    /* accepting twice finds no offer */
    snapshot before = snap(kit);
    testkit_run(kit, "bea", 0, "handoff accept 1");
    assert_one_private(kit, "bea");
    assert_true(testkit_said_has(kit, "no handoff of #1"));
    assert_unchanged(kit, &before);
    testkit_free(kit);
}

static void handoff_decline_keeps_the_task(void **state)
{
    (void)state;
    testkit *kit = testkit_new();
    run_ok(kit, "cara", "tasks");
    run_ok(kit, "ana", "task add Soup run");
    run_ok(kit, "ana", "claim 1");
    run_ok(kit, "ana", "handoff 1 cara");
    run_ok(kit, "cara", "handoff decline 1");
    assert_true(testkit_said_has(kit, "[private cara] No problem, I've let ana know"));
    const tend_message *dm = find_kind(kit, "handoff.declined");
    assert_non_null(dm);
    assert_string_equal(dm->member_key, "ana");
    assert_true(strstr(dm->text, "still yours") != NULL);
    assert_int_equal(claim_state(kit, "ana", 1), TEND_CLAIM_ACTIVE);
    assert_int_equal(claim_state(kit, "cara", 1), -1);
    testkit_run(kit, "cara", 0, "handoff accept 1"); /* a declined offer cannot be accepted later */
    assert_true(testkit_said_has(kit, "no handoff of #1"));
    assert_int_equal(claim_state(kit, "ana", 1), TEND_CLAIM_ACTIVE);
    testkit_free(kit);
}

static void handoff_mistakes_are_refused(void **state)
{
    (void)state;
    testkit *kit = testkit_new();
    run_ok(kit, "bea", "tasks");
    run_ok(kit, "ana", "task add Soup run slots:2");
    run_ok(kit, "ana", "task add Pharmacy");
    run_ok(kit, "ana", "task add Garden");
    run_ok(kit, "ana", "claim 1");
    run_ok(kit, "bea", "claim 1");
    run_ok(kit, "bea", "claim 2");
    run_ok(kit, "ana", "claim 3");
    run_ok(kit, "ana", "done 3");
    snapshot before = snap(kit);
    struct {
        const char *cmd, *said;
    } cases[] = {
        {"handoff 1 ana", "That's you"},
        {"handoff 1 zed", "anyone called zed"},
        {"handoff 9 bea", "can't find"},
        {"handoff 3 bea", "#3 is already done"},
        {"handoff 1", "Who should I offer it to"},
        {"handoff", "Which task"},
        {"handoff 1 @bea", "bea already has #1"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        testkit_run(kit, "ana", 0, cases[i].cmd);
        assert_one_private(kit, "ana");
        if (!testkit_said_has(kit, cases[i].said))
            fail_msg("%s said: %s", cases[i].cmd, testkit_said(kit));
        assert_unchanged(kit, &before);
    }
    testkit_run(kit, "ana", 0, "handoff 2 bea"); /* bea holds #2, ana does not */
    assert_true(testkit_said_has(kit, "need to hold #2"));
    assert_unchanged(kit, &before);
    /* to yourself, on a task you do not hold: the holding comes first, no "give it back" advice */
    testkit_run(kit, "ana", 0, "handoff 2 ana");
    assert_true(testkit_said_has(kit, "need to hold #2"));
    assert_false(testkit_said_has(kit, "unclaim"));
    assert_unchanged(kit, &before);
    testkit_free(kit);
}

/* ---------------------------------------------------------------- done */

static void done_credits_doers_and_celebrates_only_them(void **state)
{
    (void)state;
    testkit *kit = testkit_new();
    run_ok(kit, "ana", "task add Soup run slots:2 weight:2");
    run_ok(kit, "bea", "claim 1");
    run_ok(kit, "cara", "claim 1");
    run_ok(kit, "dan", "claim 1");
    assert_int_equal(claim_state(kit, "dan", 1), TEND_CLAIM_WAITING);

    run_ok(kit, "bea", "done 1 note:delivered 12 boxes");
    assert_int_equal(kit->out.count, 1);
    const tend_message *m = find_kind(kit, "task.done");
    assert_non_null(m);
    assert_int_equal(m->audience, TEND_TO_PUBLIC);
    assert_int_equal(m->n_mentions, 2);
    assert_string_equal(m->mentions[0].member_key, "bea");
    assert_string_equal(m->mentions[1].member_key, "cara");
    assert_true(testkit_said_has(kit, "#1 Soup run is done! Thank you, @bea and @cara."));
    assert_true(testkit_said_has(kit, "\"delivered 12 boxes\""));
    assert_false(testkit_said_has(kit, "dan"));
    assert_false(testkit_said_has(kit, "ana"));

    tend_task t = task_of(kit, 1);
    assert_int_equal(t.state, TEND_TASK_DONE);
    assert_int_equal(t.done_at, TESTKIT_START);
    assert_int_equal(t.active, 0);
    assert_int_equal(t.waiting, 0);
    assert_int_equal(claim_state(kit, "dan", 1), -1);
    tend_group g = group_of(kit);
    tend_load load;
    tend_member bea = member_of(kit, "bea");
    assert_int_equal(tend_load_of(kit->store, &g, &bea, TESTKIT_START, &load), TEND_STORE_OK);
    assert_int_equal(load.open_weight, 0);
    assert_int_equal(load.done_weight, 2);
    tend_member dan = member_of(kit, "dan");
    assert_int_equal(tend_load_of(kit->store, &g, &dan, TESTKIT_START, &load), TEND_STORE_OK);
    assert_int_equal(load.total, 0);

    snapshot before = snap(kit);
    testkit_run(kit, "cara", 0, "done 1");
    assert_one_private(kit, "cara");
    assert_true(testkit_said_has(kit, "already marked done"));
    assert_unchanged(kit, &before);
    testkit_free(kit);
}

static void unclaimed_doer_gets_credit(void **state)
{
    (void)state;
    testkit *kit = testkit_new();
    run_ok(kit, "ana", "task add Pharmacy pickup weight:2");
    run_ok(kit, "eve", "done pharmacy");
    const tend_message *m = find_kind(kit, "task.done");
    assert_non_null(m);
    assert_int_equal(m->n_mentions, 1);
    assert_string_equal(m->mentions[0].member_key, "eve");
    int open_w = -1, done_w = -1;
    assert_int_equal(tend_store_member_load(kit->store, member_of(kit, "eve").id, 0, &open_w, &done_w),
                     TEND_STORE_OK);
    assert_int_equal(done_w, 2);
    assert_int_equal(open_w, 0);

    /* a note over 500 characters is refused and the task stays open */
    run_ok(kit, "ana", "task add Garden");
    snapshot before = snap(kit);
    char cmd[700];
    strcpy(cmd, "done 2 note:");
    memset(cmd + 12, 'n', 501);
    cmd[12 + 501] = '\0';
    testkit_run(kit, "eve", 0, cmd);
    assert_one_private(kit, "eve");
    assert_true(testkit_said_has(kit, "501 characters"));
    assert_unchanged(kit, &before);
    assert_int_equal(task_of(kit, 2).state, TEND_TASK_OPEN);
    testkit_free(kit);
}

static void weekly_task_comes_back_when_done(void **state)
{
    (void)state;
    testkit *kit = testkit_new();
    run_ok(kit, "ana", "task add Food bank shift repeat:weekly slots:2 when:2026-11-06");
    assert_string_equal(task_of(kit, 1).repeat, "weekly");
    run_ok(kit, "ana", "claim 1");
    run_ok(kit, "ana", "done 1");
    assert_true(testkit_said_has(kit, "back on the board for next time"));
    /* the copy is the scheduler's to post, once */
    assert_int_equal(testkit_tick(kit), 0);
    assert_true(testkit_said_has(kit, "#2 Food bank shift"));
    assert_int_equal(testkit_tick(kit), 0);
    assert_int_equal(kit->out.count, 0);
    tend_task third;
    assert_int_equal(tend_store_task_get(kit->store, 1, 3, &third), TEND_STORE_NOTFOUND);
    tend_task next = task_of(kit, 2);
    assert_int_equal(next.state, TEND_TASK_OPEN);
    assert_string_equal(next.title, "Food bank shift");
    assert_int_equal(next.slots, 2);
    assert_int_equal(next.active, 0);
    assert_int_equal(next.due_at, task_of(kit, 1).due_at + 7 * 86400);
    testkit_free(kit);
}

/* ---------------------------------------------------------------- limits */

static void a_full_board_and_a_long_waitlist_are_refused_kindly(void **state)
{
    (void)state;
    testkit *kit = testkit_new();
    run_ok(kit, "ana", "task add Soup run");
    tend_task first = task_of(kit, 1);
    for (int i = 1; i < TEND_LIMIT_OPEN_TASKS; i++) {
        tend_task t;
        memset(&t, 0, sizeof t);
        t.group_id = first.group_id;
        snprintf(t.title, sizeof t.title, "Task %d", i);
        t.slots = 1;
        t.weight = 1;
        t.created_at = TESTKIT_START;
        assert_int_equal(tend_store_task_add(kit->store, &t), TEND_STORE_OK);
    }
    snapshot before = snap(kit);
    testkit_run(kit, "ana", 0, "task add One more");
    assert_one_private(kit, "ana");
    assert_true(testkit_said_has(kit, "500 open tasks"));
    assert_unchanged(kit, &before);

    /* one slot, taken; then the waitlist fills up to its limit and stops there */
    run_ok(kit, "ana", "claim 1");
    for (int i = 0; i < TEND_LIMIT_WAITLIST; i++) {
        char name[16];
        snprintf(name, sizeof name, "w%d", i);
        run_ok(kit, name, "claim 1");
    }
    assert_int_equal(task_of(kit, 1).waiting, TEND_LIMIT_WAITLIST);
    testkit_run(kit, "late", 0, "claim 1");
    assert_one_private(kit, "late");
    assert_true(testkit_said_has(kit, "long waitlist"));
    assert_int_equal(task_of(kit, 1).waiting, TEND_LIMIT_WAITLIST);
    testkit_free(kit);
}

/* ---------------------------------------------------------------- groups stay apart */

static void another_groups_tasks_are_invisible(void **state)
{
    (void)state;
    testkit *kit = testkit_new();
    run_ok(kit, "ana", "task add Secret soup");
    snprintf(kit->group_key, sizeof kit->group_key, "console:other");
    run_ok(kit, "ana", "tasks all");
    assert_true(testkit_said_has(kit, "Nothing on the board"));
    snapshot before = snap(kit);
    const char *cmds[] = {"claim 1", "claim secret", "done 1", "unclaim 1", "handoff 1 bea"};
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
        testkit_run(kit, "ana", 0, cmds[i]);
        assert_one_private(kit, "ana");
        assert_false(testkit_said_has(kit, "Secret"));
        assert_unchanged(kit, &before);
    }
    run_ok(kit, "ana", "task add Other soup");
    assert_true(testkit_said_has(kit, "#1 Other soup")); /* numbers count per group */
    testkit_free(kit);
}

/* ---------------------------------------------------------------- release_all (rest, forgetme) */

static void release_all_gives_everything_back_and_promotes(void **state)
{
    (void)state;
    testkit *kit = testkit_new();
    run_ok(kit, "ana", "task add Soup run");
    run_ok(kit, "ana", "task add Pharmacy");
    run_ok(kit, "ana", "task add Garden");
    run_ok(kit, "bea", "claim 1");
    run_ok(kit, "bea", "claim 2");
    run_ok(kit, "cara", "claim 1");
    run_ok(kit, "ana", "claim 3");
    run_ok(kit, "bea", "claim 3"); /* waiting */

    tend_env env = *tend_bot_env(kit->bot);
    tend_request req = {.group_key = kit->group_key, .member_key = "bea", .member_name = "bea",
                        .text = ""};
    tend_messages out;
    tend_messages_init(&out);
    tend_ctx ctx;
    memset(&ctx, 0, sizeof ctx);
    ctx.env = &env;
    ctx.now = TESTKIT_START;
    ctx.req = &req;
    ctx.group = group_of(kit);
    ctx.member = member_of(kit, "bea");
    ctx.out = &out;
    int released = -1;
    assert_int_equal(tend_tasks_release_all(&ctx, &ctx.member, &released), TEND_OK);
    assert_int_equal(released, 2);
    assert_int_equal(claim_state(kit, "bea", 1), -1);
    assert_int_equal(claim_state(kit, "bea", 2), -1);
    assert_int_equal(claim_state(kit, "bea", 3), -1);
    assert_int_equal(claim_state(kit, "cara", 1), TEND_CLAIM_ACTIVE);
    assert_int_equal(claim_state(kit, "ana", 3), TEND_CLAIM_ACTIVE);
    assert_int_equal(out.count, 1);
    assert_int_equal(out.items[0].audience, TEND_TO_DM);
    assert_string_equal(out.items[0].kind, "waitlist.promoted");
    assert_string_equal(out.items[0].member_key, "cara");
    tend_messages_clear(&out);
    testkit_free(kit);
}

static void describe_formats_a_board_line(void **state)
{
    (void)state;
    tend_task t;
    memset(&t, 0, sizeof t);
    t.number = 12;
    snprintf(t.title, sizeof t.title, "Soup run");
    tend_when fri = {1793984400LL, false}; /* Fri 6 Nov 2026 17:00 UTC, 18:00 in Berlin */
    assert_int_equal(tend_task_set_time(&t, &fri, "Europe/Berlin"), 0);
    t.slots = 2;
    t.active = 1;
    char out[300];
    tend_task_view berlin = {"Europe/Berlin", false, TESTKIT_START, "Europe/Berlin", NULL};
    tend_task_describe(&t, &berlin, out, sizeof out);
    assert_string_equal(out, "#12 Soup run (1 of 2 people, Fri 6 Nov, 18:00)");
    tend_task_view new_york = {"America/New_York", true, TESTKIT_START, "Europe/Berlin", NULL};
    tend_task_describe(&t, &new_york, out, sizeof out); /* a member's own zone, named */
    assert_string_equal(out, "#12 Soup run (1 of 2 people, Fri 6 Nov, 12:00 EST)");
    tend_task day = t; /* a whole day is the group's date wherever the reader is */
    tend_when friday = {1793919600LL, true}; /* Fri 6 Nov 00:00 in Berlin, Thu 18:00 in New York */
    assert_int_equal(tend_task_set_time(&day, &friday, "Europe/Berlin"), 0);
    tend_task_describe(&day, &new_york, out, sizeof out);
    assert_string_equal(out, "#12 Soup run (1 of 2 people, Fri 6 Nov)");
    t.waiting = 3;
    snprintf(t.repeat, sizeof t.repeat, "every:14d");
    tend_task_describe(&t, &berlin, out, sizeof out);
    assert_string_equal(out, "#12 Soup run (1 of 2 people, 3 waiting, Fri 6 Nov, 18:00, every 2 weeks)");
    tend_task_view later = {"Europe/Berlin", false, fri.at + 60, "Europe/Berlin", NULL};
    tend_task_describe(&t, &later, out, sizeof out);
    assert_string_equal(out, "#12 Soup run (1 of 2 people, 3 waiting, Fri 6 Nov, 18:00, time passed, every 2 weeks)");
    t.due_at = t.starts_at = t.over_at = t.followup_at = 0; /* written before times were read */
    snprintf(t.when_text, sizeof t.when_text, "fri 18:00");
    t.repeat[0] = '\0';
    tend_task_describe(&t, &berlin, out, sizeof out);
    assert_string_equal(out, "#12 Soup run (1 of 2 people, 3 waiting, fri 18:00)");
    t.state = TEND_TASK_DONE;
    tend_task_describe(&t, &berlin, out, sizeof out);
    assert_string_equal(out, "#12 Soup run (done)");
    char tiny[8];
    tend_task_describe(&t, &berlin, tiny, sizeof tiny); /* cut, never overrun */
    assert_string_equal(tiny, "#12 Sou");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(board_shows_open_mine_and_all),
        cmocka_unit_test(board_mine_shows_waitlist_place),
        cmocka_unit_test(task_add_announces_with_a_claim_button),
        cmocka_unit_test(task_add_bad_options_change_nothing),
        cmocka_unit_test(everyone_title_is_plain_text),
        cmocka_unit_test(overlong_title_is_refused_and_nothing_stored),
        cmocka_unit_test(paused_group_refuses_new_tasks_kindly),
        cmocka_unit_test(a_full_board_and_a_long_waitlist_are_refused_kindly),
        cmocka_unit_test(full_task_waitlists_and_unclaim_promotes_with_a_dm),
        cmocka_unit_test(unclaim_with_nobody_waiting_puts_the_slot_back_on_the_board),
        cmocka_unit_test(claim_mistakes_get_one_line_and_change_nothing),
        cmocka_unit_test(over_capacity_asks_once_then_respects_confirm),
        cmocka_unit_test(handoff_moves_only_on_accept),
        cmocka_unit_test(handoff_decline_keeps_the_task),
        cmocka_unit_test(handoff_mistakes_are_refused),
        cmocka_unit_test(done_credits_doers_and_celebrates_only_them),
        cmocka_unit_test(unclaimed_doer_gets_credit),
        cmocka_unit_test(weekly_task_comes_back_when_done),
        cmocka_unit_test(another_groups_tasks_are_invisible),
        cmocka_unit_test(release_all_gives_everything_back_and_promotes),
        cmocka_unit_test(describe_formats_a_board_line),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
