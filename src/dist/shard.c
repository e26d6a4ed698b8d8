/* shard.c — the data of a data-parallel run (shard.h): the files each rank loads, the
 * validation split every rank makes alike, the ranks' agreement on what they loaded, and the
 * input scaling fitted on all their training images. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nnt/agree.h"
#include "nnt/order.h"
#include "nnt/rng.h"
#include "nnt/scale.h"
#include "nnt/shard.h"

int shard_check_batch(size_t batch, int n_ranks, nnt_err *err)
{
    /* a rank whose share of a step is no image could not stay in step */
    if (n_ranks > 1 && batch > 0 && batch < (size_t)n_ranks)
        return nnt_errf(err, "--batch %zu is smaller than the %d ranks: each step takes at least "
                             "one image from every rank", batch, n_ranks);
    return 0;
}

int shard_select(nnt_filelist *shard, size_t **where, const nnt_filelist *all, size_t b,
                 int rank, int size, nnt_err *err)
{
    size_t n = 0;
    for (size_t i = 0; i < all->n; i++)
        n += order_rank(i, b, all->n, size) == rank;
    /* n <= all->n, whose arrays of these sizes exist: no product below overflows */
    shard->n = n;
    shard->paths = malloc((n ? n : 1) * sizeof *shard->paths);
    shard->labels = malloc((n ? n : 1) * sizeof *shard->labels);
    size_t *idx = where ? malloc((n ? n : 1) * sizeof *idx) : NULL;
    if (!shard->paths || !shard->labels || (where && !idx)) {
        filelist_release(shard);
        free(idx);
        return nnt_errf(err, "out of memory");
    }
    for (size_t i = 0, k = 0; i < all->n; i++) {
        if (order_rank(i, b, all->n, size) != rank)
            continue;
        shard->paths[k] = all->paths[i];
        shard->labels[k] = all->labels[i];
        if (idx)
            idx[k] = i;
        k++;
    }
    if (where)
        *where = idx;
    return 0;
}

int shard_split(nnt_filelist *fit, nnt_filelist *held, const nnt_filelist *files, int n_classes,
                double frac, uint64_t seed, nnt_err *err)
{
    nnt_rng rng;
    rng_seed(&rng, seed ^ 0x9e3779b97f4a7c15ULL);
    return filelist_split(fit, held, files, frac, n_classes, &rng, err);
}

/* The shards are cut from each rank's own scan: on several hosts, all must see one list. */
static int check_same_lists(const nnt_scan *scan, const char *dir, const nnt_comm *comm,
                            int rank, nnt_err *err)
{
    /* the maxima of n and -n: the largest and the smallest count of any rank */
    int count[4] = {(int)(scan->train.n & INT32_MAX), -(int)(scan->train.n & INT32_MAX),
                    (int)(scan->test.n & INT32_MAX), -(int)(scan->test.n & INT32_MAX)};
    comm_allreduce_max_int(comm, count, 4);
    if (count[0] == -count[1] && count[2] == -count[3])
        return 0;
    if (rank != 0) /* every rank knows; rank 0 says it */
        return nnt_err_peer(err, "the ranks see different images");
    return nnt_errf(err, "%s: the ranks see different images (%d to %d training, %d to %d test); "
                         "the folder must be the same on every host",
                    dir, -count[1], count[0], -count[3], count[2]);
}

/* A class without images is an error everywhere else (the scan refuses an empty class folder):
 * so is one whose every training or test image --skip-bad skipped, over all ranks. The lists
 * are alike on every rank, the loaded counts summed: every rank reaches the same verdict. */
static int check_classes_left(const nnt_shard *s, const nnt_filelist *fit, const nnt_shard_opts *o,
                              const nnt_comm *comm, nnt_err *err)
{
    int n = s->scan.n_classes, rank = comm ? comm->rank : 0;
    double *loaded = calloc(2 * (size_t)n, sizeof *loaded);
    size_t *count = calloc(4 * (size_t)n, sizeof *count); /* listed and loaded, training and test */
    int rc = loaded && count ? 0 : nnt_errf(err, "out of memory");
    if (agree_failed(comm, rc, err))
        goto done; /* before the sum, which every rank must join */
    for (size_t j = 0; j < s->train.m; j++)
        loaded[s->train.y[j]]++;
    for (size_t j = 0; j < s->test.m; j++)
        loaded[n + s->test.y[j]]++;
    comm_allreduce_sum_double(comm, loaded, 2 * (size_t)n); /* whole numbers: exact */
    for (size_t j = 0; j < fit->n; j++)
        count[fit->labels[j]]++;
    for (size_t j = 0; j < s->scan.test.n; j++)
        count[2 * n + s->scan.test.labels[j]]++;
    for (int c = 0; c < n; c++) {
        count[n + c] = (size_t)loaded[c];
        count[3 * n + c] = (size_t)loaded[n + c];
    }
    char lost_train[NNT_ERR_MAX / 2], lost_test[NNT_ERR_MAX / 2];
    int n_train = dataset_classes_lost(lost_train, sizeof lost_train, count, count + n, n,
                                       s->scan.class_names);
    int n_test = dataset_classes_lost(lost_test, sizeof lost_test, count + 2 * n, count + 3 * n, n,
                                      s->scan.class_names);
    if ((n_train || n_test) && rank != 0)
        rc = nnt_err_peer(err, "--skip-bad left a class without images");
    else if (n_train || n_test)
        rc = nnt_errf(err, "%s: --skip-bad left %s without images: %s%s%s%s%s", o->dir,
                      n_train + n_test == 1 ? "a class" : "classes", n_train ? "training: " : "",
                      lost_train, n_train && n_test ? "; " : "", n_test ? "test: " : "", lost_test);
done:
    free(loaded);
    free(count);
    return rc;
}

