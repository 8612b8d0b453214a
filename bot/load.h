/*
 * load.h — the load model, in one place: a member's load is the weight of their open claims plus
 * the weight of what they finished in the last 7 days, against their own capacity (the group's
 * default when they set none). Used by /me, /claim, /team and the nudges.
 */
#ifndef TEND_LOAD_H
#define TEND_LOAD_H

#include <stdbool.h>
#include <stdint.h>

#include "store/store.h"

#define TEND_LOAD_WINDOW (7 * 24 * 3600)

typedef struct {
    int open_weight;   /* active claims                  */
    int done_weight;   /* finished in the last 7 days    */
    int total;         /* open_weight + done_weight      */
    int capacity;      /* theirs, or the group's default */
} tend_load;

/* Computes m's load at `now`. TEND_STORE_OK or an error. */
int tend_load_of(tend_store *store, const tend_group *g, const tend_member *m, int64_t now, tend_load *out);
/* True when taking `extra` more weight would put the member past their capacity. */
bool tend_load_would_exceed(const tend_load *load, int extra);
/* True when the member already carries more than their capacity. */
bool tend_load_is_over(const tend_load *load);

/* The share (0..100) of the group's done work since `since` that the busiest fifth of its members
 * did (at least one member). -1 when nothing was done. The group never sees who. */
int tend_load_concentration(tend_store *store, const tend_group *g, int64_t since);

/* No count, share or name the group sees may point to fewer than this many people (PRODUCT.md):
 * suggestions wait for three, and so does every aggregate. */
#define TEND_AGGREGATE_MIN_PEOPLE 3
/* The smallest group whose busiest fifth is TEND_AGGREGATE_MIN_PEOPLE members: below it, "the
 * busiest fifth" is one or two people everyone can name, so their share is never told. */
#define TEND_CONCENTRATION_MIN_MEMBERS (5 * (TEND_AGGREGATE_MIN_PEOPLE - 1) + 1)
/* tend_load_concentration as the group may hear it: the share, -1 when nothing was done, or
 * TEND_LOAD_TOO_FEW when the group is smaller than TEND_CONCENTRATION_MIN_MEMBERS. */
#define TEND_LOAD_TOO_FEW (-2)
int tend_load_concentration_told(tend_store *store, const tend_group *g, int64_t since);

/* When the group hears about concentration (the digest's gentle note, /team's suggestion): the
 * busiest fifth did more than 60% of the work, there is enough work for that to be a pattern
 * rather than one busy afternoon, and enough people that it points at nobody. */
#define TEND_CONCENTRATION_HIGH 60
#define TEND_CONCENTRATION_MIN_WORK 3
bool tend_load_concentrated(tend_store *store, const tend_group *g, int64_t since);

#endif
