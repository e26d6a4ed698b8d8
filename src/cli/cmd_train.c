/* cmd_train.c — `nnt train`: checks the options against the ranks, loads this rank's shard of
 * the data (shard.h), trains (train_run), reports (report.c) and writes the model; prints the
 * one message of a failure the ranks agreed on (agree.h) and picks exit codes. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "report.h"
#include "nnt/agree.h"
#include "nnt/blas.h"
#include "nnt/comm.h"
#include "nnt/defaults.h"
#include "nnt/eval.h"
#include "nnt/file.h"
#include "nnt/model.h"
#include "nnt/checkpoint.h"
#include "nnt/scale.h"
#include "nnt/shard.h"
#include "nnt/team.h"
#include "nnt/train.h"

/* The options a resume may change: --epochs extends (or shortens) the run, --threads splits the
 * steps otherwise (the model then differs from the uninterrupted run's by rounding). The
 * outputs, logging and the data's decoding options are not in the compared lines at all. */
static const char *const may_change[] = {"epochs", "threads", NULL};

/* What the checkpoint callback needs: the report's context, where to write, what to write. */
typedef struct train_ctx {
    report_progress *prog;
    const train_args *a;
    const char *path;     /* the checkpoint */
    const char *opts;     /* its OPTS lines */
    int written;          /* a checkpoint was written */
    int epoch;            /* the epoch and step it goes on from */
    uint64_t step;
} train_ctx;

static void train_on_epoch(void *ctx, const nnt_epoch *e)
{
    report_on_epoch(((train_ctx *)ctx)->prog, e);
}

static void train_on_step(void *ctx, const nnt_step *s)
{
    report_on_step(((train_ctx *)ctx)->prog, s);
}

/* nnt_train_opts.on_checkpoint: the state, the report's history, the options; file_save. */
static int train_on_checkpoint(void *ctx, const nnt_train_state *st, nnt_err *err)
{
    train_ctx *c = ctx;
    nnt_checkpoint ck = {.state = *st, .opts = (char *)c->opts, .argc = c->a->argc,
                         .argv = c->a->argv};
    if (report_history_export(c->prog, &ck.history, &ck.n_history, (size_t)st->epochs_run))
        return nnt_errf(err, "%s: out of memory for the history", c->path);
    int rc = checkpoint_save(&ck, c->path, err);
    free(ck.history);
    if (rc == 0) {
        c->written = 1;
        c->epoch = (int)st->epoch;
        c->step = st->step;
    }
    return rc;
}

/* Fails early, before any image is decoded, when an output could not be written anyway. */
static int check_outputs(const train_args *a, const char *ckpt, nnt_err *err)
{
    if (file_check_writable(a->output, "the model (-o)", err) ||
        (a->plot && file_check_writable(a->plot, "the chart (--plot)", err)) ||
        (ckpt && file_check_writable(ckpt, "the checkpoint (--checkpoint)", err)))
        return -1;
    if (a->plot && strcmp(a->plot, a->output) == 0)
        return nnt_errf(err, "%s: named by both -o and --plot; the chart would replace the model",
                        a->output);
    if (ckpt && (strcmp(ckpt, a->output) == 0 || (a->plot && strcmp(ckpt, a->plot) == 0)))
        return nnt_errf(err, "%s: named as the checkpoint and as another output", ckpt);
    return 0;
}

/* --init-from: the model's weights into net, which must have its shape, its classes and its
 * activation; with --scale, unfolded so that the network computes on the scaled inputs what the
 * model computes on raw ones. */
