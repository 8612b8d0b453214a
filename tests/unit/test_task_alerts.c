/* test_task_alerts.c — what happens around a timed task on its own: one private reminder before it
 * to each claimer (never the waitlist) at the member's lead, in quiet hours only when the task is;
 * "did it happen?" after it; a repeating task that rolls forward untaken or posts its next one
 * when held; each exactly once, across daylight-saving changes and restarts, and each written to
 * the outbox in the transaction that records it fired. Driven through
 * commands and the scheduler's own next-due times, as the console's :advance does. */
#include "schedkit.h"

#include <stdlib.h>
#include <unistd.h>

#include "bot/outbox.h"
#include "bot/tz.h"

static int64_t berlin(int y, int mo, int d, int h, int mi)
{
    int64_t t = 0;
    assert_int_equal(tend_tz_to_utc("Europe/Berlin", y, mo, d, h, mi, &t), 0);
    return t;
}

static void run_ok(testkit *kit, const char *who, const char *text)
{
    assert_int_equal(testkit_run(kit, who, 1, text), 0);
    for (size_t i = 0; i < kit->out.count; i++)
        if (strcmp(kit->out.items[i].kind, "error") == 0)
            fail_msg("%s: %s", text, testkit_said(kit));
}

/* Messages of `kind` sent to `who` while the clock moves to `until`, with the times they went. */
typedef struct {
    size_t n;
    int64_t at[8];
    char text[8][512];
    char buttons[8][128];
} sent;

static sent run_to(testkit *kit, int64_t until, const char *kind, const char *who)
{
    sent s;
    memset(&s, 0, sizeof s);
    for (int guard = 0;; guard++) {
        assert_true(guard < 5000);
        int64_t next = tend_bot_next_due(kit->bot);
        if (next > until)
            break;
        set_now(kit, next);
        assert_int_equal(testkit_tick(kit), 0);
        for (size_t i = 0; i < kit->out.count; i++) {
            const tend_message *m = &kit->out.items[i];
            if (strcmp(m->kind, kind) != 0 || (who && (!m->member_key || strcmp(m->member_key, who) != 0)))
                continue;
            if (s.n < 8) {
                s.at[s.n] = now_of(kit);
                snprintf(s.text[s.n], sizeof s.text[0], "%s", m->text);
                for (size_t b = 0; b < m->n_buttons; b++) {
                    size_t len = strlen(s.buttons[s.n]);
                    snprintf(s.buttons[s.n] + len, sizeof s.buttons[0] - len, "%s|", m->buttons[b].command);
                }
            }
            s.n++;
        }
    }
    set_now(kit, until);
    return s;
}

/* A Berlin group; ana posts, bea holds, cara waits. */
static testkit *berlin_soup_run(const char *when)
{
    testkit *kit = testkit_new();
    run_ok(kit, "ana", "setup timezone:Europe/Berlin");
    char cmd[128];
    snprintf(cmd, sizeof cmd, "task add Soup run slots:1 when:\"%s\"", when);
    run_ok(kit, "ana", cmd);
    run_ok(kit, "bea", "claim 1");
    run_ok(kit, "cara", "claim 1");
    return kit;
}

static void one_reminder_two_hours_before_to_the_claimer_only(void **state)
{
    (void)state;
    testkit *kit = berlin_soup_run("fri 18:00");
    sent cara = {0};
    sent bea = run_to(kit, berlin(2026, 11, 7, 12, 0), "task.reminder", "bea");
    assert_int_equal(bea.n, 1);
    assert_int_equal(bea.at[0], berlin(2026, 11, 6, 16, 0));
    assert_non_null(strstr(bea.text[0], "#1 Soup run is today at 18:00"));
    assert_non_null(strstr(bea.buttons[0], "unclaim 1"));
    (void)cara;
    testkit_free(kit);

    /* the waitlist is never reminded */
    kit = berlin_soup_run("fri 18:00");
    cara = run_to(kit, berlin(2026, 11, 7, 12, 0), "task.reminder", "cara");
    assert_int_equal(cara.n, 0);
    testkit_free(kit);
}

