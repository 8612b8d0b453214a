/* test_olm_verify.c — lib/olm's verification half, the way Matrix cross-signing and interactive
 * (emoji) verification will use it: cross-signing keys that sign, verify and survive a restart only
 * under their pickle key and only as signing keys; and two devices' SAS handles that agree on the
 * emoji and decimals and verify each other's key MACs in both encodings, refusing anything changed.
 * Built only when the build has end-to-end encryption (TEND_E2EE); the rest of lib/olm is in
 * test_olm.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "lib/olm/olm.h"

static const uint8_t pickle_key[TEND_OLM_PICKLE_KEY_BYTES] = "tend test pickle key, 32 bytes!";
static const uint8_t wrong_key[TEND_OLM_PICKLE_KEY_BYTES] = "another pickle key, not the one";

#define OK(call) assert_int_equal((call), TEND_OLM_OK)

/* A master key object as Matrix signs it (canonical JSON). */
static const char key_object[] = "{\"keys\":{\"ed25519:base64+master+public+key\":\"base64+master+public+key\"},"
                                 "\"usage\":[\"master\"],\"user_id\":\"@tend:example.org\"}";

static char *sign(const tend_olm_signing_key *k, const char *text)
{
    char *sig = NULL;
    OK(tend_olm_signing_key_sign(k, (const uint8_t *)text, strlen(text), &sig));
    return sig;
}

static tend_olm_error verify(const char *public_key, const char *text, const char *sig)
{
    return tend_olm_ed25519_verify(public_key, (const uint8_t *)text, strlen(text), sig);
}

static void test_signing_keys_sign_and_survive_a_restart(void **state)
{
    (void)state;
    tend_olm_signing_key *master = NULL, *self_signing = NULL, *restored = NULL;
    OK(tend_olm_signing_key_new(&master));
    OK(tend_olm_signing_key_new(&self_signing));
    char *pub = NULL, *other_pub = NULL, *pub_after = NULL, *pickle = NULL;
    OK(tend_olm_signing_key_public(master, &pub));
    OK(tend_olm_signing_key_public(self_signing, &other_pub));
    assert_int_equal(strlen(pub), 43); /* 32 bytes, unpadded base64: the key id after "ed25519:" */
    assert_string_not_equal(pub, other_pub);

    char *sig = sign(master, key_object);
    assert_int_equal(strlen(sig), 86);
    OK(verify(pub, key_object, sig));
    assert_int_equal(verify(other_pub, key_object, sig), TEND_OLM_ERR_BAD_SIGNATURE);
    char changed[sizeof key_object];
    memcpy(changed, key_object, sizeof key_object);
    changed[10] ^= 1;
    assert_int_equal(verify(pub, changed, sig), TEND_OLM_ERR_BAD_SIGNATURE);

    /* pickled, it is encrypted; restored, it is the same key */
    OK(tend_olm_signing_key_pickle(master, pickle_key, &pickle));
    assert_null(strstr(pickle, pub));
    assert_null(strstr(pickle, "key"));
    OK(tend_olm_signing_key_unpickle(pickle, pickle_key, &restored));
    OK(tend_olm_signing_key_public(restored, &pub_after));
    assert_string_equal(pub_after, pub);
    char *sig_after = sign(restored, key_object);
    OK(verify(pub, key_object, sig_after));
    assert_string_equal(sig_after, sig); /* Ed25519 is deterministic: the same secret key */

    /* only with its key, only whole */
    tend_olm_signing_key *none = NULL;
    assert_int_equal(tend_olm_signing_key_unpickle(pickle, wrong_key, &none), TEND_OLM_ERR_PICKLE_KEY);
    assert_null(none);
    char *bad = strdup(pickle);
    bad[20] = bad[20] == 'A' ? 'B' : 'A';
    assert_int_equal(tend_olm_signing_key_unpickle(bad, pickle_key, &none), TEND_OLM_ERR_PICKLE_KEY);
    free(bad);
    assert_int_equal(tend_olm_signing_key_unpickle("not a pickle!", pickle_key, &none), TEND_OLM_ERR_PICKLE_CORRUPT);
    assert_int_equal(tend_olm_signing_key_unpickle("", pickle_key, &none), TEND_OLM_ERR_PICKLE_CORRUPT);
    assert_null(none);

    /* an account's pickle, under the same pickle key, also holds an Ed25519 key: not this kind */
    tend_olm_account *account = NULL;
    char *account_pickle = NULL;
    OK(tend_olm_account_new(&account));
    OK(tend_olm_account_pickle(account, pickle_key, &account_pickle));
    assert_int_equal(tend_olm_signing_key_unpickle(account_pickle, pickle_key, &none), TEND_OLM_ERR_PICKLE_CORRUPT);
    assert_null(none);
    /* and the other way round */
    tend_olm_account *not_account = NULL;
    assert_int_equal(tend_olm_account_unpickle(pickle, pickle_key, &not_account), TEND_OLM_ERR_PICKLE_CORRUPT);
    assert_null(not_account);

    char *strs[] = {pub, other_pub, pub_after, pickle, sig, sig_after, account_pickle};
    for (size_t i = 0; i < sizeof strs / sizeof *strs; i++)
        tend_olm_free_string(strs[i]);
    tend_olm_account_free(account);
    tend_olm_signing_key_free(master);
    tend_olm_signing_key_free(self_signing);
    tend_olm_signing_key_free(restored);
}

