/* rng.h — the explicit, seeded random generator (xoshiro256**): no hidden global state. */
#ifndef NNT_RNG_H
#define NNT_RNG_H

#include <stddef.h>
#include <stdint.h>

typedef struct nnt_rng {
    uint64_t s[4];
} nnt_rng;

/* Seeds the state from one 64-bit number via splitmix64 (any seed, including 0, is fine). */
void rng_seed(nnt_rng *rng, uint64_t seed);
/* Advances *x by the golden gamma and returns its splitmix64 mix: one seed's stream of well
 * spread 64-bit values (rng_seed's, and wherever a few distinct numbers are enough). */
uint64_t rng_splitmix64(uint64_t *x);
/* Next 64 random bits. */
uint64_t rng_next(nnt_rng *rng);
/* Uniform in [0, 1) with 53 random bits. */
double rng_uniform(nnt_rng *rng);
/* Standard normal (Box–Muller; no cached second value, so the state alone determines the stream). */
double rng_normal(nnt_rng *rng);
/* Uniform integer in [0, n), n > 0, without modulo bias. */
uint64_t rng_below(nnt_rng *rng, uint64_t n);
/* Fisher–Yates shuffle of idx[0..n). */
void rng_shuffle(nnt_rng *rng, size_t *idx, size_t n);

#endif
