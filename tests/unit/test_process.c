/* test_process.c — /feedback, /agreements, /export, /forgetme and /help through the router. */
#include "testkit.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

/* ---------------------------------------------------------------- helpers */

static tend_group group_of(testkit *kit)
{
    tend_group g;
    assert_int_equal(tend_store_group_ensure(kit->store, kit->group_key, "console:channel", TESTKIT_START,
                                             &g),
                     TEND_STORE_OK);
    return g;
}

static tend_member member_of(testkit *kit, const char *key, const char *name)
{
    tend_group g = group_of(kit);
    tend_member m;
    assert_int_equal(tend_store_member_ensure(kit->store, g.id, key, name, TESTKIT_START, &m), TEND_STORE_OK);
    return m;
}

/* Runs text as a member whose key and display name differ (testkit uses one for both). */
static int run_as(testkit *kit, const char *key, const char *name, int coord, const char *text)
{
    tend_messages_clear(&kit->out);
    tend_request req = {.group_key = kit->group_key, .channel_key = "console:channel", .member_key = key,
                        .member_name = name, .is_coordinator = coord != 0,
                        .place = kit->in_public ? TEND_PLACE_SHARED : TEND_PLACE_PRIVATE, .text = text};
    return tend_bot_handle(kit->bot, &req, &kit->out);
}

static int cells_with(testkit *kit, const char *needle)
{
    int n = -1;
    assert_int_equal(tend_store_debug_find_text(kit->store, needle, &n), TEND_STORE_OK);
    return n;
}

static int count_feedback(testkit *kit)
{
    int n = -1;
    assert_int_equal(tend_store_feedback_count(kit->store, group_of(kit).id, &n), TEND_STORE_OK);
    return n;
}

static int count_agreement(const tend_agreement *a, void *ud)
{
    (void)a;
    (*(int *)ud)++;
    return 0;
}

static int count_versions(testkit *kit, int number)
{
    int n = 0;
    assert_int_equal(tend_store_agreement_versions(kit->store, group_of(kit).id, number, count_agreement, &n),
                     TEND_STORE_OK);
    return n;
}

static tend_task add_task(testkit *kit, const char *title, int slots)
{
    tend_task t = {.group_id = group_of(kit).id, .slots = slots, .weight = 1, .created_at = TESTKIT_START};
    snprintf(t.title, sizeof t.title, "%s", title);
    assert_int_equal(tend_store_task_add(kit->store, &t), TEND_STORE_OK);
    return t;
}

static void only_private_reply(testkit *kit, const char *kind)
{
    assert_int_equal(kit->out.count, 1);
    assert_int_equal(kit->out.items[0].audience, TEND_TO_PRIVATE);
    assert_string_equal(kit->out.items[0].kind, kind);
}

/* ---------------------------------------------------------------- feedback */

static sqlite3 *peek(const char *path)
{
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    return db;
}

