/*
 * render.c — the Telegram shape of text, both ways, with no I/O (unit-tested and fuzzed).
 *
 * Telegram counts entity offsets and lengths in UTF-16 code units, not bytes or characters: an
 * emoji before a mention moves it by two. Every offset here is converted at the edge, from the
 * UTF-8 tend works in.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "adapters/telegram/internal.h"
#include "bot/reply.h"
#include "lib/strbuf.h"

#define WORD_JOINER "\xE2\x81\xA0" /* U+2060: keeps "@name" from being read as a username */

/* ---------------------------------------------------------------- UTF-16 */

static size_t seq_len(unsigned char c)
{
    return c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
}

size_t tend_telegram_utf16_units(const char *s, size_t nbytes)
{
    size_t units = 0;
    for (size_t i = 0; i < nbytes; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c & 0xC0) == 0x80)
            continue; /* a continuation byte adds nothing */
        units += c >= 0xF0 ? 2 : 1;
    }
    return units;
}

size_t tend_telegram_utf16_byte(const char *s, size_t len, size_t units)
{
    size_t i = 0, seen = 0;
    while (seen < units && i < len) {
        unsigned char c = (unsigned char)s[i];
        size_t n = seq_len(c);
        if ((c & 0xC0) == 0x80)
            n = 1;
        seen += c >= 0xF0 ? 2 : 1;
        i += n;
    }
    if (seen != units || i > len)
        return SIZE_MAX;
    return i;
}

/* ---------------------------------------------------------------- ids and names */

bool tend_telegram_id_ok(const char *s)
{
    if (!s)
        return false;
    if (*s == '-')
        s++;
    size_t n = strspn(s, "0123456789");
    return n > 0 && n <= 20 && !s[n];
}

bool tend_telegram_id_text(const cJSON *number, char *out, size_t outlen)
{
    /* ids reach 52 bits, which a double still holds exactly */
    if (!cJSON_IsNumber(number) || number->valuedouble != (double)(long long)number->valuedouble ||
        number->valuedouble > 9.0e15 || number->valuedouble < -9.0e15)
        return false;
    snprintf(out, outlen, "%lld", (long long)number->valuedouble);
    return true;
}

static const char *str(const cJSON *obj, const char *name)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, name);
    return cJSON_IsString(it) ? it->valuestring : NULL;
}

void tend_telegram_user_name(const cJSON *user, char *out, size_t outlen)
{
    const char *first = str(user, "first_name");
    const char *last = str(user, "last_name");
    char joined[2 * TG_NAME_MAX];
    snprintf(joined, sizeof joined, "%s%s%s", first ? first : "", first && last && *last ? " " : "",
             last ? last : "");
    char *clean = tend_text_clean(joined, 64 * 4);
    size_t n = 0;
    if (clean) {
        for (char *p = clean; *p; p++)
            if (*p == '\n' || *p == '\t')
                *p = ' ';
        n = strlen(clean);
        while (n > 0 && clean[n - 1] == ' ')
            clean[--n] = '\0';
    }
    if (clean && n > 0)
        snprintf(out, outlen, "%s", clean + strspn(clean, " "));
    else
        snprintf(out, outlen, "someone");
    free(clean);
}

/* ---------------------------------------------------------------- commands in */

void tend_telegram_command_free(tend_telegram_command *cmd)
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

/* Copies user text, dropping control characters (and with them any marker byte). */
static void put_clean(tend_strbuf *sb, const char *s, size_t n)
{
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7F) {
            tend_strbuf_put(sb, s + run, i - run);
            run = i + 1;
        }
    }
    tend_strbuf_put(sb, s + run, n - run);
}

typedef struct {
    size_t start, end; /* bytes in the message text */
    int ref;           /* index in refs */
} ref_span;

static int add_ref(tend_telegram_command *out, const char *key, const char *name)
{
    if (out->n_refs == TG_MAX_REFS)
        return -1;
    size_t i = out->n_refs;
    out->ref_keys[i] = strdup(key);
    out->ref_names[i] = strdup(name);
    if (!out->ref_keys[i] || !out->ref_names[i]) {
        free(out->ref_keys[i]);
        free(out->ref_names[i]);
        return -2;
    }
    out->refs[i].member_key = out->ref_keys[i];
    out->refs[i].name = out->ref_names[i];
    out->n_refs++;
    return (int)i;
}

