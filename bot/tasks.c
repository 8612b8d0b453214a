/*
 * tasks.c — the task family: claiming (with waitlists and the ask-once capacity check), giving
 * back and finishing, and what the family's files share (describing a task, promoting from a
 * waitlist). Finding the task a member named is in task_find.c, the board in task_board.c,
 * posting, editing and cancelling in task_post.c, handing a slot over in handoff.c.
 *
 * Titles and notes are member text: they are only ever printed with "%s", never turned into
 * mention markers, so a task called "@everyone" pings nobody. The only pings are the doers named
 * in a celebration, added with tend_message_add_mention.
 */
#include "bot/i18n.h"
#include "bot/handlers.h"
#include "bot/language.h"
#include "bot/tasks.h"
#include "bot/tasks_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "bot/fillin.h"
#include "bot/limits.h"
#include "bot/load.h"
#include "bot/messages.h"
#include "bot/parse.h"
#include "bot/task_time.h"
#include "bot/tz.h"
#include "bot/when.h"

/* ---------------------------------------------------------------- shared with other families */

tend_task_view tend_task_view_group(const tend_group *g, int64_t now)
{
    return (tend_task_view){tend_tz_of_group(g), false, now, tend_tz_of_group(g), g->language};
}

tend_task_view tend_task_view_member(const tend_group *g, const tend_member *m, int64_t now)
{
    const char *zone = tend_tz_of_member(g, m);
    /* the member answering a command may read their app's language; anyone else their own */
    const char *lang = tend_i18n_is_asker(m->key) ? tend_i18n_private_lang() : tend_lang_of_member(g, m);
    return (tend_task_view){zone, strcmp(zone, tend_tz_of_group(g)) != 0, now, tend_tz_of_group(g), lang};
}

/* Appends to detail at *n (bounded). */
static void detail_add(char *detail, size_t size, int *n, const char *fmt, const char *arg)
{
    if (*n < 0 || (size_t)*n >= size)
        return;
    int k = snprintf(detail + *n, size - (size_t)*n, fmt, arg);
    *n = k < 0 ? -1 : *n + k;
}

void tend_task_describe(const tend_task *t, const tend_task_view *v, char *out, size_t outlen)
{
    char detail[256];
    if (t->state == TEND_TASK_DONE) {
        snprintf(detail, sizeof detail, "%s", tend_i18n_tr(v->lang, MSG_TASKS_STATE_DONE));
    } else if (t->state == TEND_TASK_CANCELLED) {
        snprintf(detail, sizeof detail, "%s", tend_i18n_tr(v->lang, MSG_TASKS_STATE_CANCELLED));
    } else {
        int n = snprintf(detail, sizeof detail,
                         tend_i18n_ntr(v->lang, MSG_TASKS_HANDS_N, (unsigned long)t->slots), t->active, t->slots);
        char text[96];
        if (t->waiting > 0) {
            snprintf(text, sizeof text, tend_i18n_tr(v->lang, MSG_TASKS_WAITING), t->waiting);
            detail_add(detail, sizeof detail, &n, "%s", text);
        }
        if (t->due_at) {
            tend_when w = tend_task_when(t);
            const char *was = tend_i18n_text_lang(v->lang ? v->lang : ""); /* the line's reader's */
            if (t->all_day && v->day_zone)
                tend_when_format(&w, v->day_zone, false, v->now, TEND_WHEN_SHORT, text, sizeof text);
            else
                tend_when_format(&w, v->zone, v->name_zone, v->now, TEND_WHEN_SHORT, text, sizeof text);
            tend_i18n_text_lang(was);
            detail_add(detail, sizeof detail, &n, ", %s", text);
            if (t->over_at && t->over_at <= v->now)
                detail_add(detail, sizeof detail, &n, "%s", tend_i18n_tr(v->lang, MSG_TASKS_TIME_PASSED));
        } else if (t->when_text[0]) {
            detail_add(detail, sizeof detail, &n, ", %s", t->when_text); /* from before times were read */
        }
        const char *was = tend_i18n_text_lang(v->lang ? v->lang : "");
        tend_repeat_describe(t->repeat, text, sizeof text);
        tend_i18n_text_lang(was);
        if (text[0])
            detail_add(detail, sizeof detail, &n, ", %s", text);
    }
    snprintf(out, outlen, tend_i18n_tr(v->lang, MSG_TASKS_LINE), t->number, t->title, detail);
}

