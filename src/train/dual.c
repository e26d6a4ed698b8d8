/* dual.c — full-batch descent in sample space (see dual.h): when the solver is used, its cost
 * model, the Gram-form products, and the training loop, which mirrors train.c's step for step
 * (same callbacks, validation, early stopping, stop and divergence checks) on its own state. */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "nnt/blas.h"
#include "nnt/dual.h"
#include "nnt/optim.h"

const char *dual_inexact_reason(const nnt_train_opts *o, size_t m)
{
    if (o->optimizer == NNT_OPT_ADAM)
        return "Adam's per-parameter step sizes leave the span of the training images";
    if (o->batch != 0 && o->batch < m)
        return "it needs full-batch descent (--batch full)";
    return NULL;
}

int dual_cheaper(size_t m, size_t m_eval, size_t n_x, int n_h, int epochs)
{
    if (m == 0 || m >= n_x || m > (size_t)INT32_MAX || m_eval > (size_t)INT32_MAX)
        return 0;
    /* doubles: the flop counts overflow no integer type here, and only their ratio matters */
    double dm = (double)m, de = (double)m_eval, dx = (double)n_x, dh = n_h, E = epochs;
    if (4.0 * dm * (dm + de) > (double)DUAL_MAX_BYTES)
        return 0;
    double primal = E * (4.0 * dh * dx * dm + 2.0 * dh * dx * de);
    double once = 2.0 * dx * dm * (dm + de) + 2.0 * dh * dx * (dm + de) + 2.0 * dh * dx * dm;
    double dual = once + E * (2.0 * dh * dm * dm + 2.0 * dh * dm * de);
    return dual < primal;
}

void dual_hidden(float *Z1, const float *C, const float *u, float s, const float *b1,
                 const float *P0, const float *K, const float *r, int n_h, int m, int k)
{
    /* Z1: n_h x k, C: n_h x m, u, b1: n_h, P0: n_h x k, K: m x k, r: k */
    for (int j = 0; j < k; j++) {
        float *z = Z1 + (size_t)j * n_h;
        const float *p = P0 + (size_t)j * n_h;
        for (int i = 0; i < n_h; i++)
            z[i] = b1[i] + s * p[i] + u[i] * r[j];
    }
    blas_gemm(0, 0, n_h, k, m, 1.0f, C, n_h, K, m, 1.0f, Z1, n_h);
}

void dual_weights(float *W1, float s, const float *C, const float *Xc, const float *u,
                  const float *mu, int n_h, int n_x, int m)
{
    /* W1: n_h x n_x, C: n_h x m, Xc: n_x x m, u: n_h, mu: n_x */
    size_t n = (size_t)n_h * n_x;
    if (s != 1.0f)
        for (size_t i = 0; i < n; i++)
            W1[i] *= s;
    blas_gemm(0, 1, n_h, n_x, m, 1.0f, C, n_h, Xc, n_x, 1.0f, W1, n_h);
    blas_gemm(0, 1, n_h, n_x, 1, 1.0f, u, n_h, mu, n_x, 1.0f, W1, n_h);
}

/* The parameters in the dual form, in one block: C (n_h x m), u (n_h), s, b1 (n_h),
 * W2 (n_y x n_h), b2 (n_y), standing for W1 = s·W1(0) + C·Xcᵀ + u·μᵀ. A gradient and the
 * momentum velocity are blocks of the same layout: the primal gradient of W1,
 * dZ1·Xᵀ/m + λ·W1 = λ·s·W1(0) + (dZ1/m + λ·C)·Xcᵀ + (dZ1·1/m + λ·u)·μᵀ (as X = Xc + μ·1ᵀ), is
 * (gs, gC, gu) = (λ·s, dZ1/m + λ·C, db1 + λ·u), so sgd and momentum are the primal formulas
 * applied to this block element by element. */
typedef struct dual_params {
    size_t n;
    float *p; /* owns the block */
    float *C, *u, *s, *b1, *W2, *b2;
} dual_params;

static int dual_params_new(dual_params *d, int n_h, int m, int n_y)
{
    size_t nc, n;
    memset(d, 0, sizeof *d);
    if (nnt_mul_size(&nc, (size_t)n_h, (size_t)m) || nnt_add_size(&n, nc, 1 + 2 * (size_t)n_h) ||
        nnt_add_size(&n, n, (size_t)n_y * (size_t)(n_h + 1)) || n > SIZE_MAX / sizeof(float))
        return -1;
    d->p = calloc(n, sizeof *d->p);
    if (!d->p)
        return -1;
    d->n = n;
    d->C = d->p;
    d->u = d->C + nc;
    d->s = d->u + n_h;
    d->b1 = d->s + 1;
    d->W2 = d->b1 + n_h;
    d->b2 = d->W2 + (size_t)n_y * n_h;
    return 0;
}