/* The member references in entities that lie after `from` bytes, in order, none overlapping. */
static int collect_refs(const char *text, size_t len, size_t from, const cJSON *entities,
                        tend_telegram_resolver resolve, void *ud, tend_telegram_command *out, ref_span *spans,
                        size_t *n_spans)
{
    const cJSON *e;
    cJSON_ArrayForEach(e, entities) {
        const char *type = str(e, "type");
        const cJSON *off = cJSON_GetObjectItemCaseSensitive(e, "offset");
        const cJSON *ln = cJSON_GetObjectItemCaseSensitive(e, "length");
        if (!type || !cJSON_IsNumber(off) || !cJSON_IsNumber(ln) || off->valuedouble < 0 || ln->valuedouble < 1 ||
            off->valuedouble > 1e6 || ln->valuedouble > 1e6)
            continue;
        size_t start = tend_telegram_utf16_byte(text, len, (size_t)off->valuedouble);
        size_t end = start == SIZE_MAX ? SIZE_MAX
                                       : tend_telegram_utf16_byte(text, len, (size_t)(off->valuedouble + ln->valuedouble));
        if (start == SIZE_MAX || end == SIZE_MAX || start < from || end <= start)
            continue;
        char key[TG_ID_MAX], name[TG_NAME_MAX];
        if (strcmp(type, "text_mention") == 0) {
            const cJSON *user = cJSON_GetObjectItemCaseSensitive(e, "user");
            if (!tend_telegram_id_text(cJSON_GetObjectItemCaseSensitive(user, "id"), key, sizeof key))
                continue;
            tend_telegram_user_name(user, name, sizeof name);
        } else if (strcmp(type, "mention") == 0 && resolve && end - start > 1 && end - start < 64) {
            char username[64];
            snprintf(username, sizeof username, "%.*s", (int)(end - start - 1), text + start + 1);
            if (!resolve(ud, username, key, sizeof key, name, sizeof name))
                continue; /* someone never seen: the name stays text, the bot looks it up */
        } else {
            continue;
        }
        bool overlaps = false;
        for (size_t i = 0; i < *n_spans; i++)
            overlaps |= start < spans[i].end && spans[i].start < end;
        if (overlaps)
            continue;
        int ref = add_ref(out, key, name);
        if (ref == -2)
            return -1;
        if (ref < 0)
            break;
        /* keep spans sorted by start */
        size_t at = *n_spans;
        while (at > 0 && spans[at - 1].start > start) {
            spans[at] = spans[at - 1];
            at--;
        }
        spans[at] = (ref_span){start, end, ref};
        (*n_spans)++;
    }
    return 0;
}

int tend_telegram_parse_command(const char *text, const cJSON *entities, const char *bot_username,
                                tend_telegram_resolver resolve, void *ud, tend_telegram_command *out)
{
    memset(out, 0, sizeof *out);
    if (!text || text[0] != '/')
        return 0;
    size_t len = strlen(text);
    size_t word = strcspn(text + 1, " \t\n");
    const char *at = memchr(text + 1, '@', word);
    size_t name_len = at ? (size_t)(at - text - 1) : word;
    if (at) {
        size_t target = word - name_len - 1;
        if (!bot_username || strlen(bot_username) != target || strncasecmp(at + 1, bot_username, target) != 0)
            return 0; /* meant for another bot */
    }
    if (name_len == 0 || name_len >= sizeof out->name)
        return 0;
    for (size_t i = 0; i < name_len; i++) {
        char c = text[1 + i];
        if (!isalnum((unsigned char)c) && c != '_' && c != '-')
            return 0;
        out->name[i] = c == '_' ? '-' : (char)tolower((unsigned char)c);
    }
    size_t rest = 1 + word;
    ref_span spans[TG_MAX_REFS];
    size_t n_spans = 0;
    if (collect_refs(text, len, rest, entities, resolve, ud, out, spans, &n_spans) != 0) {
        tend_telegram_command_free(out);
        return -1;
    }
    tend_strbuf sb = TEND_STRBUF_INIT;
    tend_strbuf_puts(&sb, out->name);
    while (rest < len && (text[rest] == ' ' || text[rest] == '\t' || text[rest] == '\n'))
        rest++;
    if (rest < len)
        tend_strbuf_put(&sb, " ", 1);
    size_t pos = rest;
    for (size_t i = 0; i < n_spans; i++) {
        if (spans[i].start < pos)
            continue;
        put_clean(&sb, text + pos, spans[i].start - pos);
        char marker[16];
        snprintf(marker, sizeof marker, "\x1E%d\x1F", spans[i].ref);
        tend_strbuf_puts(&sb, marker);
        pos = spans[i].end;
    }
    put_clean(&sb, text + pos, len - pos);
    out->text = tend_strbuf_finish(&sb);
    if (!out->text) {
        tend_telegram_command_free(out);
        return -1;
    }
    return 1;
}

