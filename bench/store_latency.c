/*
 * store_latency.c — the store's per-command latency on one backend: real commands through the
 * router (event-id dedupe, the handler's reads and writes, the outbox, one transaction each) on
 * a SQLite file or a PostgreSQL URL, timed one by one on this thread, as the loop would run them.
 *
 *   tend_store_latency [--thread] DATABASE COMMANDS    DATABASE: a file path, or postgresql://...
 *
 * With --thread each command runs on the store thread (app/storeq.h) and is timed from its submit
 * on a libuv loop to its result back on that loop: what the hop off the loop adds per command.
 * Prints one line: the backend, the command count, and p50/p95/p99/max in microseconds.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bot/bot.h"
#include "bot/command.h"
#include "lib/clock.h"
#include "lib/log.h"
#include "store/store.h"
#include "app/storeq.h"

static int64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int by_value(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* One command handed to the store thread, and its result back. */
typedef struct {
    tend_bot *bot;
    const tend_request *req;
    tend_messages *out;
    int rc;
    bool done;
} hop;

static void hop_work(void *ud)
{
    hop *h = ud;
    h->rc = tend_bot_handle(h->bot, h->req, h->out);
}

static void hop_done(void *ud)
{
    ((hop *)ud)->done = true;
}

/* The command through the store thread, waited for on the loop (one at a time, as a quiet bot). */
static int handle_on_thread(tend_storeq *q, uv_loop_t *loop, tend_bot *bot, const tend_request *req,
                            tend_messages *out)
{
    hop h = {.bot = bot, .req = req, .out = out, .rc = -1};
    if (tend_storeq_submit(q, hop_work, hop_done, &h) != 0)
        return -1;
    while (!h.done)
        uv_run(loop, UV_RUN_ONCE);
    return h.rc;
}

int main(int argc, char **argv)
{
    bool thread = argc == 4 && strcmp(argv[1], "--thread") == 0;
    if (thread) {
        argv++;
        argc--;
    }
    if (argc != 3) {
        fprintf(stderr, "usage: tend_store_latency [--thread] DATABASE COMMANDS\n");
        return 2;
    }
    char *end;
    long n = strtol(argv[2], &end, 10);
    if (*end || n < 10 || n > 1000000) {
        fprintf(stderr, "tend_store_latency: COMMANDS is a number from 10 to 1000000\n");
        return 2;
    }
    tend_log_set_level(TEND_LOG_ERROR);
    tend_store *store = NULL;
    char err[512];
    if (tend_store_open(argv[1], &store, err, sizeof err) != TEND_STORE_OK) {
        fprintf(stderr, "tend_store_latency: %s\n", err);
        return 1;
    }
    tend_clock *clock = tend_clock_create_fixed(1793610000LL); /* Monday 2 November 2026, 09:00 UTC */
    tend_bot *bot = tend_bot_create(store, clock, NULL);
    int64_t *took = calloc((size_t)n, sizeof *took);
    if (!clock || !bot || !took) {
        fprintf(stderr, "tend_store_latency: out of memory\n");
        return 1;
    }
    /* a board that moves: tasks put up, claimed, given back and done by ten members, the board read */
    static const char *const members[] = {"ana", "bea", "cai", "dev", "eli", "fay", "gus", "hal", "ivy", "jo"};
    tend_messages out;
    tend_messages_init(&out);
    int refused = 0;
    uv_loop_t loop;
    tend_storeq *q = NULL;
    if (thread && (uv_loop_init(&loop) != 0 || !(q = tend_storeq_create(&loop)))) {
        fprintf(stderr, "tend_store_latency: cannot start the store thread\n");
        return 1;
    }
    for (long i = 0; i < n; i++) {
        char text[96], event[32];
        long task = i / 5 + 1;
        switch (i % 5) {
        case 0: snprintf(text, sizeof text, "task add Soup run number %ld", task); break;
        case 1: snprintf(text, sizeof text, "claim %ld", task); break;
        case 2: snprintf(text, sizeof text, "tasks"); break;
        case 3: snprintf(text, sizeof text, "checkin ok"); break;
        default: snprintf(text, sizeof text, "done %ld", task); break;
        }
        snprintf(event, sizeof event, "ev%ld", i);
        const char *who = members[(i / 5) % 10];
        tend_request req = {.group_key = "console:bench", .channel_key = "console:channel", .member_key = who,
                            .member_name = who, .is_coordinator = true, .text = text, .event_id = event,
                            .place = TEND_PLACE_PRIVATE};
        tend_messages_clear(&out);
        int64_t t0 = now_us();
        if ((q ? handle_on_thread(q, &loop, bot, &req, &out) : tend_bot_handle(bot, &req, &out)) != TEND_OK)
            refused++; /* a member's mistake is answered too; a store failure fails below */
        took[i] = now_us() - t0;
        tend_clock_advance(clock, 60);
    }
    if (q) {
        tend_storeq_close(q);
        uv_run(&loop, UV_RUN_DEFAULT);
        uv_loop_close(&loop);
    }
    qsort(took, (size_t)n, sizeof *took, by_value);
    int failing = tend_store_failing(store);
    printf("%s%s: %ld commands (%d refused); per command p50 %" PRId64 " us, p95 %" PRId64 " us, p99 %" PRId64
           " us, max %" PRId64 " us\n",
           tend_store_is_url(argv[1]) ? "postgresql" : "sqlite", q ? " (store thread)" : "", n, refused, took[n / 2], took[n * 95 / 100],
           took[n * 99 / 100], took[n - 1]);
    tend_messages_clear(&out);
    free(took);
    tend_bot_destroy(bot);
    tend_clock_destroy(clock);
    tend_store_close(store);
    if (failing != TEND_STORE_OK)
        fprintf(stderr, "tend_store_latency: the store failed: %d\n", failing);
    return failing == TEND_STORE_OK ? 0 : 1;
}