static void each_member_chooses_the_lead_or_none(void **state)
{
    (void)state;
    testkit *kit = testkit_new();
    run_ok(kit, "ana", "setup timezone:Europe/Berlin");
    run_ok(kit, "ana", "task add Market stall slots:3 when:\"sat 9:00\"");
    run_ok(kit, "bea", "profile remind:30m");
    run_ok(kit, "dan", "profile remind:off");
    assert_true(testkit_said_has(kit, "Reminders: off"));
    run_ok(kit, "eve", "profile remind:1d");
    run_ok(kit, "bea", "claim 1");
    run_ok(kit, "dan", "claim 1");
    run_ok(kit, "eve", "claim 1");
    sent all = run_to(kit, berlin(2026, 11, 7, 12, 0), "task.reminder", NULL);
    assert_int_equal(all.n, 2);
    assert_int_equal(all.at[0], berlin(2026, 11, 6, 9, 0)); /* eve, a day before: "tomorrow" */
    assert_non_null(strstr(all.text[0], "is tomorrow at 09:00"));
    assert_int_equal(all.at[1], berlin(2026, 11, 7, 8, 30)); /* bea */
    testkit_run(kit, "bea", 0, "profile remind:3s");
    assert_true(testkit_said_has(kit, "remind:2h, remind:30m or remind:1d"));
    testkit_free(kit);
}

static void quiet_hours_hold_a_reminder_unless_the_task_falls_in_them(void **state)
{
    (void)state;
    testkit *kit = testkit_new();
    run_ok(kit, "ana", "setup timezone:Europe/Berlin");
    run_ok(kit, "bea", "profile quiet:22:00-07:00");
    run_ok(kit, "ana", "task add Early bakery run when:\"tue 8:00\"");
    run_ok(kit, "ana", "task add Night shelter shift when:\"wed 6:30\"");
    run_ok(kit, "bea", "claim 1");
    run_ok(kit, "bea", "claim 2");
    sent s = run_to(kit, berlin(2026, 11, 5, 12, 0), "task.reminder", "bea");
    assert_int_equal(s.n, 2);
    assert_int_equal(s.at[0], berlin(2026, 11, 3, 7, 0)); /* 06:00 is quiet: at 07:00, still before 08:00 */
    assert_non_null(strstr(s.text[0], "Early bakery run"));
    assert_int_equal(s.at[1], berlin(2026, 11, 4, 4, 30)); /* the task itself is in quiet hours */
    testkit_free(kit);
}

static void a_claim_after_the_reminder_time_gets_none_and_an_edit_asks_again(void **state)
{
    (void)state;
    testkit *kit = testkit_new();
    run_ok(kit, "ana", "task add Pick up bread when:\"today 10:00\""); /* UTC group, now 09:00 */
    run_ok(kit, "bea", "claim 1"); /* an hour before: no reminder after choosing it just now */
    sent s = run_to(kit, TESTKIT_START + 30 * 60, "task.reminder", "bea");
    assert_int_equal(s.n, 0);
    /* moved to tomorrow: the reminder is due again, for the new time, once */
    run_ok(kit, "ana", "task edit 1 when:\"tomorrow 10:00\"");
    s = run_to(kit, TESTKIT_START + 2 * DAY, "task.reminder", "bea");
    assert_int_equal(s.n, 1);
    assert_int_equal(s.at[0], TESTKIT_START + DAY - HOUR);
    /* a changed lead after it went out sends nothing more */
    run_ok(kit, "ana", "task add Library books when:\"thu 10:00\"");
    run_ok(kit, "bea", "claim 2");
    s = run_to(kit, TESTKIT_START + 3 * DAY + 8 * HOUR + 30 * 60, "task.reminder", "bea");
    assert_int_equal(s.n, 1);
    run_ok(kit, "bea", "profile remind:1h");
    s = run_to(kit, TESTKIT_START + 4 * DAY, "task.reminder", "bea");
    assert_int_equal(s.n, 0);
    testkit_free(kit);
}

