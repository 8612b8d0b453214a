/*
 * document.c — a file that goes with a message (an export, a calendar), as Telegram's sendDocument.
 *
 * The file goes to the member's private chat only, after the message's text, as one more job in
 * that chat's queue. Its job body is JSON like every other ({"chat_id":..., "document":{...}}), so
 * a move to a supergroup and a hold until the member opens the chat treat it like a text; it turns
 * into multipart/form-data (chat_id, and the file part `document` with its name and type) only
 * when it leaves. Telegram takes uploads of up to 50 MB from a bot.
 *
 * Telegram has no idempotency key, for texts or files. A row with a file is several sends (its
 * text, then the file), so such a row keeps a mark in the host's state, "<idem key>\t<jobs done>",
 * under "sent:<chat>": a resend of the row after a crash or a failed upload skips what Telegram
 * already took. Only the job in flight when tend died can show twice. The host hands us one row
 * per destination at a time, so one mark per chat is enough.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adapters/telegram/internal.h"
#include "lib/log.h"

#define UPLOAD_TIMEOUT_MS 120000 /* a few MB over a slow link */

char *tend_telegram_document_body(const char *chat, const tend_attachment *file)
{
    cJSON *body = cJSON_CreateObject();
    cJSON *doc = cJSON_AddObjectToObject(body, "document");
    char *json = NULL;
    if (doc && cJSON_AddStringToObject(body, "chat_id", chat) && cJSON_AddStringToObject(doc, "filename", file->name) &&
        cJSON_AddStringToObject(doc, "content_type", file->content_type ? file->content_type : "text/plain") &&
        cJSON_AddStringToObject(doc, "data", file->data))
        json = cJSON_PrintUnformatted(body);
    cJSON_Delete(body);
    return json;
}

bool tend_telegram_body_is_document(const char *body)
{
    /* cheap: only document bodies start this way (cJSON keeps the order they were written in) */
    cJSON *parsed = strstr(body, "\"document\":{") ? cJSON_Parse(body) : NULL;
    bool yes = cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(parsed, "document"));
    cJSON_Delete(parsed);
    return yes;
}

int tend_telegram_document_name(const char *body, char *out, size_t outlen)
{
    cJSON *parsed = cJSON_Parse(body);
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(parsed, "document"),
                                                         "filename");
    int rc = cJSON_IsString(name) ? 0 : -1;
    snprintf(out, outlen, "%s", rc == 0 ? name->valuestring : "");
    cJSON_Delete(parsed);
    return rc;
}

int tend_telegram_send_document(tend_telegram *tg, const char *body, tend_http_done cb, void *ud)
{
    cJSON *parsed = cJSON_Parse(body);
    const cJSON *chat = cJSON_GetObjectItemCaseSensitive(parsed, "chat_id");
    const cJSON *doc = cJSON_GetObjectItemCaseSensitive(parsed, "document");
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(doc, "filename");
    const cJSON *type = cJSON_GetObjectItemCaseSensitive(doc, "content_type");
    const cJSON *data = cJSON_GetObjectItemCaseSensitive(doc, "data");
    int rc = -1;
    if (cJSON_IsString(chat) && cJSON_IsString(name) && cJSON_IsString(type) && cJSON_IsString(data)) {
        tend_http_part parts[2] = {
            {.name = "chat_id", .data = chat->valuestring, .len = strlen(chat->valuestring)},
            {.name = "document", .filename = name->valuestring, .content_type = type->valuestring,
             .data = data->valuestring, .len = strlen(data->valuestring)},
        };
        rc = tend_telegram_upload(tg, "sendDocument", parts, 2, UPLOAD_TIMEOUT_MS, cb, ud);
    }
    cJSON_Delete(parsed);
    return rc;
}

/* ---------------------------------------------------------------- how far a row got */

static void mark_key(const char *chat, char *key, size_t keylen)
{
    snprintf(key, keylen, "sent:%s", chat);
}

size_t tend_telegram_row_done(tend_telegram *tg, const char *chat, const char *idem)
{
    char key[64], mark[128];
    mark_key(chat, key, sizeof key);
    if (!idem || !idem[0] || tend_host_state_get(tg->base.host, key, mark, sizeof mark) != 0)
        return 0;
    size_t n = strlen(idem);
    if (strncmp(mark, idem, n) != 0 || mark[n] != '\t')
        return 0;
    long long done = strtoll(mark + n + 1, NULL, 10);
    if (done > 0)
        tend_log(TEND_LOG_INFO, "telegram", "a message with a file was cut off before; %lld part%s of it "
                 "already arrived and are not sent again", done, done == 1 ? "" : "s");
    return done > 0 && done < 1000 ? (size_t)done : 0;
}

void tend_telegram_row_progress(tend_telegram *tg, const char *chat, const char *idem, size_t done)
{
    char key[64], mark[128];
    mark_key(chat, key, sizeof key);
    snprintf(mark, sizeof mark, "%s\t%zu", idem, done);
    if (tend_host_state_set(tg->base.host, key, mark) != 0)
        tend_log(TEND_LOG_WARN, "telegram", "could not note how far a message got; a resend may repeat part of it");
}

void tend_telegram_row_finished(tend_telegram *tg, const char *chat)
{
    char key[64];
    mark_key(chat, key, sizeof key);
    tend_host_state_delete(tg->base.host, key);
}
