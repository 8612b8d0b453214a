/*
 * metrics.c — the registry behind metrics.h and its Prometheus text rendering.
 *
 * Families live in a short list, series in a small array per family; both are searched linearly,
 * which at tend's few dozen series costs less than the command being counted. Writing the text
 * format is formatting, not parsing: the tests read it back with the Prometheus project's own
 * parser (prometheus_client), and Debian has no C client library to do it for us.
 */
#include "lib/metrics.h"

#include <dirent.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <uv.h>

static const double bucket_bounds[] = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
#define N_BUCKETS (sizeof bucket_bounds / sizeof bucket_bounds[0])

typedef struct {
    char value[2][TEND_METRIC_LABEL_MAX + 1];
    double v;                     /* a counter or gauge's value; a histogram's sum  */
    unsigned long long count;     /* a histogram's observations                     */
    unsigned long long buckets[N_BUCKETS];
} series;

typedef struct family {
    struct family *next;
    tend_metric_def def;
    size_t n, cap;
    series *items; /* grows as series appear, up to TEND_METRIC_SERIES_MAX */
} family;

/* The loop and a store thread both count (store/postgres/SEAM.md): every public call holds this
 * lock for its few list steps; the render holds it for one pass over a few dozen series. */
static pthread_mutex_t registry = PTHREAD_MUTEX_INITIALIZER;
static family *families, *families_tail;

static int n_labels(const tend_metric_def *def)
{
    return def->label[0] ? (def->label[1] ? 2 : 1) : 0;
}

/* A label value as kept: a short lowercase word, else "other". */
static void bound_label(const char *in, char out[TEND_METRIC_LABEL_MAX + 1])
{
    size_t len = in ? strlen(in) : 0;
    bool ok = len > 0 && len <= TEND_METRIC_LABEL_MAX;
    for (size_t i = 0; ok && i < len; i++) {
        char c = in[i];
        ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.';
    }
    snprintf(out, TEND_METRIC_LABEL_MAX + 1, "%s", ok ? in : "other");
}

static family *find_family(const tend_metric_def *def, bool create)
{
    for (family *f = families; f; f = f->next)
        if (strcmp(f->def.name, def->name) == 0)
            return f->def.type == def->type ? f : NULL; /* a clash of types is a bug: ignore it */
    if (!create)
        return NULL;
    family *f = calloc(1, sizeof *f);
    if (!f)
        return NULL;
    f->def = *def;
    if (families_tail)
        families_tail->next = f;
    else
        families = f;
    families_tail = f;
    return f;
}

static series *find_series(const tend_metric_def *def, const char *v0, const char *v1, bool create)
{
    family *f = find_family(def, create);
    if (!f)
        return NULL;
    char want[2][TEND_METRIC_LABEL_MAX + 1] = {"", ""};
    int labels = n_labels(def);
    if (labels > 0)
        bound_label(v0, want[0]);
    if (labels > 1)
        bound_label(v1, want[1]);
    for (int overflow = 0; overflow < 2; overflow++) {
        for (size_t i = 0; i < f->n; i++)
            if (strcmp(f->items[i].value[0], want[0]) == 0 && strcmp(f->items[i].value[1], want[1]) == 0)
                return &f->items[i];
        if (!create)
            return NULL;
        /* the last slot is kept for "other", so a full family still counts everything */
        if (f->n < TEND_METRIC_SERIES_MAX - 1 || (f->n == TEND_METRIC_SERIES_MAX - 1 && overflow)) {
            if (f->n == f->cap) {
                size_t cap = f->cap ? f->cap * 2 : 4;
                series *grown = realloc(f->items, cap * sizeof *grown);
                if (!grown)
                    return NULL;
                f->items = grown;
                f->cap = cap;
            }
            series *s = &f->items[f->n++];
            memset(s, 0, sizeof *s);
            memcpy(s->value, want, sizeof want);
            return s;
        }
        for (int l = 0; l < labels; l++)
            snprintf(want[l], sizeof want[l], "other");
    }
    return NULL;
}

void tend_metric_add(const tend_metric_def *def, const char *v0, const char *v1, double by)
{
    if (def->type == TEND_METRIC_COUNTER && !(by >= 0))
        return; /* a counter only goes up */
    pthread_mutex_lock(&registry);
    series *s = find_series(def, v0, v1, true);
    if (s && def->type != TEND_METRIC_HISTOGRAM)
        s->v += by;
    pthread_mutex_unlock(&registry);
}

void tend_metric_set(const tend_metric_def *def, const char *v0, const char *v1, double value)
{
    if (def->type != TEND_METRIC_GAUGE)
        return;
    pthread_mutex_lock(&registry);
    series *s = find_series(def, v0, v1, true);
    if (s)
        s->v = value;
    pthread_mutex_unlock(&registry);
}

void tend_metric_observe(const tend_metric_def *def, const char *v0, const char *v1, double value)
{
    if (def->type != TEND_METRIC_HISTOGRAM || !(value >= 0))
        return;
    pthread_mutex_lock(&registry);
    series *s = find_series(def, v0, v1, true);
    if (s) {
        s->v += value;
        s->count++;
        for (size_t i = 0; i < N_BUCKETS; i++)
            if (value <= bucket_bounds[i])
                s->buckets[i]++;
    }
    pthread_mutex_unlock(&registry);
}

