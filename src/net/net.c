/* net.c — the two-layer network: parameter block, forward pass, loss, backward pass, labels. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "nnt/blas.h"
#include "nnt/net.h"

size_t net_param_count(int n_x, int n_h, int n_y, nnt_err *err)
{
    size_t w1, w2, n;
    if (n_x < 1 || n_h < 1 || n_y < 1) {
        nnt_errf(err, "network sizes must be positive (n_x %d, n_h %d, n_y %d)", n_x, n_h, n_y);
        return 0;
    }
    /* W1 + b1 + W2 + b2, each step checked: the sizes may come from a file */
    if (nnt_mul_size(&w1, (size_t)n_h, (size_t)n_x) || nnt_mul_size(&w2, (size_t)n_y, (size_t)n_h) ||
        nnt_add_size(&n, w1, (size_t)n_h) || nnt_add_size(&n, n, w2) ||
        nnt_add_size(&n, n, (size_t)n_y) || n > SIZE_MAX / sizeof(float)) {
        nnt_errf(err, "network of %d x %d x %d is too large", n_x, n_h, n_y);
        return 0;
    }
    return n;
}

int net_new(nnt_net *net, int n_x, int n_h, int n_y, nnt_act act, nnt_err *err)
{
    memset(net, 0, sizeof *net);
    size_t n = net_param_count(n_x, n_h, n_y, err);
    if (n == 0)
        return -1;
    float *p = nnt_calloc_aligned(n, sizeof *p);
    if (!p)
        return nnt_errf(err, "out of memory for %zu parameters", n);
    net_bind(net, p, n_x, n_h, n_y, act);
    return 0;
}

void net_bind(nnt_net *net, float *p, int n_x, int n_h, int n_y, nnt_act act)
{
    size_t n = (size_t)n_h * n_x + (size_t)n_h + (size_t)n_y * n_h + (size_t)n_y;
    net->n_x = n_x;
    net->n_h = n_h;
    net->n_y = n_y;
    net->act = act;
    net->n_params = n;
    net->params = p;
    net->W1 = p;
    net->b1 = net->W1 + (size_t)n_h * n_x;
    net->W2 = net->b1 + n_h;
    net->b2 = net->W2 + (size_t)n_y * n_h;
}

void net_free(nnt_net *net)
{
    free(net->params);
    memset(net, 0, sizeof *net);
}

static void init_layers(nnt_net *net, nnt_rng *rng, float scale1, float scale2)
{
    size_t n1 = (size_t)net->n_h * net->n_x, n2 = (size_t)net->n_y * net->n_h;
    for (size_t i = 0; i < n1; i++)
        net->W1[i] = (float)rng_normal(rng) * scale1;
    for (size_t i = 0; i < n2; i++)
        net->W2[i] = (float)rng_normal(rng) * scale2;
    memset(net->b1, 0, (size_t)net->n_h * sizeof(float));
    memset(net->b2, 0, (size_t)net->n_y * sizeof(float));
}

void net_init_normal(nnt_net *net, nnt_rng *rng, float scale) { init_layers(net, rng, scale, scale); }

nnt_init net_init_resolve(nnt_init init, nnt_act act)
{
    if (init != NNT_INIT_AUTO)
        return init;
    return act == NNT_ACT_RELU || act == NNT_ACT_LEAKY_RELU ? NNT_INIT_HE : NNT_INIT_XAVIER;
}

void net_init(nnt_net *net, nnt_rng *rng, nnt_init init)
{
    double in1 = net->n_x, out1 = net->n_h, in2 = net->n_h, out2 = net->n_y;
    switch (net_init_resolve(init, net->act)) {
    case NNT_INIT_HE:
        init_layers(net, rng, (float)sqrt(2.0 / in1), (float)sqrt(2.0 / in2));
        break;
    case NNT_INIT_XAVIER:
        init_layers(net, rng, (float)sqrt(2.0 / (in1 + out1)), (float)sqrt(2.0 / (in2 + out2)));
        break;
    default:
        init_layers(net, rng, 0.01f, 0.01f);
        break;
    }
}

