/*
 * events.c — signal-cli's event stream (GET /api/v1/events, server-sent events) and the queue that
 * handles what arrives through it in order.
 *
 * The stream is kept open for as long as tend runs: signal-cli receives from Signal only while
 * someone listens, and Signal's server keeps the messages meanwhile, so a reconnect after a cut
 * or a daemon restart gets what was sent in between. signal-cli writes a keep-alive comment every
 * 15 seconds (and older versions send nothing at all, headers included, before the first one), so
 * a stream silent for SILENCE_MS is taken as dead, cut and reopened.
 *
 * Events are handled one at a time in arrival order. One that needs an answer first (the member
 * list of a group tend has not seen, the names of members it mentions) waits for it, and the ones
 * behind it wait too, so a member's commands never overtake each other.
 */
#include "adapters/signal/internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adapters/metrics.h"
#include "lib/log.h"

#define SILENCE_MS 45000
#define WATCH_EVERY_MS 5000
#define EVENT_MAX_BYTES (4u * 1024 * 1024)

/* ---------------------------------------------------------------- the parser */

struct sg_sse {
    sg_sse_event on_event;
    void *ud;
    char *line, *data;
    size_t line_len, line_cap, data_len, data_cap;
    bool has_data, skipping, after_cr;
    char type[32];
};

sg_sse *tend_signal_sse_new(sg_sse_event on_event, void *ud)
{
    sg_sse *p = calloc(1, sizeof *p);
    if (p) {
        p->on_event = on_event;
        p->ud = ud;
    }
    return p;
}

void tend_signal_sse_free(sg_sse *p)
{
    if (!p)
        return;
    free(p->line);
    free(p->data);
    free(p);
}

void tend_signal_sse_reset(sg_sse *p)
{
    p->line_len = p->data_len = 0;
    p->has_data = p->skipping = p->after_cr = false;
    p->type[0] = '\0';
}

static int grow(char **buf, size_t *cap, size_t need)
{
    if (need <= *cap)
        return 0;
    size_t c = *cap ? *cap : 256;
    while (c < need)
        c *= 2;
    char *b = realloc(*buf, c);
    if (!b)
        return -1;
    *buf = b;
    *cap = c;
    return 0;
}

static int end_of_line(sg_sse *p)
{
    const char *line = p->line ? p->line : "";
    size_t len = p->line_len;
    p->line_len = 0;
    if (len == 0) { /* a blank line ends the event */
        if (p->has_data && !p->skipping && (!p->type[0] || strcmp(p->type, "receive") == 0))
            p->on_event(p->data ? p->data : "", p->data_len ? p->data_len - 1 : 0, p->ud);
        p->data_len = 0;
        p->has_data = p->skipping = false;
        p->type[0] = '\0';
        return 0;
    }
    if (line[0] == ':')
        return 0; /* a comment: signal-cli's keep-alive */
    const char *colon = memchr(line, ':', len);
    size_t name_len = colon ? (size_t)(colon - line) : len;
    const char *value = colon ? colon + 1 : line + len;
    if (colon && value < line + len && *value == ' ')
        value++;
    size_t value_len = (size_t)(line + len - value);
    if (name_len == 4 && memcmp(line, "data", 4) == 0) {
        if (p->skipping)
            return 0;
        if (p->data_len + value_len + 1 > EVENT_MAX_BYTES) {
            p->skipping = true; /* too big to be a message: dropped whole, never half-read */
            return 0;
        }
        if (grow(&p->data, &p->data_cap, p->data_len + value_len + 2) != 0)
            return -1;
        memcpy(p->data + p->data_len, value, value_len);
        p->data_len += value_len;
        p->data[p->data_len++] = '\n';
        p->data[p->data_len] = '\0';
        p->has_data = true;
    } else if (name_len == 5 && memcmp(line, "event", 5) == 0) {
        snprintf(p->type, sizeof p->type, "%.*s", (int)(value_len < sizeof p->type ? value_len : sizeof p->type - 1),
                 value);
    }
    return 0;
}

