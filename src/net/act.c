/* act.c — hidden-layer activations and their derivatives; derivatives come from the output. */
#include <math.h>

#include "nnt/act.h"
#include "nnt/err.h"
#include "nnt/simd.h"

static const char *const act_names[NNT_ACT_COUNT] = {"sigmoid", "tanh", "relu", "leaky-relu"};

float sigmoidf(float z)
{
    /* exp of a non-positive number only, so large |z| saturates instead of overflowing */
    if (z >= 0.0f)
        return 1.0f / (1.0f + expf(-z));
    float e = expf(z);
    return e / (1.0f + e);
}

NNT_VECTOR void act_forward(float *A, const float *Z, size_t n, nnt_act act)
{
    switch (act) {
    case NNT_ACT_SIGMOID:
        for (size_t i = 0; i < n; i++)
            A[i] = sigmoidf(Z[i]);
        break;
    case NNT_ACT_TANH:
        for (size_t i = 0; i < n; i++)
            A[i] = tanhf(Z[i]);
        break;
    case NNT_ACT_RELU:
        for (size_t i = 0; i < n; i++)
            A[i] = Z[i] > 0.0f ? Z[i] : 0.0f;
        break;
    case NNT_ACT_LEAKY_RELU:
        for (size_t i = 0; i < n; i++)
            A[i] = Z[i] > 0.0f ? Z[i] : NNT_LEAKY_SLOPE * Z[i];
        break;
    }
}

NNT_VECTOR void act_backward(float *dZ, const float *dA, const float *A, size_t n, nnt_act act)
{
    /* g' from a = g(z): sigmoid a(1-a), tanh 1-a², ReLU-like by the sign of a (same as z's). */
    switch (act) {
    case NNT_ACT_SIGMOID:
        for (size_t i = 0; i < n; i++)
            dZ[i] = dA[i] * A[i] * (1.0f - A[i]);
        break;
    case NNT_ACT_TANH:
        for (size_t i = 0; i < n; i++)
            dZ[i] = dA[i] * (1.0f - A[i] * A[i]);
        break;
    /* dA[i] is read whatever the sign, so the compiler may select instead of branch (and
     * vectorise): a branch on the sign of a hidden unit is mispredicted half the time */
    case NNT_ACT_RELU:
        for (size_t i = 0; i < n; i++) {
            float d = dA[i];
            dZ[i] = A[i] > 0.0f ? d : 0.0f;
        }
        break;
    case NNT_ACT_LEAKY_RELU:
        for (size_t i = 0; i < n; i++) {
            float d = dA[i];
            dZ[i] = A[i] > 0.0f ? d : NNT_LEAKY_SLOPE * d;
        }
        break;
    }
}

/* Row by row of each column, but as one run when the rows are all of them: the team's members
 * split a layer by rows, and one thread alone takes the whole matrix in one call. */
void act_forward_rows(float *A, const float *Z, int n, int m, int r0, int r1, nnt_act act)
{
    /* A, Z: n x m, ld = n (rows r0..r1 written) */
    if (r1 - r0 == n) {
        act_forward(A, Z, (size_t)n * m, act);
        return;
    }
    for (int j = 0; j < m; j++)
        act_forward(A + (size_t)j * n + r0, Z + (size_t)j * n + r0, (size_t)(r1 - r0), act);
}

void act_backward_rows(float *dZ, const float *dA, const float *A, int n, int m, int r0, int r1,
                       nnt_act act)
{
    /* dZ, dA, A: n x m, ld = n (rows r0..r1 written) */
    if (r1 - r0 == n) {
        act_backward(dZ, dA, A, (size_t)n * m, act);
        return;
    }
    for (int j = 0; j < m; j++) {
        size_t o = (size_t)j * n + r0;
        act_backward(dZ + o, dA + o, A + o, (size_t)(r1 - r0), act);
    }
}

float act_scalar(float z, nnt_act act)
{
    float a = 0.0f;
    act_forward(&a, &z, 1, act);
    return a;
}

float act_scalar_grad(float z, nnt_act act)
{
    switch (act) {
    case NNT_ACT_SIGMOID: {
        float s = sigmoidf(z);
        return s * (1.0f - s);
    }
    case NNT_ACT_TANH: {
        float c = coshf(z);
        return 1.0f / (c * c);
    }
    case NNT_ACT_RELU:
        return z > 0.0f ? 1.0f : 0.0f;
    case NNT_ACT_LEAKY_RELU:
        return z > 0.0f ? 1.0f : NNT_LEAKY_SLOPE;
    }
    return 0.0f;
}

const char *act_name(nnt_act act)
{
    return (unsigned)act < NNT_ACT_COUNT ? act_names[act] : "unknown";
}

int act_parse(nnt_act *act, const char *name)
{
    int i = nnt_name_index(act_names, NNT_ACT_COUNT, name);
    if (i >= 0)
        *act = (nnt_act)i;
    return i < 0 ? -1 : 0;
}
