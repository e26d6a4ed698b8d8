/* backoff.h — waiting for another thread or process without burning a core: spin briefly
 * (the usual wait is microseconds), then yield, then sleep, so that a peer that stopped
 * (SIGSTOP, a debugger, an overloaded host) leaves this one idle instead of at 100 % CPU. */
#ifndef NNT_BACKOFF_H
#define NNT_BACKOFF_H

typedef struct nnt_backoff {
    unsigned polls; /* failed polls so far */
    double since;   /* when the yielding began (monotonic seconds), 0 before */
} nnt_backoff;

#define NNT_BACKOFF_INIT {0, 0.0}

/* Called after each poll that found the condition still false: a pause instruction for the
 * first polls, then sched_yield for up to 10 ms, then 1 ms sleeps, 10 ms ones after 1 s. */
void backoff_wait(nnt_backoff *b);

#endif
