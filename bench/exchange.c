/* exchange.c — what the gradient exchange of `mpirun -np N nnt train` costs without the
 * training: the time per call of MPI_Allreduce on the gradient, of MPI_Reduce_scatter plus
 * MPI_Allgatherv, and of what nnt's collectives do instead (MPI_Alltoallv, a rank-order sum of
 * this rank's part, MPI_Allgatherv), on a vector of N floats (default 203,530: --hidden 256 on
 * Fashion-MNIST). Each is timed over REPS calls after 10 untimed ones; prints one line each.
 *
 * Build: mpicc -O2 -o exchange bench/exchange.c
 * Usage: mpirun -np 2 ./exchange [N [REPS]]
 */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

static void parts(int *count, int *displ, int n, int size)
{
    for (int q = 0; q < size; q++) { /* contiguous parts of whole cache lines, as nnt_part */
        long lines = (n + 15) / 16, lo = lines * q / size * 16, hi = lines * (q + 1) / size * 16;
        lo = lo < n ? lo : n;
        hi = hi < n ? hi : n;
        count[q] = (int)(hi - lo);
        displ[q] = (int)lo;
    }
}

int main(int argc, char **argv)
{
    MPI_Init(&argc, &argv);
    int rank, size;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    int n = argc > 1 ? atoi(argv[1]) : 203530, reps = argc > 2 ? atoi(argv[2]) : 1000;
    float *g = malloc((size_t)n * sizeof *g), *recv = malloc((size_t)n * sizeof *recv + 64 * size);
    int *count = malloc(5 * (size_t)size * sizeof *count), *displ = count + size,
        *scount = count + 2 * size, *rcount = count + 3 * size, *rdispl = count + 4 * size;
    if (n < 1 || reps < 1 || !g || !recv || !count) {
        fprintf(stderr, "usage: exchange [N [REPS]]\n");
        MPI_Abort(MPI_COMM_WORLD, 2);
    }
    parts(count, displ, n, size);
    int len = count[rank], lo = displ[rank];
    for (int q = 0; q < size; q++) { /* as nnt: no copy to itself, its own part stays */
        scount[q] = q == rank ? 0 : count[q];
        rcount[q] = q == rank ? 0 : len;
        rdispl[q] = q * len;
    }
    float **part = malloc((size_t)size * sizeof *part); /* every rank's values of this part */
    if (!part)
        MPI_Abort(MPI_COMM_WORLD, 2);
    for (int q = 0; q < size; q++)
        part[q] = q == rank ? g + lo : recv + (size_t)q * len;
    for (int i = 0; i < n; i++)
        g[i] = (float)(i % 97) * 1e-3f;
    const char *names[3] = {"MPI_Allreduce", "MPI_Reduce_scatter + MPI_Allgatherv",
                            "MPI_Alltoallv + rank-order sum + MPI_Allgatherv (nnt)"};
    for (int way = 0; way < 3; way++) {
        double t0 = 0.0;
        for (int i = -10; i < reps; i++) {
            if (i == 0) {
                MPI_Barrier(MPI_COMM_WORLD);
                t0 = MPI_Wtime();
            }
            if (way == 0) {
                MPI_Allreduce(MPI_IN_PLACE, g, n, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
            } else if (way == 1) {
                MPI_Reduce_scatter(MPI_IN_PLACE, g, count, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
                MPI_Allgatherv(MPI_IN_PLACE, 0, MPI_DATATYPE_NULL, g, count, displ, MPI_FLOAT,
                               MPI_COMM_WORLD);
            } else {
                MPI_Alltoallv(g, scount, displ, MPI_FLOAT, recv, rcount, rdispl, MPI_FLOAT,
                              MPI_COMM_WORLD);
                for (int i2 = 0; i2 < len; i2++) {
                    float s = part[0][i2];
                    for (int q = 1; q < size; q++)
                        s += part[q][i2];
                    g[lo + i2] = s;
                }
                MPI_Allgatherv(MPI_IN_PLACE, 0, MPI_DATATYPE_NULL, g, count, displ, MPI_FLOAT,
                               MPI_COMM_WORLD);
            }
            for (int i2 = 0; i2 < n; i2 += 4096) /* keep the values finite */
                g[i2] = 1.0f;
        }
        double t = (MPI_Wtime() - t0) / reps, worst;
        MPI_Reduce(&t, &worst, 1, MPI_DOUBLE, MPI_MAX, 0, MPI_COMM_WORLD);
        if (rank == 0)
            printf("%d ranks, %d floats: %s %.3f ms per call (%d calls)\n", size, n, names[way],
                   worst * 1e3, reps);
    }
    free(g);
    free(recv);
    free(count);
    free(part);
    MPI_Finalize();
    return 0;
}
