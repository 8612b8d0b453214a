/*
 * commands.c — the Discord shape of tend's commands: typed options, autocomplete on tasks, choices
 * where the answer is one of a few words, subcommands where a tend command has two words.
 *
 * The list of commands itself is tend_command_families(); this table only says how each looks on
 * Discord. A command the table does not know is still registered, with one free-text option, so a
 * new command works (less prettily) before anyone writes its shape here.
 */
#include <stdio.h>
#include <string.h>

#include "adapters/discord/internal.h"
#include "bot/command.h"
#include "bot/i18n.h"

/* Marks a description for xgettext (po/CMakeLists.txt reads this file): registration sends each
 * one's translations as description_localizations. */
#define N_(s) s

enum { T_SUB = 1, T_STRING = 3, T_INTEGER = 4, T_USER = 6, T_CHANNEL = 7 };

typedef struct {
    const char *name;
    const char *description;
    int type;
    bool required;
    bool autocomplete;
    dc_opt_mode mode;
    const char *const *choices;  /* NULL-terminated */
    int min, max;                /* integers; 0, 0 = unbounded */
} dc_option;

typedef struct {
    const char *tend;          /* "task add"                     */
    const char *cmd;           /* Discord command: "task"        */
    const char *sub;           /* Discord subcommand or NULL     */
    const char *description;   /* when tend's summary is missing */
    dc_option options[10];
} dc_shape;
#define SHAPE_OPTIONS_MAX 10

static const char *const energy_choices[] = {"great", "ok", "low", "out", NULL};
/* "tasks ics [mine]" is a command of its own (a calendar file); on Discord it is two more choices,
 * passed on as typed (Discord takes only these values), so "ics mine" stays two words */
static const char *const filter_choices[] = {"open", "mine", "all", "ics", "ics mine", "learn", NULL};
static const char *const yesno_choices[] = {"yes", "no", NULL};
static const char *const learn_choices[] = {"learn", NULL};
static const char *const onoff_choices[] = {"on", "off", NULL};
static const char *const off_choices[] = {"off", NULL};

#define TASK_OPT {"task", N_("The task: its number or a few words of its title"), T_STRING, true, true, DC_OPT_WORD, NULL, 0, 0}
#define NOTE_OPT {"note", N_("A short note"), T_STRING, false, false, DC_OPT_NAMED, NULL, 0, 0}
#define WHEN_OPT {"when", N_("When, like fri 18:00, tomorrow 6pm or 3 dec"), T_STRING, false, false, DC_OPT_NAMED, NULL, 0, 0}
#define SLOTS_OPT {"slots", N_("How many people it needs"), T_INTEGER, false, false, DC_OPT_NAMED, NULL, 1, 20}
#define WEIGHT_OPT {"weight", N_("How big it is, 1 to 5"), T_INTEGER, false, false, DC_OPT_NAMED, NULL, 1, 5}
#define REPEAT_OPT {"repeat", N_("weekly, biweekly, monthly or every:3d"), T_STRING, false, false, DC_OPT_NAMED, NULL, 0, 0}
#define KIND_OPT {"kind", N_("Your group's word for this sort of task, like driving"), T_STRING, false, true, DC_OPT_NAMED, NULL, 0, 0}
#define ROTATE_OPT {"rotate", N_("Offer each new one round the group in turn"), T_STRING, false, false, DC_OPT_NAMED, yesno_choices, 0, 0}
#define TEACH_OPT {"teach", N_("Whoever takes it is happy to show someone how"), T_STRING, false, false, DC_OPT_NAMED, yesno_choices, 0, 0}
#define TASK_NOTE_OPT {"note", N_("Details: where, what to bring"), T_STRING, false, false, DC_OPT_NAMED, NULL, 0, 0}

