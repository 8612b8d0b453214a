/* reply.c — message lists, the in-band markup, and cleaning what members type. */
#include "bot/reply.h"
#include "lib/strbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

void tend_messages_init(tend_messages *list)
{
    list->items = NULL;
    list->count = 0;
    list->cap = 0;
}

static void attachment_free(tend_attachment *a)
{
    if (!a)
        return;
    free(a->name);
    free(a->content_type);
    free(a->data);
    free(a);
}

static void message_free(tend_message *m)
{
    attachment_free(m->file);
    free(m->group_key);
    free(m->channel_key);
    free(m->member_key);
    free(m->member_name);
    free(m->kind);
    free(m->text);
    for (size_t i = 0; i < m->n_mentions; i++) {
        free(m->mentions[i].member_key);
        free(m->mentions[i].name);
    }
    free(m->mentions);
    for (size_t i = 0; i < m->n_buttons; i++) {
        free(m->buttons[i].label);
        free(m->buttons[i].emoji);
        free(m->buttons[i].command);
    }
    free(m->buttons);
    free(m->reply_to);
}

void tend_messages_clear(tend_messages *list)
{
    if (!list)
        return;
    for (size_t i = 0; i < list->count; i++)
        message_free(&list->items[i]);
    free(list->items);
    tend_messages_init(list);
}

void tend_messages_truncate(tend_messages *list, size_t count)
{
    while (list->count > count)
        message_free(&list->items[--list->count]);
}

static char *vformat(const char *fmt, va_list ap)
{
    char *out = NULL;
    if (vasprintf(&out, fmt, ap) < 0)
        return NULL;
    return out;
}

tend_message *tend_messages_vadd_lang(tend_messages *list, const char *lang, tend_audience audience,
                                      const char *group_key, const char *member_key, const char *member_name,
                                      const char *kind, const char *fmt, va_list ap)
{
    if (list->count == list->cap) {
        size_t cap = list->cap ? list->cap * 2 : 4;
        tend_message *items = realloc(list->items, cap * sizeof *items);
        if (!items)
            return NULL;
        list->items = items;
        list->cap = cap;
    }
    tend_message *m = &list->items[list->count];
    memset(m, 0, sizeof *m);
    m->audience = audience;
    snprintf(m->lang, sizeof m->lang, "%s", lang ? lang : "");
    m->text = vformat(tend_i18n_tr(m->lang, fmt), ap);
    m->group_key = dup_or_null(group_key);
    m->member_key = dup_or_null(member_key);
    m->member_name = dup_or_null(member_name);
    m->kind = strdup(kind ? kind : "reply");
    if (!m->text || !m->kind || (group_key && !m->group_key) || (member_key && !m->member_key) ||
        (member_name && !m->member_name)) {
        message_free(m);
        return NULL;
    }
    list->count++;
    return m;
}

tend_message *tend_messages_add_lang(tend_messages *list, const char *lang, tend_audience audience,
                                     const char *group_key, const char *member_key, const char *member_name,
                                     const char *kind, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    tend_message *m = tend_messages_vadd_lang(list, lang, audience, group_key, member_key, member_name, kind,
                                              fmt, ap);
    va_end(ap);
    return m;
}

tend_message *tend_messages_add(tend_messages *list, tend_audience audience, const char *group_key,
                                const char *member_key, const char *member_name, const char *kind,
                                const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    tend_message *m = tend_messages_vadd_lang(list, tend_i18n_lang_for(audience == TEND_TO_PUBLIC, member_key),
                                              audience, group_key, member_key, member_name, kind, fmt, ap);
    va_end(ap);
    return m;
}

tend_message *tend_messages_add_copy(tend_messages *list, const tend_message *src)
{
    tend_message *m = tend_messages_add_lang(list, src->lang, src->audience, src->group_key, src->member_key,
                                             src->member_name, src->kind, "%s", src->text ? src->text : "");
    if (!m)
        return NULL;
    int failed = tend_message_set_channel(m, src->channel_key) != 0;
    m->outbox_id = src->outbox_id;
    m->leaves_no_trace = src->leaves_no_trace;
    m->first_answer = src->first_answer;
    if (!failed && src->reply_to)
        failed = !(m->reply_to = strdup(src->reply_to));
    if (!failed && src->n_mentions) {
        m->mentions = calloc(src->n_mentions, sizeof *m->mentions);
        failed = !m->mentions;
        /* the markers are already in the copied text, so copy the table rather than re-adding */
        for (size_t i = 0; !failed && i < src->n_mentions; i++) {
            m->mentions[i].member_key = strdup(src->mentions[i].member_key);
            m->mentions[i].name = strdup(src->mentions[i].name);
            m->n_mentions++;
            failed = !m->mentions[i].member_key || !m->mentions[i].name;
        }
    }
    for (size_t i = 0; !failed && i < src->n_buttons; i++)
        failed = tend_message_add_button(m, src->buttons[i].label, src->buttons[i].emoji,
                                         src->buttons[i].command) != 0;
    if (!failed && src->file)
        failed = tend_message_attach(m, src->file->name, src->file->content_type, src->file->data) != 0;
    if (failed) {
        tend_messages_truncate(list, list->count - 1);
        return NULL;
    }
    return m;
}

