/*
 * internal.h — what the Matrix adapter's files share; nothing outside adapters/matrix/ includes it.
 *
 *   client.c  the adapter object, start-up checks (versions, whoami, password login), ops table
 *   sync.c    the /sync long-poll, the filter, invites, commands and reactions from the timeline
 *   rooms.c   what we know of each room (names, power levels, encryption) and DM rooms
 *   send.c    per-room ordered sending with transaction ids, retries and rate limits
 *   links.c   rooms linked into one group (!setup link:<room>, !setup unlink), kept in the store
 *   render.c  pure text work: commands out of message bodies, replies into event content
 */
#ifndef TEND_MATRIX_INTERNAL_H
#define TEND_MATRIX_INTERNAL_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "adapters/adapter.h"
#include "lib/http.h"
#include "bot/request.h"

#define TEND_MATRIX_PLATFORM "matrix"

typedef struct tend_matrix tend_matrix;
typedef struct tend_matrix_room tend_matrix_room;
typedef struct tend_matrix_sender tend_matrix_sender;
typedef struct tend_matrix_dm tend_matrix_dm;

struct tend_matrix {
    tend_adapter base;
    uv_loop_t *loop;
    tend_bot *bot;
    tend_store *store;
    tend_http *http;
    char *homeserver;        /* without a trailing slash                    */
    char *user_id;           /* the bot's own id, from whoami              */
    char *server_name;       /* the part after the first ':' of user_id    */
    char *token;             /* secret                                     */
    char *password;          /* secret; only for the one-time login        */
    char *device_id;
    char *allowed_inviters;  /* comma-separated, see config.h              */
    char *auth_header;       /* "Authorization: Bearer ..."                */
    char *filter_id;
    /* sync */
    uv_timer_t sync_timer;   /* waits out a back-off before the next /sync */
    int sync_failures;
    bool sync_in_flight;
    bool full_state_done;    /* the first /sync of this process asks for full state */
    bool stopping;
    int64_t down_since_ms;   /* when /sync started failing, 0 while it works */
    /* rooms and sending */
    tend_matrix_room *rooms;
    tend_matrix_sender *senders;
    tend_matrix_dm *dms;
    cJSON *direct;           /* the bot's m.direct account data, as last seen */
    uint64_t txn_counter;
    int64_t txn_epoch_ms;
    uv_timer_t drain;        /* a stop waits for queued replies, a few seconds at most */
    int64_t drain_deadline;
    int open_handles;
};

/* ---------------------------------------------------------------- client.c */
int64_t tend_matrix_now_ms(void);
/* The current unix time by the bot's clock, for the store's event bookkeeping. */
int64_t tend_matrix_clock_now(tend_matrix *mx);
/* Builds homeserver + "/_matrix/client/v3" + path into a malloc'd string. */
char *tend_matrix_url(const tend_matrix *mx, const char *path);
/* Sends an authorized request. 0 or -1 (cb not called). */
int tend_matrix_request(tend_matrix *mx, const char *method, const char *url, const char *body,
                        long timeout_ms, tend_http_done cb, void *ud);
/* Percent-encodes a path segment (room ids hold '!' and ':'). malloc'd, NULL on OOM. */
char *tend_matrix_escape(const char *segment);
/* Delay before try number `failures` (1, 2, ...): doubling from base, capped, with +-25% jitter. */
uint64_t tend_matrix_backoff_ms(int failures, uint64_t base_ms, uint64_t cap_ms);
/* How long a 429 asks us to wait: Retry-After header, else retry_after_ms, else `fallback`. */
uint64_t tend_matrix_retry_after_ms(const tend_http_response *res, uint64_t fallback);
/* Counts a 429 from the homeserver and says so in the log, at most once a minute. */
void tend_matrix_note_throttled(uint64_t wait_ms);

/* ---------------------------------------------------------------- sync.c */
int tend_matrix_sync_start(tend_matrix *mx);
void tend_matrix_sync_stop(tend_matrix *mx);
/* Runs the bot on one request and sends what it says; reply_to is the event to answer (or NULL). */
void tend_matrix_run_command(tend_matrix *mx, const char *room_id, const char *reply_to,
                             const tend_request *req);

