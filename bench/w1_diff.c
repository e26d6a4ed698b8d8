/* w1_diff.c — the relative Frobenius difference ‖W1_a − W1_b‖ / ‖W1_b‖ between two nnt model
 * files (and of all parameters), for comparing the dual and primal solvers (bench/dual.sh).
 * Build: cc -O2 -Iinclude bench/w1_diff.c build/libnntcore.a -lopenblas -lpng -lz -lm -lpthread */
#include <math.h>
#include <stdio.h>

#include "nnt/model.h"

static double rel(const float *a, const float *b, size_t n)
{
    double d = 0, s = 0;
    for (size_t i = 0; i < n; i++) {
        d += ((double)a[i] - b[i]) * ((double)a[i] - b[i]);
        s += (double)b[i] * b[i];
    }
    return sqrt(d / s);
}

int main(int argc, char **argv)
{
    nnt_model a = {0}, b = {0};
    nnt_err err;
    if (argc != 3) {
        fprintf(stderr, "usage: w1_diff A.bin B.bin\n");
        return 2;
    }
    if (model_load(&a, argv[1], &err) || model_load(&b, argv[2], &err)) {
        fprintf(stderr, "w1_diff: %s\n", err.msg);
        return 1;
    }
    if (a.net.n_params != b.net.n_params || a.net.n_x != b.net.n_x) {
        fprintf(stderr, "w1_diff: the models have different shapes\n");
        return 1;
    }
    printf("{\"w1_rel_diff\":%.3g,\"params_rel_diff\":%.3g}\n",
           rel(a.net.W1, b.net.W1, (size_t)a.net.n_h * a.net.n_x),
           rel(a.net.params, b.net.params, a.net.n_params));
    model_free(&a);
    model_free(&b);
    return 0;
}
