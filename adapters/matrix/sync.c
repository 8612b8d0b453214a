/*
 * sync.c — the /sync long-poll and what arrives through it.
 *
 * One /sync is in flight at a time (30 s long-poll). Its next_batch token is stored only after the
 * whole batch was handled (with what gap.c read back of a timeline cut short), and every event id
 * is claimed in the store before it runs, so a restart resumes exactly where it stopped: nothing
 * replayed, nothing missed. The very first sync (no token
 * yet) only records where "now" is and accepts invites; it runs none of the history. The first
 * sync of each process asks for full state, which is how room names and power levels come back
 * after a restart without keeping them anywhere.
 */
#include "adapters/matrix/internal.h"
#include "adapters/matrix/e2ee.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adapters/metrics.h"
#include "lib/log.h"
#include "bot/messages.h"

#define SYNC_TIMEOUT_MS 30000
#define FILTER_KEY "filter:v3" /* v2: room names and aliases, to name groups in direct chats;
                                  v3: redactions, so a ✅ taken back unclaims */

static const char *str(const cJSON *obj, const char *name)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, name);
    return cJSON_IsString(it) ? it->valuestring : NULL;
}

static const cJSON *path2(const cJSON *obj, const char *a, const char *b)
{
    return cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(obj, a), b);
}

static void schedule_sync(tend_matrix *mx, uint64_t delay_ms);

/* ---------------------------------------------------------------- commands */

void tend_matrix_run_command(tend_matrix *mx, const char *room_id, const char *reply_to, const char *thread,
                             tend_request *req)
{
    /* where the answers go back (send.c reads it) */
    char origin[4 * MX_KEY_MAX + 4];
    tend_matrix_origin_write(origin, sizeof origin, room_id, reply_to, req->event_id, thread);
    req->reply_to = origin;
    if (tend_host_handle(mx->base.host, req) == TEND_HOST_FAILED)
        tend_log(TEND_LOG_WARN, "matrix", "a command in %s hit a store failure", room_id);
}

/* Once per room, in plain words, so an encrypted room never just sees silence. */
static void say_encrypted_once(tend_matrix *mx, const char *room_id)
{
    char key[MX_KEY_MAX + 16], value[8];
    snprintf(key, sizeof key, "encnotice:%s", room_id);
    if (tend_host_state_get(mx->base.host, key, value, sizeof value) == 0)
        return;
    if (tend_host_state_set(mx->base.host, key, "1") == 0)
        tend_matrix_send_notice(mx, room_id, tend_matrix_words(mx, room_id, NULL, MSG_MATRIX_ENCRYPTED));
}

static void introduce_once(tend_matrix *mx, const tend_matrix_room *room)
{
    /* a room the bot made itself is a DM room; its answer may arrive before /createRoom's */
    if ((room->creator && strcmp(room->creator, mx->user_id) == 0) || tend_matrix_is_dm_room(mx, room->room_id))
        return;
    if (room->encrypted && !tend_matrix_e2ee_on(mx)) {
        say_encrypted_once(mx, room->room_id);
        return;
    }
    char key[MX_KEY_MAX + 16], value[8];
    snprintf(key, sizeof key, "intro:%s", room->room_id);
    if (tend_host_state_get(mx->base.host, key, value, sizeof value) == 0)
        return;
    if (tend_host_state_set(mx->base.host, key, "1") == 0)
        tend_matrix_send_notice(mx, room->room_id, tend_matrix_words(mx, room->room_id, NULL, MSG_MATRIX_INTRO));
}

/* The room that knows this member's display name: where they typed, else the group's room. */
static const tend_matrix_room *room_knowing(const tend_matrix_room *room, const tend_matrix_room *group,
                                            const char *user_id)
{
    if (room && cJSON_GetObjectItemCaseSensitive(room->names, user_id))
        return room;
    return group ? group : room;
}

/* Builds the request for one member in one room of a group. Power comes from the group's room
 * (a linked room's members are coordinators where the group lives); public answers stay in the
 * room the member used, unless that is their DM room. */
