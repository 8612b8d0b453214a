/* names.c — see names.h. Works in UTF-16 because that is ICU's own form. ICU is reached through
 * lib/icu.h, which loads it the first time a name is checked. */
#include "bot/names.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/icu.h"

#define NAME_UNITS 512    /* UTF-16 units; a platform name is at most TEND_NAME_MAX bytes */
#define SKELETON_UNITS 1024

/* Characters a reader cannot see, or that only steer how the rest is shown. */
static bool invisible(const tend_icu *icu, UChar32 c)
{
    int8_t type = icu->char_type(c);
    return type == U_CONTROL_CHAR || type == U_FORMAT_CHAR || type == U_UNASSIGNED ||
           type == U_PRIVATE_USE_CHAR || type == U_SURROGATE ||
           icu->has_binary_property(c, UCHAR_DEFAULT_IGNORABLE_CODE_POINT) ||
           icu->has_binary_property(c, UCHAR_BIDI_CONTROL);
}

/* UTF-8 in, cleaned and NFC UTF-16 out (visible characters, single spaces, trimmed). Length, or -1. */
static int32_t clean_utf16(const char *name, UChar *out, int32_t cap)
{
    const tend_icu *icu = tend_icu_get();
    if (!icu)
        return -1;
    UChar raw[NAME_UNITS], kept[NAME_UNITS];
    int32_t n = 0, k = 0;
    UErrorCode status = U_ZERO_ERROR;
    icu->str_from_utf8(raw, NAME_UNITS, &n, name, -1, &status);
    if (U_FAILURE(status) || status == U_STRING_NOT_TERMINATED_WARNING)
        return -1;
    bool space = false;
    for (int32_t i = 0; i < n;) {
        UChar32 c;
        U16_NEXT(raw, i, n, c);
        if (icu->is_white_space(c)) {
            space = k > 0; /* a run of blanks is one space, and none at the start */
            continue;
        }
        if (invisible(icu, c))
            continue;
        if (space && k < NAME_UNITS - 1)
            kept[k++] = ' ';
        space = false;
        if (k + U16_LENGTH(c) > NAME_UNITS)
            break;
        U16_APPEND_UNSAFE(kept, k, c);
    }
    if (k == 0)
        return -1;
    const UNormalizer2 *nfc = icu->nfc_instance(&status);
    int32_t len = U_SUCCESS(status) ? icu->normalize(nfc, kept, k, out, cap, &status) : -1;
    return U_SUCCESS(status) && status != U_STRING_NOT_TERMINATED_WARNING ? len : -1;
}

int tend_name_clean(const char *name, char *out, size_t outlen)
{
    UChar clean[NAME_UNITS];
    int32_t n = clean_utf16(name ? name : "", clean, NAME_UNITS);
    if (n <= 0 || outlen == 0)
        return -1;
    /* as UTF-8, a character at a time, so a cut never halves one */
    size_t used = 0;
    for (int32_t i = 0; i < n;) {
        UChar32 c;
        U16_NEXT(clean, i, n, c);
        char buf[4];
        int32_t len = 0;
        UBool bad = false;
        U8_APPEND((uint8_t *)buf, len, 4, c, bad);
        if (bad || used + (size_t)len + 1 > outlen)
            break;
        memcpy(out + used, buf, (size_t)len);
        used += (size_t)len;
    }
    out[used] = '\0';
    return used > 0 ? 0 : -1;
}

/* The skeleton of a cleaned, case-folded name: equal skeletons look the same. -1 on failure. */
static int32_t skeleton(const tend_icu *icu, const USpoofChecker *sc, const char *name, UChar *out, int32_t cap)
{
    UChar clean[NAME_UNITS], folded[NAME_UNITS];
    int32_t n = clean_utf16(name, clean, NAME_UNITS);
    if (n <= 0)
        return -1;
    UErrorCode status = U_ZERO_ERROR;
    int32_t f = icu->str_fold_case(folded, NAME_UNITS, clean, n, U_FOLD_CASE_DEFAULT, &status);
    if (U_FAILURE(status) || f >= NAME_UNITS)
        return -1;
    int32_t len = icu->spoof_skeleton(sc, 0, folded, f, out, cap, &status);
    return U_SUCCESS(status) && len < cap ? len : -1;
}

