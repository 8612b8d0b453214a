/*
 * batch.h — what the bot says when a group commit (store/store_batch.h) did not reach the disk.
 */
#ifndef TEND_BOT_BATCH_H
#define TEND_BOT_BATCH_H

#include "bot/bot.h"
#include "bot/reply.h"

/* Adds to `out` the answer a member gets instead of `answer` (the first answer to their command)
 * when the group commit their command was in failed: nothing was changed, privately, by the same
 * way back (its reply_to), in their language. 0, or -1 without memory. */
int tend_bot_store_failed_answer(const tend_bot *bot, const tend_message *answer, tend_messages *out);

#endif
