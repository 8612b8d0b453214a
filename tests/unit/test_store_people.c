/* test_store_people.c — check-ins, rests and thanks in the SQLite store. */
#include "testkit.h"

#include <stdio.h>
#include <string.h>

#define T0 TESTKIT_START
#define DAY (24 * 3600)

typedef struct {
    tend_store *store;
    tend_group group;
    tend_member ana;
    tend_member bea;
} fixture;

static void fixture_open(fixture *f)
{
    memset(f, 0, sizeof *f);
    testkit_store_open(&f->store);
    assert_int_equal(tend_store_group_ensure(f->store, "console:g", "c", T0, &f->group), TEND_STORE_OK);
    assert_int_equal(tend_store_member_ensure(f->store, f->group.id, "ana", "Ana", T0, &f->ana),
                     TEND_STORE_OK);
    assert_int_equal(tend_store_member_ensure(f->store, f->group.id, "bea", "Bea", T0, &f->bea),
                     TEND_STORE_OK);
}

static void checkin_latest_is_the_newest(void **state)
{
    (void)state;
    fixture f;
    fixture_open(&f);
    tend_checkin c;
    assert_int_equal(tend_store_checkin_latest(f.store, f.ana.id, &c), TEND_STORE_NOTFOUND);
    assert_int_equal(tend_store_checkin_add(f.store, f.ana.id, "great", "", T0), TEND_STORE_OK);
    assert_int_equal(tend_store_checkin_add(f.store, f.ana.id, "low", "tired", T0 + 60), TEND_STORE_OK);
    assert_int_equal(tend_store_checkin_add(f.store, f.bea.id, "ok", NULL, T0 + 120), TEND_STORE_OK);
    assert_int_equal(tend_store_checkin_latest(f.store, f.ana.id, &c), TEND_STORE_OK);
    assert_string_equal(c.energy, "low");
    assert_string_equal(c.note, "tired");
    assert_int_equal(c.created_at, T0 + 60);
    /* same second: the one recorded last wins */
    assert_int_equal(tend_store_checkin_add(f.store, f.ana.id, "out", "", T0 + 60), TEND_STORE_OK);
    assert_int_equal(tend_store_checkin_latest(f.store, f.ana.id, &c), TEND_STORE_OK);
    assert_string_equal(c.energy, "out");
    /* the schema refuses an energy nobody can type */
    assert_int_not_equal(tend_store_checkin_add(f.store, f.ana.id, "meh", "", T0), TEND_STORE_OK);
    tend_store_close(f.store);
}

static int count_rest(const tend_rest *r, void *ud)
{
    (void)r;
    (*(int *)ud)++;
    return 0;
}

static void rest_start_and_end_track_resting_until(void **state)
{
    (void)state;
    fixture f;
    fixture_open(&f);
    tend_rest r;
    int64_t id = 0;
    assert_int_equal(tend_store_rest_current(f.store, f.ana.id, &r), TEND_STORE_NOTFOUND);
    assert_int_equal(tend_store_rest_start(f.store, f.ana.id, T0 + 7 * DAY, "family", T0, &id),
                     TEND_STORE_OK);
    assert_true(id > 0);
    tend_member m;
    assert_int_equal(tend_store_member_by_id(f.store, f.ana.id, &m), TEND_STORE_OK);
    assert_int_equal(m.resting_until, T0 + 7 * DAY);
    assert_int_equal(tend_store_rest_current(f.store, f.ana.id, &r), TEND_STORE_OK);
    assert_int_equal(r.id, id);
    assert_int_equal(r.until, T0 + 7 * DAY);
    assert_int_equal(r.ended_at, 0);
    assert_string_equal(r.note, "family");
    assert_false(r.welcomed);

    assert_int_equal(tend_store_rest_end(f.store, id, true, T0 + DAY), TEND_STORE_OK);
    assert_int_equal(tend_store_member_by_id(f.store, f.ana.id, &m), TEND_STORE_OK);
    assert_int_equal(m.resting_until, 0);
    assert_int_equal(tend_store_rest_current(f.store, f.ana.id, &r), TEND_STORE_NOTFOUND);
    /* ending twice is a NOTFOUND, not a silent rewrite of the end time */
    assert_int_equal(tend_store_rest_end(f.store, id, false, T0 + 2 * DAY), TEND_STORE_NOTFOUND);
    int n = 0;
    assert_int_equal(tend_store_rests_ended_between(f.store, f.group.id, T0, T0 + 3 * DAY, count_rest, &n),
                     TEND_STORE_OK);
    assert_int_equal(n, 1);
    tend_store_close(f.store);
}

