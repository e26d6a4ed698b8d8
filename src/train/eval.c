/* eval.c — evaluating a network on a whole dataset, a chunk of columns at a time, and the
 * metrics `nnt eval` reports (plain functions of labels and probabilities, no I/O). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "nnt/eval.h"

#define EVAL_CHUNK 512

int eval_dataset(nnt_eval *ev, int32_t *pred, float *prob, const nnt_net *net,
                 const nnt_dataset *ds, nnt_err *err)
{
    size_t chunk = ds->m < EVAL_CHUNK ? ds->m : EVAL_CHUNK;
    int n_h = net->n_h, n_y = net->n_y;
    if ((size_t)net->n_x != ds->n_x)
        return nnt_errf(err, "the network takes %d inputs but the images have %zu", net->n_x, ds->n_x);
    float *X = malloc(ds->n_x * chunk * sizeof *X);
    float *A1 = malloc((size_t)n_h * chunk * sizeof *A1);
    float *Z2 = malloc((size_t)n_y * chunk * sizeof *Z2);
    float *A2 = malloc((size_t)n_y * chunk * sizeof *A2);
    int32_t *y = malloc(chunk * sizeof *y);
    int rc = 0;
    *ev = (nnt_eval){0};
    if (!X || !A1 || !Z2 || !A2 || !y) {
        rc = nnt_errf(err, "out of memory evaluating %zu images", ds->m);
        goto done;
    }
    double loss = 0.0;
    for (size_t first = 0; first < ds->m; first += chunk) {
        int b = (int)(ds->m - first < chunk ? ds->m - first : chunk);
        /* X: n_x x b, A1: n_h x b, Z2, A2: n_y x b */
        dataset_gather(X, y, ds, NULL, first, (size_t)b);
        net_forward(A1, Z2, A2, net, X, b);
        loss += output_loss(Z2, y, n_y, b);
        for (int j = 0; j < b; j++) {
            const float *a = A2 + (size_t)j * n_y;
            int32_t label = net_label(a, n_y);
            ev->correct += label == y[j];
            if (pred)
                pred[first + j] = label;
            if (prob)
                prob[first + j] = net_label_prob(a, n_y, label);
        }
    }
    ev->m = ds->m;
    ev->accuracy = ds->m ? (double)ev->correct / ds->m : 0.0;
    ev->loss = ds->m ? loss / ds->m : 0.0;
done:
    free(X);
    free(A1);
    free(Z2);
    free(A2);
    free(y);
    return rc;
}

int eval_dataset_all(nnt_eval *ev, const nnt_net *net, const nnt_dataset *ds,
                     const nnt_comm *comm, nnt_err *err)
{
    int rc = ds->m ? eval_dataset(ev, NULL, NULL, net, ds, err) : 0;
    if (!ds->m)
        *ev = (nnt_eval){0};
    if (comm_size(comm) == 1)
        return rc;
    /* every rank takes part in the sum even after failing, so none waits forever */
    double sum[4] = {rc ? 1.0 : 0.0, (double)ev->m, (double)ev->correct, ev->loss * (double)ev->m};
    comm_allreduce_sum_double(comm, sum, 4);
    if (sum[0] > 0.0)
        return rc ? rc : nnt_err_peer(err, "evaluation failed on another rank");
    ev->m = (size_t)sum[1];
    ev->correct = (size_t)sum[2];
    ev->accuracy = ev->m ? sum[2] / sum[1] : 0.0;
    ev->loss = ev->m ? sum[3] / sum[1] : 0.0;
    return 0;
}

int eval_map_classes(int32_t *map, char *const *from_names, int n_from, char *const *to_names,
                     int n_to)
{
    /* n_from · n_to string compares: class counts are small (a model with n classes has n output
     * units, so n in the thousands is already an unusual network) */
    for (int i = 0; i < n_from; i++) {
        int k = 0;
        while (k < n_to && strcmp(from_names[i], to_names[k]) != 0)
            k++;
        if (k == n_to)
            return i;
        map[i] = k;
    }
    return -1;
}

