/*
 * json_arena.h — parses a JSON text into one block of reused memory, for a payload that is read
 * and dropped within one call (a gateway event): its nodes and strings are not each a malloc and
 * a free.
 *
 * cJSON allocates every node and every string on its own. A 3 KB Discord INTERACTION_CREATE is
 * about 250 of them, and with their frees they were a sixth of what an interaction cost (glibc's
 * per-size cache holds only seven blocks, so most of them took malloc's slow path). Here they
 * come from the arena's chunk, one pointer bump each, and go back all at once.
 *
 * How: cJSON's allocator hooks are process-wide, so tend_json_arena_create installs hooks that
 * take from an arena only while tend_json_arena_parse runs on the arena's thread; every other
 * cJSON allocation is malloc's, as before. The free hook lets go of nothing inside an arena (its
 * memory comes back when the arena is reset) and hands everything else to free(), so text from
 * cJSON_Print stays free()able, and a tree built elsewhere is freed as before.
 *
 * The rules for a tree parsed here:
 *   - end it with tend_json_arena_delete, on the thread that parsed it, before the arena is
 *     destroyed; the arena is reset when no tree of it is left, so nested parses are safe;
 *   - keep no node or string of it after that (copy what you keep, as with cJSON_Delete), and do
 *     not move its nodes into a tree that lives longer.
 * Under AddressSanitizer and valgrind, reset memory is marked unaddressable, so a node kept too
 * long is reported as it would be after cJSON_Delete.
 */
#ifndef TEND_JSON_ARENA_H
#define TEND_JSON_ARENA_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

typedef struct tend_json_arena tend_json_arena;

/* An arena whose first chunk holds `chunk` bytes; it is kept between payloads (a payload larger
 * than it takes further chunks, freed at the reset). NULL when out of memory. Installs the cJSON
 * hooks (once per process). */
tend_json_arena *tend_json_arena_create(size_t chunk);
void tend_json_arena_destroy(tend_json_arena *a);

/* Parses len bytes of text into the arena: the tree, or NULL when the text is not JSON (or memory
 * ran out). A NULL still needs no delete. With a NULL arena, a plain cJSON parse (then
 * tend_json_arena_delete(NULL, tree) is cJSON_Delete). */
cJSON *tend_json_arena_parse(tend_json_arena *a, const char *text, size_t len);

/* Ends a tree from tend_json_arena_parse (NULL is fine): anything allocated on its nodes since
 * (cJSON_SetValuestring) is freed, and the arena is reset when this was its last tree. */
void tend_json_arena_delete(tend_json_arena *a, cJSON *tree);

/* Bytes the arena holds now, its chunks included, and whether p is inside one of its chunks (for
 * tests). */
size_t tend_json_arena_footprint(const tend_json_arena *a);
bool tend_json_arena_holds(const tend_json_arena *a, const void *p);

#endif
