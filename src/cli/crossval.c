/* crossval.c — one scored training run on decoded images, and a fold of them held out: the
 * unit of work of nnt cv (a fold) and of nnt tune (a fold of a trial, or a trial on
 * --val-split), so the two commands score a setting the same way. */
#include "crossval.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "nnt/net.h"
#include "nnt/rng.h"
#include "nnt/scale.h"
#include "nnt/train.h"

/* ds = the columns of all whose fold is (in_fold ? f : not f), copied: what one run needs. */
static int fold_set(nnt_dataset *ds, const nnt_dataset *all, const int *fold, int f, int in_fold,
                    nnt_err *err)
{
    memset(ds, 0, sizeof *ds);
    ds->geom = all->geom;
    ds->n_x = all->n_x;
    for (size_t j = 0; j < all->m; j++)
        ds->m += (fold[j] == f) == in_fold;
    /* ds->m <= all->m, whose n_x × m bytes are already held: the product cannot overflow */
    ds->X = malloc(ds->n_x * (ds->m ? ds->m : 1));
    ds->y = malloc((ds->m ? ds->m : 1) * sizeof *ds->y);
    if (!ds->X || !ds->y)
        return nnt_errf(err, "out of memory for fold %d's %zu images", f + 1, ds->m);
    size_t i = 0;
    for (size_t j = 0; j < all->m; j++)
        if ((fold[j] == f) == in_fold) {
            memcpy(ds->X + i * ds->n_x, all->X + j * all->n_x, all->n_x);
            ds->y[i++] = all->y[j];
        }
    return 0;
}

static void fold_set_free(nnt_dataset *ds)
{
    free(ds->X);
    free(ds->y);
}

void crossval_run(crossval_score *o, const train_args *a, nnt_dataset *fit, nnt_dataset *held,
                  int held_is_val, int n_y, const volatile sig_atomic_t *stop)
{
    nnt_scaler scaler = {0};
    nnt_net net = {0};
    int have_net = 0;
    const nnt_scaler *fit_scale = fit->scale, *held_scale = held->scale;
    o->rc = 0;
    o->m_train = fit->m;
    o->m_held = held->m;
    if (a->scale != NNT_SCALE_NONE) {
        o->rc = scale_fit(&scaler, a->scale, fit->X, fit->n_x, fit->m, &o->err);
        fit->scale = held->scale = o->rc == 0 ? &scaler : NULL;
    }
    nnt_train_opts to = a->train;
    if (to.epochs == 0)
        to.epochs = train_epochs_auto(fit->m, to.batch, to.patience);
    o->epochs = to.epochs;
    to.threads = a->threads;
    to.test_every = 0;
    to.stop = stop;
    nnt_solver solver = NNT_SOLVER_PRIMAL;
    if (o->rc == 0)
        o->rc = train_solver_resolve(&solver, &to, fit->m, held_is_val ? held->m : 0, fit->n_x,
                                     a->hidden, 1, &o->err);
    to.solver = solver;
    if (o->rc == 0) { /* refused at once, not after allocating what cannot all fit */
        nnt_train_memory need;
        train_memory(&need, &to, solver, fit->n_x, a->hidden, n_y, fit->m,
                     held_is_val ? held->m : 0, 1);
        o->rc = train_memory_check(&need, &o->err);
    }
    if (o->rc == 0) {
        o->rc = net_new(&net, (int)fit->n_x, a->hidden, n_y, a->act, &o->err);
        have_net = o->rc == 0;
    }
    if (o->rc == 0) {
        nnt_rng rng;
        rng_seed(&rng, a->seed); /* every fold from the same seed: only the data differs */
        net_init(&net, &rng, a->init);
        nnt_train_result res;
        o->rc = train_run(&net, &res, fit, held_is_val ? held : NULL, NULL, &rng, &to, &o->err);
    }
    if (o->rc == 0)
        o->rc = eval_dataset(&o->held, NULL, NULL, &net, held, &o->err);
    if (have_net)
        net_free(&net);
    if (a->scale != NNT_SCALE_NONE)
        scale_free(&scaler);
    fit->scale = fit_scale;
    held->scale = held_scale;
}

void crossval_fold(crossval_score *o, const train_args *a, const nnt_dataset *all,
                   const int *fold, int f, int n_y, const volatile sig_atomic_t *stop)
{
    nnt_dataset fit = {0}, held = {0};
    o->rc = fold_set(&fit, all, fold, f, 0, &o->err) || fold_set(&held, all, fold, f, 1, &o->err);
    if (o->rc == 0)
        crossval_run(o, a, &fit, &held, 0, n_y, stop);
    fold_set_free(&fit);
    fold_set_free(&held);
}

void crossval_mean_sd(double *mean, double *sd, const double *v, int n)
{
    double s = 0.0, q = 0.0;
    for (int i = 0; i < n; i++)
        s += v[i];
    *mean = s / n;
    for (int i = 0; i < n; i++)
        q += (v[i] - *mean) * (v[i] - *mean);
    *sd = n > 1 ? sqrt(q / (n - 1)) : 0.0;
}
