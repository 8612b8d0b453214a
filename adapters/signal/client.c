/*
 * client.c — the Signal adapter object: configuration, the start-up check, JSON-RPC calls and the
 * ops table.
 *
 * Start-up asks the daemon `version` and `listGroups` for the account before the app's loop runs,
 * on a private loop of its own (as the Matrix adapter does): a daemon that is not there, or that
 * has no such account, should stop tend with one clear line rather than leave it running deaf.
 * Everything after that runs on the app's loop and never blocks it; a daemon that restarts later
 * is waited for.
 */
#include "adapters/signal/signal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adapters/metrics.h"
#include "adapters/signal/internal.h"
#include "lib/log.h"

#define USER_AGENT "tend/" TEND_VERSION
#define STARTUP_TIMEOUT_MS 10000

struct sg_call {
    tend_signal *sg;
    uint64_t id;
    sg_rpc_done cb;
    void *ud;
    sg_call *prev, *next;
};

uint64_t tend_signal_now_ms(tend_signal *sg)
{
    return uv_now(sg->loop);
}

/* ---------------------------------------------------------------- JSON-RPC */

static char *request_body(tend_signal *sg, const char *method, cJSON *params, uint64_t id)
{
    cJSON *req = cJSON_CreateObject();
    if (!params)
        params = cJSON_CreateObject();
    if (!req || !params) {
        cJSON_Delete(req);
        cJSON_Delete(params);
        return NULL;
    }
    cJSON_AddStringToObject(req, "jsonrpc", "2.0");
    cJSON_AddStringToObject(req, "method", method);
    /* both daemon modes take it: one account (-a) ignores it, several need it. Not for the
     * daemon's own questions: the version is the daemon's, and an unknown account would turn
     * "is the daemon there" into "no such account" */
    cJSON_DeleteItemFromObjectCaseSensitive(params, "account");
    if (strcmp(method, "version") != 0 && strcmp(method, "listAccounts") != 0)
        cJSON_AddStringToObject(params, "account", sg->account);
    cJSON_AddItemToObject(req, "params", params);
    cJSON_AddNumberToObject(req, "id", (double)id);
    char *body = cJSON_PrintUnformatted(req);
    cJSON_Delete(req);
    return body;
}

/* Reads an answer into r; the returned JSON owns what r points to. */
static cJSON *read_answer(const tend_http_response *res, sg_rpc_result *r)
{
    memset(r, 0, sizeof *r);
    r->http_status = res->status;
    if (res->status == 0) {
        r->transport_error = res->error ? res->error : "no answer";
        return NULL;
    }
    cJSON *json = res->body_len ? cJSON_ParseWithLength(res->body, res->body_len) : NULL;
    const cJSON *err = cJSON_GetObjectItemCaseSensitive(json, "error");
    const cJSON *result = cJSON_GetObjectItemCaseSensitive(json, "result");
    if (res->status == 200 && cJSON_IsObject(err)) {
        const cJSON *code = cJSON_GetObjectItemCaseSensitive(err, "code");
        const cJSON *message = cJSON_GetObjectItemCaseSensitive(err, "message");
        r->failed = true;
        r->code = cJSON_IsNumber(code) ? code->valueint : 0;
        r->message = cJSON_IsString(message) ? message->valuestring : "";
        r->data = cJSON_GetObjectItemCaseSensitive(err, "data");
    } else if (res->status == 200 && result) {
        r->result = result;
    } else {
        r->failed = true; /* not JSON-RPC: a proxy, a wrong port, a 4xx of the HTTP layer */
        r->message = "";
    }
    return json;
}

void tend_signal_describe(const sg_rpc_result *r, char *out, size_t outlen)
{
    if (r->transport_error) {
        snprintf(out, outlen, "no answer: %s", r->transport_error);
        return;
    }
    const char *what = r->code == -1       ? "refused"
                       : r->code == -3     ? "input/output error"
                       : r->code == -4     ? "untrusted safety number"
                       : r->code == -5     ? "rate limited"
                       : r->code == -32601 ? "method not found"
                       : r->code == -32602 ? "invalid params"
                       : r->code == -32603 ? "internal error"
                       : r->code == 0      ? "not a JSON-RPC answer"
                                           : "error";
    if (r->code == 0)
        snprintf(out, outlen, "%s (HTTP %ld)", what, r->http_status);
    else
        snprintf(out, outlen, "%s (%d)", what, r->code);
}

static void unlink_call(sg_call *c)
{
    if (c->prev)
        c->prev->next = c->next;
    else
        c->sg->calls = c->next;
    if (c->next)
        c->next->prev = c->prev;
}

