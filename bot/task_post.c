/*
 * task_post.c — putting a task up, fixing it and calling it off: /task add, /task edit and
 * /task cancel. when: is read as a real time in the group's zone (when.h) and said back, so a
 * member sees what tend understood; an edit or a cancellation is told privately to everyone on
 * the task. Only the task's author or a coordinator may change a task.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bot/fillin.h"
#include "bot/limits.h"
#include "bot/messages.h"
#include "bot/parse.h"
#include "bot/task_time.h"
#include "bot/tasks.h"
#include "bot/tasks_internal.h"
#include "bot/tz.h"
#include "bot/when.h"
#include "bot/words.h"

#define WHEN_MAX_BYTES 100

static int out_of_memory(tend_ctx *ctx)
{
    return tend_store_failed(ctx, TEND_STORE_ERROR);
}

/* ---------------------------------------------------------------- reading what a member typed */

/* A title: trimmed, one line, within the limit. TEND_OK or a usage/refusal answer. */
static int set_title(tend_ctx *ctx, tend_task *t, const char *typed)
{
    char *s = tend_task_trimmed(typed);
    if (!s)
        return out_of_memory(ctx);
    int result = TEND_OK;
    size_t chars = tend_utf8_length(s);
    if (chars == 0)
        result = tend_usage(ctx, MSG_TASKS_NO_TITLE);
    else if (TEND_FAR_TOO_LONG(chars, TEND_LIMIT_TITLE_CHARS))
        result = tend_refuse(ctx, MSG_TITLE_FAR_TOO_LONG, TEND_LIMIT_TITLE_CHARS);
    else if (chars > TEND_LIMIT_TITLE_CHARS || strlen(s) >= sizeof t->title)
        result = tend_refuse(ctx, MSG_TITLE_TOO_LONG, chars, TEND_LIMIT_TITLE_CHARS);
    else
        memcpy(t->title, s, strlen(s) + 1);
    for (char *p = t->title; result == TEND_OK && *p; p++)
        if (*p == '\n' || *p == '\t')
            *p = ' '; /* a board line stays one line */
    free(s);
    return result;
}

static int set_note(tend_ctx *ctx, tend_task *t, const char *typed)
{
    char *s = tend_task_trimmed(typed);
    if (!s)
        return out_of_memory(ctx);
    size_t chars = tend_utf8_length(s);
    int result = TEND_OK;
    if (TEND_FAR_TOO_LONG(chars, TEND_LIMIT_TASK_NOTE_CHARS))
        result = tend_refuse(ctx, MSG_TASK_NOTE_FAR_TOO_LONG, TEND_LIMIT_TASK_NOTE_CHARS);
    else if (chars > TEND_LIMIT_TASK_NOTE_CHARS || strlen(s) >= sizeof t->note)
        result = tend_refuse(ctx, MSG_TASK_NOTE_TOO_LONG, chars, TEND_LIMIT_TASK_NOTE_CHARS);
    else
        memcpy(t->note, s, strlen(s) + 1);
    free(s);
    return result;
}

/* when: in the group's zone; "none" (on an edit) takes the time away. *understood gets the time
 * as the member will read it, in their own zone. */