static void did_it_happen_goes_to_claimers_after_and_the_task_stops_asking_for_hands(void **state)
{
    (void)state;
    testkit *kit = berlin_soup_run("mon 19:00"); /* today, Monday */
    run_ok(kit, "ana", "task add Fold flyers when:\"mon 20:00\" slots:2");
    sent s = run_to(kit, berlin(2026, 11, 3, 12, 0), "task.followup", NULL);
    assert_int_equal(s.n, 1); /* bea; cara waited; nobody held the flyers */
    assert_int_equal(s.at[0], berlin(2026, 11, 2, 22, 0));
    assert_non_null(strstr(s.text[0], "Did #1 Soup run happen?"));
    assert_string_equal(s.buttons[0], "done 1|unclaim 1|");
    /* the next check-in prompt no longer asks for hands on either */
    run_to(kit, berlin(2026, 11, 9, 17, 0), "x", NULL);
    sent prompt = run_to(kit, berlin(2026, 11, 9, 19, 0), "checkin.prompt", NULL);
    assert_int_equal(prompt.n, 1);
    assert_null(strstr(prompt.text[0], "Fold flyers"));
    assert_null(strstr(prompt.text[0], "Soup run"));
    /* the board says its time passed; Done from the question celebrates it */
    run_ok(kit, "bea", "tasks");
    assert_true(testkit_said_has(kit, "#2 Fold flyers (0 of 2 people, Mon 2 Nov, 20:00, time passed)"));
    /* bea gives it back after its time: cara, who waited, is not handed a task that already happened */
    run_ok(kit, "ana", "task add Tidy the shed when:\"mon 20:00\" slots:1");
    run_ok(kit, "dan", "claim 3");
    run_ok(kit, "eve", "claim 3");
    run_to(kit, berlin(2026, 11, 10, 12, 0), "x", NULL);
    run_ok(kit, "dan", "unclaim 3");
    assert_null(find_kind(&kit->out, "waitlist.promoted"));
    /* held on for days after its time: no "still on it?" on top of the question already asked */
    sent stale = run_to(kit, berlin(2026, 11, 16, 12, 0), "claim.stale", "bea");
    assert_int_equal(stale.n, 0);
    run_ok(kit, "bea", "done 1");
    assert_non_null(find_kind(&kit->out, "task.done"));
    testkit_free(kit);
}

static void a_claim_made_a_week_ahead_hears_twice_not_three_times(void **state)
{
    (void)state;
    testkit *kit = testkit_new();
    run_ok(kit, "ana", "task add Fix the gate when:\"12 nov 10:00\""); /* ten days ahead, UTC */
    run_ok(kit, "bea", "claim 1");
    int64_t until = TESTKIT_START + 11 * DAY;
    sent stale = run_to(kit, until, "claim.stale", "bea");
    assert_int_equal(stale.n, 0); /* no "still on it?" for a task with a time of its own */
    testkit_free(kit);
    kit = testkit_new();
    run_ok(kit, "ana", "task add Fix the gate when:\"12 nov 10:00\"");
    run_ok(kit, "bea", "claim 1");
    sent all = run_to(kit, until, "task.reminder", "bea");
    assert_int_equal(all.n, 1);
    testkit_free(kit);
}

static void across_spring_forward_a_weekly_reminder_keeps_local_time(void **state)
{
    (void)state;
    testkit *kit = testkit_new();
    set_now(kit, berlin(2027, 3, 15, 10, 0)); /* a Monday; clocks go forward on Sun 28 Mar */
    run_ok(kit, "ana", "setup timezone:Europe/Berlin");
    run_ok(kit, "ana", "task add Sunday soup when:\"sun 18:00\" repeat:weekly");
    run_ok(kit, "bea", "claim 1");
    sent s = run_to(kit, berlin(2027, 3, 21, 20, 0), "task.reminder", "bea");
    assert_int_equal(s.n, 1);
    assert_int_equal(s.at[0], berlin(2027, 3, 21, 16, 0));
    assert_int_equal(s.at[0] % DAY, 15 * HOUR); /* 15:00 UTC in winter time */
    run_ok(kit, "bea", "done 1");
    assert_int_equal(testkit_tick(kit), 0); /* the next one goes up */
    run_ok(kit, "bea", "claim 2");
    s = run_to(kit, berlin(2027, 3, 28, 20, 0), "task.reminder", "bea");
    assert_int_equal(s.n, 1);
    assert_int_equal(s.at[0], berlin(2027, 3, 28, 16, 0));
    assert_int_equal(s.at[0] % DAY, 14 * HOUR); /* 14:00 UTC in summer time */
    testkit_free(kit);
}

