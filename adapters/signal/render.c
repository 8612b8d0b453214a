/*
 * render.c — the Signal adapter's pure text work: commands out of message bodies, replies into the
 * text and mention ranges `send` takes.
 *
 * Signal counts positions in UTF-16 code units (a character outside the Basic Multilingual Plane,
 * like most emoji, is two), and a mention is a range of the body, usually one U+FFFC, that the
 * client shows as the member's name. Everything here converts between that and UTF-8 bytes.
 */
#include "adapters/signal/internal.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bot/messages.h"
#include "lib/strbuf.h"

#define COMMAND_MAX_BYTES (16 * 1024) /* far above any title or note; the router has the real limits */

/* Bytes in the UTF-8 sequence starting with c (1 for a stray continuation or invalid byte). */
static size_t seq_len(unsigned char c)
{
    if (c >= 0xF0 && c <= 0xF4)
        return 4;
    if (c >= 0xE0)
        return c <= 0xEF ? 3 : 1;
    if (c >= 0xC2)
        return 2;
    return 1;
}

/* One character's bytes (never past end) and its size in UTF-16 units. */
static size_t next_char(const char *p, const char *end, long *units)
{
    size_t n = seq_len((unsigned char)*p);
    if ((size_t)(end - p) < n)
        n = 1;
    for (size_t i = 1; i < n; i++)
        if (((unsigned char)p[i] & 0xC0) != 0x80) {
            n = 1;
            break;
        }
    *units = n == 4 ? 2 : 1;
    return n;
}

long tend_signal_utf16_length(const char *s, size_t bytes)
{
    long units = 0;
    const char *end = s + bytes;
    while (s < end) {
        long u;
        s += next_char(s, end, &u);
        units += u;
    }
    return units;
}

void tend_signal_emoji_normalize(const char *emoji, char *out, size_t outlen)
{
    size_t o = 0;
    for (const char *p = emoji ? emoji : ""; *p && o + 1 < outlen;) {
        if ((unsigned char)p[0] == 0xEF && (unsigned char)p[1] == 0xB8 &&
            ((unsigned char)p[2] == 0x8F || (unsigned char)p[2] == 0x8E)) {
            p += 3; /* U+FE0F / U+FE0E: the same emoji, drawn as picture or as text */
            continue;
        }
        out[o++] = *p++;
    }
    out[o] = '\0';
}

/* ---------------------------------------------------------------- commands in */

void tend_signal_command_free(sg_command *cmd)
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

/* The mentions that can be trusted, in order of position: inside the body, not overlapping. */
static size_t usable_mentions(const sg_mention_in *in, size_t n, long body_units, const sg_mention_in **out,
                              size_t max)
{
    size_t k = 0;
    for (size_t i = 0; i < n && k < max; i++) {
        const sg_mention_in *m = &in[i];
        if (!m->uuid || !*m->uuid || m->start < 0 || m->length <= 0 || m->start + m->length > body_units)
            continue;
        size_t at = k;
        while (at > 0 && out[at - 1]->start > m->start)
            at--;
        if ((at > 0 && out[at - 1]->start + out[at - 1]->length > m->start) ||
            (at < k && m->start + m->length > out[at]->start))
            continue; /* overlaps a neighbour: neither a client nor tend can tell them apart */
        memmove(&out[at + 1], &out[at], (k - at) * sizeof *out);
        out[at] = m;
        k++;
    }
    return k;
}

static void put_clean(tend_strbuf *sb, const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7F)
            continue; /* control characters, tend's own markers among them */
        tend_strbuf_put(sb, p + i, 1);
    }
}

int tend_signal_parse_command(const char *body, const sg_mention_in *mentions, size_t n_mentions,
                              sg_command *out)
{
    memset(out, 0, sizeof *out);
    if (!body)
        return 0;
    size_t len = strlen(body);
    if (len > COMMAND_MAX_BYTES)
        len = COMMAND_MAX_BYTES;
    const char *end = body + len;
    const char *p = body;
    long pos = 0; /* UTF-16 units before p */
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
        p++, pos++;
    if (p + 1 >= end || (*p != '!' && *p != '/') || !isalpha((unsigned char)p[1]))
        return 0;
    p++, pos++;
    const sg_mention_in *ms[SG_MAX_REFS];
    size_t n = usable_mentions(mentions, n_mentions, tend_signal_utf16_length(body, len), ms, SG_MAX_REFS);
    size_t next = 0;
    while (next < n && ms[next]->start < pos)
        next++; /* a mention before the command word is not part of it */
    tend_strbuf sb = TEND_STRBUF_INIT;
    while (p < end) {
        while (next < n && ms[next]->start < pos)
            next++; /* a range that starts inside a character fits nothing: plain text */
        if (next < n && ms[next]->start == pos) {
            const sg_mention_in *m = ms[next++];
            size_t i = out->n_refs;
            out->ref_keys[i] = strdup(m->uuid);
            out->ref_names[i] = strdup(m->name && *m->name ? m->name : "someone");
            out->n_refs++;
            if (!out->ref_keys[i] || !out->ref_names[i])
                sb.failed = 1;
            out->refs[i].member_key = out->ref_keys[i];
            out->refs[i].name = out->ref_names[i];
            char marker[16];
            snprintf(marker, sizeof marker, "\x1E%zu\x1F", i);
            tend_strbuf_puts(&sb, marker);
            long skipped = 0;
            while (p < end && skipped < m->length) {
                long u;
                p += next_char(p, end, &u);
                skipped += u;
            }
            pos += skipped;
            continue;
        }
        long u;
        size_t step = next_char(p, end, &u);
        put_clean(&sb, p, step);
        p += step;
        pos += u;
    }
    out->text = tend_strbuf_finish(&sb);
    if (!out->text) {
        tend_signal_command_free(out);
        return -1;
    }
    return 1;
}

