/*
 * defer.c — Discord's 3 seconds, when the host runs commands off the loop (a PostgreSQL store).
 *
 * Discord refuses an interaction's first answer after 3 seconds. A command the host took
 * (TEND_HOST_QUEUED) is watched from the moment it was handed over: if no answer reached dc_send
 * within DC_DEFER_AFTER_MS (a slow or locked database), the interaction is answered with a
 * deferral (dispatch.c), which gives tend 15 minutes for the real answer. Watches end in the
 * order they began, so one timer armed for the oldest is enough.
 */
#include <stdio.h>
#include <stdlib.h>

#include "adapters/discord/internal.h"
#include "lib/log.h"
#include "lib/metrics.h"

static const tend_metric_def M_DEFERRED = {
    "tend_discord_deferred_total", "Interactions answered with a deferral because their answer was slow.",
    TEND_METRIC_COUNTER, {NULL, NULL}};

typedef struct dc_deferral {
    struct dc_deferral *next;
    char id[32];
    char token[160];
    uint64_t due_ms; /* loop time */
} dc_deferral;

static void on_due(uv_timer_t *t);

static void arm(discord *d)
{
    if (!d->deferrals || d->stopping)
        return;
    uint64_t now = uv_now(d->loop);
    uv_timer_start(&d->defer_timer, on_due, d->deferrals->due_ms > now ? d->deferrals->due_ms - now : 0, 0);
}

static bool post_deferral(discord *d, dc_deferral *w);

static void on_due(uv_timer_t *t)
{
    discord *d = t->data;
    uint64_t now = uv_now(d->loop);
    while (d->deferrals && d->deferrals->due_ms <= now && !d->stopping) {
        dc_deferral *w = d->deferrals;
        d->deferrals = w->next;
        if (!d->deferrals)
            d->deferrals_tail = NULL;
        w->next = NULL;
        if (post_deferral(d, w)) { /* on its way: kept until Discord answers, or the stop */
            w->next = d->deferring;
            d->deferring = w;
        } else {
            free(w);
        }
    }
    arm(d);
}

void dc_defer_watch(discord *d, const char *id, const char *token)
{
    if (d->stopping)
        return;
    dc_deferral *w = calloc(1, sizeof *w);
    if (!w)
        return; /* its answer still goes: as the callback in time, else around (dispatch.c) */
    snprintf(w->id, sizeof w->id, "%s", id);
    snprintf(w->token, sizeof w->token, "%s", token);
    w->due_ms = uv_now(d->loop) + DC_DEFER_AFTER_MS;
    bool first = !d->deferrals;
    if (d->deferrals_tail)
        d->deferrals_tail->next = w;
    else
        d->deferrals = w;
    d->deferrals_tail = w;
    if (first)
        arm(d);
}

static void free_list(dc_deferral *w)
{
    while (w) {
        dc_deferral *next = w->next;
        free(w);
        w = next;
    }
}

void dc_defer_free(discord *d)
{
    free_list(d->deferrals);
    free_list(d->deferring);
    d->deferrals = d->deferrals_tail = d->deferring = NULL;
}

/* ---------------------------------------------------------------- the deferral itself */

/* 40060: a callback went before (tend's own, before a restart): its answers follow on. */
static bool already_acknowledged(const cJSON *body)
{
    const cJSON *code = cJSON_GetObjectItemCaseSensitive(body, "code");
    return cJSON_IsNumber(code) && (long)code->valuedouble == 40060;
}

static void deferral_done(discord *d, long status, const cJSON *body, void *ud)
{
    dc_deferral *w = ud;
    for (dc_deferral **p = &d->deferring; *p; p = &(*p)->next)
        if (*p == w) {
            *p = w->next;
            break;
        }
    dc_seen *seen = d->stopping ? NULL : dc_seen_find(d, w->id);
    if (seen && (status < 200 || status >= 300) && !already_acknowledged(body)) {
        /* expired or refused: its answers go around (a DM, or the channel when public) */
        tend_log(TEND_LOG_INFO, "discord", "a deferral was refused (status %ld); its answer goes around", status);
        seen->deferred = seen->acked = false;
        seen->arrived_ms = 0;
    }
    free(w);
}

/* If the interaction still waits for its first answer (none reached dc_send), takes its callback
 * with a deferral (type 5, ephemeral: the answer's privacy is not known yet, and a private answer
 * must never be shown to everyone); its answers then go as follow-ups, or to the channel when
 * public (dispatch.c). True when the deferral is on its way (w then belongs to it). */
static bool post_deferral(discord *d, dc_deferral *w)
{
    dc_seen *seen = dc_seen_find(d, w->id);
    if (d->stopping || !seen || seen->acked || seen->answering)
        return false;
    cJSON *json = cJSON_CreateObject();
    cJSON *data = json ? cJSON_AddObjectToObject(json, "data") : NULL;
    char *body = NULL;
    if (data && cJSON_AddNumberToObject(json, "type", 5) && cJSON_AddNumberToObject(data, "flags", DC_FLAG_EPHEMERAL))
        body = dc_json_take(json);
    else
        cJSON_Delete(json);
    char path[512];
    snprintf(path, sizeof path, "/interactions/%s/%s/callback", w->id, w->token);
    uint64_t chain = dc_rest_new_chain(d->rest);
    if (!body || dc_rest_send(d->rest, chain, "POST", path, body, deferral_done, w) != 0) {
        free(body);
        return false; /* its answer still goes: as the callback in time, else around */
    }
    free(body);
    seen->acked = seen->deferred = true;
    seen->chain = chain;
    tend_metric_add(&M_DEFERRED, NULL, NULL, 1);
    tend_log(TEND_LOG_DEBUG, "discord", "an answer is slow; its interaction was deferred");
    return true;
}
