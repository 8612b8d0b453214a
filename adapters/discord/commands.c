/*
 * commands.c — tend's commands as Discord's slash commands: the catalogue (bot/catalogue.h)
 * translated into the registration body, and the way an interaction's options read back into the
 * text a member would have typed.
 *
 * Everything about a command (its options, types, limits, choices and words) is the catalogue's;
 * this file only knows Discord's spelling of it: option types as numbers, a two-word command as a
 * command and its subcommand, the descriptions' translations as description_localizations.
 */
#include <stdio.h>
#include <string.h>

#include "adapters/discord/internal.h"
#include "bot/catalogue.h"
#include "bot/i18n.h"
#include "bot/limits.h"
#include "bot/option_words.h"

/* Discord's ApplicationCommandOptionType */
enum { T_SUB = 1, T_STRING = 3, T_INTEGER = 4, T_USER = 6, T_CHANNEL = 7 };

static int option_type(tend_option_type type)
{
    switch (type) {
    case TEND_OPT_NUMBER:
        return T_INTEGER;
    case TEND_OPT_MEMBER:
        return T_USER;
    case TEND_OPT_CHANNEL:
        return T_CHANNEL;
    case TEND_OPT_TEXT:
        break;
    }
    return T_STRING;
}

/* The command Discord calls cmd (and sub), in the catalogue. A one-word name also finds the
 * command it names when Discord lists it under a subcommand ("agreements" for "agreements show"):
 * a registration from an older tend may still be in a server's picker. */
static const tend_command_spec *spec_for(const char *cmd, const char *sub)
{
    const tend_command_spec *spec = tend_catalogue_by_picker(cmd, sub);
    if (!spec && !sub && !strchr(cmd, ' '))
        spec = tend_catalogue_find(cmd);
    return spec;
}

const char *dc_commands_lookup(const char *cmd, const char *sub)
{
    const tend_command_spec *spec = spec_for(cmd, sub);
    return spec ? spec->name : NULL;
}

dc_opt_mode dc_commands_option_mode(const char *cmd, const char *sub, const char *option)
{
    const tend_command_spec *spec = tend_catalogue_by_picker(cmd, sub);
    if (!spec)
        return DC_OPT_RAW;
    const tend_option *o = tend_catalogue_option(spec, option);
    if (!o)
        return DC_OPT_WORD;
    switch (o->form) {
    case TEND_OPT_NAMED:
        return DC_OPT_NAMED;
    case TEND_OPT_RAW:
        return DC_OPT_RAW;
    case TEND_OPT_WORD:
        break;
    }
    return DC_OPT_WORD;
}

/* Discord's locales (its Locale enum); each is given the catalogue tend has for its language. */
static const char *const discord_locales[] = {
    "id", "da", "de", "en-GB", "en-US", "es-ES", "es-419", "fr", "hr", "it", "lt", "hu", "nl", "no", "pl", "pt-BR",
    "ro", "fi", "sv-SE", "vi", "tr", "cs", "el", "bg", "ru", "uk", "hi", "th", "zh-CN", "ja", "zh-TW", "ko"};

