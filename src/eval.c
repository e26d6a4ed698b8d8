/* eval.c — evaluating a network on a whole dataset, a chunk of columns at a time. */
#include <stdlib.h>

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
