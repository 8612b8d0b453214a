/*
 * driver.c — plays Discord to the real tend binary and measures it from outside.
 *
 * One process, one libuv loop, written in C (libuv + a small HTTP/websocket server in wire.c):
 * a Python double spends ~50 µs of interpreter time per request, which caps it near the figures we
 * want to measure; this driver spends a few µs per interaction, so tend is what saturates.
 *
 * It starts tend (127.0.0.1 only), serves GET /gateway/bot and the gateway (HELLO, READY, one
 * GUILD_CREATE per guild), answers every REST call tend makes with Discord's X-RateLimit headers
 * (a 5-per-5-s bucket per channel under one hash, a 5-per-5-s bucket per interaction token for its
 * callback and follow-ups, the global 50 a second for everything but interaction endpoints, 429s
 * past them) and refuses a callback later than Discord's 3 seconds (404, 10062). It sends
 * INTERACTION_CREATE at an offered rate, closed-loop with a window (saturation) or all at once
 * (--burst), and times each one until its callback arrives. Bounded: it stops after --duration,
 * or --timeout at the latest, and stops tend. Results are key=value lines on stdout.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <uv.h>

#define DEADLINE_NS 3000000000ULL  /* Discord refuses an interaction's first answer after 3 s */
#define BUCKET_WINDOW_S 5.0        /* the channel and interaction buckets: 5 requests per 5 s  */
#define BUCKET_LIMIT 5
#define HASH_MESSAGES "80c17d2f203122d936070c88c8d10f33"
#define HASH_CALLBACK "4b7c6a3b5e1f0d2a9c8b7a6f5e4d3c2b"
#define HASH_FOLLOWUP "d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6"

#include "bench/check.h"
#include "bench/mix.h"
#include "bench/proc.h"
#include "bench/wire.h"

typedef enum { S_START, S_GUILDS, S_REGISTER, S_PROBE, S_SETTLE, S_LOAD, S_DRAIN, S_DONE } stage;

typedef struct {
    const char *tend, *db, *log, *sync;
    mix_shape shape;
    double rate;          /* offered interactions per second; 0 = closed loop (saturation) */
    int window;           /* closed loop: interactions in flight                            */
    double duration;      /* seconds of load                                                */
    double timeout;       /* seconds for the whole run                                      */
    int heartbeat_ms;
    int prompts;          /* > 0: wait for this many channel posts (the scheduler minute)   */
    int global_limit;     /* requests per second outside interactions, as Discord's 50      */
    int cpu_ms;           /* > 0: stop the load after tend has used this much CPU           */
    int burst;            /* > 0: this many interactions at once, then wait for the answers */
    int guild_rate;       /* GUILD_CREATEs per second: paced, so an ACK never waits behind all */
    bool global_commands; /* tend registers its commands once, not once per guild            */
} options;

typedef struct {
    options o;
    uv_loop_t *loop;
    uv_process_t proc;
    bool proc_running;
    int port;
    wire_conn *gw;
    uv_timer_t tick;
    uv_check_t flush;
    stage st;
    uint64_t t_spawn, t_identify, t_registered, t_probe_sent, t_probe_answered, t_stage;
    uint64_t guilds_sent, registrations;
    uint64_t seq, probe_seq;
    mix_state *mix;
    /* load */
    uint64_t load_first_seq, load_sent, load_answered, load_start, load_end;
    uint64_t *sent_at;    /* by seq - load_first_seq; 0 once answered */
    size_t sent_cap;
    uint64_t in_time, late, late_followups;
    uint64_t right;           /* first answers in time with the right content (check.c)  */
    uint64_t wrong;           /* first answers Discord took but a member would not: wrong  */
    uint64_t throttled;       /* of the right ones: "too many commands, try again"          */
    uint64_t wrong_by_kind[KIND_COUNT];
    char wrong_first[160];    /* the first wrong one, for the report                      */
    FILE *dump;               /* TEND_BENCH_DUMP: every first answer, kind<TAB>body       */
    FILE *latencies;          /* TEND_BENCH_LATENCIES: each timed answer, when and how long */
    const char *smaps;        /* TEND_BENCH_SMAPS: prefix of tend's smaps copies (idle, peak) */
    long smaps_peak_kb;       /* the RSS of the last -peak copy                            */
    uint64_t smaps_next;      /* when to look at the RSS again during the load             */
    uint32_t *lat_us;
    size_t n_lat, lat_cap;
    proc_sample cpu0, cpu1;
    bool overloaded;
    /* heartbeats */
    uint64_t last_beat;
    double beat_late_max_ms;
    uint64_t beats;
    uint64_t reconnects;
    /* REST sink */
    uint64_t posts, first_post, last_post, dms, followups, status_429, other_requests;
    uint64_t global_window_start, global_count;
    uint64_t *chan_reset;  /* per guild channel: when its 5/5 s bucket refills (ns) */
    int *chan_left;
    uint64_t meanwhile_from; /* scheduler: latencies only of interactions sent after the first post */
    long rss_idle_kb, hwm_idle_kb;
} driver;

