/* comm.c — the communicator: MPI's world under NNT_MPI, a single process otherwise. Both keep
 * the same contract, so the trainer and the CLI have one code path for any number of ranks.
 * The gradient exchange built on it is exchange.c's. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nnt/backoff.h"
#include "nnt/comm.h"

int comm_host_threads(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    /* read before comm_init, from what the launchers (Open MPI, MPICH) put in the environment */
    const char *local = getenv("OMPI_COMM_WORLD_LOCAL_SIZE");
    if (!local)
        local = getenv("MPI_LOCALNRANKS");
    long ranks = local ? strtol(local, NULL, 10) : 1;
    if (ranks > 1)
        n /= ranks;
    return n < 1 ? 1 : n > 256 ? 256 : (int)n;
}

#ifdef NNT_MPI
#include <mpi.h>

/* MPI counts are int: reduce large vectors in pieces. */
#define COMM_CHUNK ((size_t)1 << 30)

/* Whether a launcher (mpirun, mpiexec, srun, hydra) started this process. Without one,
 * MPI_Init would make Open MPI fork a singleton server: slower to start, and it hangs where it
 * cannot create its files (a full disk, a file size limit). A lone process needs no MPI. */
static int launched_by_mpi(void)
{
    static const char *const vars[] = {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK",
                                       "PMI_SIZE", "MPI_LOCALNRANKS"};
    for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++)
        if (getenv(vars[i]))
            return 1;
    return 0;
}

int comm_init(nnt_comm *comm, nnt_err *err)
{
    memset(comm, 0, sizeof *comm);
    comm->size = 1;
    if (!launched_by_mpi())
        return 0; /* rank 0 of 1: every collective below returns at once */
    int started = 0, provided = 0;
    MPI_Initialized(&started);
    if (!started) {
        /* only the main thread calls MPI; decoding and BLAS threads never do */
        if (MPI_Init_thread(NULL, NULL, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS)
            return nnt_errf(err, "MPI could not start");
        comm->mpi = 1;
    }
    MPI_Comm_rank(MPI_COMM_WORLD, &comm->rank);
    MPI_Comm_size(MPI_COMM_WORLD, &comm->size);
    return 0;
}

void comm_finalize(nnt_comm *comm)
{
    if (comm->mpi)
        MPI_Finalize();
    comm->mpi = 0;
}

void comm_wait(MPI_Request *req)
{
    nnt_backoff b = NNT_BACKOFF_INIT;
    for (int done = 0;;) {
        MPI_Test(req, &done, MPI_STATUS_IGNORE);
        if (done)
            return;
        backoff_wait(&b);
    }
}

void comm_arrive(MPI_Comm c)
{
    MPI_Request req;
    MPI_Ibarrier(c, &req);
    comm_wait(&req);
}

/* One non-blocking collective on a piece of at most COMM_CHUNK elements, waited for. */
static void reduce_piece(void *x, size_t n, MPI_Datatype type, MPI_Op op)
{
    MPI_Request req;
    MPI_Iallreduce(MPI_IN_PLACE, x, (int)n, type, op, MPI_COMM_WORLD, &req);
    comm_wait(&req);
}

/* Most bytes gathered from all ranks to sum in rank order, on the stack so that no rank can
 * fail where the others go on (a step's loss sums are a few values); larger vectors are left
 * to MPI's own reduction. Every rank decides alike, from n and the number of ranks. */
#define GATHER_MAX ((size_t)16384)

/* Sums in rank order, whatever the MPI library's algorithm would group: the same bits with any
 * MPI and for any number of ranks, and the same as the blocking MPI_Allreduce gave before
 * (Open MPI's recursive doubling adds small vectors in rank order too). */
#define SUM_GATHERED(T, MPI_T)                                                                 \
    static int sum_gathered_##T(const nnt_comm *comm, T *x, size_t n)                          \
    {                                                                                          \
        size_t total;                                                                          \
        if (nnt_mul_size(&total, n, (size_t)comm->size) || total > GATHER_MAX / sizeof(T))    \
            return -1;                                                                         \
        T all[GATHER_MAX / sizeof(T)];                                                         \
        MPI_Request req;                                                                       \
        MPI_Iallgather(x, (int)n, MPI_T, all, (int)n, MPI_T, MPI_COMM_WORLD, &req);            \
        comm_wait(&req);                                                                       \
        for (size_t i = 0; i < n; i++) {                                                       \
            T v = all[i];                                                                      \
            for (int q = 1; q < comm->size; q++)                                               \
                v += all[(size_t)q * n + i];                                                   \
            x[i] = v;                                                                          \
        }                                                                                      \
        return 0;                                                                              \
    }
SUM_GATHERED(float, MPI_FLOAT)
SUM_GATHERED(double, MPI_DOUBLE)

void comm_allreduce_sum_float(const nnt_comm *comm, float *x, size_t n)
{
    if (!comm || comm->size < 2 || n == 0 || sum_gathered_float(comm, x, n) == 0)
        return;
    for (size_t i = 0; i < n; i += COMM_CHUNK)
        reduce_piece(x + i, n - i < COMM_CHUNK ? n - i : COMM_CHUNK, MPI_FLOAT, MPI_SUM);
}

void comm_allreduce_sum_double(const nnt_comm *comm, double *x, size_t n)
{
    if (!comm || comm->size < 2 || n == 0 || sum_gathered_double(comm, x, n) == 0)
        return;
    for (size_t i = 0; i < n; i += COMM_CHUNK)
        reduce_piece(x + i, n - i < COMM_CHUNK ? n - i : COMM_CHUNK, MPI_DOUBLE, MPI_SUM);
}

void comm_allreduce_max_int(const nnt_comm *comm, int *x, size_t n)
{
    for (size_t i = 0; comm && comm->size > 1 && i < n; i += COMM_CHUNK)
        reduce_piece(x + i, n - i < COMM_CHUNK ? n - i : COMM_CHUNK, MPI_INT, MPI_MAX);
}

void comm_broadcast(const nnt_comm *comm, void *buf, size_t bytes, int root)
{
    for (size_t i = 0; comm && comm->size > 1 && i < bytes; i += COMM_CHUNK) {
        MPI_Request req;
        MPI_Ibcast((char *)buf + i, (int)(bytes - i < COMM_CHUNK ? bytes - i : COMM_CHUNK),
                   MPI_BYTE, root, MPI_COMM_WORLD, &req);
        comm_wait(&req);
    }
}

#else /* one process: the sums and maxima over one rank are the values themselves */

int comm_init(nnt_comm *comm, nnt_err *err)
{
    (void)err;
    *comm = (nnt_comm){0, 1, 0};
    return 0;
}

void comm_finalize(nnt_comm *comm) { (void)comm; }

void comm_allreduce_sum_float(const nnt_comm *comm, float *x, size_t n) { (void)comm, (void)x, (void)n; }
void comm_allreduce_sum_double(const nnt_comm *comm, double *x, size_t n) { (void)comm, (void)x, (void)n; }
void comm_allreduce_max_int(const nnt_comm *comm, int *x, size_t n) { (void)comm, (void)x, (void)n; }

void comm_broadcast(const nnt_comm *comm, void *buf, size_t bytes, int root)
{
    (void)comm, (void)buf, (void)bytes, (void)root;
}

#endif
