/*
 * dispatch.c — Discord events into the host, outbox rows out to Discord.
 *
 * In: an interaction or a message that mentions the bot becomes a tend_request whose reply_to
 * says how to answer it ("i:<interaction id>:<token>" or "m:<channel id>:<message id>"); the host
 * runs it and its answers come back through dc_send() at once, the interaction's callback first.
 *
 * Out: each row is one message, sent the way the member would still see it:
 *   - the first answer to an interaction is its callback (ephemeral when private), if Discord's
 *     3 seconds have not passed; later answers are follow-ups on its webhook (15 minutes);
 *   - past those windows (tend was down), a private answer goes as a DM and a public one to the
 *     channel, so a command answered late is still answered;
 *   - everything else: a channel post, or a DM, both with the row's idempotency key as `nonce`
 *     and enforce_nonce, so a resend after a crash is recognised by Discord.
 * The row is reported delivered only when Discord accepted every piece of it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "adapters/discord/internal.h"
#include "bot/messages.h"
#include "lib/log.h"

#define PATH_MAX_LEN 512
#define CALLBACK_WINDOW_MS 2500           /* Discord allows 3 s; keep a margin for the trip */
#define DC_NONCE_MAX 25 /* characters, Discord's limit */
#define DC_ERR_UNKNOWN_INTERACTION 10062
#define DC_ERR_ALREADY_ACKNOWLEDGED 40060

static void sending_free(struct dc_sending *s);

void dc_dispatch_free(discord *d)
{
    for (size_t i = 0; i < d->interactions.n_slots; i++)
        for (dc_hnode *n = d->interactions.slots[i], *next; n; n = next) {
            next = n->next;
            free(n);
        }
    free(d->interactions.slots);
    d->interactions = (dc_hmap){0};
    /* sends whose requests the stop cancelled: their callbacks never come */
    while (d->sendings)
        sending_free(d->sendings);
}

/* ---------------------------------------------------------------- one send, possibly in pieces */

typedef enum { ROUTE_CALLBACK, ROUTE_FOLLOWUP, ROUTE_CHANNEL, ROUTE_DM } route_kind;

typedef struct dc_sending {
    discord *d;
    struct dc_sending *live_prev, *live_next; /* d->sendings: on their way until finished */
    int64_t row;
    char idem[64];
    route_kind route;
    char interaction[32], token[160];  /* ROUTE_CALLBACK / FOLLOWUP */
    char target[64];                   /* channel id, or the user id for ROUTE_DM */
    char reference[32];                /* the message a mention's public answer replies to */
    bool ephemeral;
    tend_messages pieces;
    size_t next;                       /* the next piece to send */
    uint64_t chain;
    bool ask_first;                    /* a late first answer: did its callback go before a crash? */
} sending;

static void sending_free(sending *s)
{
    if (s->live_prev)
        s->live_prev->live_next = s->live_next;
    else
        s->d->sendings = s->live_next;
    if (s->live_next)
        s->live_next->live_prev = s->live_prev;
    tend_messages_clear(&s->pieces);
    free(s);
}

static void finish(sending *s, tend_sent_result result)
{
    discord *d = s->d;
    int64_t row = s->row;
    sending_free(s);
    if (!d->stopping)
        tend_host_sent(d->base.host, row, result);
}

static tend_sent_result verdict_of(long status)
{
    if (status >= 200 && status < 300)
        return TEND_SENT_OK;
    if (status == 0 || status == 429 || status >= 500)
        return TEND_SENT_RETRY;
    return TEND_SENT_DROP; /* Discord refused it for good: a closed DM, a deleted channel */
}

static long error_code(const cJSON *body)
{
    const cJSON *code = cJSON_GetObjectItemCaseSensitive(body, "code");
    return cJSON_IsNumber(code) ? (long)code->valuedouble : 0;
}

static void send_next(sending *s);
static void after_deferral(discord *d, dc_seen *seen, sending *s, const tend_message *m, uint64_t age);
static uint64_t chain_for(const char *key);

