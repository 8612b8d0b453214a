/*
 * send.c — outbox rows out through signal-cli's `send`: a public message to its group, a private
 * one or a DM to the member's 1:1 chat (by uuid, which works for members who hide their number).
 *
 * signal-cli has no idempotency key: a `send` repeated after a restart is a second message. So
 * each destination keeps one mark in tend's state, "sending <key>" before the call and
 * "sent <key> <timestamp>" once signal-cli answered. After a restart, a row whose mark says
 * "sent" is known to be delivered and is not sent again (its removal from the outbox was all
 * that the crash cut off). Only a row that was in flight at the crash, with no answer yet, goes
 * again and may show twice; the log says so. The sender hands us one row per destination at a
 * time, so one mark per destination is enough.
 *
 * A file (an export, a calendar) goes in the same `send`, as an attachment in the member's 1:1
 * chat only: a data URI (RFC 2397) with its name, as signal-cli takes it
 * ("data:<type>;filename=<name>;base64,<data>"), so the mark above covers it too.
 *
 * A message in a 1:1 chat carries its buttons as emoji: the member's reaction on it runs the
 * button's command (inbound.c looks the reaction up by the message's timestamp).
 */
#include "adapters/signal/internal.h"

#include <curl/curl.h>
#include <libwebsockets.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bot/messages.h"
#include "lib/log.h"

#define SEND_TIMEOUT_MS 60000          /* a large group takes a while: one message per member */
#define RATE_LIMIT_DEFAULT_MS 60000
#define ATTACHMENT_MAX (100u * 1024 * 1024) /* Signal's largest attachment */

typedef struct {
    int64_t row;
    char idem[64];
    char mark[SG_KEY_MAX];             /* "out:g:<group id>" or "out:m:<uuid>"               */
    char chat[SG_KEY_MAX];             /* the member's uuid in a 1:1 chat, else ""           */
    char group_key[SG_KEY_MAX];
    char emojis[TEND_MAX_CHOICES][16];
    char *commands[TEND_MAX_CHOICES];
    size_t n_buttons;
} job;

static void job_free(job *j)
{
    if (!j)
        return;
    for (size_t i = 0; i < j->n_buttons; i++)
        free(j->commands[i]);
    free(j);
}

void tend_signal_reaction_key(const char *chat, int64_t timestamp, const char *emoji, char *out, size_t outlen)
{
    char e[64];
    tend_signal_emoji_normalize(emoji, e, sizeof e);
    snprintf(out, outlen, "react:%s:%lld:%s", chat ? chat : "", (long long)timestamp, e);
}

/* The longest wait signal-cli asked for, from the per-recipient results of a rate-limited send. */
static uint64_t retry_after_ms(const sg_rpc_result *r)
{
    uint64_t wait = 0;
    const cJSON *res;
    cJSON_ArrayForEach(res, cJSON_GetObjectItemCaseSensitive(
                                cJSON_GetObjectItemCaseSensitive(r->data, "response"), "results")) {
        const cJSON *s = cJSON_GetObjectItemCaseSensitive(res, "retryAfterSeconds");
        if (cJSON_IsNumber(s) && s->valuedouble > 0 && s->valuedouble < 86400 &&
            (uint64_t)(s->valuedouble * 1000) > wait)
            wait = (uint64_t)(s->valuedouble * 1000);
    }
    return wait ? wait : RATE_LIMIT_DEFAULT_MS;
}

static void delivered(tend_signal *sg, job *j, int64_t timestamp)
{
    tend_host *host = sg->base.host;
    for (size_t i = 0; i < j->n_buttons && j->chat[0]; i++) {
        char key[SG_KEY_MAX * 2], value[SG_KEY_MAX * 2];
        tend_signal_reaction_key(j->chat, timestamp, j->emojis[i], key, sizeof key);
        snprintf(value, sizeof value, "%s\t%s", j->group_key, j->commands[i]);
        if (tend_host_state_set(host, key, value) != 0)
            tend_log(TEND_LOG_WARN, "signal", "could not remember what a reaction answers; typing it still works");
    }
    char mark[128];
    snprintf(mark, sizeof mark, "sent\t%s\t%lld", j->idem, (long long)timestamp);
    tend_host_state_set(host, j->mark, mark);
    /* a test-only crash point: signal-cli took the message, the outbox does not know yet */
    const char *failpoint = getenv("TEND_TEST_FAILPOINT");
    if (failpoint && strcmp(failpoint, "signal-after-send") == 0)
        raise(SIGKILL);
    tend_host_sent(host, j->row, TEND_SENT_OK);
}

