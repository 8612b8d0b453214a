/*
 * task_board.c — /tasks: the board, open, mine or all, a page at a time, each line in the reader's
 * own zone. A long board says where it stands and how many more there are, so nothing is silently
 * left out.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "bot/i18n.h"
#include "bot/fillin.h"
#include "bot/messages.h"
#include "bot/parse.h"
#include "bot/tasks.h"
#include "bot/tasks_internal.h"

#define BOARD_PAGE 20
#define PAGE_MAX 100000

typedef struct {
    tend_ctx *ctx;
    tend_task_view view;
    tend_message *msg;
    bool mine;
    bool failed; /* out of memory part way */
} board;

static int board_line(const tend_task *t, void *ud)
{
    board *b = ud;
    char line[TEND_TITLE_MAX + 300];
    tend_task_describe(t, &b->view, line, sizeof line);
    tend_claim c;
    int position = 0;
    if (b->mine && tend_store_claim_current(b->ctx->env->store, t->id, b->ctx->member.id, &c) ==
                       TEND_STORE_OK && c.state == TEND_CLAIM_WAITING &&
        tend_store_claim_waitlist_position(b->ctx->env->store, &c, &position) == TEND_STORE_OK)
        b->failed = tend_message_appendf(b->msg, "\n%s", line) != 0 ||
                    tend_message_appendf(b->msg, MSG_TASKS_BOARD_YOU_WAIT, position) != 0;
    else
        b->failed = tend_message_appendf(b->msg, "\n%s", line) != 0;
    return b->failed;
}

/* Reads [open|mine|all] and page:N. TEND_OK or a usage answer. */
static int read_board_words(tend_ctx *ctx, tend_task_filter *filter, const char **name, int *page)
{
    const char *word = tend_args_word(ctx->args, 0);
    const char *page_text = tend_args_named(ctx->args, "page");
    *filter = TEND_TASKS_OPEN;
    *name = "open";
    *page = 1;
    if (word && strcasecmp(word, "mine") == 0)
        *filter = TEND_TASKS_MINE, *name = "mine";
    else if (word && strcasecmp(word, "all") == 0)
        *filter = TEND_TASKS_ALL, *name = "all";
    else if (word && strcasecmp(word, "open") != 0)
        return tend_usage(ctx, MSG_TASKS_BAD_FILTER);
    if (tend_args_count(ctx->args) > 1)
        return tend_usage(ctx, MSG_TASKS_BAD_FILTER);
    if (page_text && tend_parse_int(page_text, 1, PAGE_MAX, page) != 0)
        return tend_usage(ctx, MSG_TASKS_BAD_PAGE);
    return TEND_OK;
}

int tend_cmd_tasks(tend_ctx *ctx)
{
    const char *first = tend_args_word(ctx->args, 0);
    if (first && strcasecmp(first, "learn") == 0 && tend_args_count(ctx->args) == 1)
        return tend_learn_list(ctx); /* learning.c */
    tend_task_filter filter;
    const char *name;
    int page, total = 0;
    int result = read_board_words(ctx, &filter, &name, &page);
    if (result != TEND_OK)
        return result;
    int rc = tend_store_tasks_count(ctx->env->store, ctx->group.id, filter, ctx->member.id, &total);
    if (rc != TEND_STORE_OK)
        return tend_store_failed(ctx, rc);
    if (total == 0)
        return tend_reply_private(ctx, "tasks.board", "%s",
                                  tend_tr(filter == TEND_TASKS_MINE ? MSG_TASKS_BOARD_MINE_EMPTY : MSG_TASKS_BOARD_EMPTY))
                   ? TEND_OK
                   : tend_store_failed(ctx, TEND_STORE_ERROR);
    int pages = (total + BOARD_PAGE - 1) / BOARD_PAGE;
    if (page > pages && pages == 1)
        return tend_refuse(ctx, MSG_TASKS_NO_PAGE_ONE, page, name);
    if (page > pages)
        return tend_refuse(ctx, MSG_TASKS_NO_PAGE, page, pages, name, pages);
    const char *header = tend_tr(filter == TEND_TASKS_MINE  ? MSG_TASKS_BOARD_MINE
                                 : filter == TEND_TASKS_ALL ? MSG_TASKS_BOARD_ALL
                                                            : MSG_TASKS_BOARD_OPEN);
    board b = {ctx, tend_task_view_member(&ctx->group, &ctx->member, ctx->now), NULL, filter == TEND_TASKS_MINE,
               false};
    b.msg = pages > 1 ? tend_reply_private(ctx, "tasks.board", MSG_TASKS_BOARD_HEAD_PAGE, header, page, pages, total)
                      : tend_reply_private(ctx, "tasks.board", MSG_TASKS_BOARD_HEAD, header);
    if (!b.msg)
        return tend_store_failed(ctx, TEND_STORE_ERROR);
    rc = tend_store_tasks_each(ctx->env->store, ctx->group.id, filter, ctx->member.id, (page - 1) * BOARD_PAGE,
                               BOARD_PAGE, board_line, &b);
    if (rc == TEND_STORE_OK && b.failed)
        rc = TEND_STORE_ERROR;
    int more = total - page * BOARD_PAGE;
    if (rc == TEND_STORE_OK && more > 0 &&
        tend_message_appendf(b.msg, MSG_TASKS_BOARD_MORE, more, name, page + 1) != 0)
        rc = TEND_STORE_ERROR;
    else if (rc == TEND_STORE_OK && pages > 1 && more <= 0 && tend_message_appendf(b.msg, MSG_TASKS_BOARD_LAST) != 0)
        rc = TEND_STORE_ERROR;
    return rc == TEND_STORE_OK ? TEND_OK : tend_store_failed(ctx, rc);
}
