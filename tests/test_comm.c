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
    CHECK(comm_rank(&comm) == 0 && comm_size(&comm) == 1);
    CHECK(comm_rank(NULL) == 0 && comm_size(NULL) == 1);

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
    comm_finalize(&comm);
    return check_done("test_comm");
}
