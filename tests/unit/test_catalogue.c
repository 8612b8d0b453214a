/* test_catalogue.c — every command is declared once and whole (bot/catalogue.c), and what is made
 * from it agrees with it: Discord's registration (one entry per command, the catalogue's options,
 * within Discord's limits in every language tend speaks), how Discord's options read back into
 * text, Telegram's menus, and the usage /help shows. A command declared in one place but missing
 * in another fails here. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "adapters/discord/internal.h"
#include "adapters/telegram/internal.h"
#include "bot/catalogue.h"
#include "bot/i18n.h"
#include "bot/reply.h"

/* Discord's limits (its API reference, "Application Commands") */
#define DC_NAME_MAX 32
#define DC_DESCRIPTION_MAX 100
#define DC_OPTIONS_MAX 25
#define DC_CHOICES_MAX 25
#define DC_COMMANDS_MAX 100

static size_t utf8_chars(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

/* ^[-_a-z0-9]{1,32}$ (Discord's name rule for commands and options, in ASCII) */
static bool discord_name(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > DC_NAME_MAX)
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-' || *s == '_'))
            return false;
    return true;
}

static size_t n_options(const tend_command_spec *c)
{
    size_t n = 0;
    while (n < TEND_OPTIONS_MAX && c->options[n].name)
        n++;
    return n;
}

/* The languages tend speaks besides English, from tend_i18n_list ("en, es, fr"). */
static size_t languages(char langs[][TEND_LANG_MAX], size_t max)
{
    char list[256];
    tend_i18n_list(list, sizeof list);
    size_t n = 0;
    for (char *save = NULL, *tok = strtok_r(list, ", ", &save); tok && n < max; tok = strtok_r(NULL, ", ", &save))
        if (strcmp(tok, "en") != 0)
            snprintf(langs[n++], TEND_LANG_MAX, "%s", tok);
    return n;
}

/* A description fits Discord in English and in every language tend speaks, so none is dropped. */
static void check_description(const char *what, const char *msgid)
{
    if (!msgid || !*msgid)
        fail_msg("%s has no description", what);
    if (utf8_chars(msgid) > DC_DESCRIPTION_MAX)
        fail_msg("%s: \"%s\" is over %d characters", what, msgid, DC_DESCRIPTION_MAX);
    char langs[16][TEND_LANG_MAX];
    size_t n = languages(langs, 16);
    for (size_t i = 0; i < n; i++) {
        const char *said = tend_i18n_tr(langs[i], msgid);
        if (utf8_chars(said) > DC_DESCRIPTION_MAX)
            fail_msg("%s: the %s of \"%s\" is over %d characters: %s", what, langs[i], msgid, DC_DESCRIPTION_MAX,
                     said);
    }
}

static int setup_translations(void **state)
{
    (void)state;
    /* the build's own locale tree: the descriptions must fit in every shipped language */
    if (tend_i18n_init(TEND_TEST_LOCALE_DIR) != 0)
        return -1;
    char langs[16][TEND_LANG_MAX];
    if (languages(langs, 16) < 4) {
        fprintf(stderr, "the build's translations were not found in %s\n", TEND_TEST_LOCALE_DIR);
        return -1;
    }
    return 0;
}

