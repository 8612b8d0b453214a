/*
 * command.h — what a command handler gets and how it answers.
 *
 * The commands themselves are declared once, in the catalogue (catalogue.h). The router (router.c)
 * parses the text, finds the command, ensures the group and the member, checks the coordinator
 * permission, opens a transaction and calls the handler. A handler:
 *   - reads its words and options from ctx->args (positions count after the command name),
 *   - reads and writes only through store.h,
 *   - answers with tend_reply_private / tend_reply_public / tend_dm,
 *   - returns TEND_OK, or tend_usage(...) / tend_refuse(...) for a member's mistake, or
 *     tend_store_failed(ctx, rc) when the store failed.
 * Anything but TEND_OK rolls the transaction back and drops the handler's other replies, so a
 * refused command changes nothing.
 */
#ifndef TEND_COMMAND_H
#define TEND_COMMAND_H

#include <stdbool.h>
#include <stdint.h>

#include "bot/args.h"
#include "bot/bot.h"
#include "bot/catalogue.h"
#include "bot/reply.h"
#include "bot/request.h"
#include "store/store.h"

enum {
    TEND_OK = 0,
    TEND_EUSAGE = 1,    /* the member typed it wrong: explanation + usage        */
    TEND_EREFUSED = 2,  /* understood, but cannot be done: explanation only      */
    TEND_EDUPLICATE = 3, /* the router's own: the event was handled before       */
    TEND_ESTORE = -1    /* the store failed: "nothing was changed, try again"   */
};

struct tend_ctx {
    const tend_env *env;
    int64_t now;
    const tend_request *req;
    const tend_command_spec *spec;
    tend_group group;      /* the member's group; handlers may change and save it */
    tend_member member;    /* who typed the command                              */
    tend_args *args;
    tend_messages *out;
    const char *platform;  /* "discord", from the group key                      */
    char error[600];       /* set by tend_usage / tend_refuse                    */
};

/* A private reply to the member who typed the command. NULL on OOM. */
tend_message *tend_reply_private(tend_ctx *ctx, const char *kind, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* A public message in the group's channel (the one the command came from). NULL on OOM. */
tend_message *tend_reply_public(tend_ctx *ctx, const char *kind, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* A direct message to another member (or the same one), e.g. "you're off the waitlist". */
tend_message *tend_dm(tend_ctx *ctx, const tend_member *to, const char *kind, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* A member's mistake: a one-line explanation; the router adds the command's usage. */
int tend_usage(tend_ctx *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Understood but not possible ("Task 12 is already done."): the explanation alone. */
int tend_refuse(tend_ctx *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The store returned rc: logs it, returns TEND_ESTORE. */
int tend_store_failed(tend_ctx *ctx, int rc);

/* Finds the member a word names: a platform reference (word i is a ref), "@name" or "name" in this
 * group. Creates the member when the word is a platform reference to someone not seen before.
 * TEND_STORE_OK, TEND_STORE_NOTFOUND or an error. */
int tend_resolve_member(tend_ctx *ctx, size_t word_index, tend_member *out);

/* The member's capacity: their own, or the group's default. */
int tend_member_capacity(const tend_ctx *ctx, const tend_member *m);

#endif
