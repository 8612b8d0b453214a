/*
 * render.c — a tend_message as Discord wants it. Pure: JSON in memory, no I/O.
 *
 * Every body sets allowed_mentions with an empty `parse` and the exact users the message means, so
 * a task titled "@everyone" or a pasted <@id> pings nobody.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adapters/discord/internal.h"

static void write_mention(const tend_mention *m, void *ud, char *out, size_t outlen)
{
    (void)ud;
    snprintf(out, outlen, "<@%s>", m->member_key ? m->member_key : "");
}

/* Cuts s to at most max bytes on a UTF-8 boundary, ending with an ellipsis when cut. */
static void clip_utf8(char *s, size_t max)
{
    size_t len = strlen(s);
    if (len <= max)
        return;
    size_t cut = max - 3; /* room for "…" (3 bytes) */
    while (cut > 0 && ((unsigned char)s[cut] & 0xC0) == 0x80)
        cut--;
    memcpy(s + cut, "\xE2\x80\xA6", 4);
}

/* s into out (size bytes), cut to fit: snprintf's "%s" without the cost of printf's machinery,
 * which autocomplete's 25 choices a keystroke paid twice each. */
static void copy_bounded(char *out, size_t size, const char *s)
{
    size_t n = strnlen(s, size - 1);
    memcpy(out, s, n);
    out[n] = '\0';
}

static cJSON *allowed_mentions(const tend_message *msg)
{
    cJSON *am = cJSON_CreateObject();
    cJSON *parse = cJSON_AddArrayToObject(am, "parse");
    cJSON *users = cJSON_AddArrayToObject(am, "users");
    if (!parse || !users) {
        cJSON_Delete(am);
        return NULL;
    }
    for (size_t i = 0; i < msg->n_mentions && i < 100; i++) {
        const char *id = msg->mentions[i].member_key;
        if (!id || !*id)
            continue;
        bool seen = false; /* Discord refuses the same id twice */
        cJSON *u;
        cJSON_ArrayForEach(u, users) seen = seen || strcmp(u->valuestring, id) == 0;
        if (!seen)
            cJSON_AddItemToArray(users, cJSON_CreateString(id));
    }
    cJSON_AddBoolToObject(am, "replied_user", false);
    return am;
}

/* One row per five buttons, at most five rows; a button whose command would not fit in a
 * custom_id is left out (the text always says what to type). The custom_id carries the guild
 * ("tend:<guild>:<command>") because a press in a DM (a nudge, a reminder) comes without one. */
static cJSON *components(const tend_message *msg)
{
    const char *guild = msg->group_key && strncmp(msg->group_key, "discord:", 8) == 0 ? msg->group_key + 8 : "";
    cJSON *rows = cJSON_CreateArray();
    cJSON *row = NULL;
    size_t in_row = 0, n_rows = 0;
    for (size_t i = 0; i < msg->n_buttons; i++) {
        const tend_button *b = &msg->buttons[i];
        char custom_id[101];
        int n = snprintf(custom_id, sizeof custom_id, DC_CUSTOM_ID_PREFIX "%s:%s", guild, b->command);
        if (n < 0 || (size_t)n >= sizeof custom_id || !b->label || !*b->label)
            continue;
        if (!row || in_row == 5) {
            if (n_rows == 5)
                break;
            cJSON *r = cJSON_CreateObject();
            cJSON_AddNumberToObject(r, "type", 1);
            row = cJSON_AddArrayToObject(r, "components");
            cJSON_AddItemToArray(rows, r);
            in_row = 0;
            n_rows++;
        }
        cJSON *btn = cJSON_CreateObject();
        cJSON_AddNumberToObject(btn, "type", 2);
        cJSON_AddNumberToObject(btn, "style", in_row == 0 && n_rows == 1 ? 1 : 2);
        char label[320];
        snprintf(label, sizeof label, "%s", b->label);
        clip_utf8(label, 80);
        cJSON_AddStringToObject(btn, "label", label);
        cJSON_AddStringToObject(btn, "custom_id", custom_id);
        if (b->emoji && *b->emoji) {
            cJSON *emoji = cJSON_AddObjectToObject(btn, "emoji");
            cJSON_AddStringToObject(emoji, "name", b->emoji);
        }
        cJSON_AddItemToArray(row, btn);
        in_row++;
    }
    return rows;
}

