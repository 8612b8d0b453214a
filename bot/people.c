/*
 * people.c — /me, /capacity, /profile and /nudges: a member's own settings and load. All of it is
 * between the member and the bot, so every answer here is a private reply.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "bot/handlers.h"
#include "bot/command.h"
#include "bot/i18n.h"
#include "bot/language.h"
#include "bot/limits.h"
#include "bot/load.h"
#include "bot/messages.h"
#include "bot/names.h"
#include "bot/when.h"
#include "bot/parse.h"
#include "bot/tasks.h"
#include "bot/tz.h"
#include "bot/words.h"


static int out_of_memory(tend_ctx *ctx)
{
    return tend_store_failed(ctx, TEND_STORE_ERROR);
}

/* ---------------------------------------------------------------- /me */

static int append_rest_status(tend_ctx *ctx, tend_message *m)
{
    tend_rest r;
    int rc = tend_store_rest_current(ctx->env->store, ctx->member.id, &r);
    if (rc == TEND_STORE_NOTFOUND)
        return TEND_STORE_OK;
    if (rc != TEND_STORE_OK)
        return rc;
    struct tm end;
    char day[64] = "later";
    /* a rest ends at a local midnight: its last day is the one before */
    if (tend_tz_local(tend_tz_of_member(&ctx->group, &ctx->member), r.until - 1, &end) == 0)
        tend_when_day_long(&end, false, day, sizeof day);
    return tend_message_appendf(m, MSG_PEOPLE_ME_RESTING, day) == 0 ? TEND_STORE_OK : TEND_STORE_ERROR;
}

static int append_load(tend_ctx *ctx, tend_message *m)
{
    tend_load load;
    int rc = tend_load_of(ctx->env->store, &ctx->group, &ctx->member, ctx->now, &load);
    if (rc != TEND_STORE_OK)
        return rc;
    return tend_message_appendf(m, MSG_PEOPLE_ME_LOAD, load.total, load.capacity, load.open_weight,
                                load.done_weight) == 0
               ? TEND_STORE_OK
               : TEND_STORE_ERROR;
}

static int append_checkin(tend_ctx *ctx, tend_message *m)
{
    tend_checkin c;
    int rc = tend_store_checkin_latest(ctx->env->store, ctx->member.id, &c);
    if (rc == TEND_STORE_NOTFOUND)
        return TEND_STORE_OK;
    if (rc != TEND_STORE_OK)
        return rc;
    char energy[48]; /* in the words the member types: "bajo" in Spanish */
    tend_energy_say(c.energy, tend_i18n_private_lang(), energy, sizeof energy);
    return tend_message_appendf(m, MSG_PEOPLE_ME_CHECKIN, energy) == 0 ? TEND_STORE_OK : TEND_STORE_ERROR;
}

int tend_cmd_me(tend_ctx *ctx)
{
    tend_message *m = tend_reply_private(ctx, "me", MSG_PEOPLE_ME_TITLE);
    if (!m)
        return out_of_memory(ctx);
    int held = 0, waiting = 0;
    int rc = tend_tasks_list_claims(ctx, m, &ctx->member, TEND_CLAIM_ACTIVE, MSG_PEOPLE_ME_HOLDING, &held);
    if (rc == TEND_STORE_OK)
        rc = tend_tasks_list_claims(ctx, m, &ctx->member, TEND_CLAIM_WAITING, MSG_PEOPLE_ME_WAITING, &waiting);
    if (rc == TEND_STORE_OK && held == 0)
        rc = tend_message_appendf(m, MSG_PEOPLE_ME_NOTHING_HELD) == 0 ? TEND_STORE_OK : TEND_STORE_ERROR;
    if (rc == TEND_STORE_OK)
        rc = append_load(ctx, m);
    if (rc == TEND_STORE_OK)
        rc = append_rest_status(ctx, m);
    if (rc == TEND_STORE_OK)
        rc = tend_message_appendf(m, ctx->member.nudges ? MSG_PEOPLE_ME_NUDGES_ON : MSG_PEOPLE_ME_NUDGES_OFF)
                     == 0
                 ? TEND_STORE_OK
                 : TEND_STORE_ERROR;
    if (rc == TEND_STORE_OK)
        rc = append_checkin(ctx, m);
    return rc == TEND_STORE_OK ? TEND_OK : tend_store_failed(ctx, rc);
}

