/*
 * client.c — the Matrix adapter object: configuration, the start-up checks, the ops table.
 *
 * Start-up asks the homeserver /versions and /account/whoami (and exchanges a password for a token
 * once) before the app's loop runs, on a private loop of its own: those answers decide whether tend
 * can serve Matrix at all, and a bad token should stop it with one clear line rather than leave it
 * running deaf. Everything after that runs on the app's loop and never blocks it.
 */
#include "adapters/matrix/matrix.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "adapters/matrix/internal.h"
#include "adapters/matrix/e2ee.h"
#include "adapters/metrics.h"
#include "lib/log.h"
#include "bot/messages.h"

#define USER_AGENT "tend/" TEND_VERSION
#define STARTUP_TIMEOUT_MS 15000
#define DRAIN_LIMIT_MS 5000

int64_t tend_matrix_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t tend_matrix_clock_now(tend_matrix *mx)
{
    return tend_host_now(mx->base.host);
}

char *tend_matrix_url(const tend_matrix *mx, const char *path)
{
    size_t n = strlen(mx->homeserver) + strlen(path) + 32;
    char *url = malloc(n);
    if (url)
        snprintf(url, n, "%s/_matrix/client/v3%s", mx->homeserver, path);
    return url;
}

char *tend_matrix_escape(const char *segment)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t n = strlen(segment);
    char *out = malloc(n * 3 + 1);
    if (!out)
        return NULL;
    char *o = out;
    for (const unsigned char *p = (const unsigned char *)segment; *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            *p == '-' || *p == '_' || *p == '.' || *p == '~') {
            *o++ = (char)*p;
        } else {
            *o++ = '%';
            *o++ = hex[*p >> 4];
            *o++ = hex[*p & 15];
        }
    }
    *o = '\0';
    return out;
}

uint64_t tend_matrix_backoff_ms(int failures, uint64_t base_ms, uint64_t cap_ms)
{
    uint64_t d = base_ms;
    for (int i = 1; i < failures && d < cap_ms; i++)
        d *= 2;
    if (d > cap_ms)
        d = cap_ms;
    /* +-25% so many clients that lost the same server do not all come back in the same instant */
    uint64_t spread = d / 2;
    return d - d / 4 + (spread ? (uint64_t)rand() % (spread + 1) : 0);
}

uint64_t tend_matrix_retry_after_ms(const tend_http_response *res, uint64_t fallback)
{
    char value[32];
    if (tend_http_header(res, "Retry-After", value, sizeof value) == 0) {
        long s = strtol(value, NULL, 10);
        if (s >= 0 && s < 3600)
            return (uint64_t)s * 1000 + 50;
    }
    cJSON *json = res->body ? cJSON_ParseWithLength(res->body, res->body_len) : NULL;
    const cJSON *ms = cJSON_GetObjectItemCaseSensitive(json, "retry_after_ms");
    uint64_t wait = cJSON_IsNumber(ms) && ms->valuedouble >= 0 && ms->valuedouble < 3.6e6
                        ? (uint64_t)ms->valuedouble + 50
                        : fallback;
    cJSON_Delete(json);
    return wait;
}

static char *auth_header(const char *token)
{
    size_t n = strlen(token) + 32;
    char *h = malloc(n);
    if (h)
        snprintf(h, n, "Authorization: Bearer %s", token);
    return h;
}

static int request_on(tend_http *http, const char *auth, const char *method, const char *url,
                      const char *body, long timeout_ms, tend_http_done cb, void *ud)
{
    const char *headers[] = {auth, NULL};
    tend_http_request req = {
        .method = method, .url = url, .body = body, .headers = auth ? headers : NULL,
        .timeout_ms = timeout_ms,
    };
    return tend_http_send(http, &req, cb, ud);
}

int tend_matrix_request(tend_matrix *mx, const char *method, const char *url, const char *body,
                        long timeout_ms, tend_http_done cb, void *ud)
{
    if (!mx->http)
        return -1;
    return request_on(mx->http, mx->auth_header, method, url, body, timeout_ms, cb, ud);
}

/* ---------------------------------------------------------------- start-up, on a private loop */

typedef struct {
    bool done;
    long status;
    cJSON *json;
    char error[256];
} answer;

static void on_answer(const tend_http_response *res, void *ud)
{
    answer *a = ud;
    a->done = true;
    a->status = res->status;
    if (res->error)
        snprintf(a->error, sizeof a->error, "%s", res->error);
    if (res->body && res->body_len)
        a->json = cJSON_ParseWithLength(res->body, res->body_len);
}

