/* test_shard.c — the data of a data-parallel run: for 1 to 4 ranks every file is loaded by
 * exactly one rank, each rank's in list order, training shards whole strata of the batch order;
 * the validation split is the same for any number of ranks; a batch smaller than the ranks is
 * refused; and one process loads data/ with the validation split cli_mpi.sh counts, and with
 * the input scaling fitted on its training images. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "nnt/order.h"
#include "nnt/shard.h"

enum { N = 37, CLASSES = 3 };

/* Every file of all is in exactly one rank's shard, in list order, with its label; with
 * whole_strata, position p's stratum p mod b lies on one rank. */
static void check_cover(const nnt_filelist *all, size_t b, int size, int whole_strata)
{
    int owner[N];
    int stratum_owner[N];
    for (size_t i = 0; i < all->n; i++)
        owner[i] = stratum_owner[i] = -1;
    for (int rank = 0; rank < size; rank++) {
        nnt_filelist shard = {0};
        size_t *where = NULL;
        nnt_err err;
        CHECK(shard_select(&shard, &where, all, b, rank, size, &err) == 0);
        for (size_t k = 0; k < shard.n; k++) {
            size_t i = where[k];
            CHECKF(i < all->n && owner[i] == -1, "b %zu, %d ranks: file %zu twice", b, size, i);
            if (i >= all->n)
                continue;
            owner[i] = rank;
            CHECK(k == 0 || where[k - 1] < i);
            CHECK(shard.paths[k] == all->paths[i] && shard.labels[k] == all->labels[i]);
            if (whole_strata) {
                size_t s = i % b;
                CHECK(stratum_owner[s] == -1 || stratum_owner[s] == rank);
                stratum_owner[s] = rank;
            }
        }
        filelist_release(&shard);
        free(where);
    }
    for (size_t i = 0; i < all->n; i++)
        CHECKF(owner[i] >= 0, "b %zu, %d ranks: file %zu on no rank", b, size, i);
}

static void check_data_dir(void)
{
    const char *dir = getenv("NNT_DATA_DIR");
    if (!dir) {
        printf("test_shard: NNT_DATA_DIR not set (ctest sets it); data/ not loaded\n");
        return;
    }
    nnt_shard_opts o = {dir, 0.2, 1, 64, {0, 0, 0, 0, 1, NULL, NULL}, NNT_SCALE_NONE};
    o.load.max_pixels = 1u << 20;
    nnt_shard s;
    nnt_err err;
    nnt_comm comm;
    CHECK(comm_init(&comm, &err) == 0);
    int rc = shard_load(&s, &o, &comm, &err);
    CHECKF(rc == 0, "%s", err.msg);
    if (rc == 0) {
        CHECK(s.n_train == 480 && s.n_val == 120 && s.n_test == 200 && s.n_skipped == 0);
        CHECK(s.train.m == 480 && s.val.m == 120 && s.test.m == 200);
        CHECK(s.geom.width == 28 && s.geom.height == 28 && s.geom.channels == 1);
        for (size_t k = 0; k < s.train.m; k++) /* one process: the list's own places */
            CHECK(s.position[k] == k);
        CHECK(s.scale.kind == NNT_SCALE_NONE && !s.train.scale && !s.val.scale && !s.test.scale);
    }
    shard_free(&s);
    /* --scale: fitted on the training images alone (not the held-out ones), every set scaled */
    o.scale = NNT_SCALE_STANDARDIZE;
    rc = shard_load(&s, &o, &comm, &err);
    CHECKF(rc == 0, "%s", err.msg);
    if (rc == 0) {
        nnt_scaler want, val;
        CHECK(scale_fit(&want, NNT_SCALE_STANDARDIZE, s.train.X, s.train.n_x, s.train.m, &err) == 0);
        CHECK(scale_fit(&val, NNT_SCALE_STANDARDIZE, s.val.X, s.val.n_x, s.val.m, &err) == 0);
        CHECK(s.scale.kind == NNT_SCALE_STANDARDIZE && s.scale.n_x == 784);
        CHECK(memcmp(s.scale.mu, want.mu, 784 * sizeof(float)) == 0 &&
              memcmp(s.scale.inv_sigma, want.inv_sigma, 784 * sizeof(float)) == 0);
        CHECK(memcmp(s.scale.mu, val.mu, 784 * sizeof(float)) != 0);
        CHECK(s.train.scale == &s.scale && s.val.scale == &s.scale && s.test.scale == &s.scale);
        shard_unscale(&s);
        CHECK(!s.train.scale && !s.val.scale && !s.test.scale && s.scale.mu);
        scale_free(&want);
        scale_free(&val);
    }
    shard_free(&s);
    o.scale = NNT_SCALE_NONE;
    /* a failure names the folder, and leaves the shard empty */
    o.dir = "/nonexistent/nnt-test-shard";
    CHECK(shard_load(&s, &o, &comm, &err) == -1 && !err.peer && strstr(err.msg, o.dir));
    CHECK(s.train.m == 0 && s.position == NULL);
    shard_free(&s);
    comm_finalize(&comm);
}