static int set_when(tend_ctx *ctx, tend_task *t, const char *typed, char *understood, size_t len)
{
    understood[0] = '\0';
    if (strlen(typed) > WHEN_MAX_BYTES)
        return tend_usage(ctx, MSG_TASKS_WHEN_TOO_LONG);
    char *shown = tend_text_clean(typed, 60);
    if (!shown)
        return out_of_memory(ctx);
    int result = TEND_OK;
    const char *zone = tend_tz_of_group(&ctx->group);
    tend_when w;
    tend_when_result r = strcasecmp(typed, "none") == 0 ? TEND_WHEN_OK : tend_when_parse(typed, zone, ctx->now, &w);
    /* each explanation carries its examples: the command's whole usage would bury them */
    if (r == TEND_WHEN_UNKNOWN || r == TEND_WHEN_NO_DAY) {
        result = tend_refuse(ctx, r == TEND_WHEN_UNKNOWN ? MSG_TASKS_WHEN_UNKNOWN : MSG_TASKS_WHEN_NO_DAY, shown);
        tend_words_hint_examples(ctx->error, sizeof ctx->error, MSG_WORDS_WHEN_EXAMPLES); /* "vie 18:00" */
    }
    else if (r == TEND_WHEN_CONFLICT)
        result = tend_refuse(ctx, MSG_TASKS_WHEN_CONFLICT, shown);
    else if (r == TEND_WHEN_PAST)
        result = tend_refuse(ctx, MSG_TASKS_WHEN_PAST, shown);
    else if (r == TEND_WHEN_FAR)
        result = tend_refuse(ctx, MSG_TASKS_WHEN_FAR, shown);
    else if (strcasecmp(typed, "none") == 0) {
        tend_task_set_time(t, NULL, zone);
        t->when_text[0] = '\0';
    } else if (tend_task_set_time(t, &w, zone) != 0) {
        result = out_of_memory(ctx);
    } else {
        snprintf(t->when_text, sizeof t->when_text, "%s", shown);
        tend_task_view v = tend_task_view_member(&ctx->group, &ctx->member, ctx->now);
        tend_when_format(&w, w.all_day ? v.day_zone : v.zone, true, ctx->now, TEND_WHEN_LONG, understood, len);
    }
    free(shown);
    return result;
}

/* when: may run on over the words after it (`when:thu 17:00`, `when:dec 3rd 6pm`), as people type
 * it: a word joins while the longer text still reads as a time. A bare number joins only when
 * the time needs it (`dec 3`), so in `when:fri 6 cans of soup` the 6 stays in the title. */
typedef struct {
    const char *zone;
    int64_t now;
} when_reading;

static bool reads_as_when(const char *text, void *arg)
{
    const when_reading *r = arg;
    tend_when w;
    /* a time that cannot be (31 nov, a past hour) still reads as one: it joins, so the member is
     * told what is wrong with the whole of it, not that "31" means nothing */
    if (tend_when_parse(text, r->zone, r->now, &w) == TEND_WHEN_UNKNOWN)
        return false;
    const char *space = strrchr(text, ' ');
    const char *last = space ? space + 1 : text;
    if (!space || last[strspn(last, "0123456789")] != '\0')
        return true;
    char *before = strndup(text, (size_t)(space - text));
    bool needed = before && tend_when_parse(before, r->zone, r->now, &w) == TEND_WHEN_UNKNOWN;
    free(before);
    return needed;
}

static void absorb_when(tend_ctx *ctx)
{
    when_reading r = {tend_tz_of_group(&ctx->group), ctx->now};
    (void)tend_args_absorb(ctx->args, "when", 4, reads_as_when, &r);
}

/* slots:, weight:, repeat:, note: and when: onto t; each given one replaces t's. */
static int apply_options(tend_ctx *ctx, tend_task *t, char *understood, size_t len)
{
    const char *slots = tend_args_named(ctx->args, "slots");
    const char *weight = tend_args_named(ctx->args, "weight");
    const char *repeat = tend_args_named(ctx->args, "repeat");
    const char *note = tend_args_named_tail(ctx->args, "note", NULL);
    const char *when = tend_args_named(ctx->args, "when");
    understood[0] = '\0';
    if (slots && tend_parse_int(slots, 1, 20, &t->slots) != 0)
        return tend_usage(ctx, MSG_TASKS_BAD_SLOTS);
    if (weight && tend_parse_int(weight, 1, 5, &t->weight) != 0)
        return tend_usage(ctx, MSG_TASKS_BAD_WEIGHT);
    if (repeat && tend_repeat_parse(repeat, t->repeat, sizeof t->repeat) != 0) {
        int bad = tend_usage(ctx, MSG_TASKS_BAD_REPEAT);
        tend_words_hint(ctx->error, sizeof ctx->error, TEND_WORD_WEEKLY, TEND_WORD_MONTHLY); /* "semanal, ..." */
        return bad;
    }
    int result = note ? set_note(ctx, t, note) : TEND_OK;
    if (result == TEND_OK && when)
        result = set_when(ctx, t, when, understood, len);
    return result;
}

/* The private word back to whoever posted or changed a task: what tend read in when:. */
static int say_understood(tend_ctx *ctx, const char *typed, const char *understood)
{
    if (!understood[0])
        return TEND_OK;
    char *shown = tend_text_clean(typed, 60);
    tend_message *m = shown ? tend_reply_private(ctx, "reply", MSG_TASKS_WHEN_READ, shown, understood) : NULL;
    free(shown);
    return m ? TEND_OK : out_of_memory(ctx);
}

