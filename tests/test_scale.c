/* test_scale.c — input scaling: the statistics of a hand-made set (constant and nearly constant
 * pixels, the one-grey-level floor), shards summing to the whole, dataset_gather applying the
 * scaler, the fold (a network on scaled inputs and its folded copy on raw ones agree), and a
 * central-difference check that training on scaled inputs follows the gradient of the folded
 * network's loss on raw pixels. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "nnt/dataset.h"
#include "nnt/net.h"
#include "nnt/scale.h"

static void names(void)
{
    nnt_scale_kind k = NNT_SCALE_NONE;
    for (int i = 0; i < 3; i++)
        CHECK(scale_parse(&k, scale_name((nnt_scale_kind)i)) == 0 && k == (nnt_scale_kind)i);
    CHECK(scale_parse(&k, "standardise") == -1 && k == NNT_SCALE_STANDARDIZE);
    CHECK(strcmp(scale_name(NNT_SCALE_CENTER), "center") == 0);
}

/* Four images of five pixels, column-major (one image a column of 5). */
enum { HX = 5, HM = 4 };
static const uint8_t hand[HX * HM] = {
    0,   7, 10, 10, 1,
    255, 7, 12, 11, 2,
    0,   7, 10, 10, 3,
    255, 7, 12, 11, 4,
};

static void statistics(void)
{
    nnt_scaler s;
    nnt_err err;
    CHECK(scale_fit(&s, NNT_SCALE_STANDARDIZE, hand, HX, HM, &err) == 0);
    CHECK(s.kind == NNT_SCALE_STANDARDIZE && s.n_x == HX);
    /* pixel 0: 0 or 255, mean 0.5, sd 0.5 */
    CHECK(s.mu[0] == 0.5f && s.inv_sigma[0] == 2.0f);
    /* pixel 1 is constant: centred, not divided */
    CHECK(s.mu[1] == 7.0f / 255.0f && s.inv_sigma[1] == 1.0f);
    /* pixel 2: 10 or 12, sd exactly one grey level, the floor itself: divided */
    CHECK(s.mu[2] == 11.0f / 255.0f && s.inv_sigma[2] == 255.0f);
    /* pixel 3: 10 or 11, sd half a grey level, below the floor: only centred */
    CHECK(s.mu[3] == 10.5f / 255.0f && s.inv_sigma[3] == 1.0f);
    /* pixel 4: 1, 2, 3, 4: mean 2.5, variance 1.25 (in grey levels) */
    CHECK(s.mu[4] == 2.5f / 255.0f);
    CHECK_NEAR(s.inv_sigma[4], 255.0 / sqrt(1.25), 1e-4);
    scale_free(&s);
    CHECK(s.mu == NULL && s.inv_sigma == NULL && s.n_x == 0);

    CHECK(scale_fit(&s, NNT_SCALE_CENTER, hand, HX, HM, &err) == 0);
    for (int p = 0; p < HX; p++)
        CHECK(s.inv_sigma[p] == 1.0f);
    CHECK(s.mu[0] == 0.5f);
    scale_free(&s);

    /* two shards' sums add up to the whole set's, bit for bit, in either order */
    double whole[2 * HX + 1] = {0}, ab[2 * HX + 1] = {0}, ba[2 * HX + 1] = {0};
    scale_sums(whole, hand, HX, HM);
    scale_sums(ab, hand, HX, 1);
    scale_sums(ab, hand + HX, HX, HM - 1);
    scale_sums(ba, hand + HX, HX, HM - 1);
    scale_sums(ba, hand, HX, 1);
    CHECK(memcmp(whole, ab, sizeof whole) == 0 && memcmp(whole, ba, sizeof whole) == 0);
    CHECK(whole[2 * HX] == HM && whole[0] == 510.0 && whole[HX] == 2.0 * 255 * 255);

    /* no image: nothing to scale by */
    double none[2 * HX + 1] = {0};
    CHECK(scale_new(&s, NNT_SCALE_CENTER, none, HX, &err) == -1 && strstr(err.msg, "--scale"));
    CHECK(s.mu == NULL);
    scale_free(&s);
}

