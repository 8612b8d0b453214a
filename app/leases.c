/*
 * leases.c — one process at a time for a piece of shared work (leases.h). A single timer either
 * renews the lease (held) or tries to take it (standby); every store call is one short statement.
 */
#include "app/leases.h"

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/log.h"
#include "store/store_lease.h"

const tend_metric_def TEND_M_LEASE_HELD = {
    "tend_lease_held", "1 while this process holds the lease (shared work, one process at a time), else 0.",
    TEND_METRIC_GAUGE, {"lease", NULL}};
const tend_metric_def TEND_M_PLATFORM_STANDBY = {
    "tend_platform_standby", "1 while the platform waits in standby: another tend process holds its lease.",
    TEND_METRIC_GAUGE, {"platform", NULL}};

struct tend_lease {
    uv_timer_t timer;
    tend_store *store;
    char name[TEND_LEASE_NAME_MAX];
    char other[TEND_LEASE_HOLDER_MAX];
    tend_lease_changed changed;
    void *ud;
    bool held;
    bool timer_open;
    bool renew_failing; /* logged once per spell of failed renewals */
    bool take_failing;  /* the same for failed tries in standby */
    int64_t expires_at; /* our own lease's end, as last written */
};

static int64_t wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* This process's own lease ("process.<host>:<pid>"), as opposed to work shared between processes. */
static bool is_own(const tend_lease *lease)
{
    return strncmp(lease->name, "process.", 8) == 0;
}

const char *tend_lease_me(void)
{
    static char me[96]; /* a host name of 63 bytes, a colon, a process id */
    if (!me[0]) {
        char host[64] = "";
        if (gethostname(host, sizeof host) != 0 || !host[0])
            snprintf(host, sizeof host, "localhost");
        host[sizeof host - 1] = '\0';
        snprintf(me, sizeof me, "%s:%ld", host, (long)getpid());
    }
    return me;
}

/* An earlier run on this host whose process is gone (killed, crashed): its lease is ours to take
 * at once, rather than after its time runs out. Another host's holder is never judged this way. */
bool tend_lease_holder_exited(const char *holder)
{
    const char *me = tend_lease_me();
    const char *colon = strrchr(me, ':');
    size_t host_len = (size_t)(colon - me) + 1; /* with the ':' */
    if (strncmp(holder, me, host_len) != 0 || strcmp(holder, me) == 0)
        return false;
    char *end = NULL;
    errno = 0;
    long pid = strtol(holder + host_len, &end, 10);
    if (errno || !end || *end || pid <= 0)
        return false;
    return kill((pid_t)pid, 0) != 0 && errno == ESRCH;
}

const char *tend_lease_process_name(void)
{
    static char name[TEND_LEASE_NAME_MAX];
    if (!name[0])
        snprintf(name, sizeof name, "process.%s", tend_lease_me());
    return name;
}

struct find {
    const char *name;
    tend_store_lease found;
    bool have;
};

static int find_one(const tend_store_lease *l, void *ud)
{
    struct find *f = ud;
    if (strcmp(l->name, f->name) != 0)
        return 0;
    f->found = *l;
    f->have = true;
    return 1;
}

int tend_lease_take_now(tend_store *store, const char *name)
{
    return tend_store_lease_take(store, name, tend_lease_me(), wall_ms(), TEND_LEASE_TTL_MS, NULL);
}

bool tend_lease_holder_gone(tend_store *store, const char *holder)
{
    if (strcmp(holder, tend_lease_me()) == 0)
        return false;
    if (!holder[0] || tend_lease_holder_exited(holder))
        return true;
    char name[TEND_LEASE_NAME_MAX];
    if ((size_t)snprintf(name, sizeof name, "process.%s", holder) >= sizeof name)
        return false;
    struct find f = {.name = name};
    if (tend_store_lease_each(store, name, find_one, &f) != TEND_STORE_OK)
        return false;
    return !f.have || f.found.expires_at <= wall_ms();
}

struct live {
    int64_t now;
    int n;
};

static int count_one(const tend_store_lease *l, void *ud)
{
    struct live *c = ud;
    /* a process killed on this host keeps its lease until it runs out, but is not alive */
    c->n += l->expires_at > c->now && !tend_lease_holder_exited(l->holder);
    return 0;
}

int tend_lease_count_live(tend_store *store, const char *prefix)
{
    struct live c = {wall_ms(), 0};
    return tend_store_lease_each(store, prefix, count_one, &c) == TEND_STORE_OK ? c.n : -1;
}

void tend_lease_forget_gone(tend_store *store)
{
    (void)tend_store_lease_forget(store, "process.", wall_ms() - 24LL * 3600 * 1000, NULL);
}

