/* test_store_tasks.c — the SQLite backend's tasks, claims, waitlists and handoffs (store_tasks.h). */
#include "testkit.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define NOW TESTKIT_START

typedef struct {
    testkit *kit;
    tend_store *s;
    tend_group g;
    tend_member ana, bea, cara;
} world;

static world world_new(void)
{
    world w;
    memset(&w, 0, sizeof w);
    w.kit = testkit_new();
    w.s = w.kit->store;
    assert_int_equal(tend_store_group_ensure(w.s, "console:store", NULL, NOW, &w.g), TEND_STORE_OK);
    assert_int_equal(tend_store_member_ensure(w.s, w.g.id, "ana", "ana", NOW, &w.ana), TEND_STORE_OK);
    assert_int_equal(tend_store_member_ensure(w.s, w.g.id, "bea", "bea", NOW, &w.bea), TEND_STORE_OK);
    assert_int_equal(tend_store_member_ensure(w.s, w.g.id, "cara", "cara", NOW, &w.cara), TEND_STORE_OK);
    return w;
}

static tend_task add(world *w, int64_t group_id, const char *title, int slots)
{
    tend_task t;
    memset(&t, 0, sizeof t);
    t.group_id = group_id;
    snprintf(t.title, sizeof t.title, "%s", title);
    t.slots = slots;
    t.weight = 2;
    t.created_by = w->ana.id;
    t.created_at = NOW;
    assert_int_equal(tend_store_task_add(w->s, &t), TEND_STORE_OK);
    return t;
}

typedef struct {
    int numbers[16];
    int n;
} seen;

static int note_task(const tend_task *t, void *ud)
{
    seen *s = ud;
    if (s->n < 16)
        s->numbers[s->n++] = t->number;
    return 0;
}

static int note_claim(const tend_claim *c, void *ud)
{
    seen *s = ud;
    if (s->n < 16)
        s->numbers[s->n++] = (int)c->id;
    return 0;
}

static void task_numbers_count_per_group(void **state)
{
    (void)state;
    world w = world_new();
    tend_group other;
    assert_int_equal(tend_store_group_ensure(w.s, "console:other", NULL, NOW, &other), TEND_STORE_OK);
    assert_int_equal(add(&w, w.g.id, "a", 1).number, 1);
    assert_int_equal(add(&w, w.g.id, "b", 1).number, 2);
    assert_int_equal(add(&w, other.id, "c", 1).number, 1);
    tend_task t;
    assert_int_equal(tend_store_task_get(w.s, w.g.id, 2, &t), TEND_STORE_OK);
    assert_string_equal(t.title, "b");
    assert_int_equal(t.weight, 2);
    assert_int_equal(t.state, TEND_TASK_OPEN);
    assert_int_equal(t.created_by, w.ana.id);
    assert_int_equal(tend_store_task_get(w.s, other.id, 2, &t), TEND_STORE_NOTFOUND);
    assert_int_equal(tend_store_task_by_id(w.s, 9999, &t), TEND_STORE_NOTFOUND);
    assert_int_equal(tend_store_task_set_state(w.s, 9999, TEND_TASK_DONE, NOW), TEND_STORE_NOTFOUND);
    testkit_free(w.kit);
}

