/*
 * seed.c — a database for the benchmark: many groups, members, and a history of done work.
 *
 * The schema comes from tend_store_open() (so it is exactly what tend migrates to); the rows are
 * bulk SQL in one transaction, which writes a million tasks in seconds where the store API's
 * one-command-one-transaction would take minutes. Ids match bench/mix.h, so the driver's members
 * are these members. Per group: `tasks` tasks numbered 1..tasks, of which the last `open` are open
 * (2 slots each) and the rest done, each with its done claim (the growth the issue asks about).
 * Members have used tend before, as the members of a group that has run a while have: welcomed,
 * their app's language noted (the driver's en-US). With --first-timers none of them has: every
 * member's first command then also says the welcome (a second message) and writes both down,
 * which is what a brand-new bot's first day costs, not what each interaction of a running one does.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>

#include "bench/mix.h"
#include "store/store.h"

typedef struct {
    const char *db;
    long long guilds, members, tasks, open;
    const char *checkin_at; /* NULL: a weekday that is not today, so nothing falls due */
    long long created_ago;  /* seconds before now the groups were created */
    int first_timers;       /* members who never used tend: not welcomed, no app language noted */
} seed_opts;

static int exec(sqlite3 *db, const char *sql)
{
    char *err = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK) {
        fprintf(stderr, "seed: %s: %s\n", sql, err ? err : "?");
        sqlite3_free(err);
        return -1;
    }
    return 0;
}

static sqlite3_stmt *prep(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *s = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK) {
        fprintf(stderr, "seed: %s: %s\n", sql, sqlite3_errmsg(db));
        exit(1);
    }
    return s;
}

static void step(sqlite3 *db, sqlite3_stmt *s)
{
    if (sqlite3_step(s) != SQLITE_DONE) {
        fprintf(stderr, "seed: %s\n", sqlite3_errmsg(db));
        exit(1);
    }
    sqlite3_reset(s);
}

static void weekly_not_today(time_t now, char *out, size_t len)
{
    static const char *const days[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};
    struct tm tm;
    gmtime_r(&now, &tm);
    snprintf(out, len, "%s 18:00", days[(tm.tm_wday + 3) % 7]);
}

