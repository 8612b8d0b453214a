/*
 * internal.h — what the Matrix adapter's files share; nothing outside adapters/matrix/ includes it.
 *
 *   client.c  the adapter object, start-up checks (versions, whoami, password login), ops table
 *   sync.c    the /sync long-poll, the filter, invites, commands and reactions from the timeline
 *   gap.c     a timeline /sync cut short (`limited`) is filled from /messages before it runs
 *   rooms.c   what we know of each room (names, power levels, encryption) and DM rooms
 *   send.c    per-room ordered sending with transaction ids, retries and rate limits
 *   links.c   rooms linked into one group (!setup link:<room>, !setup unlink), kept in the store
 *   render.c  pure text work: commands out of message bodies, replies into event content
 *   dm.c      direct chats: commands there (which group?), labels, invites, private things kept out
 *             of group rooms (a private command typed there is taken down)
 *   relations.c  threads (answered in them), a ✅ taken back (unclaims), edits (not re-run)
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
/* room, event and user ids, and display names, as the store keeps them */
#define MX_KEY_MAX 160
#define MX_NAME_MAX 256 /* a display name of 60 characters (4 bytes each at most) */

/* An outbox row's identity, carried with its event so the verdict reaches the host and a resend
 * uses the same transaction id. row 0: the adapter's own event (a reaction, a notice). */
typedef struct {
    int64_t row;
    char txn[48];
} tend_matrix_ticket;

typedef struct tend_matrix tend_matrix;
typedef struct tend_matrix_room tend_matrix_room;
typedef struct tend_matrix_sender tend_matrix_sender;
typedef struct tend_matrix_dm tend_matrix_dm;
typedef struct tend_matrix_command tend_matrix_command;
typedef struct tend_matrix_gap tend_matrix_gap;

/* The sync filter's timeline limit: more events than this since the last sync make a gap. */
#define TEND_MATRIX_TIMELINE_LIMIT 100

