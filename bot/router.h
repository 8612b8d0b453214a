/* router.h — the command router behind tend_bot_handle(); see router.c. */
#ifndef TEND_ROUTER_H
#define TEND_ROUTER_H

#include "bot/bot.h"

/* Parses, checks and runs one command; always appends at least one message. 0, or -1 when the
 * store failed. */
int tend_bot_handle_request(const tend_env *env, const tend_request *req, tend_messages *out);

#endif