static size_t utf8_chars(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

/* "description_localizations": english in every language tend speaks, where it was translated and
 * fits Discord's 100 characters. Nothing when there is none. */
static void add_localizations(cJSON *obj, const char *english)
{
    cJSON *map = NULL;
    for (size_t i = 0; english && i < sizeof discord_locales / sizeof discord_locales[0]; i++) {
        char lang[TEND_LANG_MAX];
        if (!tend_i18n_match(discord_locales[i], lang, sizeof lang) || strcmp(lang, "en") == 0)
            continue;
        const char *said = tend_i18n_tr(lang, english);
        if (said == english || strcmp(said, english) == 0 || utf8_chars(said) > 100 || !said[0])
            continue;
        if (!map && !(map = cJSON_AddObjectToObject(obj, "description_localizations")))
            return;
        cJSON_AddStringToObject(map, discord_locales[i], said);
    }
}

/* A choice's "name_localizations": what each language calls it ("genial" for great); its value
 * stays the English word, which tend reads whatever the member's language. */
static void add_choice_names(cJSON *choice, const tend_option *o, const char *value)
{
    cJSON *map = NULL;
    for (size_t i = 0; i < sizeof discord_locales / sizeof discord_locales[0]; i++) {
        char lang[TEND_LANG_MAX], name[101];
        if (!tend_i18n_match(discord_locales[i], lang, sizeof lang) ||
            !tend_option_choice_name(o, value, lang, name, sizeof name) || utf8_chars(name) > 100)
            continue;
        if (!map && !(map = cJSON_AddObjectToObject(choice, "name_localizations")))
            return;
        cJSON_AddStringToObject(map, discord_locales[i], name);
    }
}

static cJSON *option_json(const tend_option *o)
{
    int type = option_type(o->type);
    cJSON *j = cJSON_CreateObject();
    cJSON_AddNumberToObject(j, "type", type);
    cJSON_AddStringToObject(j, "name", o->name);
    cJSON_AddStringToObject(j, "description", o->description);
    add_localizations(j, o->description);
    cJSON_AddBoolToObject(j, "required", o->required);
    if (o->autocomplete)
        cJSON_AddBoolToObject(j, "autocomplete", true);
    if (o->choices) {
        cJSON *choices = cJSON_AddArrayToObject(j, "choices");
        for (size_t i = 0; o->choices[i]; i++) {
            cJSON *c = cJSON_CreateObject();
            cJSON_AddStringToObject(c, "name", o->choices[i]);
            cJSON_AddStringToObject(c, "value", o->choices[i]);
            add_choice_names(c, o, o->choices[i]);
            cJSON_AddItemToArray(choices, c);
        }
    }
    if (type == T_INTEGER && o->min)
        cJSON_AddNumberToObject(j, "min_value", o->min);
    if (type == T_INTEGER && o->max)
        cJSON_AddNumberToObject(j, "max_value", o->max);
    /* free text: Discord stops the member at the catalogue's limit (or the longest tend takes),
     * where tend would refuse it anyway */
    if (type == T_STRING && !o->choices && !o->autocomplete)
        cJSON_AddNumberToObject(j, "max_length", o->max ? o->max : TEND_LIMIT_LONG_TEXT_CHARS);
    return j;
}

static void add_options(cJSON *parent, const tend_command_spec *spec)
{
    cJSON *opts = cJSON_AddArrayToObject(parent, "options");
    for (size_t i = 0; i < TEND_OPTIONS_MAX && spec->options[i].name; i++)
        cJSON_AddItemToArray(opts, option_json(&spec->options[i]));
}

/* The description Discord shows in English: the command's summary when it fits, else its brief;
 * the other languages get the brief (add_localizations). */
static const char *describe(const tend_command_spec *spec)
{
    if (spec->summary && *spec->summary && strlen(spec->summary) <= 100)
        return spec->summary;
    return spec->brief ? spec->brief : spec->name;
}

static cJSON *find_top(cJSON *list, const char *name)
{
    cJSON *c;
    cJSON_ArrayForEach(c, list)
    {
        const cJSON *n = cJSON_GetObjectItemCaseSensitive(c, "name");
        if (cJSON_IsString(n) && strcmp(n->valuestring, name) == 0)
            return c;
    }
    return NULL;
}

static cJSON *new_top(cJSON *list, const char *name, const char *description)
{
    cJSON *c = cJSON_CreateObject();
    cJSON_AddNumberToObject(c, "type", 1);
    cJSON_AddStringToObject(c, "name", name);
    cJSON_AddStringToObject(c, "description", description);
    /* guild only: a command typed in a DM has no group to act on */
    cJSON *contexts = cJSON_AddArrayToObject(c, "contexts");
    cJSON_AddItemToArray(contexts, cJSON_CreateNumber(0));
    cJSON_AddItemToArray(list, c);
    return c;
}

/* One command: a command of its own ("claim"), or a subcommand under its first word ("task add"
 * under "task"), as the catalogue's picker words say.
 *
 * Command and option NAMES are never localised (no name_localizations on a command or option),
 * though Discord allows it: a member types the same /claim on every platform, in a room where
 * others read another language, and every message tend sends says /claim and note:. A Spanish
 * picker showing /reclamar would teach a word that nothing else understands. What the picker
 * describes (descriptions) and the values a member picks (choices) are in their language. */
static void add_command(cJSON *list, const tend_command_spec *spec)
{
    const char *words = tend_catalogue_picker(spec);
    const char *space = strchr(words, ' ');
    if (!space) {
        cJSON *top = new_top(list, words, describe(spec));
        add_localizations(top, spec->brief);
        add_options(top, spec);
        return;
    }
    char cmd[40];
    snprintf(cmd, sizeof cmd, "%.*s", (int)(space - words), words);
    cJSON *top = find_top(list, cmd);
    if (!top) {
        top = new_top(list, cmd, cmd);
        cJSON_AddArrayToObject(top, "options");
    }
    cJSON *sub = cJSON_CreateObject();
    cJSON_AddNumberToObject(sub, "type", T_SUB);
    cJSON_AddStringToObject(sub, "name", space + 1);
    cJSON_AddStringToObject(sub, "description", describe(spec));
    add_localizations(sub, spec->brief);
    add_options(sub, spec);
    cJSON_AddItemToArray(cJSON_GetObjectItemCaseSensitive(top, "options"), sub);
}

/* Whether every tend command behind Discord command `top` is for coordinators only. */
static bool only_for_coordinators(const char *top)
{
    bool any = false;
    size_t n = strlen(top);
    for (const tend_command_spec *c = tend_catalogue(); c->name; c++) {
        const char *words = tend_catalogue_picker(c);
        if ((c->flags & TEND_CMD_NO_PICKER) || strncmp(words, top, n) != 0 || (words[n] && words[n] != ' '))
            continue;
        if (!c->coordinator_only)
            return false;
        any = true;
    }
    return any;
}

cJSON *dc_commands_json(void)
{
    cJSON *list = cJSON_CreateArray();
    if (!list)
        return NULL;
    /* in the catalogue's order; a subcommand joins its command where that first appears */
    for (const tend_command_spec *c = tend_catalogue(); c->name; c++)
        if (!(c->flags & TEND_CMD_NO_PICKER))
            add_command(list, c);
    /* the description of a command made only of subcommands: its first subcommand's words */
    cJSON *c;
    cJSON_ArrayForEach(c, list)
    {
        const cJSON *n = cJSON_GetObjectItemCaseSensitive(c, "name");
        const cJSON *d = cJSON_GetObjectItemCaseSensitive(c, "description");
        const cJSON *opts = cJSON_GetObjectItemCaseSensitive(c, "options");
        const cJSON *first = cJSON_GetArrayItem(opts, 0);
        const cJSON *t = cJSON_GetObjectItemCaseSensitive(first, "type");
        if (cJSON_IsNumber(t) && t->valueint == T_SUB && strcmp(n->valuestring, d->valuestring) == 0) {
            cJSON_SetValuestring(cJSON_GetObjectItemCaseSensitive(c, "description"),
                                 cJSON_GetObjectItemCaseSensitive(first, "description")->valuestring);
            const cJSON *l = cJSON_GetObjectItemCaseSensitive(first, "description_localizations");
            if (l)
                cJSON_AddItemToObject(c, "description_localizations", cJSON_Duplicate(l, true));
        }
        /* members do not see coordinator commands in their picker; Discord lets a server change
         * who does, and tend still checks Manage Server on every use */
        if (only_for_coordinators(n->valuestring))
            cJSON_AddNumberToObject(c, "default_member_permissions", (double)DC_PERM_MANAGE_GUILD);
    }
    return list;
}
