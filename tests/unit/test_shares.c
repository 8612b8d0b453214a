/* test_shares.c — numbered parts of work shared between tend processes through leases (app/shares.h):
 * the fair share and the lease names as pure functions, then one share on a real loop and store
 * while "another process" (rows written as another holder would) comes, takes what it is given,
 * stalls, and takes a part over. Runs on a SQLite file and, as unit.test_shares.pg, on PostgreSQL. */
#include "testkit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "app/leases.h"
#include "app/shares.h"
#include "store/store_lease.h"

#define OTHER "elsewhere:1"

static int64_t wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void the_fair_share_is_the_parts_over_the_processes_rounded_up(void **state)
{
    (void)state;
    assert_int_equal(tend_share_fair(8, 1), 8);
    assert_int_equal(tend_share_fair(8, 2), 4);
    assert_int_equal(tend_share_fair(8, 3), 3);
    assert_int_equal(tend_share_fair(2, 3), 1); /* a third process for two parts holds none */
    assert_int_equal(tend_share_fair(8, 0), 8);
}

static void a_lease_name_stands_for_one_part_of_one_count(void **state)
{
    (void)state;
    assert_int_equal(tend_share_part_of("discord.shard.3-of-8", "discord.shard.", 8), 3);
    assert_int_equal(tend_share_part_of("discord.shard.0-of-8", "discord.shard.", 8), 0);
    /* another count (Discord advised more shards since), another prefix, or not a number: not ours */
    assert_int_equal(tend_share_part_of("discord.shard.3-of-16", "discord.shard.", 8), -1);
    assert_int_equal(tend_share_part_of("discord.shard.8-of-8", "discord.shard.", 8), -1);
    assert_int_equal(tend_share_part_of("matrix.sync", "discord.shard.", 8), -1);
    assert_int_equal(tend_share_part_of("discord.shard.x-of-8", "discord.shard.", 8), -1);
    assert_int_equal(tend_share_part_of("discord.shard.3-of-8x", "discord.shard.", 8), -1);
    assert_int_equal(tend_share_part_of("discord.shard.3/8", "discord.shard.", 8), -1);
    assert_int_equal(tend_share_part_of("discord.shard.-of-8", "discord.shard.", 8), -1);
}

static void free_given_back_and_run_out_leases_can_be_taken_and_only_run_out_ones_stalled(void **state)
{
    (void)state;
    const int64_t now = 1700000000000LL;
    tend_store_lease l;
    memset(&l, 0, sizeof l);
    assert_true(tend_share_free(NULL, "me:1", now)); /* never held */
    snprintf(l.holder, sizeof l.holder, "%s", OTHER);
    l.expires_at = now + 1;
    assert_false(tend_share_free(&l, "me:1", now)); /* held by a live holder */
    assert_false(tend_share_stalled(&l, "me:1", now));
    l.expires_at = 0; /* given back in order: free, its holder is fine */
    assert_true(tend_share_free(&l, "me:1", now));
    assert_false(tend_share_stalled(&l, "me:1", now));
    l.expires_at = now - 1; /* ran out: its holder stopped renewing */
    assert_true(tend_share_free(&l, "me:1", now));
    assert_true(tend_share_stalled(&l, "me:1", now));
    assert_false(tend_share_stalled(&l, OTHER, now)); /* never this process itself */
}

/* ---------------------------------------------------------------- one share on a loop */

typedef struct {
    tend_share *share;
    int taken[8], lost[8], given[8];
    bool hand_back; /* answer a give-back at once, as an owner whose part stopped */
} watch;

static void on_changed(void *ud, int part, tend_share_event event)
{
    watch *w = ud;
    if (event == TEND_SHARE_TAKEN)
        w->taken[part]++;
    else if (event == TEND_SHARE_LOST)
        w->lost[part]++;
    else {
        w->given[part]++;
        if (w->hand_back)
            tend_share_given_back(w->share, part);
    }
}

static void stop_cb(uv_timer_t *t)
{
    uv_stop(t->loop);
}

