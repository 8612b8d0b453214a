/*
 * dm.c — a member's direct chat with the bot, a first-class place for every command, and what
 * keeps private things out of group rooms.
 *
 * One Matrix user has one direct chat with the bot, but may be in several groups; as far as data
 * goes they are a different member in each. So a command typed in the direct chat acts on the
 * member's only group, or on the one they name (group:"Soup kitchen", group:#soup:example.org or
 * the room id); with several groups and none named, the bot asks which, and changes nothing.
 * Private messages to a member of several groups say which group they are about.
 *
 * Which groups a member has is read from room membership, the platform's own truth: the rooms the
 * bot serves where both are joined, linked rooms counted as their group's room.
 */
#include "adapters/matrix/internal.h"
#include "adapters/matrix/e2ee.h"

#include <search.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bot/i18n.h"
#include "bot/messages.h"
#include "lib/log.h"
#include "lib/strbuf.h"

/* ---------------------------------------------------------------- a member's groups */

static bool joined(const tend_matrix_room *room, const char *user_id)
{
    return cJSON_GetObjectItemCaseSensitive(room->names, user_id) != NULL;
}

/* A room that is a group's: the bot and others meet there, it can be read, it is nobody's DM. */
static bool serves_group(tend_matrix *mx, const tend_matrix_room *room)
{
    return (!room->encrypted || tend_matrix_e2ee_on(mx)) && joined(room, mx->user_id) &&
           !tend_matrix_is_dm_room(mx, room->room_id);
}

size_t tend_matrix_groups_of(tend_matrix *mx, const char *user_id, char out[][MX_KEY_MAX], size_t max)
{
    size_t n = 0;
    for (tend_matrix_room *r = mx->rooms; r && n < max; r = r->next) {
        if (!joined(r, user_id) || !serves_group(mx, r))
            continue;
        char group[MX_KEY_MAX];
        tend_matrix_group_room(mx, r->room_id, group, sizeof group);
        bool seen = false;
        for (size_t i = 0; i < n && !seen; i++)
            seen = strcmp(out[i], group) == 0;
        if (!seen)
            snprintf(out[n++], MX_KEY_MAX, "%s", group);
    }
    return n;
}

bool tend_matrix_shares_group(tend_matrix *mx, const char *user_id)
{
    char one[1][MX_KEY_MAX];
    return tend_matrix_groups_of(mx, user_id, one, 1) > 0;
}

void tend_matrix_group_label(tend_matrix *mx, const char *group_room, char *out, size_t outlen)
{
    const tend_matrix_room *r = tend_matrix_room_get(mx, group_room, false);
    const char *label = r && r->name ? r->name : r && r->alias ? r->alias : group_room;
    size_t n = strlen(label);
    if (outlen == 0)
        return;
    if (n >= outlen) {
        n = outlen - 1;
        while (n > 0 && ((unsigned char)label[n] & 0xC0) == 0x80)
            n--; /* never half a character */
    }
    memcpy(out, label, n);
    out[n] = '\0';
}

bool tend_matrix_dm_is_private(tend_matrix *mx, const char *room_id, const char *user_id)
{
    const tend_matrix_room *room = tend_matrix_room_get(mx, room_id, false);
    if (!room || !tend_matrix_is_dm_room(mx, room_id) || !joined(room, user_id))
        return false;
    const cJSON *who;
    cJSON_ArrayForEach(who, room->names) {
        if (strcmp(who->string, user_id) != 0 && strcmp(who->string, mx->user_id) != 0)
            return false; /* someone else reads along: not a private place any more */
    }
    cJSON_ArrayForEach(who, room->invited) {
        if (strcmp(who->string, user_id) != 0)
            return false; /* and an invited third person would read on once they join */
    }
    return true;
}

/* ---------------------------------------------------------------- commands in a direct chat */

/* The group `wanted` names among the member's: its room id, alias or name (any case). */
static const char *find_named(tend_matrix *mx, char groups[][MX_KEY_MAX], size_t n, const char *wanted)
{
    for (size_t i = 0; i < n; i++) {
        const tend_matrix_room *r = tend_matrix_room_get(mx, groups[i], false);
        if (strcmp(groups[i], wanted) == 0 || (r && r->alias && strcasecmp(r->alias, wanted) == 0) ||
            (r && r->name && strcasecmp(r->name, wanted) == 0))
            return groups[i];
    }
    return NULL;
}

