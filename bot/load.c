/*
 * load.c — the load model (load.h): open claims plus the last week's done work, against the
 * member's own capacity; and, for the group, how much of its work the busiest fifth carried.
 */
#include "bot/load.h"

#include <stddef.h>

static int capacity_of(const tend_group *g, const tend_member *m)
{
    if (m->capacity > 0)
        return m->capacity;
    return g->default_capacity > 0 ? g->default_capacity : 3;
}

int tend_load_of(tend_store *store, const tend_group *g, const tend_member *m, int64_t now, tend_load *out)
{
    int open_weight = 0, done_weight = 0;
    int rc = tend_store_member_load(store, m->id, now - TEND_LOAD_WINDOW, &open_weight, &done_weight);
    if (rc != TEND_STORE_OK)
        return rc;
    out->open_weight = open_weight;
    out->done_weight = done_weight;
    out->total = open_weight + done_weight;
    out->capacity = capacity_of(g, m);
    return TEND_STORE_OK;
}

bool tend_load_would_exceed(const tend_load *load, int extra)
{
    return load->total + extra > load->capacity;
}

bool tend_load_is_over(const tend_load *load)
{
    return load->total > load->capacity;
}

/* ---------------------------------------------------------------- concentration */

typedef struct {
    size_t busiest;   /* how many of the busiest members count as "the fifth" */
    size_t seen;
    long long top;    /* their done weight */
    long long total;  /* everyone's done weight */
} concentration;

static int count_member(const tend_member *m, void *ud)
{
    (void)m;
    (*(size_t *)ud)++;
    return 0;
}

static int add_done_weight(int64_t member_id, int weight, void *ud)
{
    (void)member_id;
    concentration *c = ud;
    /* the store lists the busiest first, so the first `busiest` rows are the top fifth */
    if (c->seen++ < c->busiest)
        c->top += weight;
    c->total += weight;
    return 0;
}

/* The share, plus how much work and how many members it rests on. */
static int measure(tend_store *store, const tend_group *g, int64_t since, size_t *members, long long *total)
{
    *members = 0;
    *total = 0;
    if (tend_store_members_each(store, g->id, count_member, members) != TEND_STORE_OK)
        return -1;
    concentration c = {.busiest = (*members + 4) / 5};
    if (c.busiest < 1)
        c.busiest = 1;
    if (tend_store_done_weight_by_member(store, g->id, since, add_done_weight, &c) != TEND_STORE_OK)
        return -1;
    *total = c.total;
    if (c.total <= 0)
        return -1;
    return (int)((c.top * 100 + c.total / 2) / c.total);
}

int tend_load_concentration(tend_store *store, const tend_group *g, int64_t since)
{
    size_t members;
    long long total;
    return measure(store, g, since, &members, &total);
}

int tend_load_concentration_told(tend_store *store, const tend_group *g, int64_t since)
{
    size_t members;
    long long total;
    int share = measure(store, g, since, &members, &total);
    if (share >= 0 && members < TEND_CONCENTRATION_MIN_MEMBERS)
        return TEND_LOAD_TOO_FEW;
    return share;
}

bool tend_load_concentrated(tend_store *store, const tend_group *g, int64_t since)
{
    size_t members;
    long long total;
    int share = measure(store, g, since, &members, &total);
    return share > TEND_CONCENTRATION_HIGH && total >= TEND_CONCENTRATION_MIN_WORK &&
           members >= TEND_CONCENTRATION_MIN_MEMBERS;
}
