/*
 * poll.c — the getUpdates long-poll, and each group's admins.
 *
 * One getUpdates is in flight at a time (a 30 s long-poll). Its updates are handled in order; the
 * offset that confirms them (last update_id + 1) is stored in the host's state only once the whole
 * batch was handled, and every command's event id is recorded with its effect. So a restart
 * neither loses an update (Telegram keeps what was not confirmed, 24 hours) nor answers one twice
 * (a replayed command is recognised by its event id). A batch pauses while it waits for a group's
 * admins and resumes when they arrive, so commands keep their order.
 *
 * On PostgreSQL the host takes commands off the loop (TEND_HOST_QUEUED) and they run later, in the
 * order given. A getUpdates with the new offset is what tells Telegram to forget the batch, and the
 * stored offset is where a restart starts, so both wait until every queued command of the batch was
 * handled() (committed with its event id): a crash meanwhile leaves the batch with Telegram, and a
 * restart gets it again. That is the synchronous host's order (commands, offset, poll), so none of
 * the adapter's state needs to wait behind queued commands (client.c's state_at_once). The batch
 * keeps its pipelining (its commands queue back to back); only the next poll waits, as long as the
 * synchronous host made it wait.
 *
 * Telegram gives updates to one poller only: a second one (another tend with the same token) or a
 * webhook set meanwhile makes getUpdates answer 409. That is said once, in one line, and polling
 * goes on with a back-off until the other one is gone.
 *
 * Admins are the group's coordinators: getChatAdministrators, kept ADMINS_FRESH_MS per group, the
 * old list used a while longer when Telegram cannot answer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adapters/metrics.h"
#include "adapters/telegram/internal.h"
#include "lib/log.h"

#define POLL_TIMEOUT_S 30
#define OFFSET_KEY "offset"
#define ADMINS_FRESH_MS (5 * 60 * 1000)
#define ADMINS_RETRY_MS 2000
#define ADMINS_MAX_TRIES 3

static void schedule_poll(tend_telegram *tg, uint64_t delay_ms);

/* ---------------------------------------------------------------- admins */

struct tg_admins {
    char chat[TG_ID_MAX];
    cJSON *ids;            /* array of user ids as strings, or NULL before the first answer */
    uint64_t fetched_ms;
    bool fetching;
    int failures;
    uint64_t retry_at_ms;  /* after a failure, when to ask again                            */
    tend_telegram *tg;
    tg_admins *next;
};

static tg_admins *admins_get(tend_telegram *tg, const char *chat)
{
    for (tg_admins *a = tg->admins; a; a = a->next)
        if (strcmp(a->chat, chat) == 0)
            return a;
    tg_admins *a = calloc(1, sizeof *a);
    if (!a)
        return NULL;
    snprintf(a->chat, sizeof a->chat, "%s", chat);
    a->tg = tg;
    a->next = tg->admins;
    tg->admins = a;
    return a;
}

static void resume_batch(tend_telegram *tg);

static void on_admins(const tend_http_response *res, void *ud)
{
    tg_admins *a = ud;
    tend_telegram *tg = a->tg;
    a->fetching = false;
    tg_answer ans;
    tend_telegram_answer_read(res, &ans);
    if (ans.ok && cJSON_IsArray(ans.result)) {
        cJSON *ids = cJSON_CreateArray();
        const cJSON *m;
        cJSON_ArrayForEach(m, ans.result) {
            char id[TG_ID_MAX];
            const cJSON *user = cJSON_GetObjectItemCaseSensitive(m, "user");
            if (ids && tend_telegram_id_text(cJSON_GetObjectItemCaseSensitive(user, "id"), id, sizeof id))
                cJSON_AddItemToArray(ids, cJSON_CreateString(id));
        }
        if (ids) {
            cJSON_Delete(a->ids);
            a->ids = ids;
            a->fetched_ms = tend_telegram_now_ms(tg);
            a->failures = 0;
        }
    } else {
        a->failures++;
        uint64_t wait = ans.error_code == 429 && ans.retry_after > 0 ? (uint64_t)(ans.retry_after * 1000)
                                                                     : ADMINS_RETRY_MS;
        a->retry_at_ms = tend_telegram_now_ms(tg) + wait;
        tend_log(TEND_LOG_WARN, "telegram", "could not read the admins of group %s (%d %s)%s", a->chat,
                 ans.error_code, ans.description,
                 a->ids ? "; using the list from before" : a->failures < ADMINS_MAX_TRIES ? "; asking again" : "");
    }
    tend_telegram_answer_free(&ans);
    if (!tg->stopping)
        resume_batch(tg);
}

static bool admins_fetch(tend_telegram *tg, tg_admins *a)
{
    char body[96];
    snprintf(body, sizeof body, "{\"chat_id\":%s}", a->chat);
    if (tend_telegram_call(tg, "getChatAdministrators", body, 15000, on_admins, a) != 0)
        return false;
    a->fetching = true;
    return true;
}

