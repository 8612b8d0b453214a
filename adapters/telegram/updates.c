/*
 * updates.c — what one update means.
 *
 *   - A command in a group: "/claim 12" or "/claim@tendbot 12" (in a group with several bots,
 *     Telegram's menu adds the @name; a command for another bot is not ours). It runs in the
 *     group "telegram:<chat id>"; the group's admins are its coordinators.
 *   - A command in the member's private chat with the bot: a first-class place for every command.
 *     It acts on the member's only group, or on the one they name (group:"Soup kitchen"); with
 *     several and none named the bot asks which, and changes nothing. Which groups a member has is
 *     what the bot saw: where they typed, and whose news it sent them.
 *   - A button press (callback_query): answered at once (answerCallbackQuery, always, so the
 *     member's app stops its spinner), then run as the presser in the group of the message it was
 *     on. A press is seen by the presser alone. callback_data comes back from the member's app,
 *     which may send anything: the group is taken from the chat itself where it can be, and from
 *     the data only for the member's own groups.
 *   - The bot added to a group: one introduction. A group upgraded to a supergroup gets a new chat
 *     id; the group keeps its key and its posts follow the move.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "adapters/telegram/internal.h"
#include "bot/i18n.h"
#include "bot/messages.h"
#include "lib/log.h"
#include "lib/strbuf.h"

#define MAX_GROUPS_KEPT 8

static const char *str(const cJSON *obj, const char *name)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, name);
    return cJSON_IsString(it) ? it->valuestring : NULL;
}

/* ---------------------------------------------------------------- small state, cached */

/* A state value through the cache: 0 found (into out), 1 not found. */
static int kept_get(tend_telegram *tg, const char *key, char *out, size_t outlen)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(tg->kept, key);
    if (cJSON_IsString(v)) {
        snprintf(out, outlen, "%s", v->valuestring);
        return out[0] ? 0 : 1;
    }
    int rc = tend_host_state_get(tg->base.host, key, out, outlen);
    if (rc == 0 || rc == 1)
        cJSON_AddItemToObject(tg->kept, key, cJSON_CreateString(rc == 0 ? out : ""));
    if (rc != 0)
        out[0] = '\0';
    return rc == 0 ? 0 : 1;
}

/* Writes a state value unless it holds that already. */
static void kept_set(tend_telegram *tg, const char *key, const char *value)
{
    char now[512];
    if (kept_get(tg, key, now, sizeof now) == 0 && strcmp(now, value) == 0)
        return;
    if (tend_host_state_set(tg->base.host, key, value) != 0)
        return;
    cJSON_DeleteItemFromObjectCaseSensitive(tg->kept, key);
    cJSON_AddItemToObject(tg->kept, key, cJSON_CreateString(value));
}

