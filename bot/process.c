/*
 * process.c — how the group works together: the anonymous suggestion box, the agreements on
 * record, a member's own data (/export, /forgetme), the group's (/export group) and /help. The
 * JSON itself is built in export.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "bot/i18n.h"
#include "bot/handlers.h"
#include "bot/calendar.h"
#include "bot/command.h"
#include "bot/help.h"
#include "bot/export.h"
#include "bot/messages.h"
#include "bot/limits.h"
#include "bot/parse.h"
#include "bot/tasks.h"
#include "bot/tz.h"

/* ---------------------------------------------------------------- free text */

/* The member's text after the command name and `extra` more words, as typed: quotes, colons and
 * punctuation kept (the word splitter would drop "for:" and unwrap quotes). Cleaned of control
 * characters; leading and trailing blanks trimmed. One word is taken as parsed, because Discord
 * hands a text option over as one quoted word. With member references the joined words are used,
 * so a reference reads "@name" rather than a bare marker. NULL on OOM. */
static char *text_after(const tend_ctx *ctx, size_t extra)
{
    const char *p = tend_args_rest(ctx->args, extra);
    if (p[0] == '"' && tend_args_count(ctx->args) == extra + 1) {
        const char *word = tend_args_word(ctx->args, extra);
        return tend_text_clean(word, strlen(word));
    }
    if (ctx->req->n_refs > 0)
        return tend_args_join(ctx->args, extra);
    size_t len = strlen(p);
    while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '\t' || p[len - 1] == '\n'))
        len--;
    return tend_text_clean(p, len);
}

/* Reads the free text into *out, or explains (empty, too long) and returns the handler's result. */
static int read_long_text(tend_ctx *ctx, size_t extra, const char *empty_msg, char **out)
{
    *out = text_after(ctx, extra);
    if (!*out)
        return tend_store_failed(ctx, TEND_STORE_ERROR);
    size_t chars = tend_utf8_length(*out);
    int rc = TEND_OK;
    if (chars == 0)
        rc = tend_usage(ctx, "%s", tend_tr(empty_msg));
    else if (TEND_FAR_TOO_LONG(chars, TEND_LIMIT_LONG_TEXT_CHARS))
        rc = tend_refuse(ctx, MSG_LONG_TEXT_FAR_TOO_LONG, TEND_LIMIT_LONG_TEXT_CHARS);
    else if (chars > TEND_LIMIT_LONG_TEXT_CHARS)
        rc = tend_refuse(ctx, MSG_LONG_TEXT_TOO_LONG, chars, TEND_LIMIT_LONG_TEXT_CHARS);
    if (rc != TEND_OK) {
        free(*out);
        *out = NULL;
    }
    return rc;
}

/* ---------------------------------------------------------------- feedback */

/* Nothing here may identify who wrote it: no member id, no time finer than the UTC month, a
 * random id, nothing in a log or the outbox (the thanks leaves no trace), and the thanks goes only
 * to the writer. The command is anonymous (TEND_CMD_ANONYMOUS), so not even the writer's member row
 * is made or touched alongside it. There is no audit row either: even one with no member would sit
 * between its neighbours' rows in id order, and those say who did what, when. */
int tend_cmd_feedback(tend_ctx *ctx)
{
    char *text = NULL;
    int rc = read_long_text(ctx, 0, MSG_PROCESS_FEEDBACK_EMPTY, &text);
    if (rc != TEND_OK)
        return rc;
    time_t now = (time_t)ctx->now;
    struct tm utc;
    char month[8] = "";
    if (gmtime_r(&now, &utc))
        strftime(month, sizeof month, "%Y-%m", &utc);
    int src = tend_store_feedback_add(ctx->env->store, ctx->group.id, text, month);
    free(text);
    if (src != TEND_STORE_OK)
        return tend_store_failed(ctx, src);
    /* the thanks is addressed to the writer: kept in the outbox, its row would sit beside the
     * suggestion with the writer's key and the minute, so it is sent at once and kept nowhere */
    tend_message *thanks = tend_reply_private(ctx, "feedback", MSG_PROCESS_FEEDBACK_THANKS);
    if (thanks)
        thanks->leaves_no_trace = true;
    return TEND_OK;
}

/* ---------------------------------------------------------------- agreements */

static int append_agreement(const tend_agreement *a, void *ud)
{
    tend_message *m = ud;
    tend_message_appendf(m, MSG_PROCESS_AGREEMENTS_LINE, a->number, a->text);
    if (a->version > 1)
        tend_message_appendf(m, MSG_PROCESS_AGREEMENTS_AMENDED);
    return 0;
}

static int count_agreement(const tend_agreement *a, void *ud)
{
    (void)a;
    (*(int *)ud)++;
    return 0;
}

