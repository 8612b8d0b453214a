/*
 * help.c — /help, /help COMMAND (its usage, help text and example), and "did you mean" for a command
 * tend does not know. Everything it says of a command comes from the catalogue (catalogue.c), where
 * a test checks that every command has an example, so a new command cannot ship without.
 */
#include "bot/i18n.h"
#include "bot/help.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bot/messages.h"
#include "bot/option_words.h"

const char *tend_help_example(const char *command)
{
    const tend_command_spec *spec = tend_catalogue_find(command);
    return spec ? spec->example : NULL;
}

/* After a command's usage, for a reader of another language: the values it names in English, in
 * their words, one line per kind of value. An option the usage writes as name: is named by it
 * ("when: vie 18:00, ..."); options with the same words share a line ("rotate/teach: sí, no"). */
static int append_words(tend_message *m, const tend_command_spec *spec)
{
    const tend_option *o = spec->options;
    bool done[TEND_OPTIONS_MAX] = {false};
    for (size_t i = 0; i < TEND_OPTIONS_MAX && o[i].name; i++) {
        char words[256], other[256], names[120], named[40];
        if (done[i] || !tend_option_words_in(&o[i], m->lang, words, sizeof words))
            continue;
        snprintf(named, sizeof named, "%s:", o[i].name);
        bool as_named = strstr(spec->usage, named) != NULL; /* /stepback 2 semanas has no for: */
        size_t used = (size_t)snprintf(names, sizeof names, "%s", o[i].name);
        for (size_t j = i + 1; j < TEND_OPTIONS_MAX && o[j].name && used < sizeof names; j++)
            if (o[j].words == o[i].words && tend_option_words_in(&o[j], m->lang, other, sizeof other) &&
                strcmp(other, words) == 0) {
                done[j] = true;
                used += (size_t)snprintf(names + used, sizeof names - used, "/%s", o[j].name);
            }
        int rc = as_named ? tend_message_appendf(m, MSG_HELP_WORDS_NAMED, names, words)
                          : tend_message_appendf(m, MSG_HELP_WORDS, words);
        if (rc != 0)
            return rc;
    }
    return 0;
}

/* ---------------------------------------------------------------- finding commands by name */

typedef int (*spec_visit)(const tend_command_spec *spec, void *ud);

static void each_spec(spec_visit visit, void *ud)
{
    for (const tend_command_spec *c = tend_catalogue(); c->name; c++)
        if (visit(c, ud))
            return;
}

/* The length of a command's first word ("task" of "task add"). */
static size_t first_word_len(const char *name)
{
    return strcspn(name, " ");
}

/* Optimal string alignment distance (a swap of two neighbours counts once), capped: "clam" and
 * "claim" are 1 apart, "tasks" and "taks" 1. Names are short; anything past the cap is "far". */
#define NAME_MAX_LEN 24
static int distance(const char *a, size_t la, const char *b, size_t lb)
{
    if (la > NAME_MAX_LEN || lb > NAME_MAX_LEN)
        return 99;
    int d[NAME_MAX_LEN + 1][NAME_MAX_LEN + 1];
    for (size_t i = 0; i <= la; i++)
        d[i][0] = (int)i;
    for (size_t j = 0; j <= lb; j++)
        d[0][j] = (int)j;
    for (size_t i = 1; i <= la; i++)
        for (size_t j = 1; j <= lb; j++) {
            int cost = (a[i - 1] | 0x20) == (b[j - 1] | 0x20) ? 0 : 1;
            int best = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < best)
                best = d[i][j - 1] + 1;
            if (d[i - 1][j - 1] + cost < best)
                best = d[i - 1][j - 1] + cost;
            if (i > 1 && j > 1 && (a[i - 1] | 0x20) == (b[j - 2] | 0x20) && (a[i - 2] | 0x20) == (b[j - 1] | 0x20) &&
                d[i - 2][j - 2] + 1 < best)
                best = d[i - 2][j - 2] + 1;
            d[i][j] = best;
        }
    return d[la][lb];
}

typedef struct {
    const char *typed;
    size_t len;
    int best;
    char name[32];
} suggest_walk;

static int consider(const tend_command_spec *spec, void *ud)
{
    suggest_walk *w = ud;
    size_t n = first_word_len(spec->name);
    int d = distance(w->typed, w->len, spec->name, n);
    /* a prefix of three letters or more is as good as one typo: "tas" -> tasks */
    if (w->len >= 3 && w->len < n && strncasecmp(w->typed, spec->name, w->len) == 0)
        d = 1;
    if (d < w->best) {
        w->best = d;
        snprintf(w->name, sizeof w->name, "%.*s", (int)n, spec->name);
    }
    return 0;
}

bool tend_help_suggest(const char *typed, char *out, size_t outlen)
{
    suggest_walk w = {typed, strlen(typed), 99, ""};
    if (w.len == 0 || w.len > NAME_MAX_LEN)
        return false;
    each_spec(consider, &w);
    int allowed = w.len <= 4 ? 1 : 2; /* short words: one slip, or everything looks alike */
    if (w.best == 0 || w.best > allowed)
        return false;
    snprintf(out, outlen, "%s", w.name);
    return true;
}

/* ---------------------------------------------------------------- the words after a group name */

typedef struct {
    const char *first;
    size_t n;
    char list[200];
    size_t len;
} group_walk;

