/*
 * e2ee_sync.c — what a /sync batch brings for encryption, and what follows once its rooms ran.
 */
#ifdef TEND_HAVE_E2EE
#include "adapters/matrix/e2ee_state.h"

#include <string.h>

#include "lib/log.h"

static const char *str(const cJSON *obj, const char *name)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, name);
    return cJSON_IsString(it) ? it->valuestring : NULL;
}

static const cJSON *path2(const cJSON *obj, const char *a, const char *b)
{
    return cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(obj, a), b);
}

static void to_device(tend_matrix *mx, const cJSON *ev)
{
    const char *type = str(ev, "type"), *sender = str(ev, "sender");
    if (type && strncmp(type, "m.key.verification.", 19) == 0) {
        tend_matrix_e2ee_verify_to_device(mx, ev); /* sent in clear, as clients send them */
        return;
    }
    if (type && sender && strcmp(type, "m.room_key.withheld") == 0) /* sent in clear, as the spec has it */
        tend_matrix_e2ee_withheld(mx, sender, cJSON_GetObjectItemCaseSensitive(ev, "content"));
    if (!type || !sender || strcmp(type, "m.room.encrypted") != 0)
        return; /* key requests to the bot are not answered: it forwards no one's keys */
    const char *sender_key = NULL;
    cJSON *payload = tend_matrix_olm_decrypt(mx, ev, &sender_key);
    const char *inner = str(payload, "type");
    if (inner && strcmp(inner, "m.room_key") == 0)
        tend_matrix_e2ee_room_key(mx, sender, sender_key, payload);
    else if (inner)
        tend_log(TEND_LOG_DEBUG, "matrix", "an encrypted %s from %s; nothing to do with it", inner, sender);
    /* it may hold a room key: its text goes before the memory is given back */
    cJSON *content = cJSON_GetObjectItemCaseSensitive(payload, "content");
    cJSON *key = cJSON_GetObjectItemCaseSensitive(content, "session_key");
    if (cJSON_IsString(key))
        explicit_bzero(key->valuestring, strlen(key->valuestring));
    cJSON_Delete(payload);
}

/* A member who leaves (or is banned, or kicked) must not read what the bot says next. */
static void members_gone(tend_matrix *mx, const char *room_id, const cJSON *events)
{
    const cJSON *ev;
    cJSON_ArrayForEach(ev, events) {
        const char *type = str(ev, "type"), *who = str(ev, "state_key");
        const char *membership = str(cJSON_GetObjectItemCaseSensitive(ev, "content"), "membership");
        if (type && who && membership && strcmp(type, "m.room.member") == 0 && strcmp(who, mx->user_id) != 0 &&
            (strcmp(membership, "leave") == 0 || strcmp(membership, "ban") == 0))
            tend_matrix_e2ee_rotate(mx, room_id);
    }
}

void tend_matrix_e2ee_sync(tend_matrix *mx, const cJSON *batch)
{
    if (!mx->e2ee)
        return;
    tend_matrix_e2ee_key_counts(mx, batch);
    tend_matrix_e2ee_device_lists(mx, cJSON_GetObjectItemCaseSensitive(batch, "device_lists"));
    const cJSON *ev;
    cJSON_ArrayForEach(ev, path2(batch, "to_device", "events")) {
        to_device(mx, ev);
    }
    const cJSON *room;
    cJSON_ArrayForEach(room, path2(batch, "rooms", "join")) {
        members_gone(mx, room->string, path2(room, "state", "events"));
        members_gone(mx, room->string, path2(room, "timeline", "events"));
    }
}

void tend_matrix_e2ee_after_sync(tend_matrix *mx)
{
    if (!mx->e2ee)
        return;
    for (tend_matrix_room *r = mx->rooms; r; r = r->next) {
        if (!r->encrypted)
            continue;
        const cJSON *m;
        cJSON_ArrayForEach(m, r->names) {
            tend_matrix_e2ee_track(mx, m->string);
        }
        cJSON_ArrayForEach(m, r->invited) {
            tend_matrix_e2ee_track(mx, m->string);
        }
    }
    tend_matrix_e2ee_query(mx);
    tend_matrix_e2ee_retry_held(mx);
    tend_matrix_e2ee_prune_replays(mx);
}
#endif
