/*
 * catalogue.h — every command tend has, declared once (bot/catalogue.c): its name, its usage and
 * example, its help text, who may run it, its handler, and its options with their types and limits.
 *
 * Everything else is made from it: the router's lookup (router.c), /help and /help COMMAND
 * (help.c), Discord's slash commands and how their options read back into text
 * (adapters/discord/commands.c), Telegram's command menu (adapters/telegram/commands.c), and the
 * summaries and descriptions in tend.pot (po/list_commands.c). A new command is one entry in
 * catalogue.c and its handler in its family's file.
 *
 * The words here are platform-free. What a member reads (summary, brief, option descriptions) is
 * an English msgid, translated where it is shown.
 */
#ifndef TEND_CATALOGUE_H
#define TEND_CATALOGUE_H

#include <stdbool.h>
#include <stddef.h>

typedef struct tend_ctx tend_ctx;
/* Runs one command; see bot/command.h for what a handler gets and returns. */
typedef int (*tend_handler)(tend_ctx *ctx);

/* What an option's value is. */
typedef enum {
    TEND_OPT_TEXT,     /* words                                              */
    TEND_OPT_NUMBER,   /* a whole number                                     */
    TEND_OPT_MEMBER,   /* someone in the group (a platform reference)        */
    TEND_OPT_CHANNEL,  /* a place in the group's space where tend can post   */
} tend_option_type;

/* Where an option's value goes in the command's text, for a platform that asks for options in a
 * form (Discord) and hands tend the text a member would have typed. */
typedef enum {
    TEND_OPT_WORD,   /* in its place, as one word (quoted when needed): claim 12, task add "Soup run" */
    TEND_OPT_NAMED,  /* name:value, quoted when needed: when:"fri 18:00"                            */
    TEND_OPT_RAW,    /* as typed, however many words: tasks ics mine, help task add                 */
} tend_option_form;

/* The words members type for an option's values that tend reads in their language too
 * (bot/words.h): /help COMMAND and the picker's choices show them in the reader's words. */
typedef enum {
    TEND_OPT_WORDS_NONE,
    TEND_OPT_WORDS_ENERGY,   /* great, ok, low, out                    */
    TEND_OPT_WORDS_SWITCH,   /* on/off, yes/no                         */
    TEND_OPT_WORDS_DURATION, /* 3 days, a week, 2 weeks                */
    TEND_OPT_WORDS_WHEN,     /* fri 18:00, tomorrow 6pm                */
    TEND_OPT_WORDS_REPEAT,   /* weekly, biweekly, monthly              */
} tend_option_words;

typedef struct {
    const char *name;          /* "task": lower case, digits and '-' only                  */
    const char *description;   /* msgid, at most 100 characters in every language         */
    tend_option_type type;
    tend_option_form form;
    bool required;             /* required options come first                             */
    bool autocomplete;         /* the bot suggests values as they are typed (complete.c)  */
    const char *const *choices; /* the only values it takes, NULL-terminated; NULL: any   */
    /* a number's bounds, 0 = unbounded; a text's most characters, 0 = the longest text tend
     * takes (TEND_LIMIT_LONG_TEXT_CHARS) unless it has choices or autocomplete */
    int min, max;
    tend_option_words words;   /* values read in the member's language too              */
} tend_option;

#define TEND_OPTIONS_MAX 12

/* What a command needs of the place it is typed in, and where it is listed (flags). */
enum {
    /* Between the member and the bot: typed where others can read it (req->place is
     * TEND_PLACE_SHARED), it records nothing and the member is pointed to their private chat
     * (bot/privacy.h). */
    TEND_CMD_PRIVATE = 1u << 0,
    /* Stores nothing that is the member's: no member row is made or touched, so what the command
     * writes can never be tied to its author (ctx->member has only the key and name, id 0). */
    TEND_CMD_ANONYMOUS = 1u << 1,
    /* Left out of /help's list (which must stay one Discord message): members meet it in the
     * offers that say what to type (a backup call, a turn of a rotation). /help NAME still tells it. */
    TEND_CMD_UNLISTED = 1u << 2,
    /* Not a command of its own in a platform's command picker: it is reached through another
     * command's option there ("tasks ics" is /tasks filter:ics on Discord). */
    TEND_CMD_NO_PICKER = 1u << 3,
};

typedef struct tend_command_spec {
    const char *name;      /* "claim", "task add", "agreements amend"                           */
    const char *usage;     /* TEND_CMD "claim <task>"                                            */
    const char *summary;   /* msgid: its line in /help and in a command menu                     */
    /* msgid, at most 100 characters: the short words a command picker shows beside the name in
     * the member's language (Discord's description_localizations; Discord's English is the
     * summary when it fits). NULL: the summary, in English only. */
    const char *brief;
    /* msgid: TEND_CMD "claim 12, or " TEND_CMD "claim Soup run". Each command in it runs up to
     * the next ',', ';' or '(' (test_examples runs every one, in every language). */
    const char *example;
    bool coordinator_only;
    tend_handler run;
    unsigned flags;        /* TEND_CMD_*                                                         */
    /* Its words in a picker of two-word commands, when its own name is one word that also starts
     * others ("agreements" beside "agreements add" is "agreements show"). NULL: its name. */
    const char *picker;
    tend_option options[TEND_OPTIONS_MAX]; /* in the order they are asked for; ends at a NULL name */
} tend_command_spec;

/* Every command, in the order /help lists them; the last entry has a NULL name. */
const tend_command_spec *tend_catalogue(void);

/* The command called name ("task add"), exactly; NULL when there is none. */
const tend_command_spec *tend_catalogue_find(const char *name);

/* The command a picker lists as top ("agreements") and sub ("show", or NULL for a one-word
 * command); NULL when none is. */
const tend_command_spec *tend_catalogue_by_picker(const char *top, const char *sub);

/* Its words in a picker: "agreements show", "task add", "claim". */
const char *tend_catalogue_picker(const tend_command_spec *spec);

/* Its option called name, or NULL. */
const tend_option *tend_catalogue_option(const tend_command_spec *spec, const char *name);

#endif
