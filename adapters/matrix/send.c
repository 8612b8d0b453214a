/*
 * send.c — events out, one room at a time in the order queued.
 *
 * Each event gets a fresh transaction id when queued and keeps it through every retry: the
 * homeserver treats a repeated PUT with the same id as the same event, so a retry after a lost
 * answer never posts twice. 429 waits as long as the server asks; network errors and 5xx back off
 * with jitter. Only one event per room is in flight, which is what keeps a room's order.
 *
 * A message with a file (an export, a calendar) is two events: its text, then an m.file whose
 * content is uploaded to the media repository first, when its turn comes, so the room's order
 * holds and a retry uploads again rather than pointing at nothing. In an encrypted room the bytes
 * uploaded are the file sealed under a new key each try (e2ee_file.c), and the m.file that carries
 * the key goes out Megolm-encrypted like every other event there.
 */
#include "adapters/matrix/internal.h"
#include "adapters/matrix/e2ee.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adapters/metrics.h"
#include "bot/i18n.h"
#include "bot/messages.h"
#include "lib/log.h"

/* About eight minutes of trying before an event is given up: long enough for a homeserver restart. */
#define MAX_ATTEMPTS 20

typedef struct job {
    char *type;
    char *content;
    char txn[64];
    int64_t row;               /* its outbox row (0: the adapter's own, like a reaction)  */
    char *group_key;           /* for the reactions' bookkeeping                        */
    char **emojis, **commands; /* the buttons to turn into reactions once it is sent    */
    size_t n_buttons;
    int attempts;
    tend_attachment *upload;   /* an m.file whose content waits to be uploaded; content NULL till then */
    char *file_info;           /* its sealed upload's key, iv and hash while that upload is out */
    char lang[TEND_LANG_MAX];  /* the language of its message, for a word about the upload  */
    struct job *next;
} job;

struct tend_matrix_sender {
    tend_matrix *mx;
    char *room_id;
    job *head, *tail;
    bool in_flight;
    bool waiting_keys; /* the head waits for the room key to be shared (e2ee_out.c) */
    bool timer_open;
    uv_timer_t retry;
    tend_matrix_sender *next;
};

static void job_free(job *j)
{
    if (!j)
        return;
    for (size_t i = 0; i < j->n_buttons; i++) {
        free(j->emojis[i]);
        free(j->commands[i]);
    }
    free(j->emojis);
    free(j->commands);
    free(j->type);
    if (j->content) /* an m.file's content holds its key until it is encrypted */
        explicit_bzero(j->content, strlen(j->content));
    free(j->content);
    tend_matrix_e2ee_file_release(j->file_info);
    free(j->group_key);
    if (j->upload) {
        free(j->upload->name);
        free(j->upload->content_type);
        free(j->upload->data);
        free(j->upload);
    }
    free(j);
}

static tend_matrix_sender *sender_get(tend_matrix *mx, const char *room_id)
{
    for (tend_matrix_sender *s = mx->senders; s; s = s->next)
        if (strcmp(s->room_id, room_id) == 0)
            return s;
    tend_matrix_sender *s = calloc(1, sizeof *s);
    if (!s || !(s->room_id = strdup(room_id))) {
        free(s);
        return NULL;
    }
    s->mx = mx;
    if (uv_timer_init(mx->loop, &s->retry) == 0) {
        s->timer_open = true;
        s->retry.data = s;
        mx->open_handles++;
    }
    s->next = mx->senders;
    mx->senders = s;
    return s;
}

static void send_next(tend_matrix_sender *s);

static void on_retry_timer(uv_timer_t *t)
{
    send_next(t->data);
}

static void retry_later(tend_matrix_sender *s, uint64_t delay_ms)
{
    s->in_flight = true; /* nothing else leaves this room before the retried event */
    if (s->timer_open)
        uv_timer_start(&s->retry, on_retry_timer, delay_ms, 0);
}

/* Remembers which reaction on this event runs which command, then adds the reactions. */
static void add_reactions(tend_matrix *mx, const char *room_id, const char *event_id, const job *j)
{
    for (size_t i = 0; i < j->n_buttons; i++) {
        char key[MX_KEY_MAX * 2], value[MX_KEY_MAX * 2];
        tend_matrix_reaction_state_key(event_id, j->emojis[i], key, sizeof key);
        snprintf(value, sizeof value, "%s\t%s", j->group_key ? j->group_key : "", j->commands[i]);
        if (tend_host_state_set(mx->base.host, key, value) != 0)
            continue;
        cJSON *c = cJSON_CreateObject();
        cJSON *rel = cJSON_AddObjectToObject(c, "m.relates_to");
        cJSON_AddStringToObject(rel, "rel_type", "m.annotation");
        cJSON_AddStringToObject(rel, "event_id", event_id);
        cJSON_AddStringToObject(rel, "key", j->emojis[i]);
        char *json = cJSON_PrintUnformatted(c);
        if (json)
            tend_matrix_send_event(mx, room_id, "m.reaction", json, NULL, NULL);
        free(json);
        cJSON_Delete(c);
    }
}

