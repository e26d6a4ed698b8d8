/* net.h — the two-layer network: parameters in one block, forward, loss, backward, prediction. */
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

/* W ~ N(0, 1)·scale (W1 then W2, column by column), biases 0: the tutorial's with 0.01. */
void net_init_normal(nnt_net *net, nnt_rng *rng, float scale);
/* Initialises by the named scheme (W1 then W2, column by column; biases 0). */
void net_init(nnt_net *net, nnt_rng *rng, nnt_init init);
/* The scheme NNT_INIT_AUTO resolves to for act. */
nnt_init net_init_resolve(nnt_init init, nnt_act act);
/* "auto", "normal", "he", "xavier"; parse returns 0 or -1. */
const char *net_init_name(nnt_init init);
int net_init_parse(nnt_init *init, const char *name);

/* Z = W·X + b·1ᵀ. Z: n_out × m, W: n_out × n_in, b: n_out, X: n_in × m (ld = n_in). */
void linear_forward(float *Z, const float *W, const float *b, const float *X, int n_out, int n_in,
                    int m);
/* Given dZ (n_out × m): dW = scale·dZ·Xᵀ (n_out × n_in), db = scale·rowsum(dZ) (n_out), and,
 * when dX is not NULL, dX = Wᵀ·dZ (n_in × m, unscaled). Gradients are overwritten, not added. */
void linear_backward(float *dW, float *db, float *dX, const float *dZ, const float *W,
                     const float *X, int n_out, int n_in, int m, float scale);

/* Output layer: A = σ(Z) when n_y == 1, column-wise softmax(Z) otherwise. Z, A: n_y × m. */
void output_forward(float *A, const float *Z, int n_y, int m);
/* Sum over the m columns of the cross-entropy loss of logits Z (n_y × m) against labels y
 * (binary: y ∈ {0,1}; softmax: y ∈ [0, n_y)), computed from Z so it stays finite when the
 * probabilities saturate at 0 or 1. Divide by m for the tutorial's cost. */
double output_loss(const float *Z, const int32_t *y, int n_y, int m);
/* dZ = A − Y (one-hot Y for softmax): the gradient of the summed loss w.r.t. the logits. */
void output_backward(float *dZ, const float *A, const int32_t *y, int n_y, int m);

/* The passes in parts, so that a team of threads can share a step (train.c): the hidden layer
 * by units, the output layer by columns. */
/* A1[h0:h1, :] = g(W1[h0:h1, :]·X + b1[h0:h1]) for units [h0, h1). A1: n_h × m, X: n_x × m. */
void net_hidden_forward(float *A1, const nnt_net *net, const float *X, int m, int h0, int h1);
/* Z2 = W2·A1 + b2 and A2 = output(Z2) for m columns. Z2, A2: n_y × m, A1: n_h × m. */
void net_output_forward(float *Z2, float *A2, const nnt_net *net, const float *A1, int m);
/* grad->b2 = scale·rowsum(dZ2). dZ2: n_y × m (from output_backward). */
void net_output_bias_backward(nnt_net *grad, const float *dZ2, int m, float scale);
/* The rest of the backward pass for units [h0, h1): grad->W2[:, h0:h1], grad->b1[h0:h1],
 * grad->W1[h0:h1, :], and dZ1[h0:h1, :] as work space. dZ1, A1: n_h × m, X: n_x × m, dZ2: n_y × m. */
void net_hidden_backward(nnt_net *grad, float *dZ1, const nnt_net *net, const float *X,
                         const float *A1, const float *dZ2, int m, float scale, int h0, int h1);
/* net_hidden_backward in two parts, for a caller that hands the first layer's gradient on in
 * pieces as they are done (train.c, ranks sharing memory): grad->W2[:, h0:h1], grad->b1[h0:h1]
 * and dZ1[h0:h1, :]; then grad->W1[h0:h1, k0:k1]. Each element is still the sum of its m
 * products, though a BLAS need not add them in the same order for every width. */
void net_hidden_backward_delta(nnt_net *grad, float *dZ1, const nnt_net *net, const float *A1,
                               const float *dZ2, int m, float scale, int h0, int h1);
void net_hidden_weight_grad(nnt_net *grad, const float *dZ1, const float *X, int m, float scale,
                            int h0, int h1, int k0, int k1);

/* Plain gradient descent fused into the backward pass, for units [h0, h1): W1[h0:h1, :] and
 * W2[:, h0:h1] become decay·W − step·∇W (decay = 1 − lr·λ for L2, step = lr/m), b1[h0:h1]
 * becomes b1 − step·∇b1, with ∇ the summed-loss gradient; dZ1 is work space as above. The same
 * update as net_hidden_backward and then p −= lr·g, with one rounding less. */
void net_hidden_descend(nnt_net *net, float *dZ1, const float *X, const float *A1,
                        const float *dZ2, int m, float step, float decay, int h0, int h1);
/* b2 −= step·rowsum(dZ2). dZ2: n_y × m. */
void net_output_bias_descend(nnt_net *net, const float *dZ2, int m, float step);

/* Forward pass over m columns. A1: n_h × m, Z2: n_y × m, A2: n_y × m, X: n_x × m. */
void net_forward(float *A1, float *Z2, float *A2, const nnt_net *net, const float *X, int m);
/* Backward pass after net_forward on the same X. grad has net's sizes and receives
 * scale·∂(summed loss)/∂params (scale = 1/m gives the tutorial's averages; data-parallel ranks
 * pass 1/global_m and sum). dZ2: n_y × m and dZ1: n_h × m are work space. */
void net_backward(nnt_net *grad, float *dZ2, float *dZ1, const nnt_net *net, const float *X,
                  const float *A1, const float *A2, const int32_t *y, int m, float scale);

/* Class from one output column: binary → 1 when A > 0.5 (the tutorial's rule), softmax → argmax (first on ties). */
int32_t net_label(const float *A2col, int n_y);
/* Probability the model gives to `label` in that column. */
float net_label_prob(const float *A2col, int n_y, int32_t label);

#endif
