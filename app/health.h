/*
 * health.h — the ops endpoint: a small HTTP listener on the app's loop, served by libwebsockets,
 * with GET /healthz (200 "ok ..." or 503 with a one-line reason) and GET /metrics (Prometheus
 * text). Off unless [ops] listen is set; 127.0.0.1 unless the operator names another address.
 * Nothing it answers names a member, a group or a secret: the verdict is the owner's one line and
 * the metrics are lib/metrics.h's bounded aggregates.
 */
#ifndef TEND_HEALTH_H
#define TEND_HEALTH_H

#include <stdbool.h>
#include <stddef.h>

#include <uv.h>

typedef struct tend_health tend_health;

/* The owner's verdict, asked at each /healthz: true when healthy; `reason` gets one line either
 * way ("ok: ...", or why not). */
typedef bool (*tend_health_verdict)(void *ud, char *reason, size_t len);

/* Listens on host:port (numeric address; port 0 lets the system choose) on `loop`. When it cannot
 * (the port is taken, libwebsockets cannot start), err gets a one-line reason and the returned
 * object, which still holds a teardown in progress, must be stopped and destroyed like a working
 * one. NULL only when memory ran out (err says so). */
tend_health *tend_health_start(uv_loop_t *loop, const char *host, int port, tend_health_verdict verdict,
                               void *ud, char *err, size_t errlen);
/* Called on the loop just before each /metrics is written, so gauges worked out from other
 * values (tend_discord_shards_held) are as fresh as the scrape; it gets the verdict's ud. */
void tend_health_before_metrics(tend_health *h, void (*fn)(void *ud));
/* The port actually listened on. */
int tend_health_port(const tend_health *h);
/* Stops listening and starts closing connections; the loop can then drain. Accepts NULL. */
void tend_health_stop(tend_health *h);
/* Frees everything; call after the loop has drained. Accepts NULL. */
void tend_health_destroy(tend_health *h);

/* For `tend --health`: GETs url (blocking, at most timeout_ms; the command line, never the loop).
 * Returns the HTTP status (0 when there was no answer) and the answer's first line in line. */
long tend_health_probe(const char *url, long timeout_ms, char *line, size_t len);

#endif
