/* backoff.c — the one way nnt waits for a peer: spin, then yield, then sleep (backoff.h). */
#include <sched.h>
#include <time.h>

#include "nnt/backoff.h"
#include "nnt/simd.h"

/* About a millisecond of pause instructions: a step's waits for a peer on its own core end
 * well within it, and then nothing costs more latency than before. */
#define SPIN_POLLS 20000u
/* Yielding lets an oversubscribed host run the peer at once; past this the peer is not about
 * to arrive (stopped, or far behind) and sleeping costs at most a millisecond of latency. */
#define YIELD_SECONDS 0.010
/* A wait this long is a stopped or stalled peer: 10 ms sleeps, a hundred wake-ups a second. */
#define LONG_SECONDS 1.0

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

void backoff_wait(nnt_backoff *b)
{
    if (b->polls < SPIN_POLLS) {
        b->polls++;
        simd_pause();
        return;
    }
    if (b->since == 0.0)
        b->since = now();
    double waited = now() - b->since;
    if (waited < YIELD_SECONDS) {
        sched_yield();
        return;
    }
    struct timespec nap = {0, waited < LONG_SECONDS ? 1000000L : 10000000L};
    nanosleep(&nap, NULL);
}
