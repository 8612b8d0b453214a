/*
 * tz.c — see tz.h: the C library's own time-zone support, one zone at a time.
 *
 * Converting a local wall time back to an instant does not trust mktime's tm_isdst guesses (they
 * differ between zones and libc versions): it tries the offsets the zone uses around that day and
 * keeps the earliest instant whose local reading is exactly the wall time asked for.
 */
#include "bot/tz.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define DAY (24 * 3600)

static void use_zone(const char *name)
{
    /* compare with the environment, not a cache: anything else that set TZ is noticed */
    const char *now = getenv("TZ");
    if (now && strcmp(now, name) == 0)
        return;
    setenv("TZ", name, 1);
    tzset();
}

static bool name_is_plain(const char *name)
{
    if (!name || !*name || strlen(name) > 60 || name[0] == '/' || name[0] == '-' || strstr(name, ".."))
        return false;
    for (const char *p = name; *p; p++)
        if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
              *p == '/' || *p == '_' || *p == '-' || *p == '+'))
            return false;
    return true;
}

/* Zone files already found good. Checking one is a stat, an open and a read, and the scheduler
 * asks for every group several times per tick: without this, time-zone checks were most of
 * tend's CPU per interaction (README, "Benchmarks"). Keyed by the full path, so a changed TZDIR is
 * checked afresh; a zone file deleted while tend runs is not worth a system call per lookup. */
#define VALID_CACHE 16
static char valid_cache[VALID_CACHE][128];
static unsigned valid_next;

static bool known_valid(const char *path)
{
    for (unsigned i = 0; i < VALID_CACHE; i++)
        if (valid_cache[i][0] && strcmp(valid_cache[i], path) == 0)
            return true;
    return false;
}

static void remember_valid(const char *path)
{
    if (strlen(path) < sizeof valid_cache[0])
        memcpy(valid_cache[valid_next++ % VALID_CACHE], path, strlen(path) + 1);
}

bool tend_tz_valid(const char *name)
{
    if (!name_is_plain(name))
        return false;
    /* glibc silently treats an unknown zone as UTC, so ask the database itself: a regular file
     * that starts with the TZif magic (a folder such as "Europe" is not a zone) */
    char path[256];
    const char *dir = getenv("TZDIR");
    snprintf(path, sizeof path, "%s/%s", dir && *dir ? dir : "/usr/share/zoneinfo", name);
    if (known_valid(path))
        return true;
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
        return false;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    char magic[4];
    ssize_t n = read(fd, magic, sizeof magic);
    close(fd);
    if (n != 4 || memcmp(magic, "TZif", 4) != 0)
        return false;
    remember_valid(path);
    return true;
}

int tend_tz_local(const char *name, int64_t t, struct tm *out)
{
    if (!tend_tz_valid(name))
        return -1;
    use_zone(name);
    time_t tt = (time_t)t;
    return localtime_r(&tt, out) ? 0 : -1;
}

/* UTC offset in seconds in effect at instant t (zone already selected). */
static long offset_at(int64_t t)
{
    time_t tt = (time_t)t;
    struct tm tm;
    if (!localtime_r(&tt, &tm))
        return 0;
    return tm.tm_gmtoff;
}

static bool reads_as(int64_t t, const struct tm *want)
{
    time_t tt = (time_t)t;
    struct tm tm;
    return localtime_r(&tt, &tm) && tm.tm_year == want->tm_year && tm.tm_mon == want->tm_mon &&
           tm.tm_mday == want->tm_mday && tm.tm_hour == want->tm_hour && tm.tm_min == want->tm_min;
}

int tend_tz_to_utc(const char *name, int year, int month, int day, int hour, int minute, int64_t *out)
{
    if (!tend_tz_valid(name) || month < 1 || month > 12 || day < 1 || day > 31 || hour < 0 ||
        hour > 23 || minute < 0 || minute > 59)
        return -1;
    use_zone(name);
    struct tm want = {0};
    want.tm_year = year - 1900;
    want.tm_mon = month - 1;
    want.tm_mday = day;
    want.tm_hour = hour;
    want.tm_min = minute;
    struct tm norm = want;
    time_t naive_tt = timegm(&norm); /* the wall time read as if it were UTC */
    if (naive_tt == (time_t)-1 || norm.tm_mday != day)
        return -1; /* 31 February and friends */
    int64_t naive = (int64_t)naive_tt;
    /* A zone changes offset at most once within a day and a half of any moment (true of every
     * zone in the database), so the offsets before and after cover both readings. */
    long before = offset_at(naive - 36 * 3600);
    long after = offset_at(naive + 36 * 3600);
    long here = offset_at(naive);
    long offs[3] = {before, here, after};
    int64_t best = 0;
    bool found = false;
    for (int i = 0; i < 3; i++) {
        int64_t t = naive - offs[i];
        if (reads_as(t, &want) && (!found || t < best)) {
            best = t; /* a repeated hour: the first of the two */
            found = true;
        }
    }
    if (!found)
        best = naive - before; /* a skipped hour: the same wall time on the old offset, i.e. moved
                                  forward by the gap (02:30 -> 03:30) */
    *out = best;
    return 0;
}

const char *tend_tz_of_group(const tend_group *g)
{
    return tend_tz_valid(g->timezone) ? g->timezone : "UTC";
}

const char *tend_tz_of_member(const tend_group *g, const tend_member *m)
{
    return m->timezone[0] && tend_tz_valid(m->timezone) ? m->timezone : tend_tz_of_group(g);
}