void tend_matrix_run_as(tend_matrix *mx, const char *room_id, const char *group_room, const char *sender,
                        const char *event_id, const char *reply_to, const char *text, tend_matrix_command *cmd)
{
    tend_matrix_room *room = tend_matrix_room_get(mx, room_id, false);
    tend_matrix_room *group = tend_matrix_room_get(mx, group_room, false);
    char group_key[MX_KEY_MAX], name[MX_NAME_MAX];
    snprintf(group_key, sizeof group_key, TEND_MATRIX_PLATFORM ":%s", group_room);
    tend_matrix_room_name(room_knowing(room, group, sender), sender, name, sizeof name);
    char ref_names[16][MX_NAME_MAX];
    for (size_t i = 0; cmd && i < cmd->n_refs; i++) {
        tend_matrix_room_name(room_knowing(room, group, cmd->refs[i].member_key), cmd->refs[i].member_key,
                              ref_names[i], sizeof ref_names[i]);
        cmd->refs[i].name = ref_names[i];
    }
    bool in_dm = strcmp(room_id, group_room) != 0 && tend_matrix_is_dm_room(mx, room_id);
    tend_request req = {
        .group_key = group_key,
        .channel_key = in_dm ? group_room : room_id,
        .member_key = sender,
        .member_name = name,
        .is_coordinator = tend_matrix_room_power(group, sender) >= 50,
        .place = in_dm && tend_matrix_dm_is_private(mx, room_id, sender) ? TEND_PLACE_PRIVATE
                                                                          : TEND_PLACE_SHARED,
        .text = text,
        .refs = cmd ? cmd->refs : NULL,
        .n_refs = cmd ? cmd->n_refs : 0,
        .event_id = event_id,
    };
    tend_matrix_run_command(mx, room_id, reply_to, cmd ? cmd->thread : NULL, &req);
}

static void handle_message(tend_matrix *mx, const char *room_id, const cJSON *ev, const char *event_id,
                           const char *sender)
{
    const cJSON *content = cJSON_GetObjectItemCaseSensitive(ev, "content");
    const char *msgtype = str(content, "msgtype");
    /* m.notice is what bots say; answering them is how two bots talk forever */
    if (!msgtype || strcmp(msgtype, "m.text") != 0 || tend_matrix_handle_edit(mx, room_id, content))
        return;
    const char *format = str(content, "format");
    const char *html = format && strcmp(format, "org.matrix.custom.html") == 0 ? str(content, "formatted_body")
                                                                               : NULL;
    tend_matrix_command cmd;
    if (tend_matrix_parse_command(str(content, "body"), html, &cmd) != 1)
        return;
    cmd.thread = tend_matrix_thread_of(content); /* answered in the thread it was typed in */
    if (tend_matrix_is_dm_room(mx, room_id)) {
        tend_matrix_dm_command(mx, room_id, sender, event_id, &cmd);
    } else if (tend_matrix_link_command(mx, room_id, sender, event_id, cmd.text) == 0) {
        /* the router records event_id with the command's effect, so a replay is answered never twice */
        char group_room[MX_KEY_MAX];
        tend_matrix_group_room(mx, room_id, group_room, sizeof group_room);
        tend_matrix_run_as(mx, room_id, group_room, sender, event_id, event_id, cmd.text, &cmd);
    }
    tend_matrix_command_free(&cmd);
}

/* A member's reaction on one of the bot's messages runs the command that reaction stands for,
 * in the group the message came from (a DM's reaction still belongs to the member's group). */
static void handle_reaction(tend_matrix *mx, const char *room_id, const cJSON *ev, const char *event_id,
                            const char *sender)
{
    const cJSON *rel = path2(ev, "content", "m.relates_to");
    const char *rel_type = str(rel, "rel_type");
    const char *target = str(rel, "event_id");
    const char *emoji = str(rel, "key");
    if (!rel_type || strcmp(rel_type, "m.annotation") != 0 || !target || !emoji)
        return;
    char key[MX_KEY_MAX * 2], value[MX_KEY_MAX * 2];
    tend_matrix_reaction_state_key(target, emoji, key, sizeof key);
    if (tend_host_state_get(mx->base.host, key, value, sizeof value) != 0)
        return;
    char *tab = strchr(value, '\t');
    if (!tab)
        return;
    *tab = '\0';
    const char *group_room = tend_matrix_room_of_group(value);
    if (!group_room)
        group_room = room_id;
    tend_matrix_run_as(mx, room_id, group_room, sender, event_id, target, tab + 1, NULL);
    tend_matrix_reaction_ran(mx, event_id, sender, group_room, target, tab + 1);
}

