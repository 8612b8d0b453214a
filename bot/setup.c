/*
 * setup.c — the group's settings, which coordinators change: where and when the bot posts, the
 * group's time zone and default capacity (/setup), and the moratorium on new tasks
 * (/pause-new, /resume-new).
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "bot/i18n.h"
#include "bot/handlers.h"
#include "bot/language.h"
#include "bot/command.h"
#include "bot/limits.h"
#include "bot/messages.h"
#include "bot/parse.h"
#include "bot/tz.h"
#include "bot/when.h"
#include "bot/words.h"

#define CHANNEL_MAX_CHARS 150

/* "Mon 09 Nov 18:00" in the group's zone. */
/* "Mon 16 Nov, 09:00" in the group's zone, in tend_tr's language. */
static void format_local(const tend_group *g, int64_t t, char *out, size_t outlen)
{
    tend_when w = {.at = t, .all_day = false};
    tend_when_format(&w, tend_tz_of_group(g), false, t, TEND_WHEN_SHORT, out, outlen);
}

static void describe_new_tasks(const tend_group *g, int64_t now, char *out, size_t outlen)
{
    if (g->new_tasks_paused_until == INT64_MAX) {
        snprintf(out, outlen, "%s", tend_tr(MSG_SETUP_NEW_PAUSED));
    } else if (g->new_tasks_paused_until > now) {
        char when[64];
        format_local(g, g->new_tasks_paused_until, when, sizeof when);
        snprintf(out, outlen, tend_tr(MSG_SETUP_NEW_PAUSED_UNTIL), when);
    } else {
        snprintf(out, outlen, "%s", tend_tr(MSG_SETUP_NEW_WELCOME));
    }
}

/* A stored "mon 18:00" as its reader says it ("lun 18:00"); the stored form stays English, the one
 * the scheduler reads. */
static void show_weekly(const char *stored, char *out, size_t outlen)
{
    int weekday, minutes;
    if (tend_parse_weekly(stored, &weekday, &minutes) != 0)
        snprintf(out, outlen, "%s", stored);
    else
        snprintf(out, outlen, "%s %02d:%02d", tend_when_weekday_short(weekday), minutes / 60, minutes % 60);
}

static int reply_settings(tend_ctx *ctx, const char *head)
{
    const tend_group *g = &ctx->group;
    char new_tasks[128];
    describe_new_tasks(g, ctx->now, new_tasks, sizeof new_tasks);
    char checkin[48], digest[48];
    show_weekly(g->checkin_at, checkin, sizeof checkin);
    show_weekly(g->digest_at, digest, sizeof digest);
    tend_message *m = tend_reply_private(ctx, "setup", "%s", tend_tr(head));
    if (!m || tend_message_appendf(m, MSG_SETUP_SETTINGS,
                                   g->channel_key[0] ? g->channel_key : tend_message_tr(m, MSG_SETUP_CHANNEL_UNSET),
                                   g->timezone, checkin, digest, g->default_capacity,
                                   new_tasks) != 0)
        return tend_store_failed(ctx, TEND_STORE_ERROR);
    char language[96];
    tend_i18n_describe(g->language, language, sizeof language);
    if (tend_message_appendf(m, MSG_SETUP_LANGUAGE, language) != 0)
        return tend_store_failed(ctx, TEND_STORE_ERROR);
    return TEND_OK;
}

/* ---------------------------------------------------------------- setup */

/* "Monday 6:30" -> "mon 06:30", the one form the scheduler and the settings list show. */
static int canonical_weekly(const char *text, char *out, size_t outlen)
{
    static const char *const days[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};
    int weekday, minutes;
    if (tend_parse_weekly(text, &weekday, &minutes) != 0)
        return -1;
    snprintf(out, outlen, "%s %02d:%02d", days[weekday], minutes / 60, minutes % 60);
    return 0;
}

/* Applies every option given to g; the first bad one explains itself and nothing is saved. */
static int apply_options(tend_ctx *ctx, tend_group *g)
{
    const char *channel = tend_args_named(ctx->args, "channel");
    const char *tz = tend_args_named(ctx->args, "timezone");
    const char *checkin = tend_args_named(ctx->args, "checkin");
    const char *digest = tend_args_named(ctx->args, "digest");
    const char *capacity = tend_args_named(ctx->args, "capacity");
    if (!tz)
        tz = tend_args_named(ctx->args, "tz");
    if (channel) {
        size_t chars = tend_utf8_length(channel);
        if (chars == 0 || chars > CHANNEL_MAX_CHARS || strlen(channel) >= sizeof g->channel_key)
            return tend_usage(ctx, MSG_SETUP_BAD_CHANNEL, chars > 40 ? "…" : channel);
        snprintf(g->channel_key, sizeof g->channel_key, "%s", channel);
    }
    if (tz) {
        if (!tend_tz_valid(tz))
            return tend_usage(ctx, MSG_SETUP_BAD_TIMEZONE, tz);
        snprintf(g->timezone, sizeof g->timezone, "%s", tz);
    }
    if (checkin && canonical_weekly(checkin, g->checkin_at, sizeof g->checkin_at) != 0)
        return tend_usage(ctx, MSG_SETUP_BAD_CHECKIN, checkin);
    if (digest && canonical_weekly(digest, g->digest_at, sizeof g->digest_at) != 0)
        return tend_usage(ctx, MSG_SETUP_BAD_DIGEST, digest);
    if (capacity && tend_parse_int(capacity, 1, TEND_LIMIT_CAPACITY, &g->default_capacity) != 0)
        return tend_usage(ctx, MSG_SETUP_BAD_CAPACITY, capacity);
    const char *language = tend_args_named(ctx->args, "language");
    if (language && !tend_i18n_match(language, g->language, sizeof g->language)) {
        char shown[24], list[400];
        snprintf(shown, sizeof shown, "%s", language); /* a short echo of what was typed */
        tend_i18n_list(list, sizeof list);
        if (!language[0]) /* language: with nothing after it: no empty name to echo */
            return tend_refuse(ctx, MSG_LANGUAGE_EMPTY, list);
        return tend_refuse(ctx, MSG_LANGUAGE_UNKNOWN, shown, list);
    }
    return TEND_OK;
}

