/* step.h — what the one epoch loop (train_run, loop.c) asks of a solver: the steps of an
 * epoch, the evaluation of a set, the best weights kept and put back, the end. The primal
 * solver (primal.h) and the dual one (dual.h) implement it; neither has a loop of its own. */
#ifndef NNT_STEP_H
#define NNT_STEP_H

#include <stddef.h>

#include "nnt/optim.h"
#include "nnt/train.h"

/* One step's sums over every rank, so that every rank reports, diverges and stops alike. */
typedef struct nnt_step_sums {
    double loss;       /* summed loss of the step's images, before the update */
    size_t correct;    /* right answers among them */
    size_t images;     /* the step's images (≥ 1) */
    int loss_finite;   /* 0: the loss is NaN or infinite (the parameters did not move) */
    int params_finite; /* 0: a parameter became NaN or infinite */
    int stop;          /* a rank saw o->stop set when the step began */
} nnt_step_sums;

/* The sets a solver evaluates. */
enum { NNT_SET_VAL = 0, NNT_SET_TEST = 1 };

typedef struct nnt_stepper {
    void *self;
    size_t images; /* training images an epoch takes, over every rank */
    /* Before an epoch's first step: its draws from rng (NULL: the solver draws nothing). */
    void (*begin_epoch)(void *self, nnt_rng *rng);
    /* Step k (from 0) of epoch `epoch` (from 1): forward, loss, backward and update at the
     * scheduled rate (optim_lr); the steps end when their images add up to `images`. */
    void (*step)(void *self, nnt_step_sums *out, int epoch, size_t k);
    /* Mean loss and accuracy of the current parameters on a set (NNT_SET_*) the solver was
     * given; the same on every rank. Returns 0 or -1 with a message. */
    int (*evaluate)(void *self, double *loss, double *acc, int set, nnt_err *err);
    /* Early stopping: keep the current parameters, and put the kept ones back. Called only
     * when the solver was given a validation set and o->patience > 0. */
    void (*keep_best)(void *self);
    void (*restore_best)(void *self);
    /* The arrays a checkpoint saves and a resume fills (checkpoint.h): st's params, m, v, best,
     * n_params, n_state, has_best, pointing at the solver's own memory, and *t its optimiser's
     * step count. NULL: this solver cannot be checkpointed. */
    void (*arrays)(void *self, nnt_train_state *st, long **t);
    /* After the last step, whatever train_run returns (rc): the network gets the parameters. */
    void (*finish)(void *self, int rc);
    void (*free)(void *self);
} nnt_stepper;

/* The optimiser o asks for, with no state yet. */
static inline nnt_optim step_optim(const nnt_train_opts *o)
{
    return (nnt_optim){o->optimizer, o->lr, o->momentum, o->beta1, o->beta2, o->eps, o->l2,
                       NULL, NULL, 0, 0.0f, 0.0f, o->schedule, o->weight_decay, o->lr};
}

#endif