static void every_command_is_declared_whole(void **state)
{
    (void)state;
    size_t count = 0;
    for (const tend_command_spec *c = tend_catalogue(); c->name; c++, count++) {
        if (!c->run)
            fail_msg("/%s has no handler", c->name);
        if (!c->summary || !*c->summary)
            fail_msg("/%s has no summary for /help", c->name);
        if (!c->example || !c->usage)
            fail_msg("/%s lacks a usage or an example", c->name);
        char start[64];
        snprintf(start, sizeof start, TEND_CMD "%s", c->name);
        size_t k = strlen(start);
        if (strncmp(c->usage, start, k) != 0 || (c->usage[k] && c->usage[k] != ' '))
            fail_msg("the usage of /%s is of another command: %s", c->name, c->usage + 1);
        if (tend_catalogue_find(c->name) != c)
            fail_msg("/%s is declared twice", c->name);
        /* a name of one or two words, each one a command name a picker takes */
        char words[64];
        snprintf(words, sizeof words, "%s", tend_catalogue_picker(c));
        char *space = strchr(words, ' ');
        if (space)
            *space = '\0';
        if (!discord_name(words) || (space && (!discord_name(space + 1) || strchr(space + 1, ' '))))
            fail_msg("/%s goes by \"%s\" in a picker, which Discord refuses", c->name, tend_catalogue_picker(c));
        if (c->picker && strncmp(c->picker, c->name, strlen(words)) != 0)
            fail_msg("/%s is listed under another command's name: %s", c->name, c->picker);
        if (!(c->flags & TEND_CMD_NO_PICKER) && tend_catalogue_by_picker(words, space ? space + 1 : NULL) != c)
            fail_msg("/%s shares its picker words with another command", c->name);
        /* Discord cannot run a command that also has subcommands: a one-word command whose name
         * starts others needs picker words of its own ("agreements show") */
        if (!space && !(c->flags & TEND_CMD_NO_PICKER))
            for (const tend_command_spec *d = tend_catalogue(); d->name; d++) {
                const char *w = tend_catalogue_picker(d);
                size_t n = strlen(words);
                if (d != c && !(d->flags & TEND_CMD_NO_PICKER) && strncmp(w, words, n) == 0 && w[n] == ' ')
                    fail_msg("/%s is a command and the first word of /%s: give it picker words", c->name, d->name);
            }
        if (!(c->flags & TEND_CMD_NO_PICKER) && strlen(c->summary) > DC_DESCRIPTION_MAX && !c->brief)
            fail_msg("/%s has a summary too long for a picker and no brief", c->name);
        if (c->brief)
            check_description(c->name, c->brief);

        size_t n = n_options(c);
        if (n > DC_OPTIONS_MAX)
            fail_msg("/%s has more options than Discord takes", c->name);
        bool optional_seen = false;
        for (size_t i = 0; i < n; i++) {
            const tend_option *o = &c->options[i];
            char what[80];
            snprintf(what, sizeof what, "/%s %s", c->name, o->name);
            if (!discord_name(o->name) || strchr(o->name, '_'))
                fail_msg("%s: an option's name is lower case, digits and '-'", what);
            if (tend_catalogue_option(c, o->name) != o)
                fail_msg("%s is declared twice", what);
            check_description(what, o->description);
            if (o->required && optional_seen)
                fail_msg("%s: required options come first (Discord refuses them after an optional one)", what);
            optional_seen |= !o->required;
            size_t choices = 0;
            for (; o->choices && o->choices[choices]; choices++)
                if (!*o->choices[choices] || utf8_chars(o->choices[choices]) > DC_DESCRIPTION_MAX)
                    fail_msg("%s: choice \"%s\" is empty or too long", what, o->choices[choices]);
            if (choices > DC_CHOICES_MAX || (o->choices && choices == 0))
                fail_msg("%s: between 1 and %d choices", what, DC_CHOICES_MAX);
            if (o->choices && o->autocomplete)
                fail_msg("%s: choices and autocomplete do not go together on Discord", what);
            if (o->type != TEND_OPT_TEXT && o->type != TEND_OPT_NUMBER && (o->min || o->max || o->choices))
                fail_msg("%s: only text and numbers have limits or choices", what);
            if (o->min < 0 || o->max < 0 || (o->min && o->max && o->min > o->max))
                fail_msg("%s: its limits are upside down", what);
            if (o->type == TEND_OPT_TEXT && o->min)
                fail_msg("%s: a text has no least length here", what);
        }
    }
    assert_true(count > 30);
    assert_true(count <= DC_COMMANDS_MAX);
}

