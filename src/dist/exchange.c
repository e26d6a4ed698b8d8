/* exchange.c — the reducer (comm.h): the data-parallel step's gradient exchange over shared
 * memory on one host, MPI collectives across hosts, or nothing in one process. One cohesive
 * concern over 400 lines: the three ways share one struct and one contract, and the shared
 * window's setup, control lines and take/sum protocol only make sense read together. */
#include <limits.h>
#include <stdint.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>

#include "nnt/backoff.h"
#include "nnt/comm.h"
#include "nnt/simd.h"

#ifdef NNT_MPI
#include <mpi.h>
#endif

enum { RED_ONE, RED_SHM, RED_COLL };

struct nnt_reducer {
    const nnt_comm *comm;
    int kind;
    size_t n, lo, hi;      /* the vector's length and this rank's part */
    float *grad;           /* this rank's gradient: its own, or its block of the shared memory */
    float **peer_grad;     /* by rank: shared memory, its gradient block; collectives, its
                            * gradient's values in this rank's part (in recv) */
    float *recv;           /* collectives: every rank's values of this rank's part, in turn */
    float *params;         /* shared memory: the parameters, after rank 0's gradient */
    float *state;          /* shared memory: n_state optimiser vectors after the parameters */
    int n_state;
    size_t stride;         /* shared memory: n rounded up to whole cache lines */
    atomic_size_t *ctl;    /* shared memory: reducer_begin's control lines, after the state */
    unsigned long step;    /* steps begun */
    atomic_size_t next;    /* no shared memory: the next piece of [lo, hi) reducer_take gives */
    int *counts, *displs;  /* collectives: every rank's part */
    int *scounts;          /* collectives: counts, but none to this rank itself */
    int *rcounts, *rdispls; /* collectives: this rank's part from each other rank, in recv */
#ifdef NNT_MPI
    MPI_Comm node;
    MPI_Win win;
#endif
};

float *reducer_grad(nnt_reducer *r) { return r->grad; }

void reducer_part(const nnt_reducer *r, size_t *lo, size_t *hi)
{
    *lo = r->lo;
    *hi = r->hi;
}

const char *reducer_kind(const nnt_reducer *r)
{
    return r->kind == RED_SHM ? "shared memory" : r->kind == RED_COLL ? "MPI collectives"
                                                                      : "one process";
}

/* The pieces reducer_take hands out: 16 KB, a few dozen per step for a network of 200,000
 * parameters, so a rank that is ahead can take many of them. */
enum { TAKE_PIECE = 4096 };

/* reducer_take without shared memory: the next piece of this rank's own part, which
 * reducer_sum has summed already. */
static float *take_own(nnt_reducer *r, size_t *lo, size_t *hi)
{
    size_t k = atomic_fetch_add_explicit(&r->next, 1, memory_order_relaxed);
    if (k >= (r->hi - r->lo + TAKE_PIECE - 1) / TAKE_PIECE)
        return NULL;
    *lo = r->lo + k * TAKE_PIECE;
    *hi = r->hi - *lo < TAKE_PIECE ? r->hi : *lo + TAKE_PIECE;
    return r->grad;
}

/* One process (or a failed start): the gradient is its own sum. */
static nnt_reducer *reducer_alone(const nnt_comm *comm, size_t n, nnt_err *err)
{
    nnt_reducer *r = calloc(1, sizeof *r);
    if (r)
        r->grad = nnt_calloc_aligned(n, sizeof *r->grad);
    if (!r || !r->grad) {
        free(r);
        nnt_errf(err, "out of memory for a gradient of %zu values", n);
        return NULL;
    }
    *r = (nnt_reducer){.comm = comm, .kind = RED_ONE, .n = n, .lo = 0, .hi = n, .grad = r->grad};
    return r;
}

#ifdef NNT_MPI

static void reducer_free_local(nnt_reducer *r);