/* "Soup kitchen", "Pantry" — the member's groups as they would name them. NULL on OOM. */
static char *list_groups(tend_matrix *mx, char groups[][MX_KEY_MAX], size_t n)
{
    tend_strbuf sb = TEND_STRBUF_INIT;
    tend_strbuf_put(&sb, "", 0);
    for (size_t i = 0; i < n; i++) {
        char label[MX_KEY_MAX];
        tend_matrix_group_label(mx, groups[i], label, sizeof label);
        tend_strbuf_puts(&sb, i ? ", \"" : "\"");
        tend_strbuf_puts(&sb, label);
        tend_strbuf_puts(&sb, "\"");
    }
    return tend_strbuf_finish(&sb);
}

/* Says, in the direct chat, why nothing ran: no group, an unknown name, or which one? */
static void ask_which(tend_matrix *mx, const char *room_id, const char *sender, const char *event_id,
                      char groups[][MX_KEY_MAX], size_t n, const char *wanted)
{
    /* a replay after a restart was asked already */
    if (tend_host_event_claim(mx->base.host, event_id) != 0)
        return;
    char *list = list_groups(mx, groups, n);
    char *text = NULL;
    char first[MX_KEY_MAX] = "";
    if (n > 0)
        tend_matrix_group_label(mx, groups[0], first, sizeof first);
    /* in the member's own language as their first group knows it; in none, tend knows nothing: English */
    char lang[TEND_LANG_MAX] = "";
    if (n > 0)
        tend_matrix_lang(mx, groups[0], sender, lang, sizeof lang);
    int rc;
    if (n == 0)
        rc = asprintf(&text, "%s", MSG_MATRIX_DM_NO_GROUP);
    else if (wanted)
        rc = asprintf(&text, tend_i18n_tr(lang, MSG_MATRIX_DM_GROUP_UNKNOWN), wanted, list ? list : "");
    else
        rc = asprintf(&text, tend_i18n_tr(lang, MSG_MATRIX_DM_WHICH_GROUP), list ? list : "", first);
    if (rc >= 0 && text)
        tend_matrix_send_notice(mx, room_id, text);
    free(text);
    free(list);
}

void tend_matrix_dm_command(tend_matrix *mx, const char *room_id, const char *sender, const char *event_id,
                            tend_matrix_command *cmd)
{
    char wanted[MX_KEY_MAX];
    bool named = tend_matrix_take_group_option(cmd->text, wanted, sizeof wanted) == 1;
    char groups[TEND_MATRIX_GROUPS_MAX][MX_KEY_MAX];
    size_t n = tend_matrix_groups_of(mx, sender, groups, TEND_MATRIX_GROUPS_MAX);
    const char *group = named ? find_named(mx, groups, n, wanted) : n == 1 ? groups[0] : NULL;
    if (!group) {
        ask_which(mx, room_id, sender, event_id, groups, n, named ? wanted : NULL);
        return;
    }
    tend_matrix_run_as(mx, room_id, group, sender, event_id, event_id, cmd->text, cmd);
}

/* ---------------------------------------------------------------- who has several groups */

/* Every private message asks whether its member has more than one group. Asked of the rooms one
 * by one that costs every membership the bot knows, per message, and a weekly check-in sends one
 * to each member of each group; so the answer for everyone is worked out in one pass and kept
 * until a room changes (or a minute passes: links change without a membership event). */
#define INDEX_TTL_MS 60000

typedef struct {
    char *user;
    char group[MX_KEY_MAX]; /* the first group room seen for them */
    bool several;
} member_groups;

struct tend_matrix_groups_index {
    struct hsearch_data table;
    member_groups *items;
    size_t n;
    uint64_t built_at_change;
    int64_t built_ms;
};

void tend_matrix_groups_index_free(tend_matrix *mx)
{
    struct tend_matrix_groups_index *ix = mx->groups_index;
    if (!ix)
        return;
    hdestroy_r(&ix->table);
    for (size_t i = 0; i < ix->n; i++)
        free(ix->items[i].user);
    free(ix->items);
    free(ix);
    mx->groups_index = NULL;
}

