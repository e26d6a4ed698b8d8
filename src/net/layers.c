/* layers.c — the linear layer's forward/backward pair (by ranges of rows, for a team of
 * threads), its fused-SGD variant, and the whole network's passes made of the pairs. */
#include <string.h>

#include "nnt/blas.h"
#include "nnt/net.h"

/* db = scale·(row sums of dZ), one double sum per row (the tutorial's np.sum over all of dZ1 is
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

void linear_forward(float *Z, const float *X, const float *W, const float *b, int n_out, int n_in,
                    int m, int r0, int r1)
{
    /* Z: n_out x m (rows r0..r1 written), X: n_in x m, W: n_out x n_in, b: n_out */
    int n_r = r1 - r0;
    if (n_r <= 0 || m <= 0)
        return;
    for (int j = 0; j < m; j++)
        memcpy(Z + (size_t)j * n_out + r0, b + r0, (size_t)n_r * sizeof(float));
    blas_gemm(0, 0, n_r, m, n_in, 1.0f, W + r0, n_out, X, n_in, 1.0f, Z + r0, n_out);
}

/* dX[k0:k1, :] = W[r0:r1, k0:k1]ᵀ·dZ[r0:r1, :]: the gradient handed to the layer below. */
static void input_grad(float *dX, const float *dZ, const float *W, int n_out, int n_in, int m,
                       int r0, int r1, int k0, int k1)
{
    blas_gemm(1, 0, k1 - k0, m, r1 - r0, 1.0f, W + (size_t)k0 * n_out + r0, n_out, dZ + r0, n_out,
              0.0f, dX + k0, n_in);
}

void linear_backward(float *dX, float *dW, float *db, const float *dZ, const float *X,
                     const float *W, int n_out, int n_in, int m, float scale, int r0, int r1,
                     int k0, int k1)
{
    /* dX: n_in x m, dW: n_out x n_in, db: n_out, dZ: n_out x m, X: n_in x m, W: n_out x n_in */
    if (dW)
        blas_gemm(0, 1, r1 - r0, k1 - k0, m, scale, dZ + r0, n_out, X + k0, n_in, 0.0f,
                  dW + (size_t)k0 * n_out + r0, n_out);
    if (db)
        bias_grad(db + r0, dZ + r0, r1 - r0, n_out, m, scale, 0);
    if (dX)
        input_grad(dX, dZ, W, n_out, n_in, m, r0, r1, k0, k1);
}

void linear_backward_fused_sgd(float *dX, float *W, float *b, const float *dZ, const float *X,
                               int n_out, int n_in, int m, float step, float decay, int r0, int r1,
                               int k0, int k1)
{
    /* dX: n_in x m, W: n_out x n_in, b: n_out, dZ: n_out x m, X: n_in x m */
    if (dX) /* before W moves */
        input_grad(dX, dZ, W, n_out, n_in, m, r0, r1, k0, k1);
    /* W ← decay·W − step·∇ in the product itself (beta = decay): no gradient is stored and the
     * weights are read and written once instead of three times */
    blas_gemm(0, 1, r1 - r0, k1 - k0, m, -step, dZ + r0, n_out, X + k0, n_in, decay,
              W + (size_t)k0 * n_out + r0, n_out);
    if (b)
        bias_grad(b + r0, dZ + r0, r1 - r0, n_out, m, step, 1);
}

void net_forward(float *A1, float *Z2, float *A2, const nnt_net *net, const float *X, int m)
{
    /* A1: n_h x m, Z2, A2: n_y x m, X: n_x x m */
    int n_x = net->n_x, n_h = net->n_h, n_y = net->n_y;
    linear_forward(A1, X, net->W1, net->b1, n_h, n_x, m, 0, n_h); /* Z1, overwritten by A1: */
    act_forward(A1, A1, (size_t)n_h * m, net->act);               /* g' comes from A1 */
    linear_forward(Z2, A1, net->W2, net->b2, n_y, n_h, m, 0, n_y);
    output_forward(A2, Z2, n_y, m);
}

void net_backward(nnt_net *grad, float *dZ2, float *dZ1, const nnt_net *net, const float *X,
                  const float *A1, const float *A2, const int32_t *y, int m, float scale)
{
    /* dZ2: n_y x m, dZ1: n_h x m, X: n_x x m, A1: n_h x m, A2: n_y x m */
    int n_x = net->n_x, n_h = net->n_h, n_y = net->n_y;
    output_backward(dZ2, A2, y, n_y, m);
    linear_backward(dZ1, grad->W2, grad->b2, dZ2, A1, net->W2, n_y, n_h, m, scale, 0, n_y, 0, n_h);
    act_backward(dZ1, dZ1, A1, (size_t)n_h * m, net->act); /* dA1 becomes dZ1 in place */
    linear_backward(NULL, grad->W1, grad->b1, dZ1, X, net->W1, n_h, n_x, m, scale, 0, n_h, 0, n_x);
}
