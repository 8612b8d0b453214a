/* test_olm.c — lib/olm, tend's C interface to vodozemac, the way the Matrix encryption will use
 * it: two devices' accounts and one-time keys, an Olm pre-key message and answers both ways, a
 * Megolm room session shared to another member, replayed and changed ciphertexts refused with the
 * right error, pickles that round-trip only with their key, and signatures that verify only for
 * the bytes that were signed. Built only when the build has end-to-end encryption (TEND_E2EE). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <cjson/cJSON.h>

#include "lib/olm/olm.h"

static const uint8_t pickle_key[TEND_OLM_PICKLE_KEY_BYTES] = "tend test pickle key, 32 bytes!";
static const uint8_t wrong_key[TEND_OLM_PICKLE_KEY_BYTES] = "another pickle key, not the one";

#define OK(call) assert_int_equal((call), TEND_OLM_OK)

/* The value of field in a JSON object string (a copy the caller frees), or NULL. */
static char *json_field(const char *json, const char *field)
{
    cJSON *o = cJSON_Parse(json);
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, field);
    char *out = cJSON_IsString(v) ? strdup(v->valuestring) : NULL;
    cJSON_Delete(o);
    return out;
}

static int json_count(const char *json)
{
    cJSON *o = cJSON_Parse(json);
    assert_non_null(o);
    int n = cJSON_GetArraySize(o);
    cJSON_Delete(o);
    return n;
}

/* The account's curve25519 identity key (caller frees). */
static char *curve_key(const tend_olm_account *a)
{
    char *json = NULL;
    OK(tend_olm_account_identity_keys(a, &json));
    char *key = json_field(json, "curve25519");
    tend_olm_free_string(json);
    assert_non_null(key);
    return key;
}

/* Publishes one new one-time key of a and returns it, the way /keys/claim hands it out. */
static char *claim_one_time_key(tend_olm_account *a)
{
    char *json = NULL;
    OK(tend_olm_account_generate_one_time_keys(a, 1));
    OK(tend_olm_account_one_time_keys(a, &json));
    cJSON *o = cJSON_Parse(json);
    assert_int_equal(cJSON_GetArraySize(o), 1);
    char *key = strdup(o->child->valuestring);
    cJSON_Delete(o);
    tend_olm_free_string(json);
    OK(tend_olm_account_mark_keys_as_published(a));
    return key;
}

/* A copy of a base64 ciphertext with one character swapped for another of the alphabet. */
static char *changed(const char *b64, size_t at)
{
    char *c = strdup(b64);
    assert_true(at < strlen(c));
    c[at] = c[at] == 'A' ? 'B' : 'A';
    return c;
}

static void olm_encrypt(tend_olm_session *s, const char *text, int want_type, char **body)
{
    int type = -1;
    OK(tend_olm_session_encrypt(s, (const uint8_t *)text, strlen(text), &type, body));
    assert_int_equal(type, want_type);
}

static void olm_expect(tend_olm_session *s, int type, const char *body, const char *want)
{
    char *pt = NULL;
    size_t len = 0;
    OK(tend_olm_session_decrypt(s, type, body, &pt, &len));
    assert_int_equal(len, strlen(want));
    assert_string_equal(pt, want);
    tend_olm_free_string(pt);
}