static void gather(void)
{
    nnt_scaler s;
    nnt_err err;
    CHECK(scale_fit(&s, NNT_SCALE_STANDARDIZE, hand, HX, HM, &err) == 0);
    int32_t y[HM] = {0, 1, 0, 1};
    nnt_dataset ds = {.geom = {HX, 1, 1}, .n_x = HX, .m = HM, .X = (uint8_t *)hand, .y = y};
    float raw[HX * 2], scaled[HX * 2];
    size_t idx[2] = {1, 2};
    dataset_gather(raw, NULL, &ds, idx, 0, 2);
    ds.scale = &s;
    dataset_gather(scaled, NULL, &ds, idx, 0, 2);
    for (int i = 0; i < HX * 2; i++) {
        int p = i % HX;
        CHECK(raw[i] == (float)hand[HX * (size_t)idx[i / HX] + (size_t)p] / 255.0f);
        CHECK(scaled[i] == (raw[i] - s.mu[p]) * s.inv_sigma[p]);
    }
    CHECK(scaled[0] == 1.0f && scaled[HX] == -1.0f && scaled[1] == 0.0f);
    /* the whole set (idx NULL), as evaluation gathers it */
    float all[HX * HM];
    dataset_gather(all, y, &ds, NULL, 0, HM);
    CHECK(memcmp(all + HX, scaled, HX * sizeof *all) == 0);
    scale_free(&s);
}

/* A small net and data for the fold and the gradient check: NX inputs, the first constant. */
enum { NX = 6, NH = 5, M = 7 };

/* M random images (pixel 0 constant) with labels, s of kind fitted on them, and a Xavier net
 * with non-zero biases (so b1's shift by the fold shows), all from seed. */
static void make_case(nnt_net *net, nnt_scaler *s, uint8_t *X, int32_t *y, nnt_scale_kind kind,
                      nnt_act act, int n_y, uint64_t seed)
{
    nnt_rng rng;
    nnt_err err;
    rng_seed(&rng, seed);
    for (int j = 0; j < M; j++) {
        for (int p = 0; p < NX; p++)
            X[j * NX + p] = p == 0 ? 200 : (uint8_t)rng_below(&rng, 256);
        y[j] = (int32_t)rng_below(&rng, n_y == 1 ? 2 : (uint64_t)n_y);
    }
    CHECK(scale_fit(s, kind, X, NX, M, &err) == 0);
    CHECK(s->inv_sigma[0] == 1.0f); /* the constant pixel */
    CHECK(net_new(net, NX, NH, n_y, act, &err) == 0);
    net_init(net, &rng, NNT_INIT_XAVIER);
    for (int i = 0; i < NH; i++)
        net->b1[i] = (float)rng_normal(&rng) * 0.3f;
}

/* Mean loss of net on the raw images X (n_x × M) once s is folded into a copy of it. */
static double folded_loss(const nnt_net *net, const nnt_scaler *s, const uint8_t *X,
                          const int32_t *y)
{
    nnt_net f;
    nnt_err err;
    float Xf[NX * M], A1[NH * M], Z2[3 * M], A2[3 * M];
    if (net_new(&f, net->n_x, net->n_h, net->n_y, net->act, &err))
        return NAN;
    memcpy(f.params, net->params, net->n_params * sizeof *f.params);
    scale_fold(f.W1, f.b1, s, f.n_h);
    nnt_dataset ds = {.n_x = NX, .m = M, .X = (uint8_t *)X, .y = (int32_t *)y};
    dataset_gather(Xf, NULL, &ds, NULL, 0, M);
    net_forward(A1, Z2, A2, &f, Xf, M);
    net_free(&f);
    return output_loss(Z2, y, net->n_y, M) / M;
}

/* The network on scaled inputs and its folded copy on raw ones give the same outputs. */
static void fold(nnt_scale_kind kind, nnt_act act, int n_y)
{
    nnt_net net, f;
    nnt_err err;
    nnt_scaler s;
    uint8_t X[NX * M];
    int32_t y[M];
    make_case(&net, &s, X, y, kind, act, n_y, 11 + (uint64_t)kind * 7 + (uint64_t)n_y);
    CHECK(net_new(&f, NX, NH, n_y, act, &err) == 0);
    memcpy(f.params, net.params, net.n_params * sizeof *f.params);
    scale_fold(f.W1, f.b1, &s, NH);
    nnt_dataset ds = {.n_x = NX, .m = M, .X = X, .y = y};
    float Xr[NX * M], Xs[NX * M];
    dataset_gather(Xr, NULL, &ds, NULL, 0, M);
    ds.scale = &s;
    dataset_gather(Xs, NULL, &ds, NULL, 0, M);
    float A1s[NH * M], Z2s[3 * M], A2s[3 * M], A1f[NH * M], Z2f[3 * M], A2f[3 * M];
    net_forward(A1s, Z2s, A2s, &net, Xs, M);
    net_forward(A1f, Z2f, A2f, &f, Xr, M);
    double worst = 0.0, big = 0.0;
    for (int i = 0; i < n_y * M; i++) {
        double d = fabs((double)Z2s[i] - Z2f[i]);
        worst = d > worst ? d : worst;
        big = fabs(Z2s[i]) > big ? fabs(Z2s[i]) : big;
    }
    CHECKF(worst <= 1e-5 * big, "%s %s n_y=%d: folded logits differ by %g of %g",
           scale_name(kind), act_name(act), n_y, worst, big);
    CHECK(big > 1e-2);
    /* the fold moved the layer (a fold that did nothing would fail the comparison above too,
     * unless the scaling were the identity) */
    CHECK(memcmp(f.W1, net.W1, sizeof(float) * NH * NX) != 0 || kind == NNT_SCALE_CENTER);
    CHECK(memcmp(f.b1, net.b1, sizeof(float) * NH) != 0);
    net_free(&net);
    net_free(&f);
    scale_free(&s);
}