/* One image set in Gram form: P0 = W1(0)·X_set (n_h x k), K = Xcᵀ·X_set (m x k),
 * r = μᵀ·X_set (k), and its labels. */
typedef struct dual_set {
    int k;
    const int32_t *y;
    float *P0, *K, *r;
} dual_set;

/* Fills set from ds, whose images are gathered to floats here unless Xs (n_x x k) already holds
 * them (the training set). Xc (n_x x m) is the centred training images, mu (n_x) their mean,
 * W0 (n_h x n_x) is W1(0). */
static int dual_set_make(dual_set *set, const nnt_dataset *ds, const float *Xs, const float *Xc,
                         const float *mu, const float *W0, int n_h, int n_x, int m)
{
    int k = (int)ds->m;
    set->k = k;
    set->y = ds->y;
    set->P0 = malloc((size_t)n_h * k * sizeof *set->P0);
    set->K = malloc((size_t)m * k * sizeof *set->K);
    set->r = malloc((size_t)k * sizeof *set->r);
    float *own = Xs ? NULL : malloc((size_t)n_x * k * sizeof *own);
    if (!set->P0 || !set->K || !set->r || (!Xs && !own)) {
        free(own);
        return -1;
    }
    if (own) {
        dataset_gather(own, NULL, ds, NULL, 0, (size_t)k);
        Xs = own;
    }
    blas_gemm(1, 0, m, k, n_x, 1.0f, Xc, n_x, Xs, n_x, 0.0f, set->K, m);    /* K = Xcᵀ·X_set */
    blas_gemm(1, 0, 1, k, n_x, 1.0f, mu, n_x, Xs, n_x, 0.0f, set->r, 1);    /* r = μᵀ·X_set */
    blas_gemm(0, 0, n_h, k, n_x, 1.0f, W0, n_h, Xs, n_x, 0.0f, set->P0, n_h); /* P0 = W1(0)·X_set */
    free(own);
    return 0;
}

static void dual_set_free(dual_set *set)
{
    free(set->P0);
    free(set->K);
    free(set->r);
    memset(set, 0, sizeof *set);
}

/* The forward pass on a set. A1: n_h x k, Z2, A2: n_y x k. */
static void dual_forward(float *A1, float *Z2, float *A2, const dual_params *d, const dual_set *set,
                         nnt_act act, int n_h, int m, int n_y)
{
    dual_hidden(A1, d->C, d->u, *d->s, d->b1, set->P0, set->K, set->r, n_h, m, set->k);
    act_forward(A1, A1, (size_t)n_h * set->k, act);
    linear_forward(Z2, A1, d->W2, d->b2, n_y, n_h, set->k, 0, n_y);
    output_forward(A2, Z2, n_y, set->k);
}

/* Mean loss and accuracy on a set (what eval_dataset reports for the formed network). */
static void dual_eval(double *loss, double *acc, float *A1, float *Z2, float *A2,
                      const dual_params *d, const dual_set *set, nnt_act act, int n_h, int m, int n_y)
{
    dual_forward(A1, Z2, A2, d, set, act, n_h, m, n_y);
    size_t correct = 0;
    for (int j = 0; j < set->k; j++)
        correct += net_label(A2 + (size_t)j * n_y, n_y) == set->y[j];
    *loss = output_loss(Z2, set->y, n_y, set->k) / (double)set->k;
    *acc = (double)correct / (double)set->k;
}

