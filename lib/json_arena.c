/*
 * json_arena.c — cJSON trees in reused chunks (json_arena.h).
 *
 * A chunk is one malloc: a header, then bytes handed out by bumping `used`. The first chunk stays
 * for the arena's life; a payload that outgrows it chains more, each twice the last (so a large
 * GUILD_CREATE needs a handful, and the free hook's walk over them stays short), and they are
 * freed when the arena is reset.
 *
 * The arenas a thread created are on that thread's list, which the free hook walks to tell an
 * arena's pointer from malloc's. Thread-local, so a cJSON_Delete on the store thread never reads
 * what the loop thread is changing.
 */
#include "lib/json_arena.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <uv.h>

#if defined(__SANITIZE_ADDRESS__)
#define TEND_ARENA_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TEND_ARENA_ASAN 1
#endif
#endif
#ifdef TEND_ARENA_ASAN
#include <sanitizer/asan_interface.h>
#endif
#if defined(__has_include)
#if __has_include(<valgrind/memcheck.h>)
#include <valgrind/memcheck.h>
#define TEND_ARENA_VALGRIND 1
#endif
#endif

#define ALIGN ((size_t)_Alignof(max_align_t))
#define ROUND_UP(n) (((n) + ALIGN - 1) & ~(ALIGN - 1))
#define LARGEST_GROWTH ((size_t)1 << 20) /* chunks stop doubling at 1 MiB */

typedef struct chunk {
    struct chunk *next;
    size_t size; /* bytes after the header */
    size_t used;
} chunk;

#define HEADER ROUND_UP(sizeof(chunk))

struct tend_json_arena {
    chunk *first;  /* kept across resets */
    chunk *extra;  /* newest first; freed at the reset */
    unsigned live; /* trees parsed and not yet deleted */
    struct tend_json_arena *next_of_thread;
};

static _Thread_local tend_json_arena *filling;  /* the arena a parse on this thread fills */
static _Thread_local tend_json_arena *of_thread; /* this thread's arenas, for the free hook */

static unsigned char *data_of(chunk *c)
{
    return (unsigned char *)c + HEADER;
}

/* Reset memory is unaddressable to the sanitizers until handed out again. */
static void forbid(void *p, size_t n)
{
#ifdef TEND_ARENA_ASAN
    ASAN_POISON_MEMORY_REGION(p, n);
#endif
#ifdef TEND_ARENA_VALGRIND
    VALGRIND_MAKE_MEM_NOACCESS(p, n);
#endif
    (void)p;
    (void)n;
}

static void allow(void *p, size_t n)
{
#ifdef TEND_ARENA_ASAN
    ASAN_UNPOISON_MEMORY_REGION(p, n);
#endif
#ifdef TEND_ARENA_VALGRIND
    VALGRIND_MAKE_MEM_UNDEFINED(p, n);
#endif
    (void)p;
    (void)n;
}

static chunk *chunk_new(size_t size)
{
    chunk *c = malloc(HEADER + size);
    if (!c)
        return NULL;
    c->next = NULL;
    c->size = size;
    c->used = 0;
    forbid(data_of(c), size);
    return c;
}

static void chunk_free(chunk *c)
{
    allow(data_of(c), c->size); /* free() may write its own bookkeeping there */
    free(c);
}

static bool chunk_holds(const chunk *c, const void *p)
{
    uintptr_t start = (uintptr_t)c + HEADER;
    return (uintptr_t)p - start < c->size;
}

static void *take(tend_json_arena *a, size_t n)
{
    n = ROUND_UP(n ? n : 1);
    chunk *c = a->extra ? a->extra : a->first;
    if (c->size - c->used < n) {
        size_t grow = c->size < LARGEST_GROWTH ? c->size * 2 : c->size;
        chunk *more = chunk_new(grow > n ? grow : n);
        if (!more)
            return NULL;
        more->next = a->extra;
        a->extra = more;
        c = more;
    }
    void *p = data_of(c) + c->used;
    c->used += n;
    allow(p, n);
    return p;
}

static void reset(tend_json_arena *a)
{
    while (a->extra) {
        chunk *next = a->extra->next;
        chunk_free(a->extra);
        a->extra = next;
    }
    forbid(data_of(a->first), a->first->used);
    a->first->used = 0;
}

bool tend_json_arena_holds(const tend_json_arena *a, const void *p)
{
    if (chunk_holds(a->first, p))
        return true;
    for (const chunk *c = a->extra; c; c = c->next)
        if (chunk_holds(c, p))
            return true;
    return false;
}

static bool owned_by_this_thread(const void *p)
{
    for (const tend_json_arena *a = of_thread; a; a = a->next_of_thread)
        if (tend_json_arena_holds(a, p))
            return true;
    return false;
}

static void *hook_malloc(size_t n)
{
    if (filling) {
        void *p = take(filling, n);
        if (p)
            return p;
    }
    return malloc(n);
}

static void hook_free(void *p)
{
    if (p && !owned_by_this_thread(p))
        free(p);
}

static uv_once_t hooks_once = UV_ONCE_INIT;

static void install_hooks(void)
{
    cJSON_Hooks hooks = {hook_malloc, hook_free};
    cJSON_InitHooks(&hooks);
}

tend_json_arena *tend_json_arena_create(size_t size)
{
    uv_once(&hooks_once, install_hooks);
    tend_json_arena *a = calloc(1, sizeof *a);
    if (!a)
        return NULL;
    a->first = chunk_new(ROUND_UP(size ? size : ALIGN));
    if (!a->first) {
        free(a);
        return NULL;
    }
    a->next_of_thread = of_thread;
    of_thread = a;
    return a;
}

void tend_json_arena_destroy(tend_json_arena *a)
{
    if (!a)
        return;
    for (tend_json_arena **p = &of_thread; *p; p = &(*p)->next_of_thread)
        if (*p == a) {
            *p = a->next_of_thread;
            break;
        }
    reset(a);
    chunk_free(a->first);
    free(a);
}

cJSON *tend_json_arena_parse(tend_json_arena *a, const char *text, size_t len)
{
    if (!a)
        return cJSON_ParseWithLength(text, len);
    tend_json_arena *outer = filling;
    filling = a;
    cJSON *tree = cJSON_ParseWithLength(text, len);
    filling = outer;
    if (tree)
        a->live++;
    else if (!a->live)
        reset(a); /* what a failed parse took */
    return tree;
}

void tend_json_arena_delete(tend_json_arena *a, cJSON *tree)
{
    if (!tree)
        return;
    cJSON_Delete(tree); /* the arena's nodes stay; strings set on them since are freed */
    if (a && --a->live == 0)
        reset(a);
}

size_t tend_json_arena_footprint(const tend_json_arena *a)
{
    size_t n = sizeof *a + HEADER + a->first->size;
    for (const chunk *c = a->extra; c; c = c->next)
        n += HEADER + c->size;
    return n;
}
