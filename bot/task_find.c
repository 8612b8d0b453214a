/*
 * task_find.c — which task a member named: a number ("12", "#12") or words of its title, the same
 * way in every command, with free text after it only behind a separator (note:). When a title
 * fits several open tasks, the one the command can mean is taken, else the member is asked.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bot/messages.h"
#include "bot/parse.h"
#include "bot/tasks_internal.h"

char *tend_task_trimmed(const char *s)
{
    while (*s == ' ' || *s == '\t' || *s == '\n')
        s++;
    size_t len = strlen(s);
    while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == '\n'))
        len--;
    return strndup(s, len);
}

typedef struct {
    char text[64];
    size_t len;
} number_list;

static int list_number(const tend_task *t, void *ud)
{
    number_list *l = ud;
    int n = snprintf(l->text + l->len, sizeof l->text - l->len, "%s#%d", l->len ? ", " : "", t->number);
    if (n > 0 && (size_t)n < sizeof l->text - l->len)
        l->len += (size_t)n;
    return 0;
}

typedef struct {
    tend_ctx *ctx;
    tend_task_prefer prefer;
    tend_task chosen;
    int fits;
    int rc;
} prefer_walk;

/* Among several titles that match, the one the command most likely means. */
static int fits_preference(const tend_task *t, void *ud)
{
    prefer_walk *w = ud;
    bool fits;
    if (w->prefer == TEND_PREFER_HELD) {
        tend_claim c;
        int rc = tend_store_claim_current(w->ctx->env->store, t->id, w->ctx->member.id, &c);
        if (rc != TEND_STORE_OK && rc != TEND_STORE_NOTFOUND) {
            w->rc = rc;
            return 1;
        }
        fits = rc == TEND_STORE_OK;
    } else {
        fits = !t->over_at || t->over_at > w->ctx->now;
        if (w->prefer == TEND_PREFER_NEEDS_HANDS)
            fits = fits && t->active < t->slots;
    }
    if (fits && w->fits++ == 0)
        w->chosen = *t;
    return 0;
}

/* Finds the task `ref` names in the member's group; when several open titles match, the only one
 * that fits `prefer` (held by the member, or still needing hands) is meant. TEND_OK, or a refusal
 * already written. */
static int find_task(tend_ctx *ctx, const char *ref, tend_task_prefer prefer, tend_task *out)
{
    if (!ref || !*ref)
        return tend_usage(ctx, MSG_TASKS_WHICH);
    int rc = tend_store_task_find(ctx->env->store, ctx->group.id, ref, out);
    if (rc == TEND_STORE_OK)
        return TEND_OK;
    if (rc != TEND_STORE_NOTFOUND && rc != TEND_STORE_EXISTS)
        return tend_store_failed(ctx, rc);
    if (rc == TEND_STORE_EXISTS && prefer != TEND_PREFER_NONE) {
        prefer_walk w = {ctx, prefer, {0}, 0, TEND_STORE_OK};
        rc = tend_store_tasks_matching(ctx->env->store, ctx->group.id, ref, 0, fits_preference, &w);
        if (rc == TEND_STORE_OK)
            rc = w.rc;
        if (rc != TEND_STORE_OK)
            return tend_store_failed(ctx, rc);
        if (w.fits == 1) {
            *out = w.chosen;
            return TEND_OK;
        }
        rc = TEND_STORE_EXISTS;
    }
    number_list l = {{0}, 0};
    if (rc == TEND_STORE_EXISTS &&
        (rc = tend_store_tasks_matching(ctx->env->store, ctx->group.id, ref, 3, list_number, &l)) !=
            TEND_STORE_OK)
        return tend_store_failed(ctx, rc);
    char *shown = tend_text_clean(ref, 60); /* echo a short piece, cut between characters */
    if (!shown)
        return tend_store_failed(ctx, TEND_STORE_ERROR);
    int result = l.len ? tend_refuse(ctx, MSG_TASKS_AMBIGUOUS, shown, l.text)
                       : tend_refuse(ctx, MSG_TASKS_NOT_FOUND, shown);
    free(shown);
    return result;
}

int tend_task_find(tend_ctx *ctx, const char *ref, tend_task *out)
{
    return find_task(ctx, ref, TEND_PREFER_NONE, out);
}

/* "12" or "#12" -> 12; anything else -> 0. */
static int number_of(const char *word)
{
    if (*word == '#')
        word++;
    int n = 0;
    if (tend_parse_int(word, 1, 1000000000, &n) != 0)
        return 0;
    return n;
}

int tend_task_find_before(tend_ctx *ctx, const char *tail_key, tend_task_prefer prefer, tend_task *out,
                          const char **tail)
{
    size_t words = tend_args_count(ctx->args);
    *tail = tail_key ? tend_args_named_tail(ctx->args, tail_key, &words) : NULL;
    int result = tend_task_find_words(ctx, 0, words, prefer, out);
    int number = words > 1 ? number_of(tend_args_word(ctx->args, 0)) : 0;
    tend_task meant;
    if (result != TEND_EREFUSED || !tail_key || number == 0 ||
        tend_store_task_get(ctx->env->store, ctx->group.id, number, &meant) != TEND_STORE_OK)
        return result;
    /* "/done 3 it went well": the member meant #3 and a note; say how, rather than guess */
    char *typed = tend_args_text(ctx->args, 0, words);
    char *rest = tend_args_text(ctx->args, 1, words);
    char *shown = typed ? tend_text_clean(typed, 60) : NULL;
    char *shown_rest = rest ? tend_text_clean(rest, 60) : NULL;
    result = shown && shown_rest ? tend_refuse(ctx, MSG_TASKS_SEPARATOR_HINT, shown, number, tail_key,
                                               ctx->spec->name, number, tail_key, shown_rest)
                                 : tend_store_failed(ctx, TEND_STORE_ERROR);
    free(typed);
    free(rest);
    free(shown);
    free(shown_rest);
    return result;
}

/* Finds the task named by words [from, to). */
int tend_task_find_words(tend_ctx *ctx, size_t from, size_t to, tend_task_prefer prefer, tend_task *out)
{
    char *ref = tend_args_text(ctx->args, from, to);
    if (!ref)
        return tend_store_failed(ctx, TEND_STORE_ERROR);
    int result = find_task(ctx, ref, prefer, out);
    free(ref);
    return result;
}

