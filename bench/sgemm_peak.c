/* sgemm_peak.c — the machine's large-sgemm rate through the BLAS nnt links: the ceiling the
 * benchmark compares nnt's achieved GFLOP/s against.
 *
 * Usage: sgemm_peak [N [REPS [THREADS [M K TRANSA TRANSB]]]]
 *   default: N = 2048, REPS = 5, THREADS = 0 (the library's default: all cores)
 *   with M K TRANSA TRANSB (0/1), times C (M x N) = op(A) (M x K) · op(B) (K x N) instead of
 *   the square N x N x N product: the skinny shapes nnt hands to sgemm can be timed the same way.
 * Prints one JSON object on stdout:
 *   {"m":..,"n":..,"k":..,"reps":..,"threads":..,"best_seconds":..,"gflops":..,"config":"..",..}
 * The rate is 2·M·N·K / the best wall time of REPS calls (column-major), after one untimed
 * warm-up call.  Build: cc -O2 -o sgemm_peak sgemm_peak.c -lopenblas
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cblas.h>

/* OpenBLAS extensions; weak so the program also links against another CBLAS. */
char *openblas_get_config(void) __attribute__((weak));
int openblas_get_num_threads(void) __attribute__((weak));
void openblas_set_num_threads(int) __attribute__((weak));
char *openblas_get_corename(void) __attribute__((weak));

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void json_string(const char *s)
{
    putchar('"');
    for (; s && *s; s++) {
        if (*s == '"' || *s == '\\')
            putchar('\\');
        putchar((unsigned char)*s >= 0x20 ? *s : ' ');
    }
    putchar('"');
}

static long arg(int argc, char **argv, int i, long dflt)
{
    return argc > i ? strtol(argv[i], NULL, 10) : dflt;
}

int main(int argc, char **argv)
{
    long n = arg(argc, argv, 1, 2048), reps = arg(argc, argv, 2, 5), threads = arg(argc, argv, 3, 0);
    long m = arg(argc, argv, 4, n), k = arg(argc, argv, 5, n);
    long ta = arg(argc, argv, 6, 0), tb = arg(argc, argv, 7, 0);
    if (n < 1 || m < 1 || k < 1 || n > 65536 || m > 65536 || k > 65536 || reps < 1 ||
        reps > 100000 || threads < 0 || threads > 1024 || (ta | tb) & ~1L ||
        (double)(m > n ? m : n) * (double)(k > n ? k : n) > 2.7e8) {
        fprintf(stderr, "usage: sgemm_peak [N [REPS [THREADS [M K TRANSA TRANSB]]]]\n");
        return 2;
    }
    if (threads > 0 && openblas_set_num_threads)
        openblas_set_num_threads((int)threads);

    size_t na = (size_t)m * (size_t)k, nb = (size_t)k * (size_t)n, nc = (size_t)m * (size_t)n;
    float *A = malloc(na * sizeof *A), *B = malloc(nb * sizeof *B), *C = malloc(nc * sizeof *C);
    if (!A || !B || !C) {
        fprintf(stderr, "sgemm_peak: out of memory\n");
        return 1;
    }
    /* Values in [-0.5, 0.5): no denormals, no overflow; the contents do not affect the speed. */
    unsigned x = 12345u;
    for (size_t i = 0; i < na; i++) {
        x = x * 1664525u + 1013904223u;
        A[i] = (float)(x >> 8) / 16777216.0f - 0.5f;
    }
    for (size_t i = 0; i < nb; i++) {
        x = x * 1664525u + 1013904223u;
        B[i] = (float)(x >> 8) / 16777216.0f - 0.5f;
    }
    memset(C, 0, nc * sizeof *C);

    /* op(A): m x k, op(B): k x n, C: m x n, column-major */
    int im = (int)m, in = (int)n, ik = (int)k;
    int lda = ta ? ik : im, ldb = tb ? in : ik;
    enum CBLAS_TRANSPOSE opa = ta ? CblasTrans : CblasNoTrans, opb = tb ? CblasTrans : CblasNoTrans;
    cblas_sgemm(CblasColMajor, opa, opb, im, in, ik, 1.0f, A, lda, B, ldb, 0.0f, C, im);
    double best = 1e300;
    for (long r = 0; r < reps; r++) {
        double t = now_seconds();
        cblas_sgemm(CblasColMajor, opa, opb, im, in, ik, 1.0f, A, lda, B, ldb, 0.0f, C, im);
        t = now_seconds() - t;
        if (t < best)
            best = t;
    }
    double gflops = 2.0 * (double)m * (double)n * (double)k / best * 1e-9;

    printf("{\"m\":%ld,\"n\":%ld,\"k\":%ld,\"transa\":%ld,\"transb\":%ld,\"reps\":%ld,"
           "\"threads\":%d,\"best_seconds\":%.6g,\"gflops\":%.3f,\"checksum\":%.6g,\"config\":",
           m, n, k, ta, tb, reps, openblas_get_num_threads ? openblas_get_num_threads() : -1, best,
           gflops, (double)C[nc / 2]);
    json_string(openblas_get_config ? openblas_get_config() : "unknown CBLAS");
    printf(",\"core\":");
    json_string(openblas_get_corename ? openblas_get_corename() : "unknown");
    printf("}\n");
    free(A);
    free(B);
    free(C);
    return 0;
}
