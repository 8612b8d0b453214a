/*
 * rest.c — /stepback and /back: rest is normal. Stepping back hands every task back to the group
 * without blame and quiets the bot toward the member; everything about it is private, the reason
 * most of all, so nothing here ever speaks in the group's channel.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "bot/handlers.h"
#include "bot/command.h"
#include "bot/limits.h"
#include "bot/messages.h"
#include "bot/parse.h"
#include "bot/rest.h"
#include "bot/tasks.h"
#include "bot/tz.h"
#include "bot/when.h"
#include "bot/words.h"

#define WEEK (7 * 24 * 3600)
#define REST_MAX (366 * 24 * 3600)

/* "Monday 9 November", with the year only when it is not this year's. A rest that ends at local
 * midnight is shown as the day before, the last day of rest. */
static void format_rest_end(const tend_ctx *ctx, int64_t until, char *out, size_t outlen)
{
    struct tm end, today;
    const char *zone = tend_tz_of_member(&ctx->group, &ctx->member);
    if (tend_tz_local(zone, until - 1, &end) != 0 || tend_tz_local(zone, ctx->now, &today) != 0) {
        snprintf(out, outlen, "later");
        return;
    }
    tend_when_day_long(&end, end.tm_year != today.tm_year, out, outlen); /* in the member's language */
}

/* The first moment after the local day `text` names ("2026-12-24" ends at midnight that night).
 * 0 when it is a date, -1 when it is not one. */
static int date_end(const tend_ctx *ctx, const char *text, int64_t *until)
{
    int y, m, d;
    if (tend_parse_date(text, &y, &m, &d) != 0)
        return -1;
    int64_t last_minute;
    if (tend_tz_to_utc(tend_tz_of_member(&ctx->group, &ctx->member), y, m, d, 23, 59, &last_minute) != 0)
        return -1;
    *until = last_minute + 60;
    return 0;
}

/* Reads [for] into *until; *used says how many words it took (0 or 1: none when it came as for:
 * or the default applies). The first word is always the length of the rest, so "stepback soon"
 * is explained rather than quietly taken as a week with the note "soon"; a note alone can follow
 * note:. TEND_OK, or TEND_EUSAGE after explaining. */
static bool reads_as_duration(const char *value, void *unused)
{
    (void)unused;
    int64_t seconds;
    return tend_parse_duration(value, &seconds) == 0;
}

static int read_rest_end(tend_ctx *ctx, int64_t *until, size_t *used)
{
    /* for:2 weeks typed as text (the console, Matrix): the option runs on over "weeks", as Discord's
     * for:"2 weeks" does; the note starts after it */
    (void)tend_args_absorb(ctx->args, "for", 2, reads_as_duration, NULL);
    const char *named = tend_args_named(ctx->args, "for");
    const char *word = named ? named : tend_args_word(ctx->args, 0);
    int64_t seconds;
    *until = ctx->now + WEEK;
    *used = 0;
    if (!named && !word)
        return TEND_OK;
    size_t words = 1;
    if (named ? tend_parse_duration(word, &seconds) == 0
              : tend_parse_duration_words(word, tend_args_word(ctx->args, 1), &seconds, &words) == 0) {
        *until = ctx->now + seconds;
    } else if (date_end(ctx, word, until) == 0) {
        if (*until <= ctx->now)
            return tend_usage(ctx, MSG_REST_DATE_PAST);
        if (*until - ctx->now > REST_MAX)
            return tend_usage(ctx, MSG_REST_DATE_FAR);
    } else {
        int rc = tend_usage(ctx, MSG_REST_BAD_FOR);
        tend_words_hint_examples(ctx->error, sizeof ctx->error, MSG_WORDS_DURATION_EXAMPLES); /* "2 semanas" */
        return rc;
    }
    *used = named ? 0 : words;
    return TEND_OK;
}

/* The private reason: note:..., else the words after [for]. NULL on OOM. */
static char *read_rest_note(const tend_ctx *ctx, size_t from)
{
    const char *named = tend_args_named(ctx->args, "note");
    return named ? strdup(named) : tend_args_join(ctx->args, from);
}

static int record_rest(tend_ctx *ctx, int64_t until, const char *note, bool *extended)
{
    tend_store *store = ctx->env->store;
    tend_rest current;
    int rc = tend_store_rest_current(store, ctx->member.id, &current);
    *extended = rc == TEND_STORE_OK;
    if (rc == TEND_STORE_OK)
        rc = tend_store_rest_extend(store, current.id, until, note);
    else if (rc == TEND_STORE_NOTFOUND)
        rc = tend_store_rest_start(store, ctx->member.id, until, note, ctx->now, NULL);
    if (rc == TEND_STORE_OK)
        ctx->member.resting_until = until;
    return rc;
}

