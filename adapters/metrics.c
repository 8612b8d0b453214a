/* metrics.c — the families every adapter feeds (see metrics.h). */
#include "adapters/metrics.h"

const tend_metric_def TEND_M_CONNECTED = {
    "tend_platform_connected", "1 while tend is connected to the platform, else 0.", TEND_METRIC_GAUGE,
    {"platform", NULL}};
const tend_metric_def TEND_M_RECONNECTS = {
    "tend_platform_reconnects_total", "Connections to the platform re-established after a loss.",
    TEND_METRIC_COUNTER, {"platform", NULL}};
const tend_metric_def TEND_M_RATELIMIT_WAITS = {
    "tend_rest_ratelimit_waits_total", "Requests held back by a rate limit before they were sent.",
    TEND_METRIC_COUNTER, {"platform", NULL}};
const tend_metric_def TEND_M_THROTTLED = {
    "tend_rest_429_total", "Answers 429 Too Many Requests from the platform.", TEND_METRIC_COUNTER,
    {"platform", NULL}};