/* One request, waited for on a loop nobody else uses yet. */
static void ask(tend_matrix *mx, const char *method, const char *path, const char *body, answer *a)
{
    memset(a, 0, sizeof *a);
    uv_loop_t loop;
    if (uv_loop_init(&loop) != 0) {
        snprintf(a->error, sizeof a->error, "could not start a loop");
        return;
    }
    tend_http *http = tend_http_create(&loop, USER_AGENT, 1);
    char *url = NULL;
    /* /versions is asked without the token: a homeserver answers 401 to a bad token anywhere,
     * and "is this a homeserver" must be told apart from "is this token good" */
    bool raw = strncmp(path, "/_matrix", 8) == 0;
    const char *auth = raw ? NULL : mx->auth_header;
    if (raw) {
        size_t n = strlen(mx->homeserver) + strlen(path) + 1;
        if ((url = malloc(n)))
            snprintf(url, n, "%s%s", mx->homeserver, path);
    } else {
        url = tend_matrix_url(mx, path);
    }
    if (http && url &&
        request_on(http, auth, method, url, body, STARTUP_TIMEOUT_MS, on_answer, a) == 0) {
        while (!a->done && uv_run(&loop, UV_RUN_ONCE))
            ;
    }
    if (!a->done && !a->error[0])
        snprintf(a->error, sizeof a->error, "no answer");
    free(url);
    tend_http_destroy(http);
    uv_run(&loop, UV_RUN_DEFAULT);
    uv_loop_close(&loop);
}

static const char *errcode(const answer *a)
{
    const cJSON *c = cJSON_GetObjectItemCaseSensitive(a->json, "errcode");
    return cJSON_IsString(c) ? c->valuestring : "no error code";
}

static int set_token(tend_matrix *mx, const char *token)
{
    char *t = strdup(token);
    char *h = auth_header(token);
    if (!t || !h) {
        free(t);
        free(h);
        return -1;
    }
    free(mx->token);
    free(mx->auth_header);
    mx->token = t;
    mx->auth_header = h;
    tend_log_add_secret(token);
    return 0;
}

/* Exchanges the password for a token and device once; both are kept so the next start skips it. */
static int login(tend_matrix *mx)
{
    cJSON *b = cJSON_CreateObject();
    cJSON_AddStringToObject(b, "type", "m.login.password");
    cJSON *id = cJSON_AddObjectToObject(b, "identifier");
    cJSON_AddStringToObject(id, "type", "m.id.user");
    cJSON_AddStringToObject(id, "user", mx->user_id);
    cJSON_AddStringToObject(b, "password", mx->password);
    if (mx->device_id)
        cJSON_AddStringToObject(b, "device_id", mx->device_id);
    cJSON_AddStringToObject(b, "initial_device_display_name", "tend");
    char *body = cJSON_PrintUnformatted(b);
    cJSON_Delete(b);
    answer a;
    free(mx->auth_header);
    mx->auth_header = NULL;
    ask(mx, "POST", "/login", body, &a);
    free(body);
    const cJSON *tok = cJSON_GetObjectItemCaseSensitive(a.json, "access_token");
    const cJSON *dev = cJSON_GetObjectItemCaseSensitive(a.json, "device_id");
    int rc = -1;
    if (a.status == 200 && cJSON_IsString(tok) && set_token(mx, tok->valuestring) == 0) {
        tend_host_state_set(mx->base.host, "access_token", tok->valuestring);
        tend_host_state_set(mx->base.host, "token_user", mx->user_id);
        if (cJSON_IsString(dev)) {
            free(mx->device_id);
            mx->device_id = strdup(dev->valuestring);
            tend_host_state_set(mx->base.host, "device_id", dev->valuestring);
        }
        rc = 0;
    } else if (a.status == 0) {
        tend_log(TEND_LOG_ERROR, "matrix", "cannot reach %s to log in: %s", mx->homeserver, a.error);
    } else {
        tend_log(TEND_LOG_ERROR, "matrix", "the homeserver refused the password for %s (HTTP %ld %s)", mx->user_id, a.status,
                 errcode(&a));
    }
    cJSON_Delete(a.json);
    return rc;
}

/* A token kept from an earlier password login, if it was for this same user. */
static bool load_kept_token(tend_matrix *mx)
{
    char user[MX_KEY_MAX], token[1024], device[MX_KEY_MAX];
    if (!mx->user_id ||
        tend_host_state_get(mx->base.host, "token_user", user, sizeof user) != 0 ||
        strcmp(user, mx->user_id) != 0 ||
        tend_host_state_get(mx->base.host, "access_token", token, sizeof token) !=
            0)
        return false;
    if (set_token(mx, token) != 0)
        return false;
    if (tend_host_state_get(mx->base.host, "device_id", device, sizeof device) ==
        0) {
        free(mx->device_id);
        mx->device_id = strdup(device);
    }
    return true;
}

