/* loss.c — the output layer and its loss as one pair: sigmoid or softmax forward, the
 * cross-entropy from the logits, and its gradient A − Y. */
#include <math.h>
#include <string.h>

#include "nnt/net.h"

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
