/* test_train.c — the training loop on generated data: it learns, is reproducible, stops when
 * asked, reports divergence, and mini-batches work. */
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "nnt/eval.h"
#include "nnt/train.h"

/* Two classes of 4x4 gray "images": bright on the left half (class 0) or on the right (1). */
static nnt_dataset make_data(size_t m, uint64_t seed)
{
    nnt_dataset ds = {0};
    nnt_rng rng;
    rng_seed(&rng, seed);
    ds.geom = (nnt_geometry){4, 4, 1};
    ds.n_x = 16;
    ds.m = m;
    ds.X = malloc(16 * m);
    ds.y = malloc(m * sizeof *ds.y);
    for (size_t j = 0; j < m; j++) {
        int c = (int)rng_below(&rng, 2);
        ds.y[j] = c;
        for (int p = 0; p < 16; p++) {
            int right = (p % 4) >= 2;
            int bright = right == c;
            ds.X[j * 16 + p] = (uint8_t)(bright ? 150 + rng_below(&rng, 100) : rng_below(&rng, 100));
        }
    }
    return ds;
}

static void free_data(nnt_dataset *ds)
{
    free(ds->X);
    free(ds->y);
}

typedef struct counter {
    int calls, last_epoch;
    double first_cost, last_cost;
} counter;

static void count_progress(void *ctx, const nnt_progress *p)
{
    counter *c = ctx;
    if (c->calls++ == 0)
        c->first_cost = p->cost;
    c->last_cost = p->cost;
    c->last_epoch = p->epoch;
}

static int train_once(nnt_net *net, const nnt_dataset *ds, nnt_act act, size_t batch, float lr,
                      int epochs, const volatile sig_atomic_t *stop, counter *cnt, nnt_err *err)
{
    nnt_rng rng;
    rng_seed(&rng, 5);
    if (net_new(net, 16, 6, 1, act, err))
        return -1;
    net_init_normal(net, &rng, 0.01f);
    nnt_train_opts o = {epochs, batch, lr, 10, stop, count_progress, cnt};
    nnt_train_result res;
    return train_run(net, &res, ds, NULL, &rng, &o, err);
}

int main(void)
{
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
        CHECK(ca.calls == 30 && ca.last_epoch == 300);
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

    free_data(&ds);
    free_data(&test);
    return check_done("test_train");
}