int tend_task_promote_waiting(tend_ctx *ctx, int64_t task_id, int64_t *promoted)
{
    if (promoted)
        *promoted = 0;
    tend_store *store = ctx->env->store;
    tend_task task;
    int rc = tend_store_task_by_id(store, task_id, &task);
    if (rc != TEND_STORE_OK)
        return tend_store_failed(ctx, rc);
    /* after its time, a freed slot is no offer: nobody is handed a task that already happened */
    if (task.state != TEND_TASK_OPEN || task.active >= task.slots || (task.over_at && task.over_at <= ctx->now))
        return TEND_OK;
    tend_claim next;
    rc = tend_store_claim_first_waiting(store, task_id, &next);
    if (rc == TEND_STORE_NOTFOUND)
        return TEND_OK;
    tend_member who;
    if (rc == TEND_STORE_OK)
        rc = tend_store_claim_set_state(store, next.id, TEND_CLAIM_ACTIVE, NULL, ctx->now);
    if (rc == TEND_STORE_OK)
        rc = tend_store_member_by_id(store, next.member_id, &who);
    if (rc == TEND_STORE_OK)
        rc = tend_store_task_by_id(store, task_id, &task);
    if (rc == TEND_STORE_OK)
        rc = tend_store_audit(store, ctx->group.id, who.id, "claim", "promoted from waitlist", ctx->now);
    if (rc != TEND_STORE_OK)
        return tend_store_failed(ctx, rc);
    char line[TEND_TITLE_MAX + 300];
    tend_task_view v = tend_task_view_member(&ctx->group, &who, ctx->now);
    tend_task_describe(&task, &v, line, sizeof line);
    if (who.key[0] && !tend_dm(ctx, &who, "waitlist.promoted", MSG_TASKS_PROMOTED, line, task.number))
        return tend_store_failed(ctx, TEND_STORE_ERROR);
    if (promoted)
        *promoted = who.id;
    return TEND_OK;
}

typedef struct {
    tend_claim *items;
    size_t count, cap;
} claim_list;

static int collect_claim(const tend_claim *c, void *ud)
{
    claim_list *l = ud;
    if (l->count == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 8;
        tend_claim *grown = realloc(l->items, cap * sizeof *grown);
        if (!grown)
            return 1;
        l->items = grown;
        l->cap = cap;
    }
    l->items[l->count++] = *c;
    return 0;
}

int tend_tasks_release_all(tend_ctx *ctx, const tend_member *m, int *released)
{
    claim_list held = {0};
    *released = 0;
    int rc = tend_store_claims_of_member(ctx->env->store, m->id, collect_claim, &held);
    int result = rc == TEND_STORE_OK ? TEND_OK : tend_store_failed(ctx, rc);
    for (size_t i = 0; result == TEND_OK && i < held.count; i++) {
        const tend_claim *c = &held.items[i];
        rc = tend_store_claim_set_state(ctx->env->store, c->id, TEND_CLAIM_RELEASED, NULL, ctx->now);
        if (rc != TEND_STORE_OK) {
            result = tend_store_failed(ctx, rc);
        } else if (c->state == TEND_CLAIM_ACTIVE) {
            (*released)++;
            result = tend_task_promote_waiting(ctx, c->task_id, NULL);
            if (result == TEND_OK)
                result = tend_backups_after_release(ctx, c->task_id);
        }
    }
    free(held.items);
    return result;
}

typedef struct {
    tend_ctx *ctx;
    tend_message *msg;
    tend_claim_state state;
    const char *heading;
    int listed;
    int rc;
} claim_walk;

