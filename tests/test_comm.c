/* test_comm.c — the communicator of a process not started by mpirun: rank 0 of 1, where every
 * collective leaves the data as it is (the sums and maxima over one rank). */
#include <string.h>

#include "check.h"
#include "nnt/comm.h"

int main(void)
{
    nnt_err err;
    nnt_comm comm;
    CHECK(comm_init(&comm, &err) == 0);
    CHECK(comm.rank == 0 && comm.size == 1);
    CHECK(comm_size(&comm) == 1 && comm_size(NULL) == 1);

    float f[3] = {1.5f, -2.0f, 3.25f};
    double d[2] = {0.1, 1e300};
    int i[2] = {-7, 42};
    char buf[6] = "hello";
    comm_allreduce_sum_float(&comm, f, 3);
    comm_allreduce_sum_double(&comm, d, 2);
    comm_allreduce_max_int(&comm, i, 2);
    comm_broadcast(&comm, buf, sizeof buf, 0);
    CHECK(f[0] == 1.5f && f[1] == -2.0f && f[2] == 3.25f);
    CHECK(d[0] == 0.1 && d[1] == 1e300);
    CHECK(i[0] == -7 && i[1] == 42);
    CHECK(strcmp(buf, "hello") == 0);
    /* a NULL communicator is one process too */
    comm_allreduce_sum_float(NULL, f, 3);
    comm_allreduce_max_int(NULL, i, 2);
    CHECK(f[1] == -2.0f && i[1] == 42);

    /* the reducer of one process: its gradient is the sum, its part is the whole block, handed
     * out in pieces that cover it once, and nothing is shared */
    nnt_reducer *r = reducer_new(&comm, 100, 2, &err);
    CHECK(r != NULL);
    if (r) {
        size_t lo = 1, hi = 0;
        float *g = reducer_grad(r), p[100] = {0};
        for (int k = 0; k < 100; k++)
            g[k] = (float)k;
        reducer_part(r, &lo, &hi);
        CHECK(lo == 0 && hi == 100);
        CHECK(strcmp(reducer_kind(r), "one process") == 0);
        CHECK(reducer_params(r, p) == NULL && reducer_state(r, 0) == NULL);
        for (int step = 0; step < 2; step++) { /* reducer_begin starts the pieces again */
            reducer_begin(r);
            reducer_ready(r, 100);
            reducer_sum(r);
            size_t covered = 0;
            float *piece;
            while ((piece = reducer_take(r, &lo, &hi))) {
                CHECK(piece == g && lo == covered && hi > lo && hi <= 100);
                covered = hi;
            }
            CHECK(covered == 100);
            reducer_share(r, p);
        }
        CHECK(g[0] == 0.0f && g[99] == 99.0f && p[99] == 0.0f);
        reducer_free(r);
    }
    comm_finalize(&comm);
    return check_done("test_comm");
}
