/* cmd_cv.c — `nnt cv`: stratified K-fold cross-validation over the training split, the images
 * decoded once and every fold trained on its own copy of the other folds' columns, folds run
 * concurrently by --workers members, the report printed in fold order. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "crossval.h"
#include "trainopt.h"
#include "nnt/blas.h"
#include "nnt/comm.h"
#include "nnt/eval.h"
#include "nnt/folds.h"
#include "nnt/net.h"
#include "nnt/scale.h"
#include "nnt/shard.h"
#include "nnt/team.h"
#include "nnt/train.h"

enum { CV_OPT_JSON = 256, CV_OPT_WORKERS };

typedef struct cv_run {
    const train_args *a;
    const nnt_dataset *all; /* the one decoded training split */
    const int *fold;        /* all->m fold numbers */
    int k, n_y;
    crossval_score *out;
} cv_run;

typedef struct cv_team_ctx {
    const cv_run *r;
} cv_team_ctx;

/* Member id of n takes folds id, id + n, ...: a fixed deal, so which member ran a fold changes
 * nothing in its numbers. */
static void cv_member(void *ctx, int id, int n)
{
    const cv_run *r = ((cv_team_ctx *)ctx)->r;
    for (int f = id; f < r->k; f += n)
        crossval_fold(&r->out[f], r->a, r->all, r->fold, f, r->n_y, NULL);
}

static void print_report(const train_args *a, const crossval_score *out, int k)
{
    double acc[256], loss[256], am, as, lm, ls;
    for (int f = 0; f < k; f++) {
        acc[f] = out[f].held.accuracy;
        loss[f] = out[f].held.loss;
    }
    crossval_mean_sd(&am, &as, acc, k);
    crossval_mean_sd(&lm, &ls, loss, k);
    if (a->json) {
        printf("{\"k\":%d,\"folds\":[", k);
        for (int f = 0; f < k; f++)
            printf("%s{\"fold\":%d,\"train\":%zu,\"held\":%zu,\"epochs\":%d,\"accuracy\":%.6f,"
                   "\"loss\":%.6f}", f ? "," : "", f + 1, out[f].m_train, out[f].m_held,
                   out[f].epochs, acc[f], loss[f]);
        printf("],\"accuracy_mean\":%.6f,\"accuracy_sd\":%.6f,\"loss_mean\":%.6f,"
               "\"loss_sd\":%.6f}\n", am, as, lm, ls);
        return;
    }
    printf("fold  train  held  epochs  accuracy    loss\n");
    for (int f = 0; f < k; f++)
        printf("%4d %6zu %5zu %7d  %8.4f  %6.4f\n", f + 1, out[f].m_train, out[f].m_held,
               out[f].epochs, acc[f], loss[f]);
    printf("mean accuracy %.4f ± %.4f, loss %.4f ± %.4f (sd over %d folds)\n", am, as, lm, ls, k);
}

static int cmd_cv(const train_args *a, int k, int workers)
{
    nnt_err err;
    nnt_comm comm = {0, 1, 0}; /* one process: the folds are the parallel work, not shards */
    nnt_shard data = {0};
    int code = EXIT_RUNTIME;
    if (train_opts_check(&a->train, 1, &err)) {
        fprintf(stderr, "nnt cv: %s\nTry 'nnt cv --help'.\n", err.msg);
        return EXIT_USAGE;
    }
    blas_set_threads(1); /* each member calls the BLAS single-threaded (team.h) */
    nnt_load_opts lo = {.max_pixels = a->max_pixels, .width = a->width, .height = a->height,
                        .skip_bad = a->skip_bad, .threads = a->threads};
    nnt_shard_opts so = {.dir = a->dir, .seed = a->seed, .batch = a->train.batch, .load = lo};
    int *fold = NULL;
    crossval_score *out = NULL;
    nnt_team *team = NULL;
    if (shard_load(&data, &so, &comm, &err))
        goto fail;
    fold = malloc((data.train.m ? data.train.m : 1) * sizeof *fold);
    out = calloc((size_t)k, sizeof *out);
    if (!fold || !out) {
        nnt_errf(&err, "out of memory for %d folds", k);
        goto fail;
    }
    if (folds_split(fold, data.train.y, data.train.m, data.scan.n_classes, k, a->seed, &err))
        goto fail;
    if (workers > k)
        workers = k;
    cv_run r = {.a = a, .all = &data.train, .fold = fold, .k = k,
                .n_y = data.scan.n_classes == 2 ? 1 : data.scan.n_classes, .out = out};
    cv_team_ctx ctx = {&r};
    team = team_new(workers, &err);
    if (!team)
        goto fail;
    team_run(team, cv_member, &ctx);
    for (int f = 0; f < k; f++)
        if (out[f].rc) {
            fprintf(stderr, "nnt: fold %d: %s\n", f + 1, out[f].err.msg);
            goto done;
        }
    print_report(a, out, k);
    code = fflush(stdout) == 0 && !ferror(stdout) ? EXIT_OK : EXIT_RUNTIME;
    goto done;
fail:
    fprintf(stderr, "nnt: %s\n", err.msg);
done:
    team_free(team);
    free(fold);
    free(out);
    shard_free(&data);
    return code;
}

int main_cv(int argc, char **argv)
{
    static const struct option own[] = {
        {"folds", required_argument, 0, 'k'},
        {"workers", required_argument, 0, CV_OPT_WORKERS},
        {"json", no_argument, 0, CV_OPT_JSON},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0},
    };
    struct option opts[TRAINOPT_COUNT + 8];
    const char *cmd = "cv";
    if (trainopt_table(opts, sizeof opts / sizeof opts[0], own))
        return usage_error(cmd, "internal: the option table does not fit%s", "");
    train_args a;
    trainopt_defaults(&a);
    a.threads = 1; /* per fold: the numbers depend on --threads, never on --workers */
    int k = 5, workers = team_cpus(), c;
    nnt_given given = {0};
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":k:h", opts, NULL)) != -1) {
        int rc = trainopt_apply(&a, &given, c, optarg, cmd);
        if (rc >= 0) {
            if (rc)
                return rc;
            continue;
        }
        switch (c) {
        case 'k':
            if (parse_int(&k, optarg, 2, 256))
                return usage_error(cmd, "-k takes a whole number of folds from 2 to 256, not '%s'", optarg);
            break;
        case CV_OPT_WORKERS:
            if (parse_int(&workers, optarg, 1, 256))
                return usage_error(cmd, "--workers takes a whole number from 1 to 256, not '%s'", optarg);
            break;
        case CV_OPT_JSON: a.json = 1; break;
        case 'h': fputs(help_cv, stdout); return EXIT_OK;
        default: return bad_option(cmd, c, argv);
        }
    }
    if (optind >= argc)
        return usage_error(cmd, "missing the dataset folder DIR%s", "");
    if (optind + 1 < argc)
        return usage_error(cmd, "unexpected argument '%s' (one dataset folder only)", argv[optind + 1]);
    if (a.val_split > 0)
        return usage_error(cmd, "--val-split: cv holds out each fold in turn instead%s", "");
    a.dir = argv[optind];
    int rc = trainopt_finish(&a, &given, cmd);
    if (rc)
        return rc;
    return cmd_cv(&a, k, workers);
}