static void find_reads_numbers_and_title_words(void **state)
{
    (void)state;
    world w = world_new();
    add(&w, w.g.id, "Soup run", 1);
    add(&w, w.g.id, "Soup kitchen rota", 1);
    tend_task pharmacy = add(&w, w.g.id, "Pharmacy pickup", 1);
    tend_task t;
    assert_int_equal(tend_store_task_find(w.s, w.g.id, "2", &t), TEND_STORE_OK);
    assert_int_equal(t.number, 2);
    assert_int_equal(tend_store_task_find(w.s, w.g.id, "#3", &t), TEND_STORE_OK);
    assert_int_equal(t.number, 3);
    assert_int_equal(tend_store_task_find(w.s, w.g.id, "KITCHEN", &t), TEND_STORE_OK);
    assert_int_equal(t.number, 2);
    assert_int_equal(tend_store_task_find(w.s, w.g.id, "soup", &t), TEND_STORE_EXISTS);
    assert_int_equal(tend_store_task_find(w.s, w.g.id, "#", &t), TEND_STORE_NOTFOUND);
    assert_int_equal(tend_store_task_find(w.s, w.g.id, "", &t), TEND_STORE_NOTFOUND);
    assert_int_equal(tend_store_task_find(w.s, w.g.id, "99999999999999", &t), TEND_STORE_NOTFOUND);
    assert_int_equal(tend_store_task_find(w.s, w.g.id, "%", &t), TEND_STORE_NOTFOUND); /* no LIKE tricks */
    seen s = {{0}, 0};
    assert_int_equal(tend_store_tasks_matching(w.s, w.g.id, "soup", 0, note_task, &s), TEND_STORE_OK);
    assert_int_equal(s.n, 2);
    /* a done task is found by number (to say it is done) but no longer by words */
    assert_int_equal(tend_store_task_set_state(w.s, pharmacy.id, TEND_TASK_DONE, NOW + 5), TEND_STORE_OK);
    assert_int_equal(tend_store_task_find(w.s, w.g.id, "pharmacy", &t), TEND_STORE_NOTFOUND);
    assert_int_equal(tend_store_task_find(w.s, w.g.id, "3", &t), TEND_STORE_OK);
    assert_int_equal(t.state, TEND_TASK_DONE);
    assert_int_equal(t.done_at, NOW + 5);
    testkit_free(w.kit);
}

static void lists_filter_and_order(void **state)
{
    (void)state;
    world w = world_new();
    tend_task t1 = add(&w, w.g.id, "one", 1);
    tend_task t2 = add(&w, w.g.id, "two", 2);
    tend_task t3 = add(&w, w.g.id, "three", 1);
    add(&w, w.g.id, "four", 1);
    assert_int_equal(tend_store_claim_add(w.s, t1.id, w.bea.id, TEND_CLAIM_ACTIVE, NOW, NULL), TEND_STORE_OK);
    assert_int_equal(tend_store_claim_add(w.s, t2.id, w.bea.id, TEND_CLAIM_ACTIVE, NOW, NULL), TEND_STORE_OK);
    assert_int_equal(tend_store_claim_add(w.s, t3.id, w.ana.id, TEND_CLAIM_ACTIVE, NOW, NULL), TEND_STORE_OK);
    assert_int_equal(tend_store_task_set_state(w.s, t3.id, TEND_TASK_DONE, NOW + 10), TEND_STORE_OK);

    seen s = {{0}, 0};
    assert_int_equal(tend_store_tasks_each(w.s, w.g.id, TEND_TASKS_OPEN, 0, 0, 0, note_task, &s), TEND_STORE_OK);
    assert_int_equal(s.n, 3);
    assert_int_equal(s.numbers[0], 1);
    assert_int_equal(s.numbers[2], 4);
    s.n = 0;
    assert_int_equal(tend_store_tasks_each(w.s, w.g.id, TEND_TASKS_ALL, 0, 0, 2, note_task, &s), TEND_STORE_OK);
    assert_int_equal(s.n, 2);
    assert_int_equal(s.numbers[0], 4); /* newest first, limited */
    assert_int_equal(s.numbers[1], 3);
    s.n = 0; /* the next page */
    assert_int_equal(tend_store_tasks_each(w.s, w.g.id, TEND_TASKS_ALL, 0, 2, 2, note_task, &s), TEND_STORE_OK);
    assert_int_equal(s.n, 2);
    assert_int_equal(s.numbers[0], 2);
    assert_int_equal(s.numbers[1], 1);
    int count = -1;
    assert_int_equal(tend_store_tasks_count(w.s, w.g.id, TEND_TASKS_ALL, 0, &count), TEND_STORE_OK);
    assert_int_equal(count, 4);
    assert_int_equal(tend_store_tasks_count(w.s, w.g.id, TEND_TASKS_OPEN, 0, &count), TEND_STORE_OK);
    assert_int_equal(count, 3);
    assert_int_equal(tend_store_tasks_count(w.s, w.g.id, TEND_TASKS_MINE, w.bea.id, &count), TEND_STORE_OK);
    assert_int_equal(count, 2);
    s.n = 0;
    assert_int_equal(tend_store_tasks_each(w.s, w.g.id, TEND_TASKS_MINE, w.bea.id, 0, 0, note_task, &s),
                     TEND_STORE_OK);
    assert_int_equal(s.n, 2);
    s.n = 0;
    assert_int_equal(tend_store_tasks_needing_hands(w.s, w.g.id, NOW, 0, note_task, &s), TEND_STORE_OK);
    assert_int_equal(s.n, 2); /* #1 is staffed, #3 done: #2 (1 of 2) and #4 */
    assert_int_equal(s.numbers[0], 2);
    assert_int_equal(s.numbers[1], 4);
    s.n = 0;
    assert_int_equal(tend_store_tasks_done_between(w.s, w.g.id, NOW, NOW + 10, note_task, &s), TEND_STORE_OK);
    assert_int_equal(s.n, 0); /* until is exclusive */
    assert_int_equal(tend_store_tasks_done_between(w.s, w.g.id, NOW, NOW + 11, note_task, &s), TEND_STORE_OK);
    assert_int_equal(s.n, 1);
    assert_int_equal(s.numbers[0], 3);
    testkit_free(w.kit);
}

