/*
 * export.h — a member's own data and a group's data as pretty-printed JSON, for /export and
 * /export group. The group's JSON never carries what is private to each member (check-ins,
 * capacity, rests and their notes, nudges).
 */
#ifndef TEND_EXPORT_H
#define TEND_EXPORT_H

#include "store/store.h"

/* Everything the store keeps about m: profile, claims with task titles, check-ins, rests with
 * their notes, thanks given and received. *json is malloc'd. TEND_STORE_OK or an error. */
int tend_export_member(tend_store *store, const tend_group *g, const tend_member *m, char **json);
/* The group: settings, members (names and pronouns only), tasks with claim counts, thanks,
 * agreements with every version, and the (already anonymous) suggestions. */
int tend_export_group(tend_store *store, const tend_group *g, char **json);

#endif
