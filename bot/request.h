/*
 * request.h — one command from one member, as every adapter hands it to the bot.
 *
 * Keys are the platform's opaque strings. A group key starts with its platform's name and a colon
 * ("console:demo", "discord:81384788765712384", "matrix:!room:example.org"); the platform part picks
 * the adapter that delivers the bot's unprompted messages for that group.
 */
#ifndef TEND_REQUEST_H
#define TEND_REQUEST_H

#include <stdbool.h>
#include <stddef.h>

/* A member named in a command (a Discord user option, a Matrix pill). The request text refers to
 * refs[i] with the marker "\x1E" i "\x1F", the same markup reply.h uses for mentions. */
typedef struct {
    const char *member_key;
    const char *name;
} tend_member_ref;

/* Where a command was typed, as the adapter saw it. The adapter only reports it; the router
 * decides what may be run there (bot/privacy.h). */
typedef enum {
    TEND_PLACE_UNSAID = 0, /* the adapter does not say (tools, some tests): every command runs    */
    TEND_PLACE_SHARED,     /* where other members read it: a group room or channel, a Discord
                              mention, a Signal group, a direct chat someone else joined       */
    TEND_PLACE_PRIVATE     /* only the member and the bot read it: a direct or 1:1 chat, a
                              Discord slash command or button, the console's private chat     */
} tend_place;

typedef struct tend_request {
    const char *group_key;    /* "discord:<guild id>"                                        */
    const char *channel_key;  /* where it was typed; the group's channel until /setup says else */
    const char *member_key;   /* platform user id                                             */
    const char *member_name;  /* display name, used when the member is first seen              */
    bool is_coordinator;      /* Manage Server / power level >= 50 / always on the console    */
    const char *text;         /* the command without its prefix: "claim 12", "task add \"Soup run\" slots:2" */
    const tend_member_ref *refs;
    size_t n_refs;
    /* The platform's id for the event that carried the command (a Discord interaction or message
     * id, a Matrix event id), or NULL (the console). The router records it in the command's own
     * transaction, so an event replayed after a restart or a resume is recognised and never
     * answered twice, and a crash before the commit leaves it unrecorded, to be answered on replay. */
    const char *event_id;
    /* The adapter's own way back to where the command came from (an interaction id and token, a
     * room and event id), or NULL. Stored with the answers in the outbox, so after a restart the
     * adapter can still answer the way the member would see it. */
    const char *reply_to;
    /* The platform forgets the command soon by itself and never delivers it again after its
     * answer window (a Discord interaction: one callback, a token that lasts 15 minutes). Then a
     * command that only read needs no durable record: its answers go from memory, and a crash
     * before they went leaves the member to ask again, as the platform would anyway. Elsewhere
     * (a Telegram or Signal message, a Matrix event, the console) every answer is durable. */
    bool answers_expire;
    /* A private command (a check-in, a suggestion, a rest: TEND_CMD_PRIVATE) typed in a SHARED
     * place records nothing; the member is pointed to their private chat with the bot. */
    tend_place place;
    /* One person at their own keyboard (the console): no per-minute budget applies. The budget
     * keeps a shared room from being flooded; at the console the one typing owns the machine, and
     * a piped script under a fixed --now clock would otherwise never see its minute pass. */
    bool own_keyboard;
    /* The member's and the server's language as the platform says them (Discord's "es-ES"), or
     * NULL. A member who never chose a language with /profile is answered privately in theirs. */
    const char *locale;
    const char *guild_locale;
} tend_request;

/* An autocomplete suggestion: what the member sees and the value the command gets. */
typedef struct {
    char name[128];
    char value[16];
} tend_choice;

#define TEND_MAX_CHOICES 25

#endif
