/* test_net.c — the backward pass against central differences of the loss, for every activation
 * and both output kinds; also the loss's stability and the tutorial's formulas by hand. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "nnt/net.h"

enum { NX = 6, NH = 5, M = 7 };

/* Mean loss of net on X, y (the quantity whose gradient net_backward gives with scale 1/m). */
static double mean_loss(const nnt_net *net, const float *X, const int32_t *y)
{
    float A1[NH * M], Z2[3 * M], A2[3 * M];
    net_forward(A1, Z2, A2, net, X, M);
    return output_loss(Z2, y, net->n_y, M) / M;
}

static void gradient_check(nnt_act act, int n_y)
{
    nnt_net net, grad;
    nnt_err err;
    nnt_rng rng;
    CHECK(net_new(&net, NX, NH, n_y, act, &err) == 0);
    CHECK(net_new(&grad, NX, NH, n_y, act, &err) == 0);
    rng_seed(&rng, 3 + (uint64_t)act * 10 + (uint64_t)n_y);
    net_init_normal(&net, &rng, 0.7f);
    for (size_t i = 0; i < net.n_params; i++) /* non-zero biases, so their gradients are exercised */
        if (&net.params[i] >= net.b1 && &net.params[i] < net.b1 + NH)
            net.params[i] = (float)rng_normal(&rng) * 0.3f;
    float X[NX * M];
    int32_t y[M];
    for (int i = 0; i < NX * M; i++)
        X[i] = (float)rng_uniform(&rng);
    for (int j = 0; j < M; j++)
        y[j] = (int32_t)rng_below(&rng, n_y == 1 ? 2 : (uint64_t)n_y);

    float A1[NH * M], Z2[3 * M], A2[3 * M], dZ1[NH * M], dZ2[3 * M];
    net_forward(A1, Z2, A2, &net, X, M);
    memset(grad.params, 0xff, grad.n_params * sizeof(float)); /* NaN: every entry must be written */
    net_backward(&grad, dZ2, dZ1, &net, X, A1, A2, y, M, 1.0f / M);

    double worst = 0.0, biggest = 0.0;
    int kinks = 0;
    for (size_t i = 0; i < net.n_params; i++) {
        float keep = net.params[i];
        float h = 1e-2f;
        net.params[i] = keep + h;
        double lp = mean_loss(&net, X, y);
        net.params[i] = keep - h;
        double lm = mean_loss(&net, X, y);
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

/* The passes in parts (as a team of threads runs them) give the whole passes' results: the
 * hidden layer by unit ranges, the output layer by columns; and net_hidden_descend moves the
 * weights as net_hidden_backward and then W ← decay·W − lr·g does. */
static void parts(nnt_act act, int n_y)
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
    net_init_normal(&net, &rng, 0.3f);
    for (int i = 0; i < PH; i++)
        net.b1[i] = (float)rng_normal(&rng) * 0.1f;
    float X[PX * PM], A1[PH * PM], Z2[PY * PM], A2[PY * PM], dZ1[PH * PM], dZ2[PY * PM];
    float B1[PH * PM], Y2[PY * PM], B2[PY * PM], dY1[PH * PM];
    int32_t y[PM];
    for (int i = 0; i < PX * PM; i++)
        X[i] = (float)rng_uniform(&rng);
    for (int j = 0; j < PM; j++)
        y[j] = (int32_t)rng_below(&rng, n_y == 1 ? 2 : (uint64_t)n_y);
    net_forward(A1, Z2, A2, &net, X, PM);
    net_backward(&grad, dZ2, dZ1, &net, X, A1, A2, y, PM, 1.0f / PM);

    /* units in three ranges (one empty), columns in two */
    int cuts[] = {0, 16, 16, PH};
    for (int k = 0; k < 3; k++)
        net_hidden_forward(B1, &net, X, PM, cuts[k], cuts[k + 1]);
    net_output_forward(Y2, B2, &net, B1, 4);
    net_output_forward(Y2 + 4 * n_y, B2 + 4 * n_y, &net, B1 + 4 * PH, PM - 4);
    double worst = 0.0;
    for (int i = 0; i < PH * PM; i++)
        worst = fmax(worst, fabs(B1[i] - A1[i]));
    for (int i = 0; i < n_y * PM; i++)
        worst = fmax(worst, fabs(B2[i] - A2[i]));
    CHECKF(worst <= 1e-6, "%s n_y=%d: forward in parts differs by %g", act_name(act), n_y, worst);

    memset(part.params, 0xff, part.n_params * sizeof(float)); /* NaN: every entry written */
    net_output_bias_backward(&part, dZ2, PM, 1.0f / PM);
    for (int k = 0; k < 3; k++)
        net_hidden_backward(&part, dY1, &net, X, A1, dZ2, PM, 1.0f / PM, cuts[k], cuts[k + 1]);
    worst = 0.0;
    for (size_t i = 0; i < grad.n_params; i++)
        worst = fmax(worst, fabs((double)part.params[i] - grad.params[i]));
    CHECKF(worst <= 1e-6, "%s n_y=%d: backward in parts differs by %g", act_name(act), n_y, worst);

    /* descent fused into the products, with L2's decay, against the stored gradient's update */
    float lr = 0.3f, l2 = 0.05f, decay = 1.0f - lr * l2;
    memcpy(moved.params, net.params, net.n_params * sizeof(float));
    net_output_bias_descend(&moved, dZ2, PM, lr / PM);
    for (int k = 0; k < 3; k++)
        net_hidden_descend(&moved, dY1, X, A1, dZ2, PM, lr / PM, decay, cuts[k], cuts[k + 1]);
    worst = 0.0;
    size_t n_w1 = (size_t)PH * PX, w2 = (size_t)(net.W2 - net.params);
    for (size_t i = 0; i < net.n_params; i++) {
        int weight = i < n_w1 || (i >= w2 && i < w2 + (size_t)n_y * PH);
        double want = (double)net.params[i] - lr * ((double)grad.params[i] +
                                                    (weight ? l2 * (double)net.params[i] : 0.0));
        worst = fmax(worst, fabs(moved.params[i] - want));
    }
    CHECKF(worst <= 1e-6, "%s n_y=%d: fused descent differs by %g", act_name(act), n_y, worst);
    net_free(&net);
    net_free(&grad);
    net_free(&part);
    net_free(&moved);
}

int main(void)
{
    for (int k = 0; k < NNT_ACT_COUNT; k++) {
        parts((nnt_act)k, 1);
        parts((nnt_act)k, 3);
    }
    for (int k = 0; k < NNT_ACT_COUNT; k++) {
        gradient_check((nnt_act)k, 1);
        gradient_check((nnt_act)k, 3);
    }
    hand_case();
    loss_stability();
    sizes();
    return check_done("test_net");
}
