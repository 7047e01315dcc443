/* procstat.c - the process figures from /proc/self/stat, /proc/stat, /proc/self/fd and getrlimit. */
#include "util/procstat.h"

#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

/* The fields of /proc/self/stat that the metrics need (proc(5) numbering). */
typedef struct {
    unsigned long long utime, stime;  /* 14, 15: clock ticks */
    long long threads;                /* 20 */
    unsigned long long starttime;     /* 22: clock ticks after boot */
    unsigned long long vsize;         /* 23: bytes */
    long long rss_pages;              /* 24 */
} stat_t;

static bool read_stat(stat_t *s)
{
    char buf[2048];
    FILE *f = fopen("/proc/self/stat", "re");
    if (!f)
        return false;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    /* The command name (field 2) is in parentheses and may hold spaces: fields resume after the last ')'. */
    char *p = strrchr(buf, ')');
    if (!p)
        return false;
    return sscanf(p + 1,
                  " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu %*d %*d %*d %*d %lld %*d %llu %llu %lld",
                  &s->utime, &s->stime, &s->threads, &s->starttime, &s->vsize, &s->rss_pages) == 6;
}

/* Seconds since the epoch at boot (the "btime" line of /proc/stat), or -1. */
static long long boot_time(void)
{
    FILE *f = fopen("/proc/stat", "re");
    if (!f)
        return -1;
    char line[256];
    long long bt = -1;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "btime %lld", &bt) == 1)
            break;
    fclose(f);
    return bt;
}

/* Open file descriptors of the process (entries of /proc/self/fd, without the directory's own), or -1. */
static long long open_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    if (!d)
        return -1;
    long long n = 0;
    struct dirent *ent;
    while ((ent = readdir(d)))
        if (ent->d_name[0] != '.')
            n++;
    closedir(d);
    return n - 1; /* the descriptor opendir holds */
}

void sb_procstat_read(sb_procstat_t *out)
{
    *out = (sb_procstat_t){-1, -1, -1, -1, -1, -1, -1};
    long ticks = sysconf(_SC_CLK_TCK);
    long page = sysconf(_SC_PAGESIZE);
    stat_t s;
    if (ticks > 0 && read_stat(&s)) {
        out->cpu_seconds = (double)(s.utime + s.stime) / (double)ticks;
        out->resident_bytes = s.rss_pages * page;
        out->virtual_bytes = (long long)s.vsize;
        out->threads = s.threads;
        long long bt = boot_time();
        if (bt >= 0)
            out->start_time = (double)bt + (double)s.starttime / (double)ticks;
    }
    out->open_fds = open_fds();
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
        out->max_fds = (long long)rl.rlim_cur;
}