int tend_telegram_take_group_option(char *text, char *value, size_t valuelen)
{
    for (char *p = text; (p = strstr(p, "group:")) != NULL; p++) {
        if (p != text && p[-1] != ' ' && p[-1] != '\t' && p[-1] != '\n')
            continue;
        char *v = p + 6, *end;
        if (*v == '"') {
            char *close = strchr(v + 1, '"');
            if (!close)
                return 0;
            snprintf(value, valuelen, "%.*s", (int)(close - v - 1), v + 1);
            end = close + 1;
        } else {
            size_t n = strcspn(v, " \t\n");
            snprintf(value, valuelen, "%.*s", (int)n, v);
            end = v + n;
        }
        while (p > text && (p[-1] == ' ' || p[-1] == '\t'))
            p--; /* take the space before it too */
        memmove(p, end, strlen(end) + 1);
        return value[0] ? 1 : 0;
    }
    return 0;
}

/* ---------------------------------------------------------------- messages out */

typedef struct {
    tend_strbuf sb;
    size_t units;        /* UTF-16 units written so far                */
    cJSON *entities;     /* offsets in units over the whole text        */
    size_t *starts;      /* byte start of each entity, for splitting    */
    size_t *ends;
    size_t n, cap;
} renderer;

/* The length of the well-formed UTF-8 character at s (n bytes left), or 0 when it is not one. */
static size_t utf8_char(const unsigned char *s, size_t n)
{
    size_t len = s[0] < 0x80 ? 1 : s[0] >= 0xC2 && s[0] <= 0xDF ? 2 : s[0] >= 0xE0 && s[0] <= 0xEF ? 3
               : s[0] >= 0xF0 && s[0] <= 0xF4 ? 4 : 0;
    if (len == 0 || len > n)
        return 0;
    for (size_t i = 1; i < len; i++)
        if ((s[i] & 0xC0) != 0x80)
            return 0;
    return len;
}

/* Appends visible text; an '@' that starts a word gets a word joiner after it, so Telegram never
 * reads "@everyone" or "@someone" in a title or a name as a ping. A byte that is no UTF-8 becomes
 * U+FFFD (Telegram refuses a message that is not UTF-8, and counts units only over one that is). */
static void put_visible(renderer *r, const char *s, size_t n)
{
    size_t run = 0;
    for (size_t i = 0; i < n;) {
        size_t len = utf8_char((const unsigned char *)s + i, n - i);
        bool at_word = s[i] == '@' && i + 1 < n && (isalnum((unsigned char)s[i + 1]) || s[i + 1] == '_');
        if (len && !at_word) {
            i += len;
            continue;
        }
        tend_strbuf_put(&r->sb, s + run, i + (len ? 1 : 0) - run);
        r->units += tend_telegram_utf16_units(s + run, i + (len ? 1 : 0) - run) + 1;
        tend_strbuf_puts(&r->sb, len ? WORD_JOINER : "\xEF\xBF\xBD");
        i++;
        run = i;
    }
    tend_strbuf_put(&r->sb, s + run, n - run);
    r->units += tend_telegram_utf16_units(s + run, n - run);
}

