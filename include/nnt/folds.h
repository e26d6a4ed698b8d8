/* folds.h — stratified K-fold split of a labelled set, for cross-validation (nnt cv). */
#ifndef NNT_FOLDS_H
#define NNT_FOLDS_H

#include <stddef.h>
#include <stdint.h>

#include "nnt/err.h"

/* fold[i] in [0, k) for each of the n images whose class is label[i] in [0, n_classes): each
 * class's images are shuffled with the seed and dealt to the folds in turn, the turn carried
 * from one class to the next, so every image is in exactly one fold, each fold holds each class
 * within one image of its share, and fold sizes differ by at most one. Identical inputs give an
 * identical split. 0, or -1 with err set (k < 2, k > n, a label out of range, no memory). */
int folds_split(int *fold, const int *label, size_t n, int n_classes, int k, uint64_t seed,
                nnt_err *err);

#endif