/* The words of a usage after the command's name, split at spaces outside [] and quotes. */
static size_t required_words(const char *usage, size_t name_words)
{
    size_t required = 0, word = 0;
    const char *p = usage + 1; /* TEND_CMD */
    while (*p) {
        while (*p == ' ')
            p++;
        if (!*p)
            break;
        bool optional = *p == '[';
        int depth = 0;
        bool quoted = false;
        for (; *p && (depth > 0 || quoted || *p != ' '); p++) {
            if (*p == '"')
                quoted = !quoted;
            else if (*p == '[' && !quoted)
                depth++;
            else if (*p == ']' && !quoted)
                depth--;
        }
        if (word++ >= name_words && !optional)
            required++;
    }
    return required;
}

static void every_usage_tells_the_options_it_needs(void **state)
{
    (void)state;
    for (const tend_command_spec *c = tend_catalogue(); c->name; c++) {
        size_t name_words = strchr(c->name, ' ') ? 2 : 1;
        size_t needed = 0;
        for (size_t i = 0; i < n_options(c); i++) {
            const tend_option *o = &c->options[i];
            char named[48];
            snprintf(named, sizeof named, "%s:", o->name);
            if (o->required && o->form == TEND_OPT_NAMED && !strstr(c->usage, named))
                fail_msg("/%s needs %s, which its usage does not say: %s", c->name, named, c->usage + 1);
            if (o->required && o->form != TEND_OPT_NAMED)
                needed++;
        }
        if (required_words(c->usage, name_words) < needed)
            fail_msg("/%s needs %zu words, its usage says fewer: %s", c->name, needed, c->usage + 1);
        /* every name:value the usage tells is an option a picker offers */
        for (const char *p = strchr(c->usage, '['); p; p = strchr(p + 1, '[')) {
            size_t n = strspn(p + 1, "abcdefghijklmnopqrstuvwxyz-");
            if (n == 0 || p[1 + n] != ':')
                continue;
            char name[40];
            snprintf(name, sizeof name, "%.*s", (int)n, p + 1);
            const tend_option *o = tend_catalogue_option(c, name);
            if (!o || o->form != TEND_OPT_NAMED)
                fail_msg("/%s tells %s: in its usage but has no such named option", c->name, name);
        }
    }
    /* the reader itself: optional words, quotes and a two-word name */
    assert_int_equal(required_words(TEND_CMD "handoff <task> <member>", 1), 2);
    assert_int_equal(required_words(TEND_CMD "setup [checkin:\"mon 18:00\"] [capacity:1-20]", 1), 0);
    assert_int_equal(required_words(TEND_CMD "agreements amend <number> <text>", 2), 2);
    assert_int_equal(required_words(TEND_CMD "nudges on|off|later", 1), 1);
}

static const cJSON *named(const cJSON *list, const char *name)
{
    const cJSON *c;
    cJSON_ArrayForEach(c, list)
    {
        const cJSON *n = cJSON_GetObjectItemCaseSensitive(c, "name");
        if (cJSON_IsString(n) && strcmp(n->valuestring, name) == 0)
            return c;
    }
    return NULL;
}

static int number(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsNumber(v) ? v->valueint : 0;
}

/* Every description of the registration, localised ones too, within Discord's 100 characters. */
static void check_discord_descriptions(const cJSON *o, const char *where)
{
    const cJSON *d = cJSON_GetObjectItemCaseSensitive(o, "description");
    if (!cJSON_IsString(d) || !*d->valuestring || utf8_chars(d->valuestring) > DC_DESCRIPTION_MAX)
        fail_msg("%s: no description, or one over %d characters", where, DC_DESCRIPTION_MAX);
    const cJSON *l;
    cJSON_ArrayForEach(l, cJSON_GetObjectItemCaseSensitive(o, "description_localizations"))
    if (!cJSON_IsString(l) || !*l->valuestring || utf8_chars(l->valuestring) > DC_DESCRIPTION_MAX)
        fail_msg("%s: its %s description is empty or over %d characters", where, l->string, DC_DESCRIPTION_MAX);
}

