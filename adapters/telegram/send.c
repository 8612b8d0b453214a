/*
 * send.c — messages out: one queue per chat, in order, paced to Telegram's limits.
 *
 * Telegram asks bots for about one message a second in a chat, at most 20 a minute in a group,
 * and about 30 a second overall; past that it answers 429 with parameters.retry_after. Each chat's
 * queue sends one message at a time, waits its turn by those numbers, and on a 429 pauses that
 * chat for exactly as long as Telegram asked before trying the same message again.
 *
 * A private message goes to the member's private chat with the bot, which Telegram only allows
 * once the member opened it (a 403 otherwise): then it is held until they do (hold.c).
 *
 * Telegram has no idempotency key. A message is reported delivered the moment Telegram accepted
 * it (and the outbox removes it at once, resend_shows_twice), so after a crash only the message
 * that was in flight can show twice; a send that timed out is tried again the same way. A row
 * that carries a file (document.c) goes as its text, then the file with sendDocument, and notes
 * how far it got, so a resend skips what already arrived.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adapters/telegram/internal.h"
#include "bot/messages.h"
#include "lib/log.h"

#define CHAT_GAP_MS 1000
/* a second more than Telegram's minute: tend stamps a message when it leaves, Telegram counts it
 * when it arrives, and a first message delayed on its way would otherwise shrink the window */
#define GROUP_WINDOW_MS 61000
#define GROUP_PER_WINDOW 20
#define GLOBAL_PER_SECOND 30
#define MAX_429 10               /* then the outbox's own back-off takes over                */
#define MAX_OWN_ATTEMPTS 5       /* the adapter's own messages, which have no outbox row     */

typedef struct tg_job {
    int64_t row;                 /* outbox row, 0 for the adapter's own message             */
    bool report;                 /* the row's last part: its verdict goes to the host       */
    bool from_hold;              /* sent again from the held list                           */
    char *body;                  /* sendMessage's JSON, or a document body (document.c)     */
    bool doc;                    /* goes with sendDocument                                  */
    char idem[64];               /* a row with a file: its idempotency key ...              */
    size_t seq;                  /* ... and how many of its jobs are done once this one is  */
    char member[TG_ID_MAX];      /* a private message: who (their chat id is their user id)  */
    char member_name[TG_NAME_MAX];
    char group_chat[TG_ID_MAX];  /* the group to point in when the member never opened the chat */
    int attempts;
    struct tg_job *next;
} tg_job;

struct tg_chatq {
    char chat[TG_ID_MAX];
    tg_job *head, *tail;
    bool in_flight;
    uint64_t paused_until;       /* a 429's retry_after, or a back-off                      */
    uint64_t last_ms;            /* when the last message left, 0 = never                   */
    uint64_t recent[GROUP_PER_WINDOW];
    int recent_pos;
    tend_telegram *tg;
    tg_chatq *next;
};

static void pump(tend_telegram *tg);

static void job_free(tg_job *j)
{
    if (j)
        free(j->body);
    free(j);
}

static tg_chatq *chat_get(tend_telegram *tg, const char *chat)
{
    for (tg_chatq *q = tg->chats; q; q = q->next)
        if (strcmp(q->chat, chat) == 0)
            return q;
    tg_chatq *q = calloc(1, sizeof *q);
    if (!q)
        return NULL;
    snprintf(q->chat, sizeof q->chat, "%s", chat);
    q->tg = tg;
    q->next = tg->chats;
    tg->chats = q;
    return q;
}

static void enqueue(tg_chatq *q, tg_job *j)
{
    j->next = NULL;
    if (q->tail)
        q->tail->next = j;
    else
        q->head = j;
    q->tail = j;
}

static tg_job *pop(tg_chatq *q)
{
    tg_job *j = q->head;
    if (j) {
        q->head = j->next;
        if (!q->head)
            q->tail = NULL;
    }
    return j;
}

/* ---------------------------------------------------------------- held messages going out */

bool tend_telegram_holding_queued(tend_telegram *tg, const char *user)
{
    for (tg_chatq *q = tg->chats; q; q = q->next)
        for (tg_job *j = q->head; j; j = j->next)
            if (j->from_hold && strcmp(j->member, user) == 0)
                return true;
    return false;
}

