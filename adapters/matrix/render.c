/*
 * render.c — the Matrix adapter's pure text work, kept free of I/O so it can be unit tested:
 * finding a command (and its pills) in a message, and turning a tend_message into event content.
 */
#include "adapters/matrix/internal.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bot/reply.h"
#include "lib/strbuf.h"

/* Member text is cut long before this; the cap only keeps a hostile body from costing much. */
#define MAX_BODY_BYTES 16384

const char *tend_matrix_server_of(const char *user_id)
{
    const char *colon = user_id ? strchr(user_id, ':') : NULL;
    return colon ? colon + 1 : "";
}

/* ---------------------------------------------------------------- HTML out */

char *tend_matrix_html_escape(const char *text, size_t len)
{
    tend_strbuf sb = TEND_STRBUF_INIT;
    tend_strbuf_put(&sb, "", 0);
    for (size_t i = 0; i < len; i++) {
        switch (text[i]) {
        case '&': tend_strbuf_puts(&sb, "&amp;"); break;
        case '<': tend_strbuf_puts(&sb, "&lt;"); break;
        case '>': tend_strbuf_puts(&sb, "&gt;"); break;
        case '"': tend_strbuf_puts(&sb, "&quot;"); break;
        case '\'': tend_strbuf_puts(&sb, "&#39;"); break;
        case '\n': tend_strbuf_puts(&sb, "<br>"); break;
        default: tend_strbuf_put(&sb, &text[i], 1);
        }
    }
    return tend_strbuf_finish(&sb);
}

static void sb_escaped(tend_strbuf *sb, const char *text, size_t len)
{
    char *e = tend_matrix_html_escape(text, len);
    if (!e) {
        sb->failed = 1;
        return;
    }
    tend_strbuf_puts(sb, e);
    free(e);
}

/* The HTML body: the same walk as tend_message_render, but every run of text escaped and each
 * mention a pill, so nothing a member typed can become markup or a ping. */
static char *render_html(const tend_message *msg)
{
    tend_strbuf sb = TEND_STRBUF_INIT;
    tend_strbuf_put(&sb, "", 0);
    const char *p = msg->text ? msg->text : "";
    while (*p) {
        if (*p == TEND_CMD[0]) {
            tend_strbuf_puts(&sb, "!");
            p++;
        } else if (*p == TEND_MARK_MENTION_OPEN) {
            char *end = NULL;
            unsigned long i = strtoul(p + 1, &end, 10);
            if (end && *end == TEND_MARK_MENTION_CLOSE && i < msg->n_mentions) {
                const tend_mention *m = &msg->mentions[i];
                const char *key = m->member_key ? m->member_key : "";
                const char *name = m->name ? m->name : key;
                tend_strbuf_puts(&sb, "<a href=\"https://matrix.to/#/");
                sb_escaped(&sb, key, strlen(key));
                tend_strbuf_puts(&sb, "\">");
                sb_escaped(&sb, name, strlen(name));
                tend_strbuf_puts(&sb, "</a>");
                p = end + 1;
            } else {
                p++;
            }
        } else {
            const char *run = p;
            while (*p && *p != TEND_CMD[0] && *p != TEND_MARK_MENTION_OPEN)
                p++;
            sb_escaped(&sb, run, (size_t)(p - run));
        }
    }
    return tend_strbuf_finish(&sb);
}

static void plain_name(const tend_mention *m, void *ud, char *out, size_t outlen)
{
    (void)ud;
    snprintf(out, outlen, "%s", m->name ? m->name : (m->member_key ? m->member_key : ""));
}

static bool mention_listed(const cJSON *ids, const char *key)
{
    const cJSON *it;
    cJSON_ArrayForEach(it, ids) {
        if (cJSON_IsString(it) && strcmp(it->valuestring, key) == 0)
            return true;
    }
    return false;
}