/* The late path, when an interaction can no longer be answered in place. */
static void go_around(sending *s, const tend_message *m)
{
    if (m->audience == TEND_TO_PUBLIC && m->channel_key && *m->channel_key) {
        s->route = ROUTE_CHANNEL;
        snprintf(s->target, sizeof s->target, "%s", m->channel_key);
    } else {
        s->route = ROUTE_DM;
        snprintf(s->target, sizeof s->target, "%s", m->member_key ? m->member_key : "");
    }
    s->ephemeral = false;
}

/* After a 40060 on an answer's callback: a deferral from before a restart is still loading
 * (flags LOADING) and waits for this answer as its follow-up; anything else was the answer. */
static void original_done(discord *d, long status, const cJSON *body, void *ud)
{
    sending *s = ud;
    if (d->stopping) {
        sending_free(s);
        return;
    }
    const cJSON *flags = cJSON_GetObjectItemCaseSensitive(body, "flags");
    if (status < 200 || status >= 300 || !cJSON_IsNumber(flags) || !((long)flags->valuedouble & DC_FLAG_LOADING)) {
        finish(s, TEND_SENT_OK);
        return;
    }
    dc_seen *seen = dc_seen_find(d, s->interaction);
    if (!seen && dc_seen_add(d, s->interaction, dc_wall_ms()))
        seen = dc_seen_find(d, s->interaction);
    if (!seen) {
        s->route = ROUTE_FOLLOWUP; /* out of memory: the follow-up keeps the deferral's privacy */
    } else {
        seen->acked = seen->deferred = true;
        seen->chain = s->chain;
        after_deferral(d, seen, s, &s->pieces.items[0], 0);
        if (s->route != ROUTE_FOLLOWUP)
            s->chain = chain_for(s->target);
    }
    send_next(s);
}

static void ask_original_then(sending *s, dc_rest_done done)
{
    char path[PATH_MAX_LEN];
    snprintf(path, sizeof path, "/webhooks/%s/%s/messages/@original", s->d->app_id, s->token);
    if (dc_rest_send(s->d->rest, s->chain, "GET", path, NULL, done, s) != 0)
        finish(s, TEND_SENT_RETRY);
}

/* A first answer taken up after its interaction's 3 seconds (tend restarted, or another process
 * took the row over): the callback may have gone before the crash, its row not yet removed.
 * Discord's original response tells: there, the member has this answer (or a deferral of ours
 * waits for it); not there, the answer goes around, as it would have. */
static void late_original_done(discord *d, long status, const cJSON *body, void *ud)
{
    sending *s = ud;
    if (d->stopping) {
        sending_free(s);
        return;
    }
    if (status >= 200 && status < 300) {
        dc_seen *seen = dc_seen_find(d, s->interaction);
        if (seen)
            seen->acked = true; /* the answers after it follow on the webhook */
        original_done(d, status, body, ud);
        return;
    }
    if (verdict_of(status) == TEND_SENT_RETRY) {
        finish(s, TEND_SENT_RETRY);
        return;
    }
    /* 404: no response (the callback never went); 401: the token is over: either way, around */
    go_around(s, &s->pieces.items[0]);
    s->chain = chain_for(s->target);
    send_next(s);
}

static void piece_done(discord *d, long status, const cJSON *body, void *ud)
{
    sending *s = ud;
    if (d->stopping) {
        sending_free(s);
        return;
    }
    if (s->route == ROUTE_CALLBACK && (status < 200 || status >= 300)) {
        long code = error_code(body);
        dc_seen *seen = dc_seen_find(d, s->interaction);
        if (code == DC_ERR_ALREADY_ACKNOWLEDGED) {
            if (seen)
                seen->acked = true;
            if (s->pieces.items[0].first_answer && s->next == 0) {
                /* this very answer went out before a crash, its row not yet removed, or only our
                 * deferral did: the original response, still loading, tells which */
                ask_original_then(s, original_done);
                return;
            }
            s->route = ROUTE_FOLLOWUP; /* another answer took the callback: follow on */
            send_next(s);
            return;
        }
        if (code == DC_ERR_UNKNOWN_INTERACTION) {
            tend_log(TEND_LOG_INFO, "discord", "an interaction expired before its answer; sending it around");
            go_around(s, &s->pieces.items[0]);
            send_next(s);
            return;
        }
    }
    if (s->route == ROUTE_FOLLOWUP && status == 404 && s->next == 0) {
        /* no callback ever went for it (tend died first) and its 3 seconds are over */
        go_around(s, &s->pieces.items[0]);
        send_next(s);
        return;
    }
    tend_sent_result verdict = verdict_of(status);
    if (verdict != TEND_SENT_OK) {
        if (verdict == TEND_SENT_DROP)
            tend_log(TEND_LOG_WARN, "discord", "Discord refused a message (status %ld, code %ld)", status,
                     error_code(body));
        finish(s, verdict);
        return;
    }
    if (s->route == ROUTE_CALLBACK) {
        dc_seen *seen = dc_seen_find(d, s->interaction);
        if (seen)
            seen->acked = true;
        s->route = ROUTE_FOLLOWUP; /* further pieces of a long answer follow on the webhook */
    }
    s->next++;
    send_next(s);
}

