/* pixels.c — 8-bit samples into the network's floats, for training, evaluation and prediction alike. */
#include "nnt/pixels.h"
#include "nnt/simd.h"

/* An exact division per element: every clone of the loop rounds alike. */
NNT_VECTOR void pixels_to_floats(float *x, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        x[i] = (float)p[i] / NNT_PIXEL_DIVISOR;
}