char *tend_matrix_render_content(const tend_message *msg, const char *reply_to)
{
    char *body = tend_message_render(msg, "!", plain_name, NULL);
    char *html = render_html(msg);
    cJSON *c = cJSON_CreateObject();
    char *json = NULL;
    if (!body || !html || !c)
        goto out;
    cJSON_AddStringToObject(c, "msgtype", msg->audience == TEND_TO_DM ? "m.text" : "m.notice");
    cJSON_AddStringToObject(c, "body", body);
    cJSON_AddStringToObject(c, "format", "org.matrix.custom.html");
    cJSON_AddStringToObject(c, "formatted_body", html);
    /* Always present: its presence alone switches off the old "@room in the body" ping rules. */
    cJSON *mentions = cJSON_AddObjectToObject(c, "m.mentions");
    cJSON *ids = cJSON_AddArrayToObject(mentions, "user_ids");
    for (size_t i = 0; i < msg->n_mentions; i++) {
        const char *key = msg->mentions[i].member_key;
        if (key && key[0] == '@' && !mention_listed(ids, key))
            cJSON_AddItemToArray(ids, cJSON_CreateString(key));
    }
    if (reply_to && *reply_to) {
        cJSON *rel = cJSON_AddObjectToObject(c, "m.relates_to");
        cJSON *irt = cJSON_AddObjectToObject(rel, "m.in_reply_to");
        cJSON_AddStringToObject(irt, "event_id", reply_to);
    }
    json = cJSON_PrintUnformatted(c);
out:
    cJSON_Delete(c);
    free(body);
    free(html);
    return json;
}

/* What an m.file says of its file, wherever its bytes are: its name, type and size, and a
 * present, empty m.mentions (a file pings nobody, whatever its name says). */
static cJSON *file_content(const char *name, const char *content_type, size_t size)
{
    cJSON *c = cJSON_CreateObject();
    cJSON *info = c ? cJSON_AddObjectToObject(c, "info") : NULL;
    if (info && cJSON_AddStringToObject(c, "msgtype", "m.file") && cJSON_AddStringToObject(c, "body", name) &&
        cJSON_AddStringToObject(c, "filename", name) && cJSON_AddStringToObject(info, "mimetype", content_type) &&
        cJSON_AddNumberToObject(info, "size", (double)size) &&
        cJSON_AddArrayToObject(cJSON_AddObjectToObject(c, "m.mentions"), "user_ids"))
        return c;
    cJSON_Delete(c);
    return NULL;
}

char *tend_matrix_render_file(const char *name, const char *content_type, size_t size, const char *mxc)
{
    cJSON *c = file_content(name, content_type, size);
    char *json = c && cJSON_AddStringToObject(c, "url", mxc) ? cJSON_PrintUnformatted(c) : NULL;
    cJSON_Delete(c);
    return json;
}

/* Zeroes the strings of a tree before it is freed: an encrypted file's key is one of them. */
static void wipe_json(cJSON *v)
{
    for (; v; v = v->next) {
        if (cJSON_IsString(v) && v->valuestring)
            explicit_bzero(v->valuestring, strlen(v->valuestring));
        wipe_json(v->child);
    }
}

char *tend_matrix_render_encrypted_file(const char *name, const char *content_type, size_t size,
                                        const char *mxc, const char *file_info)
{
    cJSON *c = file_content(name, content_type, size);
    cJSON *file = c ? cJSON_Parse(file_info) : NULL;
    char *json = NULL;
    if (cJSON_IsObject(file) && cJSON_AddStringToObject(file, "url", mxc)) {
        cJSON_AddItemToObject(c, "file", file);
        file = NULL;
        json = cJSON_PrintUnformatted(c);
    }
    wipe_json(file);
    cJSON_Delete(file);
    wipe_json(c);
    cJSON_Delete(c);
    return json;
}

char *tend_matrix_render_notice(const char *text)
{
    tend_message msg = {0};
    msg.text = (char *)text;
    return tend_matrix_render_content(&msg, NULL);
}

/* ---------------------------------------------------------------- commands in */

static bool is_localpart_char(unsigned char c)
{
    return isalnum(c) || c == '.' || c == '_' || c == '=' || c == '-' || c == '/' || c == '+';
}

static bool is_server_char(unsigned char c)
{
    return isalnum(c) || c == '.' || c == '-' || c == ':' || c == '[' || c == ']';
}

/* Length of a user id at p ("@local:server"), 0 when there is none. Trailing sentence punctuation
 * ("thanks @bo:example.org.") is not part of it. */
static size_t user_id_length(const char *p)
{
    if (*p != '@')
        return 0;
    size_t i = 1;
    while (p[i] && is_localpart_char((unsigned char)p[i]))
        i++;
    if (i == 1 || p[i] != ':')
        return 0;
    size_t server = ++i;
    while (p[i] && is_server_char((unsigned char)p[i]))
        i++;
    while (i > server && (p[i - 1] == '.' || p[i - 1] == ':'))
        i--;
    return i > server ? i : 0;
}