static const dc_shape shapes[] = {
    {"checkin", "checkin", NULL, N_("How you're doing this week"),
     {{"energy", N_("How your week is going"), T_STRING, false, false, DC_OPT_WORD, energy_choices, 0, 0}, NOTE_OPT}},
    {"tasks", "tasks", NULL, N_("The task board"),
     {{"filter", N_("Which tasks (ics: a calendar file)"), T_STRING, false, false, DC_OPT_RAW, filter_choices, 0, 0},
      {"page", N_("Which page of a long board"), T_INTEGER, false, false, DC_OPT_NAMED, NULL, 1, 0}}},
    {"task add", "task", "add", N_("Post a task"),
     {{"title", N_("What needs doing"), T_STRING, true, false, DC_OPT_WORD, NULL, 0, 0}, WHEN_OPT, SLOTS_OPT, WEIGHT_OPT,
      REPEAT_OPT, KIND_OPT, ROTATE_OPT, TEACH_OPT, TASK_NOTE_OPT}},
    {"task edit", "task", "edit", N_("Fix a task you posted"),
     {TASK_OPT, {"title", N_("A new title"), T_STRING, false, false, DC_OPT_NAMED, NULL, 0, 0}, WHEN_OPT, SLOTS_OPT,
      WEIGHT_OPT, REPEAT_OPT, KIND_OPT, ROTATE_OPT, TEACH_OPT, TASK_NOTE_OPT}},
    {"task cancel", "task", "cancel", N_("Call off a task you posted"),
     {TASK_OPT, {"note", N_("Why, for the people on it"), T_STRING, false, false, DC_OPT_NAMED, NULL, 0, 0},
      {"repeat", N_("off: call off the whole series"), T_STRING, false, false, DC_OPT_NAMED, off_choices, 0, 0}}},
    {"claim", "claim", NULL, N_("Take a slot on a task"),
     {TASK_OPT, {"learn", N_("Learn it alongside whoever does it, without a slot"), T_STRING, false, false, DC_OPT_WORD,
                 learn_choices, 0, 0}}},
    {"pass", "pass", NULL, N_("Not this time: say no to a task I offered you"), {TASK_OPT}},
    {"backup", "backup", NULL, N_("Be asked first when a kind of task needs someone"),
     {{"kind", N_("Your group's word for the kind, like driving"), T_STRING, false, true, DC_OPT_WORD, NULL, 0, 0},
      {"setting", N_("on or off"), T_STRING, false, false, DC_OPT_WORD, onoff_choices, 0, 0}}},
    {"unclaim", "unclaim", NULL, N_("Give a task back"), {TASK_OPT}},
    {"handoff", "handoff", "offer", N_("Offer your slot to someone"),
     {TASK_OPT, {"member", N_("Who to offer it to"), T_USER, true, false, DC_OPT_WORD, NULL, 0, 0}}},
    {"handoff accept", "handoff", "accept", N_("Take a slot someone offered you"), {TASK_OPT}},
    {"handoff decline", "handoff", "decline", N_("Say no thanks to an offered slot"), {TASK_OPT}},
    {"done", "done", NULL, N_("Mark a task finished"), {TASK_OPT, NOTE_OPT}},
    {"stepback", "stepback", NULL, N_("Rest for a while"),
     {{"for", N_("How long: 3 days, a week, 2w or a date"), T_STRING, false, false, DC_OPT_NAMED, NULL, 0, 0}, NOTE_OPT}},
    {"back", "back", NULL, N_("End your rest early"), {{0}}},
    {"thanks", "thanks", NULL, N_("Thank someone"),
     {{"member", N_("Who to thank"), T_USER, true, false, DC_OPT_WORD, NULL, 0, 0},
      {"for", N_("What for"), T_STRING, false, false, DC_OPT_NAMED, NULL, 0, 0}}},
    {"me", "me", NULL, N_("Your own load"), {{0}}},
    {"capacity", "capacity", NULL, N_("Your weekly capacity"),
     {{"n", N_("How much you can take on in a week"), T_INTEGER, true, false, DC_OPT_WORD, NULL, 0, 20}}},
    {"profile", "profile", NULL, N_("How you're shown, quiet hours, time zone, reminders"),
     {{"name", N_("Your name"), T_STRING, false, false, DC_OPT_NAMED, NULL, 0, 0},
      {"pronouns", N_("Your pronouns"), T_STRING, false, false, DC_OPT_NAMED, NULL, 0, 0},
      {"quiet", N_("Quiet hours, like 22:00-07:00, or off"), T_STRING, false, false, DC_OPT_NAMED, NULL, 0, 0},
      {"tz", N_("Your time zone, like Europe/Berlin"), T_STRING, false, false, DC_OPT_NAMED, NULL, 0, 0},
      {"remind", N_("A reminder before a task you hold: 2h, 30m, 1d or off"), T_STRING, false, false, DC_OPT_NAMED,
       NULL, 0, 0},
      {"language", N_("Your language for what only you read, like es, or off"), T_STRING, false, false,
       DC_OPT_NAMED, NULL, 0, 0}}},
    {"nudges", "nudges", NULL, N_("Whether I may nudge you"),
     {{"setting", N_("on or off"), T_STRING, true, false, DC_OPT_WORD, onoff_choices, 0, 0}}},
    {"feedback", "feedback", NULL, N_("An anonymous suggestion"),
     {{"text", N_("Your suggestion; no name is kept"), T_STRING, true, false, DC_OPT_WORD, NULL, 0, 0}}},
    {"agreements", "agreements", "show", N_("The group's agreements"), {{0}}},
    {"agreements add", "agreements", "add", N_("Record an agreement"),
     {{"text", N_("The agreement"), T_STRING, true, false, DC_OPT_WORD, NULL, 0, 0}}},
    {"agreements amend", "agreements", "amend", N_("Amend an agreement"),
     {{"number", N_("Which agreement"), T_INTEGER, true, false, DC_OPT_WORD, NULL, 1, 0},
      {"text", N_("The new wording"), T_STRING, true, false, DC_OPT_WORD, NULL, 0, 0}}},
    {"export", "export", "me", N_("Your own data"), {{0}}},
    {"export group", "export", "group", N_("The group's data"), {{0}}},
    {"forgetme", "forgetme", NULL, N_("Erase your data"), {{0}}},
    {"help", "help", NULL, N_("What I can do"),
     {{"command", N_("One command, to see how it goes"), T_STRING, false, false, DC_OPT_RAW, NULL, 0, 0}}},
    {"setup", "setup", NULL, N_("Where and when I post"),
     {{"channel", N_("Where I post"), T_CHANNEL, false, false, DC_OPT_NAMED, NULL, 0, 0},
      {"timezone", N_("The group's time zone, like Europe/Berlin"), T_STRING, false, false, DC_OPT_NAMED, NULL, 0, 0},
      {"checkin", N_("Weekly check-in, like mon 18:00"), T_STRING, false, false, DC_OPT_NAMED, NULL, 0, 0},
      {"digest", N_("Weekly digest, like sun 18:00"), T_STRING, false, false, DC_OPT_NAMED, NULL, 0, 0},
      {"capacity", N_("Default weekly capacity"), T_INTEGER, false, false, DC_OPT_NAMED, NULL, 1, 20},
      {"language", N_("The group's language, like es"), T_STRING, false, false, DC_OPT_NAMED, NULL, 0, 0}}},
    {"pause-new", "pause-new", NULL, N_("Pause new tasks for a while"),
     {{"for", N_("How long: 3 days, a week, 2w"), T_STRING, false, false, DC_OPT_NAMED, NULL, 0, 0}}},
    {"resume-new", "resume-new", NULL, N_("Welcome new tasks again"), {{0}}},
    {"team", "team", NULL, N_("Group health"), {{0}}},
};
#define N_SHAPES (sizeof shapes / sizeof shapes[0])

