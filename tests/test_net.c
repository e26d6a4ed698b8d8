/* test_net.c — the backward pass (net_backward, the forward pairs in reverse) against central
 * differences of the loss, for every activation and both output kinds; the pairs split by
 * hidden units as a team runs them, the pieced and the fused-SGD backward, all against the
 * plain pair; dropout with a fixed mask against central differences, and its masks; the loss's
 * stability and the tutorial's formulas by hand. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "nnt/net.h"
#include "nnt/optim.h"

enum { NX = 6, NH = 5, M = 7 };

/* The passes with dropout's mask Dm (NH × M) between the activation and the output layer
 * (net_forward_dropout, and when grad is not NULL net_backward_dropout, scale 1/M). Returns
 * the mean loss. */
static double masked_passes(nnt_net *grad, const nnt_net *net, const float *X, const int32_t *y,
                            const float *Dm)
{
    float A1[NH * M], Ad[NH * M], Z2[3 * M], A2[3 * M], dZ1[NH * M], dZ2[3 * M];
    net_forward_dropout(A1, Ad, Z2, A2, net, X, Dm, M);
    if (grad)
        net_backward_dropout(grad, dZ2, dZ1, net, X, A1, Ad, Dm, A2, y, M, 1.0f / M);
    return output_loss(Z2, y, net->n_y, M) / M;
}

/* Mean loss of net on X, y (the quantity whose gradient net_backward gives with scale 1/m),
 * through dropout's fixed mask Dm when it is not NULL. */
static double mean_loss(const nnt_net *net, const float *X, const int32_t *y, const float *Dm)
{
    if (Dm)
        return masked_passes(NULL, net, X, y, Dm);
    float A1[NH * M], Z2[3 * M], A2[3 * M];
    net_forward(A1, Z2, A2, net, X, M);
    return output_loss(Z2, y, net->n_y, M) / M;
}

/* Central differences against the backward pass; with p > 0, through a fixed dropout mask of
 * probability p (the loss is then a smooth function of the parameters again). */
static void gradient_check(nnt_act act, int n_y, float p)
{
    nnt_net net, grad;
    nnt_err err;
    nnt_rng rng;
    CHECK(net_new(&net, NX, NH, n_y, act, &err) == 0);
    CHECK(net_new(&grad, NX, NH, n_y, act, &err) == 0);
    rng_seed(&rng, 3 + (uint64_t)act * 10 + (uint64_t)n_y);
    net_init(&net, &rng, NNT_INIT_XAVIER);
    for (size_t i = 0; i < net.n_params; i++) /* non-zero biases, so their gradients are exercised */
        if (&net.params[i] >= net.b1 && &net.params[i] < net.b1 + NH)
            net.params[i] = (float)rng_normal(&rng) * 0.3f;
    float X[NX * M];
    int32_t y[M];
    for (int i = 0; i < NX * M; i++)
        X[i] = (float)rng_uniform(&rng);
    for (int j = 0; j < M; j++)
        y[j] = (int32_t)rng_below(&rng, n_y == 1 ? 2 : (uint64_t)n_y);

    float A1[NH * M], Z2[3 * M], A2[3 * M], dZ1[NH * M], dZ2[3 * M], mask[NH * M];
    const float *Dm = NULL;
    memset(grad.params, 0xff, grad.n_params * sizeof(float)); /* NaN: every entry must be written */
    if (p > 0.0f) {
        uint64_t key[M];
        for (int j = 0; j < M; j++)
            key[j] = dropout_key(17, 1, (uint64_t)j);
        dropout_mask(mask, key, p, NH, M, 0, NH);
        Dm = mask;
        masked_passes(&grad, &net, X, y, Dm);
    } else {
        net_forward(A1, Z2, A2, &net, X, M);
        net_backward(&grad, dZ2, dZ1, &net, X, A1, A2, y, M, 1.0f / M);
    }

    double worst = 0.0, biggest = 0.0;
    int kinks = 0;
    for (size_t i = 0; i < net.n_params; i++) {
        float keep = net.params[i];
        float h = 1e-2f;
        net.params[i] = keep + h;
        double lp = mean_loss(&net, X, y, Dm);
        net.params[i] = keep - h;
        double lm = mean_loss(&net, X, y, Dm);
        net.params[i] = keep;
        double num = (lp - lm) / (2.0 * h);
        double ana = grad.params[i];
        CHECKF(isfinite(ana), "%s n_y=%d: gradient %zu not written", act_name(act), n_y, i);
        double e = fabs(num - ana) / (1e-3 + fabs(num) + fabs(ana));
        if ((act == NNT_ACT_RELU || act == NNT_ACT_LEAKY_RELU) && e > 0.05) {
            kinks++; /* a step of h crossed z = 0 for some unit; allowed rarely */
            continue;
        }
        worst = e > worst ? e : worst;
        biggest = fabs(ana) > biggest ? fabs(ana) : biggest;
    }
    CHECKF(worst < 2e-2, "%s n_y=%d: worst relative error %g", act_name(act), n_y, worst);
    CHECKF(kinks <= 2, "%s n_y=%d: %d parameters disagree", act_name(act), n_y, kinks);
    /* an all-zero backward pass would pass the comparison above only if the loss were flat */
    CHECKF(biggest > 1e-2, "%s n_y=%d: largest gradient %g", act_name(act), n_y, biggest);
    net_free(&net);
    net_free(&grad);
}

