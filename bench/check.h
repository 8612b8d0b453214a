/*
 * check.h — what a right first answer to each kind of interaction of the mix looks like, so the
 * driver counts "answered" only for a callback Discord would accept with the content a member
 * needs: the right callback type, a message or choices that say the right thing, and the privacy
 * flag where the answer is the member's own business. Judged from the outside, the same for any
 * bot the driver plays Discord to (tend, or bench/reference).
 */
#ifndef TEND_BENCH_CHECK_H
#define TEND_BENCH_CHECK_H

#include <stddef.h>

typedef enum {
    KIND_NONE,
    KIND_TASKS,
    KIND_AUTOCOMPLETE,
    KIND_CLAIM,
    KIND_CHECKIN,
    KIND_DONE,
    KIND_THANKS,
    KIND_BUTTON_CLAIM,
    KIND_BUTTON_CHECKIN,
    KIND_COUNT
} check_kind;

/* The kind of a payload mix_next wrote (its kind name and the payload itself). */
check_kind check_kind_of(const char *kind_name, const char *payload, size_t len);
const char *check_kind_name(check_kind k);
/* NULL when `body` (a callback's JSON) is a right first answer to an interaction of kind k whose
 * tasks are numbered up to task_hi; check_throttled when it is a private "too many commands, try
 * again" (right, but no work done: counted apart); otherwise why not, in a few words. */
extern const char check_throttled[];
const char *check_callback(check_kind k, const char *body, size_t len, int task_hi);

#endif
