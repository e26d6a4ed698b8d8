/* solver.c — the options' defaults and rules, and the one decision of the solver: when the
 * dual (sample-space) form computes the primal iterates (dual_inexact_reason) and when it is
 * the cheaper one (dual_cheaper), so that the CLI and train_run decide alike. */
#include <stdint.h>
#include <string.h>

#include "nnt/train.h"

static const char *const solver_names[] = {"auto", "primal", "dual"};

/* Why the dual form cannot train with dropout: it is refused before loading (train_opts_check)
 * and leaves auto to the primal solver (dual_inexact_reason). */
static const char dropout_inexact[] = "dropout's masks change the network every step, so the "
                                      "update leaves the span of one fixed Gram form";

const char *train_solver_name(nnt_solver solver)
{
    return (unsigned)solver < 3 ? solver_names[solver] : "unknown";
}

int train_solver_parse(nnt_solver *solver, const char *name)
{
    int i = nnt_name_index(solver_names, 3, name);
    if (i >= 0)
        *solver = (nnt_solver)i;
    return i < 0 ? -1 : 0;
}

float train_lr_default(nnt_optimizer opt)
{
    return opt == NNT_OPT_ADAM ? 0.001f : 0.01f;
}

int train_epochs_auto(size_t m, size_t batch, int patience)
{
    /* with early stopping the count is only a bound, which patience cuts short: a generous one,
     * as scikit-learn's MLPClassifier (max_iter 200, stopping after 10 epochs without gain) */
    enum { AUTO_STEPS = 1000, AUTO_EPOCHS = 20, AUTO_EPOCHS_PATIENCE = 200 };
    int least = patience > 0 ? AUTO_EPOCHS_PATIENCE : AUTO_EPOCHS;
    size_t b = batch == 0 || batch > m ? m : batch;
    if (b == 0)
        return least;
    size_t steps = (m + b - 1) / b, epochs = (AUTO_STEPS + steps - 1) / steps;
    return epochs < (size_t)least ? least : (int)epochs;
}

int train_opts_check(const nnt_train_opts *o, int n_ranks, nnt_err *err)
{
    if (o->solver == NNT_SOLVER_DUAL && o->optimizer == NNT_OPT_ADAM)
        return nnt_errf(err, "--solver dual needs --optimizer sgd or momentum: Adam's steps "
                             "leave the span of the training images");
    /* cosine would anneal upwards; lr is 0 until the CLI gives it the optimiser's default */
    if (o->schedule.kind == NNT_SCHED_COSINE && o->lr > 0.0f && o->schedule.lr_min > o->lr)
        return nnt_errf(err, "--lr-min %g is above --lr %g: cosine anneals the rate down to it",
                        (double)o->schedule.lr_min, (double)o->lr);
    if (o->solver == NNT_SOLVER_DUAL && o->dropout > 0.0f)
        return nnt_errf(err, "--solver dual cannot train with --dropout: %s", dropout_inexact);
    if (o->solver == NNT_SOLVER_DUAL && augment_active(&o->augment))
        return nnt_errf(err, "--solver dual cannot use --augment: its Gram matrix is of the "
                             "training images as they are; use --solver primal or auto");
    /* the Gram matrix would need every rank's images */
    if (o->solver == NNT_SOLVER_DUAL && n_ranks > 1)
        return nnt_errf(err, "--solver dual runs in one process only; use primal or auto under "
                             "mpirun");
    return 0;
}

int train_solver_resolve(nnt_solver *solver, const nnt_train_opts *o, size_t m, size_t m_eval,
                         size_t n_x, int n_h, int n_ranks, nnt_err *err)
{
    if (train_opts_check(o, n_ranks, err))
        return -1;
    if (n_ranks > 1) {
        *solver = NNT_SOLVER_PRIMAL;
        return 0;
    }
    const char *why = dual_inexact_reason(o, m);
    switch (o->solver) {
    case NNT_SOLVER_PRIMAL:
        *solver = NNT_SOLVER_PRIMAL;
        return 0;
    case NNT_SOLVER_DUAL:
        if (why)
            return nnt_errf(err, "--solver dual computes the primal iterates only for full-batch "
                                 "sgd or momentum: %s", why);
        *solver = NNT_SOLVER_DUAL;
        return 0;
    default:
        *solver = !why && dual_cheaper(m, m_eval, n_x, n_h, o->epochs) ? NNT_SOLVER_DUAL
                                                                        : NNT_SOLVER_PRIMAL;
        return 0;
    }
}

nnt_train_opts train_opts_default(void)
{
    nnt_train_opts o;
    memset(&o, 0, sizeof o);
    o.epochs = 1;
    o.optimizer = NNT_OPT_SGD;
    o.lr = 0.01f;
    o.momentum = 0.9f;
    o.beta1 = 0.9f;
    o.beta2 = 0.999f;
    o.eps = 1e-8f;
    o.schedule = (nnt_schedule){NNT_SCHED_CONSTANT, 0.1f, 10, 0.0f, 0};
    return o;
}

const char *dual_inexact_reason(const nnt_train_opts *o, size_t m)
{
    if (o->optimizer == NNT_OPT_ADAM)
        return "Adam's per-parameter step sizes leave the span of the training images";
    if (o->batch != 0 && o->batch < m)
        return "it needs full-batch descent (--batch full)";
    if (o->dropout > 0.0f)
        return dropout_inexact;
    if (augment_active(&o->augment))
        return "augmentation changes the images every epoch, and the Gram matrix is of fixed ones";
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
