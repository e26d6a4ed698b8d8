/* test_reducer_mpi.c — the reducer across the ranks mpirun started (cli_mpi.sh runs it on 2 and
 * 3 ranks, over shared memory and over the MPI collectives): every step hands out each element
 * of the block once among all ranks and threads, each piece holds the sum of every rank's
 * gradient, reducer_share gives every rank all of it, and over shared memory every block starts
 * on a cache line (Open MPI's did not, which cost a 2-rank step about 9%). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "nnt/comm.h"

enum { N = 10007 }; /* neither whole pieces nor whole cache lines */

/* Rank q's gradient at step s: small integers, so that every sum is exact. */
static float grad_value(int q, size_t i, int s) { return (float)((q + 1) * (int)(i % 97) + s); }

static int on_line(const void *p) { return p && (uintptr_t)p % 64 == 0; }

int main(void)
{
    nnt_err err;
    nnt_comm comm;
    if (comm_init(&comm, &err) != 0) {
        fprintf(stderr, "test_reducer_mpi: %s\n", err.msg);
        return 1;
    }
    float *own = calloc(N, sizeof *own), *cover = calloc(N, sizeof *cover);
    nnt_reducer *r = reducer_new(&comm, N, 2, &err);
    CHECK(own && cover && r);
    if (own && cover && r) {
        const char *kind = reducer_kind(r);
        float *shared = reducer_params(r, own), *params = shared ? shared : own;
        printf("test_reducer_mpi: rank %d of %d, %s\n", comm.rank, comm.size, kind);
        CHECK(comm.size > 1 && strcmp(kind, "one process") != 0);
        if (strcmp(kind, "shared memory") == 0) {
            CHECK(on_line(reducer_grad(r)) && on_line(shared));
            CHECK(on_line(reducer_state(r, 0)) && on_line(reducer_state(r, 1)));
        } else {
            CHECK(!shared && !reducer_state(r, 0));
        }
        for (int s = 0; s < 3; s++) { /* the take counters start again every step */
            reducer_begin(r);
            float *g = reducer_grad(r);
            for (size_t i = 0; i < N; i++)
                g[i] = grad_value(comm.rank, i, s);
            reducer_ready(r, N);
            reducer_sum(r);
            memset(cover, 0, N * sizeof *cover);
            size_t lo, hi;
            float *sum;
            int bounds_ok = 1;
            while ((sum = reducer_take(r, &lo, &hi))) {
                bounds_ok &= lo < hi && hi <= N;
                for (size_t i = lo; bounds_ok && i < hi; i++) {
                    params[i] = sum[i]; /* the "update": the summed gradient itself */
                    cover[i] += 1.0f;
                }
            }
            CHECK(bounds_ok);
            reducer_share(r, params);
            comm_allreduce_sum_float(&comm, cover, N);
            size_t twice = 0, wrong = 0;
            for (size_t i = 0; i < N; i++) {
                float want = 0.0f;
                for (int q = 0; q < comm.size; q++)
                    want += grad_value(q, i, s);
                twice += cover[i] != 1.0f;
                wrong += params[i] != want;
            }
            CHECKF(twice == 0, "step %d: %zu elements not taken exactly once", s, twice);
            CHECKF(wrong == 0, "step %d: %zu elements are not the ranks' sum", s, wrong);
        }
    }
    reducer_free(r);
    free(own);
    free(cover);
    int rc = check_done("test_reducer_mpi");
    comm_finalize(&comm);
    return rc;
}
