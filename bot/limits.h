/*
 * limits.h — how long and how many: every limit a member can meet, in one place (the README's
 * "Limits" section lists them). Lengths count characters (Unicode code points), never bytes: a
 * 60-character name is 60 Chinese characters or 60 emoji (a skin-toned emoji is two code points).
 * The store's buffers (store.h) hold every limit at 4 bytes a character.
 */
#ifndef TEND_LIMITS_H
#define TEND_LIMITS_H

#define TEND_LIMIT_TITLE_CHARS 200       /* a task's title                                  */
#define TEND_LIMIT_NOTE_CHARS 500        /* notes: check-ins, rests, done notes, thanks     */
#define TEND_LIMIT_TASK_NOTE_CHARS 250   /* a task's own note: where, what to bring         */
#define TEND_LIMIT_LONG_TEXT_CHARS 1000  /* feedback and agreements                         */
#define TEND_LIMIT_NAME_CHARS 60         /* a display name set with /profile                */
#define TEND_LIMIT_PRONOUNS_CHARS 30
#define TEND_LIMIT_CAPACITY 20           /* the most a weekly capacity can be               */
#define TEND_LIMIT_OPEN_TASKS 500        /* open tasks a group can have at once             */
#define TEND_LIMIT_WAITLIST 50           /* members waiting on one task                     */

/* Past twice its limit a text's length is not told back to the member ("much longer than...");
 * a platform may have cut it short already, so the count would not even be true. */
#define TEND_FAR_TOO_LONG(chars, limit) ((chars) > 2 * (size_t)(limit))

#endif
