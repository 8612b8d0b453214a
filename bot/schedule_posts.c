/*
 * schedule_posts.c — what the group schedule says: the weekly check-in prompt (the tasks still
 * needing hands; one-tap answers on it where taps are private, else in each member's private chat), the weekly digest (done tasks, thanks, welcomes back, the gentle
 * concentration note), and the monthly process check-in (anonymous suggestions only from three).
 * Names in the digest are plain text: it celebrates, it pings nobody.
 */
#include <stdio.h>
#include <string.h>

#include "bot/language.h"
#include "bot/load.h"
#include "bot/fillin.h"
#include "bot/messages.h"
#include "bot/privacy.h"
#include "bot/schedule_internal.h"
#include "bot/tasks.h"
#include "bot/words.h"

#define DAY_SECONDS (24 * 3600)
#define HANDS_LISTED 10
#define FEEDBACK_SHOWN_FROM 3

typedef struct {
    tend_message *msg;
    int count;
    const char *header;
    tend_task_view view;
} task_lines;

static int add_task_line(const tend_task *t, void *ud)
{
    task_lines *l = ud;
    char line[TEND_TITLE_MAX + 300];
    tend_task_describe(t, &l->view, line, sizeof line);
    if ((l->count == 0 && tend_message_appendf(l->msg, "%s", tend_message_tr(l->msg, l->header)) != 0) ||
        tend_message_appendf(l->msg, MSG_SCHED_TASK_LINE, line) != 0)
        return 1;
    l->count++;
    return 0;
}

static int list_needing_hands(const tend_env *env, const tend_group *g, int64_t now, tend_message *msg)
{
    task_lines l = {msg, 0, MSG_SCHED_NEEDS_HANDS, tend_task_view_group(g, now)};
    int rc = tend_store_tasks_needing_hands(env->store, g->id, now, HANDS_LISTED, add_task_line, &l);
    if (rc == TEND_STORE_OK && l.count == HANDS_LISTED &&
        tend_message_appendf(msg, MSG_SCHED_MORE_TASKS) != 0)
        return TEND_STORE_ERROR;
    return rc;
}

static int add_checkin_answers(tend_message *msg)
{
    if (tend_message_add_button(msg, MSG_SCHED_BTN_GREAT, "🌟", "checkin great") ||
        tend_message_add_button(msg, MSG_SCHED_BTN_OK, "👍", "checkin ok") ||
        tend_message_add_button(msg, MSG_SCHED_BTN_LOW, "🪫", "checkin low") ||
        tend_message_add_button(msg, MSG_SCHED_BTN_OUT, "🛌", "checkin out"))
        return TEND_STORE_ERROR;
    return TEND_STORE_OK;
}

typedef struct {
    const tend_group *g;
    int64_t now;
    tend_messages *out;
    int rc;
} private_asks;

/* Each member's own check-in, in their private chat: never to someone resting or who turned
 * nudges off, and never in their quiet hours (the next week's comes then). */
static int ask_privately(const tend_member *m, void *ud)
{
    private_asks *a = ud;
    if (!m->key[0] || m->resting_until > a->now || !m->nudges || tend_sched_is_quiet(a->g, m, a->now))
        return 0;
    char answers[200]; /* in the reader's words; a tap still sends the English one */
    tend_words_energy(tend_lang_of_member(a->g, m), answers, sizeof answers);
    tend_message *dm = tend_sched_dm(a->out, a->g, m, "checkin.ask", MSG_SCHED_CHECKIN_ASK, answers);
    a->rc = dm ? add_checkin_answers(dm) : TEND_STORE_ERROR;
    return a->rc != TEND_STORE_OK;
}

int tend_sched_say_checkin(const tend_env *env, const tend_group *g, int64_t now, tend_messages *out)
{
    char platform[16];
    tend_privacy_platform_of(g->key, platform, sizeof platform);
    if (tend_privacy_taps_are_private(platform)) {
        /* a tap on the group's post is seen by the one who tapped alone */
        char answers[200]; /* in the group's words; a tap still sends the English one */
        tend_words_energy(g->language, answers, sizeof answers);
        tend_message *msg = tend_sched_post(out, g, "checkin.prompt", MSG_SCHED_CHECKIN_PROMPT, answers);
        if (!msg || add_checkin_answers(msg) != TEND_STORE_OK)
            return TEND_STORE_ERROR;
        return list_needing_hands(env, g, now, msg);
    }
    /* elsewhere an answer on the group's post is a message everyone receives: ask each privately */
    tend_message *msg = tend_sched_post(out, g, "checkin.prompt", MSG_SCHED_CHECKIN_PROMPT_PRIVATE);
    if (!msg)
        return TEND_STORE_ERROR;
    int rc = list_needing_hands(env, g, now, msg);
    private_asks asks = {g, now, out, TEND_STORE_OK};
    if (rc == TEND_STORE_OK)
        rc = tend_store_members_each(env->store, g->id, ask_privately, &asks);
    return rc == TEND_STORE_OK ? asks.rc : rc;
}

/* ---- digest */

typedef struct {
    const tend_env *env;
    tend_message *msg;
    int count;
    char names[1024];
} digest_part;

static int add_done_line(const tend_task *t, void *ud)
{
    digest_part *p = ud;
    if ((p->count == 0 && tend_message_appendf(p->msg, MSG_SCHED_DIGEST_DONE) != 0) ||
        tend_message_appendf(p->msg, MSG_SCHED_DIGEST_DONE_LINE, t->number, t->title) != 0)
        return 1;
    p->count++;
    return 0;
}