static int whoami(tend_matrix *mx, answer *a)
{
    ask(mx, "GET", "/account/whoami", NULL, a);
    const cJSON *uid = cJSON_GetObjectItemCaseSensitive(a->json, "user_id");
    if (a->status != 200 || !cJSON_IsString(uid))
        return -1;
    if (mx->user_id && strcmp(mx->user_id, uid->valuestring) != 0) {
        tend_log(TEND_LOG_ERROR, "matrix", "the access token belongs to %s, not to %s as configured",
                 uid->valuestring, mx->user_id);
        a->status = -1;
        return -1;
    }
    free(mx->user_id);
    mx->user_id = strdup(uid->valuestring);
    const cJSON *dev = cJSON_GetObjectItemCaseSensitive(a->json, "device_id");
    if (!mx->device_id && cJSON_IsString(dev)) /* encryption's keys belong to the token's device */
        mx->device_id = strdup(dev->valuestring);
    return mx->user_id ? 0 : -1;
}

static int check_homeserver(tend_matrix *mx)
{
    answer a;
    ask(mx, "GET", "/_matrix/client/versions", NULL, &a);
    int rc = 0;
    if (a.status == 0) {
        tend_log(TEND_LOG_ERROR, "matrix", "cannot reach the homeserver at %s: %s", mx->homeserver, a.error);
        rc = -1;
    } else if (a.status != 200 || !cJSON_GetObjectItemCaseSensitive(a.json, "versions")) {
        tend_log(TEND_LOG_ERROR, "matrix", "%s does not answer like a Matrix homeserver (HTTP %ld)",
                 mx->homeserver, a.status);
        rc = -1;
    }
    cJSON_Delete(a.json);
    return rc;
}

static int authenticate(tend_matrix *mx)
{
    bool kept = !mx->token && load_kept_token(mx);
    if (!mx->token && (!mx->password || login(mx) != 0)) {
        if (!mx->password)
            tend_log(TEND_LOG_ERROR, "matrix", "set [matrix] access_token (or [matrix] password) to connect");
        return -1;
    }
    answer a;
    int rc = whoami(mx, &a);
    if (rc != 0 && a.status == 401 && kept && mx->password) {
        cJSON_Delete(a.json);
        /* the kept token was logged out elsewhere: the password gets a new one */
        if (login(mx) != 0)
            return -1;
        rc = whoami(mx, &a);
    }
    if (rc != 0 && a.status == 0)
        tend_log(TEND_LOG_ERROR, "matrix", "cannot reach %s: %s", mx->homeserver, a.error);
    else if (rc != 0 && (a.status == 401 || a.status == 403))
        tend_log(TEND_LOG_ERROR, "matrix", "the homeserver refused the access token (%s); make a new one "
                 "for the bot account and set matrix access_token", errcode(&a));
    else if (rc != 0 && a.status != -1)
        tend_log(TEND_LOG_ERROR, "matrix", "the homeserver could not say who the bot is (HTTP %ld)", a.status);
    cJSON_Delete(a.json);
    return rc;
}

/* ---------------------------------------------------------------- ops */

static int mx_start(tend_adapter *self)
{
    tend_matrix *mx = self->impl;
    if (check_homeserver(mx) != 0 || authenticate(mx) != 0)
        return -1;
    free(mx->server_name);
    mx->server_name = strdup(tend_matrix_server_of(mx->user_id));
    mx->http = tend_http_create(mx->loop, USER_AGENT, 4);
    if (!mx->http || !mx->server_name) {
        tend_log(TEND_LOG_ERROR, "matrix", "out of memory starting up");
        return -1;
    }
    tend_log(TEND_LOG_INFO, "matrix", "signed in as %s on %s", mx->user_id, mx->homeserver);
    tend_matrix_e2ee_start(mx, mx->pickle_key_file); /* off: encrypted rooms get today's notice */
    return tend_matrix_sync_start(mx);
}

static int mx_send(tend_adapter *self, const tend_outgoing *o)
{
    tend_matrix *mx = self->impl;
    if (!mx->http || mx->stopping)
        return -1;
    return tend_matrix_send_row(mx, o);
}

static void close_everything(tend_matrix *mx)
{
    tend_matrix_sync_stop(mx);
    tend_matrix_senders_stop(mx);
    tend_http_destroy(mx->http);
    mx->http = NULL;
    tend_matrix_gap_cancel(mx); /* its batch was not handled: the next start meets the gap again */
    tend_matrix_senders_free(mx);
}

static void on_drain_closed(uv_handle_t *h)
{
    tend_matrix *mx = h->data;
    mx->open_handles--;
}

