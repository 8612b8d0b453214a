/*
 * fillin.h — others fill in (issue 15): task kinds, backups when a timed task loses a hand close to
 * its time, roles that rotate, and learning a task alongside someone. What the files task_kind.c,
 * spread.c, backups.c, rotation.c and learning.c offer the rest of the bot.
 *
 * Every invitation is private and asked once per task per member (the offers table); the group
 * hears only that a task could use a hand, never who stepped back, who was asked or who passed.
 * Nobody is asked who is resting, over their capacity, in their quiet hours or has nudges off.
 */
#ifndef TEND_FILLIN_H
#define TEND_FILLIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bot/command.h"

/* ---------------------------------------------------------------- spread.c: whom to ask, in what order */

/* One member who could be asked, as the spreading order weighs them. */
typedef struct {
    int64_t member_id;
    int64_t last_at;  /* the last time they took a task (of this role, for a rotation); 0 = never */
    bool standing;    /* a standing backup for the task's kind (/backup KIND on)               */
    bool learner;     /* learned this role last time and was not offered it since              */
} tend_spread_candidate;

/* The spreading order: learners of the role first, then standing backups, then whoever took a task
 * least recently (never before anyone), then join order. It weighs only recency, never a count of
 * what anyone did, and nobody ever sees it. */
void tend_spread_sort(tend_spread_candidate *c, size_t n);

/* Whether m has room for a task of `weight` at now: can be messaged, not resting, nudges on, not in
 * their quiet hours, and the task fits under their capacity this week. */
int tend_spread_has_room(const tend_env *env, const tend_group *g, const tend_member *m, int weight, int64_t now,
                         bool *room);

typedef enum { TEND_SPREAD_BACKUP, TEND_SPREAD_ROTATION } tend_spread_purpose;

/* Up to `want` members to ask about task t, in the spreading order, each with room and never asked
 * about t before, never anyone who had a claim on it. A rotation avoids whoever held the role last
 * unless nobody else can. *n gets how many were found. */
int tend_spread_pick(const tend_env *env, const tend_group *g, const tend_task *t, tend_spread_purpose purpose,
                     int64_t now, size_t want, tend_member *picked, size_t *n);

/* A direct message to m in group g (commands and the scheduler alike). NULL on OOM. */
tend_message *tend_fillin_dm(tend_messages *out, const tend_group *g, const tend_member *m, const char *kind,
                             const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* A post in the group's own channel, wherever the cause was typed. NULL on OOM. */
tend_message *tend_fillin_post(tend_messages *out, const tend_group *g, const char *kind, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* ---------------------------------------------------------------- task_kind.c */

/* Reads kind:, rotate: and teach: for task t (just posted or edited) and stores them. *said gets a
 * short sentence of what was understood ("" when none was given). TEND_OK or a usage answer. */
int tend_task_traits_apply(tend_ctx *ctx, const tend_task *t, char *said, size_t saidlen);
/* Whether the command names any of kind:, rotate:, teach:. */
bool tend_task_traits_asked(const tend_ctx *ctx);
/* A kind as the group will read it: trimmed, lower case, letters, digits, spaces and dashes, at
 * most 24 characters; "none" gives "". 0, or -1 when it is no kind. */
int tend_kind_clean(const char *typed, char *out, size_t outlen);
/* Copies task from's traits onto task to (a repeat's next copy). */
int tend_task_traits_copy(tend_store *store, int64_t from, int64_t to);
/* The nudge's own words for a busy week of one kind: " That's three driving tasks this week." or "". */
int tend_kind_nudge_words(tend_store *store, const tend_member *m, int64_t now, char *out, size_t outlen);

/* ---------------------------------------------------------------- backups.c */

#define TEND_BACKUP_FIRST_WAVE 2 /* invited at once when a hand is lost       */
#define TEND_BACKUP_MAX_ASKED 4  /* at most this many asked about one task in all */

/* A hand was lost on task_id (a rest, an unclaim, a handoff that fell through): when the task has a
 * time within the backup window and a free slot nobody on the waitlist took, invite a few members
 * privately and tell the group, naming nobody. TEND_OK or TEND_ESTORE. */
int tend_backups_after_release(tend_ctx *ctx, int64_t task_id);
/* The member took a slot on task t: their offer is answered, and a task that is full closes the
 * rest. TEND_OK or TEND_ESTORE. */
int tend_offers_after_claim(tend_ctx *ctx, const tend_task *t);
/* The group hears that a task which lost a hand could use one (the scheduler, per group), naming
 * nobody and in no answer to anyone's command. */
int tend_backups_tick(const tend_env *env, const tend_group *g, int64_t now, tend_messages *out);
int64_t tend_backups_next(const tend_env *env, const tend_group *g, int64_t now);
/* ---------------------------------------------------------------- rotation.c */

/* A rotating task's new copy: offer it privately to whoever is next in turn. *offered says whether
 * anyone was asked (when not, the caller announces it as usual). TEND_STORE_OK or an error. */
int tend_rotation_start(const tend_env *env, const tend_group *g, const tend_task *t, int64_t now,
                        tend_messages *out, bool *offered);
/* The member passed (or a day went by): the next in turn is asked, or the group hears it is up. */
int tend_rotation_move_on(const tend_env *env, const tend_group *g, int64_t task_id, int64_t now,
                          tend_messages *out);
/* Rotation offers unanswered for a day move on (the scheduler, per group). */
int tend_rotation_tick(const tend_env *env, const tend_group *g, int64_t now, tend_messages *out);
int64_t tend_rotation_next(const tend_env *env, const tend_group *g, int64_t now);
#define TEND_ROTATION_ANSWER_WITHIN (24 * 3600)
#define TEND_ROTATION_MAX_ASKED 3 /* members offered one copy in turn before the group hears */

/* ---------------------------------------------------------------- learning.c */

/* /claim N learn. */
int tend_learn_join(tend_ctx *ctx, const tend_task *t);
/* /tasks learn. */
int tend_learn_list(tend_ctx *ctx);
/* Task t is done: its learners have learned it; learners and doers are thanked privately. */
int tend_learning_after_done(tend_ctx *ctx, const tend_task *t);
/* A repeating task's next copy is up: those who learned it last time are offered it first (when it
 * does not rotate: a rotation asks them first itself). */
int tend_learning_offer_next(const tend_env *env, const tend_group *g, const tend_task *t, int64_t now,
                             tend_messages *out);
/* A rotation offer to member_id: when they learned t's role and were not offered it since, they
 * are now (*learned says so). */
int tend_learning_mark_offered(tend_store *store, const tend_group *g, const tend_task *t, int64_t member_id,
                               bool *learned);
/* The digest's line: how many people learned a task in the 30 days before until (3 or more). */
int tend_learning_digest_line(tend_store *store, const tend_group *g, int64_t until, tend_message *digest);

#endif
