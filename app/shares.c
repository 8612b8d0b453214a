/*
 * shares.c — numbered parts of work split between processes through one lease each (shares.h).
 * One timer per share: every TEND_LEASE_RETRY_MS it reads the share's leases and the processes'
 * in two statements, renews what is due, then takes or gives back towards the fair share.
 */
#include "app/shares.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app/leases.h"
#include "lib/log.h"

typedef struct {
    bool held;
    bool giving_back;   /* told to give it back; held until the owner says it stopped */
    int64_t renewed_at; /* wall ms of the last take or renewal */
    int64_t expires_at;
} share_part;

struct tend_share {
    uv_timer_t timer;
    bool timer_open;
    tend_store *store;
    char prefix[64];
    int parts;
    tend_host_share_cb changed;
    void *ud;
    share_part *part;
    tend_store_lease *seen; /* this look's rows, by part (holder "" when none) */
    int over_looks;         /* looks in a row above the fair share */
    bool read_failing;      /* logged once per spell */
    bool take_failing;
    int last_fair;          /* for the log: said again only when it changes */
    int64_t look_now;       /* this look's wall time, for keep_row */
    char stranger[TEND_LEASE_NAME_MAX]; /* a live lease of this prefix for another count */
    bool told_stranger;     /* warned once */
};

static int64_t wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---------------------------------------------------------------- pure parts */

int tend_share_fair(int parts, int processes)
{
    if (processes < 1)
        return parts;
    return (parts + processes - 1) / processes;
}

int tend_share_part_of(const char *name, const char *prefix, int parts)
{
    size_t n = strlen(prefix);
    if (strncmp(name, prefix, n) != 0)
        return -1;
    const char *p = name + n;
    int part = 0, count = 0, digits = 0;
    for (; *p >= '0' && *p <= '9' && digits < 6; p++, digits++)
        part = part * 10 + (*p - '0');
    if (!digits || strncmp(p, "-of-", 4) != 0)
        return -1;
    p += 4;
    for (digits = 0; *p >= '0' && *p <= '9' && digits < 6; p++, digits++)
        count = count * 10 + (*p - '0');
    if (!digits || *p || count != parts || part >= parts)
        return -1;
    return part;
}

bool tend_share_free(const tend_store_lease *lease, const char *me, int64_t now)
{
    return !lease || !lease->holder[0] || lease->expires_at <= now || strcmp(lease->holder, me) == 0;
}

bool tend_share_stalled(const tend_store_lease *lease, const char *me, int64_t now)
{
    return lease->holder[0] && lease->expires_at != 0 && lease->expires_at <= now &&
           strcmp(lease->holder, me) != 0;
}

/* ---------------------------------------------------------------- the look */

static void part_name(const tend_share *s, int part, char *out, size_t len)
{
    snprintf(out, len, "%s%d-of-%d", s->prefix, part, s->parts);
}

static void set_held(tend_share *s, int part, bool held)
{
    char name[TEND_LEASE_NAME_MAX];
    part_name(s, part, name, sizeof name);
    s->part[part].held = held;
    s->part[part].giving_back = false;
    tend_metric_set(&TEND_M_LEASE_HELD, name, NULL, held ? 1 : 0);
}

static void lose(tend_share *s, int part, const char *why)
{
    char name[TEND_LEASE_NAME_MAX];
    part_name(s, part, name, sizeof name);
    tend_log(TEND_LOG_ERROR, "lease", "lost %s: %s", name, why);
    set_held(s, part, false);
    s->changed(s->ud, part, TEND_SHARE_LOST);
}

static int keep_row(const tend_store_lease *l, void *ud)
{
    tend_share *s = ud;
    int part = tend_share_part_of(l->name, s->prefix, s->parts);
    if (part >= 0)
        s->seen[part] = *l;
    else if (l->expires_at > s->look_now && !s->stranger[0])
        snprintf(s->stranger, sizeof s->stranger, "%s", l->name); /* another process, another count */
    return 0;
}

typedef struct {
    const tend_share *share;
    const char *me;
    int64_t now;
    int alive;
} census;

/* A process counts when its own lease is live, its process still exists (this host's), and it
 * has not let a lease of this share run out (then it stopped renewing: its parts are up for
 * taking, and so is its place in the fair share). */
static int count_process(const tend_store_lease *l, void *ud)
{
    census *c = ud;
    const char *holder = l->holder;
    if (l->expires_at <= c->now || tend_lease_holder_exited(holder))
        return 0;
    if (strcmp(holder, c->me) != 0)
        for (int i = 0; i < c->share->parts; i++)
            if (strcmp(c->share->seen[i].holder, holder) == 0 &&
                tend_share_stalled(&c->share->seen[i], c->me, c->now))
                return 0;
    c->alive++;
    return 0;
}