static int init_from(nnt_net *net, const train_args *a, const nnt_shard *data, nnt_err *err)
{
    nnt_model m;
    if (model_load(&m, a->init_from, err))
        return -1;
    int rc = 0;
    const char *f = a->init_from;
    if (m.width != data->geom.width || m.height != data->geom.height ||
        m.channels != data->geom.channels)
        rc = nnt_errf(err, "%s: --init-from: the model takes %lux%lu images of %d channels, the "
                           "data are %lux%lu of %d", f, (unsigned long)m.width,
                      (unsigned long)m.height, m.channels, (unsigned long)data->geom.width,
                      (unsigned long)data->geom.height, data->geom.channels);
    else if (m.n_classes != data->scan.n_classes)
        rc = nnt_errf(err, "%s: --init-from: the model has %d classes, the data %d", f,
                      m.n_classes, data->scan.n_classes);
    for (int i = 0; rc == 0 && i < m.n_classes; i++)
        if (strcmp(m.class_names[i], data->scan.class_names[i]) != 0)
            rc = nnt_errf(err, "%s: --init-from: the model's class %d is '%s', the data's '%s'", f,
                          i + 1, m.class_names[i], data->scan.class_names[i]);
    if (rc == 0 && m.net.n_h != net->n_h)
        rc = nnt_errf(err, "%s: --init-from: the model has %d hidden units, this run %d (--hidden)",
                      f, m.net.n_h, net->n_h);
    if (rc == 0 && m.net.act != net->act)
        rc = nnt_errf(err, "%s: --init-from: the model's activation is %s, this run's %s (--act)",
                      f, act_name(m.net.act), act_name(net->act));
    if (rc == 0) {
        memcpy(net->params, m.net.params, net->n_params * sizeof *net->params);
        if (data->scale.kind != NNT_SCALE_NONE)
            scale_unfold(net->W1, net->b1, &data->scale, net->n_h);
    }
    model_free(&m);
    return rc;
}

/* A usage error found once the ranks are known: rank 0 says it, every rank exits alike. */
static int usage_failed(int lead, const nnt_err *err)
{
    if (lead)
        fprintf(stderr, "nnt train: %s\nTry 'nnt train --help'.\n", err->msg);
    return EXIT_USAGE;
}

/* After agree_failed: the one rank whose failure it is prints it. */
static void print_failure(const nnt_err *err, const char *tail)
{
    if (!err->peer)
        fprintf(stderr, "nnt: %s%s\n", err->msg, tail);
}

/* Rank 0's end of a run: the model file, the chart, the summary. */
static int save_and_report(nnt_model *model, const report_run *run,
                           const report_progress *prog, nnt_err *err)
{
    const train_args *a = run->a;
    const nnt_shard *data = run->data;
    model->width = data->geom.width;
    model->height = data->geom.height;
    model->channels = data->geom.channels;
    model->n_classes = data->scan.n_classes;
    model->class_names = data->scan.class_names; /* borrowed: detached again before model_free */
    model->meta = report_meta(run);
    int rc = model->meta ? model_save(model, a->output, err) : nnt_errf(err, "out of memory");
    model->class_names = NULL;
    model->n_classes = 0;
    if (rc == 0 && a->plot)
        rc = report_plot(prog, data, err);
    if (rc)
        return -1;
    report_trained(run);
    if (a->json)
        report_summary_json(run);
    if (fflush(stdout) != 0 || ferror(stdout))
        return nnt_errf(err, "writing to standard output failed");
    return 0;
}