static void waitlist_keeps_its_order(void **state)
{
    (void)state;
    world w = world_new();
    tend_task t = add(&w, w.g.id, "soup", 1);
    tend_claim a, b, c, first;
    assert_int_equal(tend_store_claim_add(w.s, t.id, w.ana.id, TEND_CLAIM_ACTIVE, NOW, &a), TEND_STORE_OK);
    assert_int_equal(tend_store_claim_first_waiting(w.s, t.id, &first), TEND_STORE_NOTFOUND);
    assert_int_equal(tend_store_claim_add(w.s, t.id, w.bea.id, TEND_CLAIM_WAITING, NOW + 1, &b), TEND_STORE_OK);
    assert_int_equal(tend_store_claim_add(w.s, t.id, w.cara.id, TEND_CLAIM_WAITING, NOW + 2, &c), TEND_STORE_OK);
    assert_int_equal(b.state, TEND_CLAIM_WAITING);
    assert_int_equal(b.created_at, NOW + 1);
    int pos = 0;
    assert_int_equal(tend_store_claim_waitlist_position(w.s, &c, &pos), TEND_STORE_OK);
    assert_int_equal(pos, 2);
    assert_int_equal(tend_store_claim_first_waiting(w.s, t.id, &first), TEND_STORE_OK);
    assert_int_equal(first.member_id, w.bea.id);
    tend_task read;
    assert_int_equal(tend_store_task_by_id(w.s, t.id, &read), TEND_STORE_OK);
    assert_int_equal(read.active, 1);
    assert_int_equal(read.waiting, 2);

    assert_int_equal(tend_store_claim_set_state(w.s, b.id, TEND_CLAIM_RELEASED, NULL, NOW + 3), TEND_STORE_OK);
    assert_int_equal(tend_store_claim_waitlist_position(w.s, &c, &pos), TEND_STORE_OK);
    assert_int_equal(pos, 1);
    tend_claim cur;
    assert_int_equal(tend_store_claim_current(w.s, t.id, w.bea.id, &cur), TEND_STORE_NOTFOUND);
    assert_int_equal(tend_store_claim_current(w.s, t.id, w.cara.id, &cur), TEND_STORE_OK);
    assert_int_equal(cur.id, c.id);

    assert_int_equal(tend_store_claims_release_waiting(w.s, t.id, NOW + 4), TEND_STORE_OK);
    assert_int_equal(tend_store_claim_current(w.s, t.id, w.cara.id, &cur), TEND_STORE_NOTFOUND);
    assert_int_equal(tend_store_claim_current(w.s, t.id, w.ana.id, &cur), TEND_STORE_OK); /* active stays */

    assert_int_equal(tend_store_claim_set_state(w.s, a.id, TEND_CLAIM_DONE, "all good", NOW + 5), TEND_STORE_OK);
    seen s = {{0}, 0};
    assert_int_equal(tend_store_claims_of_task(w.s, t.id, note_claim, &s), TEND_STORE_OK);
    assert_int_equal(s.n, 0);
    int open_w = -1, done_w = -1;
    assert_int_equal(tend_store_member_load(w.s, w.ana.id, NOW, &open_w, &done_w), TEND_STORE_OK);
    assert_int_equal(open_w, 0);
    assert_int_equal(done_w, 2);
    assert_int_equal(tend_store_claim_set_state(w.s, 424242, TEND_CLAIM_DONE, NULL, NOW), TEND_STORE_NOTFOUND);
    testkit_free(w.kit);
}

