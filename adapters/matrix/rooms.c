/*
 * rooms.c — what the adapter knows of each room, kept current from /sync state: members' display
 * names, power levels (coordinators are >= 50), whether it is encrypted. And the DM rooms private
 * replies go to: one per member, made once with is_direct, recorded in m.direct and the store.
 */
#include "adapters/matrix/internal.h"
#include "adapters/matrix/e2ee.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/log.h"

/* ---------------------------------------------------------------- room state */

tend_matrix_room *tend_matrix_room_get(tend_matrix *mx, const char *room_id, bool create)
{
    for (tend_matrix_room *r = mx->rooms; r; r = r->next)
        if (strcmp(r->room_id, room_id) == 0)
            return r;
    if (!create)
        return NULL;
    tend_matrix_room *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->mx = mx;
    r->room_id = strdup(room_id);
    r->names = cJSON_CreateObject();
    r->invited = cJSON_CreateObject();
    if (!r->room_id || !r->names || !r->invited) {
        free(r->room_id);
        cJSON_Delete(r->names);
        cJSON_Delete(r->invited);
        cJSON_Delete(r->encryption);
        free(r);
        return NULL;
    }
    r->next = mx->rooms;
    mx->rooms = r;
    return r;
}

void tend_matrix_rooms_free(tend_matrix *mx)
{
    tend_matrix_room *r = mx->rooms;
    while (r) {
        tend_matrix_room *next = r->next;
        free(r->room_id);
        free(r->name);
        free(r->alias);
        free(r->creator);
        cJSON_Delete(r->creators);
        cJSON_Delete(r->power);
        cJSON_Delete(r->names);
        cJSON_Delete(r->invited);
        cJSON_Delete(r->encryption);
        free(r);
        r = next;
    }
    mx->rooms = NULL;
}

static const char *string_field(const cJSON *obj, const char *name)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, name);
    return cJSON_IsString(it) ? it->valuestring : NULL;
}

static void apply_member(tend_matrix_room *room, const char *user, const cJSON *content)
{
    const char *membership = string_field(content, "membership");
    cJSON_DeleteItemFromObjectCaseSensitive(room->names, user);
    cJSON_DeleteItemFromObjectCaseSensitive(room->invited, user);
    bool arrives = membership && (strcmp(membership, "invite") == 0 || strcmp(membership, "join") == 0);
    if (membership && strcmp(membership, "invite") == 0)
        cJSON_AddItemToObject(room->invited, user, cJSON_CreateTrue());
    if (membership && (strcmp(membership, "leave") == 0 || strcmp(membership, "ban") == 0) && room->mx)
        tend_matrix_dm_member_gone(room->mx, room->room_id, user); /* a declined invite too */
    else if (arrives && room->mx)
        tend_matrix_dm_company(room->mx, room->room_id, user);
    if (!membership || strcmp(membership, "join") != 0)
        return;
    const char *name = string_field(content, "displayname");
    cJSON_AddItemToObject(room->names, user, cJSON_CreateString(name && *name ? name : ""));
}

/* From room version 12 on, the creators hold power above every level and the power levels event
 * does not list them, so only m.room.create can say who they are. */
static bool creators_outrank(const char *version)
{
    return version && (strtol(version, NULL, 10) >= 12 || strstr(version, "hydra") != NULL);
}

static void apply_create(tend_matrix_room *room, const char *sender, const cJSON *content)
{
    free(room->creator);
    room->creator = sender ? strdup(sender) : NULL;
    cJSON_Delete(room->creators);
    room->creators = cJSON_CreateArray();
    if (sender && room->creators)
        cJSON_AddItemToArray(room->creators, cJSON_CreateString(sender));
    const cJSON *more = cJSON_GetObjectItemCaseSensitive(content, "additional_creators");
    const cJSON *it;
    cJSON_ArrayForEach(it, more) {
        if (cJSON_IsString(it) && room->creators)
            cJSON_AddItemToArray(room->creators, cJSON_CreateString(it->valuestring));
    }
    room->creators_rule = creators_outrank(string_field(content, "room_version"));
}

/* A room's name or alias as members may read it back in a direct chat: cleaned, short, or NULL. */
static void replace_text(char **field, const char *value)
{
    free(*field);
    *field = value && *value ? tend_text_clean(value, 120) : NULL;
}