/* Synapse's default limits (0.2 messages a second per user, bursts of 10) delay a busy group's
 * answers by a minute, silently unless we say so; README "Matrix rate limits" tells the admin how
 * to exempt the bot. */
void tend_matrix_note_throttled(uint64_t wait_ms)
{
    static int64_t last_said_ms;
    tend_metric_add(&TEND_M_THROTTLED, TEND_MATRIX_PLATFORM, NULL, 1);
    int64_t now = tend_matrix_now_ms();
    if (last_said_ms && now - last_said_ms < 60000)
        return;
    last_said_ms = now;
    tend_log(TEND_LOG_WARN, "matrix",
             "the homeserver is rate-limiting tend (HTTP 429): messages wait %.1f s; ask its admin to "
             "exempt the bot (README: Matrix rate limits)", (double)wait_ms / 1000.0);
}

/* A throttled answer (429) or a passing failure (no answer, 5xx) puts the job at the head back
 * on the queue for later: true when it did, so the caller leaves the job where it is. */
static bool retried_later(tend_matrix_sender *s, const tend_http_response *res, const job *j)
{
    if (res->status == 429) {
        uint64_t wait = tend_matrix_retry_after_ms(res, 1000);
        tend_matrix_note_throttled(wait);
        retry_later(s, wait);
        return true;
    }
    if ((res->status == 0 || res->status >= 500) && j->attempts < MAX_ATTEMPTS) {
        retry_later(s, tend_matrix_backoff_ms(j->attempts, 500, 30000));
        return true;
    }
    return false;
}

static void on_sent(const tend_http_response *res, void *ud)
{
    tend_matrix_sender *s = ud;
    tend_matrix *mx = s->mx;
    job *j = s->head;
    /* in_flight stays set until this job is off the queue, so the reactions queued below wait */
    if (!j || (mx->stopping && res->status == 0)) {
        s->in_flight = false;
        return;
    }
    if (retried_later(s, res, j))
        return;
    s->head = j->next;
    if (!s->head)
        s->tail = NULL;
    if (j->row)
        tend_host_sent(mx->base.host, j->row,
                       res->status == 200                                              ? TEND_SENT_OK
                       : res->status == 0 || res->status == 429 || res->status >= 500 ? TEND_SENT_RETRY
                                                                                       : TEND_SENT_DROP);
    if (res->status == 200) {
        cJSON *json = cJSON_ParseWithLength(res->body, res->body_len);
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(json, "event_id");
        if (cJSON_IsString(id) && j->n_buttons)
            add_reactions(mx, s->room_id, id->valuestring, j);
        cJSON_Delete(json);
    } else {
        cJSON *err = cJSON_ParseWithLength(res->body, res->body_len);
        const cJSON *code = cJSON_GetObjectItemCaseSensitive(err, "errcode");
        const cJSON *why = cJSON_GetObjectItemCaseSensitive(err, "error");
        tend_log(TEND_LOG_WARN, "matrix", "the homeserver refused a %s for %s (HTTP %ld %s: %.120s)", j->type,
                 s->room_id, res->status, cJSON_IsString(code) ? code->valuestring : "",
                 cJSON_IsString(why) ? why->valuestring : "");
        cJSON_Delete(err);
    }
    job_free(j);
    send_next(s);
}

static void upload_next(tend_matrix_sender *s, job *j);

/* In an encrypted room the head goes out as m.room.encrypted: 0 when it may go now, else it waits
 * (for its room key to be shared, or a back-off). A file not yet uploaded may go: upload_next
 * seals it first, and its m.file comes back here. */
static int encrypt_head(tend_matrix_sender *s, job *j)
{
    tend_matrix *mx = s->mx;
    if (!j->content)
        return 0;
    if (strcmp(j->type, "m.room.encrypted") == 0)
        return 0; /* encrypted on an earlier try: the same ciphertext under the same txn id */
    int rc = tend_matrix_e2ee_encrypt(mx, s->room_id, &j->type, &j->content);
    if (rc == 0)
        return 0;
    s->in_flight = true; /* nothing else leaves this room before it */
    if (rc == 1) {
        s->waiting_keys = true;
    } else {
        j->attempts++;
        retry_later(s, tend_matrix_backoff_ms(j->attempts, 1000, 30000));
    }
    return 1;
}