static void test_identity_and_one_time_keys(void **state)
{
    (void)state;
    tend_olm_account *a = NULL;
    char *json = NULL;
    OK(tend_olm_account_new(&a));

    OK(tend_olm_account_identity_keys(a, &json));
    char *curve = json_field(json, "curve25519"), *ed = json_field(json, "ed25519");
    assert_int_equal(json_count(json), 2);
    tend_olm_free_string(json);
    assert_non_null(curve);
    assert_non_null(ed);
    assert_int_equal(strlen(curve), 43); /* 32 bytes, unpadded base64, as Matrix's keys object has them */
    assert_int_equal(strlen(ed), 43);

    assert_true(tend_olm_account_max_one_time_keys(a) >= 10);
    OK(tend_olm_account_one_time_keys(a, &json));
    assert_string_equal(json, "{}");
    tend_olm_free_string(json);

    OK(tend_olm_account_generate_one_time_keys(a, 5));
    OK(tend_olm_account_one_time_keys(a, &json));
    assert_int_equal(json_count(json), 5);
    tend_olm_free_string(json);
    /* published keys are not offered again; new ones are */
    OK(tend_olm_account_mark_keys_as_published(a));
    OK(tend_olm_account_one_time_keys(a, &json));
    assert_string_equal(json, "{}");
    tend_olm_free_string(json);
    OK(tend_olm_account_generate_one_time_keys(a, 2));
    OK(tend_olm_account_one_time_keys(a, &json));
    assert_int_equal(json_count(json), 2);
    tend_olm_free_string(json);
    assert_int_equal(tend_olm_account_generate_one_time_keys(a, 1001), TEND_OLM_ERR_INVALID_ARGUMENT);

    OK(tend_olm_account_fallback_key(a, &json));
    assert_string_equal(json, "{}");
    tend_olm_free_string(json);
    OK(tend_olm_account_generate_fallback_key(a));
    OK(tend_olm_account_fallback_key(a, &json));
    assert_int_equal(json_count(json), 1);
    tend_olm_free_string(json);
    OK(tend_olm_account_mark_keys_as_published(a));
    OK(tend_olm_account_fallback_key(a, &json));
    assert_string_equal(json, "{}");
    tend_olm_free_string(json);
    OK(tend_olm_account_forget_fallback_key(a));

    /* the identity never changes with the one-time keys */
    OK(tend_olm_account_identity_keys(a, &json));
    char *again = json_field(json, "curve25519");
    assert_string_equal(again, curve);
    tend_olm_free_string(json);
    free(again);
    free(curve);
    free(ed);
    tend_olm_account_free(a);
}

static void test_signatures_verify_only_what_was_signed(void **state)
{
    (void)state;
    tend_olm_account *a = NULL, *b = NULL;
    OK(tend_olm_account_new(&a));
    OK(tend_olm_account_new(&b));
    char *json = NULL, *sig = NULL;
    OK(tend_olm_account_identity_keys(a, &json));
    char *ed_a = json_field(json, "ed25519");
    tend_olm_free_string(json);
    OK(tend_olm_account_identity_keys(b, &json));
    char *ed_b = json_field(json, "ed25519");
    tend_olm_free_string(json);

    const char *canonical = "{\"algorithms\":[\"m.olm.v1.curve25519-aes-sha2\"],\"device_id\":\"TEND\","
                            "\"user_id\":\"@tend:example.org\"}";
    size_t n = strlen(canonical);
    OK(tend_olm_account_sign(a, (const uint8_t *)canonical, n, &sig));
    assert_int_equal(strlen(sig), 86); /* 64 bytes, unpadded base64 */
    OK(tend_olm_ed25519_verify(ed_a, (const uint8_t *)canonical, n, sig));

    char *tampered = strdup(canonical);
    tampered[n - 3] = 'X';
    assert_int_equal(tend_olm_ed25519_verify(ed_a, (const uint8_t *)tampered, n, sig), TEND_OLM_ERR_BAD_SIGNATURE);
    assert_int_equal(tend_olm_ed25519_verify(ed_b, (const uint8_t *)canonical, n, sig), TEND_OLM_ERR_BAD_SIGNATURE);
    char *bad_sig = changed(sig, 10);
    assert_int_equal(tend_olm_ed25519_verify(ed_a, (const uint8_t *)canonical, n, bad_sig), TEND_OLM_ERR_BAD_SIGNATURE);
    assert_int_equal(tend_olm_ed25519_verify(ed_a, (const uint8_t *)canonical, n, "not a signature"),
                     TEND_OLM_ERR_BAD_SIGNATURE);
    assert_int_equal(tend_olm_ed25519_verify("not a key", (const uint8_t *)canonical, n, sig), TEND_OLM_ERR_BAD_KEY);

    free(tampered);
    free(bad_sig);
    tend_olm_free_string(sig);
    free(ed_a);
    free(ed_b);
    tend_olm_account_free(a);
    tend_olm_account_free(b);
}

