/* defaults.h — the defaults of nnt's commands that no library function already gives (those
 * are train_opts_default, train_lr_default, train_epochs_auto, comm_host_threads and image.h's
 * NNT_DEFAULT_MAX_PIXELS): named once, for the command line, its help text and the tests. */
#ifndef NNT_DEFAULTS_H
#define NNT_DEFAULTS_H

#include "nnt/act.h"
#include "nnt/net.h"
#include "nnt/scale.h"
#include "nnt/train.h"

/* The defaults train well without tuning, as scikit-learn's MLPClassifier and Keras do: Adam
 * on mini-batches of 64 with a scaled initialisation, centred inputs and a cosine rate, chosen
 * by measurement on the cat set, data/ and Fashion-MNIST (README, "The defaults"). */

/* Hidden units: enough for ten classes (4 was a bottleneck there: 0.805 on Fashion-MNIST), few
 * enough that the cat set's 209 images do not overfit (README, "The defaults", measured). */
#define NNT_DEFAULT_HIDDEN 128
/* Early stopping when --val-split is given without --patience: scikit-learn's 10 epochs
 * without improvement, which then ends the generous automatic maximum (train_epochs_auto). */
#define NNT_DEFAULT_PATIENCE 10
/* The hidden activation: relu does not saturate, so a scaled start trains from the first step. */
#define NNT_DEFAULT_ACT NNT_ACT_RELU
/* Weights: auto is he for relu-like activations, xavier for sigmoid and tanh (net_init_resolve). */
#define NNT_DEFAULT_INIT NNT_INIT_AUTO
/* The seed of the initialisation, the batch order and the validation split. */
#define NNT_DEFAULT_SEED 1
/* Images per step (0 would be the whole set). */
#define NNT_DEFAULT_BATCH 64
/* The optimiser; its learning rate is then train_lr_default's. */
#define NNT_DEFAULT_OPTIMIZER NNT_OPT_ADAM
/* The model file `nnt train` writes. */
#define NNT_DEFAULT_OUTPUT "model.bin"
/* --log-every when not given: decided by defaults_log_every once the epochs are known. */
#define NNT_DEFAULT_LOG_EVERY (-1)
/* `nnt eval --top`: how many of the most confidently wrong files are listed. */
#define NNT_DEFAULT_EVAL_TOP 10
/* `nnt show --scale`: pixels per weight in the mosaic. */
#define NNT_DEFAULT_SHOW_SCALE 4

/* The options a user named, which defaults_recipe leaves as given. */
typedef struct nnt_given {
    int scale, schedule, patience;
} nnt_given;

/* The rest of the recipe, for what was not named. With Adam (the default optimiser): inputs
 * centred on the training images' mean (a cat-set run no longer depends on its seed: README)
 * and a cosine rate, which ends the run at its best instead of oscillating. With sgd or momentum
 * named: the textbook algorithm, raw pixels and a constant rate, so that the tutorial's flags
 * still compute the tutorial's iterates exactly (and on the dual solver). With a validation
 * split: patience NNT_DEFAULT_PATIENCE. */
static inline void defaults_recipe(nnt_train_opts *o, nnt_scale_kind *scale, int has_val,
                                   const nnt_given *given)
{
    int adam = o->optimizer == NNT_OPT_ADAM;
    if (!given->scale)
        *scale = adam ? NNT_SCALE_CENTER : NNT_SCALE_NONE;
    if (!given->schedule)
        o->schedule.kind = adam ? NNT_SCHED_COSINE : NNT_SCHED_CONSTANT;
    if (!given->patience && has_val)
        o->patience = NNT_DEFAULT_PATIENCE;
}

/* --log-every auto: a progress line every epoch, but no more than about 100 lines. */
static inline int defaults_log_every(int epochs) { return epochs <= 100 ? 1 : epochs / 100; }

#endif