void tend_matrix_send_resume(tend_matrix *mx, const char *room_id)
{
    for (tend_matrix_sender *s = mx->senders; s; s = s->next)
        if (s->waiting_keys && strcmp(s->room_id, room_id) == 0)
            send_next(s);
}

static void send_next(tend_matrix_sender *s)
{
    tend_matrix *mx = s->mx;
    job *j = s->head;
    s->in_flight = false;
    s->waiting_keys = false;
    if (!j || !mx->http)
        return;
    if (tend_matrix_e2ee_room_needs(mx, s->room_id) && encrypt_head(s, j) != 0)
        return;
    if (!j->content) {
        upload_next(s, j);
        return;
    }
    char *room = tend_matrix_escape(s->room_id);
    char *txn = tend_matrix_escape(j->txn);
    char path[1024];
    snprintf(path, sizeof path, "/rooms/%s/send/%s/%s", room ? room : "", j->type, txn ? txn : "");
    free(room);
    free(txn);
    char *url = tend_matrix_url(mx, path);
    j->attempts++;
    s->in_flight = true;
    if (!url || tend_matrix_request(mx, "PUT", url, j->content, 30000, on_sent, s) != 0) {
        /* could not even start (out of memory, shutting down): the same back-off as a lost answer */
        retry_later(s, tend_matrix_backoff_ms(j->attempts, 500, 30000));
    }
    free(url);
}

static job *job_new(tend_matrix *mx, const char *type, const char *content, const tend_message *btn,
                    const tend_matrix_ticket *ticket)
{
    job *j = calloc(1, sizeof *j);
    if (!j)
        return NULL;
    j->type = strdup(type);
    j->content = content ? strdup(content) : NULL;
    /* an outbox row keeps its key across restarts, so the homeserver recognises a repeat */
    if (ticket && ticket->txn[0]) {
        j->row = ticket->row;
        snprintf(j->txn, sizeof j->txn, "tend-%s", ticket->txn);
    } else {
        snprintf(j->txn, sizeof j->txn, "tend%" PRId64 "-%" PRIu64, mx->txn_epoch_ms, ++mx->txn_counter);
    }
    if (!j->type || (content && !j->content))
        goto fail;
    size_t n = btn ? btn->n_buttons : 0;
    if (n) {
        j->emojis = calloc(n, sizeof *j->emojis);
        j->commands = calloc(n, sizeof *j->commands);
        j->group_key = btn->group_key ? strdup(btn->group_key) : NULL;
        if (!j->emojis || !j->commands)
            goto fail;
        for (size_t i = 0; i < n; i++) {
            const tend_button *b = &btn->buttons[i];
            if (!b->emoji || !*b->emoji || !b->command)
                continue; /* a button without an emoji has no Matrix form; the text says the command */
            j->emojis[j->n_buttons] = strdup(b->emoji);
            j->commands[j->n_buttons] = strdup(b->command);
            j->n_buttons++;
            if (!j->emojis[j->n_buttons - 1] || !j->commands[j->n_buttons - 1])
                goto fail;
        }
    }
    return j;
fail:
    job_free(j);
    return NULL;
}

static void enqueue_job(tend_matrix_sender *s, job *j);

int tend_matrix_send_event(tend_matrix *mx, const char *room_id, const char *type, const char *content,
                           const tend_message *buttons_from, const tend_matrix_ticket *ticket)
{
    tend_matrix_sender *s = sender_get(mx, room_id);
    job *j = s ? job_new(mx, type, content, buttons_from, ticket) : NULL;
    if (!j)
        return -1;
    enqueue_job(s, j);
    return 0;
}

static void enqueue_job(tend_matrix_sender *s, job *j)
{
    if (s->tail)
        s->tail->next = j;
    else
        s->head = j;
    s->tail = j;
    if (!s->in_flight)
        send_next(s);
}

/* ---------------------------------------------------------------- files */

