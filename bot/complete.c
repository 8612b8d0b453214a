/*
 * complete.c — the tasks offered while a member types one into a command (Discord's autocomplete;
 * tend_bot_complete in bot.h). Which tasks is a product decision, so it lives here, not in an adapter.
 *
 * Offering what the command can act on saves a member a refusal: /done and /unclaim list what
 * they hold, not the whole board; /claim leaves out what they already hold; /task edit and /task
 * cancel offer the whole open board (the author's or a coordinator's to change: whether this member
 * is a coordinator is the platform's word, not known here). Nothing is written, nothing is
 * created: a member or group not seen yet simply holds nothing.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bot/bot.h"

typedef enum {
    OFFER_OPEN,        /* open tasks the member neither holds nor waits on */
    OFFER_HELD,        /* the member's active claims                        */
    OFFER_HELD_OR_WAITING,
    OFFER_OFFERED,     /* handoffs waiting for the member's answer          */
    OFFER_ANY_OPEN     /* every open task                                   */
} offer_kind;

/* Longer names first: "handoff accept" is not "handoff". */
static const struct {
    const char *command;
    offer_kind kind;
} offers[] = {
    {"handoff accept", OFFER_OFFERED}, {"handoff decline", OFFER_OFFERED},
    {"handoff", OFFER_HELD},           {"done", OFFER_HELD},
    {"keep", OFFER_HELD},              {"unclaim", OFFER_HELD_OR_WAITING},
    {"claim", OFFER_OPEN},             {"task edit", OFFER_ANY_OPEN},
    {"task cancel", OFFER_ANY_OPEN},
};

static offer_kind kind_of(const char *command)
{
    while (command && (*command == ' ' || *command == '/'))
        command++;
    for (size_t i = 0; command && i < sizeof offers / sizeof offers[0]; i++) {
        size_t n = strlen(offers[i].command);
        if (strncasecmp(command, offers[i].command, n) == 0 && (command[n] == '\0' || command[n] == ' '))
            return offers[i].kind;
    }
    return OFFER_OPEN;
}

typedef struct {
    const tend_env *env;
    offer_kind kind;
    const char *typed;
    int64_t member_id;      /* 0: not a member yet */
    int64_t *mine;          /* OFFER_OPEN: ids of the tasks the member holds or waits on */
    size_t n_mine, cap_mine;
    tend_choice *out;
    size_t max, n;
    int rc;                 /* a store error met on the way */
} picker;

#define LABEL_MAX sizeof(((tend_choice *)0)->name)

/* The decimal digits of n (n >= 0) at out, which has room for 11: their count. */
static size_t put_digits(char *out, int n)
{
    char rev[11];
    size_t k = 0;
    unsigned v = (unsigned)n;
    do
        rev[k++] = (char)('0' + v % 10);
    while ((v /= 10) != 0);
    for (size_t i = 0; i < k; i++)
        out[i] = rev[k - 1 - i];
    return k;
}

/* "#12 Soup run", cut before a character that would not fit whole. Put together by hand, not with
 * snprintf: every keystroke labels each open title, and glibc's printf was a fifth of that. */
static void label_of(const tend_task *t, char *label)
{
    size_t at = 0;
    label[at++] = '#';
    at += put_digits(label + at, t->number > 0 ? t->number : 0);
    label[at++] = ' ';
    size_t cut = strlen(t->title);
    if (cut > LABEL_MAX - 1 - at) {
        cut = LABEL_MAX - 1 - at;
        while (cut > 0 && ((unsigned char)t->title[cut] & 0xC0) == 0x80)
            cut--;
    }
    memcpy(label + at, t->title, cut);
    label[at + cut] = '\0';
}

static bool is_mine(const picker *p, int64_t task_id)
{
    for (size_t i = 0; i < p->n_mine; i++)
        if (p->mine[i] == task_id)
            return true;
    return false;
}

static bool wanted(picker *p, const tend_task *t)
{
    if (t->state != TEND_TASK_OPEN)
        return false;
    tend_store *store = p->env->store;
    tend_claim c;
    tend_handoff h;
    int rc;
    switch (p->kind) {
    case OFFER_OPEN:
        return !is_mine(p, t->id);
    case OFFER_HELD_OR_WAITING:
        return true; /* from the member's own tasks already */
    case OFFER_ANY_OPEN:
        return true;
    case OFFER_HELD:
        rc = tend_store_claim_current(store, t->id, p->member_id, &c);
        if (rc != TEND_STORE_OK && rc != TEND_STORE_NOTFOUND)
            p->rc = rc;
        return rc == TEND_STORE_OK && c.state == TEND_CLAIM_ACTIVE;
    case OFFER_OFFERED:
        rc = tend_store_handoff_pending(store, t->id, p->member_id, &h);
        if (rc != TEND_STORE_OK && rc != TEND_STORE_NOTFOUND)
            p->rc = rc;
        return rc == TEND_STORE_OK;
    }
    return false;
}