static void an_untaken_repeat_rolls_forward_and_a_held_one_makes_way(void **state)
{
    (void)state;
    testkit *kit = testkit_new();
    run_ok(kit, "ana", "setup timezone:Europe/Berlin");
    run_ok(kit, "ana", "task add Restock the community fridge when:\"tue 18:00\" repeat:weekly");
    /* five weeks, nobody takes it: one task on the board, moved on each week */
    sent rolls = run_to(kit, berlin(2026, 12, 7, 12, 0), "task.announce", NULL);
    assert_int_equal(rolls.n, 5);
    assert_int_equal(rolls.at[0], berlin(2026, 11, 3, 18, 0));
    assert_non_null(strstr(rolls.text[4], "#1 Restock the community fridge (0 of 1 person, Tue 8 Dec, 18:00, weekly)"));
    tend_task t;
    assert_int_equal(tend_store_task_get(kit->store, 1, 2, &t), TEND_STORE_NOTFOUND);
    run_ok(kit, "bea", "tasks");
    assert_true(testkit_said_has(kit, "Open tasks:\n#1 Restock the community fridge"));

    /* held when its time comes: the next one goes up beside it; given back later, the old one
     * leaves, so the board again holds one */
    run_ok(kit, "bea", "claim 1");
    sent next = run_to(kit, berlin(2026, 12, 8, 19, 0), "task.announce", NULL);
    assert_int_equal(next.n, 1);
    assert_non_null(strstr(next.text[0], "#2 Restock the community fridge (0 of 1 person, Tue 15 Dec, 18:00, weekly)"));
    run_ok(kit, "bea", "unclaim 1");
    assert_true(testkit_said_has(kit, "next one is already on the board"));
    run_ok(kit, "bea", "tasks");
    assert_false(testkit_said_has(kit, "#1 "));
    assert_true(testkit_said_has(kit, "#2 Restock"));
    testkit_free(kit);
}

static void monthly_and_every_n_days_find_their_next_date(void **state)
{
    (void)state;
    testkit *kit = testkit_new();
    run_ok(kit, "ana", "task add Rent meeting when:\"31 dec 19:00\" repeat:monthly");
    run_ok(kit, "ana", "task add Water the plants when:\"tue 9:00\" repeat:every:3d");
    run_ok(kit, "ana", "tasks");
    assert_true(testkit_said_has(kit, "#1 Rent meeting (0 of 1 person, Thu 31 Dec, 19:00, monthly)"));
    assert_true(testkit_said_has(kit, "#2 Water the plants (0 of 1 person, Tue 3 Nov, 09:00, every 3 days)"));
    run_to(kit, TESTKIT_START + 3 * DAY, "x", NULL);
    tend_task t;
    assert_int_equal(tend_store_task_get(kit->store, 1, 2, &t), TEND_STORE_OK);
    assert_int_equal(t.due_at, TESTKIT_START + 4 * DAY); /* Tue 09:00 -> Fri 09:00 */
    run_to(kit, TESTKIT_START + 60 * DAY, "x", NULL);
    assert_int_equal(tend_store_task_get(kit->store, 1, 1, &t), TEND_STORE_OK);
    struct tm tm;
    assert_int_equal(tend_tz_local("UTC", t.due_at, &tm), 0);
    assert_int_equal(tm.tm_mon + 1, 1); /* rolled to 31 January */
    assert_int_equal(tm.tm_mday, 31);
    testkit_free(kit);
}

/* ---------------------------------------------------------------- into the outbox */

typedef struct {
    const char *kind;
    int n;
} kind_count;

static int count_row(const tend_outbox_row *row, void *ud)
{
    kind_count *k = ud;
    tend_messages one;
    tend_messages_init(&one);
    assert_int_equal(tend_message_decode(row->payload, &one), 0);
    k->n += one.count == 1 && strcmp(one.items[0].kind, k->kind) == 0;
    tend_messages_clear(&one);
    return 0;
}

static int outbox_rows_of_kind(tend_store *store, const char *kind)
{
    kind_count k = {kind, 0};
    assert_int_equal(tend_store_outbox_each(store, "console", count_row, &k), TEND_STORE_OK);
    return k.n;
}

/* The reminder, the question after and a repeat's roll forward are written to the outbox in the
 * transaction that records them fired, like every other scheduled post: a crash after that commit
 * still delivers them, and none is written twice. */
