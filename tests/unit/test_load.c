/* test_load.c — the load model: a member's week against their capacity, and the group's
 * concentration figure (how much of the work the busiest fifth carried). */
#include "testkit.h"

#include <stdio.h>
#include <string.h>

#include "bot/load.h"

#define NOW TESTKIT_START
#define DAY 86400

typedef struct {
    testkit *kit;
    tend_group g;
} world;

static world world_new(void)
{
    world w = {testkit_new(), {0}};
    assert_int_equal(tend_store_group_ensure(w.kit->store, "console:load", NULL, NOW - 60 * DAY, &w.g),
                     TEND_STORE_OK);
    return w;
}

static tend_member member(world *w, const char *name)
{
    tend_member m;
    assert_int_equal(tend_store_member_ensure(w->kit->store, w->g.id, name, name, NOW - 60 * DAY, &m),
                     TEND_STORE_OK);
    return m;
}

static int64_t task(world *w, int weight)
{
    tend_task t;
    memset(&t, 0, sizeof t);
    t.group_id = w->g.id;
    snprintf(t.title, sizeof t.title, "task of weight %d", weight);
    t.slots = 5;
    t.weight = weight;
    t.created_at = NOW - 30 * DAY;
    assert_int_equal(tend_store_task_add(w->kit->store, &t), TEND_STORE_OK);
    return t.id;
}

/* m holds a task of `weight` actively. */
static void holds(world *w, const tend_member *m, int weight)
{
    assert_int_equal(tend_store_claim_add(w->kit->store, task(w, weight), m->id, TEND_CLAIM_ACTIVE,
                                          NOW - DAY, NULL),
                     TEND_STORE_OK);
}

/* m finished a task of `weight` at `when`. */
static void did(world *w, const tend_member *m, int weight, int64_t when)
{
    tend_claim c;
    int64_t id = task(w, weight);
    assert_int_equal(tend_store_claim_add(w->kit->store, id, m->id, TEND_CLAIM_ACTIVE, when - DAY, &c),
                     TEND_STORE_OK);
    assert_int_equal(tend_store_claim_set_state(w->kit->store, c.id, TEND_CLAIM_DONE, "", when),
                     TEND_STORE_OK);
    assert_int_equal(tend_store_task_set_state(w->kit->store, id, TEND_TASK_DONE, when), TEND_STORE_OK);
}

static void load_counts_open_claims_and_the_last_week(void **state)
{
    (void)state;
    world w = world_new();
    tend_member ana = member(&w, "ana");
    holds(&w, &ana, 2);
    did(&w, &ana, 1, NOW - 2 * DAY);
    did(&w, &ana, 3, NOW - 7 * DAY + 60); /* just inside the window */
    did(&w, &ana, 5, NOW - 8 * DAY);      /* last week's work no longer counts */
    tend_load load;
    assert_int_equal(tend_load_of(w.kit->store, &w.g, &ana, NOW, &load), TEND_STORE_OK);
    assert_int_equal(load.open_weight, 2);
    assert_int_equal(load.done_weight, 4);
    assert_int_equal(load.total, 6);
    assert_int_equal(load.capacity, 3); /* the group's default */
    assert_true(tend_load_is_over(&load));

    ana.capacity = 6; /* their own choice wins */
    assert_int_equal(tend_load_of(w.kit->store, &w.g, &ana, NOW, &load), TEND_STORE_OK);
    assert_int_equal(load.capacity, 6);
    assert_false(tend_load_is_over(&load));
    assert_false(tend_load_would_exceed(&load, 0));
    assert_true(tend_load_would_exceed(&load, 1));

    /* released and waiting claims weigh nothing; other members' work is not theirs */
    tend_member bea = member(&w, "bea");
    assert_int_equal(tend_store_claim_add(w.kit->store, task(&w, 4), bea.id, TEND_CLAIM_WAITING, NOW, NULL),
                     TEND_STORE_OK);
    tend_claim c;
    assert_int_equal(tend_store_claim_add(w.kit->store, task(&w, 4), bea.id, TEND_CLAIM_ACTIVE, NOW, &c),
                     TEND_STORE_OK);
    assert_int_equal(tend_store_claim_set_state(w.kit->store, c.id, TEND_CLAIM_RELEASED, NULL, NOW),
                     TEND_STORE_OK);
    assert_int_equal(tend_load_of(w.kit->store, &w.g, &bea, NOW, &load), TEND_STORE_OK);
    assert_int_equal(load.total, 0);
    assert_false(tend_load_would_exceed(&load, 3));
    assert_true(tend_load_would_exceed(&load, 4));
    testkit_free(w.kit);
}

static void group_default_capacity_is_used(void **state)
{
    (void)state;
    world w = world_new();
    w.g.default_capacity = 5;
    tend_member ana = member(&w, "ana");
    holds(&w, &ana, 5);
    tend_load load;
    assert_int_equal(tend_load_of(w.kit->store, &w.g, &ana, NOW, &load), TEND_STORE_OK);
    assert_int_equal(load.capacity, 5);
    assert_false(tend_load_is_over(&load));
    assert_true(tend_load_would_exceed(&load, 1));
    testkit_free(w.kit);
}

