/*
 * spread.c — whom to ask when a task needs someone, and in what order, so that the work spreads
 * instead of landing on the quickest responders again.
 *
 * The order weighs recency only: whoever took a task least recently is asked first (someone who
 * never took one before anyone), so a member who just did something is asked last, and the
 * next time round the next person is first. For a rotation, "a task" is this role (the same
 * title), and those who learned it last time come first. Standing backups for the task's kind
 * come before the rest of a backup call. Ties go by join order, so the order is stable and
 * testable. Nobody sees it: it only decides who gets a private invitation.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bot/language.h"
#include "bot/fillin.h"
#include "bot/load.h"
#include "bot/schedule_internal.h"

static int compare_candidates(const void *pa, const void *pb)
{
    const tend_spread_candidate *a = pa, *b = pb;
    if (a->learner != b->learner)
        return a->learner ? -1 : 1;
    if (a->standing != b->standing)
        return a->standing ? -1 : 1;
    if (a->last_at != b->last_at)
        return a->last_at < b->last_at ? -1 : 1;
    return a->member_id < b->member_id ? -1 : a->member_id > b->member_id;
}

void tend_spread_sort(tend_spread_candidate *c, size_t n)
{
    if (n > 1)
        qsort(c, n, sizeof *c, compare_candidates);
}

int tend_spread_has_room(const tend_env *env, const tend_group *g, const tend_member *m, int weight, int64_t now,
                         bool *room)
{
    *room = false;
    if (m->forgotten || !m->key[0] || !m->nudges || m->resting_until > now || tend_sched_is_quiet(g, m, now))
        return TEND_STORE_OK;
    tend_load load;
    int rc = tend_load_of(env->store, g, m, now, &load);
    if (rc == TEND_STORE_OK)
        *room = !tend_load_would_exceed(&load, weight);
    return rc;
}

/* ---------------------------------------------------------------- gathering */

typedef struct {
    tend_spread_candidate *items;
    size_t count, cap;
    int rc;
} candidate_list;

static tend_spread_candidate *push(candidate_list *l, int64_t member_id)
{
    for (size_t i = 0; i < l->count; i++)
        if (l->items[i].member_id == member_id)
            return &l->items[i];
    if (l->count == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 16;
        tend_spread_candidate *grown = realloc(l->items, cap * sizeof *grown);
        if (!grown) {
            l->rc = TEND_STORE_ERROR;
            return NULL;
        }
        l->items = grown;
        l->cap = cap;
    }
    tend_spread_candidate *c = &l->items[l->count++];
    memset(c, 0, sizeof *c);
    c->member_id = member_id;
    return c;
}

static int take_member(int64_t member_id, int64_t last_at, void *ud)
{
    candidate_list *l = ud;
    tend_spread_candidate *c = push(l, member_id);
    if (c)
        c->last_at = last_at;
    return c ? 0 : 1;
}

static int take_learner(const tend_learner *le, void *ud)
{
    candidate_list *l = ud;
    for (size_t i = 0; i < l->count; i++)
        if (l->items[i].member_id == le->member_id)
            l->items[i].learner = true;
    return 0;
}

/* Whether m may be asked about t at all: never someone who had a claim on it or was asked. */
static int may_ask(tend_store *store, const tend_task *t, const tend_member *m, bool *ok)
{
    bool had = false;
    tend_offer o;
    int rc = tend_store_claim_ever(store, t->id, m->id, &had);
    if (rc != TEND_STORE_OK)
        return rc;
    rc = tend_store_offer_get(store, t->id, m->id, &o);
    if (rc != TEND_STORE_OK && rc != TEND_STORE_NOTFOUND)
        return rc;
    *ok = !had && rc == TEND_STORE_NOTFOUND;
    return TEND_STORE_OK;
}

int tend_spread_pick(const tend_env *env, const tend_group *g, const tend_task *t, tend_spread_purpose purpose,
                     int64_t now, size_t want, tend_member *picked, size_t *n)
{
    *n = 0;
    tend_store *store = env->store;
    tend_task_traits tr;
    candidate_list l = {NULL, 0, 0, TEND_STORE_OK};
    int rc = tend_store_task_traits_get(store, t->id, &tr);
    const char *title = purpose == TEND_SPREAD_ROTATION ? t->title : NULL;
    if (rc == TEND_STORE_OK)
        rc = tend_store_members_by_last_take(store, g->id, title, take_member, &l);
    if (rc == TEND_STORE_OK)
        rc = l.rc;
    if (rc == TEND_STORE_OK && purpose == TEND_SPREAD_ROTATION)
        rc = tend_store_learners_ready(store, g->id, t->title, take_learner, &l);
    for (size_t i = 0; rc == TEND_STORE_OK && purpose == TEND_SPREAD_BACKUP && tr.kind[0] && i < l.count; i++)
        rc = tend_store_backup_is(store, l.items[i].member_id, tr.kind, &l.items[i].standing);
    int64_t last_holder = 0;
    if (rc == TEND_STORE_OK && purpose == TEND_SPREAD_ROTATION) {
        rc = tend_store_last_holder(store, g->id, t->title, &last_holder);
        if (rc == TEND_STORE_NOTFOUND)
            rc = TEND_STORE_OK;
    }
    if (rc == TEND_STORE_OK)
        tend_spread_sort(l.items, l.count);
    /* a rotation's second pass takes the last holder back in, only when nobody else could */
    for (int pass = 0; rc == TEND_STORE_OK && pass < (last_holder ? 2 : 1) && *n == 0; pass++) {
        for (size_t i = 0; rc == TEND_STORE_OK && i < l.count && *n < want; i++) {
            tend_member m;
            bool ok = false, room = false;
            if (pass == 0 && l.items[i].member_id == last_holder)
                continue;
            rc = tend_store_member_by_id(store, l.items[i].member_id, &m);
            if (rc == TEND_STORE_OK)
                rc = may_ask(store, t, &m, &ok);
            if (rc == TEND_STORE_OK && ok)
                rc = tend_spread_has_room(env, g, &m, t->weight, now, &room);
            if (rc == TEND_STORE_OK && ok && room)
                picked[(*n)++] = m;
        }
    }
    free(l.items);
    return rc;
}

/* ---------------------------------------------------------------- saying it */

static tend_message *vsay(tend_messages *out, tend_audience audience, const tend_group *g, const tend_member *m,
                          const char *kind, const char *fmt, va_list ap)
{
    /* the group reads the group's language; a member their own */
    const char *lang = audience == TEND_TO_PUBLIC ? g->language : tend_lang_of_member(g, m);
    tend_message *msg = tend_messages_vadd_lang(out, lang, audience, g->key, m ? m->key : NULL,
                                                m ? m->name : NULL, kind, fmt, ap);
    if (msg && audience == TEND_TO_PUBLIC && g->channel_key[0] && tend_message_set_channel(msg, g->channel_key))
        return NULL;
    return msg;
}

tend_message *tend_fillin_dm(tend_messages *out, const tend_group *g, const tend_member *m, const char *kind,
                             const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    tend_message *msg = vsay(out, TEND_TO_DM, g, m, kind, fmt, ap);
    va_end(ap);
    return msg;
}

tend_message *tend_fillin_post(tend_messages *out, const tend_group *g, const char *kind, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    tend_message *msg = vsay(out, TEND_TO_PUBLIC, g, NULL, kind, fmt, ap);
    va_end(ap);
    return msg;
}
