/*
 * task_kind.c — what a task is besides its title: kind:driving (the group's own word for a sort of
 * task, so tend can speak of "three driving tasks this week"), rotate:yes (each new copy of a
 * repeating task is offered round in turn) and teach:yes (a learner is welcome). Kinds are only
 * ever words for tasks: nothing ranks members by them.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bot/i18n.h"
#include "bot/fillin.h"
#include "bot/messages.h"
#include "bot/parse.h"
#include "bot/tasks_internal.h"
#include "bot/words.h"

#define KIND_MAX_CHARS 24

static const char *const trait_keys[] = {"kind", "rotate", "teach"};

bool tend_task_traits_asked(const tend_ctx *ctx)
{
    for (size_t i = 0; i < sizeof trait_keys / sizeof trait_keys[0]; i++)
        if (tend_args_named(ctx->args, trait_keys[i]))
            return true;
    return false;
}

/* yes/no, on/off, true/false and the member's words for them: 1 or 0; -1 for anything else. */
static int yes_no(const char *s)
{
    return tend_parse_switch(s);
}

/* A kind as the group will read it: trimmed, lower case, letters, digits, spaces and dashes, at
 * most 24 characters; "none" clears it. 0, or -1 when it is no kind. */
int tend_kind_clean(const char *typed, char *out, size_t outlen)
{
    char *s = tend_task_trimmed(typed);
    if (!s)
        return -1;
    size_t chars = tend_utf8_length(s);
    int bad = chars == 0 || chars > KIND_MAX_CHARS || strlen(s) >= outlen;
    for (char *p = s; !bad && *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (c < 0x80 && !isalnum(c) && c != ' ' && c != '-')
            bad = 1;
        else if (c < 0x80)
            *p = (char)tolower(c);
    }
    if (!bad)
        snprintf(out, outlen, "%s", strcasecmp(s, "none") == 0 ? "" : s);
    free(s);
    return bad ? -1 : 0;
}

int tend_task_traits_apply(tend_ctx *ctx, const tend_task *t, char *said, size_t saidlen)
{
    said[0] = '\0';
    if (!tend_task_traits_asked(ctx))
        return TEND_OK;
    tend_task_traits tr;
    int rc = tend_store_task_traits_get(ctx->env->store, t->id, &tr);
    if (rc != TEND_STORE_OK)
        return tend_store_failed(ctx, rc);
    const char *kind = tend_args_named(ctx->args, "kind");
    const char *rotate = tend_args_named(ctx->args, "rotate");
    const char *teach = tend_args_named(ctx->args, "teach");
    if (kind && tend_kind_clean(kind, tr.kind, sizeof tr.kind) != 0)
        return tend_usage(ctx, MSG_KIND_BAD);
    int r = rotate ? yes_no(rotate) : tr.rotate, k = teach ? yes_no(teach) : tr.teach;
    if (r < 0 || k < 0) {
        int bad = tend_usage(ctx, MSG_KIND_BAD_YESNO);
        tend_words_hint(ctx->error, sizeof ctx->error, TEND_WORD_ON, TEND_WORD_OFF); /* "sí, no" */
        return bad;
    }
    if (r && !t->repeat[0])
        return tend_usage(ctx, MSG_KIND_ROTATE_NEEDS_REPEAT);
    tr.rotate = r;
    tr.teach = k;
    rc = tend_store_task_traits_set(ctx->env->store, t->id, &tr);
    if (rc != TEND_STORE_OK)
        return tend_store_failed(ctx, rc);
    int n = 0;
    if (tr.kind[0])
        n = snprintf(said, saidlen, tend_tr(MSG_KIND_SAID), tr.kind);
    if (tr.rotate && n >= 0 && (size_t)n < saidlen)
        n += snprintf(said + n, saidlen - (size_t)n, "%s", tend_tr(MSG_KIND_ROTATES));
    if (tr.teach && n >= 0 && (size_t)n < saidlen)
        snprintf(said + n, saidlen - (size_t)n, "%s", tend_tr(MSG_KIND_TEACHES));
    return TEND_OK;
}

int tend_task_traits_copy(tend_store *store, int64_t from, int64_t to)
{
    tend_task_traits tr;
    int rc = tend_store_task_traits_get(store, from, &tr);
    if (rc != TEND_STORE_OK || (!tr.kind[0] && !tr.rotate && !tr.teach))
        return rc;
    return tend_store_task_traits_set(store, to, &tr);
}

int tend_kind_nudge_words(tend_store *store, const tend_member *m, int64_t now, char *out, size_t outlen)
{
    static const char *const numbers[] = {"", "one", "two", "three", "four", "five", "six", "seven", "eight",
                                          "nine", "ten"};
    char kind[TEND_KIND_MAX];
    int count = 0;
    out[0] = '\0';
    /* two of a kind is a pattern worth naming; one is just a week */
    int rc = tend_store_kind_busiest_since(store, m->id, now - 7 * 24 * 3600, 2, kind, sizeof kind, &count);
    if (rc == TEND_STORE_NOTFOUND)
        return TEND_STORE_OK;
    if (rc != TEND_STORE_OK)
        return rc;
    char number[16];
    if (count <= 10)
        snprintf(number, sizeof number, "%s", numbers[count]);
    else
        snprintf(number, sizeof number, "%d", count);
    snprintf(out, outlen, tend_tr(MSG_KIND_NUDGE_COUNT), number, kind);
    return TEND_STORE_OK;
}