static void seed(sqlite3 *db, const seed_opts *o, long long now)
{
    char checkin[32], digest[32];
    weekly_not_today((time_t)now, checkin, sizeof checkin);
    weekly_not_today((time_t)now + 86400, digest, sizeof digest);
    sqlite3_stmt *g = prep(db, "INSERT INTO groups(id, key, channel_key, timezone, checkin_at, digest_at, "
                               "next_task_number, created_at) VALUES (?1, ?2, ?3, 'UTC', ?4, ?5, ?6, ?7)");
    sqlite3_stmt *m = prep(db, "INSERT INTO members(id, group_id, key, name, joined_at, welcomed, app_language)"
                               " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
    sqlite3_stmt *t = prep(db, "INSERT INTO tasks(id, group_id, number, title, slots, state, created_by, "
                               "created_at, done_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
    sqlite3_stmt *c = prep(db, "INSERT INTO claims(task_id, member_id, state, created_at, updated_at, done_at) "
                               "VALUES (?1, ?2, 'done', ?3, ?3, ?3)");
    static const char *const titles[] = {"Soup run", "Grocery pickup for Ana", "Fix the bike trailer",
                                         "Pantry shift", "Drive to the clinic", "Sort donations"};
    long long task_id = 0;
    char key[64], name[64], title[96];
    for (long long gi = 0; gi < o->guilds; gi++) {
        snprintf(key, sizeof key, "discord:%llu", (unsigned long long)(BENCH_GUILD_BASE + gi));
        snprintf(name, sizeof name, "%llu", (unsigned long long)(BENCH_CHANNEL_BASE + gi));
        sqlite3_bind_int64(g, 1, gi + 1);
        sqlite3_bind_text(g, 2, key, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(g, 3, name, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(g, 4, o->checkin_at ? o->checkin_at : checkin, -1, SQLITE_STATIC);
        sqlite3_bind_text(g, 5, digest, -1, SQLITE_STATIC);
        sqlite3_bind_int64(g, 6, o->tasks + 1);
        sqlite3_bind_int64(g, 7, now - o->created_ago);
        step(db, g);
        for (long long k = 0; k < o->members; k++) {
            long long u = gi * o->members + k;
            snprintf(key, sizeof key, "%llu", (unsigned long long)(BENCH_USER_BASE + (unsigned long long)u));
            snprintf(name, sizeof name, "Member %lld", u);
            sqlite3_bind_int64(m, 1, u + 1);
            sqlite3_bind_int64(m, 2, gi + 1);
            sqlite3_bind_text(m, 3, key, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(m, 4, name, -1, SQLITE_TRANSIENT);
            sqlite3_bind_int64(m, 5, now - o->created_ago);
            sqlite3_bind_int(m, 6, o->first_timers ? 0 : 1);
            sqlite3_bind_text(m, 7, o->first_timers ? "" : "en", -1, SQLITE_STATIC);
            step(db, m);
        }
        for (long long n = 1; n <= o->tasks; n++) {
            bool open = n > o->tasks - o->open;
            long long member = gi * o->members + (n % o->members) + 1;
            long long when = now - 60 - (o->tasks - n) * 600 % (60LL * 86400);
            snprintf(title, sizeof title, "%s %lld", titles[n % 6], n);
            sqlite3_bind_int64(t, 1, ++task_id);
            sqlite3_bind_int64(t, 2, gi + 1);
            sqlite3_bind_int64(t, 3, n);
            sqlite3_bind_text(t, 4, title, -1, SQLITE_TRANSIENT);
            sqlite3_bind_int(t, 5, open ? 2 : 1);
            sqlite3_bind_text(t, 6, open ? "open" : "done", -1, SQLITE_STATIC);
            sqlite3_bind_int64(t, 7, member);
            sqlite3_bind_int64(t, 8, when - 3600);
            sqlite3_bind_int64(t, 9, open ? 0 : when);
            step(db, t);
            if (!open) {
                sqlite3_bind_int64(c, 1, task_id);
                sqlite3_bind_int64(c, 2, member);
                sqlite3_bind_int64(c, 3, when);
                step(db, c);
            }
        }
    }
    sqlite3_finalize(g);
    sqlite3_finalize(m);
    sqlite3_finalize(t);
    sqlite3_finalize(c);
}

static void usage(void)
{
    fputs("usage: seed --db FILE [--guilds N] [--members-per-guild N] [--tasks-per-guild N]\n"
          "            [--open-per-guild N] [--checkin-at 'thu 03:05'] [--created-ago SECONDS]\n"
          "            [--first-timers 1]\n",
          stderr);
    exit(2);
}

int main(int argc, char **argv)
{
    seed_opts o = {NULL, 10, 10, 20, 20, NULL, 0, 0};
    for (int i = 1; i + 1 < argc; i += 2) {
        const char *k = argv[i], *v = argv[i + 1];
        if (!strcmp(k, "--db")) o.db = v;
        else if (!strcmp(k, "--guilds")) o.guilds = atoll(v);
        else if (!strcmp(k, "--members-per-guild")) o.members = atoll(v);
        else if (!strcmp(k, "--tasks-per-guild")) o.tasks = atoll(v);
        else if (!strcmp(k, "--open-per-guild")) o.open = atoll(v);
        else if (!strcmp(k, "--checkin-at")) o.checkin_at = v;
        else if (!strcmp(k, "--created-ago")) o.created_ago = atoll(v);
        else if (!strcmp(k, "--first-timers")) o.first_timers = atoi(v);
        else usage();
    }
    if (!o.db || argc % 2 == 0 || o.guilds < 1 || o.members < 1 || o.open > o.tasks)
        usage();
    remove(o.db);
    char err[256];
    tend_store *store = NULL;
    if (tend_store_open(o.db, &store, err, sizeof err) != TEND_STORE_OK) {
        fprintf(stderr, "seed: %s\n", err);
        return 1;
    }
    tend_store_close(store);
    sqlite3 *db = NULL;
    if (sqlite3_open(o.db, &db) != SQLITE_OK)
        return 1;
    long long now = (long long)time(NULL);
    if (exec(db, "PRAGMA synchronous=OFF; BEGIN") != 0)
        return 1;
    seed(db, &o, now);
    int rc = exec(db, "COMMIT") ? 1 : 0;
    sqlite3_close(db);
    printf("seeded %s: %lld groups, %lld members, %lld tasks (%lld open)\n", o.db, o.guilds,
           o.guilds * o.members, o.guilds * o.tasks, o.guilds * o.open);
    return rc;
}