/* kind:, rotate:, teach: (task_kind.c), said back privately when given. */
static int say_traits(tend_ctx *ctx, const tend_task *t)
{
    char said[200];
    int result = tend_task_traits_apply(ctx, t, said, sizeof said);
    if (result != TEND_OK || !said[0])
        return result;
    return tend_reply_private(ctx, "reply", "%s", said + 1) ? TEND_OK : out_of_memory(ctx);
}

/* ---------------------------------------------------------------- /task add */

static int refuse_paused(tend_ctx *ctx)
{
    int64_t until = ctx->group.new_tasks_paused_until;
    if (until == INT64_MAX)
        return tend_refuse(ctx, MSG_TASKS_PAUSED);
    char when[64];
    tend_when w = {until, false};
    tend_task_view v = tend_task_view_member(&ctx->group, &ctx->member, ctx->now);
    tend_when_format(&w, v.zone, v.name_zone, ctx->now, TEND_WHEN_SHORT, when, sizeof when);
    return when[0] ? tend_refuse(ctx, MSG_TASKS_PAUSED_UNTIL, when) : tend_refuse(ctx, MSG_TASKS_PAUSED);
}

/* Puts the task on the board and announces it in the group's zone. */
static int post_task(tend_ctx *ctx, tend_task *t)
{
    int rc = tend_store_task_add(ctx->env->store, t);
    if (rc == TEND_STORE_OK)
        rc = tend_store_task_by_id(ctx->env->store, t->id, t);
    if (rc != TEND_STORE_OK)
        return tend_store_failed(ctx, rc);
    char line[TEND_TITLE_MAX + 300], command[32];
    tend_task_view v = tend_task_view_group(&ctx->group, ctx->now);
    tend_task_describe(t, &v, line, sizeof line);
    snprintf(command, sizeof command, "claim %d", t->number);
    tend_message *m = tend_reply_public(ctx, "task.announce", MSG_TASKS_ANNOUNCE, line, t->number);
    if (!m || (t->note[0] && tend_message_appendf(m, MSG_TASKS_NOTE_LINE, t->note) != 0) ||
        tend_message_add_button(m, MSG_TASKS_CLAIM_BUTTON, "\xE2\x9C\x85", command) != 0)
        return out_of_memory(ctx);
    return TEND_OK;
}

int tend_cmd_task_add(tend_ctx *ctx)
{
    if (ctx->group.new_tasks_paused_until > ctx->now)
        return refuse_paused(ctx);
    int open = 0;
    int rc = tend_store_tasks_open_count(ctx->env->store, ctx->group.id, &open);
    if (rc != TEND_STORE_OK)
        return tend_store_failed(ctx, rc);
    if (open >= TEND_LIMIT_OPEN_TASKS)
        return tend_refuse(ctx, MSG_TASKS_TOO_MANY_OPEN, TEND_LIMIT_OPEN_TASKS);
    absorb_when(ctx);
    tend_task t;
    memset(&t, 0, sizeof t);
    t.slots = t.weight = 1;
    size_t title_words = tend_args_count(ctx->args);
    (void)tend_args_named_tail(ctx->args, "note", &title_words); /* the title ends where note: starts */
    char *title = tend_args_text(ctx->args, 0, title_words); /* quotes inside kept as typed */
    if (!title)
        return out_of_memory(ctx);
    char understood[96];
    int result = set_title(ctx, &t, title);
    free(title);
    if (result == TEND_OK)
        result = apply_options(ctx, &t, understood, sizeof understood);
    if (result != TEND_OK)
        return result;
    t.group_id = ctx->group.id;
    t.created_by = ctx->member.id;
    t.created_at = ctx->now;
    result = post_task(ctx, &t);
    if (result == TEND_OK)
        result = say_understood(ctx, tend_args_named(ctx->args, "when"), understood);
    if (result == TEND_OK)
        result = say_traits(ctx, &t);
    return result == TEND_OK ? tend_task_audit(ctx, "task.add", &t, NULL) : result;
}

/* ---------------------------------------------------------------- who may change a task */