static void test_signing_key_bad_arguments(void **state)
{
    (void)state;
    tend_olm_signing_key *k = NULL;
    char *s = (char *)"untouched";
    assert_int_equal(tend_olm_signing_key_new(NULL), TEND_OLM_ERR_INVALID_ARGUMENT);
    OK(tend_olm_signing_key_new(&k));
    assert_int_equal(tend_olm_signing_key_public(NULL, &s), TEND_OLM_ERR_INVALID_ARGUMENT);
    assert_null(s); /* outputs are cleared on every error */
    assert_int_equal(tend_olm_signing_key_public(k, NULL), TEND_OLM_ERR_INVALID_ARGUMENT);
    assert_int_equal(tend_olm_signing_key_sign(NULL, (const uint8_t *)"x", 1, &s), TEND_OLM_ERR_INVALID_ARGUMENT);
    assert_int_equal(tend_olm_signing_key_sign(k, NULL, 3, &s), TEND_OLM_ERR_INVALID_ARGUMENT);
    assert_int_equal(tend_olm_signing_key_sign(k, (const uint8_t *)"x", 1, NULL), TEND_OLM_ERR_INVALID_ARGUMENT);
    assert_int_equal(tend_olm_signing_key_pickle(k, NULL, &s), TEND_OLM_ERR_INVALID_ARGUMENT);
    assert_int_equal(tend_olm_signing_key_pickle(NULL, pickle_key, &s), TEND_OLM_ERR_INVALID_ARGUMENT);
    assert_int_equal(tend_olm_signing_key_pickle(k, pickle_key, NULL), TEND_OLM_ERR_INVALID_ARGUMENT);
    assert_null(s);
    tend_olm_signing_key *out = (tend_olm_signing_key *)&s;
    assert_int_equal(tend_olm_signing_key_unpickle(NULL, pickle_key, &out), TEND_OLM_ERR_INVALID_ARGUMENT);
    assert_null(out);
    assert_int_equal(tend_olm_signing_key_unpickle("x", NULL, &out), TEND_OLM_ERR_INVALID_ARGUMENT);
    assert_int_equal(tend_olm_signing_key_unpickle("x", pickle_key, NULL), TEND_OLM_ERR_INVALID_ARGUMENT);
    /* signing nothing is allowed (NULL with length 0) */
    OK(tend_olm_signing_key_sign(k, NULL, 0, &s));
    tend_olm_free_string(s);
    tend_olm_signing_key_free(NULL);
    tend_olm_signing_key_free(k);
}

/* Two devices' verification handles, each established with the other's public key. */
static void sas_pair(tend_olm_sas **a, tend_olm_sas **b)
{
    char *ka = NULL, *kb = NULL;
    OK(tend_olm_sas_new(a));
    OK(tend_olm_sas_new(b));
    OK(tend_olm_sas_public_key(*a, &ka));
    OK(tend_olm_sas_public_key(*b, &kb));
    assert_int_equal(strlen(ka), 43);
    assert_string_not_equal(ka, kb);
    OK(tend_olm_sas_establish(*a, kb));
    OK(tend_olm_sas_establish(*b, ka));
    tend_olm_free_string(ka);
    tend_olm_free_string(kb);
}

static const char info_ab[] = "MATRIX_KEY_VERIFICATION_SAS|@ana:example.org|ANADEVICE|keyA|"
                              "@tend:example.org|TEND|keyB|txn1";