static void on_sent(tend_signal *sg, const sg_rpc_result *r, void *ud)
{
    job *j = ud;
    if (sg->stopping) {
        job_free(j); /* the row stays in the outbox and goes after the restart */
        return;
    }
    const cJSON *ts = cJSON_GetObjectItemCaseSensitive(r->result, "timestamp");
    if (cJSON_IsNumber(ts)) {
        delivered(sg, j, (int64_t)ts->valuedouble);
        job_free(j);
        return;
    }
    char why[200];
    tend_signal_describe(r, why, sizeof why);
    tend_sent_result verdict = TEND_SENT_DROP;
    if (r->transport_error || r->code == -3 || r->code == -32603 || r->code == -32602) {
        verdict = TEND_SENT_RETRY; /* the daemon is away, restarting, or Signal could not be reached */
    } else if (r->code == -5) {
        uint64_t wait = retry_after_ms(r);
        sg->paused_until_ms = tend_signal_now_ms(sg) + wait;
        tend_log(TEND_LOG_WARN, "signal", "Signal asks tend to slow down; sending again in %llu s",
                 (unsigned long long)(wait / 1000));
        verdict = TEND_SENT_RETRY;
    } else if (r->code == -4) {
        tend_log(TEND_LOG_WARN, "signal", "a message was not sent: a member's safety number changed and "
                 "signal-cli does not trust it yet (signal-cli trust, or --trust-new-identities always)");
    } else {
        /* signal-cli's own words can name the member: the log keeps only the kind of refusal */
        tend_log(TEND_LOG_WARN, "signal", "signal-cli refused a message to a %s (%s)",
                 j->chat[0] ? "member" : "group", why);
    }
    if (verdict == TEND_SENT_RETRY)
        tend_log(TEND_LOG_DEBUG, "signal", "a message will be sent again (%s)", why);
    tend_host_sent(sg->base.host, j->row, verdict);
    job_free(j);
}

/* Where a row goes: its group's id, or the member's uuid for a 1:1 chat. */
static const char *destination(const tend_message *m, bool *to_member)
{
    static const char prefix[] = TEND_SIGNAL_PLATFORM ":";
    *to_member = m->audience != TEND_TO_PUBLIC;
    if (*to_member)
        return m->member_key && *m->member_key ? m->member_key : NULL;
    const char *key = m->channel_key && strncmp(m->channel_key, prefix, sizeof prefix - 1) == 0 ? m->channel_key
                                                                                                : m->group_key;
    if (!key || strncmp(key, prefix, sizeof prefix - 1) != 0 || !key[sizeof prefix - 1])
        return NULL;
    return key + sizeof prefix - 1;
}

/* True when the mark says this row was delivered before a restart. */
static bool sent_before(tend_signal *sg, const job *j)
{
    char mark[256];
    if (tend_host_state_get(sg->base.host, j->mark, mark, sizeof mark) != 0)
        return false;
    size_t idem_len = strlen(j->idem);
    if (strncmp(mark, "sent\t", 5) == 0 && strncmp(mark + 5, j->idem, idem_len) == 0 && mark[5 + idem_len] == '\t')
        return true;
    if (strncmp(mark, "sending\t", 8) == 0 && strcmp(mark + 8, j->idem) == 0)
        tend_log(TEND_LOG_INFO, "signal", "a message was on its way when tend stopped; sending it again "
                 "(signal-cli cannot tell a repeat, so it may show twice)");
    return false;
}

