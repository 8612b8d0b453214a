/* rest.c — the rest command family (placeholder until its handlers land). */
#include "bot/command.h"

const tend_command_spec tend_rest_commands[] = {
    {NULL, NULL, NULL, false, NULL},
};
