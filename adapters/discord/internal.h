/*
 * internal.h — what the Discord adapter's files share. Nothing outside adapters/discord/ and its
 * unit tests includes this.
 *
 *   discord.c       the adapter object: create, start, send, stop, destroy
 *   shards.c        the gateway as a set of shards: GET /gateway/bot, IDENTIFY buckets, stop
 *   gateway.c       one shard's session: hello, heartbeat, identify, resume, reconnect, and the
 *                   session kept in the store across restarts
 *   gateway_ws.c    one shard's websocket (libwebsockets on the app's libuv loop)
 *   rest.c          REST requests in ordered chains, with retries and rate limits (lib/http.h)
 *   ratelimit.c     rate limits per bucket and top-level resource, the global one, the gateway's
 *                   send window (ratelimit.h)
 *   interactions.c  from INTERACTION_CREATE / MESSAGE_CREATE to a tend_request (pure decoding)
 *   dispatch.c      decoded events into the host; outbox rows out as callbacks, posts and DMs
 *   seen.c          the interactions this run has seen, so their answers know which way to go
 *   defer.c         a deferral when a command the host runs later is slow to answer (PostgreSQL)
 *   render.c        from a tend_message to a Discord message body (pure encoding)
 *   commands.c      the Discord shape of every command, for registration
 *   intro.c         the one hello in a server tend just joined
 */
#ifndef TEND_DISCORD_INTERNAL_H
#define TEND_DISCORD_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>
#include <uv.h>

#include "adapters/adapter.h"
#include "adapters/discord/ratelimit.h"
#include "adapters/discord/restq.h"
#include "lib/http.h"
#include "bot/request.h"
#include "config/config.h"

#define DC_USER_AGENT "DiscordBot (https://github.com/tend, 0.1)"
#define DC_INTENTS ((1 << 0) | (1 << 9) | (1 << 12)) /* GUILDS, GUILD_MESSAGES, DIRECT_MESSAGES */
#define DC_PERM_ADMINISTRATOR (1ULL << 3)
#define DC_PERM_MANAGE_GUILD (1ULL << 5)
#define DC_FLAG_EPHEMERAL 64
#define DC_FLAG_LOADING 128 /* a deferred response still "thinking" */
#define DC_FOLLOWUP_WINDOW_MS (14 * 60 * 1000) /* an interaction's token lives 15 minutes */
#define DC_CONTENT_MAX 2000
#define DC_FILE_MAX (10u * 1024 * 1024) /* what a bot may upload per file */
/* Raw text per piece when a long message is split; the margin covers mentions growing from a
 * 3-byte marker to "<@snowflake>" when rendered. */
#define DC_SPLIT_BYTES 1800
#define DC_CUSTOM_ID_PREFIX "tend:"
/* Splits what follows the prefix of a button's custom_id, "<guild>:<command>" (or a plain
 * "<command>" from older messages): writes the guild id ("" when absent) and returns the command. */
const char *dc_custom_id_command(const char *after_prefix, char *guild, size_t guildlen);
#define DC_MAX_REFS 8

typedef struct dc_gateway dc_gateway;
typedef struct dc_rest dc_rest;

/* The adapter's state; tend_adapter.impl points here. */
typedef struct discord {
    tend_adapter base;
    uv_loop_t *loop;
    char *token;
    char *auth_header;      /* "Authorization: Bot <token>" */
    char *app_id;
    char *api_base;         /* no trailing slash */
    char *gateway_url_cfg;  /* NULL: ask GET /gateway/bot */
    bool global_commands;
    bool global_registered;
    int shard_first, shard_last, shard_count; /* [discord] shards; shard_count 0: as Discord advises */
    bool shard_range; /* [discord] shards named a range (0-3/8): run those, share nothing */
    char bot_user_id[32];
    dc_hmap registered_guilds; /* guilds whose commands this process registered; a hash set,
                                  because 10,000 GUILD_CREATEs must not cost 10,000^2 compares */
    struct registered_guild *register_next, *register_last; /* those still to register, in order */
    int registering;        /* their PUTs handed to rest now (discord.c keeps this small)         */
    char *commands_body;    /* the commands' JSON while guilds wait, made once for all of them    */
    dc_hmap interactions;   /* when each interaction arrived, whether its callback went (dispatch.c) */
    size_t interactions_pruned_at;
    struct dc_sending *sendings; /* outbox rows on their way (dispatch.c), freed on destroy */
    tend_http *http;
    dc_rest *rest;
    dc_gateway *gw;
    bool stopping;
    bool stopped;           /* stop() ran: handles are closing */
    uv_timer_t stop_timer;  /* runs a fatal stop outside any library callback */
    uv_timer_t defer_timer; /* the oldest interaction still waiting for its first answer (defer.c) */
    struct dc_deferral *deferrals, *deferrals_tail; /* in the order they were handed to the host */
    struct dc_deferral *deferring; /* deferrals on their way to Discord, freed at destroy if cut off */
    bool fatal;
} discord;

