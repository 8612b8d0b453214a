/*
 * internal.h — what the Signal adapter's files share; nothing outside adapters/signal/ includes it.
 *
 * tend reaches Signal through signal-cli's JSON-RPC daemon over HTTP on this machine
 * (`signal-cli -a ACCOUNT daemon --http 127.0.0.1:PORT`): calls are JSON-RPC 2.0 POSTs to
 * /api/v1/rpc, and what the account receives arrives as a server-sent-events stream from
 * /api/v1/events. The daemon stops receiving while nobody listens to that stream (Signal's server
 * keeps the messages until someone does), so the stream is always reopened.
 *
 *   client.c  the adapter object, the start-up check, JSON-RPC calls, the ops table
 *   events.c  the event stream: connect, watch for silence, reconnect; events in order
 *   inbound.c what an envelope means: a command in a group or a 1:1 chat, a reaction
 *   groups.c  the groups tend is in (members, admins, names), from listGroups, and member names
 *   send.c    outbox rows out as `send`, with marks that make a resend after a restart rare
 *   render.c  pure text work: commands out of message bodies (UTF-16 mention ranges), replies in
 *
 * Keys: a group is "signal:<groupId>" (its base64 id); a member is their uuid (ACI), since a
 * member who hides their number (Signal's default) arrives with nothing else. The account number
 * is never logged (the config registers it with the log's redaction).
 */
#ifndef TEND_SIGNAL_INTERNAL_H
#define TEND_SIGNAL_INTERNAL_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "adapters/adapter.h"
#include "bot/request.h"
#include "lib/http.h"

#define TEND_SIGNAL_PLATFORM "signal"
#define SG_KEY_MAX 160    /* group keys, uuids, state keys                    */
#define SG_NAME_MAX 128   /* display names as the store keeps them             */
#define SG_MAX_REFS 16    /* members named in one command                      */

typedef struct tend_signal tend_signal;
typedef struct sg_call sg_call;
typedef struct sg_event sg_event;

/* One JSON-RPC answer. transport_error set: no answer at all (the daemon is down or restarting). */
typedef struct {
    long http_status;
    const char *transport_error;
    const cJSON *result;   /* on success                                                 */
    bool failed;           /* a JSON-RPC error (or an answer that was not JSON-RPC)       */
    int code;              /* its code: -1 user, -3 IO, -4 untrusted, -5 rate limit, -326xx */
    const char *message;   /* signal-cli's words; may name a member: never log it whole   */
    const cJSON *data;     /* error data: {"response": ...} when signal-cli has one        */
} sg_rpc_result;

typedef void (*sg_rpc_done)(tend_signal *sg, const sg_rpc_result *r, void *ud);

struct tend_signal {
    tend_adapter base;
    uv_loop_t *loop;
    tend_http *http;           /* JSON-RPC calls                                          */
    tend_http *stream_http;    /* the event stream alone, so cutting it touches nothing else */
    char *base_url;            /* rpc_url without a trailing slash                        */
    char *account;             /* the bot's number: sent to signal-cli, never logged       */
    char *self_uuid;           /* the bot's own uuid, from its groups' member lists        */
    uint64_t next_id;
    sg_call *calls;            /* calls in flight, freed on destroy if never answered      */
    bool stopping;
    int open_handles;
    /* the event stream */
    uv_timer_t stream_timer;   /* reconnect back-off, then the silence watchdog            */
    bool stream_open;          /* a request is under way                                   */
    bool stream_live;          /* bytes arrived on it                                      */
    int stream_failures;
    uint64_t last_byte_ms;
    uint64_t down_since_ms;
    struct sg_sse *sse;
    /* events waiting to be handled, in arrival order */
    sg_event *queue_head, *queue_tail;
    bool queue_waiting;        /* the head waits for an answer (groups, names)             */
    /* groups and names */
    cJSON *groups;             /* listGroups' answer as last seen                          */
    bool groups_loading;
    uint64_t groups_loaded_ms;
    cJSON *names;              /* uuid -> display name, as members were seen               */
    /* sending */
    uint64_t paused_until_ms;  /* signal-cli said "rate limited": nothing leaves before    */
};

/* ---------------------------------------------------------------- client.c */
uint64_t tend_signal_now_ms(tend_signal *sg);
/* Calls `method` with `params` (taken; may be NULL), the account added. cb is called once, on the
 * loop, unless the adapter is destroyed first. 0, or -1 when it could not start (cb not called). */
int tend_signal_rpc(tend_signal *sg, const char *method, cJSON *params, long timeout_ms, sg_rpc_done cb,
                    void *ud);
/* A one-line description of a failed call that names nobody: "IO error (-3)". */
void tend_signal_describe(const sg_rpc_result *r, char *out, size_t outlen);

/* ---------------------------------------------------------------- events.c */
int tend_signal_stream_start(tend_signal *sg);
void tend_signal_stream_stop(tend_signal *sg);
void tend_signal_queue_free(tend_signal *sg);
/* Goes on with the queue after an answer the head waited for. */
void tend_signal_queue_resume(tend_signal *sg);

/* The server-sent-events parser (pure). Bytes in; each complete event of type `receive` (or of no
 * type) is handed to `on_event` with its data lines joined by '\n'. An event larger than 4 MB is
 * skipped whole. */
