/* cmd_train.c — `nnt train`: load the dataset, train, report progress, write the model and
 * the chart; picks exit codes. */
#include <errno.h>
#include <libgen.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "cli.h"
#include "nnt/blas.h"
#include "nnt/comm.h"
#include "nnt/dataset.h"
#include "nnt/eval.h"
#include "nnt/model.h"
#include "nnt/order.h"
#include "nnt/plot.h"
#include "nnt/team.h"
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

/* Per-epoch values kept for the chart. */
typedef struct history {
    int n, cap;
    double *train_loss, *train_acc, *val_loss, *val_acc, *test_acc;
} history;

static int history_push(history *h, const nnt_epoch *e)
{
    if (h->n == h->cap) {
        int cap = h->cap ? h->cap * 2 : 64;
        double **cols[5] = {&h->train_loss, &h->train_acc, &h->val_loss, &h->val_acc, &h->test_acc};
        for (int i = 0; i < 5; i++) {
            double *p = realloc(*cols[i], (size_t)cap * sizeof *p);
            if (!p)
                return -1;
            *cols[i] = p;
        }
        h->cap = cap;
    }
    h->train_loss[h->n] = e->train_loss;
    h->train_acc[h->n] = e->train_acc;
    h->val_loss[h->n] = e->val_loss;
    h->val_acc[h->n] = e->val_acc;
    h->test_acc[h->n] = e->test_acc;
    h->n++;
    return 0;
}

static void history_free(history *h)
{
    free(h->train_loss);
    free(h->train_acc);
    free(h->val_loss);
    free(h->val_acc);
    free(h->test_acc);
}

/* What the progress callbacks need. */
typedef struct progress {
    const train_args *a;
    int tty;            /* stderr is a terminal: a live line, redrawn in place */
    size_t m;           /* training images per epoch */
    double last_draw;   /* when the live line was last drawn */
    int history_oom;
    history h;
} progress;

static void format_eta(char *buf, size_t n, double seconds)
{
    long s = seconds > 0 && seconds < 1e8 ? (long)(seconds + 0.5) : 0;
    if (s >= 3600)
        snprintf(buf, n, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
    else
        snprintf(buf, n, "%ld:%02ld", s / 60, s % 60);
}

static double eta_seconds(const progress *p, int epoch, size_t done, double seconds)
{
    double total = (double)p->a->train.epochs * (double)p->m;
    double so_far = (double)(epoch - 1) * (double)p->m + (double)done;
    return so_far > 0 ? seconds / so_far * (total - so_far) : 0.0;
}

static void on_step(void *ctx, const nnt_step *s)
{
    progress *p = ctx;
    if (!p->tty)
        return;
    double t = train_clock();
    if (t - p->last_draw < 0.1 && s->done < s->total)
        return; /* a terminal needs no more than ten frames a second */
    p->last_draw = t;
    char eta[32], bar[21];
    int filled = (int)(20.0 * (double)s->done / (double)s->total);
    for (int i = 0; i < 20; i++)
        bar[i] = i < filled ? '=' : i == filled ? '>' : ' ';
    bar[20] = 0;
    format_eta(eta, sizeof eta, eta_seconds(p, s->epoch, s->done, s->seconds));
    char line[256];
    snprintf(line, sizeof line, "epoch %d/%d [%s] %zu/%zu  loss %.4f  acc %.4f  %.0f img/s  ETA %s",
             s->epoch, s->epochs, bar, s->done, s->total, s->loss, s->acc,
             s->seconds > 0 ? ((double)(s->epoch - 1) * (double)s->total + (double)s->done) / s->seconds : 0.0,
             eta);
    /* a line wider than the terminal would wrap, and \r could no longer redraw it */
    struct winsize ws;
    if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 1 && ws.ws_col <= sizeof line)
        line[ws.ws_col - 1] = 0;
    fprintf(stderr, "\r\033[K%s", line);
    fflush(stderr);
}