static driver D;

static uint64_t now_ns(void)
{
    return uv_hrtime();
}

static void fail(const char *why)
{
    fprintf(stderr, "driver: %s\n", why);
    printf("error=%s\n", why);
    if (D.proc_running)
        uv_process_kill(&D.proc, SIGKILL);
    exit(1);
}

/* ---------------------------------------------------------------- the gateway side */

static void send_frame(const char *json, size_t len)
{
    if (D.gw)
        wire_ws_queue(D.gw, json, len);
}

static void send_dispatch(const char *t, const char *data)
{
    char buf[2048];
    int n = snprintf(buf, sizeof buf, "{\"op\":0,\"s\":%llu,\"t\":\"%s\",\"d\":%s}",
                     (unsigned long long)++D.seq, t, data);
    send_frame(buf, (size_t)n);
}

/* Paced like Discord's own lazy guild stream: a heartbeat ACK queued now waits behind at most a
 * few milliseconds' worth of GUILD_CREATEs, not behind all 10,000. */
static void send_guilds(uint64_t t)
{
    char data[1024];
    uint64_t due = (uint64_t)((double)(t - D.t_stage) / 1e9 * D.o.guild_rate) + 1;
    for (; D.guilds_sent < due && D.guilds_sent < D.o.shape.guilds; D.guilds_sent++) {
        unsigned long long g = BENCH_GUILD_BASE + D.guilds_sent;
        unsigned long long c = BENCH_CHANNEL_BASE + D.guilds_sent;
        snprintf(data, sizeof data,
                 "{\"id\":\"%llu\",\"name\":\"Group %llu\",\"unavailable\":false,\"member_count\":%llu,"
                 "\"owner_id\":\"%llu\",\"channels\":[{\"id\":\"%llu\",\"type\":0,\"name\":\"general\"}],"
                 "\"roles\":[],\"joined_at\":\"2026-01-01T00:00:00.000000+00:00\"}",
                 g, (unsigned long long)D.guilds_sent, (unsigned long long)D.o.shape.members_per_guild,
                 (unsigned long long)BENCH_USER_BASE, c);
        send_dispatch("GUILD_CREATE", data);
    }
}

static void on_identify(void)
{
    D.t_identify = now_ns();
    /* the real seq numbers interactions use start after the guilds */
    char ready[512];
    /* the resume URL carries the port: without it tend could never come back after a drop */
    snprintf(ready, sizeof ready,
             "{\"v\":10,\"user\":{\"id\":\"100000000000000002\",\"username\":\"tend\",\"bot\":true},"
             "\"guilds\":[],\"session_id\":\"bench-session\",\"resume_gateway_url\":\"ws://127.0.0.1:%d/gw\","
             "\"application\":{\"id\":\"" BENCH_APP_ID "\",\"flags\":0}}",
             D.port);
    send_dispatch("READY", ready);
    D.st = S_GUILDS;
    D.t_stage = now_ns();
}

static void ws_open(wire_conn *c, void *ud)
{
    (void)ud;
    D.gw = c;
    char hello[128];
    int n = snprintf(hello, sizeof hello, "{\"op\":10,\"s\":null,\"t\":null,\"d\":{\"heartbeat_interval\":%d}}",
                     D.o.heartbeat_ms);
    send_frame(hello, (size_t)n);
}

static void ws_text(wire_conn *c, const char *text, size_t len, void *ud)
{
    (void)c;
    (void)ud;
    /* tend writes compact JSON ({"op":1,...}); the op is all the driver needs */
    const char *op = len > 6 ? strstr(text, "\"op\":") : NULL;
    int code = op && (size_t)(op - text) < len ? atoi(op + 5) : -1;
    if (code == 1) {
        uint64_t t = now_ns();
        if (D.last_beat && D.st == S_LOAD) {
            double late = (double)(t - D.last_beat) / 1e6 - D.o.heartbeat_ms;
            if (late > D.beat_late_max_ms)
                D.beat_late_max_ms = late;
            D.beats++;
        }
        D.last_beat = t;
        send_frame("{\"op\":11}", 9);
    } else if (code == 2 && D.st == S_START) {
        on_identify();
    } else if (code == 6) {
        send_dispatch("RESUMED", "{}");
    }
}

static void ws_close(wire_conn *c, void *ud)
{
    (void)ud;
    if (c == D.gw)
        D.gw = NULL;
    /* tend gave up on the connection (e.g. an ACK it did not read in time while its loop was
     * blocked): counted and reported; it resumes, and the run goes on */
    if (D.st < S_DRAIN)
        D.reconnects++;
}

/* ---------------------------------------------------------------- the REST side */

/* What the driver knows of one interaction of the load: its bucket counts and whether its first
 * answer came too late (then Discord forgets it: follow-ups are refused too). */
typedef struct {
    uint8_t callbacks, followups;
    uint8_t kind; /* check_kind: what a right first answer looks like */
    bool late;
} token_state;

static token_state *D_tokens; /* by seq - load_first_seq, beside D.sent_at */

