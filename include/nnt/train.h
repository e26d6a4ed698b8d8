/* train.h — training a network: the options and their rules, the one decision of the solver
 * (solver.c), and the one epoch loop with validation, early stopping and progress (loop.c). */
#ifndef NNT_TRAIN_H
#define NNT_TRAIN_H

#include <signal.h>
#include <stddef.h>

#include "nnt/augment.h"
#include "nnt/checkpoint.h"
#include "nnt/comm.h"
#include "nnt/dataset.h"
#include "nnt/err.h"
#include "nnt/net.h"
#include "nnt/optim.h"
#include "nnt/rng.h"

/* Seconds on the monotonic clock, for the phase times every report uses. */
double train_clock(void);

/* How full-batch descent is computed. The primal form multiplies by the n_x × m images every
 * step; the dual (sample-space) form keeps W1 = s·W1(0) + C·Xᵀ and multiplies by the m × m Gram
 * matrix XᵀX instead (see dual.h). Both compute the same iterates, up to float rounding. */
typedef enum nnt_solver {
    NNT_SOLVER_AUTO = 0,   /* dual when it is exact and cheaper (train_solver_resolve), else primal */
    NNT_SOLVER_PRIMAL = 1,
    NNT_SOLVER_DUAL = 2,
} nnt_solver;

/* "auto", "primal", "dual"; parse returns 0 or -1. */
const char *train_solver_name(nnt_solver solver);
int train_solver_parse(nnt_solver *solver, const char *name);

/* What the trainer reports after each epoch. Losses are mean cross-entropy (without the L2
 * term); NAN marks what was not computed (no such set, or not evaluated this epoch). */
typedef struct nnt_epoch {
    int epoch, epochs;   /* epoch just finished (1-based) of how many at most */
    double train_loss;   /* mean over this epoch's batches, each before its update */
    double train_acc;    /* fraction right in those same forward passes */
    double val_loss, val_acc; /* on the validation set after the epoch */
    double test_acc;     /* on the test set after the epoch, when evaluated (see test_every) */
    double seconds;      /* since training began */
    double images_per_s; /* training images per second so far */
    int best;            /* this epoch has the lowest validation loss so far */
} nnt_epoch;

/* Reported during an epoch, after each step, for live progress displays. */
typedef struct nnt_step {
    int epoch, epochs;
    size_t done, total;  /* images of this epoch processed so far, of how many */
    double loss, acc;    /* running means over this epoch so far */
    double seconds;      /* since training began */
} nnt_step;

