/*
 * messages.h — every sentence tend says, in one place.
 *
 * Voice (PRODUCT.md's principles): a fellow member talking. Short, warm, plain. Never scold, never
 * rank, never name who did *not* do something; rest is normal; private things stay private.
 * Commands are written TEND_CMD "name" so each platform shows its own prefix.
 * Each command family keeps its sentences in its own section below, named MSG_<FAMILY>_<WHAT>.
 */
#ifndef TEND_MESSAGES_H
#define TEND_MESSAGES_H

#include "bot/reply.h"

/* ---------------------------------------------------------------- router */
#define MSG_UNKNOWN_COMMAND "I don't know " TEND_CMD "%s. " TEND_CMD "help lists what I can do."
#define MSG_EMPTY_COMMAND "I'm here. " TEND_CMD "help lists what I can do."
#define MSG_CANNOT_READ "I couldn't read that: %s. " TEND_CMD "help lists what I can do."
#define MSG_USAGE "Usage: %s"
#define MSG_COORDINATORS_ONLY "Only the group's coordinators can use " TEND_CMD "%s."
#define MSG_STORE_FAILED "Something went wrong on my side, so nothing was changed. Please try again in a moment."
#define MSG_STORE_FULL "I couldn't save that because the server's disk is full, so nothing was changed. Your coordinator has been told in the log."
#define MSG_STORE_READONLY "I can't save anything right now (the database is read-only), so nothing was changed. Your coordinator has been told in the log."
#define MSG_SLOW_DOWN "That's a lot of commands in a minute; give me a moment and try again."
#define MSG_MEMBER_NOT_FOUND "I don't know anyone called %s here yet."

/* ---------------------------------------------------------------- tasks */

/* ---------------------------------------------------------------- checkin */

/* ---------------------------------------------------------------- rest */

/* ---------------------------------------------------------------- thanks */

/* ---------------------------------------------------------------- people (me, capacity, profile, nudges) */

/* ---------------------------------------------------------------- process (feedback, agreements, export, forgetme, help) */

/* ---------------------------------------------------------------- team and setup (coordinators) */

/* ---------------------------------------------------------------- scheduler */

#endif
