/* checkin.c — the checkin command family (placeholder until its handlers land). */
#include "bot/command.h"

const tend_command_spec tend_checkin_commands[] = {
    {NULL, NULL, NULL, false, NULL},
};
