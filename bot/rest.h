/* rest.h — what rest.c shares with the scheduler's welcome back. */
#ifndef TEND_REST_H
#define TEND_REST_H

#include "bot/reply.h"

/* Appends the offer of a welcome back in the week's digest (a one-tap "back hello") to a welcome
 * back. 0, or -1 on OOM. */
int tend_rest_offer_hello(tend_message *m);

#endif