static void on_uploaded(const tend_http_response *res, void *ud)
{
    tend_matrix_sender *s = ud;
    tend_matrix *mx = s->mx;
    job *j = s->head;
    if (!j || j->content || (mx->stopping && res->status == 0)) {
        s->in_flight = false;
        return;
    }
    if (retried_later(s, res, j))
        return;
    cJSON *json = res->status == 200 ? cJSON_ParseWithLength(res->body, res->body_len) : NULL;
    const cJSON *uri = cJSON_GetObjectItemCaseSensitive(json, "content_uri");
    if (cJSON_IsString(uri) && strncmp(uri->valuestring, "mxc://", 6) == 0)
        j->content = j->file_info ? tend_matrix_render_encrypted_file(j->upload->name, j->upload->content_type,
                                                                      j->upload->len, uri->valuestring, j->file_info)
                                  : tend_matrix_render_file(j->upload->name, j->upload->content_type,
                                                            j->upload->len, uri->valuestring);
    cJSON_Delete(json);
    tend_matrix_e2ee_file_release(j->file_info);
    j->file_info = NULL;
    if (!j->content) {
        /* refused for good (too large for the homeserver, no right to upload): the row's verdict
         * is the upload's, and the room goes on with its next event */
        tend_log(TEND_LOG_WARN, "matrix", "the homeserver refused a file upload for %s (HTTP %ld)", s->room_id,
                 res->status);
        if (res->status == 413) { /* the words went before it: they say why the file does not follow */
            char note[256];
            size_t mb = (j->upload->len + (1u << 20) - 1) >> 20;
            snprintf(note, sizeof note, tend_i18n_tr(j->lang, MSG_FILE_TOO_BIG), mb,
                     tend_i18n_tr(j->lang, MSG_MATRIX_THIS_HOMESERVER));
            tend_matrix_send_notice(mx, s->room_id, note + 1);
        }
        s->head = j->next;
        if (!s->head)
            s->tail = NULL;
        if (j->row)
            tend_host_sent(mx->base.host, j->row, res->status == 200 ? TEND_SENT_RETRY : TEND_SENT_DROP);
        job_free(j);
    } else {
        j->attempts = 0; /* the event's own tries start now */
    }
    send_next(s);
}

/* POST /_matrix/media/v3/upload: the file's bytes with its type; the answer's content_uri goes in
 * the m.file event. For an encrypted room the bytes are sealed anew on every try (a retry never
 * reuses a key), and go as the opaque application/octet-stream without their name, as clients
 * upload encrypted files: the media repository learns neither. */
static void upload_next(tend_matrix_sender *s, job *j)
{
    tend_matrix *mx = s->mx;
    bool sealed = tend_matrix_e2ee_room_needs(mx, s->room_id);
    char *ciphertext = NULL, *url = NULL;
    tend_matrix_e2ee_file_release(j->file_info);
    j->file_info = NULL;
    j->attempts++;
    s->in_flight = true;
    if (sealed && tend_matrix_e2ee_file_seal(j->upload->data, j->upload->len, &ciphertext, &j->file_info) != 0) {
        retry_later(s, tend_matrix_backoff_ms(j->attempts, 500, 30000));
        return;
    }
    char *name = sealed ? NULL : tend_matrix_escape(j->upload->name);
    size_t n = strlen(mx->homeserver) + (name ? strlen(name) : 0) + 64;
    if ((url = malloc(n)) != NULL) {
        if (sealed)
            snprintf(url, n, "%s/_matrix/media/v3/upload", mx->homeserver);
        else
            snprintf(url, n, "%s/_matrix/media/v3/upload?filename=%s", mx->homeserver, name ? name : "file");
    }
    free(name);
    const char *headers[] = {mx->auth_header, NULL};
    tend_http_request req = {.method = "POST", .url = url, .body = sealed ? ciphertext : j->upload->data,
                             .body_len = j->upload->len,
                             .content_type = sealed ? "application/octet-stream" : j->upload->content_type,
                             .headers = headers, .timeout_ms = 60000};
    if (!url || tend_http_send(mx->http, &req, on_uploaded, s) != 0)
        retry_later(s, tend_matrix_backoff_ms(j->attempts, 500, 30000));
    free(url);
    tend_matrix_e2ee_file_release(ciphertext); /* lib/http copied it */
}

/* The text as its own event, then the m.file; the row's verdict is the file's, and both keep
 * transaction ids from the row's key, so a resend after a restart repeats neither. */
static int send_with_file(tend_matrix *mx, const char *room_id, const tend_message *msg, const char *reply_to,
                          const tend_matrix_ticket *ticket)
{
    tend_matrix_sender *s = sender_get(mx, room_id);
    if (!s)
        return -1;
    tend_matrix_ticket text_ticket = {.row = 0};
    if (ticket && ticket->txn[0])
        snprintf(text_ticket.txn, sizeof text_ticket.txn, "%.40s-t", ticket->txn);
    char *content = tend_matrix_render_content(msg, reply_to);
    job *text = content ? job_new(mx, "m.room.message", content, msg, &text_ticket) : NULL;
    job *file = text ? job_new(mx, "m.room.message", NULL, NULL, ticket) : NULL;
    free(content);
    tend_attachment *a = file ? calloc(1, sizeof *a) : NULL;
    if (a) {
        file->upload = a;
        snprintf(file->lang, sizeof file->lang, "%s", msg->lang);
        a->name = strdup(msg->file->name);
        a->content_type = strdup(msg->file->content_type);
        a->data = strdup(msg->file->data);
        a->len = msg->file->len;
    }
    if (!a || !a->name || !a->content_type || !a->data) {
        job_free(text);
        job_free(file);
        return -1;
    }
    enqueue_job(s, text);
    enqueue_job(s, file);
    return 0;
}

