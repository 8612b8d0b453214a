/*
 * client.c — the Telegram adapter object: configuration, the start-up checks, the ops table, and
 * the one way every Bot API method is called.
 *
 * Start-up asks getMe (is the token good, what is the bot's @name) and getWebhookInfo before the
 * app's loop runs, on a private loop of its own: a bad token should stop tend with one clear line
 * rather than leave it running deaf, and a webhook set for the bot would make every getUpdates a
 * 409. Everything after that runs on the app's loop and never blocks it.
 *
 * The token is part of every method's address (https://api.telegram.org/bot<token>/getMe), so no
 * address is ever logged; the token is registered with the log's redaction besides.
 */
#include "adapters/telegram/telegram.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "adapters/metrics.h"
#include "adapters/telegram/internal.h"
#include "lib/log.h"

#define USER_AGENT "tend/" TEND_VERSION
#define STARTUP_TIMEOUT_MS 15000
#define DRAIN_LIMIT_MS 5000

uint64_t tend_telegram_now_ms(tend_telegram *tg)
{
    return uv_now(tg->loop);
}

uint64_t tend_telegram_backoff_ms(int failures, uint64_t base_ms, uint64_t cap_ms)
{
    uint64_t d = base_ms;
    for (int i = 1; i < failures && d < cap_ms; i++)
        d *= 2;
    if (d > cap_ms)
        d = cap_ms;
    uint64_t spread = d / 2;
    return d - d / 4 + (spread ? (uint64_t)rand() % (spread + 1) : 0);
}

static char *method_url(const char *api_base, const char *token, const char *method)
{
    size_t n = strlen(api_base) + strlen(token) + strlen(method) + 8;
    char *url = malloc(n);
    if (url)
        snprintf(url, n, "%s/bot%s/%s", api_base, token, method);
    return url;
}

static int call_on(tend_http *http, const char *api_base, const char *token, const char *method, const char *body,
                   long timeout_ms, tend_http_done cb, void *ud)
{
    char *url = method_url(api_base, token, method);
    if (!url)
        return -1;
    tend_http_request req = {
        .method = "POST", .url = url, .body = body ? body : "{}", .timeout_ms = timeout_ms,
    };
    int rc = tend_http_send(http, &req, cb, ud);
    free(url);
    return rc;
}

int tend_telegram_call(tend_telegram *tg, const char *method, const char *body, long timeout_ms, tend_http_done cb,
                       void *ud)
{
    if (!tg->http)
        return -1;
    return call_on(tg->http, tg->api_base, tg->token, method, body, timeout_ms, cb, ud);
}

int tend_telegram_upload(tend_telegram *tg, const char *method, const tend_http_part *parts, size_t n_parts,
                         long timeout_ms, tend_http_done cb, void *ud)
{
    if (!tg->http)
        return -1;
    char *url = method_url(tg->api_base, tg->token, method);
    if (!url)
        return -1;
    tend_http_request req = {
        .method = "POST", .url = url, .parts = parts, .n_parts = n_parts, .timeout_ms = timeout_ms,
    };
    int rc = tend_http_send(tg->http, &req, cb, ud);
    free(url);
    return rc;
}