static bool is_creator(const tend_matrix_room *room, const char *user_id)
{
    const cJSON *it;
    cJSON_ArrayForEach(it, room->creators) {
        if (cJSON_IsString(it) && strcmp(it->valuestring, user_id) == 0)
            return true;
    }
    return false;
}

void tend_matrix_room_apply_state(tend_matrix_room *room, const cJSON *event)
{
    const char *type = string_field(event, "type");
    const char *state_key = string_field(event, "state_key");
    const cJSON *content = cJSON_GetObjectItemCaseSensitive(event, "content");
    if (!type || !state_key || !cJSON_IsObject(content))
        return;
    if (room->mx && strcmp(type, "m.room.power_levels") != 0)
        room->mx->rooms_changed++; /* who is in which group may have changed */
    if (strcmp(type, "m.room.member") == 0 && state_key[0] == '@') {
        apply_member(room, state_key, content);
    } else if (strcmp(type, "m.room.power_levels") == 0 && !*state_key) {
        cJSON_Delete(room->power);
        room->power = cJSON_Duplicate(content, 1);
    } else if (strcmp(type, "m.room.encryption") == 0 && !*state_key) {
        room->encrypted = true;
        cJSON_Delete(room->encryption);
        room->encryption = cJSON_Duplicate(content, 1);
    } else if (strcmp(type, "m.room.create") == 0 && !*state_key) {
        apply_create(room, string_field(event, "sender"), content);
    } else if (strcmp(type, "m.room.name") == 0 && !*state_key) {
        replace_text(&room->name, string_field(content, "name"));
    } else if (strcmp(type, "m.room.canonical_alias") == 0 && !*state_key) {
        replace_text(&room->alias, string_field(content, "alias"));
    }
}

int tend_matrix_room_power(const tend_matrix_room *room, const char *user_id)
{
    if (room && room->creators_rule && is_creator(room, user_id))
        return 100;
    if (!room || !room->power)
        return room && room->creator && strcmp(room->creator, user_id) == 0 ? 100 : 0;
    const cJSON *users = cJSON_GetObjectItemCaseSensitive(room->power, "users");
    const cJSON *level = cJSON_GetObjectItemCaseSensitive(users, user_id);
    if (!cJSON_IsNumber(level))
        level = cJSON_GetObjectItemCaseSensitive(room->power, "users_default");
    return cJSON_IsNumber(level) ? (int)level->valuedouble : 0;
}

void tend_matrix_room_name(const tend_matrix_room *room, const char *user_id, char *out, size_t outlen)
{
    const cJSON *name = room ? cJSON_GetObjectItemCaseSensitive(room->names, user_id) : NULL;
    if (cJSON_IsString(name) && name->valuestring[0]) {
        snprintf(out, outlen, "%s", name->valuestring);
        return;
    }
    const char *colon = strchr(user_id, ':');
    int n = colon ? (int)(colon - user_id - 1) : (int)strlen(user_id);
    snprintf(out, outlen, "%.*s", n > 0 ? n : 0, user_id[0] == '@' ? user_id + 1 : user_id);
}

/* ---------------------------------------------------------------- DM rooms */

/* A member who left (or declined) their direct chat gets a new one the next time there is
 * something private to say, but never more than one a day: leaving again means "not now". */
#define DM_REOPEN_SECONDS (24 * 3600)

/* A member whose DM room is being made; what they are sent meanwhile waits here, in order. */
typedef struct pending_send {
    tend_messages copy;  /* exactly one message */
    tend_matrix_ticket ticket;
    struct pending_send *next;
} pending_send;

struct tend_matrix_dm {
    char *user_id;
    char *room_id;      /* NULL while the room is being created */
    pending_send *queue;
    tend_matrix *mx;
    bool encrypted;     /* the room being created is encrypted (rooms.c: wants_encryption) */
    tend_matrix_dm *next;
};

static void pending_free(pending_send *p)
{
    while (p) {
        pending_send *next = p->next;
        tend_messages_clear(&p->copy);
        free(p);
        p = next;
    }
}

/* Holds a copy: the router's message is gone by the time the DM room exists. */
static pending_send *pending_copy(const tend_message *src, const tend_matrix_ticket *ticket)
{
    pending_send *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    if (ticket)
        p->ticket = *ticket;
    tend_messages_init(&p->copy);
    if (!tend_messages_add_copy(&p->copy, src)) {
        free(p);
        return NULL;
    }
    return p;
}