struct tend_matrix {
    tend_adapter base;
    uv_loop_t *loop;
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
    tend_matrix_gap *gap;    /* the batch whose gaps are being filled, or NULL */
    int gap_failures;        /* fills that failed in a row, for their back-off */
    /* rooms and sending */
    tend_matrix_room *rooms;
    tend_matrix_sender *senders;
    tend_matrix_dm *dms;
    cJSON *direct;           /* the bot's m.direct account data, as last seen */
    uint64_t rooms_changed;  /* bumped by every membership or room change (dm.c's index) */
    struct tend_matrix_groups_index *groups_index; /* who has several groups (dm.c)     */
    uint64_t txn_counter;
    int64_t txn_epoch_ms;
    uv_timer_t drain;        /* a stop waits for queued replies, a few seconds at most */
    int64_t drain_deadline;
    int open_handles;
    /* end-to-end encryption (e2ee.h): NULL when off for this run or this build */
    struct tend_matrix_e2ee *e2ee;
    char *pickle_key_file;
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
/* Runs `text` as `sender` typed it in room_id, on the group whose room is group_room (event_id:
 * the command's own event; reply_to: the event a public answer replies to, the same but for a
 * reaction, which answers the message reacted to). cmd holds the text's member references. */
void tend_matrix_run_as(tend_matrix *mx, const char *room_id, const char *group_room, const char *sender,
                        const char *event_id, const char *reply_to, const char *text,
                        tend_matrix_command *cmd);
/* The timeline's event types as a RoomEventFilter, for /messages to page what /sync would have
 * sent. malloc'd JSON, NULL on OOM. */
char *tend_matrix_timeline_filter(void);
/* Hands one request to the host; its answers come back through tend_matrix_send_row, as replies
 * to event `reply_to` in room_id (or NULL), inside thread `thread` when not NULL, with its origin
 * (tend_matrix_origin_write). */
void tend_matrix_run_command(tend_matrix *mx, const char *room_id, const char *reply_to, const char *thread,
                             tend_request *req);

/* A decrypted m.room.encrypted event (type and content as its sender wrote them): handled as
 * the plain event would be (e2ee_in.c calls it). */
void tend_matrix_handle_decrypted(tend_matrix *mx, const char *room_id, const cJSON *ev);

/* ---------------------------------------------------------------- gap.c */
/* Called once when a fill ends: with the batch (taken back, its gaps now in its timelines), or
 * with NULL and how long to wait before the same sync is tried again. */
typedef void (*tend_matrix_gap_done)(tend_matrix *mx, cJSON *batch, uint64_t retry_ms);
/* Fills every joined room of a /sync batch whose timeline is `limited`, paging back from its
 * prev_batch to `since` (the token the batch was asked with), on the loop. 0 when no room needs
 * it (batch untouched, still the caller's); 1 when a fill started: it owns batch until `done`. */
int tend_matrix_gap_fill(tend_matrix *mx, cJSON *batch, const char *since, tend_matrix_gap_done done);
/* Drops a fill in progress (on stop, after the HTTP client is gone): `done` is not called, and
 * the sync position stays where it was. Safe when none runs. */
void tend_matrix_gap_cancel(tend_matrix *mx);

/* The pure part, for tests. True when ev is the bot's own join (not a profile change). */
bool tend_matrix_is_own_join(const char *bot_user_id, const cJSON *ev);
/* True when a joined room of a /sync batch has a gap to fill: its timeline is `limited` and does
 * not hold the bot's own join (what came before the bot joined is not tend's to run). */
bool tend_matrix_gap_needed(const char *bot_user_id, const cJSON *room);

/* Bounds of one fill: events kept, and how many /messages pages it may take. */
#define TEND_MATRIX_GAP_MAX_EVENTS 1000
#define TEND_MATRIX_GAP_MAX_AGE_MS (24LL * 3600 * 1000)
#define TEND_MATRIX_GAP_PAGE 100
#define TEND_MATRIX_GAP_MAX_PAGES 40

/* What one /messages page means for the room being paged back. */
typedef enum {
    TEND_MATRIX_GAP_MORE,      /* ask again, from tend_matrix_backfill_from()                  */
    TEND_MATRIX_GAP_FILLED,    /* reached where tend last was, or the bot's own join           */
    TEND_MATRIX_GAP_TOO_LONG,  /* the bound came first: what lies further back stays unread    */
    TEND_MATRIX_GAP_BAD        /* not a /messages answer, or one that would page forever       */
} tend_matrix_gap_step;

/* The events of one room's gap as they are paged back. */
typedef struct tend_matrix_backfill tend_matrix_backfill;
/* Starts at prev_batch; events sent before oldest_ms (unix ms) or past max_events are beyond the
 * bound. NULL on OOM. */
tend_matrix_backfill *tend_matrix_backfill_create(const char *prev_batch, const char *bot_user_id,
                                                  int64_t oldest_ms, size_t max_events);
void tend_matrix_backfill_destroy(tend_matrix_backfill *bf);
/* The token to page back from next. */
const char *tend_matrix_backfill_from(const tend_matrix_backfill *bf);
/* How many events to ask for next: a page, or one more than the bound still allows (so a gap of
 * exactly the bound is told apart from a longer one). */
int tend_matrix_backfill_limit(const tend_matrix_backfill *bf);
/* Takes one /messages answer (dir=b: newest first) and says what comes next. */
tend_matrix_gap_step tend_matrix_backfill_take(tend_matrix_backfill *bf, const char *body, size_t len);
/* Events kept so far. */
size_t tend_matrix_backfill_count(const tend_matrix_backfill *bf);
/* Moves the kept events, oldest first, to the front of `timeline` (an array of events). */
void tend_matrix_backfill_splice(tend_matrix_backfill *bf, cJSON *timeline);

/* ---------------------------------------------------------------- rooms.c */
struct tend_matrix_room {
    tend_matrix *mx;
    char *room_id;
    char *name;          /* m.room.name, or NULL                                   */
    char *alias;         /* m.room.canonical_alias, or NULL                        */
    cJSON *power;        /* content of m.room.power_levels, or NULL                */
    cJSON *names;        /* object: user id -> display name, joined members only   */
    cJSON *invited;      /* object: user id -> true, invited and not yet joined    */
    char *creator;       /* has power 100 when the room has no power levels event  */
    cJSON *creators;     /* creator and additional_creators, from m.room.create      */
    bool creators_rule;  /* room version 12+: creators outrank everyone, unlisted   */
    bool encrypted;
    cJSON *encryption;   /* content of m.room.encryption (rotation periods), or NULL */
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
/* Sends msg to the user's DM room, creating the room first when needed. 0 or -1. */
int tend_matrix_dm_send(tend_matrix *mx, const char *user_id, const tend_message *msg,
                        const tend_matrix_ticket *ticket);
/* True when room_id is a DM room the bot made (commands there get a hint, not a new group). */
bool tend_matrix_is_dm_room(tend_matrix *mx, const char *room_id);
/* user_id left (or declined, or was banned from) room_id: when that was their direct chat with
 * the bot, the bot forgets it and leaves; the next private message opens a new one, at most one a
 * day (until then private messages to them are not sent). */
void tend_matrix_dm_member_gone(tend_matrix *mx, const char *room_id, const char *user_id);
/* user_id was invited to or joined room_id: when that is someone else's direct chat with the bot,
 * it is one no more (as if its member had left it). */
void tend_matrix_dm_company(tend_matrix *mx, const char *room_id, const char *user_id);
/* The member opened room_id as a direct chat with the bot: it becomes their DM room. */
void tend_matrix_dm_adopt(tend_matrix *mx, const char *room_id, const char *user_id);
/* Records the bot's m.direct account data as seen in /sync (takes ownership of a copy). */
void tend_matrix_set_direct(tend_matrix *mx, const cJSON *content);
void tend_matrix_dms_free(tend_matrix *mx);

/* ---------------------------------------------------------------- dm.c: direct chats, privacy */
/* Most groups one member can be asked about in one direct chat. */
#define TEND_MATRIX_GROUPS_MAX 16
/* The rooms of the groups user_id shares with the bot (a linked room counts as its group's room),
 * at most `max`, written into out. Returns how many. */
size_t tend_matrix_groups_of(tend_matrix *mx, const char *user_id, char out[][MX_KEY_MAX], size_t max);
/* Frees dm.c's index of who has several groups. */
void tend_matrix_groups_index_free(tend_matrix *mx);
/* True when user_id is in at least one group the bot serves. */
bool tend_matrix_shares_group(tend_matrix *mx, const char *user_id);
/* How a group is named to its members in a direct chat: its room's name, else alias, else id. */
void tend_matrix_group_label(tend_matrix *mx, const char *group_room, char *out, size_t outlen);
/* True when room_id is a direct chat where nobody but the bot and user_id is joined or invited. */
bool tend_matrix_dm_is_private(tend_matrix *mx, const char *room_id, const char *user_id);
/* A command typed in a direct chat: runs on the member's only group, or the one named with
 * group:<name, #alias or !id>; otherwise a short private question asks which. */
void tend_matrix_dm_command(tend_matrix *mx, const char *room_id, const char *sender, const char *event_id,
                            tend_matrix_command *cmd);
/* Sends a private message or DM to its member's direct chat, labelled with its group's name when
 * the member has more than one group with the bot. 0 or -1. */
int tend_matrix_dm_deliver(tend_matrix *mx, const tend_message *msg, const tend_matrix_ticket *ticket);
/* Takes down event_id, a private command typed in room_id where others read it, when the bot has
 * the power to redact there (else it stays: the member was told to send it privately). txn_seed
 * makes the redaction's transaction id, so a resend of the same outbox row redacts once. */
void tend_matrix_take_down(tend_matrix *mx, const char *room_id, const char *event_id, const char *txn_seed);
/* True when an invite (its invite_state) asks the bot into a direct chat (is_direct). */
bool tend_matrix_invite_is_direct(tend_matrix *mx, const cJSON *invite);
/* Declines an invite the bot will not serve (it leaves the room), saying so once in the log. */
void tend_matrix_decline_invite(tend_matrix *mx, const char *room_id, const char *inviter);
/* Leaves a room (a direct chat its member left). */
void tend_matrix_leave_room(tend_matrix *mx, const char *room_id);

/* ---------------------------------------------------------------- words.c */
/* The language of the adapter's own words in room_id (its group's, a linked room's group's), or,
 * with member not NULL, of what only that member of it reads (adapters/host.h). "" = English. */
void tend_matrix_lang(tend_matrix *mx, const char *room_id, const char *member, char *out, size_t outlen);
/* msgid (bot/messages.h) in that language. Lives as long as the process. */
const char *tend_matrix_words(tend_matrix *mx, const char *room_id, const char *member, const char *msgid)
    __attribute__((format_arg(4)));

/* ---------------------------------------------------------------- send.c */
/* Queues one event for the room; events to one room leave in the order queued. When it has been
 * sent and `buttons_from` is not NULL, the bot reacts to it with each button's emoji and records
 * which command each reaction runs. ticket may be NULL. 0 or -1. */
int tend_matrix_send_event(tend_matrix *mx, const char *room_id, const char *type, const char *content,
                           const tend_message *buttons_from, const tend_matrix_ticket *ticket);
/* Renders msg (a reply to reply_to when not NULL) and queues it for room_id. 0 or -1. */
int tend_matrix_send_message(tend_matrix *mx, const char *room_id, const tend_message *msg,
                             const char *reply_to, const tend_matrix_ticket *ticket);
/* Sends a plain notice (an introduction, the encrypted-room note). 0 or -1. */
int tend_matrix_send_notice(tend_matrix *mx, const char *room_id, const char *text);
void tend_matrix_senders_stop(tend_matrix *mx);
void tend_matrix_senders_free(tend_matrix *mx);
/* Events queued or in flight across all rooms (for tests and an orderly stop). */
size_t tend_matrix_pending(const tend_matrix *mx);
/* The room's queue, waiting for its room key to be shared (e2ee_out.c), goes on. */
void tend_matrix_send_resume(tend_matrix *mx, const char *room_id);

/* Sends one outbox row where it belongs (the adapter's send op): a public one to its room (as a
 * reply to the command's event when it goes where the command was typed), a private one or a DM
 * to the member's DM room, labelled with the group's name when the member has more than one group
 * with the bot. A refusal of a private command typed in the open (TEND_KIND_PRIVATE_ONLY) also
 * takes the command down where it was typed, when the bot may. The verdict reaches the host once
 * the homeserver answered. 0 or -1. */
int tend_matrix_send_row(tend_matrix *mx, const tend_outgoing *o);

/* ---------------------------------------------------------------- relations.c */
/* The root of the thread a message was typed in (its m.relates_to is m.thread), or NULL. */
const char *tend_matrix_thread_of(const cJSON *content);
/* Content JSON made a reply to reply_to inside thread_root (is_falling_back false: a real reply),
 * or, without reply_to, a plain message in the thread. malloc'd, NULL on OOM or bad JSON. */
char *tend_matrix_in_thread(const char *content, const char *thread_root, const char *reply_to);
/* tend_matrix_send_message, in a thread. 0 or -1. */
int tend_matrix_send_in_thread(tend_matrix *mx, const char *room_id, const tend_message *msg,
                               const char *reply_to, const char *thread_root, const tend_matrix_ticket *ticket);
/* A reaction (reaction_id, by sender, on target) ran `command` in group_room's group: a claim is
 * remembered, so taking the reaction back can unclaim it. */
void tend_matrix_reaction_ran(tend_matrix *mx, const char *reaction_id, const char *sender,
                              const char *group_room, const char *target, const char *command);
/* An m.room.redaction: when it takes back the sender's own reaction that claimed a task, the task
 * is unclaimed for them (the redaction is the command's event). */
void tend_matrix_handle_redaction(tend_matrix *mx, const char *room_id, const cJSON *ev, const char *event_id,
                                  const char *sender);
/* True when a message's content is an edit (m.replace): it is never run; when its new content is
 * a command, the room is told once per edited command that edits are not re-run. */
bool tend_matrix_handle_edit(tend_matrix *mx, const char *room_id, const cJSON *content);

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
/* Takes the first group:<value> option (value quoted or one word; not inside a quoted title) out
 * of a command's text, in place, and writes the value into `value`. 1 when there was one, else 0. */
int tend_matrix_take_group_option(char *text, char *value, size_t valuelen);
/* Where a command's answers go back, carried by its request and every outbox row answering it:
 * "<room id>\t<event to reply to>", and "\t<the command's own event>" after it when that is another
 * (a reaction answers the message reacted to, but is what a take-down removes). */
typedef struct {
    char room[MX_KEY_MAX];
    char reply[MX_KEY_MAX];   /* "" when none */
    char command[MX_KEY_MAX]; /* the reply's event when the command had no other */
    char thread[MX_KEY_MAX];  /* the thread the command was typed in, "" when none */
} tend_matrix_origin;
/* With a thread, "\t<thread root>" follows the command's own event (written even when it is the
 * reply's). thread may be NULL. */
void tend_matrix_origin_write(char *out, size_t outlen, const char *room_id, const char *reply_to,
                              const char *event_id, const char *thread);
void tend_matrix_origin_read(const char *origin, tend_matrix_origin *out);
/* The room id inside a "matrix:<room id>" group key, or NULL. */
const char *tend_matrix_room_of_group(const char *group_key);
/* A command found in a message body. text and names are owned by it. */
struct tend_matrix_command {
    char *text;                 /* without the prefix; references as "\x1E<i>\x1F"  */
    tend_member_ref refs[16];
    char *ref_keys[16];
    char *ref_names[16];
    size_t n_refs;
    const char *thread;         /* the thread it was typed in (borrowed from the event), or NULL */
};

/* Finds a command ("!name args", or "/name args") at the start of an m.text message. Pills in the
 * HTML body and plain user ids in the text become member references; everything else is cleaned
 * user text. Returns 1 with *out filled, 0 when the message is not a command, -1 on OOM. */
int tend_matrix_parse_command(const char *body, const char *formatted_body, tend_matrix_command *out);
void tend_matrix_command_free(tend_matrix_command *cmd);

/* The event content of a message: plain body, HTML body, m.mentions listing exactly msg->mentions,
 * and m.relates_to when reply_to is set. A direct message that asks for the member's attention
 * (TEND_TO_DM: an offer, a promotion, a reminder, a nudge, a welcome) is m.text, so it notifies;
 * everything else, replies to commands above all, is m.notice. malloc'd JSON, NULL on OOM. */
char *tend_matrix_render_content(const tend_message *msg, const char *reply_to);
/* The content of an m.file event for an uploaded file (its mxc:// URI), with empty m.mentions.
 * malloc'd JSON, NULL on OOM. */
char *tend_matrix_render_file(const char *name, const char *content_type, size_t size, const char *mxc);
/* The same for a file in an encrypted room: its ciphertext uploaded, the m.file carries "file",
 * the EncryptedFile object file_info (JSON, from tend_matrix_e2ee_file_seal) with url set to mxc,
 * instead of "url"; info says what the file itself is. malloc'd JSON holding the file's key (zero
 * it before freeing), NULL on OOM or a file_info that is not an object. */
char *tend_matrix_render_encrypted_file(const char *name, const char *content_type, size_t size,
                                        const char *mxc, const char *file_info);
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
