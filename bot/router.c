/*
 * router.c — from a member's line of text to the handler that answers it: clean, parse, find the
 * command, check permission, run it in one transaction, and make sure the member always hears back.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "bot/command.h"
#include "bot/fillin.h"
#include "bot/help.h"
#include "bot/i18n.h"
#include "bot/language.h"
#include "bot/welcome.h"
#include "lib/log.h"
#include "lib/metrics.h"
#include "bot/messages.h"
#include "bot/parse.h"
#include "bot/names.h"
#include "bot/outbox.h"
#include "bot/privacy.h"
#include "bot/router.h"

/* ---------------------------------------------------------------- replies */

static tend_message *vreply(tend_ctx *ctx, tend_audience audience, const tend_member *to,
                            const char *kind, const char *fmt, va_list ap)
{
    /* the group reads the group's language; the asker and anyone else their own */
    const char *lang = audience == TEND_TO_PUBLIC ? tend_i18n_group_lang()
                       : to && strcmp(to->key, ctx->member.key) != 0 ? tend_lang_of_member(&ctx->group, to)
                                                                      : tend_i18n_private_lang();
    tend_message *m = tend_messages_vadd_lang(ctx->out, lang, audience, ctx->group.key, to ? to->key : NULL,
                                              to ? to->name : NULL, kind, fmt, ap);
    if (m && audience == TEND_TO_PUBLIC && ctx->req->channel_key &&
        tend_message_set_channel(m, ctx->req->channel_key) != 0)
        return NULL;
    return m;
}

tend_message *tend_reply_private(tend_ctx *ctx, const char *kind, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    tend_message *m = vreply(ctx, TEND_TO_PRIVATE, &ctx->member, kind, fmt, ap);
    va_end(ap);
    return m;
}

tend_message *tend_reply_public(tend_ctx *ctx, const char *kind, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    tend_message *m = vreply(ctx, TEND_TO_PUBLIC, NULL, kind, fmt, ap);
    va_end(ap);
    return m;
}

tend_message *tend_dm(tend_ctx *ctx, const tend_member *to, const char *kind, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    tend_message *m = vreply(ctx, TEND_TO_DM, to, kind, fmt, ap);
    va_end(ap);
    return m;
}

int tend_usage(tend_ctx *ctx, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ctx->error, sizeof ctx->error, tend_tr(fmt), ap); /* said privately, in their language */
    va_end(ap);
    return TEND_EUSAGE;
}

int tend_refuse(tend_ctx *ctx, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ctx->error, sizeof ctx->error, tend_tr(fmt), ap);
    va_end(ap);
    return TEND_EREFUSED;
}

static int last_store_rc;

/* What the coordinator reading the log should do about it; SQLite's own words follow. */
static const char *store_failure_reason(int rc)
{
    if (rc == TEND_STORE_FULL)
        return "the disk is full";
    if (rc == TEND_STORE_READONLY)
        return "the database is read-only";
    return "the store failed";
}

int tend_store_failed(tend_ctx *ctx, int rc)
{
    last_store_rc = rc;
    tend_log(TEND_LOG_ERROR, "store", "command %s failed, %s: %s", ctx->spec ? ctx->spec->name : "?",
             store_failure_reason(rc), tend_store_errmsg(ctx->env->store));
    return TEND_ESTORE;
}

int tend_member_capacity(const tend_ctx *ctx, const tend_member *m)
{
    if (m->capacity > 0)
        return m->capacity;
    return ctx->group.default_capacity > 0 ? ctx->group.default_capacity : 3;
}

int tend_resolve_member(tend_ctx *ctx, size_t word_index, tend_member *out)
{
    const tend_member_ref *ref = tend_args_ref(ctx->args, word_index);
    if (ref)
        return tend_member_ensure(ctx->env->store, ctx->group.id, ref->member_key, ref->name, ctx->now, out);
    const char *word = tend_args_word(ctx->args, word_index);
    if (!word || !*word)
        return TEND_STORE_NOTFOUND;
    if (word[0] == '@')
        word++;
    return tend_store_member_find_name(ctx->env->store, ctx->group.id, word, out);
}

