/*
 * adapter.h — the one interface between the bot and a chat platform.
 *
 * An adapter turns platform events into tend_request values, calls tend_bot_handle() and renders
 * the messages it gets back (it knows how to answer the event it came from: an interaction token, a
 * Matrix event to reply to, a console line). The app calls deliver() for messages nobody asked for:
 * scheduled posts, nudges, and DMs produced by someone else's command. Adapters run on the app's
 * one libuv loop and never block it.
 */
#ifndef TEND_ADAPTER_H
#define TEND_ADAPTER_H

#include <uv.h>

#include "bot/bot.h"
#include "bot/reply.h"

typedef struct tend_adapter tend_adapter;

typedef struct tend_adapter_ops {
    const char *platform; /* "console", "discord", "matrix": the prefix of its group keys */
    /* Starts connecting / reading on the loop. 0, or -1 with a one-line reason logged. */
    int (*start)(tend_adapter *self);
    /* Delivers one message the bot produced on its own. 0, or -1 (it will be logged). */
    int (*deliver)(tend_adapter *self, const tend_message *msg);
    /* Begins an orderly shutdown; the loop ends when every handle is closed. */
    void (*stop)(tend_adapter *self);
    /* Frees everything; called after the loop has drained. Accepts NULL impl. */
    void (*destroy)(tend_adapter *self);
} tend_adapter_ops;

struct tend_adapter {
    const tend_adapter_ops *ops;
    void *impl;
    uv_loop_t *loop;
    tend_bot *bot;
};

#endif
