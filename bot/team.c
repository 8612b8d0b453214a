/* team.c — the team command family (placeholder until its handlers land). */
#include "bot/command.h"

const tend_command_spec tend_team_commands[] = {
    {NULL, NULL, NULL, false, NULL},
};
