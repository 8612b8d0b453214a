/*
 * test_scheduler_processes.c — several tend processes on one database (issue 21) fire each
 * scheduled post once between them: four processes tick at the same moment over forty groups whose
 * check-in is due, and every group gets exactly one prompt, from whichever process recorded the
 * firing first (bot/scheduler.c records it in the same transaction as the post, and a process that
 * finds it recorded rolls its own post back). On a SQLite file, and as .pg on PostgreSQL, where the
 * processes really write at once.
 */
#include "schedkit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bot/bot.h"

enum { GROUPS = 40, KIDS = 4 };

/* What one process said: which group each prompt went to. */
struct said {
    int prompts[GROUPS];
    int messages; /* of every kind */
    int failed_ticks;
};

static int group_index(const char *key)
{
    int i = -1;
    return key && sscanf(key, "console:g%d", &i) == 1 && i >= 0 && i < GROUPS ? i : -1;
}

static void kid(int go_fd, int out_fd)
{
    tend_store *store = testkit_shared_again();
    tend_clock *clock = tend_clock_create_fixed(TESTKIT_START + 9 * HOUR); /* Monday 18:00: due */
    tend_bot *bot = tend_bot_create(store, clock, NULL);
    tend_bot_use_outbox(bot); /* as the app does: each post written to the outbox with its firing */
    const char *platforms[] = {"console"};
    tend_bot_serve_platforms(bot, platforms, 1);
    struct said said = {0};
    char c;
    if (read(go_fd, &c, 1) != 1)
        _exit(100);
    /* a tick that meets another process's lock gives up for now (-1); the real app ticks again */
    for (int round = 0; round < 20; round++) {
        tend_messages out;
        tend_messages_init(&out);
        int rc = tend_bot_tick(bot, &out);
        said.messages += (int)out.count;
        for (size_t i = 0; i < out.count; i++)
            if (strcmp(out.items[i].kind, "checkin.prompt") == 0) {
                int g = group_index(out.items[i].group_key);
                if (g < 0)
                    _exit(101);
                said.prompts[g]++;
            }
        tend_messages_clear(&out);
        if (rc == 0)
            break;
        said.failed_ticks++;
        usleep(20000);
    }
    if (write(out_fd, &said, sizeof said) != (ssize_t)sizeof said)
        _exit(102);
    tend_bot_destroy(bot);
    tend_clock_destroy(clock);
    tend_store_close(store);
    _exit(0);
}

static void four_processes_ticking_at_once_prompt_each_group_once(void **state)
{
    (void)state;
    tend_store *store = testkit_shared_open();
    for (int i = 0; i < GROUPS; i++) {
        char key[32];
        snprintf(key, sizeof key, "console:g%d", i);
        tend_group g;
        assert_int_equal(tend_store_group_ensure(store, key, "console:channel", TESTKIT_START, &g), TEND_STORE_OK);
    }
    tend_store_close(store); /* the kids open it anew; the file stays for them */

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
            kid(go[k][0], results[1]);
        }
        close(go[k][0]);
    }
    close(results[1]);
    for (int k = 0; k < KIDS; k++) /* all at once */
        assert_int_equal(write(go[k][1], "g", 1), 1);
    int total[GROUPS] = {0}, processes_that_posted = 0, failed_ticks = 0, messages = 0;
    for (int k = 0; k < KIDS; k++) {
        struct said s;
        assert_int_equal(read(results[0], &s, sizeof s), (ssize_t)sizeof s);
        int mine = 0;
        for (int g = 0; g < GROUPS; g++) {
            total[g] += s.prompts[g];
            mine += s.prompts[g];
        }
        processes_that_posted += mine > 0;
        failed_ticks += s.failed_ticks;
        messages += s.messages;
    }
    for (int k = 0; k < KIDS; k++) {
        int status = 0;
        close(go[k][1]);
        assert_int_equal(waitpid(kids[k], &status, 0), kids[k]);
        assert_true(WIFEXITED(status));
        assert_int_equal(WEXITSTATUS(status), 0);
    }
    close(results[0]);
    for (int g = 0; g < GROUPS; g++)
        assert_int_equal(total[g], 1);
    printf("# %d of %d processes posted prompts; %d messages in all; %d ticks met a lock and were tried again\n",
           processes_that_posted, KIDS, messages, failed_ticks);

    /* and the outbox holds what the processes said, no more: a post rolled back left no row */
    store = testkit_shared_again();
    int64_t rows = 0;
    assert_int_equal(tend_store_outbox_count(store, &rows), TEND_STORE_OK);
    assert_int_equal(rows, messages);
    testkit_shared_close(store);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(four_processes_ticking_at_once_prompt_each_group_once),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