static const int dc_type[] = {[TEND_OPT_TEXT] = 3, [TEND_OPT_NUMBER] = 4, [TEND_OPT_MEMBER] = 6, [TEND_OPT_CHANNEL] = 7};
static const dc_opt_mode dc_mode[] = {[TEND_OPT_WORD] = DC_OPT_WORD, [TEND_OPT_NAMED] = DC_OPT_NAMED,
                                      [TEND_OPT_RAW] = DC_OPT_RAW};

static void discord_registers_each_command_with_its_options(void **state)
{
    (void)state;
    cJSON *list = dc_commands_json();
    assert_non_null(list);
    assert_true(cJSON_GetArraySize(list) <= DC_COMMANDS_MAX);
    size_t registered = 0; /* commands and subcommands */
    const cJSON *top;
    cJSON_ArrayForEach(top, list)
    {
        const char *name = cJSON_GetObjectItemCaseSensitive(top, "name")->valuestring;
        if (!discord_name(name) || named(list, name) != top)
            fail_msg("/%s: a name Discord refuses, or registered twice", name);
        check_discord_descriptions(top, name);
        const cJSON *opts = cJSON_GetObjectItemCaseSensitive(top, "options");
        if (cJSON_GetArraySize(opts) > DC_OPTIONS_MAX)
            fail_msg("/%s has more than %d options", name, DC_OPTIONS_MAX);
        const cJSON *first = cJSON_GetArrayItem(opts, 0);
        if (number(first, "type") != 1) {
            registered++;
            continue;
        }
        const cJSON *sub;
        cJSON_ArrayForEach(sub, opts)
        {
            char where[80];
            snprintf(where, sizeof where, "/%s %s", name, cJSON_GetObjectItemCaseSensitive(sub, "name")->valuestring);
            if (number(sub, "type") != 1)
                fail_msg("%s: a command mixes subcommands and options", where);
            check_discord_descriptions(sub, where);
            registered++;
        }
    }

    size_t declared = 0;
    for (const tend_command_spec *c = tend_catalogue(); c->name; c++) {
        if (c->flags & TEND_CMD_NO_PICKER)
            continue;
        declared++;
        char cmd[40];
        const char *words = tend_catalogue_picker(c);
        const char *space = strchr(words, ' ');
        snprintf(cmd, sizeof cmd, "%.*s", space ? (int)(space - words) : (int)strlen(words), words);
        const char *sub = space ? space + 1 : NULL;
        const cJSON *entry = named(list, cmd);
        if (entry && sub)
            entry = named(cJSON_GetObjectItemCaseSensitive(entry, "options"), sub);
        if (!entry)
            fail_msg("/%s is not registered on Discord as %s", c->name, words);
        /* the interaction comes back as the catalogue's command */
        const char *back = dc_commands_lookup(cmd, sub);
        if (!back || strcmp(back, c->name) != 0)
            fail_msg("Discord's /%s reads back as %s, not %s", words, back ? back : "nothing", c->name);
        /* Discord shows coordinators' commands only to Manage Server, members' to everyone */
        const cJSON *perm = cJSON_GetObjectItemCaseSensitive(named(list, cmd), "default_member_permissions");
        if (!c->coordinator_only && perm)
            fail_msg("/%s is for members, but Discord hides /%s from them", c->name, cmd);
        if (c->coordinator_only && !sub && !perm)
            fail_msg("/%s is for coordinators, but Discord shows it to every member", c->name);

        const cJSON *opts = cJSON_GetObjectItemCaseSensitive(entry, "options");
        size_t n = n_options(c);
        if ((size_t)cJSON_GetArraySize(opts) != n)
            fail_msg("/%s: %d options on Discord, %zu in the catalogue", c->name, cJSON_GetArraySize(opts), n);
        for (size_t i = 0; i < n; i++) {
            const tend_option *o = &c->options[i];
            const cJSON *j = cJSON_GetArrayItem(opts, (int)i);
            const cJSON *jname = cJSON_GetObjectItemCaseSensitive(j, "name");
            if (!cJSON_IsString(jname) || strcmp(jname->valuestring, o->name) != 0)
                fail_msg("/%s: option %zu is %s on Discord, %s in the catalogue", c->name, i,
                         cJSON_IsString(jname) ? jname->valuestring : "?", o->name);
            if (number(j, "type") != dc_type[o->type] ||
                cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(j, "required")) != o->required ||
                cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(j, "autocomplete")) != o->autocomplete)
                fail_msg("/%s %s: type, required or autocomplete differ on Discord", c->name, o->name);
            if (strcmp(cJSON_GetObjectItemCaseSensitive(j, "description")->valuestring, o->description) != 0)
                fail_msg("/%s %s: another description on Discord", c->name, o->name);
            const cJSON *choices = cJSON_GetObjectItemCaseSensitive(j, "choices");
            for (size_t k = 0; o->choices && o->choices[k]; k++) {
                const cJSON *ch = cJSON_GetArrayItem(choices, (int)k);
                if (!ch || strcmp(cJSON_GetObjectItemCaseSensitive(ch, "value")->valuestring, o->choices[k]) != 0)
                    fail_msg("/%s %s: choice %s is missing on Discord", c->name, o->name, o->choices[k]);
            }
            if (!o->choices && choices)
                fail_msg("/%s %s: Discord offers choices the catalogue does not", c->name, o->name);
            if (o->type == TEND_OPT_NUMBER &&
                (number(j, "min_value") != o->min || number(j, "max_value") != o->max))
                fail_msg("/%s %s: other bounds on Discord", c->name, o->name);
            if (o->type == TEND_OPT_TEXT && o->max && number(j, "max_length") != o->max)
                fail_msg("/%s %s: another length limit on Discord", c->name, o->name);
            if (dc_commands_option_mode(cmd, sub, o->name) != dc_mode[o->form])
                fail_msg("/%s %s: read back from Discord in another form", c->name, o->name);
        }
    }
    assert_int_equal(registered, declared);
    /* what is not tend's reads as typed, and a command Discord does not list is not made up */
    assert_null(dc_commands_lookup("task", "nope"));
    assert_null(dc_commands_lookup("nope", NULL));
    assert_int_equal(dc_commands_option_mode("nope", NULL, "x"), DC_OPT_RAW);

    /* the translations reach Discord: Spanish for Spain and for Latin America */
    const cJSON *claim = named(list, "claim");
    const cJSON *loc = cJSON_GetObjectItemCaseSensitive(claim, "description_localizations");
    const cJSON *es = cJSON_GetObjectItemCaseSensitive(loc, "es-ES");
    assert_true(cJSON_IsString(es));
    assert_string_equal(es->valuestring, tend_i18n_tr("es", tend_catalogue_find("claim")->brief));
    assert_string_not_equal(es->valuestring, tend_catalogue_find("claim")->brief);
    assert_non_null(cJSON_GetObjectItemCaseSensitive(loc, "es-419"));

    /* a choice is named in the member's language; what Discord sends back is still the English
     * word every parser takes */
    const cJSON *energy = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(named(list, "checkin"), "options"), 0);
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(energy, "name")->valuestring, "energy");
    const cJSON *great = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(energy, "choices"), 0);
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(great, "value")->valuestring, "great");
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(great, "name")->valuestring, "great");
    const cJSON *names = cJSON_GetObjectItemCaseSensitive(great, "name_localizations");
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(names, "es-ES")->valuestring, "genial");
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(names, "es-419")->valuestring, "genial");
    assert_null(cJSON_GetObjectItemCaseSensitive(names, "en-US"));
    /* "no" is "no" in Spanish: nothing to say there; German says "nein" */
    const cJSON *teach = NULL, *o;
    cJSON_ArrayForEach(o, cJSON_GetObjectItemCaseSensitive(named(list, "task"), "options"))
    if (strcmp(cJSON_GetObjectItemCaseSensitive(o, "name")->valuestring, "add") == 0)
        teach = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(o, "options"), 7);
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(teach, "name")->valuestring, "teach");
    const cJSON *yes = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(teach, "choices"), 0);
    const cJSON *no = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(teach, "choices"), 1);
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(
                            cJSON_GetObjectItemCaseSensitive(yes, "name_localizations"), "es-ES")->valuestring,
                        "sí");
    const cJSON *no_names = cJSON_GetObjectItemCaseSensitive(no, "name_localizations");
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(no, "value")->valuestring, "no");
    assert_null(cJSON_GetObjectItemCaseSensitive(no_names, "es-ES"));
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(no_names, "de")->valuestring, "nein");
    cJSON_Delete(list);
}