static const char *const init_names[] = {"auto", "normal", "he", "xavier"};

const char *net_init_name(nnt_init init)
{
    return (unsigned)init < 4 ? init_names[init] : "unknown";
}

int net_init_parse(nnt_init *init, const char *name)
{
    int i = nnt_name_index(init_names, 4, name);
    if (i >= 0)
        *init = (nnt_init)i;
    return i < 0 ? -1 : 0;
}

/* db = scale·(row sums of dZ), one double sum per unit (the tutorial's np.sum over all of dZ1 is
 * its bug); with `descend`, b −= that instead (plain SGD on the biases, step = lr/m as scale).
 * dZ: n rows of a matrix with leading dimension ld, m columns; db: n. */
static void bias_grad(float *db, const float *dZ, int n, int ld, int m, float scale, int descend)
{
    for (int i = 0; i < n; i++) {
        double s = 0.0;
        for (int j = 0; j < m; j++)
            s += dZ[i + (size_t)j * ld];
        if (descend)
            db[i] -= (float)(s * scale);
        else
            db[i] = (float)(s * scale);
    }
}

/* g applied in place to rows [h0, h1) of Z (n_h × m): to all of it at once when that is all. */
static void act_rows(float *Z, int n_h, int m, int h0, int h1, nnt_act act)
{
    if (h1 - h0 == n_h) {
        act_forward(Z, Z, (size_t)n_h * m, act);
        return;
    }
    for (int j = 0; j < m; j++)
        act_forward(Z + (size_t)j * n_h + h0, Z + (size_t)j * n_h + h0, (size_t)(h1 - h0), act);
}

/* dZ1[h0:h1, :] = (W2[:, h0:h1]ᵀ·dZ2) ∘ g'(A1[h0:h1, :]), the hidden layer's delta, from the
 * W2 of the forward pass. dZ1, A1: n_h × m, dZ2: n_y × m. */
static void hidden_delta(float *dZ1, const nnt_net *net, const float *A1, const float *dZ2, int m,
                         int h0, int h1)
{
    int n_h = net->n_h, n_y = net->n_y, n_t = h1 - h0;
    blas_gemm(1, 0, n_t, m, n_y, 1.0f, net->W2 + (size_t)h0 * n_y, n_y, dZ2, n_y, 0.0f, dZ1 + h0,
              n_h);
    if (n_t == n_h) {
        act_backward(dZ1, dZ1, A1, (size_t)n_h * m, net->act);
        return;
    }
    for (int j = 0; j < m; j++) {
        size_t o = (size_t)j * n_h + h0;
        act_backward(dZ1 + o, dZ1 + o, A1 + o, (size_t)n_t, net->act);
    }
}

void linear_forward(float *Z, const float *W, const float *b, const float *X, int n_out, int n_in,
                    int m)
{
    /* Z: n_out x m, W: n_out x n_in, b: n_out, X: n_in x m */
    for (int j = 0; j < m; j++)
        memcpy(Z + (size_t)j * n_out, b, (size_t)n_out * sizeof(float));
    blas_gemm(0, 0, n_out, m, n_in, 1.0f, W, n_out, X, n_in, 1.0f, Z, n_out);
}

void linear_backward(float *dW, float *db, float *dX, const float *dZ, const float *W,
                     const float *X, int n_out, int n_in, int m, float scale)
{
    /* dW: n_out x n_in, db: n_out, dX: n_in x m, dZ: n_out x m, W: n_out x n_in, X: n_in x m */
    blas_gemm(0, 1, n_out, n_in, m, scale, dZ, n_out, X, n_in, 0.0f, dW, n_out);
    bias_grad(db, dZ, n_out, n_out, m, scale, 0);
    if (dX)
        blas_gemm(1, 0, n_in, m, n_out, 1.0f, W, n_out, dZ, n_out, 0.0f, dX, n_in);
}

