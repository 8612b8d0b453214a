/* test_store_process.c — the suggestion box, agreements, export readers and forgetting, in the store. */
#include "testkit.h"

#include <stdio.h>
#include <string.h>

static tend_store *open_store(void)
{
    tend_store *s = NULL;
    testkit_store_open(&s);
    return s;
}

static tend_group make_group(tend_store *s, const char *key)
{
    tend_group g;
    assert_int_equal(tend_store_group_ensure(s, key, "chan", TESTKIT_START, &g), TEND_STORE_OK);
    return g;
}

static tend_member make_member(tend_store *s, int64_t group_id, const char *key, const char *name)
{
    tend_member m;
    assert_int_equal(tend_store_member_ensure(s, group_id, key, name, TESTKIT_START, &m), TEND_STORE_OK);
    return m;
}

typedef struct {
    int n;
    char texts[8][64];
    int numbers[8];
    int versions[8];
} seen;

static int see_feedback(const tend_feedback *f, void *ud)
{
    seen *s = ud;
    snprintf(s->texts[s->n], sizeof s->texts[0], "%.63s", f->text);
    s->n++;
    return 0;
}

static int see_agreement(const tend_agreement *a, void *ud)
{
    seen *s = ud;
    snprintf(s->texts[s->n], sizeof s->texts[0], "%.63s", a->text);
    s->numbers[s->n] = a->number;
    s->versions[s->n] = a->version;
    s->n++;
    return 0;
}

static void feedback_unshown_until_marked_and_per_group(void **state)
{
    (void)state;
    tend_store *s = open_store();
    tend_group a = make_group(s, "console:a");
    tend_group b = make_group(s, "console:b");
    assert_int_equal(tend_store_feedback_add(s, a.id, "shorter meetings", "2026-11-02"), TEND_STORE_OK);
    assert_int_equal(tend_store_feedback_add(s, a.id, "more pairing", "2026-11-03"), TEND_STORE_OK);
    assert_int_equal(tend_store_feedback_add(s, b.id, "other group", "2026-11-03"), TEND_STORE_OK);
    int n = -1;
    assert_int_equal(tend_store_feedback_unshown_count(s, a.id, &n), TEND_STORE_OK);
    assert_int_equal(n, 2);
    seen got = {0};
    assert_int_equal(tend_store_feedback_unshown_each(s, a.id, see_feedback, &got), TEND_STORE_OK);
    assert_int_equal(got.n, 2);
    /* in no telling order: ids are drawn at random */
    bool first = strcmp(got.texts[0], "shorter meetings") == 0;
    assert_string_equal(got.texts[first ? 0 : 1], "shorter meetings");
    assert_string_equal(got.texts[first ? 1 : 0], "more pairing");

    assert_int_equal(tend_store_feedback_mark_shown(s, a.id), TEND_STORE_OK);
    assert_int_equal(tend_store_feedback_unshown_count(s, a.id, &n), TEND_STORE_OK);
    assert_int_equal(n, 0);
    assert_int_equal(tend_store_feedback_count(s, a.id, &n), TEND_STORE_OK);
    assert_int_equal(n, 2); /* shown, not deleted */
    assert_int_equal(tend_store_feedback_unshown_count(s, b.id, &n), TEND_STORE_OK);
    assert_int_equal(n, 1); /* the other group's box is untouched */
    tend_store_close(s);
}

static void agreements_number_per_group_and_keep_versions(void **state)
{
    (void)state;
    tend_store *s = open_store();
    tend_group a = make_group(s, "console:a");
    tend_group b = make_group(s, "console:b");
    int number = 0, version = 0;
    assert_int_equal(tend_store_agreement_add(s, a.id, "we rotate the rota", 0, TESTKIT_START, &number),
                     TEND_STORE_OK);
    assert_int_equal(number, 1);
    assert_int_equal(tend_store_agreement_add(s, a.id, "no pressure to say yes", 0, TESTKIT_START, &number),
                     TEND_STORE_OK);
    assert_int_equal(number, 2);
    assert_int_equal(tend_store_agreement_add(s, b.id, "b's own", 0, TESTKIT_START, &number), TEND_STORE_OK);
    assert_int_equal(number, 1);
    assert_int_equal(tend_store_agreement_amend(s, a.id, 1, "we rotate the rota monthly", 0, TESTKIT_START,
                                                &version),
                     TEND_STORE_OK);
    assert_int_equal(version, 2);
    assert_int_equal(tend_store_agreement_amend(s, a.id, 9, "nothing", 0, TESTKIT_START, &version),
                     TEND_STORE_NOTFOUND);

    seen cur = {0};
    assert_int_equal(tend_store_agreements_current_each(s, a.id, see_agreement, &cur), TEND_STORE_OK);
    assert_int_equal(cur.n, 2);
    assert_string_equal(cur.texts[0], "we rotate the rota monthly");
    assert_int_equal(cur.versions[0], 2);
    assert_string_equal(cur.texts[1], "no pressure to say yes");

    seen all = {0};
    assert_int_equal(tend_store_agreement_versions(s, a.id, 1, see_agreement, &all), TEND_STORE_OK);
    assert_int_equal(all.n, 2);
    assert_string_equal(all.texts[0], "we rotate the rota");
    assert_int_equal(all.versions[0], 1);
    assert_int_equal(all.versions[1], 2);
    tend_store_close(s);
}

