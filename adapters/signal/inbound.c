/*
 * inbound.c — what one envelope from signal-cli means for tend.
 *
 * - A message starting with "!" or "/" in a group is a command in that group (a shared place: the
 *   core refuses private commands there). Its sender is keyed by uuid, the group by its id.
 * - The same in a 1:1 chat with tend is a command in a private place, for the member's group: the
 *   only one they share with tend, else the one they named with group:NAME (remembered), else a
 *   short question.
 * - A reaction in a 1:1 chat on one of tend's messages runs the command that emoji stands for.
 * Everything else is ignored: tend's own messages from other devices (sync messages), receipts,
 * typing, edits, calls, stories, group changes (which only refresh the member list).
 *
 * Each command's event id is "<sender uuid>:<timestamp>", how Signal names a message, so one that
 * signal-cli hands over twice is answered once.
 */
#include "adapters/signal/internal.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bot/i18n.h"
#include "bot/messages.h"
#include "lib/log.h"

#define GROUPS_MAX 32
#define REFRESH_MIN_MS 2000
#define DAY_MS (24LL * 3600 * 1000)

static const char *str(const cJSON *obj, const char *name)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, name);
    return cJSON_IsString(it) ? it->valuestring : NULL;
}

static const cJSON *get(const cJSON *obj, const char *name)
{
    return cJSON_GetObjectItemCaseSensitive(obj, name);
}

static int64_t num(const cJSON *obj, const char *name)
{
    const cJSON *it = get(obj, name);
    return cJSON_IsNumber(it) ? (int64_t)it->valuedouble : 0;
}

/* ---------------------------------------------------------------- what an event needs */

static size_t read_mentions(tend_signal *sg, const cJSON *dm, sg_mention_in *out, size_t max)
{
    size_t n = 0;
    const cJSON *m;
    cJSON_ArrayForEach(m, get(dm, "mentions")) {
        if (n == max)
            break;
        out[n].uuid = str(m, "uuid");
        out[n].name = tend_signal_name_get(sg, out[n].uuid);
        out[n].start = (long)num(m, "start");
        out[n].length = (long)num(m, "length");
        n++;
    }
    return n;
}

static bool looks_like_command(const char *body)
{
    while (body && (*body == ' ' || *body == '\n' || *body == '\t'))
        body++;
    return body && (*body == '!' || *body == '/') && isalpha((unsigned char)body[1]);
}

cJSON *tend_signal_event_unnamed(tend_signal *sg, const cJSON *event)
{
    const cJSON *dm = get(get(event, "envelope"), "dataMessage");
    cJSON *list = NULL;
    const cJSON *m;
    cJSON_ArrayForEach(m, get(dm, "mentions")) {
        const char *uuid = str(m, "uuid");
        if (!uuid || tend_signal_name_get(sg, uuid))
            continue;
        if (!list && !(list = cJSON_CreateArray()))
            return NULL;
        cJSON_AddItemToArray(list, cJSON_CreateString(uuid));
    }
    return list;
}

sg_need tend_signal_event_need(tend_signal *sg, const cJSON *event, unsigned tried)
{
    const cJSON *env = get(event, "envelope");
    const cJSON *dm = get(env, "dataMessage");
    const char *uuid = str(env, "sourceUuid");
    if (!dm || !uuid)
        return SG_READY;
    const char *body = str(dm, "message");
    bool acts = looks_like_command(body) || get(dm, "reaction");
    const cJSON *info = get(dm, "groupInfo");
    const char *group_id = str(info, "groupId");
    bool fresh_enough = tend_signal_now_ms(sg) - sg->groups_loaded_ms < REFRESH_MIN_MS;
    if (acts && !(tried & 1) && !fresh_enough) {
        const cJSON *g = group_id ? tend_signal_group(sg, group_id) : NULL;
        const cJSON *mine[1];
        if (group_id ? !g || !tend_signal_group_has(g, uuid, NULL) : tend_signal_groups_of(sg, uuid, mine, 1) == 0)
            return SG_NEEDS_GROUPS;
    }
    if (looks_like_command(body) && !(tried & 2)) {
        cJSON *unnamed = tend_signal_event_unnamed(sg, event);
        bool some = unnamed != NULL;
        cJSON_Delete(unnamed);
        if (some)
            return SG_NEEDS_NAMES;
    }
    return SG_READY;
}

