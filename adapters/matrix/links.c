/*
 * links.c — several Matrix rooms acting as one group.
 *
 * Each room is a group of its own ("matrix:<room id>") until a coordinator types, in room B,
 * "!setup link:<room A>": from then on commands typed in B act on A's group (its tasks, members,
 * settings) while their public answers stay in B, and the group's scheduled posts go to A. This is
 * the adapter's business, not the bot's: the bot only ever sees A's group key, so bot/ stays free
 * of platforms, exactly as with reactions in DM rooms.
 *
 * The store keeps "link:<B>" = A and "linkcount:<A>" = how many rooms share A's group; the count is
 * what refuses chains (B cannot be linked while others share B's group) without a scan. Only one
 * hop ever exists, so resolving a room's group is one look-up. A group B had before it was linked
 * stays in the store untouched and comes back with "!setup unlink"; while linked it is dormant.
 */
#include "adapters/matrix/internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/log.h"
#include "bot/messages.h"

#define COORDINATOR_POWER 50

static void link_key(const char *room_id, char *out, size_t outlen)
{
    snprintf(out, outlen, "link:%s", room_id);
}

static void count_key(const char *room_id, char *out, size_t outlen)
{
    snprintf(out, outlen, "linkcount:%s", room_id);
}

bool tend_matrix_group_room(tend_matrix *mx, const char *room_id, char *out, size_t outlen)
{
    char key[MX_KEY_MAX + 8];
    link_key(room_id, key, sizeof key);
    if (tend_host_state_get(mx->base.host, key, out, outlen) == 0 && out[0])
        return true;
    snprintf(out, outlen, "%s", room_id);
    return false;
}

static long links_into(tend_matrix *mx, const char *room_id)
{
    char key[MX_KEY_MAX + 16], value[32];
    count_key(room_id, key, sizeof key);
    if (tend_host_state_get(mx->base.host, key, value, sizeof value) != 0)
        return 0;
    return strtol(value, NULL, 10);
}

static bool bot_joined(tend_matrix *mx, const tend_matrix_room *room)
{
    return room && cJSON_GetObjectItemCaseSensitive(room->names, mx->user_id) != NULL;
}

static bool is_coordinator(tend_matrix *mx, const char *room_id, const char *sender)
{
    return tend_matrix_room_power(tend_matrix_room_get(mx, room_id, false), sender) >= COORDINATOR_POWER;
}

tend_matrix_link_result tend_matrix_link_rooms(tend_matrix *mx, const char *from, const char *to,
                                               const char *sender)
{
    const tend_matrix_room *target = tend_matrix_room_get(mx, to, false);
    char current[MX_KEY_MAX];
    if (strcmp(from, to) == 0)
        return TEND_MATRIX_LINK_SELF;
    if (!bot_joined(mx, target) || tend_matrix_is_dm_room(mx, to))
        return TEND_MATRIX_LINK_UNKNOWN;
    if (target->encrypted)
        return TEND_MATRIX_LINK_ENCRYPTED;
    if (!is_coordinator(mx, from, sender) || !is_coordinator(mx, to, sender))
        return TEND_MATRIX_LINK_NOT_COORDINATOR;
    if (tend_matrix_group_room(mx, from, current, sizeof current))
        return TEND_MATRIX_LINK_ALREADY;
    if (tend_matrix_group_room(mx, to, current, sizeof current))
        return TEND_MATRIX_LINK_TARGET_LINKED;
    if (links_into(mx, from) > 0)
        return TEND_MATRIX_LINK_HAS_LINKS;

    /* the link, the target's count of rooms linked into it, and the group itself, all at once;
     * the group is made here, not by B's first command: a group born from B would take B as its channel */
    char key[MX_KEY_MAX + 8], count[MX_KEY_MAX + 16], n[32], group_key[MX_KEY_MAX];
    link_key(from, key, sizeof key);
    count_key(to, count, sizeof count);
    snprintf(n, sizeof n, "%ld", links_into(mx, to) + 1);
    snprintf(group_key, sizeof group_key, TEND_MATRIX_PLATFORM ":%s", to);
    const char *keys[] = {key, count}, *values[] = {to, n};
    return tend_host_link_group(mx->base.host, keys, values, 2, NULL, 0, group_key, to) == 0
               ? TEND_MATRIX_LINK_OK
               : TEND_MATRIX_LINK_FAILED;
}

tend_matrix_link_result tend_matrix_unlink_room(tend_matrix *mx, const char *room, const char *sender,
                                                char *was, size_t waslen)
{
    char to[MX_KEY_MAX], key[MX_KEY_MAX + 8];
    if (!tend_matrix_group_room(mx, room, to, sizeof to))
        return TEND_MATRIX_LINK_NOT_LINKED;
    if (!is_coordinator(mx, room, sender) && !is_coordinator(mx, to, sender))
        return TEND_MATRIX_LINK_UNLINK_NOT_COORDINATOR;
    link_key(room, key, sizeof key);
    char count[MX_KEY_MAX + 16], n[32];
    count_key(to, count, sizeof count);
    long left = links_into(mx, to) - 1;
    snprintf(n, sizeof n, "%ld", left);
    const char *set_keys[] = {count}, *set_values[] = {n}, *gone[] = {key, count};
    int rc = left > 0 ? tend_host_link_group(mx->base.host, set_keys, set_values, 1, gone, 1, NULL, NULL)
                      : tend_host_link_group(mx->base.host, NULL, NULL, 0, gone, 2, NULL, NULL);
    if (rc != 0)
        return TEND_MATRIX_LINK_FAILED;
    if (was)
        snprintf(was, waslen, "%s", to);
    return TEND_MATRIX_LINK_OK;
}

