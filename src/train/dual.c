/* dual.c — full-batch descent in sample space (see dual.h): the Gram-form products, and the
 * step interface (step.h) on the dual block: one step an epoch, the Gram-form evaluation of
 * the validation and test sets, the best epoch's block, W1 formed once at the end. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "nnt/blas.h"
#include "nnt/dual.h"
#include "nnt/optim.h"

/* Z1 = s·P0 + C·K + u·rᵀ + b1·1ᵀ for k columns: W1·X_set + b1 for W1 = s·W1(0) + C·Xcᵀ + u·μᵀ.
 * Z1: n_h × k, C: n_h × m, u, b1: n_h, P0 = W1(0)·X_set: n_h × k, K = Xcᵀ·X_set: m × k,
 * r = μᵀ·X_set: k. */
static void dual_hidden(float *Z1, const float *C, const float *u, float s, const float *b1,
                        const float *P0, const float *K, const float *r, int n_h, int m,
                        int k)
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

/* W1 = s·W1 + C·Xcᵀ + u·μᵀ in place (W1 holds W1(0) on entry). W1: n_h × n_x, C: n_h × m,
 * Xc: n_x × m, u: n_h, mu: n_x. */
static void dual_weights(float *W1, float s, const float *C, const float *Xc, const float *u,
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
 * applied to this block element by element, at any rate of a step (a schedule's) and with the
 * decoupled decay W1 ← (1 − rate·λ)·W1, which is (s, C, u) scaled alike. */
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

typedef struct dual {
    nnt_net *net;       /* holds W1(0) until dual_finish */
    const nnt_train_opts *o;
    int m, n_x, n_h, n_y;
    nnt_act act;
    dual_params d, g, v, best; /* parameters, gradient, momentum, early stopping's copy */
    dual_set tr, vs, ts;
    float *X, *Xc, *mu; /* the training images (freed once the sets are made), centred, mean */
    int32_t *y;
    float *A1, *Z2, *A2; /* n_h × k_max, n_y × k_max: any set's forward pass */
    float *dZ1, *dZ2;    /* n_h × m, n_y × m */
    nnt_optim st;
} dual;

static void dual_step(void *self, nnt_step_sums *out, int epoch, size_t k)
{
    (void)k; /* full batch: the one step of every epoch, at the primal's rate for it */
    dual *q = self;
    float rate = optim_lr(&q->st, epoch, 0, 1, q->o->epochs);
    int m = q->m, n_h = q->n_h, n_y = q->n_y;
    float scale = 1.0f / (float)m, *dZ1 = q->dZ1, *dZ2 = q->dZ2;
    const nnt_train_opts *o = q->o;
    dual_params *d = &q->d, *g = &q->g;
    *out = (nnt_step_sums){0.0, 0, (size_t)m, 1, 1, o->stop && *o->stop};
    dual_forward(q->A1, q->Z2, q->A2, d, &q->tr, q->act, n_h, m, n_y);
    out->loss = output_loss(q->Z2, q->y, n_y, m);
    if (!(out->loss_finite = isfinite(out->loss) != 0))
        return;
    for (int j = 0; j < m; j++)
        out->correct += net_label(q->A2 + (size_t)j * n_y, n_y) == q->y[j];
    /* backward: net_backward's pairs, but the first layer's product dZ1·Xᵀ/m stays gC = dZ1/m */
    output_backward(dZ2, q->A2, q->y, n_y, m);
    linear_backward(dZ1, g->W2, g->b2, dZ2, q->A1, d->W2, n_y, n_h, m, scale, 0, n_y, 0, n_h);
    act_backward(dZ1, dZ1, q->A1, (size_t)n_h * m, q->act);
    linear_backward(NULL, NULL, g->b1, dZ1, NULL, NULL, n_h, q->n_x, m, scale, 0, n_h, 0, 0);
    size_t nc = (size_t)n_h * m, w2 = (size_t)(d->W2 - d->p);
    for (size_t i = 0; i < nc; i++)
        g->C[i] = scale * dZ1[i];
    memcpy(g->u, g->b1, (size_t)n_h * sizeof *g->u);
    *g->s = 0.0f;
    /* L2 on C, u and W2 as the primal decays W1 and W2 (see dual_params); s's gradient is λ·s */
    optim_add_l2(&q->st, g->p, d->p, 0, d->n, 0, nc + (size_t)n_h);
    optim_add_l2(&q->st, g->p, d->p, 0, d->n, w2, w2 + (size_t)n_y * n_h);
    if (q->st.l2 > 0.0f)
        *g->s = q->st.l2 * *d->s;
    optim_begin(&q->st, rate);
    /* decoupled decay scales W1 = s·W1(0) + C·Xcᵀ + u·μᵀ by scaling C, u and s, which are
     * contiguous in the block (dual_params), and W2 as it is */
    optim_decay(&q->st, d->p, 0, d->n, 0, nc + (size_t)n_h + 1);
    optim_decay(&q->st, d->p, 0, d->n, w2, w2 + (size_t)n_y * n_h);
    out->params_finite = !optim_update(&q->st, d->p, g->p, 0, d->n);
}

static int dual_evaluate(void *self, double *loss, double *acc, int set, nnt_err *err)
{
    (void)err;
    dual *q = self;
    dual_eval(loss, acc, q->A1, q->Z2, q->A2, &q->d, set == NNT_SET_VAL ? &q->vs : &q->ts, q->act,
              q->n_h, q->m, q->n_y);
    return 0;
}

static void dual_keep_best(void *self)
{
    dual *q = self;
    memcpy(q->best.p, q->d.p, q->d.n * sizeof *q->d.p);
}

static void dual_restore_best(void *self)
{
    dual *q = self; /* the best epoch's C, s and small layers */
    memcpy(q->d.p, q->best.p, q->d.n * sizeof *q->d.p);
}

static void dual_finish(void *self, int rc)
{
    dual *q = self;
    nnt_net *net = q->net;
    int n_h = q->n_h, n_y = q->n_y;
    if (rc != 0 && rc != NNT_TRAIN_STOPPED)
        return;
    /* W1 is formed once, here */
    dual_weights(net->W1, *q->d.s, q->d.C, q->Xc, q->d.u, q->mu, n_h, q->n_x, q->m);
    memcpy(net->b1, q->d.b1, (size_t)n_h * sizeof *q->d.b1);
    memcpy(net->W2, q->d.W2, (size_t)n_y * n_h * sizeof *q->d.W2);
    memcpy(net->b2, q->d.b2, (size_t)n_y * sizeof *q->d.b2);
}

static void dual_free(void *self)
{
    dual *q = self;
    dual_set_free(&q->tr);
    dual_set_free(&q->vs);
    dual_set_free(&q->ts);
    free(q->d.p);
    free(q->g.p);
    free(q->v.p);
    free(q->best.p);
    free(q->X);
    free(q->Xc);
    free(q->mu);
    free(q->y);
    free(q->A1);
    free(q->dZ1);
    free(q->Z2);
    free(q->A2);
    free(q->dZ2);
    free(q);
}

int dual_new(nnt_stepper *s, nnt_net *net, nnt_train_result *res, const nnt_dataset *train,
             const nnt_dataset *val, const nnt_dataset *test, const nnt_train_opts *o,
             nnt_err *err)
{
    res->threads = o->threads > 1 ? o->threads : 1; /* the BLAS's */
    if (train->m == 0 || train->m > INT32_MAX || (val && val->m > INT32_MAX) ||
        (test && test->m > INT32_MAX))
        return nnt_errf(err, "the dual solver needs between 1 and %d images per set", INT32_MAX);
    dual *q = calloc(1, sizeof *q);
    if (!q)
        return nnt_errf(err, "out of memory for the dual solver's state (%zu images)", train->m);
    int m = q->m = (int)train->m, n_x = q->n_x = net->n_x, n_h = q->n_h = net->n_h;
    int n_y = q->n_y = net->n_y;
    q->net = net;
    q->o = o;
    q->act = net->act;
    q->st = step_optim(o);
    size_t k_max = train->m;
    if (val && val->m > k_max)
        k_max = val->m;
    if (test && test->m > k_max)
        k_max = test->m;
    q->X = malloc((size_t)n_x * m * sizeof *q->X);
    q->Xc = malloc((size_t)n_x * m * sizeof *q->Xc);
    q->mu = malloc((size_t)n_x * sizeof *q->mu);
    q->y = malloc((size_t)m * sizeof *q->y);
    q->A1 = malloc((size_t)n_h * k_max * sizeof *q->A1);
    q->dZ1 = malloc((size_t)n_h * m * sizeof *q->dZ1);
    q->Z2 = malloc((size_t)n_y * k_max * sizeof *q->Z2);
    q->A2 = malloc((size_t)n_y * k_max * sizeof *q->A2);
    q->dZ2 = malloc((size_t)n_y * m * sizeof *q->dZ2);
    if (!q->X || !q->Xc || !q->mu || !q->y || !q->A1 || !q->dZ1 || !q->Z2 || !q->A2 || !q->dZ2 ||
        dual_params_new(&q->d, n_h, m, n_y) || dual_params_new(&q->g, n_h, m, n_y) ||
        (o->optimizer == NNT_OPT_MOMENTUM && dual_params_new(&q->v, n_h, m, n_y)) ||
        (val && o->patience > 0 && dual_params_new(&q->best, n_h, m, n_y))) {
        dual_free(q);
        return nnt_errf(err, "out of memory for the dual solver's state (%d images)", m);
    }
    q->st.m = q->v.p;
    /* W1 = 1·W1(0) + 0·Xᵀ; the small layers are copied as they are */
    *q->d.s = 1.0f;
    memcpy(q->d.b1, net->b1, (size_t)n_h * sizeof *q->d.b1);
    memcpy(q->d.W2, net->W2, (size_t)n_y * n_h * sizeof *q->d.W2);
    memcpy(q->d.b2, net->b2, (size_t)n_y * sizeof *q->d.b2);
    /* Xc = X − μ·1ᵀ: images are non-negative, so XᵀX is dominated by its rank-one mean part
     * (entries near n_x·mean²) and C·XᵀX would sum large terms that cancel, with float rounding
     * relative to them rather than to Z1; Xcᵀ·X has no such part, and u·μᵀ carries the mean. */
    float *X = q->X, *Xc = q->Xc, *mu = q->mu;
    dataset_gather(X, q->y, train, NULL, 0, train->m);
    for (int p = 0; p < n_x; p++) {
        double sum = 0.0;
        for (int j = 0; j < m; j++)
            sum += X[p + (size_t)j * n_x];
        mu[p] = (float)(sum / m);
    }
    for (int j = 0; j < m; j++)
        for (int p = 0; p < n_x; p++)
            Xc[p + (size_t)j * n_x] = X[p + (size_t)j * n_x] - mu[p];
    if (dual_set_make(&q->tr, train, X, Xc, mu, net->W1, n_h, n_x, m) ||
        (val && dual_set_make(&q->vs, val, NULL, Xc, mu, net->W1, n_h, n_x, m)) ||
        (test && dual_set_make(&q->ts, test, NULL, Xc, mu, net->W1, n_h, n_x, m))) {
        dual_free(q);
        return nnt_errf(err, "out of memory for the dual solver's Gram matrices (%d images)", m);
    }
    free(q->X); /* from here on the centred images are all that is needed */
    q->X = NULL;
    *s = (nnt_stepper){q, train->m, NULL, dual_step, dual_evaluate, dual_keep_best,
                        dual_restore_best, NULL, dual_finish, dual_free};
    return 0;
}