/* ---------------------------------------------------------------- /capacity */

int tend_cmd_capacity(tend_ctx *ctx)
{
    const char *named = tend_args_named(ctx->args, "capacity");
    const char *word = named ? named : tend_args_word(ctx->args, 0);
    int n;
    if (!word || tend_parse_int(word, 1, TEND_LIMIT_CAPACITY, &n) != 0 || (!named && tend_args_count(ctx->args) > 1))
        return tend_usage(ctx, MSG_PEOPLE_CAPACITY_BAD);
    ctx->member.capacity = n;
    int rc = tend_store_member_save(ctx->env->store, &ctx->member);
    if (rc != TEND_STORE_OK)
        return tend_store_failed(ctx, rc);
    return tend_reply_private(ctx, "capacity", MSG_PEOPLE_CAPACITY_SET, n) ? TEND_OK : out_of_memory(ctx);
}

/* ---------------------------------------------------------------- /profile */

/* "22:00-07:00" -> minutes; "off" -> -1, -1. 0 or -1. */
static int parse_quiet(const char *text, int *start, int *end)
{
    if (tend_parse_switch(text) == 0) { /* off, or "aus", "no"... */
        *start = *end = -1;
        return 0;
    }
    const char *dash = strchr(text, '-');
    char first[16];
    if (!dash || (size_t)(dash - text) >= sizeof first)
        return -1;
    memcpy(first, text, (size_t)(dash - text));
    first[dash - text] = '\0';
    if (tend_parse_clock(first, start) != 0 || tend_parse_clock(dash + 1, end) != 0 || *start == *end)
        return -1;
    return 0;
}

/* The name as others will read it (names.h): nothing invisible, and nobody else's look-alike. */
static int apply_name(tend_ctx *ctx, tend_member *m, const char *typed)
{
    char name[TEND_NAME_MAX];
    if (tend_utf8_length(typed) > TEND_LIMIT_NAME_CHARS || tend_name_clean(typed, name, sizeof name) != 0)
        return tend_usage(ctx, MSG_NAME_LEN, TEND_LIMIT_NAME_CHARS);
    bool taken = false;
    int rc = tend_name_taken(ctx->env->store, ctx->group.id, name, m->id, &taken);
    if (rc != TEND_STORE_OK)
        return tend_store_failed(ctx, rc);
    if (taken)
        return tend_refuse(ctx, MSG_PEOPLE_PROFILE_NAME_TAKEN, name);
    snprintf(m->name, sizeof m->name, "%s", name);
    return TEND_OK;
}

#define REMIND_MIN_MINUTES 5
#define REMIND_MAX_MINUTES (7 * 24 * 60)

/* remind:2h, remind:30m, remind:1d, remind:off, remind:default -> minutes, 0 off, -1 default. */
static int parse_remind(const char *text, int *minutes)
{
    int64_t seconds;
    int on = tend_parse_switch(text);
    if (on == 0)
        *minutes = 0;
    else if (strcasecmp(text, "default") == 0 || on == 1)
        *minutes = -1;
    else if (tend_parse_duration(text, &seconds) == 0 && seconds >= REMIND_MIN_MINUTES * 60 &&
             seconds <= REMIND_MAX_MINUTES * 60)
        *minutes = (int)(seconds / 60);
    else
        return -1;
    return 0;
}

/* "2 hours before", "30 minutes before", "1 day before", "off". */
static void describe_remind(int minutes, char *out, size_t outlen)
{
    if (minutes == 0) {
        snprintf(out, outlen, "%s", tend_tr(MSG_PEOPLE_PROFILE_REMIND_OFF));
        return;
    }
    int m = minutes < 0 ? 120 : minutes;
    char lead[48];
    if (m % 1440 == 0)
        snprintf(lead, sizeof lead, tend_ntr(MSG_PEOPLE_PROFILE_REMIND_DAYS_N, (unsigned long)(m / 1440)), m / 1440);
    else if (m % 60 == 0)
        snprintf(lead, sizeof lead, tend_ntr(MSG_PEOPLE_PROFILE_REMIND_HOURS_N, (unsigned long)(m / 60)), m / 60);
    else
        snprintf(lead, sizeof lead, tend_ntr(MSG_PEOPLE_PROFILE_REMIND_MINUTES_N, (unsigned long)m), m);
    snprintf(out, outlen, tend_tr(MSG_PEOPLE_PROFILE_REMIND_BEFORE), lead,
             minutes < 0 ? tend_tr(MSG_PEOPLE_PROFILE_REMIND_DEFAULT) : "");
}