/* ---------------------------------------------------------------- finding the command */

static const tend_command_spec *find_command(const tend_args *args, size_t *words_used)
{
    const char *first = tend_args_word(args, 0);
    const char *second = tend_args_word(args, 1);
    if (!first)
        return NULL;
    /* Platforms may leave their prefix on ("/claim" typed as text on Matrix). */
    if (first[0] == '/' || first[0] == '!')
        first++;
    const tend_command_spec *single = NULL;
    for (const tend_command_spec *c = tend_catalogue(); c->name; c++) {
        const char *space = strchr(c->name, ' ');
        if (space) {
            size_t n = (size_t)(space - c->name);
            if (second && strlen(first) == n && strncasecmp(first, c->name, n) == 0 &&
                strcasecmp(second, space + 1) == 0) {
                *words_used = 2;
                return c; /* two-word names win: "agreements add" over "agreements" */
            }
        } else if (!single && strcasecmp(first, c->name) == 0) {
            single = c;
        }
    }
    *words_used = 1;
    return single;
}

/* Strips control characters but keeps well-formed reference markers that point at a real ref. */
static char *clean_request_text(const char *text, size_t n_refs)
{
    size_t len = strlen(text ? text : "");
    char *out = malloc(len + 1);
    if (!out)
        return NULL;
    size_t j = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)text[i];
        if (c == (unsigned char)TEND_MARK_MENTION_OPEN) {
            char *end = NULL;
            unsigned long idx = strtoul(text + i + 1, &end, 10);
            if (end != text + i + 1 && *end == TEND_MARK_MENTION_CLOSE && idx < n_refs) {
                size_t n = (size_t)(end - (text + i)) + 1;
                memcpy(out + j, text + i, n);
                j += n;
                i += n - 1;
            }
            continue;
        }
        if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7F)
            continue;
        out[j++] = (char)c;
    }
    out[j] = '\0';
    return out;
}

static void say_private(tend_messages *out, const tend_request *req, const char *fmt, const char *arg)
{
    tend_messages_add(out, TEND_TO_PRIVATE, req->group_key, req->member_key, req->member_name, "error",
                      fmt, arg ? arg : "");
}

/* "I don't know /clam. Did you mean /claim?", or for "/task" alone the words that go with it. */
static void unknown_command(const char *name, char *out, size_t outlen)
{
    char near[32], seconds[200];
    if (tend_help_second_words(name, seconds, sizeof seconds))
        snprintf(out, outlen, tend_tr(MSG_UNKNOWN_SECOND_WORD), name, seconds, name);
    else if (tend_help_suggest(name, near, sizeof near))
        snprintf(out, outlen, tend_tr(MSG_UNKNOWN_COMMAND_NEAR), name, near, near);
    else
        snprintf(out, outlen, tend_tr(MSG_UNKNOWN_COMMAND), name);
}

static const char *store_failure_message(int rc)
{
    if (rc == TEND_STORE_FULL)
        return MSG_STORE_FULL;
    if (rc == TEND_STORE_READONLY)
        return MSG_STORE_READONLY;
    return MSG_STORE_FAILED;
}

/* An anonymous command (TEND_CMD_ANONYMOUS) answers the member without a row of theirs: making or
 * touching one in the same transaction as what it stores would tie the two together. */
static int anonymous_member(tend_ctx *ctx)
{
    memset(&ctx->member, 0, sizeof ctx->member);
    snprintf(ctx->member.key, sizeof ctx->member.key, "%s", ctx->req->member_key ? ctx->req->member_key : "");
    snprintf(ctx->member.name, sizeof ctx->member.name, "%s", ctx->req->member_name ? ctx->req->member_name : "");
    return TEND_STORE_OK;
}

/* The handler, then (in the same transaction) a first-timer's one-time welcome. */
static int run_handler(tend_ctx *ctx)
{
    int result = ctx->spec->run(ctx);
    /* an anonymous command has no member row to welcome, and must not make one */
    if (result != TEND_OK || (ctx->spec->flags & TEND_CMD_ANONYMOUS))
        return result;
    return tend_welcome_if_new(ctx);
}