/* ---------------------------------------------------------------- one room */

static void handle_event(tend_matrix *mx, tend_matrix_room *room, const cJSON *ev, bool decrypted)
{
    const char *type = str(ev, "type");
    const char *event_id = str(ev, "event_id");
    const char *sender = str(ev, "sender");
    if (!type || !event_id || !sender || strcmp(sender, mx->user_id) == 0)
        return;
    bool message = strcmp(type, "m.room.message") == 0;
    bool reaction = strcmp(type, "m.reaction") == 0;
    bool encrypted = strcmp(type, "m.room.encrypted") == 0;
    if (strcmp(type, "m.room.redaction") == 0)
        tend_matrix_handle_redaction(mx, room->room_id, ev, event_id, sender);
    if (tend_matrix_e2ee_verify_room_event(mx, room->room_id, ev))
        return; /* a member verifying the bot: no command */
    if (!message && !reaction && !encrypted)
        return;
    if ((message || reaction) && !decrypted && room->encrypted && !tend_matrix_e2ee_on(mx) &&
        !tend_matrix_is_dm_room(mx, room->room_id)) {
        /* a client that did not encrypt (a script, a bridge) in a room its members keep encrypted:
         * tend's answers would go out in plain text there, so it runs nothing and says why, once.
         * With encryption on, the answers go out encrypted whatever the client did (some send
         * reactions in clear, as the spec once said), so the event runs. */
        say_encrypted_once(mx, room->room_id);
        return;
    }
    if (message)
        handle_message(mx, room->room_id, ev, event_id, sender);
    else if (reaction)
        handle_reaction(mx, room->room_id, ev, event_id, sender);
    else if (!decrypted && tend_matrix_e2ee_room_event(mx, room->room_id, ev) == 0)
        return; /* decrypted and run, or held until its key comes */
    else if (!tend_matrix_is_dm_room(mx, room->room_id))
        say_encrypted_once(mx, room->room_id); /* once per room, kept in the store */
}

void tend_matrix_handle_decrypted(tend_matrix *mx, const char *room_id, const cJSON *ev)
{
    tend_matrix_room *room = tend_matrix_room_get(mx, room_id, false);
    if (room)
        handle_event(mx, room, ev, true);
}

static void apply_state_list(tend_matrix_room *room, const cJSON *events)
{
    const cJSON *ev;
    cJSON_ArrayForEach(ev, events) {
        tend_matrix_room_apply_state(room, ev);
    }
}

static void handle_joined_room(tend_matrix *mx, const char *room_id, const cJSON *data, bool first)
{
    tend_matrix_room *room = tend_matrix_room_get(mx, room_id, true);
    if (!room)
        return;
    apply_state_list(room, path2(data, "state", "events"));
    const cJSON *timeline = path2(data, "timeline", "events");
    /* Events up to the bot's own join are history it was not there for: their state counts, their
     * commands do not. */
    int join_at = -1, i = 0;
    const cJSON *ev;
    cJSON_ArrayForEach(ev, timeline) {
        if (tend_matrix_is_own_join(mx->user_id, ev))
            join_at = i;
        i++;
    }
    i = 0;
    cJSON_ArrayForEach(ev, timeline) {
        if (cJSON_GetObjectItemCaseSensitive(ev, "state_key"))
            tend_matrix_room_apply_state(room, ev);
        if (!first && i > join_at)
            handle_event(mx, room, ev, false);
        i++;
    }
    if (join_at >= 0 && !first)
        introduce_once(mx, room);
}

static void accept_invite(tend_matrix *mx, const char *room_id, const cJSON *data);

