/* cmd_train.c — `nnt train`: load the dataset, train, report, write the model; picks exit codes. */
#include <errno.h>
#include <libgen.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "nnt/blas.h"
#include "nnt/dataset.h"
#include "nnt/eval.h"
#include "nnt/model.h"
#include "nnt/train.h"

#ifndef NNT_VERSION
#define NNT_VERSION "0.0.0"
#endif

/* The one piece of global mutable state: a signal handler can reach nothing else. */
static volatile sig_atomic_t stop_signal = 0;

static void on_signal(int sig) { stop_signal = sig; }

static void catch_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}


static void warn_skip(void *ctx, const char *msg)
{
    const train_args *a = ctx;
    if (!a->quiet)
        fprintf(stderr, "nnt: warning: %s (skipped)\n", msg);
}

static void on_progress(void *ctx, const nnt_progress *p)
{
    const train_args *a = ctx;
    if (!a->quiet) {
        fprintf(stderr, "epoch %*d/%d  cost %.6f  train acc %.4f", (int)snprintf(NULL, 0, "%d", p->epochs),
                p->epoch, p->epochs, p->cost, p->train_acc);
        if (!isnan(p->test_acc))
            fprintf(stderr, "  test acc %.4f", p->test_acc);
        fprintf(stderr, "  %.0f img/s\n", p->images_per_s);
    }
    if (a->json) {
        printf("{\"epoch\":%d,\"cost\":", p->epoch);
        json_number(stdout, p->cost);
        printf(",\"train_accuracy\":");
        json_number(stdout, p->train_acc);
        printf(",\"test_accuracy\":");
        json_number(stdout, p->test_acc);
        printf(",\"seconds\":");
        json_number(stdout, p->seconds);
        printf("}\n");
        fflush(stdout);
    }
}

/* Fails early, before hours of training, when the model could not be written anyway. */
static int check_output_dir(const char *output)
{
    char *copy = strdup(output);
    if (!copy)
        return -1;
    const char *dir = dirname(copy);
    int ok = access(dir, W_OK | X_OK) == 0;
    if (!ok)
        fprintf(stderr, "nnt: %s: cannot write the model there: %s\n", output, strerror(errno));
    free(copy);
    return ok ? 0 : -1;
}

/* key=value lines on how the model was made, for `nnt info`; nothing time-dependent, so the
 * same command on the same data writes a byte-identical file. */
static char *make_meta(const train_args *a, const nnt_dataset *train, const nnt_dataset *test,
                       int epochs_run)
{
    char batch[32];
    if (a->batch == 0 || a->batch >= train->m)
        snprintf(batch, sizeof batch, "full");
    else
        snprintf(batch, sizeof batch, "%zu", a->batch);
    const char *fmt = "nnt_version=%s\nact=%s\nhidden=%d\noptimizer=sgd\nlr=%.7g\nepochs=%d\n"
                      "batch=%s\ninit=normal*0.01\nseed=%llu\ntrain_images=%zu\ntest_images=%zu\n";
    size_t testm = test ? test->m : 0;
    int n = snprintf(NULL, 0, fmt, NNT_VERSION, act_name(a->act), a->hidden, a->lr, epochs_run,
                     batch, (unsigned long long)a->seed, train->m, testm);
    char *s = n < 0 ? NULL : malloc((size_t)n + 1);
    if (s)
        snprintf(s, (size_t)n + 1, fmt, NNT_VERSION, act_name(a->act), a->hidden, a->lr, epochs_run,
                 batch, (unsigned long long)a->seed, train->m, testm);
    return s;
}

