/* export.c — see export.h. Times are written as UTC ISO 8601 strings; 0 ("never") as null. */
#include "bot/export.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <cjson/cJSON.h>

/* Every builder below notes a failed allocation in *ok instead of stopping, so one check at the
 * end decides; a half-built export is never handed out. */

static void put_str(cJSON *obj, const char *key, const char *value, bool *ok)
{
    if (!obj || !cJSON_AddStringToObject(obj, key, value ? value : ""))
        *ok = false;
}

static void put_num(cJSON *obj, const char *key, double value, bool *ok)
{
    if (!obj || !cJSON_AddNumberToObject(obj, key, value))
        *ok = false;
}

static void put_bool(cJSON *obj, const char *key, bool value, bool *ok)
{
    if (!obj || !cJSON_AddBoolToObject(obj, key, value))
        *ok = false;
}

static void put_time(cJSON *obj, const char *key, int64_t t, bool *ok)
{
    time_t tt = (time_t)t;
    struct tm utc;
    char buf[32];
    if (t == 0 || t == INT64_MAX || !gmtime_r(&tt, &utc)) {
        if (!obj || !cJSON_AddNullToObject(obj, key))
            *ok = false;
        return;
    }
    strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &utc);
    put_str(obj, key, buf, ok);
}

static cJSON *put_array(cJSON *obj, const char *key, bool *ok)
{
    cJSON *arr = obj ? cJSON_AddArrayToObject(obj, key) : NULL;
    if (!arr)
        *ok = false;
    return arr;
}

static cJSON *put_object(cJSON *obj, const char *key, bool *ok)
{
    cJSON *o = obj ? cJSON_AddObjectToObject(obj, key) : NULL;
    if (!o)
        *ok = false;
    return o;
}

/* A new object at the end of arr; NULL (and *ok false) when out of memory. */
static cJSON *push_object(cJSON *arr, bool *ok)
{
    cJSON *o = arr ? cJSON_CreateObject() : NULL;
    if (o && cJSON_AddItemToArray(arr, o))
        return o;
    cJSON_Delete(o);
    *ok = false;
    return NULL;
}

/* Prints root into *json and frees it: TEND_STORE_OK, or an error when anything failed. */
static int finish(cJSON *root, int rc, bool ok, char **json)
{
    *json = NULL;
    if (rc == TEND_STORE_OK && ok && root)
        *json = cJSON_Print(root);
    cJSON_Delete(root);
    if (rc != TEND_STORE_OK)
        return rc;
    return *json ? TEND_STORE_OK : TEND_STORE_ERROR;
}

static const char *task_state_name(tend_task_state s)
{
    return s == TEND_TASK_DONE ? "done" : s == TEND_TASK_CANCELLED ? "cancelled" : "open";
}

/* ---------------------------------------------------------------- a member's own data */

typedef struct {
    cJSON *arr;
    cJSON *other;  /* thanks: the "received" list beside "given" */
    int64_t member_id;
    bool *ok;
} walk;

static int claim_to_json(const tend_export_claim *c, void *ud)
{
    walk *w = ud;
    cJSON *o = push_object(w->arr, w->ok);
    put_num(o, "task", c->task_number, w->ok);
    put_str(o, "title", c->title, w->ok);
    put_str(o, "state", c->state, w->ok);
    put_time(o, "claimed_at", c->created_at, w->ok);
    put_time(o, "done_at", c->done_at, w->ok);
    put_str(o, "note", c->note, w->ok);
    return 0;
}

static int checkin_to_json(const tend_checkin *c, void *ud)
{
    walk *w = ud;
    cJSON *o = push_object(w->arr, w->ok);
    put_str(o, "energy", c->energy, w->ok);
    put_str(o, "note", c->note, w->ok);
    put_time(o, "at", c->created_at, w->ok);
    return 0;
}

static int rest_to_json(const tend_rest *r, void *ud)
{
    walk *w = ud;
    cJSON *o = push_object(w->arr, w->ok);
    put_time(o, "started_at", r->started_at, w->ok);
    put_time(o, "until", r->until, w->ok);
    put_time(o, "ended_at", r->ended_at, w->ok);
    put_str(o, "note", r->note, w->ok);
    return 0;
}