int tend_signal_sse_feed(sg_sse *p, const char *bytes, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        char c = bytes[i];
        if (c == '\n' && p->after_cr) { /* the second half of "\r\n" */
            p->after_cr = false;
            continue;
        }
        p->after_cr = c == '\r';
        if (c == '\n' || c == '\r') {
            if (end_of_line(p) != 0)
                return -1;
            continue;
        }
        if (p->line_len + 2 > EVENT_MAX_BYTES) {
            p->skipping = true;
            continue; /* the rest of an overlong line is dropped with its event */
        }
        if (grow(&p->line, &p->line_cap, p->line_len + 2) != 0)
            return -1;
        p->line[p->line_len++] = c;
    }
    return 0;
}

/* ---------------------------------------------------------------- the queue */

struct sg_event {
    cJSON *json;
    unsigned tried; /* 1: groups asked for it, 2: names asked for it */
    sg_event *next;
};

static void pop(tend_signal *sg)
{
    sg_event *ev = sg->queue_head;
    sg->queue_head = ev->next;
    if (!sg->queue_head)
        sg->queue_tail = NULL;
    cJSON_Delete(ev->json);
    free(ev);
}

static void pump(tend_signal *sg)
{
    while (sg->queue_head && !sg->queue_waiting && !sg->stopping) {
        sg_event *ev = sg->queue_head;
        sg_need need = tend_signal_event_need(sg, ev->json, ev->tried);
        if (need == SG_NEEDS_GROUPS) {
            ev->tried |= 1;
            if (tend_signal_groups_refresh(sg) >= 0)
                sg->queue_waiting = true;
            continue;
        }
        if (need == SG_NEEDS_NAMES) {
            ev->tried |= 2;
            if (tend_signal_names_fetch(sg, tend_signal_event_unnamed(sg, ev->json)) == 0)
                sg->queue_waiting = true;
            continue;
        }
        tend_signal_event_handle(sg, ev->json);
        pop(sg);
    }
}

void tend_signal_queue_resume(tend_signal *sg)
{
    sg->queue_waiting = false;
    pump(sg);
}

void tend_signal_queue_free(tend_signal *sg)
{
    while (sg->queue_head)
        pop(sg);
}

static void on_event(const char *data, size_t len, void *ud)
{
    tend_signal *sg = ud;
    cJSON *json = cJSON_ParseWithLength(data, len);
    if (!cJSON_IsObject(json)) {
        tend_log(TEND_LOG_WARN, "signal", "an event from signal-cli was not JSON; skipped");
        cJSON_Delete(json);
        return;
    }
    sg_event *ev = calloc(1, sizeof *ev);
    if (!ev) {
        tend_log(TEND_LOG_ERROR, "signal", "out of memory: an event from signal-cli was lost");
        cJSON_Delete(json);
        return;
    }
    ev->json = json;
    if (sg->queue_tail)
        sg->queue_tail->next = ev;
    else
        sg->queue_head = ev;
    sg->queue_tail = ev;
    pump(sg);
}

/* ---------------------------------------------------------------- the stream */

static void connect_stream(tend_signal *sg);

static uint64_t backoff_ms(int failures)
{
    uint64_t d = 500;
    for (int i = 1; i < failures && d < 30000; i++)
        d *= 2;
    return d > 30000 ? 30000 : d;
}

static void on_timer(uv_timer_t *t)
{
    tend_signal *sg = t->data;
    if (sg->stopping)
        return;
    if (!sg->stream_open) {
        connect_stream(sg);
        return;
    }
    if (tend_signal_now_ms(sg) - sg->last_byte_ms < SILENCE_MS)
        return;
    /* no keep-alive for too long: the daemon hangs, or a connection died without a word */
    tend_log(TEND_LOG_WARN, "signal", "signal-cli's event stream went silent; reconnecting");
    tend_metric_set(&TEND_M_CONNECTED, TEND_SIGNAL_PLATFORM, NULL, 0);
    tend_http_destroy(sg->stream_http); /* cancels the stream without calling back */
    sg->stream_http = tend_http_create(sg->loop, "tend/" TEND_VERSION, 1);
    sg->stream_open = false;
    tend_signal_sse_reset(sg->sse);
    if (sg->stream_failures++ == 0)
        sg->down_since_ms = tend_signal_now_ms(sg);
    uv_timer_start(&sg->stream_timer, on_timer, backoff_ms(sg->stream_failures), WATCH_EVERY_MS);
}