static token_state *token_of(uint64_t seq)
{
    if (!D_tokens || seq < D.load_first_seq || seq - D.load_first_seq >= D.load_sent)
        return NULL;
    return &D_tokens[seq - D.load_first_seq];
}

typedef enum { ANSWER_IN_TIME, ANSWER_LATE, ANSWER_AGAIN, ANSWER_OTHER } answer_kind;

/* An interaction's first answer arrived: timed, and judged against Discord's 3 seconds. */
static answer_kind record_answer(uint64_t seq)
{
    uint64_t t = now_ns();
    if (seq == D.probe_seq && D.probe_seq) {
        D.t_probe_answered = t;
        return ANSWER_IN_TIME;
    }
    if (seq < D.load_first_seq || seq - D.load_first_seq >= D.load_sent)
        return ANSWER_OTHER;
    uint64_t sent = D.sent_at[seq - D.load_first_seq];
    if (!sent)
        return ANSWER_AGAIN; /* answered twice: not counted twice */
    D.sent_at[seq - D.load_first_seq] = 0;
    D.load_answered++;
    bool late = t - sent > DEADLINE_NS;
    if (late) {
        D.late++;
        token_of(seq)->late = true;
    } else {
        D.in_time++;
    }
    if (sent >= D.meanwhile_from) {
        if (D.n_lat == D.lat_cap) {
            D.lat_cap = D.lat_cap ? D.lat_cap * 2 : 1 << 16;
            D.lat_us = realloc(D.lat_us, D.lat_cap * sizeof *D.lat_us);
            if (!D.lat_us)
                fail("out of memory");
        }
        D.lat_us[D.n_lat++] = (uint32_t)((t - sent) / 1000);
        if (D.latencies) /* when each slow answer came shows what tend was doing then */
            fprintf(D.latencies, "%llu %llu %u %s\n", (unsigned long long)((sent - D.load_start) / 1000),
                    (unsigned long long)((t - D.load_start) / 1000), (unsigned)((t - sent) / 1000),
                    check_kind_name((check_kind)token_of(seq)->kind));
    }
    return late ? ANSWER_LATE : ANSWER_IN_TIME;
}

static uint64_t registrations_due(void)
{
    return D.o.global_commands ? 1 : D.o.shape.guilds;
}

/* Discord's global limit for the bot; interaction endpoints are exempt. */
static bool over_global(uint64_t t)
{
    if (D.o.global_limit <= 0)
        return false;
    if (t - D.global_window_start >= 1000000000ULL) {
        D.global_window_start = t;
        D.global_count = 0;
    }
    return ++D.global_count > (uint64_t)D.o.global_limit;
}

/* The headers Discord puts on every answer: the limit, what is left, when it resets, the bucket. */
static void rate_headers(char *out, size_t outlen, int limit, int used, double reset_after,
                         const char *bucket)
{
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    double reset = (double)now.tv_sec + (double)now.tv_nsec / 1e9 + reset_after;
    snprintf(out, outlen,
             "X-RateLimit-Limit: %d\r\nX-RateLimit-Remaining: %d\r\nX-RateLimit-Reset: %.3f\r\n"
             "X-RateLimit-Reset-After: %.3f\r\nX-RateLimit-Bucket: %s\r\n",
             limit, used < limit ? limit - used : 0, reset, reset_after, bucket);
}

static void answer_429(wire_conn *c, double retry_after, bool global, const char *bucket_headers)
{
    char headers[640], body[160];
    D.status_429++;
    snprintf(headers, sizeof headers, "Via: 1.1 google\r\nRetry-After: %d\r\nX-RateLimit-Scope: %s\r\n%s%s",
             (int)retry_after + 1, global ? "global" : "user", global ? "X-RateLimit-Global: true\r\n" : "",
             bucket_headers ? bucket_headers : "");
    int n = snprintf(body, sizeof body,
                     "{\"message\":\"You are being rate limited.\",\"retry_after\":%.3f,\"global\":%s}",
                     retry_after, global ? "true" : "false");
    wire_respond(c, 429, headers, body, (size_t)n);
}

/* Everything but interaction endpoints counts in the global limit: false when refused. */
static bool within_global(wire_conn *c, uint64_t t)
{
    if (!over_global(t))
        return true;
    answer_429(c, (double)(D.global_window_start + 1000000000ULL - t) / 1e9, true, NULL);
    return false;
}