static void test_sas_both_sides_show_the_same_emoji_and_decimals(void **state)
{
    (void)state;
    tend_olm_sas *a = NULL, *b = NULL, *c = NULL, *d = NULL;
    sas_pair(&a, &b);
    tend_olm_sas_string sa, sb, other, third;
    memset(&sb, 0xff, sizeof sb);
    OK(tend_olm_sas_string_for(a, info_ab, &sa));
    OK(tend_olm_sas_string_for(b, info_ab, &sb));
    assert_memory_equal(sa.emoji, sb.emoji, sizeof sa.emoji);
    assert_memory_equal(sa.decimals, sb.decimals, sizeof sa.decimals);
    for (int i = 0; i < TEND_OLM_SAS_EMOJI; i++)
        assert_true(sa.emoji[i] < 64);
    for (int i = 0; i < 3; i++)
        assert_in_range(sa.decimals[i], 1000, 9191);

    /* another transaction's info gives another string (48 bits: equal only by a 2^-48 chance) */
    OK(tend_olm_sas_string_for(a, "MATRIX_KEY_VERIFICATION_SAS|another transaction", &other));
    assert_true(memcmp(sa.emoji, other.emoji, sizeof sa.emoji) != 0 ||
                memcmp(sa.decimals, other.decimals, sizeof sa.decimals) != 0);
    /* so does a third device (a man in the middle holds a key of its own) */
    sas_pair(&c, &d);
    OK(tend_olm_sas_string_for(c, info_ab, &third));
    assert_true(memcmp(sa.emoji, third.emoji, sizeof sa.emoji) != 0 ||
                memcmp(sa.decimals, third.decimals, sizeof sa.decimals) != 0);
    /* the public key stays the same after establish (the MAC info and commitment name it) */
    char *before = NULL, *after = NULL;
    tend_olm_sas *e = NULL;
    OK(tend_olm_sas_new(&e));
    OK(tend_olm_sas_public_key(e, &before));
    char *kb = NULL;
    OK(tend_olm_sas_public_key(b, &kb));
    OK(tend_olm_sas_establish(e, kb));
    OK(tend_olm_sas_public_key(e, &after));
    assert_string_equal(before, after);

    tend_olm_free_string(before);
    tend_olm_free_string(after);
    tend_olm_free_string(kb);
    tend_olm_sas *all[] = {a, b, c, d, e};
    for (size_t i = 0; i < sizeof all / sizeof *all; i++)
        tend_olm_sas_free(all[i]);
}

static void test_sas_macs_verify_on_the_other_side_in_both_encodings(void **state)
{
    (void)state;
    tend_olm_sas *a = NULL, *b = NULL;
    sas_pair(&a, &b);
    const char *input = "base64+ed25519+device+key";
    const char *info = "MATRIX_KEY_VERIFICATION_MAC@tend:example.orgTEND@ana:example.orgANADEVICEtxn1ed25519:TEND";
    char *v2 = NULL, *legacy = NULL, *v2_again = NULL;
    OK(tend_olm_sas_mac(a, input, info, 0, &v2));
    OK(tend_olm_sas_mac(a, input, info, 1, &legacy));
    assert_int_equal(strlen(v2), 43); /* HMAC-SHA-256, unpadded base64 */
    assert_string_not_equal(v2, legacy);
    OK(tend_olm_sas_mac(b, input, info, 0, &v2_again));
    assert_string_equal(v2, v2_again); /* the same shared secret on both sides */

    for (int enc = 0; enc <= 1; enc++) {
        const char *mac = enc ? legacy : v2;
        OK(tend_olm_sas_verify_mac(b, input, info, enc, mac));
        /* the other encoding's string is not this one's MAC */
        assert_int_equal(tend_olm_sas_verify_mac(b, input, info, !enc, mac), TEND_OLM_ERR_BAD_MAC);
        assert_int_equal(tend_olm_sas_verify_mac(b, "base64+ed25519+device+kez", info, enc, mac), TEND_OLM_ERR_BAD_MAC);
        assert_int_equal(tend_olm_sas_verify_mac(b, input, "MATRIX_KEY_VERIFICATION_MAC|other", enc, mac),
                         TEND_OLM_ERR_BAD_MAC);
        char *bad = strdup(mac);
        bad[5] = bad[5] == 'A' ? 'B' : 'A';
        assert_int_equal(tend_olm_sas_verify_mac(b, input, info, enc, bad), TEND_OLM_ERR_BAD_MAC);
        bad[strlen(bad) - 1] = '\0'; /* cut short */
        assert_int_equal(tend_olm_sas_verify_mac(b, input, info, enc, bad), TEND_OLM_ERR_BAD_MAC);
        free(bad);
        assert_int_equal(tend_olm_sas_verify_mac(b, input, info, enc, ""), TEND_OLM_ERR_BAD_MAC);
        assert_int_equal(tend_olm_sas_verify_mac(b, input, info, enc, "%%% not base64"), TEND_OLM_ERR_BAD_MAC);
    }
    /* and b's MAC verifies on a */
    char *from_b = NULL;
    OK(tend_olm_sas_mac(b, "ed25519:KEY1,ed25519:KEY2", "MATRIX_KEY_VERIFICATION_MACKEY_IDS", 1, &from_b));
    OK(tend_olm_sas_verify_mac(a, "ed25519:KEY1,ed25519:KEY2", "MATRIX_KEY_VERIFICATION_MACKEY_IDS", 1, from_b));

    tend_olm_free_string(v2);
    tend_olm_free_string(v2_again);
    tend_olm_free_string(legacy);
    tend_olm_free_string(from_b);
    tend_olm_sas_free(a);
    tend_olm_sas_free(b);
}

