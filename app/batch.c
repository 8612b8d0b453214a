/*
 * batch.c — group commit: the commands that arrive in one turn of the loop commit together.
 *
 * The first command of a turn opens a group in the store (store/store_batch.h) and asks the sender
 * to hold what it is given; each command runs in a savepoint of the group, so a refused or failed
 * one still changes nothing. After the turn's I/O (a check handle; an idle handle keeps the poll
 * from sleeping first when the group began in a timer) the delivered rows are marked, the group
 * commits with one write and one sync, and only then does anything it said go out. If the commit
 * fails nothing of the group was written: each command's answer becomes "nothing was changed".
 *
 * The WAL's checkpoint, once it is due, runs on libuv's thread pool through a connection of its
 * own (store_batch.h): copying a thousand frames home and syncing the file took ~5 ms of the loop
 * every 150 ms at 1,000 commands a second, and the commands that arrived meanwhile waited (their
 * p99 8 ms, 2.3 ms without). Without such a connection it runs here, between two turns.
 */
#include "app/batch.h"

#include <stdlib.h>

#include "app/internal.h"
#include "bot/batch.h"
#include "lib/log.h"

struct tend_batch {
    tend_app *app;
    uv_check_t check;
    uv_idle_t idle;
    uv_timer_t checkpoint;
    bool handles_open, open;
    size_t commands; /* in the open group */
    tend_store_checkpointer *checkpointer; /* NULL: the checkpoint runs on the loop's thread   */
    uv_work_t checkpoint_work;
    bool checkpointing;                     /* checkpoint_work is on the thread pool            */
    int checkpoint_rc;
    char checkpoint_err[200];
};

static tend_store *store_of(const tend_batch *b)
{
    return tend_bot_env(b->app->bot)->store;
}

static void on_check(uv_check_t *check)
{
    tend_batch_end(check->data);
}

static void checkpoint_on_pool(uv_work_t *req)
{
    tend_batch *b = req->data; /* only checkpointer and the result are touched on this thread */
    b->checkpoint_rc = tend_store_checkpointer_run(b->checkpointer, b->checkpoint_err, sizeof b->checkpoint_err);
}

static void checkpoint_done(uv_work_t *req, int status)
{
    tend_batch *b = req->data;
    b->checkpointing = false;
    if (status == 0 && b->checkpoint_rc == TEND_STORE_OK) {
        tend_store_checkpointer_noted(store_of(b), b->checkpointer);
    } else if (status == 0) {
        /* once, not at every turn while the WAL is long: from now on the loop checkpoints, as
         * without a second connection, and says so if that fails too */
        tend_log(TEND_LOG_WARN, "store", "a checkpoint on its own connection failed (%s); checkpoints run "
                                         "between commands from now on", b->checkpoint_err);
        tend_store_checkpointer_destroy(b->checkpointer);
        b->checkpointer = NULL;
    }
    if (!b->handles_open) {
        tend_store_checkpointer_destroy(b->checkpointer);
        b->checkpointer = NULL;
    }
}

static void on_checkpoint(uv_timer_t *timer)
{
    tend_batch *b = timer->data;
    if (b->checkpointing)
        return;
    if (b->checkpointer) {
        b->checkpoint_work.data = b;
        if (uv_queue_work(b->app->loop, &b->checkpoint_work, checkpoint_on_pool, checkpoint_done) == 0) {
            b->checkpointing = true;
            return;
        }
    }
    if (tend_store_checkpoint(store_of(b)) != TEND_STORE_OK)
        tend_log(TEND_LOG_WARN, "store", "a checkpoint failed (it is tried again): %s",
                 tend_store_errmsg(store_of(b)));
}

static void on_idle(uv_idle_t *idle)
{
    (void)idle; /* only there so the poll does not sleep while a group waits for its commit */
}

tend_batch *tend_batch_create(tend_app *app)
{
    tend_batch *b = calloc(1, sizeof *b);
    if (!b)
        return NULL;
    b->app = app;
    if (!app->loop || uv_check_init(app->loop, &b->check) != 0)
        return b; /* no loop (tests): every command commits on its own */
    if (uv_idle_init(app->loop, &b->idle) != 0) {
        uv_close((uv_handle_t *)&b->check, NULL);
        return b;
    }
    if (uv_timer_init(app->loop, &b->checkpoint) != 0) {
        uv_close((uv_handle_t *)&b->check, NULL);
        uv_close((uv_handle_t *)&b->idle, NULL);
        return b;
    }
    b->check.data = b->idle.data = b->checkpoint.data = b;
    b->handles_open = true;
    b->checkpointer = tend_store_checkpointer_create(store_of(b));
    return b;
}

void tend_batch_enter(tend_batch *b)
{
    if (!b || !b->handles_open || b->app->stopping)
        return;
    b->commands++;
    if (b->open)
        return;
    if (tend_store_batch_begin(store_of(b)) != TEND_STORE_OK) {
        b->commands = 0; /* the command runs on its own and meets the store's trouble itself */
        return;
    }
    b->open = true;
    tend_sender_hold(b->app->sender);
    uv_check_start(&b->check, on_check);
    uv_idle_start(&b->idle, on_idle);
}

bool tend_batch_open(const tend_batch *b)
{
    return b && b->open;
}

static void tell_lost(void *ud, const tend_message *answer)
{
    tend_app *app = ud;
    tend_messages out;
    tend_messages_init(&out);
    if (tend_bot_store_failed_answer(app->bot, answer, &out) == 0)
        tend_app_take(app, &out);
    tend_messages_clear(&out);
}

void tend_batch_end(tend_batch *b)
{
    if (!b || !b->open)
        return;
    b->open = false;
    uv_check_stop(&b->check);
    uv_idle_stop(&b->idle);
    tend_sender_flush(b->app->sender); /* what was delivered meanwhile is marked in the same commit */
    tend_store *store = store_of(b);
    int rc = tend_store_batch_commit(store);
    if (rc != TEND_STORE_OK)
        tend_log(TEND_LOG_ERROR, "store", "%zu command%s could not be saved together: %s", b->commands,
                 b->commands == 1 ? "" : "s", tend_store_errmsg(store));
    else if (b->commands)
        tend_app_failpoint("after-commit");
    b->commands = 0;
    tend_sender_release(b->app->sender, rc == TEND_STORE_OK, tell_lost, b->app);
    /* on a later turn, after the answers went out; a busy loop reaches timers every turn */
    if (tend_store_checkpoint_due(store) && !b->checkpointing && !uv_is_active((uv_handle_t *)&b->checkpoint))
        uv_timer_start(&b->checkpoint, on_checkpoint, 0, 0);
}

void tend_batch_close(tend_batch *b)
{
    if (!b)
        return;
    tend_batch_end(b);
    if (b->handles_open) {
        b->handles_open = false;
        uv_close((uv_handle_t *)&b->check, NULL);
        uv_close((uv_handle_t *)&b->idle, NULL);
        uv_close((uv_handle_t *)&b->checkpoint, NULL);
        if (!b->checkpointing) { /* else checkpoint_done closes it, once the pool is done with it */
            tend_store_checkpointer_destroy(b->checkpointer);
            b->checkpointer = NULL;
        }
    }
}

void tend_batch_destroy(tend_batch *b)
{
    if (!b)
        return;
    /* the loop ran to its end before (a queued work keeps it running), so this is for a caller
     * that destroys without running it: the pool's thread must be done with b first */
    while (b->checkpointing && uv_run(b->app->loop, UV_RUN_ONCE))
        ;
    tend_store_checkpointer_destroy(b->checkpointer);
    free(b);
}