static void channel_message(wire_conn *c, unsigned long long channel)
{
    uint64_t t = now_ns();
    if (!within_global(c, t))
        return;
    int used = 1;
    double reset_after = BUCKET_WINDOW_S;
    if (channel >= BENCH_CHANNEL_BASE && channel - BENCH_CHANNEL_BASE < D.o.shape.guilds) {
        size_t i = channel - BENCH_CHANNEL_BASE;
        if (t >= D.chan_reset[i]) {
            D.chan_reset[i] = t + (uint64_t)(BUCKET_WINDOW_S * 1e9);
            D.chan_left[i] = BUCKET_LIMIT;
        }
        reset_after = (double)(D.chan_reset[i] - t) / 1e9;
        if (D.chan_left[i] == 0) {
            char headers[320];
            rate_headers(headers, sizeof headers, BUCKET_LIMIT, BUCKET_LIMIT, reset_after, HASH_MESSAGES);
            answer_429(c, reset_after, false, headers);
            return;
        }
        used = BUCKET_LIMIT - --D.chan_left[i];
        D.posts++;
        if (!D.first_post)
            D.first_post = t;
        D.last_post = t;
    } else {
        D.dms++;
    }
    char headers[320], body[128];
    rate_headers(headers, sizeof headers, BUCKET_LIMIT, used, reset_after, HASH_MESSAGES);
    int n = snprintf(body, sizeof body, "{\"id\":\"%llu\",\"channel_id\":\"%llu\",\"type\":0}",
                     (unsigned long long)t, channel);
    wire_respond(c, 200, headers, body, (size_t)n);
}

/* A first answer's content: right, or counted wrong with the first reason kept for the report. */
static void judge(const token_state *ts, const wire_request *req, bool in_time)
{
    const char *why = check_callback((check_kind)ts->kind, req->body, req->body_len, D.o.shape.task_hi);
    if (D.dump)
        fprintf(D.dump, "%s\t%s\t%.*s\n", check_kind_name((check_kind)ts->kind), why ? why : "ok",
                (int)req->body_len, req->body);
    if (!why || why == check_throttled) {
        D.right += in_time;
        D.throttled += why != NULL;
        return;
    }
    D.wrong++;
    D.wrong_by_kind[ts->kind < KIND_COUNT ? ts->kind : 0]++;
    if (!D.wrong_first[0])
        snprintf(D.wrong_first, sizeof D.wrong_first, "%s: %s", check_kind_name((check_kind)ts->kind), why);
}

/* POST /interactions/{id}/{token}/callback: its own bucket per token, and Discord's 3 seconds. */
static void callback(wire_conn *c, uint64_t seq, const wire_request *req)
{
    answer_kind k = record_answer(seq);
    token_state *ts = token_of(seq);
    if (ts && (k == ANSWER_IN_TIME || k == ANSWER_LATE))
        judge(ts, req, k == ANSWER_IN_TIME);
    int used = ts ? (ts->callbacks < 255 ? ++ts->callbacks : 255) : 1;
    char headers[320];
    rate_headers(headers, sizeof headers, BUCKET_LIMIT, used, BUCKET_WINDOW_S, HASH_CALLBACK);
    if (used > BUCKET_LIMIT) {
        answer_429(c, BUCKET_WINDOW_S, false, headers);
    } else if (k == ANSWER_LATE) {
        wire_respond(c, 404, headers, "{\"message\":\"Unknown interaction\",\"code\":10062}", 46);
    } else if (k == ANSWER_AGAIN) {
        const char *body = "{\"message\":\"Interaction has already been acknowledged.\",\"code\":40060}";
        wire_respond(c, 400, headers, body, strlen(body));
    } else {
        wire_respond(c, 204, headers, NULL, 0);
    }
}

/* POST /webhooks/{app}/{token}: an interaction's follow-up, counted on its token. */
static void followup(wire_conn *c, const char *token)
{
    uint64_t seq = strncmp(token, "tok", 3) == 0 ? strtoull(token + 3, NULL, 10) : 0;
    token_state *ts = token_of(seq);
    int used = ts ? (ts->followups < 255 ? ++ts->followups : 255) : 1;
    char headers[320];
    rate_headers(headers, sizeof headers, BUCKET_LIMIT, used, BUCKET_WINDOW_S, HASH_FOLLOWUP);
    if (used > BUCKET_LIMIT) {
        answer_429(c, BUCKET_WINDOW_S, false, headers);
    } else if (ts && ts->late) {
        D.late_followups++;
        wire_respond(c, 404, headers, "{\"message\":\"Unknown Webhook\",\"code\":10015}", 42);
    } else {
        D.followups++;
        wire_respond(c, 200, headers, "{\"id\":\"1\",\"channel_id\":\"1\",\"type\":0}", 35);
    }
}