/* A reply's body starts with "> " quote lines and a blank line; the command comes after them. */
static const char *skip_reply_fallback(const char *body)
{
    const char *p = body;
    if (strncmp(p, "> ", 2) != 0)
        return body;
    while (strncmp(p, "> ", 2) == 0 || strncmp(p, ">\n", 2) == 0) {
        const char *nl = strchr(p, '\n');
        if (!nl)
            return body;
        p = nl + 1;
    }
    if (*p == '\n')
        p++;
    return p;
}

static int decode_entity(const char *p, tend_strbuf *sb)
{
    static const struct { const char *name; const char *text; } entities[] = {
        {"&amp;", "&"}, {"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", "\""}, {"&#39;", "'"},
        {"&apos;", "'"}, {"&nbsp;", " "},
    };
    for (size_t i = 0; i < sizeof entities / sizeof entities[0]; i++) {
        size_t n = strlen(entities[i].name);
        if (strncmp(p, entities[i].name, n) == 0) {
            tend_strbuf_puts(sb, entities[i].text);
            return (int)n;
        }
    }
    tend_strbuf_put(sb, "&", 1);
    return 1;
}

/* The pill's user id from an <a ...> tag: href="https://matrix.to/#/@user:server". */
static size_t pill_target(const char *tag, const char *tag_end, char *out, size_t outlen)
{
    const char *href = strstr(tag, "matrix.to/#/");
    if (!href || href > tag_end)
        return 0;
    href += strlen("matrix.to/#/");
    const char *p = href;
    if (strncmp(p, "%40", 3) == 0) /* some clients percent-encode the @ */
        p += 2;
    char id[256];
    size_t n = 0;
    id[n++] = '@';
    for (p++; p < tag_end && *p != '"' && *p != '\'' && *p != '?' && n + 1 < sizeof id; p++) {
        if (strncmp(p, "%3A", 3) == 0 || strncmp(p, "%3a", 3) == 0) {
            id[n++] = ':';
            p += 2;
        } else {
            id[n++] = *p;
        }
    }
    id[n] = '\0';
    size_t len = user_id_length(id);
    if (len == 0 || len != n || len >= outlen)
        return 0;
    memcpy(out, id, len + 1);
    return len;
}

/* Turns the HTML body into text: pills become their user id, other tags vanish (a <br> is a
 * newline), entities are decoded, and a reply's quoted <mx-reply> part is dropped. */
static char *html_to_text(const char *html)
{
    tend_strbuf sb = TEND_STRBUF_INIT;
    tend_strbuf_put(&sb, "", 0);
    const char *p = html;
    while (*p) {
        if (strncasecmp(p, "<mx-reply>", 10) == 0) {
            const char *end = strstr(p, "</mx-reply>");
            p = end ? end + 11 : p + strlen(p);
        } else if (*p == '<') {
            const char *end = strchr(p, '>');
            if (!end)
                break;
            char id[256];
            if (strncasecmp(p, "<a ", 3) == 0 && pill_target(p, end, id, sizeof id)) {
                const char *close = strstr(end, "</a>");
                tend_strbuf_puts(&sb, id);
                p = close ? close + 4 : end + 1;
                continue;
            }
            if (strncasecmp(p, "<br", 3) == 0 || strncasecmp(p, "<p", 2) == 0 ||
                strncasecmp(p, "</p", 3) == 0)
                tend_strbuf_put(&sb, "\n", 1);
            p = end + 1;
        } else if (*p == '&') {
            p += decode_entity(p, &sb);
        } else {
            tend_strbuf_put(&sb, p, 1);
            p++;
        }
    }
    return tend_strbuf_finish(&sb);
}

static bool starts_command(const char *p)
{
    return (p[0] == '!' || p[0] == '/') && isalpha((unsigned char)p[1]);
}

/* Rewrites standalone user ids in text into reference markers, filling cmd's refs. */
static int mark_references(const char *text, tend_matrix_command *cmd)
{
    tend_strbuf sb = TEND_STRBUF_INIT;
    tend_strbuf_put(&sb, "", 0);
    const char *p = text;
    while (*p) {
        size_t n = (p == text || isspace((unsigned char)p[-1])) ? user_id_length(p) : 0;
        if (n && cmd->n_refs < sizeof cmd->refs / sizeof cmd->refs[0]) {
            size_t i = cmd->n_refs;
            cmd->ref_keys[i] = strndup(p, n);
            if (!cmd->ref_keys[i])
                sb.failed = 1;
            else {
                /* the localpart until the adapter finds the display name in the room */
                cmd->ref_names[i] = strndup(p + 1, (size_t)(strchr(p, ':') - p - 1));
                if (!cmd->ref_names[i])
                    sb.failed = 1;
            }
            cmd->refs[i].member_key = cmd->ref_keys[i];
            cmd->refs[i].name = cmd->ref_names[i];
            cmd->n_refs++;
            char marker[16];
            snprintf(marker, sizeof marker, "\x1E%zu\x1F", i);
            tend_strbuf_puts(&sb, marker);
            p += n;
        } else {
            tend_strbuf_put(&sb, p, 1);
            p++;
        }
    }
    char *out = tend_strbuf_finish(&sb);
    if (!out)
        return -1;
    cmd->text = out;
    return 0;
}