/* Training on scaled inputs takes net_backward's gradient of the loss on X_scaled; it is the
 * gradient, w.r.t. the unfolded parameters, of the folded network's loss on raw pixels. */
static void gradient_check(nnt_act act, int n_y)
{
    nnt_net net, grad;
    nnt_err err;
    nnt_scaler s;
    uint8_t X[NX * M];
    int32_t y[M];
    make_case(&net, &s, X, y, NNT_SCALE_STANDARDIZE, act, n_y,
              29 + (uint64_t)act * 10 + (uint64_t)n_y);
    CHECK(net_new(&grad, NX, NH, n_y, act, &err) == 0);
    nnt_dataset ds = {.n_x = NX, .m = M, .X = X, .y = y, .scale = &s};
    float Xs[NX * M], A1[NH * M], Z2[3 * M], A2[3 * M], dZ1[NH * M], dZ2[3 * M];
    dataset_gather(Xs, NULL, &ds, NULL, 0, M);
    net_forward(A1, Z2, A2, &net, Xs, M);
    memset(grad.params, 0xff, grad.n_params * sizeof(float)); /* NaN: every entry must be written */
    net_backward(&grad, dZ2, dZ1, &net, Xs, A1, A2, y, M, 1.0f / M);
    double worst = 0.0, biggest = 0.0;
    int kinks = 0;
    for (size_t i = 0; i < net.n_params; i++) {
        float keep = net.params[i], h = 1e-2f;
        net.params[i] = keep + h;
        double lp = folded_loss(&net, &s, X, y);
        net.params[i] = keep - h;
        double lm = folded_loss(&net, &s, X, y);
        net.params[i] = keep;
        double num = (lp - lm) / (2.0 * h), ana = grad.params[i];
        CHECKF(isfinite(ana) && isfinite(num), "%s n_y=%d: gradient %zu", act_name(act), n_y, i);
        double e = fabs(num - ana) / (1e-3 + fabs(num) + fabs(ana));
        if ((act == NNT_ACT_RELU || act == NNT_ACT_LEAKY_RELU) && e > 0.05) {
            kinks++; /* a step of h crossed z = 0 for some unit; allowed rarely */
            continue;
        }
        worst = e > worst ? e : worst;
        if (&net.params[i] < net.b1) /* W1's entries: the term the fold changes */
            biggest = fabs(ana) > biggest ? fabs(ana) : biggest;
    }
    CHECKF(worst < 2e-2, "%s n_y=%d: worst relative error %g", act_name(act), n_y, worst);
    CHECKF(kinks <= 2, "%s n_y=%d: %d parameters disagree", act_name(act), n_y, kinks);
    CHECKF(biggest > 1e-2, "%s n_y=%d: largest gradient of W1 %g", act_name(act), n_y, biggest);
    net_free(&net);
    net_free(&grad);
    scale_free(&s);
}

int main(void)
{
    names();
    statistics();
    gather();
    for (int k = NNT_SCALE_CENTER; k <= NNT_SCALE_STANDARDIZE; k++)
        for (int n_y = 1; n_y <= 3; n_y += 2) {
            fold((nnt_scale_kind)k, NNT_ACT_TANH, n_y);
            fold((nnt_scale_kind)k, NNT_ACT_RELU, n_y);
        }
    for (int a = 0; a < NNT_ACT_COUNT; a++) {
        gradient_check((nnt_act)a, 1);
        gradient_check((nnt_act)a, 3);
    }
    return check_done("test_scale");
}