static void remember_user(tend_telegram *tg, const cJSON *user)
{
    const char *username = str(user, "username");
    char id[TG_ID_MAX], name[TG_NAME_MAX], key[96], value[TG_ID_MAX + TG_NAME_MAX + 2];
    if (!username || strlen(username) > 40 || !tend_telegram_id_text(cJSON_GetObjectItemCaseSensitive(user, "id"), id, sizeof id))
        return;
    snprintf(key, sizeof key, "user:%s", username);
    for (char *p = key; *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
    tend_telegram_user_name(user, name, sizeof name);
    snprintf(value, sizeof value, "%s\t%s", id, name);
    kept_set(tg, key, value);
}

static bool resolve_username(void *ud, const char *username, char *key, size_t keylen, char *name, size_t namelen)
{
    tend_telegram *tg = ud;
    char k[96], value[TG_ID_MAX + TG_NAME_MAX + 2];
    snprintf(k, sizeof k, "user:%s", username);
    for (char *p = k; *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
    if (kept_get(tg, k, value, sizeof value) != 0)
        return false;
    char *tab = strchr(value, '\t');
    if (!tab)
        return false;
    *tab = '\0';
    snprintf(key, keylen, "%s", value);
    snprintf(name, namelen, "%s", tab + 1);
    return tend_telegram_id_ok(key);
}

/* ---------------------------------------------------------------- groups and their chats */

/* The chat whose group this chat belongs to: itself, or the group it was before an upgrade. */
static void group_chat_of(tend_telegram *tg, const char *chat, char *out, size_t outlen)
{
    char key[64];
    snprintf(key, sizeof key, "groupof:%s", chat);
    if (kept_get(tg, key, out, outlen) != 0 || !tend_telegram_id_ok(out))
        snprintf(out, outlen, "%s", chat);
}

bool tend_telegram_chat_of_group(tend_telegram *tg, const char *group_key, char *out, size_t outlen)
{
    const char *prefix = TEND_TELEGRAM_PLATFORM ":";
    if (!group_key || strncmp(group_key, prefix, strlen(prefix)) != 0)
        return false;
    return tend_telegram_follow_moves(tg, group_key + strlen(prefix), out, outlen);
}

bool tend_telegram_follow_moves(tend_telegram *tg, const char *chat_id, char *out, size_t outlen)
{
    char chat[TG_ID_MAX];
    if (!tend_telegram_id_ok(chat_id))
        return false;
    snprintf(chat, sizeof chat, "%s", chat_id);
    for (int hops = 0; hops < 4; hops++) { /* a move is rare; a chain of them rarer */
        char key[64], next[TG_ID_MAX];
        snprintf(key, sizeof key, "moved:%s", chat);
        if (kept_get(tg, key, next, sizeof next) != 0 || !tend_telegram_id_ok(next))
            break;
        snprintf(chat, sizeof chat, "%s", next);
    }
    snprintf(out, outlen, "%s", chat);
    return true;
}

void tend_telegram_record_move(tend_telegram *tg, const char *from, const char *to)
{
    if (!tend_telegram_id_ok(from) || !tend_telegram_id_ok(to) || strcmp(from, to) == 0)
        return;
    char key[64], group[TG_ID_MAX];
    group_chat_of(tg, from, group, sizeof group);
    snprintf(key, sizeof key, "moved:%s", from);
    kept_set(tg, key, to);
    snprintf(key, sizeof key, "groupof:%s", to);
    kept_set(tg, key, group);
    tend_log(TEND_LOG_INFO, "telegram", "group %s became supergroup %s; its posts follow", from, to);
}

void tend_telegram_note_group(tend_telegram *tg, const char *user, const char *typed_chat)
{
    if (!tend_telegram_id_ok(user) || !tend_telegram_id_ok(typed_chat) || typed_chat[0] != '-')
        return;
    /* kept by the group's first chat, so a move to a supergroup does not make it two groups */
    char chat[TG_ID_MAX];
    group_chat_of(tg, typed_chat, chat, sizeof chat);
    char key[64], list[MAX_GROUPS_KEPT * TG_ID_MAX], next[sizeof list];
    snprintf(key, sizeof key, "groups:%s", user);
    kept_get(tg, key, list, sizeof list);
    /* most recent first, each once, at most MAX_GROUPS_KEPT */
    snprintf(next, sizeof next, "%s", chat);
    int n = 1;
    for (char *save = NULL, *tok = strtok_r(list, " ", &save); tok && n < MAX_GROUPS_KEPT;
         tok = strtok_r(NULL, " ", &save)) {
        if (strcmp(tok, chat) == 0)
            continue;
        size_t used = strlen(next);
        snprintf(next + used, sizeof next - used, " %s", tok);
        n++;
    }
    kept_set(tg, key, next);
}

static size_t groups_of(tend_telegram *tg, const char *user, char out[][TG_ID_MAX], size_t max)
{
    char key[64], list[MAX_GROUPS_KEPT * TG_ID_MAX];
    snprintf(key, sizeof key, "groups:%s", user);
    if (kept_get(tg, key, list, sizeof list) != 0)
        return 0;
    size_t n = 0;
    for (char *save = NULL, *tok = strtok_r(list, " ", &save); tok && n < max; tok = strtok_r(NULL, " ", &save))
        if (tend_telegram_id_ok(tok))
            snprintf(out[n++], TG_ID_MAX, "%s", tok);
    return n;
}

void tend_telegram_lang(tend_telegram *tg, const char *group_chat, const char *user, const char *locale, char *out,
                        size_t outlen)
{
    char first[1][TG_ID_MAX], group[TG_ID_MAX], key[TG_ID_MAX + 16];
    if ((!group_chat || !group_chat[0]) && user && groups_of(tg, user, first, 1) == 1)
        group_chat = first[0];
    if (group_chat && group_chat[0]) {
        group_chat_of(tg, group_chat, group, sizeof group);
        snprintf(key, sizeof key, TEND_TELEGRAM_PLATFORM ":%s", group);
    }
    tend_host_language(tg->base.host, group_chat && group_chat[0] ? key : NULL, user, locale, out, outlen);
}

const char *tend_telegram_words(tend_telegram *tg, const char *group_chat, const char *user, const char *locale,
                                const char *msgid)
{
    char lang[TEND_LANG_MAX];
    tend_telegram_lang(tg, group_chat, user, locale, lang, sizeof lang);
    return tend_i18n_tr(lang, msgid);
}

static void group_title(tend_telegram *tg, const char *chat, char *out, size_t outlen)
{
    char key[64];
    snprintf(key, sizeof key, "title:%s", chat);
    if (kept_get(tg, key, out, outlen) != 0)
        snprintf(out, outlen, "%s", chat);
}

static void remember_title(tend_telegram *tg, const cJSON *chat_obj, const char *chat)
{
    const char *title = str(chat_obj, "title");
    char key[64];
    char *clean = title ? tend_text_clean(title, 128) : NULL;
    snprintf(key, sizeof key, "title:%s", chat);
    if (clean && *clean)
        kept_set(tg, key, clean);
    free(clean);
}

/* ---------------------------------------------------------------- answering on our own */

/* The adapter's own short answer to an event, once even if the event comes again. */
static void say_once(tend_telegram *tg, const char *event_id, const char *chat, int64_t reply_to, const char *text)
{
    if (event_id && tend_host_event_claim(tg->base.host, event_id) != 0)
        return;
    tend_messages list;
    tend_messages_init(&list);
    tend_message *m =
        tend_messages_add_lang(&list, "", TEND_TO_PUBLIC, TEND_TELEGRAM_PLATFORM ":0", NULL, NULL, "telegram", "%s",
                               text); /* already in its reader's language */
    if (m)
        tend_telegram_say(tg, chat, m, reply_to);
    tend_messages_clear(&list);
}

/* ---------------------------------------------------------------- commands */

typedef struct {
    const char *group_chat;   /* the chat of the group it acts on */
    const char *typed_in;     /* the chat it was typed in          */
    int64_t message_id;
    const char *event_id;
    const cJSON *from;
    tend_place place;         /* a group is read by others; a private chat or a tap only by them */
} origin;

static void run(tend_telegram *tg, const origin *o, const char *text, tend_telegram_command *cmd, bool is_admin)
{
    char group_key[TG_ID_MAX + 16], user[TG_ID_MAX], name[TG_NAME_MAX], reply_to[2 * TG_ID_MAX + 24];
    char group[TG_ID_MAX];
    group_chat_of(tg, o->group_chat, group, sizeof group);
    snprintf(group_key, sizeof group_key, TEND_TELEGRAM_PLATFORM ":%s", group);
    tend_telegram_id_text(cJSON_GetObjectItemCaseSensitive(o->from, "id"), user, sizeof user);
    tend_telegram_user_name(o->from, name, sizeof name);
    /* where the answers go back: "<chat>\t<message id>" (send.c reads it) */
    snprintf(reply_to, sizeof reply_to, "%s\t%lld", o->typed_in, (long long)o->message_id);
    tend_request req = {
        .group_key = group_key,
        .channel_key = o->group_chat,
        .member_key = user,
        .member_name = name,
        .is_coordinator = is_admin,
        .text = text,
        .refs = cmd ? cmd->refs : NULL,
        .n_refs = cmd ? cmd->n_refs : 0,
        .event_id = o->event_id,
        .reply_to = reply_to,
        .place = o->place,
        .locale = str(o->from, "language_code"), /* their Telegram's language, like Discord's locale */
    };
    tend_telegram_note_group(tg, user, o->group_chat);
    int rc = tend_host_handle(tg->base.host, &req);
    if (rc == TEND_HOST_QUEUED)
        tg->commands_queued++; /* poll.c holds the next getUpdates until it ran */
    else if (rc == TEND_HOST_FAILED)
        tend_log(TEND_LOG_WARN, "telegram", "a command in %s hit a store failure",
                 o->typed_in[0] == '-' ? o->typed_in : "a member's private chat");
}

/* "Soup kitchen", "Pantry": the member's groups by their titles. NULL on OOM. */
static char *list_titles(tend_telegram *tg, char groups[][TG_ID_MAX], size_t n)
{
    tend_strbuf sb = TEND_STRBUF_INIT;
    tend_strbuf_put(&sb, "", 0);
    for (size_t i = 0; i < n; i++) {
        char title[TG_NAME_MAX];
        group_title(tg, groups[i], title, sizeof title);
        tend_strbuf_puts(&sb, i ? ", \"" : "\"");
        tend_strbuf_puts(&sb, title);
        tend_strbuf_puts(&sb, "\"");
    }
    return tend_strbuf_finish(&sb);
}

/* The group a command typed in the private chat acts on, into out; false when the member was
 * told why none (no group yet, an unknown name, or which one?). */
static bool pick_group(tend_telegram *tg, const char *user, const char *locale, const char *chat, int64_t mid,
                       const char *event_id, char *text, char *out, size_t outlen)
{
    char groups[MAX_GROUPS_KEPT][TG_ID_MAX], wanted[TG_NAME_MAX];
    size_t n = groups_of(tg, user, groups, MAX_GROUPS_KEPT);
    bool named = tend_telegram_take_group_option(text, wanted, sizeof wanted) == 1;
    if (named) {
        for (size_t i = 0; i < n; i++) {
            char title[TG_NAME_MAX];
            group_title(tg, groups[i], title, sizeof title);
            if (strcmp(groups[i], wanted) == 0 || strcasecmp(title, wanted) == 0) {
                snprintf(out, outlen, "%s", groups[i]);
                return true;
            }
        }
    } else if (n == 1) {
        snprintf(out, outlen, "%s", groups[0]);
        return true;
    }
    if (n == 0) { /* in no group: only their Telegram's language to go on */
        say_once(tg, event_id, chat, mid, tend_telegram_words(tg, NULL, user, locale, MSG_TELEGRAM_NO_GROUP));
        return false;
    }
    char *list = list_titles(tg, groups, n);
    char first[TG_NAME_MAX], said[1024], lang[TEND_LANG_MAX];
    group_title(tg, groups[0], first, sizeof first);
    tend_telegram_lang(tg, groups[0], user, locale, lang, sizeof lang);
    if (named)
        snprintf(said, sizeof said, tend_i18n_tr(lang, MSG_TELEGRAM_GROUP_UNKNOWN), wanted, list ? list : "");
    else
        snprintf(said, sizeof said, tend_i18n_tr(lang, MSG_TELEGRAM_WHICH_GROUP), list ? list : "", first);
    say_once(tg, event_id, chat, mid, said);
    free(list);
    return false;
}

static bool private_message(tend_telegram *tg, const cJSON *msg, const char *chat, int64_t mid, const char *event_id)
{
    const cJSON *from = cJSON_GetObjectItemCaseSensitive(msg, "from");
    const char *text = str(msg, "text");
    const char *locale = str(from, "language_code");
    tend_telegram_command cmd;
    int rc = text ? tend_telegram_parse_command(text, cJSON_GetObjectItemCaseSensitive(msg, "entities"), tg->username,
                                                resolve_username, tg, &cmd)
                  : 0;
    if (rc == 1 && strcmp(cmd.name, "start") == 0) {
        /* the deep link or the Start button: a hello, then whatever was held for them */
        say_once(tg, event_id, chat, 0, tend_telegram_words(tg, NULL, chat, locale, MSG_TELEGRAM_HELLO));
        tend_telegram_member_started(tg, chat);
        tend_telegram_command_free(&cmd);
        return true;
    }
    tend_telegram_member_started(tg, chat); /* a private chat with us is open: what waited goes now */
    if (rc < 0 || !text)
        return true;
    if (rc == 0) {
        say_once(tg, event_id, chat, mid, tend_telegram_words(tg, NULL, chat, locale, MSG_TELEGRAM_PRIVATE_HINT));
        return true;
    }
    char group[TG_ID_MAX];
    bool ready = true;
    if (pick_group(tg, chat, locale, chat, mid, event_id, cmd.text, group, sizeof group)) {
        bool admin;
        if (tend_telegram_admin(tg, group, chat, &admin) == 1) {
            ready = false;
        } else {
            origin o = {group, chat, mid, event_id, from, TEND_PLACE_PRIVATE};
            run(tg, &o, cmd.text, &cmd, admin);
        }
    }
    tend_telegram_command_free(&cmd);
    return ready;
}

static bool group_message(tend_telegram *tg, const cJSON *msg, const char *chat, int64_t mid, const char *event_id)
{
    const cJSON *from = cJSON_GetObjectItemCaseSensitive(msg, "from");
    const char *text = str(msg, "text");
    tend_telegram_command cmd;
    if (!text || tend_telegram_parse_command(text, cJSON_GetObjectItemCaseSensitive(msg, "entities"), tg->username,
                                             resolve_username, tg, &cmd) != 1)
        return true;
    remember_title(tg, cJSON_GetObjectItemCaseSensitive(msg, "chat"), chat);
    if (cJSON_GetObjectItemCaseSensitive(msg, "sender_chat")) {
        /* an admin posting anonymously as the group, or a linked channel: nobody to answer */
        say_once(tg, event_id, chat, mid, tend_telegram_words(tg, chat, NULL, NULL, MSG_TELEGRAM_ANONYMOUS));
        tend_telegram_command_free(&cmd);
        return true;
    }
    char user[TG_ID_MAX];
    tend_telegram_id_text(cJSON_GetObjectItemCaseSensitive(from, "id"), user, sizeof user);
    bool admin;
    if (tend_telegram_admin(tg, chat, user, &admin) == 1) {
        tend_telegram_command_free(&cmd);
        return false;
    }
    /* /start in a group is someone meeting the bot: show what it does */
    const char *text_run = strcmp(cmd.name, "start") == 0 ? "help" : cmd.text;
    origin o = {chat, chat, mid, event_id, from, TEND_PLACE_SHARED};
    run(tg, &o, text_run, &cmd, admin);
    tend_telegram_command_free(&cmd);
    return true;
}

static bool handle_message(tend_telegram *tg, const cJSON *msg)
{
    const cJSON *chat_obj = cJSON_GetObjectItemCaseSensitive(msg, "chat");
    const cJSON *from = cJSON_GetObjectItemCaseSensitive(msg, "from");
    const char *type = str(chat_obj, "type");
    char chat[TG_ID_MAX], other[TG_ID_MAX], event_id[2 * TG_ID_MAX + 8];
    const cJSON *mid = cJSON_GetObjectItemCaseSensitive(msg, "message_id");
    if (!type || !tend_telegram_id_text(cJSON_GetObjectItemCaseSensitive(chat_obj, "id"), chat, sizeof chat) ||
        !cJSON_IsNumber(mid))
        return true;
    if (tend_telegram_id_text(cJSON_GetObjectItemCaseSensitive(msg, "migrate_to_chat_id"), other, sizeof other)) {
        tend_telegram_record_move(tg, chat, other);
        return true;
    }
    if (tend_telegram_id_text(cJSON_GetObjectItemCaseSensitive(msg, "migrate_from_chat_id"), other, sizeof other)) {
        tend_telegram_record_move(tg, other, chat);
        return true;
    }
    if (!from || cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(from, "is_bot")))
        return true; /* answering bots is how two bots talk forever */
    remember_user(tg, from);
    /* a message id is unique within its chat */
    snprintf(event_id, sizeof event_id, "m:%s:%lld", chat, (long long)mid->valuedouble);
    if (strcmp(type, "private") == 0)
        return private_message(tg, msg, chat, (int64_t)mid->valuedouble, event_id);
    if (strcmp(type, "group") == 0 || strcmp(type, "supergroup") == 0)
        return group_message(tg, msg, chat, (int64_t)mid->valuedouble, event_id);
    return true; /* a channel: tend is not for broadcasts */
}

/* ---------------------------------------------------------------- buttons */

static void on_callback_answered(const tend_http_response *res, void *ud)
{
    (void)ud;
    tg_answer a;
    tend_telegram_answer_read(res, &a);
    /* a press replayed after a restart is "too old" to answer: it was answered the first time */
    if (!a.ok && a.error_code != 400)
        tend_log(TEND_LOG_DEBUG, "telegram", "answerCallbackQuery: %d %s", a.error_code, a.description);
    tend_telegram_answer_free(&a);
}

static void answer_callback(tend_telegram *tg, const char *id, const char *text, const char *url)
{
    cJSON *body = cJSON_CreateObject();
    cJSON_AddStringToObject(body, "callback_query_id", id);
    if (text)
        cJSON_AddStringToObject(body, "text", text);
    if (url)
        cJSON_AddStringToObject(body, "url", url);
    char *json = cJSON_PrintUnformatted(body);
    cJSON_Delete(body);
    if (json)
        tend_telegram_call(tg, "answerCallbackQuery", json, 15000, on_callback_answered, NULL);
    free(json);
}

static bool handle_callback(tend_telegram *tg, const cJSON *cb)
{
    const char *id = str(cb, "id");
    const char *data = str(cb, "data");
    const cJSON *from = cJSON_GetObjectItemCaseSensitive(cb, "from");
    const cJSON *msg = cJSON_GetObjectItemCaseSensitive(cb, "message");
    const cJSON *chat_obj = cJSON_GetObjectItemCaseSensitive(msg, "chat");
    const cJSON *mid = cJSON_GetObjectItemCaseSensitive(msg, "message_id");
    char user[TG_ID_MAX], chat[TG_ID_MAX], data_chat[TG_ID_MAX], command[TG_CALLBACK_DATA_MAX + 1];
    if (!id || !tend_telegram_id_text(cJSON_GetObjectItemCaseSensitive(from, "id"), user, sizeof user))
        return true;
    if (!data || !cJSON_IsNumber(mid) ||
        !tend_telegram_id_text(cJSON_GetObjectItemCaseSensitive(chat_obj, "id"), chat, sizeof chat) ||
        tend_telegram_button_parse(data, data_chat, sizeof data_chat, command, sizeof command) != 0) {
        answer_callback(tg, id, NULL, NULL);
        return true;
    }
    remember_user(tg, from);
    char group[TG_ID_MAX];
    if (chat[0] == '-') {
        snprintf(group, sizeof group, "%s", chat); /* a press in a group acts there, whatever the data says */
    } else {
        char mine[MAX_GROUPS_KEPT][TG_ID_MAX], wanted[TG_ID_MAX];
        size_t n = groups_of(tg, user, mine, MAX_GROUPS_KEPT);
        bool known = false;
        group_chat_of(tg, data_chat, wanted, sizeof wanted);
        for (size_t i = 0; i < n; i++)
            known |= strcmp(mine[i], wanted) == 0;
        if (!known) {
            const char *locale = str(from, "language_code");
            answer_callback(tg, id, tend_telegram_words(tg, NULL, user, locale, MSG_TELEGRAM_BUTTON_STRANGER), NULL);
            return true;
        }
        snprintf(group, sizeof group, "%s", data_chat);
    }
    bool admin;
    if (tend_telegram_admin(tg, group, user, &admin) == 1)
        return false;
    char event_id[TG_ID_MAX + 80];
    snprintf(event_id, sizeof event_id, "cb:%.70s", id);
    if (group[0] == '-' && tend_telegram_chat_state(tg, user) < 0) {
        /* answers are private and Telegram said they never opened our chat: the tap opens it for
         * them, and what they are told waits there (send.c) */
        char link[160];
        tend_telegram_start_link(tg, group, link, sizeof link);
        answer_callback(tg, id, NULL, link);
        cJSON_DeleteItemFromObjectCaseSensitive(tg->pointed, user);
        cJSON_AddNumberToObject(tg->pointed, user, (double)tend_telegram_now_ms(tg));
    } else {
        answer_callback(tg, id, NULL, NULL);
    }
    origin o = {group, chat, (int64_t)mid->valuedouble, event_id, from, TEND_PLACE_PRIVATE};
    run(tg, &o, command, NULL, admin);
    return true;
}

/* ---------------------------------------------------------------- the bot's own membership */

static void handle_membership(tend_telegram *tg, const cJSON *upd)
{
    const cJSON *chat_obj = cJSON_GetObjectItemCaseSensitive(upd, "chat");
    const char *type = str(chat_obj, "type");
    const char *now = str(cJSON_GetObjectItemCaseSensitive(upd, "new_chat_member"), "status");
    const char *before = str(cJSON_GetObjectItemCaseSensitive(upd, "old_chat_member"), "status");
    char chat[TG_ID_MAX];
    if (!type || !now || !before || (strcmp(type, "group") != 0 && strcmp(type, "supergroup") != 0) ||
        !tend_telegram_id_text(cJSON_GetObjectItemCaseSensitive(chat_obj, "id"), chat, sizeof chat))
        return;
    bool in = strcmp(now, "member") == 0 || strcmp(now, "administrator") == 0;
    bool was_out = strcmp(before, "left") == 0 || strcmp(before, "kicked") == 0;
    if (!in || !was_out)
        return;
    remember_title(tg, chat_obj, chat);
    char key[64], value[8];
    snprintf(key, sizeof key, "intro:%s", chat);
    if (tend_host_state_get(tg->base.host, key, value, sizeof value) == 0)
        return;
    if (tend_host_state_set(tg->base.host, key, "1") == 0)
        say_once(tg, NULL, chat, 0, tend_telegram_words(tg, chat, NULL, NULL, MSG_TELEGRAM_INTRO));
    tend_log(TEND_LOG_INFO, "telegram", "added to group %s", chat);
}

bool tend_telegram_handle_update(tend_telegram *tg, const cJSON *update)
{
    const cJSON *it;
    if ((it = cJSON_GetObjectItemCaseSensitive(update, "message")) && cJSON_IsObject(it))
        return handle_message(tg, it);
    if ((it = cJSON_GetObjectItemCaseSensitive(update, "callback_query")) && cJSON_IsObject(it))
        return handle_callback(tg, it);
    if ((it = cJSON_GetObjectItemCaseSensitive(update, "my_chat_member")) && cJSON_IsObject(it))
        handle_membership(tg, it);
    return true;
}