/* ---------------------------------------------------------------- running a command */

/* A short answer from the adapter itself, straight to the member's 1:1 chat. */
static void tell(tend_signal *sg, const char *uuid, const char *text)
{
    char shown[2048];
    snprintf(shown, sizeof shown, "%s", text);
    for (char *p = shown; *p; p++)
        if (*p == TEND_CMD[0])
            *p = '/'; /* the command prefix, as a member types it here */
    text = shown;
    cJSON *params = cJSON_CreateObject();
    cJSON *to = cJSON_AddArrayToObject(params, "recipient");
    cJSON_AddItemToArray(to, cJSON_CreateString(uuid));
    cJSON_AddStringToObject(params, "message", text);
    if (tend_signal_rpc(sg, "send", params, 60000, NULL, NULL) != 0)
        tend_log(TEND_LOG_WARN, "signal", "could not answer a member in their 1:1 chat");
}

typedef struct {
    const char *uuid;
    const char *name;
    const char *group_id;    /* the group it acts on                                 */
    const char *chat;        /* where it was typed: the group id, or the member's uuid */
    int64_t sent_at;         /* its Signal timestamp, for the event id and quoting   */
    tend_place place;
    bool reaction;           /* a reaction is no message an answer could quote       */
} origin;

static void run(tend_signal *sg, const origin *o, const char *text, const sg_command *cmd)
{
    char group_key[SG_KEY_MAX], event_id[SG_KEY_MAX], reply_to[SG_KEY_MAX * 2];
    snprintf(group_key, sizeof group_key, TEND_SIGNAL_PLATFORM ":%s", o->group_id);
    snprintf(event_id, sizeof event_id, "%s:%lld", o->uuid, (long long)o->sent_at);
    /* the way back: the chat, and the message to quote when an answer goes there */
    snprintf(reply_to, sizeof reply_to, "%s\t%s\t%lld", o->chat, o->uuid, o->reaction ? 0LL : (long long)o->sent_at);
    bool admin = false;
    const cJSON *g = tend_signal_group(sg, o->group_id);
    if (g)
        tend_signal_group_has(g, o->uuid, &admin);
    tend_request req = {
        .group_key = group_key,
        .channel_key = group_key,
        .member_key = o->uuid,
        .member_name = o->name,
        .is_coordinator = admin,
        .text = text,
        .refs = cmd ? cmd->refs : NULL,
        .n_refs = cmd ? cmd->n_refs : 0,
        .event_id = event_id,
        .reply_to = reply_to,
        .place = o->place,
    };
    if (tend_host_handle(sg->base.host, &req) == TEND_HOST_FAILED)
        tend_log(TEND_LOG_WARN, "signal", "a command hit a store failure");
    /* the group a member last used is the one their 1:1 commands act on */
    char key[SG_KEY_MAX], was[SG_KEY_MAX];
    snprintf(key, sizeof key, "group:%s", o->uuid);
    if (tend_host_state_get(sg->base.host, key, was, sizeof was) != 0 || strcmp(was, o->group_id) != 0)
        tend_host_state_set(sg->base.host, key, o->group_id);
}

/* A group name as typed: lower case, no spaces, so "group:foodbank" finds "Food Bank". */
static void squash(const char *in, char *out, size_t outlen)
{
    size_t o = 0;
    for (; in && *in && o + 1 < outlen; in++)
        if (!isspace((unsigned char)*in) && *in != '"')
            out[o++] = (char)tolower((unsigned char)*in);
    out[o] = '\0';
}

static void list_names(const cJSON *const *groups, size_t n, char *out, size_t outlen)
{
    out[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        const char *name = str(groups[i], "name");
        size_t len = strlen(out);
        snprintf(out + len, outlen - len, "%s%s", i ? ", " : "", name && *name ? name : "?");
    }
}

/* Takes "group:NAME" (NAME may be quoted) out of text; the name goes to `named`. */
static void take_group_word(char *text, char *named, size_t namedlen)
{
    named[0] = '\0';
    for (char *p = text; *p; p++) {
        if ((p != text && !isspace((unsigned char)p[-1])) || strncasecmp(p, "group:", 6) != 0)
            continue;
        char *v = p + 6, *end;
        if (*v == '"') {
            end = strchr(v + 1, '"');
            end = end ? end + 1 : v + strlen(v);
        } else {
            end = v + strcspn(v, " \t\n");
        }
        snprintf(named, namedlen, "%.*s", (int)(end - v), v);
        memmove(p, end, strlen(end) + 1);
        return;
    }
}

