/* test_olm_attachment.c — lib/olm's encrypted attachments (Matrix's EncryptedFile v2), the way
 * the Matrix adapter uses them for a member's export in an encrypted room: a file round-trips;
 * the JSON is the spec's (a JSON Web Key with kty, key_ops, alg, ext and a 32-byte k in base64url;
 * a 16-byte iv whose low 64 bits are zero; the SHA-256 of the ciphertext; v2); a changed
 * ciphertext or hash fails; two encryptions of the same bytes share nothing; and a file encrypted
 * elsewhere (NIST SP 800-38A's AES-256-CTR vector, hashed with Python's hashlib) decrypts to the
 * standard's plaintext. Built only when the build has end-to-end encryption (TEND_E2EE). */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <cjson/cJSON.h>

#include "lib/olm/olm.h"

#define OK(call) assert_int_equal((call), TEND_OLM_OK)

/* Unpadded base64 of either alphabet (standard, or URL-safe when url): the decoded length, or -1
 * for a character outside that alphabet (padding included: the spec's values have none). */
static int b64_decode(const char *in, bool url, uint8_t *out, size_t cap)
{
    const char *abc = url ? "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
                          : "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    uint32_t acc = 0;
    int bits = 0;
    size_t n = 0;
    for (; *in; in++) {
        const char *p = strchr(abc, *in);
        if (!p)
            return -1;
        acc = (acc << 6) | (uint32_t)(p - abc);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            if (n == cap)
                return -1;
            out[n++] = (uint8_t)(acc >> bits);
        }
    }
    return (int)n;
}

static const char *get_str(const cJSON *o, const char *a, const char *b)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, a);
    if (b)
        v = cJSON_GetObjectItemCaseSensitive(v, b);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* What the member asked for: JSON text, with bytes a C string would stop at. */
static const char export_bytes[] = "{\"profile\":{\"name\":\"Dana\"},\"checkins\":[{\"note\":\"tired\0but ok\"}]}";
#define EXPORT_LEN (sizeof export_bytes - 1)

static void test_round_trip_keeps_every_byte(void **state)
{
    (void)state;
    char *ct = NULL, *info = NULL, *pt = NULL;
    size_t ct_len = 0, pt_len = 0;
    OK(tend_olm_attachment_encrypt((const uint8_t *)export_bytes, EXPORT_LEN, &ct, &ct_len, &info));
    assert_int_equal(ct_len, EXPORT_LEN); /* CTR: as long as the file */
    assert_memory_not_equal(ct, export_bytes, EXPORT_LEN);
    assert_null(strstr(ct, "Dana"));
    OK(tend_olm_attachment_decrypt((const uint8_t *)ct, ct_len, info, &pt, &pt_len));
    assert_int_equal(pt_len, EXPORT_LEN);
    assert_memory_equal(pt, export_bytes, EXPORT_LEN);
    tend_olm_free_string(pt);

    /* an empty file is a file too */
    char *ect = NULL, *einfo = NULL;
    size_t elen = 99;
    OK(tend_olm_attachment_encrypt(NULL, 0, &ect, &elen, &einfo));
    assert_int_equal(elen, 0);
    OK(tend_olm_attachment_decrypt((const uint8_t *)ect, 0, einfo, &pt, &pt_len));
    assert_int_equal(pt_len, 0);
    tend_olm_free_string(pt);
    tend_olm_free_string(ect);
    tend_olm_free_string(einfo);
    tend_olm_free_string(ct);
    tend_olm_free_string(info);
}

static void test_the_json_is_the_specs(void **state)
{
    (void)state;
    char *ct = NULL, *info = NULL;
    size_t ct_len = 0;
    OK(tend_olm_attachment_encrypt((const uint8_t *)export_bytes, EXPORT_LEN, &ct, &ct_len, &info));
    cJSON *o = cJSON_Parse(info);
    assert_non_null(o);
    assert_null(cJSON_GetObjectItemCaseSensitive(o, "url")); /* the caller adds it after the upload */
    assert_string_equal(get_str(o, "v", NULL), "v2");

    const cJSON *key = cJSON_GetObjectItemCaseSensitive(o, "key");
    assert_string_equal(get_str(o, "key", "kty"), "oct");
    assert_string_equal(get_str(o, "key", "alg"), "A256CTR");
    assert_true(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(key, "ext")));
    const cJSON *ops = cJSON_GetObjectItemCaseSensitive(key, "key_ops");
    assert_int_equal(cJSON_GetArraySize(ops), 2);
    assert_string_equal(cJSON_GetArrayItem(ops, 0)->valuestring, "encrypt");
    assert_string_equal(cJSON_GetArrayItem(ops, 1)->valuestring, "decrypt");
    uint8_t buf[64];
    const char *k = get_str(o, "key", "k");
    assert_non_null(k);
    assert_int_equal(b64_decode(k, true, buf, sizeof buf), 32); /* AES-256, unpadded base64url */

    const char *iv = get_str(o, "iv", NULL);
    assert_non_null(iv);
    assert_int_equal(b64_decode(iv, false, buf, sizeof buf), 16);
    static const uint8_t zero[8] = {0};
    assert_memory_equal(buf + 8, zero, 8); /* the block counter starts at zero */
    assert_memory_not_equal(buf, zero, 8); /* the nonce half is random */

    const char *sha = get_str(o, "hashes", "sha256");
    assert_non_null(sha);
    assert_int_equal(b64_decode(sha, false, buf, sizeof buf), 32);
    cJSON_Delete(o);
    tend_olm_free_string(ct);
    tend_olm_free_string(info);
}

