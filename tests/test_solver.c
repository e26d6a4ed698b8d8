/* test_solver.c — the one decision of the solver: the dual form's exactness and cost model,
 * `auto`'s choice, forced solvers and their rules (one process, no Adam, full batch, no
 * dropout, no augmentation). */
#include <string.h>

#include "check.h"
#include "nnt/train.h"

static void test_decision(void)
{
    nnt_err err;
    nnt_solver s;
    nnt_train_opts o = train_opts_default();
    o.epochs = 2500;
    /* the tutorial's cat set: 209 images of 12288 values, 7 hidden units, 50 test images */
    CHECK(dual_inexact_reason(&o, 209) == NULL);
    CHECK(dual_cheaper(209, 50, 12288, 7, 2500) == 1);
    CHECK(train_solver_resolve(&s, &o, 209, 50, 12288, 7, 1, &err) == 0 && s == NNT_SOLVER_DUAL);
    o.optimizer = NNT_OPT_MOMENTUM;
    o.l2 = 0.1f;
    CHECK(train_solver_resolve(&s, &o, 209, 50, 12288, 7, 1, &err) == 0 && s == NNT_SOLVER_DUAL);
    /* a batch that covers the set is full-batch descent */
    o.batch = 209;
    CHECK(train_solver_resolve(&s, &o, 209, 50, 12288, 7, 1, &err) == 0 && s == NNT_SOLVER_DUAL);
    o.batch = 1000;
    CHECK(train_solver_resolve(&s, &o, 209, 50, 12288, 7, 1, &err) == 0 && s == NNT_SOLVER_DUAL);
    /* not exact: mini-batches and Adam; auto falls back, forcing dual is an error */
    o.batch = 64;
    CHECK(dual_inexact_reason(&o, 209) != NULL);
    CHECK(train_solver_resolve(&s, &o, 209, 50, 12288, 7, 1, &err) == 0 && s == NNT_SOLVER_PRIMAL);
    o.solver = NNT_SOLVER_DUAL;
    CHECK(train_solver_resolve(&s, &o, 209, 50, 12288, 7, 1, &err) == -1);
    CHECKF(strstr(err.msg, "--batch full") != NULL, "message: %s", err.msg);
    o.batch = 0;
    o.optimizer = NNT_OPT_ADAM;
    CHECK(train_solver_resolve(&s, &o, 209, 50, 12288, 7, 1, &err) == -1);
    CHECKF(strstr(err.msg, "Adam") != NULL, "message: %s", err.msg);
    o.solver = NNT_SOLVER_AUTO;
    CHECK(train_solver_resolve(&s, &o, 209, 50, 12288, 7, 1, &err) == 0 && s == NNT_SOLVER_PRIMAL);
    /* forcing primal always gives primal */
    o.optimizer = NNT_OPT_SGD;
    o.solver = NNT_SOLVER_PRIMAL;
    CHECK(train_solver_resolve(&s, &o, 209, 50, 12288, 7, 1, &err) == 0 && s == NNT_SOLVER_PRIMAL);
    /* exact but not cheaper: as many images as pixels or more */
    CHECK(dual_cheaper(784, 0, 784, 4, 2500) == 0);
    CHECK(dual_cheaper(60000, 10000, 784, 64, 100) == 0);
    CHECK(dual_cheaper(783, 0, 784, 4, 2500) == 1); /* per step: 2·4·783² < 4·4·784·783 */
    /* too few steps to repay the Gram matrix: one step costs 4·7·12288·209 primal flops,
     * G alone 2·12288·209², about fifteen primal steps */
    CHECK(dual_cheaper(209, 0, 12288, 7, 1) == 0);
    CHECK(dual_cheaper(209, 0, 12288, 7, 10) == 0);
    CHECK(dual_cheaper(209, 0, 12288, 7, 40) == 1);
    /* the memory cap: 16384² floats is exactly 1 GiB; one more image, or evaluation sets, exceed it */
    CHECK(dual_cheaper(16384, 0, 1000000, 7, 100000) == 1);
    CHECK(dual_cheaper(16385, 0, 1000000, 7, 100000) == 0);
    CHECK(dual_cheaper(16384, 100, 1000000, 7, 100000) == 0);
    CHECK(dual_cheaper(0, 0, 10, 1, 10) == 0);
    o.solver = NNT_SOLVER_AUTO;
    CHECK(train_solver_resolve(&s, &o, 16385, 0, 1000000, 7, 1, &err) == 0 && s == NNT_SOLVER_PRIMAL);
    o.solver = NNT_SOLVER_DUAL; /* forced: the user may have the memory */
    CHECK(train_solver_resolve(&s, &o, 16385, 0, 1000000, 7, 1, &err) == 0 && s == NNT_SOLVER_DUAL);
    /* the Gram matrix needs every image: over ranks auto is primal and forced dual an error */
    o.solver = NNT_SOLVER_AUTO;
    o.optimizer = NNT_OPT_SGD;
    CHECK(train_solver_resolve(&s, &o, 209, 50, 12288, 7, 2, &err) == 0 && s == NNT_SOLVER_PRIMAL);
    o.solver = NNT_SOLVER_DUAL;
    CHECK(train_solver_resolve(&s, &o, 209, 50, 12288, 7, 2, &err) == -1);
    CHECKF(strstr(err.msg, "one process") != NULL, "message: %s", err.msg);
    /* dropout: the masks leave the fixed Gram form, so auto is primal where the same full-batch
     * sgd without it is dual, and a forced dual is refused before loading (train_opts_check) */
    for (int aug = 0; aug < 2; aug++) { /* and augmentation: the Gram matrix is of fixed images */
        nnt_train_opts d = train_opts_default();
        d.epochs = 2500;
        if (aug)
            d.augment.shift = 1;
        else
            d.dropout = 0.5f;
        CHECK(dual_inexact_reason(&d, 209) != NULL);
        CHECK(train_solver_resolve(&s, &d, 209, 50, 12288, 7, 1, &err) == 0 && s == NNT_SOLVER_PRIMAL);
        d.solver = NNT_SOLVER_DUAL;
        CHECK(train_opts_check(&d, 1, &err) == -1);
        CHECKF(strstr(err.msg, aug ? "--augment" : "--dropout") != NULL, "message: %s", err.msg);
        CHECK(train_solver_resolve(&s, &d, 209, 50, 12288, 7, 1, &err) == -1);
        d.dropout = 0.0f;
        d.augment.shift = 0; /* all zero is no augmentation */
        CHECK(train_solver_resolve(&s, &d, 209, 50, 12288, 7, 1, &err) == 0 && s == NNT_SOLVER_DUAL);
    }
    CHECK(strcmp(train_solver_name(NNT_SOLVER_DUAL), "dual") == 0);
    CHECK(train_solver_parse(&s, "primal") == 0 && s == NNT_SOLVER_PRIMAL);
    CHECK(train_solver_parse(&s, "Dual") == -1);
}

/* --epochs auto: 1000 steps and at least 20 epochs; with patience a bound of at least 200. */
static void test_epochs_auto(void)
{
    CHECK(train_epochs_auto(600, 64, 0) == 100);     /* 10 steps an epoch */
    CHECK(train_epochs_auto(60000, 64, 0) == 20);    /* 938 steps an epoch: the floor */
    CHECK(train_epochs_auto(209, 0, 0) == 1000);     /* full batch: one step an epoch */
    CHECK(train_epochs_auto(60000, 64, 5) == 200);   /* patience: a generous bound */
    CHECK(train_epochs_auto(600, 64, 5) == 200);
    CHECK(train_epochs_auto(209, 0, 3) == 1000);     /* already past it */
    CHECK(train_epochs_auto(0, 64, 0) == 20 && train_epochs_auto(0, 0, 2) == 200);
}

int main(void)
{
    test_decision();
    test_epochs_auto();
    return check_done("test_solver");
}
