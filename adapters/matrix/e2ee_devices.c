/*
 * e2ee_devices.c — the devices of every member of an encrypted room, from /keys/query.
 *
 * A device's keys count only when they are signed by the device's own ed25519 key and name the
 * user and device they are listed under; a device whose ed25519 key changes under the same id is
 * kept with its first key (a server cannot swap a device's identity). /sync's device_lists say
 * whose devices changed: they are asked again before anything is shared with or accepted from
 * them. The list lives in memory; a restart asks again.
 */
#ifdef TEND_HAVE_E2EE
#include "adapters/matrix/e2ee_state.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/log.h"

static cJSON *users_of(tend_matrix *mx)
{
    struct tend_matrix_e2ee *e = mx->e2ee;
    if (!e->users)
        e->users = cJSON_CreateObject();
    return e->users;
}

void tend_matrix_e2ee_track(tend_matrix *mx, const char *user_id)
{
    if (!mx->e2ee || !user_id || user_id[0] != '@' || strcmp(user_id, mx->user_id) == 0)
        return;
    cJSON *users = users_of(mx);
    if (!users || cJSON_GetObjectItemCaseSensitive(users, user_id))
        return;
    cJSON *u = cJSON_AddObjectToObject(users, user_id);
    if (u) {
        cJSON_AddTrueToObject(u, "stale");
        cJSON_AddObjectToObject(u, "devices");
    }
}

void tend_matrix_e2ee_device_lists(tend_matrix *mx, const cJSON *device_lists)
{
    if (!mx->e2ee || !mx->e2ee->users)
        return;
    const cJSON *it;
    cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(device_lists, "changed")) {
        cJSON *u = cJSON_IsString(it) ? cJSON_GetObjectItemCaseSensitive(mx->e2ee->users, it->valuestring) : NULL;
        if (u)
            cJSON_ReplaceItemInObjectCaseSensitive(u, "stale", cJSON_CreateTrue());
    }
    cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(device_lists, "left")) {
        if (cJSON_IsString(it))
            cJSON_DeleteItemFromObjectCaseSensitive(mx->e2ee->users, it->valuestring);
    }
}

bool tend_matrix_e2ee_devices_fresh(tend_matrix *mx, const char *user_id)
{
    const cJSON *u = mx->e2ee ? cJSON_GetObjectItemCaseSensitive(mx->e2ee->users, user_id) : NULL;
    return u && !cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(u, "stale"));
}

const cJSON *tend_matrix_e2ee_devices(tend_matrix *mx, const char *user_id)
{
    const cJSON *u = mx->e2ee ? cJSON_GetObjectItemCaseSensitive(mx->e2ee->users, user_id) : NULL;
    return u ? cJSON_GetObjectItemCaseSensitive(u, "devices") : NULL;
}

const cJSON *tend_matrix_e2ee_device_by_curve(tend_matrix *mx, const char *user_id, const char *curve,
                                              const char **device_id)
{
    const cJSON *d;
    cJSON_ArrayForEach(d, tend_matrix_e2ee_devices(mx, user_id)) {
        const cJSON *c = cJSON_GetObjectItemCaseSensitive(d, "c");
        if (cJSON_IsString(c) && curve && strcmp(c->valuestring, curve) == 0) {
            if (device_id)
                *device_id = d->string;
            return d;
        }
    }
    return NULL;
}