static void handle_batch(tend_matrix *mx, const cJSON *json, bool first)
{
    tend_matrix_e2ee_sync(mx, json); /* keys first: this batch's encrypted events may need them */
    const cJSON *ev;
    cJSON_ArrayForEach(ev, path2(json, "account_data", "events")) {
        const char *type = str(ev, "type");
        if (type && strcmp(type, "m.direct") == 0)
            tend_matrix_set_direct(mx, cJSON_GetObjectItemCaseSensitive(ev, "content"));
    }
    const cJSON *room;
    cJSON_ArrayForEach(room, path2(json, "rooms", "join")) {
        handle_joined_room(mx, room->string, room, first);
    }
    cJSON_ArrayForEach(room, path2(json, "rooms", "invite")) {
        accept_invite(mx, room->string, room);
    }
    tend_matrix_e2ee_after_sync(mx);
}

/* ---------------------------------------------------------------- invites */

static void on_joined(const tend_http_response *res, void *ud)
{
    char *room_id = ud;
    if (res->status == 200)
        tend_log(TEND_LOG_INFO, "matrix", "joined %s", room_id);
    else
        tend_log(TEND_LOG_WARN, "matrix", "could not join %s (HTTP %ld)", room_id, res->status);
    free(room_id);
}

static void accept_invite(tend_matrix *mx, const char *room_id, const cJSON *data)
{
    const char *inviter = NULL;
    const cJSON *ev;
    cJSON_ArrayForEach(ev, path2(data, "invite_state", "events")) {
        const char *type = str(ev, "type");
        const char *key = str(ev, "state_key");
        if (type && key && strcmp(type, "m.room.member") == 0 && strcmp(key, mx->user_id) == 0)
            inviter = str(ev, "sender");
    }
    /* a direct chat is welcome from anyone who shares a group with the bot */
    bool direct = inviter && tend_matrix_invite_is_direct(mx, data);
    if (!inviter || !(tend_matrix_inviter_allowed(mx->allowed_inviters, mx->server_name, inviter) ||
                      (direct && tend_matrix_shares_group(mx, inviter)))) {
        tend_matrix_decline_invite(mx, room_id, inviter);
        return;
    }
    if (direct)
        tend_matrix_dm_adopt(mx, room_id, inviter);
    char *esc = tend_matrix_escape(room_id);
    char path[512];
    snprintf(path, sizeof path, "/join/%s", esc ? esc : "");
    free(esc);
    char *url = tend_matrix_url(mx, path);
    char *ud = strdup(room_id);
    if (!url || !ud || tend_matrix_request(mx, "POST", url, "{}", 30000, on_joined, ud) != 0)
        free(ud);
    free(url);
}

/* ---------------------------------------------------------------- the long-poll */

/* Handles a whole batch, then moves the sync position past it: only now, so a crash before this
 * point replays the batch (each event id runs once) instead of skipping it. Takes json. */
static void finish_batch(tend_matrix *mx, cJSON *json, bool first)
{
    handle_batch(mx, json, first);
    const char *next = str(json, "next_batch");
    if (tend_host_state_set(mx->base.host, "since", next) != 0)
        tend_log(TEND_LOG_WARN, "matrix", "could not save the sync position; a restart may skip a few events");
    mx->full_state_done = true;
    cJSON_Delete(json);
    schedule_sync(mx, 0);
}

static void on_gaps_filled(tend_matrix *mx, cJSON *json, uint64_t retry_ms)
{
    if (json)
        finish_batch(mx, json, false);
    else
        schedule_sync(mx, retry_ms); /* the same since again: the gap is met and filled anew */
}

