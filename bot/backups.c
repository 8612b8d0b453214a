/*
 * backups.c — when a task with a time loses a hand close to that time (someone rests, gives it
 * back, or a handoff falls through), a few members with room are asked privately whether they
 * could step in, in the spreading order (spread.c), each once; the first to claim it fills the
 * slot and the others are told it is covered. The group hears only that the task could use a
 * hand. Also /backup KIND on|off (asked first for a kind) and /pass (the "not this time" of every
 * private offer, backups and rotations alike).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bot/handlers.h"
#include "bot/fillin.h"
#include "bot/messages.h"
#include "bot/parse.h"
#include "bot/schedule_internal.h"
#include "bot/tasks.h"
#include "bot/tasks_internal.h"
#include "bot/words.h"

#define DAY_SECONDS (24 * 3600)

static int64_t backup_window(const tend_env *env)
{
    int days = env->settings ? env->settings->backup_window_days : 3;
    return (int64_t)days * DAY_SECONDS;
}

/* Whether t is a task a backup call is for at now: open, timed, soon, and short of hands. */
static bool needs_backup(const tend_env *env, const tend_task *t, int64_t now)
{
    int64_t window = backup_window(env);
    return window > 0 && t->state == TEND_TASK_OPEN && t->starts_at > now && t->starts_at - now <= window &&
           t->active < t->slots;
}

/* Asks up to `want` more members privately about t; *invited says how many. */
static int invite(const tend_env *env, const tend_group *g, const tend_task *t, int64_t now, size_t want,
                  tend_messages *out, size_t *invited)
{
    *invited = 0;
    int asked = 0, open = 0;
    int rc = tend_store_offers_count(env->store, t->id, &asked, &open);
    if (rc != TEND_STORE_OK)
        return rc;
    if (asked >= TEND_BACKUP_MAX_ASKED)
        return TEND_STORE_OK;
    if (want > (size_t)(TEND_BACKUP_MAX_ASKED - asked))
        want = (size_t)(TEND_BACKUP_MAX_ASKED - asked);
    tend_member picked[TEND_BACKUP_MAX_ASKED];
    size_t n = 0;
    tend_task_traits tr;
    rc = tend_store_task_traits_get(env->store, t->id, &tr);
    if (rc == TEND_STORE_OK)
        rc = tend_spread_pick(env, g, t, TEND_SPREAD_BACKUP, now, want, picked, &n);
    for (size_t i = 0; rc == TEND_STORE_OK && i < n; i++) {
        char line[TEND_TITLE_MAX + 300], claim[32], pass[32];
        tend_task_view v = tend_task_view_member(g, &picked[i], now);
        tend_task_describe(t, &v, line, sizeof line);
        snprintf(claim, sizeof claim, "claim %d", t->number);
        snprintf(pass, sizeof pass, "pass %d", t->number);
        rc = tend_store_offer_add(env->store, t->id, picked[i].id, TEND_OFFER_BACKUP, now);
        if (rc != TEND_STORE_OK)
            break;
        bool standing = false;
        if (tr.kind[0] && (rc = tend_store_backup_is(env->store, picked[i].id, tr.kind, &standing)) != TEND_STORE_OK)
            break;
        tend_message *m = tend_fillin_dm(out, g, &picked[i], "backup.invite", MSG_BACKUP_INVITE, line);
        if (m && tr.kind[0] && !standing && tend_message_appendf(m, MSG_BACKUP_INVITE_HINT, tr.kind, tr.kind))
            m = NULL;
        if (!m || tend_message_add_button(m, MSG_BACKUP_BTN_CLAIM, "\xE2\x9C\x85", claim) ||
            tend_message_add_button(m, MSG_BACKUP_BTN_PASS, "\xF0\x9F\x91\x8C", pass))
            rc = TEND_STORE_ERROR;
        else
            (*invited)++;
    }
    return rc;
}

int tend_backups_after_release(tend_ctx *ctx, int64_t task_id)
{
    tend_task t;
    int rc = tend_store_task_by_id(ctx->env->store, task_id, &t);
    if (rc != TEND_STORE_OK)
        return tend_store_failed(ctx, rc);
    if (!needs_backup(ctx->env, &t, ctx->now))
        return TEND_OK;
    int asked = 0, open = 0;
    rc = tend_store_offers_count(ctx->env->store, t.id, &asked, &open);
    size_t want = open < TEND_BACKUP_FIRST_WAVE ? (size_t)(TEND_BACKUP_FIRST_WAVE - open) : 0, invited = 0;
    if (rc == TEND_STORE_OK && want)
        rc = invite(ctx->env, &ctx->group, &t, ctx->now, want, ctx->out, &invited);
    /* the group hears that it needs a hand from the scheduler, in its own channel: said here, it
     * would be the answer to whoever let go (on Discord, a reply showing whose command it was) */
    if (rc == TEND_STORE_OK)
        rc = tend_store_backup_call_add(ctx->env->store, t.id, TEND_OFFER_BACKUP, ctx->now);
    if (rc == TEND_STORE_OK)
        rc = tend_store_schedule_group_set(ctx->env->store, ctx->group.id, ctx->now);
    return rc == TEND_STORE_OK ? TEND_OK : tend_store_failed(ctx, rc);
}

