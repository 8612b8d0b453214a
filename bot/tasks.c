/*
 * tasks.c — the task family: the board, posting, claiming (with waitlists and the ask-once
 * capacity check), giving back and finishing. Handing a slot over is in handoff.c.
 *
 * Titles and notes are member text: they are only ever printed with "%s", never turned into
 * mention markers, so a task called "@everyone" pings nobody. The only pings are the doers named
 * in a celebration, added with tend_message_add_mention.
 */
#include "bot/tasks.h"
#include "bot/tasks_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "bot/limits.h"
#include "bot/load.h"
#include "bot/messages.h"
#include "bot/parse.h"
#include "bot/tz.h"

#define WHEN_MAX_BYTES 100
#define BOARD_ALL_LIMIT 30

/* ---------------------------------------------------------------- shared with other families */

void tend_task_describe(const tend_task *t, char *out, size_t outlen)
{
    char detail[256];
    if (t->state == TEND_TASK_DONE) {
        snprintf(detail, sizeof detail, MSG_TASKS_STATE_DONE);
    } else if (t->state == TEND_TASK_CANCELLED) {
        snprintf(detail, sizeof detail, MSG_TASKS_STATE_CANCELLED);
    } else {
        int n = snprintf(detail, sizeof detail, t->slots == 1 ? MSG_TASKS_HAND : MSG_TASKS_HANDS,
                         t->active, t->slots);
        if (n > 0 && t->waiting > 0 && (size_t)n < sizeof detail)
            n += snprintf(detail + n, sizeof detail - (size_t)n, MSG_TASKS_WAITING, t->waiting);
        if (n > 0 && t->when_text[0] && (size_t)n < sizeof detail)
            n += snprintf(detail + n, sizeof detail - (size_t)n, ", %s", t->when_text);
        if (n > 0 && t->repeat_weekly && (size_t)n < sizeof detail)
            snprintf(detail + n, sizeof detail - (size_t)n, MSG_TASKS_WEEKLY);
    }
    snprintf(out, outlen, MSG_TASKS_LINE, t->number, t->title, detail);
}

/* Gives the task's free slot to the first member waiting, and tells them; *promoted (may be NULL)
 * says whether anyone was. TEND_OK or TEND_ESTORE. */
static int promote_waiting(tend_ctx *ctx, int64_t task_id, bool *promoted)
{
    if (promoted)
        *promoted = false;
    tend_store *store = ctx->env->store;
    tend_task task;
    int rc = tend_store_task_by_id(store, task_id, &task);
    if (rc != TEND_STORE_OK)
        return tend_store_failed(ctx, rc);
    if (task.state != TEND_TASK_OPEN || task.active >= task.slots)
        return TEND_OK;
    tend_claim next;
    rc = tend_store_claim_first_waiting(store, task_id, &next);
    if (rc == TEND_STORE_NOTFOUND)
        return TEND_OK;
    tend_member who;
    if (rc == TEND_STORE_OK)
        rc = tend_store_claim_set_state(store, next.id, TEND_CLAIM_ACTIVE, NULL, ctx->now);
    if (rc == TEND_STORE_OK)
        rc = tend_store_member_by_id(store, next.member_id, &who);
    if (rc == TEND_STORE_OK)
        rc = tend_store_task_by_id(store, task_id, &task);
    if (rc == TEND_STORE_OK)
        rc = tend_store_audit(store, ctx->group.id, who.id, "claim", "promoted from waitlist", ctx->now);
    if (rc != TEND_STORE_OK)
        return tend_store_failed(ctx, rc);
    char line[TEND_TITLE_MAX + 300];
    tend_task_describe(&task, line, sizeof line);
    if (who.key[0] && !tend_dm(ctx, &who, "waitlist.promoted", MSG_TASKS_PROMOTED, line, task.number))
        return tend_store_failed(ctx, TEND_STORE_ERROR);
    if (promoted)
        *promoted = true;
    return TEND_OK;
}

typedef struct {
    tend_claim *items;
    size_t count, cap;
} claim_list;

static int collect_claim(const tend_claim *c, void *ud)
{
    claim_list *l = ud;
    if (l->count == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 8;
        tend_claim *grown = realloc(l->items, cap * sizeof *grown);
        if (!grown)
            return 1;
        l->items = grown;
        l->cap = cap;
    }
    l->items[l->count++] = *c;
    return 0;
}