/* Runs the handler inside one transaction; on anything but success, nothing it wrote or said stays.
 * A command that only read (the task board, /me) where the platform lets its answers expire (a
 * Discord interaction) writes nothing at all: neither its event nor its answers are stored, and its
 * event is remembered in memory (a replay after a restart reads again). Elsewhere a read is stored
 * like a write, so a crash can lose none of its answers. */
static int run_in_transaction(tend_ctx *ctx)
{
    tend_store *store = ctx->env->store;
    int rc = tend_store_begin(store);
    if (rc == TEND_STORE_OK) {
        rc = tend_store_group_ensure(store, ctx->req->group_key, ctx->req->channel_key, ctx->now,
                                     &ctx->group);
        if (rc == TEND_STORE_OK && !ctx->group.channel_key[0] && ctx->req->channel_key &&
            ctx->req->channel_key[0]) {
            snprintf(ctx->group.channel_key, sizeof ctx->group.channel_key, "%s", ctx->req->channel_key);
            rc = tend_store_group_save(store, &ctx->group);
        }
        if (rc == TEND_STORE_OK)
            rc = tend_lang_start_group(store, &ctx->group, ctx->req, ctx->now);
        if (rc == TEND_STORE_OK)
            rc = (ctx->spec->flags & TEND_CMD_ANONYMOUS)
                     ? anonymous_member(ctx)
                     : tend_member_ensure(store, ctx->group.id, ctx->req->member_key,
                                          ctx->req->member_name, ctx->now, &ctx->member);
        if (rc == TEND_STORE_OK && !(ctx->spec->flags & TEND_CMD_ANONYMOUS))
            rc = tend_lang_note_app(store, &ctx->member, ctx->req);
        if (rc != TEND_STORE_OK) {
            tend_log(TEND_LOG_ERROR, "store", "command %s: cannot load group or member, %s: %s",
                     ctx->spec->name, store_failure_reason(rc), tend_store_errmsg(store));
            tend_store_rollback(store);
            last_store_rc = rc;
            return TEND_ESTORE;
        }
    } else {
        tend_log(TEND_LOG_ERROR, "store", "command %s: cannot begin a transaction, %s: %s", ctx->spec->name,
                 store_failure_reason(rc), tend_store_errmsg(store));
        last_store_rc = rc;
        return TEND_ESTORE;
    }

    size_t before = ctx->out->count;
    int result = run_handler(ctx);
    /* a read whose answers must survive a crash is stored like a write (request.h: answers_expire) */
    bool wrote = result == TEND_OK && (tend_store_wrote(store) || !ctx->req->answers_expire);
    if (wrote && ctx->req->event_id) {
        /* in the command's own transaction: recorded exactly when the command's effect is */
        rc = tend_store_event_claim(store, ctx->platform, ctx->req->event_id, ctx->now);
        if (rc == TEND_STORE_EXISTS) {
            result = TEND_EDUPLICATE;
        } else if (rc != TEND_STORE_OK) {
            tend_log(TEND_LOG_ERROR, "store", "command %s: cannot record its event, %s: %s", ctx->spec->name,
                     store_failure_reason(rc), tend_store_errmsg(store));
            last_store_rc = rc;
            result = TEND_ESTORE;
        }
    }
    if (result == TEND_OK) {
        /* the answers land with the effect: a crash after this commit cannot lose them */
        rc = tend_outbox_mark_answers(ctx->req, ctx->out, before) == 0 ? TEND_STORE_OK : TEND_STORE_ERROR;
        if (rc == TEND_STORE_OK && wrote)
            rc = tend_outbox_write(ctx->env, ctx->out, before, ctx->now);
        if (rc == TEND_STORE_OK)
            rc = tend_store_commit(store);
        if (rc == TEND_STORE_OK && !wrote && ctx->req->event_id)
            (void)tend_store_event_note(store, ctx->platform, ctx->req->event_id); /* else a replay reads again */
        if (rc != TEND_STORE_OK) {
            tend_log(TEND_LOG_ERROR, "store", "command %s: commit failed, %s: %s", ctx->spec->name,
                     store_failure_reason(rc), tend_store_errmsg(store));
            last_store_rc = rc;
            result = TEND_ESTORE;
        }
    }
    if (result != TEND_OK) {
        tend_store_rollback(store);
        tend_messages_truncate(ctx->out, before); /* none of what it meant to say happened */
    }
    return result;
}