static int64_t peek_int(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    int64_t v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

static void feedback_keeps_no_author_anywhere(void **state)
{
    (void)state;
    char path[] = "/tmp/tend-feedback-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    /* a kit on a file, so a second connection can look at the rows themselves */
    testkit *kit = testkit_new();
    tend_bot_destroy(kit->bot);
    tend_store_close(kit->store);
    char err[200];
    assert_int_equal(tend_store_open(path, &kit->store, err, sizeof err), TEND_STORE_OK);
    kit->bot = tend_bot_create(kit->store, kit->clock, NULL);

    run_as(kit, "U-quill", "Quillonette", 0, "agreements"); /* she is known before she writes */
    int key_cells = cells_with(kit, "U-quill"), name_cells = cells_with(kit, "Quillonette");
    sqlite3 *before = peek(path);
    int64_t audit_before = peek_int(before, "SELECT count(*) FROM audit");
    sqlite3_close(before);
    assert_int_equal(run_as(kit, "U-quill", "Quillonette", 0, "feedback shorter meetings, please"), 0);
    only_private_reply(kit, "feedback");
    assert_true(testkit_said_has(kit, "no name"));
    assert_int_equal(kit->out.items[0].n_mentions, 0);
    assert_int_equal(cells_with(kit, "U-quill"), key_cells);
    assert_int_equal(cells_with(kit, "Quillonette"), name_cells);

    sqlite3 *db = peek(path);
    /* the table has no place for an author */
    assert_int_equal(peek_int(db, "SELECT count(*) FROM pragma_table_info('feedback')"), 5);
    assert_int_equal(peek_int(db, "SELECT count(*) FROM pragma_table_info('feedback') WHERE name NOT IN"
                                  " ('id','group_id','text','month','shown')"),
                     0);
    assert_int_equal(peek_int(db, "SELECT count(*) FROM feedback WHERE text = 'shorter meetings, please'"
                                  " AND month = '2026-11'"),
                     1);
    /* no audit row: its place in id order, between other members' rows, would hint at the author */
    assert_int_equal(peek_int(db, "SELECT count(*) FROM audit"), audit_before);
    sqlite3_close(db);
    testkit_free(kit);
    char side[64];
    unlink(path);
    snprintf(side, sizeof side, "%s-wal", path);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", path);
    unlink(side);
}

static void feedback_text_is_kept_as_typed(void **state)
{
    (void)state;
    testkit *kit = testkit_new();
    assert_int_equal(testkit_run(kit, "ana", 0, "feedback the \"soup run\" needs for:real help @everyone"), 0);
    only_private_reply(kit, "feedback");
    assert_int_equal(count_feedback(kit), 1);
    /* quotes and a word that looks like an option survive, as typed */
    assert_int_equal(cells_with(kit, "the \"soup run\" needs for:real help @everyone"), 1);
    /* Discord hands the text over as one quoted word */
    testkit_run(kit, "ana", 0, "feedback \"rota: \\\"fairer\\\" please\"");
    only_private_reply(kit, "feedback");
    assert_int_equal(cells_with(kit, "rota: \"fairer\" please"), 1);
    assert_int_equal(cells_with(kit, "\"rota"), 0);
    testkit_free(kit);
}

static void feedback_empty_or_too_long_changes_nothing(void **state)
{
    (void)state;
    testkit *kit = testkit_new();
    testkit_run(kit, "ana", 0, "feedback   ");
    only_private_reply(kit, "error");
    assert_true(testkit_said_has(kit, "Usage: /feedback"));
    char text[1200] = "feedback ";
    memset(text + 9, 'x', 1001);
    text[9 + 1001] = '\0';
    testkit_run(kit, "ana", 0, text);
    only_private_reply(kit, "error");
    assert_true(testkit_said_has(kit, "1000 characters"));
    assert_int_equal(count_feedback(kit), 0);
    text[9 + 1000] = '\0'; /* exactly at the limit is fine */
    testkit_run(kit, "ana", 0, text);
    only_private_reply(kit, "feedback");
    assert_int_equal(count_feedback(kit), 1);
    testkit_free(kit);
}

/* ---------------------------------------------------------------- agreements */

static void agreements_recorded_amended_and_listed(void **state)
{
    (void)state;
    testkit *kit = testkit_new();
    testkit_run(kit, "ana", 0, "agreements");
    only_private_reply(kit, "agreements");
    assert_true(testkit_said_has(kit, "/agreements add"));

    assert_int_equal(testkit_run(kit, "cora", 1, "agreements add Decisions need two voices"), 0);
    assert_int_equal(kit->out.count, 1);
    assert_int_equal(kit->out.items[0].audience, TEND_TO_PUBLIC);
    assert_string_equal(kit->out.items[0].kind, "agreement");
    assert_true(testkit_said_has(kit, "Agreement 1 is on record: Decisions need two voices"));
    testkit_run(kit, "cora", 1, "agreements add Rest is never questioned");
    assert_true(testkit_said_has(kit, "Agreement 2"));
    testkit_run(kit, "cora", 1, "agreements amend 1 Decisions need three voices");
    assert_int_equal(kit->out.items[0].audience, TEND_TO_PUBLIC);
    assert_true(testkit_said_has(kit, "Agreement 1 now reads: Decisions need three voices"));
    assert_int_equal(count_versions(kit, 1), 2);

    testkit_run(kit, "ana", 0, "agreements");
    only_private_reply(kit, "agreements");
    assert_true(testkit_said_has(kit, "1. Decisions need three voices (amended)"));
    assert_true(testkit_said_has(kit, "2. Rest is never questioned"));
    assert_false(testkit_said_has(kit, "two voices"));
    testkit_free(kit);
}

static void agreements_bad_input_changes_nothing(void **state)
{
    (void)state;
    testkit *kit = testkit_new();
    testkit_run(kit, "cora", 1, "agreements add We share the driving");
    testkit_run(kit, "cora", 1, "agreements add");
    only_private_reply(kit, "error");
    assert_true(testkit_said_has(kit, "Usage: /agreements add"));
    testkit_run(kit, "cora", 1, "agreements amend soon We share");
    only_private_reply(kit, "error");
    assert_true(testkit_said_has(kit, "number"));
    testkit_run(kit, "cora", 1, "agreements amend 1");
    only_private_reply(kit, "error");
    testkit_run(kit, "cora", 1, "agreements amend 7 Something new");
    only_private_reply(kit, "error");
    assert_true(testkit_said_has(kit, "no agreement 7"));
    testkit_run(kit, "ana", 0, "agreements add Members can add too");
    only_private_reply(kit, "error");
    assert_true(testkit_said_has(kit, "Only the group's coordinators"));
    testkit_run(kit, "ana", 0, "agreements amend 1 Members can amend too");
    assert_true(testkit_said_has(kit, "Only the group's coordinators"));
    testkit_run(kit, "ana", 0, "agreements delete 1");
    only_private_reply(kit, "error");
    assert_int_equal(count_versions(kit, 1), 1);
    assert_int_equal(count_versions(kit, 2), 0);
    assert_int_equal(cells_with(kit, "Members can"), 0);
    testkit_free(kit);
}

static void agreement_text_pings_nobody(void **state)
{
    (void)state;
    testkit *kit = testkit_new();
    testkit_run(kit, "cora", 1, "agreements add @everyone gets a say");
    assert_int_equal(kit->out.count, 1);
    assert_int_equal(kit->out.items[0].n_mentions, 0);
    assert_true(testkit_said_has(kit, "@everyone gets a say"));
    testkit_free(kit);
}

/* ---------------------------------------------------------------- export */

/* The export is a file on the one private answer; the chat text only says so (no wall of JSON). */
static cJSON *said_json(testkit *kit)
{
    only_private_reply(kit, "export");
    const tend_message *m = &kit->out.items[0];
    assert_non_null(m->file);
    assert_string_equal(m->file->content_type, "application/json");
    assert_non_null(strstr(m->file->name, ".json"));
    assert_null(strchr(m->text, '{'));
    assert_non_null(strstr(m->text, m->file->name));
    cJSON *j = cJSON_Parse(m->file->data);
    assert_non_null(j);
    return j;
}

static const char *json_str(const cJSON *obj, const char *path1, int index, const char *key)
{
    const cJSON *arr = cJSON_GetObjectItemCaseSensitive(obj, path1);
    const cJSON *item = index >= 0 ? cJSON_GetArrayItem(arr, index) : arr;
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(item, key);
    assert_true(cJSON_IsString(v));
    return v->valuestring;
}

static void export_gives_a_member_their_own_data(void **state)
{
    (void)state;
    testkit *kit = testkit_new();
    tend_member ana = member_of(kit, "ana", "ana");
    tend_member bea = member_of(kit, "bea", "bea");
    tend_task soup = add_task(kit, "Soup run", 2);
    tend_claim c;
    assert_int_equal(tend_store_claim_add(kit->store, soup.id, ana.id, TEND_CLAIM_ACTIVE, TESTKIT_START, &c),
                     TEND_STORE_OK);
    assert_int_equal(tend_store_checkin_add(kit->store, ana.id, "low", "long week", TESTKIT_START),
                     TEND_STORE_OK);
    assert_int_equal(tend_store_checkin_add(kit->store, bea.id, "great", "bea-private", TESTKIT_START),
                     TEND_STORE_OK);
    assert_int_equal(tend_store_rest_start(kit->store, ana.id, TESTKIT_START + 86400, "family visit",
                                           TESTKIT_START, NULL),
                     TEND_STORE_OK);
    tend_thanks given = {.group_id = ana.group_id, .from_member = ana.id, .to_member = bea.id,
                         .reason = "the lift", .created_at = TESTKIT_START};
    tend_thanks got = {.group_id = ana.group_id, .from_member = bea.id, .to_member = ana.id,
                       .reason = "the soup", .created_at = TESTKIT_START};
    assert_int_equal(tend_store_thanks_add(kit->store, &given), TEND_STORE_OK);
    assert_int_equal(tend_store_thanks_add(kit->store, &got), TEND_STORE_OK);

    assert_int_equal(testkit_run(kit, "ana", 0, "export"), 0);
    cJSON *j = said_json(kit);
    assert_string_equal(json_str(j, "profile", -1, "name"), "ana");
    assert_string_equal(json_str(j, "claims", 0, "title"), "Soup run");
    assert_string_equal(json_str(j, "claims", 0, "state"), "active");
    assert_string_equal(json_str(j, "checkins", 0, "note"), "long week");
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(j, "checkins")), 1);
    assert_string_equal(json_str(j, "rests", 0, "note"), "family visit");
    assert_string_equal(json_str(j, "thanks_given", 0, "to"), "bea");
    assert_string_equal(json_str(j, "thanks_received", 0, "from"), "bea");
    assert_string_equal(json_str(j, "thanks_received", 0, "for"), "the soup");
    assert_null(strstr(kit->out.items[0].file->data, "bea-private"));
    cJSON_Delete(j);

    testkit_run(kit, "ana", 0, "export everything");
    only_private_reply(kit, "error");
    testkit_free(kit);
}

