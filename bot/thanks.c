/* thanks.c — the thanks command family (placeholder until its handlers land). */
#include "bot/command.h"

const tend_command_spec tend_thanks_commands[] = {
    {NULL, NULL, NULL, false, NULL},
};
