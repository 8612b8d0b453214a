/*
 * host_async.c — the host on PostgreSQL (store/postgres/SEAM.md): commands, autocomplete and the
 * scheduler's tick run on the store thread (app/storeq.h), so a slow or locked database never holds
 * the loop, its heartbeats and its deadlines.
 *
 * Who owns what: the bot, its store (one connection) and the scheduler belong to the store thread
 * from tend_app_async_start until tend_app_async_close joined it; the loop touches them only in
 * between through jobs. The loop keeps a connection of its own (app->loop_store) for the adapters'
 * small calls in the middle of their protocol (state, event claims, a language) and for the
 * sender's delivered marks, bounded so a locked database costs the loop at most half a second per
 * call (reported as the failure adapters already handle). A job's work runs on the store thread;
 * its done runs on the loop, in submission order: the sender takes the answers, the timer is
 * re-armed, the adapter hears the verdict (handled()).
 *
 * Discord and Matrix: both save a position (the gateway's sequence, the /sync `since` token) on
 * the loop right after handing commands over, which must not become durable ahead of commands
 * still queued (a crash would lose them): the write-behind below puts it behind them. Matrix's
 * crypto state goes at once to the loop's connection (host_crypto.c). Every host of the process is
 * async, so the bot stays on the one thread. SQLite and the console stay synchronous (app/host.c).
 *
 * Telegram saves its getUpdates offset, and asks for the next batch (which makes Telegram forget
 * this one), only once the batch's commands were handled() (adapters/telegram/poll.c), as on the
 * synchronous host; so its state holds nothing that must wait behind queued commands, and its
 * adapter says state_at_once (its send progress marks go at once, as they must). Signal has no
 * position to save: signal-cli's stream replays nothing, so an event tend received is lost by a
 * crash before its command ran on either host; its events are handed over in arrival order and
 * the store thread runs them in that order, so a member's commands still never overtake each
 * other. Its state (the group a member last used, reaction keys, the send marks of
 * adapters/signal/send.c) holds no position, and a send mark must be durable before the outbox
 * forgets its row: the adapter says state_at_once too, and its writes skip the write-behind.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adapters/host_crypto.h"
#include "app/internal.h"
#include "app/languages.h"
#include "app/storeq.h"
#include "bot/scheduler.h"
#include "lib/log.h"
#include "lib/metrics.h"

/* The loop's connection gives up on another session's lock after this, and on a statement after
 * that: what the loop may lose to one small call. The store thread's own waits far longer, since
 * its stall costs the loop nothing; a command then fails only when the database is really stuck. */
#define LOOP_LOCK_MS 200
#define LOOP_STATEMENT_MS 500
#define THREAD_LOCK_MS 10000
#define THREAD_STATEMENT_MS 30000
#define DUE_LOOK_MS TEND_APP_DUE_LOOK_MS /* internal.h */
#define DUE_NOT_LOOKED INT64_MAX

/* What a slow database costs the members, and how far behind the store thread is. */
static const tend_metric_def M_COMMAND_WAIT = {
    "tend_store_thread_command_seconds",
    "From a command handed to the store thread to its answers back on the loop (PostgreSQL).",
    TEND_METRIC_HISTOGRAM, {"platform", NULL}};
static const tend_metric_def M_QUEUE_DEPTH = {
    "tend_store_thread_jobs", "Store-thread jobs (commands, ticks, lookups) not yet back on the loop.",
    TEND_METRIC_GAUGE, {NULL, NULL}};

static void count_jobs(const tend_app *app)
{
    if (app->storeq)
        tend_metric_set(&M_QUEUE_DEPTH, NULL, NULL, (double)tend_storeq_pending(app->storeq));
}

static tend_app *app_of(tend_host *h)
{
    return h->app;
}

static const tend_env *env_of(const tend_app *app)
{
    return tend_bot_env(app->bot);
}