int tend_cmd_agreements(tend_ctx *ctx)
{
    if (tend_args_count(ctx->args) > 0)
        return tend_usage(ctx, MSG_PROCESS_AGREEMENTS_WORDS);
    int n = 0;
    int rc = tend_store_agreements_current_each(ctx->env->store, ctx->group.id, count_agreement, &n);
    if (rc != TEND_STORE_OK)
        return tend_store_failed(ctx, rc);
    if (n == 0) {
        tend_reply_private(ctx, "agreements", MSG_PROCESS_AGREEMENTS_NONE);
        return TEND_OK;
    }
    tend_message *m = tend_reply_private(ctx, "agreements", MSG_PROCESS_AGREEMENTS_HEAD);
    if (!m)
        return tend_store_failed(ctx, TEND_STORE_ERROR);
    rc = tend_store_agreements_current_each(ctx->env->store, ctx->group.id, append_agreement, m);
    return rc == TEND_STORE_OK ? TEND_OK : tend_store_failed(ctx, rc);
}

int tend_cmd_agreements_add(tend_ctx *ctx)
{
    char *text = NULL;
    int rc = read_long_text(ctx, 0, MSG_PROCESS_AGREEMENT_EMPTY, &text);
    if (rc != TEND_OK)
        return rc;
    int number = 0;
    int src = tend_store_agreement_add(ctx->env->store, ctx->group.id, text, ctx->member.id, ctx->now,
                                       &number);
    char detail[32];
    snprintf(detail, sizeof detail, "agreement %d", number);
    if (src == TEND_STORE_OK)
        src = tend_store_audit(ctx->env->store, ctx->group.id, ctx->member.id, "agreement.add", detail,
                               ctx->now);
    if (src == TEND_STORE_OK)
        tend_reply_public(ctx, "agreement", MSG_PROCESS_AGREEMENT_RECORDED, number, text);
    free(text);
    return src == TEND_STORE_OK ? TEND_OK : tend_store_failed(ctx, src);
}

int tend_cmd_agreements_amend(tend_ctx *ctx)
{
    int number = 0;
    if (tend_parse_int(tend_args_word(ctx->args, 0), 1, 1000000, &number) != 0)
        return tend_usage(ctx, MSG_PROCESS_AGREEMENT_NUMBER);
    char *text = NULL;
    int rc = read_long_text(ctx, 1, MSG_PROCESS_AGREEMENT_EMPTY, &text);
    if (rc != TEND_OK)
        return rc;
    int version = 0;
    int src = tend_store_agreement_amend(ctx->env->store, ctx->group.id, number, text, ctx->member.id,
                                         ctx->now, &version);
    if (src == TEND_STORE_NOTFOUND) {
        free(text);
        return tend_refuse(ctx, MSG_PROCESS_AGREEMENT_NOT_FOUND, number);
    }
    char detail[48];
    snprintf(detail, sizeof detail, "agreement %d version %d", number, version);
    if (src == TEND_STORE_OK)
        src = tend_store_audit(ctx->env->store, ctx->group.id, ctx->member.id, "agreement.amend", detail,
                               ctx->now);
    if (src == TEND_STORE_OK)
        tend_reply_public(ctx, "agreement", MSG_PROCESS_AGREEMENT_AMENDED, number, text);
    free(text);
    return src == TEND_STORE_OK ? TEND_OK : tend_store_failed(ctx, src);
}

/* ---------------------------------------------------------------- export, forgetme */

/* "tend-export-2026-12-05.json": the day in the member's own zone, so two downloads sort apart */
static void file_name(tend_ctx *ctx, const char *stem, const char *ext, char *out, size_t outlen)
{
    struct tm local;
    char day[16] = "";
    if (tend_tz_local(tend_tz_of_member(&ctx->group, &ctx->member), ctx->now, &local) == 0)
        strftime(day, sizeof day, "-%Y-%m-%d", &local);
    snprintf(out, outlen, "%s%s.%s", stem, day, ext);
}

/* A private answer that carries `data` as the file `name`: it goes to the member who asked and no
 * one else, on every platform (an ephemeral Discord follow-up, their Matrix direct chat). */
static int reply_with_file(tend_ctx *ctx, tend_message *m, const char *name, const char *type, const char *data)
{
    if (!m || tend_message_attach(m, name, type, data) != 0)
        return tend_store_failed(ctx, TEND_STORE_ERROR);
    return TEND_OK;
}

int tend_cmd_export(tend_ctx *ctx)
{
    if (tend_args_count(ctx->args) > 0)
        return tend_usage(ctx, MSG_PROCESS_EXPORT_EXTRA);
    char *json = NULL;
    int rc = tend_export_member(ctx->env->store, &ctx->group, &ctx->member, &json);
    if (rc != TEND_STORE_OK)
        return tend_store_failed(ctx, rc);
    char name[64];
    file_name(ctx, "tend-export", "json", name, sizeof name);
    rc = reply_with_file(ctx, tend_reply_private(ctx, "export", MSG_EXPORT_READY, name), name, "application/json", json);
    free(json);
    return rc;
}

int tend_cmd_export_group(tend_ctx *ctx)
{
    if (tend_args_count(ctx->args) > 0)
        return tend_usage(ctx, MSG_PROCESS_EXPORT_EXTRA);
    char *json = NULL;
    int rc = tend_export_group(ctx->env->store, &ctx->group, &json);
    if (rc != TEND_STORE_OK)
        return tend_store_failed(ctx, rc);
    char name[64];
    file_name(ctx, "tend-group-export", "json", name, sizeof name);
    rc = reply_with_file(ctx, tend_reply_private(ctx, "export", MSG_EXPORT_GROUP_READY, name), name,
                         "application/json", json);
    free(json);
    return rc;
}

