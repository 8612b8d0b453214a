/*
 * metrics.h — what every chat adapter reports about its connection to the platform, for the ops
 * endpoint: connected or not, reconnects, rate-limit waits and 429s. (Messages waiting to be sent
 * are the outbox's, counted by the app's sender.)
 * The label is always the adapter's platform name ("discord", "matrix", "signal", "telegram"), never a
 * room or a member.
 * The health check (app/health.c) reads TEND_M_CONNECTED to decide 200 or 503.
 */
#ifndef TEND_ADAPTER_METRICS_H
#define TEND_ADAPTER_METRICS_H

#include "lib/metrics.h"

/* gauge {platform}: 1 while the adapter is connected (gateway READY/RESUMED, the last /sync answered,
 * signal-cli's event stream open, the last getUpdates answered) */
extern const tend_metric_def TEND_M_CONNECTED;
/* counter {platform}: connections re-established after a loss */
extern const tend_metric_def TEND_M_RECONNECTS;
/* counter {platform}: requests held back by a rate limit before they were sent */
extern const tend_metric_def TEND_M_RATELIMIT_WAITS;
/* counter {platform}: answers 429 Too Many Requests */
extern const tend_metric_def TEND_M_THROTTLED;

#endif