/* NULL when ICU cannot be loaded or the checker cannot be made */
static USpoofChecker *open_checker(const tend_icu *icu)
{
    if (!icu)
        return NULL;
    UErrorCode status = U_ZERO_ERROR;
    USpoofChecker *sc = icu->spoof_open(&status);
    if (U_FAILURE(status)) {
        icu->spoof_close(sc);
        return NULL;
    }
    return sc;
}

static bool same_skeleton(const tend_icu *icu, const UChar *a, int32_t na, const UChar *b, int32_t nb)
{
    return na >= 0 && na == nb && icu->str_ncmp(a, b, na) == 0;
}

bool tend_names_look_alike(const char *a, const char *b)
{
    const tend_icu *icu = tend_icu_get();
    USpoofChecker *sc = open_checker(icu);
    if (!sc)
        return false;
    UChar sa[SKELETON_UNITS], sb[SKELETON_UNITS];
    bool alike = same_skeleton(icu, sa, skeleton(icu, sc, a, sa, SKELETON_UNITS), sb,
                               skeleton(icu, sc, b, sb, SKELETON_UNITS));
    icu->spoof_close(sc);
    return alike;
}

typedef struct {
    const tend_icu *icu;
    USpoofChecker *sc;
    const UChar *wanted;
    int32_t wanted_len;
    int64_t except_id;
    bool taken;
} lookalike_walk;

static int compare_member(const tend_member *m, void *ud)
{
    lookalike_walk *w = ud;
    if (m->id == w->except_id)
        return 0;
    UChar theirs[SKELETON_UNITS];
    w->taken = same_skeleton(w->icu, w->wanted, w->wanted_len, theirs,
                             skeleton(w->icu, w->sc, m->name, theirs, SKELETON_UNITS));
    return w->taken;
}

int tend_name_taken(tend_store *store, int64_t group_id, const char *name, int64_t except_id, bool *taken)
{
    *taken = false;
    UChar wanted[SKELETON_UNITS];
    const tend_icu *icu = tend_icu_get();
    lookalike_walk w = {icu, open_checker(icu), wanted, 0, except_id, false};
    if (!w.sc)
        return TEND_STORE_ERROR;
    w.wanted_len = skeleton(icu, w.sc, name, wanted, SKELETON_UNITS);
    int rc = w.wanted_len < 0 ? TEND_STORE_OK : tend_store_members_each(store, group_id, compare_member, &w);
    icu->spoof_close(w.sc);
    *taken = w.taken;
    return rc;
}

int tend_member_ensure(tend_store *store, int64_t group_id, const char *key, const char *name, int64_t now,
                       tend_member *out)
{
    int rc = tend_store_member_get(store, group_id, key, out);
    if (rc != TEND_STORE_NOTFOUND)
        return rc;
    char clean[TEND_NAME_MAX], shown[TEND_NAME_MAX + 16]; /* clean leaves room for " (99)" */
    if (tend_name_clean(name, clean, sizeof clean - 8) != 0 && tend_name_clean(key, clean, sizeof clean - 8) != 0)
        snprintf(clean, sizeof clean, "someone");
    snprintf(shown, sizeof shown, "%s", clean);
    bool taken = true;
    for (int n = 2; (rc = tend_name_taken(store, group_id, shown, 0, &taken)) == TEND_STORE_OK && taken && n < 100;
         n++)
        snprintf(shown, sizeof shown, "%s (%d)", clean, n);
    if (rc != TEND_STORE_OK)
        return rc;
    return tend_store_member_ensure(store, group_id, key, shown, now, out);
}

void tend_names_cleanup(void)
{
    tend_icu_unload();
}