/* ---------------------------------------------------------------- calendar */

typedef struct {
    tend_ctx *ctx;
    tend_calendar *cal;
    bool mine;
    int rc;
} calendar_walk;

static int calendar_task(const tend_task *t, void *ud)
{
    calendar_walk *w = ud;
    if (t->due_at == 0 || t->state != TEND_TASK_OPEN)
        return 0;
    tend_claim c;
    if (w->mine && (tend_store_claim_current(w->ctx->env->store, t->id, w->ctx->member.id, &c) != TEND_STORE_OK ||
                    c.state != TEND_CLAIM_ACTIVE))
        return 0; /* waiting for a slot is not holding it */
    char event[128], *text = NULL;
    snprintf(event, sizeof event, tend_tr(MSG_CALENDAR_EVENT_TASK), t->number);
    if (asprintf(&text, "%s%s%s", t->note, t->note[0] ? "\n\n" : "", event) < 0) {
        w->rc = TEND_STORE_ERROR;
        return 1;
    }
    if (tend_calendar_add(w->cal, t, text) != 0)
        w->rc = TEND_STORE_ERROR;
    free(text);
    return w->rc != TEND_STORE_OK;
}

/* /tasks ics: the group's open tasks that have a time; /tasks ics mine: the ones I hold. */
int tend_cmd_tasks_ics(tend_ctx *ctx)
{
    const char *word = tend_args_word(ctx->args, 0);
    bool mine = word && strcasecmp(word, "mine") == 0;
    if ((word && !mine) || tend_args_count(ctx->args) > 1)
        return tend_usage(ctx, MSG_CALENDAR_WORDS);
    calendar_walk w = {ctx, tend_calendar_new(&ctx->group, ctx->now), mine, TEND_STORE_OK};
    if (!w.cal)
        return tend_store_failed(ctx, TEND_STORE_ERROR);
    int rc = tend_store_tasks_each(ctx->env->store, ctx->group.id, mine ? TEND_TASKS_MINE : TEND_TASKS_OPEN,
                                   ctx->member.id, 0, 0, calendar_task, &w);
    if (rc == TEND_STORE_OK)
        rc = w.rc;
    if (rc != TEND_STORE_OK) {
        tend_calendar_free(w.cal);
        return tend_store_failed(ctx, rc);
    }
    size_t count = tend_calendar_count(w.cal);
    if (count == 0) {
        tend_calendar_free(w.cal);
        return tend_reply_private(ctx, "calendar", "%s", tend_tr(mine ? MSG_CALENDAR_NONE_MINE : MSG_CALENDAR_NONE))
                   ? TEND_OK
                   : tend_store_failed(ctx, TEND_STORE_ERROR);
    }
    char *ics = tend_calendar_finish(w.cal);
    if (!ics)
        return tend_store_failed(ctx, TEND_STORE_ERROR);
    char name[64];
    file_name(ctx, mine ? "tend-my-tasks" : "tend-tasks", "ics", name, sizeof name);
    tend_message *m = count == 1 ? tend_reply_private(ctx, "calendar", MSG_CALENDAR_READY_ONE, name)
                                 : tend_reply_private(ctx, "calendar", MSG_CALENDAR_READY, count, name);
    rc = reply_with_file(ctx, m, name, "text/calendar", ics);
    free(ics);
    return rc;
}

/* Destructive and irreversible, so the bare command only explains; "forgetme confirm" erases. */
int tend_cmd_forgetme(tend_ctx *ctx)
{
    const char *word = tend_args_word(ctx->args, 0);
    if (!word) {
        tend_reply_private(ctx, "forgetme", MSG_PROCESS_FORGETME_EXPLAIN);
        return TEND_OK;
    }
    if (strcasecmp(word, "confirm") != 0 || tend_args_count(ctx->args) > 1)
        return tend_usage(ctx, MSG_PROCESS_FORGETME_WORD);
    int released = 0;
    int rc = tend_tasks_release_all(ctx, &ctx->member, &released);
    if (rc != TEND_OK)
        return rc;
    int src = tend_store_member_forget(ctx->env->store, ctx->member.id);
    if (src == TEND_STORE_OK)
        src = tend_store_audit(ctx->env->store, ctx->group.id, ctx->member.id, "forgetme", "", ctx->now);
    if (src != TEND_STORE_OK)
        return tend_store_failed(ctx, src);
    /* ctx->member still holds the key, so this last word reaches them; and it is the only thing
     * written after the erasure that names them. Kept in the outbox, its row (their key and name)
     * would be copied into the database file by the checkpoint that follows this commit and stay
     * there until the next one, or for a day if the platform cannot take it: so it is sent at
     * once and kept nowhere, like an anonymous suggestion's thanks. */
    tend_message *done = tend_reply_private(ctx, "forgetme", MSG_PROCESS_FORGETME_DONE);
    if (done)
        done->leaves_no_trace = true;
    return TEND_OK;
}
