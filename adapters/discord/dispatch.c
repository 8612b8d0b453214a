/*
 * dispatch.c — a decoded Discord event through the bot, and the answers back out.
 *
 * An interaction must be answered within 3 seconds, so the bot runs at once (SQLite calls are
 * short) and the callback is the first request of its chain; follow-ups wait for it. Interaction
 * ids are claimed in the store first, so an INTERACTION_CREATE replayed after a RESUME (or after a
 * restart) is not answered twice.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "app/app.h"
#include "adapters/discord/internal.h"
#include "lib/log.h"
#include "bot/scheduler.h"

#define PATH_MAX_LEN 512

static const tend_env *env_of(discord *d)
{
    return tend_bot_env(d->bot);
}

static int64_t now_s(discord *d)
{
    return tend_clock_now(env_of(d)->clock);
}

/* Messages to one channel or one member keep their order: they share a chain picked by the key. */
static uint64_t chain_for(const char *key)
{
    uint64_t h = 1469598103934665603ULL;
    for (const char *p = key; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ULL;
    return h | (1ULL << 63);
}

static int post_json(discord *d, uint64_t chain, const char *path, cJSON *json, dc_rest_done cb,
                     void *ud)
{
    char *body = dc_json_take(json);
    if (!body)
        return -1;
    int rc = dc_rest_send(d->rest, chain, "POST", path, body, cb, ud);
    free(body);
    return rc;
}

/* ---------------------------------------------------------------- DMs */

typedef struct {
    cJSON *message;
    char user_id[64];
} pending_dm;

static void dm_channel_cb(discord *d, long status, const cJSON *body, void *ud)
{
    pending_dm *p = ud;
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(body, "id");
    if (status >= 200 && status < 300 && cJSON_IsString(id) && !d->stopping) {
        char key[96], path[PATH_MAX_LEN];
        snprintf(key, sizeof key, "dm:%s", p->user_id);
        if (tend_store_state_set(env_of(d)->store, "discord", key, id->valuestring) != TEND_STORE_OK)
            tend_log(TEND_LOG_WARN, "discord", "could not remember a DM channel");
        snprintf(path, sizeof path, "/channels/%s/messages", id->valuestring);
        post_json(d, chain_for(p->user_id), path, p->message, NULL, NULL);
    } else {
        tend_log(TEND_LOG_WARN, "discord", "could not open a DM channel (status %ld)", status);
        cJSON_Delete(p->message);
    }
    free(p);
}

static int send_dm(discord *d, const char *user_id, cJSON *message)
{
    if (!message)
        return -1;
    char key[96], channel[64], path[PATH_MAX_LEN];
    snprintf(key, sizeof key, "dm:%s", user_id);
    uint64_t chain = chain_for(user_id);
    if (tend_store_state_get(env_of(d)->store, "discord", key, channel, sizeof channel) ==
        TEND_STORE_OK) {
        snprintf(path, sizeof path, "/channels/%s/messages", channel);
        return post_json(d, chain, path, message, NULL, NULL);
    }
    pending_dm *p = calloc(1, sizeof *p);
    cJSON *open = cJSON_CreateObject();
    if (!p || !open) {
        free(p);
        cJSON_Delete(open);
        cJSON_Delete(message);
        return -1;
    }
    p->message = message;
    snprintf(p->user_id, sizeof p->user_id, "%s", user_id);
    cJSON_AddStringToObject(open, "recipient_id", user_id);
    if (post_json(d, chain, "/users/@me/channels", open, dm_channel_cb, p) != 0) {
        cJSON_Delete(message);
        free(p);
        return -1;
    }
    return 0;
}

/* ---------------------------------------------------------------- unprompted messages */

static int deliver_piece(discord *d, const tend_message *msg);

int dc_deliver(discord *d, const tend_message *msg)
{
    tend_messages pieces;
    tend_messages_init(&pieces);
    int rc = dc_split_message(msg, &pieces);
    for (size_t i = 0; rc == 0 && i < pieces.count; i++)
        rc = deliver_piece(d, &pieces.items[i]);
    tend_messages_clear(&pieces);
    return rc;
}

static int deliver_piece(discord *d, const tend_message *msg)
{
    if (msg->audience != TEND_TO_PUBLIC) {
        if (!msg->member_key || !*msg->member_key)
            return -1;
        return send_dm(d, msg->member_key, dc_render_message(msg, false));
    }
    char channel[TEND_KEY_MAX] = "";
    if (msg->channel_key && *msg->channel_key) {
        snprintf(channel, sizeof channel, "%s", msg->channel_key);
    } else {
        tend_group g;
        if (msg->group_key && tend_store_group_get(env_of(d)->store, msg->group_key, &g) == TEND_STORE_OK)
            snprintf(channel, sizeof channel, "%s", g.channel_key);
    }
    if (!channel[0]) {
        tend_log(TEND_LOG_WARN, "discord", "no channel known for a %s message; skipped", msg->kind);
        return -1;
    }
    char path[PATH_MAX_LEN];
    snprintf(path, sizeof path, "/channels/%s/messages", channel);
    cJSON *json = dc_render_message(msg, false);
    return json ? post_json(d, chain_for(channel), path, json, NULL, NULL) : -1;
}

/* ---------------------------------------------------------------- interactions */

static bool for_invoker(const tend_message *m, const dc_event *ev)
{
    if (m->audience == TEND_TO_PRIVATE)
        return !m->member_key || strcmp(m->member_key, ev->user_id) == 0;
    if (m->audience == TEND_TO_PUBLIC)
        return !m->channel_key || !*m->channel_key || strcmp(m->channel_key, ev->channel_id) == 0;
    return false;
}

static void hand_over(discord *d, const tend_message *m)
{
    tend_app *app = tend_app_of(&d->base);
    /* a message for another platform's group cannot come from a Discord command, but be safe */
    if (app && m->group_key && strncmp(m->group_key, "discord:", 8) != 0)
        tend_app_deliver(app, m);
    else
        dc_deliver(d, m);
}

static void answer_interaction(discord *d, const dc_event *ev, const tend_messages *out)
{
    char path[PATH_MAX_LEN];
    uint64_t chain = dc_rest_new_chain(d->rest);
    size_t first = out->count;
    for (size_t i = 0; i < out->count && first == out->count; i++)
        if (for_invoker(&out->items[i], ev))
            first = i;
    if (first == out->count)
        first = 0; /* nothing addressed to them: the callback still has to say something */
    snprintf(path, sizeof path, "/interactions/%s/%s/callback", ev->id, ev->token);
    if (out->count == 0 ||
        post_json(d, chain, path,
                  dc_render_callback(&out->items[first], out->items[first].audience != TEND_TO_PUBLIC),
                  NULL, NULL) != 0)
        tend_log(TEND_LOG_ERROR, "discord", "could not answer an interaction");
    snprintf(path, sizeof path, "/webhooks/%s/%s", d->app_id, ev->token);
    for (size_t i = 0; i < out->count; i++) {
        const tend_message *m = &out->items[i];
        if (i == first)
            continue;
        if (for_invoker(m, ev))
            post_json(d, chain, path, dc_render_message(m, m->audience == TEND_TO_PRIVATE), NULL, NULL);
        else
            hand_over(d, m);
    }
}

/* A command typed as a message ("@tend claim 12"): answered in the channel, privately by DM. */
static void answer_mention(discord *d, const dc_event *ev, const tend_messages *out)
{
    char path[PATH_MAX_LEN];
    snprintf(path, sizeof path, "/channels/%s/messages", ev->channel_id);
    bool replied = false;
    for (size_t i = 0; i < out->count; i++) {
        const tend_message *m = &out->items[i];
        if (m->audience == TEND_TO_PUBLIC && for_invoker(m, ev)) {
            cJSON *json = dc_render_message(m, false);
            if (json && !replied) {
                cJSON *ref = cJSON_AddObjectToObject(json, "message_reference");
                cJSON_AddStringToObject(ref, "message_id", ev->id);
                cJSON_AddBoolToObject(ref, "fail_if_not_exists", false);
                replied = true;
            }
            post_json(d, chain_for(ev->channel_id), path, json, NULL, NULL);
        } else if (m->audience == TEND_TO_PRIVATE && for_invoker(m, ev)) {
            send_dm(d, ev->user_id, dc_render_message(m, false));
        } else {
            hand_over(d, m);
        }
    }
}

/* What the command made due at once (a nudge after a claim, a promotion, a weekly task's next
 * copy): the app checks the member's own nudge and runs the scheduler only when something is due
 * now, which costs a few index lookups whatever the number of guilds. Without an app (tests), the
 * member's nudge alone. */
static void after_command(discord *d, const dc_event *ev)
{
    tend_app *app = tend_app_of(&d->base);
    if (app) {
        if (tend_app_after_command(app, ev->group_key, ev->user_id) != 0)
            tend_log(TEND_LOG_WARN, "discord", "the scheduler could not finish after a command; it will retry");
        return;
    }
    tend_messages out;
    tend_messages_init(&out);
    if (tend_scheduler_after_command(env_of(d), ev->group_key, ev->user_id, now_s(d), &out) != 0)
        tend_log(TEND_LOG_WARN, "discord", "could not check a nudge after a command; the scheduler will");
    for (size_t i = 0; i < out.count; i++)
        hand_over(d, &out.items[i]);
    tend_messages_clear(&out);
}

static void run_command(discord *d, const dc_event *ev)
{
    tend_messages out;
    tend_messages_init(&out);
    if (tend_bot_handle(d->bot, &ev->req, &out) == TEND_BOT_DUPLICATE) {
        /* a replay after RESUME: it was answered the first time */
        tend_log(TEND_LOG_DEBUG, "discord", "event %s was answered already", ev->id);
        tend_messages_clear(&out);
        return;
    }
    tend_messages pieces; /* what fits Discord's 2,000 characters a message */
    tend_messages_init(&pieces);
    for (size_t i = 0; i < out.count; i++)
        if (dc_split_message(&out.items[i], &pieces) != 0)
            tend_log(TEND_LOG_ERROR, "discord", "out of memory splitting a long reply");
    if (ev->kind == DC_EVENT_MENTION)
        answer_mention(d, ev, &pieces);
    else
        answer_interaction(d, ev, &pieces);
    tend_messages_clear(&pieces);
    tend_messages_clear(&out);
    after_command(d, ev);
}

/* ---------------------------------------------------------------- autocomplete */

typedef struct {
    const char *typed;
    char names[25][128];
    char values[25][16];
    size_t n;
} choices;

static int add_choice(const tend_task *t, void *ud)
{
    choices *c = ud;
    char name[TEND_TITLE_MAX + 16], value[16];
    snprintf(value, sizeof value, "%d", t->number);
    snprintf(name, sizeof name, "#%d %s", t->number, t->title);
    size_t cut = sizeof c->names[0] - 1; /* render.c shortens to 100 bytes with an ellipsis */
    while (strlen(name) > cut && cut > 0 && ((unsigned char)name[cut] & 0xC0) == 0x80)
        cut--;
    if (strlen(name) > cut)
        name[cut] = '\0';
    if (c->typed && *c->typed && !strcasestr(name, c->typed))
        return 0;
    memcpy(c->names[c->n], name, strlen(name) + 1);
    snprintf(c->values[c->n], sizeof c->values[c->n], "%s", value);
    return ++c->n == 25;
}

static void answer_autocomplete(discord *d, const dc_event *ev)
{
    choices *c = calloc(1, sizeof *c);
    if (!c)
        return;
    c->typed = ev->focused;
    tend_group g;
    if (tend_store_group_get(env_of(d)->store, ev->group_key, &g) == TEND_STORE_OK)
        tend_store_tasks_each(env_of(d)->store, g.id, TEND_TASKS_OPEN, 0, 0, 0, add_choice, c);
    const char *names[25], *values[25];
    for (size_t i = 0; i < c->n; i++) {
        names[i] = c->names[i];
        values[i] = c->values[i];
    }
    char path[PATH_MAX_LEN];
    snprintf(path, sizeof path, "/interactions/%s/%s/callback", ev->id, ev->token);
    post_json(d, dc_rest_new_chain(d->rest), path, dc_render_choices(names, values, c->n), NULL, NULL);
    free(c);
}

/* ---------------------------------------------------------------- entry points */

void dc_dispatch_interaction(discord *d, const cJSON *payload)
{
    dc_event ev;
    char err[128];
    if (dc_event_from_interaction(payload, &ev, err, sizeof err) != 0) {
        tend_log(TEND_LOG_WARN, "discord", "skipped an interaction: %s", err);
        return;
    }
    if (ev.kind == DC_EVENT_AUTOCOMPLETE) {
        /* suggestions change nothing; a replay is only skipped so Discord is not answered twice */
        if (tend_store_event_claim(env_of(d)->store, "discord", ev.id, now_s(d)) != TEND_STORE_EXISTS)
            answer_autocomplete(d, &ev);
    } else {
        run_command(d, &ev); /* the router records the interaction with the command's effect */
    }
    dc_event_free(&ev);
}

void dc_dispatch_message(discord *d, const cJSON *payload)
{
    dc_event ev;
    char err[128];
    int rc = dc_event_from_message(payload, d->bot_user_id, &ev, err, sizeof err);
    if (rc < 0)
        tend_log(TEND_LOG_WARN, "discord", "skipped a message: %s", err);
    if (rc <= 0)
        return;
    run_command(d, &ev);
    dc_event_free(&ev);
}