static void try_take(tend_lease *lease)
{
    int64_t now = wall_ms();
    struct find f = {.name = lease->name};
    if (tend_store_lease_each(lease->store, lease->name, find_one, &f) != TEND_STORE_OK) {
        if (!lease->take_failing)
            tend_log(TEND_LOG_WARN, "lease", "cannot read the lease %s: %s", lease->name,
                     tend_store_errmsg(lease->store));
        lease->take_failing = true;
        return;
    }
    const char *me = tend_lease_me();
    int rc;
    if (f.have && f.found.expires_at > now && strcmp(f.found.holder, me) != 0 &&
        tend_lease_holder_exited(f.found.holder))
        rc = tend_store_lease_take_from(lease->store, lease->name, me, f.found.holder, now, TEND_LEASE_TTL_MS, NULL);
    else
        rc = tend_store_lease_take(lease->store, lease->name, me, now, TEND_LEASE_TTL_MS, NULL);
    if (rc == TEND_STORE_EXISTS) {
        if (strcmp(lease->other, f.have ? f.found.holder : "") != 0 || !lease->other[0]) {
            snprintf(lease->other, sizeof lease->other, "%s", f.have ? f.found.holder : "");
            tend_log(TEND_LOG_INFO, "lease", "%s is held by another tend process (%s); this one waits in standby"
                     " and takes over if that one stops", lease->name, lease->other);
        }
        return;
    }
    if (rc != TEND_STORE_OK) {
        if (!lease->take_failing)
            tend_log(TEND_LOG_WARN, "lease", "cannot take the lease %s: %s", lease->name,
                     tend_store_errmsg(lease->store));
        lease->take_failing = true;
        return;
    }
    lease->take_failing = false;
    lease->held = true;
    lease->expires_at = now + TEND_LEASE_TTL_MS;
    const char *before = f.have && strcmp(f.found.holder, me) != 0 ? f.found.holder : "";
    /* a process's own lease is bookkeeping (a lone tend in a terminal need not hear of it); a
     * shared one taken or taken over is news for the person running several */
    tend_log_level level = is_own(lease) ? TEND_LOG_DEBUG : TEND_LOG_INFO;
    if (before[0])
        tend_log(level, "lease", "took over %s from %s", lease->name, before);
    else
        tend_log(level, "lease", "holding %s", lease->name);
    snprintf(lease->other, sizeof lease->other, "%s", before);
    tend_metric_set(&TEND_M_LEASE_HELD, lease->name, NULL, 1);
    lease->changed(lease, true, before, lease->ud);
}

static void lose(tend_lease *lease, const char *why)
{
    lease->held = false;
    tend_metric_set(&TEND_M_LEASE_HELD, lease->name, NULL, 0);
    tend_log(TEND_LOG_ERROR, "lease", "lost %s: %s", lease->name, why);
    lease->changed(lease, false, lease->other, lease->ud);
}

static void renew(tend_lease *lease)
{
    int64_t now = wall_ms();
    int rc = tend_store_lease_take(lease->store, lease->name, tend_lease_me(), now, TEND_LEASE_TTL_MS, NULL);
    if (rc == TEND_STORE_OK) {
        lease->expires_at = now + TEND_LEASE_TTL_MS;
        if (lease->renew_failing)
            tend_log(TEND_LOG_INFO, "lease", "renewed %s again", lease->name);
        lease->renew_failing = false;
        return;
    }
    if (rc == TEND_STORE_EXISTS) {
        struct find f = {.name = lease->name};
        if (tend_store_lease_each(lease->store, lease->name, find_one, &f) == TEND_STORE_OK && f.have)
            snprintf(lease->other, sizeof lease->other, "%s", f.found.holder);
        lose(lease, "another tend process holds it now");
        return;
    }
    if (!lease->renew_failing)
        tend_log(TEND_LOG_WARN, "lease", "cannot renew %s: %s", lease->name, tend_store_errmsg(lease->store));
    lease->renew_failing = true;
    /* stop while the lease is still ours: past its end another process may start the same work */
    if (now >= lease->expires_at - TEND_LEASE_RETRY_MS)
        lose(lease, "the database did not take a renewal in time");
}

static void on_timer(uv_timer_t *t)
{
    tend_lease *lease = t->data;
    if (lease->held)
        renew(lease);
    else
        try_take(lease);
    if (lease->timer_open && !uv_is_closing((uv_handle_t *)&lease->timer))
        uv_timer_start(&lease->timer, on_timer, lease->held ? TEND_LEASE_RENEW_MS : TEND_LEASE_RETRY_MS, 0);
}

tend_lease *tend_lease_start(uv_loop_t *loop, tend_store *store, const char *name, tend_lease_changed changed,
                             void *ud)
{
    tend_lease *lease = calloc(1, sizeof *lease);
    if (!lease || strlen(name) >= sizeof lease->name || uv_timer_init(loop, &lease->timer) != 0) {
        free(lease);
        return NULL;
    }
    lease->timer.data = lease;
    lease->timer_open = true;
    lease->store = store;
    lease->changed = changed;
    lease->ud = ud;
    snprintf(lease->name, sizeof lease->name, "%s", name);
    tend_metric_set(&TEND_M_LEASE_HELD, lease->name, NULL, 0);
    /* the first try on the loop's first turn, not from inside this call: changed() may stop the
     * app, which must have this lease in hand to stop it too */
    uv_timer_start(&lease->timer, on_timer, 0, 0);
    return lease;
}

bool tend_lease_held(const tend_lease *lease)
{
    return lease && lease->held;
}

const char *tend_lease_name(const tend_lease *lease)
{
    return lease->name;
}

const char *tend_lease_other(const tend_lease *lease)
{
    return lease->other;
}

void tend_lease_stop(tend_lease *lease)
{
    if (!lease || !lease->timer_open)
        return;
    lease->timer_open = false;
    uv_timer_stop(&lease->timer);
    uv_close((uv_handle_t *)&lease->timer, NULL);
}

void tend_lease_release_free(tend_lease *lease)
{
    if (!lease)
        return;
    if (lease->held) {
        /* a process's own lease never changes hands: its row goes with it (none piles up) */
        bool own = is_own(lease);
        int rc = own ? tend_store_lease_drop(lease->store, lease->name, tend_lease_me())
                     : tend_store_lease_release(lease->store, lease->name, tend_lease_me());
        if (rc == TEND_STORE_OK)
            tend_log(own ? TEND_LOG_DEBUG : TEND_LOG_INFO, "lease", "gave back %s", lease->name);
    }
    free(lease);
}
