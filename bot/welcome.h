/*
 * welcome.h — the one-time private welcome a member gets with the answer to their first command
 * in a group (Discord, Matrix, Signal, Telegram): what tend is for and the few commands that matter
 * first. The console is one person at a keyboard, so it is not welcomed there.
 */
#ifndef TEND_WELCOME_H
#define TEND_WELCOME_H

#include "bot/command.h"

/* After a command that succeeded: welcomes ctx->member once, recorded in the command's own
 * transaction. TEND_OK or TEND_ESTORE. */
int tend_welcome_if_new(tend_ctx *ctx);

#endif