void output_forward(float *A, const float *Z, int n_y, int m)
{
    /* A, Z: n_y x m */
    if (n_y == 1) {
        for (int j = 0; j < m; j++)
            A[j] = sigmoidf(Z[j]);
        return;
    }
    for (int j = 0; j < m; j++) {
        const float *z = Z + (size_t)j * n_y;
        float *a = A + (size_t)j * n_y;
        float mx = z[0];
        for (int i = 1; i < n_y; i++)
            mx = z[i] > mx ? z[i] : mx;
        double s = 0.0; /* shifted by the max, so every exp is ≤ 1 */
        for (int i = 0; i < n_y; i++)
            s += (a[i] = expf(z[i] - mx));
        float inv = (float)(1.0 / s);
        for (int i = 0; i < n_y; i++)
            a[i] *= inv;
    }
}

double output_loss(const float *Z, const int32_t *y, int n_y, int m)
{
    /* Z: n_y x m logits */
    double sum = 0.0;
    if (n_y == 1) {
        /* -[y log σ(z) + (1-y) log(1-σ(z))] = max(z,0) - y·z + log(1 + e^-|z|) */
        for (int j = 0; j < m; j++) {
            double z = Z[j];
            sum += (z > 0 ? z : 0) - (y[j] ? z : 0) + log1p(exp(-fabs(z)));
        }
        return sum;
    }
    for (int j = 0; j < m; j++) {
        const float *z = Z + (size_t)j * n_y;
        double mx = z[0], s = 0.0;
        for (int i = 1; i < n_y; i++)
            mx = z[i] > mx ? z[i] : mx;
        for (int i = 0; i < n_y; i++)
            s += exp(z[i] - mx);
        sum += mx + log(s) - z[y[j]];
    }
    return sum;
}

void output_backward(float *dZ, const float *A, const int32_t *y, int n_y, int m)
{
    /* dZ, A: n_y x m */
    size_t n = (size_t)n_y * m;
    memcpy(dZ, A, n * sizeof(float));
    if (n_y == 1)
        for (int j = 0; j < m; j++)
            dZ[j] -= (float)y[j];
    else
        for (int j = 0; j < m; j++)
            dZ[(size_t)j * n_y + y[j]] -= 1.0f;
}

void net_hidden_forward(float *A1, const nnt_net *net, const float *X, int m, int h0, int h1)
{
    /* A1: n_h x m (rows h0..h1 written), X: n_x x m */
    int n_h = net->n_h, n_t = h1 - h0;
    if (n_t <= 0 || m <= 0)
        return;
    for (int j = 0; j < m; j++)
        memcpy(A1 + (size_t)j * n_h + h0, net->b1 + h0, (size_t)n_t * sizeof(float));
    blas_gemm(0, 0, n_t, m, net->n_x, 1.0f, net->W1 + h0, n_h, X, net->n_x, 1.0f, A1 + h0, n_h);
    act_rows(A1, n_h, m, h0, h1, net->act); /* Z1 is not kept: g' comes from A1 */
}

void net_output_forward(float *Z2, float *A2, const nnt_net *net, const float *A1, int m)
{
    /* Z2, A2: n_y x m, A1: n_h x m */
    linear_forward(Z2, net->W2, net->b2, A1, net->n_y, net->n_h, m);
    output_forward(A2, Z2, net->n_y, m);
}

void net_forward(float *A1, float *Z2, float *A2, const nnt_net *net, const float *X, int m)
{
    /* A1: n_h x m, Z2, A2: n_y x m, X: n_x x m */
    net_hidden_forward(A1, net, X, m, 0, net->n_h);
    net_output_forward(Z2, A2, net, A1, m);
}

void net_output_bias_backward(nnt_net *grad, const float *dZ2, int m, float scale)
{
    /* dZ2: n_y x m */
    bias_grad(grad->b2, dZ2, grad->n_y, grad->n_y, m, scale, 0);
}

void net_hidden_backward_delta(nnt_net *grad, float *dZ1, const nnt_net *net, const float *A1,
                               const float *dZ2, int m, float scale, int h0, int h1)
{
    /* dZ1, A1: n_h x m (rows h0..h1), dZ2: n_y x m */
    int n_h = net->n_h, n_y = net->n_y, n_t = h1 - h0;
    if (n_t <= 0)
        return;
    /* dW2[:, h0:h1] = scale·dZ2·A1[h0:h1, :]ᵀ */
    blas_gemm(0, 1, n_y, n_t, m, scale, dZ2, n_y, A1 + h0, n_h, 0.0f, grad->W2 + (size_t)h0 * n_y,
              n_y);
    hidden_delta(dZ1, net, A1, dZ2, m, h0, h1);
    bias_grad(grad->b1 + h0, dZ1 + h0, n_t, n_h, m, scale, 0);
}