static bool has_options(const tend_args *args)
{
    static const char *const keys[] = {"channel", "timezone", "tz", "checkin", "digest", "capacity", "language"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if (tend_args_named(args, keys[i]))
            return true;
    return false;
}

int tend_cmd_setup(tend_ctx *ctx)
{
    const char *stray = tend_args_word(ctx->args, 0);
    if (stray) {
        char shown[48];
        snprintf(shown, sizeof shown, "%s", stray); /* echo a short piece, not a paragraph */
        return tend_usage(ctx, MSG_SETUP_STRAY_WORD, shown);
    }
    if (!has_options(ctx->args))
        return reply_settings(ctx, MSG_SETUP_CURRENT);
    tend_group g = ctx->group;
    int rc = apply_options(ctx, &g);
    if (rc != TEND_OK)
        return rc;
    int src = tend_store_group_save(ctx->env->store, &g);
    if (src == TEND_STORE_OK)
        src = tend_store_audit(ctx->env->store, g.id, ctx->member.id, "setup", "", ctx->now);
    if (src != TEND_STORE_OK)
        return tend_store_failed(ctx, src);
    ctx->group = g;
    tend_lang_scope_rows(&ctx->group, &ctx->member, ctx->req); /* "Saved" in the group's new language */
    return reply_settings(ctx, MSG_SETUP_SAVED);
}

/* ---------------------------------------------------------------- pause-new, resume-new */

/* A length of time /pause-new cannot read: the English examples, then the reader's own. */
static int bad_pause(tend_ctx *ctx, const char *typed)
{
    int rc = tend_usage(ctx, MSG_TEAM_BAD_DURATION, typed);
    tend_words_hint_examples(ctx->error, sizeof ctx->error, MSG_WORDS_DURATION_EXAMPLES); /* "2 semanas" */
    return rc;
}

int tend_cmd_pause_new(tend_ctx *ctx)
{
    const char *text = tend_args_named(ctx->args, "for");
    size_t used = 0;
    int64_t seconds = 0;
    if (!text)
        text = tend_args_word(ctx->args, 0);
    else if (tend_args_count(ctx->args) > 0)
        return bad_pause(ctx, tend_args_word(ctx->args, 0));
    if (text && tend_parse_duration_words(text, tend_args_word(ctx->args, 1), &seconds, &used) != 0)
        return bad_pause(ctx, text);
    if (tend_args_count(ctx->args) > used && !tend_args_named(ctx->args, "for"))
        return bad_pause(ctx, tend_args_word(ctx->args, used));
    ctx->group.new_tasks_paused_until = text ? ctx->now + seconds : INT64_MAX;
    int rc = tend_store_group_save(ctx->env->store, &ctx->group);
    if (rc == TEND_STORE_OK)
        rc = tend_store_audit(ctx->env->store, ctx->group.id, ctx->member.id, "pause-new", text ? text : "",
                              ctx->now);
    if (rc != TEND_STORE_OK)
        return tend_store_failed(ctx, rc);
    if (text) {
        char until[96];
        const char *was = tend_i18n_text_lang(tend_i18n_group_lang()); /* the group reads it */
        format_local(&ctx->group, ctx->group.new_tasks_paused_until, until, sizeof until);
        tend_i18n_text_lang(was);
        tend_reply_public(ctx, "pause", MSG_TEAM_PAUSED_UNTIL, until);
    } else {
        tend_reply_public(ctx, "pause", MSG_TEAM_PAUSED);
    }
    return TEND_OK;
}

int tend_cmd_resume_new(tend_ctx *ctx)
{
    if (ctx->group.new_tasks_paused_until <= ctx->now)
        return tend_refuse(ctx, MSG_TEAM_NOT_PAUSED);
    ctx->group.new_tasks_paused_until = 0;
    int rc = tend_store_group_save(ctx->env->store, &ctx->group);
    if (rc == TEND_STORE_OK)
        rc = tend_store_audit(ctx->env->store, ctx->group.id, ctx->member.id, "resume-new", "", ctx->now);
    if (rc != TEND_STORE_OK)
        return tend_store_failed(ctx, rc);
    tend_reply_public(ctx, "resume", MSG_TEAM_RESUMED);
    return TEND_OK;
}