static int reply_rest(tend_ctx *ctx, int64_t until, bool extended, int released)
{
    char day[64];
    format_rest_end(ctx, until, day, sizeof day);
    tend_message *m = extended ? tend_reply_private(ctx, "rest", MSG_REST_EXTENDED, day)
                               : tend_reply_private(ctx, "rest", MSG_REST_STARTED, day);
    if (!m)
        return tend_store_failed(ctx, TEND_STORE_ERROR);
    int rc;
    if (released == 0)
        rc = extended ? 0 : tend_message_appendf(m, MSG_REST_RELEASED_NONE);
    else if (released == 1)
        rc = tend_message_appendf(m, MSG_REST_RELEASED_ONE);
    else
        rc = tend_message_appendf(m, MSG_REST_RELEASED_MANY, released);
    if (rc == 0)
        rc = tend_message_appendf(m, MSG_REST_BACK_HINT);
    return rc == 0 ? TEND_OK : tend_store_failed(ctx, TEND_STORE_ERROR);
}

int tend_cmd_stepback(tend_ctx *ctx)
{
    int64_t until;
    size_t used;
    int result = read_rest_end(ctx, &until, &used);
    if (result != TEND_OK)
        return result;
    char *note = read_rest_note(ctx, used);
    if (!note)
        return tend_store_failed(ctx, TEND_STORE_ERROR);
    if (tend_utf8_length(note) > TEND_LIMIT_NOTE_CHARS) {
        free(note);
        return tend_refuse(ctx, MSG_REST_NOTE_TOO_LONG);
    }
    int released = 0;
    result = tend_tasks_release_all(ctx, &ctx->member, &released);
    bool extended = false;
    if (result == TEND_OK) {
        int rc = record_rest(ctx, until, note, &extended);
        result = rc == TEND_STORE_OK ? TEND_OK : tend_store_failed(ctx, rc);
    }
    free(note);
    if (result != TEND_OK)
        return result;
    return reply_rest(ctx, until, extended, released);
}

/* "back hello": the member said yes to a welcome back in the digest. The digest names only those
 * who asked for it; everyone else's return is their own business. */
static int back_hello(tend_ctx *ctx)
{
    int rc = tend_store_rest_announce(ctx->env->store, ctx->member.id, ctx->now - WEEK);
    if (rc == TEND_STORE_NOTFOUND)
        return tend_refuse(ctx, MSG_REST_HELLO_NONE);
    if (rc != TEND_STORE_OK)
        return tend_store_failed(ctx, rc);
    return tend_reply_private(ctx, "rest.hello", MSG_REST_HELLO_SET) ? TEND_OK
                                                                     : tend_store_failed(ctx, TEND_STORE_ERROR);
}

int tend_rest_offer_hello(tend_message *m)
{
    return tend_message_appendf(m, MSG_REST_ASK_HELLO) == 0 &&
                   tend_message_add_button(m, MSG_REST_BUTTON_HELLO, "\xF0\x9F\x91\x8B", "back hello") == 0
               ? 0
               : -1;
}

int tend_cmd_back(tend_ctx *ctx)
{
    const char *word = tend_args_word(ctx->args, 0);
    if (word && strcasecmp(word, "hello") == 0 && tend_args_count(ctx->args) == 1)
        return back_hello(ctx);
    if (word)
        return tend_usage(ctx, MSG_REST_BACK_WORDS);
    tend_rest current;
    int rc = tend_store_rest_current(ctx->env->store, ctx->member.id, &current);
    if (rc == TEND_STORE_NOTFOUND)
        return tend_reply_private(ctx, "rest", MSG_REST_NOT_RESTING) ? TEND_OK
                                                                      : tend_store_failed(ctx, rc);
    if (rc == TEND_STORE_OK)
        rc = tend_store_rest_end(ctx->env->store, current.id, true, ctx->now);
    if (rc != TEND_STORE_OK)
        return tend_store_failed(ctx, rc);
    ctx->member.resting_until = 0;
    tend_message *m = tend_reply_private(ctx, "rest.back", MSG_REST_WELCOME_BACK);
    if (!m || tend_rest_offer_hello(m) != 0)
        return tend_store_failed(ctx, TEND_STORE_ERROR);
    return TEND_OK;
}