void net_hidden_weight_grad(nnt_net *grad, const float *dZ1, const float *X, int m, float scale,
                            int h0, int h1, int k0, int k1)
{
    /* dZ1: n_h x m (rows h0..h1), X: n_x x m (rows k0..k1) */
    int n_x = grad->n_x, n_h = grad->n_h;
    if (h1 <= h0 || k1 <= k0)
        return;
    /* dW1[h0:h1, k0:k1] = scale·dZ1[h0:h1, :]·X[k0:k1, :]ᵀ */
    blas_gemm(0, 1, h1 - h0, k1 - k0, m, scale, dZ1 + h0, n_h, X + k0, n_x, 0.0f,
              grad->W1 + (size_t)k0 * n_h + h0, n_h);
}

void net_hidden_backward(nnt_net *grad, float *dZ1, const nnt_net *net, const float *X,
                         const float *A1, const float *dZ2, int m, float scale, int h0, int h1)
{
    /* dZ1, A1: n_h x m (rows h0..h1), X: n_x x m, dZ2: n_y x m */
    net_hidden_backward_delta(grad, dZ1, net, A1, dZ2, m, scale, h0, h1);
    net_hidden_weight_grad(grad, dZ1, X, m, scale, h0, h1, 0, net->n_x);
}

void net_hidden_descend(nnt_net *net, float *dZ1, const float *X, const float *A1,
                        const float *dZ2, int m, float step, float decay, int h0, int h1)
{
    /* dZ1, A1: n_h x m (rows h0..h1), X: n_x x m, dZ2: n_y x m */
    int n_x = net->n_x, n_h = net->n_h, n_y = net->n_y, n_t = h1 - h0;
    if (n_t <= 0)
        return;
    hidden_delta(dZ1, net, A1, dZ2, m, h0, h1); /* before W2 moves */
    /* W ← decay·W − step·∇ in the products themselves (beta = decay): no gradient is stored and
     * the weights are read and written once instead of three times */
    blas_gemm(0, 1, n_y, n_t, m, -step, dZ2, n_y, A1 + h0, n_h, decay, net->W2 + (size_t)h0 * n_y,
              n_y);
    blas_gemm(0, 1, n_t, n_x, m, -step, dZ1 + h0, n_h, X, n_x, decay, net->W1 + h0, n_h);
    bias_grad(net->b1 + h0, dZ1 + h0, n_t, n_h, m, step, 1);
}

void net_output_bias_descend(nnt_net *net, const float *dZ2, int m, float step)
{
    /* dZ2: n_y x m */
    bias_grad(net->b2, dZ2, net->n_y, net->n_y, m, step, 1);
}

void net_backward(nnt_net *grad, float *dZ2, float *dZ1, const nnt_net *net, const float *X,
                  const float *A1, const float *A2, const int32_t *y, int m, float scale)
{
    /* dZ2: n_y x m, dZ1: n_h x m, X: n_x x m, A1: n_h x m, A2: n_y x m; reverse of net_forward */
    output_backward(dZ2, A2, y, net->n_y, m);
    net_output_bias_backward(grad, dZ2, m, scale);
    net_hidden_backward(grad, dZ1, net, X, A1, dZ2, m, scale, 0, net->n_h);
}

int32_t net_label(const float *A2col, int n_y)
{
    if (n_y == 1)
        return A2col[0] > 0.5f;
    int32_t best = 0;
    for (int i = 1; i < n_y; i++)
        if (A2col[i] > A2col[best])
            best = i;
    return best;
}

float net_label_prob(const float *A2col, int n_y, int32_t label)
{
    if (n_y == 1)
        return label ? A2col[0] : 1.0f - A2col[0];
    return A2col[label];
}
