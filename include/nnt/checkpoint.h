/* checkpoint.h — the training-state file: all that a run needs to go on exactly where it
 * stopped (parameters, optimiser state, generator, position in the run, early stopping, the
 * epochs' history, the options and the data's fingerprint), versioned and checksummed like the
 * model file (chunk.h), written atomically (file.h). docs/model-format.md, "Checkpoints". */
#ifndef NNT_CHECKPOINT_H
#define NNT_CHECKPOINT_H

#include <stddef.h>
#include <stdint.h>

#include "nnt/err.h"

/* Newest checkpoint format this build writes and the only one it reads: a checkpoint lives as
 * long as a run, so an older one is refused rather than converted. */
#define NNT_CHECKPOINT_VERSION 1
/* Loading refuses larger files before reading them. */
#define NNT_CHECKPOINT_MAX_BYTES (UINT64_C(1) << 34)

/* The first 8 bytes of a checkpoint: the model file's scheme with C for N, so that neither
 * reader takes the other's file. */
extern const uint8_t checkpoint_magic[8];

/* What the loop (train_run) saves and resumes from: where the run stands, the solver's state
 * and early stopping's. */
typedef struct nnt_train_state {
    int32_t epoch;       /* the epoch to go on with, from 1 */
    uint64_t step;       /* its next step, from 0 (0: the epoch has not begun) */
    uint64_t done;       /* images of that epoch already taken, over every rank */
    uint64_t seen;       /* images of the whole run so far */
    double loss_sum;     /* that epoch's summed loss so far */
    uint64_t correct;    /* and its right answers */
    uint64_t rng[4];     /* the generator as it was before that epoch drew its order */
    int32_t epochs_run, best_epoch, since_best;
    double best_loss;    /* lowest validation loss so far (INFINITY: none yet) */
    double first_loss;   /* the first epoch's training loss (NAN: not yet), for divergence */
    double final_loss;   /* the last complete epoch's */
    int64_t t;           /* optimiser steps taken (Adam's bias correction) */
    uint64_t n_params;
    int32_t n_state;     /* optimiser vectors: 0 (sgd), 1 (momentum), 2 (Adam) */
    int32_t has_best;    /* early stopping keeps best weights */
    /* n_params floats each; m needs n_state ≥ 1, v n_state = 2, best has_best (else NULL).
     * Borrowed when written, owned by a loaded checkpoint. */
    float *params, *m, *v, *best;
} nnt_train_state;

/* One epoch of the history the report keeps (--plot, JSON); NAN: not computed. */
typedef struct nnt_ckpt_epoch {
    double train_loss, train_acc, val_loss, val_acc, test_acc;
} nnt_ckpt_epoch;

typedef struct nnt_checkpoint {
    nnt_train_state state;
    uint64_t n_history;
    nnt_ckpt_epoch *history; /* n_history complete epochs */
    /* "key=value\n" lines of what shaped the run: network, options, data summary and
     * fingerprint; a resume compares them (checkpoint_compare) */
    char *opts;
    /* the command line's train options (argc strings), which a resume parses again */
    int argc;
    char **argv;
} nnt_checkpoint;

/* Serialises ck into a malloc'd buffer; its state must be consistent (the sizes say which
 * arrays are there). */
int checkpoint_encode(uint8_t **buf, size_t *len, const nnt_checkpoint *ck, const char *name,
                      nnt_err *err);
/* Parses a buffer, trusting no byte: every length is checked against what remains, every count
 * against the others; the message starts with name ("bad magic", "checksum mismatch",
 * "truncated", ...). */
int checkpoint_decode(nnt_checkpoint *ck, const uint8_t *buf, size_t len, const char *name,
                      nnt_err *err);
/* Encodes and writes through file_save (temporary file, fsync, rename): a crash leaves the
 * previous checkpoint or the new one, never a mix. */
int checkpoint_save(const nnt_checkpoint *ck, const char *path, nnt_err *err);
/* Reads and decodes path (size-checked before reading). */
int checkpoint_load(nnt_checkpoint *ck, const char *path, nnt_err *err);
/* 1 when buf starts like a checkpoint (its magic), for readers of either kind of file. */
int checkpoint_is(const uint8_t *buf, size_t len);
/* Frees what a loaded checkpoint owns and zeroes it; safe on a zeroed one. */
void checkpoint_free(nnt_checkpoint *ck);

/* The value of key in "key=value\n" lines text, copied into out (cap bytes); 0, or -1 absent. */
int checkpoint_opt(char *out, size_t cap, const char *text, const char *key);
/* Compares the lines `saved` (a checkpoint's) with `now` (this command's), every key but those
 * in may_change (NULL-terminated): 0 when they agree, else -1 with a message naming the first
 * key that differs and both values. */
int checkpoint_compare(const char *saved, const char *now, const char *const *may_change,
                       const char *name, nnt_err *err);

#endif
