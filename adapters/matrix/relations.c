/*
 * relations.c — events that point at other events, and what a member means by them:
 *
 *   - a command typed in a thread (rel_type m.thread) is answered in that thread: the answer
 *     carries the thread relation with the reply inside it, so it never lands in the timeline;
 *   - a ✅ reaction taken back (the reaction redacted by the member who made it) unclaims the task
 *     that reaction claimed, for that member only;
 *   - an edited command (rel_type m.replace) is not run again: the original already ran, and a
 *     second run of a changed command would act twice. tend says so once per edited command.
 *
 * What a reaction claimed is kept in the adapter's state ("reacted:<reaction event>"), because a
 * redaction only names the event it takes back; the row goes once it was used.
 */
#include "adapters/matrix/internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/log.h"
#include "bot/messages.h"

#define REACTED_PREFIX "reacted:"
#define EDITED_PREFIX "edited:"

static const char *str(const cJSON *obj, const char *name)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, name);
    return cJSON_IsString(it) ? it->valuestring : NULL;
}

static const cJSON *relation(const cJSON *content, const char *rel_type)
{
    const cJSON *rel = cJSON_GetObjectItemCaseSensitive(content, "m.relates_to");
    const char *type = str(rel, "rel_type");
    return type && strcmp(type, rel_type) == 0 && str(rel, "event_id") ? rel : NULL;
}

/* ---------------------------------------------------------------- threads */

const char *tend_matrix_thread_of(const cJSON *content)
{
    return str(relation(content, "m.thread"), "event_id");
}

char *tend_matrix_in_thread(const char *content, const char *thread_root, const char *reply_to)
{
    cJSON *c = cJSON_Parse(content);
    if (!c)
        return NULL;
    cJSON_DeleteItemFromObjectCaseSensitive(c, "m.relates_to");
    cJSON *rel = cJSON_AddObjectToObject(c, "m.relates_to");
    cJSON_AddStringToObject(rel, "rel_type", "m.thread");
    cJSON_AddStringToObject(rel, "event_id", thread_root);
    /* a true reply to the command inside the thread, not a fallback for thread-less clients */
    cJSON_AddBoolToObject(rel, "is_falling_back", reply_to == NULL);
    cJSON *irt = cJSON_AddObjectToObject(rel, "m.in_reply_to");
    cJSON_AddStringToObject(irt, "event_id", reply_to ? reply_to : thread_root);
    char *json = cJSON_PrintUnformatted(c);
    cJSON_Delete(c);
    return json;
}

int tend_matrix_send_in_thread(tend_matrix *mx, const char *room_id, const tend_message *msg,
                               const char *reply_to, const char *thread_root, const tend_matrix_ticket *ticket)
{
    char *plain = tend_matrix_render_content(msg, reply_to);
    char *content = plain ? tend_matrix_in_thread(plain, thread_root, reply_to) : NULL;
    free(plain);
    if (!content)
        return -1;
    int rc = tend_matrix_send_event(mx, room_id, "m.room.message", content, msg, ticket);
    free(content);
    return rc;
}

/* ---------------------------------------------------------------- a ✅ taken back */

/* "claim 12" or "claim 12 anyway" -> "12": what a claim by reaction took. */
static bool claimed_task(const char *command, char *task, size_t len)
{
    if (strncmp(command, "claim ", 6) != 0)
        return false;
    const char *p = command + 6;
    size_t n = strcspn(p, " ");
    if (n == 0 || n >= len)
        return false;
    memcpy(task, p, n);
    task[n] = '\0';
    return true;
}

void tend_matrix_reaction_ran(tend_matrix *mx, const char *reaction_id, const char *sender,
                              const char *group_room, const char *target, const char *command)
{
    char task[32];
    if (!claimed_task(command, task, sizeof task))
        return;
    char key[MX_KEY_MAX + 16], value[4 * MX_KEY_MAX];
    snprintf(key, sizeof key, REACTED_PREFIX "%s", reaction_id);
    int n = snprintf(value, sizeof value, "%s\t%s\t%s\t%s", group_room, sender, target, task);
    if (n < 0 || (size_t)n >= sizeof value || tend_host_state_set(mx->base.host, key, value) != 0)
        tend_log(TEND_LOG_WARN, "matrix", "could not remember a claim by reaction; taking it back will not unclaim");
}

void tend_matrix_handle_redaction(tend_matrix *mx, const char *room_id, const cJSON *ev, const char *event_id,
                                  const char *sender)
{
    const char *redacts = str(ev, "redacts"); /* room versions before 11 */
    if (!redacts)
        redacts = str(cJSON_GetObjectItemCaseSensitive(ev, "content"), "redacts");
    if (!redacts)
        return;
    char key[MX_KEY_MAX + 16], value[4 * MX_KEY_MAX];
    snprintf(key, sizeof key, REACTED_PREFIX "%s", redacts);
    if (tend_host_state_get(mx->base.host, key, value, sizeof value) != 0)
        return; /* not a reaction that claimed anything */
    char *fields[4] = {value, NULL, NULL, NULL};
    for (int i = 1; i < 4; i++) {
        char *tab = strchr(fields[i - 1], '\t');
        if (!tab)
            return;
        *tab = '\0';
        fields[i] = tab + 1;
    }
    /* a moderator tidying up reactions takes back nobody's claim: only the member's own "undo" does */
    if (strcmp(fields[1], sender) != 0)
        return;
    char text[64];
    snprintf(text, sizeof text, "unclaim %s", fields[3]);
    tend_matrix_run_as(mx, room_id, fields[0], sender, event_id, fields[2], text, NULL);
    tend_host_state_delete(mx->base.host, key);
}

/* ---------------------------------------------------------------- edits */

bool tend_matrix_handle_edit(tend_matrix *mx, const char *room_id, const cJSON *content)
{
    const cJSON *rel = relation(content, "m.replace");
    if (!rel)
        return false;
    const char *original = str(rel, "event_id");
    const cJSON *fresh = cJSON_GetObjectItemCaseSensitive(content, "m.new_content");
    const char *body = str(fresh, "body");
    const char *format = str(fresh, "format");
    const char *html = format && strcmp(format, "org.matrix.custom.html") == 0 ? str(fresh, "formatted_body") : NULL;
    tend_matrix_command cmd;
    if (!body || tend_matrix_parse_command(body, html, &cmd) != 1)
        return true; /* an edit of chat, or into chat: nothing to say */
    tend_matrix_command_free(&cmd);
    /* once per edited command: a member fixing a typo three times hears it once */
    char key[MX_KEY_MAX + 16], seen[8];
    snprintf(key, sizeof key, EDITED_PREFIX "%s", original);
    if (tend_host_state_get(mx->base.host, key, seen, sizeof seen) == 0 ||
        tend_host_state_set(mx->base.host, key, "1") != 0)
        return true;
    tend_message msg = {0};
    msg.text = (char *)tend_matrix_words(mx, room_id, NULL, MSG_MATRIX_EDIT_NOT_RUN); /* the room reads it */
    char *json = tend_matrix_render_content(&msg, original); /* a reply to the command they edited */
    if (json)
        tend_matrix_send_event(mx, room_id, "m.room.message", json, NULL, NULL);
    free(json);
    return true;
}