static tend_matrix_dm *dm_find(tend_matrix *mx, const char *user_id)
{
    for (tend_matrix_dm *d = mx->dms; d; d = d->next)
        if (strcmp(d->user_id, user_id) == 0)
            return d;
    return NULL;
}

static tend_matrix_dm *dm_add(tend_matrix *mx, const char *user_id, const char *room_id)
{
    tend_matrix_dm *d = calloc(1, sizeof *d);
    if (!d)
        return NULL;
    d->user_id = strdup(user_id);
    d->room_id = room_id ? strdup(room_id) : NULL;
    d->mx = mx;
    if (!d->user_id || (room_id && !d->room_id)) {
        free(d->user_id);
        free(d->room_id);
        free(d);
        return NULL;
    }
    d->next = mx->dms;
    mx->dms = d;
    return d;
}

const char *tend_matrix_dm_lookup(tend_matrix *mx, const char *user_id)
{
    tend_matrix_dm *d = dm_find(mx, user_id);
    if (d)
        return d->room_id;
    char key[MX_KEY_MAX + 8], room[MX_KEY_MAX];
    snprintf(key, sizeof key, "dm:%s", user_id);
    if (tend_host_state_get(mx->base.host, key, room, sizeof room) != 0)
        return NULL;
    d = dm_add(mx, user_id, room);
    return d ? d->room_id : NULL;
}

bool tend_matrix_is_dm_room(tend_matrix *mx, const char *room_id)
{
    for (tend_matrix_dm *d = mx->dms; d; d = d->next)
        if (d->room_id && strcmp(d->room_id, room_id) == 0)
            return true;
    char key[MX_KEY_MAX + 16], value[8];
    snprintf(key, sizeof key, "dmroom:%s", room_id);
    return tend_host_state_get(mx->base.host, key, value, sizeof value) == 0;
}

void tend_matrix_set_direct(tend_matrix *mx, const cJSON *content)
{
    cJSON *copy = cJSON_Duplicate(content, 1);
    if (!copy)
        return;
    cJSON_Delete(mx->direct);
    mx->direct = copy;
}

static void on_direct_saved(const tend_http_response *res, void *ud)
{
    (void)ud;
    if (res->status != 200)
        tend_log(TEND_LOG_WARN, "matrix", "could not record a DM room in m.direct (HTTP %ld)", res->status);
}

/* Other clients learn the room is a DM from the bot's m.direct; a failure only costs that label. */
static void record_direct(tend_matrix *mx, const char *user_id, const char *room_id)
{
    if (!mx->direct)
        mx->direct = cJSON_CreateObject();
    cJSON *rooms = cJSON_GetObjectItemCaseSensitive(mx->direct, user_id);
    if (!cJSON_IsArray(rooms)) {
        cJSON_DeleteItemFromObjectCaseSensitive(mx->direct, user_id);
        rooms = cJSON_AddArrayToObject(mx->direct, user_id);
    }
    if (!rooms)
        return;
    cJSON_AddItemToArray(rooms, cJSON_CreateString(room_id));
    char *body = cJSON_PrintUnformatted(mx->direct);
    char *uid = tend_matrix_escape(mx->user_id);
    char path[512];
    snprintf(path, sizeof path, "/user/%s/account_data/m.direct", uid ? uid : "");
    char *url = tend_matrix_url(mx, path);
    if (body && url)
        tend_matrix_request(mx, "PUT", url, body, 30000, on_direct_saved, NULL);
    free(body);
    free(uid);
    free(url);
}

static void flush_pending(tend_matrix *mx, tend_matrix_dm *d)
{
    pending_send *p = d->queue;
    d->queue = NULL;
    for (pending_send *it = p; it; it = it->next)
        tend_matrix_send_message(mx, d->room_id, &it->copy.items[0], NULL, &it->ticket);
    pending_free(p);
}

static int create_dm_room(tend_matrix *mx, tend_matrix_dm *d);

/* When the bot last opened a direct chat with user_id, from the store; 0 when never. */
static int64_t dm_opened_at(tend_matrix *mx, const char *user_id)
{
    char key[MX_KEY_MAX + 16], value[32];
    snprintf(key, sizeof key, "dmopened:%s", user_id);
    if (tend_host_state_get(mx->base.host, key, value, sizeof value) != 0)
        return 0;
    return strtoll(value, NULL, 10);
}