static void add_mention(renderer *r, const tend_mention *m)
{
    const char *name = m->name && *m->name ? m->name : "someone";
    size_t from_units = r->units, from_bytes = r->sb.len;
    put_visible(r, name, strlen(name));
    if (!tend_telegram_id_ok(m->member_key) || m->member_key[0] == '-' || r->units == from_units)
        return; /* not a Telegram user: the name alone, pinging nobody */
    if (r->n == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 8;
        size_t *s = realloc(r->starts, cap * sizeof *s);
        if (!s)
            return;
        r->starts = s;
        size_t *e = realloc(r->ends, cap * sizeof *e);
        if (!e)
            return;
        r->ends = e;
        r->cap = cap;
    }
    cJSON *ent = cJSON_CreateObject();
    cJSON_AddStringToObject(ent, "type", "text_mention");
    cJSON_AddNumberToObject(ent, "offset", (double)from_units);
    cJSON_AddNumberToObject(ent, "length", (double)(r->units - from_units));
    cJSON *user = cJSON_AddObjectToObject(ent, "user");
    cJSON_AddNumberToObject(user, "id", strtod(m->member_key, NULL));
    cJSON_AddBoolToObject(user, "is_bot", 0);
    cJSON_AddStringToObject(user, "first_name", name);
    cJSON_AddItemToArray(r->entities, ent);
    r->starts[r->n] = from_bytes;
    r->ends[r->n] = r->sb.len;
    r->n++;
}

static void render_all(renderer *r, const tend_message *msg)
{
    const char *p = msg->text ? msg->text : "";
    while (*p) {
        if (*p == TEND_CMD[0]) {
            /* Telegram's command names hold '_' where tend's hold '-': "/pause_new" stays one
             * tappable command */
            char word[40] = "/";
            size_t n = 1;
            for (p++; n + 1 < sizeof word && (isalnum((unsigned char)*p) || *p == '-'); p++)
                word[n++] = *p == '-' ? '_' : *p;
            put_visible(r, word, n);
        } else if (*p == TEND_MARK_MENTION_OPEN) {
            char *end = NULL;
            unsigned long index = strtoul(p + 1, &end, 10);
            bool whole = end && end != p + 1 && *end == TEND_MARK_MENTION_CLOSE;
            if (whole && index < msg->n_mentions)
                add_mention(r, &msg->mentions[index]);
            p = whole ? end + 1 : p + 1;
        } else {
            const char *run = p;
            while (*p && *p != TEND_CMD[0] && *p != TEND_MARK_MENTION_OPEN)
                p++;
            put_visible(r, run, (size_t)(p - run));
        }
    }
}

/* Where the next part should end: the last line end that keeps it within the limit, else the
 * last whole character that does. */
static size_t cut_at(const char *s, size_t from, size_t len)
{
    if (tend_telegram_utf16_units(s + from, len - from) <= TG_TEXT_UNITS)
        return len;
    size_t end = tend_telegram_utf16_byte(s + from, len - from, TG_TEXT_UNITS);
    if (end == SIZE_MAX) {
        /* the limit falls inside a surrogate pair: one unit less */
        end = tend_telegram_utf16_byte(s + from, len - from, TG_TEXT_UNITS - 1);
        if (end == SIZE_MAX)
            return len;
    }
    end += from;
    for (size_t i = end; i > from + 1; i--)
        if (s[i - 1] == '\n')
            return i;
    return end;
}

static bool make_part(tend_telegram_part *part, const renderer *r, const char *text, size_t from, size_t to)
{
    part->text = malloc(to - from + 1);
    part->entities = cJSON_CreateArray();
    if (!part->text || !part->entities)
        return false;
    memcpy(part->text, text + from, to - from);
    part->text[to - from] = '\0';
    for (size_t i = 0; i < r->n; i++) {
        if (r->starts[i] < from || r->ends[i] > to)
            continue; /* only a hard cut mid-line can split a mention; it is left as text */
        cJSON *copy = cJSON_Duplicate(cJSON_GetArrayItem(r->entities, (int)i), 1);
        if (!copy)
            return false;
        cJSON_SetNumberValue(cJSON_GetObjectItemCaseSensitive(copy, "offset"),
                             (double)tend_telegram_utf16_units(text + from, r->starts[i] - from));
        cJSON_AddItemToArray(part->entities, copy);
    }
    return true;
}

