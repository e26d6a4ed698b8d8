/* crossval.h — one scored training run on decoded images (train on one set, score on another):
 * a fold of nnt cv and a trial of nnt tune are such runs, so both score alike. */
#ifndef NNT_CROSSVAL_H
#define NNT_CROSSVAL_H

#include <signal.h>
#include <stddef.h>

#include "cli.h"
#include "nnt/dataset.h"
#include "nnt/eval.h"

/* What one scored run gives back. */
typedef struct crossval_score {
    size_t m_train, m_held;
    nnt_eval held; /* the network on the held-out images */
    int epochs;    /* epochs asked for (train_epochs_auto when --epochs was not given) */
    int rc;        /* 0, NNT_TRAIN_STOPPED (*stop became non-zero), or -1 with err */
    nnt_err err;
} crossval_score;

/* Trains a network of a's settings from a->seed on fit (its scaler fitted on fit when a asks for
 * one) and scores it on held; held also drives early stopping when held_is_val (nnt train
 * --val-split's run). n_y: the network's outputs. stop may be NULL. Never prints. */
void crossval_run(crossval_score *o, const train_args *a, nnt_dataset *fit, nnt_dataset *held,
                  int held_is_val, int n_y, const volatile sig_atomic_t *stop);

/* crossval_run with fit = the images of all whose fold[] is not f and held = those whose fold
 * is f, both copied out of all (all->m fold numbers in [0, k)). */
void crossval_fold(crossval_score *o, const train_args *a, const nnt_dataset *all,
                   const int *fold, int f, int n_y, const volatile sig_atomic_t *stop);

/* The mean and the sample standard deviation (0 for n = 1) of v[0..n). */
void crossval_mean_sd(double *mean, double *sd, const double *v, int n);

#endif