/* Before any parsing or transaction, so a flood costs a hash lookup and writes nothing. */
static bool over_budget(const tend_env *env, tend_ratelimit *limits, const tend_request *req,
                        tend_messages *out)
{
    if (req->own_keyboard)
        return false;
    tend_rate_result r =
        tend_ratelimit_check(limits, req->group_key, req->member_key, tend_clock_now(env->clock));
    if (r == TEND_RATE_OK)
        return false;
    /* debug, not info: a flood must not become a flood of log lines */
    tend_log(TEND_LOG_DEBUG, "router", "%s over its command budget",
             r == TEND_RATE_GROUP ? "a group" : "a member");
    tend_messages_add(out, TEND_TO_PRIVATE, req->group_key, req->member_key, req->member_name, "ratelimit",
                      "%s", tend_tr(r == TEND_RATE_GROUP ? MSG_SLOW_DOWN_GROUP : MSG_SLOW_DOWN));
    return true;
}

/* How a command ended, for the ops metrics: a catalogue name (or "unknown") and one of a few
 * fixed outcomes, never anything the member typed. */
typedef struct {
    char command[32];
    const char *outcome;
} command_note;

static const tend_metric_def commands_total = {
    "tend_commands_total", "Commands handled, by catalogue name and outcome.", TEND_METRIC_COUNTER,
    {"command", "outcome"}};
static const tend_metric_def command_seconds = {
    "tend_command_seconds", "Time from a command reaching tend to its replies being ready, in seconds.",
    TEND_METRIC_HISTOGRAM, {"platform", NULL}};

static void note_command(command_note *note, const char *name)
{
    snprintf(note->command, sizeof note->command, "%s", name);
    for (char *p = note->command; *p; p++)
        if (*p == ' ')
            *p = '_'; /* "task add" -> task_add, a word Prometheus and the label bound accept */
}

/* Answers a request; *recorded says whether its event went into the command's transaction. */
static int answer(const tend_env *env, tend_ratelimit *limits, const tend_request *req, const char *platform,
                  tend_messages *out, bool *recorded, command_note *note)
{
    *recorded = false;
    note->outcome = "unreadable";
    tend_lang_scope_request(env, req);
    if (over_budget(env, limits, req, out)) {
        note->outcome = "limited";
        return 0;
    }
    if (!tend_utf8_valid(req->text ? req->text : "", req->text ? strlen(req->text) : 0)) {
        say_private(out, req, MSG_CANNOT_READ, MSG_NOT_TEXT_REASON); /* stored as it came, it would show as junk */
        return 0;
    }
    char *text = clean_request_text(req->text, req->n_refs);
    if (!text) {
        say_private(out, req, MSG_STORE_FAILED, NULL);
        return -1;
    }
    char err[200];
    tend_args *args = NULL;
    if (tend_args_parse(text, req->refs, req->n_refs, &args, err, sizeof err) != 0) {
        say_private(out, req, MSG_CANNOT_READ, err);
        free(text);
        return 0;
    }
    free(text);
    if (tend_args_count(args) == 0) {
        say_private(out, req, MSG_EMPTY_COMMAND, NULL);
        tend_args_free(args);
        return 0;
    }
    size_t used = 0;
    const tend_command_spec *spec = find_command(args, &used);
    if (!spec) {
        const char *name = tend_args_word(args, 0);
        if (name[0] == '/' || name[0] == '!')
            name++;
        char shown[64], said[400];
        snprintf(shown, sizeof shown, "%s", name); /* echo at most a short, cleaned word */
        unknown_command(shown, said, sizeof said);
        say_private(out, req, "%s", said);
        note->outcome = "unknown";
        tend_args_free(args);
        return 0;
    }
    note_command(note, spec->name);
    if (!tend_privacy_may_run(spec, req)) {
        /* before any transaction: nothing of the member is written, not even their row */
        note->outcome = "refused";
        tend_privacy_point_to_private(out, req, platform, spec);
        tend_args_free(args);
        return 0;
    }
    if (spec->coordinator_only && !req->is_coordinator) {
        note->outcome = "refused";
        say_private(out, req, MSG_COORDINATORS_ONLY, spec->name);
        tend_args_free(args);
        return 0;
    }
    tend_args_shift(args, used);

    tend_ctx ctx;
    memset(&ctx, 0, sizeof ctx);
    ctx.env = env;
    ctx.now = tend_clock_now(env->clock);
    ctx.req = req;
    ctx.spec = spec;
    ctx.args = args;
    ctx.out = out;
    ctx.platform = platform;
    last_store_rc = TEND_STORE_ERROR;

    int result = run_in_transaction(&ctx);
    int status = 0;
    *recorded = result == TEND_OK || result == TEND_EDUPLICATE;
    note->outcome = result == TEND_OK           ? "ok"
                    : result == TEND_EDUPLICATE ? "duplicate"
                    : result == TEND_EUSAGE     ? "usage"
                    : result == TEND_EREFUSED   ? "refused"
                    : result == TEND_ESTORE     ? "store_error"
                                                : "error";
    if (result == TEND_EDUPLICATE) {
        status = TEND_BOT_DUPLICATE;
    } else if (result == TEND_EUSAGE) {
        tend_message *m = tend_messages_add(out, TEND_TO_PRIVATE, req->group_key, req->member_key,
                                            req->member_name, "error", "%s", ctx.error);
        if (m && tend_message_appendf(m, "%s", ctx.error[0] ? " " : "") == 0)
            tend_message_appendf(m, MSG_USAGE, spec->usage);
    } else if (result == TEND_EREFUSED) {
        say_private(out, req, "%s", ctx.error);
    } else if (result == TEND_ESTORE) {
        say_private(out, req, store_failure_message(last_store_rc), NULL);
        status = -1;
    } else if (out->count == 0) {
        tend_log(TEND_LOG_WARN, "router", "command %s said nothing", spec->name);
    }
    tend_args_free(args);
    return status;
}

