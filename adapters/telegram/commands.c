/*
 * commands.c — the command menu Telegram shows when a member types "/", from the bot's command
 * catalogue (bot/catalogue.h), so a new command appears without anyone listing it here.
 *
 * Telegram's names are 1-32 of a-z, 0-9 and "_": "pause-new" is offered as "pause_new" (and read
 * back as "pause-new", render.c). Two-word commands ("task add") appear once, by their first word.
 * Members see their own commands; a group's admins also see the coordinators' (the scope
 * all_chat_administrators), since those are the ones who may run them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adapters/telegram/internal.h"
#include "bot/catalogue.h"
#include "lib/log.h"

#define MENU_MAX 100         /* Telegram's limit              */
#define DESCRIPTION_MAX 256  /* bytes; ours are short English */

/* The menu word of a tend command: its first word, '-' as '_'. false when it has no Telegram form. */
static bool menu_word(const char *name, char *out, size_t outlen)
{
    size_t n = strcspn(name, " ");
    if (n == 0 || n > 32 || n >= outlen)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        if (c == '-')
            c = '_';
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
            return false;
        out[i] = c;
    }
    out[n] = '\0';
    return true;
}

static cJSON *find_entry(cJSON *menu, const char *word)
{
    cJSON *e;
    cJSON_ArrayForEach(e, menu) {
        const cJSON *c = cJSON_GetObjectItemCaseSensitive(e, "command");
        if (cJSON_IsString(c) && strcmp(c->valuestring, word) == 0)
            return e;
    }
    return NULL;
}

cJSON *tend_telegram_command_menu(bool coordinators)
{
    cJSON *menu = cJSON_CreateArray();
    for (const tend_command_spec *c = tend_catalogue(); menu && c->name; c++) {
        char word[40];
        if ((c->coordinator_only && !coordinators) || !menu_word(c->name, word, sizeof word))
            continue;
        char description[DESCRIPTION_MAX + 1];
        snprintf(description, sizeof description, "%s", c->summary && *c->summary ? c->summary : c->name);
        cJSON *entry = find_entry(menu, word);
        bool single = strchr(c->name, ' ') == NULL;
        if (entry) {
            /* "agreements" describes the menu word better than "agreements add" */
            if (single)
                cJSON_ReplaceItemInObjectCaseSensitive(entry, "description", cJSON_CreateString(description));
            continue;
        }
        if (cJSON_GetArraySize(menu) == MENU_MAX)
            break;
        entry = cJSON_CreateObject();
        cJSON_AddStringToObject(entry, "command", word);
        cJSON_AddStringToObject(entry, "description", description);
        cJSON_AddItemToArray(menu, entry);
    }
    return menu;
}

static void on_registered(const tend_http_response *res, void *ud)
{
    const char *scope = ud;
    tg_answer a;
    tend_telegram_answer_read(res, &a);
    if (a.ok)
        tend_log(TEND_LOG_DEBUG, "telegram", "command menu registered (%s)", scope);
    else
        tend_log(TEND_LOG_WARN, "telegram", "could not register the command menu for %s (%d %s); commands still "
                 "work when typed", scope, a.error_code, a.description);
    tend_telegram_answer_free(&a);
}

static void register_menu(tend_telegram *tg, bool coordinators)
{
    cJSON *body = cJSON_CreateObject();
    cJSON_AddItemToObject(body, "commands", tend_telegram_command_menu(coordinators));
    cJSON *scope = cJSON_AddObjectToObject(body, "scope");
    cJSON_AddStringToObject(scope, "type", coordinators ? "all_chat_administrators" : "default");
    char *json = cJSON_PrintUnformatted(body);
    cJSON_Delete(body);
    if (json)
        tend_telegram_call(tg, "setMyCommands", json, 30000, on_registered,
                           (void *)(coordinators ? "group admins" : "everyone"));
    free(json);
}

void tend_telegram_register_commands(tend_telegram *tg)
{
    register_menu(tg, false);
    register_menu(tg, true);
}