int tend_tasks_release_all(tend_ctx *ctx, const tend_member *m, int *released)
{
    claim_list held = {0};
    *released = 0;
    int rc = tend_store_claims_of_member(ctx->env->store, m->id, collect_claim, &held);
    int result = rc == TEND_STORE_OK ? TEND_OK : tend_store_failed(ctx, rc);
    for (size_t i = 0; result == TEND_OK && i < held.count; i++) {
        const tend_claim *c = &held.items[i];
        rc = tend_store_claim_set_state(ctx->env->store, c->id, TEND_CLAIM_RELEASED, NULL, ctx->now);
        if (rc != TEND_STORE_OK) {
            result = tend_store_failed(ctx, rc);
        } else if (c->state == TEND_CLAIM_ACTIVE) {
            (*released)++;
            result = promote_waiting(ctx, c->task_id, NULL);
        }
    }
    free(held.items);
    return result;
}

typedef struct {
    tend_ctx *ctx;
    tend_message *msg;
    tend_claim_state state;
    const char *heading;
    int listed;
    int rc;
} claim_walk;

static int list_claim(const tend_claim *c, void *ud)
{
    claim_walk *w = ud;
    if (c->state != w->state)
        return 0;
    tend_task t;
    w->rc = tend_store_task_by_id(w->ctx->env->store, c->task_id, &t);
    if (w->rc == TEND_STORE_NOTFOUND) {
        w->rc = TEND_STORE_OK;
        return 0;
    }
    if (w->rc != TEND_STORE_OK)
        return 1;
    char line[TEND_TITLE_MAX + 128];
    tend_task_describe(&t, line, sizeof line);
    if ((w->listed == 0 && tend_message_appendf(w->msg, "%s", w->heading) != 0) ||
        tend_message_appendf(w->msg, MSG_TASKS_CLAIM_LINE, line) != 0) {
        w->rc = TEND_STORE_ERROR;
        return 1;
    }
    w->listed++;
    return 0;
}

int tend_tasks_list_claims(tend_ctx *ctx, tend_message *m, const tend_member *who, tend_claim_state state,
                           const char *heading, int *listed)
{
    claim_walk w = {ctx, m, state, heading, 0, TEND_STORE_OK};
    int rc = tend_store_claims_of_member(ctx->env->store, who->id, list_claim, &w);
    if (listed)
        *listed = w.listed;
    return rc == TEND_STORE_OK ? w.rc : rc;
}

/* ---------------------------------------------------------------- finding a task */

/* Words [from, to) joined by spaces; "" when none. NULL on OOM. */
static char *join_words(const tend_args *args, size_t from, size_t to)
{
    size_t len = 1;
    for (size_t i = from; i < to; i++)
        len += strlen(tend_args_word(args, i)) + 1;
    char *out = malloc(len);
    if (!out)
        return NULL;
    out[0] = '\0';
    for (size_t i = from; i < to; i++) {
        if (i > from)
            strcat(out, " ");
        strcat(out, tend_args_word(args, i));
    }
    return out;
}

typedef struct {
    char text[64];
    size_t len;
} number_list;

static int list_number(const tend_task *t, void *ud)
{
    number_list *l = ud;
    int n = snprintf(l->text + l->len, sizeof l->text - l->len, "%s#%d", l->len ? ", " : "", t->number);
    if (n > 0 && (size_t)n < sizeof l->text - l->len)
        l->len += (size_t)n;
    return 0;
}

/* Finds the task `ref` names in the member's group. TEND_OK, or a refusal already written. */
int tend_task_find(tend_ctx *ctx, const char *ref, tend_task *out)
{
    if (!ref || !*ref)
        return tend_usage(ctx, MSG_TASKS_WHICH);
    int rc = tend_store_task_find(ctx->env->store, ctx->group.id, ref, out);
    if (rc == TEND_STORE_OK)
        return TEND_OK;
    if (rc != TEND_STORE_NOTFOUND && rc != TEND_STORE_EXISTS)
        return tend_store_failed(ctx, rc);
    number_list l = {{0}, 0};
    if (rc == TEND_STORE_EXISTS &&
        (rc = tend_store_tasks_matching(ctx->env->store, ctx->group.id, ref, 3, list_number, &l)) !=
            TEND_STORE_OK)
        return tend_store_failed(ctx, rc);
    char *shown = tend_text_clean(ref, 60); /* echo a short piece, cut between characters */
    if (!shown)
        return tend_store_failed(ctx, TEND_STORE_ERROR);
    int result = l.len ? tend_refuse(ctx, MSG_TASKS_AMBIGUOUS, shown, l.text)
                       : tend_refuse(ctx, MSG_TASKS_NOT_FOUND, shown);
    free(shown);
    return result;
}