static void export_group_is_for_coordinators_and_leaves_private_things_out(void **state)
{
    (void)state;
    testkit *kit = testkit_new();
    tend_member ana = member_of(kit, "ana", "ana");
    ana.capacity = 7;
    snprintf(ana.pronouns, sizeof ana.pronouns, "she/her");
    assert_int_equal(tend_store_member_save(kit->store, &ana), TEND_STORE_OK);
    assert_int_equal(tend_store_checkin_add(kit->store, ana.id, "out", "checkin-secret", TESTKIT_START),
                     TEND_STORE_OK);
    assert_int_equal(tend_store_rest_start(kit->store, ana.id, TESTKIT_START + 86400, "rest-secret",
                                           TESTKIT_START, NULL),
                     TEND_STORE_OK);
    add_task(kit, "Fix the bike", 1);
    testkit_run(kit, "cora", 1, "agreements add First wording");
    testkit_run(kit, "cora", 1, "agreements amend 1 Second wording");
    testkit_run(kit, "bea", 0, "feedback more snacks");

    testkit_run(kit, "ana", 0, "export group");
    only_private_reply(kit, "error");
    assert_true(testkit_said_has(kit, "Only the group's coordinators"));
    assert_null(kit->out.items[0].file);

    assert_int_equal(testkit_run(kit, "cora", 1, "export group"), 0);
    cJSON *j = said_json(kit);
    const char *text = kit->out.items[0].file->data;
    assert_string_equal(json_str(j, "group", -1, "timezone"), "UTC");
    assert_string_equal(json_str(j, "members", 0, "name"), "ana");
    assert_string_equal(json_str(j, "members", 0, "pronouns"), "she/her");
    assert_string_equal(json_str(j, "tasks", 0, "title"), "Fix the bike");
    /* one suggestion the group has not been shown stays out (test_privacy.c has the rest) */
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(j, "feedback")), 0);
    assert_null(strstr(text, "more snacks"));
    const cJSON *versions =
        cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(j, "agreements"), 0), "versions");
    assert_int_equal(cJSON_GetArraySize(versions), 2);
    assert_string_equal(json_str(j, "agreements", 0, "current"), "Second wording");
    assert_null(strstr(text, "checkin-secret"));
    assert_null(strstr(text, "rest-secret"));
    assert_null(strstr(text, "capacity\": 7"));
    assert_null(cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(j, "members"), 0), "capacity"));
    cJSON_Delete(j);
    testkit_free(kit);
}