static void http(wire_conn *c, const wire_request *req, void *ud)
{
    (void)ud;
    const char *p = req->path;
    if (strncmp(p, "/api/v10", 8) == 0)
        p += 8;
    unsigned long long id;
    char headers[320];
    if (strncmp(p, "/interactions/", 14) == 0) {
        callback(c, strtoull(p + 14, NULL, 10) - D.o.shape.id_base, req);
    } else if (strncmp(p, "/webhooks/", 10) == 0) {
        const char *token = strchr(p + 10, '/');
        followup(c, token ? token + 1 : "");
    } else if (sscanf(p, "/channels/%llu/messages", &id) == 1) {
        channel_message(c, id);
    } else if (!within_global(c, now_ns())) {
        return;
    } else if (strcmp(p, "/users/@me/channels") == 0) {
        const char *r = memmem(req->body, req->body_len, "\"recipient_id\":\"", 16);
        unsigned long long user = r ? strtoull(r + 16, NULL, 10) : BENCH_USER_BASE;
        char body[96];
        int n = snprintf(body, sizeof body, "{\"id\":\"%llu\",\"type\":1}",
                         BENCH_DM_BASE + (user - BENCH_USER_BASE));
        rate_headers(headers, sizeof headers, 10, 1, 10.0, "5f0c3a1d2e4b6a8c9d0e1f2a3b4c5d6e");
        wire_respond(c, 200, headers, body, (size_t)n);
    } else if (strstr(p, "/commands") && strcmp(req->method, "PUT") == 0) {
        if (++D.registrations == registrations_due())
            D.t_registered = now_ns();
        rate_headers(headers, sizeof headers, 5, 1, 20.0, "a1b2c3d4e5f60718293a4b5c6d7e8f90");
        wire_respond(c, 200, headers, "[]", 2);
    } else if (strcmp(p, "/gateway/bot") == 0) {
        char body[256];
        int n = snprintf(body, sizeof body,
                         "{\"url\":\"ws://127.0.0.1:%d/gw\",\"shards\":1,\"session_start_limit\":{\"total\":"
                         "1000,\"remaining\":999,\"reset_after\":14400000,\"max_concurrency\":1}}",
                         D.port);
        rate_headers(headers, sizeof headers, 2, 1, 5.0, "0f1e2d3c4b5a69788796a5b4c3d2e1f0");
        wire_respond(c, 200, headers, body, (size_t)n);
    } else {
        D.other_requests++;
        wire_respond(c, 404, NULL, "{\"message\":\"Unknown\",\"code\":0}", 31);
    }
}

/* ---------------------------------------------------------------- load */

static void send_interaction(void)
{
    char buf[4096];
    uint64_t seq = ++D.seq;
    const char *kind = NULL;
    size_t n = mix_next(D.mix, seq, buf, sizeof buf, &kind);
    if (!n)
        fail("an interaction payload did not fit");
    if (!D.load_sent)
        D.load_first_seq = seq;
    size_t i = seq - D.load_first_seq;
    if (i >= D.sent_cap) {
        size_t cap = D.sent_cap ? D.sent_cap * 2 : 1 << 16;
        D.sent_at = realloc(D.sent_at, cap * sizeof *D.sent_at);
        D_tokens = realloc(D_tokens, cap * sizeof *D_tokens);
        if (!D.sent_at || !D_tokens)
            fail("out of memory");
        memset(D.sent_at + D.sent_cap, 0, (cap - D.sent_cap) * sizeof *D.sent_at);
        memset(D_tokens + D.sent_cap, 0, (cap - D.sent_cap) * sizeof *D_tokens);
        D.sent_cap = cap;
    }
    D.sent_at[i] = now_ns();
    D_tokens[i].kind = (uint8_t)check_kind_of(kind, buf, n);
    D.load_sent++;
    send_frame(buf, n);
}

/* Tops the load up: the offered rate's due sends, or the closed loop's window. */
static void offer(uint64_t t)
{
    if (D.st != S_LOAD || D.overloaded)
        return;
    uint64_t in_flight = D.load_sent - D.load_answered;
    if (in_flight > 200000) {
        D.overloaded = true; /* tend fell hopelessly behind: stop offering, report what it did */
        return;
    }
    if (D.o.burst > 0) { /* all at once, in one write, as a busy Discord delivers them */
        while (D.load_sent < (uint64_t)D.o.burst)
            send_interaction();
    } else if (D.o.rate > 0) {
        uint64_t due = (uint64_t)((double)(t - D.load_start) / 1e9 * D.o.rate) + 1;
        while (D.load_sent < due)
            send_interaction();
    } else {
        while (D.load_sent - D.load_answered < (uint64_t)D.o.window)
            send_interaction();
    }
}

/* ---------------------------------------------------------------- the run, stage by stage */

static void start_load(uint64_t t)
{
    proc_read(D.proc.pid, &D.cpu0);
    D.st = S_LOAD;
    D.load_start = t;
    D.last_beat = 0;
    if (D.o.prompts <= 0) /* the scheduler's posts may come before the load: keep counting them */
        D.posts = D.first_post = D.last_post = 0;
    /* the scheduler's run: only latencies of interactions sent while its posts go out count */
    D.meanwhile_from = D.o.prompts > 0 ? (D.first_post ? D.first_post : UINT64_MAX) : 0;
}

static bool load_over(uint64_t t)
{
    if (D.o.prompts > 0)
        return D.posts >= (uint64_t)D.o.prompts ||
               (double)(t - D.load_start) / 1e9 > D.o.timeout - 10;
    if ((double)(t - D.load_start) / 1e9 >= D.o.duration)
        return true;
    if (D.o.burst > 0 && D.load_sent >= (uint64_t)D.o.burst && D.load_answered >= D.load_sent)
        return true;
    if (D.o.cpu_ms > 0 && (D.load_sent & 255) == 0) {
        proc_sample s;
        if (proc_read(D.proc.pid, &s) == 0 && (s.cpu_s - D.cpu0.cpu_s) * 1000 >= D.o.cpu_ms)
            return true;
    }
    return false;
}

