/* shard.h — the data of a data-parallel run: which files each rank loads, and loading them.
 * Every rank scans the same folder and splits off the same validation files, then decodes its
 * own shard of each set; one process is the run of one rank. */
#ifndef NNT_SHARD_H
#define NNT_SHARD_H

#include <stddef.h>
#include <stdint.h>

#include "nnt/comm.h"
#include "nnt/dataset.h"
#include "nnt/err.h"
#include "nnt/scale.h"

/* The global batch's rule over n_ranks ranks: each step takes at least one image from every
 * rank, so a batch (0: full) smaller than n_ranks fails with a message (a usage error). */
int shard_check_batch(size_t batch, int n_ranks, nnt_err *err);

/* shard = the files of `all` that order_rank gives rank `rank` of `size` for the global batch b
 * (0: full), in list order: about 1/size of the images, of every class, and whole strata of the
 * batch order. where (may be NULL) receives their indices in all (shard->n values; free it).
 * The paths are borrowed from all: release shard with filelist_release. Fails out of memory. */
int shard_select(nnt_filelist *shard, size_t **where, const nnt_filelist *all, size_t b,
                 int rank, int size, nnt_err *err);

/* --val-split: round(frac · n_c) files of each class c of files go to held, the rest to fit
 * (filelist_split). It draws from a stream of its own seeded from the run's seed, so the split
 * does not change the initialisation and is the same for any number of ranks. 0 < frac < 1. */
int shard_split(nnt_filelist *fit, nnt_filelist *held, const nnt_filelist *files, int n_classes,
                double frac, uint64_t seed, nnt_err *err);

typedef struct nnt_shard_opts {
    const char *dir;    /* the dataset folder (dataset_scan) */
    double val_split;   /* the fraction of the training files held out for validation; 0: none */
    uint64_t seed;      /* the run's seed (shard_split) */
    size_t batch;       /* the global batch (0: full), whose strata the training shards are */
    nnt_load_opts load; /* how images are decoded; warn is called on the rank that skips a file */
    nnt_scale_kind scale; /* --scale: fitted on the training images of every rank (shard_scale) */
} nnt_shard_opts;

/* This rank's part of the run's data, and its size over all ranks. */
typedef struct nnt_shard {
    nnt_scan scan;                 /* the folder's classes and file lists, alike on every rank */
    nnt_geometry geom;             /* the one geometry of every rank's images */
    nnt_dataset train, val, test;  /* this rank's images of each set (val and test may be empty) */
    size_t *position;              /* train.m: each training image's place in the whole training
                                      list (nnt_train_opts.position) */
    size_t n_train, n_val, n_test; /* images of each set over all ranks */
    size_t n_skipped;              /* files skipped (load.skip_bad) over all ranks and sets */
    nnt_scaler scale;              /* kind NONE unless o->scale; train, val and test point to it */
} nnt_shard;

/* Collective: scans o->dir, splits off the validation files, and loads this rank's shards of
 * the training (shard_select with o->batch), validation and test files in one geometry: the
 * given size or rank 0's, colour when any rank saw colour. Fails on every rank alike, with
 * err->peer set on all but the one whose message to report (agree_failed): the scan, the split,
 * a rank left without training images, ranks that see different lists (on several hosts), a
 * file that does not decode or has another size, out of memory. On failure s holds nothing.
 * comm NULL: one process. */
int shard_load(nnt_shard *s, const nnt_shard_opts *o, const nnt_comm *comm, nnt_err *err);
/* Collective, part of shard_load when o->scale is not NONE: s->scale of kind from the training
 * images of every rank (after the validation split: they alone say how inputs are spread), and
 * s->train, s->val and s->test scaled by it. Fails out of memory, on every rank alike. */
int shard_scale(nnt_shard *s, nnt_scale_kind kind, const nnt_comm *comm, nnt_err *err);
/* The sets back to raw inputs (pixel / 255), for a network into which s->scale is folded
 * (scale_fold); s->scale is kept. */
void shard_unscale(nnt_shard *s);
/* Frees what shard_load made; safe on a zeroed shard. */
void shard_free(nnt_shard *s);

#endif
