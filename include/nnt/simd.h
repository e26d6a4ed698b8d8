/* simd.h — NNT_VECTOR: element-wise loops built for AVX-512 and AVX2 besides the x86-64 baseline,
 * the best one picked when the program loads (GCC's target_clones), so one binary runs on any
 * x86-64 and uses full-width vectors where the CPU has them. Only loops whose every operation is
 * exactly rounded carry it (the build keeps -ffp-contract=off: no FMA), so every clone computes
 * the same bits and a model does not depend on the machine that trained it. */
#ifndef NNT_SIMD_H
#define NNT_SIMD_H

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(NNT_NO_CLONES)
#define NNT_VECTOR __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define NNT_VECTOR
#endif

/* Subnormal floats (below 1.2e-38 in magnitude) cost the CPU a microcode assist of ~100 cycles
 * per operation. Adam's second moment (the square of a tiny gradient) and the moments of weights
 * that get no gradient decay into that range, and the update then ran 3x slower than the rest
 * of the step. Training therefore treats them as zero (FTZ and DAZ, as TensorFlow does on CPUs);
 * no result that matters is that small. simd_flush_subnormals sets it for the calling thread and
 * returns the previous state for simd_restore_subnormals. */
#if defined(__SSE__) || defined(__x86_64__)
#include <xmmintrin.h>
static inline unsigned simd_flush_subnormals(void)
{
    unsigned old = _mm_getcsr();
    _mm_setcsr(old | 0x8040u); /* FTZ (bit 15) and DAZ (bit 6) */
    return old;
}
static inline void simd_restore_subnormals(unsigned old) { _mm_setcsr(old); }
#else
static inline unsigned simd_flush_subnormals(void) { return 0; }
static inline void simd_restore_subnormals(unsigned old) { (void)old; }
#endif

/* The pause of a spin-wait: tells the core a loop is polling, which spares its sibling and
 * the power budget. */
static inline void simd_pause(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
}

#endif