static void on_rpc_answer(const tend_http_response *res, void *ud)
{
    sg_call *c = ud;
    tend_signal *sg = c->sg;
    unlink_call(c);
    sg_rpc_result r;
    cJSON *json = read_answer(res, &r);
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(json, "id");
    if (r.result && (!cJSON_IsNumber(id) || (uint64_t)id->valuedouble != c->id)) {
        r.result = NULL; /* someone else's answer: treat it as none */
        r.failed = true;
        r.message = "";
    }
    if (c->cb)
        c->cb(sg, &r, c->ud);
    cJSON_Delete(json);
    free(c);
}

int tend_signal_rpc(tend_signal *sg, const char *method, cJSON *params, long timeout_ms, sg_rpc_done cb,
                    void *ud)
{
    if (!sg->http || sg->stopping) {
        cJSON_Delete(params);
        return -1;
    }
    sg_call *c = calloc(1, sizeof *c);
    char *body = c ? request_body(sg, method, params, ++sg->next_id) : (cJSON_Delete(params), NULL);
    size_t n = strlen(sg->base_url) + 16;
    char *url = malloc(n);
    if (!c || !body || !url) {
        free(c);
        free(body);
        free(url);
        return -1;
    }
    snprintf(url, n, "%s/api/v1/rpc", sg->base_url);
    c->sg = sg;
    c->id = sg->next_id;
    c->cb = cb;
    c->ud = ud;
    tend_http_request req = {.method = "POST", .url = url, .body = body, .timeout_ms = timeout_ms};
    int rc = tend_http_send(sg->http, &req, on_rpc_answer, c);
    free(url);
    free(body);
    if (rc != 0) {
        free(c);
        return -1;
    }
    c->next = sg->calls;
    if (sg->calls)
        sg->calls->prev = c;
    sg->calls = c;
    return 0;
}

/* ---------------------------------------------------------------- start-up, on a private loop */

typedef struct {
    bool done;
    sg_rpc_result r;
    cJSON *json;
} answer;

static void on_answer(const tend_http_response *res, void *ud)
{
    answer *a = ud;
    a->done = true;
    a->json = read_answer(res, &a->r);
    if (a->r.transport_error) {
        static char error[256]; /* outlives the response; only the start-up uses it, once */
        snprintf(error, sizeof error, "%s", a->r.transport_error);
        a->r.transport_error = error;
    }
}

static void ask(tend_signal *sg, const char *method, answer *a)
{
    memset(a, 0, sizeof *a);
    uv_loop_t loop;
    if (uv_loop_init(&loop) != 0) {
        a->r.transport_error = "could not start a loop";
        return;
    }
    tend_http *http = tend_http_create(&loop, USER_AGENT, 1);
    char *body = request_body(sg, method, NULL, ++sg->next_id);
    char url[1024];
    snprintf(url, sizeof url, "%s/api/v1/rpc", sg->base_url);
    tend_http_request req = {.method = "POST", .url = url, .body = body, .timeout_ms = STARTUP_TIMEOUT_MS};
    if (http && body && tend_http_send(http, &req, on_answer, a) == 0)
        while (!a->done && uv_run(&loop, UV_RUN_ONCE))
            ;
    if (!a->done)
        a->r.transport_error = "no answer";
    free(body);
    tend_http_destroy(http);
    uv_run(&loop, UV_RUN_DEFAULT);
    uv_loop_close(&loop);
}

static int check_daemon(tend_signal *sg)
{
    answer a;
    ask(sg, "version", &a);
    const cJSON *version = cJSON_GetObjectItemCaseSensitive(a.r.result, "version");
    if (!cJSON_IsString(version)) {
        char why[300];
        tend_signal_describe(&a.r, why, sizeof why);
        tend_log(TEND_LOG_ERROR, "signal", "signal-cli does not answer at %s (%s); is its daemon running "
                 "(signal-cli -a <number> daemon --http 127.0.0.1:<port>)?", sg->base_url, why);
        cJSON_Delete(a.json);
        return -1;
    }
    tend_log(TEND_LOG_INFO, "signal", "signal-cli %s at %s", version->valuestring, sg->base_url);
    cJSON_Delete(a.json);
    ask(sg, "listGroups", &a);
    int rc = 0;
    if (cJSON_IsArray(a.r.result)) {
        tend_signal_groups_set(sg, a.r.result);
        sg->groups_loaded_ms = 0; /* the app's loop has its own clock: ask again soon after */
    } else if (a.r.code == -32602) {
        tend_log(TEND_LOG_ERROR, "signal", "signal-cli at %s has no account with the configured number; "
                 "link or register it first (README: Signal)", sg->base_url);
        rc = -1;
    } else {
        char why[300];
        tend_signal_describe(&a.r, why, sizeof why);
        tend_log(TEND_LOG_ERROR, "signal", "signal-cli could not list the account's groups (%s)", why);
        rc = -1;
    }
    cJSON_Delete(a.json);
    return rc;
}

