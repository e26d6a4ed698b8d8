/* test_optim.c — the learning-rate schedule (optim_lr) against hand-computed rates, decoupled
 * weight decay (optim_decay) against its formula and as no gradient term (the step with it is the
 * step without it plus the decay, the optimiser's state untouched), the fused-SGD constants, and
 * each optimiser's usual range of rates. */
#include <string.h>

#include "check.h"
#include "nnt/optim.h"
#include "nnt/rng.h"

static int near(double a, double b) { return fabs(a - b) <= 1e-6 * (fabs(b) > 1.0 ? fabs(b) : 1.0); }

static nnt_optim with_schedule(float lr, nnt_schedule_kind kind, float factor, int every,
                               float lr_min, int warmup)
{
    nnt_optim st;
    memset(&st, 0, sizeof st);
    st.kind = NNT_OPT_SGD;
    st.lr = lr;
    st.sched = (nnt_schedule){kind, factor, every, lr_min, warmup};
    return st;
}

static void schedules(void)
{
    /* constant without warm-up: lr itself, whatever the position */
    nnt_optim c = with_schedule(0.0075f, NNT_SCHED_CONSTANT, 0.1f, 10, 0.0f, 0);
    float r = optim_lr(&c, 7, 3, 5, 20);
    CHECK(memcmp(&r, &c.lr, sizeof r) == 0);

    /* constant after a warm-up of 2 epochs of one step: lr/2, then lr */
    c.sched.warmup = 2;
    CHECK(near(optim_lr(&c, 1, 0, 1, 10), 0.0075 / 2));
    CHECK(near(optim_lr(&c, 2, 0, 1, 10), 0.0075));
    CHECK(near(optim_lr(&c, 9, 0, 1, 10), 0.0075));

    /* step: ×0.5 every 2 epochs after 1 epoch of warm-up, 3 steps an epoch, 6 epochs */
    nnt_optim s = with_schedule(0.2f, NNT_SCHED_STEP, 0.5f, 2, 0.0f, 1);
    CHECK(near(optim_lr(&s, 1, 0, 3, 6), 0.2 / 3));
    CHECK(near(optim_lr(&s, 1, 1, 3, 6), 0.2 * 2 / 3));
    CHECK(near(optim_lr(&s, 1, 2, 3, 6), 0.2));
    CHECK(near(optim_lr(&s, 2, 0, 3, 6), 0.2));
    CHECK(near(optim_lr(&s, 3, 2, 3, 6), 0.2));
    CHECK(near(optim_lr(&s, 4, 0, 3, 6), 0.1));
    CHECK(near(optim_lr(&s, 5, 2, 3, 6), 0.1));
    CHECK(near(optim_lr(&s, 6, 1, 3, 6), 0.05));

    /* cosine from 0.1 to 0.01 after 1 epoch of warm-up, 2 steps an epoch, 3 epochs: the 4 steps
     * after the warm-up at 0.01 + 0.09·(1 + cos(π·q/4))/2 for q = 0..3 */
    nnt_optim k = with_schedule(0.1f, NNT_SCHED_COSINE, 0.1f, 10, 0.01f, 1);
    CHECK(near(optim_lr(&k, 1, 0, 2, 3), 0.05));
    CHECK(near(optim_lr(&k, 1, 1, 2, 3), 0.1));
    CHECK(near(optim_lr(&k, 2, 0, 2, 3), 0.1));
    CHECK(near(optim_lr(&k, 2, 1, 2, 3), 0.01 + 0.09 * (1 + sqrt(0.5)) / 2));
    CHECK(near(optim_lr(&k, 3, 0, 2, 3), 0.055));
    CHECK(near(optim_lr(&k, 3, 1, 2, 3), 0.01 + 0.09 * (1 - sqrt(0.5)) / 2));
    /* a pure function of its arguments: the optimiser's step count does not enter */
    float before = optim_lr(&k, 3, 1, 2, 3);
    optim_begin(&k, 0.5f);
    CHECK(optim_lr(&k, 3, 1, 2, 3) == before);

    nnt_schedule_kind kind;
    for (int i = 0; i < 3; i++)
        CHECK(optim_schedule_parse(&kind, optim_schedule_name((nnt_schedule_kind)i)) == 0 &&
              kind == (nnt_schedule_kind)i);
    CHECK(optim_schedule_parse(&kind, "linear") == -1);
}

/* p ← (1 − rate·λ)·p on the weights in [a, b) only, in any split of the block. */
static void decay_formula(void)
{
    nnt_optim st;
    memset(&st, 0, sizeof st);
    st.weight_decay = 0.5f;
    optim_begin(&st, 0.1f);
    float p[5] = {1, 2, 3, 4, 5}, q[5] = {1, 2, 3, 4, 5};
    const float want[5] = {1, 1.9f, 2.85f, 3.8f, 5};
    optim_decay(&st, p, 0, 5, 1, 4);
    for (int i = 0; i < 5; i++)
        CHECKF(near(p[i], want[i]), "decay of p[%d]: %g, not %g", i, p[i], want[i]);
    optim_decay(&st, q, 3, 5, 1, 4);
    optim_decay(&st, q, 0, 3, 1, 4);
    CHECK(memcmp(p, q, sizeof p) == 0);
    st.weight_decay = 0.0f; /* off: nothing moves */
    optim_decay(&st, q, 0, 5, 0, 5);
    CHECK(memcmp(p, q, sizeof p) == 0);
}

