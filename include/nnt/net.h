/* net.h — the two-layer network: parameters in one block, the layers as forward/backward pairs
 * (linear, activation: act.h, output and loss), the whole passes, prediction. */
#ifndef NNT_NET_H
#define NNT_NET_H

#include <stddef.h>
#include <stdint.h>

#include "nnt/act.h"
#include "nnt/err.h"
#include "nnt/rng.h"

/* Column-major throughout. n_y is 1 for two classes (one sigmoid unit giving P(class 1), the
 * tutorial's model) and n_classes for more (softmax). All parameters live in one allocation, in
 * the order W1, b1, W2, b2, so saving, all-reducing and the optimiser step are one loop each. */
typedef struct nnt_net {
    int n_x, n_h, n_y;
    nnt_act act;
    size_t n_params;
    float *params; /* owns the block */
    float *W1;     /* n_h × n_x, ld = n_h */
    float *b1;     /* n_h */
    float *W2;     /* n_y × n_h, ld = n_y */
    float *b2;     /* n_y */
} nnt_net;

/* Number of parameters, or 0 (with a message) when the sizes are invalid or overflow. */
size_t net_param_count(int n_x, int n_h, int n_y, nnt_err *err);
/* Allocates a zeroed network; n_x, n_h, n_y ≥ 1. A gradient is a second nnt_net of equal sizes. */
int net_new(nnt_net *net, int n_x, int n_h, int n_y, nnt_act act, nnt_err *err);
/* Makes net a view of the block p, which holds net_param_count(n_x, n_h, n_y) floats (sizes
 * already checked) and stays the caller's: such a net is not passed to net_free. */
void net_bind(nnt_net *net, float *p, int n_x, int n_h, int n_y, nnt_act act);
/* Frees the parameters and zeroes net; safe on a zeroed net. */
void net_free(nnt_net *net);
/* How weights start (biases always start at 0). */
typedef enum nnt_init {
    NNT_INIT_AUTO = 0,   /* He for ReLU-like activations, Xavier for sigmoid and tanh */
    NNT_INIT_NORMAL = 1, /* the tutorial's N(0, 1)·0.01 */
    NNT_INIT_HE = 2,     /* N(0, 2 / fan_in) */
    NNT_INIT_XAVIER = 3, /* N(0, 2 / (fan_in + fan_out)) (Glorot) */
} nnt_init;

/* Initialises by the named scheme (W1 then W2, column by column; biases 0). */
void net_init(nnt_net *net, nnt_rng *rng, nnt_init init);
/* The scheme NNT_INIT_AUTO resolves to for act. */
nnt_init net_init_resolve(nnt_init init, nnt_act act);
/* "auto", "normal", "he", "xavier"; parse returns 0 or -1. */
const char *net_init_name(nnt_init init);
int net_init_parse(nnt_init *init, const char *name);

/* ---- the layers, each a forward/backward pair ----
 * A team of threads splits a step by hidden units: the pairs take a range of rows, [r0, r1) of
 * a layer's outputs and [k0, k1) of its inputs (0, n_out and 0, n_in: the whole layer). */

/* Z[r0:r1, :] = W[r0:r1, :]·X + b[r0:r1]·1ᵀ. Z: n_out × m, ld = n_out; X: n_in × m, ld = n_in;
 * W: n_out × n_in, ld = n_out; b: n_out. */
void linear_forward(float *Z, const float *X, const float *W, const float *b, int n_out, int n_in,
                    int m, int r0, int r1);
/* The mirror of linear_forward, given dZ (n_out × m), the gradient of the summed loss w.r.t. Z:
 * dW[r0:r1, k0:k1] = scale·dZ[r0:r1, :]·X[k0:k1, :]ᵀ, db[r0:r1] = scale·rowsum(dZ[r0:r1, :]),
 * dX[k0:k1, :] = W[:, k0:k1]ᵀ·dZ (unscaled; needs every output row: r0 = 0, r1 = n_out).
 * Overwritten, not added; dX, dW and db may each be NULL (not computed). Shapes as above. */
void linear_backward(float *dX, float *dW, float *db, const float *dZ, const float *X,
                     const float *W, int n_out, int n_in, int m, float scale, int r0, int r1,
                     int k0, int k1);
/* linear_backward fused with plain SGD, for the one-process step where no gradient is kept:
 * dX as linear_backward, from W before it moves; then W[r0:r1, k0:k1] = decay·W − step·dZ·Xᵀ in
 * the product itself (decay = 1 − lr·λ, step = lr/m: optim_sgd_*) and b[r0:r1] −= step·rowsum(dZ)
 * (b may be NULL). The same update as linear_backward then optim_update, with one rounding less. */
