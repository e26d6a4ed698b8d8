/* test_rng.c — the seeded generator: reproducible, seed-sensitive, and with sane distributions. */
#include <stdlib.h>

#include "check.h"
#include "nnt/rng.h"

int main(void)
{
    /* splitmix64's published first outputs from 0 (Vigna's reference implementation) */
    uint64_t sm = 0;
    CHECK(rng_splitmix64(&sm) == 0xe220a8397b1dcdafULL);
    CHECK(rng_splitmix64(&sm) == 0x6e789e6aa1b965f4ULL);

    nnt_rng a, b;
    rng_seed(&a, 1);
    rng_seed(&b, 1);
    int same = 1;
    for (int i = 0; i < 1000; i++)
        same &= rng_next(&a) == rng_next(&b);
    CHECK(same);
    rng_seed(&b, 2);
    CHECK(rng_next(&a) != rng_next(&b));

    /* normal draws: mean ≈ 0, variance ≈ 1 over 200k samples (4 standard errors) */
    rng_seed(&a, 7);
    double s = 0, s2 = 0;
    int n = 200000;
    for (int i = 0; i < n; i++) {
        double x = rng_normal(&a);
        CHECK(isfinite(x));
        s += x;
        s2 += x * x;
    }
    double mean = s / n, var = s2 / n - mean * mean;
    CHECK_NEAR(mean, 0.0, 4.0 / sqrt(n));
    CHECK_NEAR(var, 1.0, 4.0 * sqrt(2.0 / n));

    /* uniform in [0,1), below in range, shuffle a permutation */
    for (int i = 0; i < 10000; i++) {
        double u = rng_uniform(&a);
        CHECK(u >= 0.0 && u < 1.0);
        CHECK(rng_below(&a, 3) < 3);
    }
    size_t idx[100];
    int seen[100] = {0};
    for (size_t i = 0; i < 100; i++)
        idx[i] = i;
    rng_shuffle(&a, idx, 100);
    int moved = 0;
    for (size_t i = 0; i < 100; i++) {
        seen[idx[i]]++;
        moved += idx[i] != i;
    }
    int perm = 1;
    for (int i = 0; i < 100; i++)
        perm &= seen[i] == 1;
    CHECK(perm);
    CHECK(moved > 50);
    return check_done("test_rng");
}