static void untouched_claims_and_reminders(void **state)
{
    (void)state;
    world w = world_new();
    tend_task t = add(&w, w.g.id, "soup", 3);
    tend_claim a, b;
    assert_int_equal(tend_store_claim_add(w.s, t.id, w.ana.id, TEND_CLAIM_ACTIVE, NOW - 6 * 86400, &a),
                     TEND_STORE_OK);
    assert_int_equal(tend_store_claim_add(w.s, t.id, w.bea.id, TEND_CLAIM_ACTIVE, NOW - 86400, &b),
                     TEND_STORE_OK);
    seen s = {{0}, 0};
    assert_int_equal(tend_store_claims_untouched(w.s, w.g.id, NOW - 5 * 86400, note_claim, &s), TEND_STORE_OK);
    assert_int_equal(s.n, 1);
    assert_int_equal(s.numbers[0], (int)a.id);
    assert_int_equal(tend_store_claim_mark_reminded(w.s, a.id, NOW), TEND_STORE_OK);
    s.n = 0;
    assert_int_equal(tend_store_claims_untouched(w.s, w.g.id, NOW - 5 * 86400, note_claim, &s), TEND_STORE_OK);
    assert_int_equal(s.n, 0); /* reminded once is enough */
    assert_int_equal(tend_store_claim_touch(w.s, a.id, NOW), TEND_STORE_OK);
    tend_claim cur;
    assert_int_equal(tend_store_claim_current(w.s, t.id, w.ana.id, &cur), TEND_STORE_OK);
    assert_int_equal(cur.updated_at, NOW);
    assert_int_equal(cur.reminded_at, 0);
    s.n = 0;
    assert_int_equal(tend_store_claims_of_member(w.s, w.ana.id, note_claim, &s), TEND_STORE_OK);
    assert_int_equal(s.n, 1);
    testkit_free(w.kit);
}

static int note_weight(int64_t member_id, int weight, void *ud)
{
    seen *s = ud;
    s->numbers[s->n++] = (int)member_id;
    s->numbers[s->n++] = weight;
    return 0;
}

static void done_weight_is_listed_busiest_first(void **state)
{
    (void)state;
    world w = world_new();
    for (int i = 0; i < 3; i++) {
        tend_task t = add(&w, w.g.id, "x", 2);
        tend_claim c;
        int64_t who = i == 0 ? w.ana.id : w.bea.id;
        assert_int_equal(tend_store_claim_add(w.s, t.id, who, TEND_CLAIM_ACTIVE, NOW, &c), TEND_STORE_OK);
        assert_int_equal(tend_store_claim_set_state(w.s, c.id, TEND_CLAIM_DONE, NULL, NOW + i), TEND_STORE_OK);
    }
    seen s = {{0}, 0};
    assert_int_equal(tend_store_done_weight_by_member(w.s, w.g.id, NOW, note_weight, &s), TEND_STORE_OK);
    assert_int_equal(s.n, 4);
    assert_int_equal(s.numbers[0], (int)w.bea.id);
    assert_int_equal(s.numbers[1], 4);
    assert_int_equal(s.numbers[2], (int)w.ana.id);
    assert_int_equal(s.numbers[3], 2);
    s.n = 0;
    assert_int_equal(tend_store_done_weight_by_member(w.s, w.g.id, NOW + 1, note_weight, &s), TEND_STORE_OK);
    assert_int_equal(s.n, 2); /* ana's was before `since` */
    testkit_free(w.kit);
}

