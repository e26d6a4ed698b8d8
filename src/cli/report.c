/* report.c — what `nnt train` tells the user about a run (report.h): progress on stderr, JSON
 * on stdout, the chart, and the META text its model file keeps. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <zlib.h>

#include "report.h"
#include "nnt/defaults.h"
#include "nnt/plot.h"

#ifndef NNT_VERSION
#define NNT_VERSION "0.0.0"
#endif

static int history_push(report_history *h, const nnt_epoch *e)
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

static void history_free(report_history *h)
{
    free(h->train_loss);
    free(h->train_acc);
    free(h->val_loss);
    free(h->val_acc);
    free(h->test_acc);
}

static void format_eta(char *buf, size_t n, double seconds)
{
    long s = seconds > 0 && seconds < 1e8 ? (long)(seconds + 0.5) : 0;
    if (s >= 3600)
        snprintf(buf, n, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
    else
        snprintf(buf, n, "%ld:%02ld", s / 60, s % 60);
}

static double eta_seconds(const report_progress *p, int epoch, size_t done, double seconds)
{
    double total = (double)p->a->train.epochs * (double)p->m;
    double so_far = (double)(epoch - 1) * (double)p->m + (double)done;
    return so_far > 0 ? seconds / so_far * (total - so_far) : 0.0;
}

void report_on_step(void *ctx, const nnt_step *s)
{
    report_progress *p = ctx;
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

void report_on_epoch(void *ctx, const nnt_epoch *e)
{
    report_progress *p = ctx;
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
        static const char *const keys[] = {"loss", "accuracy", "val_loss", "val_accuracy",
                                           "test_accuracy", "seconds"};
        const double values[] = {e->train_loss, e->train_acc, e->val_loss, e->val_acc,
                                 e->test_acc, e->seconds};
        printf("{\"epoch\":%d", e->epoch);
        for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
            printf(",\"%s\":", keys[i]);
            json_number(stdout, values[i]);
        }
        printf("}\n");
        fflush(stdout);
    }
}

void report_warn_skip(void *ctx, const char *msg)
{
    const train_args *a = ctx;
    if (!a->quiet)
        fprintf(stderr, "nnt: warning: %s (skipped)\n", msg);
}

void report_clear_line(const report_progress *p)
{
    if (p->tty)
        fputs("\r\033[K", stderr);
}

void report_progress_free(report_progress *p) { history_free(&p->h); }

void report_loaded(const train_args *a, const nnt_shard *data, double seconds, int ranks)
{
    if (a->quiet)
        return;
    const nnt_scan *scan = &data->scan;
    fprintf(stderr, "nnt: %s: %d classes (", a->dir, scan->n_classes);
    for (int i = 0; i < scan->n_classes; i++)
        fprintf(stderr, "%s%s", i ? ", " : "", scan->class_names[i]);
    fprintf(stderr, "), %zu training", data->n_train);
    if (data->n_val)
        fprintf(stderr, ", %zu validation", data->n_val);
    fprintf(stderr, " and %zu test images of %ux%ux%d, loaded in %.2f s", data->n_test,
            data->geom.width, data->geom.height, data->geom.channels, seconds);
    if (ranks > 1)
        fprintf(stderr, " by %d ranks", ranks);
    fputc('\n', stderr);
    report_ignored(scan, 3);
    if (data->n_skipped)
        fprintf(stderr, "nnt: skipped %zu unreadable image%s\n", data->n_skipped,
                data->n_skipped == 1 ? "" : "s");
}

void report_ignored(const nnt_scan *scan, int splits)
{
    const nnt_scan_ignored *lists[2] = {splits & 1 ? scan->ignored_train : NULL,
                                        splits & 2 ? scan->ignored_test : NULL};
    size_t n = 0;
    for (int s = 0; s < 2; s++)
        for (int c = 0; lists[s] && c < scan->n_classes; c++)
            n += lists[s][c].n_other + lists[s][c].n_unsupported;
    if (n == 0)
        return;
    fprintf(stderr, "nnt: note: ignored %zu file%s (nnt reads .png, .jpg and .jpeg):", n, n == 1 ? "" : "s");
    const char *sep = " ";
    for (int s = 0; s < 2; s++)
        for (int c = 0; lists[s] && c < scan->n_classes; c++) {
            char what[160];
            dataset_describe_ignored(what, sizeof what, &lists[s][c]);
            if (!what[0])
                continue;
            fprintf(stderr, "%s%s%s: %s", sep, scan->has_train_dir ? (s ? "test/" : "train/") : "",
                    scan->class_names[c], what);
            sep = "; ";
        }
    fputc('\n', stderr);
}

void report_solver(nnt_solver solver, size_t m)
{
    if (solver == NNT_SOLVER_DUAL)
        fprintf(stderr, "nnt: solver dual: full-batch descent in sample space through the "
                        "%zu x %zu Gram matrix of the training images\n", m, m);
    else
        fprintf(stderr, "nnt: solver primal\n");
}

void report_lr_range(const train_args *a, size_t n_x)
{
    float lo, hi, lr = a->train.lr;
    const char *who = optim_lr_range(a->train.optimizer, n_x, &lo, &hi);
    if (a->quiet || (lr >= lo && lr <= hi))
        return;
    fprintf(stderr, "nnt: warning: --lr %g is outside %s's usual range (%.2g to %.2g", (double)lr,
            who, (double)lo, (double)hi);
    if (a->train.optimizer == NNT_OPT_ADAM) /* Adam's range depends on the inputs (optim.h) */
        fprintf(stderr, " for %zu inputs", n_x);
    fprintf(stderr, "); steps this %s\n", lr > hi ? "large may make training unstable"
                                                  : "small may barely train");
}