/* Finds the task named by words [from, to). */
int tend_task_find_words(tend_ctx *ctx, size_t from, size_t to, tend_task *out)
{
    char *ref = join_words(ctx->args, from, to);
    if (!ref)
        return tend_store_failed(ctx, TEND_STORE_ERROR);
    int result = tend_task_find(ctx, ref, out);
    free(ref);
    return result;
}

/* Refuses a task that is no longer open. */
int tend_task_refuse_closed(tend_ctx *ctx, const tend_task *t)
{
    if (t->state == TEND_TASK_DONE)
        return tend_refuse(ctx, MSG_TASKS_IS_DONE, t->number);
    return tend_refuse(ctx, MSG_TASKS_IS_CANCELLED, t->number);
}

int tend_task_audit(tend_ctx *ctx, const char *action, const tend_task *t, const char *what)
{
    char detail[64];
    snprintf(detail, sizeof detail, "#%d%s%s", t->number, what ? " " : "", what ? what : "");
    int rc = tend_store_audit(ctx->env->store, ctx->group.id, ctx->member.id, action, detail, ctx->now);
    return rc == TEND_STORE_OK ? TEND_OK : tend_store_failed(ctx, rc);
}

/* ---------------------------------------------------------------- /tasks */

typedef struct {
    tend_ctx *ctx;
    const char *header;
    tend_message *msg; /* made with the first line, so an empty board gets its own sentence */
    bool mine;
    bool failed;       /* out of memory part way */
} board;

static int board_line(const tend_task *t, void *ud)
{
    board *b = ud;
    char line[TEND_TITLE_MAX + 300];
    tend_task_describe(t, line, sizeof line);
    if (!b->msg && !(b->msg = tend_reply_private(b->ctx, "tasks.board", "%s", b->header)))
        return b->failed = true;
    tend_claim c;
    int position = 0;
    if (b->mine && tend_store_claim_current(b->ctx->env->store, t->id, b->ctx->member.id, &c) ==
                       TEND_STORE_OK && c.state == TEND_CLAIM_WAITING &&
        tend_store_claim_waitlist_position(b->ctx->env->store, &c, &position) == TEND_STORE_OK)
        b->failed = tend_message_appendf(b->msg, "\n%s" MSG_TASKS_BOARD_YOU_WAIT, line, position) != 0;
    else
        b->failed = tend_message_appendf(b->msg, "\n%s", line) != 0;
    return b->failed;
}

static int cmd_tasks(tend_ctx *ctx)
{
    const char *word = tend_args_word(ctx->args, 0);
    board b = {ctx, MSG_TASKS_BOARD_OPEN, NULL, false, false};
    tend_task_filter filter = TEND_TASKS_OPEN;
    if (word && strcasecmp(word, "mine") == 0) {
        filter = TEND_TASKS_MINE;
        b.header = MSG_TASKS_BOARD_MINE;
        b.mine = true;
    } else if (word && strcasecmp(word, "all") == 0) {
        filter = TEND_TASKS_ALL;
        b.header = MSG_TASKS_BOARD_ALL;
    } else if (word && strcasecmp(word, "open") != 0) {
        return tend_usage(ctx, MSG_TASKS_BAD_FILTER);
    }
    if (tend_args_count(ctx->args) > 1)
        return tend_usage(ctx, MSG_TASKS_BAD_FILTER);
    int rc = tend_store_tasks_each(ctx->env->store, ctx->group.id, filter, ctx->member.id,
                                   filter == TEND_TASKS_ALL ? BOARD_ALL_LIMIT : 0, board_line, &b);
    if (rc == TEND_STORE_OK && b.failed)
        rc = TEND_STORE_ERROR;
    if (rc != TEND_STORE_OK)
        return tend_store_failed(ctx, rc);
    if (!b.msg && !tend_reply_private(ctx, "tasks.board", "%s",
                                      b.mine ? MSG_TASKS_BOARD_MINE_EMPTY : MSG_TASKS_BOARD_EMPTY))
        return tend_store_failed(ctx, TEND_STORE_ERROR);
    return TEND_OK;
}

