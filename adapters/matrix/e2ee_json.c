/*
 * e2ee_json.c — canonical JSON, the exact bytes Matrix signs (spec: appendices, "Signing JSON"),
 * and the check of one signature on a signed object (device keys, one-time keys).
 */
#include "adapters/matrix/e2ee.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef TEND_HAVE_E2EE
#include "lib/olm/olm.h"
#endif

static int by_key(const void *a, const void *b)
{
    const cJSON *x = *(const cJSON *const *)a, *y = *(const cJSON *const *)b;
    return strcmp(x->string, y->string); /* bytes of UTF-8 sort as code points do */
}

/* Sorts every object's members, depth first, in place. -1 on OOM or a non-integer number. */
static int canonicalize(cJSON *v)
{
    if (cJSON_IsNumber(v)) {
        double d = v->valuedouble;
        return d == (double)(int64_t)d && d > -9007199254740992.0 && d < 9007199254740992.0 ? 0 : -1;
    }
    if (!cJSON_IsObject(v) && !cJSON_IsArray(v))
        return 0;
    size_t n = 0;
    for (cJSON *c = v->child; c; c = c->next) {
        if (canonicalize(c) != 0)
            return -1;
        n++;
    }
    if (!cJSON_IsObject(v) || n < 2)
        return 0;
    cJSON **items = malloc(n * sizeof *items);
    if (!items)
        return -1;
    size_t i = 0;
    for (cJSON *c = v->child; c; c = c->next)
        items[i++] = c;
    qsort(items, n, sizeof *items, by_key);
    for (i = 0; i < n; i++) {
        items[i]->prev = i ? items[i - 1] : items[n - 1]; /* cJSON: the first's prev is the last */
        items[i]->next = i + 1 < n ? items[i + 1] : NULL;
    }
    v->child = items[0];
    free(items);
    return 0;
}

char *tend_matrix_canonical_json(const cJSON *v)
{
    cJSON *copy = cJSON_Duplicate(v, 1);
    if (!copy)
        return NULL;
    if (cJSON_IsObject(copy)) {
        cJSON_DeleteItemFromObjectCaseSensitive(copy, "signatures");
        cJSON_DeleteItemFromObjectCaseSensitive(copy, "unsigned");
    }
    char *out = canonicalize(copy) == 0 ? cJSON_PrintUnformatted(copy) : NULL;
    cJSON_Delete(copy);
    return out;
}

bool tend_matrix_signed_by(const cJSON *obj, const char *user_id, const char *key_id, const char *ed25519)
{
#ifdef TEND_HAVE_E2EE
    char name[256];
    snprintf(name, sizeof name, "ed25519:%s", key_id);
    const cJSON *sigs = cJSON_GetObjectItemCaseSensitive(obj, "signatures");
    const cJSON *sig = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(sigs, user_id), name);
    if (!cJSON_IsString(sig) || !ed25519)
        return false;
    char *canon = tend_matrix_canonical_json(obj);
    bool ok = canon && tend_olm_ed25519_verify(ed25519, (const uint8_t *)canon, strlen(canon),
                                               sig->valuestring) == TEND_OLM_OK;
    free(canon);
    return ok;
#else
    (void)obj, (void)user_id, (void)key_id, (void)ed25519;
    return false;
#endif
}