bool tend_matrix_group_dormant(tend_matrix *mx, const tend_message *msg)
{
    const char *own = msg->audience == TEND_TO_PUBLIC ? tend_matrix_room_of_group(msg->group_key) : NULL;
    char to[MX_KEY_MAX];
    return own && tend_matrix_group_room(mx, own, to, sizeof to);
}

/* ---------------------------------------------------------------- the command */

/* A link command waiting for its alias to resolve. */
typedef struct {
    tend_matrix *mx;
    char *room_id, *sender, *event_id, *typed;
} pending_link;

static void pending_free(pending_link *p)
{
    if (!p)
        return;
    free(p->room_id);
    free(p->sender);
    free(p->event_id);
    free(p->typed);
    free(p);
}

/* One line to the member alone, the way the bot answers any command it cannot carry out. */
static void say_private(tend_matrix *mx, const char *room_id, const char *sender, const char *fmt,
                        const char *a, const char *b)
{
    tend_messages out;
    tend_messages_init(&out);
    char group_key[MX_KEY_MAX];
    snprintf(group_key, sizeof group_key, TEND_MATRIX_PLATFORM ":%s", room_id);
    char lang[TEND_LANG_MAX];
    tend_matrix_lang(mx, room_id, sender, lang, sizeof lang); /* theirs: only they read it */
    tend_message *m = tend_messages_add_lang(&out, lang, TEND_TO_PRIVATE, group_key, sender, NULL, "error", "%s", "");
    if (m && tend_message_appendf(m, fmt, a ? a : "", b ? b : "") == 0 &&
        tend_matrix_dm_send(mx, sender, m, NULL) != 0)
        tend_log(TEND_LOG_WARN, "matrix", "could not answer a room link command");
    tend_messages_clear(&out);
}

/* The confirmation: a reply where it was typed, and a word in the other room, whose members
 * should know commands from elsewhere now act on their group. */
static void say_both(tend_matrix *mx, const char *room_id, const char *event_id, const char *here,
                     const char *other_room, const char *there)
{
    tend_messages out;
    tend_messages_init(&out);
    /* each room in the language of the group it shares now */
    char lang_here[TEND_LANG_MAX], lang_there[TEND_LANG_MAX];
    tend_matrix_lang(mx, room_id, NULL, lang_here, sizeof lang_here);
    tend_matrix_lang(mx, other_room, NULL, lang_there, sizeof lang_there);
    tend_message *m = tend_messages_add_lang(&out, lang_here, TEND_TO_PUBLIC, NULL, NULL, NULL, "link", "%s", "");
    if (m)
        tend_message_appendf(m, here, other_room);
    tend_message *n = tend_messages_add_lang(&out, lang_there, TEND_TO_PUBLIC, NULL, NULL, NULL, "link", "%s", "");
    if (n && tend_message_set_channel(n, other_room) == 0)
        tend_message_appendf(n, there, room_id);
    /* the link is the adapter's own bookkeeping, so its two lines are sent by the adapter */
    if (m)
        tend_matrix_send_message(mx, room_id, m, event_id, NULL);
    if (n)
        tend_matrix_send_message(mx, other_room, n, NULL, NULL);
    tend_messages_clear(&out);
}

static void answer_link(tend_matrix *mx, const char *room_id, const char *sender, const char *event_id,
                        const char *typed, const char *to)
{
    char root[MX_KEY_MAX];
    tend_matrix_link_result r = tend_matrix_link_rooms(mx, room_id, to, sender);
    switch (r) {
    case TEND_MATRIX_LINK_OK:
        tend_log(TEND_LOG_INFO, "matrix", "%s now shares the group of %s", room_id, to);
        say_both(mx, room_id, event_id, MSG_MATRIX_LINKED, to, MSG_MATRIX_LINKED_THERE);
        return;
    case TEND_MATRIX_LINK_SELF:
        say_private(mx, room_id, sender, MSG_MATRIX_LINK_SELF, NULL, NULL);
        return;
    case TEND_MATRIX_LINK_UNKNOWN:
        say_private(mx, room_id, sender, MSG_MATRIX_LINK_UNKNOWN, typed, NULL);
        return;
    case TEND_MATRIX_LINK_ENCRYPTED:
        say_private(mx, room_id, sender, MSG_MATRIX_LINK_ENCRYPTED, typed, NULL);
        return;
    case TEND_MATRIX_LINK_NOT_COORDINATOR:
        say_private(mx, room_id, sender, MSG_MATRIX_LINK_NOT_COORDINATOR, NULL, NULL);
        return;
    case TEND_MATRIX_LINK_ALREADY:
        tend_matrix_group_room(mx, room_id, root, sizeof root);
        say_private(mx, room_id, sender, MSG_MATRIX_LINK_ALREADY, root, NULL);
        return;
    case TEND_MATRIX_LINK_TARGET_LINKED:
        tend_matrix_group_room(mx, to, root, sizeof root);
        say_private(mx, room_id, sender, MSG_MATRIX_LINK_TARGET_LINKED, typed, root);
        return;
    case TEND_MATRIX_LINK_HAS_LINKS:
        say_private(mx, room_id, sender, MSG_MATRIX_LINK_HAS_LINKS, NULL, NULL);
        return;
    default:
        say_private(mx, room_id, sender, MSG_MATRIX_LINK_FAILED, NULL, NULL);
        return;
    }
}