/* Decoupled weight decay λ under SGD is gradient descent on the loss plus λ/2·(‖W1‖² + ‖W2‖²):
 * the step that net_backward's gradient, optim_decay and optim_update take, divided by −rate,
 * against central differences of that objective (so the decay takes the weights alone, by
 * rate·λ). For Adam the decay is no gradient term; test_optim checks it is added beside the
 * step. */
static void decay_gradient_check(int n_y)
{
    nnt_net net, grad;
    nnt_err err;
    nnt_rng rng;
    CHECK(net_new(&net, NX, NH, n_y, NNT_ACT_TANH, &err) == 0);
    CHECK(net_new(&grad, NX, NH, n_y, NNT_ACT_TANH, &err) == 0);
    rng_seed(&rng, 41 + (uint64_t)n_y);
    net_init(&net, &rng, NNT_INIT_XAVIER);
    for (size_t i = 0; i < net.n_params; i++) /* weights and biases of a size the decay shows on */
        net.params[i] = (float)rng_normal(&rng) * 0.5f;
    float X[NX * M], A1[NH * M], Z2[3 * M], A2[3 * M], dZ1[NH * M], dZ2[3 * M];
    int32_t y[M];
    for (int i = 0; i < NX * M; i++) /* pixels in [0, 1), labels of n_y classes */
        X[i] = (float)rng_uniform(&rng);
    for (int j = 0; j < M; j++)
        y[j] = (int32_t)rng_below(&rng, n_y == 1 ? 2 : (uint64_t)n_y);
    net_forward(A1, Z2, A2, &net, X, M);
    const float rate = 0.01f, lambda = 0.2f;
    net_backward(&grad, dZ2, dZ1, &net, X, A1, A2, y, M, 1.0f / M);

    size_t n = net.n_params, w1 = (size_t)NH * NX, w2 = (size_t)(net.W2 - net.params);
    size_t w2_end = w2 + (size_t)n_y * NH;
    float *moved = malloc(n * sizeof *moved);
    CHECK(moved != NULL);
    if (!moved)
        return;
    memcpy(moved, net.params, n * sizeof *moved);
    nnt_optim st = {.kind = NNT_OPT_SGD, .lr = rate, .weight_decay = lambda};
    optim_begin(&st, rate);
    optim_decay(&st, moved, 0, n, 0, w1);
    optim_decay(&st, moved, 0, n, w2, w2_end);
    optim_update(&st, moved, grad.params, 0, n);

    double worst = 0.0;
    for (size_t i = 0; i < n; i++) {
        float keep = net.params[i], h = 1e-2f;
        double objective[2];
        for (int side = 0; side < 2; side++) {
            net.params[i] = keep + (side ? -h : h);
            double sq = 0.0; /* λ/2·Σ w² over the weights, not the biases */
            for (size_t k = 0; k < n; k++)
                if (k < w1 || (k >= w2 && k < w2_end))
                    sq += (double)net.params[k] * net.params[k];
            objective[side] = mean_loss(&net, X, y, NULL) + 0.5 * lambda * sq;
        }
        net.params[i] = keep;
        double num = (objective[0] - objective[1]) / (2.0 * h);
        double implied = ((double)net.params[i] - moved[i]) / rate;
        worst = fmax(worst, fabs(num - implied) / (1e-3 + fabs(num) + fabs(implied)));
    }
    CHECKF(worst < 2e-2, "n_y=%d: the step with weight decay is off the objective's gradient by "
           "%g relative", n_y, worst);
    free(moved);
    net_free(&net);
    net_free(&grad);
}