static void on_sync(const tend_http_response *res, void *ud)
{
    tend_matrix *mx = ud;
    mx->sync_in_flight = false;
    if (mx->stopping)
        return;
    cJSON *json = res->status == 200 ? cJSON_ParseWithLength(res->body, res->body_len) : NULL;
    const char *next = str(json, "next_batch");
    if (!next) {
        cJSON *err = res->status ? cJSON_ParseWithLength(res->body, res->body_len) : NULL;
        const char *code = str(err, "errcode");
        tend_metric_set(&TEND_M_CONNECTED, TEND_MATRIX_PLATFORM, NULL, 0);
        if (res->status == 401) {
            tend_log(TEND_LOG_ERROR, "matrix", "the homeserver no longer accepts the access token (%s); "
                     "make a new one and restart tend", code ? code : "401");
            cJSON_Delete(err);
            cJSON_Delete(json);
            return;
        }
        if (mx->sync_failures++ == 0) {
            mx->down_since_ms = tend_matrix_now_ms();
            tend_log(TEND_LOG_WARN, "matrix", "lost contact with the homeserver (%s); retrying",
                     res->status ? (code ? code : "bad answer") : res->error);
        }
        uint64_t wait = res->status == 429 ? tend_matrix_retry_after_ms(res, 2000)
                                           : tend_matrix_backoff_ms(mx->sync_failures, 500, 30000);
        if (res->status == 429)
            tend_matrix_note_throttled(wait);
        cJSON_Delete(err);
        cJSON_Delete(json);
        schedule_sync(mx, wait);
        return;
    }
    tend_metric_set(&TEND_M_CONNECTED, TEND_MATRIX_PLATFORM, NULL, 1);
    if (mx->sync_failures) {
        tend_metric_add(&TEND_M_RECONNECTS, TEND_MATRIX_PLATFORM, NULL, 1);
        tend_log(TEND_LOG_INFO, "matrix", "back in contact with the homeserver after %lld ms",
                 (long long)(tend_matrix_now_ms() - mx->down_since_ms));
        mx->sync_failures = 0;
    }
    char since[512];
    bool first = tend_host_state_get(mx->base.host, "since", since, sizeof since) ==
                 1; /* not found: the very first sync */
    /* a timeline cut short is filled before anything in the batch runs (gap.c) */
    if (!first && tend_matrix_gap_fill(mx, json, since, on_gaps_filled) == 1)
        return;
    finish_batch(mx, json, first);
}

static void do_sync(tend_matrix *mx)
{
    if (mx->stopping || mx->sync_in_flight)
        return;
    char since[512] = "";
    int rc = tend_host_state_get(mx->base.host, "since", since, sizeof since);
    char *esc = rc == 0 ? tend_matrix_escape(since) : NULL;
    char path[1024];
    /* the first sync of a process comes back at once, with the full state of every room */
    bool full = !mx->full_state_done && esc;
    snprintf(path, sizeof path, "/sync?filter=%s&timeout=%d%s%s%s", mx->filter_id,
             full ? 0 : SYNC_TIMEOUT_MS, esc ? "&since=" : "", esc ? esc : "", full ? "&full_state=true" : "");
    free(esc);
    char *url = tend_matrix_url(mx, path);
    if (url && tend_matrix_request(mx, "GET", url, NULL, SYNC_TIMEOUT_MS + 15000, on_sync, mx) == 0)
        mx->sync_in_flight = true;
    else
        schedule_sync(mx, 1000);
    free(url);
}

static void on_sync_timer(uv_timer_t *t)
{
    tend_matrix *mx = t->data;
    if (!mx->filter_id)
        tend_matrix_sync_start(mx);
    else
        do_sync(mx);
}

static void schedule_sync(tend_matrix *mx, uint64_t delay_ms)
{
    if (!mx->stopping)
        uv_timer_start(&mx->sync_timer, on_sync_timer, delay_ms, 0);
}

/* ---------------------------------------------------------------- the filter */

/* Only what tend acts on: messages, membership, reactions, power levels and encryption (to know
 * coordinators and to say it cannot read), room names and aliases (to name groups in direct
 * chats), verification steps in a direct chat (a member verifying the bot), and m.direct. No
 * presence, typing or receipts. */
static const char *const room_types[] = {"m.room.message", "m.reaction", "m.room.redaction", "m.room.member",
                                         "m.room.power_levels", "m.room.encryption",
                                         "m.room.encrypted", "m.room.create", "m.room.name",
                                         "m.room.canonical_alias", "m.key.verification.*"};
#define N_ROOM_TYPES ((int)(sizeof room_types / sizeof room_types[0]))

char *tend_matrix_timeline_filter(void)
{
    cJSON *f = cJSON_CreateObject();
    cJSON_AddItemToObject(f, "types", cJSON_CreateStringArray(room_types, N_ROOM_TYPES));
    char *json = cJSON_PrintUnformatted(f);
    cJSON_Delete(f);
    return json;
}

