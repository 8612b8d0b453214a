/* router.h — the command router behind tend_bot_handle(); see router.c. */
#ifndef TEND_ROUTER_H
#define TEND_ROUTER_H

#include "bot/bot.h"
#include "bot/ratelimit.h"

/* Parses, checks and runs one command; always appends at least one message. 0, or -1 when the
 * store failed. A member or group over its budget in `limits` (NULL = no limits) gets a polite
 * private reply and nothing runs. */
int tend_bot_handle_request(const tend_env *env, tend_ratelimit *limits, const tend_request *req,
                            tend_messages *out);

#endif