int tend_telegram_send_held(tend_telegram *tg, const char *user, const char *body)
{
    tg_chatq *q = chat_get(tg, user);
    tg_job *j = q ? calloc(1, sizeof *j) : NULL;
    if (!j || !(j->body = strdup(body))) {
        free(j);
        return -1;
    }
    j->from_hold = true;
    j->doc = tend_telegram_body_is_document(body);
    snprintf(j->member, sizeof j->member, "%s", user);
    enqueue(q, j);
    pump(tg);
    return 0;
}

/* ---------------------------------------------------------------- answers */

static void report(tend_telegram *tg, tg_job *j, tend_sent_result verdict)
{
    /* a row with a file notes each job that arrived (the last one too: a resend of a row that was
     * delivered but not yet removed then sends nothing) before the host hears of it */
    if (j->row && j->seq && verdict == TEND_SENT_OK) {
        tend_telegram_row_progress(tg, j->member, j->idem, j->seq);
        /* a test-only crash point: a file's text arrived, the file has not left yet */
        const char *failpoint = getenv("TEND_TEST_FAILPOINT");
        if (!j->report && failpoint && strcmp(failpoint, "telegram-between-parts") == 0)
            raise(SIGKILL);
    }
    if (j->row && j->report)
        tend_host_sent(tg->base.host, j->row, verdict);
}

/* Keeps a private job for when the member opens the chat. A file too big to keep leaves a line
 * in its place that asks them to fetch it again. */
static bool hold_job(tend_telegram *tg, const tg_job *j)
{
    if (tend_telegram_hold(tg, j->member, j->body))
        return true;
    char name[128];
    if (!j->doc || tend_telegram_document_name(j->body, name, sizeof name) != 0)
        return false;
    tend_log(TEND_LOG_INFO, "telegram", "a file is too big to keep until a member opens the private chat; "
             "they are asked to fetch it again");
    cJSON *body = cJSON_CreateObject();
    char text[512];
    snprintf(text, sizeof text, tend_telegram_words(tg, j->group_chat, j->member, NULL, MSG_TELEGRAM_FILE_NOT_KEPT),
             name);
    cJSON_AddStringToObject(body, "chat_id", j->member);
    cJSON_AddStringToObject(body, "text", text);
    char *json = cJSON_PrintUnformatted(body);
    cJSON_Delete(body);
    bool ok = json && tend_telegram_hold(tg, j->member, json);
    free(json);
    return ok;
}

/* Drops what is left of a row after one of its parts failed, so the outbox resends it whole. */
static void drop_rest_of_row(tg_chatq *q, int64_t row)
{
    while (row && q->head && q->head->row == row) {
        tg_job *j = pop(q);
        bool last = j->report;
        job_free(j);
        if (last)
            break;
    }
}

static bool is_private_chat(const char *chat)
{
    return chat[0] != '-';
}

/* How a chat is named in the log: a group by its id, a member's private chat never by theirs. */
static const char *log_name(const char *chat, char *buf, size_t buflen)
{
    if (is_private_chat(chat))
        return "a member's private chat";
    snprintf(buf, buflen, "group %s", chat);
    return buf;
}