static void test_olm_pre_key_message_and_answers_both_ways(void **state)
{
    (void)state;
    tend_olm_account *tend = NULL, *ana = NULL, *carol = NULL;
    OK(tend_olm_account_new(&tend));
    OK(tend_olm_account_new(&ana));
    OK(tend_olm_account_new(&carol));
    char *tend_key = curve_key(tend), *ana_key = curve_key(ana), *carol_key = curve_key(carol);

    /* tend claims one of ana's one-time keys and writes first: a pre-key message */
    char *otk = claim_one_time_key(ana);
    tend_olm_session *out = NULL, *in = NULL;
    OK(tend_olm_session_new_outbound(tend, ana_key, otk, &out));
    char *m1 = NULL, *m2 = NULL, *id_out = NULL, *id_in = NULL, *id_msg = NULL;
    olm_encrypt(out, "{\"type\":\"m.room_key\"}", TEND_OLM_MESSAGE_PRE_KEY, &m1);
    olm_encrypt(out, "second before any answer", TEND_OLM_MESSAGE_PRE_KEY, &m2);

    /* a pre-key message from someone other than the sender it claims is refused */
    char *pt = NULL;
    size_t len = 0;
    assert_int_equal(tend_olm_session_new_inbound(ana, carol_key, m1, &in, &pt, &len), TEND_OLM_ERR_IDENTITY_MISMATCH);
    assert_null(in);
    assert_null(pt);

    OK(tend_olm_session_new_inbound(ana, tend_key, m1, &in, &pt, &len));
    assert_string_equal(pt, "{\"type\":\"m.room_key\"}");
    assert_int_equal(len, strlen(pt));
    tend_olm_free_string(pt);
    OK(tend_olm_session_id(out, &id_out));
    OK(tend_olm_session_id(in, &id_in));
    OK(tend_olm_pre_key_session_id(m2, &id_msg));
    assert_string_equal(id_out, id_in);
    assert_string_equal(id_msg, id_in); /* how a later pre-key message finds its existing session */
    /* the one-time key is used up: the same pre-key message cannot start a second session */
    tend_olm_session *again = NULL;
    assert_int_equal(tend_olm_session_new_inbound(ana, tend_key, m1, &again, &pt, &len),
                     TEND_OLM_ERR_UNKNOWN_ONE_TIME_KEY);
    assert_null(again);
    olm_expect(in, TEND_OLM_MESSAGE_PRE_KEY, m2, "second before any answer");

    /* ana answers: a normal message; once tend has read it, tend's messages are normal too */
    char *r1 = NULL, *m3 = NULL, *r2 = NULL;
    olm_encrypt(in, "ana answers", TEND_OLM_MESSAGE_NORMAL, &r1);
    olm_expect(out, TEND_OLM_MESSAGE_NORMAL, r1, "ana answers");
    olm_encrypt(out, "tend again", TEND_OLM_MESSAGE_NORMAL, &m3);
    olm_encrypt(in, "ana again", TEND_OLM_MESSAGE_NORMAL, &r2);
    olm_expect(in, TEND_OLM_MESSAGE_NORMAL, m3, "tend again");
    olm_expect(out, TEND_OLM_MESSAGE_NORMAL, r2, "ana again");

    /* a replayed message is refused: its key was used */
    assert_int_equal(tend_olm_session_decrypt(in, TEND_OLM_MESSAGE_NORMAL, m3, &pt, &len), TEND_OLM_ERR_MESSAGE_KEY_USED);
    assert_null(pt);
    assert_int_equal(len, 0);
    /* a changed one fails authentication, and leaves the session able to read the real next one */
    char *m4 = NULL;
    olm_encrypt(out, "tend, fourth", TEND_OLM_MESSAGE_NORMAL, &m4);
    char *bad = changed(m4, strlen(m4) - 5); /* inside the MAC at the end */
    assert_int_equal(tend_olm_session_decrypt(in, TEND_OLM_MESSAGE_NORMAL, bad, &pt, &len), TEND_OLM_ERR_BAD_MAC);
    free(bad);
    bad = changed(m4, 20); /* inside the ciphertext */
    assert_int_equal(tend_olm_session_decrypt(in, TEND_OLM_MESSAGE_NORMAL, bad, &pt, &len), TEND_OLM_ERR_BAD_MAC);
    free(bad);
    assert_int_equal(tend_olm_session_decrypt(in, 7, m4, &pt, &len), TEND_OLM_ERR_BAD_MESSAGE);
    assert_int_equal(tend_olm_session_decrypt(in, TEND_OLM_MESSAGE_NORMAL, "%%%", &pt, &len), TEND_OLM_ERR_BAD_MESSAGE);
    olm_expect(in, TEND_OLM_MESSAGE_NORMAL, m4, "tend, fourth");

    /* carol reaches ana through ana's fallback key when the one-time keys ran out; it stays usable */
    OK(tend_olm_account_generate_fallback_key(ana));
    char *json = NULL;
    OK(tend_olm_account_fallback_key(ana, &json));
    cJSON *fb = cJSON_Parse(json);
    tend_olm_free_string(json);
    tend_olm_session *c1 = NULL, *c2 = NULL, *a1 = NULL, *a2 = NULL;
    OK(tend_olm_session_new_outbound(carol, ana_key, fb->child->valuestring, &c1));
    OK(tend_olm_session_new_outbound(carol, ana_key, fb->child->valuestring, &c2));
    cJSON_Delete(fb);
    char *p1 = NULL, *p2 = NULL;
    olm_encrypt(c1, "carol 1", TEND_OLM_MESSAGE_PRE_KEY, &p1);
    olm_encrypt(c2, "carol 2", TEND_OLM_MESSAGE_PRE_KEY, &p2);
    OK(tend_olm_session_new_inbound(ana, carol_key, p1, &a1, &pt, &len));
    assert_string_equal(pt, "carol 1");
    tend_olm_free_string(pt);
    OK(tend_olm_session_new_inbound(ana, carol_key, p2, &a2, &pt, &len));
    assert_string_equal(pt, "carol 2");
    tend_olm_free_string(pt);

    /* a key that is not a key */
    tend_olm_session *none = NULL;
    assert_int_equal(tend_olm_session_new_outbound(tend, "bm90IGEga2V5", otk, &none), TEND_OLM_ERR_BAD_KEY);
    assert_null(none);

    char *strs[] = {m1, m2, m3, m4, r1, r2, p1, p2, id_out, id_in, id_msg};
    for (size_t i = 0; i < sizeof strs / sizeof *strs; i++)
        tend_olm_free_string(strs[i]);
    tend_olm_session *sessions[] = {out, in, c1, c2, a1, a2};
    for (size_t i = 0; i < sizeof sessions / sizeof *sessions; i++)
        tend_olm_session_free(sessions[i]);
    free(otk);
    free(tend_key);
    free(ana_key);
    free(carol_key);
    tend_olm_account_free(tend);
    tend_olm_account_free(ana);
    tend_olm_account_free(carol);
}

