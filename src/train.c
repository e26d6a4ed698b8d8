/* train.c — the training loop: batch order, forward/backward per step, the update, stop checks. */
#include <math.h>
#include <stdlib.h>
#include <time.h>

#include "nnt/eval.h"
#include "nnt/train.h"

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* params -= lr · grad; returns 0, or -1 when a parameter is no longer finite. */
static int sgd_step(nnt_net *net, const nnt_net *grad, float lr)
{
    float *p = net->params;
    const float *g = grad->params;
    float probe = 0.0f; /* x·0 is NaN exactly when x is NaN or ±Inf: one test for the whole block */
    for (size_t i = 0; i < net->n_params; i++) {
        p[i] -= lr * g[i];
        probe += p[i] * 0.0f;
    }
    return probe == 0.0f ? 0 : -1;
}

int train_run(nnt_net *net, nnt_train_result *res, const nnt_dataset *train,
              const nnt_dataset *test, nnt_rng *rng, const nnt_train_opts *o, nnt_err *err)
{
    size_t m = train->m, n_x = train->n_x;
    int n_h = net->n_h, n_y = net->n_y;
    *res = (nnt_train_result){0};
    if (m == 0 || m > INT32_MAX)
        return nnt_errf(err, "training needs between 1 and %d images, not %zu", INT32_MAX, m);
    if ((size_t)net->n_x != n_x)
        return nnt_errf(err, "the network takes %d inputs but the images have %zu", net->n_x, n_x);
    size_t b = (o->batch == 0 || o->batch >= m) ? m : o->batch;
    int full = b == m;

    nnt_net grad = {0};
    float *X = malloc(n_x * b * sizeof *X);
    int32_t *y = malloc(b * sizeof *y);
    float *A1 = malloc((size_t)n_h * b * sizeof *A1);
    float *dZ1 = malloc((size_t)n_h * b * sizeof *dZ1);
    float *Z2 = malloc((size_t)n_y * b * sizeof *Z2);
    float *A2 = malloc((size_t)n_y * b * sizeof *A2);
    float *dZ2 = malloc((size_t)n_y * b * sizeof *dZ2);
    size_t *idx = malloc(m * sizeof *idx);
    int rc = 0;
    if (!X || !y || !A1 || !dZ1 || !Z2 || !A2 || !dZ2 || !idx) {
        rc = nnt_errf(err, "out of memory for a batch of %zu images of %zu values", b, n_x);
        goto done;
    }
    if (net_new(&grad, net->n_x, n_h, n_y, net->act, err)) {
        rc = -1;
        goto done;
    }
    for (size_t i = 0; i < m; i++)
        idx[i] = i;
    if (full) /* the tutorial's algorithm: one float copy of X for all epochs, no shuffling */
        dataset_gather(X, y, train, NULL, 0, m);

    double t0 = now_seconds();
    size_t seen = 0;
    for (int epoch = 1; epoch <= o->epochs && rc == 0; epoch++) {
        if (!full)
            rng_shuffle(rng, idx, m);
        double cost = 0.0;
        size_t correct = 0;
        for (size_t first = 0; first < m; first += b) {
            int bs = (int)(m - first < b ? m - first : b);
            /* X: n_x x bs, A1, dZ1: n_h x bs, Z2, A2, dZ2: n_y x bs */
            if (!full)
                dataset_gather(X, y, train, idx + first, 0, (size_t)bs);
            net_forward(A1, Z2, A2, net, X, bs);
            double loss = output_loss(Z2, y, n_y, bs);
            if (!isfinite(loss)) {
                rc = nnt_errf(err, "training diverged at epoch %d: the cost is %s; try a lower "
                                   "learning rate (--lr)", epoch, isnan(loss) ? "NaN" : "infinite");
                break;
            }
            cost += loss;
            for (int j = 0; j < bs; j++)
                correct += net_label(A2 + (size_t)j * n_y, n_y) == y[j];
            net_backward(&grad, dZ2, dZ1, net, X, A1, A2, y, bs, 1.0f / (float)bs);
            if (sgd_step(net, &grad, o->lr)) {
                rc = nnt_errf(err, "training diverged at epoch %d: a parameter became NaN or "
                                   "infinite; try a lower learning rate (--lr)", epoch);
                break;
            }
            seen += (size_t)bs;
            if (o->stop && *o->stop) {
                rc = NNT_TRAIN_STOPPED;
                break;
            }
        }
        if (rc != 0)
            break;
        res->epochs_run = epoch;
        res->final_cost = cost / (double)m;
        int last = epoch == o->epochs;
        if (o->on_progress && (last || (o->log_every > 0 && epoch % o->log_every == 0))) {
            double t = now_seconds() - t0;
            nnt_progress p = {epoch, o->epochs, cost / (double)m, (double)correct / (double)m,
                              NAN, t, t > 0 ? (double)seen / t : 0.0};
            if (test && test->m) {
                nnt_eval ev;
                if (eval_dataset(&ev, NULL, NULL, net, test, err)) {
                    rc = -1;
                    break;
                }
                p.test_acc = ev.accuracy;
            }
            o->on_progress(o->ctx, &p);
        }
    }
done:
    net_free(&grad);
    free(X);
    free(y);
    free(A1);
    free(dZ1);
    free(Z2);
    free(A2);
    free(dZ2);
    free(idx);
    return rc;
}
