/*
 * thanks.c — /thanks: a public shout-out. No points and no counts anywhere, and a small daily limit
 * per giver, so a thank you stays a thank you rather than a currency.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bot/handlers.h"
#include "bot/command.h"
#include "bot/limits.h"
#include "bot/messages.h"
#include "bot/parse.h"
#include "bot/words.h"

#define DAY (24 * 3600)

/* The words after the member, as typed. A reason that starts with its own "for" ("for the soup",
 * "por el viaje", "pela carona") is shown as it is; any other gets the reader's " for %s", so a
 * member never reads "por por el viaje" and a Portuguese contraction keeps its article. */
static char *read_reason(const tend_ctx *ctx)
{
    const char *named = tend_args_named(ctx->args, "for");
    char *reason = named ? strdup(named) : tend_args_join(ctx->args, 1);
    /* "for" alone says nothing */
    if (reason && strcspn(reason, " ") == strlen(reason) && tend_words_starts_with(TEND_WORD_THANKS_FOR, reason))
        reason[0] = '\0';
    return reason;
}

static int within_daily_limit(tend_ctx *ctx, int *given)
{
    int limit = ctx->env->settings && ctx->env->settings->thanks_per_day > 0
                    ? ctx->env->settings->thanks_per_day
                    : 5;
    int rc = tend_store_thanks_given_since(ctx->env->store, ctx->member.id, ctx->now - DAY + 1, given);
    if (rc != TEND_STORE_OK)
        return tend_store_failed(ctx, rc);
    if (*given >= limit)
        return tend_refuse(ctx, MSG_THANKS_LIMIT, *given);
    return TEND_OK;
}

static bool ends_in_punctuation(const char *s)
{
    size_t n = strlen(s);
    return n > 0 && strchr(".!?", s[n - 1]) != NULL;
}

static int announce(tend_ctx *ctx, const tend_member *to, const char *reason)
{
    tend_message *m = tend_reply_public(ctx, "thanks", MSG_THANKS_GIVEN, ctx->member.name);
    if (!m || tend_message_add_mention(m, to->key, to->name) != 0 ||
        (reason[0] && tend_message_appendf(m, tend_words_starts_with(TEND_WORD_THANKS_FOR, reason) ? " %s"
                                                                                                : MSG_THANKS_FOR,
                                           reason) != 0) ||
        (!ends_in_punctuation(reason) && tend_message_appendf(m, MSG_THANKS_END) != 0))
        return tend_store_failed(ctx, TEND_STORE_ERROR);
    return TEND_OK;
}

int tend_cmd_thanks(tend_ctx *ctx)
{
    if (tend_args_count(ctx->args) == 0)
        return tend_usage(ctx, MSG_THANKS_WHO);
    tend_member to;
    int rc = tend_resolve_member(ctx, 0, &to);
    if (rc == TEND_STORE_NOTFOUND)
        return tend_refuse(ctx, MSG_MEMBER_NOT_FOUND, tend_args_word(ctx->args, 0));
    if (rc != TEND_STORE_OK)
        return tend_store_failed(ctx, rc);
    if (to.id == ctx->member.id)
        return tend_refuse(ctx, MSG_THANKS_SELF);
    int given = 0;
    int result = within_daily_limit(ctx, &given);
    if (result != TEND_OK)
        return result;
    char *reason = read_reason(ctx);
    if (!reason)
        return tend_store_failed(ctx, TEND_STORE_ERROR);
    if (tend_utf8_length(reason) > TEND_LIMIT_NOTE_CHARS) {
        free(reason);
        return tend_refuse(ctx, MSG_THANKS_REASON_TOO_LONG);
    }
    tend_thanks t = {.group_id = ctx->group.id, .from_member = ctx->member.id, .to_member = to.id,
                     .created_at = ctx->now};
    snprintf(t.reason, sizeof t.reason, "%s", reason);
    rc = tend_store_thanks_add(ctx->env->store, &t);
    result = rc == TEND_STORE_OK ? announce(ctx, &to, reason) : tend_store_failed(ctx, rc);
    free(reason);
    return result;
}