static void megolm_expect(tend_olm_inbound_group *g, const char *ct, const char *want, uint32_t want_index)
{
    char *pt = NULL;
    size_t len = 0;
    uint32_t index = 99;
    OK(tend_olm_inbound_group_decrypt(g, ct, &pt, &len, &index));
    assert_string_equal(pt, want);
    assert_int_equal(len, strlen(want));
    assert_int_equal(index, want_index);
    tend_olm_free_string(pt);
}

static void test_megolm_room_session_shared_to_a_member(void **state)
{
    (void)state;
    tend_olm_outbound_group *room = NULL, *other = NULL;
    tend_olm_inbound_group *ana = NULL, *late = NULL, *fwd = NULL;
    OK(tend_olm_outbound_group_new(&room));
    assert_int_equal(tend_olm_outbound_group_message_index(room), 0);
    char *key = NULL, *id_out = NULL, *id_in = NULL;
    OK(tend_olm_outbound_group_session_key(room, &key));
    OK(tend_olm_inbound_group_new(key, &ana));
    OK(tend_olm_outbound_group_session_id(room, &id_out));
    OK(tend_olm_inbound_group_session_id(ana, &id_in));
    assert_string_equal(id_out, id_in);
    assert_int_equal(tend_olm_inbound_group_first_known_index(ana), 0);

    const char *texts[] = {"task 12: pick up groceries", "claimed by ana", "done, thank you", "check-in time"};
    char *ct[4];
    for (uint32_t i = 0; i < 4; i++) {
        OK(tend_olm_outbound_group_encrypt(room, (const uint8_t *)texts[i], strlen(texts[i]), &ct[i]));
        assert_int_equal(tend_olm_outbound_group_message_index(room), i + 1);
    }
    /* out of order, as a sync can deliver them */
    megolm_expect(ana, ct[2], texts[2], 2);
    megolm_expect(ana, ct[0], texts[0], 0);
    megolm_expect(ana, ct[1], texts[1], 1);
    /* the same message again decrypts to the same index: what the Matrix layer's replay check keys on */
    megolm_expect(ana, ct[1], texts[1], 1);

    /* changed anywhere, a message is refused: the sender's signature covers it all */
    char *pt = NULL;
    size_t len = 0;
    uint32_t index = 0;
    char *bad = changed(ct[3], 30);
    assert_int_equal(tend_olm_inbound_group_decrypt(ana, bad, &pt, &len, &index), TEND_OLM_ERR_BAD_SIGNATURE);
    assert_null(pt);
    free(bad);
    bad = changed(ct[3], strlen(ct[3]) - 4);
    assert_int_equal(tend_olm_inbound_group_decrypt(ana, bad, &pt, &len, &index), TEND_OLM_ERR_BAD_SIGNATURE);
    free(bad);
    assert_int_equal(tend_olm_inbound_group_decrypt(ana, "!!", &pt, &len, &index), TEND_OLM_ERR_BAD_MESSAGE);
    /* another session's message is not this one's */
    OK(tend_olm_outbound_group_new(&other));
    char *foreign = NULL;
    OK(tend_olm_outbound_group_encrypt(other, (const uint8_t *)"x", 1, &foreign));
    assert_int_equal(tend_olm_inbound_group_decrypt(ana, foreign, &pt, &len, &index), TEND_OLM_ERR_BAD_SIGNATURE);
    megolm_expect(ana, ct[3], texts[3], 3);

    /* a member given the key now reads from here on, not before */
    char *key_now = NULL;
    OK(tend_olm_outbound_group_session_key(room, &key_now));
    OK(tend_olm_inbound_group_new(key_now, &late));
    assert_int_equal(tend_olm_inbound_group_first_known_index(late), 4);
    assert_int_equal(tend_olm_inbound_group_decrypt(late, ct[3], &pt, &len, &index), TEND_OLM_ERR_UNKNOWN_INDEX);
    char *ct4 = NULL;
    OK(tend_olm_outbound_group_encrypt(room, (const uint8_t *)"welcome", 7, &ct4));
    megolm_expect(late, ct4, "welcome", 4);
    megolm_expect(ana, ct4, "welcome", 4);

    /* a key forwarded from index 2 (export and import) reads 2 on, not 1 */
    char *exported = NULL;
    OK(tend_olm_inbound_group_export(ana, 2, &exported));
    OK(tend_olm_inbound_group_import(exported, &fwd));
    assert_int_equal(tend_olm_inbound_group_first_known_index(fwd), 2);
    megolm_expect(fwd, ct[2], texts[2], 2);
    assert_int_equal(tend_olm_inbound_group_decrypt(fwd, ct[1], &pt, &len, &index), TEND_OLM_ERR_UNKNOWN_INDEX);
    char *none = NULL;
    assert_int_equal(tend_olm_inbound_group_export(fwd, 1, &none), TEND_OLM_ERR_UNKNOWN_INDEX);
    assert_null(none);

    /* any bytes: a plaintext with a NUL inside comes back whole, with its length */
    const uint8_t binary[] = {'a', 0, 'b', 0xff};
    char *ctb = NULL;
    OK(tend_olm_outbound_group_encrypt(room, binary, sizeof binary, &ctb));
    OK(tend_olm_inbound_group_decrypt(ana, ctb, &pt, &len, &index));
    assert_int_equal(len, sizeof binary);
    assert_memory_equal(pt, binary, sizeof binary);
    assert_int_equal(pt[len], '\0');
    tend_olm_free_string(pt);

    tend_olm_inbound_group *garbage = NULL;
    assert_int_equal(tend_olm_inbound_group_new("bm90IGEgc2Vzc2lvbiBrZXk", &garbage), TEND_OLM_ERR_BAD_KEY);
    assert_int_equal(tend_olm_inbound_group_import(key, &garbage), TEND_OLM_ERR_BAD_KEY); /* signed form */
    assert_null(garbage);

    char *strs[] = {key, key_now, id_out, id_in, ct[0], ct[1], ct[2], ct[3], ct4, ctb, foreign, exported};
    for (size_t i = 0; i < sizeof strs / sizeof *strs; i++)
        tend_olm_free_string(strs[i]);
    tend_olm_outbound_group_free(room);
    tend_olm_outbound_group_free(other);
    tend_olm_inbound_group_free(ana);
    tend_olm_inbound_group_free(late);
    tend_olm_inbound_group_free(fwd);
}