/* Replaces the first occurrence of from in s by to, in place (same length). */
static void swap_in(char *s, const char *from, const char *to)
{
    char *at = strstr(s, from);
    assert_non_null(at);
    assert_int_equal(strlen(from), strlen(to));
    memcpy(at, to, strlen(to));
}

static void test_a_changed_ciphertext_or_hash_fails(void **state)
{
    (void)state;
    char *ct = NULL, *info = NULL, *pt = (char *)1;
    size_t ct_len = 0, pt_len = 7;
    OK(tend_olm_attachment_encrypt((const uint8_t *)export_bytes, EXPORT_LEN, &ct, &ct_len, &info));
    ct[10] ^= 1; /* one bit of the upload changed on the way */
    assert_int_equal(tend_olm_attachment_decrypt((const uint8_t *)ct, ct_len, info, &pt, &pt_len), TEND_OLM_ERR_BAD_MAC);
    assert_null(pt);
    assert_int_equal(pt_len, 0);
    ct[10] ^= 1;
    assert_int_equal(tend_olm_attachment_decrypt((const uint8_t *)ct, ct_len - 1, info, &pt, &pt_len),
                     TEND_OLM_ERR_BAD_MAC); /* cut short */

    /* the hash in the event changed: its first character turned into another */
    cJSON *o = cJSON_Parse(info);
    char sha[64];
    snprintf(sha, sizeof sha, "%s", get_str(o, "hashes", "sha256"));
    cJSON_Delete(o);
    char *bad = strdup(info);
    char other[2] = {sha[0] == 'A' ? 'B' : 'A', 0}, first[2] = {sha[0], 0};
    char *at = strstr(bad, sha);
    assert_non_null(at);
    swap_in(at, first, other);
    assert_int_equal(tend_olm_attachment_decrypt((const uint8_t *)ct, ct_len, bad, &pt, &pt_len), TEND_OLM_ERR_BAD_MAC);
    free(bad);

    /* another version or algorithm is refused, not guessed at; a missing key is a bad key */
    bad = strdup(info);
    swap_in(bad, "\"v2\"", "\"v1\"");
    assert_int_equal(tend_olm_attachment_decrypt((const uint8_t *)ct, ct_len, bad, &pt, &pt_len), TEND_OLM_ERR_UNSUPPORTED);
    free(bad);
    bad = strdup(info);
    swap_in(bad, "A256CTR", "A128CTR");
    assert_int_equal(tend_olm_attachment_decrypt((const uint8_t *)ct, ct_len, bad, &pt, &pt_len), TEND_OLM_ERR_UNSUPPORTED);
    free(bad);
    bad = strdup(info);
    swap_in(bad, "\"k\":", "\"j\":");
    assert_int_equal(tend_olm_attachment_decrypt((const uint8_t *)ct, ct_len, bad, &pt, &pt_len), TEND_OLM_ERR_BAD_KEY);
    free(bad);
    assert_int_equal(tend_olm_attachment_decrypt((const uint8_t *)ct, ct_len, "not json", &pt, &pt_len), TEND_OLM_ERR_BAD_KEY);
    assert_null(pt);
    tend_olm_free_string(ct);
    tend_olm_free_string(info);
}

