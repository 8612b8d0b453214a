/* setup.c — the setup command family (placeholder until its handlers land). */
#include "bot/command.h"

const tend_command_spec tend_setup_commands[] = {
    {NULL, NULL, NULL, false, NULL},
};