static void on_sent(const tend_http_response *res, void *ud)
{
    tg_chatq *q = ud;
    tend_telegram *tg = q->tg;
    q->in_flight = false;
    tg_job *j = q->head;
    if (!j)
        return;
    tg_answer a;
    tend_telegram_answer_read(res, &a);
    uint64_t now = tend_telegram_now_ms(tg);
    char name[TG_ID_MAX + 8];
    const char *where = log_name(q->chat, name, sizeof name);
    if (a.ok) {
        pop(q);
        /* a private message got through, so the member opened the chat, maybe before tend read
         * their /start: what was held for them goes now, or it would wait for a /start that came */
        if (is_private_chat(q->chat) && !j->from_hold && tend_telegram_chat_state(tg, q->chat) != 1)
            tend_telegram_member_started(tg, q->chat);
        else if (is_private_chat(q->chat))
            tend_telegram_set_chat_state(tg, q->chat, true);
        report(tg, j, TEND_SENT_OK);
        if (j->from_hold && !tend_telegram_holding_queued(tg, j->member))
            tend_telegram_held_delivered(tg, j->member);
        job_free(j);
    } else if (a.error_code == 429) {
        /* exactly as long as Telegram asked, then the same message again */
        q->paused_until = now + (uint64_t)((a.retry_after > 0 ? a.retry_after : 1) * 1000) + 50;
        if (++j->attempts > MAX_429) {
            tend_log(TEND_LOG_WARN, "telegram", "%s stays rate-limited; %s", where,
                     j->row ? "the outbox tries again later" : "a note of tend's own was dropped");
            pop(q);
            report(tg, j, TEND_SENT_RETRY);
            drop_rest_of_row(q, j->row);
            job_free(j);
        } else {
            tend_log(TEND_LOG_DEBUG, "telegram", "429 in %s: waiting %.0f s as asked", where, a.retry_after);
        }
    } else if (a.migrate_to) {
        /* the group became a supergroup: the same message goes to its new chat */
        char to[TG_ID_MAX];
        snprintf(to, sizeof to, "%lld", (long long)a.migrate_to);
        tend_telegram_record_move(tg, q->chat, to);
        cJSON *body = cJSON_Parse(j->body);
        tg_chatq *nq = chat_get(tg, to);
        char *moved = NULL;
        if (body && nq) {
            cJSON_ReplaceItemInObjectCaseSensitive(body, "chat_id", cJSON_CreateString(to));
            moved = cJSON_PrintUnformatted(body);
        }
        cJSON_Delete(body);
        pop(q);
        if (moved) {
            free(j->body);
            j->body = moved;
            enqueue(nq, j);
        } else {
            report(tg, j, TEND_SENT_RETRY);
            job_free(j);
        }
    } else if (a.error_code == 403 && is_private_chat(q->chat) && j->member[0]) {
        /* they never opened the chat, or blocked the bot: kept for when they (re)open it */
        pop(q);
        tend_telegram_set_chat_state(tg, q->chat, false);
        if (j->from_hold) {
            job_free(j); /* still in the held list */
        } else if (hold_job(tg, j)) {
            report(tg, j, TEND_SENT_OK);
            /* one who blocked the bot chose so: no word about it in the group */
            if (!strstr(a.description, "blocked"))
                tend_telegram_point_to_chat(tg, j->member, j->member_name, j->group_chat);
            job_free(j);
        } else {
            report(tg, j, TEND_SENT_RETRY);
            job_free(j);
        }
    } else if (a.status == 0 || a.error_code >= 500 || a.error_code == 401) {
        pop(q);
        if (j->row) {
            tend_log(TEND_LOG_DEBUG, "telegram", "a send to %s failed (%s); the outbox tries again", where,
                     a.description);
            report(tg, j, TEND_SENT_RETRY);
            drop_rest_of_row(q, j->row);
            job_free(j);
        } else if (++j->attempts < MAX_OWN_ATTEMPTS && !j->from_hold) {
            /* the adapter's own line has no outbox behind it: it waits here, first in line */
            j->next = q->head;
            q->head = j;
            if (!q->tail)
                q->tail = j;
            q->paused_until = now + tend_telegram_backoff_ms(j->attempts, 1000, 30000);
        } else {
            job_free(j);
        }
    } else {
        /* a refusal that will not change: the chat is gone, the bot was removed, a bad request */
        pop(q);
        tend_log(TEND_LOG_WARN, "telegram", "Telegram refused a message to %s (%d %s)", where, a.error_code,
                 a.description);
        report(tg, j, TEND_SENT_DROP);
        drop_rest_of_row(q, j->row);
        job_free(j);
    }
    tend_telegram_answer_free(&a);
    pump(tg);
}

/* ---------------------------------------------------------------- pacing */

