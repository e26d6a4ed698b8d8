/* test_train.c — the training loop on generated data: it learns, is reproducible, stops when
 * asked, reports divergence, and mini-batches work; the optimisers' update is element by
 * element; dropout's runs are reproducible over threads and leave evaluation alone. */
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "gen.h"
#include "nnt/eval.h"
#include "nnt/optim.h"
#include "nnt/train.h"

/* The 4x4 set most tests here use; make_sized for larger ones. */
static nnt_dataset make_sized(size_t m, int side, uint64_t seed)
{
    return gen_halves(m, side, 150, 100, seed);
}

static nnt_dataset make_data(size_t m, uint64_t seed) { return make_sized(m, 4, seed); }

static void free_data(nnt_dataset *ds) { gen_free(ds); }

typedef struct counter {
    int calls, last_epoch;
    double first_cost, last_cost;
} counter;

static void count_progress(void *ctx, const nnt_epoch *e)
{
    counter *c = ctx;
    if (c->calls++ == 0)
        c->first_cost = e->train_loss;
    c->last_cost = e->train_loss;
    c->last_epoch = e->epoch;
}

static int train_opt(nnt_net *net, const nnt_dataset *ds, nnt_act act, nnt_train_opts *o,
                     const volatile sig_atomic_t *stop, counter *cnt, nnt_err *err)
{
    nnt_rng rng;
    rng_seed(&rng, 5);
    if (net_new(net, 16, 6, 1, act, err))
        return -1;
    net_init(net, &rng, NNT_INIT_NORMAL);
    o->stop = stop;
    o->on_epoch = count_progress;
    o->ctx = cnt;
    nnt_train_result res;
    return train_run(net, &res, ds, NULL, NULL, &rng, o, err);
}

/* Largest |a − b| over the parameters, relative to the largest |b|. */
static double max_rel_diff(const nnt_net *a, const nnt_net *b)
{
    double worst = 0.0, scale = 0.0;
    for (size_t i = 0; i < a->n_params; i++) {
        double d = fabs((double)a->params[i] - b->params[i]);
        worst = d > worst ? d : worst;
        scale = fabs(b->params[i]) > scale ? fabs(b->params[i]) : scale;
    }
    return scale > 0.0 ? worst / scale : worst;
}

/* A fresh n_h-unit network on ds's images, trained with o (seeded alike every call). */
static int train_sized(nnt_net *net, const nnt_dataset *ds, int n_h, int n_y, nnt_train_opts *o,
                       nnt_err *err)
{
    nnt_rng rng;
    rng_seed(&rng, 5);
    if (net_new(net, (int)ds->n_x, n_h, n_y, NNT_ACT_RELU, err))
        return -1;
    net_init(net, &rng, NNT_INIT_HE);
    nnt_train_result res;
    return train_run(net, &res, ds, NULL, NULL, &rng, o, err);
}

static int train_once(nnt_net *net, const nnt_dataset *ds, nnt_act act, size_t batch, float lr,
                      int epochs, const volatile sig_atomic_t *stop, counter *cnt, nnt_err *err)
{
    nnt_train_opts o = train_opts_default();
    o.epochs = epochs;
    o.batch = batch;
    o.lr = lr;
    return train_opt(net, ds, act, &o, stop, cnt, err);
}

/* Every optimiser updates each element from that element alone (optim.h): two steps over a
 * block split in two give the bits of two steps over the whole block, L2 on part of it. */
