/* comm.h — the ranks of a data-parallel run and the few collectives training needs. Built with
 * NNT_MPI it is MPI's world communicator; otherwise (or when run without mpirun) it is one process,
 * where every collective is the identity. The trainer never calls MPI itself. */
#ifndef NNT_COMM_H
#define NNT_COMM_H

#include <stddef.h>

#include "nnt/err.h"
#include "nnt/exchange.h" /* the gradient exchange built on the communicator (reducer_*) */

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

/* The threads a rank uses by default: the host's cores shared among the ranks a launcher
 * started on it, so `mpirun -np N` does not start N times as many threads as cores; 1 to 256.
 * Needs no comm_init. */
int comm_host_threads(void);

/* For code that may run without a communicator: 1 when comm is NULL. */
static inline int comm_size(const nnt_comm *comm) { return comm ? comm->size : 1; }

#endif
