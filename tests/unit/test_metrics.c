/* test_metrics.c — the metrics registry: values add up, label sets stay bounded and never carry a
 * name, and the text is Prometheus's exposition format (the integration suites parse it with the
 * Prometheus project's own parser; here, the exact lines). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <uv.h>

#include "lib/metrics.h"
#include "schedkit.h"

static const tend_metric_def commands = {
    "t_commands_total", "Commands.", TEND_METRIC_COUNTER, {"command", "outcome"}};
static const tend_metric_def connected = {"t_connected", "Connected.", TEND_METRIC_GAUGE, {"platform", NULL}};
static const tend_metric_def seconds = {"t_seconds", "Latency.", TEND_METRIC_HISTOGRAM, {"platform", NULL}};
static const tend_metric_def plain = {"t_plain_total", "No labels, a \\ and a\nnewline.", TEND_METRIC_COUNTER,
                                      {NULL, NULL}};

static int reset(void **state)
{
    (void)state;
    tend_metrics_reset();
    return 0;
}

static char *render(void)
{
    tend_strbuf sb = TEND_STRBUF_INIT;
    assert_int_equal(tend_metrics_render(&sb), 0);
    char *text = tend_strbuf_finish(&sb);
    assert_non_null(text);
    return text;
}

static void assert_has_line(const char *text, const char *line)
{
    size_t n = strlen(line);
    for (const char *p = text; (p = strstr(p, line)) != NULL; p++)
        if ((p == text || p[-1] == '\n') && (p[n] == '\n' || p[n] == '\0'))
            return;
    fail_msg("no line '%s' in:\n%s", line, text);
}

static void counters_and_gauges_add_up(void **state)
{
    (void)state;
    tend_metric_add(&commands, "claim", "ok", 1);
    tend_metric_add(&commands, "claim", "ok", 1);
    tend_metric_add(&commands, "claim", "usage", 1);
    tend_metric_add(&commands, "claim", "ok", -5); /* a counter never goes down */
    tend_metric_set(&connected, "discord", NULL, 1);
    tend_metric_set(&connected, "discord", NULL, 0);
    tend_metric_add(&connected, "matrix", NULL, 3);
    tend_metric_add(&connected, "matrix", NULL, -1); /* a gauge does */
    assert_true(tend_metric_value(&commands, "claim", "ok") == 2);
    assert_true(tend_metric_value(&commands, "claim", "usage") == 1);
    assert_true(tend_metric_value(&connected, "discord", NULL) == 0);
    assert_true(tend_metric_value(&connected, "matrix", NULL) == 2);
    assert_true(tend_metric_exists(&connected, "discord", NULL));
    assert_false(tend_metric_exists(&connected, "console", NULL));
    char *text = render();
    assert_has_line(text, "# HELP t_commands_total Commands.");
    assert_has_line(text, "# TYPE t_commands_total counter");
    assert_has_line(text, "t_commands_total{command=\"claim\",outcome=\"ok\"} 2");
    assert_has_line(text, "t_commands_total{command=\"claim\",outcome=\"usage\"} 1");
    assert_has_line(text, "# TYPE t_connected gauge");
    assert_has_line(text, "t_connected{platform=\"discord\"} 0");
    assert_has_line(text, "t_connected{platform=\"matrix\"} 2");
    assert_non_null(strstr(text, "\nprocess_resident_memory_bytes "));
    assert_non_null(strstr(text, "\nprocess_cpu_seconds_total "));
    assert_non_null(strstr(text, "\nprocess_open_fds "));
    free(text);
}

static void histograms_count_into_cumulative_buckets(void **state)
{
    (void)state;
    tend_metric_observe(&seconds, "discord", NULL, 0.002);
    tend_metric_observe(&seconds, "discord", NULL, 0.3);
    tend_metric_observe(&seconds, "discord", NULL, 60);
    tend_metric_observe(&seconds, "discord", NULL, -1); /* nonsense is dropped */
    char *text = render();
    assert_has_line(text, "# TYPE t_seconds histogram");
    assert_has_line(text, "t_seconds_bucket{platform=\"discord\",le=\"0.001\"} 0");
    assert_has_line(text, "t_seconds_bucket{platform=\"discord\",le=\"0.0025\"} 1");
    assert_has_line(text, "t_seconds_bucket{platform=\"discord\",le=\"0.25\"} 1");
    assert_has_line(text, "t_seconds_bucket{platform=\"discord\",le=\"0.5\"} 2");
    assert_has_line(text, "t_seconds_bucket{platform=\"discord\",le=\"10\"} 2");
    assert_has_line(text, "t_seconds_bucket{platform=\"discord\",le=\"+Inf\"} 3");
    assert_has_line(text, "t_seconds_sum{platform=\"discord\"} 60.302");
    assert_has_line(text, "t_seconds_count{platform=\"discord\"} 3");
    assert_true(tend_metric_value(&seconds, "discord", NULL) == 3);
    free(text);
}