static uint64_t ready_at(const tg_chatq *q)
{
    uint64_t t = q->paused_until;
    if (q->last_ms && q->last_ms + CHAT_GAP_MS > t)
        t = q->last_ms + CHAT_GAP_MS;
    /* in a group, the 20th message back must be a minute old */
    uint64_t oldest = q->recent[q->recent_pos];
    if (!is_private_chat(q->chat) && oldest && oldest + GROUP_WINDOW_MS > t)
        t = oldest + GROUP_WINDOW_MS;
    return t;
}

static uint64_t global_ready_at(const tend_telegram *tg)
{
    uint64_t oldest = tg->global_recent[tg->global_pos];
    return oldest ? oldest + 1000 : 0;
}

static void start_send(tend_telegram *tg, tg_chatq *q, uint64_t now)
{
    int rc = q->head->doc ? tend_telegram_send_document(tg, q->head->body, on_sent, q)
                          : tend_telegram_call(tg, "sendMessage", q->head->body, 30000, on_sent, q);
    if (rc != 0) {
        q->paused_until = now + 1000; /* could not even start: try again in a moment */
        return;
    }
    q->in_flight = true;
    q->last_ms = now;
    q->recent[q->recent_pos] = now;
    q->recent_pos = (q->recent_pos + 1) % GROUP_PER_WINDOW;
    tg->global_recent[tg->global_pos] = now;
    tg->global_pos = (tg->global_pos + 1) % GLOBAL_PER_SECOND;
}

static void on_send_timer(uv_timer_t *t)
{
    pump(t->data);
}

static void pump(tend_telegram *tg)
{
    if (!tg->http)
        return;
    uint64_t now = tend_telegram_now_ms(tg);
    uint64_t soonest = UINT64_MAX;
    for (tg_chatq *q = tg->chats; q; q = q->next) {
        if (!q->head || q->in_flight)
            continue;
        uint64_t at = ready_at(q), global = global_ready_at(tg);
        if (global > at)
            at = global;
        if (at <= now) {
            start_send(tg, q, now);
            if (!q->in_flight && q->paused_until < soonest)
                soonest = q->paused_until;
        } else if (at < soonest) {
            soonest = at;
        }
    }
    if (tg->send_timer_open && !uv_is_closing((uv_handle_t *)&tg->send_timer)) {
        if (soonest == UINT64_MAX)
            uv_timer_stop(&tg->send_timer);
        else
            uv_timer_start(&tg->send_timer, on_send_timer, soonest > now ? soonest - now : 1, 0);
    }
}

/* ---------------------------------------------------------------- building messages */

typedef struct {
    const char *chat;
    int64_t reply_to;            /* a message id in chat to answer, 0 for none */
    const char *button_group;    /* the group a button press runs in           */
    int64_t row;
    const tend_message *msg;
    const char *member;          /* a private message: who                     */
    const char *group_chat;
    const char *idem;            /* a row with a file: its idempotency key     */
} send_plan;

/* The file of a private row, sent after its text; a public row's file is left off (every file
 * tend makes is one member's, and a group chat is no place for it). */
static const tend_attachment *file_of(const send_plan *p)
{
    if (!p->msg->file)
        return NULL;
    if (!p->member) {
        tend_log(TEND_LOG_WARN, "telegram", "a %s message for a group carried a file; it was left off", p->msg->kind);
        return NULL;
    }
    if (!p->msg->file->len) {
        tend_log(TEND_LOG_WARN, "telegram", "a %s message carried an empty file; the text goes alone", p->msg->kind);
        return NULL; /* Telegram refuses an empty upload */
    }
    return p->msg->file;
}

static int queue_parts(tend_telegram *tg, const send_plan *p);

/* A file past what a bot may upload would be refused (413) after its line went: the line goes
 * alone and says why the file did not come. */