/* The decay is no gradient term: for every optimiser, the step with it moves the weights by the
 * step without it plus −rate·λ·p, leaves the biases' bits and the optimiser's state alone. */
static void decay_not_gradient(void)
{
    enum { N = 40, A = 5, B = 30 };
    for (int k = NNT_OPT_SGD; k <= NNT_OPT_ADAM; k++) {
        float p0[N], pa[N], pb[N], ga[N], gb[N], ma[N] = {0}, va[N] = {0}, mb[N] = {0}, vb[N] = {0};
        nnt_rng rng;
        rng_seed(&rng, 23);
        for (int i = 0; i < N; i++)
            p0[i] = pa[i] = pb[i] = (float)rng_normal(&rng);
        nnt_optim a = {.kind = (nnt_optimizer)k, .lr = 0.1f, .momentum = 0.9f, .beta1 = 0.9f,
                       .beta2 = 0.999f, .eps = 1e-8f, .l2 = 0.01f, .m = ma, .v = va};
        nnt_optim b = a;
        a.weight_decay = 0.3f;
        b.m = mb;
        b.v = vb;
        float rate = 0.05f;
        for (int i = 0; i < N; i++)
            ga[i] = gb[i] = (float)rng_normal(&rng);
        optim_begin(&a, rate);
        optim_add_l2(&a, ga, pa, 0, N, A, B);
        optim_decay(&a, pa, 0, N, A, B);
        optim_update(&a, pa, ga, 0, N);
        optim_begin(&b, rate);
        optim_add_l2(&b, gb, pb, 0, N, A, B);
        optim_update(&b, pb, gb, 0, N);
        const char *what = train_optimizer_name((nnt_optimizer)k);
        double worst = 0.0;
        int biases_same = 1;
        for (int i = 0; i < N; i++) {
            if (i < A || i >= B) {
                biases_same &= memcmp(&pa[i], &pb[i], sizeof pa[i]) == 0;
                continue;
            }
            double want = (double)pb[i] - (double)rate * 0.3 * p0[i];
            worst = fmax(worst, fabs(pa[i] - want));
        }
        CHECKF(worst <= 1e-6, "%s: the step with decay is off the step without it by %g", what,
               worst);
        CHECKF(biases_same, "%s: the decay moved a parameter outside its range", what);
        CHECKF(memcmp(ma, mb, sizeof ma) == 0 && memcmp(va, vb, sizeof va) == 0,
               "%s: the decay changed the optimiser's state", what);
    }
}

/* The fused SGD's constants: without weight decay the bits of 1 − rate·λ (runs keep them). */
static void fused_constants(void)
{
    nnt_optim st;
    memset(&st, 0, sizeof st);
    st.l2 = 0.01f;
    float rate = 0.0075f, want = 1.0f - rate * st.l2, got = optim_sgd_decay(&st, rate);
    CHECK(memcmp(&got, &want, sizeof got) == 0);
    st.weight_decay = 0.2f;
    CHECK(near(optim_sgd_decay(&st, rate), 1.0 - 0.0075 * (0.01 + 0.2)));
    CHECK(near(optim_sgd_step(rate, 0.25f), 0.0075 / 4));
}

static void usual_ranges(void)
{
    float lo, hi;
    CHECK(strcmp(optim_lr_range(NNT_OPT_ADAM, 784, &lo, &hi), "Adam") == 0);
    CHECK(lo == 1e-5f && hi == 1e-2f); /* 0.01 itself is inside */
    CHECK(optim_lr_range(NNT_OPT_ADAM, 16, &lo, &hi) && hi == 1e-2f);
    optim_lr_range(NNT_OPT_ADAM, 12288, &lo, &hi); /* the cat set: 0.001 inside, 0.0075 not */
    CHECKF(near(hi, 1e-2 * sqrt(784.0 / 12288.0)) && 0.001f <= hi && 0.0075f > hi, "hi %g", hi);
    CHECK(strcmp(optim_lr_range(NNT_OPT_SGD, 12288, &lo, &hi), "SGD") == 0);
    CHECK(lo == 1e-4f && hi == 1.0f && 0.0075f >= lo);
    CHECK(strcmp(optim_lr_range(NNT_OPT_MOMENTUM, 784, &lo, &hi), "momentum") == 0);
}

int main(void)
{
    schedules();
    decay_formula();
    decay_not_gradient();
    fused_constants();
    usual_ranges();
    return check_done("test_optim");
}