/* tend's /proc/<pid>/smaps copied to <TEND_BENCH_SMAPS>-<what>.smaps, for bench/smaps.py */
static void copy_smaps(const char *what)
{
    char path[4096];
    snprintf(path, sizeof path, "%s-%s.smaps", D.smaps, what);
    if (proc_copy_smaps(D.proc.pid, path) != 0)
        fail("cannot copy tend's smaps to TEND_BENCH_SMAPS");
}

/* during the load, twice a second: a copy whenever the RSS is the highest seen */
static void watch_peak(uint64_t t)
{
    proc_sample s;
    if (!D.smaps || t < D.smaps_next || proc_read(D.proc.pid, &s) != 0)
        return;
    D.smaps_next = t + 500000000ULL;
    if (s.rss_kb > D.smaps_peak_kb) {
        D.smaps_peak_kb = s.rss_kb;
        copy_smaps("peak");
    }
}

static void on_tick(uv_timer_t *timer)
{
    (void)timer;
    uint64_t t = now_ns();
    double since_spawn = (double)(t - D.t_spawn) / 1e9;
    if (since_spawn > D.o.timeout)
        fail("the run took longer than --timeout");
    switch (D.st) {
    case S_GUILDS:
        send_guilds(t);
        if (D.guilds_sent == D.o.shape.guilds) {
            D.st = S_REGISTER;
            D.t_stage = t;
        }
        break;
    case S_REGISTER: /* every guild's commands are in: the first command, as a member would */
        if (D.registrations >= registrations_due()) {
            char buf[4096];
            D.probe_seq = ++D.seq;
            size_t n = mix_tasks_for(D.probe_seq, 0, 0, &D.o.shape, buf, sizeof buf);
            D.t_probe_sent = t;
            send_frame(buf, n);
            D.st = S_PROBE;
        }
        break;
    case S_PROBE:
        if (D.t_probe_answered) {
            D.st = S_SETTLE;
            D.t_stage = t;
        }
        break;
    case S_SETTLE: /* a second of quiet, then the idle memory */
        if (t - D.t_stage > 1000000000ULL) {
            proc_sample s;
            proc_read(D.proc.pid, &s);
            D.rss_idle_kb = s.rss_kb;
            D.hwm_idle_kb = s.hwm_kb;
            if (D.smaps)
                copy_smaps("idle");
            start_load(t);
        }
        break;
    case S_LOAD:
        if (D.o.prompts > 0 && D.first_post && D.meanwhile_from == UINT64_MAX)
            D.meanwhile_from = D.first_post;
        if (load_over(t)) {
            D.load_end = t;
            proc_read(D.proc.pid, &D.cpu1);
            D.smaps_next = 0; /* and the RSS at the end of the load */
            watch_peak(t);
            D.st = S_DRAIN;
            D.t_stage = t;
        } else {
            offer(t);
            watch_peak(t);
        }
        break;
    case S_DRAIN:
        if (D.load_answered >= D.load_sent || t - D.t_stage > 5000000000ULL) {
            D.st = S_DONE;
            uv_process_kill(&D.proc, SIGTERM);
            uv_timer_stop(&D.tick);
        }
        break;
    default:
        break;
    }
}

static void on_check(uv_check_t *h)
{
    (void)h;
    /* after every turn of the loop: closed-loop top-up, then one write for everything queued */
    if (D.st == S_LOAD && D.o.rate <= 0)
        offer(now_ns());
    wire_flush(D.gw);
}

/* ---------------------------------------------------------------- tend itself */

static void on_exit_cb(uv_process_t *p, int64_t status, int sig)
{
    D.proc_running = false;
    if (D.st != S_DONE) {
        fprintf(stderr, "driver: tend exited early (status %lld, signal %d); see %s\n", (long long)status,
                sig, D.o.log);
        printf("error=tend exited early\n");
        exit(1);
    }
    uv_close((uv_handle_t *)p, NULL);
    uv_close((uv_handle_t *)&D.tick, NULL);
    uv_close((uv_handle_t *)&D.flush, NULL);
    wire_close_all();
}