/* One device of a /keys/query answer, checked: its own signature over keys naming it. */
static void take_device(cJSON *known, const char *user_id, const char *device_id, const cJSON *dk)
{
    const cJSON *uid = cJSON_GetObjectItemCaseSensitive(dk, "user_id");
    const cJSON *did = cJSON_GetObjectItemCaseSensitive(dk, "device_id");
    if (!cJSON_IsString(uid) || !cJSON_IsString(did) || strcmp(uid->valuestring, user_id) != 0 ||
        strcmp(did->valuestring, device_id) != 0)
        return;
    char name[MX_KEY_MAX];
    const cJSON *keys = cJSON_GetObjectItemCaseSensitive(dk, "keys");
    snprintf(name, sizeof name, "curve25519:%s", device_id);
    const cJSON *c = cJSON_GetObjectItemCaseSensitive(keys, name);
    snprintf(name, sizeof name, "ed25519:%s", device_id);
    const cJSON *ed = cJSON_GetObjectItemCaseSensitive(keys, name);
    if (!cJSON_IsString(c) || !cJSON_IsString(ed) ||
        !tend_matrix_signed_by(dk, user_id, device_id, ed->valuestring))
        return;
    const cJSON *before = cJSON_GetObjectItemCaseSensitive(known, device_id);
    const cJSON *before_ed = cJSON_GetObjectItemCaseSensitive(before, "e");
    if (cJSON_IsString(before_ed) && strcmp(before_ed->valuestring, ed->valuestring) != 0) {
        tend_log(TEND_LOG_WARN, "matrix", "device %s of %s came back with another identity key; "
                 "keeping the first", device_id, user_id);
        return;
    }
    cJSON *d = cJSON_CreateObject();
    cJSON_AddStringToObject(d, "c", c->valuestring);
    cJSON_AddStringToObject(d, "e", ed->valuestring);
    if (before)
        cJSON_ReplaceItemInObjectCaseSensitive(known, device_id, d);
    else
        cJSON_AddItemToObject(known, device_id, d);
}

static void on_query(const tend_http_response *res, void *ud)
{
    tend_matrix *mx = ud;
    struct tend_matrix_e2ee *e = mx->e2ee;
    if (!e)
        return;
    e->querying = false;
    cJSON *json = res->status == 200 ? cJSON_ParseWithLength(res->body, res->body_len) : NULL;
    const cJSON *answered = cJSON_GetObjectItemCaseSensitive(json, "device_keys");
    if (!cJSON_IsObject(answered)) {
        tend_log(TEND_LOG_WARN, "matrix", "could not ask for members' device keys (HTTP %ld); retrying soon",
                 res->status);
        e->query_failed_ms = tend_matrix_now_ms();
    }
    const cJSON *u;
    cJSON_ArrayForEach(u, answered) {
        cJSON *mine = cJSON_GetObjectItemCaseSensitive(e->users, u->string);
        if (!mine)
            continue;
        /* the answer is the user's whole list: a device missing from it was removed */
        cJSON *known = cJSON_GetObjectItemCaseSensitive(mine, "devices");
        cJSON *fresh = cJSON_CreateObject();
        const cJSON *dk;
        cJSON_ArrayForEach(dk, u) {
            const cJSON *was = cJSON_GetObjectItemCaseSensitive(known, dk->string);
            if (was)
                cJSON_AddItemToObject(fresh, dk->string, cJSON_Duplicate(was, 1));
            take_device(fresh, u->string, dk->string, dk);
        }
        cJSON_ReplaceItemInObjectCaseSensitive(mine, "devices", fresh);
        cJSON_ReplaceItemInObjectCaseSensitive(mine, "stale", cJSON_CreateFalse());
    }
    bool learned = cJSON_IsObject(answered);
    cJSON_Delete(json);
    if (learned)
        tend_matrix_e2ee_rotate_for_lost_devices(mx); /* before a waiting share goes on with the old key */
    tend_matrix_e2ee_retry_held(mx);
    tend_matrix_e2ee_share_resume(mx);
    tend_matrix_e2ee_query(mx); /* users that went stale meanwhile */
}

void tend_matrix_e2ee_query(tend_matrix *mx)
{
    struct tend_matrix_e2ee *e = mx->e2ee;
    if (!e || e->querying || !mx->http || mx->stopping)
        return;
    if (e->query_failed_ms && tend_matrix_now_ms() - e->query_failed_ms < 2000)
        return; /* the next sync asks again */
    cJSON *body = cJSON_CreateObject();
    cJSON *want = cJSON_AddObjectToObject(body, "device_keys");
    bool any = false;
    const cJSON *u;
    cJSON_ArrayForEach(u, e->users) {
        if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(u, "stale"))) {
            cJSON_AddArrayToObject(want, u->string);
            any = true;
        }
    }
    cJSON_AddNumberToObject(body, "timeout", 10000);
    char *text = any ? cJSON_PrintUnformatted(body) : NULL;
    cJSON_Delete(body);
    if (!text)
        return;
    char *url = tend_matrix_url(mx, "/keys/query");
    if (url && tend_matrix_request(mx, "POST", url, text, 30000, on_query, mx) == 0)
        e->querying = true;
    free(url);
    free(text);
}
#endif
