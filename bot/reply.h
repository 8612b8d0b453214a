/*
 * reply.h — what the bot says, before any platform renders it.
 *
 * Handlers and the scheduler produce tend_message values; adapters render them (console prefixes,
 * Discord ephemeral replies and components, Matrix m.notice with m.mentions and reactions).
 *
 * Text markup. Message text is plain UTF-8 with three in-band markers that user input can never
 * contain (tend_text_clean() strips control characters from everything members type):
 *   TEND_CMD              "\x1D" — stands before a command name; rendered as the platform's prefix
 *                         ("/" on Discord and the console, "!" on Matrix). Write  TEND_CMD "claim".
 *   "\x1E" <digits> "\x1F" — a mention of msg->mentions[digits]; rendered as a real ping on platforms
 *                         that have them. Only members listed in mentions are ever pinged; everything
 *                         else (a title "@everyone", a Matrix pill in a note) is inert text.
 * Use tend_message_add_mention() to append a marker; never build one by hand.
 */
#ifndef TEND_REPLY_H
#define TEND_REPLY_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bot/i18n.h"

#define TEND_CMD "\x1D"
#define TEND_MARK_MENTION_OPEN '\x1E'
#define TEND_MARK_MENTION_CLOSE '\x1F'

typedef enum {
    TEND_TO_PUBLIC,   /* the group's channel (or where the command was typed)                  */
    TEND_TO_PRIVATE,  /* only the member who asked: Discord ephemeral, Matrix DM, console [private] */
    TEND_TO_DM        /* a direct message to member_key, unprompted (promotions, nudges, welcomes)  */
} tend_audience;

typedef struct {
    char *member_key;  /* the platform's opaque user id */
    char *name;        /* display name, for platforms that render mentions as text */
} tend_mention;

/* A one-tap answer. Discord renders a button whose press runs `command` as the presser; Matrix
 * reacts with `emoji` on the message and a member's same reaction runs `command`; the console
 * prints the command to type. */
typedef struct {
    char *label;    /* "Claim", "No thanks"                 */
    char *emoji;    /* "✅", may be NULL (Matrix then skips it) */
    char *command;  /* text of the command, no prefix: "claim 12" */
} tend_button;

/* The kind of the one message a private-only command typed where others can read it gets (see
 * bot/privacy.h): nothing was recorded. Adapters that can take the member's message down there
 * (a Matrix redaction, when the bot may) do so when they see it. */
#define TEND_KIND_PRIVATE_ONLY "private.only"

/* A file that goes with a message (an export, a calendar): Discord attaches it, Matrix uploads it and
 * sends an m.file, the console writes it to a file of its own. Text only (JSON, iCalendar), so it
 * travels in the outbox row like the rest of the message. */
typedef struct {
    char *name;          /* a plain file name, no folders: "tend-export.json"  */
    char *content_type;  /* "application/json", "text/calendar"                */
    char *data;          /* NUL-terminated; len bytes before the NUL          */
    size_t len;
} tend_attachment;

typedef struct tend_message {
    tend_audience audience;
    char *group_key;     /* the group it belongs to; selects the adapter by its platform prefix */
    char *channel_key;   /* PUBLIC: where to post; NULL = the channel the command came from      */
    char *member_key;    /* PRIVATE / DM: who receives it                                      */
    char *member_name;   /* PRIVATE / DM: their display name (console prints it)               */
    char *kind;          /* what it is, for adapters and tests: "reply", "task.announce",
                            "checkin.prompt", "digest", "nudge", ... never NULL                */
    char *text;
    tend_mention *mentions;
    size_t n_mentions;
    tend_button *buttons;
    size_t n_buttons;
    bool first_answer;   /* the first of a command's answers (a Discord interaction's callback)  */
    char *reply_to;      /* the origin of the command this answers (the request's reply_to), for
                            messages to the member who asked or to where they asked; else NULL   */
    int64_t outbox_id;   /* its row in the durable outbox; 0 when it was not written there        */
    bool leaves_no_trace; /* never written to the outbox (the thanks for an anonymous suggestion):
                             sent at once, and lost if tend dies before it leaves               */
    tend_attachment *file; /* NULL, or a file that goes with the text (see tend_message_attach)   */
    char lang[TEND_LANG_MAX]; /* the language it is written in ("" = English): what appendf adds
                                 is translated into it too                                      */
} tend_message;

