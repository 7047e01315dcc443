/* heap.c - the C heap's keep-and-release policy (heap.h). */
#include "util/heap.h"

#include <malloc.h>

#define KEEP_BYTES (512 * 1024 * 1024)

void sb_heap_keep_freed(void)
{
    /* Setting either threshold also turns off glibc's dynamic adjustment of both. */
    mallopt(M_MMAP_THRESHOLD, KEEP_BYTES);
    mallopt(M_TRIM_THRESHOLD, KEEP_BYTES);
}

void sb_heap_release(void)
{
    malloc_trim(0);
}