static void test_two_encryptions_of_the_same_bytes_share_nothing(void **state)
{
    (void)state;
    char *ct[2] = {NULL, NULL}, *info[2] = {NULL, NULL};
    size_t len[2];
    for (int i = 0; i < 2; i++)
        OK(tend_olm_attachment_encrypt((const uint8_t *)export_bytes, EXPORT_LEN, &ct[i], &len[i], &info[i]));
    assert_memory_not_equal(ct[0], ct[1], EXPORT_LEN);
    cJSON *a = cJSON_Parse(info[0]), *b = cJSON_Parse(info[1]);
    assert_string_not_equal(get_str(a, "key", "k"), get_str(b, "key", "k"));
    assert_string_not_equal(get_str(a, "iv", NULL), get_str(b, "iv", NULL));
    assert_string_not_equal(get_str(a, "hashes", "sha256"), get_str(b, "hashes", "sha256"));
    /* each opens only with its own key */
    char *pt = NULL;
    size_t pt_len = 0;
    assert_int_equal(tend_olm_attachment_decrypt((const uint8_t *)ct[0], len[0], info[1], &pt, &pt_len),
                     TEND_OLM_ERR_BAD_MAC);
    cJSON_Delete(a);
    cJSON_Delete(b);
    for (int i = 0; i < 2; i++) {
        tend_olm_free_string(ct[i]);
        tend_olm_free_string(info[i]);
    }
}

static uint8_t hex_byte(const char *p)
{
    unsigned v = 0;
    sscanf(p, "%2x", &v);
    return (uint8_t)v;
}

/* NIST SP 800-38A F.5.5 (CTR-AES256): key, initial counter block, plaintext and ciphertext; the
 * EncryptedFile around it written by hand (k in base64url, the hash from Python's hashlib). */
static void test_a_file_encrypted_elsewhere_decrypts(void **state)
{
    (void)state;
    static const char ct_hex[] = "601ec313775789a5b7a7f504bbf3d228f443e3ca4d62b59aca84e990cacaf5c5"
                                 "2b0930daa23de94ce87017ba2d84988ddfc9c58db67aada613c2dd08457941a6";
    static const char pt_hex[] = "6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51"
                                 "30c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710";
    static const char info[] =
        "{\"v\":\"v2\",\"url\":\"mxc://example.org/abc\",\"iv\":\"8PHy8/T19vf4+fr7/P3+/w\","
        "\"hashes\":{\"sha256\":\"ZjExoH6exWoMfQZrvET9Tu+kuul87rJwH1PSFT6C/6U\"},"
        "\"key\":{\"kty\":\"oct\",\"key_ops\":[\"encrypt\",\"decrypt\"],\"alg\":\"A256CTR\","
        "\"k\":\"YD3rEBXKcb4rc67whX13gR81LAc7YQjXLZgQowkU3_Q\",\"ext\":true}}";
    uint8_t ct[64], want[64];
    for (size_t i = 0; i < 64; i++) {
        ct[i] = hex_byte(ct_hex + 2 * i);
        want[i] = hex_byte(pt_hex + 2 * i);
    }
    char *pt = NULL;
    size_t pt_len = 0;
    OK(tend_olm_attachment_decrypt(ct, sizeof ct, info, &pt, &pt_len));
    assert_int_equal(pt_len, 64);
    assert_memory_equal(pt, want, 64);
    tend_olm_free_string(pt);
}

static void test_bad_arguments_are_errors_not_crashes(void **state)
{
    (void)state;
    char *ct = (char *)1, *info = (char *)1;
    size_t len = 5;
    assert_int_equal(tend_olm_attachment_encrypt(NULL, 3, &ct, &len, &info), TEND_OLM_ERR_INVALID_ARGUMENT);
    assert_null(ct);
    assert_null(info);
    assert_int_equal(len, 0);
    assert_int_equal(tend_olm_attachment_encrypt((const uint8_t *)"x", 1, NULL, &len, &info),
                     TEND_OLM_ERR_INVALID_ARGUMENT);
    assert_int_equal(tend_olm_attachment_encrypt((const uint8_t *)"x", 1, &ct, NULL, &info),
                     TEND_OLM_ERR_INVALID_ARGUMENT);
    char *pt = NULL;
    assert_int_equal(tend_olm_attachment_decrypt((const uint8_t *)"x", 1, NULL, &pt, &len),
                     TEND_OLM_ERR_INVALID_ARGUMENT);
    assert_int_equal(tend_olm_attachment_decrypt((const uint8_t *)"x", 1, "{}", NULL, &len),
                     TEND_OLM_ERR_INVALID_ARGUMENT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip_keeps_every_byte),
        cmocka_unit_test(test_the_json_is_the_specs),
        cmocka_unit_test(test_a_changed_ciphertext_or_hash_fails),
        cmocka_unit_test(test_two_encryptions_of_the_same_bytes_share_nothing),
        cmocka_unit_test(test_a_file_encrypted_elsewhere_decrypts),
        cmocka_unit_test(test_bad_arguments_are_errors_not_crashes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