size_t tend_telegram_render(const tend_message *msg, tend_telegram_part *parts, size_t max_parts)
{
    renderer r = {TEND_STRBUF_INIT, 0, cJSON_CreateArray(), NULL, NULL, 0, 0};
    if (!r.entities)
        return 0;
    render_all(&r, msg);
    size_t len = r.sb.len;
    char *text = tend_strbuf_finish(&r.sb);
    size_t n = 0;
    bool ok = text != NULL && cJSON_GetArraySize(r.entities) == (int)r.n;
    if (ok && len == 0) {
        /* Telegram refuses an empty message; say something rather than nothing */
        free(text);
        text = strdup("…");
        len = text ? strlen(text) : 0;
        ok = text != NULL;
    }
    size_t from = 0;
    /* past max_parts, what does not fit is cut off: no message of tend's comes near that */
    while (ok && from < len && n < max_parts) {
        size_t to = cut_at(text, from, len);
        ok = make_part(&parts[n], &r, text, from, to);
        n++;
        from = to;
    }
    free(text);
    free(r.starts);
    free(r.ends);
    cJSON_Delete(r.entities);
    if (!ok) {
        tend_telegram_parts_free(parts, n);
        return 0;
    }
    return n;
}

void tend_telegram_parts_free(tend_telegram_part *parts, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(parts[i].text);
        cJSON_Delete(parts[i].entities);
        parts[i].text = NULL;
        parts[i].entities = NULL;
    }
}

/* ---------------------------------------------------------------- buttons */

int tend_telegram_button_data(const char *group_chat, const char *command, char *out, size_t outlen)
{
    int n = snprintf(out, outlen, "1|%s|%s", group_chat ? group_chat : "", command);
    if (n > 0 && (size_t)n < outlen && n <= TG_CALLBACK_DATA_MAX)
        return 0;
    n = snprintf(out, outlen, "1||%s", command);
    return n > 0 && (size_t)n < outlen && n <= TG_CALLBACK_DATA_MAX ? 0 : -1;
}

int tend_telegram_button_parse(const char *data, char *chat, size_t chatlen, char *command, size_t cmdlen)
{
    if (!data || strncmp(data, "1|", 2) != 0)
        return -1;
    const char *bar = strchr(data + 2, '|');
    if (!bar || !bar[1])
        return -1;
    size_t n = (size_t)(bar - data - 2);
    if (n >= chatlen || strlen(bar + 1) >= cmdlen)
        return -1;
    snprintf(chat, chatlen, "%.*s", (int)n, data + 2);
    if (chat[0] && !tend_telegram_id_ok(chat))
        return -1;
    /* the data comes back from the member's app, which may send anything: clean it like typing */
    char *clean = tend_text_clean(bar + 1, cmdlen - 1);
    if (!clean)
        return -1;
    snprintf(command, cmdlen, "%s", clean);
    free(clean);
    return command[0] ? 0 : -1;
}

cJSON *tend_telegram_keyboard(const tend_message *msg, const char *group_chat)
{
    if (!msg->n_buttons)
        return NULL;
    bool wide = false;
    for (size_t i = 0; i < msg->n_buttons; i++)
        wide |= strlen(msg->buttons[i].label ? msg->buttons[i].label : "") > 10;
    size_t per_row = wide ? 2 : 4;
    cJSON *markup = cJSON_CreateObject();
    cJSON *rows = cJSON_AddArrayToObject(markup, "inline_keyboard");
    cJSON *row = NULL;
    size_t in_row = 0, made = 0;
    for (size_t i = 0; i < msg->n_buttons; i++) {
        const tend_button *b = &msg->buttons[i];
        char data[TG_CALLBACK_DATA_MAX + 1];
        if (!b->command || tend_telegram_button_data(group_chat, b->command, data, sizeof data) != 0)
            continue; /* too long to carry: the message's text names the command anyway */
        if (!row || in_row == per_row) {
            row = cJSON_CreateArray();
            cJSON_AddItemToArray(rows, row);
            in_row = 0;
        }
        char label[256];
        snprintf(label, sizeof label, "%s%s%s", b->emoji && *b->emoji ? b->emoji : "",
                 b->emoji && *b->emoji ? " " : "", b->label ? b->label : b->command);
        cJSON *button = cJSON_CreateObject();
        cJSON_AddStringToObject(button, "text", label);
        cJSON_AddStringToObject(button, "callback_data", data);
        cJSON_AddItemToArray(row, button);
        in_row++;
        made++;
    }
    if (!made) {
        cJSON_Delete(markup);
        return NULL;
    }
    return markup;
}