static void spawn_tend(void)
{
    static char env_base[128], env_gw[128], env_sync[64], env_log[64];
    const char *level = getenv("TEND_BENCH_LOG_LEVEL");
    snprintf(env_log, sizeof env_log, "TEND_LOG_LEVEL=%s", level && *level ? level : "warn");
    snprintf(env_base, sizeof env_base, "TEND_DISCORD_API_BASE=http://127.0.0.1:%d/api/v10", D.port);
    snprintf(env_gw, sizeof env_gw, "TEND_DISCORD_GATEWAY_URL=ws://127.0.0.1:%d/gw", D.port);
    snprintf(env_sync, sizeof env_sync, "TEND_STORE_SYNCHRONOUS=%s", D.o.sync);
    char *env[] = {"DISCORD_TOKEN=bench.token.not-a-secret", "TEND_DISCORD_APPLICATION_ID=" BENCH_APP_ID,
                   env_base, env_gw, env_sync, env_log, "TEND_CONFIG=",
                   D.o.global_commands ? "TEND_DISCORD_GLOBAL_COMMANDS=yes" : "TEND_DISCORD_GLOBAL_COMMANDS=no",
                   "HOME=/nonexistent", "PATH=/usr/bin:/bin", NULL};
    char *args[] = {(char *)D.o.tend, "--database", (char *)D.o.db, NULL};
    uv_file log = uv_fs_open(D.loop, &(uv_fs_t){0}, D.o.log, O_WRONLY | O_CREAT | O_TRUNC, 0644, NULL);
    uv_stdio_container_t stdio[3] = {
        {.flags = UV_IGNORE},
        {.flags = UV_INHERIT_FD, .data.fd = log},
        {.flags = UV_INHERIT_FD, .data.fd = log},
    };
    uv_process_options_t po = {.exit_cb = on_exit_cb, .file = D.o.tend, .args = args, .env = env,
                               .stdio_count = 3, .stdio = stdio};
    D.t_spawn = now_ns();
    int rc = uv_spawn(D.loop, &D.proc, &po);
    if (rc != 0)
        fail("could not start tend");
    D.proc_running = true;
    fprintf(stderr, "driver: tend is pid %d\n", D.proc.pid);
}

/* ---------------------------------------------------------------- the report */

static int by_value(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

static double pct(double p)
{
    if (!D.n_lat)
        return -1;
    size_t k = (size_t)(p / 100.0 * (double)(D.n_lat - 1) + 0.5);
    return D.lat_us[k] / 1000.0;
}

static double ms_between(uint64_t a, uint64_t b)
{
    return a && b ? (double)(b - a) / 1e6 : -1;
}

static void report(void)
{
    if (D.n_lat) /* the scheduler stage answers no commands: no latencies, and qsort wants a buffer */
        qsort(D.lat_us, D.n_lat, sizeof *D.lat_us, by_value);
    double secs = (double)(D.load_end - D.load_start) / 1e9;
    double cpu = D.cpu1.cpu_s - D.cpu0.cpu_s;
    printf("guilds=%llu\nmembers=%llu\nsync=%s\n", (unsigned long long)D.o.shape.guilds,
           (unsigned long long)(D.o.shape.guilds * D.o.shape.members_per_guild), D.o.sync);
    printf("offered_rate=%g\nwindow=%d\n", D.o.rate, D.o.rate > 0 ? 0 : D.o.window);
    printf("startup_identify_ms=%.1f\nstartup_first_answer_ms=%.1f\nprobe_latency_ms=%.2f\n",
           ms_between(D.t_spawn, D.t_identify), ms_between(D.t_spawn, D.t_probe_answered),
           ms_between(D.t_probe_sent, D.t_probe_answered));
    printf("registered_ms=%.1f\n", ms_between(D.t_identify, D.t_registered));
    printf("rss_idle_kb=%ld\nhwm_idle_kb=%ld\nhwm_load_kb=%ld\n", D.rss_idle_kb, D.hwm_idle_kb, D.cpu1.hwm_kb);
    printf("load_seconds=%.3f\nsent=%llu\nanswered=%llu\nthroughput=%.0f\n", secs,
           (unsigned long long)D.load_sent, (unsigned long long)D.load_answered,
           secs > 0 ? (double)D.load_answered / secs : 0);
    printf("cpu_seconds=%.3f\ncpu_us_per_interaction=%.1f\n", cpu,
           D.load_answered ? cpu * 1e6 / (double)D.load_answered : -1);
    printf("latency_samples=%zu\np50_ms=%.3f\np99_ms=%.3f\nmax_ms=%.3f\n", D.n_lat, pct(50), pct(99), pct(100));
    printf("answered_in_3s=%llu\nlate=%llu\nlate_followups=%llu\n", (unsigned long long)D.in_time,
           (unsigned long long)D.late, (unsigned long long)D.late_followups);
    printf("answered_right=%llu\nwrong=%llu\nthrottled=%llu\n", (unsigned long long)D.right,
           (unsigned long long)D.wrong, (unsigned long long)D.throttled);
    for (int k = 1; k < KIND_COUNT; k++)
        if (D.wrong_by_kind[k])
            printf("wrong_%s=%llu\n", check_kind_name((check_kind)k), (unsigned long long)D.wrong_by_kind[k]);
    if (D.wrong_first[0])
        printf("wrong_first=%s\n", D.wrong_first);
    printf("heartbeats=%llu\nheartbeat_late_max_ms=%.1f\n", (unsigned long long)D.beats, D.beat_late_max_ms);
    printf("posts=%llu\nposts_seconds=%.3f\ndms=%llu\nfollowups=%llu\nstatus_429=%llu\nunknown_requests=%llu\n",
           (unsigned long long)D.posts, ms_between(D.first_post, D.last_post) / 1000.0,
           (unsigned long long)D.dms, (unsigned long long)D.followups, (unsigned long long)D.status_429,
           (unsigned long long)D.other_requests);
    printf("overloaded=%d\ngateway_reconnects=%llu\n", D.overloaded, (unsigned long long)D.reconnects);
}

/* ---------------------------------------------------------------- main */

static void usage(void)
{
    fputs("usage: driver --tend BIN --db FILE [--log FILE] [--sync normal|full] [--guilds N]\n"
          "              [--members-per-guild N] [--task-lo N --task-hi N] [--rate R | --window W]\n"
          "              [--burst N] [--duration S] [--cpu-ms MS] [--timeout S] [--heartbeat-ms MS]\n"
          "              [--prompts N] [--global-limit N] [--guild-rate N] [--global-commands 0|1]\n",
          stderr);
    exit(2);
}

static void parse(int argc, char **argv, options *o)
{
    *o = (options){.log = "tend-bench.log", .sync = "normal", .shape = {10, 10, 1, 20, 0}, .window = 64,
                   .duration = 5, .timeout = 120, .heartbeat_ms = 41250, .global_limit = 50,
                   .guild_rate = 5000};
    for (int i = 1; i < argc; i++) {
        const char *k = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!v)
            usage();
        i++;
        if (!strcmp(k, "--tend")) o->tend = v;
        else if (!strcmp(k, "--db")) o->db = v;
        else if (!strcmp(k, "--log")) o->log = v;
        else if (!strcmp(k, "--sync")) o->sync = v;
        else if (!strcmp(k, "--guilds")) o->shape.guilds = strtoull(v, NULL, 10);
        else if (!strcmp(k, "--members-per-guild")) o->shape.members_per_guild = strtoull(v, NULL, 10);
        else if (!strcmp(k, "--task-lo")) o->shape.task_lo = atoi(v);
        else if (!strcmp(k, "--task-hi")) o->shape.task_hi = atoi(v);
        else if (!strcmp(k, "--rate")) o->rate = atof(v);
        else if (!strcmp(k, "--window")) o->window = atoi(v);
        else if (!strcmp(k, "--burst")) o->burst = atoi(v);
        else if (!strcmp(k, "--duration")) o->duration = atof(v);
        else if (!strcmp(k, "--cpu-ms")) o->cpu_ms = atoi(v);
        else if (!strcmp(k, "--timeout")) o->timeout = atof(v);
        else if (!strcmp(k, "--heartbeat-ms")) o->heartbeat_ms = atoi(v);
        else if (!strcmp(k, "--guild-rate")) o->guild_rate = atoi(v);
        else if (!strcmp(k, "--global-commands")) o->global_commands = atoi(v) != 0;
        else if (!strcmp(k, "--prompts")) o->prompts = atoi(v);
        else if (!strcmp(k, "--global-limit")) o->global_limit = atoi(v);
        else usage();
    }
    if (!o->tend || !o->db || o->shape.guilds == 0 || o->shape.members_per_guild == 0 || o->window < 1 ||
        o->heartbeat_ms < 10 || o->guild_rate < 1)
        usage();
}