void report_hidden_bottleneck(const train_args *a, int n_classes)
{
    if (a->quiet || n_classes <= 2 || a->hidden >= n_classes)
        return;
    fprintf(stderr, "nnt: warning: --hidden %d is fewer units than the %d classes, a bottleneck "
            "that costs accuracy; the default is %d\n", a->hidden, n_classes, NNT_DEFAULT_HIDDEN);
}

int report_plot(const report_progress *p, const nnt_shard *data, nnt_err *err)
{
    const train_args *a = p->a;
    if (p->history_oom)
        return nnt_errf(err, "%s: out of memory for the chart", a->plot);
    nnt_curves cv = {p->h.n, p->h.train_loss, data->n_val ? p->h.val_loss : NULL,
                     p->h.train_acc, data->n_val ? p->h.val_acc : NULL,
                     data->n_test ? p->h.test_acc : NULL, a->dir};
    return plot_curves(a->plot, &cv, err);
}

void report_trained(const report_run *run)
{
    const train_args *a = run->a;
    const nnt_train_result *res = run->res;
    if (a->quiet)
        return;
    fprintf(stderr, "train accuracy %.4f", run->train.accuracy);
    if (run->data->n_val)
        fprintf(stderr, ", validation accuracy %.4f", run->val.accuracy);
    if (run->data->n_test)
        fprintf(stderr, ", test accuracy %.4f", run->test.accuracy);
    fprintf(stderr, "; final loss %.6f; trained in %.2f s", res->final_loss, run->t_train);
    if (run->ranks > 1)
        fprintf(stderr, " by %d ranks of %d thread%s (%s)", run->ranks, res->threads,
                res->threads == 1 ? "" : "s", res->exchange ? res->exchange : "?");
    else
        fprintf(stderr, " on %d thread%s", res->threads, res->threads == 1 ? "" : "s");
    if (res->stopped_early)
        fprintf(stderr, "; stopped early, weights of epoch %d", res->best_epoch);
    else if (res->best_epoch != res->epochs_run)
        fprintf(stderr, "; weights of the best epoch, %d", res->best_epoch);
    fprintf(stderr, "\nwrote %s%s%s\n", a->output, a->plot ? " and " : "", a->plot ? a->plot : "");
}

