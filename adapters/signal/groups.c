/*
 * groups.c — the groups tend is in, as signal-cli's listGroups tells them (members by uuid, who
 * is an admin), and the display names of members as they are seen.
 *
 * The list is asked at start, whenever the event stream comes back, when a group changes
 * (an UPDATE message), and when a message comes from a group or a member the list lacks; never
 * more often than every REFRESH_MIN_MS for the same reason, so a chatty stranger cannot make tend
 * ask in a loop. A group's admins are its coordinators.
 */
#include "adapters/signal/internal.h"

#include <stdlib.h>
#include <string.h>

#include "lib/log.h"

#define NAMES_MAX 50000 /* a bound on memory; names come back as members speak */

static const char *str(const cJSON *obj, const char *name)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, name);
    return cJSON_IsString(it) ? it->valuestring : NULL;
}

/* The bot's own uuid: the member of its groups that has its number. */
static void learn_self(tend_signal *sg)
{
    const cJSON *g, *m;
    cJSON_ArrayForEach(g, sg->groups) {
        cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(g, "members")) {
            const char *number = str(m, "number");
            const char *uuid = str(m, "uuid");
            if (number && uuid && strcmp(number, sg->account) == 0) {
                if (!sg->self_uuid || strcmp(sg->self_uuid, uuid) != 0) {
                    free(sg->self_uuid);
                    sg->self_uuid = strdup(uuid);
                }
                return;
            }
        }
    }
}

void tend_signal_groups_set(tend_signal *sg, const cJSON *result)
{
    cJSON *copy = cJSON_Duplicate(result, 1);
    if (!copy)
        return; /* out of memory: the old list stays */
    cJSON_Delete(sg->groups);
    sg->groups = copy;
    learn_self(sg);
}

static void on_groups(tend_signal *sg, const sg_rpc_result *r, void *ud)
{
    (void)ud;
    sg->groups_loading = false;
    if (sg->stopping)
        return;
    sg->groups_loaded_ms = tend_signal_now_ms(sg);
    if (cJSON_IsArray(r->result)) {
        tend_signal_groups_set(sg, r->result);
    } else {
        char why[200];
        tend_signal_describe(r, why, sizeof why);
        tend_log(TEND_LOG_WARN, "signal", "could not list the groups (%s); using what I knew", why);
    }
    if (sg->queue_waiting)
        tend_signal_queue_resume(sg);
}

int tend_signal_groups_refresh(tend_signal *sg)
{
    if (sg->groups_loading)
        return 1;
    if (tend_signal_rpc(sg, "listGroups", NULL, 30000, on_groups, NULL) != 0)
        return -1;
    sg->groups_loading = true;
    return 0;
}

const cJSON *tend_signal_group(tend_signal *sg, const char *group_id)
{
    const cJSON *g;
    cJSON_ArrayForEach(g, sg->groups) {
        const char *id = str(g, "id");
        const cJSON *member = cJSON_GetObjectItemCaseSensitive(g, "isMember");
        if (id && group_id && strcmp(id, group_id) == 0 && !cJSON_IsFalse(member))
            return g;
    }
    return NULL;
}

static bool listed(const cJSON *list, const char *uuid, bool *admin_flag)
{
    const cJSON *m;
    cJSON_ArrayForEach(m, list) {
        const char *u = cJSON_IsString(m) ? m->valuestring : str(m, "uuid");
        if (u && strcmp(u, uuid) == 0) {
            if (admin_flag)
                *admin_flag = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(m, "isAdmin"));
            return true;
        }
    }
    return false;
}

bool tend_signal_group_has(const cJSON *group, const char *uuid, bool *admin)
{
    bool flag = false;
    bool member = uuid && listed(cJSON_GetObjectItemCaseSensitive(group, "members"), uuid, &flag);
    if (admin)
        *admin = member && (flag || listed(cJSON_GetObjectItemCaseSensitive(group, "admins"), uuid, NULL));
    return member;
}

size_t tend_signal_groups_of(tend_signal *sg, const char *uuid, const cJSON **out, size_t max)
{
    size_t n = 0;
    const cJSON *g;
    cJSON_ArrayForEach(g, sg->groups) {
        if (n < max && !cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(g, "isMember")) &&
            tend_signal_group_has(g, uuid, NULL))
            out[n++] = g;
    }
    return n;
}

/* ---------------------------------------------------------------- names */

void tend_signal_name_set(tend_signal *sg, const char *uuid, const char *name)
{
    if (!uuid || !name || !*name || !sg->names)
        return;
    const char *known = str(sg->names, uuid);
    if (known && strcmp(known, name) == 0)
        return;
    if (!known && cJSON_GetArraySize(sg->names) >= NAMES_MAX) {
        cJSON_Delete(sg->names);
        sg->names = cJSON_CreateObject();
        if (!sg->names)
            return;
    }
    cJSON *value = cJSON_CreateString(name);
    if (!value)
        return;
    if (known)
        cJSON_ReplaceItemInObjectCaseSensitive(sg->names, uuid, value);
    else
        cJSON_AddItemToObject(sg->names, uuid, value);
}

const char *tend_signal_name_get(tend_signal *sg, const char *uuid)
{
    return uuid ? str(sg->names, uuid) : NULL;
}

/* A contact's name as its owner set it in their profile, else what the account saved for it. */
static void learn_contact(tend_signal *sg, const cJSON *c)
{
    const char *uuid = str(c, "uuid");
    const cJSON *profile = cJSON_GetObjectItemCaseSensitive(c, "profile");
    const char *given = str(profile, "givenName");
    const char *family = str(profile, "familyName");
    char name[SG_NAME_MAX];
    if (given && *given)
        snprintf(name, sizeof name, "%s%s%s", given, family && *family ? " " : "", family && *family ? family : "");
    else
        snprintf(name, sizeof name, "%s", str(c, "name") ? str(c, "name") : "");
    tend_signal_name_set(sg, uuid, name);
}

static void on_contacts(tend_signal *sg, const sg_rpc_result *r, void *ud)
{
    (void)ud;
    if (sg->stopping)
        return;
    const cJSON *c;
    cJSON_ArrayForEach(c, r->result) {
        learn_contact(sg, c);
    }
    tend_signal_queue_resume(sg);
}

int tend_signal_names_fetch(tend_signal *sg, cJSON *uuids)
{
    if (!cJSON_IsArray(uuids) || cJSON_GetArraySize(uuids) == 0) {
        cJSON_Delete(uuids);
        return -1;
    }
    cJSON *params = cJSON_CreateObject();
    if (!params) {
        cJSON_Delete(uuids);
        return -1;
    }
    cJSON_AddItemToObject(params, "recipient", uuids);
    cJSON_AddBoolToObject(params, "allRecipients", true);
    return tend_signal_rpc(sg, "listContacts", params, 30000, on_contacts, NULL);
}
