/*
 * metrics.h — counters, gauges and histograms kept in memory, written out in Prometheus's text
 * exposition format (version 0.0.4) for the ops endpoint (app/health.c).
 *
 * A family is declared once, as a static tend_metric_def beside the code that measures it (or in a
 * header when several modules feed it); the registry finds it by name on first use. Label values
 * are bounded twice over: only short words of [a-z0-9_.-] are kept (anything else, such as a group
 * key or a member's name, becomes "other"), and a family holds at most TEND_METRIC_SERIES_MAX
 * series, after which new combinations are counted under "other". So no name can reach a label and
 * odd values cannot grow memory. Any thread may call these (the loop and a store thread both do):
 * one lock guards the registry.
 */
#ifndef TEND_METRICS_H
#define TEND_METRICS_H

#include <stdbool.h>

#include "lib/strbuf.h"

#define TEND_METRIC_SERIES_MAX 256
#define TEND_METRIC_LABEL_MAX 32 /* longest label value kept; longer ones become "other" */

typedef enum { TEND_METRIC_COUNTER, TEND_METRIC_GAUGE, TEND_METRIC_HISTOGRAM } tend_metric_type;

typedef struct tend_metric_def {
    const char *name;     /* tend_commands_total: [a-z_], counters end in _total    */
    const char *help;     /* one line                                               */
    tend_metric_type type;
    const char *label[2]; /* up to two label names; NULL when unused                */
} tend_metric_def;

/* Adds `by` (>= 0 for a counter) to the series def{v0, v1}. Values for unused labels are ignored. */
void tend_metric_add(const tend_metric_def *def, const char *v0, const char *v1, double by);
/* Sets a gauge series. */
void tend_metric_set(const tend_metric_def *def, const char *v0, const char *v1, double value);
/* Records one observation (seconds) in a histogram series. */
void tend_metric_observe(const tend_metric_def *def, const char *v0, const char *v1, double value);
/* The current value of a counter or gauge series (a histogram's count); 0 when never touched. */
double tend_metric_value(const tend_metric_def *def, const char *v0, const char *v1);
/* True when the series was ever touched. */
bool tend_metric_exists(const tend_metric_def *def, const char *v0, const char *v1);

/* Calls cb with each series of def's family in the order first touched: its label values ("" for
 * unused ones) and its value (a histogram's count). A non-zero return from cb stops the walk and
 * is returned. cb runs under the registry's lock: it must not call these functions. */
int tend_metric_each(const tend_metric_def *def,
                     int (*cb)(const char *v0, const char *v1, double value, void *ud), void *ud);

/* Appends every family in the order first used, then the process's own: resident memory, CPU
 * seconds, start time, open file descriptors. 0, or -1 when memory ran out. */
int tend_metrics_render(tend_strbuf *out);

/* Forgets every family and series (tests). */
void tend_metrics_reset(void);

#endif
