/* test_act.c — activations against their formulas; derivatives from the output against g'(z). */
#include "check.h"
#include "nnt/act.h"

int main(void)
{
    const float zs[] = {-30.0f, -3.0f, -0.5f, -1e-3f, 1e-3f, 0.25f, 2.0f, 30.0f};
    const int nz = (int)(sizeof zs / sizeof zs[0]);
    for (int k = 0; k < NNT_ACT_COUNT; k++) {
        nnt_act act = (nnt_act)k;
        for (int i = 0; i < nz; i++) {
            float z = zs[i];
            double want;
            switch (act) {
            case NNT_ACT_SIGMOID: want = 1.0 / (1.0 + exp(-(double)z)); break;
            case NNT_ACT_TANH: want = tanh(z); break;
            case NNT_ACT_RELU: want = z > 0 ? z : 0; break;
            default: want = z > 0 ? z : 0.01 * z; break;
            }
            float a = act_scalar(z, act);
            CHECKF(fabs(a - want) <= 1e-6 * (1 + fabs(want)), "%s(%g) = %g, want %g", act_name(act), z, a, want);
            /* vector forward/backward agree with the scalar forms; backward uses only A */
            float A, dZ, dA = 1.5f;
            act_forward(&A, &z, 1, act);
            act_backward(&dZ, &dA, &A, 1, act);
            float g = act_scalar_grad(z, act);
            CHECKF(fabs(dZ - 1.5f * g) <= 1e-5 * (1 + fabs(g)), "%s'(%g) from output %g vs %g", act_name(act), z, dZ, 1.5f * g);
            /* and g' against a central difference away from the kink */
            if (fabs(z) > 1e-2 && fabs(z) < 20) {
                double h = 1e-3;
                double num = (act_scalar((float)(z + h), act) - act_scalar((float)(z - h), act)) / (2 * h);
                CHECKF(fabs(num - g) <= 2e-3 * (1 + fabs(g)), "%s'(%g) = %g, numeric %g", act_name(act), z, g, num);
            }
        }
        nnt_act back;
        CHECK(act_parse(&back, act_name(act)) == 0 && back == act);
    }
    /* sigmoid saturates without overflow or NaN */
    CHECK(sigmoidf(-1000.0f) == 0.0f && sigmoidf(1000.0f) == 1.0f);
    CHECK(act_scalar(0.0f, NNT_ACT_RELU) == 0.0f && act_scalar_grad(0.0f, NNT_ACT_RELU) == 0.0f);
    nnt_act x;
    CHECK(act_parse(&x, "softplus") == -1);
    CHECK(act_parse(&x, "RELU") == -1);
    return check_done("test_act");
}