static const char *name_of(const tend_env *env, int64_t member_id, tend_member *m)
{
    if (tend_store_member_by_id(env->store, member_id, m) != TEND_STORE_OK)
        snprintf(m->name, sizeof m->name, "someone");
    return m->name;
}

static int add_thanks_line(const tend_thanks *t, void *ud)
{
    digest_part *p = ud;
    tend_member from, to;
    /* names as plain text: the digest celebrates, it pings nobody */
    if ((p->count == 0 && tend_message_appendf(p->msg, MSG_SCHED_DIGEST_THANKS) != 0) ||
        tend_message_appendf(p->msg, MSG_SCHED_DIGEST_THANKS_LINE, name_of(p->env, t->from_member, &from),
                             name_of(p->env, t->to_member, &to)) != 0 ||
        (t->reason[0] && tend_message_appendf(p->msg,
                                              tend_words_starts_with(TEND_WORD_THANKS_FOR, t->reason)
                                                  ? " %s"
                                                  : MSG_SCHED_DIGEST_THANKS_FOR,
                                              t->reason) != 0))
        return 1;
    p->count++;
    return 0;
}

static int add_welcome_name(const tend_rest *r, void *ud)
{
    digest_part *p = ud;
    tend_member m;
    if (!r->announce || tend_store_member_by_id(p->env->store, r->member_id, &m) != TEND_STORE_OK ||
        m.forgotten || strstr(p->names, m.name))
        return 0; /* only who said yes to it, once each; a rest's reason never appears here */
    size_t len = strlen(p->names);
    snprintf(p->names + len, sizeof p->names - len, "%s%s", len ? ", " : "", m.name);
    p->count++;
    return 0;
}

int tend_sched_say_digest(const tend_env *env, const tend_group *g, int64_t since, int64_t until, int64_t now,
                          tend_messages *out)
{
    tend_message *msg = tend_sched_post(out, g, "digest", MSG_SCHED_DIGEST_TITLE);
    if (!msg)
        return TEND_STORE_ERROR;
    digest_part done = {env, msg, 0, ""}, thanks = {env, msg, 0, ""}, back = {env, msg, 0, ""};
    int rc = tend_store_tasks_done_between(env->store, g->id, since, until, add_done_line, &done);
    if (rc == TEND_STORE_OK)
        rc = tend_store_thanks_between(env->store, g->id, since, until, add_thanks_line, &thanks);
    if (rc == TEND_STORE_OK)
        rc = tend_store_rests_ended_between(env->store, g->id, since, until, add_welcome_name, &back);
    if (rc != TEND_STORE_OK)
        return rc;
    if (back.count && tend_message_appendf(msg, MSG_SCHED_DIGEST_WELCOMES, back.names) != 0)
        return TEND_STORE_ERROR;
    if (!done.count && !thanks.count && !back.count && tend_message_appendf(msg, MSG_SCHED_DIGEST_QUIET) != 0)
        return TEND_STORE_ERROR;
    rc = list_needing_hands(env, g, now, msg);
    if (rc == TEND_STORE_OK && tend_load_concentrated(env->store, g, until - 30LL * DAY_SECONDS) &&
        tend_message_appendf(msg, MSG_SCHED_DIGEST_SHARE) != 0)
        return TEND_STORE_ERROR;
    if (rc == TEND_STORE_OK)
        rc = tend_learning_digest_line(env->store, g, until, msg); /* learning.c: an aggregate */
    return rc;
}

/* ---- monthly process check-in */

static int add_feedback_line(const tend_feedback *f, void *ud)
{
    task_lines *l = ud;
    if ((l->count == 0 && tend_message_appendf(l->msg, "%s", tend_message_tr(l->msg, l->header)) != 0) ||
        tend_message_appendf(l->msg, MSG_SCHED_PROCESS_FEEDBACK_LINE, f->text) != 0)
        return 1;
    l->count++;
    return 0;
}

/* The anonymous suggestions, only once there are at least 3 unshown, so no one can be singled out;
 * shown ones are marked in the same transaction as the post. */
static int show_feedback_when_enough(const tend_env *env, const tend_group *g, tend_message *msg)
{
    int unshown = 0;
    int rc = tend_store_feedback_unshown_count(env->store, g->id, &unshown);
    if (rc != TEND_STORE_OK || unshown < FEEDBACK_SHOWN_FROM)
        return rc;
    task_lines l = {msg, 0, MSG_SCHED_PROCESS_FEEDBACK, {NULL, false, 0, NULL, NULL}};
    rc = tend_store_feedback_unshown_each(env->store, g->id, add_feedback_line, &l);
    if (rc == TEND_STORE_OK && l.count < unshown)
        rc = TEND_STORE_ERROR; /* out of memory half-way: try the whole post again */
    if (rc == TEND_STORE_OK)
        rc = tend_store_feedback_mark_shown(env->store, g->id);
    return rc;
}

int tend_sched_say_process(const tend_env *env, const tend_group *g, tend_messages *out)
{
    tend_message *msg = tend_sched_post(out, g, "process", MSG_SCHED_PROCESS);
    if (!msg)
        return TEND_STORE_ERROR;
    return show_feedback_when_enough(env, g, msg);
}