/* A piece that carries a file goes as multipart/form-data (its JSON names the file). */
static int post(sending *s, const char *path, cJSON *json)
{
    const tend_message *m = &s->pieces.items[s->next];
    char *body = dc_json_take(json);
    if (!body)
        return -1;
    int rc = dc_rest_send_file(s->d->rest, s->chain, "POST", path, body, m->file, piece_done, s);
    free(body);
    return rc;
}

/* A channel post or a DM carries the row's key, so Discord drops a repeat after a crash. */
static void add_nonce(sending *s, cJSON *json)
{
    char nonce[96];
    int n = s->next ? snprintf(nonce, sizeof nonce, "%s.%zu", s->idem, s->next)
                    : snprintf(nonce, sizeof nonce, "%s", s->idem);
    if (n <= 0 || n > DC_NONCE_MAX)
        return; /* longer than Discord takes (never with tend's keys): sent without one */
    cJSON_AddStringToObject(json, "nonce", nonce);
    cJSON_AddBoolToObject(json, "enforce_nonce", true);
}

/* ---------------------------------------------------------------- DMs */

static void dm_channel_done(discord *d, long status, const cJSON *body, void *ud)
{
    sending *s = ud;
    if (d->stopping) {
        sending_free(s);
        return;
    }
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(body, "id");
    if (status < 200 || status >= 300 || !cJSON_IsString(id)) {
        tend_log(TEND_LOG_WARN, "discord", "could not open a DM channel (status %ld)", status);
        finish(s, verdict_of(status ? status : 0) == TEND_SENT_OK ? TEND_SENT_RETRY : verdict_of(status));
        return;
    }
    char key[96];
    snprintf(key, sizeof key, "dm:%s", s->target);
    if (tend_host_state_set(d->base.host, key, id->valuestring) != 0)
        tend_log(TEND_LOG_WARN, "discord", "could not remember a DM channel");
    send_next(s);
}

static int send_dm_piece(sending *s, const tend_message *m)
{
    char key[96], channel[64], path[PATH_MAX_LEN];
    snprintf(key, sizeof key, "dm:%s", s->target);
    if (tend_host_state_get(s->d->base.host, key, channel, sizeof channel) == 0) {
        snprintf(path, sizeof path, "/channels/%s/messages", channel);
        cJSON *json = dc_render_message(m, false);
        if (json)
            add_nonce(s, json);
        return json ? post(s, path, json) : -1;
    }
    cJSON *open = cJSON_CreateObject();
    if (!open)
        return -1;
    cJSON_AddStringToObject(open, "recipient_id", s->target);
    char *body = dc_json_take(open);
    if (!body)
        return -1;
    int rc = dc_rest_send(s->d->rest, s->chain, "POST", "/users/@me/channels", body, dm_channel_done, s);
    free(body);
    return rc;
}

/* ---------------------------------------------------------------- sending pieces */