int tend_matrix_parse_command(const char *body, const char *formatted_body, tend_matrix_command *out)
{
    memset(out, 0, sizeof *out);
    if (!body)
        return 0;
    char *from_html = NULL;
    const char *source = skip_reply_fallback(body);
    /* Pills live only in the HTML; the plain body holds just the display name. */
    if (formatted_body && strstr(formatted_body, "matrix.to/#/")) {
        from_html = html_to_text(formatted_body);
        if (!from_html)
            return -1;
        source = from_html;
    }
    while (*source == ' ' || *source == '\n' || *source == '\t')
        source++;
    int rc = 0;
    if (starts_command(source)) {
        char *clean = tend_text_clean(source + 1, MAX_BODY_BYTES);
        rc = clean ? 1 : -1;
        if (clean && mark_references(clean, out) != 0)
            rc = -1;
        free(clean);
    }
    free(from_html);
    if (rc != 1)
        tend_matrix_command_free(out);
    return rc;
}

void tend_matrix_command_free(tend_matrix_command *cmd)
{
    if (!cmd)
        return;
    free(cmd->text);
    for (size_t i = 0; i < cmd->n_refs; i++) {
        free(cmd->ref_keys[i]);
        free(cmd->ref_names[i]);
    }
    memset(cmd, 0, sizeof *cmd);
}

/* ---------------------------------------------------------------- invites */

bool tend_matrix_inviter_allowed(const char *allowed, const char *bot_server, const char *user_id)
{
    if (!user_id || user_id[0] != '@')
        return false;
    const char *server = tend_matrix_server_of(user_id);
    if (!allowed || !*allowed)
        return bot_server && *server && strcmp(server, bot_server) == 0;
    const char *p = allowed;
    while (*p) {
        while (*p == ',' || *p == ' ')
            p++;
        const char *end = p;
        while (*end && *end != ',')
            end++;
        size_t n = (size_t)(end - p);
        while (n > 0 && p[n - 1] == ' ')
            n--;
        if (n > 1 && p[0] == ':') {
            if (strlen(server) == n - 1 && strncmp(server, p + 1, n - 1) == 0)
                return true;
        } else if (n > 0 && strlen(user_id) == n && strncmp(user_id, p, n) == 0) {
            return true;
        }
        p = end;
    }
    return false;
}

/* ---------------------------------------------------------------- keys */

void tend_matrix_reaction_state_key(const char *event_id, const char *emoji, char *out, size_t outlen)
{
    int n = snprintf(out, outlen, "react:%s:", event_id);
    if (n < 0 || (size_t)n >= outlen)
        return;
    size_t j = (size_t)n;
    for (const char *p = emoji; *p && j + 1 < outlen;) {
        if (strncmp(p, "\xEF\xB8\x8F", 3) == 0) { /* U+FE0F, the emoji presentation selector */
            p += 3;
            continue;
        }
        out[j++] = *p++;
    }
    out[j] = '\0';
}

int tend_matrix_take_group_option(char *text, char *value, size_t valuelen)
{
    if (valuelen)
        value[0] = '\0';
    bool quoted = false;
    for (char *p = text; *p; p++) {
        if (*p == '"') {
            quoted = !quoted;
            continue;
        }
        if (quoted || (p > text && !isspace((unsigned char)p[-1])) || strncasecmp(p, "group:", 6) != 0)
            continue;
        const char *v = p + 6, *end;
        size_t n;
        if (*v == '"') {
            const char *close = strchr(v + 1, '"');
            end = close ? close + 1 : v + strlen(v);
            n = (size_t)((close ? close : end) - (v + 1));
            v++;
        } else {
            end = v;
            while (*end && !isspace((unsigned char)*end))
                end++;
            n = (size_t)(end - v);
        }
        if (valuelen)
            snprintf(value, valuelen, "%.*s", (int)(n < valuelen ? n : valuelen - 1), v);
        while (isspace((unsigned char)*end))
            end++;
        memmove(p, end, strlen(end) + 1);
        size_t len = strlen(text);
        while (len > 0 && isspace((unsigned char)text[len - 1]))
            text[--len] = '\0';
        return 1;
    }
    return 0;
}

