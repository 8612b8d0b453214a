/* test_store_lease.c — leases shared by several tend processes on one database (store_lease.h):
 * one holder at a time, renewals keep it, a lapsed lease goes to the next taker with a new epoch,
 * a release frees it at once, and processes racing for a free lease get exactly one winner. Runs on
 * a SQLite file and, as unit.test_store_lease.pg, on PostgreSQL. */
#include "testkit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "store/store_lease.h"

#define T0 1700000000000LL /* ms */
#define TTL 15000


static void one_holder_until_it_lapses_then_the_next_with_a_new_epoch(void **state)
{
    (void)state;
    tend_store *s = testkit_shared_open();
    int64_t epoch = 0;
    assert_int_equal(tend_store_lease_take(s, "discord.shard.0", "a", T0, TTL, &epoch), TEND_STORE_OK);
    assert_int_equal(epoch, 1);
    /* b cannot take it while a's time runs, up to its last millisecond */
    assert_int_equal(tend_store_lease_take(s, "discord.shard.0", "b", T0 + 1, TTL, &epoch), TEND_STORE_EXISTS);
    assert_int_equal(tend_store_lease_take(s, "discord.shard.0", "b", T0 + TTL - 1, TTL, NULL), TEND_STORE_EXISTS);
    /* a renews: same epoch, later end */
    assert_int_equal(tend_store_lease_take(s, "discord.shard.0", "a", T0 + 5000, TTL, &epoch), TEND_STORE_OK);
    assert_int_equal(epoch, 1);
    assert_int_equal(tend_store_lease_take(s, "discord.shard.0", "b", T0 + TTL, TTL, NULL), TEND_STORE_EXISTS);
    /* a stops renewing: once its end passed, b takes it, and the epoch moves on */
    assert_int_equal(tend_store_lease_take(s, "discord.shard.0", "b", T0 + 5000 + TTL, TTL, &epoch), TEND_STORE_OK);
    assert_int_equal(epoch, 2);
    /* a, back late, has lost it: its renewal is refused and changes nothing */
    assert_int_equal(tend_store_lease_take(s, "discord.shard.0", "a", T0 + 5000 + TTL + 1, TTL, &epoch),
                     TEND_STORE_EXISTS);
    /* other leases are apart */
    assert_int_equal(tend_store_lease_take(s, "discord.shard.1", "a", T0 + 5000 + TTL + 1, TTL, &epoch), TEND_STORE_OK);
    assert_int_equal(epoch, 1);
    testkit_shared_close(s);
}

static void a_release_frees_it_at_once_and_only_its_holder_can(void **state)
{
    (void)state;
    tend_store *s = testkit_shared_open();
    int64_t epoch = 0;
    assert_int_equal(tend_store_lease_take(s, "matrix.sync", "a", T0, TTL, &epoch), TEND_STORE_OK);
    assert_int_equal(tend_store_lease_release(s, "matrix.sync", "b"), TEND_STORE_NOTFOUND);
    assert_int_equal(tend_store_lease_take(s, "matrix.sync", "b", T0 + 1, TTL, NULL), TEND_STORE_EXISTS);
    assert_int_equal(tend_store_lease_release(s, "matrix.sync", "a"), TEND_STORE_OK);
    assert_int_equal(tend_store_lease_release(s, "matrix.sync", "a"), TEND_STORE_NOTFOUND);
    assert_int_equal(tend_store_lease_take(s, "matrix.sync", "b", T0 + 2, TTL, &epoch), TEND_STORE_OK);
    assert_int_equal(epoch, 2);
    testkit_shared_close(s);
}

struct listing {
    char seen[8][TEND_LEASE_NAME_MAX + TEND_LEASE_HOLDER_MAX + 32];
    int n;
};

static int list_one(const tend_store_lease *lease, void *ud)
{
    struct listing *l = ud;
    if (l->n < 8)
        snprintf(l->seen[l->n++], sizeof l->seen[0], "%s=%s@%lld#%lld", lease->name, lease->holder,
                 (long long)(lease->expires_at - T0), (long long)lease->epoch);
    return 0;
}

/* A holder known to be gone (an earlier run on this host) is taken over at once, before its time
 * runs out; but only while it still holds the lease. */
