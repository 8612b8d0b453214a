/*
 * storeq.c — the store thread (storeq.h): a FIFO of jobs under one mutex, one worker thread that
 * runs them, and a uv_async that brings each finished job back to the loop in order.
 *
 * Ownership: `todo` and `finished` (and the stats the thread writes) are guarded by `lock`; a job
 * belongs to the loop until submit, to the store thread until its work returns, and to the loop
 * again when it appears in `finished`. The mutex's unlock/lock pair is what publishes the job's
 * memory from one thread to the other, so a job needs no locking of its own.
 */
#include "app/storeq.h"

#include <stdbool.h>
#include <stdlib.h>

typedef struct job {
    struct job *next;
    tend_storeq_work work;
    tend_storeq_done done;
    void *ud;
    uint64_t queued_ns;
} job;

typedef struct {
    job *head, *tail;
} fifo;

struct tend_storeq {
    uv_loop_t *loop;
    uv_async_t wake; /* the thread's "something finished" to the loop */
    uv_thread_t thread;
    uv_mutex_t lock;
    uv_cond_t more; /* the loop's "something to do (or stop)" to the thread */
    fifo todo, finished;
    bool closing;         /* under lock: the thread ends once todo is empty */
    size_t pending;       /* loop thread only */
    tend_storeq_stats st; /* under lock */
};

static void push(fifo *f, job *j)
{
    j->next = NULL;
    if (f->tail)
        f->tail->next = j;
    else
        f->head = j;
    f->tail = j;
}

static job *pop(fifo *f)
{
    job *j = f->head;
    if (j) {
        f->head = j->next;
        if (!f->head)
            f->tail = NULL;
    }
    return j;
}

static void worker(void *arg)
{
    tend_storeq *q = arg;
    uv_mutex_lock(&q->lock);
    for (;;) {
        while (!q->todo.head && !q->closing)
            uv_cond_wait(&q->more, &q->lock);
        job *j = pop(&q->todo);
        if (!j)
            break; /* closing and nothing left */
        uint64_t start = uv_hrtime();
        uint64_t waited = (start - j->queued_ns) / 1000;
        uv_mutex_unlock(&q->lock);
        j->work(j->ud);
        uint64_t ran = (uv_hrtime() - start) / 1000;
        uv_mutex_lock(&q->lock);
        if (waited > q->st.waited_max_us)
            q->st.waited_max_us = waited;
        if (ran > q->st.ran_max_us)
            q->st.ran_max_us = ran;
        push(&q->finished, j);
        uv_async_send(&q->wake); /* coalesced by libuv: the loop takes every finished job at once */
    }
    uv_mutex_unlock(&q->lock);
}

/* Runs the dones of every finished job, oldest first (the thread finishes them in that order).
 * One at a time off the shared list, so a done that closes the queue (tend stopping) delivers the
 * rest itself, still in order, and this loop then finds nothing left. */
static void deliver(tend_storeq *q)
{
    for (;;) {
        uv_mutex_lock(&q->lock);
        job *j = pop(&q->finished);
        if (j)
            q->st.done++;
        uv_mutex_unlock(&q->lock);
        if (!j)
            return;
        q->pending--;
        if (j->done)
            j->done(j->ud);
        free(j);
    }
}

static void on_wake(uv_async_t *a)
{
    deliver(a->data);
}

static void on_closed(uv_handle_t *h)
{
    tend_storeq *q = h->data;
    uv_cond_destroy(&q->more);
    uv_mutex_destroy(&q->lock);
    free(q);
}

tend_storeq *tend_storeq_create(uv_loop_t *loop)
{
    tend_storeq *q = calloc(1, sizeof *q);
    if (!q)
        return NULL;
    q->loop = loop;
    if (uv_mutex_init(&q->lock) != 0) {
        free(q);
        return NULL;
    }
    if (uv_cond_init(&q->more) != 0) {
        uv_mutex_destroy(&q->lock);
        free(q);
        return NULL;
    }
    if (uv_async_init(loop, &q->wake, on_wake) != 0) {
        uv_cond_destroy(&q->more);
        uv_mutex_destroy(&q->lock);
        free(q);
        return NULL;
    }
    q->wake.data = q;
    if (uv_thread_create(&q->thread, worker, q) != 0) {
        uv_close((uv_handle_t *)&q->wake, on_closed); /* q goes when the loop lets go of it */
        return NULL;
    }
    return q;
}

int tend_storeq_submit(tend_storeq *q, tend_storeq_work work, tend_storeq_done done, void *ud)
{
    if (!q || !work)
        return -1;
    job *j = malloc(sizeof *j);
    if (!j)
        return -1;
    j->work = work;
    j->done = done;
    j->ud = ud;
    j->queued_ns = uv_hrtime();
    uv_mutex_lock(&q->lock);
    if (q->closing) {
        uv_mutex_unlock(&q->lock);
        free(j);
        return -1;
    }
    push(&q->todo, j);
    q->st.submitted++;
    uv_cond_signal(&q->more);
    uv_mutex_unlock(&q->lock);
    q->pending++;
    return 0;
}

size_t tend_storeq_pending(const tend_storeq *q)
{
    return q ? q->pending : 0;
}

void tend_storeq_stats_get(const tend_storeq *q, tend_storeq_stats *out)
{
    tend_storeq *m = (tend_storeq *)q; /* the lock is the only thing changed */
    uv_mutex_lock(&m->lock);
    *out = q->st;
    uv_mutex_unlock(&m->lock);
}

void tend_storeq_close(tend_storeq *q)
{
    if (!q)
        return;
    uv_mutex_lock(&q->lock);
    q->closing = true;
    uv_cond_signal(&q->more);
    uv_mutex_unlock(&q->lock);
    uv_thread_join(&q->thread); /* every queued job's work has run */
    deliver(q);
    uv_close((uv_handle_t *)&q->wake, on_closed);
}
