/* test_store_writes.c — store/sqlite/writes.c: after a command, the app asks the scheduler again only
 * when something it waits for may have moved; a write that does move one must never be missed. */
#include "testkit.h"

#include <stdlib.h>
#include <string.h>

#define T0 TESTKIT_START

static bool postgres(void)
{
    const char *url = getenv("TEND_TEST_STORE_URL");
    return url && *url;
}

static void a_members_own_row_and_the_bookkeeping_move_nothing_scheduled(void **state)
{
    (void)state;
    tend_store *s;
    testkit_store_open(&s);
    tend_group g;
    assert_int_equal(tend_store_group_ensure(s, "console:g", "c", T0, &g), TEND_STORE_OK);
    tend_store_mark mark;

    /* a read */
    tend_store_mark_writes(s, &mark);
    tend_group again;
    assert_int_equal(tend_store_group_get(s, "console:g", &again), TEND_STORE_OK);
    assert_false(tend_store_schedule_touched(s, &mark));

    /* a first command: the member's row made and welcomed, its event and answer recorded */
    tend_store_mark_writes(s, &mark);
    tend_member ana;
    assert_int_equal(tend_store_member_ensure(s, g.id, "ana", "Ana", T0, &ana), TEND_STORE_OK);
    ana.welcomed = true;
    snprintf(ana.app_language, sizeof ana.app_language, "de");
    assert_int_equal(tend_store_member_save(s, &ana), TEND_STORE_OK);
    assert_int_equal(tend_store_event_claim(s, "console", "ev-1", T0), TEND_STORE_OK);
    int64_t id;
    assert_int_equal(tend_store_outbox_add(s, "console", "m:ana", NULL, "{}", T0, &id), TEND_STORE_OK);
    assert_true(tend_store_schedule_touched(s, &mark) == postgres()); /* PostgreSQL: any write counts */

    /* a member's capacity: their nudge is looked at again (the schema's trigger writes nudge_checks) */
    tend_store_mark_writes(s, &mark);
    ana.capacity = 5;
    assert_int_equal(tend_store_member_save(s, &ana), TEND_STORE_OK);
    assert_true(tend_store_schedule_touched(s, &mark));

    /* a claim, a task */
    tend_task t;
    memset(&t, 0, sizeof t);
    t.group_id = g.id;
    snprintf(t.title, sizeof t.title, "Soup run");
    t.slots = 2;
    t.created_by = ana.id;
    t.created_at = T0;
    tend_store_mark_writes(s, &mark);
    assert_int_equal(tend_store_task_add(s, &t), TEND_STORE_OK);
    assert_true(tend_store_schedule_touched(s, &mark));
    tend_claim c;
    tend_store_mark_writes(s, &mark);
    assert_int_equal(tend_store_claim_add(s, t.id, ana.id, TEND_CLAIM_ACTIVE, T0, &c), TEND_STORE_OK);
    assert_true(tend_store_schedule_touched(s, &mark));

    /* a reminder setting moves the alert of a claim held (the trigger writes claims) */
    tend_store_mark_writes(s, &mark);
    ana.remind_minutes = 30;
    assert_int_equal(tend_store_member_save(s, &ana), TEND_STORE_OK);
    assert_true(tend_store_schedule_touched(s, &mark));

    /* the group's check-in time */
    tend_store_mark_writes(s, &mark);
    assert_int_equal(tend_store_group_get(s, "console:g", &g), TEND_STORE_OK);
    snprintf(g.checkin_at, sizeof g.checkin_at, "mon 18:00");
    assert_int_equal(tend_store_group_save(s, &g), TEND_STORE_OK);
    assert_true(tend_store_schedule_touched(s, &mark));
    tend_store_close(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_members_own_row_and_the_bookkeeping_move_nothing_scheduled),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