int tend_app_async_open(tend_app *app, bool console, char *err, size_t errlen)
{
    const tend_config *cfg = app->cfg;
    if (console || !cfg->store_url || !*cfg->store_url || !tend_store_is_url(cfg->store_url) ||
        !(tend_config_has_discord(cfg) || tend_config_has_matrix(cfg) || tend_config_has_signal(cfg) ||
          tend_config_has_telegram(cfg)))
        return 0;
    char why[256] = "";
    if (tend_store_open(cfg->store_url, &app->loop_store, why, sizeof why) != TEND_STORE_OK) {
        snprintf(err, errlen, "cannot open the loop's own database connection: %s", why);
        app->loop_store = NULL;
        return -1;
    }
    if (tend_store_bound_waits(app->loop_store, LOOP_LOCK_MS, LOOP_STATEMENT_MS) != TEND_STORE_OK ||
        tend_store_bound_waits(env_of(app)->store, THREAD_LOCK_MS, THREAD_STATEMENT_MS) != TEND_STORE_OK) {
        snprintf(err, errlen, "cannot bound the database's waits: %s", tend_store_errmsg(app->loop_store));
        tend_store_close(app->loop_store);
        app->loop_store = NULL;
        return -1;
    }
    return 0;
}

int tend_app_async_start(tend_app *app, char *err, size_t errlen)
{
    app->storeq = tend_storeq_create(app->loop);
    if (!app->storeq) {
        snprintf(err, errlen, "cannot start the store thread");
        return -1;
    }
    tend_log(TEND_LOG_INFO, "app", "commands run on a store thread; the loop keeps its own connection");
    return 0;
}

void tend_app_async_close(tend_app *app)
{
    tend_storeq *q = app->storeq;
    app->storeq = NULL; /* dones run by the close below submit nothing more */
    tend_storeq_close(q);
}

void tend_app_async_destroy(tend_app *app)
{
    tend_store_close(app->loop_store);
    app->loop_store = NULL;
}

/* ---------------------------------------------------------------- the scheduler */

typedef struct {
    tend_app *app;
    tend_messages out;
    int rc;      /* tend_scheduler_tick_some's: 1 more is due, 0 done, -1 the store failed */
    int64_t due; /* the next due time after it */
    int failing; /* tend_store_failing after it, for /healthz */
} tick_job;

static void tick_work(void *ud)
{
    tick_job *j = ud;
    const tend_env *env = env_of(j->app);
    int64_t now = tend_clock_now(env->clock);
    j->rc = tend_scheduler_tick_some(env, now, TEND_SCHEDULER_SLICE, &j->out);
    j->due = j->rc == 1 ? now : tend_scheduler_next_due(env, now);
    j->failing = tend_store_failing(env->store);
}

static void tick_done(void *ud)
{
    tick_job *j = ud;
    tend_app *app = j->app;
    if (j->out.count)
        tend_app_failpoint("after-fire");
    tend_app_take(app, &j->out);
    app->tick_queued = false;
    app->store_failing = j->failing;
    if (j->rc < 0)
        tend_log(TEND_LOG_WARN, "app", "the scheduler could not finish; it will try again");
    /* more due: straight on, with the loop's I/O in between; else until the next due time */
    if (j->rc == 1)
        tend_app_arm_timer_at(app, 0, TEND_APP_TICK_NEXT_SLICE_MS);
    else
        tend_app_arm_timer_at(app, j->due, TEND_APP_TICK_MIN_MS);
    count_jobs(app);
    free(j);
}

void tend_app_async_tick(tend_app *app)
{
    if (app->stopping || !app->storeq || app->tick_queued)
        return; /* one tick at a time: the queued one's done re-arms the timer */
    tick_job *j = calloc(1, sizeof *j);
    if (!j) {
        tend_app_arm_timer_at(app, 0, TEND_APP_TICK_MIN_MS);
        return;
    }
    j->app = app;
    tend_messages_init(&j->out);
    if (tend_storeq_submit(app->storeq, tick_work, tick_done, j) != 0) {
        free(j);
        return;
    }
    app->tick_queued = true;
    count_jobs(app);
}

/* ---------------------------------------------------------------- the platforms served */

typedef struct {
    tend_app *app;
    char names[TEND_MAX_PLATFORMS][TEND_KEY_MAX];
    const char *list[TEND_MAX_PLATFORMS];
    size_t n;
} serve_job;