static int queue_message(tend_telegram *tg, const send_plan *p)
{
    const tend_attachment *file = p->msg->file;
    if (!file || file->len <= TG_UPLOAD_MAX)
        return queue_parts(tg, p);
    size_t mb = (file->len + 1024 * 1024 - 1) / (1024 * 1024);
    tend_log(TEND_LOG_WARN, "telegram", "a %s file of %zu MB is over Telegram's upload limit; sent without it",
             p->msg->kind, mb);
    tend_messages copy;
    tend_messages_init(&copy);
    tend_message *m = tend_messages_add_copy(&copy, p->msg);
    int rc = -1;
    if (m) {
        size_t words = strlen(m->text);
        if (tend_message_inline_file(m) == 0) {
            m->text[words] = '\0'; /* the file's text itself, cut in 4096-unit pieces, is no use */
            send_plan alone = *p;
            alone.msg = m;
            if (tend_message_appendf(m, MSG_FILE_TOO_BIG, mb, "Telegram") == 0)
                rc = queue_parts(tg, &alone);
        }
    }
    tend_messages_clear(&copy);
    return rc;
}

static int queue_parts(tend_telegram *tg, const send_plan *p)
{
    tend_telegram_part parts[TG_MAX_PARTS];
    size_t n = tend_telegram_render(p->msg, parts, TG_MAX_PARTS);
    tg_chatq *q = chat_get(tg, p->chat);
    if (!n || !q) {
        tend_telegram_parts_free(parts, n);
        return -1;
    }
    const tend_attachment *file = file_of(p);
    bool marked = file && p->row > 0 && p->idem && p->idem[0];
    size_t jobs = n + (file ? 1 : 0);
    size_t skip = marked ? tend_telegram_row_done(tg, p->chat, p->idem) : 0;
    if (skip >= jobs) {
        /* all of it arrived before a crash; only its removal from the outbox was lost */
        tend_telegram_parts_free(parts, n);
        tend_host_sent(tg->base.host, p->row, TEND_SENT_OK);
        return 0;
    }
    tg_chatq made = {0}; /* the parts, queued together or not at all */
    for (size_t i = skip; i < jobs; i++) {
        if (i == n) {
            tg_job *j = calloc(1, sizeof *j);
            if (!j || !(j->body = tend_telegram_document_body(p->chat, file))) {
                free(j);
                tend_telegram_parts_free(parts, n);
                while (made.head)
                    job_free(pop(&made));
                return -1;
            }
            j->doc = true;
            j->row = p->row;
            j->report = true;
            enqueue(&made, j);
            continue;
        }
        cJSON *body = cJSON_CreateObject();
        cJSON_AddStringToObject(body, "chat_id", p->chat);
        cJSON_AddStringToObject(body, "text", parts[i].text);
        if (cJSON_GetArraySize(parts[i].entities) > 0) {
            cJSON_AddItemToObject(body, "entities", parts[i].entities);
            parts[i].entities = NULL;
        }
        cJSON *preview = cJSON_AddObjectToObject(body, "link_preview_options");
        cJSON_AddBoolToObject(preview, "is_disabled", 1);
        if (i == 0 && p->reply_to > 0) {
            cJSON *reply = cJSON_AddObjectToObject(body, "reply_parameters");
            cJSON_AddNumberToObject(reply, "message_id", (double)p->reply_to);
            cJSON_AddBoolToObject(reply, "allow_sending_without_reply", 1);
        }
        cJSON *keyboard = i + 1 == n ? tend_telegram_keyboard(p->msg, p->button_group) : NULL;
        if (keyboard)
            cJSON_AddItemToObject(body, "reply_markup", keyboard);
        char *json = cJSON_PrintUnformatted(body);
        cJSON_Delete(body);
        tg_job *j = json ? calloc(1, sizeof *j) : NULL;
        if (!j) {
            free(json);
            tend_telegram_parts_free(parts, n);
            while (made.head)
                job_free(pop(&made));
            return -1;
        }
        j->body = json;
        j->row = p->row;
        j->report = i + 1 == jobs;
        enqueue(&made, j);
    }
    size_t seq = skip;
    for (tg_job *j = made.head; j; j = j->next) {
        if (p->member) {
            snprintf(j->member, sizeof j->member, "%s", p->member);
            snprintf(j->member_name, sizeof j->member_name, "%s", p->msg->member_name ? p->msg->member_name : "");
            snprintf(j->group_chat, sizeof j->group_chat, "%s", p->group_chat ? p->group_chat : "");
        }
        if (marked) {
            snprintf(j->idem, sizeof j->idem, "%s", p->idem);
            j->seq = ++seq;
        }
    }
    while (made.head)
        enqueue(q, pop(&made));
    tend_telegram_parts_free(parts, n);
    pump(tg);
    return 0;
}

