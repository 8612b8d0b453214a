/* tz.c — see tz.h: the C library's own time-zone support, one zone at a time. */
#include "bot/tz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void use_zone(const char *name)
{
    static char current[128];
    if (strcmp(current, name) == 0)
        return;
    snprintf(current, sizeof current, "%s", name);
    setenv("TZ", name, 1);
    tzset();
}

bool tend_tz_valid(const char *name)
{
    if (!name || !*name || strlen(name) > 60 || name[0] == '/' || strstr(name, ".."))
        return false;
    for (const char *p = name; *p; p++)
        if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
              *p == '/' || *p == '_' || *p == '-' || *p == '+'))
            return false;
    /* glibc silently treats an unknown zone as UTC, so ask the database itself */
    char path[256];
    const char *dir = getenv("TZDIR");
    snprintf(path, sizeof path, "%s/%s", dir && *dir ? dir : "/usr/share/zoneinfo", name);
    return access(path, R_OK) == 0;
}

int tend_tz_local(const char *name, int64_t t, struct tm *out)
{
    if (!tend_tz_valid(name))
        return -1;
    use_zone(name);
    time_t tt = (time_t)t;
    return localtime_r(&tt, out) ? 0 : -1;
}

int tend_tz_to_utc(const char *name, int year, int month, int day, int hour, int minute, int64_t *out)
{
    if (!tend_tz_valid(name))
        return -1;
    use_zone(name);
    struct tm tm = {0};
    tm.tm_year = year - 1900;
    tm.tm_mon = month - 1;
    tm.tm_mday = day;
    tm.tm_hour = hour;
    tm.tm_min = minute;
    tm.tm_isdst = -1;
    struct tm probe = tm;
    time_t t = mktime(&probe);
    if (t == (time_t)-1)
        return -1;
    if (probe.tm_hour != hour || probe.tm_min != minute) {
        /* In a gap: mktime normalised it somewhere; pin the rule to "wall time + gap". Try both
         * DST guesses and take the later instant that lands after the requested wall time. */
        struct tm a = tm, b = tm;
        a.tm_isdst = 0;
        b.tm_isdst = 1;
        time_t ta = mktime(&a), tb = mktime(&b);
        t = ta > tb ? ta : tb;
    } else {
        /* Repeated hour: mktime may pick either; prefer the earlier (DST) instance. */
        struct tm d = tm;
        d.tm_isdst = 1;
        time_t td = mktime(&d);
        if (td != (time_t)-1 && d.tm_hour == hour && d.tm_min == minute && td < t)
            t = td;
    }
    *out = (int64_t)t;
    return 0;
}
