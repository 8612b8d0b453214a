/* tasks.c — the tasks command family (placeholder until its handlers land). */
#include "bot/command.h"

const tend_command_spec tend_tasks_commands[] = {
    {NULL, NULL, NULL, false, NULL},
};
