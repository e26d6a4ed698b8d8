/* gen.h — generated two-class image sets for the trainer's tests. */
#ifndef NNT_TEST_GEN_H
#define NNT_TEST_GEN_H

#include <stdlib.h>
#include <string.h>

#include "nnt/dataset.h"
#include "nnt/rng.h"

/* m gray images of side x side: bright on the left half (class 0) or on the right (1). A bright
 * pixel is bright_base + U[0, span), a dark one U[0, span): the overlap sets how hard it is. */
static inline nnt_dataset gen_halves(size_t m, int side, int bright_base, int span, uint64_t seed)
{
    nnt_dataset ds = {0};
    nnt_rng rng;
    rng_seed(&rng, seed);
    size_t n_x = (size_t)side * side;
    ds.geom = (nnt_geometry){(uint32_t)side, (uint32_t)side, 1};
    ds.n_x = n_x;
    ds.m = m;
    ds.X = malloc(n_x * m);
    ds.y = malloc(m * sizeof *ds.y);
    for (size_t j = 0; j < m; j++) {
        int c = (int)rng_below(&rng, 2);
        ds.y[j] = c;
        for (size_t p = 0; p < n_x; p++) {
            int bright = ((int)(p % (size_t)side) >= side / 2) == c;
            uint64_t v = rng_below(&rng, (uint64_t)span);
            ds.X[j * n_x + p] = (uint8_t)(bright ? (uint64_t)bright_base + v : v);
        }
    }
    return ds;
}

/* Frees what gen_halves allocated. */
static inline void gen_free(nnt_dataset *ds)
{
    free(ds->X);
    free(ds->y);
    memset(ds, 0, sizeof *ds);
}

#endif