static void optim_split(void)
{
    enum { N = 103, CUT = 37, W = 80 };
    for (int k = NNT_OPT_SGD; k <= NNT_OPT_ADAM; k++) {
        float p1[N], p2[N], g1[N], g2[N], m1[N] = {0}, v1[N] = {0}, m2[N] = {0}, v2[N] = {0};
        nnt_rng rng;
        rng_seed(&rng, 17);
        for (int i = 0; i < N; i++)
            p1[i] = p2[i] = (float)rng_normal(&rng);
        nnt_optim a = {(nnt_optimizer)k, 0.1f, 0.9f, 0.9f, 0.999f, 1e-8f, 0.01f, m1, v1, 0, 0, 0,
                       {0}, 0.0f, 0.0f};
        nnt_optim b = a;
        b.m = m2;
        b.v = v2;
        int bad = 0;
        for (int t = 0; t < 2; t++) {
            for (int i = 0; i < N; i++)
                g1[i] = g2[i] = (float)rng_normal(&rng);
            optim_begin(&a, a.lr);
            optim_add_l2(&a, g1, p1, 0, N, 0, W);
            bad |= optim_update(&a, p1, g1, 0, N);
            optim_begin(&b, b.lr);
            optim_add_l2(&b, g2, p2, CUT, N, 0, W);
            optim_add_l2(&b, g2, p2, 0, CUT, 0, W);
            bad |= optim_update(&b, p2, g2, CUT, N);
            bad |= optim_update(&b, p2, g2, 0, CUT);
        }
        const char *what = train_optimizer_name((nnt_optimizer)k);
        CHECKF(!bad && optim_finite(p1, N), "%s: not finite", what);
        CHECKF(memcmp(p1, p2, sizeof p1) == 0, "%s: a split block moves differently", what);
        CHECKF(memcmp(m1, m2, sizeof m1) == 0 && memcmp(v1, v2, sizeof v1) == 0,
               "%s: a split block's state differs", what);
    }
    float inf[3] = {1.0f, INFINITY, 0.0f};
    CHECK(!optim_finite(inf, 3) && optim_finite(inf, 1));
}

/* The last epoch's validation loss and accuracy, as the loop reported them. */
static void keep_val(void *ctx, const nnt_epoch *e)
{
    double *v = ctx;
    v[0] = e->val_loss;
    v[1] = e->val_acc;
}

/* One full-batch step of the trainer with dropout, on the fused path (sgd, one thread) and the
 * stored one (momentum μ = 0, two threads), against the reference passes with epoch 1's masks
 * (net_forward_dropout, net_backward_dropout): tanh, whose g′ from the masked activation would
 * differ (ReLU's would not). */
static void dropout_step(const nnt_dataset *ds)
{
    enum { DH = 64 };
    nnt_err err;
    nnt_rng rng;
    nnt_net start = {0}, grad = {0}, net = {0};
    int m = (int)ds->m, n_x = (int)ds->n_x;
    CHECK(net_new(&start, n_x, DH, 1, NNT_ACT_TANH, &err) == 0);
    CHECK(net_new(&grad, n_x, DH, 1, NNT_ACT_TANH, &err) == 0);
    rng_seed(&rng, 5);
    net_init(&start, &rng, NNT_INIT_XAVIER);
    float *X = malloc((size_t)n_x * m * sizeof *X), *A1 = malloc((size_t)DH * m * sizeof *A1);
    float *Ad = malloc((size_t)DH * m * sizeof *Ad), *Dm = malloc((size_t)DH * m * sizeof *Dm);
    float *dZ1 = malloc((size_t)DH * m * sizeof *dZ1), *Z2 = malloc((size_t)m * sizeof *Z2);
    float *A2 = malloc((size_t)m * sizeof *A2), *dZ2 = malloc((size_t)m * sizeof *dZ2);
    int32_t *y = malloc((size_t)m * sizeof *y);
    uint64_t *key = malloc((size_t)m * sizeof *key);
    CHECK(X && A1 && Ad && Dm && dZ1 && Z2 && A2 && dZ2 && y && key);
    dataset_gather(X, y, ds, NULL, 0, (size_t)m);
    for (int j = 0; j < m; j++)
        key[j] = dropout_key(7, 1, (uint64_t)j);
    dropout_mask(Dm, key, 0.3f, DH, m, 0, DH);
    net_forward_dropout(A1, Ad, Z2, A2, &start, X, Dm, m);
    net_backward_dropout(&grad, dZ2, dZ1, &start, X, A1, Ad, Dm, A2, y, m, 1.0f / (float)m);
    for (size_t i = 0; i < grad.n_params; i++) /* the reference step: p − lr·∇ */
        grad.params[i] = start.params[i] - 0.05f * grad.params[i];
    for (int k = 0; k < 2; k++) {
        nnt_train_opts o = train_opts_default();
        o.lr = 0.05f;
        o.dropout = 0.3f;
        o.dropout_seed = 7;
        o.optimizer = k ? NNT_OPT_MOMENTUM : NNT_OPT_SGD;
        o.momentum = 0.0f;
        o.threads = k ? 2 : 1;
        CHECK(net_new(&net, n_x, DH, 1, NNT_ACT_TANH, &err) == 0);
        memcpy(net.params, start.params, start.n_params * sizeof *start.params);
        nnt_train_result res;
        CHECK(train_run(&net, &res, ds, NULL, NULL, &rng, &o, &err) == 0);
        double rel = max_rel_diff(&net, &grad);
        CHECKF(rel <= 1e-5, "dropout, %s: the trainer's step differs from the reference by %g",
               k ? "stored" : "fused", rel);
        net_free(&net);
    }
    free(X), free(A1), free(Ad), free(Dm), free(dZ1), free(Z2), free(A2), free(dZ2), free(y);
    free(key);
    net_free(&start);
    net_free(&grad);
}

