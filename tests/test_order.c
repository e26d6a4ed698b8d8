/* test_order.c — the epoch's batch order: every image once, one per stratum a step, and the same
 * steps from any number of ranks, with or without skipped files. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "nnt/order.h"

#define MAX_RANKS 5

/* n_files files; a file whose index is a multiple of `gap` (gap > 0) was skipped. A "rank" of
 * `size` holds the kept files order_rank gives it; pos[r] its files' positions, m[r] how many. */
typedef struct ranks {
    int size;
    size_t m[MAX_RANKS];
    size_t *pos[MAX_RANKS];
    nnt_order ord[MAX_RANKS];
} ranks;

static int make_ranks(ranks *R, size_t n_files, size_t gap, size_t b, int size, nnt_err *err)
{
    memset(R, 0, sizeof *R);
    R->size = size;
    double *count = calloc(b, sizeof *count);
    for (int r = 0; r < size; r++) {
        R->pos[r] = malloc(n_files * sizeof *R->pos[r]);
        for (size_t p = 0; p < n_files; p++)
            if (!(gap && p % gap == 0) && order_rank(p, b, n_files, size) == r)
                R->pos[r][R->m[r]++] = p;
        order_count(count, R->pos[r], R->m[r], b); /* the ranks' allreduce, in one process */
    }
    int rc = 0;
    for (int r = 0; r < size && rc == 0; r++)
        rc = order_init(&R->ord[r], R->pos[r], R->m[r], b, count, err);
    free(count);
    return rc;
}

static void free_ranks(ranks *R)
{
    for (int r = 0; r < R->size; r++) {
        order_free(&R->ord[r]);
        free(R->pos[r]);
    }
}

/* Position of the j-th image of rank r's epoch. */
static size_t at(const ranks *R, int r, size_t j) { return R->pos[r][R->ord[r].idx[j]]; }

/* One process, nothing skipped: each epoch visits every image once, and every full step holds
 * one image of each stratum. */
static void one_process(void)
{
    size_t m = 101, b = 32; /* 101 = 3·32 + 5: a short last step, from strata 0..4 */
    double count[32] = {0};
    order_count(count, NULL, m, b);
    nnt_order o;
    nnt_err err;
    CHECK(order_init(&o, NULL, m, b, count, &err) == 0);
    CHECK(o.steps == 4 && o.most == 32);
    size_t first[101];
    for (int epoch = 0; epoch < 3; epoch++) {
        order_epoch(&o, 1000 + (uint64_t)epoch);
        int seen[101] = {0};
        for (size_t j = 0; j < m; j++)
            seen[o.idx[j]]++;
        int once = 1;
        for (size_t i = 0; i < m; i++)
            once &= seen[i] == 1;
        CHECKF(once, "epoch %d does not visit every image once", epoch);
        for (size_t k = 0; k < o.steps; k++) {
            size_t n = o.step[k + 1] - o.step[k];
            CHECK(n == (k < 3 ? 32 : 5));
            int strata[32] = {0}, one_each = 1;
            for (size_t j = o.step[k]; j < o.step[k + 1]; j++)
                strata[o.idx[j] % b]++;
            for (size_t s = 0; s < n; s++) /* the last step: the first 5 strata */
                one_each &= strata[s] == 1;
            CHECKF(one_each, "step %zu of epoch %d does not take one image per stratum", k, epoch);
        }
        if (epoch == 0)
            memcpy(first, o.idx, sizeof first);
    }
    CHECK(memcmp(first, o.idx, sizeof first) != 0); /* reshuffled */
    order_epoch(&o, 1000); /* the key alone decides the order, not the epochs before */
    CHECK(memcmp(first, o.idx, sizeof first) == 0);
    /* the same key from the start gives the same order: the key alone decides it */
    nnt_order again;
    CHECK(order_init(&again, NULL, m, b, count, &err) == 0);
    order_epoch(&again, 1000);
    CHECK(memcmp(first, again.idx, sizeof first) == 0);
    order_epoch(&again, 1001);
    CHECK(memcmp(first, again.idx, sizeof first) != 0);
    order_free(&again);
    order_free(&o);
}

/* N ranks take the steps one process takes: each rank's part of a step is the one-process
 * step's images that it holds, in the same order. */