void report_summary_json(const report_run *run)
{
    const train_args *a = run->a;
    const nnt_shard *n = run->data;
    const nnt_train_result *res = run->res;
    printf("{\"train_accuracy\":");
    json_number(stdout, run->train.accuracy);
    printf(",\"val_accuracy\":");
    json_number(stdout, n->n_val ? run->val.accuracy : NAN);
    printf(",\"test_accuracy\":");
    json_number(stdout, n->n_test ? run->test.accuracy : NAN);
    printf(",\"final_cost\":");
    json_number(stdout, res->final_loss);
    printf(",\"solver\":");
    json_string(stdout, train_solver_name(res->solver));
    printf(",\"threads\":%d,\"ranks\":%d,\"exchange\":", res->threads, run->ranks);
    json_string(stdout, run->ranks > 1 && res->exchange ? res->exchange : "none");
    printf(",\"epochs\":%d,\"best_epoch\":%d,\"stopped_early\":%s,\"load_seconds\":", res->epochs_run,
           res->best_epoch, res->stopped_early ? "true" : "false");
    json_number(stdout, run->t_load);
    printf(",\"train_seconds\":");
    json_number(stdout, run->t_train);
    printf(",\"train_images\":%zu,\"val_images\":%zu,\"test_images\":%zu,\"skipped\":%zu,\"classes\":[",
           n->n_train, n->n_val, n->n_test, n->n_skipped);
    for (int i = 0; i < n->scan.n_classes; i++) {
        if (i)
            putchar(',');
        json_string(stdout, n->scan.class_names[i]);
    }
    printf("],\"model\":");
    json_string(stdout, a->output);
    printf("}\n");
}

/* The schedule's and the weight decay's lines, appended to s (n of cap used) only when not at
 * their defaults, so that a model trained without them keeps its bytes: a schedule other than
 * constant with the settings it uses, a warm-up, a weight decay. Returns the new length. */
static int meta_schedule(char *s, size_t cap, int n, const nnt_train_opts *t)
{
    const nnt_schedule *sc = &t->schedule;
    if (n < 0 || (size_t)n >= cap)
        return n;
    if (sc->kind == NNT_SCHED_STEP)
        n += snprintf(s + n, cap - (size_t)n, "schedule=step\nlr_factor=%.7g\nlr_step=%d\n",
                      sc->factor, sc->every);
    else if (sc->kind == NNT_SCHED_COSINE)
        n += snprintf(s + n, cap - (size_t)n, "schedule=cosine\nlr_min=%.7g\n", sc->lr_min);
    if ((size_t)n < cap && sc->warmup > 0)
        n += snprintf(s + n, cap - (size_t)n, "warmup=%d\n", sc->warmup);
    if ((size_t)n < cap && t->weight_decay > 0.0f)
        n += snprintf(s + n, cap - (size_t)n, "weight_decay=%.7g\n", t->weight_decay);
    return n;
}

char *report_meta(const report_run *run)
{
    const train_args *a = run->a;
    const nnt_train_opts *t = &a->train;
    const nnt_train_result *res = run->res;
    const nnt_shard *cnt = run->data;
    char buf[2048], batch[32], opt[128] = "";
    if (t->batch == 0 || t->batch >= cnt->n_train)
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
                     cnt->n_train, cnt->n_val, cnt->n_test);
    n = meta_schedule(buf, sizeof buf, n, t);
    /* options off by default are recorded only when on, so a default model keeps its bytes */
    if (n > 0 && (size_t)n < sizeof buf && a->scale != NNT_SCALE_NONE)
        n += snprintf(buf + n, sizeof buf - (size_t)n, "scale=%s\n", scale_name(a->scale));
    /* only when on, so that models trained without it keep their bytes */
    if (n > 0 && (size_t)n < sizeof buf && t->dropout > 0.0f)
        n += snprintf(buf + n, sizeof buf - (size_t)n, "dropout=%.7g\n", t->dropout);
    if (n > 0 && (size_t)n < sizeof buf && augment_active(&t->augment)) { /* only when given */
        char list[256];
        augment_format(list, sizeof list, &t->augment);
        n += snprintf(buf + n, sizeof buf - (size_t)n, "augment=%s\n", list);
    }
    return n > 0 && (size_t)n < sizeof buf ? strdup(buf) : NULL;
}