double tend_metric_value(const tend_metric_def *def, const char *v0, const char *v1)
{
    pthread_mutex_lock(&registry);
    series *s = find_series(def, v0, v1, false);
    double v = !s ? 0 : def->type == TEND_METRIC_HISTOGRAM ? (double)s->count : s->v;
    pthread_mutex_unlock(&registry);
    return v;
}

bool tend_metric_exists(const tend_metric_def *def, const char *v0, const char *v1)
{
    pthread_mutex_lock(&registry);
    bool found = find_series(def, v0, v1, false) != NULL;
    pthread_mutex_unlock(&registry);
    return found;
}

int tend_metric_each(const tend_metric_def *def,
                     int (*cb)(const char *v0, const char *v1, double value, void *ud), void *ud)
{
    int stopped = 0;
    pthread_mutex_lock(&registry);
    family *f = find_family(def, false);
    for (size_t i = 0; f && i < f->n && !stopped; i++) {
        const series *s = &f->items[i];
        stopped = cb(s->value[0], s->value[1], def->type == TEND_METRIC_HISTOGRAM ? (double)s->count : s->v, ud);
    }
    pthread_mutex_unlock(&registry);
    return stopped;
}

void tend_metrics_reset(void)
{
    pthread_mutex_lock(&registry);
    while (families) {
        family *next = families->next;
        free(families->items);
        free(families);
        families = next;
    }
    families_tail = NULL;
    pthread_mutex_unlock(&registry);
}

/* ---------------------------------------------------------------- the text format */

static void putf(tend_strbuf *out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void putf(tend_strbuf *out, const char *fmt, ...)
{
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (n > 0)
        tend_strbuf_put(out, line, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1);
}

/* HELP text escapes backslash and newline; label values (already plain words) need nothing more. */
static void put_help(tend_strbuf *out, const char *name, const char *help, const char *type)
{
    putf(out, "# HELP %s ", name);
    for (const char *p = help; *p; p++) {
        if (*p == '\\')
            tend_strbuf_puts(out, "\\\\");
        else if (*p == '\n')
            tend_strbuf_puts(out, "\\n");
        else
            tend_strbuf_put(out, p, 1);
    }
    putf(out, "\n# TYPE %s %s\n", name, type);
}

/* `{a="x",b="y"` without the closing brace, so a histogram can add le; "" when there are none. */
static void labels_open(char *buf, size_t len, const tend_metric_def *def, const series *s)
{
    int n = n_labels(def);
    if (n == 0)
        buf[0] = '\0';
    else if (n == 1)
        snprintf(buf, len, "{%s=\"%s\"", def->label[0], s->value[0]);
    else
        snprintf(buf, len, "{%s=\"%s\",%s=\"%s\"", def->label[0], s->value[0], def->label[1], s->value[1]);
}

static void render_family(tend_strbuf *out, const family *f)
{
    static const char *const types[] = {"counter", "gauge", "histogram"};
    put_help(out, f->def.name, f->def.help, types[f->def.type]);
    for (size_t i = 0; i < f->n; i++) {
        const series *s = &f->items[i];
        char open[128];
        labels_open(open, sizeof open, &f->def, s);
        const char *close = open[0] ? "}" : "";
        if (f->def.type != TEND_METRIC_HISTOGRAM) {
            putf(out, "%s%s%s %.15g\n", f->def.name, open, close, s->v);
            continue;
        }
        const char *sep = open[0] ? "," : "{";
        for (size_t b = 0; b < N_BUCKETS; b++)
            putf(out, "%s_bucket%s%sle=\"%g\"} %llu\n", f->def.name, open, sep, bucket_bounds[b], s->buckets[b]);
        putf(out, "%s_bucket%s%sle=\"+Inf\"} %llu\n", f->def.name, open, sep, s->count);
        putf(out, "%s_sum%s%s %.15g\n", f->def.name, open, close, s->v);
        putf(out, "%s_count%s%s %llu\n", f->def.name, open, close, s->count);
    }
}

static long open_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    if (!d)
        return -1;
    long n = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;)
        if (e->d_name[0] != '.')
            n++;
    closedir(d);
    return n - 1; /* the directory's own descriptor */
}

static void render_process(tend_strbuf *out)
{
    size_t rss = 0;
    if (uv_resident_set_memory(&rss) == 0) {
        put_help(out, "process_resident_memory_bytes", "Resident memory size in bytes.", "gauge");
        putf(out, "process_resident_memory_bytes %zu\n", rss);
    }
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) == 0) {
        double cpu = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
                     (double)ru.ru_stime.tv_usec / 1e6;
        put_help(out, "process_cpu_seconds_total", "Total user and system CPU time spent in seconds.", "counter");
        putf(out, "process_cpu_seconds_total %.6f\n", cpu);
    }
    long fds = open_fds();
    if (fds >= 0) {
        put_help(out, "process_open_fds", "Number of open file descriptors.", "gauge");
        putf(out, "process_open_fds %ld\n", fds);
    }
}

int tend_metrics_render(tend_strbuf *out)
{
    pthread_mutex_lock(&registry);
    for (const family *f = families; f; f = f->next)
        render_family(out, f);
    pthread_mutex_unlock(&registry);
    render_process(out);
    return out->failed ? -1 : 0;
}