/* ---------------------------------------------------------------- /task add */

static int refuse_paused(tend_ctx *ctx)
{
    int64_t until = ctx->group.new_tasks_paused_until;
    struct tm tm;
    char when[64];
    if (until == INT64_MAX || tend_tz_local(ctx->group.timezone, until, &tm) != 0 ||
        strftime(when, sizeof when, "%a %d %b %H:%M", &tm) == 0)
        return tend_refuse(ctx, MSG_TASKS_PAUSED);
    return tend_refuse(ctx, MSG_TASKS_PAUSED_UNTIL, when);
}

/* Reads when:, slots:, weight:, repeat: into t. TEND_OK or a usage answer. */
static int read_task_options(tend_ctx *ctx, tend_task *t)
{
    const char *when = tend_args_named(ctx->args, "when");
    const char *slots = tend_args_named(ctx->args, "slots");
    const char *weight = tend_args_named(ctx->args, "weight");
    const char *repeat = tend_args_named(ctx->args, "repeat");
    t->slots = 1;
    t->weight = 1;
    if (slots && tend_parse_int(slots, 1, 20, &t->slots) != 0)
        return tend_usage(ctx, MSG_TASKS_BAD_SLOTS);
    if (weight && tend_parse_int(weight, 1, 5, &t->weight) != 0)
        return tend_usage(ctx, MSG_TASKS_BAD_WEIGHT);
    if (repeat && strcasecmp(repeat, "weekly") != 0)
        return tend_usage(ctx, MSG_TASKS_BAD_REPEAT);
    t->repeat_weekly = repeat != NULL;
    if (when) {
        if (strlen(when) > WHEN_MAX_BYTES)
            return tend_usage(ctx, MSG_TASKS_WHEN_TOO_LONG);
        snprintf(t->when_text, sizeof t->when_text, "%s", when);
        int y, mo, d;
        int64_t due;
        if (tend_parse_date(when, &y, &mo, &d) == 0 &&
            tend_tz_to_utc(ctx->group.timezone, y, mo, d, 0, 0, &due) == 0)
            t->due_at = due;
    }
    return TEND_OK;
}

/* Copies the title with surrounding blanks trimmed. TEND_OK or a usage/refusal answer. */
static int read_title(tend_ctx *ctx, tend_task *t)
{
    char *joined = tend_args_join(ctx->args, 0);
    if (!joined)
        return tend_store_failed(ctx, TEND_STORE_ERROR);
    char *s = joined;
    while (*s == ' ' || *s == '\t' || *s == '\n')
        s++;
    size_t len = strlen(s);
    while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == '\n'))
        s[--len] = '\0';
    int result = TEND_OK;
    size_t chars = tend_utf8_length(s);
    if (chars == 0)
        result = tend_usage(ctx, MSG_TASKS_NO_TITLE);
    else if (chars > TEND_LIMIT_TITLE_CHARS || len >= sizeof t->title)
        result = tend_refuse(ctx, MSG_TASKS_TITLE_TOO_LONG, chars);
    else
        memcpy(t->title, s, len + 1);
    for (char *p = t->title; *p; p++)
        if (*p == '\n' || *p == '\t')
            *p = ' '; /* a board line stays one line */
    free(joined);
    return result;
}

/* Posts the task on the board and announces it. */
static int post_task(tend_ctx *ctx, tend_task *t)
{
    int rc = tend_store_task_add(ctx->env->store, t);
    if (rc == TEND_STORE_OK)
        rc = tend_store_task_by_id(ctx->env->store, t->id, t);
    if (rc != TEND_STORE_OK)
        return tend_store_failed(ctx, rc);
    char line[TEND_TITLE_MAX + 300], command[32];
    tend_task_describe(t, line, sizeof line);
    snprintf(command, sizeof command, "claim %d", t->number);
    tend_message *m = tend_reply_public(ctx, "task.announce", MSG_TASKS_ANNOUNCE, line, t->number);
    if (!m || tend_message_add_button(m, MSG_TASKS_CLAIM_BUTTON, "\xE2\x9C\x85", command) != 0)
        return tend_store_failed(ctx, TEND_STORE_ERROR);
    return TEND_OK;
}