int main(int argc, char **argv)
{
    parse(argc, argv, &D.o);
    signal(SIGPIPE, SIG_IGN);
    D.loop = uv_default_loop();
    /* the clock in the id: a second run on the same database is not "answered already" */
    D.o.shape.id_base = BENCH_INTERACTION_BASE + ((uint64_t)time(NULL) % 100000000ULL) * 1000000000ULL;
    D.mix = mix_create(&D.o.shape, 42);
    const char *dump = getenv("TEND_BENCH_DUMP");
    if (dump && *dump && !(D.dump = fopen(dump, "w")))
        fail("cannot write TEND_BENCH_DUMP");
    const char *latencies = getenv("TEND_BENCH_LATENCIES");
    if (latencies && *latencies) {
        if (!(D.latencies = fopen(latencies, "w")))
            fail("cannot write TEND_BENCH_LATENCIES");
        fputs("# sent_us answered_us latency_us kind (microseconds since the load began)\n", D.latencies);
    }
    const char *smaps = getenv("TEND_BENCH_SMAPS");
    D.smaps = smaps && *smaps ? smaps : NULL;
    D.chan_reset = calloc(D.o.shape.guilds, sizeof *D.chan_reset);
    D.chan_left = calloc(D.o.shape.guilds, sizeof *D.chan_left);
    if (!D.mix || !D.chan_reset || !D.chan_left)
        fail("out of memory");
    wire_handlers h = {http, ws_open, ws_text, ws_close, NULL};
    if (wire_listen(D.loop, &h, &D.port) != 0)
        fail("cannot listen on 127.0.0.1");
    uv_timer_init(D.loop, &D.tick);
    uv_timer_start(&D.tick, on_tick, 1, 1);
    uv_check_init(D.loop, &D.flush);
    uv_check_start(&D.flush, on_check);
    spawn_tend();
    uv_run(D.loop, UV_RUN_DEFAULT);
    report();
    if (D.dump)
        fclose(D.dump);
    if (D.latencies)
        fclose(D.latencies);
    mix_destroy(D.mix);
    return 0;
}