static void send_next(sending *s)
{
    discord *d = s->d;
    if (s->next >= s->pieces.count) {
        finish(s, TEND_SENT_OK);
        return;
    }
    const tend_message *m = &s->pieces.items[s->next];
    char path[PATH_MAX_LEN];
    cJSON *json = NULL;
    int rc = -1;
    switch (s->route) {
    case ROUTE_CALLBACK:
        snprintf(path, sizeof path, "/interactions/%s/%s/callback", s->interaction, s->token);
        rc = (json = dc_render_callback(m, s->ephemeral)) ? post(s, path, json) : -1;
        break;
    case ROUTE_FOLLOWUP:
        snprintf(path, sizeof path, "/webhooks/%s/%s", d->app_id, s->token);
        rc = (json = dc_render_message(m, s->ephemeral)) ? post(s, path, json) : -1;
        break;
    case ROUTE_CHANNEL:
        snprintf(path, sizeof path, "/channels/%s/messages", s->target);
        if ((json = dc_render_message(m, false))) {
            add_nonce(s, json);
            if (s->reference[0] && s->next == 0) {
                cJSON *ref = cJSON_AddObjectToObject(json, "message_reference");
                cJSON_AddStringToObject(ref, "message_id", s->reference);
                cJSON_AddBoolToObject(ref, "fail_if_not_exists", false);
            }
            rc = post(s, path, json);
        }
        break;
    case ROUTE_DM:
        rc = send_dm_piece(s, m);
        break;
    }
    if (rc != 0)
        finish(s, TEND_SENT_RETRY);
}

/* Discord shows the first follow-up after a deferral in the deferral's place, as private as the
 * deferral was (always: ephemeral). A private answer fills it; a public one goes to the channel,
 * where the group reads it, and the loading message is deleted unless a private answer filled it. */
static void after_deferral(discord *d, dc_seen *seen, sending *s, const tend_message *m, uint64_t age)
{
    s->chain = seen->chain;
    if (m->audience != TEND_TO_PUBLIC && age < DC_FOLLOWUP_WINDOW_MS) {
        s->route = ROUTE_FOLLOWUP;
        seen->filled = true;
        return;
    }
    go_around(s, m);
    if (seen->filled || seen->cleared || age >= DC_FOLLOWUP_WINDOW_MS)
        return;
    seen->cleared = true;
    char path[PATH_MAX_LEN];
    snprintf(path, sizeof path, "/webhooks/%s/%s/messages/@original", d->app_id, s->token);
    if (dc_rest_send(d->rest, seen->chain, "DELETE", path, NULL, NULL, NULL) != 0)
        tend_log(TEND_LOG_WARN, "discord", "could not clear a deferred answer's loading message");
}

/* "X:Y" as sscanf's "%[^:]:%s" splits it, at a fraction of its cost (every answer comes through
 * here): 2 with both, 1 with only X (no ':' or nothing after it), 0 when X is empty or does not
 * fit. Y is cut to fit, as %s with a width would. */
static int split_pair(const char *s, char *x, size_t xlen, char *y, size_t ylen)
{
    size_t n = strcspn(s, ":");
    if (n == 0 || n >= xlen)
        return 0;
    memcpy(x, s, n);
    x[n] = '\0';
    if (s[n] != ':')
        return 1;
    s += n + 1;
    size_t m = strcspn(s, " \t\r\n\v\f");
    if (m == 0)
        return 1;
    if (m >= ylen)
        m = ylen - 1;
    memcpy(y, s, m);
    y[m] = '\0';
    return 2;
}

