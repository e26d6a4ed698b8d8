/* optim.h — the optimisers: their names, their state, and the update of a block of parameters
 * from its gradient (SGD, momentum, Adam, L2). Both solvers update through optim_update; what
 * comes next for the optimiser (schedules, decoupled weight decay) belongs here. */
#ifndef NNT_OPTIM_H
#define NNT_OPTIM_H

#include <stddef.h>

typedef enum nnt_optimizer {
    NNT_OPT_SGD = 0,      /* p -= lr·g: the tutorial's gradient descent */
    NNT_OPT_MOMENTUM = 1, /* v = μ·v + g; p -= lr·v */
    NNT_OPT_ADAM = 2,     /* Kingma & Ba, with bias correction (PyTorch's form) */
} nnt_optimizer;

/* "sgd", "momentum", "adam"; parse returns 0 or -1. */
const char *train_optimizer_name(nnt_optimizer opt);
int train_optimizer_parse(nnt_optimizer *opt, const char *name);

/* An optimiser's settings (nnt_train_opts carries them) and its state over a block of n
 * parameters. */
typedef struct nnt_optim {
    nnt_optimizer kind;
    float lr;
    float momentum;          /* μ */
    float beta1, beta2, eps; /* Adam's */
    float l2;                /* λ of the L2 term λ/2·‖w‖² (optim_add_l2) */
    float *m, *v;            /* optim_state_count(kind) vectors of n floats, zero at first; the
                                caller's memory (ranks may share it) */
    long t;                  /* steps begun */
    float c1, c2;            /* Adam's bias corrections for step t */
} nnt_optim;

/* The state vectors kind keeps: 0 (sgd), 1 (momentum) or 2 (Adam). */
int optim_state_count(nnt_optimizer kind);
/* Begins step t + 1: its constants, once, before any optim_update of that step. */
void optim_begin(nnt_optim *st);
/* g += λ·p over [lo, hi) ∩ [a, b) when λ > 0: L2 on the weights in [a, b) of a block whose
 * part [lo, hi) this caller updates (biases are not decayed). */
void optim_add_l2(const nnt_optim *st, float *g, const float *p, size_t lo, size_t hi, size_t a,
                  size_t b);
/* One step of parameters p[lo, hi) from their gradient g (L2 already added); returns 1 when one
 * of them is no longer finite. Each element's update depends on that element alone, so any split
 * of the block gives the same parameters. */
int optim_update(nnt_optim *st, float *p, const float *g, size_t lo, size_t hi);
/* 1 when every one of p[0, n) is finite. */
int optim_finite(const float *p, size_t n);

/* Plain SGD fused into the products that compute the gradient (net.h, linear_backward_fused_sgd):
 * W ← decay·W − step·Σ∇ with step = lr·scale (scale = 1 / the step's images) and
 * decay = 1 − lr·λ, the same update as optim_add_l2 and optim_update with one rounding less. */
float optim_sgd_step(const nnt_optim *st, float scale);
float optim_sgd_decay(const nnt_optim *st);

#endif