static void serve_work(void *ud)
{
    serve_job *j = ud;
    if (tend_bot_serve_platforms(j->app->bot, j->list, j->n) != 0)
        tend_log(TEND_LOG_WARN, "app", "cannot say which platforms this process serves");
}

static void serve_done(void *ud)
{
    serve_job *j = ud;
    count_jobs(j->app);
    free(j);
}

int tend_app_async_serve(tend_app *app, const char *const *names, size_t n)
{
    if (!app->storeq)
        return 1;
    serve_job *j = n <= TEND_MAX_PLATFORMS ? calloc(1, sizeof *j) : NULL;
    if (!j)
        return -1;
    j->app = app;
    for (size_t i = 0; i < n; i++) {
        if (strlen(names[i]) >= sizeof j->names[i]) { /* as tend_bot_serve_platforms refuses it */
            free(j);
            return -1;
        }
        memcpy(j->names[i], names[i], strlen(names[i]) + 1);
        j->list[i] = j->names[i];
    }
    j->n = n;
    if (tend_storeq_submit(app->storeq, serve_work, serve_done, j) != 0) {
        free(j);
        return -1;
    }
    count_jobs(app);
    return 0;
}

/* ---------------------------------------------------------------- commands */

/* A request and every string it points to, owned by the job. */
typedef struct {
    tend_app *app;
    tend_host *host;
    tend_request req;
    tend_member_ref *refs;
    char *strings[10];
    size_t n_strings;
    tend_messages said, after;
    int rc;
    int64_t due, now;
    int failing; /* tend_store_failing after it, for /healthz */
    uint64_t handed_ns;
} handle_job;

static const char *keep(handle_job *j, const char *s, bool *ok)
{
    if (!s)
        return NULL;
    char *copy = strdup(s);
    if (!copy || j->n_strings == sizeof j->strings / sizeof j->strings[0]) {
        free(copy);
        *ok = false;
        return NULL;
    }
    j->strings[j->n_strings++] = copy;
    return copy;
}

static void handle_job_free(handle_job *j)
{
    for (size_t i = 0; i < j->n_strings; i++)
        free(j->strings[i]);
    if (j->refs)
        for (size_t i = 0; i < j->req.n_refs; i++) {
            free((char *)j->refs[i].member_key);
            free((char *)j->refs[i].name);
        }
    free(j->refs);
    tend_messages_clear(&j->said);
    tend_messages_clear(&j->after);
    free(j);
}

static handle_job *handle_job_new(tend_app *app, tend_host *h, const tend_request *req)
{
    handle_job *j = calloc(1, sizeof *j);
    if (!j)
        return NULL;
    j->app = app;
    j->host = h;
    tend_messages_init(&j->said);
    tend_messages_init(&j->after);
    j->req = *req;
    bool ok = true;
    j->req.group_key = keep(j, req->group_key, &ok);
    j->req.channel_key = keep(j, req->channel_key, &ok);
    j->req.member_key = keep(j, req->member_key, &ok);
    j->req.member_name = keep(j, req->member_name, &ok);
    j->req.text = keep(j, req->text, &ok);
    j->req.event_id = keep(j, req->event_id, &ok);
    j->req.reply_to = keep(j, req->reply_to, &ok);
    j->req.locale = keep(j, req->locale, &ok);
    j->req.guild_locale = keep(j, req->guild_locale, &ok);
    j->req.refs = NULL;
    if (ok && req->n_refs) {
        j->refs = calloc(req->n_refs, sizeof *j->refs);
        ok = j->refs != NULL;
        for (size_t i = 0; ok && i < req->n_refs; i++) {
            j->refs[i].member_key = req->refs[i].member_key ? strdup(req->refs[i].member_key) : NULL;
            j->refs[i].name = req->refs[i].name ? strdup(req->refs[i].name) : NULL;
            ok = (j->refs[i].member_key || !req->refs[i].member_key) && (j->refs[i].name || !req->refs[i].name);
        }
        j->req.refs = j->refs;
    }
    if (!ok) {
        handle_job_free(j);
        return NULL;
    }
    return j;
}