static int on_chunk(const char *data, size_t len, void *ud)
{
    tend_signal *sg = ud;
    if (sg->stopping)
        return 1;
    sg->last_byte_ms = tend_signal_now_ms(sg);
    if (!sg->stream_live) {
        sg->stream_live = true;
        tend_metric_set(&TEND_M_CONNECTED, TEND_SIGNAL_PLATFORM, NULL, 1);
        if (sg->stream_failures) {
            tend_metric_add(&TEND_M_RECONNECTS, TEND_SIGNAL_PLATFORM, NULL, 1);
            tend_log(TEND_LOG_INFO, "signal", "back in contact with signal-cli after %llu ms",
                     (unsigned long long)(sg->last_byte_ms - sg->down_since_ms));
        }
        sg->stream_failures = 0;
        /* what changed while we were away (members, admins) is asked again */
        tend_signal_groups_refresh(sg);
    }
    if (tend_signal_sse_feed(sg->sse, data, len) != 0) {
        tend_log(TEND_LOG_ERROR, "signal", "out of memory reading signal-cli's events; reconnecting");
        return 1;
    }
    return 0;
}

static void on_stream_end(const tend_http_response *res, void *ud)
{
    tend_signal *sg = ud;
    sg->stream_open = false;
    if (sg->stopping)
        return;
    tend_signal_sse_reset(sg->sse);
    tend_metric_set(&TEND_M_CONNECTED, TEND_SIGNAL_PLATFORM, NULL, 0);
    if (sg->stream_failures++ == 0) {
        sg->down_since_ms = tend_signal_now_ms(sg);
        if (res->status == 400)
            tend_log(TEND_LOG_ERROR, "signal", "signal-cli has no account with the configured number "
                     "(events refused); retrying");
        else if (res->status == 0)
            tend_log(TEND_LOG_WARN, "signal", "lost signal-cli's event stream (%s); reconnecting",
                     res->error ? res->error : "no answer");
        else
            tend_log(TEND_LOG_WARN, "signal", "signal-cli ended its event stream (HTTP %ld); reconnecting",
                     res->status);
    }
    uv_timer_start(&sg->stream_timer, on_timer, backoff_ms(sg->stream_failures), WATCH_EVERY_MS);
}

static void connect_stream(tend_signal *sg)
{
    char account[64] = "";
    size_t o = 0;
    for (const char *p = sg->account; *p && o + 4 < sizeof account; p++) {
        if (*p == '+') {
            memcpy(account + o, "%2B", 3);
            o += 3;
        } else {
            account[o++] = *p;
        }
    }
    account[o] = '\0';
    char url[1024];
    snprintf(url, sizeof url, "%s/api/v1/events?account=%s", sg->base_url, account);
    const char *accept[] = {"Accept: text/event-stream", NULL};
    tend_http_request req = {.url = url, .headers = accept, .on_chunk = on_chunk};
    sg->stream_live = false;
    sg->last_byte_ms = tend_signal_now_ms(sg);
    if (sg->stream_http && tend_http_send(sg->stream_http, &req, on_stream_end, sg) == 0) {
        sg->stream_open = true;
        uv_timer_start(&sg->stream_timer, on_timer, WATCH_EVERY_MS, WATCH_EVERY_MS);
    } else {
        tend_metric_set(&TEND_M_CONNECTED, TEND_SIGNAL_PLATFORM, NULL, 0);
        uv_timer_start(&sg->stream_timer, on_timer, backoff_ms(++sg->stream_failures), WATCH_EVERY_MS);
    }
}

int tend_signal_stream_start(tend_signal *sg)
{
    sg->sse = tend_signal_sse_new(on_event, sg);
    sg->stream_http = tend_http_create(sg->loop, "tend/" TEND_VERSION, 1);
    if (!sg->sse || !sg->stream_http || uv_timer_init(sg->loop, &sg->stream_timer) != 0) {
        tend_log(TEND_LOG_ERROR, "signal", "out of memory starting the event stream");
        return -1;
    }
    sg->stream_timer.data = sg;
    sg->open_handles++;
    connect_stream(sg);
    return 0;
}

static void on_timer_closed(uv_handle_t *h)
{
    tend_signal *sg = h->data;
    sg->open_handles--;
}

void tend_signal_stream_stop(tend_signal *sg)
{
    if (sg->stream_timer.data && !uv_is_closing((uv_handle_t *)&sg->stream_timer)) {
        uv_timer_stop(&sg->stream_timer);
        uv_close((uv_handle_t *)&sg->stream_timer, on_timer_closed);
    }
    tend_http_destroy(sg->stream_http);
    sg->stream_http = NULL;
}