/* ---------------------------------------------------------------- rooms.c */
struct tend_matrix_room {
    char *room_id;
    cJSON *power;        /* content of m.room.power_levels, or NULL                */
    cJSON *names;        /* object: user id -> display name, joined members only   */
    char *creator;       /* has power 100 when the room has no power levels event  */
    cJSON *creators;     /* creator and additional_creators, from m.room.create      */
    bool creators_rule;  /* room version 12+: creators outrank everyone, unlisted   */
    bool encrypted;
    tend_matrix_room *next;
};

tend_matrix_room *tend_matrix_room_get(tend_matrix *mx, const char *room_id, bool create);
void tend_matrix_rooms_free(tend_matrix *mx);
/* Applies one state event (m.room.member, m.room.power_levels, m.room.encryption, m.room.create). */
void tend_matrix_room_apply_state(tend_matrix_room *room, const cJSON *event);
int tend_matrix_room_power(const tend_matrix_room *room, const char *user_id);
/* The member's display name in the room, else the localpart of their id. Written into out. */
void tend_matrix_room_name(const tend_matrix_room *room, const char *user_id, char *out, size_t outlen);
/* The DM room of user, from memory or the store; NULL when none yet. */
const char *tend_matrix_dm_lookup(tend_matrix *mx, const char *user_id);
/* Sends content to the user's DM room, creating the room first when needed. 0 or -1. */
int tend_matrix_dm_send(tend_matrix *mx, const char *user_id, const tend_message *msg);
/* True when room_id is a DM room the bot made (commands there get a hint, not a new group). */
bool tend_matrix_is_dm_room(tend_matrix *mx, const char *room_id);
/* Records the bot's m.direct account data as seen in /sync (takes ownership of a copy). */
void tend_matrix_set_direct(tend_matrix *mx, const cJSON *content);
void tend_matrix_dms_free(tend_matrix *mx);

/* ---------------------------------------------------------------- send.c */
/* Queues one event for the room; events to one room leave in the order queued. When it has been
 * sent and `buttons_from` is not NULL, the bot reacts to it with each button's emoji and records
 * which command each reaction runs. 0 or -1. */
int tend_matrix_send_event(tend_matrix *mx, const char *room_id, const char *type, const char *content,
                           const tend_message *buttons_from);
/* Renders msg (a reply to reply_to when not NULL) and queues it for room_id. 0 or -1. */
int tend_matrix_send_message(tend_matrix *mx, const char *room_id, const tend_message *msg,
                             const char *reply_to);
/* Sends a plain notice (an introduction, the encrypted-room note). 0 or -1. */
int tend_matrix_send_notice(tend_matrix *mx, const char *room_id, const char *text);
void tend_matrix_senders_stop(tend_matrix *mx);
void tend_matrix_senders_free(tend_matrix *mx);
/* Events queued or in flight across all rooms (for tests and an orderly stop). */
size_t tend_matrix_pending(const tend_matrix *mx);

/* Sends each message the bot produced where it belongs: public ones to their room (as a reply to
 * reply_to when they go to origin_room), private ones and DMs to the member's DM room. */
void tend_matrix_route(tend_matrix *mx, const tend_messages *out, const char *origin_room,
                       const char *reply_to);

/* ---------------------------------------------------------------- links.c */
/* Why a link or unlink was refused, or TEND_MATRIX_LINK_OK. */
typedef enum {
    TEND_MATRIX_LINK_OK,
    TEND_MATRIX_LINK_NOT_COORDINATOR,   /* power < 50 in either room                   */
    TEND_MATRIX_LINK_UNKNOWN,           /* the bot is not joined there (or a DM room)  */
    TEND_MATRIX_LINK_ENCRYPTED,
    TEND_MATRIX_LINK_SELF,
    TEND_MATRIX_LINK_TARGET_LINKED,     /* the target shares another room's group      */
    TEND_MATRIX_LINK_HAS_LINKS,         /* other rooms share this room's group         */
    TEND_MATRIX_LINK_ALREADY,           /* this room already shares a group            */
    TEND_MATRIX_LINK_NOT_LINKED,        /* unlink in a room that is not linked         */
    TEND_MATRIX_LINK_UNLINK_NOT_COORDINATOR,
    TEND_MATRIX_LINK_FAILED             /* the store failed; nothing was written       */
} tend_matrix_link_result;

