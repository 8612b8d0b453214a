/*
 * test_privacy.c — issue 12's promises in the core: private commands only where nobody else
 * reads, suggestions that nothing ties to their author, exports and aggregates that cannot point
 * at anyone, and names that cannot pass for someone else's.
 */
#include "testkit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <sqlite3.h>
#include <unistd.h>

#include "bot/names.h"
#include "bot/privacy.h"
#include "store/sqlite/internal.h"

static int cells_with(testkit *kit, const char *needle)
{
    int n = -1;
    assert_int_equal(tend_store_debug_find_text(kit->store, needle, &n), TEND_STORE_OK);
    return n;
}

static int run_in(testkit *kit, const char *group_key, const char *name, int in_public, const char *text)
{
    char saved[64];
    snprintf(saved, sizeof saved, "%s", kit->group_key);
    snprintf(kit->group_key, sizeof kit->group_key, "%s", group_key);
    kit->in_public = in_public;
    int rc = testkit_run(kit, name, 0, text);
    snprintf(kit->group_key, sizeof kit->group_key, "%s", saved);
    kit->in_public = 0;
    return rc;
}

/* ---------------------------------------------------------------- private commands in the open */

static const char *const private_commands[] = {
    "checkin low wrecked-qz7",  "stepback 1w wrecked-qz7",   "back",       "me",
    "capacity 2",               "profile pronouns:qz7/qz7", "nudges off", "feedback wrecked-qz7 idea",
    "export",                   "forgetme confirm",
};

static void a_private_command_typed_in_the_open_records_nothing(void **state)
{
    (void)state;
    static const char *const platforms[] = {"matrix:!room:x", "discord:81", "console:test"};
    static const char *const hints[] = {"Send it here instead", "slash command", ":dm"};
    for (size_t p = 0; p < 3; p++) {
        for (size_t i = 0; i < sizeof private_commands / sizeof private_commands[0]; i++) {
            testkit *kit = testkit_new();
            assert_int_equal(run_in(kit, platforms[p], "qz7-stranger", 1, private_commands[i]), 0);
            /* one word, to the member alone, saying where to send it */
            assert_int_equal(kit->out.count, 1);
            const tend_message *m = &kit->out.items[0];
            assert_int_equal(m->audience, TEND_TO_PRIVATE);
            assert_string_equal(m->member_key, "qz7-stranger");
            assert_string_equal(m->kind, TEND_KIND_PRIVATE_ONLY);
            assert_non_null(strstr(m->text, hints[p]));
            /* nothing was written: not the note, not the member, not even the group */
            assert_int_equal(cells_with(kit, "qz7"), 0);
            tend_group g;
            assert_int_equal(tend_store_group_get(kit->store, platforms[p], &g), TEND_STORE_NOTFOUND);
            testkit_free(kit);
        }
    }
}

static void the_same_commands_work_in_private_and_public_ones_anywhere(void **state)
{
    (void)state;
    testkit *kit = testkit_new();
    assert_int_equal(run_in(kit, "matrix:!room:x", "ana", 0, "checkin low wrecked-qz7"), 0);
    assert_string_equal(kit->out.items[0].kind, "checkin");
    assert_int_equal(cells_with(kit, "wrecked-qz7"), 1);
    /* group commands are fine where everyone reads, and from the private chat */
    assert_int_equal(run_in(kit, "matrix:!room:x", "ana", 1, "task add \"Soup run\""), 0);
    assert_int_equal(kit->out.items[0].audience, TEND_TO_PUBLIC);
    assert_int_equal(run_in(kit, "matrix:!room:x", "ana", 0, "claim 1"), 0);
    assert_true(testkit_said_has(kit, "yours"));
    testkit_free(kit);
}

static void only_discord_taps_on_a_public_post_stay_private(void **state)
{
    (void)state;
    assert_true(tend_privacy_taps_are_private("discord"));
    assert_false(tend_privacy_taps_are_private("matrix"));
    assert_false(tend_privacy_taps_are_private("console"));
    assert_false(tend_privacy_taps_are_private("signal"));
}

/* ---------------------------------------------------------------- suggestions */