/* ---------------------------------------------------------------- forgetme */

static void forgetme_explains_first_and_changes_nothing(void **state)
{
    (void)state;
    testkit *kit = testkit_new();
    run_as(kit, "U-zx81", "Zephyrine", 0, "forgetme");
    only_private_reply(kit, "forgetme");
    assert_true(testkit_said_has(kit, "/forgetme confirm"));
    assert_true(testkit_said_has(kit, "can't be undone"));
    int before = cells_with(kit, "Zephyrine");
    assert_true(before > 0);
    run_as(kit, "U-zx81", "Zephyrine", 0, "forgetme now");
    only_private_reply(kit, "error");
    assert_true(testkit_said_has(kit, "/forgetme confirm"));
    assert_int_equal(cells_with(kit, "Zephyrine"), before);
    tend_member m;
    assert_int_equal(tend_store_member_get(kit->store, group_of(kit).id, "U-zx81", &m), TEND_STORE_OK);
    assert_false(m.forgotten);
    testkit_free(kit);
}

static void forgetme_confirm_leaves_no_trace(void **state)
{
    (void)state;
    testkit *kit = testkit_new();
    tend_member z = member_of(kit, "U-zx81", "Zephyrine");
    tend_member bea = member_of(kit, "U-bea", "Beatrix");
    tend_task soup = add_task(kit, "Soup run", 1);
    tend_task bike = add_task(kit, "Fix the bike", 1);
    tend_claim c;
    assert_int_equal(tend_store_claim_add(kit->store, soup.id, z.id, TEND_CLAIM_ACTIVE, TESTKIT_START, &c),
                     TEND_STORE_OK);
    assert_int_equal(tend_store_claim_add(kit->store, bike.id, z.id, TEND_CLAIM_ACTIVE, TESTKIT_START, &c),
                     TEND_STORE_OK);
    assert_int_equal(tend_store_claim_set_state(kit->store, c.id, TEND_CLAIM_DONE, "Zephyrine fixed it",
                                                TESTKIT_START),
                     TEND_STORE_OK);
    assert_int_equal(tend_store_checkin_add(kit->store, z.id, "low", "so tired", TESTKIT_START), TEND_STORE_OK);
    assert_int_equal(tend_store_rest_start(kit->store, z.id, TESTKIT_START + 3600, "hospital", TESTKIT_START,
                                           NULL),
                     TEND_STORE_OK);
    assert_int_equal(tend_store_nudge_record(kit->store, z.id, "load", TESTKIT_START), TEND_STORE_OK);
    tend_thanks t = {.group_id = z.group_id, .from_member = bea.id, .to_member = z.id, .reason = "the soup",
                     .created_at = TESTKIT_START};
    assert_int_equal(tend_store_thanks_add(kit->store, &t), TEND_STORE_OK);
    run_as(kit, "U-zx81", "Zephyrine", 0, "feedback fewer meetings");

    assert_int_equal(run_as(kit, "U-zx81", "Zephyrine", 0, "forgetme confirm"), 0);
    assert_true(testkit_said_has(kit, "erased"));
    /* every text cell of every table */
    assert_int_equal(cells_with(kit, "U-zx81"), 0);
    assert_int_equal(cells_with(kit, "Zephyrine"), 0);
    assert_int_equal(cells_with(kit, "so tired"), 0);
    assert_int_equal(cells_with(kit, "hospital"), 0);
    /* what others' records need is still there, pointing at a former member */
    assert_int_equal(cells_with(kit, "the soup"), 1);
    assert_int_equal(cells_with(kit, "Beatrix"), 1);
    assert_int_equal(cells_with(kit, "fewer meetings"), 1);
    tend_task after;
    assert_int_equal(tend_store_task_get(kit->store, soup.group_id, soup.number, &after), TEND_STORE_OK);
    assert_int_equal(after.active, 0); /* the claim went back to the board */
    tend_member gone;
    assert_int_equal(tend_store_member_by_id(kit->store, z.id, &gone), TEND_STORE_OK);
    assert_string_equal(gone.name, "a former member");
    assert_true(gone.forgotten);
    /* coming back later is a fresh start, not the old record */
    run_as(kit, "U-zx81", "Zephyrine", 0, "agreements");
    tend_member fresh;
    assert_int_equal(tend_store_member_get(kit->store, z.group_id, "U-zx81", &fresh), TEND_STORE_OK);
    assert_true(fresh.id != z.id);
    testkit_free(kit);
}

