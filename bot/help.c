/*
 * help.c — /help, /help COMMAND (its usage and an example), and "did you mean" for a command tend
 * does not know. The commands themselves come from the families' tables; the examples live here,
 * and a test checks that every command has one, so a new command cannot ship without.
 */
#include "bot/i18n.h"
#include "bot/help.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bot/messages.h"

typedef struct {
    const char *command;
    const char *example; /* TEND_CMD-marked commands, as a member would type them */
} help_example;

static const help_example examples[] = {
    {"checkin", TEND_CMD "checkin ok, or " TEND_CMD "checkin low note:long week at work"},
    {"tasks", TEND_CMD "tasks, " TEND_CMD "tasks mine, " TEND_CMD "tasks learn, or " TEND_CMD "tasks all page:2"},
    {"task add", TEND_CMD "task add Soup run when:\"fri 18:00\" slots:2 repeat:weekly note:bring a big pot"},
    {"task edit", TEND_CMD "task edit 12 when:\"sat 10am\", or " TEND_CMD "task edit Soup run slots:3"},
    {"task cancel", TEND_CMD "task cancel 12 note:the kitchen is closed this week"},
    {"claim", TEND_CMD "claim 12, or " TEND_CMD "claim Soup run; " TEND_CMD "claim 12 learn to learn it alongside"},
    {"unclaim", TEND_CMD "unclaim 12"},
    {"keep", TEND_CMD "keep 12"},
    {"done", TEND_CMD "done 12, or " TEND_CMD "done Soup run note:fed 40 people"},
    {"handoff", TEND_CMD "handoff 12 Ana, or " TEND_CMD "handoff Drive to the pantry Ana"},
    {"handoff accept", TEND_CMD "handoff accept 12"},
    {"handoff decline", TEND_CMD "handoff decline 12"},
    {"stepback", TEND_CMD "stepback a week, " TEND_CMD "stepback 3 days, or " TEND_CMD "stepback 2026-12-24"},
    {"back", TEND_CMD "back"},
    {"thanks", TEND_CMD "thanks Ana for the lift"},
    {"me", TEND_CMD "me"},
    {"capacity", TEND_CMD "capacity 2"},
    {"profile", TEND_CMD "profile quiet:22:00-07:00 tz:Europe/Berlin remind:1h"},
    {"nudges", TEND_CMD "nudges off"},
    {"feedback", TEND_CMD "feedback the Monday prompt comes too early for shift workers"},
    {"agreements", TEND_CMD "agreements"},
    {"agreements add", TEND_CMD "agreements add We rotate who runs the Monday call."},
    {"agreements amend", TEND_CMD "agreements amend 2 We rotate the Monday call every month."},
    {"export", TEND_CMD "export"},
    {"export group", TEND_CMD "export group"},
    {"tasks ics", TEND_CMD "tasks ics, or " TEND_CMD "tasks ics mine"},
    {"forgetme", TEND_CMD "forgetme, then " TEND_CMD "forgetme confirm"},
    {"help", TEND_CMD "help claim"},
    {"setup", TEND_CMD "setup timezone:Europe/Berlin checkin:\"mon 18:00\" digest:\"sun 18:00\""},
    {"pause-new", TEND_CMD "pause-new 2 weeks"},
    {"resume-new", TEND_CMD "resume-new"},
    {"team", TEND_CMD "team"},
    {"backup", TEND_CMD "backup driving on, or " TEND_CMD "backup to see yours"},
    {"pass", TEND_CMD "pass 12"},
};

const char *tend_help_example(const char *command)
{
    for (size_t i = 0; i < sizeof examples / sizeof examples[0]; i++)
        if (strcmp(examples[i].command, command) == 0)
            return examples[i].example;
    return NULL;
}

/* ---------------------------------------------------------------- finding commands by name */

typedef int (*spec_visit)(const tend_command_spec *spec, void *ud);

static void each_spec(spec_visit visit, void *ud)
{
    const tend_command_spec *const *families = tend_command_families();
    for (size_t f = 0; families[f]; f++)
        for (const tend_command_spec *c = families[f]; c->name; c++)
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

/* Commands members meet where they answer an offer (the buttons of a backup call or a turn of a
 * rotation, which say what to type): /help NAME tells their usage, but the general list leaves
 * them out, so it stays one Discord message (DC_SPLIT_BYTES). */
static bool met_in_offers(const char *name)
{
    return strcmp(name, "pass") == 0 || strcmp(name, "backup") == 0;
}

static int list_command(const tend_command_spec *c, void *ud)
{
    list_walk *w = ud;
    if (w->first) {
        size_t n = first_word_len(c->name);
        if (n != strlen(w->first) || strncasecmp(c->name, w->first, n) != 0)
            return 0;
        const char *example = tend_help_example(c->name);
        w->failed |= (w->shown && tend_message_appendf(w->m, "\n")) ||
                     tend_message_appendf(w->m, MSG_HELP_USAGE_LINE, c->usage,
                                          tend_message_tr(w->m, c->summary)) != 0 ||
                     (example && tend_message_appendf(w->m, MSG_HELP_EXAMPLE, example) != 0);
    } else if (c->coordinator_only == w->coordinator_only && c->summary && !met_in_offers(c->name)) {
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
    const tend_command_spec *const *families = tend_command_families();
    for (size_t f = 0; families[f] && !exact; f++)
        for (const tend_command_spec *c = families[f]; c->name && !exact; c++) {
            size_t n = first_word_len(c->name);
            bool first_matches = n == strlen(first) && strncasecmp(c->name, first, n) == 0;
            if (first_matches && ((second && c->name[n] && strcasecmp(c->name + n + 1, second) == 0) ||
                                  (!second && !c->name[n])))
                exact = c;
        }
    if (exact) {
        const char *example = tend_help_example(exact->name);
        tend_message *m = tend_reply_private(ctx, "help", MSG_HELP_ONE, exact->usage, tend_tr(exact->summary));
        if (!m || (example && tend_message_appendf(m, MSG_HELP_EXAMPLE, example) != 0) ||
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
