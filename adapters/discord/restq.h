/*
 * restq.h — the two small containers rest.c's queue is built on, so that its cost follows what can
 * be sent rather than how much is waiting: a chained hash map of intrusive nodes (keyed by a
 * 64-bit hash; the caller compares keys) and a binary min-heap of wake-up times.
 */
#ifndef TEND_DISCORD_RESTQ_H
#define TEND_DISCORD_RESTQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct dc_hnode {
    struct dc_hnode *next;
    uint64_t hash;
} dc_hnode;

typedef struct {
    dc_hnode **slots;
    size_t n_slots; /* a power of two, or 0 before the first insert */
    size_t count;
} dc_hmap;

typedef struct {
    uint64_t at; /* loop milliseconds */
    size_t pos;  /* index + 1 in the heap; 0 = not in it */
    bool is_req; /* a request's retry pause, else a route waiting for its limit */
} dc_tnode;

typedef struct {
    dc_tnode **a;
    size_t n, cap;
} dc_theap;

uint64_t dc_hash_text(const char *s);
uint64_t dc_hash_u64(uint64_t x);

/* 0, or -1 when out of memory (the node is then not in the map). */
int dc_hmap_insert(dc_hmap *m, dc_hnode *n);
void dc_hmap_remove(dc_hmap *m, dc_hnode *n);
/* The first node of hash's slot; walk ->next and compare hash and key. */
dc_hnode *dc_hmap_first(const dc_hmap *m, uint64_t hash);

/* 0, or -1 when out of memory. */
int dc_heap_push(dc_theap *h, dc_tnode *t);
/* Removes and returns the earliest; the heap must not be empty. */
dc_tnode *dc_heap_pop(dc_theap *h);

#endif