cJSON *dc_render_message(const tend_message *msg, bool ephemeral)
{
    char *text = tend_message_render(msg, "/", write_mention, NULL);
    if (!text)
        return NULL;
    clip_utf8(text, DC_CONTENT_MAX);
    cJSON *body = cJSON_CreateObject();
    if (!body || !cJSON_AddStringToObject(body, "content", text[0] ? text : "\xE2\x80\x8B")) {
        free(text);
        cJSON_Delete(body);
        return NULL;
    }
    free(text);
    cJSON *am = allowed_mentions(msg);
    if (!am) {
        cJSON_Delete(body);
        return NULL;
    }
    cJSON_AddItemToObject(body, "allowed_mentions", am);
    if (ephemeral)
        cJSON_AddNumberToObject(body, "flags", DC_FLAG_EPHEMERAL);
    if (msg->n_buttons > 0) {
        cJSON *rows = components(msg);
        if (cJSON_GetArraySize(rows) > 0)
            cJSON_AddItemToObject(body, "components", rows);
        else
            cJSON_Delete(rows);
    }
    if (msg->file) {
        /* the file itself goes as files[0] beside this JSON (dc_rest_send_file); id 0 names it */
        cJSON *list = cJSON_AddArrayToObject(body, "attachments");
        cJSON *a = cJSON_CreateObject();
        if (!list || !a || !cJSON_AddItemToArray(list, a) || !cJSON_AddStringToObject(a, "id", "0") ||
            !cJSON_AddStringToObject(a, "filename", msg->file->name)) {
            if (!cJSON_IsObject(a) || !list)
                cJSON_Delete(a);
            cJSON_Delete(body);
            return NULL;
        }
    }
    return body;
}

cJSON *dc_render_callback(const tend_message *msg, bool ephemeral)
{
    cJSON *data = dc_render_message(msg, ephemeral);
    cJSON *cb = data ? cJSON_CreateObject() : NULL;
    if (!cb) {
        cJSON_Delete(data);
        return NULL;
    }
    cJSON_AddNumberToObject(cb, "type", 4);
    cJSON_AddItemToObject(cb, "data", data);
    return cb;
}

cJSON *dc_render_choices(const char *const *names, const char *const *values, size_t n)
{
    cJSON *cb = cJSON_CreateObject();
    cJSON_AddNumberToObject(cb, "type", 8);
    cJSON *data = cJSON_AddObjectToObject(cb, "data");
    cJSON *choices = cJSON_AddArrayToObject(data, "choices");
    for (size_t i = 0; i < n && i < 25; i++) {
        char name[400], value[101];
        copy_bounded(name, sizeof name, names[i]);
        clip_utf8(name, 100);
        copy_bounded(value, sizeof value, values[i]);
        cJSON *c = cJSON_CreateObject();
        cJSON_AddStringToObject(c, "name", name);
        cJSON_AddStringToObject(c, "value", value);
        cJSON_AddItemToArray(choices, c);
    }
    return cb;
}

char *dc_json_take(cJSON *json)
{
    if (!json)
        return NULL;
    char *s = cJSON_PrintUnformatted(json);
    cJSON_Delete(json);
    return s;
}

/* Where to end a piece of at most DC_SPLIT_BYTES: the last line end in its second half, else a
 * character boundary; never inside a mention marker. */
static size_t piece_end(const char *p, size_t n)
{
    if (n <= DC_SPLIT_BYTES)
        return n;
    size_t cut = DC_SPLIT_BYTES;
    for (size_t i = cut; i > cut / 2; i--)
        if (p[i] == '\n')
            return i;
    while (cut > 0 && ((unsigned char)p[cut] & 0xC0) == 0x80)
        cut--;
    for (size_t i = cut; i > 0 && cut - i < 24; i--) {
        if (p[i - 1] == TEND_MARK_MENTION_CLOSE)
            break;
        if (p[i - 1] == TEND_MARK_MENTION_OPEN)
            return i - 1;
    }
    return cut;
}

int dc_split_message(const tend_message *msg, tend_messages *out)
{
    const char *p = msg->text ? msg->text : "";
    if (strlen(p) <= DC_SPLIT_BYTES)
        return tend_messages_add_copy(out, msg) ? 0 : -1;
    while (*p) {
        size_t n = strlen(p), cut = piece_end(p, n);
        char *piece = strndup(p, cut);
        if (!piece)
            return -1;
        tend_message part = *msg;
        part.text = piece;
        p += cut;
        if (*p == '\n')
            p++;
        if (*p) {
            part.n_buttons = 0; /* the buttons belong under the end of what they answer */
            part.file = NULL;   /* and so does the file, once */
        }
        tend_message *copy = tend_messages_add_copy(out, &part);
        free(piece);
        if (!copy)
            return -1;
    }
    return 0;
}
