/*
 * hold.c — the private chat Telegram makes each member open first.
 *
 * A bot may only write to someone who opened a private chat with it ("bot can't initiate
 * conversation with a user", 403). A private message for a member who has not (or who blocked the
 * bot) is held in the host's state, for a day and at most HOLD_MAX of them; the group is told once,
 * in one line that pings that member alone, with the deep link that opens the chat (never for one
 * who blocked the bot: that was their choice). Everything held goes out, in order, the moment the
 * member opens the chat or writes to the bot, and is forgotten once Telegram took it all.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adapters/telegram/internal.h"
#include "bot/messages.h"
#include "lib/log.h"

#define HOLD_SECONDS (24 * 3600) /* an answer a day late is noise */
#define HOLD_MAX 20
#define HELD_MAX_BYTES (256 * 1024)
#define POINT_AGAIN_MS (6 * 3600 * 1000ULL)

/* ---------------------------------------------------------------- who opened the private chat */

static void started_key(const char *user, char *key, size_t keylen)
{
    snprintf(key, keylen, "started:%s", user);
}

int tend_telegram_chat_state(tend_telegram *tg, const char *user)
{
    const cJSON *known = cJSON_GetObjectItemCaseSensitive(tg->started, user);
    if (cJSON_IsNumber(known))
        return known->valueint;
    char key[64], value[8];
    started_key(user, key, sizeof key);
    int state = 0;
    if (tend_host_state_get(tg->base.host, key, value, sizeof value) == 0)
        state = strcmp(value, "1") == 0 ? 1 : -1;
    cJSON_AddNumberToObject(tg->started, user, state);
    return state;
}

void tend_telegram_set_chat_state(tend_telegram *tg, const char *user, bool yes)
{
    int state = yes ? 1 : -1;
    if (tend_telegram_chat_state(tg, user) == state)
        return;
    char key[64];
    started_key(user, key, sizeof key);
    if (tend_host_state_set(tg->base.host, key, yes ? "1" : "0") != 0)
        return;
    cJSON_ReplaceItemInObjectCaseSensitive(tg->started, user, cJSON_CreateNumber(state));
}

void tend_telegram_start_link(const tend_telegram *tg, const char *group_chat, char *out, size_t outlen)
{
    /* the start parameter allows A-Z, a-z, 0-9, _ and -: "g-1001234567890" names the group */
    snprintf(out, outlen, "https://t.me/%s?start=g%s", tg->username, group_chat ? group_chat : "");
}

/* ---------------------------------------------------------------- held private messages */

static void held_key(const char *user, char *key, size_t keylen)
{
    snprintf(key, keylen, "held:%s", user);
}

static cJSON *held_load(tend_telegram *tg, const char *user)
{
    char key[64];
    held_key(user, key, sizeof key);
    char *buf = malloc(HELD_MAX_BYTES);
    cJSON *list = NULL;
    if (buf && tend_host_state_get(tg->base.host, key, buf, HELD_MAX_BYTES) == 0)
        list = cJSON_Parse(buf);
    free(buf);
    if (!cJSON_IsArray(list)) {
        cJSON_Delete(list);
        list = cJSON_CreateArray();
    }
    return list;
}

bool tend_telegram_hold(tend_telegram *tg, const char *member, const char *body)
{
    cJSON *list = held_load(tg, member);
    if (!list)
        return false;
    int64_t now = tend_host_now(tg->base.host);
    while (cJSON_GetArraySize(list) >= HOLD_MAX)
        cJSON_DeleteItemFromArray(list, 0);
    cJSON *entry = cJSON_CreateObject();
    cJSON_AddNumberToObject(entry, "t", (double)now);
    cJSON_AddStringToObject(entry, "body", body);
    cJSON_AddItemToArray(list, entry);
    char *json = cJSON_PrintUnformatted(list);
    cJSON_Delete(list);
    char key[64];
    held_key(member, key, sizeof key);
    bool ok = json && strlen(json) < HELD_MAX_BYTES && tend_host_state_set(tg->base.host, key, json) == 0;
    free(json);
    return ok;
}

void tend_telegram_member_started(tend_telegram *tg, const char *user)
{
    /* nothing is held for someone whose chat was open: a hold marks it closed first */
    bool was_open = tend_telegram_chat_state(tg, user) == 1;
    tend_telegram_set_chat_state(tg, user, true);
    if (was_open || tend_telegram_holding_queued(tg, user))
        return;
    cJSON *list = held_load(tg, user);
    int64_t now = tend_host_now(tg->base.host);
    size_t queued = 0;
    const cJSON *entry;
    cJSON_ArrayForEach(entry, list) {
        const cJSON *t = cJSON_GetObjectItemCaseSensitive(entry, "t");
        const cJSON *body = cJSON_GetObjectItemCaseSensitive(entry, "body");
        if (!cJSON_IsNumber(t) || !cJSON_IsString(body) || now - (int64_t)t->valuedouble > HOLD_SECONDS)
            continue;
        if (tend_telegram_send_held(tg, user, body->valuestring) == 0)
            queued++;
    }
    cJSON_Delete(list);
    char key[64];
    held_key(user, key, sizeof key);
    if (queued == 0)
        tend_host_state_delete(tg->base.host, key);
    else
        tend_log(TEND_LOG_DEBUG, "telegram", "a member opened the private chat; %zu held message%s on the way",
                 queued, queued == 1 ? "" : "s");
}

void tend_telegram_held_delivered(tend_telegram *tg, const char *user)
{
    char key[64];
    held_key(user, key, sizeof key);
    tend_host_state_delete(tg->base.host, key);
}

void tend_telegram_point_to_chat(tend_telegram *tg, const char *member, const char *name, const char *group_chat)
{
    if (!group_chat || !group_chat[0])
        return;
    const cJSON *last = cJSON_GetObjectItemCaseSensitive(tg->pointed, member);
    uint64_t now = tend_telegram_now_ms(tg);
    if (cJSON_IsNumber(last) && now - (uint64_t)last->valuedouble < POINT_AGAIN_MS)
        return;
    cJSON_DeleteItemFromObjectCaseSensitive(tg->pointed, member);
    cJSON_AddNumberToObject(tg->pointed, member, (double)now);
    char link[160];
    tend_telegram_start_link(tg, group_chat, link, sizeof link);
    tend_messages list;
    tend_messages_init(&list);
    char lang[TEND_LANG_MAX];
    tend_telegram_lang(tg, group_chat, NULL, NULL, lang, sizeof lang); /* the group reads it */
    tend_message *m = tend_messages_add_lang(&list, lang, TEND_TO_PUBLIC, TEND_TELEGRAM_PLATFORM ":0", NULL, NULL,
                                             "telegram.open_chat", "%s", "");
    if (m && tend_message_add_mention(m, member, name && name[0] ? name : "you") == 0 &&
        tend_message_appendf(m, MSG_TELEGRAM_OPEN_CHAT, link) == 0)
        tend_telegram_say(tg, group_chat, m, 0);
    tend_messages_clear(&list);
}