/* ---------------------------------------------------------------- replies out */

void tend_signal_rendered_free(sg_rendered *r)
{
    if (!r)
        return;
    free(r->text);
    for (size_t i = 0; i < r->n_mentions; i++)
        free(r->mentions[i]);
    free(r->mentions);
    memset(r, 0, sizeof *r);
}

typedef struct {
    tend_strbuf sb;
    long units; /* UTF-16 units written so far */
} writer;

static void w_put(writer *w, const char *s, size_t n)
{
    tend_strbuf_put(&w->sb, s, n);
    w->units += tend_signal_utf16_length(s, n);
}

static void w_puts(writer *w, const char *s)
{
    w_put(w, s, strlen(s));
}

/* "@name" where the marker stands, and the range that makes it a ping of that member alone. */
static int put_mention(writer *w, const tend_mention *m, sg_rendered *out)
{
    long start = w->units;
    w_puts(w, "@");
    w_puts(w, m->name && *m->name ? m->name : "someone");
    char range[SG_KEY_MAX + 48];
    snprintf(range, sizeof range, "%ld:%ld:%s", start, w->units - start, m->member_key ? m->member_key : "");
    char **grown = realloc(out->mentions, (out->n_mentions + 1) * sizeof *grown);
    if (!grown)
        return -1;
    out->mentions = grown;
    if (!(out->mentions[out->n_mentions] = strdup(range)))
        return -1;
    out->n_mentions++;
    return 0;
}

static const char *const keycaps[] = {"1\xEF\xB8\x8F\xE2\x83\xA3", "2\xEF\xB8\x8F\xE2\x83\xA3",
                                      "3\xEF\xB8\x8F\xE2\x83\xA3", "4\xEF\xB8\x8F\xE2\x83\xA3",
                                      "5\xEF\xB8\x8F\xE2\x83\xA3", "6\xEF\xB8\x8F\xE2\x83\xA3",
                                      "7\xEF\xB8\x8F\xE2\x83\xA3", "8\xEF\xB8\x8F\xE2\x83\xA3",
                                      "9\xEF\xB8\x8F\xE2\x83\xA3"};

/* In a 1:1 chat a button is an emoji to react with; elsewhere, a command to type. */
static void put_buttons(writer *w, const tend_message *msg, bool with_reactions, char emojis[][16], size_t max)
{
    if (msg->n_buttons == 0)
        return;
    w_puts(w, with_reactions ? "\n" : "\n\xE2\x86\x92 ");
    if (with_reactions)
        w_puts(w, tend_message_tr(msg, MSG_SIGNAL_REACT_TO_ANSWER)); /* in the message's own language */
    size_t keycap = 0;
    for (size_t i = 0; i < msg->n_buttons; i++) {
        const tend_button *b = &msg->buttons[i];
        if (i)
            w_puts(w, " \xC2\xB7 ");
        if (with_reactions) {
            const char *emoji = b->emoji && *b->emoji ? b->emoji : keycap < 9 ? keycaps[keycap++] : "";
            if (emojis && i < max)
                snprintf(emojis[i], 16, "%s", emoji);
            w_puts(w, emoji);
            w_puts(w, " ");
            w_puts(w, b->label ? b->label : "");
        } else {
            w_puts(w, b->label ? b->label : "");
            w_puts(w, ": /");
            w_puts(w, b->command ? b->command : "");
        }
    }
}

int tend_signal_render(const tend_message *msg, bool with_reactions, sg_rendered *out, char emojis[][16],
                       size_t max_emojis)
{
    memset(out, 0, sizeof *out);
    writer w = {TEND_STRBUF_INIT, 0};
    const char *p = msg->text ? msg->text : "";
    int rc = 0;
    while (*p && rc == 0) {
        if (*p == TEND_CMD[0]) {
            w_puts(&w, "/");
            p++;
        } else if (*p == TEND_MARK_MENTION_OPEN) {
            char *close = NULL;
            unsigned long index = strtoul(p + 1, &close, 10);
            if (close && *close == TEND_MARK_MENTION_CLOSE && index < msg->n_mentions)
                rc = put_mention(&w, &msg->mentions[index], out);
            p = close && *close == TEND_MARK_MENTION_CLOSE ? close + 1 : p + 1;
        } else {
            const char *run = p;
            while (*p && *p != TEND_CMD[0] && *p != TEND_MARK_MENTION_OPEN)
                p++;
            w_put(&w, run, (size_t)(p - run));
        }
    }
    put_buttons(&w, msg, with_reactions, emojis, max_emojis);
    out->text = tend_strbuf_finish(&w.sb);
    if (rc != 0 || !out->text) {
        tend_signal_rendered_free(out);
        return -1;
    }
    return 0;
}
