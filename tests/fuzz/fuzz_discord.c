/*
 * fuzz_discord.c — what the Discord gateway hands tend: INTERACTION_CREATE and MESSAGE_CREATE
 * payloads decoded into requests, and a button's custom_id split into guild and command. Beyond
 * "no crash": a decoded request never carries a raw marker byte that its refs do not back.
 */
#include <cjson/cJSON.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "adapters/discord/internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_request(const dc_event *ev)
{
    const char *t = ev->req.text ? ev->req.text : "";
    for (const char *p = t; *p; p++) {
        if (*p == '\x1D')
            abort(); /* the command-prefix marker can never come from outside */
        if (*p == '\x1E') {
            char *end = NULL;
            unsigned long i = strtoul(p + 1, &end, 10);
            if (end == p + 1 || *end != '\x1F' || i >= ev->req.n_refs)
                abort(); /* a mention marker must point at a real ref */
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    char guild[32];
    (void)dc_custom_id_command(text, guild, sizeof guild);
    cJSON *json = cJSON_ParseWithLength(text, size);
    free(text);
    if (!json)
        return 0;
    const cJSON *d = cJSON_GetObjectItemCaseSensitive(json, "d");
    if (!cJSON_IsObject(d))
        d = json;
    dc_event ev;
    char err[128];
    if (dc_event_from_interaction(d, &ev, err, sizeof err) == 0) {
        check_request(&ev);
        dc_event_free(&ev);
    }
    if (dc_event_from_message(d, "900000000000000004", &ev, err, sizeof err) > 0) {
        check_request(&ev);
        dc_event_free(&ev);
    }
    cJSON_Delete(json);
    return 0;
}
