/*
 * internal.h — what the Telegram adapter's files share; nothing outside adapters/telegram/ includes it.
 *
 *   client.c    the adapter object, the start-up checks (getMe, a webhook in the way), ops table,
 *               the one way to call a Bot API method
 *   poll.c      the getUpdates long-poll, its offset in the host's state, and each group's admins
 *   updates.c   what one update means: a command in a group or the private chat, a button press,
 *               the bot added to a group, a group that became a supergroup
 *   send.c      messages out: one queue per chat, paced to Telegram's limits, 429 honoured
 *   hold.c      private messages held for a member who has not opened the private chat yet
 *   commands.c  the command menu (setMyCommands), from the bot's own command table
 *   render.c    pure text work: commands out of messages (UTF-16 entity offsets), messages into
 *               text + entities + inline keyboards
 */
#ifndef TEND_TELEGRAM_INTERNAL_H
#define TEND_TELEGRAM_INTERNAL_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "adapters/adapter.h"
#include "bot/request.h"
#include "lib/http.h"

#define TEND_TELEGRAM_PLATFORM "telegram"
#define TG_ID_MAX 32            /* a chat or user id as text: "-1001234567890"              */
#define TG_NAME_MAX 160         /* a member's or group's name as the store keeps it          */
#define TG_TEXT_UNITS 4096      /* what one message may hold, in UTF-16 units                 */
#define TG_CALLBACK_DATA_MAX 64 /* bytes of a button's callback_data                          */
#define TG_MAX_REFS 16
#define TG_UPLOAD_MAX (50u * 1024 * 1024) /* "Bots can currently send files of any type of up to 50 MB" */

typedef struct tg_chatq tg_chatq;
typedef struct tg_admins tg_admins;

typedef struct tend_telegram {
    tend_adapter base;
    uv_loop_t *loop;
    tend_http *http;
    char *api_base;            /* without a trailing slash                                  */
    char *token;               /* secret: part of every method's address                    */
    char username[64];         /* the bot's own @name without the @, from getMe             */
    int64_t bot_id;
    bool stopping;
    int open_handles;
    /* poll.c */
    uv_timer_t poll_timer;
    bool poll_timer_open;
    bool poll_in_flight;
    int poll_failures;
    bool conflict_said;
    uint64_t down_since_ms;
    cJSON *batch;              /* the updates being handled, in order                       */
    int batch_index;
    int64_t batch_offset;      /* the offset to store once the batch and its commands ran   */
    bool batch_waiting;        /* an update waits for its group's admins                    */
    int commands_queued;       /* handed to the host's store thread, not yet handled()      */
    tg_admins *admins;
    /* send.c */
    tg_chatq *chats;
    uv_timer_t send_timer;
    bool send_timer_open;
    uint64_t global_recent[30]; /* when the last 30 messages left, for ~30 a second overall */
    int global_pos;
    cJSON *started;            /* user id -> tend_telegram_chat_state, as last known          */
    cJSON *pointed;            /* user id -> when their group was last shown the deep link    */
    cJSON *kept;               /* state values read or written, so a repeat costs no write     */
    uv_timer_t drain;
    bool draining;
    uint64_t drain_deadline;
} tend_telegram;

/* ---------------------------------------------------------------- client.c */
/* A Bot API answer, read once: {"ok":true,"result":...} or {"ok":false,"error_code":...}. */
typedef struct {
    long status;               /* HTTP status; 0 when no answer came (network)            */
    bool ok;
    int error_code;
    char description[200];     /* Telegram's words, cleaned, for the log                  */
    double retry_after;        /* parameters.retry_after in seconds, 0 when absent        */
    int64_t migrate_to;        /* parameters.migrate_to_chat_id, 0 when absent            */
    cJSON *json;               /* the whole answer, owned                                 */
    const cJSON *result;       /* inside json                                             */
} tg_answer;

void tend_telegram_answer_read(const tend_http_response *res, tg_answer *a);
void tend_telegram_answer_free(tg_answer *a);
/* Calls a Bot API method with a JSON body (NULL: none). The address holds the token: it is never
 * logged. 0, or -1 when the request could not start (cb not called). */
int tend_telegram_call(tend_telegram *tg, const char *method, const char *body, long timeout_ms, tend_http_done cb,
                       void *ud);
/* Calls a Bot API method with a multipart/form-data body (a file upload). 0 or -1, as above. */
int tend_telegram_upload(tend_telegram *tg, const char *method, const tend_http_part *parts, size_t n_parts,
                         long timeout_ms, tend_http_done cb, void *ud);
uint64_t tend_telegram_now_ms(tend_telegram *tg);
/* Delay before try number `failures` (1, 2, ...): doubling from base, capped, +-25% jitter. */
uint64_t tend_telegram_backoff_ms(int failures, uint64_t base_ms, uint64_t cap_ms);

