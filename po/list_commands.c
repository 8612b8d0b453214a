/*
 * list_commands.c — prints every sentence of the command catalogue (bot/catalogue.c) as N_("...")
 * for xgettext: each command's brief and its options' descriptions (the words a command picker
 * shows), then each /help summary, then each example /help COMMAND shows. Read from the catalogue itself, so nothing in it can be left
 * out of tend.pot for want of a marker.
 */
#include <stdio.h>

#include "bot/catalogue.h"

static void put_literal(const char *s)
{
    putchar('"');
    for (; *s; s++) {
        if (*s == '\x1D') { /* the command prefix, as a string of its own: "\x1Dclaim" would read as one escape */
            printf("\\x1D\" \"");
            continue;
        }
        if (*s == '"' || *s == '\\')
            putchar('\\');
        putchar(*s);
    }
    putchar('"');
}

static void put_plain(const char *s)
{
    printf("N_(");
    put_literal(s);
    printf(")\n");
}

static void put_msgid(const char *comment_for, const char *s)
{
    if (!s || !s[0])
        return;
    if (comment_for)
        printf("/* TRANSLATORS: /help's line for %s */ ", comment_for);
    put_plain(s);
}

/* An example as /help COMMAND shows it ("For example: ..."). */
static void put_example(const char *command, const char *s)
{
    if (!s || !s[0])
        return;
    printf("/* TRANSLATORS: the example /help %s shows. Command and option names stay as they are (they "
           "are what members type); translate the free text in it (titles, notes, names, \"or\"), and "
           "the words tend reads in your language may be yours (check-in answers, lengths of time, "
           "when:, yes/no, repeat:). Each command runs up to the next comma, semicolon or bracket, so "
           "keep those after each one and none inside: test_examples runs every command of it. An "
           "example with no words in it is copied as it is. */ ",
           command);
    put_plain(s);
}

int main(void)
{
    for (const tend_command_spec *c = tend_catalogue(); c->name; c++) {
        put_msgid(NULL, c->brief);
        for (size_t i = 0; i < TEND_OPTIONS_MAX && c->options[i].name; i++)
            put_msgid(NULL, c->options[i].description);
    }
    for (const tend_command_spec *c = tend_catalogue(); c->name; c++)
        put_msgid(c->name, c->summary);
    for (const tend_command_spec *c = tend_catalogue(); c->name; c++)
        put_example(c->name, c->example);
    return 0;
}
