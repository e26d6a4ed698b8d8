/* blas.h — the one door to BLAS: every matrix product in nnt goes through blas_gemm. */
#ifndef NNT_BLAS_H
#define NNT_BLAS_H

/* C = alpha·op(A)·op(B) + beta·C, all column-major.
 * op(A) is M × K (A is M × K with lda ≥ M, or K × M with lda ≥ K when trans_a);
 * op(B) is K × N; C is M × N with ldc ≥ M. trans_* is 0 (as stored) or 1 (transposed). */
void blas_gemm(int trans_a, int trans_b, int M, int N, int K, float alpha, const float *A, int lda,
               const float *B, int ldb, float beta, float *C, int ldc);

/* The naive triple loop computing the same as blas_gemm, for tests. */
void blas_gemm_ref(int trans_a, int trans_b, int M, int N, int K, float alpha, const float *A,
                   int lda, const float *B, int ldb, float beta, float *C, int ldc);

/* Threads the BLAS library may use (n ≥ 1); a no-op where the library has no such control. */
void blas_set_threads(int n);

/* The OpenBLAS core type worth asking for (via OPENBLAS_CORETYPE, read when the library loads)
 * when OpenBLAS's own CPU detection fell back to its generic Prescott kernels on a processor
 * it does not know but that has AVX2 or AVX-512 (OpenBLAS 0.3.21 on Intel's 2023 Xeons picks
 * Prescott: sgemm 4-5x slower). NULL when the kernels in use are fine or this is not OpenBLAS. */
const char *blas_better_coretype(void);

/* Name of the BLAS library linked in, e.g. "OpenBLAS 0.3.21", for --version and benchmarks. */
const char *blas_name(void);

#endif