static void renew_held(tend_share *s, const char *me, int64_t now)
{
    for (int i = 0; i < s->parts; i++) {
        share_part *p = &s->part[i];
        if (!p->held)
            continue;
        if (s->seen[i].holder[0] && strcmp(s->seen[i].holder, me) != 0) {
            lose(s, i, "another tend process holds it now");
            continue;
        }
        if (now - p->renewed_at < TEND_LEASE_RENEW_MS)
            continue;
        char name[TEND_LEASE_NAME_MAX];
        part_name(s, i, name, sizeof name);
        int rc = tend_store_lease_take(s->store, name, me, now, TEND_LEASE_TTL_MS, NULL);
        if (rc == TEND_STORE_OK) {
            p->renewed_at = now;
            p->expires_at = now + TEND_LEASE_TTL_MS;
        } else if (rc == TEND_STORE_EXISTS) {
            lose(s, i, "another tend process holds it now");
        } else if (now >= p->expires_at - TEND_LEASE_RETRY_MS) {
            /* stop while it is still ours: past its end another process may start the same part */
            lose(s, i, "the database did not take a renewal in time");
        }
    }
}

static int held_count(const tend_share *s)
{
    int n = 0;
    for (int i = 0; i < s->parts; i++)
        n += s->part[i].held;
    return n;
}

/* Takes free parts, lowest first, until this process holds `fair`. */
static void take_free(tend_share *s, const char *me, int64_t now, int fair)
{
    int held = held_count(s);
    char took[160] = "";
    size_t used = 0;
    for (int i = 0; i < s->parts && held < fair; i++) {
        const tend_store_lease *row = &s->seen[i];
        if (s->part[i].held)
            continue;
        char name[TEND_LEASE_NAME_MAX];
        part_name(s, i, name, sizeof name);
        int rc;
        if (tend_share_free(row, me, now))
            rc = tend_store_lease_take(s->store, name, me, now, TEND_LEASE_TTL_MS, NULL);
        else if (tend_lease_holder_exited(row->holder))
            rc = tend_store_lease_take_from(s->store, name, me, row->holder, now, TEND_LEASE_TTL_MS, NULL);
        else
            continue;
        if (rc == TEND_STORE_EXISTS)
            continue; /* another process took it first */
        if (rc != TEND_STORE_OK) {
            if (!s->take_failing)
                tend_log(TEND_LOG_WARN, "lease", "cannot take %s: %s", name, tend_store_errmsg(s->store));
            s->take_failing = true;
            return;
        }
        s->take_failing = false;
        set_held(s, i, true);
        s->part[i].renewed_at = now;
        s->part[i].expires_at = now + TEND_LEASE_TTL_MS;
        held++;
        if (used < sizeof took)
            used += (size_t)snprintf(took + used, sizeof took - used, "%s%d", used ? "," : "", i);
        if (row->holder[0] && strcmp(row->holder, me) != 0)
            tend_log(TEND_LOG_INFO, "lease", "took over %s from %s", name, row->holder);
        s->changed(s->ud, i, TEND_SHARE_TAKEN);
    }
    if (took[0])
        tend_log(TEND_LOG_INFO, "lease", "holding %s%s of %d (this process's share: %d)", s->prefix, took,
                 s->parts, fair);
}

/* Above the fair share for two looks in a row (not a passing miscount while processes start): the
 * highest parts over it go back, all in this look, and are released as each one has stopped. */
static void give_back_extra(tend_share *s, int fair)
{
    int keeping = 0;
    for (int i = 0; i < s->parts; i++)
        keeping += s->part[i].held && !s->part[i].giving_back;
    if (keeping <= fair) {
        s->over_looks = 0;
        return;
    }
    if (++s->over_looks < 2)
        return;
    s->over_looks = 0;
    for (int i = s->parts - 1; i >= 0 && keeping > fair; i--) {
        if (!s->part[i].held || s->part[i].giving_back)
            continue;
        char name[TEND_LEASE_NAME_MAX];
        part_name(s, i, name, sizeof name);
        tend_log(TEND_LOG_INFO, "lease", "giving %s back: a fair share here is %d", name, fair);
        s->part[i].giving_back = true;
        keeping--;
        s->changed(s->ud, i, TEND_SHARE_GIVE_BACK);
    }
}

