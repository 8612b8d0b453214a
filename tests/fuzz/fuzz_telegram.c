/*
 * fuzz_telegram.c — what a Bot API update hands tend: a message's text with its entities (offsets in
 * UTF-16 units, from outside), and a button's callback_data. Beyond "no crash": a command's text
 * carries no control byte but the markers of its own references; a rendered message never passes
 * Telegram's 4,096 units a part, and every entity lies inside its part.
 */
#include <cjson/cJSON.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "adapters/telegram/internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool resolve(void *ud, const char *username, char *key, size_t keylen, char *name, size_t namelen)
{
    (void)ud;
    if (username[0] != 'a')
        return false;
    snprintf(key, keylen, "4242");
    snprintf(name, namelen, "%s", username);
    return true;
}

static void check_command(const tend_telegram_command *c)
{
    if (c->n_refs > TG_MAX_REFS)
        abort();
    for (const unsigned char *p = (const unsigned char *)c->text; *p; p++) {
        if (*p == 0x1E) {
            char *end = NULL;
            unsigned long i = strtoul((const char *)p + 1, &end, 10);
            if (!end || *end != 0x1F || i >= c->n_refs)
                abort();
            p = (const unsigned char *)end;
        } else if ((*p < 0x20 && *p != '\n' && *p != '\t') || *p == 0x7F) {
            abort();
        }
    }
}

static void check_render(const char *text)
{
    tend_messages list;
    tend_messages_init(&list);
    tend_message *m = tend_messages_add(&list, TEND_TO_PUBLIC, "telegram:-1", NULL, NULL, "fuzz", "%s", text);
    if (m && tend_message_add_mention(m, "4242", text[0] ? text : "x") == 0) {
        tend_telegram_part parts[TG_MAX_PARTS];
        size_t n = tend_telegram_render(m, parts, TG_MAX_PARTS);
        for (size_t i = 0; i < n; i++) {
            size_t units = tend_telegram_utf16_units(parts[i].text, strlen(parts[i].text));
            if (units > TG_TEXT_UNITS || units == 0)
                abort();
            const cJSON *e;
            cJSON_ArrayForEach(e, parts[i].entities) {
                int off = cJSON_GetObjectItem(e, "offset")->valueint;
                int len = cJSON_GetObjectItem(e, "length")->valueint;
                if (off < 0 || len < 1 || (size_t)(off + len) > units)
                    abort();
            }
        }
        tend_telegram_parts_free(parts, n);
        cJSON *kb = tend_telegram_keyboard(m, "-1");
        cJSON_Delete(kb);
    }
    tend_messages_clear(&list);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    /* JSON: {"text": ..., "entities": [...]} as a message carries them; else the bytes as text */
    cJSON *msg = cJSON_ParseWithLength(text, size);
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(msg, "text");
    const char *body = cJSON_IsString(t) ? t->valuestring : text;
    tend_telegram_command c;
    if (tend_telegram_parse_command(body, cJSON_GetObjectItemCaseSensitive(msg, "entities"), "tend_bot", resolve,
                                    NULL, &c) == 1) {
        check_command(&c);
        char value[64]; /* what is left may hold half a marker: the router drops it like any control byte */
        tend_telegram_take_group_option(c.text, value, sizeof value);
        tend_telegram_command_free(&c);
    }
    char chat[32], command[65];
    if (tend_telegram_button_parse(body, chat, sizeof chat, command, sizeof command) == 0 &&
        (strlen(command) > 64 || (chat[0] && !tend_telegram_id_ok(chat))))
        abort();
    check_render(body);
    cJSON_Delete(msg);
    free(text);
    return 0;
}