int tend_telegram_admin(tend_telegram *tg, const char *chat, const char *user, bool *is_admin)
{
    *is_admin = false;
    if (!tend_telegram_id_ok(chat) || chat[0] != '-')
        return 0; /* a private chat has no admins */
    tg_admins *a = admins_get(tg, chat);
    if (!a)
        return 0;
    uint64_t now = tend_telegram_now_ms(tg);
    bool fresh = a->ids && now - a->fetched_ms < ADMINS_FRESH_MS;
    bool gave_up = a->failures >= ADMINS_MAX_TRIES || (a->ids && a->failures > 0);
    if (!fresh && !gave_up) {
        if (a->fetching)
            return 1;
        if (a->failures == 0 || now >= a->retry_at_ms) {
            if (admins_fetch(tg, a))
                return 1;
        } else {
            /* waiting out a failure: the batch resumes when the timer says */
            schedule_poll(tg, a->retry_at_ms - now);
            return 1;
        }
    }
    if (!fresh && gave_up && now >= a->retry_at_ms + ADMINS_FRESH_MS)
        a->failures = 0; /* ask again next time, a while later */
    const cJSON *id;
    cJSON_ArrayForEach(id, a->ids) {
        if (cJSON_IsString(id) && strcmp(id->valuestring, user) == 0)
            *is_admin = true;
    }
    return 0;
}

void tend_telegram_admins_free(tend_telegram *tg)
{
    tg_admins *a = tg->admins;
    while (a) {
        tg_admins *next = a->next;
        cJSON_Delete(a->ids);
        free(a);
        a = next;
    }
    tg->admins = NULL;
}

/* ---------------------------------------------------------------- the batch */

/* Once the batch's commands ran: its offset, then the next poll. */
static void save_offset_and_poll(tend_telegram *tg)
{
    char offset[32];
    snprintf(offset, sizeof offset, "%lld", (long long)tg->batch_offset);
    if (tg->batch_offset > 0 && tend_host_state_set(tg->base.host, OFFSET_KEY, offset) != 0)
        tend_log(TEND_LOG_WARN, "telegram", "could not save the update offset; a restart may see a few updates "
                 "again (each is still answered once)");
    tg->batch_offset = 0; /* saved: a later handled() has nothing more to save */
    schedule_poll(tg, 0);
}

static void finish_batch(tend_telegram *tg)
{
    cJSON_Delete(tg->batch);
    tg->batch = NULL;
    tg->batch_index = 0;
    if (tg->commands_queued == 0)
        save_offset_and_poll(tg); /* else the last of them does (tend_telegram_command_handled) */
}

/* Handles updates from where the batch stopped; returns when one waits for admins. */
static void run_batch(tend_telegram *tg)
{
    int n = cJSON_GetArraySize(tg->batch);
    while (tg->batch_index < n && !tg->stopping) {
        const cJSON *update = cJSON_GetArrayItem(tg->batch, tg->batch_index);
        if (!tend_telegram_handle_update(tg, update)) {
            tg->batch_waiting = true;
            return;
        }
        tg->batch_index++;
    }
    tg->batch_waiting = false;
    if (!tg->stopping)
        finish_batch(tg);
}

static void resume_batch(tend_telegram *tg)
{
    if (tg->batch && tg->batch_waiting && !tg->stopping)
        run_batch(tg);
}

/* ---------------------------------------------------------------- the long-poll */

