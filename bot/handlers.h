/*
 * handlers.h — every command's handler, for the catalogue (catalogue.c) that names them. Each is
 * defined in its family's file; what a handler gets and returns is in command.h.
 */
#ifndef TEND_HANDLERS_H
#define TEND_HANDLERS_H

#include "bot/command.h"

/* tasks.c, task_board.c, task_post.c */
int tend_cmd_tasks(tend_ctx *ctx);
int tend_cmd_task_add(tend_ctx *ctx);
int tend_cmd_task_edit(tend_ctx *ctx);
int tend_cmd_task_cancel(tend_ctx *ctx);
int tend_cmd_claim(tend_ctx *ctx);
int tend_cmd_unclaim(tend_ctx *ctx);
int tend_cmd_keep(tend_ctx *ctx);
int tend_cmd_done(tend_ctx *ctx);
/* handoff.c */
int tend_cmd_handoff(tend_ctx *ctx);
int tend_cmd_handoff_accept(tend_ctx *ctx);
int tend_cmd_handoff_decline(tend_ctx *ctx);
/* checkin.c */
int tend_cmd_checkin(tend_ctx *ctx);
/* rest.c */
int tend_cmd_stepback(tend_ctx *ctx);
int tend_cmd_back(tend_ctx *ctx);
/* thanks.c */
int tend_cmd_thanks(tend_ctx *ctx);
/* people.c */
int tend_cmd_me(tend_ctx *ctx);
int tend_cmd_capacity(tend_ctx *ctx);
int tend_cmd_profile(tend_ctx *ctx);
int tend_cmd_nudges(tend_ctx *ctx);
/* process.c */
int tend_cmd_feedback(tend_ctx *ctx);
int tend_cmd_agreements(tend_ctx *ctx);
int tend_cmd_agreements_add(tend_ctx *ctx);
int tend_cmd_agreements_amend(tend_ctx *ctx);
int tend_cmd_export(tend_ctx *ctx);
int tend_cmd_export_group(tend_ctx *ctx);
int tend_cmd_tasks_ics(tend_ctx *ctx);
int tend_cmd_forgetme(tend_ctx *ctx);
/* help.c */
int tend_cmd_help(tend_ctx *ctx);
/* team.c */
int tend_cmd_team(tend_ctx *ctx);
/* setup.c */
int tend_cmd_setup(tend_ctx *ctx);
int tend_cmd_pause_new(tend_ctx *ctx);
int tend_cmd_resume_new(tend_ctx *ctx);
/* backups.c */
int tend_cmd_backup(tend_ctx *ctx);
int tend_cmd_pass(tend_ctx *ctx);

#endif
