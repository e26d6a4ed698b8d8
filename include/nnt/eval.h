/* eval.h — running a trained network over a dataset: labels, probabilities, accuracy, loss. */
#ifndef NNT_EVAL_H
#define NNT_EVAL_H

#include <stddef.h>
#include <stdint.h>

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

#endif