/* Picks the way for a row from its origin and its age. */
static void choose_route(discord *d, sending *s, const tend_outgoing *o)
{
    const tend_message *m = o->msg;
    const char *r = o->reply_to;
    if (r && strncmp(r, "i:", 2) == 0 &&
        split_pair(r + 2, s->interaction, sizeof s->interaction, s->token, sizeof s->token) == 2) {
        dc_seen *seen = dc_seen_find(d, s->interaction);
        uint64_t now = dc_wall_ms();
        s->ephemeral = m->audience != TEND_TO_PUBLIC;
        if (!seen) {
            /* from before a restart, its arrival known only to the second. The first answer tries
             * the callback within Discord's 3 seconds (40060 then says it went out before the
             * crash: delivered; 10062 says it expired: go around); a later answer follows on the
             * webhook while the token lives (a 404 says the callback never went: go around) */
            uint64_t created = (uint64_t)o->created_at * 1000u, age = now - created;
            if (m->first_answer && age < CALLBACK_WINDOW_MS)
                s->route = ROUTE_CALLBACK;
            else if (age < DC_FOLLOWUP_WINDOW_MS)
                s->route = ROUTE_FOLLOWUP; /* a first answer asks first: late_original_done */
            else
                go_around(s, m);
            s->ask_first = m->first_answer && s->route == ROUTE_FOLLOWUP;
            /* what the first answer did decides for the others: a callback that went makes them
             * follow-ups, one too late sends them around too */
            if (m->first_answer)
                dc_seen_add(d, s->interaction, created);
            return;
        }
        uint64_t age = now > seen->arrived_ms ? now - seen->arrived_ms : 0;
        if (seen->deferred) {
            after_deferral(d, seen, s, m, age);
            return;
        }
        if (!seen->acked && age < CALLBACK_WINDOW_MS)
            seen->answering = true;
        if (seen->acked && age < DC_FOLLOWUP_WINDOW_MS)
            s->route = ROUTE_FOLLOWUP;
        else if (!seen->acked && age < CALLBACK_WINDOW_MS)
            s->route = ROUTE_CALLBACK;
        else
            go_around(s, m); /* its 3 seconds passed unanswered, or its token expired */
        return;
    }
    if (r && strncmp(r, "m:", 2) == 0 && m->audience == TEND_TO_PUBLIC) {
        char channel[64] = "";
        if (split_pair(r + 2, channel, sizeof channel, s->reference, sizeof s->reference) >= 1) {
            s->route = ROUTE_CHANNEL;
            snprintf(s->target, sizeof s->target, "%s", channel);
            return;
        }
    }
    go_around(s, m);
}

/* Messages to one channel or one member also keep their order inside the REST queue. */
static uint64_t chain_for(const char *key)
{
    return dc_hash_text(key) | (1ULL << 63);
}

int dc_send(discord *d, const tend_outgoing *o)
{
    if (d->stopping)
        return -1;
    sending *s = calloc(1, sizeof *s);
    if (!s)
        return -1;
    s->d = d;
    s->live_next = d->sendings;
    if (d->sendings)
        d->sendings->live_prev = s;
    d->sendings = s;
    s->row = o->id;
    snprintf(s->idem, sizeof s->idem, "%s", o->idem_key);
    tend_messages_init(&s->pieces);
    if (dc_split_message(o->msg, &s->pieces) != 0 || s->pieces.count == 0) {
        sending_free(s);
        return -1;
    }
    /* Discord refuses a bigger upload with 413, and the member would get nothing at all: the
     * words go, and say why the file did not */
    tend_message *last = &s->pieces.items[s->pieces.count - 1];
    if (last->file && last->file->len > DC_FILE_MAX) {
        size_t mb = (last->file->len + 1024 * 1024 - 1) / (1024 * 1024);
        tend_log(TEND_LOG_WARN, "discord", "a %s file of %zu MB is over Discord's upload limit; sent without it",
                 last->kind, mb);
        size_t words = strlen(last->text ? last->text : "");
        if (tend_message_inline_file(last) == 0)
            last->text[words] = '\0'; /* the file's text itself, cut in 2000-byte pieces, is no use */
        if (last->file || tend_message_appendf(last, MSG_FILE_TOO_BIG, mb, "Discord") != 0) {
            sending_free(s);
            return -1;
        }
    }
    choose_route(d, s, o);
    if ((s->route == ROUTE_CHANNEL || s->route == ROUTE_DM) && !s->target[0]) {
        tend_log(TEND_LOG_WARN, "discord", "no channel or member known for a %s message; dropped", o->msg->kind);
        finish(s, TEND_SENT_DROP);
        return 0;
    }
    if (!s->chain || (s->route != ROUTE_CALLBACK && s->route != ROUTE_FOLLOWUP))
        s->chain = s->route == ROUTE_CALLBACK || s->route == ROUTE_FOLLOWUP ? dc_rest_new_chain(d->rest)
                                                                            : chain_for(s->target);
    if (s->ask_first)
        ask_original_then(s, late_original_done);
    else
        send_next(s);
    return 0;
}

/* ---------------------------------------------------------------- commands in */

