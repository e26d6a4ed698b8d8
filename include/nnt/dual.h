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

#include "nnt/step.h"

/* A stepper (step.h) for full-batch sgd or momentum in the dual form, in one process: one step
 * an epoch, val and test (NULL: none) evaluated in Gram form. net holds W1(0) until finish,
 * which forms W1. Sets res->threads. Returns 0, or -1 with a message. */
int dual_new(nnt_stepper *s, nnt_net *net, nnt_train_result *res, const nnt_dataset *train,
             const nnt_dataset *val, const nnt_dataset *test, const nnt_train_opts *o,
             nnt_err *err);

#endif