static int cmd_task_add(tend_ctx *ctx)
{
    if (ctx->group.new_tasks_paused_until > ctx->now)
        return refuse_paused(ctx);
    int open = 0;
    int rc = tend_store_tasks_open_count(ctx->env->store, ctx->group.id, &open);
    if (rc != TEND_STORE_OK)
        return tend_store_failed(ctx, rc);
    if (open >= TEND_LIMIT_OPEN_TASKS)
        return tend_refuse(ctx, MSG_TASKS_TOO_MANY_OPEN, TEND_LIMIT_OPEN_TASKS);
    tend_task t;
    memset(&t, 0, sizeof t);
    int result = read_title(ctx, &t);
    if (result == TEND_OK)
        result = read_task_options(ctx, &t);
    if (result != TEND_OK)
        return result;
    t.group_id = ctx->group.id;
    t.created_by = ctx->member.id;
    t.created_at = ctx->now;
    result = post_task(ctx, &t);
    return result == TEND_OK ? tend_task_audit(ctx, "task.add", &t, NULL) : result;
}

/* ---------------------------------------------------------------- /claim */

static int claim_waitlist(tend_ctx *ctx, const tend_task *t)
{
    if (t->waiting >= TEND_LIMIT_WAITLIST)
        return tend_refuse(ctx, MSG_TASKS_WAITLIST_FULL, t->number);
    tend_claim c;
    int position = 0;
    int rc = tend_store_claim_add(ctx->env->store, t->id, ctx->member.id, TEND_CLAIM_WAITING, ctx->now, &c);
    if (rc == TEND_STORE_OK)
        rc = tend_store_claim_waitlist_position(ctx->env->store, &c, &position);
    if (rc != TEND_STORE_OK)
        return tend_store_failed(ctx, rc);
    if (!tend_reply_private(ctx, "reply", MSG_TASKS_WAITLISTED, t->number, position))
        return tend_store_failed(ctx, TEND_STORE_ERROR);
    return tend_task_audit(ctx, "claim", t, "waiting");
}

/* Over capacity without "confirm": ask once, change nothing. */
static int ask_to_confirm(tend_ctx *ctx, const tend_task *t, const tend_load *load)
{
    char command[40];
    snprintf(command, sizeof command, "claim %d confirm", t->number);
    tend_message *m = tend_reply_private(ctx, "claim.confirm", MSG_TASKS_OVER_CAPACITY, t->number,
                                         load->total + t->weight, load->capacity, t->number);
    if (!m || tend_message_add_button(m, MSG_TASKS_CLAIM_ANYWAY, NULL, command) != 0)
        return tend_store_failed(ctx, TEND_STORE_ERROR);
    return TEND_OK;
}

static int cmd_claim(tend_ctx *ctx)
{
    size_t n = tend_args_count(ctx->args);
    bool confirm = n >= 2 && strcasecmp(tend_args_word(ctx->args, n - 1), "confirm") == 0;
    tend_task t;
    int result = tend_task_find_words(ctx, 0, confirm ? n - 1 : n, &t);
    if (result != TEND_OK)
        return result;
    if (t.state != TEND_TASK_OPEN)
        return tend_task_refuse_closed(ctx, &t);
    tend_claim c;
    int rc = tend_store_claim_current(ctx->env->store, t.id, ctx->member.id, &c);
    if (rc == TEND_STORE_OK && c.state == TEND_CLAIM_ACTIVE)
        return tend_refuse(ctx, MSG_TASKS_ALREADY_YOURS, t.number);
    if (rc == TEND_STORE_OK) {
        int position = 0;
        rc = tend_store_claim_waitlist_position(ctx->env->store, &c, &position);
        return rc == TEND_STORE_OK ? tend_refuse(ctx, MSG_TASKS_ALREADY_WAITING, t.number, position)
                                   : tend_store_failed(ctx, rc);
    }
    if (rc != TEND_STORE_NOTFOUND)
        return tend_store_failed(ctx, rc);
    if (t.active >= t.slots)
        return claim_waitlist(ctx, &t);
    tend_load load;
    rc = tend_load_of(ctx->env->store, &ctx->group, &ctx->member, ctx->now, &load);
    if (rc != TEND_STORE_OK)
        return tend_store_failed(ctx, rc);
    if (!confirm && tend_load_would_exceed(&load, t.weight))
        return ask_to_confirm(ctx, &t, &load);
    rc = tend_store_claim_add(ctx->env->store, t.id, ctx->member.id, TEND_CLAIM_ACTIVE, ctx->now, &c);
    if (rc == TEND_STORE_OK)
        rc = tend_store_task_by_id(ctx->env->store, t.id, &t);
    if (rc != TEND_STORE_OK)
        return tend_store_failed(ctx, rc);
    char line[TEND_TITLE_MAX + 300];
    tend_task_describe(&t, line, sizeof line);
    if (!tend_reply_private(ctx, "reply", MSG_TASKS_CLAIMED, line, t.number))
        return tend_store_failed(ctx, TEND_STORE_ERROR);
    return tend_task_audit(ctx, "claim", &t, confirm ? "confirmed" : NULL);
}