typedef struct nnt_train_opts {
    int epochs;             /* passes over the training set, >= 1 */
    size_t batch;           /* images per step; 0 or >= m: the whole set (full-batch descent) */
    nnt_optimizer optimizer;
    float lr;               /* learning rate */
    nnt_schedule schedule;  /* how the rate moves from lr over the run (optim_lr): constant,
                               step or cosine, after an optional warm-up */
    float weight_decay;     /* λ: decoupled decay W ← W − rate·λ·W of W1 and W2 every step, for
                               every optimiser (AdamW's), beside the loss term l2 */
    float momentum;         /* μ of the momentum optimiser */
    float beta1, beta2, eps; /* Adam's */
    float l2;               /* λ: adds λ/2·(‖W1‖² + ‖W2‖²) to the mean loss (biases are not decayed) */
    nnt_solver solver;      /* auto (the default), or forced primal or dual */
    int patience;           /* stop after this many epochs without a lower validation loss and
                               restore the best weights; 0: never stop early */
    int test_every;         /* evaluate the test set every test_every epochs and after the last;
                               0: only after the last */
    float dropout;          /* P of inverted dropout on the hidden layer in training steps, in
                               [0, 1) (0: off; net.h's dropout_*); primal solver only */
    uint64_t dropout_seed;  /* seed of the masks: each a function of (this, epoch, position) */
    int threads;            /* threads a step may use (the trainer splits each step itself and
                               calls the BLAS one thread each); evaluations and the end of
                               training leave the BLAS with this many. 0 or 1: one. */
    const volatile sig_atomic_t *stop; /* when it becomes non-zero, stop after the current step */
    void (*on_epoch)(void *ctx, const nnt_epoch *e);
    void (*on_step)(void *ctx, const nnt_step *s); /* may be NULL */
    void *ctx;
    /* Each training image's position in the whole training list, over all ranks (m values,
     * increasing; NULL: 0..m-1). Mini-batches are drawn by position (order.h), so a run whose
     * ranks hold whole strata (order_rank) takes the batches one process would. */
    const size_t *position;
    /* Data-parallel training (NULL: one process). Each rank passes its own shard as train, val
     * and test; every step the ranks sum their gradients, so all hold the same parameters. The
     * batch is global: each step takes the images of it this rank holds (order.h), every rank
     * runs the same number of steps, and the gradient is divided by the step's global image
     * count. Losses, accuracies and the stop request are summed over the ranks, so every rank
     * reports, diverges and stops alike. */
    const nnt_comm *comm;
    /* On-the-fly augmentation of the training images (augment.h; all zero: none, the images as
     * they are): each image of each epoch transformed with augment_key(augment_seed, epoch, its
     * position). Primal solver only: the dual's Gram matrix is of fixed images. */
    nnt_augment augment;
    uint64_t augment_seed;
    /* Checkpoints (primal solver, one process): on_checkpoint (NULL: none) is given the run's
     * state after every checkpoint_every epochs (0: never) but the last, and at the step where
     * *stop ended the run; a failure (-1 and its message) ends the run with it. The state's
     * arrays are the solver's: valid during the call only. */
    int checkpoint_every;
    int (*on_checkpoint)(void *ctx, const nnt_train_state *st, nnt_err *err);
    /* A checkpoint's state to go on from (NULL: from the start): the network's shape and the
     * optimiser must be the ones it was saved with, and its epoch within o->epochs. The run then
     * takes the steps the uninterrupted one would have, bit for bit (same build and threads). */
    const nnt_train_state *resume;
} nnt_train_opts;

/* Defaults of everything but epochs, batch, optimizer and lr: momentum 0.9, Adam's betas 0.9
 * and 0.999, eps 1e-8, no L2, no early stopping, test evaluated after the last epoch only; a
 * constant rate without warm-up (step's factor 0.1 every 10 epochs and cosine's lr_min 0 when
 * chosen), no weight decay, no dropout. */
nnt_train_opts train_opts_default(void);

typedef struct nnt_train_result {
    int epochs_run;     /* complete epochs */
    int best_epoch;     /* the epoch whose weights the network holds (the last, unless early
                           stopping restored an earlier one) */
    int stopped_early;  /* patience ran out */
    double final_loss;  /* train loss of the last epoch run */
    nnt_solver solver;  /* the solver used: NNT_SOLVER_PRIMAL or NNT_SOLVER_DUAL */
    int threads;        /* threads each step ran on (per rank) */
    const char *exchange; /* how ranks passed gradients and parameters (reducer_kind) */
} nnt_train_result;

/* The learning rate an optimiser starts from when none is given: 0.001 for Adam, 0.01 else. */
float train_lr_default(nnt_optimizer opt);
/* --epochs auto: enough epochs for 1000 steps of `batch` images (0: full batch) on m training
 * images, and at least 20; with early stopping (patience > 0) at least 200, a bound that
 * patience cuts short. */
int train_epochs_auto(size_t m, size_t batch, int patience);
/* The options' own rules, checked before any image is read: a forced dual solver needs sgd or
 * momentum, one process and no augmentation; cosine's lr_min is not above lr (once lr is set,
 * > 0). Returns 0, or -1 with a message (a usage error for the CLI). */
