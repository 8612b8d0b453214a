/* crosscheck.c — tend's side of the cross-check against libolm (crosscheck.py, through Debian's
 * python3-olm): a JSON request on stdin, a JSON answer on stdout, using only lib/olm/olm.h.
 *
 * First run, {"identity_key","one_time_key","megolm_key","megolm_messages":[...]} from libolm:
 * answers our identity keys, a signature, an Olm pre-key message to that one-time key, a Megolm
 * session key with three messages, what libolm's Megolm messages decrypt to, and the account and
 * session as pickles. Second run, {"account","session","reply":{"type","body"}}: unpickles them
 * (a restart) and answers what libolm's Olm reply decrypts to.
 *
 * SAS run, a dialogue of two lines: {"sas":{"their_key","infos":[...],"macs":[{"input","info"}],
 * "signed"}} answers our SAS public key, the emoji and decimals for each info, our MACs of each
 * input in both encodings, and a new signing key's public key and signature of "signed"; then
 * {"verify":[{"input","info","mac","legacy"}]} answers, for each, whether our side accepts it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "lib/olm/olm.h"

static const uint8_t key[TEND_OLM_PICKLE_KEY_BYTES] = "crosscheck pickle key, 32 bytes";

static void check(tend_olm_error e, const char *what)
{
    if (e != TEND_OLM_OK) {
        fprintf(stderr, "crosscheck: %s: %s\n", what, tend_olm_strerror(e));
        exit(1);
    }
}

static const char *field(const cJSON *o, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    if (!cJSON_IsString(v)) {
        fprintf(stderr, "crosscheck: the request has no string \"%s\"\n", name);
        exit(1);
    }
    return v->valuestring;
}

/* Adds a library string to o and frees it. */
static void add(cJSON *o, const char *name, char *s)
{
    cJSON_AddStringToObject(o, name, s);
    tend_olm_free_string(s);
}

static void first_run(const cJSON *req, cJSON *ans)
{
    tend_olm_account *account = NULL;
    tend_olm_session *session = NULL;
    tend_olm_outbound_group *room = NULL;
    tend_olm_inbound_group *theirs = NULL;
    char *s = NULL;
    int type = 0;

    check(tend_olm_account_new(&account), "account");
    check(tend_olm_account_identity_keys(account, &s), "identity keys");
    cJSON_AddItemToObject(ans, "identity_keys", cJSON_Parse(s));
    tend_olm_free_string(s);
    const char *signed_text = "{\"device_id\":\"TEND\",\"user_id\":\"@tend:localhost\"}";
    check(tend_olm_account_sign(account, (const uint8_t *)signed_text, strlen(signed_text), &s), "sign");
    cJSON_AddStringToObject(ans, "signed", signed_text);
    add(ans, "signature", s);

    check(tend_olm_session_new_outbound(account, field(req, "identity_key"), field(req, "one_time_key"), &session),
          "outbound Olm session");
    const char *olm_text = "{\"type\":\"m.room_key\",\"content\":{\"note\":\"from tend\"}}";
    check(tend_olm_session_encrypt(session, (const uint8_t *)olm_text, strlen(olm_text), &type, &s), "Olm encrypt");
    cJSON *olm = cJSON_AddObjectToObject(ans, "olm");
    cJSON_AddNumberToObject(olm, "type", type);
    add(olm, "body", s);
    cJSON_AddStringToObject(olm, "plaintext", olm_text);

    check(tend_olm_outbound_group_new(&room), "outbound group session");
    check(tend_olm_outbound_group_session_key(room, &s), "session key");
    add(ans, "megolm_key", s);
    check(tend_olm_outbound_group_session_id(room, &s), "session id");
    add(ans, "megolm_id", s);
    cJSON *plain = cJSON_AddArrayToObject(ans, "megolm_plaintexts");
    cJSON *ct = cJSON_AddArrayToObject(ans, "megolm_messages");
    for (int i = 0; i < 3; i++) {
        char text[64];
        snprintf(text, sizeof text, "{\"body\":\"room message %d, caf\\u00e9\"}", i);
        check(tend_olm_outbound_group_encrypt(room, (const uint8_t *)text, strlen(text), &s), "Megolm encrypt");
        cJSON_AddItemToArray(plain, cJSON_CreateString(text));
        cJSON_AddItemToArray(ct, cJSON_CreateString(s));
        tend_olm_free_string(s);
    }

    check(tend_olm_inbound_group_new(field(req, "megolm_key"), &theirs), "inbound group session");
    cJSON *out = cJSON_AddArrayToObject(ans, "decrypted");
    const cJSON *m;
    cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(req, "megolm_messages"))
    {
        size_t len = 0;
        uint32_t index = 0;
        check(tend_olm_inbound_group_decrypt(theirs, m->valuestring, &s, &len, &index), "Megolm decrypt");
        cJSON *d = cJSON_CreateObject();
        cJSON_AddStringToObject(d, "plaintext", s);
        cJSON_AddNumberToObject(d, "index", index);
        cJSON_AddItemToArray(out, d);
        tend_olm_free_string(s);
    }

    check(tend_olm_account_pickle(account, key, &s), "account pickle");
    add(ans, "account", s);
    check(tend_olm_session_pickle(session, key, &s), "session pickle");
    add(ans, "session", s);
    tend_olm_inbound_group_free(theirs);
    tend_olm_outbound_group_free(room);
    tend_olm_session_free(session);
    tend_olm_account_free(account);
}