static void telegram_menus_list_each_first_word_for_who_may_run_it(void **state)
{
    (void)state;
    cJSON *members = tend_telegram_command_menu(false);
    cJSON *admins = tend_telegram_command_menu(true);
    assert_true(cJSON_GetArraySize(admins) <= 100);
    for (const tend_command_spec *c = tend_catalogue(); c->name; c++) {
        char word[40];
        snprintf(word, sizeof word, "%.*s", (int)strcspn(c->name, " "), c->name);
        for (char *p = word; *p; p++)
            if (*p == '-')
                *p = '_';
        bool in_members = false, in_admins = false;
        const cJSON *e;
        cJSON_ArrayForEach(e, members) in_members |= strcmp(cJSON_GetObjectItem(e, "command")->valuestring, word) == 0;
        cJSON_ArrayForEach(e, admins) in_admins |= strcmp(cJSON_GetObjectItem(e, "command")->valuestring, word) == 0;
        if (!in_admins)
            fail_msg("/%s is missing from Telegram's menu", c->name);
        /* a first word whose commands are all for coordinators stays out of members' menu */
        bool any_for_members = false;
        for (const tend_command_spec *d = tend_catalogue(); d->name; d++)
            any_for_members |= !d->coordinator_only && strncmp(d->name, c->name, strcspn(c->name, " ")) == 0 &&
                               strcspn(d->name, " ") == strcspn(c->name, " ");
        if (in_members != any_for_members)
            fail_msg("/%s is %s members' Telegram menu", c->name, in_members ? "in" : "missing from");
    }
    cJSON_Delete(members);
    cJSON_Delete(admins);
}