static void on_epoch(void *ctx, const nnt_epoch *e)
{
    progress *p = ctx;
    const train_args *a = p->a;
    if (history_push(&p->h, e))
        p->history_oom = 1;
    int log = e->epoch == e->epochs || (a->log_every > 0 && e->epoch % a->log_every == 0);
    if (!a->quiet && (log || p->tty)) {
        if (p->tty)
            fputs("\r\033[K", stderr);
        if (log) {
            char eta[32];
            format_eta(eta, sizeof eta, eta_seconds(p, e->epoch + 1, 0, e->seconds));
            fprintf(stderr, "epoch %*d/%d  loss %.6f  acc %.4f", (int)snprintf(NULL, 0, "%d", e->epochs),
                    e->epoch, e->epochs, e->train_loss, e->train_acc);
            if (!isnan(e->val_loss))
                fprintf(stderr, "  val loss %.6f  val acc %.4f%s", e->val_loss, e->val_acc, e->best ? "*" : "");
            if (!isnan(e->test_acc))
                fprintf(stderr, "  test acc %.4f", e->test_acc);
            fprintf(stderr, "  %.0f img/s", e->images_per_s);
            if (e->epoch < e->epochs)
                fprintf(stderr, "  ETA %s", eta);
            fputc('\n', stderr);
        }
    }
    if (a->json) {
        printf("{\"epoch\":%d,\"loss\":", e->epoch);
        json_number(stdout, e->train_loss);
        printf(",\"accuracy\":");
        json_number(stdout, e->train_acc);
        printf(",\"val_loss\":");
        json_number(stdout, e->val_loss);
        printf(",\"val_accuracy\":");
        json_number(stdout, e->val_acc);
        printf(",\"test_accuracy\":");
        json_number(stdout, e->test_acc);
        printf(",\"seconds\":");
        json_number(stdout, e->seconds);
        printf("}\n");
        fflush(stdout);
    }
}

static void warn_skip(void *ctx, const char *msg)
{
    const train_args *a = ctx;
    if (!a->quiet)
        fprintf(stderr, "nnt: warning: %s (skipped)\n", msg);
}

/* Fails early, before hours of training, when the output could not be written anyway. */
static int check_output_dir(const char *output)
{
    char *copy = strdup(output);
    if (!copy)
        return -1;
    const char *dir = dirname(copy);
    int ok = access(dir, W_OK | X_OK) == 0;
    if (!ok)
        fprintf(stderr, "nnt: %s: cannot write there: %s\n", output, strerror(errno));
    free(copy);
    return ok ? 0 : -1;
}

/* Images of each set over all ranks (a rank's datasets hold its shard only). */
typedef struct image_counts {
    size_t train, val, test;
} image_counts;

/* ---- data parallelism: sharding and agreeing on failure ---- */

/* shard = the files i of all that order_rank gives this rank for batch b, in order: about
 * 1/size of the images, of every class; with where (may be NULL) = their indices in all. The
 * paths are borrowed from all: release it with filelist_release. */
static int shard_files(nnt_filelist *shard, size_t **where, const nnt_filelist *all, size_t b,
                       int rank, int size)
{
    size_t n = 0;
    for (size_t i = 0; i < all->n; i++)
        n += order_rank(i, b, all->n, size) == rank;
    shard->n = n;
    shard->paths = malloc((n ? n : 1) * sizeof *shard->paths);
    shard->labels = malloc((n ? n : 1) * sizeof *shard->labels);
    if (where)
        *where = malloc((n ? n : 1) * sizeof **where);
    if (!shard->paths || !shard->labels || (where && !*where))
        return -1;
    for (size_t i = 0, k = 0; i < all->n; i++) {
        if (order_rank(i, b, all->n, size) != rank)
            continue;
        shard->paths[k] = all->paths[i];
        shard->labels[k] = all->labels[i];
        if (where)
            (*where)[k] = i;
        k++;
    }
    return 0;
}

/* Every rank says whether it failed; returns the lowest rank that did, or -1 when none did. Only
 * that rank prints its message, so the user reads one, and every rank stops at the same point
 * instead of waiting forever in the next collective. */
static int first_failed(const nnt_comm *comm, int failed)
{
    int v = failed ? comm->size - comm->rank : 0;
    comm_allreduce_max_int(comm, &v, 1);
    return v ? comm->size - v : -1;
}

/* key=value lines on how the model was made, for `nnt info`; nothing time-dependent, so the
 * same command on the same data writes a byte-identical file. */