static void concentration_is_the_busiest_fifths_share(void **state)
{
    (void)state;
    world w = world_new();
    tend_member m[10];
    for (int i = 0; i < 10; i++) {
        char name[16];
        snprintf(name, sizeof name, "m%d", i);
        m[i] = member(&w, name);
    }
    assert_int_equal(tend_load_concentration(w.kit->store, &w.g, NOW - 30 * DAY), -1); /* nothing done */

    did(&w, &m[3], 5, NOW - DAY);
    did(&w, &m[7], 3, NOW - 2 * DAY);
    did(&w, &m[1], 1, NOW - 3 * DAY);
    did(&w, &m[2], 1, NOW - 3 * DAY);
    did(&w, &m[2], 4, NOW - 40 * DAY); /* before the window */
    /* 10 members: the busiest fifth is 2 of them, who did 8 of 10 */
    assert_int_equal(tend_load_concentration(w.kit->store, &w.g, NOW - 30 * DAY), 80);
    /* counting from earlier, m2's old work makes them the second busiest: (5+5)/14 */
    assert_int_equal(tend_load_concentration(w.kit->store, &w.g, NOW - 60 * DAY), 71);
    testkit_free(w.kit);
}

static void concentration_counts_live_members_at_least_one(void **state)
{
    (void)state;
    world w = world_new();
    tend_member a = member(&w, "a"), b = member(&w, "b"), c = member(&w, "c");
    did(&w, &a, 3, NOW - DAY);
    did(&w, &b, 1, NOW - DAY);
    /* 3 members: the busiest fifth rounds up to one member */
    assert_int_equal(tend_load_concentration(w.kit->store, &w.g, NOW - 30 * DAY), 75);

    for (int i = 0; i < 3; i++) {
        char name[16];
        snprintf(name, sizeof name, "x%d", i);
        (void)member(&w, name);
    }
    /* 6 members: two count as the busiest fifth, and they did everything */
    assert_int_equal(tend_load_concentration(w.kit->store, &w.g, NOW - 30 * DAY), 100);
    c.forgotten = true; /* forgotten members are not members any more: back to 5, one counts */
    c.key[0] = '\0';
    assert_int_equal(tend_store_member_save(w.kit->store, &c), TEND_STORE_OK);
    assert_int_equal(tend_load_concentration(w.kit->store, &w.g, NOW - 30 * DAY), 75);

    /* another group's work never counts here */
    tend_group other;
    assert_int_equal(tend_store_group_ensure(w.kit->store, "console:elsewhere", NULL, NOW, &other),
                     TEND_STORE_OK);
    assert_int_equal(tend_load_concentration(w.kit->store, &other, NOW - 30 * DAY), -1);
    testkit_free(w.kit);
}

static void concentration_is_spoken_of_only_when_it_is_a_pattern(void **state)
{
    (void)state;
    world w = world_new();
    tend_member a = member(&w, "a"), b = member(&w, "b");
    did(&w, &a, 1, NOW - DAY);
    did(&w, &a, 1, NOW - DAY);
    did(&w, &a, 1, NOW - DAY);
    /* two people: one doing most of it is just how a pair works */
    assert_int_equal(tend_load_concentration(w.kit->store, &w.g, NOW - 30 * DAY), 100);
    assert_false(tend_load_concentrated(w.kit->store, &w.g, NOW - 30 * DAY));
    /* ten: the busiest fifth is two people everyone could name, so it is never told */
    for (int i = 0; i < 8; i++) {
        char name[16];
        snprintf(name, sizeof name, "c%d", i);
        (void)member(&w, name);
    }
    assert_false(tend_load_concentrated(w.kit->store, &w.g, NOW - 30 * DAY));
    assert_int_equal(tend_load_concentration_told(w.kit->store, &w.g, NOW - 30 * DAY), TEND_LOAD_TOO_FEW);
    /* eleven: the busiest fifth is three people */
    (void)member(&w, "c8");
    assert_true(tend_load_concentrated(w.kit->store, &w.g, NOW - 30 * DAY));
    assert_int_equal(tend_load_concentration_told(w.kit->store, &w.g, NOW - 30 * DAY), 100);

    /* one task done by one person in a group of three is one busy afternoon, not a pattern */
    world small = world_new();
    tend_member x = member(&small, "x");
    (void)member(&small, "y");
    (void)member(&small, "z");
    did(&small, &x, 1, NOW - DAY);
    assert_int_equal(tend_load_concentration(small.kit->store, &small.g, NOW - 30 * DAY), 100);
    assert_false(tend_load_concentrated(small.kit->store, &small.g, NOW - 30 * DAY));

    /* spread work is no worry: a, b and four more carry it evenly (the busiest three: half) */
    did(&w, &b, 3, NOW - DAY);
    for (int i = 0; i < 4; i++) {
        char name[16];
        tend_member c;
        snprintf(name, sizeof name, "c%d", i);
        assert_int_equal(tend_store_member_get(w.kit->store, w.g.id, name, &c), TEND_STORE_OK);
        did(&w, &c, 3, NOW - DAY);
    }
    assert_false(tend_load_concentrated(w.kit->store, &w.g, NOW - 30 * DAY));
    testkit_free(w.kit);
    testkit_free(small.kit);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(load_counts_open_claims_and_the_last_week),
        cmocka_unit_test(group_default_capacity_is_used),
        cmocka_unit_test(concentration_is_the_busiest_fifths_share),
        cmocka_unit_test(concentration_counts_live_members_at_least_one),
        cmocka_unit_test(concentration_is_spoken_of_only_when_it_is_a_pattern),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