/* The room whose group commands typed in room_id act on: the room it is linked to, else room_id
 * itself. Written into out. True when room_id is linked. */
bool tend_matrix_group_room(tend_matrix *mx, const char *room_id, char *out, size_t outlen);
/* Links room `from` into the group of room `to` for `sender`, after every check; on a refusal
 * nothing is written. */
tend_matrix_link_result tend_matrix_link_rooms(tend_matrix *mx, const char *from, const char *to,
                                               const char *sender);
/* Undoes the link of room `room`; the room it was linked to is written into `was` (may be NULL). */
tend_matrix_link_result tend_matrix_unlink_room(tend_matrix *mx, const char *room, const char *sender,
                                                char *was, size_t waslen);
/* Answers "setup link:<room>" and "setup unlink" typed in room_id: returns 1 when text was one of
 * them (handled, or being handled once an alias resolves), 0 when it is for the bot. */
int tend_matrix_link_command(tend_matrix *mx, const char *room_id, const char *sender, const char *event_id,
                             const char *text);
/* True for a public message of a group whose own room is linked elsewhere: that group is dormant
 * while the link lasts, so its scheduled posts would only confuse the room. */
bool tend_matrix_group_dormant(tend_matrix *mx, const tend_message *msg);

/* ---------------------------------------------------------------- render.c (pure) */
/* The store key that remembers what a reaction on an event runs: "react:<event>:<emoji>", with
 * emoji variation selectors dropped so "✅" and "✅\uFE0F" are the same answer. */
void tend_matrix_reaction_state_key(const char *event_id, const char *emoji, char *out, size_t outlen);
/* What a command text asks of room links: TEND_MATRIX_LINK_CMD_NONE for anything the bot's own
 * /setup answers; _TO ("setup link:<room id or #alias>", target filled); _UNDO ("setup unlink");
 * _BAD (a link word with other options, no target, or a target that is no room id or alias). */
typedef enum {
    TEND_MATRIX_LINK_CMD_NONE,
    TEND_MATRIX_LINK_CMD_TO,
    TEND_MATRIX_LINK_CMD_UNDO,
    TEND_MATRIX_LINK_CMD_BAD
} tend_matrix_link_cmd;
tend_matrix_link_cmd tend_matrix_parse_link(const char *text, char *target, size_t targetlen);
/* The room id inside a "matrix:<room id>" group key, or NULL. */
const char *tend_matrix_room_of_group(const char *group_key);
/* A command found in a message body. text and names are owned by it. */
typedef struct tend_matrix_command {
    char *text;                 /* without the prefix; references as "\x1E<i>\x1F"  */
    tend_member_ref refs[16];
    char *ref_keys[16];
    char *ref_names[16];
    size_t n_refs;
} tend_matrix_command;

/* Finds a command ("!name args", or "/name args") at the start of an m.text message. Pills in the
 * HTML body and plain user ids in the text become member references; everything else is cleaned
 * user text. Returns 1 with *out filled, 0 when the message is not a command, -1 on OOM. */
int tend_matrix_parse_command(const char *body, const char *formatted_body, tend_matrix_command *out);
void tend_matrix_command_free(tend_matrix_command *cmd);

/* The event content of a reply: m.notice, plain body, HTML body, m.mentions listing exactly
 * msg->mentions, and m.relates_to when reply_to is set. malloc'd JSON, NULL on OOM. */
char *tend_matrix_render_content(const tend_message *msg, const char *reply_to);
/* A notice without mentions or markup: content JSON. malloc'd, NULL on OOM. */
char *tend_matrix_render_notice(const char *text);
/* Escapes &, <, >, " and ' for HTML, turning newlines into <br>. malloc'd, NULL on OOM. */
char *tend_matrix_html_escape(const char *text, size_t len);
/* True when user_id is allowed to invite the bot by `allowed` (comma-separated user ids and
 * ":server" names; NULL or "" means the bot's own server). */
bool tend_matrix_inviter_allowed(const char *allowed, const char *bot_server, const char *user_id);
/* The server name of a user id (after the first ':'), or "" */
const char *tend_matrix_server_of(const char *user_id);

#endif