int eval_confusion(size_t *C, const int32_t *truth, const int32_t *pred, size_t m, int n,
                   nnt_err *err)
{
    /* C: n x n, ld = n; row t (true class), column p (predicted) */
    size_t nn;
    if (n < 1 || nnt_mul_size(&nn, (size_t)n, (size_t)n))
        return nnt_errf(err, "%d classes: no confusion matrix of that size", n);
    memset(C, 0, nn * sizeof *C);
    for (size_t j = 0; j < m; j++) {
        if (truth[j] < 0 || truth[j] >= n || pred[j] < 0 || pred[j] >= n)
            return nnt_errf(err, "image %zu: label %ld predicted as %ld, outside the %d classes", j,
                            (long)truth[j], (long)pred[j], n);
        C[(size_t)truth[j] + (size_t)pred[j] * (size_t)n]++;
    }
    return 0;
}

void eval_class_metrics(nnt_class_metrics *per_class, nnt_macro_metrics *macro, const size_t *C,
                        int n)
{
    /* C: n x n, ld = n */
    size_t ld = (size_t)n;
    *macro = (nnt_macro_metrics){0};
    for (size_t c = 0; c < ld; c++) {
        nnt_class_metrics *k = &per_class[c];
        *k = (nnt_class_metrics){.tp = C[c + c * ld]};
        for (size_t o = 0; o < ld; o++) {
            k->support += C[c + o * ld];   /* row c */
            k->predicted += C[o + c * ld]; /* column c */
        }
        /* 0 rather than NaN for an empty denominator, as scikit-learn's zero_division=0 */
        k->precision = k->predicted ? (double)k->tp / (double)k->predicted : 0.0;
        k->recall = k->support ? (double)k->tp / (double)k->support : 0.0;
        double pr = k->precision + k->recall;
        k->f1 = pr > 0.0 ? 2.0 * k->precision * k->recall / pr : 0.0;
        if (k->support || k->predicted) {
            macro->n_classes++;
            macro->precision += k->precision;
            macro->recall += k->recall;
            macro->f1 += k->f1;
        }
    }
    if (macro->n_classes) {
        macro->precision /= macro->n_classes;
        macro->recall /= macro->n_classes;
        macro->f1 /= macro->n_classes;
    }
}

typedef struct wrong_item {
    float prob;
    const char *path;
    size_t j;
} wrong_item;

/* highest probability first, NaN last; then path in byte order; then index */
static int cmp_wrong(const void *pa, const void *pb)
{
    const wrong_item *a = pa, *b = pb;
    int na = isnan(a->prob), nb = isnan(b->prob);
    if (na != nb)
        return na - nb;
    if (!na && a->prob != b->prob)
        return a->prob > b->prob ? -1 : 1;
    int c = strcmp(a->path, b->path);
    if (c)
        return c;
    return (a->j > b->j) - (a->j < b->j);
}

int eval_top_wrong(size_t *idx, size_t *n_idx, size_t *n_wrong, const int32_t *truth,
                   const int32_t *pred, const float *prob, char *const *paths, size_t m, size_t k,
                   nnt_err *err)
{
    size_t wrong = 0, bytes;
    *n_idx = 0;
    for (size_t j = 0; j < m; j++)
        wrong += pred[j] != truth[j];
    if (n_wrong)
        *n_wrong = wrong;
    if (wrong == 0 || k == 0)
        return 0;
    /* sorting all the wrong ones is m log m at worst, small next to the forward passes */
    wrong_item *w = nnt_mul_size(&bytes, wrong, sizeof *w) ? NULL : malloc(bytes);
    if (!w)
        return nnt_errf(err, "out of memory sorting %zu wrong predictions", wrong);
    size_t n = 0;
    for (size_t j = 0; j < m; j++)
        if (pred[j] != truth[j])
            w[n++] = (wrong_item){prob[j], paths[j], j};
    qsort(w, n, sizeof *w, cmp_wrong);
    if (k > n)
        k = n;
    for (size_t i = 0; i < k; i++)
        idx[i] = w[i].j;
    *n_idx = k;
    free(w);
    return 0;
}