int dual_train(nnt_net *net, nnt_train_result *res, const nnt_dataset *train,
               const nnt_dataset *val, const nnt_dataset *test, const nnt_train_opts *o,
               nnt_err *err)
{
    int m = (int)train->m, n_x = net->n_x, n_h = net->n_h, n_y = net->n_y;
    nnt_act act = net->act;
    *res = (nnt_train_result){0};
    res->solver = NNT_SOLVER_DUAL;
    if (val && val->m == 0)
        val = NULL;
    if (test && test->m == 0)
        test = NULL;
    const char *why = dual_inexact_reason(o, train->m);
    if (why)
        return nnt_errf(err, "the dual solver is not exact here: %s", why);
    if (train->m == 0 || train->m > INT32_MAX || (val && val->m > INT32_MAX) ||
        (test && test->m > INT32_MAX))
        return nnt_errf(err, "the dual solver needs between 1 and %d images per set", INT32_MAX);

    size_t k_max = train->m;
    if (val && val->m > k_max)
        k_max = val->m;
    if (test && test->m > k_max)
        k_max = test->m;
    dual_params d = {0}, g = {0}, v = {0}, best = {0};
    dual_set tr = {0}, vs = {0}, ts = {0};
    float *X = malloc((size_t)n_x * m * sizeof *X);
    float *Xc = malloc((size_t)n_x * m * sizeof *Xc);
    float *mu = malloc((size_t)n_x * sizeof *mu);
    int32_t *y = malloc((size_t)m * sizeof *y);
    float *A1 = malloc((size_t)n_h * k_max * sizeof *A1);
    float *dZ1 = malloc((size_t)n_h * m * sizeof *dZ1);
    float *Z2 = malloc((size_t)n_y * k_max * sizeof *Z2);
    float *A2 = malloc((size_t)n_y * k_max * sizeof *A2);
    float *dZ2 = malloc((size_t)n_y * m * sizeof *dZ2);
    int rc = 0;
    if (!X || !Xc || !mu || !y || !A1 || !dZ1 || !Z2 || !A2 || !dZ2 || dual_params_new(&d, n_h, m, n_y) ||
        dual_params_new(&g, n_h, m, n_y) ||
        (o->optimizer == NNT_OPT_MOMENTUM && dual_params_new(&v, n_h, m, n_y)) ||
        (val && o->patience > 0 && dual_params_new(&best, n_h, m, n_y))) {
        rc = nnt_errf(err, "out of memory for the dual solver's state (%d images)", m);
        goto done;
    }
    /* W1 = 1·W1(0) + 0·Xᵀ; the small layers are copied as they are */
    *d.s = 1.0f;
    memcpy(d.b1, net->b1, (size_t)n_h * sizeof *d.b1);
    memcpy(d.W2, net->W2, (size_t)n_y * n_h * sizeof *d.W2);
    memcpy(d.b2, net->b2, (size_t)n_y * sizeof *d.b2);
    /* Xc = X − μ·1ᵀ: images are non-negative, so XᵀX is dominated by its rank-one mean part
     * (entries near n_x·mean²) and C·XᵀX would sum large terms that cancel, with float rounding
     * relative to them rather than to Z1; Xcᵀ·X has no such part, and u·μᵀ carries the mean. */
    dataset_gather(X, y, train, NULL, 0, train->m);
    for (int p = 0; p < n_x; p++) {
        double sum = 0.0;
        for (int j = 0; j < m; j++)
            sum += X[p + (size_t)j * n_x];
        mu[p] = (float)(sum / m);
    }
    for (int j = 0; j < m; j++)
        for (int p = 0; p < n_x; p++)
            Xc[p + (size_t)j * n_x] = X[p + (size_t)j * n_x] - mu[p];
    if (dual_set_make(&tr, train, X, Xc, mu, net->W1, n_h, n_x, m) ||
        (val && dual_set_make(&vs, val, NULL, Xc, mu, net->W1, n_h, n_x, m)) ||
        (test && dual_set_make(&ts, test, NULL, Xc, mu, net->W1, n_h, n_x, m))) {
        rc = nnt_errf(err, "out of memory for the dual solver's Gram matrices (%d images)", m);
        goto done;
    }
    free(X); /* from here on the centred images are all that is needed */
    X = NULL;

    double t0 = train_clock();
    nnt_early early = {INFINITY, 0};
    size_t seen = 0;
    float l2 = o->l2, scale = 1.0f / (float)m;
    nnt_optim opt = {o->optimizer, o->lr, o->momentum, o->beta1, o->beta2, o->eps, o->l2,
                    v.p, NULL, 0, 0.0f, 0.0f};
    for (int epoch = 1; epoch <= o->epochs && rc == 0; epoch++) {
        /* ---- one full-batch step, as train.c's loop takes it ---- */
        dual_forward(A1, Z2, A2, &d, &tr, act, n_h, m, n_y);
        double loss = output_loss(Z2, y, n_y, m);
        if (!isfinite(loss)) {
            rc = nnt_errf(err, "training diverged at epoch %d: the loss is %s; try a lower "
                               "learning rate (--lr)", epoch, isnan(loss) ? "NaN" : "infinite");
            break;
        }
        size_t correct = 0;
        for (int j = 0; j < m; j++)
            correct += net_label(A2 + (size_t)j * n_y, n_y) == y[j];
        /* backward: net_backward but for its last product, which becomes gC = dZ1/m */
        output_backward(dZ2, A2, y, n_y, m);
        linear_backward(dZ1, g.W2, g.b2, dZ2, A1, d.W2, n_y, n_h, m, scale, 0, n_y, 0, n_h);
        act_backward(dZ1, dZ1, A1, (size_t)n_h * m, act);
        for (int i = 0; i < n_h; i++) {
            double sum = 0.0; /* as linear_backward sums db */
            for (int j = 0; j < m; j++)
                sum += dZ1[i + (size_t)j * n_h];
            g.b1[i] = (float)(sum * scale);
        }
        size_t nc = (size_t)n_h * m;
        for (size_t i = 0; i < nc; i++)
            g.C[i] = scale * dZ1[i];
        memcpy(g.u, g.b1, (size_t)n_h * sizeof *g.u);
        *g.s = 0.0f;
        if (l2 > 0.0f) {
            for (size_t i = 0; i < nc; i++)
                g.C[i] += l2 * d.C[i];
            for (int i = 0; i < n_h; i++)
                g.u[i] += l2 * d.u[i];
            *g.s = l2 * *d.s;
            for (size_t i = 0; i < (size_t)n_y * n_h; i++)
                g.W2[i] += l2 * d.W2[i];
        }
        optim_begin(&opt);
        if (optim_update(&opt, d.p, g.p, 0, d.n)) {
            rc = nnt_errf(err, "training diverged at epoch %d: a parameter became NaN or "
                               "infinite; try a lower learning rate (--lr)", epoch);
            break;
        }
        seen += (size_t)m;
        if (o->on_step) {
            nnt_step st = {epoch, o->epochs, (size_t)m, (size_t)m, loss / m,
                           (double)correct / m, train_clock() - t0};
            o->on_step(o->ctx, &st);
        }
        if (o->stop && *o->stop) {
            rc = NNT_TRAIN_STOPPED;
            break;
        }
        res->epochs_run = epoch;
        res->final_loss = loss / m;

        /* ---- the end of the epoch, as in train.c ---- */
        nnt_epoch e = {epoch, o->epochs, loss / m, (double)correct / m, NAN, NAN, NAN, 0.0, 0.0, 0};
        int stop_now = 0;
        if (val) {
            dual_eval(&e.val_loss, &e.val_acc, A1, Z2, A2, &d, &vs, act, n_h, m, n_y);
            if (train_early_update(&early, &e, res, best.p ? o->patience : 0, &stop_now) &&
                best.p)
                memcpy(best.p, d.p, d.n * sizeof *d.p);
        }
        int last = epoch == o->epochs || stop_now;
        if (best.p && last) { /* keep the best epoch's C, s and small layers */
            memcpy(d.p, best.p, d.n * sizeof *d.p);
            res->stopped_early = stop_now;
        }
        if (!best.p)
            res->best_epoch = epoch;
        if (test && (last || (o->test_every > 0 && epoch % o->test_every == 0))) {
            double test_loss;
            dual_eval(&test_loss, &e.test_acc, A1, Z2, A2, &d, &ts, act, n_h, m, n_y);
        }
        train_epoch_report(o, &e, t0, seen);
        if (stop_now)
            break;
    }
    if (rc == 0 || rc == NNT_TRAIN_STOPPED) { /* W1 is formed once, here */
        dual_weights(net->W1, *d.s, d.C, Xc, d.u, mu, n_h, n_x, m);
        memcpy(net->b1, d.b1, (size_t)n_h * sizeof *d.b1);
        memcpy(net->W2, d.W2, (size_t)n_y * n_h * sizeof *d.W2);
        memcpy(net->b2, d.b2, (size_t)n_y * sizeof *d.b2);
    }
done:
    dual_set_free(&tr);
    dual_set_free(&vs);
    dual_set_free(&ts);
    free(d.p);
    free(g.p);
    free(v.p);
    free(best.p);
    free(X);
    free(Xc);
    free(mu);
    free(y);
    free(A1);
    free(dZ1);
    free(Z2);
    free(A2);
    free(dZ2);
    return rc;
}