/* On the store thread: the command, then what it made due (the member's own nudge at once; the
 * rest through a tick, which the done asks for). */
static void handle_work(void *ud)
{
    handle_job *j = ud;
    const tend_env *env = env_of(j->app);
    j->rc = tend_bot_handle(j->app->bot, &j->req, &j->said);
    j->failing = tend_store_failing(env->store);
    if (j->rc == TEND_BOT_DUPLICATE)
        return;
    j->now = tend_clock_now(env->clock);
    if (tend_scheduler_after_command(env, j->req.group_key, j->req.member_key, j->now, &j->after) != 0)
        tend_log(TEND_LOG_WARN, "app", "the scheduler could not finish after a command; it will try again");
    uint64_t now_ms = uv_hrtime() / 1000000;
    if (now_ms - j->app->due_looked_ms < DUE_LOOK_MS) {
        j->due = DUE_NOT_LOOKED;
        return;
    }
    j->app->due_looked_ms = now_ms;
    j->due = tend_scheduler_next_due(env, j->now);
}

static void handle_done(void *ud)
{
    handle_job *j = ud;
    tend_app *app = j->app;
    app->store_failing = j->failing;
    int verdict = j->rc == TEND_BOT_DUPLICATE ? TEND_HOST_DUPLICATE : j->rc < 0 ? TEND_HOST_FAILED : 0;
    if (verdict == TEND_HOST_DUPLICATE) {
        tend_log(TEND_LOG_DEBUG, "app", "a %s event was handled before; not again", j->host->platform);
    } else {
        tend_app_failpoint("after-commit");
        tend_app_take(app, &j->said);
        tend_app_take(app, &j->after);
        if (j->due <= j->now)
            tend_app_async_tick(app); /* what else the command made due goes now */
        else if (!app->tick_queued && j->due == DUE_NOT_LOOKED)
            tend_app_arm_timer_within(app, DUE_LOOK_MS); /* a tick under way arms it when done */
        else if (!app->tick_queued)
            tend_app_arm_timer_at(app, j->due, TEND_APP_TICK_MIN_MS);
    }
    app->commands_queued--;
    tend_adapter *a = tend_app_adapter(app, j->host->platform);
    if (a && a->ops->handled)
        a->ops->handled(a, j->req.reply_to, verdict);
    tend_metric_observe(&M_COMMAND_WAIT, j->host->platform, NULL, (double)(uv_hrtime() - j->handed_ns) / 1e9);
    count_jobs(app);
    handle_job_free(j);
}

static int handle(tend_host *h, const tend_request *req)
{
    tend_app *app = app_of(h);
    handle_job *j = app->storeq ? handle_job_new(app, h, req) : NULL;
    if (!j) {
        tend_log(TEND_LOG_WARN, "app", "a %s command could not be taken (%s)", h->platform,
                 app->storeq ? "out of memory" : "stopping");
        return TEND_HOST_FAILED;
    }
    j->handed_ns = uv_hrtime();
    if (tend_storeq_submit(app->storeq, handle_work, handle_done, j) != 0) {
        handle_job_free(j);
        return TEND_HOST_FAILED;
    }
    app->commands_queued++;
    count_jobs(app);
    return TEND_HOST_QUEUED;
}

/* ---------------------------------------------------------------- autocomplete */

typedef struct {
    tend_app *app;
    char *group_key, *member_key, *command, *option, *typed;
    tend_host_choices_cb cb;
    void *ud;
    tend_choice choices[TEND_MAX_CHOICES];
    size_t n;
} complete_job;

static void complete_job_free(complete_job *j)
{
    free(j->group_key);
    free(j->member_key);
    free(j->command);
    free(j->option);
    free(j->typed);
    free(j);
}

static void complete_work(void *ud)
{
    complete_job *j = ud;
    const tend_env *env = env_of(j->app);
    if (j->option && strcmp(j->option, "kind") == 0)
        j->n = tend_bot_complete_kind(env, j->group_key, j->typed, j->choices, TEND_MAX_CHOICES);
    else
        j->n = tend_bot_complete(env, j->group_key, j->member_key, j->command, j->typed, j->choices,
                                 TEND_MAX_CHOICES);
}

