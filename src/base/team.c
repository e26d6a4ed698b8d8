/* team.c — a fixed team of threads, a start signal per run and a reusable barrier. */
#define _GNU_SOURCE /* sched_getaffinity */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>

#include "nnt/simd.h"
#include "nnt/team.h"

/* A waiting member first spins (a step's phases are tens of microseconds apart, far shorter
 * than a sleep and wake-up), then yields, then sleeps on the condition variable so that an
 * idle team (between epochs, during evaluation) leaves the cores to others. */
enum { SPIN = 4000, YIELDS = 200 };

struct nnt_team {
    int n;
    pthread_t *threads;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    atomic_uint gen;     /* bumped by every barrier that completes and by every team_run */
    atomic_int arrived;  /* members at the current barrier */
    atomic_int sleepers; /* members waiting on cv */
    nnt_team_fn fn;
    void *ctx;
    int quit;
};

/* Waits until team->gen differs from `seen`. */
static void wait_gen(nnt_team *t, unsigned seen)
{
    for (int i = 0; i < SPIN; i++) {
        if (atomic_load_explicit(&t->gen, memory_order_acquire) != seen)
            return;
        simd_pause();
    }
    for (int i = 0; i < YIELDS; i++) {
        if (atomic_load_explicit(&t->gen, memory_order_acquire) != seen)
            return;
        sched_yield();
    }
    pthread_mutex_lock(&t->mu);
    atomic_fetch_add(&t->sleepers, 1);
    while (atomic_load_explicit(&t->gen, memory_order_acquire) == seen)
        pthread_cond_wait(&t->cv, &t->mu);
    atomic_fetch_sub(&t->sleepers, 1);
    pthread_mutex_unlock(&t->mu);
}

/* Moves every waiter on: a new generation, and a broadcast when anyone sleeps. */
static void bump_gen(nnt_team *t)
{
    /* under the mutex, so a member between its check of gen and its sleep cannot miss it */
    pthread_mutex_lock(&t->mu);
    atomic_fetch_add_explicit(&t->gen, 1, memory_order_acq_rel);
    if (atomic_load(&t->sleepers) > 0)
        pthread_cond_broadcast(&t->cv);
    pthread_mutex_unlock(&t->mu);
}

/* The barrier; returns the generation it completed, seen + 1. No generation can pass while a
 * member is on its way here (the barrier needs it), so the count is exact. */
static unsigned barrier_wait(nnt_team *t)
{
    unsigned seen = atomic_load_explicit(&t->gen, memory_order_acquire);
    if (atomic_fetch_add_explicit(&t->arrived, 1, memory_order_acq_rel) == t->n - 1) {
        atomic_store_explicit(&t->arrived, 0, memory_order_relaxed);
        bump_gen(t);
    } else {
        wait_gen(t, seen);
    }
    return seen + 1;
}

void team_barrier(nnt_team *t)
{
    if (t->n > 1)
        barrier_wait(t);
}

typedef struct member {
    nnt_team *team;
    int id;
} member;

static void *member_main(void *arg)
{
    nnt_team *t = ((member *)arg)->team;
    int id = ((member *)arg)->id;
    free(arg);
    unsigned seen = 0; /* gen at team_new; reading it here could miss a run already started */
    for (;;) {
        wait_gen(t, seen); /* the start of a run (team_run bumps gen) */
        if (t->quit)
            return NULL;
        t->fn(t->ctx, id, t->n);
        /* the end of the run; counted, not read back: the next run may have started already */
        seen = barrier_wait(t);
    }
}

nnt_team *team_new(int n, nnt_err *err)
{
    nnt_team *t = calloc(1, sizeof *t);
    if (!t || n < 1) {
        free(t);
        nnt_errf(err, n < 1 ? "a team needs at least one member" : "out of memory");
        return NULL;
    }
    t->n = 1;
    pthread_mutex_init(&t->mu, NULL);
    pthread_cond_init(&t->cv, NULL);
    atomic_init(&t->gen, 0);
    atomic_init(&t->arrived, 0);
    atomic_init(&t->sleepers, 0);
    t->threads = calloc((size_t)n, sizeof *t->threads);
    if (!t->threads) {
        team_free(t);
        nnt_errf(err, "out of memory");
        return NULL;
    }
    /* members start before t->n counts them, so a failure can stop those already running */
    for (int i = 1; i < n; i++) {
        member *m = malloc(sizeof *m);
        if (m)
            *m = (member){t, i};
        if (!m || pthread_create(&t->threads[i], NULL, member_main, m) != 0) {
            free(m);
            team_free(t);
            nnt_errf(err, "cannot start thread %d of %d", i + 1, n);
            return NULL;
        }
        t->n = i + 1;
    }
    return t;
}

int team_cpus(void)
{
#ifdef CPU_COUNT
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0)
        return CPU_COUNT(&set);
#endif
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > 4096 ? 4096 : (int)n;
}

void team_run(nnt_team *t, nnt_team_fn fn, void *ctx)
{
    if (t->n == 1) {
        fn(ctx, 0, 1);
        return;
    }
    t->fn = fn;
    t->ctx = ctx;
    bump_gen(t); /* the start signal; the writes above are published by its release */
    fn(ctx, 0, t->n);
    team_barrier(t);
}

void team_free(nnt_team *t)
{
    if (!t)
        return;
    if (t->n > 1) {
        t->quit = 1;
        bump_gen(t);
        for (int i = 1; i < t->n; i++)
            pthread_join(t->threads[i], NULL);
    }
    pthread_mutex_destroy(&t->mu);
    pthread_cond_destroy(&t->cv);
    free(t->threads);
    free(t);
}