static void run_for(uv_loop_t *loop, uint64_t ms)
{
    uv_timer_t t;
    uv_timer_init(loop, &t);
    uv_timer_start(&t, stop_cb, ms, 0);
    uv_run(loop, UV_RUN_DEFAULT);
    uv_close((uv_handle_t *)&t, NULL);
    uv_run(loop, UV_RUN_NOWAIT);
}

static int sum(const int *v)
{
    int n = 0;
    for (int i = 0; i < 4; i++)
        n += v[i];
    return n;
}

struct row {
    const char *name;
    tend_store_lease found;
    bool have;
};

static int find_row(const tend_store_lease *l, void *ud)
{
    struct row *r = ud;
    if (strcmp(l->name, r->name) == 0) {
        r->found = *l;
        r->have = true;
    }
    return 0;
}

static tend_store_lease row_of(tend_store *s, const char *name)
{
    struct row r;
    memset(&r, 0, sizeof r);
    r.name = name;
    assert_int_equal(tend_store_lease_each(s, "discord.", find_row, &r), TEND_STORE_OK);
    assert_true(r.have);
    return r.found;
}

static void a_share_makes_room_for_a_newcomer_and_takes_back_from_a_stalled_one(void **state)
{
    (void)state;
    tend_store *s = testkit_shared_open();
    uv_loop_t loop;
    uv_loop_init(&loop);
    const char *me = tend_lease_me();
    assert_int_equal(tend_lease_take_now(s, tend_lease_process_name()), TEND_STORE_OK);
    watch w;
    memset(&w, 0, sizeof w);
    w.hand_back = true;
    w.share = tend_share_start(&loop, s, "discord.shard.", 4, on_changed, &w);
    assert_non_null(w.share);

    /* alone: every part, on the first look */
    run_for(&loop, 300);
    assert_int_equal(sum(w.taken), 4);
    assert_int_equal(tend_share_held(w.share), 4);
    assert_string_equal(row_of(s, "discord.shard.3-of-4").holder, me);

    /* another process starts: after two looks above the fair share (2 of 4), the two highest parts
     * go back, and their leases are free at once for the newcomer */
    assert_int_equal(tend_store_lease_take(s, "process." OTHER, OTHER, wall_ms(), TEND_LEASE_TTL_MS, NULL),
                     TEND_STORE_OK);
    run_for(&loop, 2 * TEND_LEASE_RETRY_MS + 500);
    assert_int_equal(w.given[2] + w.given[3], 2);
    assert_int_equal(w.given[0] + w.given[1], 0);
    assert_int_equal(tend_share_held(w.share), 2);
    assert_int_equal(row_of(s, "discord.shard.3-of-4").expires_at, 0);
    assert_int_equal(tend_store_lease_take(s, "discord.shard.2-of-4", OTHER, wall_ms(), TEND_LEASE_TTL_MS, NULL),
                     TEND_STORE_OK);
    assert_int_equal(tend_store_lease_take(s, "discord.shard.3-of-4", OTHER, wall_ms(), TEND_LEASE_TTL_MS, NULL),
                     TEND_STORE_OK);
    assert_int_equal(tend_store_lease_take(s, "process." OTHER, OTHER, wall_ms(), TEND_LEASE_TTL_MS, NULL),
                     TEND_STORE_OK); /* the newcomer renews its own lease, as a live process does */
    /* both at their share: nothing moves, our leases are renewed */
    int64_t before = row_of(s, "discord.shard.0-of-4").expires_at;
    run_for(&loop, TEND_LEASE_RENEW_MS + 500);
    assert_int_equal(sum(w.taken), 4);
    assert_int_equal(tend_share_held(w.share), 2);
    assert_true(row_of(s, "discord.shard.0-of-4").expires_at > before);

    /* the newcomer stalls (its leases on parts run out; its process lease still looks alive): its
     * parts are taken on the next look, and it no longer counts towards the fair share */
    int64_t long_ago = wall_ms() - TEND_LEASE_TTL_MS - 1000;
    assert_int_equal(tend_store_lease_take(s, "discord.shard.2-of-4", OTHER, long_ago, TEND_LEASE_TTL_MS, NULL),
                     TEND_STORE_OK);
    assert_int_equal(tend_store_lease_take(s, "discord.shard.3-of-4", OTHER, long_ago, TEND_LEASE_TTL_MS, NULL),
                     TEND_STORE_OK);
    run_for(&loop, TEND_LEASE_RETRY_MS + 500);
    assert_int_equal(w.taken[2], 2);
    assert_int_equal(w.taken[3], 2);
    assert_int_equal(tend_share_held(w.share), 4);
    assert_string_equal(row_of(s, "discord.shard.2-of-4").holder, me);

    /* a part taken from this process (its lease written by another holder) is lost at the next look,
     * before anything else runs it twice */
    assert_int_equal(tend_store_lease_take_from(s, "discord.shard.1-of-4", OTHER, me, wall_ms(), TEND_LEASE_TTL_MS,
                                                NULL),
                     TEND_STORE_OK);
    run_for(&loop, TEND_LEASE_RETRY_MS + 500);
    assert_int_equal(w.lost[1], 1);
    assert_int_equal(sum(w.lost), 1);

    /* stopping gives back what is held, so the next process takes it at once */
    tend_share_stop(w.share);
    uv_run(&loop, UV_RUN_NOWAIT);
    tend_share_release_free(w.share);
    assert_int_equal(row_of(s, "discord.shard.0-of-4").expires_at, 0);
    assert_string_equal(row_of(s, "discord.shard.1-of-4").holder, OTHER);
    assert_true(row_of(s, "discord.shard.1-of-4").expires_at > 0);
    assert_int_equal(uv_loop_close(&loop), 0);
    testkit_shared_close(s);
}