typedef struct sg_sse sg_sse;
typedef void (*sg_sse_event)(const char *data, size_t len, void *ud);
sg_sse *tend_signal_sse_new(sg_sse_event on_event, void *ud);
void tend_signal_sse_free(sg_sse *p);
/* 0, or -1 when out of memory. */
int tend_signal_sse_feed(sg_sse *p, const char *bytes, size_t len);
/* Forgets a half-read event (the stream was cut). */
void tend_signal_sse_reset(sg_sse *p);

/* ---------------------------------------------------------------- inbound.c */
/* What the head of the queue needs before it can be handled. */
typedef enum {
    SG_READY,        /* handle it now                                    */
    SG_NEEDS_GROUPS, /* an unknown group, or a member the list lacks      */
    SG_NEEDS_NAMES   /* members named in it whose names we never saw      */
} sg_need;
/* Looks at one event (the JSON of a `receive` event) and says what it needs; `tried` says what
 * was already fetched for it, so each is asked at most once per event. */
sg_need tend_signal_event_need(tend_signal *sg, const cJSON *event, unsigned tried);
/* Handles one event: a command typed in a group or a 1:1 chat, or a reaction in a 1:1 chat. */
void tend_signal_event_handle(tend_signal *sg, const cJSON *event);
/* The uuids named in an event's mentions whose names are unknown, as a JSON array (or NULL). */
cJSON *tend_signal_event_unnamed(tend_signal *sg, const cJSON *event);

/* ---------------------------------------------------------------- groups.c */
/* Asks listGroups; done (may be NULL) is told when the answer is in. At most one at a time: a
 * second ask while one is in flight returns 1 and is answered with the first. 0, 1 or -1. */
int tend_signal_groups_refresh(tend_signal *sg);
/* Takes a listGroups result (a copy is kept). */
void tend_signal_groups_set(tend_signal *sg, const cJSON *result);
/* The group with this base64 id among those tend is a member of, or NULL. */
const cJSON *tend_signal_group(tend_signal *sg, const char *group_id);
/* Whether uuid is in the group's member list, and whether it is an admin there. */
bool tend_signal_group_has(const cJSON *group, const char *uuid, bool *admin);
/* The groups (tend a member too) that have uuid as a member: up to max pointers into the cache. */
size_t tend_signal_groups_of(tend_signal *sg, const char *uuid, const cJSON **out, size_t max);
/* Display names as members are seen (envelope sourceName, listContacts). */
void tend_signal_name_set(tend_signal *sg, const char *uuid, const char *name);
const char *tend_signal_name_get(tend_signal *sg, const char *uuid);
/* Asks listContacts for the names of `uuids` (a JSON array, taken). 0 or -1. */
int tend_signal_names_fetch(tend_signal *sg, cJSON *uuids);

/* ---------------------------------------------------------------- send.c */
/* Sends one outbox row (the adapter's send op). 0, or -1 when it could not start. */
int tend_signal_send_row(tend_signal *sg, const tend_outgoing *o);
/* The state key that remembers what a reaction on one of tend's messages runs:
 * "react:<chat>:<timestamp>:<emoji>", the emoji without variation selectors. chat is the member's
 * uuid for a 1:1 chat. */
void tend_signal_reaction_key(const char *chat, int64_t timestamp, const char *emoji, char *out, size_t outlen);

/* ---------------------------------------------------------------- render.c (pure) */
/* A command found at the start of a message ("!claim 12" or "/claim 12"), with the members its
 * mentions name as references ("\x1E<i>\x1F" in text). Owns its strings. */
typedef struct {
    char *text;                   /* without its prefix                               */
    tend_member_ref refs[SG_MAX_REFS];
    char *ref_keys[SG_MAX_REFS];
    char *ref_names[SG_MAX_REFS];
    size_t n_refs;
} sg_command;

/* A mention as signal-cli reports it: the member's uuid and where it sits, in UTF-16 units. */
typedef struct {
    const char *uuid;
    const char *name;             /* the display name to use, or NULL ("someone")     */
    long start, length;
} sg_mention_in;

/* Finds a command in body. Each mention range (UTF-16 units, as Signal counts) becomes a
 * reference; everything else is cleaned user text. 1 with *out filled, 0 when the message is no
 * command, -1 on OOM. */
int tend_signal_parse_command(const char *body, const sg_mention_in *mentions, size_t n_mentions,
                              sg_command *out);
void tend_signal_command_free(sg_command *cmd);

/* A reply as Signal gets it: plain text (commands with "/", each mention as "@name") and one
 * "start:length:uuid" range per mention, in UTF-16 units. */
typedef struct {
    char *text;
    char **mentions;
    size_t n_mentions;
} sg_rendered;

/* Renders msg. with_reactions: the buttons are answered by reacting (a 1:1 chat): each gets an
 * emoji (a keycap digit when it has none), written into emojis[i] (may be NULL). Otherwise the
 * buttons are listed as commands to type. 0, or -1 on OOM. */
int tend_signal_render(const tend_message *msg, bool with_reactions, sg_rendered *out, char emojis[][16],
                       size_t max_emojis);
void tend_signal_rendered_free(sg_rendered *r);
/* Length of a UTF-8 string in UTF-16 code units (what Signal counts). */
long tend_signal_utf16_length(const char *s, size_t bytes);
/* The emoji with variation selectors (U+FE0F, U+FE0E) dropped, so "✅" and "✅\uFE0F" match. */
void tend_signal_emoji_normalize(const char *emoji, char *out, size_t outlen);

#endif
