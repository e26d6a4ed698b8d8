/* scale.h — input scaling (--scale): each input's mean and standard deviation over the training
 * images, applied where pixels become the network's inputs (dataset_gather), and folded into the
 * first layer when the model is written, so the model file takes raw pixels (scale.c says why). */
#ifndef NNT_SCALE_H
#define NNT_SCALE_H

#include <stddef.h>
#include <stdint.h>

#include "nnt/err.h"
#include "nnt/pixels.h"

typedef enum nnt_scale_kind {
    NNT_SCALE_NONE = 0,        /* x = pixel / 255, as without a scaler */
    NNT_SCALE_CENTER = 1,      /* x − μ */
    NNT_SCALE_STANDARDIZE = 2, /* (x − μ) / σ */
} nnt_scale_kind;

/* "none", "center", "standardize"; parse returns 0 or -1. */
const char *scale_name(nnt_scale_kind kind);
int scale_parse(nnt_scale_kind *kind, const char *name);

/* An input whose σ over the training images is below one grey level (1/255) is left unscaled
 * (σ taken as 1): see scale_new. */
#define NNT_SCALE_MIN_SIGMA (1.0 / NNT_PIXEL_DIVISOR)

/* x[p] = (x[p] − mu[p]) · inv_sigma[p] for each input p of a column. */
typedef struct nnt_scaler {
    nnt_scale_kind kind;
    size_t n_x;
    float *mu;        /* n_x: each input's mean over the training images */
    float *inv_sigma; /* n_x: 1/σ (standardize; 1 where σ < NNT_SCALE_MIN_SIGMA), 1 (center) */
} nnt_scaler;

/* Adds the statistics of the m images of X (n_x × m uint8 samples, ld = n_x) to sums (2·n_x + 1
 * doubles): sums[p] += Σ_j X[p,j], sums[n_x + p] += Σ_j X[p,j]², sums[2·n_x] += m. Sums of
 * 8-bit samples are whole numbers, exact in doubles for fewer than 2^37 images, so the sums of
 * a data-parallel run's shards (comm_allreduce_sum_double) have the same bits in any order. */
void scale_sums(double *sums, const uint8_t *X, size_t n_x, size_t m);
/* s of kind (not NONE) from sums over the training images (scale_sums); fails out of memory or
 * when they count no image. Free with scale_free. */
int scale_new(nnt_scaler *s, nnt_scale_kind kind, const double *sums, size_t n_x, nnt_err *err);
/* scale_sums over the m images of X, then scale_new: the scaler of one process's training set. */
int scale_fit(nnt_scaler *s, nnt_scale_kind kind, const uint8_t *X, size_t n_x, size_t m,
              nnt_err *err);
/* Scales b columns of network inputs in place (after pixels_to_floats). X: n_x × b, ld = n_x. */
void scale_apply(const nnt_scaler *s, float *X, size_t b);
/* Folds s into the first layer, so that the layer gives on raw inputs x what it gave on scaled
 * ones: W1 ← W1·diag(inv_sigma), b1 ← b1 − W1·mu (with the new W1). W1: n_h × n_x, ld = n_h
 * (n_x = s->n_x); b1: n_h. */
void scale_fold(float *W1, float *b1, const nnt_scaler *s, int n_h);
/* The inverse, for a first layer on raw inputs that is to go on training on scaled ones
 * (--init-from): b1 ← b1 + W1·mu (with the old W1), then W1 ← W1·diag(1/inv_sigma). */
void scale_unfold(float *W1, float *b1, const nnt_scaler *s, int n_h);
/* Frees and zeroes s; safe on a zeroed scaler. */
void scale_free(nnt_scaler *s);

#endif
