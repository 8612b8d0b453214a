/*
 * host.h — what an adapter is given: its one way into the rest of tend.
 *
 * An adapter only translates. Platform events in: it turns a member's command into a tend_request
 * and hands it to the host, which runs it (dedupe by event id, rate limit, one transaction) and
 * writes every answer to the durable outbox in that same transaction. Messages out: the host calls
 * the adapter's send() with one outbox row at a time per destination, and the adapter reports the
 * platform's verdict with tend_host_sent(). The adapter never calls the bot or the store, and never
 * decides anything about the product (which tasks autocomplete offers is the host's answer).
 *
 * The host is implemented by the app (app/host.c); the interface is a table of functions so that
 * this folder depends on nothing above it. Every call is made on the loop thread (on PostgreSQL the
 * host runs commands on a store thread of its own, app/host_async.c; the adapter does not see it).
 */
#ifndef TEND_HOST_H
#define TEND_HOST_H

#include <stddef.h>
#include <stdint.h>

#include "bot/reply.h"
#include "bot/request.h"

typedef struct tend_host tend_host;

/* What handle() returns besides 0. */
#define TEND_HOST_DUPLICATE 1 /* the event was handled before (a replay): nothing new to send     */
#define TEND_HOST_FAILED (-1) /* the store failed; the member was told so (that answer is sent)   */
#define TEND_HOST_QUEUED 2    /* taken, to run off the loop (a PostgreSQL store): its answers reach
                                 send() later, and its verdict the adapter's handled()            */

/* The platform's verdict on one send. */
typedef enum {
    TEND_SENT_OK,    /* the platform accepted it: the row is delivered and pruned                   */
    TEND_SENT_RETRY, /* a passing failure (network, 5xx, 429 after retries): try again with back-off */
    TEND_SENT_DROP   /* it can never be delivered (the member blocks DMs, the channel is gone)      */
} tend_sent_result;

/* One outbox row handed to an adapter's send(). Valid only during the call: copy what you keep. */
typedef struct tend_outgoing {
    int64_t id;                /* the row; pass it back to tend_host_sent()                          */
    const char *idem_key;      /* stable across retries and restarts: a Matrix txn id, a Discord nonce */
    const tend_message *msg;
    const char *reply_to;      /* the adapter's own origin string of the command this answers (what
                                  the request's reply_to said), or NULL: an unprompted message     */
    int64_t created_at;        /* when its cause committed (unix seconds)                            */
    int attempts;              /* sends tried before this one (0 the first time)                      */
} tend_outgoing;

/* Work in numbered parts (a Discord bot's gateway shards) split between the tend processes that
 * run the bot on one database: what happened to one part here (tend_host_share). */
typedef enum {
    TEND_SHARE_TAKEN,    /* this process runs the part from now: start it                        */
    TEND_SHARE_LOST,     /* another process may run it now: stop it at once, keep nothing of it  */
    TEND_SHARE_GIVE_BACK /* another process is short of work: stop it in order, keeping what the
                            next one needs, then call tend_host_share_given_back                  */
} tend_share_event;
typedef void (*tend_host_share_cb)(void *ud, int part, tend_share_event event);

/* Where a host that answers later hands autocomplete choices (tend_host_complete_then). */
typedef void (*tend_host_choices_cb)(void *ud, const tend_choice *choices, size_t n);