static char *filter_json(void)
{
    cJSON *f = cJSON_CreateObject();
    cJSON *none = cJSON_CreateStringArray((const char *const[]){"*"}, 1);
    cJSON *presence = cJSON_AddObjectToObject(f, "presence");
    cJSON_AddItemToObject(presence, "not_types", none);
    cJSON *ad = cJSON_AddObjectToObject(f, "account_data");
    cJSON_AddItemToObject(ad, "types", cJSON_CreateStringArray((const char *const[]){"m.direct"}, 1));
    cJSON *room = cJSON_AddObjectToObject(f, "room");
    cJSON *state = cJSON_AddObjectToObject(room, "state");
    cJSON_AddItemToObject(state, "types", cJSON_CreateStringArray(room_types + 3, N_ROOM_TYPES - 3));
    cJSON *timeline = cJSON_AddObjectToObject(room, "timeline");
    cJSON_AddItemToObject(timeline, "types", cJSON_CreateStringArray(room_types, N_ROOM_TYPES));
    cJSON_AddNumberToObject(timeline, "limit", TEND_MATRIX_TIMELINE_LIMIT);
    cJSON *eph = cJSON_AddObjectToObject(room, "ephemeral");
    cJSON_AddItemToObject(eph, "not_types", cJSON_CreateStringArray((const char *const[]){"*"}, 1));
    cJSON *rad = cJSON_AddObjectToObject(room, "account_data");
    cJSON_AddItemToObject(rad, "not_types", cJSON_CreateStringArray((const char *const[]){"*"}, 1));
    char *json = cJSON_PrintUnformatted(f);
    cJSON_Delete(f);
    return json;
}

static void on_filter(const tend_http_response *res, void *ud)
{
    tend_matrix *mx = ud;
    if (mx->stopping)
        return;
    cJSON *json = res->status == 200 ? cJSON_ParseWithLength(res->body, res->body_len) : NULL;
    const char *id = str(json, "filter_id");
    if (id && (mx->filter_id = strdup(id))) {
        char key[MX_KEY_MAX + 16];
        snprintf(key, sizeof key, FILTER_KEY ":%s", mx->user_id);
        tend_host_state_set(mx->base.host, key, id);
        do_sync(mx);
    } else {
        tend_log(TEND_LOG_WARN, "matrix", "could not upload the sync filter (HTTP %ld); retrying", res->status);
        schedule_sync(mx, tend_matrix_backoff_ms(++mx->sync_failures, 1000, 30000));
    }
    cJSON_Delete(json);
}

int tend_matrix_sync_start(tend_matrix *mx)
{
    if (!mx->sync_timer.data) {
        if (uv_timer_init(mx->loop, &mx->sync_timer) != 0)
            return -1;
        mx->sync_timer.data = mx;
        mx->open_handles++;
    }
    char key[MX_KEY_MAX + 16], id[256];
    snprintf(key, sizeof key, FILTER_KEY ":%s", mx->user_id);
    if (tend_host_state_get(mx->base.host, key, id, sizeof id) == 0) {
        mx->filter_id = strdup(id);
        if (!mx->filter_id)
            return -1;
        do_sync(mx);
        return 0;
    }
    char *body = filter_json();
    char *uid = tend_matrix_escape(mx->user_id);
    char path[512];
    snprintf(path, sizeof path, "/user/%s/filter", uid ? uid : "");
    char *url = tend_matrix_url(mx, path);
    int rc = body && uid && url ? tend_matrix_request(mx, "POST", url, body, 30000, on_filter, mx) : -1;
    free(body);
    free(uid);
    free(url);
    return rc;
}

static void on_sync_timer_closed(uv_handle_t *h)
{
    tend_matrix *mx = h->data;
    mx->open_handles--;
}

void tend_matrix_sync_stop(tend_matrix *mx)
{
    if (mx->sync_timer.data && !uv_is_closing((uv_handle_t *)&mx->sync_timer)) {
        uv_timer_stop(&mx->sync_timer);
        uv_close((uv_handle_t *)&mx->sync_timer, on_sync_timer_closed);
    }
}
