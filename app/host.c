/*
 * host.c — the host the app gives each adapter (adapters/host.h): commands into the bot, answers
 * out through the sender, the adapter's own small state in the store, and the console's clock.
 */
#include <stdio.h>
#include <string.h>

#include "adapters/host_crypto.h"
#include "app/internal.h"
#include "app/languages.h"
#include "bot/names.h"
#include "bot/scheduler.h"
#include "lib/log.h"

static tend_app *app_of(tend_host *h)
{
    return h->app;
}

static tend_store *store_of(tend_host *h)
{
    return tend_bot_env(app_of(h)->bot)->store;
}

static int handle(tend_host *h, const tend_request *req)
{
    tend_app *app = app_of(h);
    tend_messages said;
    tend_messages_init(&said);
    /* the console answers one keyboard, line by line: its commands commit one by one */
    bool grouped = strcmp(h->platform, "console") != 0;
    if (grouped)
        tend_batch_enter(app->batch);
    tend_store_mark mark;
    tend_store_mark_writes(store_of(h), &mark);
    int rc = tend_bot_handle(app->bot, req, &said);
    if (rc == TEND_BOT_DUPLICATE) {
        tend_log(TEND_LOG_DEBUG, "app", "a %s event was handled before; not again", h->platform);
        tend_messages_clear(&said);
        return TEND_HOST_DUPLICATE;
    }
    if (!tend_batch_open(app->batch))
        tend_app_failpoint("after-commit"); /* a group's commit comes later (app/batch.c) */
    tend_app_take(app, &said);
    tend_messages_clear(&said);
    /* a command that changed no row the scheduler's times depend on (the task board, a refusal, a
     * first command that only made the member's row) made nothing due sooner: the timer armed for
     * the earliest due time stays right, and what falls due with time is the tick's */
    if (tend_store_schedule_touched(store_of(h), &mark) &&
        tend_app_after_command(app, req->group_key, req->member_key, grouped) != 0)
        tend_log(TEND_LOG_WARN, "app", "the scheduler could not finish after a command; it will try again");
    return rc < 0 ? TEND_HOST_FAILED : 0;
}

static size_t complete(tend_host *h, const char *group_key, const char *member_key, const char *command,
                       const char *option, const char *typed, tend_choice *out, size_t max)
{
    if (option && strcmp(option, "kind") == 0)
        return tend_bot_complete_kind(tend_bot_env(app_of(h)->bot), group_key, typed, out, max);
    return tend_bot_complete(tend_bot_env(app_of(h)->bot), group_key, member_key, command, typed, out, max);
}

static int result_of(int rc)
{
    return rc == TEND_STORE_OK ? 0 : rc == TEND_STORE_NOTFOUND ? 1 : -1;
}

static int state_get(tend_host *h, const char *key, char *value, size_t valuelen)
{
    return result_of(tend_store_state_get(store_of(h), h->platform, key, value, valuelen));
}

static int state_set(tend_host *h, const char *key, const char *value)
{
    return result_of(tend_store_state_set(store_of(h), h->platform, key, value));
}

static int state_delete(tend_host *h, const char *key)
{
    return result_of(tend_store_state_delete(store_of(h), h->platform, key));
}

int tend_app_link_group(tend_store *store, const char *platform, const char *const *set_keys,
                        const char *const *set_values, size_t n_set, const char *const *delete_keys,
                        size_t n_delete, const char *group_key, const char *channel_key, int64_t now)
{
    int rc = tend_store_begin(store);
    for (size_t i = 0; rc == TEND_STORE_OK && i < n_set; i++)
        rc = tend_store_state_set(store, platform, set_keys[i], set_values[i]);
    for (size_t i = 0; rc == TEND_STORE_OK && i < n_delete; i++)
        rc = tend_store_state_delete(store, platform, delete_keys[i]);
    tend_group g;
    if (rc == TEND_STORE_OK && group_key)
        rc = tend_store_group_ensure(store, group_key, channel_key, now, &g);
    if (rc == TEND_STORE_OK && (rc = tend_store_commit(store)) == TEND_STORE_OK)
        return 0;
    tend_log(TEND_LOG_WARN, "app", "could not save %s state: %s", platform, tend_store_errmsg(store));
    tend_store_rollback(store);
    return -1;
}

static int link_group(tend_host *h, const char *const *set_keys, const char *const *set_values, size_t n_set,
                      const char *const *delete_keys, size_t n_delete, const char *group_key,
                      const char *channel_key)
{
    return tend_app_link_group(store_of(h), h->platform, set_keys, set_values, n_set, delete_keys, n_delete,
                               group_key, channel_key, tend_host_now(h));
}

static int event_claim(tend_host *h, const char *event_id)
{
    int rc = tend_store_event_claim(store_of(h), h->platform, event_id, tend_host_now(h));
    return rc == TEND_STORE_OK ? 0 : rc == TEND_STORE_EXISTS ? 1 : -1;
}

static int64_t now(tend_host *h)
{
    return tend_clock_now(tend_bot_env(app_of(h)->bot)->clock);
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

/* The console's `:as NAME`: the name as the group will read it, refused when it looks like another
 * member's (the console has no second name to tell two people apart by). */
static int introduce(tend_host *h, const char *group_key, const char *name, char *member_key, size_t keylen)
{
    char clean[TEND_NAME_MAX];
    if (tend_name_clean(name, clean, sizeof clean) != 0)
        return TEND_HOST_NAME_UNREADABLE;
    snprintf(member_key, keylen, "%s", clean);
    tend_store *store = store_of(h);
    int64_t t = tend_host_now(h);
    tend_group g;
    tend_member m;
    bool taken = false;
    int rc = tend_store_begin(store);
    if (rc == TEND_STORE_OK)
        rc = tend_store_group_ensure(store, group_key, group_key, t, &g);
    if (rc == TEND_STORE_OK && (rc = tend_store_member_get(store, g.id, clean, &m)) == TEND_STORE_NOTFOUND &&
        (rc = tend_name_taken(store, g.id, clean, 0, &taken)) == TEND_STORE_OK && !taken)
        rc = tend_store_member_ensure(store, g.id, clean, clean, t, &m);
    if (rc == TEND_STORE_OK && !taken && (rc = tend_store_commit(store)) == TEND_STORE_OK)
        return 0;
    if (!taken)
        tend_log(TEND_LOG_ERROR, "app", "cannot add %s: %s", clean, tend_store_errmsg(store));
    tend_store_rollback(store);
    return taken ? TEND_HOST_NAME_TAKEN : -1;
}

static int advance(tend_host *h, int64_t seconds)
{
    return tend_app_advance(app_of(h), seconds);
}

static int language(tend_host *h, const char *group_key, const char *member_key, const char *locale, char *out,
                    size_t outlen)
{
    return tend_app_language_of(store_of(h), group_key, member_key, locale, out, outlen);
}

static int peers(tend_host *h)
{
    return app_of(h)->processes_alive;
}

const tend_host_ops tend_app_host_ops = {
    .handle = handle,
    .complete = complete,
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
    .crypto = &tend_app_host_crypto_ops,
    .peers = peers,
    .share = tend_app_host_share,
    .share_given_back = tend_app_host_share_given_back,
};
