/* test_folds.c — the stratified K-fold split: every image in one fold, classes in proportion,
 * fold sizes within one, the same split from the same seed, and the refusals. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "nnt/folds.h"

/* n images of n_classes, class sizes uneven (class c gets weight c + 1). */
static void make_labels(int *label, size_t n, int n_classes)
{
    size_t total = (size_t)n_classes * (size_t)(n_classes + 1) / 2, i = 0;
    for (int c = 0; c < n_classes; c++) {
        size_t share = n * (size_t)(c + 1) / total;
        for (size_t j = 0; j < share && i < n; j++)
            label[i++] = c;
    }
    while (i < n)
        label[i++] = n_classes - 1;
    /* interleave so that a split by position would not be stratified by accident */
    for (size_t j = 0; j + 1 < n; j += 3) {
        int t = label[j];
        label[j] = label[n - 1 - j];
        label[n - 1 - j] = t;
    }
}

static void check_split(size_t n, int n_classes, int k, uint64_t seed)
{
    int *label = malloc(n * sizeof *label), *fold = malloc(n * sizeof *fold);
    int *again = malloc(n * sizeof *again);
    make_labels(label, n, n_classes);
    nnt_err err;
    memset(fold, 0xff, n * sizeof *fold); /* -1: any image left out is seen */
    CHECKF(folds_split(fold, label, n, n_classes, k, seed, &err) == 0, "%s", err.msg);
    size_t size[16] = {0}, per[16][16] = {{0}}, class_n[16] = {0};
    for (size_t i = 0; i < n; i++) {
        CHECKF(fold[i] >= 0 && fold[i] < k, "image %zu in fold %d", i, fold[i]);
        if (fold[i] < 0 || fold[i] >= k)
            continue;
        size[fold[i]]++;
        per[fold[i]][label[i]]++;
        class_n[label[i]]++;
    }
    size_t total = 0, lo = n, hi = 0;
    for (int f = 0; f < k; f++) {
        total += size[f];
        lo = size[f] < lo ? size[f] : lo;
        hi = size[f] > hi ? size[f] : hi;
        for (int c = 0; c < n_classes; c++) {
            /* within one image of the class's share k-th */
            size_t want = class_n[c] / (size_t)k;
            CHECKF(per[f][c] == want || per[f][c] == want + 1,
                   "n=%zu k=%d fold %d has %zu of class %d's %zu", n, k, f, per[f][c], c, class_n[c]);
        }
    }
    CHECKF(total == n, "the folds hold %zu of %zu images", total, n);
    CHECKF(hi - lo <= 1, "fold sizes %zu..%zu", lo, hi);
    CHECK(folds_split(again, label, n, n_classes, k, seed, &err) == 0);
    CHECK(memcmp(fold, again, n * sizeof *fold) == 0);
    CHECK(folds_split(again, label, n, n_classes, k, seed + 1, &err) == 0);
    CHECK(n < 20 || memcmp(fold, again, n * sizeof *fold) != 0); /* the seed matters */
    free(label);
    free(fold);
    free(again);
}

int main(void)
{
    check_split(209, 2, 5, 1);
    check_split(1000, 10, 5, 7);
    check_split(37, 3, 4, 3);
    check_split(10, 2, 10, 1); /* leave-one-out */
    check_split(23, 7, 3, 2);  /* classes smaller than k */

    nnt_err err;
    int label[4] = {0, 1, 0, 1}, fold[4];
    CHECK(folds_split(fold, label, 4, 2, 1, 1, &err) != 0);
    CHECK(strstr(err.msg, "at least 2 folds") != NULL);
    CHECK(folds_split(fold, label, 4, 2, 5, 1, &err) != 0);
    CHECK(strstr(err.msg, "empty") != NULL);
    label[2] = 2;
    CHECK(folds_split(fold, label, 4, 2, 2, 1, &err) != 0);
    CHECK(strstr(err.msg, "outside") != NULL);
    return check_done("folds");
}