int tend_matrix_send_message(tend_matrix *mx, const char *room_id, const tend_message *msg,
                             const char *reply_to, const tend_matrix_ticket *ticket)
{
    if (msg->file)
        return send_with_file(mx, room_id, msg, reply_to, ticket);
    char *content = tend_matrix_render_content(msg, reply_to);
    if (!content)
        return -1;
    int rc = tend_matrix_send_event(mx, room_id, "m.room.message", content, msg, ticket);
    free(content);
    return rc;
}

int tend_matrix_send_notice(tend_matrix *mx, const char *room_id, const char *text)
{
    char *content = tend_matrix_render_notice(text);
    if (!content)
        return -1;
    int rc = tend_matrix_send_event(mx, room_id, "m.room.message", content, NULL, NULL);
    free(content);
    return rc;
}

size_t tend_matrix_pending(const tend_matrix *mx)
{
    size_t n = 0;
    for (const tend_matrix_sender *s = mx->senders; s; s = s->next)
        for (const job *j = s->head; j; j = j->next)
            n++;
    return n;
}

static void on_timer_closed(uv_handle_t *h)
{
    tend_matrix_sender *s = h->data;
    s->mx->open_handles--;
    free(s->room_id);
    free(s);
}

void tend_matrix_senders_stop(tend_matrix *mx)
{
    for (tend_matrix_sender *s = mx->senders; s; s = s->next)
        if (s->timer_open)
            uv_timer_stop(&s->retry);
}

void tend_matrix_senders_free(tend_matrix *mx)
{
    tend_matrix_sender *s = mx->senders;
    mx->senders = NULL;
    while (s) {
        tend_matrix_sender *next = s->next;
        job *j = s->head;
        while (j) {
            job *jn = j->next;
            job_free(j);
            j = jn;
        }
        s->head = s->tail = NULL;
        if (s->timer_open && !uv_is_closing((uv_handle_t *)&s->retry)) {
            uv_close((uv_handle_t *)&s->retry, on_timer_closed);
        } else {
            free(s->room_id);
            free(s);
        }
        s = next;
    }
}

int tend_matrix_send_row(tend_matrix *mx, const tend_outgoing *o)
{
    const tend_message *m = o->msg;
    tend_matrix_ticket ticket = {.row = o->id};
    snprintf(ticket.txn, sizeof ticket.txn, "%s", o->idem_key);
    tend_matrix_origin from;
    tend_matrix_origin_read(o->reply_to, &from);
    /* a private command typed where others read it: the refusal goes privately, and the command
     * itself comes down where it was typed */
    if (strcmp(m->kind, TEND_KIND_PRIVATE_ONLY) == 0 && from.room[0] && from.command[0])
        tend_matrix_take_down(mx, from.room, from.command, o->idem_key);
    if (tend_matrix_group_dormant(mx, m)) {
        tend_host_sent(mx->base.host, o->id, TEND_SENT_OK); /* the group sleeps while its room is linked */
        return 0;
    }
    if (m->audience != TEND_TO_PUBLIC) {
        if (tend_matrix_dm_deliver(mx, m, &ticket) != 0) {
            tend_log(TEND_LOG_WARN, "matrix", "a private %s message has no member to go to", m->kind);
            tend_host_sent(mx->base.host, o->id, TEND_SENT_DROP);
        }
        return 0;
    }
    const char *room = m->channel_key && *m->channel_key ? m->channel_key : NULL;
    if (!room)
        room = from.room[0] ? from.room : tend_matrix_room_of_group(m->group_key);
    if (!room) {
        tend_log(TEND_LOG_WARN, "matrix", "a %s message has no room to go to", m->kind);
        tend_host_sent(mx->base.host, o->id, TEND_SENT_DROP);
        return 0;
    }
    bool here = from.room[0] && strcmp(room, from.room) == 0 && from.reply[0];
    if (here && from.thread[0])
        return tend_matrix_send_in_thread(mx, room, m, from.reply, from.thread, &ticket);
    return tend_matrix_send_message(mx, room, m, here ? from.reply : NULL, &ticket);
}