/* Dropout in training steps changes what is learnt and still learns, the loop evaluates
 * without it, and a step is the reference's (dropout_step); the thread team's runs with it are
 * main's. */
static void dropout_runs(void)
{
    nnt_err err;
    nnt_dataset big = make_sized(300, 28, 21), val = make_sized(60, 28, 22);
    nnt_net fused = {0}, plain = {0};
    nnt_train_opts o = train_opts_default();
    o.epochs = 3;
    o.batch = 40;
    o.lr = 0.05f;
    o.threads = 2;
    CHECK(train_sized(&plain, &big, 64, 1, &o, &err) == 0);
    o.dropout = 0.3f;
    o.dropout_seed = 7;
    CHECK(train_sized(&fused, &big, 64, 1, &o, &err) == 0);
    CHECKF(max_rel_diff(&fused, &plain) > 1e-3, "dropout 0.3 changed nothing: %g",
           max_rel_diff(&fused, &plain));
    nnt_eval ev;
    CHECK(eval_dataset(&ev, NULL, NULL, &fused, &big, &err) == 0);
    CHECKF(ev.accuracy >= 0.95, "dropout: train accuracy %g", ev.accuracy);
    /* the loop's validation: the network as it is, whatever o.dropout says */
    double seen[2] = {NAN, NAN};
    nnt_net net = {0};
    nnt_rng rng;
    rng_seed(&rng, 5);
    CHECK(net_new(&net, (int)big.n_x, 64, 1, NNT_ACT_RELU, &err) == 0);
    net_init(&net, &rng, NNT_INIT_HE);
    o.dropout = 0.5f;
    o.on_epoch = keep_val;
    o.ctx = seen;
    nnt_train_result res;
    CHECK(train_run(&net, &res, &big, &val, NULL, &rng, &o, &err) == 0);
    CHECK(eval_dataset(&ev, NULL, NULL, &net, &val, &err) == 0);
    CHECKF(seen[0] == ev.loss && seen[1] == ev.accuracy,
           "dropout: the loop's validation %g/%g, the network's %g/%g", seen[0], seen[1], ev.loss,
           ev.accuracy);
    net_free(&net);
    dropout_step(&big);
    net_free(&fused);
    net_free(&plain);
    free_data(&big);
    free_data(&val);
}