/* ---------------------------------------------------------------- discord.c */

/* Something Discord said means tend cannot go on (bad token, exhausted session starts, a fatal close
 * code): logs `why` as an error and stops the adapter from the loop, outside any callback. */
void dc_fatal(discord *d, const char *why);
/* Registers the slash commands in guild_id (or globally when configured), once per process. */
void dc_register_commands(discord *d, const char *guild_id);

/* ---------------------------------------------------------------- rest.c */

typedef void (*dc_rest_done)(discord *d, long status, const cJSON *body, void *ud);

dc_rest *dc_rest_create(discord *d);
/* Cancels queued requests (their callbacks are not called) and frees; accepts NULL. */
void dc_rest_destroy(dc_rest *rest);
/* Sends method `path` (relative to api_base, e.g. "/channels/1/messages") with an optional JSON
 * body (copied). Requests of one chain (chain != 0) go out strictly one after another, in order;
 * chain 0 goes at once. cb (may be NULL) gets the final status (0 when it never got an answer) and
 * the parsed body (may be NULL). 0, or -1 on OOM. */
int dc_rest_send(dc_rest *rest, uint64_t chain, const char *method, const char *path,
                 const char *body, dc_rest_done cb, void *ud);
/* dc_rest_send with a file: the body (required) goes as payload_json and the file as files[0] of a
 * multipart/form-data request, the way Discord takes uploads; the body's attachments name it. */
int dc_rest_send_file(dc_rest *rest, uint64_t chain, const char *method, const char *path, const char *body,
                      const tend_attachment *file, dc_rest_done cb, void *ud);
/* A fresh chain id. */
uint64_t dc_rest_new_chain(dc_rest *rest);
size_t dc_rest_pending(const dc_rest *rest);

/* ---------------------------------------------------------------- intro.c */

/* The channel tend may say hello in (GUILD_CREATE's guild object, the bot's user id): the system
 * channel when it may post there, else the first text channel by position it may post in. 0, or
 * -1 when there is none. Pure. */
int dc_intro_channel(const cJSON *guild, const char *bot_id, char *out, size_t outlen);
/* On GUILD_CREATE: says hello once in a server joined within the last day. */
void dc_intro_on_guild_create(discord *d, const cJSON *guild);

/* ---------------------------------------------------------------- commands.c (pure) */

/* The JSON array for PUT .../commands: every command of the catalogue (bot/catalogue.h) in its
 * Discord shape. NULL on OOM. */
cJSON *dc_commands_json(void);
typedef enum {
    DC_OPT_WORD,   /* the value as one word, quoted when needed: claim 12, task add "Soup run" */
    DC_OPT_NAMED,  /* key:value, quoted when needed: when:"fri 18:00"                          */
    DC_OPT_RAW     /* the member's text as typed, and every option of a command tend does not know */
} dc_opt_mode;

/* The tend command a Discord command (and subcommand, or NULL) stands for: "task" + "add" ->
 * "task add", "agreements" + "show" -> "agreements". NULL when unknown. */
const char *dc_commands_lookup(const char *cmd, const char *sub);
/* How option `option` of that command goes into the request text. */
dc_opt_mode dc_commands_option_mode(const char *cmd, const char *sub, const char *option);

/* ---------------------------------------------------------------- interactions.c (pure) */

typedef enum {
    DC_EVENT_COMMAND,       /* a slash command (interaction type 2)               */
    DC_EVENT_BUTTON,        /* a component press (type 3)                          */
    DC_EVENT_AUTOCOMPLETE,  /* type 4                                              */
    DC_EVENT_MENTION        /* a channel message that starts by mentioning the bot */
} dc_event_kind;

/* One decoded event; owns its strings. The request's pointers point into it. */
typedef struct {
    dc_event_kind kind;
    char *id;               /* interaction or message id                          */
    char *token;            /* interaction token                                  */
    char *guild_id;
    char *channel_id;
    char *user_id;
    char *user_name;
    bool is_coordinator;
    char *group_key;        /* "discord:<guild id>"                                */
    char *text;             /* the command text, refs marked                       */
    char *focused;          /* AUTOCOMPLETE: what the member typed so far          */
    char *focused_option;   /* AUTOCOMPLETE: the option it was typed into ("task") */
    char *locale;           /* the member's Discord language ("es-ES"), or NULL     */
    char *guild_locale;     /* the server's, or NULL                               */
    tend_member_ref refs[DC_MAX_REFS];
    size_t n_refs;
    tend_request req;
} dc_event;