static void test_pickles_round_trip_only_with_their_key(void **state)
{
    (void)state;
    tend_olm_account *tend = NULL, *ana = NULL, *restored = NULL;
    OK(tend_olm_account_new(&tend));
    OK(tend_olm_account_new(&ana));
    OK(tend_olm_account_generate_one_time_keys(tend, 3));
    char *pickle = NULL, *before = NULL, *after = NULL, *otk_before = NULL, *otk_after = NULL;
    OK(tend_olm_account_identity_keys(tend, &before));
    OK(tend_olm_account_one_time_keys(tend, &otk_before));
    OK(tend_olm_account_pickle(tend, pickle_key, &pickle));
    assert_null(strstr(pickle, "curve25519")); /* encrypted, not JSON */
    assert_int_equal(tend_olm_account_unpickle(pickle, wrong_key, &restored), TEND_OLM_ERR_PICKLE_KEY);
    assert_null(restored);
    assert_int_equal(tend_olm_account_unpickle("not a pickle!", pickle_key, &restored), TEND_OLM_ERR_PICKLE_CORRUPT);
    char *bad = changed(pickle, 40);
    assert_int_equal(tend_olm_account_unpickle(bad, pickle_key, &restored), TEND_OLM_ERR_PICKLE_KEY);
    free(bad);
    OK(tend_olm_account_unpickle(pickle, pickle_key, &restored));
    OK(tend_olm_account_identity_keys(restored, &after));
    OK(tend_olm_account_one_time_keys(restored, &otk_after));
    assert_string_equal(before, after);
    assert_string_equal(otk_before, otk_after);

    /* an Olm session pickled mid-conversation carries on after a restart */
    char *ana_key = curve_key(ana), *tend_key = curve_key(restored);
    char *otk = claim_one_time_key(ana);
    tend_olm_session *out = NULL, *in = NULL, *out2 = NULL;
    char *m1 = NULL, *m2 = NULL, *pt = NULL, *spickle = NULL;
    size_t len = 0;
    OK(tend_olm_session_new_outbound(restored, ana_key, otk, &out));
    olm_encrypt(out, "one", TEND_OLM_MESSAGE_PRE_KEY, &m1);
    OK(tend_olm_session_new_inbound(ana, tend_key, m1, &in, &pt, &len));
    tend_olm_free_string(pt);
    OK(tend_olm_session_pickle(out, pickle_key, &spickle));
    tend_olm_session_free(out);
    assert_int_equal(tend_olm_session_unpickle(spickle, wrong_key, &out2), TEND_OLM_ERR_PICKLE_KEY);
    /* a pickle of one kind of object is not another kind */
    assert_int_equal(tend_olm_session_unpickle(pickle, pickle_key, &out2), TEND_OLM_ERR_PICKLE_CORRUPT);
    OK(tend_olm_session_unpickle(spickle, pickle_key, &out2));
    olm_encrypt(out2, "two", TEND_OLM_MESSAGE_PRE_KEY, &m2);
    olm_expect(in, TEND_OLM_MESSAGE_PRE_KEY, m2, "two");

    /* Megolm both ways: the outbound session keeps its index, the inbound one its keys */
    tend_olm_outbound_group *room = NULL, *room2 = NULL;
    tend_olm_inbound_group *member = NULL, *member2 = NULL;
    char *key = NULL, *c0 = NULL, *c1 = NULL, *gp = NULL, *ip = NULL, *id1 = NULL, *id2 = NULL;
    OK(tend_olm_outbound_group_new(&room));
    OK(tend_olm_outbound_group_session_key(room, &key));
    OK(tend_olm_inbound_group_new(key, &member));
    OK(tend_olm_outbound_group_encrypt(room, (const uint8_t *)"zero", 4, &c0));
    OK(tend_olm_outbound_group_pickle(room, pickle_key, &gp));
    assert_int_equal(tend_olm_outbound_group_unpickle(gp, wrong_key, &room2), TEND_OLM_ERR_PICKLE_KEY);
    OK(tend_olm_outbound_group_unpickle(gp, pickle_key, &room2));
    assert_int_equal(tend_olm_outbound_group_message_index(room2), 1);
    OK(tend_olm_outbound_group_session_id(room, &id1));
    OK(tend_olm_outbound_group_session_id(room2, &id2));
    assert_string_equal(id1, id2);
    OK(tend_olm_outbound_group_encrypt(room2, (const uint8_t *)"one", 3, &c1));
    OK(tend_olm_inbound_group_pickle(member, pickle_key, &ip));
    assert_int_equal(tend_olm_inbound_group_unpickle(ip, wrong_key, &member2), TEND_OLM_ERR_PICKLE_KEY);
    assert_int_equal(tend_olm_inbound_group_unpickle(gp, pickle_key, &member2), TEND_OLM_ERR_PICKLE_CORRUPT);
    OK(tend_olm_inbound_group_unpickle(ip, pickle_key, &member2));
    megolm_expect(member2, c0, "zero", 0);
    megolm_expect(member2, c1, "one", 1);

    char *strs[] = {pickle, before, after, otk_before, otk_after, m1, m2, spickle, key, c0, c1, gp, ip, id1, id2};
    for (size_t i = 0; i < sizeof strs / sizeof *strs; i++)
        tend_olm_free_string(strs[i]);
    free(ana_key);
    free(tend_key);
    free(otk);
    tend_olm_session_free(in);
    tend_olm_session_free(out2);
    tend_olm_outbound_group_free(room);
    tend_olm_outbound_group_free(room2);
    tend_olm_inbound_group_free(member);
    tend_olm_inbound_group_free(member2);
    tend_olm_account_free(tend);
    tend_olm_account_free(ana);
    tend_olm_account_free(restored);
}