int main(void)
{
    optim_split();
    nnt_dataset ds = make_data(200, 1), test = make_data(100, 2);
    nnt_err err;
    nnt_eval ev;

    for (int k = 0; k < NNT_ACT_COUNT; k++) {
        nnt_net a = {0}, b = {0};
        counter ca = {0}, cb = {0};
        float lr = k == NNT_ACT_SIGMOID ? 2.0f : 0.5f; /* sigmoid learns slowly away from zero */
        CHECK(train_once(&a, &ds, (nnt_act)k, 0, lr, 300, NULL, &ca, &err) == 0);
        CHECK(eval_dataset(&ev, NULL, NULL, &a, &test, &err) == 0);
        CHECKF(ev.accuracy >= 0.95, "%s: test accuracy %g", act_name((nnt_act)k), ev.accuracy);
        CHECKF(ca.last_cost < 0.5 * ca.first_cost, "%s: cost %g -> %g", act_name((nnt_act)k), ca.first_cost, ca.last_cost);
        CHECK(ca.calls == 300 && ca.last_epoch == 300);
        /* same seed, same data: bit-identical parameters */
        CHECK(train_once(&b, &ds, (nnt_act)k, 0, lr, 300, NULL, &cb, &err) == 0);
        CHECK(memcmp(a.params, b.params, a.n_params * sizeof(float)) == 0);
        net_free(&a);
        net_free(&b);
    }

    /* mini-batches: reshuffled each epoch, still learns */
    nnt_net net = {0};
    counter c = {0};
    CHECK(train_once(&net, &ds, NNT_ACT_RELU, 16, 0.5f, 30, NULL, &c, &err) == 0);
    CHECK(eval_dataset(&ev, NULL, NULL, &net, &test, &err) == 0);
    CHECKF(ev.accuracy >= 0.95, "mini-batch test accuracy %g", ev.accuracy);
    net_free(&net);

    /* a stop request is honoured at the next step */
    volatile sig_atomic_t stop = 1;
    c = (counter){0};
    CHECK(train_once(&net, &ds, NNT_ACT_RELU, 0, 0.5f, 100, &stop, &c, &err) == NNT_TRAIN_STOPPED);
    CHECK(c.calls == 0);
    net_free(&net);

    /* divergence: an absurd learning rate makes the cost or a parameter non-finite */
    c = (counter){0};
    int rc = train_once(&net, &ds, NNT_ACT_RELU, 0, 1e30f, 100, NULL, &c, &err);
    CHECK(rc == -1);
    CHECKF(rc == -1 && strstr(err.msg, "lower learning rate") != NULL, "message: %s", err.msg);
    net_free(&net);

    /* momentum and Adam learn too, and differ from plain descent */
    for (int k = NNT_OPT_MOMENTUM; k <= NNT_OPT_ADAM; k++) {
        nnt_train_opts o = train_opts_default();
        o.epochs = 20;
        o.batch = 20;
        o.optimizer = (nnt_optimizer)k;
        o.lr = k == NNT_OPT_ADAM ? 0.01f : 0.05f;
        c = (counter){0};
        CHECK(train_opt(&net, &ds, NNT_ACT_RELU, &o, NULL, &c, &err) == 0);
        CHECK(eval_dataset(&ev, NULL, NULL, &net, &test, &err) == 0);
        CHECKF(ev.accuracy >= 0.95, "%s: test accuracy %g", train_optimizer_name((nnt_optimizer)k), ev.accuracy);
        net_free(&net);
    }

    /* L2 decay keeps the weights smaller than without it */
    {
        nnt_net plain = {0}, decayed = {0};
        nnt_train_opts o = train_opts_default();
        o.epochs = 100;
        o.lr = 0.5f;
        CHECK(train_opt(&plain, &ds, NNT_ACT_RELU, &o, NULL, &c, &err) == 0);
        o.l2 = 0.05f;
        CHECK(train_opt(&decayed, &ds, NNT_ACT_RELU, &o, NULL, &c, &err) == 0);
        double n_plain = 0, n_decayed = 0;
        for (size_t i = 0; i < (size_t)plain.n_h * plain.n_x; i++) {
            n_plain += plain.W1[i] * plain.W1[i];
            n_decayed += decayed.W1[i] * decayed.W1[i];
        }
        CHECKF(n_decayed < 0.8 * n_plain, "|W1|^2 %g with L2, %g without", n_decayed, n_plain);
        net_free(&plain);
        net_free(&decayed);
    }

    /* early stopping: a validation set labelled the other way round gets worse as training
     * gets better, so the best epoch is the first, and its weights are what remains */
    {
        nnt_dataset flipped = make_data(60, 3);
        for (size_t j = 0; j < flipped.m; j++)
            flipped.y[j] = !flipped.y[j];
        nnt_train_opts o = train_opts_default();
        o.epochs = 50;
        o.batch = 50;
        o.lr = 0.5f;
        o.patience = 3;
        nnt_net first = {0};
        nnt_rng rng;
        nnt_train_result res;
        nnt_train_opts one = o;
        one.epochs = 1;
        one.patience = 0;
        CHECK(net_new(&first, 16, 6, 1, NNT_ACT_RELU, &err) == 0);
        rng_seed(&rng, 5);
        net_init(&first, &rng, NNT_INIT_NORMAL);
        CHECK(train_run(&first, &res, &ds, NULL, NULL, &rng, &one, &err) == 0);
        CHECK(net_new(&net, 16, 6, 1, NNT_ACT_RELU, &err) == 0);
        rng_seed(&rng, 5);
        net_init(&net, &rng, NNT_INIT_NORMAL);
        CHECK(train_run(&net, &res, &ds, &flipped, NULL, &rng, &o, &err) == 0);
        CHECKF(res.stopped_early && res.best_epoch == 1 && res.epochs_run == 4,
               "stopped %d, best %d, ran %d", res.stopped_early, res.best_epoch, res.epochs_run);
        CHECK(memcmp(net.params, first.params, net.n_params * sizeof(float)) == 0);
        net_free(&net);
        net_free(&first);
        free_data(&flipped);
    }

    /* the validation split (of the file list) is stratified, seeded, disjoint and complete */
    {
        nnt_dataset d = make_data(101, 9);
        char names[101][8];
        char *paths[101];
        nnt_filelist all = {101, paths, d.y}, fit, held, again_fit, again_held;
        size_t n1 = 0;
        for (size_t j = 0; j < 101; j++) {
            snprintf(names[j], sizeof names[j], "%zu", j);
            paths[j] = names[j];
            n1 += d.y[j] == 1;
        }
        nnt_rng rng;
        rng_seed(&rng, 1);
        CHECK(filelist_split(&fit, &held, &all, 0.2, 2, &rng, &err) == 0);
        size_t v1 = 0;
        for (size_t j = 0; j < held.n; j++)
            v1 += held.labels[j] == 1;
        CHECK(fit.n + held.n == 101);
        CHECK(v1 == (size_t)floor(0.2 * (double)n1 + 0.5));
        CHECK(held.n - v1 == (size_t)floor(0.2 * (double)(101 - n1) + 0.5));
        /* no file in both, each keeps its label and the list's order */
        int disjoint = 1, ordered = 1, labelled = 1;
        for (size_t i = 0; i < held.n; i++)
            for (size_t j = 0; j < fit.n; j++)
                disjoint &= strcmp(held.paths[i], fit.paths[j]) != 0;
        for (size_t j = 0; j < fit.n; j++) {
            labelled &= fit.labels[j] == d.y[strtol(fit.paths[j], NULL, 10)];
            ordered &= j == 0 || strtol(fit.paths[j - 1], NULL, 10) < strtol(fit.paths[j], NULL, 10);
        }
        for (size_t j = 0; j < held.n; j++) {
            labelled &= held.labels[j] == d.y[strtol(held.paths[j], NULL, 10)];
            ordered &= j == 0 || strtol(held.paths[j - 1], NULL, 10) < strtol(held.paths[j], NULL, 10);
        }
        CHECK(disjoint && ordered && labelled);
        /* the same seed splits the same way (every rank of a data-parallel run relies on it) */
        rng_seed(&rng, 1);
        CHECK(filelist_split(&again_fit, &again_held, &all, 0.2, 2, &rng, &err) == 0);
        CHECK(again_held.n == held.n &&
              memcmp(again_held.paths, held.paths, held.n * sizeof *held.paths) == 0);
        filelist_release(&fit);
        filelist_release(&held);
        /* a fraction that rounds to nothing in every class is an error, not an empty set */
        nnt_filelist one = {1, paths, d.y};
        CHECK(filelist_split(&fit, &held, &one, 0.2, 2, &rng, &err) != 0);
        CHECK(strstr(err.msg, "leaves no image to validate on") != NULL);
        CHECK(fit.paths == NULL && held.paths == NULL);
        filelist_release(&again_fit);
        filelist_release(&again_held);
        free_data(&d);
    }

    /* a communicator of one rank trains exactly as no communicator: the data-parallel
     * bookkeeping (global batch, shard slices, summed statistics) reduces to the plain loop */
    {
        nnt_dataset d = make_data(101, 13);
        nnt_comm comm;
        CHECK(comm_init(&comm, &err) == 0);
        CHECK(comm.rank == 0 && comm.size == 1);
        nnt_train_opts o = train_opts_default();
        o.epochs = 4;
        o.batch = 32; /* 101 = 3·32 + 5: a short last step */
        o.optimizer = NNT_OPT_ADAM;
        o.lr = 0.01f;
        o.l2 = 0.001f;
        nnt_net plain = {0}, ranked = {0};
        counter c1 = {0}, c2 = {0};
        CHECK(train_opt(&plain, &d, NNT_ACT_RELU, &o, NULL, &c1, &err) == 0);
        o.comm = &comm;
        CHECK(train_opt(&ranked, &d, NNT_ACT_RELU, &o, NULL, &c2, &err) == 0);
        CHECK(memcmp(plain.params, ranked.params, plain.n_params * sizeof(float)) == 0);
        CHECK(c1.last_cost == c2.last_cost && c1.calls == c2.calls);
        comm_finalize(&comm);
        net_free(&plain);
        net_free(&ranked);
        free_data(&d);
    }

    /* A team of threads (which splits each step by hidden units and images, and the update by
     * ranges) computes the same parameters as one thread, up to the BLAS's rounding of products
     * of other shapes, and twice the same run with 2 threads gives the same bits. Every
     * optimiser, mini-batch and full batch, with L2, one sigmoid output and a softmax of 3 (a
     * third class taken from every third image), and with dropout (whose masks depend on the
     * seed, the epoch and the image's position alone, not on the split), on the fused path (sgd)
     * and a stored one (momentum). The sizes are large enough for the trainer to use a second
     * thread (64 units x 784 x 40). */
    {
        nnt_dataset big = make_sized(300, 28, 21), three = make_sized(300, 28, 21);
        for (size_t j = 0; j < three.m; j += 3)
            three.y[j] = 2;
        for (int case_ = 0; case_ < 16; case_++) {
            int n_y = case_ < 6 ? 1 : 3, k = case_ / 2 % 3, full = case_ % 2, drop = case_ >= 12;
            const nnt_dataset *set = n_y == 1 ? &big : &three;
            nnt_net one = {0}, two = {0}, again = {0};
            nnt_train_opts o = train_opts_default();
            o.epochs = 3;
            o.batch = full ? 0 : 40;
            o.optimizer = (nnt_optimizer)k;
            o.lr = k == NNT_OPT_ADAM ? 0.001f : 0.05f;
            o.l2 = 1e-3f;
            o.dropout = drop ? 0.3f : 0.0f;
            o.dropout_seed = 7;
            o.threads = 1;
            CHECK(train_sized(&one, set, 64, n_y, &o, &err) == 0);
            o.threads = 2;
            CHECK(train_sized(&two, set, 64, n_y, &o, &err) == 0);
            CHECK(train_sized(&again, set, 64, n_y, &o, &err) == 0);
            const char *what = train_optimizer_name((nnt_optimizer)k);
            CHECKF(memcmp(two.params, again.params, two.n_params * sizeof(float)) == 0,
                   "%s: two runs with 2 threads differ", what);
            double rel = max_rel_diff(&one, &two);
            CHECKF(rel <= 1e-4, "%s, %s, %d outputs%s: 2 threads differ from 1 by %g", what,
                   full ? "full batch" : "batch 40", n_y, drop ? ", dropout" : "", rel);
            net_free(&one);
            net_free(&two);
            net_free(&again);
        }
        /* plain SGD in one process is fused into the products (W ← decay·W − step·dZ·Xᵀ, no
         * gradient stored); momentum with μ = 0 is the same algorithm through a stored
         * gradient. They agree to float rounding, and both learn. */
        nnt_net fused = {0}, stored = {0};
        nnt_train_opts o = train_opts_default();
        o.epochs = 3;
        o.batch = 40;
        o.lr = 0.05f;
        o.l2 = 1e-3f;
        o.threads = 2;
        CHECK(train_sized(&fused, &big, 64, 1, &o, &err) == 0);
        o.optimizer = NNT_OPT_MOMENTUM;
        o.momentum = 0.0f;
        CHECK(train_sized(&stored, &big, 64, 1, &o, &err) == 0);
        double rel = max_rel_diff(&fused, &stored);
        CHECKF(rel <= 1e-4, "fused SGD differs from stored-gradient SGD by %g", rel);
        CHECK(eval_dataset(&ev, NULL, NULL, &fused, &big, &err) == 0);
        CHECKF(ev.accuracy >= 0.95, "fused SGD train accuracy %g", ev.accuracy);
        net_free(&stored);
        /* the same with a schedule (cosine after a warm-up, per step) and decoupled weight
         * decay: the fused products take the scheduled rate and the decay as the stored
         * gradient's update does; and the schedule moves the result from the run above */
        nnt_net plain = fused;
        fused = (nnt_net){0};
        o.optimizer = NNT_OPT_SGD;
        o.schedule = (nnt_schedule){NNT_SCHED_COSINE, 0.1f, 10, 0.005f, 1};
        o.weight_decay = 0.05f;
        CHECK(train_sized(&fused, &big, 64, 1, &o, &err) == 0);
        o.optimizer = NNT_OPT_MOMENTUM; /* μ still 0 */
        CHECK(train_sized(&stored, &big, 64, 1, &o, &err) == 0);
        rel = max_rel_diff(&fused, &stored);
        CHECKF(rel <= 1e-4, "scheduled, decayed: fused SGD differs from stored-gradient SGD by %g",
               rel);
        CHECKF(max_rel_diff(&fused, &plain) > 1e-2, "the schedule and decay moved nothing (%g)",
               max_rel_diff(&fused, &plain));
        net_free(&plain);
        net_free(&fused);
        net_free(&stored);
        free_data(&big);
        free_data(&three);
    }

    dropout_runs();
    free_data(&ds);
    free_data(&test);
    return check_done("test_train");
}