static void rest_extend_moves_the_end_of_a_rest_in_progress(void **state)
{
    (void)state;
    fixture f;
    fixture_open(&f);
    int64_t id = 0;
    assert_int_equal(tend_store_rest_start(f.store, f.ana.id, T0 + DAY, "old", T0, &id), TEND_STORE_OK);
    assert_int_equal(tend_store_rest_extend(f.store, id, T0 + 9 * DAY, "new"), TEND_STORE_OK);
    tend_rest r;
    assert_int_equal(tend_store_rest_current(f.store, f.ana.id, &r), TEND_STORE_OK);
    assert_int_equal(r.id, id);
    assert_int_equal(r.until, T0 + 9 * DAY);
    assert_int_equal(r.started_at, T0);
    assert_string_equal(r.note, "new");
    tend_member m;
    assert_int_equal(tend_store_member_by_id(f.store, f.ana.id, &m), TEND_STORE_OK);
    assert_int_equal(m.resting_until, T0 + 9 * DAY);
    /* an ended rest stays ended */
    assert_int_equal(tend_store_rest_end(f.store, id, false, T0 + 2 * DAY), TEND_STORE_OK);
    assert_int_equal(tend_store_rest_extend(f.store, id, T0 + 20 * DAY, ""), TEND_STORE_NOTFOUND);
    assert_int_equal(tend_store_member_by_id(f.store, f.ana.id, &m), TEND_STORE_OK);
    assert_int_equal(m.resting_until, 0);
    tend_store_close(f.store);
}

static int keep_member(const tend_rest *r, void *ud)
{
    *(int64_t *)ud = r->member_id;
    return 0;
}

static void rests_due_only_lists_passed_and_unended(void **state)
{
    (void)state;
    fixture f;
    fixture_open(&f);
    int64_t a = 0, b = 0;
    assert_int_equal(tend_store_rest_start(f.store, f.ana.id, T0 + DAY, "", T0, &a), TEND_STORE_OK);
    assert_int_equal(tend_store_rest_start(f.store, f.bea.id, T0 + 3 * DAY, "", T0, &b), TEND_STORE_OK);
    int n = 0;
    assert_int_equal(tend_store_rests_due(f.store, f.group.id, T0 + DAY - 1, count_rest, &n), TEND_STORE_OK);
    assert_int_equal(n, 0);
    int64_t who = 0;
    n = 0;
    assert_int_equal(tend_store_rests_due(f.store, f.group.id, T0 + 2 * DAY, count_rest, &n), TEND_STORE_OK);
    assert_int_equal(n, 1);
    assert_int_equal(tend_store_rests_due(f.store, f.group.id, T0 + 2 * DAY, keep_member, &who),
                     TEND_STORE_OK);
    assert_int_equal(who, f.ana.id);
    assert_int_equal(tend_store_rest_end(f.store, a, true, T0 + 2 * DAY), TEND_STORE_OK);
    n = 0;
    assert_int_equal(tend_store_rests_due(f.store, f.group.id, T0 + 2 * DAY, count_rest, &n), TEND_STORE_OK);
    assert_int_equal(n, 0);
    /* another group's rests are not this group's business */
    tend_group other;
    assert_int_equal(tend_store_group_ensure(f.store, "console:other", "", T0, &other), TEND_STORE_OK);
    n = 0;
    assert_int_equal(tend_store_rests_due(f.store, other.id, T0 + 9 * DAY, count_rest, &n), TEND_STORE_OK);
    assert_int_equal(n, 0);
    tend_store_close(f.store);
}

static int count_thanks(const tend_thanks *t, void *ud)
{
    (void)t;
    (*(int *)ud)++;
    return 0;
}

