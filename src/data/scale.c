/* scale.c — input scaling (scale.h): per-input mean and standard deviation of the training
 * images, their application to gathered batches, and their folding into W1 and b1.
 *
 * Folded, not stored: the model file holds W1' = W1·diag(1/σ) and b1' = b1 − W1'·μ, which give
 * on raw inputs x exactly (up to float rounding) what W1 and b1 give on (x − μ)/σ. So the model
 * format, predict, eval, show and the npz and ONNX exports are unchanged and need no code for
 * it, and no reader can forget to scale; META records scale=... for the record only. Only
 * resuming training would want W1 in the scaled coordinates back, and a checkpoint can keep the
 * scaler itself. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "nnt/scale.h"
#include "nnt/simd.h"

static const char *const scale_names[] = {"none", "center", "standardize"};

const char *scale_name(nnt_scale_kind kind)
{
    return (unsigned)kind < 3 ? scale_names[kind] : "unknown";
}

int scale_parse(nnt_scale_kind *kind, const char *name)
{
    int i = nnt_name_index(scale_names, 3, name);
    if (i >= 0)
        *kind = (nnt_scale_kind)i;
    return i < 0 ? -1 : 0;
}

void scale_sums(double *sums, const uint8_t *X, size_t n_x, size_t m)
{
    /* X: n_x x m, ld = n_x; sums: 2·n_x + 1. Whole numbers added in doubles: exact. */
    double *s = sums, *q = sums + n_x;
    for (size_t j = 0; j < m; j++) {
        const uint8_t *col = X + j * n_x;
        for (size_t p = 0; p < n_x; p++) {
            double v = col[p];
            s[p] += v;
            q[p] += v * v;
        }
    }
    sums[2 * n_x] += (double)m;
}

int scale_new(nnt_scaler *s, nnt_scale_kind kind, const double *sums, size_t n_x, nnt_err *err)
{
    memset(s, 0, sizeof *s);
    double n = sums[2 * n_x];
    if (!(n >= 1.0))
        return nnt_errf(err, "--scale %s needs at least one training image", scale_name(kind));
    s->mu = malloc((n_x ? n_x : 1) * sizeof *s->mu);
    s->inv_sigma = malloc((n_x ? n_x : 1) * sizeof *s->inv_sigma);
    if (!s->mu || !s->inv_sigma) {
        scale_free(s);
        return nnt_errf(err, "out of memory for the scaling of %zu inputs", n_x);
    }
    s->kind = kind;
    s->n_x = n_x;
    for (size_t p = 0; p < n_x; p++) {
        /* in sample units (0..255) first: the sums are of the raw samples */
        double mean = sums[p] / n, var = (sums[n_x + p] - sums[p] * mean) / n;
        double sigma = sqrt(var > 0.0 ? var : 0.0) / NNT_PIXEL_DIVISOR;
        /* as pixels_to_floats divides: a constant pixel then centres to exactly 0 */
        s->mu[p] = (float)mean / NNT_PIXEL_DIVISOR;
        /* An input that varies by less than one grey level over the training set is constant
         * up to the 8-bit quantisation (the blank border of MNIST-like images). Centred, it is 0
         * (or nearly) on every training image, so training leaves its column of W1 at (or near)
         * the initial weights; dividing by its tiny σ would turn one grey level on an unseen image
         * into hundreds of units through those weights. Left at σ = 1 it is merely centred. */
        s->inv_sigma[p] = kind == NNT_SCALE_STANDARDIZE && sigma >= NNT_SCALE_MIN_SIGMA
                              ? (float)(1.0 / sigma) : 1.0f;
    }
    return 0;
}

int scale_fit(nnt_scaler *s, nnt_scale_kind kind, const uint8_t *X, size_t n_x, size_t m,
              nnt_err *err)
{
    size_t n;
    double *sums = NULL;
    if (nnt_mul_size(&n, n_x, 2) || nnt_add_size(&n, n, 1) || !(sums = calloc(n, sizeof *sums))) {
        memset(s, 0, sizeof *s);
        return nnt_errf(err, "out of memory for the scaling of %zu inputs", n_x);
    }
    scale_sums(sums, X, n_x, m);
    int rc = scale_new(s, kind, sums, n_x, err);
    free(sums);
    return rc;
}

/* Two exactly rounded operations per element: every clone of the loop gives the same bits. */
NNT_VECTOR static void scale_column(float *x, const float *mu, const float *inv_sigma, size_t n)
{
    for (size_t p = 0; p < n; p++)
        x[p] = (x[p] - mu[p]) * inv_sigma[p];
}

void scale_apply(const nnt_scaler *s, float *X, size_t b)
{
    /* X: n_x x b, ld = n_x */
    for (size_t j = 0; j < b; j++)
        scale_column(X + j * s->n_x, s->mu, s->inv_sigma, s->n_x);
}

void scale_fold(float *W1, float *b1, const nnt_scaler *s, int n_h)
{
    /* W1: n_h x n_x, ld = n_h; b1: n_h */
    size_t n_x = s->n_x, h = (size_t)n_h;
    for (size_t p = 0; p < n_x; p++)
        for (size_t i = 0; i < h; i++)
            W1[i + p * h] *= s->inv_sigma[p];
    /* W1'·μ summed in double: b1' is then as close to b1 − W1'·μ as a float can be */
    for (size_t i = 0; i < h; i++) {
        double shift = 0.0;
        for (size_t p = 0; p < n_x; p++)
            shift += (double)W1[i + p * h] * s->mu[p];
        b1[i] = (float)((double)b1[i] - shift);
    }
}

void scale_unfold(float *W1, float *b1, const nnt_scaler *s, int n_h)
{
    /* W1: n_h x n_x, ld = n_h; b1: n_h */
    size_t n_x = s->n_x, h = (size_t)n_h;
    for (size_t i = 0; i < h; i++) {
        double shift = 0.0;
        for (size_t p = 0; p < n_x; p++)
            shift += (double)W1[i + p * h] * s->mu[p];
        b1[i] = (float)((double)b1[i] + shift);
    }
    for (size_t p = 0; p < n_x; p++)
        for (size_t i = 0; i < h; i++)
            W1[i + p * h] /= s->inv_sigma[p];
}

void scale_free(nnt_scaler *s)
{
    free(s->mu);
    free(s->inv_sigma);
    memset(s, 0, sizeof *s);
}