static void debug_find_text_counts_cells_anywhere(void **state)
{
    (void)state;
    tend_store *s = open_store();
    tend_group g = make_group(s, "console:a");
    int n = -1;
    assert_int_equal(tend_store_debug_find_text(s, "Quillonette", &n), TEND_STORE_OK);
    assert_int_equal(n, 0);
    make_member(s, g.id, "Quillonette", "Quillonette"); /* key and name: two cells */
    assert_int_equal(tend_store_feedback_add(s, g.id, "ask Quillonette", "2026-11-02"), TEND_STORE_OK);
    assert_int_equal(tend_store_debug_find_text(s, "Quillonette", &n), TEND_STORE_OK);
    assert_int_equal(n, 3);
    tend_store_close(s);
}

static void forget_erases_private_rows_and_anonymises_the_member(void **state)
{
    (void)state;
    tend_store *s = open_store();
    tend_group g = make_group(s, "console:a");
    tend_member z = make_member(s, g.id, "U-zx81", "Zephyrine");
    tend_member bea = make_member(s, g.id, "U-bea", "Bea");
    z.capacity = 5;
    snprintf(z.pronouns, sizeof z.pronouns, "xe/xem");
    snprintf(z.timezone, sizeof z.timezone, "Europe/Berlin");
    assert_int_equal(tend_store_member_save(s, &z), TEND_STORE_OK);
    assert_int_equal(tend_store_checkin_add(s, z.id, "low", "tired-note-77", TESTKIT_START), TEND_STORE_OK);
    assert_int_equal(tend_store_rest_start(s, z.id, TESTKIT_START + 86400, "rest-reason-88", TESTKIT_START,
                                           NULL),
                     TEND_STORE_OK);
    assert_int_equal(tend_store_nudge_record(s, z.id, "load", TESTKIT_START), TEND_STORE_OK);
    tend_thanks t = {.group_id = g.id, .from_member = bea.id, .to_member = z.id, .reason = "the lift",
                     .created_at = TESTKIT_START};
    assert_int_equal(tend_store_thanks_add(s, &t), TEND_STORE_OK);
    assert_int_equal(tend_store_audit(s, g.id, bea.id, "thanks", "to Zephyrine (U-zx81)", TESTKIT_START),
                     TEND_STORE_OK);

    tend_task task = {.group_id = g.id, .slots = 1, .weight = 1, .created_at = TESTKIT_START};
    snprintf(task.title, sizeof task.title, "Soup run");
    assert_int_equal(tend_store_task_add(s, &task), TEND_STORE_OK);
    tend_handoff h = {.task_id = task.id, .from_member = bea.id, .to_member = z.id,
                      .created_at = TESTKIT_START};
    assert_int_equal(tend_store_handoff_offer(s, &h), TEND_STORE_OK);

    assert_int_equal(tend_store_member_forget(s, z.id), TEND_STORE_OK);

    tend_handoff pending;
    assert_int_equal(tend_store_handoff_pending(s, task.id, z.id, &pending), TEND_STORE_NOTFOUND);

    const char *gone[] = {"U-zx81", "Zephyrine", "xe/xem", "tired-note-77", "rest-reason-88",
                          "Europe/Berlin"};
    for (size_t i = 0; i < sizeof gone / sizeof gone[0]; i++) {
        int n = -1;
        assert_int_equal(tend_store_debug_find_text(s, gone[i], &n), TEND_STORE_OK);
        assert_int_equal(n, 0);
    }
    tend_member after;
    assert_int_equal(tend_store_member_by_id(s, z.id, &after), TEND_STORE_OK);
    assert_string_equal(after.name, "a former member");
    assert_string_equal(after.key, "");
    assert_true(after.forgotten);
    assert_int_equal(after.resting_until, 0);
    /* Bea's thanks is still there and now thanks "a former member" */
    int n = -1;
    assert_int_equal(tend_store_thanks_given_since(s, bea.id, 0, &n), TEND_STORE_OK);
    assert_int_equal(n, 1);
    assert_int_equal(tend_store_debug_find_text(s, "the lift", &n), TEND_STORE_OK);
    assert_int_equal(n, 1);
    assert_int_equal(tend_store_debug_find_text(s, "U-bea", &n), TEND_STORE_OK);
    assert_int_equal(n, 1); /* others are untouched */
    tend_store_close(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(feedback_unshown_until_marked_and_per_group),
        cmocka_unit_test(agreements_number_per_group_and_keep_versions),
        cmocka_unit_test(debug_find_text_counts_cells_anywhere),
        cmocka_unit_test(forget_erases_private_rows_and_anonymises_the_member),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