static int own_thanks_to_json(const tend_export_thanks *t, void *ud)
{
    walk *w = ud;
    bool given = t->from_member == w->member_id;
    cJSON *o = push_object(given ? w->arr : w->other, w->ok);
    put_str(o, given ? "to" : "from", given ? t->to_name : t->from_name, w->ok);
    put_str(o, "for", t->reason, w->ok);
    put_time(o, "at", t->created_at, w->ok);
    return 0;
}

static int backup_to_json(const char *kind, void *ud)
{
    walk *w = ud;
    cJSON *s = cJSON_CreateString(kind);
    if (!s || !cJSON_AddItemToArray(w->arr, s)) {
        cJSON_Delete(s);
        *w->ok = false;
    }
    return 0;
}

static void profile_to_json(cJSON *root, const tend_group *g, const tend_member *m, bool *ok)
{
    cJSON *p = put_object(root, "profile", ok);
    put_str(p, "group", g->key, ok);
    put_str(p, "name", m->name, ok);
    put_str(p, "pronouns", m->pronouns, ok);
    put_num(p, "capacity", m->capacity, ok);
    put_bool(p, "nudges", m->nudges, ok);
    put_num(p, "quiet_start_minutes", m->quiet_start, ok);
    put_num(p, "quiet_end_minutes", m->quiet_end, ok);
    put_str(p, "timezone", m->timezone, ok);
    put_str(p, "language", m->language, ok);
    put_str(p, "app_language", m->app_language, ok);
    put_time(p, "resting_until", m->resting_until, ok);
    put_time(p, "joined_at", m->joined_at, ok);
}

int tend_export_member(tend_store *store, const tend_group *g, const tend_member *m, char **json)
{
    bool ok = true;
    cJSON *root = cJSON_CreateObject();
    profile_to_json(root, g, m, &ok);
    walk w = {.member_id = m->id, .ok = &ok};
    w.arr = put_array(root, "claims", &ok);
    int rc = tend_store_export_claims(store, m->id, claim_to_json, &w);
    if (rc == TEND_STORE_OK) {
        w.arr = put_array(root, "checkins", &ok);
        rc = tend_store_export_checkins(store, m->id, checkin_to_json, &w);
    }
    if (rc == TEND_STORE_OK) {
        w.arr = put_array(root, "rests", &ok);
        rc = tend_store_export_rests(store, m->id, rest_to_json, &w);
    }
    if (rc == TEND_STORE_OK) {
        w.arr = put_array(root, "thanks_given", &ok);
        w.other = put_array(root, "thanks_received", &ok);
        rc = tend_store_export_thanks(store, g->id, m->id, own_thanks_to_json, &w);
    }
    if (rc == TEND_STORE_OK) {
        w.arr = put_array(root, "standing_backup_for", &ok); /* /backup KIND on */
        rc = tend_store_backups_of(store, m->id, backup_to_json, &w);
    }
    return finish(root, rc, ok, json);
}

/* ---------------------------------------------------------------- the group's data */

static void settings_to_json(cJSON *root, const tend_group *g, bool *ok)
{
    cJSON *s = put_object(root, "group", ok);
    put_str(s, "key", g->key, ok);
    put_str(s, "channel", g->channel_key, ok);
    put_str(s, "timezone", g->timezone, ok);
    put_str(s, "checkin_at", g->checkin_at, ok);
    put_str(s, "digest_at", g->digest_at, ok);
    put_num(s, "default_capacity", g->default_capacity, ok);
    if (g->new_tasks_paused_until == INT64_MAX)
        put_str(s, "new_tasks_paused_until", "resumed by a coordinator", ok);
    else
        put_time(s, "new_tasks_paused_until", g->new_tasks_paused_until, ok);
    put_time(s, "created_at", g->created_at, ok);
}

/* Names and pronouns only: capacity, check-ins and rests are each member's own business. */
static int member_to_json(const tend_member *m, void *ud)
{
    walk *w = ud;
    cJSON *o = push_object(w->arr, w->ok);
    put_str(o, "name", m->name, w->ok);
    put_str(o, "pronouns", m->pronouns, w->ok);
    return 0;
}

