/* people.c — the people command family (placeholder until its handlers land). */
#include "bot/command.h"

const tend_command_spec tend_people_commands[] = {
    {NULL, NULL, NULL, false, NULL},
};
