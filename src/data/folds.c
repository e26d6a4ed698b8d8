/* folds.c — the stratified K-fold split that cross-validation trains and scores on (folds.h). */
#include <stdlib.h>

#include "nnt/folds.h"
#include "nnt/rng.h"

int folds_split(int *fold, const int *label, size_t n, int n_classes, int k, uint64_t seed,
                nnt_err *err)
{
    if (k < 2)
        return nnt_errf(err, "cross-validation needs at least 2 folds, not %d", k);
    if ((size_t)k > n)
        return nnt_errf(err, "%d folds of %zu images: some fold would be empty", k, n);
    if (n_classes < 1)
        return nnt_errf(err, "a split of no classes");
    for (size_t i = 0; i < n; i++)
        if (label[i] < 0 || label[i] >= n_classes)
            return nnt_errf(err, "image %zu has class %d, outside 0..%d", i, label[i],
                            n_classes - 1);
    size_t *idx = malloc(n * sizeof *idx); /* n <= SIZE_MAX / sizeof: it indexes a held set */
    if (!idx)
        return nnt_errf(err, "out of memory for the folds of %zu images", n);
    nnt_rng rng;
    rng_seed(&rng, seed);
    /* the turn carries over between classes: a class with fewer images than folds does not
     * always land in fold 0, and the fold sizes stay within one of each other */
    size_t turn = 0;
    for (int c = 0; c < n_classes; c++) {
        size_t m = 0;
        for (size_t i = 0; i < n; i++)
            if (label[i] == c)
                idx[m++] = i;
        rng_shuffle(&rng, idx, m);
        for (size_t j = 0; j < m; j++, turn++)
            fold[idx[j]] = (int)(turn % (size_t)k);
    }
    free(idx);
    return 0;
}