int tend_message_attach(tend_message *msg, const char *name, const char *content_type, const char *data)
{
    tend_attachment *a = calloc(1, sizeof *a);
    if (!a)
        return -1;
    /* whatever folders it names, only its last part: no platform may read it as a path */
    const char *slash = strrchr(name ? name : "", '/');
    const char *base = slash ? slash + 1 : name ? name : "";
    a->name = tend_text_clean(base[0] && strcmp(base, ".") != 0 && strcmp(base, "..") != 0 ? base : "tend.txt",
                              200);
    for (char *p = a->name; p && *p; p++)
        if (*p == '\\' || *p == '\n' || *p == '\t' || *p == '"')
            *p = '_';
    a->content_type = strdup(content_type ? content_type : "text/plain");
    a->len = strlen(data ? data : "");
    a->data = strdup(data ? data : "");
    if (!a->name || !a->content_type || !a->data) {
        attachment_free(a);
        return -1;
    }
    attachment_free(msg->file);
    msg->file = a;
    return 0;
}

int tend_message_inline_file(tend_message *msg)
{
    if (!msg->file)
        return 0;
    if (tend_message_appendf(msg, "\n%s", msg->file->data) != 0)
        return -1;
    attachment_free(msg->file);
    msg->file = NULL;
    return 0;
}

int tend_message_appendf(tend_message *msg, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *more = vformat(tend_i18n_tr(msg->lang, fmt), ap);
    va_end(ap);
    if (!more)
        return -1;
    size_t a = strlen(msg->text), b = strlen(more);
    char *joined = realloc(msg->text, a + b + 1);
    if (!joined) {
        free(more);
        return -1;
    }
    memcpy(joined + a, more, b + 1);
    msg->text = joined;
    free(more);
    return 0;
}

const char *tend_message_tr(const tend_message *msg, const char *msgid)
{
    return tend_i18n_tr(msg->lang, msgid);
}

int tend_message_add_mention(tend_message *msg, const char *member_key, const char *name)
{
    tend_mention *ms = realloc(msg->mentions, (msg->n_mentions + 1) * sizeof *ms);
    if (!ms)
        return -1;
    msg->mentions = ms;
    tend_mention *m = &ms[msg->n_mentions];
    m->member_key = strdup(member_key ? member_key : "");
    m->name = strdup(name ? name : "");
    if (!m->member_key || !m->name) {
        free(m->member_key);
        free(m->name);
        return -1;
    }
    size_t index = msg->n_mentions++;
    return tend_message_appendf(msg, "%c%zu%c", TEND_MARK_MENTION_OPEN, index, TEND_MARK_MENTION_CLOSE);
}

int tend_message_add_button(tend_message *msg, const char *label, const char *emoji, const char *command)
{
    tend_button *bs = realloc(msg->buttons, (msg->n_buttons + 1) * sizeof *bs);
    if (!bs)
        return -1;
    msg->buttons = bs;
    tend_button *b = &bs[msg->n_buttons];
    b->label = strdup(tend_i18n_tr(msg->lang, label)); /* "Claim" in the message's own language */
    b->emoji = dup_or_null(emoji);
    b->command = strdup(command);
    if (!b->label || !b->command || (emoji && !b->emoji)) {
        free(b->label);
        free(b->emoji);
        free(b->command);
        return -1;
    }
    msg->n_buttons++;
    return 0;
}

int tend_message_set_channel(tend_message *msg, const char *channel_key)
{
    char *c = dup_or_null(channel_key);
    if (channel_key && !c)
        return -1;
    free(msg->channel_key);
    msg->channel_key = c;
    return 0;
}

char *tend_message_render(const tend_message *msg, const char *prefix, tend_mention_writer mention,
                          void *ud)
{
    tend_strbuf sb = TEND_STRBUF_INIT;
    const char *p = msg->text ? msg->text : "";
    while (*p) {
        if (*p == TEND_CMD[0]) {
            tend_strbuf_put(&sb, prefix, strlen(prefix));
            p++;
        } else if (*p == TEND_MARK_MENTION_OPEN) {
            char *end = NULL;
            unsigned long index = strtoul(p + 1, &end, 10);
            if (end && *end == TEND_MARK_MENTION_CLOSE && index < msg->n_mentions) {
                char out[512];
                const tend_mention *m = &msg->mentions[index];
                if (mention)
                    mention(m, ud, out, sizeof out);
                else
                    snprintf(out, sizeof out, "@%s", m->name);
                tend_strbuf_put(&sb, out, strlen(out));
                p = end + 1;
            } else {
                /* a marker with no mention behind it renders as nothing rather than leaking bytes */
                p = (end && *end == TEND_MARK_MENTION_CLOSE) ? end + 1 : p + 1;
            }
        } else {
            const char *run = p;
            while (*p && *p != TEND_CMD[0] && *p != TEND_MARK_MENTION_OPEN)
                p++;
            tend_strbuf_put(&sb, run, (size_t)(p - run));
        }
    }
    return tend_strbuf_finish(&sb);
}

char *tend_text_clean(const char *src, size_t maxbytes)
{
    if (!src)
        src = "";
    size_t n = strlen(src);
    if (n > maxbytes) {
        n = maxbytes;
        /* step back off a UTF-8 continuation byte so we never cut a character in half */
        while (n > 0 && ((unsigned char)src[n] & 0xC0) == 0x80)
            n--;
    }
    char *out = malloc(n + 1);
    if (!out)
        return NULL;
    size_t j = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)src[i];
        if (c < 0x20 && c != '\n' && c != '\t')
            continue;
        if (c == 0x7F)
            continue;
        out[j++] = (char)c;
    }
    out[j] = '\0';
    return out;
}
