/*
 * list_commands.c — prints every command's /help summary as N_("...") for xgettext, so the build
 * extracts them from the command tables themselves (the bot folder) without a list kept by hand.
 */
#include <stdio.h>

#include "bot/command.h"

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

int main(void)
{
    const tend_command_spec *const *fam = tend_command_families();
    for (size_t f = 0; fam[f]; f++)
        for (const tend_command_spec *s = fam[f]; s->name; s++) {
            if (!s->summary || !s->summary[0])
                continue;
            printf("/* TRANSLATORS: /help's line for %s */ N_(", s->name);
            put_literal(s->summary);
            printf(")\n");
        }
    return 0;
}