static void complete_done(void *ud)
{
    complete_job *j = ud;
    j->cb(j->ud, j->choices, j->n);
    count_jobs(j->app);
    complete_job_free(j);
}

static bool dup_or_null(const char *s, char **out)
{
    *out = s ? strdup(s) : NULL;
    return !s || *out;
}

static int complete_later(tend_host *h, const char *group_key, const char *member_key, const char *command,
                          const char *option, const char *typed, tend_host_choices_cb cb, void *ud)
{
    tend_app *app = app_of(h);
    complete_job *j = app->storeq ? calloc(1, sizeof *j) : NULL;
    if (!j)
        return -1;
    j->app = app;
    j->cb = cb;
    j->ud = ud;
    if (!dup_or_null(group_key, &j->group_key) || !dup_or_null(member_key, &j->member_key) ||
        !dup_or_null(command, &j->command) || !dup_or_null(option, &j->option) || !dup_or_null(typed, &j->typed) ||
        tend_storeq_submit(app->storeq, complete_work, complete_done, j) != 0) {
        complete_job_free(j);
        return -1;
    }
    count_jobs(app);
    return 0;
}

/* An adapter that still asks for choices at once gets none rather than a wait on the loop. */
static size_t complete_now(tend_host *h, const char *group_key, const char *member_key, const char *command,
                           const char *option, const char *typed, tend_choice *out, size_t max)
{
    (void)h, (void)group_key, (void)member_key, (void)command, (void)option, (void)typed, (void)out, (void)max;
    return 0;
}

/* ---------------------------------------------------------------- the adapter's state */

/* A state write made while commands are still queued goes behind them, on the store thread: the
 * Discord gateway's saved sequence number (Matrix's since token) must not become durable before
 * the commands it covers, or a crash would lose them (a RESUME replays only what came after it).
 * Until it ran, reads of that key are answered from here (a DM channel just opened is not looked
 * up twice). A tick or a lookup in the queue covers no event: with no command queued the write
 * goes at once (a new gateway session is kept at once, not after the start's first tick), unless
 * a write of the same key is still behind, which it must not overtake. */
typedef struct state_write {
    struct state_write *next;
    tend_app *app;
    const char *platform;
    char *key, *value; /* value NULL: a delete */
    int rc;
} state_write;

static int result_of(int rc)
{
    return rc == TEND_STORE_OK ? 0 : rc == TEND_STORE_NOTFOUND ? 1 : -1;
}

static void state_write_work(void *ud)
{
    state_write *w = ud;
    tend_store *store = env_of(w->app)->store;
    w->rc = w->value ? tend_store_state_set(store, w->platform, w->key, w->value)
                     : tend_store_state_delete(store, w->platform, w->key);
}

static void state_write_done(void *ud)
{
    state_write *w = ud;
    tend_app *app = w->app;
    if (w->rc != TEND_STORE_OK && w->rc != TEND_STORE_NOTFOUND)
        tend_log(TEND_LOG_WARN, "app", "could not save %s state behind the queued commands", w->platform);
    for (state_write **p = &app->state_writes; *p; p = &(*p)->next)
        if (*p == w) {
            *p = w->next;
            break;
        }
    count_jobs(app);
    free(w->key);
    free(w->value);
    free(w);
}

static const state_write *pending_write(const tend_app *app, const char *platform, const char *key)
{
    for (const state_write *w = app->state_writes; w; w = w->next)
        if (w->platform == platform && strcmp(w->key, key) == 0)
            return w;
    return NULL;
}

/* 0 when the write went behind the queue, 1 when nothing it must follow is queued (write it now),
 * -1 on OOM. */