/* ---------------------------------------------------------------- the group hears */

typedef struct {
    const tend_env *env;
    const tend_group *g;
    int64_t now;
    tend_messages *out;
    int rc;
    bool any;
} call_walk;

static int announce_call(int64_t call_id, int64_t task_id, tend_offer_why why, void *ud)
{
    call_walk *w = ud;
    w->any = true;
    if (!w->out)
        return 1;
    tend_task t;
    int rc = tend_store_task_by_id(w->env->store, task_id, &t);
    if (rc == TEND_STORE_OK)
        rc = tend_store_backup_call_announced(w->env->store, call_id, w->now);
    /* filled meanwhile, or too late: nothing to say */
    if (rc == TEND_STORE_OK && t.state == TEND_TASK_OPEN && t.active < t.slots &&
        (why == TEND_OFFER_BACKUP ? t.starts_at > w->now : !t.over_at || t.over_at > w->now)) {
        char line[TEND_TITLE_MAX + 300], claim[32];
        tend_task_view v = tend_task_view_group(w->g, w->now);
        tend_task_describe(&t, &v, line, sizeof line);
        snprintf(claim, sizeof claim, "claim %d", t.number);
        tend_message *m = why == TEND_OFFER_BACKUP
                              ? tend_fillin_post(w->out, w->g, "backup.public", MSG_BACKUP_PUBLIC, line, t.number)
                              : tend_fillin_post(w->out, w->g, "task.announce", MSG_ROTATION_OPEN, line);
        if (!m || (why == TEND_OFFER_ROTATION && t.note[0] && tend_message_appendf(m, MSG_TASKS_NOTE_LINE, t.note)) ||
            tend_message_add_button(m, MSG_TASKS_CLAIM_BUTTON, "\xE2\x9C\x85", claim))
            rc = TEND_STORE_ERROR;
    }
    w->rc = rc;
    return rc != TEND_STORE_OK;
}

int tend_backups_tick(const tend_env *env, const tend_group *g, int64_t now, tend_messages *out)
{
    call_walk peek = {env, g, now, NULL, TEND_STORE_OK, false};
    int rc = tend_store_backup_calls_pending(env->store, g->id, announce_call, &peek);
    if (rc != TEND_STORE_OK || !peek.any)
        return rc;
    size_t mark = out->count;
    rc = tend_sched_begin(env);
    if (rc != TEND_STORE_OK)
        return rc;
    call_walk w = {env, g, now, out, TEND_STORE_OK, false};
    rc = tend_store_backup_calls_pending(env->store, g->id, announce_call, &w);
    if (rc == TEND_STORE_OK)
        rc = w.rc;
    return tend_sched_end(env, rc, "a task's call for a hand", out, mark);
}

int64_t tend_backups_next(const tend_env *env, const tend_group *g, int64_t now)
{
    call_walk peek = {env, g, now, NULL, TEND_STORE_OK, false};
    int rc = tend_store_backup_calls_pending(env->store, g->id, announce_call, &peek);
    if (rc != TEND_STORE_OK)
        return now + 60;
    return peek.any ? now : INT64_MAX;
}

typedef struct {
    tend_ctx *ctx;
    const tend_task *task;
    int rc;
} covered_walk;

/* One who was asked and has not answered: it is covered, nothing more needed. */
static int tell_covered(const tend_offer *o, void *ud)
{
    covered_walk *w = ud;
    tend_member m;
    w->rc = tend_store_member_by_id(w->ctx->env->store, o->member_id, &m);
    if (w->rc != TEND_STORE_OK)
        return 1;
    if (m.key[0] && !tend_fillin_dm(w->ctx->out, &w->ctx->group, &m, "offer.covered", MSG_BACKUP_COVERED,
                                    w->task->number)) {
        w->rc = TEND_STORE_ERROR;
        return 1;
    }
    return 0;
}

int tend_offers_after_claim(tend_ctx *ctx, const tend_task *t)
{
    tend_store *store = ctx->env->store;
    tend_offer mine;
    int rc = tend_store_offer_get(store, t->id, ctx->member.id, &mine);
    if (rc == TEND_STORE_OK && mine.state == TEND_OFFER_OPEN)
        rc = tend_store_offer_set_state(store, mine.id, TEND_OFFER_TAKEN);
    if (rc == TEND_STORE_NOTFOUND)
        rc = TEND_STORE_OK;
    tend_task now_t;
    if (rc == TEND_STORE_OK)
        rc = tend_store_task_by_id(store, t->id, &now_t);
    if (rc != TEND_STORE_OK)
        return tend_store_failed(ctx, rc);
    if (now_t.active < now_t.slots)
        return TEND_OK;
    /* filled: whoever else was asked and has not answered hears it is covered, and nobody more is */
    covered_walk w = {ctx, &now_t, TEND_STORE_OK};
    rc = tend_store_offers_open_of(store, t->id, tell_covered, &w);
    if (rc == TEND_STORE_OK)
        rc = w.rc;
    if (rc == TEND_STORE_OK)
        rc = tend_store_offers_close(store, t->id);
    return rc == TEND_STORE_OK ? TEND_OK : tend_store_failed(ctx, rc);
}

