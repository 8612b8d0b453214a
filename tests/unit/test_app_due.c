/*
 * test_app_due.c — after a chat platform's command, the next due time is looked for at most once
 * a second (issue 17: the look was 7% of an interaction on SQLite). What a command in a burst made
 * due must still go out within that second: the scheduler's timer is armed within it, and when it
 * fires the tick looks. The console answers a keyboard and looks after every command.
 *
 * The real app around the kit's bot, with the handles tend_app_run would open; commands go in
 * through the host a Discord adapter is given.
 */
#include "testkit.h"

#include <string.h>

#include "app/internal.h"

typedef struct {
    testkit *kit;
    testkit_app ta;
    tend_host discord;
    tend_host console;
} fixture;

/* What tend_app_run's open_handles does, minus the signal watchers' start (a test process keeps
 * its own SIGINT): the scheduler's timer and the handles tend_app_stop closes. */
static void fixture_open(fixture *f)
{
    memset(f, 0, sizeof *f);
    f->kit = testkit_new();
    testkit_app_open(f->kit, &f->ta);
    tend_app *app = f->ta.app;
    assert_int_equal(uv_timer_init(&f->ta.loop, &app->timer), 0);
    assert_int_equal(uv_signal_init(&f->ta.loop, &app->sigint), 0);
    assert_int_equal(uv_signal_init(&f->ta.loop, &app->sigterm), 0);
    app->timer.data = app->sigint.data = app->sigterm.data = app;
    app->handles_open = true;
    tend_app_host_init(app, &f->discord, "discord");
    tend_app_host_init(app, &f->console, "console");
}

static void fixture_close(fixture *f)
{
    testkit_app_close(&f->ta);
    testkit_free(f->kit);
}

static void command(tend_host *h, const char *group, const char *text)
{
    tend_request req = {
        .group_key = group,
        .channel_key = "discord:channel",
        .member_key = "ana",
        .member_name = "Ana",
        .is_coordinator = true,
        .place = TEND_PLACE_SHARED,
        .text = text,
    };
    assert_int_equal(h->ops->handle(h, &req), 0);
}

static uint64_t timer_due_in(fixture *f)
{
    assert_true(uv_is_active((uv_handle_t *)&f->ta.app->timer));
    return uv_timer_get_due_in(&f->ta.app->timer);
}

static void a_burst_of_commands_looks_once_and_the_timer_fires_within_a_second(void **state)
{
    (void)state;
    fixture f;
    fixture_open(&f);
    /* the first command looks: nothing is due for days, so the timer sleeps its longest */
    command(&f.discord, "discord:1", "task add Soup run");
    assert_true(timer_due_in(&f) > TEND_APP_DUE_LOOK_MS);
    /* the next, in the same second, does not look: the timer fires within the second instead */
    command(&f.discord, "discord:1", "task add Bread run");
    assert_true(timer_due_in(&f) <= TEND_APP_DUE_LOOK_MS);
    /* when it fires, the tick looks and the timer sleeps long again (other handles may wake the
     * loop first: turn it until then, for at most three seconds) */
    uint64_t start = uv_hrtime();
    while (timer_due_in(&f) <= TEND_APP_DUE_LOOK_MS && uv_hrtime() - start < 3000000000ULL)
        uv_run(&f.ta.loop, UV_RUN_ONCE);
    assert_true(timer_due_in(&f) > TEND_APP_DUE_LOOK_MS);
    assert_true(uv_hrtime() - start < 2000000000ULL);
    /* a second later a command looks again */
    f.ta.app->due_looked_ms -= TEND_APP_DUE_LOOK_MS;
    command(&f.discord, "discord:1", "task add Tea run");
    assert_true(timer_due_in(&f) > TEND_APP_DUE_LOOK_MS);
    fixture_close(&f);
}

static void the_console_looks_after_every_command(void **state)
{
    (void)state;
    fixture f;
    fixture_open(&f);
    command(&f.console, "console:test", "task add Soup run");
    assert_true(timer_due_in(&f) > TEND_APP_DUE_LOOK_MS);
    command(&f.console, "console:test", "task add Bread run");
    assert_true(timer_due_in(&f) > TEND_APP_DUE_LOOK_MS);
    fixture_close(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_burst_of_commands_looks_once_and_the_timer_fires_within_a_second),
        cmocka_unit_test(the_console_looks_after_every_command),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