int shard_load(nnt_shard *s, const nnt_shard_opts *o, const nnt_comm *comm, nnt_err *err)
{
    memset(s, 0, sizeof *s);
    nnt_filelist fit = {0}, held = {0}; /* the training files after the split, and the rest */
    nnt_filelist part[3] = {{0}};       /* this rank's training, validation and test files */
    size_t *where = NULL;               /* part[0]'s files' places in the training list */
    size_t skipped[3] = {0};
    int rank = comm ? comm->rank : 0, size = comm_size(comm);

    int rc = dataset_scan(&s->scan, o->dir, err);
    /* the split is of the file list, before each rank loads its shard of both parts: N ranks
     * hold out the images one process would */
    const nnt_filelist *fit_list = &s->scan.train;
    if (rc == 0 && o->val_split > 0.0) {
        nnt_err why;
        if (shard_split(&fit, &held, &s->scan.train, s->scan.n_classes, o->val_split, o->seed,
                        &why))
            rc = nnt_errf(err, "%s: %s", o->dir, why.msg);
        fit_list = &fit;
    }
    /* the training shards are whole strata of the batch order (order.h), so N ranks take the
     * batches one process would; the others are evaluated whole, in any shards */
    if (rc == 0)
        rc = shard_select(&part[0], &where, fit_list, o->batch, rank, size, err);
    if (rc == 0)
        rc = shard_select(&part[1], NULL, &held, 0, rank, size, err);
    if (rc == 0)
        rc = shard_select(&part[2], NULL, &s->scan.test, 0, rank, size, err);
    if (rc == 0 && part[0].n == 0)
        rc = nnt_errf(err, "%s: %zu training images for %d ranks; every rank needs one", o->dir,
                      fit_list->n, size);
    if (rc == 0)
        rc = dataset_probe(&s->geom, &part[0], &o->load, err);
    if (agree_failed(comm, rc, err) || check_same_lists(&s->scan, o->dir, comm, rank, err))
        goto fail;
    /* one geometry for all shards: colour if any rank saw colour, rank 0's size (a shard whose
     * images differ fails to load, naming the file) */
    comm_allreduce_max_int(comm, &s->geom.channels, 1);
    uint32_t wh[2] = {s->geom.width, s->geom.height};
    comm_broadcast(comm, wh, sizeof wh, 0);
    s->geom.width = wh[0];
    s->geom.height = wh[1];
    rc = dataset_load(&s->train, &skipped[0], &part[0], &s->geom, &o->load, err);
    if (rc == 0 && part[1].n)
        rc = dataset_load(&s->val, &skipped[1], &part[1], &s->geom, &o->load, err);
    if (rc == 0 && part[2].n)
        rc = dataset_load(&s->test, &skipped[2], &part[2], &s->geom, &o->load, err);
    if (agree_failed(comm, rc, err))
        goto fail;
    /* the loaded images' places in the list, for the batch order */
    for (size_t k = 0; k < s->train.m; k++)
        where[k] = where[s->train.file[k]]; /* train.file[k] >= k: read before written */
    s->position = where;
    where = NULL; /* s owns it now: shard_free frees it */
    double sums[5] = {(double)s->train.m, (double)s->val.m, (double)s->test.m,
                      (double)(skipped[0] + skipped[1]), (double)skipped[2]};
    comm_allreduce_sum_double(comm, sums, 5);
    s->n_train = (size_t)sums[0];
    s->n_val = (size_t)sums[1];
    s->n_test = (size_t)sums[2];
    s->n_skipped = (size_t)sums[3] + (size_t)sums[4];
    if (s->n_skipped && check_classes_left(s, fit_list, o, comm, err))
        goto fail;
    if (o->scale != NNT_SCALE_NONE && shard_scale(s, o->scale, comm, err))
        goto fail;
    for (int i = 0; i < 3; i++)
        filelist_release(&part[i]);
    filelist_release(&fit);
    filelist_release(&held);
    return 0;
fail:
    free(where);
    for (int i = 0; i < 3; i++)
        filelist_release(&part[i]);
    filelist_release(&fit);
    filelist_release(&held);
    shard_free(s);
    return -1;
}

int shard_scale(nnt_shard *s, nnt_scale_kind kind, const nnt_comm *comm, nnt_err *err)
{
    size_t n_x = s->train.n_x, n;
    double *sums = NULL;
    int rc = 0;
    if (nnt_mul_size(&n, n_x, 2) || nnt_add_size(&n, n, 1) || !(sums = calloc(n, sizeof *sums)))
        rc = nnt_errf(err, "out of memory for the scaling of %zu inputs", n_x);
    if (agree_failed(comm, rc, err))
        return -1; /* before the sum, which every rank must join */
    scale_sums(sums, s->train.X, n_x, s->train.m);
    comm_allreduce_sum_double(comm, sums, n); /* whole numbers: the same bits in any order */
    rc = scale_new(&s->scale, kind, sums, n_x, err);
    free(sums);
    if (agree_failed(comm, rc, err)) {
        scale_free(&s->scale);
        return -1;
    }
    s->train.scale = s->val.scale = s->test.scale = &s->scale;
    return 0;
}

void shard_unscale(nnt_shard *s)
{
    s->train.scale = s->val.scale = s->test.scale = NULL;
}

void shard_free(nnt_shard *s)
{
    scale_free(&s->scale);
    dataset_free(&s->train);
    dataset_free(&s->val);
    dataset_free(&s->test);
    free(s->position);
    dataset_scan_free(&s->scan);
    memset(s, 0, sizeof *s);
}
