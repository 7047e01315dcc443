/* heap.h - how the process's C heap (glibc malloc) keeps and gives back memory. A process policy: programs
 * (the CLI, the server, the benches) call these, the library never does. */
#ifndef SB_HEAP_H
#define SB_HEAP_H

/* Keep freed memory for reuse instead of handing it back to the system at once: buffers up to 64 MB come
 * from the heap (glibc maps each one over its dynamic threshold anew and faults in every page again on
 * every call: on this machine's virtual CPUs that was a quarter of a headshot's time), the heap's top is
 * given back only when over 128 MB of it is free, and all threads share one heap (one per thread kept each
 * thread's freed buffers).
 * Call once at process start, before any thread. Pair a long-lived process with sb_heap_release when it
 * goes idle. */
void sb_heap_keep_freed(void);

/* Give the heap's free memory back to the system (malloc_trim: every arena, also pages inside the heap).
 * A few milliseconds; call when the process goes idle (the server's worker pool does). Any thread. */
void sb_heap_release(void);

#endif