static int pick(const tend_task *t, void *ud)
{
    picker *p = ud;
    char label[LABEL_MAX];
    label_of(t, label);
    if (p->typed && *p->typed && !strcasestr(label, p->typed))
        return 0;
    if (!wanted(p, t))
        return p->rc != TEND_STORE_OK;
    memcpy(p->out[p->n].name, label, sizeof label);
    p->out[p->n].value[put_digits(p->out[p->n].value, t->number > 0 ? t->number : 0)] = '\0';
    return ++p->n == p->max || p->rc != TEND_STORE_OK;
}

static int note_mine(const tend_task *t, void *ud)
{
    picker *p = ud;
    if (p->n_mine == p->cap_mine) {
        size_t cap = p->cap_mine ? p->cap_mine * 2 : 16;
        int64_t *grown = realloc(p->mine, cap * sizeof *grown);
        if (!grown) {
            p->rc = TEND_STORE_ERROR;
            return 1;
        }
        p->mine = grown;
        p->cap_mine = cap;
    }
    p->mine[p->n_mine++] = t->id;
    return 0;
}

/* tend_bot_complete's reads, in its read transaction */
static size_t offer(const tend_env *env, tend_store *store, const char *group_key, const char *member_key,
                    const char *command, const char *typed, tend_choice *out, size_t max)
{
    tend_group g;
    int rc = tend_store_group_get(store, group_key, &g);
    if (rc != TEND_STORE_OK)
        return 0;
    picker p = {.env = env, .kind = kind_of(command), .typed = typed, .out = out, .max = max,
                .rc = TEND_STORE_OK};
    tend_member m;
    rc = member_key ? tend_store_member_get(store, g.id, member_key, &m) : TEND_STORE_NOTFOUND;
    if (rc == TEND_STORE_OK)
        p.member_id = m.id;
    else if (rc != TEND_STORE_NOTFOUND)
        return 0;
    /* numbers and titles only: every key a member types asks again */
    if (p.kind == OFFER_OPEN) {
        rc = p.member_id ? tend_store_task_titles_each(store, g.id, TEND_TASKS_MINE, p.member_id, note_mine, &p)
                         : TEND_STORE_OK;
        if (rc == TEND_STORE_OK && p.rc == TEND_STORE_OK)
            rc = tend_store_task_titles_each(store, g.id, TEND_TASKS_OPEN, 0, pick, &p);
    } else if (p.kind == OFFER_ANY_OPEN) {
        rc = tend_store_task_titles_each(store, g.id, TEND_TASKS_OPEN, 0, pick, &p);
    } else if (p.kind == OFFER_OFFERED) {
        rc = p.member_id ? tend_store_task_titles_each(store, g.id, TEND_TASKS_OPEN, 0, pick, &p)
                         : TEND_STORE_OK;
    } else {
        rc = p.member_id ? tend_store_task_titles_each(store, g.id, TEND_TASKS_MINE, p.member_id, pick, &p)
                         : TEND_STORE_OK;
    }
    free(p.mine);
    /* a store that failed half-way offers nothing rather than a list it could not check */
    return rc == TEND_STORE_OK && p.rc == TEND_STORE_OK ? p.n : 0;
}

size_t tend_bot_complete(const tend_env *env, const char *group_key, const char *member_key, const char *command,
                         const char *typed, tend_choice *out, size_t max)
{
    if (!env || !group_key || !out || max == 0)
        return 0;
    tend_store *store = env->store;
    if (tend_store_read_begin(store) != TEND_STORE_OK)
        return 0;
    size_t n = offer(env, store, group_key, member_key, command, typed, out, max);
    tend_store_read_end(store);
    return n;
}

/* ---------------------------------------------------------------- kinds */

typedef struct {
    const char *typed;
    tend_choice *out;
    size_t max, n;
} kind_picker;

static int pick_kind(const char *kind, void *ud)
{
    kind_picker *p = ud;
    if (p->typed && *p->typed && !strcasestr(kind, p->typed))
        return 0;
    snprintf(p->out[p->n].name, sizeof p->out[p->n].name, "%s", kind);
    snprintf(p->out[p->n].value, sizeof p->out[p->n].value, "%s", kind);
    return ++p->n == p->max;
}

size_t tend_bot_complete_kind(const tend_env *env, const char *group_key, const char *typed, tend_choice *out,
                              size_t max)
{
    if (!env || !group_key || !out || max == 0)
        return 0;
    if (tend_store_read_begin(env->store) != TEND_STORE_OK)
        return 0;
    tend_group g;
    kind_picker p = {typed, out, max, 0};
    /* read them all (a group has a handful), so a typed word can match past the first `max` */
    bool read = tend_store_group_get(env->store, group_key, &g) == TEND_STORE_OK &&
                tend_store_kinds_each(env->store, g.id, 0, pick_kind, &p) == TEND_STORE_OK;
    tend_store_read_end(env->store);
    return read ? p.n : 0;
}
