/* mem.h — how much more memory this process may take, so that a run too big for the machine
 * is refused before it allocates instead of failing (or being killed) minutes later. */
#ifndef NNT_MEM_H
#define NNT_MEM_H

#include <stddef.h>

/* Bytes this process may still allocate and touch: the smallest of the free memory and swap
 * (MemAvailable + SwapFree), the cgroup's limit less its usage (v2 or v1), and the soft
 * RLIMIT_AS and RLIMIT_DATA less what the process has of them. *what (if not NULL) names the
 * bound that decided ("under the address-space limit, ulimit -v"). Returns -1 when none can be read (then nothing should be refused). */
double mem_room(const char **what);

/* bytes as "3.2 GiB" (binary units, one decimal; whole bytes below 1 KiB). */
void mem_format(char *buf, size_t n, double bytes);

#endif