/* The menu a member whose Telegram is in Spanish sees: the same command words, described in
 * Spanish, never cut inside a character. */
static void telegram_menu_in_another_language(void **state)
{
    (void)state;
    cJSON *en = tend_telegram_command_menu(false);
    cJSON *es = tend_telegram_command_menu_in(false, "es");
    assert_int_equal(cJSON_GetArraySize(es), cJSON_GetArraySize(en));
    const cJSON *e, *checkin = NULL;
    cJSON_ArrayForEach(e, es) {
        const char *word = cJSON_GetObjectItemCaseSensitive(e, "command")->valuestring;
        const char *said = cJSON_GetObjectItemCaseSensitive(e, "description")->valuestring;
        assert_true(strlen(said) >= 1 && strlen(said) <= 256);
        if (strcmp(word, "checkin") == 0)
            checkin = e;
    }
    assert_non_null(checkin);
    const char *summary = tend_catalogue_find("checkin")->summary;
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(checkin, "description")->valuestring,
                        tend_i18n_tr("es", summary));
    assert_string_not_equal(tend_i18n_tr("es", summary), summary);
    cJSON_Delete(en);
    cJSON_Delete(es);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_command_is_declared_whole),
        cmocka_unit_test(every_usage_tells_the_options_it_needs),
        cmocka_unit_test(discord_registers_each_command_with_its_options),
        cmocka_unit_test(telegram_menus_list_each_first_word_for_who_may_run_it),
        cmocka_unit_test(telegram_menu_in_another_language),
    };
    return cmocka_run_group_tests(tests, setup_translations, NULL);
}
