/* blas.c — the only cblas_* call site; the BLAS library is chosen at configure time (BLA_VENDOR). */
#include <cblas.h>
#include <string.h>

#include "nnt/blas.h"

#if defined(NNT_BLAS_OPENBLAS)
/* OpenBLAS's own extensions (declared in its cblas.h, repeated so other cblas.h work too). */
void openblas_set_num_threads(int num_threads);
char *openblas_get_config(void);
char *openblas_get_corename(void);
#elif defined(NNT_BLAS_BLIS)
void bli_thread_set_num_threads(long n_threads);
#endif

void blas_gemm(int trans_a, int trans_b, int M, int N, int K, float alpha, const float *A, int lda,
               const float *B, int ldb, float beta, float *C, int ldc)
{
    /* op(A): M x K, op(B): K x N, C: M x N, all column-major */
    if (M <= 0 || N <= 0)
        return;
    cblas_sgemm(CblasColMajor, trans_a ? CblasTrans : CblasNoTrans,
                trans_b ? CblasTrans : CblasNoTrans, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}

void blas_gemm_ref(int trans_a, int trans_b, int M, int N, int K, float alpha, const float *A,
                   int lda, const float *B, int ldb, float beta, float *C, int ldc)
{
    for (int j = 0; j < N; j++)
        for (int i = 0; i < M; i++) {
            double s = 0.0;
            for (int k = 0; k < K; k++) {
                float a = trans_a ? A[k + (long)i * lda] : A[i + (long)k * lda];
                float b = trans_b ? B[j + (long)k * ldb] : B[k + (long)j * ldb];
                s += (double)a * b;
            }
            float *c = &C[i + (long)j * ldc];
            /* beta == 0 overwrites, as BLAS does, so NaN garbage in C never leaks through */
            *c = (float)(alpha * s + (beta == 0.0f ? 0.0 : (double)beta * *c));
        }
}

void blas_set_threads(int n)
{
#if defined(NNT_BLAS_OPENBLAS)
    openblas_set_num_threads(n);
#elif defined(NNT_BLAS_BLIS)
    bli_thread_set_num_threads(n);
#else
    (void)n;
#endif
}

const char *blas_better_coretype(void)
{
#if defined(NNT_BLAS_OPENBLAS) && defined(__x86_64__) && defined(__GNUC__)
    const char *core = openblas_get_corename();
    if (!core || strcmp(core, "Prescott") != 0)
        return NULL;
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") &&
        __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512dq"))
        return "SkylakeX";
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
        return "Haswell";
#endif
    return NULL;
}

const char *blas_name(void)
{
#if defined(NNT_BLAS_OPENBLAS)
    return openblas_get_config();
#elif defined(NNT_BLAS_BLIS)
    return "BLIS";
#else
    return "CBLAS";
#endif
}