static void a_first_command_that_is_a_suggestion_makes_no_member(void **state)
{
    (void)state;
    testkit *kit = testkit_new();
    tend_clock_advance(kit->clock, 12345); /* an odd second */
    assert_int_equal(testkit_run(kit, "qz7-newcomer", 0, "feedback a rota for the van"), 0);
    assert_string_equal(kit->out.items[0].kind, "feedback");
    assert_string_equal(kit->out.items[0].member_key, "qz7-newcomer"); /* the thanks still reaches them */
    assert_int_equal(cells_with(kit, "a rota for the van"), 1);
    assert_int_equal(cells_with(kit, "qz7"), 0); /* no member row was made alongside it */
    /* the next command makes them a member, known only by the day */
    assert_int_equal(testkit_run(kit, "qz7-newcomer", 0, "me"), 0);
    tend_group g;
    tend_member m;
    assert_int_equal(tend_store_group_get(kit->store, kit->group_key, &g), TEND_STORE_OK);
    assert_int_equal(tend_store_member_get(kit->store, g.id, "qz7-newcomer", &m), TEND_STORE_OK);
    assert_int_equal(m.joined_at % 86400, 0);
    assert_true(m.joined_at <= TESTKIT_START + 12345 && m.joined_at > TESTKIT_START + 12345 - 86400);
    testkit_free(kit);
}

/* The export as a coordinator reads it, after the monthly process check-in of 2026-11-02 18:00. */
static cJSON *export_after_process_checkin(int suggestions)
{
    static const char *const ideas[] = {"idea-one", "idea-two", "idea-three"};
    static const char *const writers[] = {"ana", "bea", "cam"};
    testkit *kit = testkit_new(); /* Monday 2026-11-02 09:00 UTC, the first Monday of November */
    for (int i = 0; i < suggestions; i++) {
        char cmd[64];
        snprintf(cmd, sizeof cmd, "feedback %s", ideas[i]);
        assert_int_equal(testkit_run(kit, writers[i], 0, cmd), 0);
    }
    tend_clock_advance(kit->clock, 9 * 3600);
    assert_int_equal(testkit_tick(kit), 0);
    assert_int_equal(testkit_run(kit, "cora", 1, "export group"), 0);
    assert_non_null(kit->out.items[0].file); /* the export is the file; the text only names it */
    cJSON *j = cJSON_Parse(kit->out.items[0].file->data);
    assert_non_null(j);
    testkit_free(kit);
    return j;
}

static void the_group_export_holds_only_suggestions_shown_and_only_their_month(void **state)
{
    (void)state;
    /* one suggestion is not shown at the check-in (too few), so a coordinator never sees it */
    cJSON *j = export_after_process_checkin(1);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(j, "feedback")), 0);
    char *text = cJSON_Print(j);
    assert_null(strstr(text, "idea-one"));
    free(text);
    cJSON_Delete(j);
    /* three: shared at the check-in, so in the export, each with its month and nothing else */
    j = export_after_process_checkin(3);
    const cJSON *list = cJSON_GetObjectItem(j, "feedback");
    assert_int_equal(cJSON_GetArraySize(list), 3);
    const cJSON *f;
    cJSON_ArrayForEach(f, list) {
        assert_int_equal(cJSON_GetArraySize(f), 2);
        assert_string_equal(cJSON_GetObjectItem(f, "month")->valuestring, "2026-11");
        assert_non_null(cJSON_GetObjectItem(f, "text"));
    }
    cJSON_Delete(j);
}

