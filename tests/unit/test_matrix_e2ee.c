/*
 * test_matrix_e2ee.c — the pieces of Matrix encryption that need no homeserver: canonical JSON
 * (the exact bytes a signature covers, so another client verifies what tend signs), signatures
 * checked against the right key only, and the store's crypto rows (pickles, found by kind and id,
 * replaced in place, walked by id prefix, kept per platform).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adapters/matrix/e2ee.h"
#include "store/store_crypto.h"
#include "testkit.h"
#ifdef TEND_HAVE_E2EE
#include "lib/olm/olm.h"
#endif

static void test_canonical_json_sorts_and_drops_signatures(void **state)
{
    (void)state;
    cJSON *v = cJSON_Parse("{\"b\":1,\"a\":{\"z\":[3,{\"y\":\"\\u00e9\",\"x\":null}],\"c\":true},"
                           "\"signatures\":{\"@a:b\":{}},\"unsigned\":{\"age\":3},\"\\u00e0\":\"\\n\"}");
    assert_non_null(v);
    char *c = tend_matrix_canonical_json(v);
    assert_string_equal(c, "{\"a\":{\"c\":true,\"z\":[3,{\"x\":null,\"y\":\"\xc3\xa9\"}]},\"b\":1,\"\xc3\xa0\":\"\\n\"}");
    free(c);
    cJSON_Delete(v);
    /* a fraction has no canonical form: refused, never signed approximately */
    v = cJSON_Parse("{\"a\":1.5}");
    assert_null(tend_matrix_canonical_json(v));
    cJSON_Delete(v);
}

#ifdef TEND_HAVE_E2EE
static void test_signatures_verify_only_with_the_signers_key(void **state)
{
    (void)state;
    tend_olm_account *acct = NULL, *other = NULL;
    assert_int_equal(tend_olm_account_new(&acct), TEND_OLM_OK);
    assert_int_equal(tend_olm_account_new(&other), TEND_OLM_OK);
    char *ids = NULL, *ids2 = NULL;
    tend_olm_account_identity_keys(acct, &ids);
    tend_olm_account_identity_keys(other, &ids2);
    cJSON *k = cJSON_Parse(ids), *k2 = cJSON_Parse(ids2);
    const char *ed = cJSON_GetObjectItem(k, "ed25519")->valuestring;
    const char *ed2 = cJSON_GetObjectItem(k2, "ed25519")->valuestring;

    cJSON *dk = cJSON_Parse("{\"user_id\":\"@tend:x\",\"device_id\":\"DEV\",\"keys\":{\"b\":\"2\",\"a\":\"1\"}}");
    char *canon = tend_matrix_canonical_json(dk);
    char *sig = NULL;
    assert_int_equal(tend_olm_account_sign(acct, (const uint8_t *)canon, strlen(canon), &sig), TEND_OLM_OK);
    cJSON *sigs = cJSON_AddObjectToObject(dk, "signatures");
    cJSON_AddStringToObject(cJSON_AddObjectToObject(sigs, "@tend:x"), "ed25519:DEV", sig);
    cJSON_AddObjectToObject(dk, "unsigned"); /* servers add it; it is not signed */

    assert_true(tend_matrix_signed_by(dk, "@tend:x", "DEV", ed));
    assert_false(tend_matrix_signed_by(dk, "@tend:x", "DEV", ed2));    /* another device's key */
    assert_false(tend_matrix_signed_by(dk, "@other:x", "DEV", ed));    /* no signature by that user */
    assert_false(tend_matrix_signed_by(dk, "@tend:x", "OTHER", ed));   /* nor by that key id */
    cJSON_ReplaceItemInObject(cJSON_GetObjectItem(dk, "keys"), "a", cJSON_CreateString("changed"));
    assert_false(tend_matrix_signed_by(dk, "@tend:x", "DEV", ed));     /* changed after signing */

    tend_olm_free_string(sig);
    free(canon);
    cJSON_Delete(dk);
    cJSON_Delete(k);
    cJSON_Delete(k2);
    tend_olm_free_string(ids);
    tend_olm_free_string(ids2);
    tend_olm_account_free(acct);
    tend_olm_account_free(other);
}
#endif

static int collect(const char *id, const char *pickle, void *ud)
{
    char *out = ud;
    size_t n = strlen(out);
    snprintf(out + n, 256 - n, "%s=%s;", id, pickle);
    return 0;
}

static int stop_at_first(const char *id, const char *pickle, void *ud)
{
    (void)id, (void)pickle;
    (*(int *)ud)++;
    return 7;
}

static void test_store_keeps_pickles_by_kind_and_id(void **state)
{
    (void)state;
    testkit *kit = testkit_new();
    tend_store *s = kit->store;
    char *p = NULL;
    assert_int_equal(tend_store_crypto_get(s, "matrix", "account", "DEV", &p), TEND_STORE_NOTFOUND);
    assert_null(p);
    assert_int_equal(tend_store_crypto_put(s, "matrix", "account", "DEV", "first"), TEND_STORE_OK);
    assert_int_equal(tend_store_crypto_put(s, "matrix", "account", "DEV", "second"), TEND_STORE_OK);
    assert_int_equal(tend_store_crypto_get(s, "matrix", "account", "DEV", &p), TEND_STORE_OK);
    assert_string_equal(p, "second"); /* replaced, not added */
    free(p);
    /* another platform and another kind are other rows */
    assert_int_equal(tend_store_crypto_get(s, "discord", "account", "DEV", &p), TEND_STORE_NOTFOUND);
    assert_int_equal(tend_store_crypto_get(s, "matrix", "olm", "DEV", &p), TEND_STORE_NOTFOUND);

    tend_store_crypto_put(s, "matrix", "olm", "keyA|s2", "p2");
    tend_store_crypto_put(s, "matrix", "olm", "keyA|s1", "p1");
    tend_store_crypto_put(s, "matrix", "olm", "keyA_|s3", "p3"); /* '_' is no wildcard */
    tend_store_crypto_put(s, "matrix", "olm", "keyB|s1", "q1");
    char seen[256] = "";
    assert_int_equal(tend_store_crypto_each(s, "matrix", "olm", "keyA|", collect, seen), TEND_STORE_OK);
    assert_string_equal(seen, "keyA|s1=p1;keyA|s2=p2;");
    int calls = 0;
    assert_int_equal(tend_store_crypto_each(s, "matrix", "olm", "", stop_at_first, &calls), 7);
    assert_int_equal(calls, 1);

    assert_int_equal(tend_store_crypto_delete(s, "matrix", "olm", "keyA|s1"), TEND_STORE_OK);
    seen[0] = '\0';
    tend_store_crypto_each(s, "matrix", "olm", "keyA|", collect, seen);
    assert_string_equal(seen, "keyA|s2=p2;");
    testkit_free(kit);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_canonical_json_sorts_and_drops_signatures),
#ifdef TEND_HAVE_E2EE
        cmocka_unit_test(test_signatures_verify_only_with_the_signers_key),
#endif
        cmocka_unit_test(test_store_keeps_pickles_by_kind_and_id),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