/* ---------------------------------------------------------------- /pass */

int tend_cmd_pass(tend_ctx *ctx)
{
    tend_task t;
    /* an offer is always for a slot still open: last week's copy, held, is not the one meant */
    int result = tend_task_find_words(ctx, 0, tend_args_count(ctx->args), TEND_PREFER_NEEDS_HANDS, &t);
    if (result != TEND_OK)
        return result;
    tend_offer o;
    int rc = tend_store_offer_get(ctx->env->store, t.id, ctx->member.id, &o);
    if (rc == TEND_STORE_NOTFOUND || (rc == TEND_STORE_OK && o.state != TEND_OFFER_OPEN))
        return tend_reply_private(ctx, "reply", MSG_PASS_NOTHING, t.number) ? TEND_OK
                                                                             : tend_store_failed(ctx, TEND_STORE_ERROR);
    if (rc == TEND_STORE_OK)
        rc = tend_store_offer_set_state(ctx->env->store, o.id, TEND_OFFER_PASSED);
    if (rc != TEND_STORE_OK)
        return tend_store_failed(ctx, rc);
    if (!tend_reply_private(ctx, "reply", MSG_PASS_THANKS))
        return tend_store_failed(ctx, TEND_STORE_ERROR);
    /* the offer moves on quietly: nobody else ever hears who passed */
    if (o.why == TEND_OFFER_ROTATION)
        rc = tend_rotation_move_on(ctx->env, &ctx->group, t.id, ctx->now, ctx->out);
    else if (needs_backup(ctx->env, &t, ctx->now)) {
        size_t invited = 0;
        rc = invite(ctx->env, &ctx->group, &t, ctx->now, 1, ctx->out, &invited);
    }
    return rc == TEND_STORE_OK ? TEND_OK : tend_store_failed(ctx, rc);
}

/* ---------------------------------------------------------------- /backup KIND on|off */

typedef struct {
    char text[512];
    int n;
} kind_list;

static int list_kind(const char *kind, void *ud)
{
    kind_list *l = ud;
    size_t used = strlen(l->text);
    snprintf(l->text + used, sizeof l->text - used, "%s%s", l->n++ ? ", " : "", kind);
    return 0;
}

int tend_cmd_backup(tend_ctx *ctx)
{
    size_t n = tend_args_count(ctx->args);
    if (n == 0) {
        kind_list l = {"", 0};
        int rc = tend_store_backups_of(ctx->env->store, ctx->member.id, list_kind, &l);
        if (rc != TEND_STORE_OK)
            return tend_store_failed(ctx, rc);
        tend_message *m = l.n ? tend_reply_private(ctx, "reply", MSG_BACKUP_LIST, l.text)
                              : tend_reply_private(ctx, "reply", MSG_BACKUP_NONE);
        return m ? TEND_OK : tend_store_failed(ctx, TEND_STORE_ERROR);
    }
    const char *last = tend_args_word(ctx->args, n - 1);
    int said = tend_parse_switch(last); /* on/off, or the member's words for them */
    bool on = said == 1, off = said == 0;
    if (!on && !off) {
        int rc = tend_usage(ctx, MSG_BACKUP_ON_OFF);
        tend_words_hint(ctx->error, sizeof ctx->error, TEND_WORD_ON, TEND_WORD_OFF); /* "sí, no" */
        return rc;
    }
    if (n < 2)
        return tend_usage(ctx, MSG_BACKUP_USAGE_KIND);
    char *words = tend_args_join(ctx->args, 0);
    if (!words)
        return tend_store_failed(ctx, TEND_STORE_ERROR);
    words[strlen(words) - strlen(last)] = '\0'; /* the kind is every word before on|off */
    char kind[TEND_KIND_MAX];
    int bad = tend_kind_clean(words, kind, sizeof kind) != 0 || !kind[0];
    free(words);
    if (bad)
        return tend_usage(ctx, MSG_KIND_BAD);
    int rc = tend_store_backup_set(ctx->env->store, ctx->member.id, kind, on);
    if (rc != TEND_STORE_OK)
        return tend_store_failed(ctx, rc);
    tend_message *m = on ? tend_reply_private(ctx, "reply", MSG_BACKUP_ON, kind, kind)
                         : tend_reply_private(ctx, "reply", MSG_BACKUP_OFF, kind);
    return m ? TEND_OK : tend_store_failed(ctx, TEND_STORE_ERROR);
}