/* out[i] = Σ_q parts[q][i] for i in [lo, hi), added in rank order; out may be one of parts. */
NNT_VECTOR static void sum_parts(float *out, float *const *parts, int n_parts, size_t lo, size_t hi)
{
    float acc[256];
    for (size_t i0 = lo; i0 < hi; i0 += 256) {
        size_t k = hi - i0 < 256 ? hi - i0 : 256;
        for (size_t i = 0; i < k; i++)
            acc[i] = parts[0][i0 + i];
        for (int q = 1; q < n_parts; q++)
            for (size_t i = 0; i < k; i++)
                acc[i] += parts[q][i0 + i];
        memcpy(out + i0, acc, k * sizeof *acc);
    }
}

/* The control lines of the overlapped exchange, one cache line each so that ranks polling one
 * do not slow the rank writing another: per rank two progress slots (its gradient is final up
 * to there), then two take counters (the next piece to hand out). Slot = step parity: a rank
 * clears the other slot when it begins a step, which no one reads before the next one. */
#define CTL_LINES(size) (2 * (size_t)(size) + 2)
#define CTL_LINE 64 /* bytes */
#define CTL_STRIDE (CTL_LINE / sizeof(atomic_size_t))
static atomic_size_t *ctl_progress(const nnt_reducer *r, int q, unsigned long step)
{
    return r->ctl + (2 * (size_t)q + (step & 1)) * CTL_STRIDE;
}
static atomic_size_t *ctl_take(const nnt_reducer *r, unsigned long step)
{
    return r->ctl + (2 * (size_t)r->comm->size + (step & 1)) * CTL_STRIDE;
}

static void shared_barrier(nnt_reducer *r);

/* A window block from its first whole cache line. Open MPI may start blocks off one (8 bytes
 * past, seen here): the pieces two ranks update then share their boundary lines and every
 * vector load straddles two, which made a 2-rank step about 9% slower. */
static float *first_line(void *p)
{
    return (float *)(void *)((char *)p + (CTL_LINE - (uintptr_t)p % CTL_LINE) % CTL_LINE);
}

/* The shared-memory block of all ranks on this host, when they are all the world: per rank n
 * gradient floats, and after rank 0's the n parameters, the optimiser's n_state vectors of n
 * (each rounded up to a cache line) and the control lines. 0 when it is set up on every rank;
 * every rank agrees. */
