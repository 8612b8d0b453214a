/*
 * outbox.h — the bot's half of the durable outbox: what it says is written to the store in the
 * transaction of its cause, so a crash can neither lose an answer to a committed command nor send
 * one for a command that did not happen. The app's sender (app/sender.c) delivers the rows.
 */
#ifndef TEND_BOT_OUTBOX_H
#define TEND_BOT_OUTBOX_H

#include <stddef.h>
#include <stdint.h>

#include "bot/bot.h"

/* The message as one self-contained string for the outbox row (JSON). malloc'd; NULL on OOM. */
char *tend_message_encode(const tend_message *m);

/* Appends the message `payload` holds to list. 0, or -1 when it is not one tend_message_encode
 * wrote (the list is then unchanged). */
int tend_message_decode(const char *payload, tend_messages *list);

/* Marks which of out->items[from..] answer the request (to the member who asked, or where they
 * asked) by giving them req->reply_to; at least the first is an answer, so a platform that must
 * answer every command (a Discord interaction) always has one. No-op without req->reply_to. */
int tend_outbox_mark_answers(const tend_request *req, tend_messages *out, size_t from);

/* Writes out->items[from..] to the outbox inside the caller's open transaction and sets each one's
 * outbox_id. Does nothing when env->outbox is off (unit tests, tools). TEND_STORE_OK or an error
 * (the caller rolls back: the cause did not happen either). */
int tend_outbox_write(const tend_env *env, tend_messages *out, size_t from, int64_t now);

#endif