int report_history_export(const report_progress *p, nnt_ckpt_epoch **out, uint64_t *n_out,
                          size_t n)
{
    const report_history *h = &p->h;
    *out = NULL;
    *n_out = 0;
    if (p->history_oom || (size_t)h->n < n)
        return -1;
    nnt_ckpt_epoch *e = calloc(n ? n : 1, sizeof *e);
    if (!e)
        return -1;
    for (size_t i = 0; i < n; i++)
        e[i] = (nnt_ckpt_epoch){h->train_loss[i], h->train_acc[i], h->val_loss[i], h->val_acc[i],
                                h->test_acc[i]};
    *out = e;
    *n_out = n;
    return 0;
}

int report_history_restore(report_progress *p, const nnt_ckpt_epoch *h, uint64_t n)
{
    for (uint64_t i = 0; i < n; i++) {
        nnt_epoch e = {0};
        e.train_loss = h[i].train_loss;
        e.train_acc = h[i].train_acc;
        e.val_loss = h[i].val_loss;
        e.val_acc = h[i].val_acc;
        e.test_acc = h[i].test_acc;
        if (history_push(&p->h, &e))
            return -1;
    }
    return 0;
}

char *report_checkpoint_opts(const train_args *a, const nnt_shard *d)
{
    const nnt_train_opts *t = &a->train;
    const nnt_schedule *sc = &t->schedule;
    char buf[4096], batch[32], aug[256] = "none";
    if (t->batch == 0 || t->batch >= d->n_train)
        snprintf(batch, sizeof batch, "full");
    else
        snprintf(batch, sizeof batch, "%zu", t->batch);
    if (augment_active(&t->augment))
        augment_format(aug, sizeof aug, &t->augment);
    /* the class names by their CRC: one line, whatever their number */
    uLong names = crc32(0L, Z_NULL, 0);
    for (int i = 0; i < d->scan.n_classes; i++)
        names = crc32(names, (const Bytef *)d->scan.class_names[i],
                      (uInt)strlen(d->scan.class_names[i]) + 1);
    int n = snprintf(buf, sizeof buf,
                     "hidden=%d\nact=%s\ninit=%s\nseed=%llu\nbatch=%s\noptimizer=%s\nlr=%.9g\n"
                     "momentum=%.9g\nbeta1=%.9g\nbeta2=%.9g\neps=%.9g\nl2=%.9g\n"
                     "weight_decay=%.9g\nschedule=%s\nlr_factor=%.9g\nlr_step=%d\nlr_min=%.9g\n"
                     "warmup=%d\ndropout=%.9g\naugment=%s\nscale=%s\nval_split=%.9g\n"
                     "patience=%d\nsolver=%s\nepochs=%d\nthreads=%d\n"
                     "classes=%d\nclass_names_crc=%08lx\ngeometry=%lux%lux%d\n"
                     "train_images=%zu\nval_images=%zu\ntest_images=%zu\n"
                     "data_train=%08lx\ndata_val=%08lx\ndata_test=%08lx\n",
                     a->hidden, act_name(a->act), net_init_name(net_init_resolve(a->init, a->act)),
                     (unsigned long long)a->seed, batch, train_optimizer_name(t->optimizer),
                     t->lr, t->momentum, t->beta1, t->beta2, t->eps, t->l2, t->weight_decay,
                     optim_schedule_name(sc->kind), sc->factor, sc->every, sc->lr_min,
                     sc->warmup, t->dropout, aug, scale_name(a->scale), a->val_split,
                     t->patience, train_solver_name(t->solver), t->epochs, a->threads,
                     d->scan.n_classes, (unsigned long)names, (unsigned long)d->geom.width,
                     (unsigned long)d->geom.height, d->geom.channels, d->n_train, d->n_val,
                     d->n_test, (unsigned long)dataset_crc(&d->train),
                     (unsigned long)dataset_crc(&d->val), (unsigned long)dataset_crc(&d->test));
    return n > 0 && (size_t)n < sizeof buf ? strdup(buf) : NULL;
}
