/* dual.h — full-batch descent in sample space. Plain gradient descent (and momentum) never leaves
 * the span of the training images: every update of W1 is dZ1·Xᵀ/m, and L2 decay only rescales
 * what is there, so W1 = s·W1(0) + C·Xᵀ with a scalar s and C of n_h × m. Then
 * Z1 = s·W1(0)·X + C·G + b1 with the Gram matrix G = Xᵀ·X (m × m) computed once, and a step
 * costs O(n_h·m²) instead of O(n_h·n_x·m). W1 itself is formed once, at the end.
 * In float32 the images are centred first, X = Xc + μ·1ᵀ with μ their mean, and
 * W1 = s·W1(0) + C·Xcᵀ + u·μᵀ (u: n_h): the same span, but the m × m product Xcᵀ·X has no
 * huge rank-one part for C·K to cancel (see dual.c). */
#ifndef NNT_DUAL_H
#define NNT_DUAL_H

#include <stddef.h>

#include "nnt/train.h"

/* Most memory `auto` gives the m × m Gram matrix plus the m × m_eval products with the
 * validation and test images: 1 GiB, i.e. m ≤ 16384 on its own. Beyond that the O(m²) memory
 * (and the 2·n_x·m² flops of forming it) outgrow what a laptop has, while the primal form needs
 * only the n_x × m images it already holds; a user who has the memory can force --solver dual. */
#define DUAL_MAX_BYTES ((size_t)1 << 30)

/* NULL when the dual form computes the primal iterates for o on m training images (full batch,
 * and sgd or momentum, with or without L2), else a phrase saying why not. */
const char *dual_inexact_reason(const nnt_train_opts *o, size_t m);

/* 1 when the dual form is the cheaper one for epochs steps on m training images of n_x values
 * with n_h hidden units and m_eval validation/test images evaluated every epoch: m < n_x (a dual
 * step is 2·n_h·m² flops against the primal's 4·n_h·n_x·m), the products fit DUAL_MAX_BYTES,
 * and the one-off cost (2·n_x·m·(m + m_eval) for G and the evaluation products, W1(0)·X for
 * every set and the final W1) is repaid by the steps. 0 otherwise. */
int dual_cheaper(size_t m, size_t m_eval, size_t n_x, int n_h, int epochs);

/* Z1 = s·P0 + C·K + u·rᵀ + b1·1ᵀ for k columns: W1·X_set + b1 for W1 = s·W1(0) + C·Xcᵀ + u·μᵀ.
 * Z1: n_h × k, C: n_h × m, u, b1: n_h, P0 = W1(0)·X_set: n_h × k, K = Xcᵀ·X_set: m × k,
 * r = μᵀ·X_set: k. */
void dual_hidden(float *Z1, const float *C, const float *u, float s, const float *b1,
                 const float *P0, const float *K, const float *r, int n_h, int m, int k);

/* W1 = s·W1 + C·Xcᵀ + u·μᵀ in place (W1 holds W1(0) on entry). W1: n_h × n_x, C: n_h × m,
 * Xc: n_x × m, u: n_h, mu: n_x. */
void dual_weights(float *W1, float s, const float *C, const float *Xc, const float *u,
                  const float *mu, int n_h, int n_x, int m);

/* train_run's contract (see train.h) computed in the dual form: full batch, o->optimizer sgd
 * or momentum (else -1 with a message). net holds W1(0) until the end, when W1 is formed. */
int dual_train(nnt_net *net, nnt_train_result *res, const nnt_dataset *train,
               const nnt_dataset *val, const nnt_dataset *test, const nnt_train_opts *o,
               nnt_err *err);

#endif