/* ---------------------------------------------------------------- poll.c */
int tend_telegram_poll_start(tend_telegram *tg);
void tend_telegram_poll_stop(tend_telegram *tg);
/* Whether user is an admin of chat (creator or administrator), from a cache of
 * getChatAdministrators kept a few minutes. 0 with *is_admin set, or 1 when the list is being
 * fetched: the batch pauses and resumes by itself once it arrives. */
int tend_telegram_admin(tend_telegram *tg, const char *chat, const char *user, bool *is_admin);
void tend_telegram_admins_free(tend_telegram *tg);
/* A command the host queued (TEND_HOST_QUEUED) has run: the next getUpdates may go once none is
 * left (adapter.h's handled()). */
void tend_telegram_command_handled(tend_telegram *tg);

/* ---------------------------------------------------------------- updates.c */
/* The language of the adapter's own words (adapters/host.h): with user NULL, what group_chat's
 * group reads; with a user, what only they read (their own, else `locale`, their Telegram's
 * language_code, else the group's), group_chat NULL meaning the first group they are known in.
 * Into out; "" = English. */
void tend_telegram_lang(tend_telegram *tg, const char *group_chat, const char *user, const char *locale, char *out,
                        size_t outlen);
/* msgid (bot/messages.h) in that language; lives as long as the process. */
const char *tend_telegram_words(tend_telegram *tg, const char *group_chat, const char *user, const char *locale,
                                const char *msgid) __attribute__((format_arg(5)));
/* Handles one update. false: it waits for a group's admins; call it again when the batch resumes
 * (everything it did before waiting is safe to do twice). */
bool tend_telegram_handle_update(tend_telegram *tg, const cJSON *update);
/* The chat a group's public posts go to ("telegram:<id>" → id, following a move to a supergroup),
 * written into out; false when group_key is not a Telegram group. */
bool tend_telegram_chat_of_group(tend_telegram *tg, const char *group_key, char *out, size_t outlen);
/* The chat a chat id now is, after any moves to a supergroup, into out; false for no chat id. */
bool tend_telegram_follow_moves(tend_telegram *tg, const char *chat, char *out, size_t outlen);
/* Records that chat `from` became chat `to` (a group upgraded to a supergroup): the group keeps
 * its key, its posts go to the new chat. */
void tend_telegram_record_move(tend_telegram *tg, const char *from, const char *to);
/* Remembers that user belongs to the group of chat (they typed there, or were sent its news). */
void tend_telegram_note_group(tend_telegram *tg, const char *user, const char *chat);

/* ---------------------------------------------------------------- send.c */
/* Sends one outbox row (the adapter's send op). The verdict reaches the host once Telegram
 * answered. 0, or -1 when it could not be queued. */
int tend_telegram_send_row(tend_telegram *tg, const tend_outgoing *o);
/* Sends the adapter's own message (an introduction, a hint), not from the outbox. 0 or -1. */
int tend_telegram_say(tend_telegram *tg, const char *chat, const tend_message *msg, int64_t reply_to_message);
/* Queues a held message (sendMessage's JSON) for the member's private chat. 0 or -1. */
int tend_telegram_send_held(tend_telegram *tg, const char *user, const char *body);
/* True while held messages for user are queued or in flight. */
bool tend_telegram_holding_queued(tend_telegram *tg, const char *user);
size_t tend_telegram_pending(const tend_telegram *tg);
void tend_telegram_senders_stop(tend_telegram *tg);
void tend_telegram_senders_free(tend_telegram *tg);

/* ---------------------------------------------------------------- document.c */
/* A file's job body: {"chat_id":chat,"document":{"filename","content_type","data"}}. NULL on OOM. */
char *tend_telegram_document_body(const char *chat, const tend_attachment *file);
bool tend_telegram_body_is_document(const char *body);
/* The file name a document body carries, into out. 0, or -1 when it has none. */
int tend_telegram_document_name(const char *body, char *out, size_t outlen);
/* Uploads a document body with sendDocument (multipart/form-data). 0, or -1 (cb not called). */
int tend_telegram_send_document(tend_telegram *tg, const char *body, tend_http_done cb, void *ud);
/* How many jobs of the row with this idempotency key Telegram already took in chat (0: none known). */
size_t tend_telegram_row_done(tend_telegram *tg, const char *chat, const char *idem);
void tend_telegram_row_progress(tend_telegram *tg, const char *chat, const char *idem, size_t done);
/* The row is delivered: its mark goes. */
void tend_telegram_row_finished(tend_telegram *tg, const char *chat);

/* ---------------------------------------------------------------- hold.c */
/* 1: the member opened the private chat; -1: Telegram said they have not (or blocked the bot);
 * 0: not known yet. */