static void remember_dm(tend_matrix *mx, const char *user_id, const char *room_id)
{
    char key[MX_KEY_MAX + 16];
    snprintf(key, sizeof key, "dm:%s", user_id);
    tend_host_state_set(mx->base.host, key, room_id);
    snprintf(key, sizeof key, "dmroom:%s", room_id);
    tend_host_state_set(mx->base.host, key, user_id);
}

static void on_dm_created(const tend_http_response *res, void *ud)
{
    tend_matrix_dm *d = ud;
    tend_matrix *mx = d->mx;
    cJSON *json = res->status == 200 ? cJSON_ParseWithLength(res->body, res->body_len) : NULL;
    const char *room_id = string_field(json, "room_id");
    if (!room_id) {
        tend_log(TEND_LOG_WARN, "matrix", "could not open a DM room (HTTP %ld); the private messages"
                 " waiting for it will be tried again", res->status);
        for (pending_send *p = d->queue; p; p = p->next)
            if (p->ticket.row && !mx->stopping)
                tend_host_sent(mx->base.host, p->ticket.row, TEND_SENT_RETRY);
        pending_free(d->queue);
        d->queue = NULL;
        cJSON_Delete(json);
        return;
    }
    free(d->room_id); /* a chat the member opened meanwhile gives way to this one */
    d->room_id = strdup(room_id);
    tend_matrix_room *made = d->encrypted ? tend_matrix_room_get(mx, room_id, true) : NULL;
    if (made) { /* encrypted from its first event: what is queued for it must not wait for /sync */
        made->encrypted = true;
        if (!cJSON_GetObjectItemCaseSensitive(made->invited, d->user_id))
            cJSON_AddTrueToObject(made->invited, d->user_id);
    }
    remember_dm(mx, d->user_id, room_id);
    char key[MX_KEY_MAX + 16], when[32];
    snprintf(key, sizeof key, "dmopened:%s", d->user_id);
    snprintf(when, sizeof when, "%lld", (long long)tend_matrix_clock_now(mx));
    tend_host_state_set(mx->base.host, key, when);
    record_direct(mx, d->user_id, room_id);
    cJSON_Delete(json);
    if (d->room_id)
        flush_pending(mx, d);
}

/* A member who shares an encrypted room with the bot has a client that encrypts: their direct
 * chat is encrypted too. Others get today's plain one (their client may not read encryption). */
static bool wants_encryption(tend_matrix *mx, const char *user_id)
{
    if (!tend_matrix_e2ee_on(mx))
        return false;
    for (const tend_matrix_room *r = mx->rooms; r; r = r->next)
        if (r->encrypted && cJSON_GetObjectItemCaseSensitive(r->names, user_id) &&
            cJSON_GetObjectItemCaseSensitive(r->names, mx->user_id) && !tend_matrix_is_dm_room(mx, r->room_id))
            return true;
    return false;
}

static int create_dm_room(tend_matrix *mx, tend_matrix_dm *d)
{
    cJSON *body = cJSON_CreateObject();
    cJSON_AddBoolToObject(body, "is_direct", 1);
    cJSON_AddStringToObject(body, "preset", "trusted_private_chat");
    /* someone the member invites later reads on from their invite only, never what came before */
    cJSON *state = cJSON_AddArrayToObject(body, "initial_state");
    cJSON *visibility = cJSON_CreateObject();
    cJSON_AddStringToObject(visibility, "type", "m.room.history_visibility");
    cJSON_AddStringToObject(visibility, "state_key", "");
    cJSON_AddStringToObject(cJSON_AddObjectToObject(visibility, "content"), "history_visibility", "invited");
    cJSON_AddItemToArray(state, visibility);
    d->encrypted = wants_encryption(mx, d->user_id);
    if (d->encrypted) {
        cJSON *enc = cJSON_CreateObject();
        cJSON_AddStringToObject(enc, "type", "m.room.encryption");
        cJSON_AddStringToObject(enc, "state_key", "");
        cJSON_AddStringToObject(cJSON_AddObjectToObject(enc, "content"), "algorithm", "m.megolm.v1.aes-sha2");
        cJSON_AddItemToArray(state, enc);
    }
    cJSON *invite = cJSON_AddArrayToObject(body, "invite");
    cJSON_AddItemToArray(invite, cJSON_CreateString(d->user_id));
    char *json = cJSON_PrintUnformatted(body);
    char *url = tend_matrix_url(mx, "/createRoom");
    int rc = json && url ? tend_matrix_request(mx, "POST", url, json, 30000, on_dm_created, d) : -1;
    cJSON_Delete(body);
    free(json);
    free(url);
    return rc;
}