static int shared_setup(nnt_reducer *r, int local_ok)
{
    const nnt_comm *c = r->comm;
    int node_size = 0, ok = local_ok;
    MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, c->rank, MPI_INFO_NULL, &r->node);
    MPI_Comm_size(r->node, &node_size);
    /* the environment can force the collectives, which several hosts use, on one host */
    const char *env = getenv("NNT_MPI_SHARED_MEMORY");
    if (node_size != c->size || (env && strcmp(env, "0") == 0))
        ok = 0;
    size_t stride = (r->n + 15) / 16 * 16;
    r->stride = stride;
    /* Open MPI backs the window with a file in /dev/shm; a process that touches pages a full
     * tmpfs cannot give gets SIGBUS, so a window that would not fit twice over is not tried
     * (a container's /dev/shm is often 64 MB) */
    const char *dir = getenv("OMPI_MCA_osc_sm_backing_directory");
    struct statvfs fs;
    double need = ((double)c->size + 1.0 + r->n_state) * (double)stride * sizeof(float) +
                  (double)(CTL_LINES(c->size) * CTL_LINE);
    if (statvfs(dir ? dir : "/dev/shm", &fs) != 0 ||
        (double)fs.f_bavail * (double)fs.f_frsize < 2.0 * need)
        ok = 0;
    r->win = MPI_WIN_NULL;
    MPI_Comm_set_errhandler(r->node, MPI_ERRORS_RETURN);
    int all_ok = ok; /* the window is collective: everyone tries or no one does */
    MPI_Allreduce(MPI_IN_PLACE, &all_ok, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
    if (all_ok) {
        MPI_Info info;
        void *base = NULL;
        MPI_Info_create(&info);
        MPI_Info_set(info, "alloc_shared_noncontig", "true"); /* each rank's block near it */
        size_t size = c->rank == 0 ? (2 + (size_t)r->n_state) * stride * sizeof(float) +
                                         CTL_LINES(c->size) * CTL_LINE
                                   : stride * sizeof(float);
        size += CTL_LINE; /* room for first_line */
        ok = MPI_Win_allocate_shared((MPI_Aint)size, (int)sizeof(float), info, r->node, &base,
                                     &r->win) == MPI_SUCCESS;
        MPI_Info_free(&info);
        for (int q = 0; ok && q < c->size; q++) {
            MPI_Aint bytes;
            int unit;
            void *p = NULL;
            ok = MPI_Win_shared_query(r->win, q, &bytes, &unit, &p) == MPI_SUCCESS && p;
            if (ok)
                r->peer_grad[q] = first_line(p);
        }
        all_ok = ok;
        MPI_Allreduce(MPI_IN_PLACE, &all_ok, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
    }
    if (all_ok) {
        /* first_line's offset is the same in every process only if each maps the window at a
         * page boundary, as Open MPI does: the ranks check it, and fall back otherwise */
        MPI_Win_lock_all(MPI_MODE_NOCHECK, r->win);
        r->peer_grad[c->rank][0] = (float)c->rank;
        shared_barrier(r);
        for (int q = 0; q < c->size; q++)
            all_ok = all_ok && r->peer_grad[q][0] == (float)q;
        MPI_Allreduce(MPI_IN_PLACE, &all_ok, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
        if (!all_ok)
            MPI_Win_unlock_all(r->win);
    }
    if (!all_ok) {
        if (r->win != MPI_WIN_NULL)
            MPI_Win_free(&r->win);
        MPI_Comm_free(&r->node);
        return -1;
    }
    r->grad = r->peer_grad[c->rank];
    r->params = r->peer_grad[0] + stride;
    r->state = r->params + stride;
    r->ctl = (atomic_size_t *)(void *)(r->state + (size_t)r->n_state * stride);
    return 0;
}

nnt_reducer *reducer_new(const nnt_comm *comm, size_t n, int n_state, nnt_err *err)
{
    if (!comm || comm->size == 1)
        return reducer_alone(comm, n, err);
    /* from here every rank takes part in the same collectives, whatever fails locally */
    nnt_reducer *r = calloc(1, sizeof *r);
    float **peers = calloc((size_t)comm->size, sizeof *peers);
    int *layout = calloc(5 * (size_t)comm->size, sizeof *layout);
    nnt_reducer scratch = {0};
    nnt_reducer *w = r ? r : &scratch;
    float *spare[1] = {NULL};
    *w = (nnt_reducer){
        .comm = comm, .n = n, .peer_grad = peers ? peers : spare, .n_state = n_state};
    int local_ok = r && peers && layout;
    nnt_part(&w->lo, &w->hi, n, comm->rank, comm->size, 16);
    if (local_ok && shared_setup(w, 1) == 0) {
        w->kind = RED_SHM;
    } else {
        if (!local_ok)
            shared_setup(w, 0); /* its collectives, to fail together */
        w->kind = RED_COLL;
        w->grad = local_ok ? nnt_calloc_aligned(n, sizeof(float)) : NULL;
        if (n > INT_MAX) { /* beyond MPI's int counts: all-reduce it all, everyone updates all */
            w->lo = 0;
            w->hi = n;
        }
        size_t len = w->hi - w->lo;
        for (int q = 0; layout && q < comm->size; q++) {
            size_t lo, hi;
            nnt_part(&lo, &hi, n, q, comm->size, 16);
            layout[q] = (int)(hi - lo);
            layout[comm->size + q] = (int)lo;
            layout[2 * comm->size + q] = q == comm->rank ? 0 : (int)(hi - lo);
            layout[3 * comm->size + q] = q == comm->rank ? 0 : (int)len;
            layout[4 * comm->size + q] = (int)((size_t)q * len);
        }
        w->counts = layout;
        w->displs = layout ? layout + comm->size : NULL;
        w->scounts = layout ? layout + 2 * comm->size : NULL;
        w->rcounts = layout ? layout + 3 * comm->size : NULL;
        w->rdispls = layout ? layout + 4 * comm->size : NULL;
        /* the other ranks' values of this part arrive side by side, to be added in rank order
         * with this rank's own, which stay where they are */
        w->recv = local_ok && n <= INT_MAX ? nnt_calloc_aligned(len * (size_t)comm->size + 1,
                                                                 sizeof(float))
                                           : NULL;
        for (int q = 0; w->recv && q < comm->size; q++)
            w->peer_grad[q] = q == comm->rank ? w->grad + w->lo : w->recv + (size_t)q * len;
        local_ok = local_ok && w->grad && (w->recv || n > INT_MAX);
    }
    int all_ok = local_ok;
    MPI_Allreduce(MPI_IN_PLACE, &all_ok, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
    if (!all_ok) {
        if (r) {
            r->counts = layout;
            reducer_free_local(r);
        } else {
            free(peers);
            free(layout);
        }
        if (local_ok)
            nnt_err_peer(err, "out of memory on another rank");
        else
            nnt_errf(err, "out of memory for a gradient of %zu values", n);
        return NULL;
    }
    if (w->kind == RED_SHM)
        free(layout);
    return r;
}

/* Window access: the memory model of MPI's shared windows asks for a sync on both sides of the
 * barrier, so that stores before it are seen after it. */
static void shared_barrier(nnt_reducer *r)
{
    MPI_Win_sync(r->win);
    comm_arrive(r->node); /* a barrier that does not spin a core for a stopped peer */
    MPI_Win_sync(r->win);
}

void reducer_sum(nnt_reducer *r)
{
    /* shared memory: nothing to do here, reducer_take sums each piece */
    if (r->kind == RED_COLL && r->n > INT_MAX) {
        comm_allreduce_sum_float(r->comm, r->grad, r->n);
    } else if (r->kind == RED_COLL) {
        /* a reduce-scatter's traffic, but the sum is made here, in rank order, where
         * MPI_Reduce_scatter may group the terms as its algorithm likes: the same bits as the
         * shared memory's, for any number of ranks */
        MPI_Request req; /* waited for without spinning a core for a stopped peer */
        MPI_Ialltoallv(r->grad, r->scounts, r->displs, MPI_FLOAT, r->recv, r->rcounts,
                       r->rdispls, MPI_FLOAT, MPI_COMM_WORLD, &req);
        comm_wait(&req);
        sum_parts(r->grad + r->lo, r->peer_grad, r->comm->size, 0, r->hi - r->lo);
    }
}

void reducer_share(nnt_reducer *r, float *params)
{
    if (r->kind == RED_SHM) {
        /* the parameters are shared: once every part is written, every rank sees it. No
         * second barrier: a rank writes again only a piece every rank has reported final, and
         * each reports a piece only after its forward pass and the output layer's backward,
         * which read the parameters, are done (reducer_ready) */
        (void)params;
        shared_barrier(r);
    } else if (r->kind == RED_COLL && r->n <= INT_MAX) {
        MPI_Request req;
        MPI_Iallgatherv(MPI_IN_PLACE, 0, MPI_DATATYPE_NULL, params, r->counts, r->displs,
                        MPI_FLOAT, MPI_COMM_WORLD, &req);
        comm_wait(&req);
    }
}

float *reducer_params(nnt_reducer *r, const float *init)
{
    if (r->kind != RED_SHM)
        return NULL;
    if (r->comm->rank == 0) {
        memcpy(r->params, init, r->n * sizeof *init);
        memset(r->state, 0, (size_t)r->n_state * r->stride * sizeof *r->state);
        for (size_t i = 0; i < CTL_LINES(r->comm->size) * CTL_STRIDE; i++)
            atomic_init(&r->ctl[i], 0);
    }
    shared_barrier(r);
    return r->params;
}

float *reducer_state(nnt_reducer *r, int k)
{
    return r->kind == RED_SHM && k >= 0 && k < r->n_state ? r->state + (size_t)k * r->stride : NULL;
}

void reducer_begin(nnt_reducer *r)
{
    if (r->kind != RED_SHM) {
        atomic_store_explicit(&r->next, 0, memory_order_relaxed);
        return;
    }
    r->step++;
    /* the other parity's slots were last read in the previous step, which every rank finished
     * (reducer_share's barrier) before this one began, and are next read in the next step */
    atomic_store_explicit(ctl_progress(r, r->comm->rank, r->step + 1), 0, memory_order_relaxed);
    if (r->comm->rank == 0)
        atomic_store_explicit(ctl_take(r, r->step + 1), 0, memory_order_relaxed);
}

void reducer_ready(nnt_reducer *r, size_t upto)
{
    if (r->kind == RED_SHM) /* release: the gradient's stores before it are seen with it */
        atomic_store_explicit(ctl_progress(r, r->comm->rank, r->step), upto, memory_order_release);
}

float *reducer_take(nnt_reducer *r, size_t *lo, size_t *hi)
{
    if (r->kind != RED_SHM)
        return take_own(r, lo, hi);
    size_t k = atomic_fetch_add_explicit(ctl_take(r, r->step), 1, memory_order_relaxed);
    if (k >= (r->n + TAKE_PIECE - 1) / TAKE_PIECE)
        return NULL;
    *lo = k * TAKE_PIECE;
    *hi = r->n - *lo < TAKE_PIECE ? r->n : *lo + TAKE_PIECE;
    /* the ranks spin on their own cores; after a while (more ranks than cores, or a stopped
     * peer) they yield and then sleep (backoff.h) */
    nnt_backoff b = NNT_BACKOFF_INIT;
    for (int q = 0; q < r->comm->size; q++)
        while (atomic_load_explicit(ctl_progress(r, q, r->step), memory_order_acquire) < *hi)
            backoff_wait(&b);
    /* into rank 0's block, in rank order: the same sum whoever takes the piece */
    sum_parts(r->peer_grad[0], r->peer_grad, r->comm->size, *lo, *hi);
    return r->peer_grad[0];
}

static void reducer_free_local(nnt_reducer *r)
{
    if (r->kind != RED_SHM)
        free(r->grad);
    free(r->recv);
    free(r->peer_grad);
    free(r->counts);
    free(r);
}

void reducer_free(nnt_reducer *r)
{
    if (!r)
        return;
    if (r->kind == RED_SHM) {
        MPI_Win_unlock_all(r->win);
        MPI_Win_free(&r->win);
        MPI_Comm_free(&r->node);
    }
    reducer_free_local(r);
}

#else /* one process: the gradient is the sum, and the part is everything */

nnt_reducer *reducer_new(const nnt_comm *comm, size_t n, int n_state, nnt_err *err)
{
    (void)n_state;
    return reducer_alone(comm, n, err);
}

void reducer_begin(nnt_reducer *r) { atomic_store_explicit(&r->next, 0, memory_order_relaxed); }
void reducer_ready(nnt_reducer *r, size_t upto) { (void)r, (void)upto; }
float *reducer_take(nnt_reducer *r, size_t *lo, size_t *hi) { return take_own(r, lo, hi); }
float *reducer_state(nnt_reducer *r, int k) { (void)r, (void)k; return NULL; }

void reducer_sum(nnt_reducer *r) { (void)r; }
float *reducer_params(nnt_reducer *r, const float *init) { (void)r, (void)init; return NULL; }
void reducer_share(nnt_reducer *r, float *params) { (void)r, (void)params; }

void reducer_free(nnt_reducer *r)
{
    if (r)
        free(r->grad);
    free(r);
}

#endif