int train_opts_check(const nnt_train_opts *o, int n_ranks, nnt_err *err);
/* The one decision of the solver for o on m training images of n_x values and n_h hidden
 * units, with m_eval validation and test images evaluated along the way, over n_ranks ranks:
 * o->solver when forced, else dual exactly when it is exact (dual_inexact_reason), cheaper
 * (dual_cheaper) and in one process. Returns -1 with a message when o forces dual where it is
 * not exact (train_opts_check's rules, mini-batches). */
int train_solver_resolve(nnt_solver *solver, const nnt_train_opts *o, size_t m, size_t m_eval,
                         size_t n_x, int n_h, int n_ranks, nnt_err *err);

/* Most memory `auto` gives the m × m Gram matrix plus the m × m_eval products with the
 * validation and test images: 1 GiB, i.e. m ≤ 16384 on its own. Beyond that the O(m²) memory
 * (and the 2·n_x·m² flops of forming it) outgrow what a laptop has, while the primal form needs
 * only the n_x × m images it already holds; a user who has the memory can force --solver dual. */
#define DUAL_MAX_BYTES ((size_t)1 << 30)

/* NULL when the dual form computes the primal iterates for o on m training images (full batch,
 * and sgd or momentum, with or without L2, without dropout or augmentation), else a phrase
 * saying why not. */
const char *dual_inexact_reason(const nnt_train_opts *o, size_t m);

/* 1 when the dual form is the cheaper one for epochs steps on m training images of n_x values
 * with n_h hidden units and m_eval validation/test images evaluated every epoch: m < n_x (a dual
 * step is 2·n_h·m² flops against the primal's 4·n_h·n_x·m), the products fit DUAL_MAX_BYTES,
 * and the one-off cost (2·n_x·m·(m + m_eval) for G and the evaluation products, W1(0)·X for
 * every set and the final W1) is repaid by the steps. 0 otherwise. */
int dual_cheaper(size_t m, size_t m_eval, size_t n_x, int n_h, int epochs);

/* The large blocks a run allocates and touches, in bytes (train_memory): a lower bound of
 * what it needs, counted from the shapes before anything is allocated. */
typedef struct nnt_train_memory {
    double params, grad, state, best; /* W1, b1, W2, b2; their gradient; the optimiser's
                                         moments; early stopping's copy of the best */
    double data, gram;                /* the dual solver's copies of the images; its Gram
                                         products with every set */
    double batch;                     /* one step's activations and their gradients */
    double total;
} nnt_train_memory;

/* *mem for training an n_x-n_h-n_y network with o and solver on m training images of this
 * rank (m_eval validation and test images) over n_ranks ranks. */
void train_memory(nnt_train_memory *mem, const nnt_train_opts *o, nnt_solver solver,
                  size_t n_x, int n_h, int n_y, size_t m, size_t m_eval, int n_ranks);
/* 0 when the process has room for mem->total (mem.h's mem_room, or when it cannot tell), else
 * -1 with a message giving what is needed, part by part, and which limit is in the way. */
int train_memory_check(const nnt_train_memory *mem, nnt_err *err);

/* train_run returns this when *stop interrupted it (the network holds the last completed step). */
#define NNT_TRAIN_STOPPED 1

/* Trains net in place on train. val (may be NULL) is evaluated after every epoch and drives
 * early stopping; test (may be NULL) is only evaluated for reporting. rng draws the batch
 * order. The solver is o->solver when forced (the CLI passes the one it resolved), else
 * train_solver_resolve's choice (res->solver says which). Returns 0,
 * NNT_TRAIN_STOPPED, or -1 with a message (out of memory, a forced dual solver that is not exact,
 * or divergence: the loss or a parameter became NaN or infinite). */
int train_run(nnt_net *net, nnt_train_result *res, const nnt_dataset *train,
              const nnt_dataset *val, const nnt_dataset *test, nnt_rng *rng,
              const nnt_train_opts *opts, nnt_err *err);

#endif