static void run_command(discord *d, dc_event *ev)
{
    char reply_to[256];
    bool fresh = false;
    if (ev->kind == DC_EVENT_MENTION) {
        snprintf(reply_to, sizeof reply_to, "m:%s:%s", ev->channel_id, ev->id);
    } else {
        fresh = dc_seen_add(d, ev->id, dc_wall_ms());
        snprintf(reply_to, sizeof reply_to, "i:%s:%s", ev->id, ev->token);
        ev->req.answers_expire = true; /* an interaction is answered within its window or never */
    }
    ev->req.reply_to = reply_to;
    int rc = tend_host_handle(d->base.host, &ev->req);
    if (rc == TEND_HOST_QUEUED && fresh) {
        /* it runs off the loop: its verdict comes to dc_dispatch_handled, and if its answer is slow,
         * a deferral keeps Discord's 3 seconds */
        dc_seen_find(d, ev->id)->fresh = true;
        dc_defer_watch(d, ev->id, ev->token);
    }
    if (rc == TEND_HOST_DUPLICATE) {
        tend_log(TEND_LOG_DEBUG, "discord", "event %s was answered already", ev->id);
        /* a replay after a restart did not arrive now: its answers still waiting go by their own
         * age, not by a fresh 3-second window that passed long ago */
        if (fresh)
            dc_seen_forget(d, ev->id);
    }
}

/* ---------------------------------------------------------------- autocomplete */

/* Which tasks to offer is the bot's answer, through the host; here it only becomes choices. The
 * whole command text goes, so "handoff accept" is not read as "handoff". */
typedef struct {
    discord *d;
    char id[32], token[160];
} choosing;

static void post_choices(void *ud, const tend_choice *c, size_t n)
{
    choosing *ch = ud;
    discord *d = ch->d;
    if (d->stopping) {
        free(ch);
        return;
    }
    const char *names[TEND_MAX_CHOICES], *values[TEND_MAX_CHOICES];
    if (n > TEND_MAX_CHOICES)
        n = TEND_MAX_CHOICES;
    for (size_t i = 0; i < n; i++) {
        names[i] = c[i].name;
        values[i] = c[i].value;
    }
    char path[PATH_MAX_LEN];
    snprintf(path, sizeof path, "/interactions/%s/%s/callback", ch->id, ch->token);
    char *body = dc_json_take(dc_render_choices(names, values, n));
    if (body)
        dc_rest_send(d->rest, dc_rest_new_chain(d->rest), "POST", path, body, NULL, NULL);
    free(body);
    free(ch);
}

static void answer_autocomplete(discord *d, const dc_event *ev)
{
    choosing *ch = calloc(1, sizeof *ch);
    if (!ch)
        return;
    ch->d = d;
    snprintf(ch->id, sizeof ch->id, "%s", ev->id);
    snprintf(ch->token, sizeof ch->token, "%s", ev->token);
    /* at once, or (a PostgreSQL store) when the host's store thread has the answer */
    if (tend_host_complete_then(d->base.host, ev->group_key, ev->user_id, ev->text, ev->focused_option, ev->focused,
                                post_choices, ch) != 0)
        free(ch);
}

/* ---------------------------------------------------------------- entry points */

void dc_dispatch_interaction(discord *d, const cJSON *payload)
{
    dc_event ev;
    char err[128];
    if (dc_event_from_interaction(payload, &ev, err, sizeof err) != 0) {
        tend_log(TEND_LOG_WARN, "discord", "skipped an interaction: %s", err);
        return;
    }
    if (ev.kind == DC_EVENT_AUTOCOMPLETE) {
        /* suggestions change nothing, so nothing is written: a second delivery in this run is
         * skipped by the map of interactions seen; one after a restart is answered again, and
         * Discord refuses that second callback (40060) without the member seeing anything */
        if (dc_seen_add(d, ev.id, dc_wall_ms()))
            answer_autocomplete(d, &ev);
    } else {
        run_command(d, &ev); /* the host records the interaction with the command's effect */
    }
    dc_event_free(&ev);
}

void dc_dispatch_message(discord *d, const cJSON *payload)
{
    dc_event ev;
    char err[128];
    int rc = dc_event_from_message(payload, d->bot_user_id, &ev, err, sizeof err);
    if (rc < 0)
        tend_log(TEND_LOG_WARN, "discord", "skipped a message: %s", err);
    if (rc <= 0)
        return;
    run_command(d, &ev);
    dc_event_free(&ev);
}