static void any_ranks(size_t n_files, size_t gap, size_t b)
{
    nnt_err err;
    ranks one;
    CHECK(make_ranks(&one, n_files, gap, b, 1, &err) == 0);
    for (int size = 2; size <= MAX_RANKS; size++) {
        ranks R;
        CHECKF(make_ranks(&R, n_files, gap, b, size, &err) == 0, "%s", err.msg);
        size_t total = 0, most = 0;
        for (int r = 0; r < size; r++) {
            total += R.m[r];
            CHECK(R.ord[r].steps == one.ord[0].steps);
        }
        CHECK(total == one.m[0]);
        int same = 1, balanced = 1;
        for (int epoch = 0; epoch < 3; epoch++) {
            uint64_t key = 0x5eed + (uint64_t)epoch;
            order_epoch(&one.ord[0], key);
            for (int r = 0; r < size; r++)
                order_epoch(&R.ord[r], key);
            const nnt_order *o1 = &one.ord[0];
            for (size_t k = 0; k < o1->steps; k++) {
                size_t next[MAX_RANKS];
                for (int r = 0; r < size; r++) {
                    next[r] = R.ord[r].step[k];
                    size_t share = R.ord[r].step[k + 1] - R.ord[r].step[k];
                    most = share > most ? share : most;
                    /* without gaps, whole steps take b/size images of each rank, within one */
                    if (!gap && o1->step[k + 1] - o1->step[k] == b)
                        balanced &= share * (size_t)size + (size_t)size > b &&
                                    share * (size_t)size < b + (size_t)size;
                }
                for (size_t j = o1->step[k]; j < o1->step[k + 1]; j++) {
                    size_t p = one.pos[0][o1->idx[j]];
                    int r = order_rank(p, b, n_files, size);
                    same &= next[r] < R.ord[r].step[k + 1] && at(&R, r, next[r]) == p;
                    next[r]++;
                }
                for (int r = 0; r < size; r++)
                    same &= next[r] == R.ord[r].step[k + 1];
            }
        }
        CHECKF(same, "%d ranks (%zu files, gap %zu, batch %zu) take other steps than one process",
               size, n_files, gap, b);
        CHECKF(balanced, "%d ranks: a step's shares are not within one of %zu", size, b / size);
        size_t most_r = 0;
        for (int r = 0; r < size; r++)
            most_r = R.ord[r].most > most_r ? R.ord[r].most : most_r;
        CHECK(most_r == most);
        free_ranks(&R);
    }
    free_ranks(&one);
}

/* Strata as unequal as they come: every position in stratum 0 of 1000. Each step still takes
 * the next 1000 images, the stratum's, and the epoch visits each once. */
static void one_stratum(void)
{
    size_t m = 5000, b = 1000, *pos = malloc(m * sizeof *pos);
    double *count = calloc(b, sizeof *count);
    for (size_t i = 0; i < m; i++)
        pos[i] = i * b;
    order_count(count, pos, m, b);
    nnt_order o;
    nnt_err err;
    CHECK(order_init(&o, pos, m, b, count, &err) == 0);
    CHECK(o.steps == 5 && o.most == 1000 && o.n_groups == 1);
    order_epoch(&o, 3);
    int *seen = calloc(m, sizeof *seen), once = 1, sizes = 1;
    for (size_t j = 0; j < m; j++)
        seen[o.idx[j]]++;
    for (size_t i = 0; i < m; i++)
        once &= seen[i] == 1;
    for (size_t k = 0; k < o.steps; k++)
        sizes &= o.step[k + 1] - o.step[k] == b;
    CHECK(once && sizes);
    order_free(&o);
    free(seen);
    free(count);
    free(pos);
}

int main(void)
{
    one_process();
    one_stratum();
    any_ranks(1000, 0, 64);  /* 15 whole steps and a short one */
    any_ranks(1000, 7, 64);  /* skipped files: strata of unequal sizes */
    any_ranks(997, 3, 100);  /* a batch no rank count divides but 2, 4, 5 */
    any_ranks(60, 0, 59);    /* one step of 59 and one of 1 */

    /* the ranks' strata must be whole: half a stratum on each of two ranks is refused */
    nnt_err err;
    size_t a[] = {0, 2}, b2[] = {4, 6};
    double count[2] = {0};
    order_count(count, a, 2, 2);
    order_count(count, b2, 2, 2);
    nnt_order o;
    CHECK(order_init(&o, a, 2, 2, count, &err) != 0);
    CHECKF(strstr(err.msg, "split between ranks") != NULL, "%s", err.msg);
    size_t back[] = {4, 2}; /* positions must increase */
    double c2[2] = {0};
    order_count(c2, back, 2, 2);
    CHECK(order_init(&o, back, 2, 2, c2, &err) != 0);
    CHECKF(strstr(err.msg, "increase") != NULL, "%s", err.msg);
    return check_done("order");
}