static int write_behind(tend_host *h, const char *key, const char *value)
{
    tend_app *app = app_of(h);
    if (!app->storeq || (app->commands_queued == 0 && !pending_write(app, h->platform, key)))
        return 1;
    const tend_adapter *a = tend_app_adapter(app, h->platform);
    if (a && a->ops->state_at_once)
        return 1; /* no position among its state (Signal, Telegram): nothing of it goes behind */
    state_write *w = calloc(1, sizeof *w);
    if (!w || !(w->key = strdup(key)) || (value && !(w->value = strdup(value)))) {
        if (w)
            free(w->key);
        free(w);
        return -1;
    }
    w->app = app;
    w->platform = h->platform;
    if (tend_storeq_submit(app->storeq, state_write_work, state_write_done, w) != 0) {
        free(w->key);
        free(w->value);
        free(w);
        return 1;
    }
    w->next = app->state_writes; /* newest first: what a read finds first */
    app->state_writes = w;
    count_jobs(app);
    return 0;
}

static int state_get(tend_host *h, const char *key, char *value, size_t valuelen)
{
    const state_write *w = pending_write(app_of(h), h->platform, key);
    if (w) {
        if (!w->value)
            return 1;
        snprintf(value, valuelen, "%s", w->value);
        return 0;
    }
    return result_of(tend_store_state_get(app_of(h)->loop_store, h->platform, key, value, valuelen));
}

static int state_set(tend_host *h, const char *key, const char *value)
{
    int rc = write_behind(h, key, value);
    if (rc <= 0)
        return rc;
    return result_of(tend_store_state_set(app_of(h)->loop_store, h->platform, key, value));
}

static int state_delete(tend_host *h, const char *key)
{
    int rc = write_behind(h, key, NULL);
    if (rc <= 0)
        return rc;
    return result_of(tend_store_state_delete(app_of(h)->loop_store, h->platform, key));
}

static int64_t now(tend_host *h)
{
    return tend_clock_now(env_of(app_of(h))->clock);
}

static int link_group(tend_host *h, const char *const *set_keys, const char *const *set_values, size_t n_set,
                      const char *const *delete_keys, size_t n_delete, const char *group_key,
                      const char *channel_key)
{
    return tend_app_link_group(app_of(h)->loop_store, h->platform, set_keys, set_values, n_set, delete_keys,
                               n_delete, group_key, channel_key, now(h));
}

static int event_claim(tend_host *h, const char *event_id)
{
    int rc = tend_store_event_claim(app_of(h)->loop_store, h->platform, event_id, now(h));
    return rc == TEND_STORE_OK ? 0 : rc == TEND_STORE_EXISTS ? 1 : -1;
}

static int language(tend_host *h, const char *group_key, const char *member_key, const char *locale, char *out,
                    size_t outlen)
{
    return tend_app_language_of(app_of(h)->loop_store, group_key, member_key, locale, out, outlen);
}

static void sent(tend_host *h, int64_t id, tend_sent_result result)
{
    tend_sender_sent(app_of(h)->sender, id, result);
}

static void stop(tend_host *h, int exit_code)
{
    tend_app *app = app_of(h);
    if (exit_code)
        app->failed = exit_code;
    tend_app_stop(app);
}

/* The console's directives: the console never runs on this host (it stays synchronous). */
static int introduce(tend_host *h, const char *group_key, const char *name, char *member_key, size_t keylen)
{
    (void)h, (void)group_key, (void)name;
    if (keylen)
        member_key[0] = '\0';
    return -1;
}

static int advance(tend_host *h, int64_t seconds)
{
    (void)h, (void)seconds;
    return -1;
}

static int peers(tend_host *h)
{
    return app_of(h)->processes_alive; /* counted on the loop, read on the loop */
}

const tend_host_ops tend_app_host_async_ops = {
    .handle = handle,
    .complete = complete_now,
    .state_get = state_get,
    .state_set = state_set,
    .state_delete = state_delete,
    .link_group = link_group,
    .event_claim = event_claim,
    .now = now,
    .sent = sent,
    .stop = stop,
    .introduce = introduce,
    .advance = advance,
    .language = language,
    .crypto = &tend_app_host_crypto_ops, /* on the loop's connection (host_crypto.c) */
    .complete_later = complete_later,
    .peers = peers,
    .share = tend_app_host_share,
    .share_given_back = tend_app_host_share_given_back,
};
