/* act.h — hidden-layer activations g and their derivatives, taken from the output a = g(z). */
#ifndef NNT_ACT_H
#define NNT_ACT_H

#include <stddef.h>

typedef enum nnt_act {
    NNT_ACT_SIGMOID = 0,
    NNT_ACT_TANH = 1,
    NNT_ACT_RELU = 2,
    NNT_ACT_LEAKY_RELU = 3, /* 0.01·z below zero */
} nnt_act;

#define NNT_ACT_COUNT 4
#define NNT_LEAKY_SLOPE 0.01f

/* A[i] = g(Z[i]) for n entries; A may equal Z (in place). */
void act_forward(float *A, const float *Z, size_t n, nnt_act act);
/* dZ[i] = dA[i] · g'(z[i]), with g' computed from A[i] = g(z[i]) (so Z need not be kept);
 * dZ may equal dA. For ReLU-like g, g'(0) is taken as 0 (z ≤ 0 side), as numpy's `Z > 0` does. */
void act_backward(float *dZ, const float *dA, const float *A, size_t n, nnt_act act);

/* The same pair on rows [r0, r1) of n × m matrices (ld = n): a team member's part of a layer. */
void act_forward_rows(float *A, const float *Z, int n, int m, int r0, int r1, nnt_act act);
void act_backward_rows(float *dZ, const float *dA, const float *A, int n, int m, int r0, int r1,
                       nnt_act act);

/* g(z) for one value; the reference the vector versions are tested against. */
float act_scalar(float z, nnt_act act);
/* g'(z) for one value, computed from z directly (the tests' independent reference). */
float act_scalar_grad(float z, nnt_act act);

/* "sigmoid", "tanh", "relu", "leaky-relu". */
const char *act_name(nnt_act act);
/* Parses a name as act_name prints it; returns 0, or -1 for an unknown name. */
int act_parse(nnt_act *act, const char *name);

/* Numerically stable logistic function. */
float sigmoidf(float z);

#endif