static void test_bad_arguments_are_errors_not_crashes(void **state)
{
    (void)state;
    tend_olm_account *a = NULL;
    OK(tend_olm_account_new(&a));
    char *s = (char *)"untouched";
    assert_int_equal(tend_olm_account_new(NULL), TEND_OLM_ERR_INVALID_ARGUMENT);
    assert_int_equal(tend_olm_account_identity_keys(NULL, &s), TEND_OLM_ERR_INVALID_ARGUMENT);
    assert_null(s); /* outputs are cleared on every error */
    assert_int_equal(tend_olm_account_identity_keys(a, NULL), TEND_OLM_ERR_INVALID_ARGUMENT);
    assert_int_equal(tend_olm_account_sign(a, NULL, 3, &s), TEND_OLM_ERR_INVALID_ARGUMENT);
    assert_int_equal(tend_olm_account_pickle(a, NULL, &s), TEND_OLM_ERR_INVALID_ARGUMENT);
    assert_null(s);
    tend_olm_session *sess = NULL;
    const char not_utf8[] = {(char)0xff, (char)0xfe, 0};
    assert_int_equal(tend_olm_session_new_outbound(a, not_utf8, not_utf8, &sess), TEND_OLM_ERR_INVALID_ARGUMENT);
    assert_int_equal(tend_olm_session_new_outbound(a, NULL, NULL, &sess), TEND_OLM_ERR_INVALID_ARGUMENT);
    assert_int_equal(tend_olm_session_decrypt(NULL, 0, "x", &s, &(size_t){0}), TEND_OLM_ERR_INVALID_ARGUMENT);
    assert_int_equal(tend_olm_inbound_group_decrypt(NULL, "x", &s, &(size_t){0}, NULL), TEND_OLM_ERR_INVALID_ARGUMENT);
    assert_int_equal(tend_olm_ed25519_verify(NULL, NULL, 0, NULL), TEND_OLM_ERR_INVALID_ARGUMENT);
    assert_int_equal(tend_olm_account_max_one_time_keys(NULL), 0);
    assert_int_equal(tend_olm_outbound_group_message_index(NULL), 0);
    assert_int_equal(tend_olm_inbound_group_first_known_index(NULL), 0);
    /* signing nothing is allowed (NULL with length 0) */
    OK(tend_olm_account_sign(a, NULL, 0, &s));
    tend_olm_free_string(s);
    tend_olm_free_string(NULL);
    tend_olm_account_free(NULL);
    tend_olm_session_free(NULL);
    tend_olm_outbound_group_free(NULL);
    tend_olm_inbound_group_free(NULL);
    tend_olm_account_free(a);

    /* every error has its own fixed sentence, and an unknown value is still a sentence */
    for (int e = TEND_OLM_OK; e <= TEND_OLM_ERR_INTERNAL; e++) {
        const char *text = tend_olm_strerror((tend_olm_error)e);
        assert_true(strlen(text) > 5);
        for (int f = TEND_OLM_OK; f < e; f++)
            assert_string_not_equal(text, tend_olm_strerror((tend_olm_error)f));
    }
    assert_string_equal(tend_olm_strerror((tend_olm_error)999), "unknown error value");
    const char *v = tend_olm_vodozemac_version();
    unsigned major, minor, patch;
    assert_int_equal(sscanf(v, "%u.%u.%u", &major, &minor, &patch), 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_identity_and_one_time_keys),
        cmocka_unit_test(test_signatures_verify_only_what_was_signed),
        cmocka_unit_test(test_olm_pre_key_message_and_answers_both_ways),
        cmocka_unit_test(test_megolm_room_session_shared_to_a_member),
        cmocka_unit_test(test_pickles_round_trip_only_with_their_key),
        cmocka_unit_test(test_bad_arguments_are_errors_not_crashes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
