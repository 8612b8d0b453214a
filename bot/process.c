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

#include "bot/command.h"
#include "bot/help.h"
#include "bot/export.h"
#include "bot/messages.h"
#include "bot/limits.h"
#include "bot/parse.h"
#include "bot/tasks.h"

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
        rc = tend_usage(ctx, "%s", empty_msg);
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
static int run_feedback(tend_ctx *ctx)
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

static int run_agreements(tend_ctx *ctx)
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

static int run_agreements_add(tend_ctx *ctx)
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

static int run_agreements_amend(tend_ctx *ctx)
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

static int run_export(tend_ctx *ctx)
{
    if (tend_args_count(ctx->args) > 0)
        return tend_usage(ctx, MSG_PROCESS_EXPORT_EXTRA);
    char *json = NULL;
    int rc = tend_export_member(ctx->env->store, &ctx->group, &ctx->member, &json);
    if (rc != TEND_STORE_OK)
        return tend_store_failed(ctx, rc);
    tend_message *m = tend_reply_private(ctx, "export", "%s", json);
    free(json);
    return m ? TEND_OK : tend_store_failed(ctx, TEND_STORE_ERROR);
}

static int run_export_group(tend_ctx *ctx)
{
    if (tend_args_count(ctx->args) > 0)
        return tend_usage(ctx, MSG_PROCESS_EXPORT_EXTRA);
    char *json = NULL;
    int rc = tend_export_group(ctx->env->store, &ctx->group, &json);
    if (rc != TEND_STORE_OK)
        return tend_store_failed(ctx, rc);
    tend_message *m = tend_reply_private(ctx, "export", "%s", json);
    free(json);
    return m ? TEND_OK : tend_store_failed(ctx, TEND_STORE_ERROR);
}

/* Destructive and irreversible, so the bare command only explains; "forgetme confirm" erases. */
static int run_forgetme(tend_ctx *ctx)
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

const tend_command_spec tend_process_commands[] = {
    {"feedback", TEND_CMD "feedback <suggestion>",
     "an anonymous suggestion: no name is kept with it", false, run_feedback,
     TEND_CMD_PRIVATE | TEND_CMD_ANONYMOUS},
    {"agreements", TEND_CMD "agreements", "the group's agreements", false, run_agreements, 0},
    {"agreements add", TEND_CMD "agreements add <text>", "record a new agreement", true, run_agreements_add, 0},
    {"agreements amend", TEND_CMD "agreements amend <number> <text>",
     "amend an agreement (the old wording is kept)", true, run_agreements_amend, 0},
    {"export", TEND_CMD "export", "your own data, as JSON", false, run_export, TEND_CMD_PRIVATE},
    {"export group", TEND_CMD "export group", "the group's data, as JSON", true, run_export_group,
     TEND_CMD_PRIVATE},
    {"forgetme", TEND_CMD "forgetme [confirm]", "erase your data from this group", false, run_forgetme,
     TEND_CMD_PRIVATE},
    {"help", TEND_CMD "help [command]", "what I can do, or how one command goes", false, tend_cmd_help, 0},
    {NULL, NULL, NULL, false, NULL, 0},
};