static int list_claim(const tend_claim *c, void *ud)
{
    claim_walk *w = ud;
    if (c->state != w->state)
        return 0;
    tend_task t;
    w->rc = tend_store_task_by_id(w->ctx->env->store, c->task_id, &t);
    if (w->rc == TEND_STORE_NOTFOUND) {
        w->rc = TEND_STORE_OK;
        return 0;
    }
    if (w->rc != TEND_STORE_OK)
        return 1;
    char line[TEND_TITLE_MAX + 300];
    tend_task_view v = tend_task_view_member(&w->ctx->group, &w->ctx->member, w->ctx->now);
    tend_task_describe(&t, &v, line, sizeof line);
    if ((w->listed == 0 && tend_message_appendf(w->msg, "%s", tend_message_tr(w->msg, w->heading)) != 0) ||
        tend_message_appendf(w->msg, MSG_TASKS_CLAIM_LINE, line) != 0) {
        w->rc = TEND_STORE_ERROR;
        return 1;
    }
    w->listed++;
    return 0;
}

int tend_tasks_list_claims(tend_ctx *ctx, tend_message *m, const tend_member *who, tend_claim_state state,
                           const char *heading, int *listed)
{
    claim_walk w = {ctx, m, state, heading, 0, TEND_STORE_OK};
    int rc = tend_store_claims_of_member(ctx->env->store, who->id, list_claim, &w);
    if (listed)
        *listed = w.listed;
    return rc == TEND_STORE_OK ? w.rc : rc;
}

/* Refuses a task that is no longer open. */
int tend_task_refuse_closed(tend_ctx *ctx, const tend_task *t)
{
    if (t->state == TEND_TASK_DONE)
        return tend_refuse(ctx, MSG_TASKS_IS_DONE, t->number);
    return tend_refuse(ctx, MSG_TASKS_IS_CANCELLED, t->number);
}

int tend_task_audit(tend_ctx *ctx, const char *action, const tend_task *t, const char *what)
{
    char detail[64];
    snprintf(detail, sizeof detail, "#%d%s%s", t->number, what ? " " : "", what ? what : "");
    int rc = tend_store_audit(ctx->env->store, ctx->group.id, ctx->member.id, action, detail, ctx->now);
    return rc == TEND_STORE_OK ? TEND_OK : tend_store_failed(ctx, rc);
}

/* ---------------------------------------------------------------- /claim */

static int claim_waitlist(tend_ctx *ctx, const tend_task *t)
{
    if (t->waiting >= TEND_LIMIT_WAITLIST)
        return tend_refuse(ctx, MSG_TASKS_WAITLIST_FULL, t->number);
    tend_claim c;
    int position = 0;
    int rc = tend_store_claim_add(ctx->env->store, t->id, ctx->member.id, TEND_CLAIM_WAITING, ctx->now, &c);
    if (rc == TEND_STORE_OK)
        rc = tend_store_claim_waitlist_position(ctx->env->store, &c, &position);
    if (rc != TEND_STORE_OK)
        return tend_store_failed(ctx, rc);
    if (!tend_reply_private(ctx, "reply", MSG_TASKS_WAITLISTED, t->number, position))
        return tend_store_failed(ctx, TEND_STORE_ERROR);
    return tend_task_audit(ctx, "claim", t, "waiting");
}

/* Over capacity without "confirm": ask once, change nothing. */
static int ask_to_confirm(tend_ctx *ctx, const tend_task *t, const tend_load *load)
{
    char command[40];
    snprintf(command, sizeof command, "claim %d confirm", t->number);
    tend_message *m = tend_reply_private(ctx, "claim.confirm", MSG_TASKS_OVER_CAPACITY, t->number,
                                         load->total + t->weight, load->capacity, t->number);
    if (!m || tend_message_add_button(m, MSG_TASKS_CLAIM_ANYWAY, NULL, command) != 0)
        return tend_store_failed(ctx, TEND_STORE_ERROR);
    return TEND_OK;
}