/* Applies every named option to m, checking each; TEND_OK or the first mistake. */
static int apply_profile(tend_ctx *ctx, tend_member *m)
{
    const char *name = tend_args_named(ctx->args, "name");
    const char *pronouns = tend_args_named(ctx->args, "pronouns");
    const char *quiet = tend_args_named(ctx->args, "quiet");
    const char *remind = tend_args_named(ctx->args, "remind");
    const char *tz = tend_args_named(ctx->args, "tz");
    if (!tz)
        tz = tend_args_named(ctx->args, "timezone");
    if (name) {
        int result = apply_name(ctx, m, name);
        if (result != TEND_OK)
            return result;
    }
    if (pronouns) {
        if (tend_utf8_length(pronouns) > TEND_LIMIT_PRONOUNS_CHARS || strlen(pronouns) >= sizeof m->pronouns)
            return tend_usage(ctx, MSG_PRONOUNS_LEN, TEND_LIMIT_PRONOUNS_CHARS);
        snprintf(m->pronouns, sizeof m->pronouns, "%s", pronouns);
    }
    if (quiet && parse_quiet(quiet, &m->quiet_start, &m->quiet_end) != 0)
        return tend_usage(ctx, MSG_PEOPLE_PROFILE_QUIET_BAD);
    if (remind && parse_remind(remind, &m->remind_minutes) != 0)
        return tend_usage(ctx, MSG_PEOPLE_PROFILE_REMIND_BAD);
    const char *language = tend_args_named(ctx->args, "language");
    if (language && (strcasecmp(language, "off") == 0 || strcasecmp(language, "auto") == 0)) {
        m->language[0] = '\0'; /* back to the app's language, else the group's */
    } else if (language && !tend_i18n_match(language, m->language, sizeof m->language)) {
        char shown[24], list[400];
        snprintf(shown, sizeof shown, "%s", language);
        tend_i18n_list(list, sizeof list);
        if (!language[0])
            return tend_refuse(ctx, MSG_LANGUAGE_EMPTY, list);
        return tend_refuse(ctx, MSG_LANGUAGE_UNKNOWN, shown, list);
    }
    if (tz) {
        if (strcasecmp(tz, "off") == 0)
            m->timezone[0] = '\0';
        else if (!tend_tz_valid(tz) || strlen(tz) >= sizeof m->timezone)
            return tend_usage(ctx, MSG_PEOPLE_PROFILE_TZ_BAD, tz);
        else
            snprintf(m->timezone, sizeof m->timezone, "%s", tz);
    }
    return TEND_OK;
}