static bool index_add(struct tend_matrix_groups_index *ix, const char *user, const char *group)
{
    ENTRY want = {.key = (char *)user}, *found = NULL;
    if (hsearch_r(want, FIND, &found, &ix->table) && found) {
        member_groups *m = found->data;
        m->several = m->several || strcmp(m->group, group) != 0;
        return true;
    }
    member_groups *m = &ix->items[ix->n];
    if (!(m->user = strdup(user)))
        return false;
    snprintf(m->group, sizeof m->group, "%s", group);
    m->several = false;
    ENTRY add = {.key = m->user, .data = m};
    if (!hsearch_r(add, ENTER, &found, &ix->table)) {
        free(m->user);
        return false;
    }
    ix->n++;
    return true;
}

static struct tend_matrix_groups_index *index_build(tend_matrix *mx)
{
    size_t total = 0;
    for (tend_matrix_room *r = mx->rooms; r; r = r->next)
        total += (size_t)cJSON_GetArraySize(r->names);
    struct tend_matrix_groups_index *ix = calloc(1, sizeof *ix);
    if (!ix || !(ix->items = calloc(total + 1, sizeof *ix->items)) || !hcreate_r(total * 2 + 16, &ix->table)) {
        if (ix)
            free(ix->items);
        free(ix);
        return NULL;
    }
    bool ok = true;
    for (tend_matrix_room *r = mx->rooms; r && ok; r = r->next) {
        if (!serves_group(mx, r))
            continue;
        char group[MX_KEY_MAX];
        tend_matrix_group_room(mx, r->room_id, group, sizeof group);
        const cJSON *who;
        cJSON_ArrayForEach(who, r->names) {
            if (ok && strcmp(who->string, mx->user_id) != 0)
                ok = index_add(ix, who->string, group);
        }
    }
    ix->built_at_change = mx->rooms_changed;
    ix->built_ms = tend_matrix_now_ms();
    mx->groups_index = ix;
    if (!ok)
        tend_matrix_groups_index_free(mx);
    return mx->groups_index;
}

/* True when user_id has more than one group with the bot. */
static bool has_several_groups(tend_matrix *mx, const char *user_id)
{
    struct tend_matrix_groups_index *ix = mx->groups_index;
    if (ix && (ix->built_at_change != mx->rooms_changed || tend_matrix_now_ms() - ix->built_ms > INDEX_TTL_MS))
        tend_matrix_groups_index_free(mx);
    if (!mx->groups_index && !index_build(mx)) {
        char groups[2][MX_KEY_MAX]; /* out of memory: the slow way */
        return tend_matrix_groups_of(mx, user_id, groups, 2) > 1;
    }
    ENTRY want = {.key = (char *)user_id}, *found = NULL;
    return hsearch_r(want, FIND, &found, &mx->groups_index->table) && found &&
           ((member_groups *)found->data)->several;
}

/* ---------------------------------------------------------------- private messages out */

int tend_matrix_dm_deliver(tend_matrix *mx, const tend_message *msg, const tend_matrix_ticket *ticket)
{
    const char *group_room = tend_matrix_room_of_group(msg->group_key);
    if (!msg->member_key || !group_room || !has_several_groups(mx, msg->member_key))
        return tend_matrix_dm_send(mx, msg->member_key, msg, ticket);
    /* two groups share one direct chat: each message says which group it is about */
    char label[MX_KEY_MAX];
    tend_matrix_group_label(mx, group_room, label, sizeof label);
    tend_messages copy;
    tend_messages_init(&copy);
    tend_message *m = tend_messages_add_copy(&copy, msg);
    char *text = NULL, label_of[MX_KEY_MAX + 32];
    int rc = -1;
    if (m)
        snprintf(label_of, sizeof label_of, tend_message_tr(m, MSG_MATRIX_DM_LABEL), label);
    if (m && asprintf(&text, "%s%s", label_of, m->text ? m->text : "") >= 0) {
        free(m->text);
        m->text = text;
        rc = tend_matrix_dm_send(mx, msg->member_key, m, ticket);
    }
    tend_messages_clear(&copy);
    return rc;
}

