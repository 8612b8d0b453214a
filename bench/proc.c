/*
 * proc.c — reads /proc/<pid>/stat (utime, stime) and /proc/<pid>/status (VmRSS, VmHWM), and copies
 * /proc/<pid>/smaps (resident memory by mapping) for bench/smaps.py.
 */
#include "bench/proc.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int read_cpu(pid_t pid, double *cpu_s)
{
    char path[64], buf[1024];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    /* the command name may hold spaces: fields count from the last ')' */
    char *p = strrchr(buf, ')');
    unsigned long utime = 0, stime = 0;
    if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &utime, &stime) != 2)
        return -1;
    *cpu_s = (double)(utime + stime) / (double)sysconf(_SC_CLK_TCK);
    return 0;
}

static int read_mem(pid_t pid, long *rss_kb, long *hwm_kb)
{
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, "VmRSS:", 6) == 0)
            sscanf(line + 6, "%ld", rss_kb);
        else if (strncmp(line, "VmHWM:", 6) == 0)
            sscanf(line + 6, "%ld", hwm_kb);
    }
    fclose(f);
    return 0;
}

int proc_read(pid_t pid, proc_sample *out)
{
    memset(out, 0, sizeof *out);
    return read_cpu(pid, &out->cpu_s) == 0 && read_mem(pid, &out->rss_kb, &out->hwm_kb) == 0 ? 0 : -1;
}

int proc_copy_smaps(pid_t pid, const char *path)
{
    char src[64], buf[16384];
    snprintf(src, sizeof src, "/proc/%d/smaps", (int)pid);
    FILE *in = fopen(src, "r");
    if (!in)
        return -1;
    FILE *out = fopen(path, "w");
    if (!out) {
        fclose(in);
        return -1;
    }
    size_t n;
    int rc = 0;
    while ((n = fread(buf, 1, sizeof buf, in)) > 0)
        if (fwrite(buf, 1, n, out) != n)
            rc = -1;
    fclose(in);
    if (fclose(out) != 0)
        rc = -1;
    return rc;
}