static char *make_meta(const train_args *a, const image_counts *cnt, const nnt_train_result *res)
{
    const nnt_train_opts *t = &a->train;
    char buf[2048], batch[32], opt[128] = "";
    if (t->batch == 0 || t->batch >= cnt->train)
        snprintf(batch, sizeof batch, "full");
    else
        snprintf(batch, sizeof batch, "%zu", t->batch);
    if (t->optimizer == NNT_OPT_MOMENTUM)
        snprintf(opt, sizeof opt, "momentum=%.7g\n", t->momentum);
    else if (t->optimizer == NNT_OPT_ADAM)
        snprintf(opt, sizeof opt, "beta1=%.7g\nbeta2=%.7g\neps=%.7g\n", t->beta1, t->beta2, t->eps);
    int n = snprintf(buf, sizeof buf,
                     "nnt_version=%s\nact=%s\nhidden=%d\ninit=%s\noptimizer=%s\nlr=%.7g\n%s"
                     "l2=%.7g\nsolver=%s\nbatch=%s\nepochs=%d\nbest_epoch=%d\nseed=%llu\nval_split=%.7g\n"
                     "patience=%d\ntrain_images=%zu\nval_images=%zu\ntest_images=%zu\n",
                     NNT_VERSION, act_name(a->act), a->hidden,
                     net_init_name(net_init_resolve(a->init, a->act)),
                     train_optimizer_name(t->optimizer), t->lr, opt, t->l2,
                     train_solver_name(res->solver), batch, res->epochs_run,
                     res->best_epoch, (unsigned long long)a->seed, a->val_split, t->patience,
                     cnt->train, cnt->val, cnt->test);
    return n > 0 && (size_t)n < sizeof buf ? strdup(buf) : NULL;
}

static void print_summary_json(const train_args *a, const nnt_scan *scan, const image_counts *n,
                               const nnt_train_result *res, const nnt_eval *ev_train,
                               const nnt_eval *ev_val, const nnt_eval *ev_test, double t_load,
                               double t_train, size_t skipped, int ranks)
{
    printf("{\"train_accuracy\":");
    json_number(stdout, ev_train->accuracy);
    printf(",\"val_accuracy\":");
    json_number(stdout, n->val ? ev_val->accuracy : NAN);
    printf(",\"test_accuracy\":");
    json_number(stdout, n->test ? ev_test->accuracy : NAN);
    printf(",\"final_cost\":");
    json_number(stdout, res->final_loss);
    printf(",\"solver\":");
    json_string(stdout, train_solver_name(res->solver));
    printf(",\"threads\":%d,\"ranks\":%d,\"exchange\":", res->threads, ranks);
    json_string(stdout, ranks > 1 && res->exchange ? res->exchange : "none");
    printf(",\"epochs\":%d,\"best_epoch\":%d,\"stopped_early\":%s,\"load_seconds\":", res->epochs_run,
           res->best_epoch, res->stopped_early ? "true" : "false");
    json_number(stdout, t_load);
    printf(",\"train_seconds\":");
    json_number(stdout, t_train);
    printf(",\"train_images\":%zu,\"val_images\":%zu,\"test_images\":%zu,\"skipped\":%zu,\"classes\":[",
           n->train, n->val, n->test, skipped);
    for (int i = 0; i < scan->n_classes; i++) {
        if (i)
            putchar(',');
        json_string(stdout, scan->class_names[i]);
    }
    printf("],\"model\":");
    json_string(stdout, a->output);
    printf("}\n");
}


