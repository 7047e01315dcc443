/* procstat.h - what the standard process_* metrics of the Prometheus client libraries report (CPU time,
 * memory, threads, file descriptors, start time), read from /proc for /metrics. Any thread; no state. */
#ifndef SB_PROCSTAT_H
#define SB_PROCSTAT_H

/* The process's figures; each is -1 where its source cannot be read (no /proc, no limit). */
typedef struct {
    double cpu_seconds;       /* user + system CPU time */
    long long resident_bytes; /* RSS */
    long long virtual_bytes;  /* address space */
    long long threads;
    double start_time;        /* seconds since the epoch */
    long long open_fds;
    long long max_fds;        /* RLIMIT_NOFILE's soft limit; -1 when unlimited */
} sb_procstat_t;

/* Read the calling process's figures into *out. Never fails: what cannot be read is -1. */
void sb_procstat_read(sb_procstat_t *out);

#endif
