/*
 * catalogue.c — every command, declared once (what each field means: catalogue.h).
 *
 * One file for all of them, so whoever reads or rewords what members see (summaries, briefs,
 * option descriptions, usages and examples, in plain English first) finds every command's words
 * side by side; the handlers stay in their families' files (handlers.h lists them).
 *
 * The order is /help's. Each option is asked for in the order written; required ones first.
 */
#include "bot/catalogue.h"

#include <string.h>

#include "bot/handlers.h"
#include "bot/limits.h"
#include "bot/reply.h"

/* An English msgid: po/list_commands.c reads every one of them from this table into tend.pot. */
#define N_(s) s

static const char *const energy_choices[] = {"great", "ok", "low", "out", NULL};
/* "tasks ics [mine]" is a command of its own (a calendar file); in a picker it is two more
 * choices of /tasks, passed on as typed, so "ics mine" stays two words */
static const char *const filter_choices[] = {"open", "mine", "all", "ics", "ics mine", "learn", NULL};
static const char *const yesno_choices[] = {"yes", "no", NULL};
static const char *const learn_choices[] = {"learn", NULL};
static const char *const onoff_choices[] = {"on", "off", NULL};
static const char *const off_choices[] = {"off", NULL};

/* Options several commands share. */
#define OPT_TASK                                                                                   \
    {.name = "task", .description = N_("The task: its number or a few words of its title"), .type = TEND_OPT_TEXT, .form = TEND_OPT_WORD,  \
     .required = true, .autocomplete = true}
#define OPT_NOTE {.name = "note", .description = N_("A short note"), .type = TEND_OPT_TEXT, .form = TEND_OPT_NAMED}
#define OPT_WHEN                                                                                   \
    {.name = "when", .description = N_("When, like fri 18:00, tomorrow 6pm or 3 dec"), .type = TEND_OPT_TEXT, .form = TEND_OPT_NAMED,      \
     .words = TEND_OPT_WORDS_WHEN}
#define OPT_SLOTS {.name = "slots", .description = N_("How many people it needs"), .type = TEND_OPT_NUMBER, .form = TEND_OPT_NAMED, .min = 1, .max = 20}
#define OPT_WEIGHT {.name = "weight", .description = N_("How big it is, 1 to 5"), .type = TEND_OPT_NUMBER, .form = TEND_OPT_NAMED, .min = 1, .max = 5}
#define OPT_REPEAT                                                                                 \
    {.name = "repeat", .description = N_("weekly, biweekly, monthly or every:3d"), .type = TEND_OPT_TEXT, .form = TEND_OPT_NAMED,          \
     .words = TEND_OPT_WORDS_REPEAT}
#define OPT_KIND                                                                                   \
    {.name = "kind", .description = N_("Your group's word for this sort of task, like driving"), .type = TEND_OPT_TEXT, .form = TEND_OPT_NAMED, \
     .autocomplete = true}
#define OPT_ROTATE                                                                                 \
    {.name = "rotate", .description = N_("Offer each new one round the group in turn"), .type = TEND_OPT_TEXT, .form = TEND_OPT_NAMED,     \
     .choices = yesno_choices, .words = TEND_OPT_WORDS_SWITCH}
#define OPT_TEACH                                                                                  \
    {.name = "teach", .description = N_("Whoever takes it is happy to show someone how"), .type = TEND_OPT_TEXT, .form = TEND_OPT_NAMED,   \
     .choices = yesno_choices, .words = TEND_OPT_WORDS_SWITCH}
#define OPT_TASK_NOTE {.name = "note", .description = N_("Details: where, what to bring"), .type = TEND_OPT_TEXT, .form = TEND_OPT_NAMED}
/* what task add and task edit share after the title */
#define OPT_TASK_DETAILS OPT_WHEN, OPT_SLOTS, OPT_WEIGHT, OPT_REPEAT, OPT_KIND, OPT_ROTATE, OPT_TEACH, OPT_TASK_NOTE