int tend_cmd_claim(tend_ctx *ctx)
{
    size_t n = tend_args_count(ctx->args);
    bool confirm = n >= 2 && strcasecmp(tend_args_word(ctx->args, n - 1), "confirm") == 0;
    bool learn = n >= 2 && strcasecmp(tend_args_word(ctx->args, n - 1), "learn") == 0;
    tend_task t;
    int result = tend_task_find_words(ctx, 0, confirm || learn ? n - 1 : n, TEND_PREFER_NEEDS_HANDS, &t);
    if (result != TEND_OK)
        return result;
    if (learn)
        return tend_learn_join(ctx, &t); /* alongside, without a slot: learning.c */
    if (t.state != TEND_TASK_OPEN)
        return tend_task_refuse_closed(ctx, &t);
    tend_claim c;
    int rc = tend_store_claim_current(ctx->env->store, t.id, ctx->member.id, &c);
    if (rc == TEND_STORE_OK && c.state == TEND_CLAIM_ACTIVE)
        return tend_refuse(ctx, MSG_TASKS_ALREADY_YOURS, t.number);
    if (rc == TEND_STORE_OK) {
        int position = 0;
        rc = tend_store_claim_waitlist_position(ctx->env->store, &c, &position);
        return rc == TEND_STORE_OK ? tend_refuse(ctx, MSG_TASKS_ALREADY_WAITING, t.number, position)
                                   : tend_store_failed(ctx, rc);
    }
    if (rc != TEND_STORE_NOTFOUND)
        return tend_store_failed(ctx, rc);
    if (t.active >= t.slots)
        return claim_waitlist(ctx, &t);
    tend_load load;
    rc = tend_load_of(ctx->env->store, &ctx->group, &ctx->member, ctx->now, &load);
    if (rc != TEND_STORE_OK)
        return tend_store_failed(ctx, rc);
    if (!confirm && tend_load_would_exceed(&load, t.weight))
        return ask_to_confirm(ctx, &t, &load);
    rc = tend_store_claim_add(ctx->env->store, t.id, ctx->member.id, TEND_CLAIM_ACTIVE, ctx->now, &c);
    if (rc == TEND_STORE_OK)
        rc = tend_store_task_by_id(ctx->env->store, t.id, &t);
    if (rc != TEND_STORE_OK)
        return tend_store_failed(ctx, rc);
    char line[TEND_TITLE_MAX + 300];
    tend_task_view v = tend_task_view_member(&ctx->group, &ctx->member, ctx->now);
    tend_task_describe(&t, &v, line, sizeof line);
    if (!tend_reply_private(ctx, "reply", MSG_TASKS_CLAIMED, line, t.number))
        return tend_store_failed(ctx, TEND_STORE_ERROR);
    int answered = tend_offers_after_claim(ctx, &t); /* an offer taken, or a filled task's closed */
    if (answered != TEND_OK)
        return answered;
    return tend_task_audit(ctx, "claim", &t, confirm ? "confirmed" : NULL);
}

/* ---------------------------------------------------------------- /unclaim */

/* A repeating task whose time passed while held already has its next one on the board; given
 * back by its last holder, it is retired so the board never holds two. *retired says so. */
static int retire_if_superseded(tend_ctx *ctx, int64_t task_id, bool *retired)
{
    tend_task t;
    char slot[40];
    *retired = false;
    int rc = tend_store_task_by_id(ctx->env->store, task_id, &t);
    if (rc != TEND_STORE_OK)
        return tend_store_failed(ctx, rc);
    if (t.state != TEND_TASK_OPEN || !t.repeat[0] || !t.over_at || t.over_at > ctx->now || t.active > 0)
        return TEND_OK;
    snprintf(slot, sizeof slot, "task:%lld", (long long)t.id);
    rc = tend_store_fired_get(ctx->env->store, ctx->group.id, "repeat", slot, NULL);
    if (rc == TEND_STORE_NOTFOUND)
        return TEND_OK;
    if (rc == TEND_STORE_OK)
        rc = tend_store_claims_release_all(ctx->env->store, t.id, ctx->now);
    if (rc == TEND_STORE_OK)
        rc = tend_store_task_set_state(ctx->env->store, t.id, TEND_TASK_CANCELLED, ctx->now);
    if (rc != TEND_STORE_OK)
        return tend_store_failed(ctx, rc);
    *retired = true;
    return TEND_OK;
}