int main(void)
{
    char *paths[N];
    int32_t labels[N];
    char names[N][8];
    for (int i = 0; i < N; i++) {
        snprintf(names[i], sizeof names[i], "f%02d", i);
        paths[i] = names[i];
        labels[i] = i * CLASSES / N; /* classes in turn, as a scan lists them */
    }
    nnt_filelist all = {N, paths, labels};
    nnt_err err;

    /* the training list: full batch, strata of 5, and a batch above the list's size */
    const size_t batches[] = {0, 5, 8, 64};
    for (int size = 1; size <= 4; size++)
        for (size_t j = 0; j < sizeof batches / sizeof batches[0]; j++)
            check_cover(&all, batches[j], size, batches[j] > 0 && batches[j] < N);

    /* the validation split: each rank makes it (the same call, whatever the ranks), then
     * loads its shard of the held files; together they hold the one process's held list */
    nnt_filelist fit1 = {0}, held1 = {0};
    CHECK(shard_split(&fit1, &held1, &all, CLASSES, 0.25, 7, &err) == 0);
    CHECK(held1.n > 0 && fit1.n + held1.n == N);
    for (int size = 1; size <= 4; size++) {
        size_t seen = 0;
        for (int rank = 0; rank < size; rank++) {
            nnt_filelist fit = {0}, held = {0}, shard = {0};
            size_t *where = NULL;
            CHECK(shard_split(&fit, &held, &all, CLASSES, 0.25, 7, &err) == 0);
            CHECK(fit.n == fit1.n && held.n == held1.n);
            CHECK(memcmp(held.paths, held1.paths, held.n * sizeof *held.paths) == 0);
            CHECK(memcmp(fit.paths, fit1.paths, fit.n * sizeof *fit.paths) == 0);
            CHECK(shard_select(&shard, &where, &held, 0, rank, size, &err) == 0);
            seen += shard.n;
            for (size_t k = 0; k < shard.n; k++)
                CHECK(order_rank(where[k], 0, held.n, size) == rank);
            filelist_release(&shard);
            free(where);
            filelist_release(&fit);
            filelist_release(&held);
        }
        CHECK(seen == held1.n);
        check_cover(&held1, 0, size, 0);
        check_cover(&fit1, 8, size, 1);
    }
    filelist_release(&fit1);
    filelist_release(&held1);

    /* every rank needs an image of every step */
    CHECK(shard_check_batch(1, 2, &err) == -1 && strstr(err.msg, "--batch 1 is smaller than the 2 ranks"));
    CHECK(shard_check_batch(0, 4, &err) == 0 && shard_check_batch(2, 2, &err) == 0);
    CHECK(shard_check_batch(1, 1, &err) == 0);

    check_data_dir();
    return check_done("test_shard");
}