static void second_run(const cJSON *req, cJSON *ans)
{
    tend_olm_account *account = NULL;
    tend_olm_session *session = NULL;
    char *s = NULL;
    size_t len = 0;
    check(tend_olm_account_unpickle(field(req, "account"), key, &account), "account unpickle");
    check(tend_olm_session_unpickle(field(req, "session"), key, &session), "session unpickle");
    const cJSON *reply = cJSON_GetObjectItemCaseSensitive(req, "reply");
    check(tend_olm_session_decrypt(session, cJSON_GetObjectItemCaseSensitive(reply, "type")->valueint,
                                   field(reply, "body"), &s, &len),
          "Olm decrypt of the reply");
    add(ans, "reply_plaintext", s);
    tend_olm_session_free(session);
    tend_olm_account_free(account);
}

/* The SAS answers (the handle stays open for the second line, which verifies libolm's MACs). */
static void sas_run(const cJSON *req, cJSON *ans, tend_olm_sas **sas)
{
    char *s = NULL;
    check(tend_olm_sas_new(sas), "SAS");
    check(tend_olm_sas_public_key(*sas, &s), "SAS public key");
    add(ans, "sas_key", s);
    check(tend_olm_sas_establish(*sas, field(req, "their_key")), "SAS establish");
    cJSON *strings = cJSON_AddArrayToObject(ans, "strings");
    const cJSON *info;
    cJSON_ArrayForEach(info, cJSON_GetObjectItemCaseSensitive(req, "infos"))
    {
        tend_olm_sas_string str;
        check(tend_olm_sas_string_for(*sas, info->valuestring, &str), "SAS string");
        cJSON *one = cJSON_CreateObject();
        cJSON *emoji = cJSON_AddArrayToObject(one, "emoji");
        for (int i = 0; i < TEND_OLM_SAS_EMOJI; i++)
            cJSON_AddItemToArray(emoji, cJSON_CreateNumber(str.emoji[i]));
        cJSON *decimals = cJSON_AddArrayToObject(one, "decimals");
        for (int i = 0; i < 3; i++)
            cJSON_AddItemToArray(decimals, cJSON_CreateNumber(str.decimals[i]));
        cJSON_AddItemToArray(strings, one);
    }
    cJSON *macs = cJSON_AddArrayToObject(ans, "macs");
    const cJSON *m;
    cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(req, "macs"))
    {
        cJSON *one = cJSON_CreateObject();
        check(tend_olm_sas_mac(*sas, field(m, "input"), field(m, "info"), 0, &s), "SAS MAC");
        add(one, "v2", s);
        check(tend_olm_sas_mac(*sas, field(m, "input"), field(m, "info"), 1, &s), "SAS legacy MAC");
        add(one, "legacy", s);
        cJSON_AddItemToArray(macs, one);
    }

    tend_olm_signing_key *master = NULL;
    const char *signed_text = field(req, "signed");
    check(tend_olm_signing_key_new(&master), "signing key");
    check(tend_olm_signing_key_public(master, &s), "signing key public");
    add(ans, "signing_key", s);
    check(tend_olm_signing_key_sign(master, (const uint8_t *)signed_text, strlen(signed_text), &s), "signing key sign");
    add(ans, "signature", s);
    tend_olm_signing_key_free(master);
}

static void sas_verify(const tend_olm_sas *sas, const cJSON *req, cJSON *ans)
{
    cJSON *results = cJSON_AddArrayToObject(ans, "accepted");
    const cJSON *v;
    cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(req, "verify"))
    {
        int legacy = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(v, "legacy"));
        tend_olm_error e = tend_olm_sas_verify_mac(sas, field(v, "input"), field(v, "info"), legacy, field(v, "mac"));
        if (e != TEND_OLM_OK && e != TEND_OLM_ERR_BAD_MAC)
            check(e, "SAS verify");
        cJSON_AddItemToArray(results, cJSON_CreateBool(e == TEND_OLM_OK));
    }
}

/* One request: a line, or everything up to the end of stdin. NULL at the end. */
static cJSON *read_request(void)
{
    static char buf[1 << 20];
    if (!fgets(buf, sizeof buf, stdin))
        return NULL;
    size_t n = strlen(buf);
    if (n > 0 && buf[n - 1] != '\n')
        n += fread(buf + n, 1, sizeof buf - 1 - n, stdin);
    buf[n] = '\0';
    cJSON *req = cJSON_Parse(buf);
    if (!req) {
        fputs("crosscheck: the request is not JSON\n", stderr);
        exit(1);
    }
    return req;
}

static void answer(cJSON *ans)
{
    char *text = cJSON_PrintUnformatted(ans);
    puts(text);
    fflush(stdout);
    free(text);
    cJSON_Delete(ans);
}

int main(void)
{
    cJSON *req = read_request();
    if (!req) {
        fputs("crosscheck: no request\n", stderr);
        return 1;
    }
    cJSON *ans = cJSON_CreateObject();
    const cJSON *sas_req = cJSON_GetObjectItemCaseSensitive(req, "sas");
    if (sas_req) {
        tend_olm_sas *sas = NULL;
        sas_run(sas_req, ans, &sas);
        answer(ans);
        cJSON_Delete(req);
        req = read_request();
        if (!req) {
            fputs("crosscheck: no verify request\n", stderr);
            return 1;
        }
        ans = cJSON_CreateObject();
        sas_verify(sas, req, ans);
        tend_olm_sas_free(sas);
    } else if (cJSON_GetObjectItemCaseSensitive(req, "reply")) {
        second_run(req, ans);
    } else {
        first_run(req, ans);
    }
    answer(ans);
    cJSON_Delete(req);
    return 0;
}
