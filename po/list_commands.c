/*
 * list_commands.c — prints every sentence of the command catalogue (bot/catalogue.c) as N_("...")
 * for xgettext: each command's brief and its options' descriptions (the words a command picker
 * shows), then each /help summary. Read from the catalogue itself, so nothing in it can be left
 * out of tend.pot for want of a marker.
 */
#include <stdio.h>

#include "bot/catalogue.h"

static void put_literal(const char *s)
{
    putchar('"');
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            putchar('\\');
        putchar(*s);
    }
    putchar('"');
}

static void put_msgid(const char *comment_for, const char *s)
{
    if (!s || !s[0])
        return;
    if (comment_for)
        printf("/* TRANSLATORS: /help's line for %s */ ", comment_for);
    printf("N_(");
    put_literal(s);
    printf(")\n");
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
    return 0;
}