static int add_quote(cJSON *params, const char *reply_to, const char *dest)
{
    /* "<chat>\t<author uuid>\t<timestamp>": quote the command when the answer goes where it was typed */
    if (!reply_to)
        return 0;
    size_t chat_len = strcspn(reply_to, "\t");
    const char *author = reply_to[chat_len] ? reply_to + chat_len + 1 : NULL;
    const char *tab = author ? strchr(author, '\t') : NULL;
    if (!tab || strlen(dest) != chat_len || strncmp(reply_to, dest, chat_len) != 0)
        return 0;
    long long ts = strtoll(tab + 1, NULL, 10);
    if (ts <= 0)
        return 0;
    char who[SG_KEY_MAX];
    snprintf(who, sizeof who, "%.*s", (int)(tab - author), author);
    return cJSON_AddNumberToObject(params, "quoteTimestamp", (double)ts) &&
                   cJSON_AddStringToObject(params, "quoteAuthor", who)
               ? 0
               : -1;
}

/* "data:<type>;filename=<name>;base64,<data>". signal-cli URL-decodes parameter values, so the
 * name is escaped; the type keeps only "type/subtype" (a ";charset=" would read as a parameter).
 * NULL on OOM, or for an empty file (a data URI needs at least one byte of data). */
static char *data_uri(const tend_attachment *f)
{
    if (!f->len || f->len > INT32_MAX / 2)
        return NULL;
    char type[100];
    const char *ct = f->content_type && *f->content_type ? f->content_type : "application/octet-stream";
    size_t tlen = strcspn(ct, "; \t,");
    snprintf(type, sizeof type, "%.*s", (int)(tlen < sizeof type ? tlen : sizeof type - 1), ct);
    if (!strchr(type, '/'))
        snprintf(type, sizeof type, "application/octet-stream"); /* signal-cli reads a type as "a/b" */
    char *name = curl_easy_escape(NULL, f->name && *f->name ? f->name : "file", 0);
    size_t b64_cap = (f->len + 2) / 3 * 4 + 1;
    size_t cap = sizeof "data:;filename=;base64," + strlen(type) + (name ? strlen(name) : 0) + b64_cap;
    char *uri = name ? malloc(cap) : NULL;
    if (uri) {
        int head = snprintf(uri, cap, "data:%s;filename=%s;base64,", type, name);
        if (lws_b64_encode_string(f->data, (int)f->len, uri + head, (int)(cap - (size_t)head)) < 0) {
            free(uri);
            uri = NULL;
        }
    }
    curl_free(name);
    return uri;
}

static int add_attachment(cJSON *params, const tend_message *m)
{
    char *uri = data_uri(m->file);
    if (!uri) {
        if (!m->file->len)
            tend_log(TEND_LOG_WARN, "signal", "a %s message carried an empty file; the text goes alone", m->kind);
        return m->file->len ? -1 : 0;
    }
    cJSON *list = cJSON_AddArrayToObject(params, "attachments");
    cJSON *item = list ? cJSON_CreateString(uri) : NULL;
    free(uri);
    if (item && cJSON_AddItemToArray(list, item))
        return 0;
    cJSON_Delete(item);
    return -1;
}

static cJSON *send_params(const tend_outgoing *o, const char *dest, bool to_member, const sg_rendered *text)
{
    cJSON *params = cJSON_CreateObject();
    if (!params)
        return NULL;
    bool ok;
    if (to_member) {
        cJSON *to = cJSON_AddArrayToObject(params, "recipient");
        ok = to && cJSON_AddItemToArray(to, cJSON_CreateString(dest));
    } else {
        ok = cJSON_AddStringToObject(params, "groupId", dest) != NULL;
    }
    ok = ok && cJSON_AddStringToObject(params, "message", text->text);
    if (ok && text->n_mentions) {
        cJSON *list = cJSON_CreateStringArray((const char *const *)text->mentions, (int)text->n_mentions);
        ok = list && cJSON_AddItemToObject(params, "mention", list);
    }
    if (ok && o->msg->file) {
        /* every file tend makes is one member's: it goes to their 1:1 chat, never to a group */
        if (to_member)
            ok = add_attachment(params, o->msg) == 0;
        else
            tend_log(TEND_LOG_WARN, "signal", "a %s message for a group carried a file; it was left off",
                     o->msg->kind);
    }
    if (!ok || add_quote(params, o->reply_to, dest) != 0) {
        cJSON_Delete(params);
        return NULL;
    }
    return params;
}