int cmd_train(const train_args *args)
{
    train_args resolved = *args;
    const train_args *a = &resolved;
    nnt_err err;
    nnt_comm comm;
    nnt_scan scan = {0};
    nnt_filelist fit = {0}, held = {0}; /* the training files after --val-split, and the rest */
    nnt_filelist shard_train = {0}, shard_val = {0}, shard_test = {0};
    size_t *train_file = NULL; /* the shard's files' indices in the training list */
    nnt_dataset train = {0}, val = {0}, test = {0};
    nnt_model model = {0};
    int code = EXIT_RUNTIME, failed_rank;
    size_t skipped = 0, skipped_val = 0, skipped_test = 0;

    if (comm_init(&comm, &err)) {
        fprintf(stderr, "nnt: %s\n", err.msg);
        return EXIT_RUNTIME;
    }
    int lead = comm.rank == 0; /* rank 0 alone prints and writes */
    if (!lead) {
        resolved.quiet = 1;
        resolved.json = 0;
    }
    progress prog = {a, !a->quiet && isatty(STDERR_FILENO), 0, 0.0, 0, {0}};
    catch_signals();
    /* more threads than the CPUs this process may use (mpirun binds ranks) only wait */
    if (resolved.threads > team_cpus())
        resolved.threads = team_cpus();
    blas_set_threads(a->threads);
    if (comm.size > 1 && a->train.batch > 0 && a->train.batch < (size_t)comm.size) {
        if (lead) /* a rank whose share of every step is no image could not stay in step */
            fprintf(stderr, "nnt train: --batch %zu is smaller than the %d ranks: each step takes "
                            "at least one image from every rank\nTry 'nnt train --help'.\n",
                    a->train.batch, comm.size);
        code = EXIT_USAGE;
        goto done;
    }
    if (first_failed(&comm, lead && (check_output_dir(a->output) ||
                                     (a->plot && check_output_dir(a->plot)))) >= 0)
        goto done;

    /* ---- load: every rank scans the same list and decodes its own shard of it ---- */
    double t_load = train_clock();
    /* skipped files are reported by the rank that read them, unless the user asked for quiet */
    nnt_load_opts lo = {a->max_pixels, a->width, a->height, a->skip_bad, a->threads, warn_skip, (void *)args};
    nnt_geometry geom = {0};
    nnt_rng rng;
    rng_seed(&rng, a->seed);
    int rc = dataset_scan(&scan, a->dir, &err);
    /* --val-split splits the file list, the same on every rank, before each loads its shard of
     * both parts: N ranks hold out the images one process would. It draws from its own stream,
     * so --val-split does not change the initialisation. */
    const nnt_filelist *fit_list = &scan.train;
    if (rc == 0 && a->val_split > 0.0) {
        nnt_rng split_rng;
        rng_seed(&split_rng, a->seed ^ 0x9e3779b97f4a7c15ULL);
        nnt_err why;
        if (filelist_split(&fit, &held, &scan.train, a->val_split, scan.n_classes, &split_rng,
                           &why))
            rc = nnt_errf(&err, "%s: %s", a->dir, why.msg);
        fit_list = &fit;
    }
    /* the training shards are whole strata of the batch order (order.h), so N ranks take the
     * batches one process would; the others are evaluated whole, in any shards */
    size_t batch = a->train.batch;
    int me = comm.rank, ranks = comm.size;
    if (rc == 0 && (shard_files(&shard_train, &train_file, fit_list, batch, me, ranks) ||
                    shard_files(&shard_val, NULL, &held, 0, me, ranks) ||
                    shard_files(&shard_test, NULL, &scan.test, 0, me, ranks)))
        rc = nnt_errf(&err, "out of memory");
    if (rc == 0 && shard_train.n == 0)
        rc = nnt_errf(&err, "%s: %zu training images for %d ranks; every rank needs one", a->dir,
                      fit_list->n, comm.size);
    if (rc == 0)
        rc = dataset_probe(&geom, &shard_train, &lo, &err);
    if ((failed_rank = first_failed(&comm, rc)) >= 0) {
        if (failed_rank == comm.rank)
            fprintf(stderr, "nnt: %s\n", err.msg);
        goto done;
    }
    /* the shards are cut from each rank's own scan: on several hosts, all must see one list */
    int count[4] = {(int)(scan.train.n & INT32_MAX), -(int)(scan.train.n & INT32_MAX),
                    (int)(scan.test.n & INT32_MAX), -(int)(scan.test.n & INT32_MAX)};
    comm_allreduce_max_int(&comm, count, 4);
    if (count[0] != -count[1] || count[2] != -count[3]) {
        if (lead)
            fprintf(stderr, "nnt: %s: the ranks see different images (%d to %d training, %d to %d "
                            "test); the folder must be the same on every host\n",
                    a->dir, -count[1], count[0], -count[3], count[2]);
        goto done;
    }
    /* one geometry for all shards: colour if any rank saw colour, rank 0's size (a shard whose
     * images differ fails to load, naming the file) */
    comm_allreduce_max_int(&comm, &geom.channels, 1);
    uint32_t size[2] = {geom.width, geom.height};
    comm_broadcast(&comm, size, sizeof size, 0);
    geom.width = size[0];
    geom.height = size[1];
    rc = dataset_load(&train, &skipped, &shard_train, &geom, &lo, &err);
    if (rc == 0 && shard_val.n)
        rc = dataset_load(&val, &skipped_val, &shard_val, &geom, &lo, &err);
    if (rc == 0 && shard_test.n)
        rc = dataset_load(&test, &skipped_test, &shard_test, &geom, &lo, &err);
    if ((failed_rank = first_failed(&comm, rc)) >= 0) {
        if (failed_rank == comm.rank)
            fprintf(stderr, "nnt: %s\n", err.msg);
        goto done;
    }
    t_load = train_clock() - t_load;
    int sig = stop_signal;
    comm_allreduce_max_int(&comm, &sig, 1);
    if (sig) {
        if (lead)
            fprintf(stderr, "nnt: interrupted by %s while loading; no model written\n",
                    sig == SIGINT ? "SIGINT" : "SIGTERM");
        code = 128 + sig;
        goto done;
    }
    double sums[5] = {(double)train.m, (double)val.m, (double)test.m,
                      (double)(skipped + skipped_val), (double)skipped_test};
    comm_allreduce_sum_double(&comm, sums, 5);
    image_counts n = {(size_t)sums[0], (size_t)sums[1], (size_t)sums[2]};
    skipped = (size_t)sums[3];
    skipped_test = (size_t)sums[4];
    if (!a->quiet) {
        fprintf(stderr, "nnt: %s: %d classes (", a->dir, scan.n_classes);
        for (int i = 0; i < scan.n_classes; i++)
            fprintf(stderr, "%s%s", i ? ", " : "", scan.class_names[i]);
        fprintf(stderr, "), %zu training", n.train);
        if (n.val)
            fprintf(stderr, ", %zu validation", n.val);
        fprintf(stderr, " and %zu test images of %ux%ux%d, loaded in %.2f s", n.test,
                geom.width, geom.height, geom.channels, t_load);
        if (comm.size > 1)
            fprintf(stderr, " by %d ranks", comm.size);
        fputc('\n', stderr);
        if (skipped + skipped_test)
            fprintf(stderr, "nnt: skipped %zu unreadable image%s\n", skipped + skipped_test,
                    skipped + skipped_test == 1 ? "" : "s");
    }

    if (resolved.train.epochs == 0)
        resolved.train.epochs = train_epochs_auto(n.train, a->train.batch);
    if (resolved.log_every < 0)
        resolved.log_every = a->train.epochs <= 100 ? 1 : a->train.epochs / 100;

    /* resolved here rather than in train_run so the log says which before training starts, and
     * a forced --solver dual that is not exact (mini-batches) is the usage error it is */
    nnt_solver solver = NNT_SOLVER_PRIMAL;
    if (train_solver_resolve(&solver, &a->train, train.m, val.m + test.m, train.n_x, a->hidden,
                             comm.size, &err)) {
        if (lead)
            fprintf(stderr, "nnt train: %s\nTry 'nnt train --help'.\n", err.msg);
        code = EXIT_USAGE;
        goto done;
    }
    resolved.train.solver = solver;
    if (!a->quiet && lead) {
        if (solver == NNT_SOLVER_DUAL)
            fprintf(stderr, "nnt: solver dual: full-batch descent in sample space through the "
                            "%zu x %zu Gram matrix of the training images\n", train.m, train.m);
        else
            fprintf(stderr, "nnt: solver primal\n");
    }

    /* ---- train ---- */
    int n_y = scan.n_classes == 2 ? 1 : scan.n_classes;
    rc = net_new(&model.net, (int)train.n_x, a->hidden, n_y, a->act, &err);
    if ((failed_rank = first_failed(&comm, rc)) >= 0) {
        if (failed_rank == comm.rank)
            fprintf(stderr, "nnt: %s\n", err.msg);
        goto done;
    }
    /* the same seed on every rank: the same weights, then the same batch order */
    net_init(&model.net, &rng, a->init);
    for (size_t k = 0; k < train.m; k++) /* the images' places in the list, for the order */
        train_file[k] = train_file[train.file[k]]; /* train.file[k] >= k: read before written */
    nnt_train_opts to = a->train;
    to.position = train_file;
    to.test_every = a->plot && a->log_every != 1 ? 1 : a->log_every;
    to.stop = &stop_signal;
    to.on_epoch = lead ? on_epoch : NULL;
    to.on_step = lead && prog.tty ? on_step : NULL;
    to.ctx = &prog;
    to.comm = &comm;
    to.threads = a->threads;
    prog.m = n.train;
    nnt_train_result res;
    double t_train = train_clock();
    rc = train_run(&model.net, &res, &train, &val, &test, &rng, &to, &err);
    t_train = train_clock() - t_train;
    sig = stop_signal;
    comm_allreduce_max_int(&comm, &sig, 1);
    if (rc == NNT_TRAIN_STOPPED || (rc == 0 && sig)) {
        if (prog.tty)
            fputs("\r\033[K", stderr);
        if (lead)
            fprintf(stderr, "nnt: interrupted by %s after %d epochs; no model written (%s left as it was)\n",
                    sig == SIGINT ? "SIGINT" : "SIGTERM", res.epochs_run, a->output);
        code = 128 + (sig ? sig : SIGTERM);
        goto done;
    }
    /* train_run fails on every rank alike; the message worth printing is from a rank that
     * failed itself, not one told that another did */
    if ((failed_rank = first_failed(&comm, rc && !err.peer)) >= 0 || rc) {
        if (prog.tty)
            fputs("\r\033[K", stderr);
        if (failed_rank == comm.rank)
            fprintf(stderr, "nnt: %s; no model written\n", err.msg);
        goto done;
    }

    /* ---- report and save (every rank evaluates its shards; rank 0 writes) ---- */
    nnt_eval ev_train, ev_val = {0}, ev_test = {0};
    rc = eval_dataset_all(&ev_train, &model.net, &train, &comm, &err);
    if (rc == 0 && n.val)
        rc = eval_dataset_all(&ev_val, &model.net, &val, &comm, &err);
    if (rc == 0 && n.test)
        rc = eval_dataset_all(&ev_test, &model.net, &test, &comm, &err);
    if ((failed_rank = first_failed(&comm, rc && !err.peer)) >= 0 || rc) {
        if (failed_rank == comm.rank)
            fprintf(stderr, "nnt: %s\n", err.msg);
        goto done;
    }
    if (!lead) { /* the others wait for rank 0's verdict on writing, so all exit alike */
        int ok = 0;
        comm_allreduce_max_int(&comm, &ok, 1);
        code = ok ? EXIT_RUNTIME : EXIT_OK;
        goto done;
    }
    model.width = geom.width;
    model.height = geom.height;
    model.channels = geom.channels;
    model.n_classes = scan.n_classes;
    model.class_names = scan.class_names; /* borrowed: detached again before model_free */
    model.meta = make_meta(a, &n, &res);
    rc = model.meta ? model_save(&model, a->output, &err) : nnt_errf(&err, "out of memory");
    model.class_names = NULL;
    model.n_classes = 0;
    if (rc) {
        fprintf(stderr, "nnt: %s\n", err.msg);
        goto lead_done;
    }
    if (a->plot) {
        nnt_curves cv = {prog.h.n, prog.h.train_loss, n.val ? prog.h.val_loss : NULL,
                         prog.h.train_acc, n.val ? prog.h.val_acc : NULL,
                         n.test ? prog.h.test_acc : NULL, a->dir};
        if (prog.history_oom) {
            fprintf(stderr, "nnt: %s: out of memory for the chart\n", a->plot);
            goto lead_done;
        }
        if (plot_curves(a->plot, &cv, &err)) {
            fprintf(stderr, "nnt: %s\n", err.msg);
            goto lead_done;
        }
    }
    if (!a->quiet) {
        fprintf(stderr, "train accuracy %.4f", ev_train.accuracy);
        if (n.val)
            fprintf(stderr, ", validation accuracy %.4f", ev_val.accuracy);
        if (n.test)
            fprintf(stderr, ", test accuracy %.4f", ev_test.accuracy);
        fprintf(stderr, "; final loss %.6f; trained in %.2f s", res.final_loss, t_train);
        if (comm.size > 1)
            fprintf(stderr, " by %d ranks of %d thread%s (%s)", comm.size, res.threads,
                    res.threads == 1 ? "" : "s", res.exchange ? res.exchange : "?");
        else
            fprintf(stderr, " on %d thread%s", res.threads, res.threads == 1 ? "" : "s");
        if (res.stopped_early)
            fprintf(stderr, "; stopped early, weights of epoch %d", res.best_epoch);
        else if (res.best_epoch != res.epochs_run)
            fprintf(stderr, "; weights of the best epoch, %d", res.best_epoch);
        fprintf(stderr, "\nwrote %s%s%s\n", a->output, a->plot ? " and " : "", a->plot ? a->plot : "");
    }
    if (a->json)
        print_summary_json(a, &scan, &n, &res, &ev_train, &ev_val, &ev_test,
                           t_load, t_train, skipped + skipped_test, comm.size);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "nnt: writing to standard output failed\n");
        goto lead_done;
    }
    code = EXIT_OK;
lead_done: {
        int failed = code != EXIT_OK;
        comm_allreduce_max_int(&comm, &failed, 1);
    }
done:
    history_free(&prog.h);
    model_free(&model);
    dataset_free(&train);
    dataset_free(&val);
    dataset_free(&test);
    filelist_release(&shard_train);
    free(train_file);
    filelist_release(&shard_val);
    filelist_release(&shard_test);
    filelist_release(&fit);
    filelist_release(&held);
    dataset_scan_free(&scan);
    comm_finalize(&comm);
    return code;
}