/* Another process splitting the same work into another count (Discord advised more shards since it
 * started) would run overlapping parts: the share says so in the log, once, and how to fix it. */
static void another_count_held_by_a_live_process_is_named_in_the_log(void **state)
{
    (void)state;
    tend_store *s = testkit_shared_open();
    assert_int_equal(tend_store_lease_take(s, "discord.shard.5-of-8", OTHER, wall_ms(), TEND_LEASE_TTL_MS, NULL),
                     TEND_STORE_OK);
    uv_loop_t loop;
    uv_loop_init(&loop);
    char path[] = "/tmp/test_shares_log_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    fflush(stderr);
    int saved = dup(STDERR_FILENO);
    dup2(fd, STDERR_FILENO);
    watch w;
    memset(&w, 0, sizeof w);
    w.share = tend_share_start(&loop, s, "discord.shard.", 4, on_changed, &w);
    run_for(&loop, TEND_LEASE_RETRY_MS + 300); /* two looks: said once */
    fflush(stderr);
    dup2(saved, STDERR_FILENO);
    close(saved);
    char text[4096] = "";
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    size_t n = fread(text, 1, sizeof text - 1, f);
    text[n] = '\0';
    fclose(f);
    close(fd);
    unlink(path);
    const char *said = strstr(text, "discord.shard.5-of-8");
    assert_non_null(said);
    assert_non_null(strstr(text, "[discord] shards = N"));
    assert_null(strstr(said + 1, "discord.shard.5-of-8")); /* once */
    assert_int_equal(sum(w.taken), 4); /* its own count's parts are still run */
    tend_share_stop(w.share);
    uv_run(&loop, UV_RUN_NOWAIT);
    tend_share_release_free(w.share);
    assert_int_equal(uv_loop_close(&loop), 0);
    testkit_shared_close(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_fair_share_is_the_parts_over_the_processes_rounded_up),
        cmocka_unit_test(a_lease_name_stands_for_one_part_of_one_count),
        cmocka_unit_test(free_given_back_and_run_out_leases_can_be_taken_and_only_run_out_ones_stalled),
        cmocka_unit_test(a_share_makes_room_for_a_newcomer_and_takes_back_from_a_stalled_one),
        cmocka_unit_test(another_count_held_by_a_live_process_is_named_in_the_log),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
