/* outbox.c — encoding messages for the outbox and writing them in the cause's transaction. */
#include "bot/outbox.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

static void add_string(cJSON *obj, const char *name, const char *value)
{
    if (value)
        cJSON_AddStringToObject(obj, name, value);
}

char *tend_message_encode(const tend_message *m)
{
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return NULL;
    cJSON_AddNumberToObject(o, "audience", m->audience);
    add_string(o, "group", m->group_key);
    add_string(o, "channel", m->channel_key);
    add_string(o, "member", m->member_key);
    add_string(o, "name", m->member_name);
    add_string(o, "kind", m->kind);
    add_string(o, "text", m->text);
    if (m->first_answer)
        cJSON_AddBoolToObject(o, "first", true);
    cJSON *mentions = cJSON_AddArrayToObject(o, "mentions");
    for (size_t i = 0; mentions && i < m->n_mentions; i++) {
        cJSON *x = cJSON_CreateObject();
        add_string(x, "member", m->mentions[i].member_key);
        add_string(x, "name", m->mentions[i].name);
        cJSON_AddItemToArray(mentions, x);
    }
    cJSON *buttons = cJSON_AddArrayToObject(o, "buttons");
    for (size_t i = 0; buttons && i < m->n_buttons; i++) {
        cJSON *x = cJSON_CreateObject();
        add_string(x, "label", m->buttons[i].label);
        add_string(x, "emoji", m->buttons[i].emoji);
        add_string(x, "command", m->buttons[i].command);
        cJSON_AddItemToArray(buttons, x);
    }
    if (m->file) {
        cJSON *f = cJSON_AddObjectToObject(o, "file");
        add_string(f, "name", m->file->name);
        add_string(f, "type", m->file->content_type);
        add_string(f, "data", m->file->data);
        if (!f || !cJSON_GetObjectItemCaseSensitive(f, "data")) {
            cJSON_Delete(o); /* a message without its file is not the message */
            return NULL;
        }
    }
    char *out = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return out;
}

static const char *get_string(const cJSON *o, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

int tend_message_decode(const char *payload, tend_messages *list)
{
    cJSON *o = cJSON_Parse(payload ? payload : "");
    const cJSON *audience = cJSON_GetObjectItemCaseSensitive(o, "audience");
    const char *text = get_string(o, "text");
    if (!cJSON_IsNumber(audience) || audience->valueint < TEND_TO_PUBLIC || audience->valueint > TEND_TO_DM ||
        !text) {
        cJSON_Delete(o);
        return -1;
    }
    size_t before = list->count;
    tend_message *m = tend_messages_add(list, (tend_audience)audience->valueint, get_string(o, "group"),
                                        get_string(o, "member"), get_string(o, "name"), get_string(o, "kind"),
                                        "%s", text);
    int failed = !m || tend_message_set_channel(m, get_string(o, "channel")) != 0;
    if (!failed)
        m->first_answer = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "first"));
    const cJSON *x;
    const cJSON *mentions = cJSON_GetObjectItemCaseSensitive(o, "mentions");
    size_t n = (size_t)cJSON_GetArraySize(mentions);
    if (!failed && n) {
        /* the markers are in the text already: restore the table, do not re-add them */
        failed = !(m->mentions = calloc(n, sizeof *m->mentions));
        cJSON_ArrayForEach(x, mentions)
        {
            const char *key = get_string(x, "member"), *name = get_string(x, "name");
            if (failed || !key || !name)
                break;
            m->mentions[m->n_mentions].member_key = strdup(key);
            m->mentions[m->n_mentions].name = strdup(name);
            failed = !m->mentions[m->n_mentions].member_key || !m->mentions[m->n_mentions].name;
            m->n_mentions++;
        }
        failed = failed || m->n_mentions != n;
    }
    cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(o, "buttons"))
    {
        if (failed)
            break;
        const char *label = get_string(x, "label"), *command = get_string(x, "command");
        failed = !label || !command || tend_message_add_button(m, label, get_string(x, "emoji"), command) != 0;
    }
    const cJSON *file = cJSON_GetObjectItemCaseSensitive(o, "file");
    if (!failed && file) {
        const char *name = get_string(file, "name"), *type = get_string(file, "type"), *data = get_string(file, "data");
        failed = !name || !type || !data || tend_message_attach(m, name, type, data) != 0;
    }
    cJSON_Delete(o);
    if (failed) {
        tend_messages_truncate(list, before);
        return -1;
    }
    return 0;
}

static bool same(const char *a, const char *b)
{
    return a && b && strcmp(a, b) == 0;
}

static bool answers(const tend_request *req, const tend_message *m)
{
    if (m->audience == TEND_TO_PRIVATE)
        return !m->member_key || same(m->member_key, req->member_key);
    if (m->audience == TEND_TO_PUBLIC)
        return !m->channel_key || !m->channel_key[0] || same(m->channel_key, req->channel_key);
    return false;
}

int tend_outbox_mark_answers(const tend_request *req, tend_messages *out, size_t from)
{
    if (!req->reply_to || from >= out->count)
        return 0;
    tend_message *first = NULL;
    for (size_t i = from; i < out->count; i++) {
        tend_message *m = &out->items[i];
        if (!answers(req, m))
            continue;
        if (!m->reply_to && !(m->reply_to = strdup(req->reply_to)))
            return -1;
        if (!first)
            first = m;
    }
    if (!first) {
        first = &out->items[from];
        if (!(first->reply_to = strdup(req->reply_to)))
            return -1;
    }
    first->first_answer = true;
    return 0;
}

/* Messages to one destination keep their order: answers to one command, one channel, one member. */
static void destination(const tend_message *m, char *out, size_t outlen)
{
    if (m->reply_to)
        snprintf(out, outlen, "r:%s", m->reply_to);
    else if (m->audience == TEND_TO_PUBLIC)
        snprintf(out, outlen, "c:%s", m->channel_key && m->channel_key[0] ? m->channel_key : m->group_key);
    else
        snprintf(out, outlen, "m:%s", m->member_key ? m->member_key : "");
}

int tend_outbox_write(const tend_env *env, tend_messages *out, size_t from, int64_t now)
{
    if (!env->outbox)
        return TEND_STORE_OK;
    for (size_t i = from; i < out->count; i++) {
        tend_message *m = &out->items[i];
        if (m->leaves_no_trace)
            continue;
        const char *group = m->group_key ? m->group_key : "";
        char platform[16], dest[2 * TEND_KEY_MAX + 8];
        snprintf(platform, sizeof platform, "%.*s", (int)strcspn(group, ":"), group);
        destination(m, dest, sizeof dest);
        char *payload = tend_message_encode(m);
        if (!payload)
            return TEND_STORE_ERROR;
        int rc = tend_store_outbox_add(env->store, platform, dest, m->reply_to, payload, now, &m->outbox_id);
        free(payload);
        if (rc != TEND_STORE_OK)
            return rc;
    }
    return TEND_STORE_OK;
}