static const dc_shape *shape_by_discord(const char *cmd, const char *sub)
{
    for (size_t i = 0; i < N_SHAPES; i++)
        if (strcmp(shapes[i].cmd, cmd) == 0 &&
            ((!sub && !shapes[i].sub) || (sub && shapes[i].sub && strcmp(shapes[i].sub, sub) == 0)))
            return &shapes[i];
    return NULL;
}

static const dc_shape *shape_by_tend(const char *name)
{
    for (size_t i = 0; i < N_SHAPES; i++)
        if (strcmp(shapes[i].tend, name) == 0)
            return &shapes[i];
    return NULL;
}

static const tend_command_spec *spec_by_name(const char *name)
{
    const tend_command_spec *const *fam = tend_command_families();
    for (size_t f = 0; fam[f]; f++)
        for (const tend_command_spec *s = fam[f]; s->name; s++)
            if (strcmp(s->name, name) == 0)
                return s;
    return NULL;
}

const char *dc_commands_lookup(const char *cmd, const char *sub)
{
    const dc_shape *sh = shape_by_discord(cmd, sub);
    if (sh)
        return sh->tend;
    if (sub)
        return NULL;
    const tend_command_spec *spec = spec_by_name(cmd);
    return spec ? spec->name : NULL;
}

dc_opt_mode dc_commands_option_mode(const char *cmd, const char *sub, const char *option)
{
    const dc_shape *sh = shape_by_discord(cmd, sub);
    if (!sh)
        return DC_OPT_RAW;
    for (size_t i = 0; i < SHAPE_OPTIONS_MAX && sh->options[i].name; i++)
        if (strcmp(sh->options[i].name, option) == 0)
            return sh->options[i].mode;
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

static cJSON *option_json(const dc_option *o)
{
    cJSON *j = cJSON_CreateObject();
    cJSON_AddNumberToObject(j, "type", o->type);
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
            cJSON_AddItemToArray(choices, c);
        }
    }
    if (o->type == T_INTEGER && o->min)
        cJSON_AddNumberToObject(j, "min_value", o->min);
    if (o->type == T_INTEGER && o->max)
        cJSON_AddNumberToObject(j, "max_value", o->max);
    if (o->type == T_STRING && !o->choices && !o->autocomplete)
        cJSON_AddNumberToObject(j, "max_length", strcmp(o->name, "title") == 0 ? 200 : 1000);
    return j;
}

