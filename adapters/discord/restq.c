/* restq.c — the hash map and timer heap under rest.c's queue (see restq.h). */
#include <stdlib.h>

#include "adapters/discord/restq.h"

uint64_t dc_hash_text(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

uint64_t dc_hash_u64(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    return x ^ (x >> 33);
}

int dc_hmap_insert(dc_hmap *m, dc_hnode *n)
{
    if (m->count >= m->n_slots) {
        size_t size = m->n_slots ? m->n_slots * 2 : 64;
        dc_hnode **slots = calloc(size, sizeof *slots);
        if (!slots)
            return -1;
        for (size_t i = 0; i < m->n_slots; i++)
            for (dc_hnode *e = m->slots[i], *next; e; e = next) {
                next = e->next;
                e->next = slots[e->hash & (size - 1)];
                slots[e->hash & (size - 1)] = e;
            }
        free(m->slots);
        m->slots = slots;
        m->n_slots = size;
    }
    dc_hnode **slot = &m->slots[n->hash & (m->n_slots - 1)];
    n->next = *slot;
    *slot = n;
    m->count++;
    return 0;
}

void dc_hmap_remove(dc_hmap *m, dc_hnode *n)
{
    for (dc_hnode **p = &m->slots[n->hash & (m->n_slots - 1)]; *p; p = &(*p)->next)
        if (*p == n) {
            *p = n->next;
            m->count--;
            return;
        }
}

dc_hnode *dc_hmap_first(const dc_hmap *m, uint64_t hash)
{
    return m->n_slots ? m->slots[hash & (m->n_slots - 1)] : NULL;
}

static void heap_swap(dc_theap *h, size_t i, size_t j)
{
    dc_tnode *t = h->a[i];
    h->a[i] = h->a[j];
    h->a[j] = t;
    h->a[i]->pos = i + 1;
    h->a[j]->pos = j + 1;
}

static void heap_fix(dc_theap *h, size_t i)
{
    while (i > 0 && h->a[(i - 1) / 2]->at > h->a[i]->at) {
        heap_swap(h, i, (i - 1) / 2);
        i = (i - 1) / 2;
    }
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < h->n && h->a[l]->at < h->a[m]->at)
            m = l;
        if (r < h->n && h->a[r]->at < h->a[m]->at)
            m = r;
        if (m == i)
            return;
        heap_swap(h, i, m);
        i = m;
    }
}

int dc_heap_push(dc_theap *h, dc_tnode *t)
{
    if (h->n == h->cap) {
        size_t cap = h->cap ? h->cap * 2 : 64;
        dc_tnode **a = realloc(h->a, cap * sizeof *a);
        if (!a)
            return -1;
        h->a = a;
        h->cap = cap;
    }
    h->a[h->n++] = t;
    t->pos = h->n;
    heap_fix(h, h->n - 1);
    return 0;
}

dc_tnode *dc_heap_pop(dc_theap *h)
{
    dc_tnode *t = h->a[0];
    heap_swap(h, 0, h->n - 1);
    h->n--;
    t->pos = 0;
    if (h->n)
        heap_fix(h, 0);
    return t;
}