static int64_t one_int(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    int64_t v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

/* A database from before: its suggestions lose their day and their sequential ids, its members
 * the second they joined; nothing else is lost. */
static void an_older_database_forgets_what_could_time_a_suggestion(void **state)
{
    (void)state;
    char path[] = "/tmp/tend-privacy-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    for (int v = 0; v < 4; v++)
        assert_int_equal(sqlite3_exec(db, tend_store_migrations[v], NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "PRAGMA user_version = 4;"
                                      "INSERT INTO groups (id, key, created_at) VALUES (1, 'console:old', 1793610000);"
                                      "INSERT INTO members (id, group_id, key, name, joined_at)"
                                      " VALUES (1, 1, 'ana', 'ana', 1793612345);"
                                      "INSERT INTO feedback (id, group_id, text, day) VALUES"
                                      " (1, 1, 'one', '2026-11-02'), (2, 1, 'two', '2026-11-03'),"
                                      " (3, 1, 'three', '2026-11-04');",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(db);
    char err[256];
    tend_store *store;
    assert_int_equal(tend_store_open(path, &store, err, sizeof err), TEND_STORE_OK);
    assert_int_equal(tend_store_schema_version(store), tend_store_schema_latest());
    tend_store_close(store);
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(one_int(db, "SELECT count(*) FROM feedback WHERE month = '2026-11'"), 3);
    assert_int_equal(one_int(db, "SELECT count(*) FROM feedback WHERE id BETWEEN 0 AND 1048576"), 0);
    assert_int_equal(one_int(db, "SELECT joined_at FROM members WHERE key = 'ana'"), 1793577600);
    assert_int_equal(one_int(db, "SELECT count(*) FROM pragma_table_info('feedback') WHERE name = 'day'"), 0);
    sqlite3_close(db);
    unlink(path);
}

/* ---------------------------------------------------------------- two groups on one file */

/* A bot that serves one group (the console's) leaves another group's schedule alone. */
static void a_bot_serving_one_group_fires_only_its_schedule(void **state)
{
    (void)state;
    testkit *kit = testkit_new(); /* Monday 09:00 UTC; prompts at the default mon 18:00 */
    assert_int_equal(run_in(kit, "console:alpha", "ana", 0, "task add \"Alpha soup\""), 0);
    assert_int_equal(run_in(kit, "console:beta", "zed", 0, "task add \"Beta bread\""), 0);
    const char *beta[] = {"console:beta"};
    assert_int_equal(tend_bot_serve_platforms(kit->bot, beta, 1), 0);
    tend_clock_advance(kit->clock, 10 * 3600);
    int rc = testkit_tick(kit);
    if (rc != 0)
        fail_msg("tick failed: %s", tend_store_errmsg(kit->store));
    assert_true(testkit_said_has(kit, "Beta bread"));
    assert_false(testkit_said_has(kit, "Alpha soup"));
    assert_false(testkit_said_has(kit, "[dm ana]"));
    /* alpha's prompt is still due for whoever serves alpha */
    const char *alpha[] = {"console:alpha"};
    assert_int_equal(tend_bot_serve_platforms(kit->bot, alpha, 1), 0);
    assert_int_equal(testkit_tick(kit), 0);
    assert_true(testkit_said_has(kit, "Alpha soup"));
    assert_true(testkit_said_has(kit, "[dm ana]"));
    assert_false(testkit_said_has(kit, "Beta bread"));
    testkit_free(kit);
}

/* ---------------------------------------------------------------- names */

static void names_lose_what_nobody_can_see(void **state)
{
    (void)state;
    char out[TEND_NAME_MAX];
    assert_int_equal(tend_name_clean("Ana\u200b", out, sizeof out), 0);
    assert_string_equal(out, "Ana");
    assert_int_equal(tend_name_clean("\u202e\u2066Ana\u2069 \u200dLee\ufeff", out, sizeof out), 0);
    assert_string_equal(out, "Ana Lee");
    assert_int_equal(tend_name_clean("  Ana \t  Lee  ", out, sizeof out), 0);
    assert_string_equal(out, "Ana Lee");
    assert_int_equal(tend_name_clean("Jose\u0301", out, sizeof out), 0); /* NFC: one é */
    assert_string_equal(out, "Jos\u00e9");
    assert_int_equal(tend_name_clean("\u200b\u200e\u00ad ", out, sizeof out), -1);
    assert_int_equal(tend_name_clean("", out, sizeof out), -1);
}

static void names_that_look_the_same_are_the_same(void **state)
{
    (void)state;
    assert_true(tend_names_look_alike("Ana", "ana"));
    assert_true(tend_names_look_alike("Ana", "Ana\u200b"));
    assert_true(tend_names_look_alike("Ana", "\u0410na"));          /* a Cyrillic A */
    assert_true(tend_names_look_alike("Ana", "\u202eAna"));         /* a bidi override */
    assert_true(tend_names_look_alike("Ana Lee", "Ana  Lee"));
    assert_false(tend_names_look_alike("Ana", "Anna"));
    assert_false(tend_names_look_alike("Ana", "Bea"));
}

static void a_lookalike_name_is_told_apart_or_refused(void **state)
{
    (void)state;
    testkit *kit = testkit_new();
    assert_int_equal(testkit_run(kit, "ana", 0, "task add \"Soup run\""), 0);
    /* a newcomer whose platform name passes for ana's is told apart */
    tend_messages_clear(&kit->out);
    tend_request req = {.group_key = kit->group_key, .channel_key = "console:channel", .member_key = "U-other",
                        .member_name = "an\u200ba", .place = TEND_PLACE_PRIVATE, .text = "claim 1"};
    assert_int_equal(tend_bot_handle(kit->bot, &req, &kit->out), 0);
    tend_group g;
    tend_member other;
    assert_int_equal(tend_store_group_get(kit->store, kit->group_key, &g), TEND_STORE_OK);
    assert_int_equal(tend_store_member_get(kit->store, g.id, "U-other", &other), TEND_STORE_OK);
    assert_string_equal(other.name, "ana (2)");
    assert_int_equal(testkit_run(kit, "bea", 0, "done 1"), 0);
    assert_true(testkit_said_has(kit, "@ana (2)")); /* the celebration cannot show a second "ana" */
    /* a member cannot take a look-alike of someone else's name */
    assert_int_equal(testkit_run(kit, "bea", 0, "profile name:\u0410NA"), 0);
    assert_true(testkit_said_has(kit, "looks just like"));
    tend_member bea;
    assert_int_equal(tend_store_member_get(kit->store, g.id, "bea", &bea), TEND_STORE_OK);
    assert_string_equal(bea.name, "bea");
    /* but may keep their own in another spelling, cleaned */
    assert_int_equal(testkit_run(kit, "bea", 0, "profile name:\u200bBEA"), 0);
    assert_int_equal(tend_store_member_get(kit->store, g.id, "bea", &bea), TEND_STORE_OK);
    assert_string_equal(bea.name, "BEA");
    testkit_free(kit);
}

/* ---------------------------------------------------------------- the digest's welcomes back */

static void the_digest_welcomes_back_only_who_said_yes(void **state)
{
    (void)state;
    testkit *kit = testkit_new(); /* Monday; the digest is Sunday 18:00 */
    assert_int_equal(testkit_run(kit, "Quietrest", 0, "stepback 1d"), 0);
    assert_int_equal(testkit_run(kit, "Gladback", 0, "stepback 1d"), 0);
    tend_clock_advance(kit->clock, 86400);
    assert_int_equal(testkit_tick(kit), 0); /* both rests end: each is welcomed privately */
    const tend_message *w = NULL;
    for (size_t i = 0; i < kit->out.count; i++)
        if (strcmp(kit->out.items[i].kind, "welcome") == 0)
            w = &kit->out.items[i];
    assert_non_null(w);
    assert_int_equal(w->audience, TEND_TO_DM);
    assert_int_equal(w->n_buttons, 1);
    assert_string_equal(w->buttons[0].command, "back hello"); /* the yes is offered, one tap */
    assert_int_equal(testkit_run(kit, "Gladback", 0, "back hello"), 0);
    assert_true(testkit_said_has(kit, "digest will welcome you back"));
    tend_clock_advance(kit->clock, 5 * 86400 + 9 * 3600); /* Sunday 18:00 */
    assert_int_equal(testkit_tick(kit), 0);
    assert_true(testkit_said_has(kit, "Welcome back, Gladback"));
    assert_false(testkit_said_has(kit, "Quietrest"));
    /* a yes with no break behind it changes nothing */
    assert_int_equal(testkit_run(kit, "Neverrested", 0, "back hello"), 0);
    assert_int_equal(kit->out.items[0].audience, TEND_TO_PRIVATE);
    assert_true(testkit_said_has(kit, "nothing to share"));
    testkit_free(kit);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_private_command_typed_in_the_open_records_nothing),
        cmocka_unit_test(the_same_commands_work_in_private_and_public_ones_anywhere),
        cmocka_unit_test(only_discord_taps_on_a_public_post_stay_private),
        cmocka_unit_test(a_first_command_that_is_a_suggestion_makes_no_member),
        cmocka_unit_test(the_group_export_holds_only_suggestions_shown_and_only_their_month),
        cmocka_unit_test(an_older_database_forgets_what_could_time_a_suggestion),
        cmocka_unit_test(a_bot_serving_one_group_fires_only_its_schedule),
        cmocka_unit_test(names_lose_what_nobody_can_see),
        cmocka_unit_test(names_that_look_the_same_are_the_same),
        cmocka_unit_test(a_lookalike_name_is_told_apart_or_refused),
        cmocka_unit_test(the_digest_welcomes_back_only_who_said_yes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