static void handoff_offers_replace_and_close(void **state)
{
    (void)state;
    world w = world_new();
    tend_task t = add(&w, w.g.id, "soup", 1);
    tend_handoff h = {.task_id = t.id, .from_member = w.ana.id, .to_member = w.bea.id, .created_at = NOW};
    tend_handoff pending;
    assert_int_equal(tend_store_handoff_pending(w.s, t.id, w.bea.id, &pending), TEND_STORE_NOTFOUND);
    assert_int_equal(tend_store_handoff_offer(w.s, &h), TEND_STORE_OK);
    int64_t first = h.id;
    h.created_at = NOW + 1;
    assert_int_equal(tend_store_handoff_offer(w.s, &h), TEND_STORE_OK);
    assert_true(h.id != first);
    assert_int_equal(tend_store_handoff_pending(w.s, t.id, w.bea.id, &pending), TEND_STORE_OK);
    assert_int_equal(pending.id, h.id);
    assert_int_equal(pending.created_at, NOW + 1);
    assert_int_equal(pending.from_member, w.ana.id);
    assert_int_equal(tend_store_handoff_pending(w.s, t.id, w.cara.id, &pending), TEND_STORE_NOTFOUND);
    assert_int_equal(tend_store_handoff_close(w.s, h.id, "maybe"), TEND_STORE_ERROR);
    assert_int_equal(tend_store_handoff_close(w.s, h.id, "declined"), TEND_STORE_OK);
    assert_int_equal(tend_store_handoff_pending(w.s, t.id, w.bea.id, &pending), TEND_STORE_NOTFOUND);
    assert_int_equal(tend_store_handoff_close(w.s, 31337, "accepted"), TEND_STORE_NOTFOUND);
    testkit_free(w.kit);
}

extern const char *const tend_store_migrations[];

/* A database from version 4 (before times were read) opens with its weekly tasks still weekly, a
 * bare date kept as a whole day with its reminder and question times, and its members counted as
 * already welcomed, with the default reminder. */
static void a_version_4_database_keeps_its_tasks_and_members(void **state)
{
    (void)state;
    char path[] = "/tmp/tend-v4-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    for (int i = 0; i < 4; i++)
        assert_int_equal(sqlite3_exec(db, tend_store_migrations[i], NULL, NULL, NULL), SQLITE_OK);
    int64_t day = NOW + 2 * 86400 - 9 * 3600; /* Wed 4 Nov 00:00 UTC */
    char sql[1024];
    snprintf(sql, sizeof sql,
             "PRAGMA user_version = 4;"
             "INSERT INTO groups (id, key, created_at) VALUES (1, 'console:old', %lld);"
             "INSERT INTO members (id, group_id, key, name, joined_at) VALUES (1, 1, 'ana', 'ana', %lld);"
             "INSERT INTO tasks (id, group_id, number, title, when_text, due_at, repeat_weekly, created_at)"
             " VALUES (1, 1, 1, 'Fridge', '2026-11-04', %lld, 1, %lld), (2, 1, 2, 'Call', 'fri 18:00', 0, 0, %lld);",
             (long long)NOW, (long long)NOW, (long long)day, (long long)NOW, (long long)NOW);
    assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);

    char err[256];
    tend_store *store;
    assert_int_equal(tend_store_open(path, &store, err, sizeof err), TEND_STORE_OK);
    assert_int_equal(tend_store_schema_version(store), tend_store_schema_latest());
    tend_task t;
    assert_int_equal(tend_store_task_get(store, 1, 1, &t), TEND_STORE_OK);
    assert_string_equal(t.repeat, "weekly");
    assert_true(t.all_day);
    assert_int_equal(t.due_at, day);
    assert_int_equal(t.starts_at, day + 9 * 3600);
    assert_int_equal(t.over_at, day + 86400);
    assert_true(t.followup_at > t.over_at);
    assert_int_equal(tend_store_task_get(store, 1, 2, &t), TEND_STORE_OK);
    assert_string_equal(t.repeat, "");
    assert_int_equal(t.due_at, 0);
    assert_string_equal(t.when_text, "fri 18:00"); /* still shown as written */
    tend_member m;
    assert_int_equal(tend_store_member_get(store, 1, "ana", &m), TEND_STORE_OK);
    assert_true(m.welcomed);
    assert_int_equal(m.remind_minutes, -1);
    tend_store_close(store);
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
        cmocka_unit_test(task_numbers_count_per_group),
        cmocka_unit_test(find_reads_numbers_and_title_words),
        cmocka_unit_test(lists_filter_and_order),
        cmocka_unit_test(waitlist_keeps_its_order),
        cmocka_unit_test(untouched_claims_and_reminders),
        cmocka_unit_test(done_weight_is_listed_busiest_first),
        cmocka_unit_test(handoff_offers_replace_and_close),
        cmocka_unit_test(a_version_4_database_keeps_its_tasks_and_members),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