/* Dropout's masks: the expected fraction of zeros, kept units scaled by exactly 1/(1 − p), p = 0
 * keeps all as 1; a pure function of the key (any split of the rows gives the same bits, and
 * the pair touches only its rows); different epochs and positions give different keys. */
static void dropout_masks(void)
{
    enum { DN = 500, DM = 64 };
    static float Dm[DN * DM], part[DN * DM], A[DN * DM], out[DN * DM];
    uint64_t key[DM];
    const float ps[] = {0.0f, 0.1f, 0.5f, 0.9f};
    for (int t = 0; t < 4; t++) {
        float p = ps[t], keep = 1.0f / (1.0f - p);
        for (int j = 0; j < DM; j++)
            key[j] = dropout_key(1, 3, (uint64_t)j);
        dropout_mask(Dm, key, p, DN, DM, 0, DN);
        size_t zeros = 0, odd = 0;
        for (size_t i = 0; i < (size_t)DN * DM; i++) {
            zeros += Dm[i] == 0.0f;
            odd += Dm[i] != 0.0f && Dm[i] != keep;
        }
        double frac = (double)zeros / (DN * DM); /* sd sqrt(p(1 − p)/32000) ≤ 0.003 */
        CHECKF(fabs(frac - p) < 0.012, "p=%g: %g of the units dropped", p, frac);
        CHECKF(odd == 0, "p=%g: %zu kept units not scaled by 1/(1-p)", p, odd);
        int cuts[] = {0, 16, 17, 240, DN};
        for (int k = 0; k < 4; k++)
            dropout_mask(part, key, p, DN, DM, cuts[k], cuts[k + 1]);
        CHECKF(memcmp(part, Dm, sizeof Dm) == 0, "p=%g: the mask in row ranges differs", p);
    }
    /* each unit of each image drawn apart: no two images, no two units, share their pattern */
    int same_cols = memcmp(Dm, Dm + DN, DN * sizeof *Dm) == 0, same_units = 1;
    for (int j = 0; j < DM; j++)
        same_units &= (Dm[(size_t)j * DN] == 0.0f) == (Dm[(size_t)j * DN + 1] == 0.0f);
    CHECK(!same_cols && !same_units);
    CHECK(dropout_key(1, 3, 5) == dropout_key(1, 3, 5));
    CHECK(dropout_key(1, 3, 5) != dropout_key(1, 4, 5));
    CHECK(dropout_key(1, 3, 5) != dropout_key(1, 5, 3));
    CHECK(dropout_key(1, 3, 5) != dropout_key(2, 3, 5));
    /* forward and backward are the product with the mask on their rows, nothing else */
    for (size_t i = 0; i < (size_t)DN * DM; i++)
        A[i] = (float)i * 0.25f - 7.0f;
    memset(out, 0xff, sizeof out);
    dropout_forward(out, A, Dm, DN, DM, 10, 20);
    int right = 1;
    for (size_t j = 0; j < DM; j++)
        for (size_t i = 0; i < DN; i++) {
            size_t e = i + j * DN;
            right &= i >= 10 && i < 20 ? out[e] == A[e] * Dm[e] : isnan(out[e]);
        }
    CHECK(right);
    memcpy(out, A, sizeof A);
    dropout_backward(out, out, Dm, DN, DM, 0, DN); /* in place */
    right = 1;
    for (size_t i = 0; i < (size_t)DN * DM; i++)
        right &= out[i] == A[i] * Dm[i];
    CHECK(right);
}

