/* comm.h — the ranks of a data-parallel run and the few collectives training needs. Built with
 * NNT_MPI it is MPI's world communicator; otherwise (or when run without mpirun) it is one process,
 * where every collective is the identity; and the gradient exchange built on them (the reducer,
 * exchange.c). The trainer never calls MPI itself. */
#ifndef NNT_COMM_H
#define NNT_COMM_H

#include <stddef.h>

#include "nnt/err.h"

typedef struct nnt_comm {
    int rank, size; /* this process and how many there are, rank in [0, size) */
    int mpi;        /* 1 when comm_init started MPI (comm_finalize must stop it) */
} nnt_comm;

/* Joins the run: under NNT_MPI and started by mpirun (or another MPI launcher), MPI_Init and
 * one rank of many; otherwise a run of one process, without MPI.
 * Returns 0, or -1 with a message when MPI could not start. Call once, from the main thread. */
int comm_init(nnt_comm *comm, nnt_err *err);
/* Leaves the run; every rank must call it. */
void comm_finalize(nnt_comm *comm);

/* In-place element-wise sums over all ranks: afterwards every rank holds the same x[0..n). */
void comm_allreduce_sum_float(const nnt_comm *comm, float *x, size_t n);
void comm_allreduce_sum_double(const nnt_comm *comm, double *x, size_t n);
/* In-place element-wise maximum over all ranks. */
void comm_allreduce_max_int(const nnt_comm *comm, int *x, size_t n);
/* Copies root's buf[0..bytes) to every rank. */
void comm_broadcast(const nnt_comm *comm, void *buf, size_t bytes, int root);

#ifdef NNT_MPI
#include <mpi.h>
/* Waits for a non-blocking MPI operation, polling with backoff.h's back-off: MPI's blocking
 * calls spin at 100 % CPU for as long as a peer takes, forever for a stopped one, so every
 * collective of nnt's is a non-blocking one waited for so. Small sums are gathered and added
 * in rank order (the bits of any MPI); maxima and copies are exact anyway. */
void comm_wait(MPI_Request *req);
/* Returns when every rank of c has reached it, waiting as comm_wait does. */
void comm_arrive(MPI_Comm c);
#endif

/* The data-parallel step's exchange, an all-reduce with the optimiser's work split among the
 * ranks. Each step: reducer_begin; every rank writes its gradient of n floats into
 * reducer_grad, saying how much of it is final as it goes (reducer_ready, a growing prefix);
 * reducer_sum; then every thread of every rank takes pieces of the summed gradient
 * (reducer_take) and updates those parameters; reducer_share hands them on to every rank.
 * - Ranks on several hosts: reducer_sum receives the others' values of this rank's part
 *   (reducer_part: contiguous parts in rank order, whole cache lines) with MPI_Alltoallv and adds
 *   them in rank order; the pieces are those of the part; reducer_share is MPI_Allgatherv.
 * - Ranks on one host (the usual case for a few ranks) share one block of memory with every
 *   rank's gradient, the parameters (reducer_params) and the optimiser's state
 *   (reducer_state). The pieces are those of the whole block, each handed out once every rank
 *   has reported it final and summed then, in rank order, by its taker: a rank whose core is
 *   ahead sums and updates while the others still compute. reducer_sum does nothing, and
 *   reducer_share is a barrier, not a copy. NNT_MPI_SHARED_MEMORY=0 in the environment makes
 *   them use the collectives instead, as on several hosts.
 * - One process: the gradient is the sum, and the part is everything.
 * The sums are added in rank order whoever adds them, so every way gives the same bits. */
typedef struct nnt_reducer nnt_reducer;
/* Collective: every rank calls it with the same n and n_state (the optimiser's state vectors,
 * shared as well when the ranks share memory: reducer_state). NULL with a message when out of
 * memory (every rank then fails alike). */
nnt_reducer *reducer_new(const nnt_comm *comm, size_t n, int n_state, nnt_err *err);
float *reducer_grad(nnt_reducer *r);
void reducer_part(const nnt_reducer *r, size_t *lo, size_t *hi);
/* Collective. When the ranks share memory, the parameter block they all train (n floats, set to
 * rank 0's `init`); NULL otherwise, and each rank trains its own copy. */
float *reducer_params(nnt_reducer *r, const float *init);
/* Shared optimiser state vector k < n_state (n floats, zero at first), or NULL when the ranks do
 * not share memory and each keeps its own. Valid after reducer_params. */
float *reducer_state(nnt_reducer *r, int k);
/* Main thread, every rank, at each step before any reducer_ready or reducer_take. */
void reducer_begin(nnt_reducer *r);
/* This rank's gradient is final in [0, upto), and it reads no parameter there again this step
 * (a taker may be updating them); upto only grows within a step, to n at its end. */
void reducer_ready(nnt_reducer *r, size_t upto);
/* Collective, after reducer_ready(r, n): see above. */
void reducer_sum(nnt_reducer *r);
/* Any thread, after reducer_sum: the block holding the summed gradient in [*lo, *hi), a piece
 * no other taker got (once every rank's gradient is final there); NULL when the step has no
 * piece left. */
float *reducer_take(nnt_reducer *r, size_t *lo, size_t *hi);
/* Collective, after the updates: every rank gets every part of params (reducer_params's block
 * when that is not NULL). */
void reducer_share(nnt_reducer *r, float *params);
/* How the ranks exchange: "one process", "shared memory" or "MPI collectives". */
const char *reducer_kind(const nnt_reducer *r);
/* Collective; NULL is allowed. */
void reducer_free(nnt_reducer *r);

/* The threads a rank uses by default: the host's cores shared among the ranks a launcher
 * started on it, so `mpirun -np N` does not start N times as many threads as cores; 1 to 256.
 * Needs no comm_init. */
int comm_host_threads(void);

/* For code that may run without a communicator: 1 when comm is NULL. */
static inline int comm_size(const nnt_comm *comm) { return comm ? comm->size : 1; }

#endif