static void test_sas_refuses_misuse(void **state)
{
    (void)state;
    tend_olm_sas *a = NULL, *b = NULL;
    OK(tend_olm_sas_new(&a));
    OK(tend_olm_sas_new(&b));
    char *kb = NULL, *s = (char *)"untouched";
    OK(tend_olm_sas_public_key(b, &kb));
    tend_olm_sas_string str;
    memset(&str, 0xff, sizeof str);

    /* nothing to show or MAC before the shared secret */
    assert_int_equal(tend_olm_sas_string_for(a, info_ab, &str), TEND_OLM_ERR_INVALID_ARGUMENT);
    assert_int_equal(str.emoji[0], 0); /* cleared on error */
    assert_int_equal(str.decimals[2], 0);
    assert_int_equal(tend_olm_sas_mac(a, "k", "i", 0, &s), TEND_OLM_ERR_INVALID_ARGUMENT);
    assert_null(s);
    assert_int_equal(tend_olm_sas_verify_mac(a, "k", "i", 0, "AAAA"), TEND_OLM_ERR_INVALID_ARGUMENT);

    /* keys that are not keys, and a low-order key, leave the handle ready for the real one */
    assert_int_equal(tend_olm_sas_establish(a, "not a key"), TEND_OLM_ERR_BAD_KEY);
    assert_int_equal(tend_olm_sas_establish(a, "bm90IGEga2V5"), TEND_OLM_ERR_BAD_KEY);
    assert_int_equal(tend_olm_sas_establish(a, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"), TEND_OLM_ERR_INSECURE_KEY);
    OK(tend_olm_sas_establish(a, kb));
    /* once only: a second key cannot replace the first */
    assert_int_equal(tend_olm_sas_establish(a, kb), TEND_OLM_ERR_INVALID_ARGUMENT);
    OK(tend_olm_sas_string_for(a, info_ab, &str));

    assert_int_equal(tend_olm_sas_new(NULL), TEND_OLM_ERR_INVALID_ARGUMENT);
    assert_int_equal(tend_olm_sas_public_key(NULL, &s), TEND_OLM_ERR_INVALID_ARGUMENT);
    assert_int_equal(tend_olm_sas_public_key(a, NULL), TEND_OLM_ERR_INVALID_ARGUMENT);
    assert_int_equal(tend_olm_sas_establish(NULL, kb), TEND_OLM_ERR_INVALID_ARGUMENT);
    assert_int_equal(tend_olm_sas_establish(b, NULL), TEND_OLM_ERR_INVALID_ARGUMENT);
    assert_int_equal(tend_olm_sas_string_for(NULL, info_ab, &str), TEND_OLM_ERR_INVALID_ARGUMENT);
    assert_int_equal(tend_olm_sas_string_for(a, NULL, &str), TEND_OLM_ERR_INVALID_ARGUMENT);
    assert_int_equal(tend_olm_sas_string_for(a, info_ab, NULL), TEND_OLM_ERR_INVALID_ARGUMENT);
    assert_int_equal(tend_olm_sas_mac(a, NULL, "i", 0, &s), TEND_OLM_ERR_INVALID_ARGUMENT);
    assert_int_equal(tend_olm_sas_mac(a, "k", NULL, 1, &s), TEND_OLM_ERR_INVALID_ARGUMENT);
    assert_int_equal(tend_olm_sas_mac(a, "k", "i", 0, NULL), TEND_OLM_ERR_INVALID_ARGUMENT);
    assert_null(s);
    assert_int_equal(tend_olm_sas_verify_mac(a, "k", "i", 0, NULL), TEND_OLM_ERR_INVALID_ARGUMENT);
    assert_int_equal(tend_olm_sas_verify_mac(NULL, "k", "i", 0, "AAAA"), TEND_OLM_ERR_INVALID_ARGUMENT);
    const char not_utf8[] = {(char)0xff, (char)0xfe, 0};
    assert_int_equal(tend_olm_sas_mac(a, not_utf8, "i", 0, &s), TEND_OLM_ERR_INVALID_ARGUMENT);

    tend_olm_free_string(kb);
    tend_olm_sas_free(NULL);
    tend_olm_sas_free(a);
    tend_olm_sas_free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_signing_keys_sign_and_survive_a_restart),
        cmocka_unit_test(test_signing_key_bad_arguments),
        cmocka_unit_test(test_sas_both_sides_show_the_same_emoji_and_decimals),
        cmocka_unit_test(test_sas_macs_verify_on_the_other_side_in_both_encodings),
        cmocka_unit_test(test_sas_refuses_misuse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