/* A refusal, a mistake or a "slow down" changed nothing, but it was answered: the event and the
 * answer are recorded together, so a replay is not answered twice and a crash does not lose the
 * answer. If the store cannot, the answers stay without an outbox row (the app sends them at once,
 * best effort) and a replay gets the same one-line answer again, which is harmless. */
static void remember_answer(const tend_env *env, const tend_request *req, const char *platform,
                            tend_messages *out, size_t from)
{
    if (tend_outbox_mark_answers(req, out, from) != 0 || (!req->event_id && !env->outbox))
        return;
    int64_t now = tend_clock_now(env->clock);
    int rc = tend_store_begin(env->store);
    if (rc != TEND_STORE_OK)
        return;
    if (req->event_id)
        rc = tend_store_event_claim(env->store, platform, req->event_id, now);
    if (rc == TEND_STORE_OK || rc == TEND_STORE_EXISTS)
        rc = tend_outbox_write(env, out, from, now);
    if (rc == TEND_STORE_OK && tend_store_commit(env->store) == TEND_STORE_OK)
        return;
    tend_store_rollback(env->store);
    for (size_t i = from; i < out->count; i++)
        out->items[i].outbox_id = 0;
}

int tend_bot_handle_request(const tend_env *env, tend_ratelimit *limits, const tend_request *req,
                            tend_messages *out)
{
    char platform[16];
    snprintf(platform, sizeof platform, "%.*s", (int)strcspn(req->group_key, ":"), req->group_key);
    if (req->event_id && tend_store_event_seen(env->store, platform, req->event_id) == TEND_STORE_OK)
        return TEND_BOT_DUPLICATE; /* answered before a restart or a resume */
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    bool recorded;
    command_note note = {"unknown", "error"};
    size_t before = out->count;
    int status = answer(env, limits, req, platform, out, &recorded, &note);
    if (!recorded)
        remember_answer(env, req, platform, out, before);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    tend_metric_add(&commands_total, note.command, note.outcome, 1);
    tend_metric_observe(&command_seconds, platform, NULL,
                        (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
    return status;
}