int tend_cmd_unclaim(tend_ctx *ctx)
{
    tend_task t;
    int result = tend_task_find_words(ctx, 0, tend_args_count(ctx->args), TEND_PREFER_HELD, &t);
    if (result != TEND_OK)
        return result;
    tend_claim c;
    int rc = tend_store_claim_current(ctx->env->store, t.id, ctx->member.id, &c);
    if (rc == TEND_STORE_NOTFOUND)
        return tend_refuse(ctx, MSG_TASKS_NOT_HELD, t.number);
    if (rc == TEND_STORE_OK)
        rc = tend_store_claim_set_state(ctx->env->store, c.id, TEND_CLAIM_RELEASED, NULL, ctx->now);
    if (rc != TEND_STORE_OK)
        return tend_store_failed(ctx, rc);
    bool was_active = c.state == TEND_CLAIM_ACTIVE, retired = false;
    int64_t promoted = 0;
    if (was_active && (result = tend_task_promote_waiting(ctx, t.id, &promoted)) != TEND_OK)
        return result;
    if (was_active && (result = retire_if_superseded(ctx, t.id, &retired)) != TEND_OK)
        return result;
    if (was_active && !retired && !promoted && (result = tend_backups_after_release(ctx, t.id)) != TEND_OK)
        return result;
    /* a slot someone from the waitlist took is not "back on the board" */
    const char *said = retired     ? MSG_TASKS_UNCLAIMED_RETIRED
                       : !was_active ? MSG_TASKS_LEFT_WAITLIST
                       : promoted    ? MSG_TASKS_UNCLAIMED_PROMOTED
                                     : MSG_TASKS_UNCLAIMED;
    if (!tend_reply_private(ctx, "reply", said, t.number))
        return tend_store_failed(ctx, TEND_STORE_ERROR);
    return tend_task_audit(ctx, "unclaim", &t, was_active ? NULL : "waitlist");
}

/* ---------------------------------------------------------------- /keep */

/* "Still on it": the answer to the stale-claim reminder. Marks the claim fresh, so the next
 * reminder is days away again. */
int tend_cmd_keep(tend_ctx *ctx)
{
    tend_task t;
    int result = tend_task_find_words(ctx, 0, tend_args_count(ctx->args), TEND_PREFER_HELD, &t);
    if (result != TEND_OK)
        return result;
    tend_claim c;
    int rc = tend_store_claim_current(ctx->env->store, t.id, ctx->member.id, &c);
    if (rc == TEND_STORE_NOTFOUND || (rc == TEND_STORE_OK && c.state != TEND_CLAIM_ACTIVE))
        return tend_refuse(ctx, MSG_TASKS_NOT_HELD, t.number);
    if (rc == TEND_STORE_OK)
        rc = tend_store_claim_touch(ctx->env->store, c.id, ctx->now);
    if (rc != TEND_STORE_OK)
        return tend_store_failed(ctx, rc);
    if (!tend_reply_private(ctx, "reply", MSG_TASKS_KEPT, t.number))
        return tend_store_failed(ctx, TEND_STORE_ERROR);
    return tend_task_audit(ctx, "keep", &t, NULL);
}

/* ---------------------------------------------------------------- /done */

/* Names the doers in the celebration: "a", "a and b", "a, b and c". */
static int mention_doers(tend_ctx *ctx, tend_message *m, const claim_list *doers)
{
    for (size_t i = 0; i < doers->count; i++) {
        tend_member who;
        int rc = tend_store_member_by_id(ctx->env->store, doers->items[i].member_id, &who);
        if (rc != TEND_STORE_OK)
            return tend_store_failed(ctx, rc);
        const char *sep = i == 0 ? "" : i + 1 == doers->count ? MSG_TASKS_DONE_AND : MSG_TASKS_DONE_COMMA;
        int err = tend_message_appendf(m, "%s", tend_message_tr(m, sep));
        if (!err && who.key[0])
            err = tend_message_add_mention(m, who.key, who.name);
        else if (!err)
            err = tend_message_appendf(m, "%s", who.name);
        if (err)
            return tend_store_failed(ctx, TEND_STORE_ERROR);
    }
    return tend_message_appendf(m, MSG_TASKS_DONE_END) == 0 ? TEND_OK
                                                             : tend_store_failed(ctx, TEND_STORE_ERROR);
}