/* The tutorial's formulas on a 1-hidden-unit, 2-sample case, worked by hand. */
static void hand_case(void)
{
    nnt_net net, grad;
    nnt_err err;
    CHECK(net_new(&net, 1, 2, 1, NNT_ACT_RELU, &err) == 0);
    CHECK(net_new(&grad, 1, 2, 1, NNT_ACT_RELU, &err) == 0);
    net.W1[0] = 1.0f, net.W1[1] = -1.0f; /* W1: 2 x 1 */
    net.b1[0] = 0.0f, net.b1[1] = 0.5f;
    net.W2[0] = 2.0f, net.W2[1] = 3.0f; /* W2: 1 x 2 */
    net.b2[0] = -1.0f;
    float X[2] = {1.0f, -2.0f};
    int32_t y[2] = {1, 0};
    float A1[4], Z2[2], A2[2], dZ1[4], dZ2[2];
    net_forward(A1, Z2, A2, &net, X, 2);
    /* sample 0: Z1 = (1, -0.5) → A1 = (1, 0), Z2 = 2 - 1 = 1
     * sample 1: Z1 = (-2, 2.5) → A1 = (0, 2.5), Z2 = 7.5 - 1 = 6.5 */
    CHECK_NEAR(A1[0], 1.0, 1e-6);
    CHECK_NEAR(A1[1], 0.0, 1e-6);
    CHECK_NEAR(A1[3], 2.5, 1e-6);
    CHECK_NEAR(Z2[0], 1.0, 1e-6);
    CHECK_NEAR(Z2[1], 6.5, 1e-6);
    double s0 = 1 / (1 + exp(-1.0)), s1 = 1 / (1 + exp(-6.5));
    CHECK_NEAR(A2[0], s0, 1e-6);
    net_backward(&grad, dZ2, dZ1, &net, X, A1, A2, y, 2, 0.5f);
    double d0 = s0 - 1, d1 = s1; /* dZ2 = A2 - Y */
    CHECK_NEAR(grad.W2[0], (d0 * 1.0 + d1 * 0.0) / 2, 1e-6);
    CHECK_NEAR(grad.W2[1], (d0 * 0.0 + d1 * 2.5) / 2, 1e-6);
    CHECK_NEAR(grad.b2[0], (d0 + d1) / 2, 1e-6);
    /* dZ1 = W2ᵀ dZ2 ∘ relu'(Z1): unit 0 active only in sample 0, unit 1 only in sample 1 */
    double u0 = 2.0 * d0, u1 = 3.0 * d1;
    CHECK_NEAR(grad.W1[0], u0 * 1.0 / 2, 1e-6);
    CHECK_NEAR(grad.W1[1], u1 * -2.0 / 2, 1e-6);
    /* db1 is per unit (the tutorial's sum over all of dZ1 would give (u0 + u1)/2 to both) */
    CHECK_NEAR(grad.b1[0], u0 / 2, 1e-6);
    CHECK_NEAR(grad.b1[1], u1 / 2, 1e-6);
    CHECK(net_label(&A2[0], 1) == 1);
    CHECK_NEAR(net_label_prob(&A2[0], 1, 0), 1 - s0, 1e-6);
    net_free(&net);
    net_free(&grad);
}

static void loss_stability(void)
{
    /* logits far past saturation: the loss stays finite and takes its asymptotic value */
    float Z[4] = {-200.0f, 200.0f, 200.0f, -200.0f};
    int32_t y[4] = {0, 1, 0, 1};
    double l = output_loss(Z, y, 1, 4);
    CHECK(isfinite(l));
    CHECK_NEAR(l, 400.0, 1e-6);
    float A[4];
    output_forward(A, Z, 1, 4);
    CHECK(A[0] == 0.0f && A[1] == 1.0f);
    /* softmax: 3 classes x 2 columns, huge logits */
    float Zs[6] = {1000.0f, 0.0f, -1000.0f, 5.0f, 5.0f, 5.0f};
    int32_t ys[2] = {0, 2};
    double ls = output_loss(Zs, ys, 3, 2);
    CHECK_NEAR(ls, log(3.0), 1e-6);
    float As[6];
    output_forward(As, Zs, 3, 2);
    CHECK_NEAR(As[0], 1.0, 1e-6);
    CHECK_NEAR(As[4], 1.0 / 3, 1e-6);
    CHECK(net_label(As + 3, 3) == 0); /* ties go to the first class */
}

static void sizes(void)
{
    nnt_err err;
    nnt_net net;
    CHECK(net_param_count(0, 4, 1, &err) == 0);
    CHECK(net_param_count(2147483647, 2147483647, 2147483647, &err) == 0);
    CHECK(net_param_count(12288, 7, 1, &err) == 12288 * 7 + 7 + 7 + 1);
    CHECK(net_new(&net, -1, 4, 1, NNT_ACT_RELU, &err) == -1);
}

/* Largest |a[i] − b[i]| over n values; *same becomes 0 unless they are the same bits. */
static double max_diff(const float *a, const float *b, size_t n, int *same)
{
    double worst = 0.0;
    *same = memcmp(a, b, n * sizeof *a) == 0;
    for (size_t i = 0; i < n; i++)
        worst = fmax(worst, fabs((double)a[i] - b[i]));
    return worst;
}