int cmd_train(const train_args *args)
{
    train_args resolved = *args;
    const train_args *a = &resolved;
    nnt_err err;
    nnt_comm comm;
    nnt_shard data = {0};
    nnt_model model = {0};
    int code = EXIT_RUNTIME, rc = 0;

    if (comm_init(&comm, &err)) {
        fprintf(stderr, "nnt: %s\n", err.msg);
        return EXIT_RUNTIME;
    }
    int lead = comm.rank == 0; /* rank 0 alone prints and writes */
    if (!lead) {
        resolved.quiet = 1;
        resolved.json = 0;
    }
    report_progress prog = {a, !a->quiet && isatty(STDERR_FILENO), 0, 0.0, 0, {0}};
    char *ckpt_opts = NULL, ckpt_default[4096];
    /* checkpoints: --checkpoint FILE, or --checkpoint-every N next to the model (OUTPUT.ckpt) */
    const char *ckpt = a->checkpoint;
    if (!ckpt && a->checkpoint_every >= 0) {
        snprintf(ckpt_default, sizeof ckpt_default, "%s.ckpt", a->output);
        ckpt = ckpt_default;
    }
    int every = a->checkpoint_every >= 0 ? a->checkpoint_every : 1;
    cli_catch_signals();
    /* more threads than the CPUs this process may use (mpirun binds ranks) only wait */
    if (resolved.threads > team_cpus())
        resolved.threads = team_cpus();
    blas_set_threads(a->threads);

    /* ---- check: the rules that need the ranks, and the outputs' folders ---- */
    if (shard_check_batch(a->train.batch, comm.size, &err) ||
        train_opts_check(&a->train, comm.size, &err)) {
        code = usage_failed(lead, &err);
        goto done;
    }
    if (ckpt && a->train.solver == NNT_SOLVER_DUAL) {
        nnt_errf(&err, "--checkpoint needs the primal solver; --solver dual keeps no state to "
                       "resume from");
        code = usage_failed(lead, &err);
        goto done;
    }
    if (ckpt && comm.size > 1) {
        nnt_errf(&err, "--checkpoint and --resume run in one process for now, not %d ranks",
                 comm.size);
        code = usage_failed(lead, &err);
        goto done;
    }
    if (ckpt) /* the state of a dual run cannot be saved: auto picks primal */
        resolved.train.solver = NNT_SOLVER_PRIMAL;
    if (lead)
        rc = check_outputs(a, ckpt, &err);
    if (agree_failed(&comm, rc, &err)) {
        print_failure(&err, "");
        goto done;
    }

    /* ---- load: every rank scans the same list and decodes its own shard of it ---- */
    /* skipped files are reported by the rank that read them, unless the user asked for quiet */
    nnt_load_opts lo = {.max_pixels = a->max_pixels, .width = a->width, .height = a->height,
                        .skip_bad = a->skip_bad, .threads = a->threads,
                        .warn = report_warn_skip, .warn_ctx = (void *)args};
    nnt_shard_opts so = {.dir = a->dir, .val_split = a->val_split, .seed = a->seed,
                         .batch = a->train.batch, .load = lo, .scale = a->scale};
    double t_load = train_clock();
    if (shard_load(&data, &so, &comm, &err)) {
        print_failure(&err, "");
        goto done;
    }
    t_load = train_clock() - t_load;
    int sig = agree_max(&comm, cli_stop_signal);
    if (sig) {
        if (lead)
            fprintf(stderr, "nnt: interrupted by %s while loading; no model written\n",
                    cli_signal_name(sig));
        code = 128 + sig;
        goto done;
    }
    report_loaded(a, &data, t_load, comm.size);
    report_lr_range(a, data.train.n_x);
    report_hidden_bottleneck(a, data.scan.n_classes);
    if (resolved.train.epochs == 0)
        resolved.train.epochs = train_epochs_auto(data.n_train, a->train.batch, a->train.patience);
    if (resolved.log_every < 0)
        resolved.log_every = defaults_log_every(a->train.epochs);
    /* resolved here rather than in train_run so the log says which before training starts, and
     * a forced --solver dual that is not exact (mini-batches) is the usage error it is */
    nnt_solver solver = NNT_SOLVER_PRIMAL;
    if (train_solver_resolve(&solver, &a->train, data.train.m, data.val.m + data.test.m,
                             data.train.n_x, a->hidden, comm.size, &err)) {
        code = usage_failed(lead, &err);
        goto done;
    }
    resolved.train.solver = solver;
    if (!a->quiet)
        report_solver(solver, data.train.m);
    /* what shaped the run, with the data's fingerprint: a resume must find the same */
    if (ckpt && !(ckpt_opts = report_checkpoint_opts(a, &data))) {
        fprintf(stderr, "nnt: out of memory\n");
        goto done;
    }
    if (a->resumed && checkpoint_compare(a->resumed->opts, ckpt_opts, may_change, a->resume, &err)) {
        fprintf(stderr, "nnt: %s; a resumed run may change only --epochs, --threads and the "
                        "outputs\n", err.msg);
        goto done;
    }

    /* ---- train ---- */
    int n_y = data.scan.n_classes == 2 ? 1 : data.scan.n_classes;
    /* refused now, not after minutes of allocating and initialising what cannot all fit */
    nnt_train_memory need;
    train_memory(&need, &resolved.train, solver, data.train.n_x, a->hidden, n_y, data.train.m,
                 data.val.m + data.test.m, comm.size);
    rc = train_memory_check(&need, &err);
    if (agree_failed(&comm, rc, &err)) {
        print_failure(&err, "");
        goto done;
    }
    rc = net_new(&model.net, (int)data.train.n_x, a->hidden, n_y, a->act, &err);
    if (agree_failed(&comm, rc, &err)) {
        print_failure(&err, "");
        goto done;
    }
    /* the same seed on every rank: the same weights, then the same batch order */
    nnt_rng rng;
    rng_seed(&rng, a->seed);
    net_init(&model.net, &rng, a->init);
    if (a->init_from && init_from(&model.net, a, &data, &err)) {
        fprintf(stderr, "nnt: %s\n", err.msg);
        goto done;
    }
    train_ctx tc = {&prog, a, ckpt, ckpt_opts, 0, 0, 0};
    nnt_train_opts to = a->train;
    to.position = data.position;
    to.test_every = a->plot && a->log_every != 1 ? 1 : a->log_every;
    to.stop = &cli_stop_signal;
    to.on_epoch = lead ? train_on_epoch : NULL;
    to.on_step = lead && prog.tty ? train_on_step : NULL;
    to.ctx = &tc;
    if (ckpt) {
        to.on_checkpoint = train_on_checkpoint;
        to.checkpoint_every = every;
    }
    if (a->resumed) {
        to.resume = &a->resumed->state;
        if (report_history_restore(&prog, a->resumed->history, a->resumed->n_history)) {
            fprintf(stderr, "nnt: out of memory\n");
            goto done;
        }
    }
    to.comm = &comm;
    to.threads = a->threads;
    prog.m = data.n_train;
    nnt_train_result res;
    report_run run = {.a = a, .data = &data, .res = &res, .t_load = t_load, .ranks = comm.size};
    double t_train = train_clock();
    rc = train_run(&model.net, &res, &data.train, &data.val, &data.test, &rng, &to, &err);
    run.t_train = train_clock() - t_train;
    sig = agree_max(&comm, cli_stop_signal);
    if (rc == NNT_TRAIN_STOPPED || (rc == 0 && sig)) {
        report_clear_line(&prog);
        if (lead && tc.written)
            fprintf(stderr, "nnt: interrupted by %s after %d epochs; checkpoint %s written (epoch "
                            "%d, step %llu); go on with: nnt train --resume %s\n",
                    cli_signal_name(sig), res.epochs_run, ckpt, tc.epoch, (unsigned long long)tc.step,
                    ckpt);
        else if (lead)
            fprintf(stderr, "nnt: interrupted by %s after %d epochs; no model written (%s left as "
                            "it was)\n", cli_signal_name(sig), res.epochs_run, a->output);
        code = 128 + (sig ? sig : SIGTERM);
        goto done;
    }
    /* train_run fails on every rank alike; the message worth printing is from a rank that
     * failed itself, not one told that another did */
    if (agree_failed(&comm, rc, &err)) {
        report_clear_line(&prog);
        print_failure(&err, "; no model written");
        goto done;
    }

    /* ---- report and save (every rank evaluates its shards; rank 0 writes) ---- */
    /* the model file takes raw pixels (scale.c says why): the accuracies reported are those of
     * the folded network on raw inputs, the model as written */
    if (data.scale.kind != NNT_SCALE_NONE) {
        scale_fold(model.net.W1, model.net.b1, &data.scale, model.net.n_h);
        shard_unscale(&data);
    }
    rc = eval_dataset_all(&run.train, &model.net, &data.train, &comm, &err);
    if (rc == 0 && data.n_val)
        rc = eval_dataset_all(&run.val, &model.net, &data.val, &comm, &err);
    if (rc == 0 && data.n_test)
        rc = eval_dataset_all(&run.test, &model.net, &data.test, &comm, &err);
    if (agree_failed(&comm, rc, &err)) {
        print_failure(&err, "");
        goto done;
    }
    rc = lead ? save_and_report(&model, &run, &prog, &err) : 0;
    if (rc)
        fprintf(stderr, "nnt: %s\n", err.msg);
    /* the others wait for rank 0's verdict on writing, so all exit alike */
    code = agree_max(&comm, rc != 0) ? EXIT_RUNTIME : EXIT_OK;
done:
    free(ckpt_opts);
    report_progress_free(&prog);
    model_free(&model);
    shard_free(&data);
    comm_finalize(&comm);
    return code;
}