/* A reply queued just before a stop still goes out, for a few seconds at most. */
static void on_drain_tick(uv_timer_t *t)
{
    tend_matrix *mx = t->data;
    if (tend_matrix_pending(mx) == 0 || (int64_t)uv_now(mx->loop) >= mx->drain_deadline) {
        uv_timer_stop(t);
        uv_close((uv_handle_t *)t, on_drain_closed);
        close_everything(mx);
    }
}

static void mx_stop(tend_adapter *self)
{
    tend_matrix *mx = self->impl;
    if (mx->stopping)
        return;
    mx->stopping = true;
    tend_matrix_sync_stop(mx);
    if (!tend_matrix_pending(mx) || uv_timer_init(mx->loop, &mx->drain) != 0) {
        close_everything(mx);
        return;
    }
    mx->drain.data = mx;
    mx->open_handles++;
    mx->drain_deadline = (int64_t)uv_now(mx->loop) + DRAIN_LIMIT_MS;
    uv_timer_start(&mx->drain, on_drain_tick, 50, 50);
}

static void mx_destroy(tend_adapter *self)
{
    if (!self)
        return;
    tend_matrix *mx = self->impl;
    if (!mx)
        return;
    if (mx->http)
        close_everything(mx);
    tend_matrix_rooms_free(mx);
    tend_matrix_dms_free(mx);
    tend_matrix_groups_index_free(mx);
    tend_matrix_e2ee_free(mx);
    free(mx->pickle_key_file);
    free(mx->homeserver);
    free(mx->user_id);
    free(mx->server_name);
    free(mx->token);
    free(mx->password);
    free(mx->device_id);
    free(mx->allowed_inviters);
    free(mx->auth_header);
    free(mx->filter_id);
    free(mx);
}

static const tend_adapter_ops matrix_ops = {
    .platform = TEND_MATRIX_PLATFORM,
    .start = mx_start,
    .send = mx_send,
    .stop = mx_stop,
    .destroy = mx_destroy,
};

static char *dup_nonempty(const char *s)
{
    return s && *s ? strdup(s) : NULL;
}

/* [matrix] pickle_key_file, else beside the database: "<database>.pickle-key". */
static char *pickle_key_path(const tend_config *cfg)
{
    if (cfg->matrix_pickle_key_file && *cfg->matrix_pickle_key_file)
        return strdup(cfg->matrix_pickle_key_file);
    const char *db = cfg->database ? cfg->database : "tend.db";
    size_t n = strlen(db) + sizeof ".pickle-key";
    char *path = malloc(n);
    if (path)
        snprintf(path, n, "%s.pickle-key", db);
    return path;
}

tend_adapter *tend_matrix_adapter_create(uv_loop_t *loop, tend_host *host, const tend_config *cfg)
{
    if (!cfg->matrix_homeserver || !*cfg->matrix_homeserver) {
        tend_log(TEND_LOG_ERROR, "matrix", "set [matrix] homeserver to the homeserver's URL");
        return NULL;
    }
    bool has_token = cfg->matrix_access_token && *cfg->matrix_access_token;
    bool has_password = cfg->matrix_password && *cfg->matrix_password;
    if (!has_token && has_password && !(cfg->matrix_user_id && *cfg->matrix_user_id)) {
        tend_log(TEND_LOG_ERROR, "matrix", "a password login needs [matrix] user_id too");
        return NULL;
    }
    tend_matrix *mx = calloc(1, sizeof *mx);
    if (!mx)
        return NULL;
    tend_metric_set(&TEND_M_CONNECTED, TEND_MATRIX_PLATFORM, NULL, 0); /* until the first /sync answers */
    mx->base.ops = &matrix_ops;
    mx->base.impl = mx;
    mx->base.loop = loop;
    mx->base.host = host;
    mx->loop = loop;
    mx->homeserver = strdup(cfg->matrix_homeserver);
    mx->user_id = dup_nonempty(cfg->matrix_user_id);
    mx->password = dup_nonempty(cfg->matrix_password);
    mx->device_id = dup_nonempty(cfg->matrix_device_id);
    mx->allowed_inviters = dup_nonempty(cfg->matrix_allowed_inviters);
    mx->pickle_key_file = pickle_key_path(cfg);
    mx->txn_epoch_ms = (int64_t)time(NULL) * 1000 + (tend_matrix_now_ms() % 1000);
    srand((unsigned)(time(NULL) ^ getpid()));
    if (!mx->homeserver) {
        mx_destroy(&mx->base);
        return NULL;
    }
    size_t n = strlen(mx->homeserver);
    while (n > 0 && mx->homeserver[n - 1] == '/')
        mx->homeserver[--n] = '\0';
    if (mx->password)
        tend_log_add_secret(mx->password);
    if (has_token && set_token(mx, cfg->matrix_access_token) != 0) {
        mx_destroy(&mx->base);
        return NULL;
    }
    return &mx->base;
}