static int list_second_words(const tend_command_spec *spec, void *ud)
{
    group_walk *w = ud;
    size_t n = first_word_len(spec->name);
    if (!spec->name[n] || n != strlen(w->first) || strncasecmp(spec->name, w->first, n) != 0)
        return 0;
    int k = snprintf(w->list + w->len, sizeof w->list - w->len, "%s%s", w->n ? ", " : "", spec->name + n + 1);
    if (k > 0 && (size_t)k < sizeof w->list - w->len)
        w->len += (size_t)k;
    w->n++;
    return 0;
}

bool tend_help_second_words(const char *first, char *out, size_t outlen)
{
    group_walk w = {first, 0, "", 0};
    each_spec(list_second_words, &w);
    if (w.n == 0)
        return false;
    snprintf(out, outlen, "%s", w.list);
    return true;
}

/* ---------------------------------------------------------------- /help */

typedef struct {
    tend_message *m;
    bool coordinator_only;
    const char *first; /* /help task: only the "task ..." commands */
    int shown;
    bool failed;
} list_walk;

static int list_command(const tend_command_spec *c, void *ud)
{
    list_walk *w = ud;
    if (w->first) {
        size_t n = first_word_len(c->name);
        if (n != strlen(w->first) || strncasecmp(c->name, w->first, n) != 0)
            return 0;
        const char *example = c->example ? tend_message_tr(w->m, c->example) : NULL;
        w->failed |= (w->shown && tend_message_appendf(w->m, "\n")) ||
                     tend_message_appendf(w->m, MSG_HELP_USAGE_LINE, c->usage,
                                          tend_message_tr(w->m, c->summary)) != 0 ||
                     append_words(w->m, c) != 0 ||
                     (example && tend_message_appendf(w->m, MSG_HELP_EXAMPLE, example) != 0);
    } else if (c->coordinator_only == w->coordinator_only && c->summary && !(c->flags & TEND_CMD_UNLISTED)) {
        w->failed |= tend_message_appendf(w->m, MSG_PROCESS_HELP_LINE, c->name,
                                                  tend_message_tr(w->m, c->summary)) != 0;
    }
    w->shown++;
    return w->failed;
}

/* /help claim, /help task add, /help task (every "task ..." command). */
static int help_for(tend_ctx *ctx, const char *first, const char *second)
{
    if (first[0] == '/' || first[0] == '!')
        first++;
    const tend_command_spec *exact = NULL;
    for (const tend_command_spec *c = tend_catalogue(); c->name && !exact; c++) {
        size_t n = first_word_len(c->name);
        bool first_matches = n == strlen(first) && strncasecmp(c->name, first, n) == 0;
        if (first_matches && ((second && c->name[n] && strcasecmp(c->name + n + 1, second) == 0) ||
                              (!second && !c->name[n])))
            exact = c;
    }
    if (exact) {
        const char *example = exact->example ? tend_tr(exact->example) : NULL;
        tend_message *m = tend_reply_private(ctx, "help", MSG_HELP_ONE, exact->usage, tend_tr(exact->summary));
        if (!m || append_words(m, exact) != 0 || (example && tend_message_appendf(m, MSG_HELP_EXAMPLE, example) != 0) ||
            (exact->coordinator_only && tend_message_appendf(m, MSG_HELP_COORDINATORS_ONLY) != 0))
            return tend_store_failed(ctx, TEND_STORE_ERROR);
        return TEND_OK;
    }
    list_walk w = {tend_reply_private(ctx, "help", MSG_HELP_FAMILY, first), false, first, 0, false};
    if (!w.m)
        return tend_store_failed(ctx, TEND_STORE_ERROR);
    each_spec(list_command, &w);
    if (w.failed)
        return tend_store_failed(ctx, TEND_STORE_ERROR);
    if (w.shown > 0)
        return TEND_OK;
    tend_messages_truncate(ctx->out, ctx->out->count - 1);
    char shown[40], near[32];
    snprintf(shown, sizeof shown, "%.30s", first);
    if (tend_help_suggest(first, near, sizeof near))
        return tend_refuse(ctx, MSG_HELP_UNKNOWN_NEAR, shown, near, near);
    return tend_refuse(ctx, MSG_HELP_UNKNOWN, shown);
}

int tend_cmd_help(tend_ctx *ctx)
{
    const char *first = tend_args_word(ctx->args, 0);
    if (first)
        return tend_args_count(ctx->args) > 2 ? tend_usage(ctx, MSG_HELP_ONE_COMMAND)
                                               : help_for(ctx, first, tend_args_word(ctx->args, 1));
    list_walk w = {tend_reply_private(ctx, "help", MSG_PROCESS_HELP_HEAD), false, NULL, 0, false};
    if (!w.m)
        return tend_store_failed(ctx, TEND_STORE_ERROR);
    each_spec(list_command, &w);
    if (!w.failed && ctx->req->is_coordinator) {
        w.coordinator_only = true;
        w.failed = tend_message_appendf(w.m, MSG_PROCESS_HELP_COORDINATORS) != 0;
        if (!w.failed)
            each_spec(list_command, &w);
    }
    if (!w.failed)
        w.failed = tend_message_appendf(w.m, MSG_HELP_MORE) != 0;
    return w.failed ? tend_store_failed(ctx, TEND_STORE_ERROR) : TEND_OK;
}
