/* defaults.h — the defaults of nnt's commands that no library function already gives (those
 * are train_opts_default, train_lr_default, train_epochs_auto, comm_host_threads and image.h's
 * NNT_DEFAULT_MAX_PIXELS): named once, for the command line, its help text and the tests. */
#ifndef NNT_DEFAULTS_H
#define NNT_DEFAULTS_H

#include "nnt/act.h"
#include "nnt/net.h"
#include "nnt/train.h"

/* The defaults train well without tuning, as scikit-learn's MLPClassifier and Keras do: Adam
 * on mini-batches of 64 with a scaled initialisation (README, "The defaults"). */

/* Hidden units: the tutorial's network, small enough to read in `nnt show`. */
#define NNT_DEFAULT_HIDDEN 4
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

/* --log-every auto: a progress line every epoch, but no more than about 100 lines. */
static inline int defaults_log_every(int epochs) { return epochs <= 100 ? 1 : epochs / 100; }

#endif