static int find_own_open_task(tend_ctx *ctx, const char *tail_key, tend_task *t, const char **tail)
{
    int result = tend_task_find_before(ctx, tail_key, TEND_PREFER_UPCOMING, t, tail);
    if (result != TEND_OK)
        return result;
    if (t->state != TEND_TASK_OPEN)
        return tend_task_refuse_closed(ctx, t);
    if (t->created_by != ctx->member.id && !ctx->req->is_coordinator)
        return tend_refuse(ctx, MSG_TASKS_NOT_YOURS, t->number);
    return TEND_OK;
}

#define SLOTS_MAX 20

typedef struct {
    tend_ctx *ctx;
    const tend_task *task;
    const char *fmt;     /* MSG_TASKS_EDITED_DM or MSG_TASKS_CANCELLED_DM */
    const char *note;    /* the cancel reason, or NULL                    */
    const int64_t *told; /* members already told otherwise (promoted)     */
    size_t n_told;
    int rc;
} tell_walk;

/* One private word to someone on the task (held or waiting), never to whoever made the change. */
static int tell_claimer(const tend_claim *c, void *ud)
{
    tell_walk *w = ud;
    tend_member who;
    if (c->member_id == w->ctx->member.id)
        return 0;
    for (size_t i = 0; i < w->n_told; i++)
        if (w->told[i] == c->member_id)
            return 0;
    w->rc = tend_store_member_by_id(w->ctx->env->store, c->member_id, &who);
    if (w->rc != TEND_STORE_OK)
        return 1;
    if (!who.key[0])
        return 0;
    char line[TEND_TITLE_MAX + 300];
    tend_task_view v = tend_task_view_member(&w->ctx->group, &who, w->ctx->now);
    tend_task_describe(w->task, &v, line, sizeof line);
    tend_message *m = tend_dm(w->ctx, &who, "task.changed", w->fmt, w->ctx->member.name, line);
    if (!m || (w->note && w->note[0] && tend_message_appendf(m, MSG_TASKS_CANCELLED_NOTE, w->note) != 0)) {
        w->rc = TEND_STORE_ERROR;
        return 1;
    }
    return 0;
}

static int tell_claimers(tend_ctx *ctx, const tend_task *t, const char *fmt, const char *note,
                         const int64_t *told, size_t n_told)
{
    tell_walk w = {ctx, t, fmt, note, told, n_told, TEND_STORE_OK};
    int rc = tend_store_claims_live_of_task(ctx->env->store, t->id, tell_claimer, &w);
    if (rc == TEND_STORE_OK)
        rc = w.rc;
    return rc == TEND_STORE_OK ? TEND_OK : tend_store_failed(ctx, rc);
}

/* ---------------------------------------------------------------- /task edit */

