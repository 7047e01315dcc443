/* heap.c - the C heap's keep-and-release policy (heap.h). */
#include "util/heap.h"

#include <malloc.h>

/* Buffers up to this come from the heap and are reused: every 800x800 float image and the working copies of a
 * photo; a 12 MP float copy (144 MB) is still mapped and unmapped on its own. */
#define KEEP_BYTES (64 * 1024 * 1024)
/* One heap for all threads: each heap keeps its own freed buffers, and under load (2 workers, the HTTP
 * threads) the peak RSS held them all. A thread per heap (glibc's default) was the worst; two heaps still
 * kept a second set of holes: one heap lowered the 200-client burst's peak by about 25 MB with the same
 * throughput (docs/BENCHMARKS.md, "Issue 12: the burst's peak RSS"). Small blocks come from each thread's
 * own cache (tcache) without the heap's lock. */
#define ARENAS 1
/* free() gives the heap's top back only when more than this is free there. At 64 MB (KEEP_BYTES), two
 * workers' headshots left ~77 MB free at the top every few jobs; glibc gave it back and the next jobs
 * faulted it in again page by page (up to 4,600 faults per headshot at ~16 us each on this machine's virtual
 * CPUs, 15-100 ms of a ~400 CPU-ms headshot). At 128 MB: 15-264 faults per headshot and the same peak RSS;
 * never trimming (INT_MAX) raised the peak by ~12 MB (docs/BENCHMARKS.md, "Issue 11: the server's CPU per
 * headshot"). sb_heap_release still gives everything back when the process goes idle. */
#define TRIM_BYTES (128 * 1024 * 1024)

void sb_heap_keep_freed(void)
{
    /* Setting either threshold also turns off glibc's dynamic adjustment of both. */
    mallopt(M_MMAP_THRESHOLD, KEEP_BYTES);
    mallopt(M_TRIM_THRESHOLD, TRIM_BYTES);
    mallopt(M_ARENA_MAX, ARENAS);
}

void sb_heap_release(void)
{
    malloc_trim(0);
}