static void on_updates(const tend_http_response *res, void *ud)
{
    tend_telegram *tg = ud;
    tg->poll_in_flight = false;
    if (tg->stopping)
        return;
    tg_answer a;
    tend_telegram_answer_read(res, &a);
    if (!a.ok || !cJSON_IsArray(a.result)) {
        /* a 409 too: another reader gets the updates, so tend gets none */
        tend_metric_set(&TEND_M_CONNECTED, TEND_TELEGRAM_PLATFORM, NULL, 0);
        if (a.error_code == 401 || a.error_code == 404) {
            tend_log(TEND_LOG_ERROR, "telegram", "Telegram no longer accepts the bot token (%d %s); get a new "
                     "one from @BotFather and restart tend", a.error_code, a.description);
            tend_telegram_answer_free(&a);
            tend_host_stop(tg->base.host, 1);
            return;
        }
        uint64_t wait;
        if (a.error_code == 409) {
            if (!tg->conflict_said)
                tend_log(TEND_LOG_WARN, "telegram", "Telegram gives @%s's updates to one reader only, and another "
                         "one is reading them (another tend with the same token, or a webhook): %s; retrying",
                         tg->username, a.description);
            tg->conflict_said = true;
            wait = tend_telegram_backoff_ms(++tg->poll_failures, 1000, 30000);
        } else {
            if (tg->poll_failures++ == 0) {
                tg->down_since_ms = tend_telegram_now_ms(tg);
                tend_log(TEND_LOG_WARN, "telegram", "lost contact with the Bot API (%s); retrying", a.description);
            }
            wait = a.error_code == 429 && a.retry_after > 0 ? (uint64_t)(a.retry_after * 1000) + 50
                                                             : tend_telegram_backoff_ms(tg->poll_failures, 500, 30000);
        }
        tend_telegram_answer_free(&a);
        schedule_poll(tg, wait);
        return;
    }
    tend_metric_set(&TEND_M_CONNECTED, TEND_TELEGRAM_PLATFORM, NULL, 1);
    if (tg->poll_failures) {
        tend_metric_add(&TEND_M_RECONNECTS, TEND_TELEGRAM_PLATFORM, NULL, 1);
        tend_log(TEND_LOG_INFO, "telegram", "reading updates again%s", tg->conflict_said ? "" : " after a break");
        tg->poll_failures = 0;
        tg->conflict_said = false;
    }
    /* the batch keeps the whole answer alive while it runs */
    cJSON *result = cJSON_DetachItemFromObjectCaseSensitive(a.json, "result");
    tend_telegram_answer_free(&a);
    int64_t last = 0;
    const cJSON *u;
    cJSON_ArrayForEach(u, result) {
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(u, "update_id");
        if (cJSON_IsNumber(id) && (int64_t)id->valuedouble >= last)
            last = (int64_t)id->valuedouble;
    }
    cJSON_Delete(tg->batch);
    tg->batch = result;
    tg->batch_index = 0;
    tg->batch_offset = cJSON_GetArraySize(result) ? last + 1 : 0;
    run_batch(tg);
}

static void do_poll(tend_telegram *tg)
{
    if (tg->stopping || tg->poll_in_flight)
        return;
    if (tg->batch) {
        resume_batch(tg); /* a timer woke us while a batch waits for admins */
        return;
    }
    if (tg->commands_queued > 0)
        return; /* the last of them polls (tend_telegram_command_handled) */
    char offset[32] = "";
    int rc = tend_host_state_get(tg->base.host, OFFSET_KEY, offset, sizeof offset);
    cJSON *body = cJSON_CreateObject();
    if (rc == 0 && tend_telegram_id_ok(offset))
        cJSON_AddNumberToObject(body, "offset", strtod(offset, NULL));
    /* after a failure, one quick poll: an answer at once says the Bot API is back (health, the
     * reconnect) instead of a long-poll holding that news for up to 30 s. Not while another reader
     * holds the updates: quick polls would slip in between its polls and look like a comeback */
    bool quick = tg->poll_failures && !tg->conflict_said;
    cJSON_AddNumberToObject(body, "timeout", quick ? 0 : POLL_TIMEOUT_S);
    cJSON_AddItemToObject(body, "allowed_updates",
                          cJSON_CreateStringArray((const char *const[]){"message", "callback_query", "my_chat_member"}, 3));
    char *json = cJSON_PrintUnformatted(body);
    cJSON_Delete(body);
    if (json && tend_telegram_call(tg, "getUpdates", json, (POLL_TIMEOUT_S + 15) * 1000L, on_updates, tg) == 0)
        tg->poll_in_flight = true;
    else
        schedule_poll(tg, 1000);
    free(json);
}

static void on_poll_timer(uv_timer_t *t)
{
    do_poll(t->data);
}

static void schedule_poll(tend_telegram *tg, uint64_t delay_ms)
{
    if (tg->stopping || !tg->poll_timer_open)
        return;
    uv_timer_start(&tg->poll_timer, on_poll_timer, delay_ms, 0);
}

void tend_telegram_command_handled(tend_telegram *tg)
{
    if (tg->commands_queued > 0 && --tg->commands_queued == 0 && !tg->batch)
        save_offset_and_poll(tg); /* a batch still running does it when it finishes; stopping: no poll */
}

int tend_telegram_poll_start(tend_telegram *tg)
{
    if (!tg->poll_timer_open) {
        if (uv_timer_init(tg->loop, &tg->poll_timer) != 0)
            return -1;
        tg->poll_timer.data = tg;
        tg->poll_timer_open = true;
        tg->open_handles++;
    }
    schedule_poll(tg, 0);
    return 0;
}

static void on_poll_timer_closed(uv_handle_t *h)
{
    tend_telegram *tg = h->data;
    tg->open_handles--;
}

void tend_telegram_poll_stop(tend_telegram *tg)
{
    if (tg->poll_timer_open && !uv_is_closing((uv_handle_t *)&tg->poll_timer)) {
        uv_timer_stop(&tg->poll_timer);
        uv_close((uv_handle_t *)&tg->poll_timer, on_poll_timer_closed);
    }
}