static void reminders_questions_and_rolls_are_written_with_their_firing(void **state)
{
    (void)state;
    testkit *kit = berlin_soup_run("mon 19:00"); /* today, Monday: bea holds it, cara waits */
    tend_bot_use_outbox(kit->bot);
    run_ok(kit, "ana", "task add Restock the fridge when:\"mon 20:00\" repeat:weekly");
    int seen[3] = {0, 0, 0}, before[3];
    const char *kinds[3] = {"task.reminder", "task.followup", "task.announce"};
    for (int k = 0; k < 3; k++)
        before[k] = outbox_rows_of_kind(kit->store, kinds[k]); /* the commands' own: the new task's post */
    for (int guard = 0; guard < 100; guard++) {
        int64_t next = tend_bot_next_due(kit->bot);
        if (next > berlin(2026, 11, 3, 12, 0))
            break;
        set_now(kit, next);
        assert_int_equal(testkit_tick(kit), 0);
        for (size_t i = 0; i < kit->out.count; i++)
            for (int k = 0; k < 3; k++)
                if (strcmp(kit->out.items[i].kind, kinds[k]) == 0) {
                    assert_true(kit->out.items[i].outbox_id > 0);
                    seen[k]++;
                }
    }
    assert_int_equal(seen[0], 1); /* bea's reminder; cara only waits */
    assert_int_equal(seen[1], 1); /* bea's "did it happen?" */
    assert_int_equal(seen[2], 1); /* the fridge, untaken, rolled on to next Monday */
    for (int k = 0; k < 3; k++)
        assert_int_equal(outbox_rows_of_kind(kit->store, kinds[k]), before[k] + seen[k]);
    testkit_free(kit);
}

/* ---------------------------------------------------------------- exactly once, across a restart */

static void a_reminder_is_sent_once_across_a_restart(void **state)
{
    (void)state;
    char path[] = "/tmp/tend-alerts-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    tend_store *store;
    tend_clock *clock = tend_clock_create_fixed(TESTKIT_START);
    testkit_store_open_at(path, 1, &store);
    tend_bot *bot = tend_bot_create(store, clock, NULL);
    tend_bot_use_outbox(bot);
    tend_messages out;
    tend_messages_init(&out);
    tend_request req = {.group_key = "console:r", .channel_key = "c", .member_key = "bea", .member_name = "bea",
                        .is_coordinator = true, .text = "task add Soup run when:\"tue 18:00\""};
    assert_int_equal(tend_bot_handle(bot, &req, &out), 0);
    req.text = "claim 1";
    assert_int_equal(tend_bot_handle(bot, &req, &out), 0);
    tend_messages_clear(&out);
    tend_clock_advance(clock, DAY + 7 * HOUR); /* Tue 16:00 UTC: due */
    assert_int_equal(tend_bot_tick(bot, &out), 0);
    assert_int_equal(count_kind(&out, "task.reminder"), 1);
    assert_int_equal(outbox_rows_of_kind(store, "task.reminder"), 1); /* written with its firing */
    tend_messages_clear(&out); /* ...and the process dies before delivering: the outbox's to resend */
    tend_bot_destroy(bot);
    tend_store_close(store);

    testkit_store_open_at(path, 0, &store); /* the same database again */
    bot = tend_bot_create(store, clock, NULL);
    tend_bot_use_outbox(bot);
    assert_true(tend_bot_next_due(bot) > tend_clock_now(clock));
    tend_clock_advance(clock, 30 * 60);
    assert_int_equal(tend_bot_tick(bot, &out), 0);
    assert_int_equal(count_kind(&out, "task.reminder"), 0);
    assert_int_equal(outbox_rows_of_kind(store, "task.reminder"), 1); /* still the one, for the sender */
    tend_messages_clear(&out);
    tend_bot_destroy(bot);
    tend_store_close(store);
    tend_clock_destroy(clock);
    unlink(path);
    char side[sizeof path + 8];
    snprintf(side, sizeof side, "%s-wal", path);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", path);
    unlink(side);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(one_reminder_two_hours_before_to_the_claimer_only),
        cmocka_unit_test(each_member_chooses_the_lead_or_none),
        cmocka_unit_test(quiet_hours_hold_a_reminder_unless_the_task_falls_in_them),
        cmocka_unit_test(a_claim_after_the_reminder_time_gets_none_and_an_edit_asks_again),
        cmocka_unit_test(did_it_happen_goes_to_claimers_after_and_the_task_stops_asking_for_hands),
        cmocka_unit_test(a_claim_made_a_week_ahead_hears_twice_not_three_times),
        cmocka_unit_test(across_spring_forward_a_weekly_reminder_keeps_local_time),
        cmocka_unit_test(an_untaken_repeat_rolls_forward_and_a_held_one_makes_way),
        cmocka_unit_test(monthly_and_every_n_days_find_their_next_date),
        cmocka_unit_test(reminders_questions_and_rolls_are_written_with_their_firing),
        cmocka_unit_test(a_reminder_is_sent_once_across_a_restart),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