static int reply_profile(tend_ctx *ctx, const tend_member *m, bool saved)
{
    char pronouns[TEND_PRONOUNS_MAX + 8] = "";
    char quiet[32];
    char zone[TEND_TZ_MAX + 32];
    char remind[64];
    describe_remind(m->remind_minutes, remind, sizeof remind);
    if (m->pronouns[0])
        snprintf(pronouns, sizeof pronouns, tend_tr(MSG_PEOPLE_PROFILE_PRONOUNS), m->pronouns);
    if (m->quiet_start >= 0 && m->quiet_end >= 0)
        snprintf(quiet, sizeof quiet, "%02d:%02d-%02d:%02d", m->quiet_start / 60, m->quiet_start % 60,
                 m->quiet_end / 60, m->quiet_end % 60);
    else
        snprintf(quiet, sizeof quiet, "%s", tend_tr(MSG_PEOPLE_PROFILE_NO_QUIET));
    if (m->timezone[0])
        snprintf(zone, sizeof zone, "%s", m->timezone);
    else
        snprintf(zone, sizeof zone, tend_tr(MSG_PEOPLE_PROFILE_GROUP_TZ), ctx->group.timezone);
    tend_message *msg = tend_reply_private(ctx, "profile", "%s", saved ? tend_tr(MSG_PEOPLE_PROFILE_SAVED) : "");
    if (msg && tend_message_appendf(msg, MSG_PEOPLE_PROFILE_SHOW, m->name, pronouns, quiet, zone, remind) != 0)
        msg = NULL;
    char language[96], shown[128];
    tend_i18n_describe(tend_i18n_private_lang(), language, sizeof language);
    if (m->language[0])
        snprintf(shown, sizeof shown, "%s", language);
    else if (strcmp(tend_i18n_private_lang(), tend_i18n_group_lang()) != 0)
        snprintf(shown, sizeof shown, tend_tr(MSG_PEOPLE_PROFILE_LANGUAGE_APP), language);
    else
        snprintf(shown, sizeof shown, tend_tr(MSG_PEOPLE_PROFILE_LANGUAGE_GROUP), language);
    if (msg && tend_message_appendf(msg, MSG_PEOPLE_PROFILE_LANGUAGE, shown) != 0)
        msg = NULL;
    return msg ? TEND_OK : out_of_memory(ctx);
}

int tend_cmd_profile(tend_ctx *ctx)
{
    static const char *const keys[] = {"name", "pronouns", "quiet", "tz", "timezone", "remind", "language"};
    bool any = false;
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        any = any || tend_args_named(ctx->args, keys[i]) != NULL;
    if (!any && tend_args_count(ctx->args) == 0)
        return reply_profile(ctx, &ctx->member, false);
    if (!any || tend_args_count(ctx->args) > 0)
        return tend_usage(ctx, MSG_PEOPLE_PROFILE_HOW);
    tend_member m = ctx->member;
    int result = apply_profile(ctx, &m);
    if (result != TEND_OK)
        return result;
    int rc = tend_store_member_save(ctx->env->store, &m);
    if (rc != TEND_STORE_OK)
        return tend_store_failed(ctx, rc);
    ctx->member = m;
    tend_lang_scope_rows(&ctx->group, &ctx->member, ctx->req); /* "Saved" in their new language */
    return reply_profile(ctx, &m, true);
}

/* ---------------------------------------------------------------- /nudges */

/* The one-tap "no thanks" on a nudge: noted, nothing else changes (nudges stay on, and the
 * once-a-week rule already keeps the next one a week away). */
static int nudge_no_thanks(tend_ctx *ctx)
{
    int rc = tend_store_nudge_answer(ctx->env->store, ctx->member.id, "load", "no thanks");
    if (rc != TEND_STORE_OK && rc != TEND_STORE_NOTFOUND)
        return tend_store_failed(ctx, rc);
    return tend_reply_private(ctx, "nudges", "%s", tend_tr(MSG_PEOPLE_NUDGES_NO_THANKS)) ? TEND_OK : out_of_memory(ctx);
}

int tend_cmd_nudges(tend_ctx *ctx)
{
    const char *word = tend_args_word(ctx->args, 0);
    bool on;
    if (word && strcasecmp(word, "later") == 0 && tend_args_count(ctx->args) == 1)
        return nudge_no_thanks(ctx);
    int said = word ? tend_parse_switch(word) : -1; /* on/off, or the member's words for them */
    if (said < 0 || tend_args_count(ctx->args) > 1) {
        int rc = tend_usage(ctx, MSG_PEOPLE_NUDGES_BAD);
        tend_words_hint(ctx->error, sizeof ctx->error, TEND_WORD_ON, TEND_WORD_OFF); /* "sí, no" */
        return rc;
    }
    on = said == 1;
    ctx->member.nudges = on;
    int rc = tend_store_member_save(ctx->env->store, &ctx->member);
    if (rc != TEND_STORE_OK)
        return tend_store_failed(ctx, rc);
    return tend_reply_private(ctx, "nudges", "%s", tend_tr(on ? MSG_PEOPLE_NUDGES_ON : MSG_PEOPLE_NUDGES_OFF))
               ? TEND_OK
               : out_of_memory(ctx);
}
