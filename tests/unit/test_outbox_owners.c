/* test_outbox_owners.c — each outbox row names the process that sends it (issue 21): a process
 * loads only its own rows, sees the other owners, and takes a gone process's rows in one
 * compare-and-set, so that processes claiming at once share the rows out, each row to one. On a
 * SQLite file, and as .pg on PostgreSQL. */
#include "testkit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "store/store_outbox.h"


static int64_t add(tend_store *s, const char *dest)
{
    int64_t id = 0;
    assert_int_equal(tend_store_outbox_add(s, "discord", dest, NULL, "{}", TESTKIT_START, &id), TEND_STORE_OK);
    return id;
}

struct ids {
    int64_t id[512];
    int n;
};

static int collect(const tend_outbox_row *row, void *ud)
{
    struct ids *ids = ud;
    if (ids->n < 512)
        ids->id[ids->n++] = row->id;
    return 0;
}

struct owners {
    char name[8][64];
    int n;
};

static int collect_owner(const char *owner, void *ud)
{
    struct owners *o = ud;
    if (o->n < 8)
        snprintf(o->name[o->n++], sizeof o->name[0], "%s", owner);
    return 0;
}

static void each_process_loads_its_own_and_takes_a_gone_ones_once(void **state)
{
    (void)state;
    tend_store *s = testkit_shared_open();
    int64_t old = add(s, "c1"); /* written before owners existed: owner "" */
    assert_int_equal(tend_store_outbox_set_owner(s, "host:1"), TEND_STORE_OK);
    int64_t a1 = add(s, "c1"), a2 = add(s, "c2");
    assert_int_equal(tend_store_outbox_set_owner(s, "host:2"), TEND_STORE_OK);
    int64_t b1 = add(s, "c1");

    struct ids mine = {0};
    assert_int_equal(tend_store_outbox_each(s, "discord", collect, &mine), TEND_STORE_OK);
    assert_int_equal(mine.n, 1);
    assert_int_equal(mine.id[0], b1);

    struct owners o = {0};
    assert_int_equal(tend_store_outbox_owners(s, "discord", collect_owner, &o), TEND_STORE_OK);
    assert_int_equal(o.n, 2);
    assert_string_equal(o.name[0], "");
    assert_string_equal(o.name[1], "host:1");

    /* host:1 is gone: its rows come to host:2, in id order, once */
    struct ids took = {0};
    assert_int_equal(tend_store_outbox_claim(s, "discord", "host:1", collect, &took), TEND_STORE_OK);
    assert_int_equal(took.n, 2);
    assert_int_equal(took.id[0], a1);
    assert_int_equal(took.id[1], a2);
    memset(&took, 0, sizeof took);
    assert_int_equal(tend_store_outbox_claim(s, "discord", "host:1", collect, &took), TEND_STORE_OK);
    assert_int_equal(took.n, 0);
    assert_int_equal(tend_store_outbox_claim(s, "discord", "", collect, &took), TEND_STORE_OK);
    assert_int_equal(took.n, 1);
    assert_int_equal(took.id[0], old);
    /* another platform's rows are not touched */
    assert_int_equal(tend_store_outbox_claim(s, "matrix", "host:2", collect, &took), TEND_STORE_OK);
    assert_int_equal(took.n, 1);

    memset(&mine, 0, sizeof mine);
    assert_int_equal(tend_store_outbox_each(s, "discord", collect, &mine), TEND_STORE_OK);
    assert_int_equal(mine.n, 4);
    memset(&o, 0, sizeof o);
    assert_int_equal(tend_store_outbox_owners(s, "discord", collect_owner, &o), TEND_STORE_OK);
    assert_int_equal(o.n, 0);

    char long_owner[200];
    memset(long_owner, 'x', sizeof long_owner - 1);
    long_owner[sizeof long_owner - 1] = '\0';
    assert_int_equal(tend_store_outbox_set_owner(s, long_owner), TEND_STORE_ERROR);
    testkit_shared_close(s);
}

/* Four processes claim a gone process's 300 rows at the same moment: every row is taken by exactly
 * one of them. */
static void processes_claiming_at_once_take_each_row_once(void **state)
{
    (void)state;
    enum { KIDS = 4, ROWS = 300 };
    tend_store *s = testkit_shared_open();
    assert_int_equal(tend_store_outbox_set_owner(s, "gone:9"), TEND_STORE_OK);
    assert_int_equal(tend_store_begin(s), TEND_STORE_OK);
    for (int i = 0; i < ROWS; i++)
        add(s, i % 2 ? "c1" : "c2");
    assert_int_equal(tend_store_commit(s), TEND_STORE_OK);
    int go[KIDS][2], results[2];
    assert_int_equal(pipe(results), 0);
    pid_t kids[KIDS];
    for (int k = 0; k < KIDS; k++) {
        assert_int_equal(pipe(go[k]), 0);
        kids[k] = fork();
        assert_true(kids[k] >= 0);
        if (kids[k] == 0) {
            close(results[0]);
            close(go[k][1]);
            tend_store *mine = testkit_shared_again();
            char owner[16];
            snprintf(owner, sizeof owner, "kid:%d", k);
            tend_store_outbox_set_owner(mine, owner);
            char c;
            if (read(go[k][0], &c, 1) != 1)
                _exit(100);
            struct ids took = {0};
            int rc = tend_store_outbox_claim(mine, "discord", "gone:9", collect, &took);
            for (int tries = 0; rc == TEND_STORE_BUSY && tries < 50; tries++) {
                usleep(10000); /* SQLite: another claimer holds the write lock past the busy wait */
                rc = tend_store_outbox_claim(mine, "discord", "gone:9", collect, &took);
            }
            if (rc != TEND_STORE_OK)
                _exit(101);
            if (write(results[1], &took, sizeof took) != (ssize_t)sizeof took)
                _exit(102);
            tend_store_close(mine);
            _exit(0);
        }
        close(go[k][0]);
    }
    close(results[1]);
    for (int k = 0; k < KIDS; k++)
        assert_int_equal(write(go[k][1], "g", 1), 1);
    static int seen[ROWS + 1];
    memset(seen, 0, sizeof seen);
    int total = 0, claimers = 0;
    for (int k = 0; k < KIDS; k++) {
        struct ids took;
        assert_int_equal(read(results[0], &took, sizeof took), (ssize_t)sizeof took);
        claimers += took.n > 0;
        for (int i = 0; i < took.n; i++) {
            assert_true(took.id[i] >= 1 && took.id[i] <= ROWS);
            seen[took.id[i]]++;
            if (i)
                assert_true(took.id[i] > took.id[i - 1]); /* each share in id order */
        }
        total += took.n;
    }
    for (int k = 0; k < KIDS; k++) {
        int status = 0;
        close(go[k][1]);
        assert_int_equal(waitpid(kids[k], &status, 0), kids[k]);
        assert_true(WIFEXITED(status));
        assert_int_equal(WEXITSTATUS(status), 0);
    }
    close(results[0]);
    assert_int_equal(total, ROWS);
    for (int i = 1; i <= ROWS; i++)
        assert_int_equal(seen[i], 1);
    printf("# %d rows taken by %d of %d claimers\n", ROWS, claimers, KIDS);
    testkit_shared_close(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(each_process_loads_its_own_and_takes_a_gone_ones_once),
        cmocka_unit_test(processes_claiming_at_once_take_each_row_once),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