/* The language of what only this member reads in their 1:1 chat: their own, as the first of their
 * groups knows it (adapters/host.h); in no group, tend knows nothing of them: English. */
static void member_lang(tend_signal *sg, const char *uuid, const cJSON *first_group, char *out, size_t outlen)
{
    char group_key[SG_KEY_MAX];
    out[0] = '\0';
    if (!first_group || !str(first_group, "id"))
        return;
    snprintf(group_key, sizeof group_key, TEND_SIGNAL_PLATFORM ":%s", str(first_group, "id"));
    tend_host_language(sg->base.host, group_key, uuid, NULL, out, outlen);
}

/* The group a 1:1 command is for, or NULL with what to tell the member written into `why`. */
static const char *group_for_private(tend_signal *sg, const char *uuid, char *text, const char *command_name,
                                     char *why, size_t whylen)
{
    const cJSON *mine[GROUPS_MAX];
    size_t n = tend_signal_groups_of(sg, uuid, mine, GROUPS_MAX);
    char named[SG_NAME_MAX], names[1024], key[SG_KEY_MAX], kept[SG_KEY_MAX];
    take_group_word(text, named, sizeof named);
    if (n == 0) {
        snprintf(why, whylen, "%s", MSG_SIGNAL_NO_GROUP);
        return NULL;
    }
    list_names(mine, n, names, sizeof names);
    char lang[TEND_LANG_MAX];
    member_lang(sg, uuid, mine[0], lang, sizeof lang);
    if (named[0]) {
        char want[SG_NAME_MAX], have[SG_NAME_MAX];
        squash(named, want, sizeof want);
        const cJSON *found = NULL;
        size_t prefixed = 0;
        for (size_t i = 0; i < n && want[0]; i++) {
            squash(str(mine[i], "name"), have, sizeof have);
            if (strcmp(have, want) == 0) {
                found = mine[i];
                prefixed = 1;
                break;
            }
            if (strncmp(have, want, strlen(want)) == 0 && prefixed++ == 0)
                found = mine[i];
        }
        if (found && prefixed == 1)
            return str(found, "id");
        snprintf(why, whylen, tend_i18n_tr(lang, MSG_SIGNAL_UNKNOWN_GROUP), named, names);
        return NULL;
    }
    snprintf(key, sizeof key, "group:%s", uuid);
    if (tend_host_state_get(sg->base.host, key, kept, sizeof kept) == 0)
        for (size_t i = 0; i < n; i++)
            if (strcmp(str(mine[i], "id"), kept) == 0)
                return str(mine[i], "id");
    if (n == 1)
        return str(mine[0], "id");
    char example[SG_NAME_MAX];
    squash(str(mine[0], "name"), example, sizeof example);
    snprintf(why, whylen, tend_i18n_tr(lang, MSG_SIGNAL_WHICH_GROUP), names, command_name,
             example[0] ? example : "name");
    return NULL;
}

/* Something that is no command in the 1:1 chat: a hint, at most once a day. */
static void hint_once_a_day(tend_signal *sg, const char *uuid)
{
    char key[SG_KEY_MAX], value[32];
    snprintf(key, sizeof key, "hint:%s", uuid);
    long long day = (long long)(tend_host_now(sg->base.host) / 86400);
    if (tend_host_state_get(sg->base.host, key, value, sizeof value) == 0 && strtoll(value, NULL, 10) == day)
        return;
    snprintf(value, sizeof value, "%lld", day);
    if (tend_host_state_set(sg->base.host, key, value) != 0)
        return;
    const cJSON *mine[1];
    char lang[TEND_LANG_MAX];
    member_lang(sg, uuid, tend_signal_groups_of(sg, uuid, mine, 1) ? mine[0] : NULL, lang, sizeof lang);
    tell(sg, uuid, tend_i18n_tr(lang, MSG_SIGNAL_DM_HINT));
}