/* ---------------------------------------------------------------- /unclaim */

static int cmd_unclaim(tend_ctx *ctx)
{
    tend_task t;
    int result = tend_task_find_words(ctx, 0, tend_args_count(ctx->args), &t);
    if (result != TEND_OK)
        return result;
    tend_claim c;
    int rc = tend_store_claim_current(ctx->env->store, t.id, ctx->member.id, &c);
    if (rc == TEND_STORE_NOTFOUND)
        return tend_refuse(ctx, MSG_TASKS_NOT_HELD, t.number);
    if (rc == TEND_STORE_OK)
        rc = tend_store_claim_set_state(ctx->env->store, c.id, TEND_CLAIM_RELEASED, NULL, ctx->now);
    if (rc != TEND_STORE_OK)
        return tend_store_failed(ctx, rc);
    bool was_active = c.state == TEND_CLAIM_ACTIVE, promoted = false;
    if (was_active && (result = promote_waiting(ctx, t.id, &promoted)) != TEND_OK)
        return result;
    /* a slot someone from the waitlist took is not "back on the board" */
    const char *said = !was_active ? MSG_TASKS_LEFT_WAITLIST
                       : promoted  ? MSG_TASKS_UNCLAIMED_PROMOTED
                                   : MSG_TASKS_UNCLAIMED;
    if (!tend_reply_private(ctx, "reply", said, t.number))
        return tend_store_failed(ctx, TEND_STORE_ERROR);
    return tend_task_audit(ctx, "unclaim", &t, was_active ? NULL : "waitlist");
}

/* ---------------------------------------------------------------- /keep */

/* "Still on it": the answer to the stale-claim reminder. Marks the claim fresh, so the next
 * reminder is days away again. */
static int cmd_keep(tend_ctx *ctx)
{
    tend_task t;
    int result = tend_task_find_words(ctx, 0, tend_args_count(ctx->args), &t);
    if (result != TEND_OK)
        return result;
    tend_claim c;
    int rc = tend_store_claim_current(ctx->env->store, t.id, ctx->member.id, &c);
    if (rc == TEND_STORE_NOTFOUND || (rc == TEND_STORE_OK && c.state != TEND_CLAIM_ACTIVE))
        return tend_refuse(ctx, MSG_TASKS_NOT_HELD, t.number);
    if (rc == TEND_STORE_OK)
        rc = tend_store_claim_touch(ctx->env->store, c.id, ctx->now);
    if (rc != TEND_STORE_OK)
        return tend_store_failed(ctx, rc);
    if (!tend_reply_private(ctx, "reply", MSG_TASKS_KEPT, t.number))
        return tend_store_failed(ctx, TEND_STORE_ERROR);
    return tend_task_audit(ctx, "keep", &t, NULL);
}

/* ---------------------------------------------------------------- /done */

/* Names the doers in the celebration: "a", "a and b", "a, b and c". */
static int mention_doers(tend_ctx *ctx, tend_message *m, const claim_list *doers)
{
    for (size_t i = 0; i < doers->count; i++) {
        tend_member who;
        int rc = tend_store_member_by_id(ctx->env->store, doers->items[i].member_id, &who);
        if (rc != TEND_STORE_OK)
            return tend_store_failed(ctx, rc);
        const char *sep = i == 0 ? "" : i + 1 == doers->count ? MSG_TASKS_DONE_AND : MSG_TASKS_DONE_COMMA;
        int err = tend_message_appendf(m, "%s", sep);
        if (!err && who.key[0])
            err = tend_message_add_mention(m, who.key, who.name);
        else if (!err)
            err = tend_message_appendf(m, "%s", who.name);
        if (err)
            return tend_store_failed(ctx, TEND_STORE_ERROR);
    }
    return tend_message_appendf(m, MSG_TASKS_DONE_END) == 0 ? TEND_OK
                                                             : tend_store_failed(ctx, TEND_STORE_ERROR);
}

