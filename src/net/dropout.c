/* dropout.c — inverted dropout on the hidden layer: each image's mask a pure function of (seed,
 * epoch, the image's position in the training list, unit) through splitmix64, so that it does
 * not depend on threads, ranks or the batch an image falls in and a resumed run needs no
 * generator state; the forward/backward pair that applies it, by ranges of rows; and the whole
 * passes with a mask, the reference of the primal step's. */
#include "nnt/net.h"

uint64_t dropout_key(uint64_t seed, uint64_t epoch, uint64_t position)
{
    /* one mix per input, each fed the previous one's output: no two (seed, epoch, position)
     * triples related by a shift or a swap share a key */
    uint64_t x = seed;
    uint64_t h = rng_splitmix64(&x) ^ epoch;
    h = rng_splitmix64(&h) ^ position;
    return rng_splitmix64(&h);
}

void dropout_mask(float *M, const uint64_t *key, float p, int n, int m, int r0, int r1)
{
    /* M: n x m (rows r0..r1 written), key: m */
    /* unit i is kept when the i-th value of its image's splitmix64 stream is at least p·2^64:
     * probability 1 − p, decided in integers (p < 1, so the cut is below 2^64) */
    uint64_t cut = (uint64_t)((double)p * 18446744073709551616.0);
    float keep = 1.0f / (1.0f - p);
    for (int j = 0; j < m; j++) {
        float *col = M + (size_t)j * n;
        for (int i = r0; i < r1; i++) {
            uint64_t x = key[j] + (uint64_t)i * UINT64_C(0x9E3779B97F4A7C15);
            col[i] = rng_splitmix64(&x) >= cut ? keep : 0.0f;
        }
    }
}

/* out[r0:r1, :] = in ∘ M: both directions of dropout are the same product with the mask. */
static void mask_rows(float *out, const float *in, const float *M, int n, int m, int r0, int r1)
{
    for (int j = 0; j < m; j++) {
        size_t c = (size_t)j * n;
        for (int i = r0; i < r1; i++)
            out[c + i] = in[c + i] * M[c + i];
    }
}

void dropout_forward(float *Ad, const float *A, const float *M, int n, int m, int r0, int r1)
{
    /* Ad, A, M: n x m (rows r0..r1) */
    mask_rows(Ad, A, M, n, m, r0, r1);
}

void dropout_backward(float *dA, const float *dAd, const float *M, int n, int m, int r0, int r1)
{
    /* dA, dAd, M: n x m (rows r0..r1); dA may be dAd (in place) */
    mask_rows(dA, dAd, M, n, m, r0, r1);
}

void net_forward_dropout(float *A1, float *Ad, float *Z2, float *A2, const nnt_net *net,
                         const float *X, const float *M, int m)
{
    /* A1, Ad, M: n_h x m, Z2, A2: n_y x m, X: n_x x m */
    int n_x = net->n_x, n_h = net->n_h, n_y = net->n_y;
    linear_forward(A1, X, net->W1, net->b1, n_h, n_x, m, 0, n_h);
    act_forward(A1, A1, (size_t)n_h * m, net->act); /* kept unmasked: g' comes from A1 */
    dropout_forward(Ad, A1, M, n_h, m, 0, n_h);
    linear_forward(Z2, Ad, net->W2, net->b2, n_y, n_h, m, 0, n_y);
    output_forward(A2, Z2, n_y, m);
}

void net_backward_dropout(nnt_net *grad, float *dZ2, float *dZ1, const nnt_net *net,
                          const float *X, const float *A1, const float *Ad, const float *M,
                          const float *A2, const int32_t *y, int m, float scale)
{
    /* dZ2, A2: n_y x m, dZ1, A1, Ad, M: n_h x m, X: n_x x m */
    int n_x = net->n_x, n_h = net->n_h, n_y = net->n_y;
    output_backward(dZ2, A2, y, n_y, m);
    linear_backward(dZ1, grad->W2, grad->b2, dZ2, Ad, net->W2, n_y, n_h, m, scale, 0, n_y, 0, n_h);
    dropout_backward(dZ1, dZ1, M, n_h, m, 0, n_h);
    act_backward(dZ1, dZ1, A1, (size_t)n_h * m, net->act);
    linear_backward(NULL, grad->W1, grad->b1, dZ1, X, net->W1, n_h, n_x, m, scale, 0, n_h, 0, n_x);
}
