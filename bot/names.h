/*
 * names.h — members' display names as others will read them.
 *
 * A name is shown in celebrations, thanks and the digest, so it must be what it looks like and
 * belong to one member: invisible characters (zero-width spaces, joiners, bidi controls, other
 * format and control characters) are dropped, the rest is NFC-normalised, and a name that looks
 * the same as another member's of the group (Unicode's confusable skeleton, case folded: "Ana",
 * "ana", "Аna" in Cyrillic, "Ana" with a zero-width space) is refused, or, for a platform name
 * seen for the first time, told apart with a number. ICU does the Unicode work.
 */
#ifndef TEND_NAMES_H
#define TEND_NAMES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

/* Writes name, cleaned as above with blanks collapsed and trimmed, into out (cut on a character
 * boundary). 0, or -1 when nothing readable is left (or the text is not UTF-8). */
int tend_name_clean(const char *name, char *out, size_t outlen);

/* True when a and b would look the same to a reader. */
bool tend_names_look_alike(const char *a, const char *b);

/* Whether `name` looks like the name of a member of the group other than `except_id` (0: none):
 * TEND_STORE_OK with *taken set, or a store error. */
int tend_name_taken(tend_store *store, int64_t group_id, const char *name, int64_t except_id, bool *taken);

/* tend_store_member_ensure for a member seen for the first time under a platform name: the name
 * is cleaned, and when it looks like someone else's in the group it becomes "Ana (2)" (the member
 * can pick another with /profile). An existing member is returned as they are. */
int tend_member_ensure(tend_store *store, int64_t group_id, const char *key, const char *name, int64_t now,
                       tend_member *out);

/* Releases what ICU keeps between calls (for a clean exit under valgrind). Safe to call again. */
void tend_names_cleanup(void);

#endif