static void look(tend_share *s)
{
    const char *me = tend_lease_me();
    int64_t now = wall_ms();
    memset(s->seen, 0, (size_t)s->parts * sizeof *s->seen);
    s->look_now = now;
    s->stranger[0] = '\0';
    census c = {s, me, now, 0};
    if (tend_store_lease_each(s->store, s->prefix, keep_row, s) != TEND_STORE_OK ||
        tend_store_lease_each(s->store, "process.", count_process, &c) != TEND_STORE_OK) {
        if (!s->read_failing)
            tend_log(TEND_LOG_WARN, "lease", "cannot read the %s leases: %s", s->prefix,
                     tend_store_errmsg(s->store));
        s->read_failing = true;
        for (int i = 0; i < s->parts; i++)
            if (s->part[i].held && now >= s->part[i].expires_at - TEND_LEASE_RETRY_MS)
                lose(s, i, "the database did not take a renewal in time");
        return;
    }
    if (s->read_failing)
        tend_log(TEND_LOG_INFO, "lease", "the %s leases can be read again", s->prefix);
    s->read_failing = false;
    if (s->stranger[0] && !s->told_stranger)
        /* two counts at once would run overlapping parts (a Discord guild on two shards' sessions) */
        tend_log(TEND_LOG_WARN, "lease", "another tend process holds %s while this one splits %s into %d: give "
                 "every process the same count (for Discord, [discord] shards = N on each)", s->stranger,
                 s->prefix, s->parts);
    s->told_stranger = s->told_stranger || s->stranger[0];
    renew_held(s, me, now);
    int fair = tend_share_fair(s->parts, c.alive < 1 ? 1 : c.alive);
    if (fair != s->last_fair && s->last_fair)
        tend_log(TEND_LOG_INFO, "lease", "%s: %d tend processes share %d parts, %d each at most", s->prefix,
                 c.alive, s->parts, fair);
    s->last_fair = fair;
    take_free(s, me, now, fair);
    give_back_extra(s, fair);
}

static void on_timer(uv_timer_t *t)
{
    tend_share *s = t->data;
    look(s);
    if (s->timer_open && !uv_is_closing((uv_handle_t *)&s->timer))
        uv_timer_start(&s->timer, on_timer, TEND_LEASE_RETRY_MS, 0);
}

/* ---------------------------------------------------------------- life */

tend_share *tend_share_start(uv_loop_t *loop, tend_store *store, const char *prefix, int parts,
                             tend_host_share_cb changed, void *ud)
{
    if (parts < 1 || parts > TEND_SHARE_PARTS_MAX)
        return NULL;
    tend_share *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->part = calloc((size_t)parts, sizeof *s->part);
    s->seen = calloc((size_t)parts, sizeof *s->seen);
    if (!s->part || !s->seen || strlen(prefix) >= sizeof s->prefix || uv_timer_init(loop, &s->timer) != 0) {
        free(s->part);
        free(s->seen);
        free(s);
        return NULL;
    }
    s->timer.data = s;
    s->timer_open = true;
    s->store = store;
    s->parts = parts;
    s->changed = changed;
    s->ud = ud;
    snprintf(s->prefix, sizeof s->prefix, "%s", prefix);
    /* the first look on the loop's next turn: changed() may stop the app, which must hold this */
    uv_timer_start(&s->timer, on_timer, 0, 0);
    return s;
}

void tend_share_given_back(tend_share *s, int part)
{
    if (!s || part < 0 || part >= s->parts || !s->part[part].held)
        return;
    char name[TEND_LEASE_NAME_MAX];
    part_name(s, part, name, sizeof name);
    if (tend_store_lease_release(s->store, name, tend_lease_me()) == TEND_STORE_OK)
        tend_log(TEND_LOG_INFO, "lease", "gave back %s", name);
    set_held(s, part, false); /* not released (the database failed): it runs out in its time */
}

int tend_share_held(const tend_share *s)
{
    return s ? held_count(s) : 0;
}

int tend_share_parts(const tend_share *s)
{
    return s ? s->parts : 0;
}

void tend_share_stop(tend_share *s)
{
    if (!s || !s->timer_open)
        return;
    s->timer_open = false;
    uv_timer_stop(&s->timer);
    uv_close((uv_handle_t *)&s->timer, NULL);
}

void tend_share_release_free(tend_share *s)
{
    if (!s)
        return;
    char back[160] = "";
    size_t used = 0;
    for (int i = 0; i < s->parts; i++) {
        if (!s->part[i].held)
            continue;
        char name[TEND_LEASE_NAME_MAX];
        part_name(s, i, name, sizeof name);
        if (tend_store_lease_release(s->store, name, tend_lease_me()) == TEND_STORE_OK && used < sizeof back)
            used += (size_t)snprintf(back + used, sizeof back - used, "%s%d", used ? "," : "", i);
        tend_metric_set(&TEND_M_LEASE_HELD, name, NULL, 0);
    }
    if (back[0])
        tend_log(TEND_LOG_INFO, "lease", "gave back %s%s of %d", s->prefix, back, s->parts);
    free(s->part);
    free(s->seen);
    free(s);
}