/* Credits every active claim (and the member typing, who did it even if they never claimed). */
static int credit_doers(tend_ctx *ctx, const tend_task *t, const char *note, claim_list *doers)
{
    tend_store *store = ctx->env->store;
    tend_claim mine;
    int rc = tend_store_claim_current(store, t->id, ctx->member.id, &mine);
    if (rc == TEND_STORE_OK && mine.state == TEND_CLAIM_WAITING)
        rc = tend_store_claim_set_state(store, mine.id, TEND_CLAIM_ACTIVE, NULL, ctx->now);
    else if (rc == TEND_STORE_NOTFOUND)
        rc = tend_store_claim_add(store, t->id, ctx->member.id, TEND_CLAIM_ACTIVE, ctx->now, &mine);
    if (rc == TEND_STORE_OK)
        rc = tend_store_claims_of_task(store, t->id, collect_claim, doers);
    for (size_t i = 0; rc == TEND_STORE_OK && i < doers->count; i++)
        rc = tend_store_claim_set_state(store, doers->items[i].id, TEND_CLAIM_DONE,
                                        doers->items[i].member_id == ctx->member.id ? note : NULL,
                                        ctx->now);
    if (rc == TEND_STORE_OK)
        rc = tend_store_claims_release_waiting(store, t->id, ctx->now);
    if (rc == TEND_STORE_OK)
        rc = tend_store_task_set_state(store, t->id, TEND_TASK_DONE, ctx->now);
    return rc == TEND_STORE_OK ? TEND_OK : tend_store_failed(ctx, rc);
}

static int cmd_done(tend_ctx *ctx)
{
    tend_task t;
    int result = tend_task_find(ctx, tend_args_word(ctx->args, 0), &t);
    if (result != TEND_OK)
        return result;
    if (t.state == TEND_TASK_DONE)
        return tend_refuse(ctx, MSG_TASKS_ALREADY_DONE, t.number);
    if (t.state != TEND_TASK_OPEN)
        return tend_task_refuse_closed(ctx, &t);
    char *note = tend_args_join(ctx->args, 1);
    if (!note)
        return tend_store_failed(ctx, TEND_STORE_ERROR);
    size_t chars = tend_utf8_length(note);
    claim_list doers = {0};
    if (chars > TEND_LIMIT_NOTE_CHARS || strlen(note) >= TEND_NOTE_MAX)
        result = tend_refuse(ctx, MSG_TASKS_NOTE_TOO_LONG, chars);
    else
        result = credit_doers(ctx, &t, note, &doers);
    tend_message *m = NULL;
    if (result == TEND_OK) {
        m = tend_reply_public(ctx, "task.done", MSG_TASKS_DONE_PUBLIC, t.number, t.title);
        result = m ? mention_doers(ctx, m, &doers) : tend_store_failed(ctx, TEND_STORE_ERROR);
    }
    if (result == TEND_OK && note[0] && tend_message_appendf(m, MSG_TASKS_DONE_NOTE, note) != 0)
        result = tend_store_failed(ctx, TEND_STORE_ERROR);
    /* the scheduler posts next week's copy (once, recorded in `fired`) on its next tick */
    if (result == TEND_OK && t.repeat_weekly && tend_message_appendf(m, MSG_TASKS_DONE_REPEAT) != 0)
        result = tend_store_failed(ctx, TEND_STORE_ERROR);
    free(note);
    free(doers.items);
    return result == TEND_OK ? tend_task_audit(ctx, "done", &t, NULL) : result;
}

const tend_command_spec tend_tasks_commands[] = {
    {"tasks", TEND_CMD "tasks [open|mine|all]", "the task board", false, cmd_tasks, 0},
    {"task add",
     TEND_CMD "task add <title> [when:...] [slots:1-20] [weight:1-5] [repeat:weekly]",
     "post a task for the group", false, cmd_task_add, 0},
    {"claim", TEND_CMD "claim <task>", "take a slot on a task", false, cmd_claim, 0},
    {"unclaim", TEND_CMD "unclaim <task>", "give a task back, no questions asked", false, cmd_unclaim, 0},
    {"keep", TEND_CMD "keep <task>", "tell me you're still on a task", false, cmd_keep, 0},
    {"done", TEND_CMD "done <task> [note]", "mark a task finished and celebrate", false, cmd_done, 0},
    {NULL, NULL, NULL, false, NULL, 0},
};