typedef struct tend_host_ops {
    int (*handle)(tend_host *h, const tend_request *req);
    size_t (*complete)(tend_host *h, const char *group_key, const char *member_key, const char *command,
                       const char *option, const char *typed, tend_choice *out, size_t max);
    int (*state_get)(tend_host *h, const char *key, char *value, size_t valuelen);
    int (*state_set)(tend_host *h, const char *key, const char *value);
    int (*state_delete)(tend_host *h, const char *key);
    int (*link_group)(tend_host *h, const char *const *set_keys, const char *const *set_values, size_t n_set,
                      const char *const *delete_keys, size_t n_delete, const char *group_key,
                      const char *channel_key);
    int (*event_claim)(tend_host *h, const char *event_id);
    int64_t (*now)(tend_host *h);
    void (*sent)(tend_host *h, int64_t id, tend_sent_result result);
    void (*stop)(tend_host *h, int exit_code);
    int (*introduce)(tend_host *h, const char *group_key, const char *name, char *member_key, size_t keylen);
    int (*advance)(tend_host *h, int64_t seconds);
    int (*language)(tend_host *h, const char *group_key, const char *member_key, const char *locale, char *out,
                    size_t outlen);
    const struct tend_host_crypto_ops *crypto; /* adapters/host_crypto.h; NULL: the host keeps none */
    /* NULL: complete() answers at once. Otherwise the choices come later, through cb. */
    int (*complete_later)(tend_host *h, const char *group_key, const char *member_key, const char *command,
                          const char *option, const char *typed, tend_host_choices_cb cb, void *ud);
    /* NULL: this process is the bot's only one. */
    int (*peers)(tend_host *h);
    /* NULL: this process runs every part itself. */
    int (*share)(tend_host *h, const char *name, int parts, tend_host_share_cb cb, void *ud);
    void (*share_given_back)(tend_host *h, int part);
} tend_host_ops;

struct tend_host {
    const tend_host_ops *ops;
    void *app;            /* the implementation's own                                        */
    const char *platform; /* "console", "discord", "matrix": this adapter's namespace         */
};

/* Runs a member's command. Its answers (and whatever else it causes) are in the outbox when this
 * returns and reach send() soon after, the first of them before any other work of the loop.
 * 0, TEND_HOST_DUPLICATE or TEND_HOST_FAILED. Set req->reply_to to find your way back.
 * A host whose store is a network database (PostgreSQL) takes the command instead (a copy of
 * req) and returns TEND_HOST_QUEUED: its answers reach send() once it ran, and the verdict (0,
 * TEND_HOST_DUPLICATE, TEND_HOST_FAILED) goes to the adapter's handled(), when it has one. */
static inline int tend_host_handle(tend_host *h, const tend_request *req)
{
    return h->ops->handle(h, req);
}

/* How many tend processes run this bot on the same database, this one included (at least 1), as
 * last counted (every few seconds, from their leases): a budget Discord sets for the whole bot (50
 * requests a second) is shared between them, never multiplied by them. */
static inline int tend_host_peers(tend_host *h)
{
    int n = h->ops->peers ? h->ops->peers(h) : 1;
    return n < 1 ? 1 : n;
}

/* Splits work of `parts` numbered parts named `name` ("discord.shard.") with the other tend
 * processes on this database (app/shares.h says how: each takes a fair share, and the parts of a
 * process that dies are taken over once its leases run out). cb hears, on the loop thread, of
 * each part this process is to start or stop, from the loop's next turn on; nothing runs until
 * then. One share per adapter. 0, or -1 when the host does not share work (run every part). */
static inline int tend_host_share(tend_host *h, const char *name, int parts, tend_host_share_cb cb, void *ud)
{
    return h->ops->share ? h->ops->share(h, name, parts, cb, ud) : -1;
}
/* The part cb was told to give back has stopped in order: another process may take it now. */
static inline void tend_host_share_given_back(tend_host *h, int part)
{
    if (h->ops->share_given_back)
        h->ops->share_given_back(h, part);
}

/* Up to `max` suggestions for the option named `option` ("task", "kind"; NULL: a task) of `command`
 * (the command text: "claim", "handoff accept", ...) as the member types `typed`: the host decides
 * what fits (open tasks to claim, the member's own to finish, the group's own kinds). */
static inline size_t tend_host_complete(tend_host *h, const char *group_key, const char *member_key,
                                        const char *command, const char *option, const char *typed,
                                        tend_choice *out, size_t max)
{
    return h->ops->complete(h, group_key, member_key, command, option, typed, out, max);
}

/* tend_host_complete, for an adapter that can answer later: cb gets the choices on the loop
 * thread, inside this call when the host answers at once, or after it returns when the host runs
 * the bot off the loop (a PostgreSQL store). 0, or -1 when it could not even start (cb is then
 * never called). */
static inline int tend_host_complete_then(tend_host *h, const char *group_key, const char *member_key,
                                          const char *command, const char *option, const char *typed,
                                          tend_host_choices_cb cb, void *ud)
{
    if (h->ops->complete_later)
        return h->ops->complete_later(h, group_key, member_key, command, option, typed, cb, ud);
    tend_choice choices[TEND_MAX_CHOICES];
    size_t n = h->ops->complete(h, group_key, member_key, command, option, typed, choices, TEND_MAX_CHOICES);
    cb(ud, choices, n);
    return 0;
}