void tend_telegram_answer_read(const tend_http_response *res, tg_answer *a)
{
    memset(a, 0, sizeof *a);
    a->status = res->status;
    if (res->status == 0) {
        snprintf(a->description, sizeof a->description, "%s", res->error ? res->error : "no answer");
        return;
    }
    a->json = res->body_len ? cJSON_ParseWithLength(res->body, res->body_len) : NULL;
    const cJSON *ok = cJSON_GetObjectItemCaseSensitive(a->json, "ok");
    a->ok = res->status == 200 && cJSON_IsTrue(ok);
    a->result = cJSON_GetObjectItemCaseSensitive(a->json, "result");
    const cJSON *code = cJSON_GetObjectItemCaseSensitive(a->json, "error_code");
    a->error_code = cJSON_IsNumber(code) ? (int)code->valuedouble : (int)res->status;
    const cJSON *desc = cJSON_GetObjectItemCaseSensitive(a->json, "description");
    if (cJSON_IsString(desc)) {
        /* Telegram's own words, for the log; never more than a line */
        snprintf(a->description, sizeof a->description, "%s", desc->valuestring);
        for (char *p = a->description; *p; p++)
            if ((unsigned char)*p < 0x20)
                *p = ' ';
    } else if (!a->ok) {
        snprintf(a->description, sizeof a->description, "HTTP %ld with no description", res->status);
    }
    const cJSON *params = cJSON_GetObjectItemCaseSensitive(a->json, "parameters");
    const cJSON *retry = cJSON_GetObjectItemCaseSensitive(params, "retry_after");
    if (cJSON_IsNumber(retry) && retry->valuedouble > 0 && retry->valuedouble < 24 * 3600)
        a->retry_after = retry->valuedouble;
    const cJSON *moved = cJSON_GetObjectItemCaseSensitive(params, "migrate_to_chat_id");
    if (cJSON_IsNumber(moved))
        a->migrate_to = (int64_t)moved->valuedouble;
    if (a->ok && !a->result)
        a->ok = false;
}

void tend_telegram_answer_free(tg_answer *a)
{
    cJSON_Delete(a->json);
    a->json = NULL;
    a->result = NULL;
}

/* ---------------------------------------------------------------- start-up, on a private loop */

typedef struct {
    bool done;
    tg_answer answer;
} waited;

static void on_waited(const tend_http_response *res, void *ud)
{
    waited *w = ud;
    w->done = true;
    tend_telegram_answer_read(res, &w->answer);
}

/* One method call, waited for on a loop nobody else uses yet. */
static void ask(tend_telegram *tg, const char *method, const char *body, tg_answer *out)
{
    waited w = {0};
    uv_loop_t loop;
    if (uv_loop_init(&loop) != 0) {
        memset(out, 0, sizeof *out);
        snprintf(out->description, sizeof out->description, "could not start a loop");
        return;
    }
    tend_http *http = tend_http_create(&loop, USER_AGENT, 1);
    if (http && call_on(http, tg->api_base, tg->token, method, body, STARTUP_TIMEOUT_MS, on_waited, &w) == 0)
        while (!w.done && uv_run(&loop, UV_RUN_ONCE))
            ;
    if (!w.done) {
        memset(&w.answer, 0, sizeof w.answer);
        snprintf(w.answer.description, sizeof w.answer.description, "no answer");
    }
    tend_http_destroy(http);
    uv_run(&loop, UV_RUN_DEFAULT);
    uv_loop_close(&loop);
    *out = w.answer;
}

static int who_am_i(tend_telegram *tg)
{
    tg_answer a;
    ask(tg, "getMe", NULL, &a);
    const cJSON *username = cJSON_GetObjectItemCaseSensitive(a.result, "username");
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(a.result, "id");
    int rc = -1;
    if (a.ok && cJSON_IsString(username) && cJSON_IsNumber(id) && strlen(username->valuestring) < sizeof tg->username) {
        snprintf(tg->username, sizeof tg->username, "%s", username->valuestring);
        tg->bot_id = (int64_t)id->valuedouble;
        if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(a.result, "can_join_groups")))
            tend_log(TEND_LOG_WARN, "telegram", "BotFather says @%s cannot be added to groups; allow it with "
                     "/setjoingroups", tg->username);
        tend_log(TEND_LOG_INFO, "telegram", "signed in as @%s (privacy mode %s)", tg->username,
                 cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(a.result, "can_read_all_group_messages"))
                     ? "off: tend still only reads commands"
                     : "on: groups show tend their commands and replies to it, which is all it needs");
        rc = 0;
    } else if (a.status == 0) {
        tend_log(TEND_LOG_ERROR, "telegram", "cannot reach the Bot API at %s: %s", tg->api_base, a.description);
    } else if (a.error_code == 401 || a.error_code == 404) {
        /* the Bot API answers 404 for a token that is not even shaped like one */
        tend_log(TEND_LOG_ERROR, "telegram", "Telegram refused the bot token (%d %s); copy it again from "
                 "@BotFather (/token) into telegram token or TELEGRAM_TOKEN", a.error_code, a.description);
    } else {
        tend_log(TEND_LOG_ERROR, "telegram", "getMe failed (%d %s)", a.error_code, a.description);
    }
    tend_telegram_answer_free(&a);
    return rc;
}

