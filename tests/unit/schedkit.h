/*
 * schedkit.h — the scheduler tests' shared fixture (test_scheduler.c, test_scheduler_scale.c):
 * moving the fake clock, making groups, members, tasks and claims through the store, and finding
 * what a tick said. Header-only on purpose: each test program includes it once.
 */
#ifndef TEND_SCHEDKIT_H
#define TEND_SCHEDKIT_H

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "testkit.h"

#include "bot/task_time.h"

#define HOUR 3600LL
#define DAY (24 * HOUR)

static inline int64_t now_of(testkit *kit)
{
    return tend_clock_now(kit->clock);
}

static inline void set_now(testkit *kit, int64_t t)
{
    assert_true(t >= now_of(kit));
    tend_clock_advance(kit->clock, t - now_of(kit));
}

/* Creates the kit's group now with a zone and schedules. */
static inline tend_group make_group(testkit *kit, const char *zone, const char *checkin, const char *digest)
{
    tend_group g;
    assert_int_equal(tend_store_group_ensure(kit->store, kit->group_key, "console:channel", now_of(kit), &g),
                     TEND_STORE_OK);
    snprintf(g.timezone, sizeof g.timezone, "%s", zone);
    snprintf(g.checkin_at, sizeof g.checkin_at, "%s", checkin);
    snprintf(g.digest_at, sizeof g.digest_at, "%s", digest);
    assert_int_equal(tend_store_group_save(kit->store, &g), TEND_STORE_OK);
    return g;
}

static inline tend_member make_member(testkit *kit, const tend_group *g, const char *name)
{
    tend_member m;
    assert_int_equal(tend_store_member_ensure(kit->store, g->id, name, name, now_of(kit), &m), TEND_STORE_OK);
    return m;
}

static inline void save_member(testkit *kit, const tend_member *m)
{
    assert_int_equal(tend_store_member_save(kit->store, m), TEND_STORE_OK);
}

static inline tend_task make_task(testkit *kit, const tend_group *g, const char *title, int64_t due, bool weekly)
{
    tend_task t;
    memset(&t, 0, sizeof t);
    t.group_id = g->id;
    snprintf(t.title, sizeof t.title, "%s", title);
    tend_when w = {due, false};
    assert_int_equal(tend_task_set_time(&t, due ? &w : NULL, g->timezone[0] ? g->timezone : "UTC"), 0);
    t.slots = 1;
    t.weight = 1;
    snprintf(t.repeat, sizeof t.repeat, "%s", weekly ? "weekly" : "");
    t.created_at = now_of(kit);
    assert_int_equal(tend_store_task_add(kit->store, &t), TEND_STORE_OK);
    return t;
}

static inline tend_claim claim(testkit *kit, const tend_task *t, const tend_member *m)
{
    tend_claim c;
    assert_int_equal(tend_store_claim_add(kit->store, t->id, m->id, TEND_CLAIM_ACTIVE, now_of(kit), &c),
                     TEND_STORE_OK);
    return c;
}

static inline void finish(testkit *kit, const tend_task *t, const tend_claim *c)
{
    assert_int_equal(tend_store_claim_set_state(kit->store, c->id, TEND_CLAIM_DONE, "", now_of(kit)),
                     TEND_STORE_OK);
    assert_int_equal(tend_store_task_set_state(kit->store, t->id, TEND_TASK_DONE, now_of(kit)), TEND_STORE_OK);
}

static inline size_t count_kind(const tend_messages *out, const char *kind)
{
    size_t n = 0;
    for (size_t i = 0; i < out->count; i++)
        n += strcmp(out->items[i].kind, kind) == 0;
    return n;
}

static inline const tend_message *find_kind(const tend_messages *out, const char *kind)
{
    for (size_t i = 0; i < out->count; i++)
        if (strcmp(out->items[i].kind, kind) == 0)
            return &out->items[i];
    return NULL;
}

/* Moves the clock to `until` the way the console's :advance does, stepping through every
 * tend_bot_next_due time and ticking there; records when each message of `kind` went out. */
static inline size_t run_until(testkit *kit, int64_t until, const char *kind, int64_t *times, size_t max)
{
    size_t n = 0;
    for (int guard = 0;; guard++) {
        assert_true(guard < 5000); /* next_due must always make progress */
        int64_t next = tend_bot_next_due(kit->bot);
        assert_true(next >= now_of(kit));
        if (next > until)
            break;
        set_now(kit, next);
        assert_int_equal(testkit_tick(kit), 0);
        for (size_t i = 0; i < kit->out.count; i++)
            if (strcmp(kit->out.items[i].kind, kind) == 0) {
                if (n < max)
                    times[n] = now_of(kit);
                n++;
            }
    }
    set_now(kit, until);
    return n;
}

/* A member over their capacity of 1: two active claims. */
static inline tend_member overloaded(testkit *kit, const tend_group *g, const char *name)
{
    tend_member m = make_member(kit, g, name);
    m.capacity = 1;
    save_member(kit, &m);
    tend_task a = make_task(kit, g, "Soup run", 0, false);
    tend_task b = make_task(kit, g, "Pantry shift", 0, false);
    claim(kit, &a, &m);
    claim(kit, &b, &m);
    return m;
}

#endif