int tend_matrix_dm_send(tend_matrix *mx, const char *user_id, const tend_message *msg,
                        const tend_matrix_ticket *ticket)
{
    if (!user_id || user_id[0] != '@')
        return -1;
    const char *room = tend_matrix_dm_lookup(mx, user_id);
    if (room)
        return tend_matrix_send_message(mx, room, msg, NULL, ticket);
    tend_matrix_dm *d = dm_find(mx, user_id);
    bool fresh = d == NULL;
    if ((fresh || !d->queue) && tend_matrix_clock_now(mx) - dm_opened_at(mx, user_id) < DM_REOPEN_SECONDS) {
        /* they left the chat opened for them today: this message waits for nothing (kept in the
         * outbox it would reach them tomorrow with everything else held back, all at once) */
        tend_log(TEND_LOG_INFO, "matrix", "not opening a second direct chat today with a member who left "
                 "one; a %s message was not sent", msg->kind);
        if (ticket && ticket->row)
            tend_host_sent(mx->base.host, ticket->row, TEND_SENT_DROP);
        return 0;
    }
    if (!d && !(d = dm_add(mx, user_id, NULL)))
        return -1;
    pending_send *p = pending_copy(msg, ticket);
    if (!p)
        return -1;
    pending_send **tail = &d->queue;
    while (*tail)
        tail = &(*tail)->next;
    *tail = p;
    /* a creation that failed earlier leaves no room: try again for this message */
    if (fresh || !d->queue->next)
        return create_dm_room(mx, d);
    return 0;
}

void tend_matrix_dm_member_gone(tend_matrix *mx, const char *room_id, const char *user_id)
{
    if (!user_id || strcmp(user_id, mx->user_id) == 0)
        return;
    const char *current = tend_matrix_dm_lookup(mx, user_id);
    if (!current || strcmp(current, room_id) != 0)
        return; /* not their direct chat (or one already replaced) */
    tend_matrix_dm *d = dm_find(mx, user_id);
    char key[MX_KEY_MAX + 16];
    snprintf(key, sizeof key, "dm:%s", user_id);
    tend_host_state_delete(mx->base.host, key);
    free(d->room_id);
    d->room_id = NULL;
    mx->rooms_changed++;
    tend_log(TEND_LOG_INFO, "matrix", "a direct chat with a member ended (they left it, or someone else "
             "came in); the next private message opens a new one, at most one a day");
    tend_matrix_leave_room(mx, room_id);
}

void tend_matrix_dm_company(tend_matrix *mx, const char *room_id, const char *user_id)
{
    char key[MX_KEY_MAX + 16], owner[MX_KEY_MAX];
    snprintf(key, sizeof key, "dmroom:%s", room_id);
    if (strcmp(user_id, mx->user_id) == 0 || tend_host_state_get(mx->base.host, key, owner, sizeof owner) != 0 ||
        strcmp(owner, user_id) == 0)
        return;
    /* a third person in the direct chat: what is private to its member cannot go there any more */
    tend_matrix_dm_member_gone(mx, room_id, owner);
}

void tend_matrix_dm_adopt(tend_matrix *mx, const char *room_id, const char *user_id)
{
    remember_dm(mx, user_id, room_id);
    mx->rooms_changed++;
    tend_matrix_dm *d = dm_find(mx, user_id);
    if (!d) {
        dm_add(mx, user_id, room_id);
        return;
    }
    char *copy = strdup(room_id);
    if (!copy)
        return;
    free(d->room_id);
    d->room_id = copy;
    if (d->queue)
        flush_pending(mx, d); /* what waited for a room of our own can go to theirs */
}

void tend_matrix_dms_free(tend_matrix *mx)
{
    tend_matrix_dm *d = mx->dms;
    while (d) {
        tend_matrix_dm *next = d->next;
        pending_free(d->queue);
        free(d->user_id);
        free(d->room_id);
        free(d);
        d = next;
    }
    mx->dms = NULL;
    cJSON_Delete(mx->direct);
    mx->direct = NULL;
}