/* A file past Signal's limit would be refused after all: a copy of m (in list) whose line goes
 * alone and says why. NULL on OOM. */
static const tend_message *without_file(tend_messages *list, const tend_message *m)
{
    size_t mb = (m->file->len + 1024 * 1024 - 1) / (1024 * 1024), words = strlen(m->text);
    tend_log(TEND_LOG_WARN, "signal", "a %s file of %zu MB is over Signal's limit; sent without it", m->kind, mb);
    tend_message *c = tend_messages_add_copy(list, m);
    if (!c || tend_message_inline_file(c) != 0)
        return NULL;
    c->text[words] = '\0'; /* the file's text itself, in a chat message, is no use */
    return tend_message_appendf(c, MSG_FILE_TOO_BIG, mb, "Signal") == 0 ? c : NULL;
}

int tend_signal_send_row(tend_signal *sg, const tend_outgoing *o)
{
    const tend_message *m = o->msg;
    if (tend_signal_now_ms(sg) < sg->paused_until_ms)
        return -1; /* Signal asked us to wait: the host tries again later */
    bool to_member;
    const char *dest = destination(m, &to_member);
    if (!dest) {
        tend_log(TEND_LOG_WARN, "signal", "a %s message has nowhere to go", m->kind);
        tend_host_sent(sg->base.host, o->id, TEND_SENT_DROP);
        return 0;
    }
    job *j = calloc(1, sizeof *j);
    if (!j)
        return -1;
    j->row = o->id;
    snprintf(j->idem, sizeof j->idem, "%s", o->idem_key ? o->idem_key : "");
    snprintf(j->mark, sizeof j->mark, "out:%c:%s", to_member ? 'm' : 'g', dest);
    snprintf(j->chat, sizeof j->chat, "%s", to_member ? dest : "");
    snprintf(j->group_key, sizeof j->group_key, "%s", m->group_key ? m->group_key : "");
    if (o->id > 0 && sent_before(sg, j)) {
        tend_log(TEND_LOG_DEBUG, "signal", "a %s message was delivered before the restart; not again", m->kind);
        tend_host_sent(sg->base.host, o->id, TEND_SENT_OK);
        job_free(j);
        return 0;
    }
    tend_messages alone;
    tend_messages_init(&alone);
    if (m->file && m->file->len > ATTACHMENT_MAX && !(m = without_file(&alone, m))) {
        tend_messages_clear(&alone);
        job_free(j);
        return -1;
    }
    tend_outgoing shown = *o;
    shown.msg = m;
    sg_rendered text;
    if (tend_signal_render(m, to_member, &text, j->emojis, TEND_MAX_CHOICES) != 0) {
        tend_messages_clear(&alone);
        job_free(j);
        return -1;
    }
    for (size_t i = 0; to_member && i < m->n_buttons && i < TEND_MAX_CHOICES; i++) {
        if (!j->emojis[i][0] || !m->buttons[i].command)
            continue; /* past the ninth button without an emoji: typing it still works */
        if (i != j->n_buttons)
            memcpy(j->emojis[j->n_buttons], j->emojis[i], sizeof j->emojis[i]);
        if (!(j->commands[j->n_buttons] = strdup(m->buttons[i].command)))
            break;
        j->n_buttons++;
    }
    cJSON *params = send_params(&shown, dest, to_member, &text);
    tend_signal_rendered_free(&text);
    tend_messages_clear(&alone);
    char mark[128];
    snprintf(mark, sizeof mark, "sending\t%s", j->idem);
    if (!params || (o->id > 0 && tend_host_state_set(sg->base.host, j->mark, mark) != 0)) {
        cJSON_Delete(params);
        job_free(j);
        return -1;
    }
    if (tend_signal_rpc(sg, "send", params, SEND_TIMEOUT_MS, on_sent, j) != 0) {
        job_free(j);
        return -1;
    }
    return 0;
}
