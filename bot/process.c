/* process.c — the process command family (placeholder until its handlers land). */
#include "bot/command.h"

const tend_command_spec tend_process_commands[] = {
    {NULL, NULL, NULL, false, NULL},
};