void linear_backward_fused_sgd(float *dX, float *W, float *b, const float *dZ, const float *X,
                               int n_out, int n_in, int m, float step, float decay, int r0, int r1,
                               int k0, int k1);

/* Output layer: A = σ(Z) when n_y == 1, column-wise softmax(Z) otherwise. Z, A: n_y × m. */
void output_forward(float *A, const float *Z, int n_y, int m);
/* Sum over the m columns of the cross-entropy loss of logits Z (n_y × m) against labels y
 * (binary: y ∈ {0,1}; softmax: y ∈ [0, n_y)), computed from Z so it stays finite when the
 * probabilities saturate at 0 or 1. Divide by m for the tutorial's cost. */
double output_loss(const float *Z, const int32_t *y, int n_y, int m);
/* The mirror of output_forward with the loss: dZ = A − Y (one-hot Y for softmax), the gradient
 * of the summed loss w.r.t. the logits. dZ, A: n_y × m. */
void output_backward(float *dZ, const float *A, const int32_t *y, int n_y, int m);

/* Inverted dropout on the hidden layer (dropout.c), in training steps only: Ad = A ∘ M, where
 * M is 0 with probability p and 1/(1 − p) otherwise, so that E[Ad] = A and evaluation needs no
 * rescaling. An image's mask is a pure function of its key and the unit. */
/* The key of an image's mask in an epoch: a splitmix64 hash of (seed, epoch, the image's
 * position in the whole training list). */
uint64_t dropout_key(uint64_t seed, uint64_t epoch, uint64_t position);
/* M[r0:r1, j] from key[j], 0 ≤ p < 1: unit i kept, as 1/(1 − p), when the i-th value of key[j]'s
 * splitmix64 stream is ≥ p·2^64, else 0. M: n × m, ld = n; key: m. */
void dropout_mask(float *M, const uint64_t *key, float p, int n, int m, int r0, int r1);
/* Ad[r0:r1, :] = A ∘ M. Ad, A, M: n × m, ld = n (Ad may be A). */
void dropout_forward(float *Ad, const float *A, const float *M, int n, int m, int r0, int r1);
/* The mirror: dA[r0:r1, :] = dAd ∘ M, the gradient w.r.t. the unmasked A (which act_backward
 * then differentiates from the unmasked A). dA, dAd, M: n × m, ld = n (dA may be dAd). */
void dropout_backward(float *dA, const float *dAd, const float *M, int n, int m, int r0, int r1);

/* ---- the whole passes ---- */

/* Forward pass over m columns: linear, activation, linear, output. A1: n_h × m, Z2: n_y × m,
 * A2: n_y × m, X: n_x × m. */
void net_forward(float *A1, float *Z2, float *A2, const nnt_net *net, const float *X, int m);
/* Backward pass after net_forward on the same X: net_forward's pairs in reverse. grad has net's
 * sizes and receives scale·∂(summed loss)/∂params (scale = 1/m gives the tutorial's averages;
 * data-parallel ranks pass 1/global_m and sum). dZ2: n_y × m and dZ1: n_h × m are work space. */
void net_backward(nnt_net *grad, float *dZ2, float *dZ1, const nnt_net *net, const float *X,
                  const float *A1, const float *A2, const int32_t *y, int m, float scale);
/* The passes of a training step with dropout's mask M (n_h × m, dropout_mask) between the
 * activation and the output layer (dropout.c), one process and one thread: the reference the
 * primal step's is checked against. A1 is the unmasked activation (g′ comes from it), Ad =
 * A1 ∘ M what the output layer sees; otherwise as net_forward and net_backward. */
void net_forward_dropout(float *A1, float *Ad, float *Z2, float *A2, const nnt_net *net,
                         const float *X, const float *M, int m);
void net_backward_dropout(nnt_net *grad, float *dZ2, float *dZ1, const nnt_net *net,
                          const float *X, const float *A1, const float *Ad, const float *M,
                          const float *A2, const int32_t *y, int m, float scale);

/* Class from one output column: binary → 1 when A > 0.5 (the tutorial's rule), softmax → argmax (first on ties). */
int32_t net_label(const float *A2col, int n_y);
/* Probability the model gives to `label` in that column. */
float net_label_prob(const float *A2col, int n_y, int32_t label);

#endif
