/*
 * bot.h — the product as one object: give it a member's command, get back what to say; tick it,
 * get back what is due. It never sees a platform, a socket or JSON.
 */
#ifndef TEND_BOT_H
#define TEND_BOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bot/reply.h"
#include "bot/request.h"
#include "config/settings.h"
#include "lib/clock.h"
#include "store/store.h"

/* What handlers and the scheduler share: where to remember, what time it is, the knobs. */
#define TEND_MAX_PLATFORMS 4

typedef struct tend_env {
    tend_store *store;
    tend_clock *clock;
    const tend_settings *settings;
    /* The platforms this process delivers to (see tend_bot_serve_platforms); none = all. */
    char platforms[TEND_MAX_PLATFORMS][TEND_KEY_MAX];
    size_t n_platforms;
    /* Whether what the bot says is written to the durable outbox (the app turns it on). */
    bool outbox;
} tend_env;

/* True when group_key ("discord:123") belongs to a platform (or is a group) this process serves. */
bool tend_env_serves(const tend_env *env, const char *group_key);

typedef struct tend_bot tend_bot;

/* The bot borrows store and clock (the caller destroys them after the bot). NULL on OOM. */
tend_bot *tend_bot_create(tend_store *store, tend_clock *clock, const tend_settings *settings);
/* Accepts NULL. */
void tend_bot_destroy(tend_bot *bot);

/* Runs one command and appends what the bot says to out: always at least one message, even for a
 * command it does not know. The command's writes are one transaction. Returns 0, -1 when the
 * store failed (a message telling the member so is still appended), or TEND_BOT_DUPLICATE when
 * req->event_id was handled before (nothing is appended: it was answered then). */
#define TEND_BOT_DUPLICATE 1
int tend_bot_handle(tend_bot *bot, const tend_request *req, tend_messages *out);

/* Runs everything the scheduler has due at the clock's now; appends what to deliver. Each fired
 * thing is recorded in the same transaction as its effect, so it happens exactly once. 0 or -1. */
int tend_bot_tick(tend_bot *bot, tend_messages *out);

/* The unix time of the next scheduled thing (the loop sleeps until then, at most a minute). */
int64_t tend_bot_next_due(tend_bot *bot);

const tend_env *tend_bot_env(const tend_bot *bot);

/* Up to `max` task suggestions while a member types the task option of `command` (the command as
 * typed so far; its first words name it: "done", "handoff accept 3"), in task number order:
 *   done, handoff, keep           the member's active claims on open tasks
 *   unclaim                       their active claims and waitlist spots
 *   handoff accept / decline      the tasks someone offered them
 *   claim, and anything else      open tasks they neither hold nor wait on
 * `typed` (NULL or "" for all) keeps those whose "#12 Title" holds it, case-insensitive. Reads
 * only; a member or group not seen yet holds nothing. The count written to out (0 when the store
 * failed: an empty list still answers). */
size_t tend_bot_complete(const tend_env *env, const char *group_key, const char *member_key, const char *command,
                         const char *typed, tend_choice *out, size_t max);
/* The kinds the group's tasks carry (kind:driving), most used first, as a member types `typed`
 * into a kind: option: the group's own words, so "driving" is offered once it has been used.
 * Reads only; 0 when the group is unknown or the store failed. */
size_t tend_bot_complete_kind(const tend_env *env, const char *group_key, const char *typed, tend_choice *out,
                              size_t max);

/* From now on every message the bot says is written to the outbox in the transaction of its cause,
 * with its row id in outbox_id (the app's sender delivers them). */
void tend_bot_use_outbox(tend_bot *bot);

/* Limits the scheduler to groups of these platforms ("console", "discord", "matrix") or to these
 * very groups (a name with a colon: "console:demo"), so a console opened on a shared database
 * never uses up a Discord group's check-in prompt, nor another console group's, that nobody would
 * see. Without a call, every group is served (tests, tools). 0, or -1 when n is too large or a
 * name too long. */
int tend_bot_serve_platforms(tend_bot *bot, const char *const *names, size_t n);

#endif