/* ---------------------------------------------------------------- help */

static void help_lists_coordinator_commands_only_to_coordinators(void **state)
{
    (void)state;
    testkit *kit = testkit_new();
    testkit_run(kit, "ana", 0, "help");
    only_private_reply(kit, "help");
    assert_true(testkit_said_has(kit, "/feedback — "));
    assert_true(testkit_said_has(kit, "/forgetme — "));
    assert_false(testkit_said_has(kit, "/setup"));
    assert_false(testkit_said_has(kit, "/agreements add"));
    assert_false(testkit_said_has(kit, "For coordinators"));
    testkit_run(kit, "cora", 1, "help");
    assert_true(testkit_said_has(kit, "/feedback — "));
    assert_true(testkit_said_has(kit, "For coordinators"));
    assert_true(testkit_said_has(kit, "/setup — "));
    assert_true(testkit_said_has(kit, "/export group — "));
    testkit_free(kit);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(feedback_keeps_no_author_anywhere),
        cmocka_unit_test(feedback_text_is_kept_as_typed),
        cmocka_unit_test(feedback_empty_or_too_long_changes_nothing),
        cmocka_unit_test(agreements_recorded_amended_and_listed),
        cmocka_unit_test(agreements_bad_input_changes_nothing),
        cmocka_unit_test(agreement_text_pings_nobody),
        cmocka_unit_test(export_gives_a_member_their_own_data),
        cmocka_unit_test(export_group_is_for_coordinators_and_leaves_private_things_out),
        cmocka_unit_test(forgetme_explains_first_and_changes_nothing),
        cmocka_unit_test(forgetme_confirm_leaves_no_trace),
        cmocka_unit_test(help_lists_coordinator_commands_only_to_coordinators),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
