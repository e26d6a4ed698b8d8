/* team.h — a fixed team of threads that run one function together, with barriers between phases.
 * The trainer splits each step over the team itself (hidden units, batch columns, parameter
 * ranges) and calls the BLAS single-threaded from every member: no thread of the BLAS library
 * spins while nnt's own element-wise work runs, and that work runs on every core too. */
#ifndef NNT_TEAM_H
#define NNT_TEAM_H

#include "nnt/err.h"

typedef struct nnt_team nnt_team;

/* The function a team runs: member `id` of `n` (0 is the calling thread). */
typedef void (*nnt_team_fn)(void *ctx, int id, int n);

/* A team of n ≥ 1 members: the caller and n - 1 new threads, which wait until team_run.
 * Returns NULL with a message when a thread cannot be started. */
nnt_team *team_new(int n, nnt_err *err);
/* Runs fn(ctx, id, n) on every member and returns when all have returned. */
void team_run(nnt_team *team, nnt_team_fn fn, void *ctx);
/* Inside fn: waits until every member has reached this barrier. Every member must call it
 * the same number of times in a run. */
void team_barrier(nnt_team *team);
/* The CPUs this process may run on (its affinity mask: mpirun binds each rank to its cores).
 * Members beyond it only wait for each other: a waiting member spins on a CPU another needs. */
int team_cpus(void);
/* Stops and joins the threads; NULL is allowed. */
void team_free(nnt_team *team);

#endif