int cmd_train(const train_args *a)
{
    nnt_err err;
    nnt_scan scan = {0};
    nnt_dataset train = {0}, test = {0};
    nnt_model model = {0};
    int code = EXIT_RUNTIME;
    size_t skipped = 0, skipped_test = 0;

    catch_signals();
    blas_set_threads(a->threads);
    if (check_output_dir(a->output))
        return EXIT_RUNTIME;

    double t_load = now_seconds();
    nnt_load_opts lo = {a->max_pixels, a->width, a->height, a->skip_bad, a->threads, warn_skip, (void *)a};
    nnt_geometry geom;
    if (dataset_scan(&scan, a->dir, &err) || dataset_probe(&geom, &scan.train, &lo, &err) ||
        dataset_load(&train, &skipped, &scan.train, &geom, &lo, &err) ||
        (scan.has_test && dataset_load(&test, &skipped_test, &scan.test, &geom, &lo, &err))) {
        fprintf(stderr, "nnt: %s\n", err.msg);
        goto done;
    }
    t_load = now_seconds() - t_load;
    if (stop_signal) {
        fprintf(stderr, "nnt: interrupted by %s while loading; no model written\n",
                stop_signal == SIGINT ? "SIGINT" : "SIGTERM");
        code = 128 + stop_signal;
        goto done;
    }
    if (!a->quiet) {
        fprintf(stderr, "nnt: %s: %d classes (", a->dir, scan.n_classes);
        for (int i = 0; i < scan.n_classes; i++)
            fprintf(stderr, "%s%s", i ? ", " : "", scan.class_names[i]);
        fprintf(stderr, "), %zu training and %zu test images of %ux%ux%d, loaded in %.2f s\n",
                train.m, test.m, geom.width, geom.height, geom.channels, t_load);
        if (skipped + skipped_test)
            fprintf(stderr, "nnt: skipped %zu unreadable image%s\n", skipped + skipped_test,
                    skipped + skipped_test == 1 ? "" : "s");
    }

    int n_y = scan.n_classes == 2 ? 1 : scan.n_classes;
    if (net_new(&model.net, (int)train.n_x, a->hidden, n_y, a->act, &err)) {
        fprintf(stderr, "nnt: %s\n", err.msg);
        goto done;
    }
    nnt_rng rng;
    rng_seed(&rng, a->seed);
    net_init_normal(&model.net, &rng, 0.01f);

    nnt_train_opts to = {a->epochs, a->batch, a->lr, a->log_every, &stop_signal, on_progress, (void *)a};
    nnt_train_result res;
    double t_train = now_seconds();
    int rc = train_run(&model.net, &res, &train, scan.has_test ? &test : NULL, &rng, &to, &err);
    t_train = now_seconds() - t_train;
    if (rc == NNT_TRAIN_STOPPED || (rc == 0 && stop_signal)) {
        fprintf(stderr, "nnt: interrupted by %s after %d epochs; no model written (%s left as it was)\n",
                stop_signal == SIGINT ? "SIGINT" : "SIGTERM", res.epochs_run, a->output);
        code = 128 + stop_signal;
        goto done;
    }
    if (rc) {
        fprintf(stderr, "nnt: %s; no model written\n", err.msg);
        goto done;
    }

    nnt_eval ev_train, ev_test = {0};
    if (eval_dataset(&ev_train, NULL, NULL, &model.net, &train, &err) ||
        (scan.has_test && eval_dataset(&ev_test, NULL, NULL, &model.net, &test, &err))) {
        fprintf(stderr, "nnt: %s\n", err.msg);
        goto done;
    }

    model.width = geom.width;
    model.height = geom.height;
    model.channels = geom.channels;
    model.n_classes = scan.n_classes;
    model.class_names = scan.class_names; /* borrowed: detached again before model_free */
    model.meta = make_meta(a, &train, scan.has_test ? &test : NULL, res.epochs_run);
    rc = model.meta ? model_save(&model, a->output, &err) : nnt_errf(&err, "out of memory");
    model.class_names = NULL;
    model.n_classes = 0;
    if (rc) {
        fprintf(stderr, "nnt: %s\n", err.msg);
        goto done;
    }
    if (!a->quiet) {
        fprintf(stderr, "train accuracy %.4f", ev_train.accuracy);
        if (scan.has_test)
            fprintf(stderr, ", test accuracy %.4f", ev_test.accuracy);
        fprintf(stderr, "; final cost %.6f; trained in %.2f s\nwrote %s\n", res.final_cost, t_train,
                a->output);
    }
    if (a->json) {
        printf("{\"train_accuracy\":");
        json_number(stdout, ev_train.accuracy);
        printf(",\"test_accuracy\":");
        if (scan.has_test)
            json_number(stdout, ev_test.accuracy);
        else
            printf("null");
        printf(",\"final_cost\":");
        json_number(stdout, res.final_cost);
        printf(",\"epochs\":%d,\"load_seconds\":", res.epochs_run);
        json_number(stdout, t_load);
        printf(",\"train_seconds\":");
        json_number(stdout, t_train);
        printf(",\"train_images\":%zu,\"test_images\":%zu,\"skipped\":%zu,\"classes\":[", train.m,
               test.m, skipped + skipped_test);
        for (int i = 0; i < scan.n_classes; i++) {
            if (i)
                putchar(',');
            json_string(stdout, scan.class_names[i]);
        }
        printf("],\"model\":");
        json_string(stdout, a->output);
        printf("}\n");
    }
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "nnt: writing to standard output failed\n");
        goto done;
    }
    code = EXIT_OK;
done:
    model_free(&model);
    dataset_free(&train);
    dataset_free(&test);
    dataset_scan_free(&scan);
    return code;
}
