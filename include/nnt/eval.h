/* eval.h — running a trained network over a dataset (labels, probabilities, accuracy, loss) and
 * the metrics of `nnt eval`: class mapping, confusion matrix, per-class precision/recall/F1, and
 * the most confidently wrong predictions. */
#ifndef NNT_EVAL_H
#define NNT_EVAL_H

#include <stddef.h>
#include <stdint.h>

#include "nnt/comm.h"
#include "nnt/dataset.h"
#include "nnt/err.h"
#include "nnt/net.h"

typedef struct nnt_eval {
    size_t m;        /* images evaluated */
    size_t correct;  /* predicted label == true label */
    double accuracy; /* correct / m */
    double loss;     /* mean cross-entropy */
} nnt_eval;

/* Evaluates net on every column of ds in chunks (memory stays small for any m). pred and prob
 * (m entries each, may be NULL) receive each image's label and the probability given to it. */
int eval_dataset(nnt_eval *ev, int32_t *pred, float *prob, const nnt_net *net,
                 const nnt_dataset *ds, nnt_err *err);

/* eval_dataset over the shards of all ranks (comm NULL: one process): every rank calls it with
 * its shard (m may be 0) and receives the totals. A rank that fails makes every rank fail. */
int eval_dataset_all(nnt_eval *ev, const nnt_net *net, const nnt_dataset *ds,
                     const nnt_comm *comm, nnt_err *err);

/* map[i] = the index in to_names of from_names[i] (names compared as bytes), for the n_from
 * names. Returns -1 when every name was found, else the index of the first missing one. */
int eval_map_classes(int32_t *map, char *const *from_names, int n_from, char *const *to_names,
                     int n_to);

/* C (n × n, ld = n, column-major, zeroed here): C[t + p·n] counts the images of true class t
 * predicted as p, over m pairs of labels. Fails on a label outside [0, n). */
int eval_confusion(size_t *C, const int32_t *truth, const int32_t *pred, size_t m, int n,
                   nnt_err *err);

/* One class's scores. A class with no predictions has precision 0, one with no images (support
 * 0) has recall 0, and F1 is 0 when precision + recall is 0, so no score is ever NaN. */
typedef struct nnt_class_metrics {
    size_t tp;        /* images of the class predicted as it */
    size_t support;   /* images of the class: the row sum of C */
    size_t predicted; /* images predicted as the class: the column sum of C */
    double precision; /* tp / predicted */
    double recall;    /* tp / support */
    double f1;        /* 2·P·R / (P + R) */
} nnt_class_metrics;

/* Unweighted means over the classes that occur, as truth or prediction: a model class that has
 * no images and is never predicted says nothing about the model and is left out. */
typedef struct nnt_macro_metrics {
    int n_classes; /* classes averaged over (0 when m was 0: the means are then 0) */
    double precision, recall, f1;
} nnt_macro_metrics;

/* per_class (n entries) and macro from the confusion matrix C (n × n, ld = n, as above). */
void eval_class_metrics(nnt_class_metrics *per_class, nnt_macro_metrics *macro, const size_t *C,
                        int n);

/* The wrong predictions (pred[j] != truth[j]) with the highest probability prob[j]: the indices of
 * at most k of them go to idx, ordered by probability, highest first, then by paths[j] in byte
 * order (locale-independent; then by index, so the order is total). *n_idx receives how many were
 * stored (min(k, wrong)) and *n_wrong, when not NULL, how many are wrong in all. NaN
 * probabilities sort last. */
int eval_top_wrong(size_t *idx, size_t *n_idx, size_t *n_wrong, const int32_t *truth,
                   const int32_t *pred, const float *prob, char *const *paths, size_t m, size_t k,
                   nnt_err *err);

#endif