static int task_to_json(const tend_task *t, void *ud)
{
    walk *w = ud;
    cJSON *o = push_object(w->arr, w->ok);
    put_num(o, "number", t->number, w->ok);
    put_str(o, "title", t->title, w->ok);
    put_str(o, "state", task_state_name(t->state), w->ok);
    put_str(o, "note", t->note, w->ok);
    put_str(o, "when", t->when_text, w->ok);
    put_time(o, "due_at", t->due_at, w->ok);
    put_bool(o, "all_day", t->all_day, w->ok);
    put_num(o, "slots", t->slots, w->ok);
    put_num(o, "weight", t->weight, w->ok);
    put_str(o, "repeat", t->repeat, w->ok);
    put_num(o, "active_claims", t->active, w->ok);
    put_num(o, "waiting", t->waiting, w->ok);
    put_time(o, "created_at", t->created_at, w->ok);
    put_time(o, "done_at", t->done_at, w->ok);
    return 0;
}

static int group_thanks_to_json(const tend_export_thanks *t, void *ud)
{
    walk *w = ud;
    cJSON *o = push_object(w->arr, w->ok);
    put_str(o, "from", t->from_name, w->ok);
    put_str(o, "to", t->to_name, w->ok);
    put_str(o, "for", t->reason, w->ok);
    put_time(o, "at", t->created_at, w->ok);
    return 0;
}

typedef struct {
    tend_store *store;
    walk *w;
    int rc;
} agreements_walk;

static int version_to_json(const tend_agreement *a, void *ud)
{
    walk *w = ud;
    cJSON *o = push_object(w->arr, w->ok);
    put_num(o, "version", a->version, w->ok);
    put_str(o, "text", a->text, w->ok);
    put_time(o, "recorded_at", a->created_at, w->ok);
    return 0;
}

static int agreement_to_json(const tend_agreement *a, void *ud)
{
    agreements_walk *aw = ud;
    cJSON *o = push_object(aw->w->arr, aw->w->ok);
    put_num(o, "number", a->number, aw->w->ok);
    put_str(o, "current", a->text, aw->w->ok);
    walk versions = {.arr = put_array(o, "versions", aw->w->ok), .ok = aw->w->ok};
    aw->rc = tend_store_agreement_versions(aw->store, a->group_id, a->number, version_to_json, &versions);
    return aw->rc != TEND_STORE_OK;
}

/* Only what the group was already shown at a process check-in (where suggestions wait until there
 * are three), and only its month: a coordinator polling the export must learn no more than that. */
static int feedback_to_json(const tend_feedback *f, void *ud)
{
    walk *w = ud;
    if (!f->shown)
        return 0;
    cJSON *o = push_object(w->arr, w->ok);
    put_str(o, "text", f->text, w->ok);
    put_str(o, "month", f->month, w->ok);
    return 0;
}

int tend_export_group(tend_store *store, const tend_group *g, char **json)
{
    bool ok = true;
    cJSON *root = cJSON_CreateObject();
    settings_to_json(root, g, &ok);
    walk w = {.ok = &ok};
    w.arr = put_array(root, "members", &ok);
    int rc = tend_store_members_each(store, g->id, member_to_json, &w);
    if (rc == TEND_STORE_OK) {
        w.arr = put_array(root, "tasks", &ok);
        rc = tend_store_export_tasks(store, g->id, task_to_json, &w);
    }
    if (rc == TEND_STORE_OK) {
        w.arr = put_array(root, "thanks", &ok);
        rc = tend_store_export_thanks(store, g->id, 0, group_thanks_to_json, &w);
    }
    if (rc == TEND_STORE_OK) {
        w.arr = put_array(root, "agreements", &ok);
        agreements_walk aw = {.store = store, .w = &w, .rc = TEND_STORE_OK};
        rc = tend_store_agreements_current_each(store, g->id, agreement_to_json, &aw);
        if (rc == TEND_STORE_OK)
            rc = aw.rc;
    }
    if (rc == TEND_STORE_OK) {
        w.arr = put_array(root, "feedback", &ok);
        rc = tend_store_feedback_each(store, g->id, feedback_to_json, &w);
    }
    return finish(root, rc, ok, json);
}
