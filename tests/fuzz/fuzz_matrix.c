/*
 * fuzz_matrix.c — what a homeserver's /sync hands tend, message by message: the command in a body
 * (and its HTML formatted_body with pills), the reply rendered back as HTML, and the invite check.
 * Beyond "no crash": escaped HTML carries no markup from member text (only its own <br>). The
 * bytes are also a /messages page read back through a gap: never more kept than the bound, and
 * everything kept ends up in the timeline.
 */
#include <cjson/cJSON.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "adapters/matrix/internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *str(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* A /messages page, twice (a second page after the first), into a bound of 3 events. */
static void backfill_page(const char *text, size_t size)
{
    tend_matrix_backfill *bf = tend_matrix_backfill_create("t0", "@tend:example.org", 0, 3);
    if (!bf)
        return;
    for (int i = 0; i < 2; i++) {
        tend_matrix_gap_step step = tend_matrix_backfill_take(bf, text, size);
        if (tend_matrix_backfill_count(bf) > 3 || !tend_matrix_backfill_from(bf) ||
            tend_matrix_backfill_limit(bf) < 1)
            abort();
        if (step != TEND_MATRIX_GAP_MORE)
            break;
    }
    size_t kept = tend_matrix_backfill_count(bf);
    cJSON *timeline = cJSON_CreateArray();
    tend_matrix_backfill_splice(bf, timeline);
    if (timeline && (size_t)cJSON_GetArraySize(timeline) != kept)
        abort();
    cJSON_Delete(timeline);
    tend_matrix_backfill_destroy(bf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    /* the raw bytes as a plain body, then as an event's content when they parse as JSON */
    tend_matrix_command cmd;
    if (tend_matrix_parse_command(text, NULL, &cmd) == 1)
        tend_matrix_command_free(&cmd);
    char *escaped = tend_matrix_html_escape(text, size);
    /* the only markup escaping adds is the line break it turns newlines into */
    for (const char *p = escaped; p && (p = strchr(p, '<')) != NULL; p++)
        if (strncmp(p, "<br>", 4) != 0)
            abort();
    free(escaped);
    (void)tend_matrix_inviter_allowed(text, "example.org", "@ana:example.org");
    (void)tend_matrix_inviter_allowed("@ana:example.org, :example.org", "example.org", text);
    cJSON *ev = cJSON_ParseWithLength(text, size);
    const cJSON *content = cJSON_GetObjectItemCaseSensitive(ev, "content");
    if (cJSON_IsObject(content)) {
        const char *body = str(content, "body");
        const char *html = str(content, "formatted_body");
        if (body && tend_matrix_parse_command(body, html, &cmd) == 1) {
            if (cmd.text && (strchr(cmd.text, '\x1D')))
                abort();
            tend_matrix_command_free(&cmd);
        }
    }
    cJSON_Delete(ev);
    backfill_page(text, size);
    free(text);
    return 0;
}