/* Decodes an INTERACTION_CREATE payload (`d`). 0, or -1 with a reason (no user text) in err. */
int dc_event_from_interaction(const cJSON *d, dc_event *ev, char *err, size_t errlen);
/* Decodes a MESSAGE_CREATE that mentions bot_user_id first. 1 when it is a command for tend, 0 when
 * the message is not for tend, -1 with a reason in err. */
int dc_event_from_message(const cJSON *d, const char *bot_user_id, dc_event *ev, char *err,
                          size_t errlen);
void dc_event_free(dc_event *ev);
/* Appends `value` to the growing text as one word, quoted when needed. 0 or -1 on OOM. */
int dc_text_append_word(char **text, size_t *len, const char *value);

/* ---------------------------------------------------------------- render.c (pure) */

/* A message body for POST /channels/{id}/messages, a follow-up, or (wrapped) an interaction
 * callback: content with <@id> mentions and "/" commands, allowed_mentions naming exactly
 * msg->mentions, flags 64 when ephemeral, buttons as components. NULL on OOM. */
cJSON *dc_render_message(const tend_message *msg, bool ephemeral);
/* Appends msg to out as one or more messages that each fit Discord's content limit, split at
 * line ends (a long digest, a group's export); the buttons go with the last piece. 0 or -1. */
int dc_split_message(const tend_message *msg, tend_messages *out);
/* {"type":4,"data":<message>} */
cJSON *dc_render_callback(const tend_message *msg, bool ephemeral);
/* {"type":8,"data":{"choices":[...]}} for an autocomplete, from "#12 Soup run" lines. */
cJSON *dc_render_choices(const char *const *names, const char *const *values, size_t n);
/* Prints and frees the JSON; NULL on OOM. */
char *dc_json_take(cJSON *json);

/* ---------------------------------------------------------------- dispatch.c */

/* Hands an INTERACTION_CREATE or MESSAGE_CREATE payload to the host as a command. */
void dc_dispatch_interaction(discord *d, const cJSON *payload);
void dc_dispatch_message(discord *d, const cJSON *payload);
/* Sends one outbox row (the adapter's send op); the verdict goes to the host when Discord answered. */
int dc_send(discord *d, const tend_outgoing *o);
/* Frees what dispatch.c remembers about interactions. */
void dc_dispatch_free(discord *d);
/* ---------------------------------------------------------------- seen.c */

/* Arrival time and whether the callback went out, per interaction, so its answers know which way
 * to go. Forgotten after the follow-up window. */
typedef struct dc_seen {
    dc_hnode node; /* first */
    char id[32];
    uint64_t arrived_ms;
    bool acked;
    bool fresh;     /* arrived in this run as a command the host took (a replay is forgotten) */
    bool answering; /* its first answer reached dc_send: no deferral                          */
    bool deferred;  /* our deferral took the callback (defer.c)                              */
    bool filled;    /* a private answer filled the deferral's loading message                 */
    bool cleared;   /* the loading message was deleted (the answer went to the channel)       */
    uint64_t chain; /* after a deferral: the REST chain its follow-ups keep order on          */
} dc_seen;
/* The wall clock in milliseconds. */
uint64_t dc_wall_ms(void);
dc_seen *dc_seen_find(discord *d, const char *id);
/* Remembers that the interaction arrived at `arrived` (ms); false when it was known already (or
 * memory ran out). */
bool dc_seen_add(discord *d, const char *id, uint64_t arrived);
void dc_seen_forget(discord *d, const char *id);

/* The adapter's handled(): a command the host took has run (rc: TEND_HOST_DUPLICATE, a replay). */
void dc_dispatch_handled(discord *d, const char *reply_to, int rc);


/* ---------------------------------------------------------------- defer.c */

/* A command the host took to run later (TEND_HOST_QUEUED): if no answer reached dc_send within
 * DC_DEFER_AFTER_MS of now, a deferral answers Discord's 3 seconds (callback type 5, ephemeral:
 * the answer's privacy is not known yet); its answers then follow (dispatch.c). */
#define DC_DEFER_AFTER_MS 1500
void dc_defer_watch(discord *d, const char *id, const char *token);
/* Forgets every watch (at stop and destroy; the timer is closed by stop). */
void dc_defer_free(discord *d);

/* ---------------------------------------------------------------- shards.c (the gateway) */

dc_gateway *dc_gateway_create(discord *d);
/* Asks GET /gateway/bot, then connects every shard run here. 0 or -1. */
int dc_gateway_start(dc_gateway *gw);
/* Keeps each shard's session in the store, closes every connection with a code that leaves the
 * session resumable, then the timers; the lws context goes once the loop drains. */
void dc_gateway_stop(dc_gateway *gw);
/* Frees, after the loop has drained; accepts NULL. */
void dc_gateway_destroy(dc_gateway *gw);

#endif