/* ---------------------------------------------------------------- ops */

static int sg_start(tend_adapter *self)
{
    tend_signal *sg = self->impl;
    if (check_daemon(sg) != 0)
        return -1;
    sg->http = tend_http_create(sg->loop, USER_AGENT, 4);
    if (!sg->http) {
        tend_log(TEND_LOG_ERROR, "signal", "out of memory starting up");
        return -1;
    }
    tend_log(TEND_LOG_INFO, "signal", "in %d group%s", cJSON_GetArraySize(sg->groups),
             cJSON_GetArraySize(sg->groups) == 1 ? "" : "s");
    /* the daemon answered for the account just now; the event stream says from here on */
    tend_metric_set(&TEND_M_CONNECTED, TEND_SIGNAL_PLATFORM, NULL, 1);
    return tend_signal_stream_start(sg);
}

static int sg_send(tend_adapter *self, const tend_outgoing *o)
{
    tend_signal *sg = self->impl;
    if (!sg->http || sg->stopping)
        return -1;
    return tend_signal_send_row(sg, o);
}

static void sg_stop(tend_adapter *self)
{
    tend_signal *sg = self->impl;
    if (sg->stopping)
        return;
    sg->stopping = true;
    tend_signal_stream_stop(sg);
    /* what is in flight is cancelled: its rows stay in the outbox and go after the restart */
    tend_http_destroy(sg->http);
    sg->http = NULL;
}

static void sg_destroy(tend_adapter *self)
{
    if (!self)
        return;
    tend_signal *sg = self->impl;
    if (!sg)
        return;
    if (!sg->stopping)
        sg_stop(self);
    while (sg->calls) {
        sg_call *c = sg->calls;
        sg->calls = c->next;
        if (c->cb) {
            /* told it will never be answered, so it can free what it holds */
            sg_rpc_result r = {.transport_error = "tend is stopping"};
            c->cb(sg, &r, c->ud);
        }
        free(c);
    }
    tend_signal_queue_free(sg);
    tend_signal_sse_free(sg->sse);
    cJSON_Delete(sg->groups);
    cJSON_Delete(sg->names);
    free(sg->base_url);
    free(sg->account);
    free(sg->self_uuid);
    free(sg);
}

static const tend_adapter_ops signal_ops = {
    .platform = TEND_SIGNAL_PLATFORM,
    .start = sg_start,
    .send = sg_send,
    .stop = sg_stop,
    .destroy = sg_destroy,
    /* signal-cli's stream has no position to save (it replays nothing), and send.c's marks must be
     * durable before the outbox forgets the row they guard: no state waits behind queued commands */
    .state_at_once = true,
};

tend_adapter *tend_signal_adapter_create(uv_loop_t *loop, tend_host *host, const tend_config *cfg)
{
    if (!tend_config_has_signal(cfg)) {
        tend_log(TEND_LOG_ERROR, "signal", "set signal account to the number signal-cli uses");
        return NULL;
    }
    tend_signal *sg = calloc(1, sizeof *sg);
    if (!sg)
        return NULL;
    tend_metric_set(&TEND_M_CONNECTED, TEND_SIGNAL_PLATFORM, NULL, 0); /* until signal-cli answers */
    sg->base.ops = &signal_ops;
    sg->base.impl = sg;
    sg->base.loop = loop;
    sg->base.host = host;
    sg->loop = loop;
    sg->base_url = strdup(cfg->signal_rpc_url && *cfg->signal_rpc_url ? cfg->signal_rpc_url : "http://127.0.0.1:8080");
    sg->account = strdup(cfg->signal_account);
    sg->names = cJSON_CreateObject();
    if (!sg->base_url || !sg->account || !sg->names) {
        sg_destroy(&sg->base);
        return NULL;
    }
    tend_log_add_secret(sg->account);
    size_t n = strlen(sg->base_url);
    while (n > 0 && sg->base_url[n - 1] == '/')
        sg->base_url[--n] = '\0';
    return &sg->base;
}