/* ---------------------------------------------------------------- private commands in the open */

static void on_redacted(const tend_http_response *res, void *ud)
{
    (void)ud;
    if (res->status != 200)
        tend_log(TEND_LOG_WARN, "matrix", "could not take down a private command typed in a group room "
                 "(HTTP %ld)", res->status);
}

/* The power a room asks of whoever redacts someone else's event (the spec's default: 50). */
static int redact_level(const tend_matrix_room *room)
{
    const cJSON *level = room->power ? cJSON_GetObjectItemCaseSensitive(room->power, "redact") : NULL;
    return cJSON_IsNumber(level) ? (int)level->valuedouble : 50;
}

void tend_matrix_take_down(tend_matrix *mx, const char *room_id, const char *event_id, const char *txn_seed)
{
    const tend_matrix_room *room = tend_matrix_room_get(mx, room_id, false);
    if (!room || tend_matrix_room_power(room, mx->user_id) < redact_level(room))
        return;
    char *r = tend_matrix_escape(room_id), *e = tend_matrix_escape(event_id), *t = tend_matrix_escape(txn_seed);
    char path[1024];
    snprintf(path, sizeof path, "/rooms/%s/redact/%s/tendredact-%s", r ? r : "", e ? e : "", t ? t : "");
    free(r);
    free(e);
    free(t);
    cJSON *body = cJSON_CreateObject();
    /* the room sees the reason: in its group's language */
    cJSON_AddStringToObject(body, "reason", tend_matrix_words(mx, room_id, NULL, MSG_MATRIX_TAKEN_DOWN));
    char *json = cJSON_PrintUnformatted(body);
    char *url = tend_matrix_url(mx, path);
    if (json && url)
        tend_matrix_request(mx, "PUT", url, json, 30000, on_redacted, NULL);
    cJSON_Delete(body);
    free(json);
    free(url);
}

/* ---------------------------------------------------------------- invites and leaving */

bool tend_matrix_invite_is_direct(tend_matrix *mx, const cJSON *invite)
{
    bool direct = false;
    const cJSON *ev;
    const cJSON *state = cJSON_GetObjectItemCaseSensitive(invite, "invite_state");
    cJSON_ArrayForEach(ev, cJSON_GetObjectItemCaseSensitive(state, "events")) {
        const cJSON *type = cJSON_GetObjectItemCaseSensitive(ev, "type");
        const cJSON *key = cJSON_GetObjectItemCaseSensitive(ev, "state_key");
        if (!cJSON_IsString(type))
            continue;
        if (strcmp(type->valuestring, "m.room.encryption") == 0 && !tend_matrix_e2ee_on(mx))
            return false; /* the bot could not read a word of it: no chat it can serve */
        if (strcmp(type->valuestring, "m.room.member") == 0 && cJSON_IsString(key) &&
            strcmp(key->valuestring, mx->user_id) == 0)
            direct = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(
                cJSON_GetObjectItemCaseSensitive(ev, "content"), "is_direct"));
    }
    return direct;
}

static void on_left(const tend_http_response *res, void *ud)
{
    char *room_id = ud;
    if (res->status != 200)
        tend_log(TEND_LOG_WARN, "matrix", "could not leave %s (HTTP %ld)", room_id, res->status);
    free(room_id);
}

void tend_matrix_leave_room(tend_matrix *mx, const char *room_id)
{
    char *esc = tend_matrix_escape(room_id);
    char path[512];
    snprintf(path, sizeof path, "/rooms/%s/leave", esc ? esc : "");
    free(esc);
    char *url = tend_matrix_url(mx, path);
    char *ud = strdup(room_id);
    if (!url || !ud || tend_matrix_request(mx, "POST", url, "{}", 30000, on_left, ud) != 0)
        free(ud);
    free(url);
}

void tend_matrix_decline_invite(tend_matrix *mx, const char *room_id, const char *inviter)
{
    tend_log(TEND_LOG_INFO, "matrix", "declining an invite to %s from %s (not an allowed inviter)", room_id,
             inviter ? inviter : "someone unknown");
    tend_matrix_leave_room(mx, room_id);
}
