/*
 * adapter.h — what every chat platform's adapter offers the app.
 *
 * An adapter translates, nothing more: platform events become tend_request values handed to its
 * host (adapters/host.h), and outbox rows handed to send() become the platform's messages. It
 * runs on the app's one libuv loop and never blocks it.
 */
#ifndef TEND_ADAPTER_H
#define TEND_ADAPTER_H

#include <stdbool.h>

#include <uv.h>

#include "adapters/host.h"

typedef struct tend_adapter tend_adapter;

typedef struct tend_adapter_ops {
    const char *platform; /* "console", "discord", "matrix": the prefix of its group keys */
    /* The platform cannot recognise a resend (a terminal has no txn id or nonce): each row is
     * removed as soon as it is delivered, so a crash can repeat at most the message in flight.
     * Otherwise removals are batched, one transaction per turn of the loop. */
    bool resend_shows_twice;
    /* Starts connecting / reading on the loop. 0, or -1 with a one-line reason logged. */
    int (*start)(tend_adapter *self);
    /* Sends one outbox row and later (or at once) reports the platform's verdict with
     * tend_host_sent(). The host sends one row at a time per destination, in order. Returns 0 when
     * the send is under way (or done), -1 when it could not even start (the host retries later). */
    int (*send)(tend_adapter *self, const tend_outgoing *out);
    /* Begins an orderly shutdown; the loop ends when every handle is closed. */
    void (*stop)(tend_adapter *self);
    /* Frees everything; called after the loop has drained. Accepts NULL impl. */
    void (*destroy)(tend_adapter *self);
    /* Optional. A command the host took (TEND_HOST_QUEUED) has run: rc is what handle() would have
     * returned (TEND_HOST_DUPLICATE: a replay, nothing new will be sent for it). reply_to is the
     * request's own, valid during the call. */
    void (*handled)(tend_adapter *self, const char *reply_to, int rc);
    /* None of the adapter's state is a position in an event stream that commands still queued
     * (TEND_HOST_QUEUED) must precede: its state writes go to the database at once, never behind
     * those commands (a mark guarding a send must be durable before the send's effects are). */
    bool state_at_once;
} tend_adapter_ops;

struct tend_adapter {
    const tend_adapter_ops *ops;
    void *impl;
    uv_loop_t *loop;
    tend_host *host;
};

#endif