static void labels_never_carry_names_or_keys(void **state)
{
    (void)state;
    /* what could leak: a group key, a member's name, markup that would break the format */
    const char *odd[] = {"discord:81384788765712384", "Ana María", "@everyone", "x\"} 1\nfake 2",
                         "UPPER", "", "a-very-long-label-value-that-goes-past-the-limit"};
    for (size_t i = 0; i < sizeof odd / sizeof odd[0]; i++)
        tend_metric_add(&commands, odd[i], "ok", 1);
    tend_metric_add(&commands, NULL, "ok", 1);
    assert_true(tend_metric_value(&commands, "other", "ok") == 8);
    char *text = render();
    assert_has_line(text, "t_commands_total{command=\"other\",outcome=\"ok\"} 8");
    assert_null(strstr(text, "8138478876"));
    assert_null(strstr(text, "Ana"));
    assert_null(strstr(text, "fake"));
    assert_null(strstr(text, "everyone"));
    free(text);
}

static void a_family_holds_a_bounded_number_of_series(void **state)
{
    (void)state;
    for (int i = 0; i < 5000; i++) {
        char name[16];
        snprintf(name, sizeof name, "c%d", i);
        tend_metric_add(&commands, name, "ok", 1);
    }
    char *text = render();
    size_t lines = 0;
    for (const char *p = text; (p = strstr(p, "\nt_commands_total{")) != NULL; p++)
        lines++;
    assert_int_equal(lines, TEND_METRIC_SERIES_MAX);
    /* nothing was lost: what did not fit is counted under "other" */
    assert_true(tend_metric_value(&commands, "other", "other") == 5000 - (TEND_METRIC_SERIES_MAX - 1));
    free(text);
}

static void help_text_is_escaped(void **state)
{
    (void)state;
    tend_metric_add(&plain, NULL, NULL, 1);
    char *text = render();
    assert_has_line(text, "# HELP t_plain_total No labels, a \\\\ and a\\nnewline.");
    assert_has_line(text, "t_plain_total 1");
    free(text);
}

/* /healthz reads which leases this process holds from the tend_lease_held gauge: every series of
 * a family, walked in the order first touched. */
static const tend_metric_def leases = {"t_lease_held", "Leases.", TEND_METRIC_GAUGE, {"lease", NULL}};

typedef struct {
    char seen[8][64];
    int n, stop_after;
} walk;

static int see(const char *v0, const char *v1, double value, void *ud)
{
    walk *w = ud;
    assert_string_equal(v1, "");
    snprintf(w->seen[w->n++], sizeof w->seen[0], "%s=%g", v0, value);
    return w->n == w->stop_after ? 7 : 0;
}

static void a_family_can_be_walked(void **state)
{
    (void)state;
    tend_metric_set(&leases, "discord.shard.3-of-8", NULL, 1);
    tend_metric_set(&leases, "discord.shard.4-of-8", NULL, 0);
    tend_metric_set(&leases, "matrix.sync", NULL, 1);
    tend_metric_set(&leases, "process.vm:4242", NULL, 1); /* a ':' is never kept: "other" */

    walk w = {.stop_after = 0};
    assert_int_equal(tend_metric_each(&leases, see, &w), 0);
    assert_int_equal(w.n, 4); /* in the order first touched */
    assert_string_equal(w.seen[0], "discord.shard.3-of-8=1");
    assert_string_equal(w.seen[1], "discord.shard.4-of-8=0");
    assert_string_equal(w.seen[2], "matrix.sync=1");
    assert_string_equal(w.seen[3], "other=1");
    walk stopped = {.stop_after = 2};
    assert_int_equal(tend_metric_each(&leases, see, &stopped), 7);
    assert_int_equal(stopped.n, 2);
    walk none = {.stop_after = 0};
    assert_int_equal(tend_metric_each(&connected, see, &none), 0); /* a family never touched */
    assert_int_equal(none.n, 0);
}

/* The families the bot feeds, as an operator's dashboard reads them. */
static const tend_metric_def bot_commands = {"tend_commands_total", "", TEND_METRIC_COUNTER, {"command", "outcome"}};
static const tend_metric_def bot_seconds = {"tend_command_seconds", "", TEND_METRIC_HISTOGRAM, {"platform", NULL}};