/* A webhook set for this bot (by another program, or an earlier setup) turns every getUpdates
 * into a 409. tend polls, so it removes the webhook, keeping the updates waiting behind it. */
static int clear_webhook(tend_telegram *tg)
{
    tg_answer a;
    ask(tg, "getWebhookInfo", NULL, &a);
    const cJSON *url = cJSON_GetObjectItemCaseSensitive(a.result, "url");
    bool set = a.ok && cJSON_IsString(url) && url->valuestring[0];
    int rc = a.ok ? 0 : -1;
    if (!a.ok)
        tend_log(TEND_LOG_ERROR, "telegram", "getWebhookInfo failed (%d %s)", a.error_code, a.description);
    tend_telegram_answer_free(&a);
    if (!set)
        return rc;
    ask(tg, "deleteWebhook", "{\"drop_pending_updates\":false}", &a);
    if (a.ok) {
        tend_log(TEND_LOG_WARN, "telegram", "a webhook was set for @%s; removed it, since tend polls for updates "
                 "(a program that relied on it will stop getting them)", tg->username);
    } else {
        tend_log(TEND_LOG_ERROR, "telegram", "a webhook is set for @%s and could not be removed (%d %s)",
                 tg->username, a.error_code, a.description);
        rc = -1;
    }
    tend_telegram_answer_free(&a);
    return rc;
}

/* ---------------------------------------------------------------- ops */

static int tg_start(tend_adapter *self)
{
    tend_telegram *tg = self->impl;
    if (who_am_i(tg) != 0 || clear_webhook(tg) != 0)
        return -1;
    tg->http = tend_http_create(tg->loop, USER_AGENT, 4);
    if (!tg->http) {
        tend_log(TEND_LOG_ERROR, "telegram", "out of memory starting up");
        return -1;
    }
    if (uv_timer_init(tg->loop, &tg->send_timer) == 0) {
        tg->send_timer.data = tg;
        tg->send_timer_open = true;
        tg->open_handles++;
    }
    tend_telegram_register_commands(tg);
    /* getMe answered just now; the first long-poll may wait 30 s for an update, so health does
     * not wait for it: from here on each getUpdates says */
    tend_metric_set(&TEND_M_CONNECTED, TEND_TELEGRAM_PLATFORM, NULL, 1);
    return tend_telegram_poll_start(tg);
}

static int tg_send(tend_adapter *self, const tend_outgoing *o)
{
    tend_telegram *tg = self->impl;
    if (!tg->http || tg->stopping)
        return -1;
    return tend_telegram_send_row(tg, o);
}

static void on_handle_closed(uv_handle_t *h)
{
    tend_telegram *tg = h->data;
    tg->open_handles--;
}

static void close_everything(tend_telegram *tg)
{
    tend_telegram_poll_stop(tg);
    tend_telegram_senders_stop(tg);
    tend_http_destroy(tg->http);
    tg->http = NULL;
    tend_telegram_senders_free(tg);
    if (tg->send_timer_open && !uv_is_closing((uv_handle_t *)&tg->send_timer)) {
        uv_timer_stop(&tg->send_timer);
        uv_close((uv_handle_t *)&tg->send_timer, on_handle_closed);
    }
}