/* A growable list of messages; owns everything it holds. */
typedef struct tend_messages {
    tend_message *items;
    size_t count;
    size_t cap;
} tend_messages;

void tend_messages_init(tend_messages *list);
/* Frees every message and resets the list to empty; accepts NULL. */
void tend_messages_clear(tend_messages *list);

/* Frees the messages after the first `count`, keeping those. */
void tend_messages_truncate(tend_messages *list, size_t count);

/* Appends a message with a printf-formatted text. Returns the new message (owned by the list)
 * or NULL when out of memory. Strings are copied; NULL keys stay NULL. fmt is a msgid: it is
 * translated into the destination's language (bot/i18n.h: the group's for a public message, the
 * asker's own for theirs) before it is formatted. */
tend_message *tend_messages_add(tend_messages *list, tend_audience audience, const char *group_key,
                                const char *member_key, const char *member_name, const char *kind,
                                const char *fmt, ...) __attribute__((format(printf, 7, 8)));

/* The same, in lang ("" = English) whoever the destination is: the scheduler and DMs to members
 * other than the one who asked know their language. */
tend_message *tend_messages_add_lang(tend_messages *list, const char *lang, tend_audience audience,
                                     const char *group_key, const char *member_key, const char *member_name,
                                     const char *kind, const char *fmt, ...) __attribute__((format(printf, 8, 9)));
tend_message *tend_messages_vadd_lang(tend_messages *list, const char *lang, tend_audience audience,
                                      const char *group_key, const char *member_key, const char *member_name,
                                      const char *kind, const char *fmt, va_list ap)
    __attribute__((format(printf, 8, 0)));

/* Appends a deep copy of src (for adapters that must hold a message until a room or channel
 * exists). Returns the copy, or NULL on OOM (the list is then unchanged). */
tend_message *tend_messages_add_copy(tend_messages *list, const tend_message *src);

/* Appends more printf-formatted text to msg->text, fmt translated into msg->lang. 0 on success,
 * -1 when out of memory. */
int tend_message_appendf(tend_message *msg, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* msgid in the language msg is written in: for pieces added with "%s". */
const char *tend_message_tr(const tend_message *msg, const char *msgid) __attribute__((format_arg(2)));
/* Appends a mention marker for (member_key, name) to msg->text and records it. 0 or -1. */
int tend_message_add_mention(tend_message *msg, const char *member_key, const char *name);
/* Adds a one-tap answer. 0 or -1. */
int tend_message_add_button(tend_message *msg, const char *label, const char *emoji, const char *command);
/* Gives msg a file (copied; a file it had is replaced). The name is reduced to a plain file name
 * (no folders, no control characters). 0 or -1 on OOM. */
int tend_message_attach(tend_message *msg, const char *name, const char *content_type, const char *data);
/* For a file that cannot go as a file (one past a platform's upload limit): the file's text goes
 * after the message's own, as one message, and the file is dropped. 0 or -1 on OOM (msg unchanged). */
int tend_message_inline_file(tend_message *msg);
/* Sets where a PUBLIC message goes. 0 or -1. */
int tend_message_set_channel(tend_message *msg, const char *channel_key);

/* Renders msg->text for a platform: TEND_CMD becomes `prefix`, each mention marker becomes what
 * `mention` writes (or "@name" when mention is NULL). Returns a malloc'd string, NULL on OOM. */
typedef void (*tend_mention_writer)(const tend_mention *m, void *ud, char *out, size_t outlen);
char *tend_message_render(const tend_message *msg, const char *prefix, tend_mention_writer mention,
                          void *ud);

/* Copies src (at most maxbytes bytes of it, cut on a UTF-8 boundary) into a new string with control
 * characters removed (newline and tab kept), so user text can never carry markers. NULL on OOM. */
char *tend_text_clean(const char *src, size_t maxbytes);

#endif