static void the_router_counts_each_command_by_name_and_outcome(void **state)
{
    (void)state;
    testkit *kit = testkit_new();
    testkit_run(kit, "ana", 1, "task add \"Soup run\" slots:1");
    testkit_run(kit, "ana", 0, "claim 1");
    testkit_run(kit, "bea", 0, "claim 1");      /* full: a waitlist, still ok */
    testkit_run(kit, "bea", 0, "claim");        /* usage */
    testkit_run(kit, "bea", 0, "frobnicate 3"); /* not a command */
    testkit_run(kit, "bea", 0, "team");         /* coordinators only */
    assert_true(tend_metric_value(&bot_commands, "task_add", "ok") == 1);
    assert_true(tend_metric_value(&bot_commands, "claim", "ok") == 2);
    assert_true(tend_metric_value(&bot_commands, "claim", "usage") == 1);
    assert_true(tend_metric_value(&bot_commands, "unknown", "unknown") == 1);
    assert_true(tend_metric_value(&bot_commands, "team", "refused") == 1);
    assert_true(tend_metric_value(&bot_seconds, "console", NULL) == 6);
    char *text = render();
    assert_null(strstr(text, "frobnicate")); /* what a member typed never becomes a label */
    assert_null(strstr(text, "Soup"));
    assert_null(strstr(text, "ana"));
    free(text);
    testkit_free(kit);
}

static const tend_metric_def scheduled = {"tend_scheduled_posts_total", "", TEND_METRIC_COUNTER, {"kind", "outcome"}};

static void the_scheduler_counts_posts_fired_and_skipped(void **state)
{
    (void)state;
    testkit *kit = testkit_new();
    make_group(kit, "UTC", "mon 18:00", "fri 18:00");
    set_now(kit, TESTKIT_START + 9 * HOUR + 1 * HOUR); /* Monday 19:00: an hour late, within grace */
    assert_int_equal(testkit_tick(kit), 0);
    assert_int_equal(testkit_tick(kit), 0); /* fired once, counted once */
    set_now(kit, TESTKIT_START + 7 * DAY + 16 * HOUR); /* next Monday, 7 hours late: skipped */
    assert_int_equal(testkit_tick(kit), 0);
    assert_true(tend_metric_value(&scheduled, "checkin", "fired") == 1);
    assert_true(tend_metric_value(&scheduled, "checkin", "skipped") == 1);
    testkit_free(kit);
}

/* The router and scheduler count on the store thread while adapters count and /metrics renders on
 * the loop (store/postgres/SEAM.md): two threads adding to the same series and making new ones
 * while a third renders lose no count. Without the registry's lock the sums come out short. */
enum { ADDS = 100000 };

typedef struct {
    const char *outcome;
    uv_barrier_t *all;
} counter_thread;

static void count_many(void *arg)
{
    counter_thread *c = arg;
    uv_barrier_wait(c->all);
    for (int i = 0; i < ADDS; i++) {
        tend_metric_add(&commands, "claim", "ok", 1);
        tend_metric_observe(&seconds, c->outcome, NULL, 0.002);
        if (i % 1000 == 0) /* new series appear while the other thread walks the list */
            tend_metric_add(&commands, c->outcome, i % 2000 ? "usage" : "ok", 1);
    }
}

static void render_many(void *arg)
{
    counter_thread *c = arg;
    uv_barrier_wait(c->all);
    for (int i = 0; i < 200; i++)
        free(render());
}

static void two_threads_lose_no_count(void **state)
{
    (void)state;
    uv_barrier_t all;
    assert_int_equal(uv_barrier_init(&all, 3), 0);
    counter_thread a = {.outcome = "discord", .all = &all}, b = {.outcome = "matrix", .all = &all};
    counter_thread r = {.all = &all};
    uv_thread_t ta, tb, tr;
    assert_int_equal(uv_thread_create(&ta, count_many, &a), 0);
    assert_int_equal(uv_thread_create(&tb, count_many, &b), 0);
    assert_int_equal(uv_thread_create(&tr, render_many, &r), 0);
    uv_thread_join(&ta);
    uv_thread_join(&tb);
    uv_thread_join(&tr);
    uv_barrier_destroy(&all);
    assert_true(tend_metric_value(&commands, "claim", "ok") == 2.0 * ADDS);
    assert_true(tend_metric_value(&seconds, "discord", NULL) == ADDS);
    assert_true(tend_metric_value(&seconds, "matrix", NULL) == ADDS);
    assert_true(tend_metric_value(&commands, "discord", "ok") + tend_metric_value(&commands, "discord", "usage") ==
                ADDS / 1000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(counters_and_gauges_add_up, reset),
        cmocka_unit_test_setup(histograms_count_into_cumulative_buckets, reset),
        cmocka_unit_test_setup(labels_never_carry_names_or_keys, reset),
        cmocka_unit_test_setup(a_family_holds_a_bounded_number_of_series, reset),
        cmocka_unit_test_setup(help_text_is_escaped, reset),
        cmocka_unit_test_setup(a_family_can_be_walked, reset),
        cmocka_unit_test_setup_teardown(the_router_counts_each_command_by_name_and_outcome, reset, reset),
        cmocka_unit_test_setup_teardown(the_scheduler_counts_posts_fired_and_skipped, reset, reset),
        cmocka_unit_test_setup_teardown(two_threads_lose_no_count, reset, reset),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