static void thanks_counts_a_rolling_window(void **state)
{
    (void)state;
    fixture f;
    fixture_open(&f);
    tend_thanks t = {.group_id = f.group.id, .from_member = f.ana.id, .to_member = f.bea.id,
                     .created_at = T0};
    strcpy(t.reason, "the lift");
    assert_int_equal(tend_store_thanks_add(f.store, &t), TEND_STORE_OK);
    t.created_at = T0 + 3600;
    assert_int_equal(tend_store_thanks_add(f.store, &t), TEND_STORE_OK);
    int count = -1;
    assert_int_equal(tend_store_thanks_given_since(f.store, f.ana.id, T0, &count), TEND_STORE_OK);
    assert_int_equal(count, 2);
    assert_int_equal(tend_store_thanks_given_since(f.store, f.ana.id, T0 + 1, &count), TEND_STORE_OK);
    assert_int_equal(count, 1);
    assert_int_equal(tend_store_thanks_given_since(f.store, f.bea.id, T0, &count), TEND_STORE_OK);
    assert_int_equal(count, 0);
    int n = 0;
    assert_int_equal(tend_store_thanks_between(f.store, f.group.id, T0, T0 + 3600, count_thanks, &n),
                     TEND_STORE_OK);
    assert_int_equal(n, 1); /* the end is exclusive */
    tend_store_close(f.store);
}

/* The welcome is said once: the first mark wins, a second finds them welcomed, and a member who
 * used /forgetme is never marked. Each write changes its own column and nothing else. */
static void welcome_and_app_language_write_one_column_each(void **state)
{
    (void)state;
    fixture f;
    fixture_open(&f);
    f.ana.capacity = 3;
    snprintf(f.ana.pronouns, sizeof f.ana.pronouns, "she/her");
    assert_int_equal(tend_store_member_save(f.store, &f.ana), TEND_STORE_OK);
    assert_int_equal(tend_store_member_mark_welcomed(f.store, f.ana.id), TEND_STORE_OK);
    assert_int_equal(tend_store_member_mark_welcomed(f.store, f.ana.id), TEND_STORE_NOTFOUND);
    assert_int_equal(tend_store_member_set_app_language(f.store, f.ana.id, "pt-BR"), TEND_STORE_OK);
    tend_member m;
    assert_int_equal(tend_store_member_by_id(f.store, f.ana.id, &m), TEND_STORE_OK);
    assert_true(m.welcomed);
    assert_string_equal(m.app_language, "pt-BR");
    assert_string_equal(m.name, "Ana");
    assert_string_equal(m.key, "ana");
    assert_string_equal(m.pronouns, "she/her");
    assert_int_equal(m.capacity, 3);
    assert_string_equal(m.language, "");
    /* still found by key and name: the narrow writes left the indexes alone */
    assert_int_equal(tend_store_member_get(f.store, f.group.id, "ana", &m), TEND_STORE_OK);
    assert_int_equal(tend_store_member_find_name(f.store, f.group.id, "ANA", &m), TEND_STORE_OK);
    assert_int_equal(m.id, f.ana.id);
    /* forgotten, or not there at all: nobody to welcome */
    f.bea.forgotten = true;
    assert_int_equal(tend_store_member_save(f.store, &f.bea), TEND_STORE_OK);
    assert_int_equal(tend_store_member_mark_welcomed(f.store, f.bea.id), TEND_STORE_NOTFOUND);
    assert_int_equal(tend_store_member_by_id(f.store, f.bea.id, &m), TEND_STORE_OK);
    assert_false(m.welcomed);
    assert_int_equal(tend_store_member_mark_welcomed(f.store, f.bea.id + 1000), TEND_STORE_NOTFOUND);
    tend_store_close(f.store);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(checkin_latest_is_the_newest),
        cmocka_unit_test(rest_start_and_end_track_resting_until),
        cmocka_unit_test(rest_extend_moves_the_end_of_a_rest_in_progress),
        cmocka_unit_test(rests_due_only_lists_passed_and_unended),
        cmocka_unit_test(thanks_counts_a_rolling_window),
        cmocka_unit_test(welcome_and_app_language_write_one_column_each),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