/* The pairs as the primal step runs them (train/primal.c), against net_forward and net_backward:
 * split by hidden units into `n_cuts` ranges and the output layer by images (within float
 * rounding of the products' other shapes; the same bits when there is one range, as the same
 * products are computed); the first layer's gradient in pieces of input columns (dW2, b1, b2
 * and dZ1 the same bits, W1 within rounding); and the backward pass fused with SGD and L2's
 * decay against the stored gradient's update (within rounding; its dZ1 the same bits). */
static void parts(nnt_act act, int n_y, const int *cuts, int n_cuts)
{
    enum { PX = 40, PH = 37, PM = 9, PY = 3 };
    nnt_net net, grad, part, moved;
    nnt_err err;
    nnt_rng rng;
    CHECK(net_new(&net, PX, PH, n_y, act, &err) == 0);
    CHECK(net_new(&grad, PX, PH, n_y, act, &err) == 0);
    CHECK(net_new(&part, PX, PH, n_y, act, &err) == 0);
    CHECK(net_new(&moved, PX, PH, n_y, act, &err) == 0);
    rng_seed(&rng, 11 + (uint64_t)act);
    net_init(&net, &rng, NNT_INIT_HE);
    for (int i = 0; i < PH; i++)
        net.b1[i] = (float)rng_normal(&rng) * 0.1f;
    float X[PX * PM], A1[PH * PM], Z2[PY * PM], A2[PY * PM], dZ1[PH * PM], dZ2[PY * PM];
    float B1[PH * PM], Y2[PY * PM], B2[PY * PM], dY1[PH * PM], dY2[PY * PM];
    int32_t y[PM];
    for (int i = 0; i < PX * PM; i++)
        X[i] = (float)rng_uniform(&rng);
    for (int j = 0; j < PM; j++)
        y[j] = (int32_t)rng_below(&rng, n_y == 1 ? 2 : (uint64_t)n_y);
    net_forward(A1, Z2, A2, &net, X, PM);
    net_backward(&grad, dZ2, dZ1, &net, X, A1, A2, y, PM, 1.0f / PM);
    int one = n_cuts == 2, same, all_same = 1;
    const char *name = act_name(act);

    /* forward: units in ranges, then images in two ranges */
    for (int k = 0; k + 1 < n_cuts; k++) {
        linear_forward(B1, X, net.W1, net.b1, PH, PX, PM, cuts[k], cuts[k + 1]);
        act_forward_rows(B1, B1, PH, PM, cuts[k], cuts[k + 1], act);
    }
    int cols[] = {0, one ? PM : 4, PM};
    for (int k = 0; k < 2; k++) {
        int j0 = cols[k], nc = cols[k + 1] - j0;
        linear_forward(Y2 + j0 * n_y, B1 + j0 * PH, net.W2, net.b2, n_y, PH, nc, 0, n_y);
        output_forward(B2 + j0 * n_y, Y2 + j0 * n_y, n_y, nc);
        output_backward(dY2 + j0 * n_y, B2 + j0 * n_y, y + j0, n_y, nc);
    }
    double worst = max_diff(B1, A1, PH * PM, &same);
    all_same &= same;
    worst = fmax(worst, max_diff(B2, A2, (size_t)n_y * PM, &same));
    all_same &= same;
    CHECKF(worst <= 1e-6, "%s n_y=%d: forward in parts differs by %g", name, n_y, worst);
    CHECKF(!one || all_same, "%s n_y=%d: forward in one range is not the same bits", name, n_y);

    /* backward: the same pairs in reverse, each range of units on its own (member 0: b2) */
    memset(part.params, 0xff, part.n_params * sizeof(float)); /* NaN: every entry written */
    for (int k = 0; k + 1 < n_cuts; k++) {
        int h0 = cuts[k], h1 = cuts[k + 1];
        linear_backward(dY1, part.W2, k == 0 ? part.b2 : NULL, dY2, A1, net.W2, n_y, PH, PM,
                        1.0f / PM, 0, n_y, h0, h1);
        act_backward_rows(dY1, dY1, A1, PH, PM, h0, h1, act);
        linear_backward(NULL, part.W1, part.b1, dY1, X, net.W1, PH, PX, PM, 1.0f / PM, h0, h1, 0,
                        PX);
    }
    worst = max_diff(part.params, grad.params, grad.n_params, &same);
    CHECKF(worst <= 1e-6, "%s n_y=%d: backward in parts differs by %g", name, n_y, worst);
    CHECKF(!one || same, "%s n_y=%d: backward in one range is not the same bits", name, n_y);

    /* pieced: the first layer's weight gradient in blocks of input columns, as handed to the
     * exchange */
    memset(part.params, 0xff, part.n_params * sizeof(float));
    linear_backward(dY1, part.W2, part.b2, dZ2, A1, net.W2, n_y, PH, PM, 1.0f / PM, 0, n_y, 0, PH);
    act_backward_rows(dY1, dY1, A1, PH, PM, 0, PH, act);
    int pieces[] = {0, 13, 27, PX};
    for (int p = 0; p < 3; p++)
        linear_backward(NULL, part.W1, p == 0 ? part.b1 : NULL, dY1, X, net.W1, PH, PX, PM,
                        1.0f / PM, 0, PH, pieces[p], pieces[p + 1]);
    size_t n_w1 = (size_t)PH * PX;
    worst = max_diff(part.W1, grad.W1, n_w1, &same);
    CHECKF(worst <= 1e-6, "%s n_y=%d: W1's gradient in pieces differs by %g", name, n_y, worst);
    max_diff(part.b1, grad.b1, grad.n_params - n_w1, &same);
    CHECKF(same, "%s n_y=%d: b1, W2, b2 of the pieced backward are not the same bits", name, n_y);
    max_diff(dY1, dZ1, PH * PM, &same);
    CHECKF(same, "%s n_y=%d: dZ1 of the pieced backward is not the same bits", name, n_y);

    /* fused: descent inside the products, with L2's decay, against the stored gradient's
     * update */
    float lr = 0.3f, l2 = 0.05f, decay = 1.0f - lr * l2, step = lr / PM;
    memcpy(moved.params, net.params, net.n_params * sizeof(float));
    for (int k = 0; k + 1 < n_cuts; k++) {
        int h0 = cuts[k], h1 = cuts[k + 1];
        linear_backward_fused_sgd(dY1, moved.W2, k == 0 ? moved.b2 : NULL, dZ2, A1, n_y, PH, PM,
                                  step, decay, 0, n_y, h0, h1);
        act_backward_rows(dY1, dY1, A1, PH, PM, h0, h1, act);
        linear_backward_fused_sgd(NULL, moved.W1, moved.b1, dY1, X, PH, PX, PM, step, decay, h0,
                                  h1, 0, PX);
    }
    worst = 0.0;
    size_t w2 = (size_t)(net.W2 - net.params);
    for (size_t i = 0; i < net.n_params; i++) {
        int weight = i < n_w1 || (i >= w2 && i < w2 + (size_t)n_y * PH);
        double want = (double)net.params[i] - lr * ((double)grad.params[i] +
                                                    (weight ? l2 * (double)net.params[i] : 0.0));
        worst = fmax(worst, fabs(moved.params[i] - want));
    }
    CHECKF(worst <= 1e-6, "%s n_y=%d: fused descent differs by %g", name, n_y, worst);
    max_diff(dY1, dZ1, PH * PM, &same);
    CHECKF(!one || same, "%s n_y=%d: dZ1 of the fused backward is not the same bits", name, n_y);
    net_free(&net);
    net_free(&grad);
    net_free(&part);
    net_free(&moved);
}

int main(void)
{
    for (int k = 0; k < NNT_ACT_COUNT; k++) {
        static const int three[] = {0, 16, 16, 37}, whole[] = {0, 37}; /* one range empty */
        for (int n_y = 1; n_y <= 3; n_y += 2) {
            parts((nnt_act)k, n_y, three, 4);
            parts((nnt_act)k, n_y, whole, 2);
        }
    }
    for (int k = 0; k < NNT_ACT_COUNT; k++) {
        gradient_check((nnt_act)k, 1, 0.0f);
        gradient_check((nnt_act)k, 3, 0.0f);
        gradient_check((nnt_act)k, 1, 0.4f);
        gradient_check((nnt_act)k, 3, 0.4f);
    }
    decay_gradient_check(1);
    decay_gradient_check(3);
    dropout_masks();
    hand_case();
    loss_stability();
    sizes();
    return check_done("test_net");
}