int tend_telegram_chat_state(tend_telegram *tg, const char *user);
void tend_telegram_set_chat_state(tend_telegram *tg, const char *user, bool opened);
/* The member opened the private chat (or wrote there): what was held for them goes now. */
void tend_telegram_member_started(tend_telegram *tg, const char *user);
/* Keeps a private message (sendMessage's JSON) until the member opens the chat. false on failure. */
bool tend_telegram_hold(tend_telegram *tg, const char *member, const char *body);
/* Everything held for user reached them: the held list goes. */
void tend_telegram_held_delivered(tend_telegram *tg, const char *user);
/* One line in the group (at most every few hours per member) that pings the member alone, with
 * the deep link that opens the private chat. */
void tend_telegram_point_to_chat(tend_telegram *tg, const char *member, const char *name, const char *group_chat);
/* A t.me deep link that opens the private chat with the bot, written into out. */
void tend_telegram_start_link(const tend_telegram *tg, const char *group_chat, char *out, size_t outlen);

/* ---------------------------------------------------------------- commands.c */
/* Registers the command menu: members' commands for everyone, all of them for group admins; in
 * English by default and in each language tend speaks for members whose app uses it. */
void tend_telegram_register_commands(tend_telegram *tg);
/* The menu entries as setMyCommands takes them (for tests): members' only, or every command. */
cJSON *tend_telegram_command_menu(bool coordinators);
/* The same with its descriptions in lang (NULL or "" = English). */
cJSON *tend_telegram_command_menu_in(bool coordinators, const char *lang);

/* ---------------------------------------------------------------- render.c (pure) */
/* UTF-16 code units in the first nbytes of UTF-8 text (Telegram counts offsets in them). */
size_t tend_telegram_utf16_units(const char *s, size_t nbytes);
/* The byte offset in s (len bytes) where `units` UTF-16 units end, or SIZE_MAX when that is
 * past the end or inside a character. */
size_t tend_telegram_utf16_byte(const char *s, size_t len, size_t units);

/* A command found in a message. Everything is owned by it. */
typedef struct tend_telegram_command {
    char *text;                  /* "claim 12" without the slash; references as "\x1E<i>\x1F" */
    char name[40];               /* the command word, lower case, '_' read as '-'              */
    tend_member_ref refs[TG_MAX_REFS];
    char *ref_keys[TG_MAX_REFS];
    char *ref_names[TG_MAX_REFS];
    size_t n_refs;
} tend_telegram_command;

/* Finds the member an @username stands for (someone seen before). */
typedef bool (*tend_telegram_resolver)(void *ud, const char *username, char *key, size_t keylen, char *name,
                                       size_t namelen);

/* Reads "/name args" or "/name@bot args" at the start of a message. text_mention entities (and
 * @usernames the resolver knows) become member references; everything else is cleaned text.
 * 1 with *out filled, 0 when it is no command or one for another bot, -1 when out of memory. */
int tend_telegram_parse_command(const char *text, const cJSON *entities, const char *bot_username,
                                tend_telegram_resolver resolve, void *ud, tend_telegram_command *out);
void tend_telegram_command_free(tend_telegram_command *cmd);
/* Takes a group:<name> or group:"two words" option out of text (in place). 1 with value set,
 * 0 when there is none. */
int tend_telegram_take_group_option(char *text, char *value, size_t valuelen);

/* One message as Telegram takes it: text with its entities (a text_mention per member meant). */
typedef struct {
    char *text;
    cJSON *entities;             /* array, possibly empty */
} tend_telegram_part;

#define TG_MAX_PARTS 8
/* Renders msg: commands with "/", each mention as the member's name under a text_mention entity,
 * every other "@name" made inert so it pings nobody; split at line ends into parts of at most
 * TG_TEXT_UNITS. Returns the number of parts, 0 when out of memory. */
size_t tend_telegram_render(const tend_message *msg, tend_telegram_part *parts, size_t max_parts);
void tend_telegram_parts_free(tend_telegram_part *parts, size_t n);
/* The inline keyboard of msg's buttons (each press runs its command in group_chat's group), or
 * NULL when it has none (or out of memory). */
cJSON *tend_telegram_keyboard(const tend_message *msg, const char *group_chat);
/* A button's callback_data: "1|<group chat>|<command>", or "1||<command>" when that is too long.
 * 0, or -1 when even that is over 64 bytes. */
int tend_telegram_button_data(const char *group_chat, const char *command, char *out, size_t outlen);
/* Reads callback_data back. The chat may come out empty. 0, or -1 when it is not ours. */
int tend_telegram_button_parse(const char *data, char *chat, size_t chatlen, char *command, size_t cmdlen);
/* A member's name from a User object: first and last name, cleaned, never empty. */
void tend_telegram_user_name(const cJSON *user, char *out, size_t outlen);
/* A chat or user id as text ("-100123") when the JSON number is one, written into out. */
bool tend_telegram_id_text(const cJSON *number, char *out, size_t outlen);
/* True for "-?[0-9]{1,20}". */
bool tend_telegram_id_ok(const char *s);

#endif