static void answer_unlink(tend_matrix *mx, const char *room_id, const char *sender, const char *event_id)
{
    char was[MX_KEY_MAX];
    tend_matrix_link_result r = tend_matrix_unlink_room(mx, room_id, sender, was, sizeof was);
    if (r == TEND_MATRIX_LINK_OK) {
        tend_log(TEND_LOG_INFO, "matrix", "%s no longer shares the group of %s", room_id, was);
        say_both(mx, room_id, event_id, MSG_MATRIX_UNLINKED, was, MSG_MATRIX_UNLINKED_THERE);
    } else if (r == TEND_MATRIX_LINK_NOT_LINKED) {
        say_private(mx, room_id, sender, MSG_MATRIX_UNLINK_NOT_LINKED, NULL, NULL);
    } else if (r == TEND_MATRIX_LINK_UNLINK_NOT_COORDINATOR) {
        say_private(mx, room_id, sender, MSG_MATRIX_UNLINK_NOT_COORDINATOR, NULL, NULL);
    } else {
        say_private(mx, room_id, sender, MSG_MATRIX_LINK_FAILED, NULL, NULL);
    }
}

static void on_alias(const tend_http_response *res, void *ud)
{
    pending_link *p = ud;
    tend_matrix *mx = p->mx;
    if (!mx->stopping) {
        cJSON *json = res->status == 200 ? cJSON_ParseWithLength(res->body, res->body_len) : NULL;
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(json, "room_id");
        if (cJSON_IsString(id))
            answer_link(mx, p->room_id, p->sender, p->event_id, p->typed, id->valuestring);
        else
            say_private(mx, p->room_id, p->sender, MSG_MATRIX_LINK_NO_ALIAS, p->typed, NULL);
        cJSON_Delete(json);
    }
    pending_free(p);
}

/* An alias names a room only through the homeserver's directory: ask it, then link. */
static void resolve_and_link(tend_matrix *mx, const char *room_id, const char *sender, const char *event_id,
                             const char *alias)
{
    pending_link *p = calloc(1, sizeof *p);
    char *esc = tend_matrix_escape(alias);
    char path[1024];
    snprintf(path, sizeof path, "/directory/room/%s", esc ? esc : "");
    char *url = esc ? tend_matrix_url(mx, path) : NULL;
    if (p) {
        p->mx = mx;
        p->room_id = strdup(room_id);
        p->sender = strdup(sender);
        p->event_id = strdup(event_id);
        p->typed = strdup(alias);
    }
    if (!p || !p->room_id || !p->sender || !p->event_id || !p->typed || !url ||
        tend_matrix_request(mx, "GET", url, NULL, 30000, on_alias, p) != 0) {
        pending_free(p);
        say_private(mx, room_id, sender, MSG_MATRIX_LINK_FAILED, NULL, NULL);
    }
    free(esc);
    free(url);
}

int tend_matrix_link_command(tend_matrix *mx, const char *room_id, const char *sender, const char *event_id,
                             const char *text)
{
    char target[MX_KEY_MAX];
    tend_matrix_link_cmd kind = tend_matrix_parse_link(text, target, sizeof target);
    if (kind == TEND_MATRIX_LINK_CMD_NONE)
        return 0;
    /* the router is not involved, so the replay guard is ours to keep */
    if (tend_host_event_claim(mx->base.host, event_id) !=
        0)
        return 1;
    if (kind == TEND_MATRIX_LINK_CMD_BAD)
        say_private(mx, room_id, sender, MSG_MATRIX_LINK_USAGE, NULL, NULL);
    else if (kind == TEND_MATRIX_LINK_CMD_UNDO)
        answer_unlink(mx, room_id, sender, event_id);
    else if (!is_coordinator(mx, room_id, sender))
        say_private(mx, room_id, sender, MSG_MATRIX_LINK_NOT_COORDINATOR, NULL, NULL);
    else if (target[0] == '#')
        resolve_and_link(mx, room_id, sender, event_id, target);
    else
        answer_link(mx, room_id, sender, event_id, target, target);
    return 1;
}
