/*
 * gap.c — filling a room's timeline when /sync cut it short.
 *
 * A /sync answer holds at most the filter's timeline limit of events per room. When more happened
 * since tend's last sync, the room's timeline is `limited` and what came in between is reachable
 * only by paging back from its `prev_batch` with /rooms/{roomId}/messages. This is the pure part:
 * which rooms need it, what each page means, and putting the events found in front of the
 * timeline, oldest first.
 */
#include "adapters/matrix/internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>


static const char *str(const cJSON *obj, const char *name)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, name);
    return cJSON_IsString(it) ? it->valuestring : NULL;
}

static const cJSON *path2(const cJSON *obj, const char *a, const char *b)
{
    return cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(obj, a), b);
}

/* ---------------------------------------------------------------- the pure part */

bool tend_matrix_is_own_join(const char *bot_user_id, const cJSON *ev)
{
    const char *type = str(ev, "type");
    const char *key = str(ev, "state_key");
    const char *membership = str(cJSON_GetObjectItemCaseSensitive(ev, "content"), "membership");
    const char *before = str(path2(ev, "unsigned", "prev_content"), "membership");
    return bot_user_id && type && key && membership && strcmp(type, "m.room.member") == 0 &&
           strcmp(key, bot_user_id) == 0 && strcmp(membership, "join") == 0 &&
           !(before && strcmp(before, "join") == 0);
}

bool tend_matrix_gap_needed(const char *bot_user_id, const cJSON *room)
{
    const cJSON *timeline = cJSON_GetObjectItemCaseSensitive(room, "timeline");
    if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(timeline, "limited")))
        return false;
    const cJSON *ev;
    cJSON_ArrayForEach(ev, cJSON_GetObjectItemCaseSensitive(timeline, "events")) {
        if (tend_matrix_is_own_join(bot_user_id, ev))
            return false;
    }
    return true;
}

struct tend_matrix_backfill {
    char *from;          /* the token to page back from next          */
    char *bot;           /* the bot's own user id: its join ends a gap */
    int64_t oldest_ms;
    size_t max_events;
    int pages;
    cJSON *events;       /* kept so far, newest first                  */
};

tend_matrix_backfill *tend_matrix_backfill_create(const char *prev_batch, const char *bot_user_id,
                                                  int64_t oldest_ms, size_t max_events)
{
    tend_matrix_backfill *bf = calloc(1, sizeof *bf);
    if (!bf)
        return NULL;
    bf->from = strdup(prev_batch);
    bf->bot = strdup(bot_user_id);
    bf->events = cJSON_CreateArray();
    bf->oldest_ms = oldest_ms;
    bf->max_events = max_events;
    if (!bf->from || !bf->bot || !bf->events) {
        tend_matrix_backfill_destroy(bf);
        return NULL;
    }
    return bf;
}

void tend_matrix_backfill_destroy(tend_matrix_backfill *bf)
{
    if (!bf)
        return;
    free(bf->from);
    free(bf->bot);
    cJSON_Delete(bf->events);
    free(bf);
}

const char *tend_matrix_backfill_from(const tend_matrix_backfill *bf)
{
    return bf->from;
}

size_t tend_matrix_backfill_count(const tend_matrix_backfill *bf)
{
    return (size_t)cJSON_GetArraySize(bf->events);
}

int tend_matrix_backfill_limit(const tend_matrix_backfill *bf)
{
    size_t room = bf->max_events + 1 - tend_matrix_backfill_count(bf);
    return room < TEND_MATRIX_GAP_PAGE ? (int)room : TEND_MATRIX_GAP_PAGE;
}

/* Keeps one event of a page. FILLED at the bot's own join, TOO_LONG when the event is beyond the
 * bound (not kept), MORE otherwise. */
static tend_matrix_gap_step keep(tend_matrix_backfill *bf, const cJSON *ev)
{
    const cJSON *ts = cJSON_GetObjectItemCaseSensitive(ev, "origin_server_ts");
    if (cJSON_IsNumber(ts) && ts->valuedouble < (double)bf->oldest_ms)
        return TEND_MATRIX_GAP_TOO_LONG;
    if (tend_matrix_backfill_count(bf) >= bf->max_events)
        return TEND_MATRIX_GAP_TOO_LONG;
    cJSON *copy = cJSON_Duplicate(ev, 1);
    if (!copy || !cJSON_AddItemToArray(bf->events, copy)) {
        cJSON_Delete(copy);
        return TEND_MATRIX_GAP_BAD;
    }
    return tend_matrix_is_own_join(bf->bot, ev) ? TEND_MATRIX_GAP_FILLED : TEND_MATRIX_GAP_MORE;
}

tend_matrix_gap_step tend_matrix_backfill_take(tend_matrix_backfill *bf, const char *body, size_t len)
{
    cJSON *json = body ? cJSON_ParseWithLength(body, len) : NULL;
    const cJSON *chunk = cJSON_GetObjectItemCaseSensitive(json, "chunk");
    if (!cJSON_IsArray(chunk)) {
        cJSON_Delete(json);
        return TEND_MATRIX_GAP_BAD;
    }
    bf->pages++;
    tend_matrix_gap_step step = TEND_MATRIX_GAP_MORE;
    const cJSON *ev;
    cJSON_ArrayForEach(ev, chunk) {
        if (!cJSON_IsObject(ev))
            continue;
        if ((step = keep(bf, ev)) != TEND_MATRIX_GAP_MORE)
            break;
    }
    if (step == TEND_MATRIX_GAP_MORE) {
        /* the spec: an empty chunk may still have more behind it; only a missing `end` says done */
        const char *end = str(json, "end");
        char *next = end ? strdup(end) : NULL;
        if (!end)
            step = TEND_MATRIX_GAP_FILLED;
        else if (!next || strcmp(end, bf->from) == 0)
            step = TEND_MATRIX_GAP_BAD; /* a token that does not move would page forever */
        else if (bf->pages >= TEND_MATRIX_GAP_MAX_PAGES)
            step = TEND_MATRIX_GAP_TOO_LONG;
        if (step == TEND_MATRIX_GAP_MORE) {
            free(bf->from);
            bf->from = next;
        } else {
            free(next);
        }
    }
    cJSON_Delete(json);
    return step;
}

void tend_matrix_backfill_splice(tend_matrix_backfill *bf, cJSON *timeline)
{
    /* kept newest first: each one in turn goes to the very front, which leaves them oldest first */
    cJSON *ev;
    while ((ev = cJSON_DetachItemFromArray(bf->events, 0)) != NULL) {
        if (!cJSON_InsertItemInArray(timeline, 0, ev))
            cJSON_Delete(ev);
    }
}