/* A small value the adapter keeps across restarts (a sync token, a DM channel, a session), in its
 * own namespace. get: 0 found, 1 not found, negative on failure; set and delete: 0 or negative. */
static inline int tend_host_state_get(tend_host *h, const char *key, char *value, size_t valuelen)
{
    return h->ops->state_get(h, key, value, valuelen);
}
static inline int tend_host_state_set(tend_host *h, const char *key, const char *value)
{
    return h->ops->state_set(h, key, value);
}
static inline int tend_host_state_delete(tend_host *h, const char *key)
{
    return h->ops->state_delete(h, key);
}

/* Several state changes at once, all or nothing, and (when group_key is not NULL) the group made
 * with channel_key as its channel if it does not exist yet: for rooms linked into one group. 0 or
 * negative. */
static inline int tend_host_link_group(tend_host *h, const char *const *set_keys, const char *const *set_values,
                                       size_t n_set, const char *const *delete_keys, size_t n_delete,
                                       const char *group_key, const char *channel_key)
{
    return h->ops->link_group(h, set_keys, set_values, n_set, delete_keys, n_delete, group_key, channel_key);
}

/* Records that an incoming event that is not a command (an autocomplete, a link request) was
 * handled, so a replay is recognised: 0 new, 1 seen before, negative on failure. */
static inline int tend_host_event_claim(tend_host *h, const char *event_id)
{
    return h->ops->event_claim(h, event_id);
}

/* tend's clock (unix seconds): the real time, or the console's moved one. */
static inline int64_t tend_host_now(tend_host *h)
{
    return h->ops->now(h);
}

/* The platform's verdict on the row send() was given. May be called from inside send(). */
static inline void tend_host_sent(tend_host *h, int64_t id, tend_sent_result result)
{
    h->ops->sent(h, id, result);
}

/* Ends the process in order (input ended, or the platform refused us for good: exit_code != 0). */
static inline void tend_host_stop(tend_host *h, int exit_code)
{
    h->ops->stop(h, exit_code);
}

/* What introduce() returns besides 0 and a negative store failure; nothing was added. */
#define TEND_HOST_NAME_TAKEN 1      /* another member of the group goes by a name that looks the same */
#define TEND_HOST_NAME_UNREADABLE 2 /* nothing readable is left once invisible characters are gone  */

/* The console's own directives: `:as NAME` makes NAME, as others will read it (bot/names.h), a
 * member of the group unless it is one already, and writes that name, which is also the member's
 * key on the console, to member_key (also when it is refused); `:advance` moves the clock, stopping at each moment something
 * falls due. 0, TEND_HOST_NAME_TAKEN, TEND_HOST_NAME_UNREADABLE, or negative. */
static inline int tend_host_introduce(tend_host *h, const char *group_key, const char *name, char *member_key,
                                      size_t keylen)
{
    return h->ops->introduce(h, group_key, name, member_key, keylen);
}
static inline int tend_host_advance(tend_host *h, int64_t seconds)
{
    return h->ops->advance(h, seconds);
}

/* The language an adapter's own sentence is written in (a bot/i18n.h code, "" = English), to put it
 * in with tend_i18n_tr or tend_messages_add_lang. With member_key NULL: what group_key's group
 * reads (its /setup language). With a member: what only they read, their /profile language, else
 * `locale` (the language their app reports now, as the platform spells it; may be NULL) when tend
 * speaks it, else their app's language last time they used tend, else their group's. group_key
 * NULL (a member whose group is not known): their app's locale, else English. 0 when the group was
 * found, 1 when tend knows nothing of it (out is then the locale's language, or ""), negative on a
 * store failure (out ""). Reads only; nothing of the bot's current answer changes. */
static inline int tend_host_language(tend_host *h, const char *group_key, const char *member_key,
                                     const char *locale, char *out, size_t outlen)
{
    if (outlen)
        out[0] = '\0';
    return h->ops->language ? h->ops->language(h, group_key, member_key, locale, out, outlen) : 1;
}

#endif