/* A message queued just before a stop still goes out, for a few seconds at most. */
static void on_drain_tick(uv_timer_t *t)
{
    tend_telegram *tg = t->data;
    if (tend_telegram_pending(tg) == 0 || uv_now(tg->loop) >= tg->drain_deadline) {
        uv_timer_stop(t);
        uv_close((uv_handle_t *)t, on_handle_closed);
        close_everything(tg);
    }
}

static void tg_stop(tend_adapter *self)
{
    tend_telegram *tg = self->impl;
    if (tg->stopping)
        return;
    tg->stopping = true;
    tend_telegram_poll_stop(tg);
    if (!tend_telegram_pending(tg) || uv_timer_init(tg->loop, &tg->drain) != 0) {
        close_everything(tg);
        return;
    }
    tg->drain.data = tg;
    tg->draining = true;
    tg->open_handles++;
    tg->drain_deadline = uv_now(tg->loop) + DRAIN_LIMIT_MS;
    uv_timer_start(&tg->drain, on_drain_tick, 50, 50);
}

static void tg_destroy(tend_adapter *self)
{
    if (!self)
        return;
    tend_telegram *tg = self->impl;
    if (!tg)
        return;
    if (tg->http)
        close_everything(tg);
    tend_telegram_senders_free(tg);
    tend_telegram_admins_free(tg);
    cJSON_Delete(tg->batch);
    cJSON_Delete(tg->started);
    cJSON_Delete(tg->pointed);
    cJSON_Delete(tg->kept);
    free(tg->api_base);
    free(tg->token);
    free(tg);
}

static void tg_handled(tend_adapter *a, const char *reply_to, int rc)
{
    (void)reply_to, (void)rc; /* a replay or a failure too: the command is no longer queued */
    tend_telegram_command_handled(a->impl);
}

static const tend_adapter_ops telegram_ops = {
    .platform = TEND_TELEGRAM_PLATFORM,
    /* Telegram has no idempotency key: a resend after a crash would show twice, so each row is
     * removed the moment Telegram accepted it, and only the message in flight can repeat */
    .resend_shows_twice = true,
    .start = tg_start,
    .send = tg_send,
    .stop = tg_stop,
    .destroy = tg_destroy,
    .handled = tg_handled,
    /* the offset is saved only once the batch's commands ran (poll.c), and the rest of the state
     * (send.c's and document.c's progress marks, titles, names) holds no position: all of it goes
     * at once, never behind queued commands (a progress mark must be durable before its parts) */
    .state_at_once = true,
};

tend_adapter *tend_telegram_adapter_create(uv_loop_t *loop, tend_host *host, const tend_config *cfg)
{
    if (!cfg->telegram_token || !*cfg->telegram_token) {
        tend_log(TEND_LOG_ERROR, "telegram", "set telegram token (or TELEGRAM_TOKEN) to the token from @BotFather");
        return NULL;
    }
    tend_telegram *tg = calloc(1, sizeof *tg);
    if (!tg)
        return NULL;
    tend_metric_set(&TEND_M_CONNECTED, TEND_TELEGRAM_PLATFORM, NULL, 0); /* until the Bot API answers */
    tg->base.ops = &telegram_ops;
    tg->base.impl = tg;
    tg->base.loop = loop;
    tg->base.host = host;
    tg->loop = loop;
    tend_log_add_secret(cfg->telegram_token);
    tg->token = strdup(cfg->telegram_token);
    tg->api_base = strdup(cfg->telegram_api_base && *cfg->telegram_api_base ? cfg->telegram_api_base
                                                                             : "https://api.telegram.org");
    tg->started = cJSON_CreateObject();
    tg->pointed = cJSON_CreateObject();
    tg->kept = cJSON_CreateObject();
    srand((unsigned)(time(NULL) ^ getpid()));
    if (!tg->token || !tg->api_base || !tg->started || !tg->pointed || !tg->kept) {
        tg_destroy(&tg->base);
        return NULL;
    }
    size_t n = strlen(tg->api_base);
    while (n > 0 && tg->api_base[n - 1] == '/')
        tg->api_base[--n] = '\0';
    return &tg->base;
}
