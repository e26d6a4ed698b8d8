/* train.h — the training loop: batches, gradient steps, progress, stopping and divergence. */
#ifndef NNT_TRAIN_H
#define NNT_TRAIN_H

#include <signal.h>
#include <stddef.h>

#include "nnt/dataset.h"
#include "nnt/err.h"
#include "nnt/net.h"
#include "nnt/rng.h"

/* What the trainer reports after an epoch (see nnt_train_opts.log_every). */
typedef struct nnt_progress {
    int epoch, epochs;   /* epoch just finished (1-based) of how many */
    double cost;         /* mean training loss over this epoch's batches, before their updates */
    double train_acc;    /* fraction right in those same forward passes */
    double test_acc;     /* accuracy on the test set after this epoch; NAN when there is none */
    double seconds;      /* since training began */
    double images_per_s; /* training images processed per second so far */
} nnt_progress;

typedef struct nnt_train_opts {
    int epochs;    /* passes over the training set, ≥ 1 */
    size_t batch;  /* images per step; 0 or ≥ m means the whole set (full-batch gradient descent) */
    float lr;      /* learning rate of plain gradient descent */
    int log_every; /* on_progress after every log_every-th epoch and after the last; 0: only the last */
    const volatile sig_atomic_t *stop; /* when it becomes non-zero, stop after the current step */
    void (*on_progress)(void *ctx, const nnt_progress *p);
    void *ctx;
} nnt_train_opts;

typedef struct nnt_train_result {
    int epochs_run;    /* complete epochs */
    double final_cost; /* the last epoch's cost */
} nnt_train_result;

/* train_run returns this when *stop interrupted it (the network holds the last completed step). */
#define NNT_TRAIN_STOPPED 1

/* Trains net in place on train (test, may be NULL, is only evaluated for progress). rng draws
 * the batch order. Returns 0, NNT_TRAIN_STOPPED, or -1 with a message (out of memory, or the
 * cost or a parameter became NaN/Inf: divergence). */
int train_run(nnt_net *net, nnt_train_result *res, const nnt_dataset *train,
              const nnt_dataset *test, nnt_rng *rng, const nnt_train_opts *opts, nnt_err *err);

#endif