static void add_options(cJSON *parent, const dc_shape *sh)
{
    cJSON *opts = cJSON_AddArrayToObject(parent, "options");
    for (size_t i = 0; i < SHAPE_OPTIONS_MAX && sh->options[i].name; i++)
        cJSON_AddItemToArray(opts, option_json(&sh->options[i]));
}

/* The description Discord shows: tend's own summary when it fits, else the table's. */
static const char *describe(const tend_command_spec *spec, const char *fallback)
{
    if (spec && spec->summary && *spec->summary && strlen(spec->summary) <= 100)
        return spec->summary;
    return fallback;
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

static void add_shape(cJSON *list, const dc_shape *sh, const tend_command_spec *spec)
{
    const char *desc = describe(spec, sh->description);
    if (!sh->sub) {
        cJSON *top = new_top(list, sh->cmd, desc);
        add_localizations(top, sh->description); /* the table's words, which the catalogue has */
        add_options(top, sh);
        return;
    }
    cJSON *top = find_top(list, sh->cmd);
    if (!top) {
        top = new_top(list, sh->cmd, sh->cmd);
        cJSON_AddArrayToObject(top, "options");
    }
    cJSON *sub = cJSON_CreateObject();
    cJSON_AddNumberToObject(sub, "type", T_SUB);
    cJSON_AddStringToObject(sub, "name", sh->sub);
    cJSON_AddStringToObject(sub, "description", desc);
    add_localizations(sub, sh->description);
    add_options(sub, sh);
    cJSON_AddItemToArray(cJSON_GetObjectItemCaseSensitive(top, "options"), sub);
}

/* A command tend has but this table does not: one optional free-text option. */
static void add_generic(cJSON *list, const tend_command_spec *spec)
{
    if (strchr(spec->name, ' ') || strlen(spec->name) > 32 || find_top(list, spec->name))
        return;
    static const dc_option details = {"details", N_("Anything after the command"), T_STRING, false,
                                      false, DC_OPT_RAW, NULL, 0, 0};
    cJSON *c = new_top(list, spec->name, describe(spec, spec->name));
    cJSON *opts = cJSON_AddArrayToObject(c, "options");
    cJSON_AddItemToArray(opts, option_json(&details));
}

/* Whether every tend command behind Discord command `top` is for coordinators only. */
static bool only_for_coordinators(const char *top)
{
    bool any = false;
    for (size_t i = 0; i < N_SHAPES; i++)
        if (strcmp(shapes[i].cmd, top) == 0) {
            const tend_command_spec *spec = spec_by_name(shapes[i].tend);
            if (!spec || !spec->coordinator_only)
                return false;
            any = true;
        }
    if (any)
        return true;
    const tend_command_spec *spec = spec_by_name(top);
    return spec && spec->coordinator_only;
}

cJSON *dc_commands_json(void)
{
    cJSON *list = cJSON_CreateArray();
    if (!list)
        return NULL;
    const tend_command_spec *const *fam = tend_command_families();
    /* Shapes first, in the table's order, so subcommands group under their command; the table's
     * commands are registered even before their handlers land, and answer "I don't know" until then. */
    for (size_t i = 0; i < N_SHAPES; i++)
        add_shape(list, &shapes[i], spec_by_name(shapes[i].tend));
    for (size_t f = 0; fam[f]; f++)
        for (const tend_command_spec *s = fam[f]; s->name; s++)
            if (!shape_by_tend(s->name))
                add_generic(list, s);
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
