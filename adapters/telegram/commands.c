/*
 * commands.c — the command menu Telegram shows when a member types "/", from the bot's command
 * catalogue (bot/catalogue.h), so a new command appears without anyone listing it here.
 *
 * Telegram's names are 1-32 of a-z, 0-9 and "_": "pause-new" is offered as "pause_new" (and read
 * back as "pause-new", render.c). Two-word commands ("task add") appear once, by their first word.
 * Members see their own commands; a group's admins also see the coordinators' (the scope
 * all_chat_administrators), since those are the ones who may run them.
 *
 * Each menu is set once in English for everyone and once per language tend speaks, with Telegram's
 * language_code: a member whose app is in Spanish reads the descriptions in Spanish. The command
 * words stay the same in every language (they are what members type, and what every message says).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adapters/telegram/internal.h"
#include "bot/catalogue.h"
#include "bot/i18n.h"
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

/* s cut to at most max bytes, not inside a character. */
static void cut_utf8(char *s, size_t max)
{
    size_t n = strlen(s);
    if (n <= max)
        return;
    while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80)
        max--;
    s[max] = '\0';
}

cJSON *tend_telegram_command_menu(bool coordinators)
{
    return tend_telegram_command_menu_in(coordinators, NULL);
}

cJSON *tend_telegram_command_menu_in(bool coordinators, const char *lang)
{
    cJSON *menu = cJSON_CreateArray();
    for (const tend_command_spec *c = tend_catalogue(); menu && c->name; c++) {
        char word[40];
        if ((c->coordinator_only && !coordinators) || !menu_word(c->name, word, sizeof word))
            continue;
        char description[DESCRIPTION_MAX * 2];
        snprintf(description, sizeof description, "%s",
                 c->summary && *c->summary ? tend_i18n_tr(lang, c->summary) : c->name);
        cut_utf8(description, DESCRIPTION_MAX);
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

/* code: Telegram's two-letter language code, NULL for the menu of every other language */
static void register_menu(tend_telegram *tg, bool coordinators, const char *lang, const char *code)
{
    cJSON *body = cJSON_CreateObject();
    cJSON_AddItemToObject(body, "commands", tend_telegram_command_menu_in(coordinators, lang));
    cJSON *scope = cJSON_AddObjectToObject(body, "scope");
    cJSON_AddStringToObject(scope, "type", coordinators ? "all_chat_administrators" : "default");
    if (code)
        cJSON_AddStringToObject(body, "language_code", code);
    char *json = cJSON_PrintUnformatted(body);
    cJSON_Delete(body);
    if (json)
        tend_telegram_call(tg, "setMyCommands", json, 30000, on_registered,
                           (void *)(coordinators ? "group admins" : "everyone"));
    free(json);
}

void tend_telegram_register_commands(tend_telegram *tg)
{
    register_menu(tg, false, NULL, NULL);
    register_menu(tg, true, NULL, NULL);
    /* Telegram knows a language by its two letters: pt_BR's menu is the one for "pt" (the first
     * catalogue of a language wins when there are two, like pt and pt_BR) */
    char done[16][3] = {{0}};
    size_t n_done = 0;
    const char *lang;
    for (size_t i = 0; (lang = tend_i18n_lang_at(i)) && n_done < 16; i++) {
        char code[3] = {0};
        if (strlen(lang) < 2 || (lang[2] && lang[2] != '_'))
            continue;
        memcpy(code, lang, 2);
        bool seen = false;
        for (size_t k = 0; k < n_done; k++)
            seen = seen || strcmp(done[k], code) == 0;
        if (seen)
            continue;
        memcpy(done[n_done++], code, 3);
        register_menu(tg, false, lang, code);
        register_menu(tg, true, lang, code);
    }
}