static const tend_command_spec catalogue[] = {
    /* ------------------------------------------------------------ tasks (tasks.c, task_*.c) */
    {.name = "tasks",
     .usage = TEND_CMD "tasks [open|mine|all|learn] [page:N]",
     .summary = N_("the task board"),
     .brief = N_("The task board"),
     .example = N_(TEND_CMD "tasks, " TEND_CMD "tasks mine, " TEND_CMD "tasks learn, or " TEND_CMD "tasks all page:2"),
     .run = tend_cmd_tasks,
     .options = {{.name = "filter", .description = N_("Which tasks (ics: a calendar file)"), .type = TEND_OPT_TEXT, .form = TEND_OPT_RAW,
                  .choices = filter_choices},
                 {.name = "page", .description = N_("Which page of a long board"), .type = TEND_OPT_NUMBER, .form = TEND_OPT_NAMED, .min = 1}}},
    {.name = "task add",
     .usage = TEND_CMD "task add <title> [when:...] [slots:1-20] [weight:1-5] "
                       "[repeat:weekly|biweekly|monthly|every:3d] [kind:...] [rotate:yes] [teach:yes] [note:...]",
     .summary = N_("post a task for the group"),
     .brief = N_("Post a task"),
     .example = N_(TEND_CMD "task add Soup run when:\"fri 18:00\" slots:2 repeat:weekly note:bring a big pot"),
     .run = tend_cmd_task_add,
     .options = {{.name = "title", .description = N_("What needs doing"), .type = TEND_OPT_TEXT, .form = TEND_OPT_WORD, .required = true,
                  .max = TEND_LIMIT_TITLE_CHARS},
                 OPT_TASK_DETAILS}},
    {.name = "task edit",
     .usage = TEND_CMD "task edit <task> [title:...] [when:...] [slots:...] [weight:...] [repeat:...] [kind:...] "
                       "[rotate:...] [teach:...] [note:...]",
     .summary = N_("fix a task you posted"),
     .brief = N_("Fix a task you posted"),
     .example = N_(TEND_CMD "task edit 12 when:\"sat 10am\", or " TEND_CMD "task edit Soup run slots:3"),
     .run = tend_cmd_task_edit,
     .options = {OPT_TASK,
                 {.name = "title", .description = N_("A new title"), .type = TEND_OPT_TEXT, .form = TEND_OPT_NAMED, .max = TEND_LIMIT_TITLE_CHARS},
                 OPT_TASK_DETAILS}},
    {.name = "task cancel",
     .usage = TEND_CMD "task cancel <task> [note:reason] [repeat:off]",
     .summary = N_("call off a task you posted"),
     .brief = N_("Call off a task you posted"),
     .example = N_(TEND_CMD "task cancel 12 note:the kitchen is closed this week"),
     .run = tend_cmd_task_cancel,
     .options = {OPT_TASK,
                 {.name = "note", .description = N_("Why, for the people on it"), .type = TEND_OPT_TEXT, .form = TEND_OPT_NAMED},
                 {.name = "repeat", .description = N_("off: call off the whole series"), .type = TEND_OPT_TEXT, .form = TEND_OPT_NAMED,
                  .choices = off_choices}}},
    {.name = "claim",
     .usage = TEND_CMD "claim <task>",
     .summary = N_("take a slot on a task"),
     .brief = N_("Take a slot on a task"),
     .example = N_(TEND_CMD "claim 12, or " TEND_CMD "claim Soup run; " TEND_CMD "claim 12 learn (to learn it alongside)"),
     .run = tend_cmd_claim,
     .options = {OPT_TASK,
                 {.name = "learn", .description = N_("Learn it alongside whoever does it, without a slot"), .type = TEND_OPT_TEXT, .form = TEND_OPT_WORD,
                  .choices = learn_choices}}},
    {.name = "unclaim",
     .usage = TEND_CMD "unclaim <task>",
     .summary = N_("give a task back, no questions asked"),
     .brief = N_("Give a task back"),
     .example = N_(TEND_CMD "unclaim 12"),
     .run = tend_cmd_unclaim,
     .options = {OPT_TASK}},
    {.name = "keep",
     .usage = TEND_CMD "keep <task>",
     .summary = N_("tell me you're still on a task"),
     .example = N_(TEND_CMD "keep 12"),
     .run = tend_cmd_keep,
     .options = {{.name = "details", .description = N_("Anything after the command"), .type = TEND_OPT_TEXT, .form = TEND_OPT_RAW}}},
    {.name = "done",
     .usage = TEND_CMD "done <task> [note:...]",
     .summary = N_("mark a task finished and celebrate"),
     .brief = N_("Mark a task finished"),
     .example = N_(TEND_CMD "done 12, or " TEND_CMD "done Soup run note:fed 40 people"),
     .run = tend_cmd_done,
     .options = {OPT_TASK, OPT_NOTE}},

    /* ------------------------------------------------------------ handing on (handoff.c) */
    {.name = "handoff",
     .usage = TEND_CMD "handoff <task> <member>",
     .summary = N_("offer your slot to someone"),
     .brief = N_("Offer your slot to someone"),
     .example = N_(TEND_CMD "handoff 12 Ana, or " TEND_CMD "handoff Drive to the pantry Ana"),
     .run = tend_cmd_handoff,
     .picker = "handoff offer",
     .options = {OPT_TASK, {.name = "member", .description = N_("Who to offer it to"), .type = TEND_OPT_MEMBER, .form = TEND_OPT_WORD, .required = true}}},
    {.name = "handoff accept",
     .usage = TEND_CMD "handoff accept <task>",
     .summary = N_("take a task someone offered you"),
     .brief = N_("Take a slot someone offered you"),
     .example = N_(TEND_CMD "handoff accept 12"),
     .run = tend_cmd_handoff_accept,
     .options = {OPT_TASK}},
    {.name = "handoff decline",
     .usage = TEND_CMD "handoff decline <task>",
     .summary = N_("say no to a handoff, kindly"),
     .brief = N_("Say no thanks to an offered slot"),
     .example = N_(TEND_CMD "handoff decline 12"),
     .run = tend_cmd_handoff_decline,
     .options = {OPT_TASK}},

    /* ------------------------------------------------------------ how members are (checkin.c, rest.c) */
    {.name = "checkin",
     .usage = TEND_CMD "checkin [great|ok|low|out] [note]",
     .summary = N_("tell me privately how you're doing this week"),
     .brief = N_("How you're doing this week"),
     .example = N_(TEND_CMD "checkin ok, or " TEND_CMD "checkin low note:long week at work"),
     .run = tend_cmd_checkin,
     .flags = TEND_CMD_PRIVATE,
     .options = {{.name = "energy", .description = N_("How your week is going"), .type = TEND_OPT_TEXT, .form = TEND_OPT_WORD, .choices = energy_choices,
                  .words = TEND_OPT_WORDS_ENERGY},
                 OPT_NOTE}},
    {.name = "stepback",
     .usage = TEND_CMD "stepback [3 days|1w|2 weeks|YYYY-MM-DD] [note]",
     .summary = N_("take a break: your tasks go back to the group, and I stay quiet until you're back"),
     .brief = N_("Rest for a while"),
     .example = N_(TEND_CMD "stepback a week, " TEND_CMD "stepback 3 days, or " TEND_CMD "stepback 2026-12-24"),
     .run = tend_cmd_stepback,
     .flags = TEND_CMD_PRIVATE,
     .options = {{.name = "for", .description = N_("How long: 3 days, a week, 2w or a date"), .type = TEND_OPT_TEXT, .form = TEND_OPT_NAMED,
                  .words = TEND_OPT_WORDS_DURATION}, OPT_NOTE}},
    {.name = "back",
     .usage = TEND_CMD "back [hello]",
     .summary = N_("end a break early (hello: be welcomed back in the digest)"),
     .brief = N_("End your rest early"),
     .example = N_(TEND_CMD "back"),
     .run = tend_cmd_back,
     .flags = TEND_CMD_PRIVATE},

    /* ------------------------------------------------------------ thanks.c */
    {.name = "thanks",
     .usage = TEND_CMD "thanks <member> [for what]",
     .summary = N_("say thank you to someone, in front of the group"),
     .brief = N_("Thank someone"),
     .example = N_(TEND_CMD "thanks Ana for the lift"),
     .run = tend_cmd_thanks,
     .options = {{.name = "member", .description = N_("Who to thank"), .type = TEND_OPT_MEMBER, .form = TEND_OPT_WORD, .required = true},
                 {.name = "for", .description = N_("What for"), .type = TEND_OPT_TEXT, .form = TEND_OPT_NAMED}}},

    /* ------------------------------------------------------------ oneself (people.c) */
    {.name = "me",
     .usage = TEND_CMD "me",
     .summary = N_("your own load, claims and rest, just for you"),
     .brief = N_("Your own load"),
     .example = N_(TEND_CMD "me"),
     .run = tend_cmd_me,
     .flags = TEND_CMD_PRIVATE},
    {.name = "capacity",
     .usage = TEND_CMD "capacity <1-20>",
     .summary = N_("how much you want to carry in a week"),
     .brief = N_("Your weekly capacity"),
     .example = N_(TEND_CMD "capacity 2"),
     .run = tend_cmd_capacity,
     .flags = TEND_CMD_PRIVATE,
     .options = {{.name = "n", .description = N_("How much you can take on in a week"), .type = TEND_OPT_NUMBER, .form = TEND_OPT_WORD, .required = true,
                  .max = TEND_LIMIT_CAPACITY}}},
    {.name = "profile",
     .usage = TEND_CMD "profile [name:...] [pronouns:...] [quiet:HH:MM-HH:MM|off] [tz:Area/City] [remind:2h|off] "
                       "[language:es|off]",
     .summary = N_("how you're shown, your quiet hours, time zone, reminders and language"),
     .brief = N_("How you're shown, quiet hours, time zone, reminders"),
     .example = N_(TEND_CMD "profile quiet:22:00-07:00 tz:Europe/Berlin remind:1h"),
     .run = tend_cmd_profile,
     .flags = TEND_CMD_PRIVATE,
     .options = {{.name = "name", .description = N_("Your name"), .type = TEND_OPT_TEXT, .form = TEND_OPT_NAMED},
                 {.name = "pronouns", .description = N_("Your pronouns"), .type = TEND_OPT_TEXT, .form = TEND_OPT_NAMED},
                 {.name = "quiet", .description = N_("Quiet hours, like 22:00-07:00, or off"), .type = TEND_OPT_TEXT, .form = TEND_OPT_NAMED},
                 {.name = "tz", .description = N_("Your time zone, like Europe/Berlin"), .type = TEND_OPT_TEXT, .form = TEND_OPT_NAMED},
                 {.name = "remind", .description = N_("A reminder before a task you hold: 2h, 30m, 1d or off"), .type = TEND_OPT_TEXT,
                  .form = TEND_OPT_NAMED},
                 {.name = "language", .description = N_("Your language for what only you read, like es, or off"), .type = TEND_OPT_TEXT,
                  .form = TEND_OPT_NAMED}}},
    {.name = "nudges",
     .usage = TEND_CMD "nudges on|off|later",
     .summary = N_("whether I may nudge you (at most once a week)"),
     .brief = N_("Whether I may nudge you"),
     .example = N_(TEND_CMD "nudges off"),
     .run = tend_cmd_nudges,
     .flags = TEND_CMD_PRIVATE,
     .options = {{.name = "setting", .description = N_("on or off"), .type = TEND_OPT_TEXT, .form = TEND_OPT_WORD, .required = true,
                  .choices = onoff_choices, .words = TEND_OPT_WORDS_SWITCH}}},

    /* ------------------------------------------------------------ the group's process (process.c) */
    {.name = "feedback",
     .usage = TEND_CMD "feedback <suggestion>",
     .summary = N_("an anonymous suggestion: no name is kept with it"),
     .brief = N_("An anonymous suggestion"),
     .example = N_(TEND_CMD "feedback the Monday prompt comes too early for shift workers"),
     .run = tend_cmd_feedback,
     .flags = TEND_CMD_PRIVATE | TEND_CMD_ANONYMOUS,
     .options = {{.name = "text", .description = N_("Your suggestion; no name is kept"), .type = TEND_OPT_TEXT, .form = TEND_OPT_WORD, .required = true}}},
    {.name = "agreements",
     .usage = TEND_CMD "agreements",
     .summary = N_("the group's agreements"),
     .brief = N_("The group's agreements"),
     .example = N_(TEND_CMD "agreements"),
     .run = tend_cmd_agreements,
     .picker = "agreements show"},
    {.name = "agreements add",
     .usage = TEND_CMD "agreements add <text>",
     .summary = N_("record a new agreement"),
     .brief = N_("Record an agreement"),
     .example = N_(TEND_CMD "agreements add We rotate who runs the Monday call."),
     .coordinator_only = true,
     .run = tend_cmd_agreements_add,
     .options = {{.name = "text", .description = N_("The agreement"), .type = TEND_OPT_TEXT, .form = TEND_OPT_WORD, .required = true}}},
    {.name = "agreements amend",
     .usage = TEND_CMD "agreements amend <number> <text>",
     .summary = N_("amend an agreement (the old wording is kept)"),
     .brief = N_("Amend an agreement"),
     .example = N_(TEND_CMD "agreements amend 2 We rotate the Monday call every month."),
     .coordinator_only = true,
     .run = tend_cmd_agreements_amend,
     .options = {{.name = "number", .description = N_("Which agreement"), .type = TEND_OPT_NUMBER, .form = TEND_OPT_WORD, .required = true, .min = 1},
                 {.name = "text", .description = N_("The new wording"), .type = TEND_OPT_TEXT, .form = TEND_OPT_WORD, .required = true}}},
    {.name = "export",
     .usage = TEND_CMD "export",
     .summary = N_("your own data, as a JSON file"),
     .brief = N_("Your own data"),
     .example = N_(TEND_CMD "export"),
     .run = tend_cmd_export,
     .flags = TEND_CMD_PRIVATE,
     .picker = "export me"},
    {.name = "export group",
     .usage = TEND_CMD "export group",
     .summary = N_("the group's data, as a JSON file"),
     .brief = N_("The group's data"),
     .example = N_(TEND_CMD "export group"),
     .coordinator_only = true,
     .run = tend_cmd_export_group,
     .flags = TEND_CMD_PRIVATE},
    {.name = "tasks ics",
     .usage = TEND_CMD "tasks ics [mine]",
     .summary = N_("tasks that have a time, as a file for your calendar"),
     .example = N_(TEND_CMD "tasks ics, or " TEND_CMD "tasks ics mine"),
     .run = tend_cmd_tasks_ics,
     .flags = TEND_CMD_NO_PICKER},
    {.name = "forgetme",
     .usage = TEND_CMD "forgetme [confirm]",
     .summary = N_("erase your data from this group"),
     .brief = N_("Erase your data"),
     .example = N_(TEND_CMD "forgetme, then " TEND_CMD "forgetme confirm"),
     .run = tend_cmd_forgetme,
     .flags = TEND_CMD_PRIVATE},
    {.name = "help",
     .usage = TEND_CMD "help [command]",
     .summary = N_("what I can do, or how one command goes"),
     .brief = N_("What I can do"),
     .example = N_(TEND_CMD "help claim"),
     .run = tend_cmd_help,
     .options = {{.name = "command", .description = N_("One command, to see how it goes"), .type = TEND_OPT_TEXT, .form = TEND_OPT_RAW}}},

    /* ------------------------------------------------------------ coordinators (team.c, setup.c) */
    {.name = "team",
     .usage = TEND_CMD "team",
     .summary = N_("group health at a glance, without names"),
     .brief = N_("Group health"),
     .example = N_(TEND_CMD "team"),
     .coordinator_only = true,
     .run = tend_cmd_team},
    {.name = "setup",
     .usage = TEND_CMD "setup [channel:<channel>] [timezone:Area/City] [checkin:\"mon 18:00\"] "
                       "[digest:\"sun 19:00\"] [capacity:1-20] [language:es]",
     .summary = N_("where and when I post, the group's time zone, default capacity and language"),
     .brief = N_("Where and when I post"),
     .example = N_(TEND_CMD "setup timezone:Europe/Berlin checkin:\"mon 18:00\" digest:\"sun 18:00\""),
     .coordinator_only = true,
     .run = tend_cmd_setup,
     .options = {{.name = "channel", .description = N_("Where I post"), .type = TEND_OPT_CHANNEL, .form = TEND_OPT_NAMED},
                 {.name = "timezone", .description = N_("The group's time zone, like Europe/Berlin"), .type = TEND_OPT_TEXT, .form = TEND_OPT_NAMED},
                 {.name = "checkin", .description = N_("Weekly check-in, like mon 18:00"), .type = TEND_OPT_TEXT, .form = TEND_OPT_NAMED},
                 {.name = "digest", .description = N_("Weekly digest, like sun 18:00"), .type = TEND_OPT_TEXT, .form = TEND_OPT_NAMED},
                 {.name = "capacity", .description = N_("Default weekly capacity"), .type = TEND_OPT_NUMBER, .form = TEND_OPT_NAMED, .min = 1,
                  .max = TEND_LIMIT_CAPACITY},
                 {.name = "language", .description = N_("The group's language, like es"), .type = TEND_OPT_TEXT, .form = TEND_OPT_NAMED}}},
    {.name = "pause-new",
     .usage = TEND_CMD "pause-new [for]",
     .summary = N_("pause new tasks while the group rests a little"),
     .brief = N_("Pause new tasks for a while"),
     .example = N_(TEND_CMD "pause-new 2 weeks"),
     .coordinator_only = true,
     .run = tend_cmd_pause_new,
     .options = {{.name = "for", .description = N_("How long: 3 days, a week, 2w"), .type = TEND_OPT_TEXT, .form = TEND_OPT_NAMED,
                  .words = TEND_OPT_WORDS_DURATION}}},
    {.name = "resume-new",
     .usage = TEND_CMD "resume-new",
     .summary = N_("welcome new tasks again"),
     .brief = N_("Welcome new tasks again"),
     .example = N_(TEND_CMD "resume-new"),
     .coordinator_only = true,
     .run = tend_cmd_resume_new},

    /* ------------------------------------------------------------ answering offers (backups.c) */
    {.name = "backup",
     .usage = TEND_CMD "backup [kind on|off]",
     .summary = N_("be asked first for a kind of task"),
     .brief = N_("Be asked first when a kind of task needs someone"),
     .example = N_(TEND_CMD "backup driving on, or " TEND_CMD "backup (to see yours)"),
     .run = tend_cmd_backup,
     .flags = TEND_CMD_PRIVATE | TEND_CMD_UNLISTED,
     .options = {{.name = "kind", .description = N_("Your group's word for the kind, like driving"), .type = TEND_OPT_TEXT, .form = TEND_OPT_WORD,
                  .autocomplete = true},
                 {.name = "setting", .description = N_("on or off"), .type = TEND_OPT_TEXT, .form = TEND_OPT_WORD, .choices = onoff_choices,
                  .words = TEND_OPT_WORDS_SWITCH}}},
    {.name = "pass",
     .usage = TEND_CMD "pass <task>",
     .summary = N_("say no thanks to an offer"),
     .brief = N_("Not this time: say no to a task I offered you"),
     .example = N_(TEND_CMD "pass 12"),
     .run = tend_cmd_pass,
     .flags = TEND_CMD_PRIVATE | TEND_CMD_UNLISTED,
     .options = {OPT_TASK}},

    {.name = NULL},
};

const tend_command_spec *tend_catalogue(void)
{
    return catalogue;
}

const tend_command_spec *tend_catalogue_find(const char *name)
{
    for (const tend_command_spec *c = catalogue; c->name; c++)
        if (strcmp(c->name, name) == 0)
            return c;
    return NULL;
}

const char *tend_catalogue_picker(const tend_command_spec *spec)
{
    return spec->picker ? spec->picker : spec->name;
}

const tend_command_spec *tend_catalogue_by_picker(const char *top, const char *sub)
{
    size_t n = strlen(top);
    for (const tend_command_spec *c = catalogue; c->name; c++) {
        if (c->flags & TEND_CMD_NO_PICKER)
            continue;
        const char *words = tend_catalogue_picker(c);
        if (strncmp(words, top, n) != 0)
            continue;
        if (sub ? words[n] == ' ' && strcmp(words + n + 1, sub) == 0 : words[n] == '\0')
            return c;
    }
    return NULL;
}

const tend_option *tend_catalogue_option(const tend_command_spec *spec, const char *name)
{
    for (size_t i = 0; i < TEND_OPTIONS_MAX && spec->options[i].name; i++)
        if (strcmp(spec->options[i].name, name) == 0)
            return &spec->options[i];
    return NULL;
}