static void a_gone_holder_is_taken_over_at_once_but_only_from_it(void **state)
{
    (void)state;
    tend_store *s = testkit_shared_open();
    int64_t epoch = 0;
    assert_int_equal(tend_store_lease_take(s, "matrix.sync", "host:100", T0, TTL, &epoch), TEND_STORE_OK);
    assert_int_equal(tend_store_lease_take_from(s, "matrix.sync", "host:200", "host:100", T0 + 1, TTL, &epoch),
                     TEND_STORE_OK);
    assert_int_equal(epoch, 2);
    /* host:100's lease is gone: taking "from" it again, or from anyone not holding it, changes nothing */
    assert_int_equal(tend_store_lease_take_from(s, "matrix.sync", "host:300", "host:100", T0 + 2, TTL, NULL),
                     TEND_STORE_EXISTS);
    assert_int_equal(tend_store_lease_take(s, "matrix.sync", "host:300", T0 + 2, TTL, NULL), TEND_STORE_EXISTS);
    assert_int_equal(tend_store_lease_take_from(s, "nothing", "host:300", "host:100", T0 + 2, TTL, NULL),
                     TEND_STORE_EXISTS);
    struct listing l = {0};
    assert_int_equal(tend_store_lease_each(s, "", list_one, &l), TEND_STORE_OK);
    assert_int_equal(l.n, 1);
    assert_string_equal(l.seen[0], "matrix.sync=host:200@15001#2");
    testkit_shared_close(s);
}

/* A process's own lease goes with it, and those of processes killed long ago are forgotten. */
static void own_leases_are_dropped_and_old_ones_forgotten(void **state)
{
    (void)state;
    tend_store *s = testkit_shared_open();
    assert_int_equal(tend_store_lease_take(s, "process.h:1", "h:1", T0, TTL, NULL), TEND_STORE_OK);
    assert_int_equal(tend_store_lease_take(s, "process.h:2", "h:2", T0 - 3 * TTL, TTL, NULL), TEND_STORE_OK);
    assert_int_equal(tend_store_lease_take(s, "process.h:3", "h:3", T0 + 1, TTL, NULL), TEND_STORE_OK);
    assert_int_equal(tend_store_lease_take(s, "matrix.sync", "h:2", T0 - 3 * TTL, TTL, NULL), TEND_STORE_OK);
    assert_int_equal(tend_store_lease_drop(s, "process.h:1", "h:9"), TEND_STORE_NOTFOUND);
    assert_int_equal(tend_store_lease_drop(s, "process.h:1", "h:1"), TEND_STORE_OK);
    int removed = -1;
    /* ran out before T0: h:2's process lease goes, the shared matrix.sync (another prefix) stays */
    assert_int_equal(tend_store_lease_forget(s, "process.", T0, &removed), TEND_STORE_OK);
    assert_int_equal(removed, 1);
    struct listing l = {0};
    assert_int_equal(tend_store_lease_each(s, "", list_one, &l), TEND_STORE_OK);
    assert_int_equal(l.n, 2);
    assert_string_equal(l.seen[0], "matrix.sync=h:2@-30000#1");
    assert_string_equal(l.seen[1], "process.h:3=h:3@15001#1");
    testkit_shared_close(s);
}

static void bad_names_and_times_are_refused(void **state)
{
    (void)state;
    tend_store *s = testkit_shared_open();
    char long_name[TEND_LEASE_NAME_MAX + 1];
    memset(long_name, 'x', sizeof long_name - 1);
    long_name[sizeof long_name - 1] = '\0';
    assert_int_equal(tend_store_lease_take(s, "", "a", T0, TTL, NULL), TEND_STORE_ERROR);
    assert_int_equal(tend_store_lease_take(s, "x", "", T0, TTL, NULL), TEND_STORE_ERROR);
    assert_int_equal(tend_store_lease_take(s, long_name, "a", T0, TTL, NULL), TEND_STORE_ERROR);
    assert_int_equal(tend_store_lease_take(s, "x", "a", T0, 0, NULL), TEND_STORE_ERROR);
    assert_int_equal(tend_store_lease_take(s, "x", "a", INT64_MAX, TTL, NULL), TEND_STORE_ERROR);
    /* none of them wrote a row */
    struct listing l = {0};
    assert_int_equal(tend_store_lease_each(s, "", list_one, &l), TEND_STORE_OK);
    assert_int_equal(l.n, 0);
    testkit_shared_close(s);
}

static void the_leases_are_listed_by_prefix(void **state)
{
    (void)state;
    tend_store *s = testkit_shared_open();
    assert_int_equal(tend_store_lease_take(s, "discord.shard.1", "b", T0, TTL, NULL), TEND_STORE_OK);
    assert_int_equal(tend_store_lease_take(s, "discord.shard.0", "a", T0, TTL, NULL), TEND_STORE_OK);
    assert_int_equal(tend_store_lease_take(s, "discord_x", "c", T0, TTL, NULL), TEND_STORE_OK);
    assert_int_equal(tend_store_lease_take(s, "matrix.sync", "a", T0, TTL, NULL), TEND_STORE_OK);
    assert_int_equal(tend_store_lease_release(s, "matrix.sync", "a"), TEND_STORE_OK);
    struct listing l = {0};
    assert_int_equal(tend_store_lease_each(s, "discord.", list_one, &l), TEND_STORE_OK);
    assert_int_equal(l.n, 2);
    assert_string_equal(l.seen[0], "discord.shard.0=a@15000#1");
    assert_string_equal(l.seen[1], "discord.shard.1=b@15000#1");
    /* a prefix is taken as it is written: '_' is no wildcard (LIKE 'discord_%' would list all three) */
    memset(&l, 0, sizeof l);
    assert_int_equal(tend_store_lease_each(s, "discord_", list_one, &l), TEND_STORE_OK);
    assert_int_equal(l.n, 1);
    assert_string_equal(l.seen[0], "discord_x=c@15000#1");
    memset(&l, 0, sizeof l);
    assert_int_equal(tend_store_lease_each(s, "", list_one, &l), TEND_STORE_OK);
    assert_int_equal(l.n, 4);
    assert_string_equal(l.seen[3], "matrix.sync=a@-1700000000000#1"); /* released: ended at 0 */
    testkit_shared_close(s);
}

