/* test_blas.c — blas_gemm against the naive triple loop, for every transpose and odd strides. */
#include <stdlib.h>

#include "check.h"
#include "nnt/blas.h"
#include "nnt/rng.h"

static void fill(float *a, size_t n, nnt_rng *rng)
{
    for (size_t i = 0; i < n; i++)
        a[i] = (float)(rng_uniform(rng) * 2.0 - 1.0);
}

int main(void)
{
    nnt_rng rng;
    rng_seed(&rng, 42);
    const int shapes[][3] = {{1, 1, 1}, {7, 5, 3}, {4, 209, 12288 / 64}, {13, 1, 17}, {32, 33, 31}};
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
        int M = shapes[s][0], N = shapes[s][1], K = shapes[s][2];
        for (int ta = 0; ta < 2; ta++)
            for (int tb = 0; tb < 2; tb++) {
                /* leading dimensions larger than needed, to catch a stride mix-up */
                int lda = (ta ? K : M) + 2, ldb = (tb ? N : K) + 1, ldc = M + 3;
                float *A = malloc(sizeof(float) * (size_t)lda * (ta ? M : K));
                float *B = malloc(sizeof(float) * (size_t)ldb * (tb ? K : N));
                float *C = malloc(sizeof(float) * (size_t)ldc * N);
                float *R = malloc(sizeof(float) * (size_t)ldc * N);
                fill(A, (size_t)lda * (ta ? M : K), &rng);
                fill(B, (size_t)ldb * (tb ? K : N), &rng);
                fill(C, (size_t)ldc * N, &rng);
                for (size_t i = 0; i < (size_t)ldc * N; i++)
                    R[i] = C[i];
                for (int beta = 0; beta < 2; beta++) {
                    blas_gemm(ta, tb, M, N, K, 0.5f, A, lda, B, ldb, (float)beta, C, ldc);
                    blas_gemm_ref(ta, tb, M, N, K, 0.5f, A, lda, B, ldb, (float)beta, R, ldc);
                    double worst = 0.0;
                    for (int j = 0; j < N; j++)
                        for (int i = 0; i < M; i++) {
                            double d = fabs((double)C[i + j * ldc] - R[i + j * ldc]);
                            worst = d > worst ? d : worst;
                        }
                    CHECKF(worst < 1e-4 * (K + 1), "M%d N%d K%d ta%d tb%d beta%d: max diff %g", M, N,
                           K, ta, tb, beta, worst);
                }
                /* the padding rows of C below M must be untouched */
                for (int j = 0; j < N; j++)
                    for (int i = M; i < ldc; i++)
                        CHECK(C[i + j * ldc] == R[i + j * ldc]);
                free(A);
                free(B);
                free(C);
                free(R);
            }
    }
    CHECK(blas_name() != NULL);
    return check_done("test_blas");
}