/* Credits every active claim (and the member typing, who did it even if they never claimed). */
static int credit_doers(tend_ctx *ctx, const tend_task *t, const char *note, claim_list *doers)
{
    tend_store *store = ctx->env->store;
    tend_claim mine;
    int rc = tend_store_claim_current(store, t->id, ctx->member.id, &mine);
    if (rc == TEND_STORE_OK && mine.state == TEND_CLAIM_WAITING)
        rc = tend_store_claim_set_state(store, mine.id, TEND_CLAIM_ACTIVE, NULL, ctx->now);
    else if (rc == TEND_STORE_NOTFOUND)
        rc = tend_store_claim_add(store, t->id, ctx->member.id, TEND_CLAIM_ACTIVE, ctx->now, &mine);
    if (rc == TEND_STORE_OK)
        rc = tend_store_claims_of_task(store, t->id, collect_claim, doers);
    for (size_t i = 0; rc == TEND_STORE_OK && i < doers->count; i++)
        rc = tend_store_claim_set_state(store, doers->items[i].id, TEND_CLAIM_DONE,
                                        doers->items[i].member_id == ctx->member.id ? note : NULL,
                                        ctx->now);
    if (rc == TEND_STORE_OK)
        rc = tend_store_claims_release_waiting(store, t->id, ctx->now);
    if (rc == TEND_STORE_OK)
        rc = tend_store_task_set_state(store, t->id, TEND_TASK_DONE, ctx->now);
    return rc == TEND_STORE_OK ? TEND_OK : tend_store_failed(ctx, rc);
}

int tend_cmd_done(tend_ctx *ctx)
{
    tend_task t;
    const char *typed_note = NULL;
    int result = tend_task_find_before(ctx, "note", TEND_PREFER_HELD, &t, &typed_note);
    if (result != TEND_OK)
        return result;
    if (t.state == TEND_TASK_DONE)
        return tend_refuse(ctx, MSG_TASKS_ALREADY_DONE, t.number);
    if (t.state != TEND_TASK_OPEN)
        return tend_task_refuse_closed(ctx, &t);
    char *note = tend_task_trimmed(typed_note ? typed_note : "");
    if (!note)
        return tend_store_failed(ctx, TEND_STORE_ERROR);
    size_t chars = tend_utf8_length(note);
    claim_list doers = {0};
    if (TEND_FAR_TOO_LONG(chars, TEND_LIMIT_NOTE_CHARS))
        result = tend_refuse(ctx, MSG_NOTE_FAR_TOO_LONG, TEND_LIMIT_NOTE_CHARS);
    else if (chars > TEND_LIMIT_NOTE_CHARS || strlen(note) >= TEND_NOTE_MAX)
        result = tend_refuse(ctx, MSG_NOTE_TOO_LONG, chars, TEND_LIMIT_NOTE_CHARS);
    else
        result = credit_doers(ctx, &t, note, &doers);
    if (result == TEND_OK)
        result = tend_learning_after_done(ctx, &t);
    tend_message *m = NULL;
    if (result == TEND_OK) {
        m = tend_reply_public(ctx, "task.done", MSG_TASKS_DONE_PUBLIC, t.number, t.title);
        result = m ? mention_doers(ctx, m, &doers) : tend_store_failed(ctx, TEND_STORE_ERROR);
    }
    if (result == TEND_OK && note[0] && tend_message_appendf(m, MSG_TASKS_DONE_NOTE, note) != 0)
        result = tend_store_failed(ctx, TEND_STORE_ERROR);
    /* the scheduler posts the next one (once, recorded in `fired`) on its next tick */
    if (result == TEND_OK && t.repeat[0] && tend_message_appendf(m, MSG_TASKS_DONE_REPEAT) != 0)
        result = tend_store_failed(ctx, TEND_STORE_ERROR);
    free(note);
    free(doers.items);
    return result == TEND_OK ? tend_task_audit(ctx, "done", &t, NULL) : result;
}
