/* report.h — what `nnt train` tells the user about a run: the live progress line, a line per
 * epoch, the JSON lines and summary, the lines after loading and training, the training chart
 * and the model's META text. Rank 0 reports; the others are quiet. */
#ifndef NNT_REPORT_H
#define NNT_REPORT_H

#include <stddef.h>

#include "cli.h"
#include "nnt/eval.h"
#include "nnt/shard.h"
#include "nnt/train.h"

/* Per-epoch values kept for the chart. */
typedef struct report_history {
    int n, cap;
    double *train_loss, *train_acc, *val_loss, *val_acc, *test_acc;
} report_history;

/* What the progress callbacks need: the ctx of nnt_train_opts. */
typedef struct report_progress {
    const train_args *a;
    int tty;            /* stderr is a terminal: a live line, redrawn in place */
    size_t m;           /* training images per epoch */
    double last_draw;   /* when the live line was last drawn */
    int history_oom;
    report_history h;
} report_progress;

/* nnt_train_opts.on_step: the live line, on a terminal only, ten frames a second at most. */
void report_on_step(void *ctx, const nnt_step *s);
/* nnt_train_opts.on_epoch: the epoch's line (every a->log_every), its JSON line (--json), and
 * its values for the chart. */
void report_on_epoch(void *ctx, const nnt_epoch *e);
/* nnt_load_opts.warn: a skipped file, unless quiet (ctx: the train_args). */
void report_warn_skip(void *ctx, const char *msg);
/* Clears the live line, when there is one. */
void report_clear_line(const report_progress *p);
void report_progress_free(report_progress *p);

/* The classes, the images of each set and their geometry, once loaded in `seconds`. */
void report_loaded(const train_args *a, const nnt_shard *data, double seconds, int ranks);
/* One note line on stderr naming, per class folder, the files the scan ignored and why; nothing
 * when it ignored none. splits: 1 the training split, 2 the test split, 3 both. */
void report_ignored(const nnt_scan *scan, int splits);
/* Which solver trains, on m training images. */
void report_solver(nnt_solver solver, size_t m);
/* One warning line when --lr is far outside the optimiser's usual range on n_x inputs
 * (optim_lr_range), unless quiet. */
void report_lr_range(const train_args *a, size_t n_x);
/* A warning when the hidden layer has fewer units than there are classes: every class's score
 * is then a mix of fewer features than classes, a bottleneck (4 units gave 0.805 on
 * Fashion-MNIST's ten classes where 128 give 0.89: README, "The defaults"). */
void report_hidden_bottleneck(const train_args *a, int n_classes);
/* Writes the chart of the epochs' values to a->plot; -1 with a message naming it. */
int report_plot(const report_progress *p, const nnt_shard *data, nnt_err *err);

/* The first n epochs of the history as a checkpoint keeps them (*out malloc'd, *n_out set);
 * -1 out of memory or when the history lost epochs to it. */
int report_history_export(const report_progress *p, nnt_ckpt_epoch **out, uint64_t *n_out,
                          size_t n);
/* A resumed run's history back into p, before its next epoch. -1 out of memory. */
int report_history_restore(report_progress *p, const nnt_ckpt_epoch *h, uint64_t n);
/* The OPTS lines of a checkpoint (malloc'd; NULL out of memory): the network, every option that
 * changes what the run computes (epochs and threads too: a resume may change those two), the
 * data's sizes, classes and fingerprint (dataset_crc of each set). */
char *report_checkpoint_opts(const train_args *a, const nnt_shard *data);

/* A finished run, for its summary and its model's META text. */
typedef struct report_run {
    const train_args *a;
    const nnt_shard *data;
    const nnt_train_result *res;
    nnt_eval train, val, test; /* the trained network on each set, over all ranks */
    double t_load, t_train;    /* seconds */
    int ranks;
} report_run;

/* The accuracies, the final loss, the time and the files written. */
void report_trained(const report_run *run);
/* --json's last line, on stdout. */
void report_summary_json(const report_run *run);
/* key=value lines on how the model was made, for `nnt info` (malloc'd; NULL out of memory):
 * nothing time-dependent, so the same command on the same data writes a byte-identical file. */
char *report_meta(const report_run *run);

#endif
