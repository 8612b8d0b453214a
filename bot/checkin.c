/*
 * checkin.c — /checkin: how a member is doing this week. Always a private conversation between the
 * member and the bot; a low or out week is met with an offer of rest, never with questions.
 */
#include <stdlib.h>
#include <string.h>

#include "bot/handlers.h"
#include "bot/command.h"
#include "bot/limits.h"
#include "bot/messages.h"
#include "bot/parse.h"
#include "bot/tasks.h"
#include "bot/words.h"


static int reply_prompt(tend_ctx *ctx)
{
    static const struct {
        const char *label, *emoji, *command;
    } answers[] = {
        {MSG_CHECKIN_BUTTON_GREAT, "\xF0\x9F\x8C\x9F", "checkin great"},
        {MSG_CHECKIN_BUTTON_OK, "\xF0\x9F\x91\x8D", "checkin ok"},
        {MSG_CHECKIN_BUTTON_LOW, "\xF0\x9F\xAA\xAB", "checkin low"},
        {MSG_CHECKIN_BUTTON_OUT, "\xF0\x9F\x9B\x8C", "checkin out"},
    };
    tend_message *m = tend_reply_private(ctx, "checkin.prompt", MSG_CHECKIN_PROMPT);
    if (!m)
        return tend_store_failed(ctx, TEND_STORE_ERROR);
    for (size_t i = 0; i < sizeof answers / sizeof answers[0]; i++)
        if (tend_message_add_button(m, answers[i].label, answers[i].emoji, answers[i].command) != 0)
            return tend_store_failed(ctx, TEND_STORE_ERROR);
    return TEND_OK;
}

/* Low or out: offer a week off with one tap, and show what they could give back. */
static int offer_rest(tend_ctx *ctx, tend_message *m)
{
    if (tend_message_add_button(m, MSG_CHECKIN_BUTTON_STEPBACK, "\xF0\x9F\x8C\xBF", "stepback 1w") != 0)
        return tend_store_failed(ctx, TEND_STORE_ERROR);
    int rc = tend_tasks_list_claims(ctx, m, &ctx->member, TEND_CLAIM_ACTIVE, MSG_CHECKIN_HOLDING, NULL);
    return rc == TEND_STORE_OK ? TEND_OK : tend_store_failed(ctx, rc);
}

static const char *answer_for(const char *energy)
{
    if (strcmp(energy, "great") == 0)
        return MSG_CHECKIN_GREAT;
    if (strcmp(energy, "ok") == 0)
        return MSG_CHECKIN_OK;
    if (strcmp(energy, "low") == 0)
        return MSG_CHECKIN_LOW;
    return MSG_CHECKIN_OUT;
}

/* The four English words, and the member's own for them when they read another language. */
static int bad_energy(tend_ctx *ctx)
{
    int rc = tend_usage(ctx, MSG_CHECKIN_BAD_ENERGY);
    tend_words_hint(ctx->error, sizeof ctx->error, TEND_WORD_GREAT, TEND_WORD_OUT);
    return rc;
}

int tend_cmd_checkin(tend_ctx *ctx)
{
    const char *named = tend_args_named(ctx->args, "energy");
    const char *word = named ? named : tend_args_word(ctx->args, 0);
    if (!word)
        return reply_prompt(ctx);
    const char *energy;
    size_t used = 0; /* words of the energy: "muy bien" is two, and the note comes after them */
    if (named ? tend_parse_energy(word, &energy) != 0
              : tend_parse_energy_words(word, tend_args_word(ctx->args, 1), &energy, &used) != 0)
        return bad_energy(ctx);
    const char *named_note = tend_args_named(ctx->args, "note");
    char *note = named_note ? strdup(named_note) : tend_args_join(ctx->args, used);
    if (!note)
        return tend_store_failed(ctx, TEND_STORE_ERROR);
    if (tend_utf8_length(note) > TEND_LIMIT_NOTE_CHARS) {
        free(note);
        return tend_refuse(ctx, MSG_CHECKIN_NOTE_TOO_LONG);
    }
    int rc = tend_store_checkin_add(ctx->env->store, ctx->member.id, energy, note, ctx->now);
    free(note);
    if (rc != TEND_STORE_OK)
        return tend_store_failed(ctx, rc);
    tend_message *m = tend_reply_private(ctx, "checkin", "%s", tend_tr(answer_for(energy)));
    if (!m)
        return tend_store_failed(ctx, TEND_STORE_ERROR);
    if (strcmp(energy, "low") == 0 || strcmp(energy, "out") == 0)
        return offer_rest(ctx, m);
    return TEND_OK;
}