int tend_telegram_say(tend_telegram *tg, const char *chat, const tend_message *msg, int64_t reply_to_message)
{
    if (!tend_telegram_id_ok(chat))
        return -1;
    send_plan p = {.chat = chat, .reply_to = reply_to_message, .button_group = NULL, .msg = msg};
    return queue_message(tg, &p);
}

/* "<chat>\t<message id>" of the command an answer belongs to. */
static void read_origin(const char *reply_to, char *chat, size_t chatlen, int64_t *mid)
{
    chat[0] = '\0';
    *mid = 0;
    if (!reply_to)
        return;
    size_t n = strcspn(reply_to, "\t");
    snprintf(chat, chatlen, "%.*s", (int)(n < chatlen ? n : chatlen - 1), reply_to);
    if (reply_to[n])
        *mid = strtoll(reply_to + n + 1, NULL, 10);
    if (!tend_telegram_id_ok(chat))
        chat[0] = '\0';
}

int tend_telegram_send_row(tend_telegram *tg, const tend_outgoing *o)
{
    const tend_message *m = o->msg;
    char origin[TG_ID_MAX], group[TG_ID_MAX], chat[TG_ID_MAX];
    int64_t mid;
    read_origin(o->reply_to, origin, sizeof origin, &mid);
    bool has_group = tend_telegram_chat_of_group(tg, m->group_key, group, sizeof group);
    send_plan p = {.row = o->id, .msg = m, .button_group = has_group ? group : NULL, .idem = o->idem_key};
    if (m->audience != TEND_TO_PUBLIC) {
        if (!tend_telegram_id_ok(m->member_key) || m->member_key[0] == '-') {
            tend_log(TEND_LOG_WARN, "telegram", "a private %s message has no member to go to", m->kind);
            tend_host_sent(tg->base.host, o->id, TEND_SENT_DROP);
            return 0;
        }
        /* a private chat's id is the member's own id */
        p.chat = p.member = m->member_key;
        p.group_chat = has_group ? group : NULL;
        p.reply_to = strcmp(origin, m->member_key) == 0 ? mid : 0;
        if (has_group)
            tend_telegram_note_group(tg, m->member_key, group);
    } else {
        bool chosen = m->channel_key && tend_telegram_follow_moves(tg, m->channel_key, chat, sizeof chat);
        if (!chosen && origin[0] && origin[0] == '-')
            chosen = tend_telegram_follow_moves(tg, origin, chat, sizeof chat);
        if (!chosen && has_group) {
            snprintf(chat, sizeof chat, "%s", group);
            chosen = true;
        }
        if (!chosen) {
            tend_log(TEND_LOG_WARN, "telegram", "a %s message has no chat to go to", m->kind);
            tend_host_sent(tg->base.host, o->id, TEND_SENT_DROP);
            return 0;
        }
        p.chat = chat;
        p.reply_to = strcmp(origin, chat) == 0 ? mid : 0;
    }
    return queue_message(tg, &p);
}

/* ---------------------------------------------------------------- life */

size_t tend_telegram_pending(const tend_telegram *tg)
{
    size_t n = 0;
    for (const tg_chatq *q = tg->chats; q; q = q->next)
        for (const tg_job *j = q->head; j; j = j->next)
            n++;
    return n;
}

void tend_telegram_senders_stop(tend_telegram *tg)
{
    if (tg->send_timer_open && !uv_is_closing((uv_handle_t *)&tg->send_timer))
        uv_timer_stop(&tg->send_timer);
}

void tend_telegram_senders_free(tend_telegram *tg)
{
    tg_chatq *q = tg->chats;
    tg->chats = NULL;
    while (q) {
        tg_chatq *next = q->next;
        while (q->head)
            job_free(pop(q));
        free(q);
        q = next;
    }
}