static void handle_private_command(tend_signal *sg, origin *o, sg_command *cmd)
{
    char name[32], why[1600];
    snprintf(name, sizeof name, "%.*s", (int)strcspn(cmd->text, " \t\n"), cmd->text);
    o->group_id = group_for_private(sg, o->uuid, cmd->text, name, why, sizeof why);
    if (o->group_id) {
        run(sg, o, cmd->text, cmd);
        return;
    }
    /* the question is this message's answer: asked once, not again when it is handed over again */
    char event_id[SG_KEY_MAX];
    snprintf(event_id, sizeof event_id, "%s:%lld", o->uuid, (long long)o->sent_at);
    if (tend_host_event_claim(sg->base.host, event_id) == 0)
        tell(sg, o->uuid, why);
}

static void handle_reaction(tend_signal *sg, origin *o, const cJSON *reaction)
{
    if (cJSON_IsTrue(get(reaction, "isRemove")))
        return;
    const char *author_uuid = str(reaction, "targetAuthorUuid");
    const char *author_number = str(reaction, "targetAuthorNumber");
    if ((author_uuid && sg->self_uuid && strcmp(author_uuid, sg->self_uuid) != 0) ||
        (author_number && strcmp(author_number, sg->account) != 0))
        return; /* a reaction on the member's own message, not on one of tend's */
    char key[SG_KEY_MAX * 2], value[SG_KEY_MAX * 2];
    tend_signal_reaction_key(o->uuid, num(reaction, "targetSentTimestamp"), str(reaction, "emoji"), key,
                             sizeof key);
    if (tend_host_state_get(sg->base.host, key, value, sizeof value) != 0)
        return; /* a reaction that answers nothing */
    char *tab = strchr(value, '\t');
    if (!tab || strncmp(value, TEND_SIGNAL_PLATFORM ":", strlen(TEND_SIGNAL_PLATFORM) + 1) != 0)
        return;
    *tab = '\0';
    o->group_id = value + strlen(TEND_SIGNAL_PLATFORM) + 1;
    run(sg, o, tab + 1, NULL);
}

void tend_signal_event_handle(tend_signal *sg, const cJSON *event)
{
    const cJSON *env = get(event, "envelope");
    const cJSON *dm = get(env, "dataMessage");
    const char *uuid = str(env, "sourceUuid");
    if (!uuid || (sg->self_uuid && strcmp(uuid, sg->self_uuid) == 0))
        return;
    if (get(event, "exception") && !dm) {
        tend_log(TEND_LOG_DEBUG, "signal", "signal-cli could not read a message");
        return;
    }
    tend_signal_name_set(sg, uuid, str(env, "sourceName"));
    if (!dm)
        return; /* receipts, typing, sync messages of the account's other devices, calls, stories */
    const cJSON *info = get(dm, "groupInfo");
    const char *group_id = str(info, "groupId");
    const char *type = str(info, "type");
    if (info && (!group_id || (type && strcmp(type, "DELIVER") != 0))) {
        tend_signal_groups_refresh(sg); /* members or admins changed */
        return;
    }
    const char *name = tend_signal_name_get(sg, uuid);
    origin o = {
        .uuid = uuid,
        .name = name ? name : "someone",
        .chat = group_id ? group_id : uuid,
        .sent_at = num(dm, "timestamp") ? num(dm, "timestamp") : num(env, "timestamp"),
        .place = group_id ? TEND_PLACE_SHARED : TEND_PLACE_PRIVATE,
    };
    const cJSON *reaction = get(dm, "reaction");
    if (reaction) {
        o.reaction = true;
        if (!group_id) /* in a group a reaction is seen by all: one-tap answers live in 1:1 chats */
            handle_reaction(sg, &o, reaction);
        return;
    }
    sg_mention_in mentions[SG_MAX_REFS];
    size_t n = read_mentions(sg, dm, mentions, SG_MAX_REFS);
    sg_command cmd;
    int found = tend_signal_parse_command(str(dm, "message"), mentions, n, &cmd);
    if (found < 0) {
        tend_log(TEND_LOG_ERROR, "signal", "out of memory reading a command");
        return;
    }
    if (found == 0) {
        if (!group_id && str(dm, "message"))
            hint_once_a_day(sg, uuid);
        return;
    }
    if (group_id) {
        o.group_id = group_id;
        run(sg, &o, cmd.text, &cmd);
    } else {
        handle_private_command(sg, &o, &cmd);
    }
    tend_signal_command_free(&cmd);
}
