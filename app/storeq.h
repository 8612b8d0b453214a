/*
 * storeq.h — the store thread: work that talks to a network database runs off the loop thread,
 * one job at a time and in the order given, and each job's result comes back to the loop in that
 * same order (store/postgres/SEAM.md says why, and which objects each thread owns). App-only.
 *
 * The loop thread submits a job; the store thread runs its `work` (the only place, from then on,
 * where the objects the job names may be touched, the store above all); the loop thread then runs
 * its `done`, woken by a uv_async. A job is run once, never twice and never dropped: closing the
 * queue runs what was queued before it stops. Modelled on libuv's uv_queue_work, with one thread
 * instead of a pool, because one connection serves the queue and its order is the commands' order.
 */
#ifndef TEND_APP_STOREQ_H
#define TEND_APP_STOREQ_H

#include <stddef.h>
#include <stdint.h>

#include <uv.h>

typedef struct tend_storeq tend_storeq;

/* On the store thread: does the job's store work. Must not touch the loop or its handles. */
typedef void (*tend_storeq_work)(void *job);
/* On the loop thread, after its work, in submission order: delivers the result (and may free job). */
typedef void (*tend_storeq_done)(void *job);

/* Figures of the jobs done so far, read on the loop thread. */
typedef struct tend_storeq_stats {
    uint64_t submitted, done;
    uint64_t waited_max_us; /* longest from submit to its work starting (the queue ahead of it) */
    uint64_t ran_max_us;    /* longest work itself (a slow or locked database shows here)       */
} tend_storeq_stats;

/* Starts the thread. NULL (nothing started) when the thread or the async cannot be made. */
tend_storeq *tend_storeq_create(uv_loop_t *loop);
/* Queues a job: 0, or -1 (nothing queued, done is never called) once the queue is closing or out
 * of memory. Loop thread only. */
int tend_storeq_submit(tend_storeq *q, tend_storeq_work work, tend_storeq_done done, void *job);
/* Jobs submitted whose done has not run yet. Loop thread only. */
size_t tend_storeq_pending(const tend_storeq *q);
void tend_storeq_stats_get(const tend_storeq *q, tend_storeq_stats *out);
/* Stops taking jobs, lets the thread finish every queued one, joins it, runs the remaining dones
 * and closes the async; the queue's memory goes when the loop runs that close (uv_run once more).
 * Blocks the loop for as long as the queued work takes: at stop only. Loop thread only; accepts
 * NULL; q must not be used after. */
void tend_storeq_close(tend_storeq *q);

#endif