void tend_matrix_origin_write(char *out, size_t outlen, const char *room_id, const char *reply_to,
                              const char *event_id, const char *thread)
{
    const char *own = event_id && reply_to && strcmp(event_id, reply_to) != 0 ? event_id : NULL;
    if (thread && *thread)
        snprintf(out, outlen, "%s\t%s\t%s\t%s", room_id, reply_to ? reply_to : "", own ? own : "", thread);
    else
        snprintf(out, outlen, "%s\t%s%s%s", room_id, reply_to ? reply_to : "", own ? "\t" : "", own ? own : "");
}

void tend_matrix_origin_read(const char *origin, tend_matrix_origin *out)
{
    char *parts[] = {out->room, out->reply, out->command, out->thread};
    const char *p = origin ? origin : "";
    for (size_t i = 0; i < 4; i++) {
        size_t n = strcspn(p, "\t");
        snprintf(parts[i], MX_KEY_MAX, "%.*s", (int)n, p);
        p += p[n] ? n + 1 : n;
    }
    if (!out->command[0])
        snprintf(out->command, sizeof out->command, "%s", out->reply);
}

const char *tend_matrix_room_of_group(const char *group_key)
{
    static const char prefix[] = TEND_MATRIX_PLATFORM ":";
    if (!group_key || strncmp(group_key, prefix, sizeof prefix - 1) != 0 || !group_key[sizeof prefix - 1])
        return NULL;
    return group_key + sizeof prefix - 1;
}

/* ---------------------------------------------------------------- room links */

#define ROOM_REF_MAX 255 /* the spec's limit on room ids and aliases */

/* The end of the token at p: whitespace ends it, except inside double quotes. */
static const char *token_end(const char *p)
{
    bool quoted = false;
    for (; *p; p++) {
        if (*p == '"')
            quoted = !quoted;
        else if (!quoted && isspace((unsigned char)*p))
            break;
    }
    return p;
}

/* A room id ("!opaque", with ":server" before room version 12) or an alias ("#name:server"). */
static bool is_room_ref(const char *p, size_t n)
{
    if (n < 2 || n > ROOM_REF_MAX || (p[0] != '!' && p[0] != '#') || (p[0] == '#' && !memchr(p, ':', n)))
        return false;
    for (size_t i = 0; i < n; i++)
        if (isspace((unsigned char)p[i]) || p[i] == '"')
            return false;
    return true;
}

tend_matrix_link_cmd tend_matrix_parse_link(const char *text, char *target, size_t targetlen)
{
    if (targetlen)
        target[0] = '\0';
    if (!text)
        return TEND_MATRIX_LINK_CMD_NONE;
    while (isspace((unsigned char)*text))
        text++;
    if (strncasecmp(text, "setup", 5) != 0 || (text[5] && !isspace((unsigned char)text[5])))
        return TEND_MATRIX_LINK_CMD_NONE;
    const char *value = NULL;
    size_t value_len = 0, tokens = 0;
    bool link = false, unlink = false;
    for (const char *p = text + 5;;) {
        while (isspace((unsigned char)*p))
            p++;
        if (!*p)
            break;
        const char *end = token_end(p);
        size_t n = (size_t)(end - p);
        tokens++;
        if (n == 6 && strncasecmp(p, "unlink", 6) == 0) {
            unlink = true;
        } else if (n >= 4 && strncasecmp(p, "link", 4) == 0 && (n == 4 || p[4] == ':')) {
            link = true;
            value = n > 4 ? p + 5 : "";
            value_len = n > 4 ? n - 5 : 0;
        }
        p = end;
    }
    if (!link && !unlink)
        return TEND_MATRIX_LINK_CMD_NONE;
    if (tokens != 1)
        return TEND_MATRIX_LINK_CMD_BAD;
    if (unlink)
        return TEND_MATRIX_LINK_CMD_UNDO;
    if (value_len >= 2 && value[0] == '"' && value[value_len - 1] == '"') {
        value++;
        value_len -= 2;
    }
    if (!is_room_ref(value, value_len) || value_len >= targetlen)
        return TEND_MATRIX_LINK_CMD_BAD;
    memcpy(target, value, value_len);
    target[value_len] = '\0';
    return TEND_MATRIX_LINK_CMD_TO;
}
