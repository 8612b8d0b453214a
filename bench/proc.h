/*
 * proc.h — what /proc says about a process: CPU time used and resident memory.
 */
#ifndef TEND_BENCH_PROC_H
#define TEND_BENCH_PROC_H

#include <sys/types.h>

typedef struct proc_sample {
    double cpu_s;      /* user + system seconds so far */
    long rss_kb;       /* VmRSS */
    long hwm_kb;       /* VmHWM: the peak resident set so far */
} proc_sample;

/* 0, or -1 when the process is gone. */
int proc_read(pid_t pid, proc_sample *out);

/* Copies /proc/<pid>/smaps to path: 0, or -1. */
int proc_copy_smaps(pid_t pid, const char *path);

#endif
