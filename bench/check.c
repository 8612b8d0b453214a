/*
 * check.c — judges each interaction's first answer (see check.h). cJSON parses the callback; the
 * rules are what a member needs from each command, not tend's exact sentences, so any bot that
 * answers the same things passes.
 */
#include "bench/check.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#define FLAG_EPHEMERAL 64

const char check_throttled[] = "throttled";
#define THROTTLED check_throttled

static const char *const names[KIND_COUNT] = {"none", "tasks", "autocomplete", "claim", "checkin", "done",
                                              "thanks", "button-claim", "button-checkin"};

const char *check_kind_name(check_kind k)
{
    return k < KIND_COUNT ? names[k] : "?";
}

check_kind check_kind_of(const char *kind_name, const char *payload, size_t len)
{
    if (!kind_name)
        return KIND_NONE;
    if (strcmp(kind_name, "button") == 0)
        return memmem(payload, len, "tend:claim", 10) ? KIND_BUTTON_CLAIM : KIND_BUTTON_CHECKIN;
    for (int k = KIND_TASKS; k <= KIND_THANKS; k++)
        if (strcmp(kind_name, names[k]) == 0)
            return (check_kind)k;
    return KIND_NONE;
}

/* Every choice a task of the group: a name a member can read, a value that is a task number. */
static const char *check_choices(const cJSON *data, int task_hi)
{
    const cJSON *choices = cJSON_GetObjectItemCaseSensitive(data, "choices");
    if (!cJSON_IsArray(choices))
        return "autocomplete without choices";
    if (cJSON_GetArraySize(choices) > 25)
        return "more than 25 choices";
    const cJSON *c;
    cJSON_ArrayForEach(c, choices)
    {
        const cJSON *name = cJSON_GetObjectItemCaseSensitive(c, "name");
        const cJSON *value = cJSON_GetObjectItemCaseSensitive(c, "value");
        if (!cJSON_IsString(name) || !name->valuestring[0] || strlen(name->valuestring) > 100)
            return "a choice without a readable name";
        const char *v = cJSON_IsString(value) ? value->valuestring : NULL;
        char *end = NULL;
        long n = v ? strtol(v, &end, 10) : 0;
        if (!v || end == v || *end || n < 1 || n > task_hi)
            return "a choice whose value is no task number";
    }
    return NULL;
}

/* Whether the answer says something of this kind: a word any wording of it would use. */
static bool says(const char *content, const char *const *words)
{
    for (; *words; words++)
        if (strcasestr(content, *words))
            return true;
    return false;
}

static const char *check_message(check_kind k, const cJSON *data)
{
    const cJSON *content = cJSON_GetObjectItemCaseSensitive(data, "content");
    if (!cJSON_IsString(content) || !content->valuestring[0])
        return "a message without content";
    if (strlen(content->valuestring) > 2000)
        return "content longer than Discord's 2,000 characters";
    const cJSON *flags = cJSON_GetObjectItemCaseSensitive(data, "flags");
    bool ephemeral = cJSON_IsNumber(flags) && ((int)flags->valuedouble & FLAG_EPHEMERAL);
    const char *text = content->valuestring;
    /* a bot's own per-member limit ("a lot of commands in a minute, try again"): a right answer
     * when private, counted apart by the driver so a comparison sees it */
    if (ephemeral && strcasestr(text, "try again") && strcasestr(text, "a lot of"))
        return THROTTLED;
    static const char *const board[] = {"#", "task", NULL};
    static const char *const claim[] = {"claim", "yours", "taken", "full", "waitlist", "already", "on it", NULL};
    static const char *const checkin[] = {"check", "energy", "thank", NULL};
    static const char *const done[] = {"done", "finish", "thank", "claim", NULL};
    static const char *const thanks[] = {"thank", NULL};
    switch (k) {
    case KIND_TASKS: /* asked by one member: the channel is not flooded with boards */
        return !ephemeral ? "a board answered in public" : says(text, board) ? NULL : "a board that names no task";
    case KIND_CLAIM:
    case KIND_BUTTON_CLAIM:
        return !ephemeral ? "a claim answered in public" : says(text, claim) ? NULL : "a claim answer about no claim";
    case KIND_CHECKIN:
    case KIND_BUTTON_CHECKIN:
        /* how a member feels is theirs: never in the channel */
        return !ephemeral ? "a check-in answered in public" : says(text, checkin) ? NULL : "a check-in answer about no check-in";
    case KIND_DONE:
        /* finished work is celebrated in the channel; a refusal ("not yours") stays private */
        if (!says(text, done))
            return "a /done answer about no task";
        return ephemeral || strcasestr(text, " done") ? NULL : "a /done refusal answered in public";
    case KIND_THANKS: /* passed on where the group sees it, naming who is thanked; a refusal
                       * (a daily limit) only to the one thanking */
        if (!says(text, thanks))
            return "a thanks answer about no thanks";
        return ephemeral || strstr(text, "<@") ? NULL : "a public thanks that names nobody";
    default:
        return NULL;
    }
}

const char *check_callback(check_kind k, const char *body, size_t len, int task_hi)
{
    cJSON *j = cJSON_ParseWithLength(body, len);
    if (!j)
        return "a callback that is not JSON";
    const cJSON *type = cJSON_GetObjectItemCaseSensitive(j, "type");
    const cJSON *data = cJSON_GetObjectItemCaseSensitive(j, "data");
    int t = cJSON_IsNumber(type) ? (int)type->valuedouble : -1;
    const char *why;
    if (k == KIND_AUTOCOMPLETE)
        why = t != 8 ? "autocomplete not answered with choices (type 8)" : check_choices(data, task_hi);
    else if (t != 4)
        why = "a command not answered with a message (type 4)";
    else if (!cJSON_IsObject(data))
        why = "a message callback without data";
    else
        why = check_message(k, data);
    cJSON_Delete(j);
    return why;
}