static bool any_change_asked(const tend_ctx *ctx)
{
    static const char *const keys[] = {"title", "when", "slots", "weight", "repeat", "note"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if (tend_args_named(ctx->args, keys[i]))
            return true;
    return tend_task_traits_asked(ctx);
}

int tend_cmd_task_edit(tend_ctx *ctx)
{
    if (!any_change_asked(ctx))
        return tend_args_count(ctx->args) ? tend_usage(ctx, MSG_TASKS_EDIT_WHAT) : tend_usage(ctx, MSG_TASKS_WHICH);
    absorb_when(ctx);
    tend_task t;
    const char *unused;
    int result = find_own_open_task(ctx, "note", &t, &unused); /* the task is what comes before note: */
    if (result != TEND_OK)
        return result;
    tend_task changed = t;
    const char *title = tend_args_named(ctx->args, "title");
    char understood[96];
    if (title)
        result = set_title(ctx, &changed, title);
    if (result == TEND_OK)
        result = apply_options(ctx, &changed, understood, sizeof understood);
    if (result != TEND_OK)
        return result;
    if (changed.slots < t.active)
        return tend_refuse(ctx, MSG_TASKS_EDIT_SLOTS_BELOW, t.active, t.number, t.active);
    int rc = tend_store_task_update(ctx->env->store, &changed);
    if (rc != TEND_STORE_OK)
        return tend_store_failed(ctx, rc);
    int64_t promoted[SLOTS_MAX];
    size_t n_promoted = 0;
    /* more hands wanted: the waitlist moves up, and those moved hear it from their promotion */
    for (int i = t.active; result == TEND_OK && i < changed.slots && i < t.active + t.waiting && n_promoted < SLOTS_MAX;
         i++)
        result = tend_task_promote_waiting(ctx, t.id, &promoted[n_promoted++]);
    if (result == TEND_OK && (rc = tend_store_task_by_id(ctx->env->store, t.id, &changed)) != TEND_STORE_OK)
        result = tend_store_failed(ctx, rc);
    if (result == TEND_OK)
        result = tell_claimers(ctx, &changed, MSG_TASKS_EDITED_DM, NULL, promoted, n_promoted);
    char line[TEND_TITLE_MAX + 300];
    tend_task_view group_view = tend_task_view_group(&ctx->group, ctx->now);
    tend_task_describe(&changed, &group_view, line, sizeof line);
    tend_message *m = result == TEND_OK ? tend_reply_public(ctx, "task.edited", MSG_TASKS_EDITED_PUBLIC, line) : NULL;
    if (result == TEND_OK && (!m || (changed.note[0] && tend_message_appendf(m, MSG_TASKS_NOTE_LINE, changed.note))))
        result = out_of_memory(ctx);
    if (result == TEND_OK)
        result = say_understood(ctx, tend_args_named(ctx->args, "when"), understood);
    if (result == TEND_OK)
        result = say_traits(ctx, &changed);
    return result == TEND_OK ? tend_task_audit(ctx, "task.edit", &changed, NULL) : result;
}

/* ---------------------------------------------------------------- /task cancel */

int tend_cmd_task_cancel(tend_ctx *ctx)
{
    tend_task t;
    const char *reason = NULL;
    int result = find_own_open_task(ctx, "note", &t, &reason);
    if (result != TEND_OK)
        return result;
    const char *repeat = tend_args_named(ctx->args, "repeat");
    char keep_repeat[TEND_REPEAT_MAX];
    if (repeat && (tend_repeat_parse(repeat, keep_repeat, sizeof keep_repeat) != 0 || keep_repeat[0]))
        return tend_usage(ctx, MSG_TASKS_CANCEL_REPEAT);
    char *note = tend_task_trimmed(reason ? reason : "");
    if (!note)
        return out_of_memory(ctx);
    size_t chars = tend_utf8_length(note);
    if (chars > TEND_LIMIT_NOTE_CHARS || strlen(note) >= TEND_NOTE_MAX) {
        free(note);
        if (TEND_FAR_TOO_LONG(chars, TEND_LIMIT_NOTE_CHARS))
            return tend_refuse(ctx, MSG_NOTE_FAR_TOO_LONG, TEND_LIMIT_NOTE_CHARS);
        return tend_refuse(ctx, MSG_NOTE_TOO_LONG, chars, TEND_LIMIT_NOTE_CHARS);
    }
    /* told first, while they are still on it; then everyone is let go and the task leaves the
     * board, the prompts and the digests */
    result = tell_claimers(ctx, &t, MSG_TASKS_CANCELLED_DM, note, NULL, 0);
    int rc = TEND_STORE_OK;
    if (result == TEND_OK && repeat) {
        t.repeat[0] = '\0'; /* repeat:off: the series ends here, so no next one is posted */
        rc = tend_store_task_update(ctx->env->store, &t);
    }
    if (result == TEND_OK && rc == TEND_STORE_OK)
        rc = tend_store_claims_release_all(ctx->env->store, t.id, ctx->now);
    if (result == TEND_OK && rc == TEND_STORE_OK)
        rc = tend_store_task_set_state(ctx->env->store, t.id, TEND_TASK_CANCELLED, ctx->now);
    if (result == TEND_OK && rc != TEND_STORE_OK)
        result = tend_store_failed(ctx, rc);
    free(note);
    if (result != TEND_OK)
        return result;
    tend_message *m = tend_reply_public(ctx, "task.cancelled", MSG_TASKS_CANCELLED_PUBLIC, t.number, t.title);
    if (!m || (t.repeat[0] && tend_message_appendf(m, MSG_TASKS_CANCELLED_NEXT) != 0) ||
        !tend_reply_private(ctx, "reply", t.repeat[0] ? MSG_TASKS_CANCELLED_REPEATS : MSG_TASKS_CANCELLED,
                            t.number))
        return out_of_memory(ctx);
    return tend_task_audit(ctx, "task.cancel", &t, NULL);
}
