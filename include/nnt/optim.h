/* optim.h — the optimisers: their names, their state, the update of a block of parameters
 * from its gradient (SGD, momentum, Adam, L2), decoupled weight decay, the learning-rate
 * schedule and each optimiser's usual range of rates. Both solvers update through
 * optim_update. */
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

/* How the learning rate moves over a run (optim_lr). The rate changes every step, as a pure
 * function of (epoch, step), so a resumed run takes the same rates without saved state: warm-up
 * ramps it linearly from lr/W to lr over the first W = warmup·steps_per_epoch steps; then
 * constant keeps lr, step multiplies it by factor every `every` epochs (at epoch boundaries,
 * counted from the end of warm-up), cosine anneals it from lr to lr_min over the remaining
 * steps (PyTorch's CosineAnnealingLR, per step). */
typedef enum nnt_schedule_kind {
    NNT_SCHED_CONSTANT = 0,
    NNT_SCHED_STEP = 1,
    NNT_SCHED_COSINE = 2,
} nnt_schedule_kind;

typedef struct nnt_schedule {
    nnt_schedule_kind kind;
    float factor; /* step: the rate's multiplier every `every` epochs, in (0, 1] */
    int every;    /* step: epochs between two multiplications, >= 1 */
    float lr_min; /* cosine: the rate at the end of the run, in [0, lr] */
    int warmup;   /* epochs of linear warm-up before the schedule, >= 0 */
} nnt_schedule;

/* "constant", "step", "cosine"; parse returns 0 or -1. */
const char *optim_schedule_name(nnt_schedule_kind kind);
int optim_schedule_parse(nnt_schedule_kind *kind, const char *name);

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
    nnt_schedule sched;      /* how the rate moves from lr (optim_lr); zero: constant */
    float weight_decay;      /* λ of the decoupled decay p ← p − rate·λ·p (optim_decay) */
    float rate;              /* step t's learning rate (optim_begin) */
} nnt_optim;

/* The state vectors kind keeps: 0 (sgd), 1 (momentum) or 2 (Adam). */
int optim_state_count(nnt_optimizer kind);
/* The learning rate of step `step` (from 0) of epoch `epoch` (from 1) of a run of `epochs`
 * epochs of steps_per_epoch steps: lr under st->sched; exactly lr when the schedule is constant
 * without warm-up. */
float optim_lr(const nnt_optim *st, int epoch, size_t step, size_t steps_per_epoch, int epochs);
/* Begins step t + 1 at learning rate `rate` (optim_lr's): its constants, once, before any
 * optim_update or optim_decay of that step. */
void optim_begin(nnt_optim *st, float rate);
/* g += λ·p over [lo, hi) ∩ [a, b) when λ > 0: L2 on the weights in [a, b) of a block whose
 * part [lo, hi) this caller updates (biases are not decayed). */
void optim_add_l2(const nnt_optim *st, float *g, const float *p, size_t lo, size_t hi, size_t a,
                  size_t b);
/* p ← (1 − rate·λ)·p over [lo, hi) ∩ [a, b) when λ = weight_decay > 0: decoupled weight decay
 * (Loshchilov & Hutter; PyTorch's AdamW) of the weights in [a, b), not a gradient term: after
 * optim_add_l2 (whose term is of the weights before the decay), before optim_update. */
void optim_decay(const nnt_optim *st, float *p, size_t lo, size_t hi, size_t a, size_t b);
/* One step of parameters p[lo, hi) from their gradient g (L2 already added); returns 1 when one
 * of them is no longer finite. Each element's update depends on that element alone, so any split
 * of the block gives the same parameters. */
int optim_update(nnt_optim *st, float *p, const float *g, size_t lo, size_t hi);
/* 1 when every one of p[0, n) is finite. */
int optim_finite(const float *p, size_t n);

/* Plain SGD fused into the products that compute the gradient (net.h, linear_backward_fused_sgd):
 * W ← decay·W − step·Σ∇ with step = rate·scale (scale = 1 / the step's images) and
 * decay = 1 − rate·λ − rate·weight_decay, the same update as optim_add_l2, optim_decay and
 * optim_update with fewer roundings. */
float optim_sgd_step(float rate, float scale);
float optim_sgd_decay(const nnt_optim *st, float rate);

/* The learning rates kind usually trains with on n_x inputs, [*lo, *hi], and the optimiser's
 * name in a sentence ("SGD", "momentum", "Adam"), for a warning about a rate far outside them.
 * SGD and momentum: 1e-4 to 1 (their step is the rate times the gradient, whose scale the data
 * sets, so the range is wide around the usual 0.01-0.1). Adam: 1e-5 to 1e-2 up to 784 inputs,
 * the upper end shrinking as 1/sqrt(n_x) beyond: Adam moves every weight by about the rate
 * whatever its gradient, so a hidden unit's input moves by about rate·‖x‖₂ ∝ rate·sqrt(n_x)
 * per step (the bound is 0.0025 on the cat set's 12288 inputs). */
const char *optim_lr_range(nnt_optimizer kind, size_t n_x, float *lo, float *hi);

#endif