/* Processes racing for the same free lease at the same moment, each on its own connection: one
 * wins each round, never two (nor none), and the table names that one. */
struct race_result {
    int round, kid, won;
};

static void processes_racing_for_a_free_lease_get_one_winner(void **state)
{
    (void)state;
    tend_store *s = testkit_shared_open();
    enum { KIDS = 4, ROUNDS = 25 };
    int go[KIDS][2], results[2]; /* a start pipe per kid: a fast kid must not take another's start */
    for (int k = 0; k < KIDS; k++)
        assert_int_equal(pipe(go[k]), 0);
    assert_int_equal(pipe(results), 0);
    pid_t kids[KIDS];
    for (int k = 0; k < KIDS; k++) {
        kids[k] = fork();
        assert_true(kids[k] >= 0);
        if (kids[k] == 0) {
            for (int j = 0; j < KIDS; j++) {
                close(go[j][1]);
                if (j != k)
                    close(go[j][0]);
            }
            close(results[0]);
            tend_store *mine = testkit_shared_again();
            char holder[16], name[32];
            snprintf(holder, sizeof holder, "kid%d", k);
            for (int r = 0; r < ROUNDS; r++) {
                char c;
                if (read(go[k][0], &c, 1) != 1) /* the round's start */
                    _exit(100);
                snprintf(name, sizeof name, "race:%02d", r);
                int rc = tend_store_lease_take(mine, name, holder, T0, TTL, NULL);
                if (rc != TEND_STORE_OK && rc != TEND_STORE_EXISTS)
                    _exit(101);
                struct race_result out = {r, k, rc == TEND_STORE_OK};
                if (write(results[1], &out, sizeof out) != (ssize_t)sizeof out)
                    _exit(102);
            }
            tend_store_close(mine);
            _exit(0);
        }
    }
    for (int k = 0; k < KIDS; k++)
        close(go[k][0]);
    close(results[1]);
    for (int r = 0; r < ROUNDS; r++) {
        /* every kid is let go at once, and the next round waits for all of this one's answers */
        for (int k = 0; k < KIDS; k++)
            assert_int_equal(write(go[k][1], "g", 1), 1);
        int winners = 0, winner = -1;
        for (int k = 0; k < KIDS; k++) {
            struct race_result in;
            assert_int_equal(read(results[0], &in, sizeof in), (ssize_t)sizeof in);
            assert_int_equal(in.round, r);
            if (in.won) {
                winners++;
                winner = in.kid;
            }
        }
        assert_int_equal(winners, 1);
        char name[32], want[64];
        snprintf(name, sizeof name, "race:%02d", r);
        struct listing l = {0};
        assert_int_equal(tend_store_lease_each(s, name, list_one, &l), TEND_STORE_OK);
        assert_int_equal(l.n, 1);
        snprintf(want, sizeof want, "race:%02d=kid%d@15000#1", r, winner);
        assert_string_equal(l.seen[0], want);
    }
    for (int k = 0; k < KIDS; k++)
        close(go[k][1]);
    close(results[0]);
    for (int k = 0; k < KIDS; k++) {
        int status = 0;
        assert_int_equal(waitpid(kids[k], &status, 0), kids[k]);
        assert_true(WIFEXITED(status));
        assert_int_equal(WEXITSTATUS(status), 0);
    }
    testkit_shared_close(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(one_holder_until_it_lapses_then_the_next_with_a_new_epoch),
        cmocka_unit_test(a_release_frees_it_at_once_and_only_its_holder_can),
        cmocka_unit_test(a_gone_holder_is_taken_over_at_once_but_only_from_it),
        cmocka_unit_test(own_leases_are_dropped_and_old_ones_forgotten),
        cmocka_unit_test(bad_names_and_times_are_refused),
        cmocka_unit_test(the_leases_are_listed_by_prefix),
        cmocka_unit_test(processes_racing_for_a_free_lease_get_one_winner),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
