/* train.c — the training loop: batch order, forward/backward per step, the optimiser update,
 * validation and early stopping, stop requests and divergence. */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "nnt/dual.h"
#include "nnt/eval.h"
#include "nnt/train.h"

static const char *const optimizer_names[] = {"sgd", "momentum", "adam"};

const char *train_optimizer_name(nnt_optimizer opt)
{
    return (unsigned)opt < 3 ? optimizer_names[opt] : "unknown";
}

int train_optimizer_parse(nnt_optimizer *opt, const char *name)
{
    for (int i = 0; i < 3; i++)
        if (strcmp(name, optimizer_names[i]) == 0) {
            *opt = (nnt_optimizer)i;
            return 0;
        }
    return -1;
}

static const char *const solver_names[] = {"auto", "primal", "dual"};

const char *train_solver_name(nnt_solver solver)
{
    return (unsigned)solver < 3 ? solver_names[solver] : "unknown";
}

int train_solver_parse(nnt_solver *solver, const char *name)
{
    for (int i = 0; i < 3; i++)
        if (strcmp(name, solver_names[i]) == 0) {
            *solver = (nnt_solver)i;
            return 0;
        }
    return -1;
}

int train_solver_resolve(nnt_solver *solver, const nnt_train_opts *o, size_t m, size_t m_eval,
                         size_t n_x, int n_h, nnt_err *err)
{
    const char *why = dual_inexact_reason(o, m);
    switch (o->solver) {
    case NNT_SOLVER_PRIMAL:
        *solver = NNT_SOLVER_PRIMAL;
        return 0;
    case NNT_SOLVER_DUAL:
        if (why)
            return nnt_errf(err, "--solver dual computes the primal iterates only for full-batch "
                                 "sgd or momentum: %s", why);
        *solver = NNT_SOLVER_DUAL;
        return 0;
    default:
        *solver = !why && dual_cheaper(m, m_eval, n_x, n_h, o->epochs) ? NNT_SOLVER_DUAL
                                                                        : NNT_SOLVER_PRIMAL;
        return 0;
    }
}

nnt_train_opts train_opts_default(void)
{
    nnt_train_opts o;
    memset(&o, 0, sizeof o);
    o.epochs = 1;
    o.optimizer = NNT_OPT_SGD;
    o.lr = 0.01f;
    o.momentum = 0.9f;
    o.beta1 = 0.9f;
    o.beta2 = 0.999f;
    o.eps = 1e-8f;
    return o;
}

double train_clock(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Optimiser state: one or two vectors shaped like the parameter block. */
typedef struct optim {
    float *m, *v;
    long t; /* steps taken, for Adam's bias correction */
} optim;

/* g += λ·W on the two weight matrices (not the biases). */
static void add_l2(nnt_net *grad, const nnt_net *net, float l2)
{
    size_t n1 = (size_t)net->n_h * net->n_x, n2 = (size_t)net->n_y * net->n_h;
    for (size_t i = 0; i < n1; i++)
        grad->W1[i] += l2 * net->W1[i];
    for (size_t i = 0; i < n2; i++)
        grad->W2[i] += l2 * net->W2[i];
}

/* 1 when x is NaN or ±Inf; written so the loops below still vectorise. */
static inline int not_finite(float x) { return !(fabsf(x) <= FLT_MAX); }

/* One update of every parameter from grad; returns -1 when a parameter is no longer finite. */
static int optim_step(nnt_net *net, const nnt_net *grad, optim *st, const nnt_train_opts *o)
{
    float *p = net->params;
    const float *g = grad->params;
    size_t n = net->n_params;
    int bad = 0;
    st->t++;
    switch (o->optimizer) {
    case NNT_OPT_SGD: {
        float lr = o->lr;
        for (size_t i = 0; i < n; i++) {
            p[i] -= lr * g[i];
            bad |= not_finite(p[i]);
        }
        break;
    }
    case NNT_OPT_MOMENTUM: {
        float lr = o->lr, mu = o->momentum;
        float *m = st->m;
        for (size_t i = 0; i < n; i++) {
            m[i] = mu * m[i] + g[i];
            p[i] -= lr * m[i];
            bad |= not_finite(p[i]);
        }
        break;
    }
    case NNT_OPT_ADAM: {
        float b1 = o->beta1, b2 = o->beta2, eps = o->eps, lr = o->lr;
        float c1 = 1.0f / (1.0f - powf(b1, (float)st->t));
        float c2 = 1.0f / (1.0f - powf(b2, (float)st->t));
        float *m = st->m, *v = st->v;
        for (size_t i = 0; i < n; i++) {
            m[i] = b1 * m[i] + (1.0f - b1) * g[i];
            v[i] = b2 * v[i] + (1.0f - b2) * g[i] * g[i];
            p[i] -= lr * (m[i] * c1) / (sqrtf(v[i] * c2) + eps);
            bad |= not_finite(p[i]);
        }
        break;
    }
    }
    return bad ? -1 : 0;
}

/* ---- data parallelism (opts->comm): which images of its shard a rank takes at each step ---- */

/* The end, in rank r's shuffled shard of m_r images, of the steps that cover the first `pos` of
 * the M images of all shards (pos ≤ M): floor(pos·m_r/M). Each step thus takes about
 * batch·m_r/M of the shard, and with one rank (m_r = M) exactly `batch`, as before. */
static size_t shard_end(size_t pos, size_t m_r, size_t M)
{
    return (size_t)((unsigned long long)pos * m_r / M); /* pos, m_r ≤ INT32_MAX: no overflow */
}

/* Images all ranks take at the step covering positions [pos, pos + b) of M. */
static size_t step_images(size_t pos, size_t b, const double *shard_m, int n_ranks, size_t M)
{
    size_t end = pos + b < M ? pos + b : M, n = 0;
    for (int r = 0; r < n_ranks; r++)
        n += shard_end(end, (size_t)shard_m[r], M) - shard_end(pos, (size_t)shard_m[r], M);
    return n;
}

int train_run(nnt_net *net, nnt_train_result *res, const nnt_dataset *train,
              const nnt_dataset *val, const nnt_dataset *test, nnt_rng *rng,
              const nnt_train_opts *o, nnt_err *err)
{
    size_t m = train->m, n_x = train->n_x;
    int n_h = net->n_h, n_y = net->n_y;
    *res = (nnt_train_result){0};
    /* ---- data parallel: agree on the shard sizes, or on failing, before any step ---- */
    const nnt_comm *comm = o->comm;
    int n_ranks = comm_size(comm);
    static const nnt_dataset none = {0};
    const nnt_dataset *val_ds = val ? val : &none, *test_ds = test ? test : &none;
    double *agree = calloc((size_t)n_ranks + 3, sizeof *agree); /* failed, val m, test m, m per rank */
    int local_rc = 0;
    if (!agree)
        return nnt_errf(err, "out of memory");
    if (m > INT32_MAX)
        local_rc = nnt_errf(err, "training needs between 1 and %d images, not %zu", INT32_MAX, m);
    else if ((size_t)net->n_x != n_x)
        local_rc = nnt_errf(err, "the network takes %d inputs but the images have %zu", net->n_x, n_x);
    agree[0] = local_rc ? 1.0 : 0.0;
    agree[1] = (double)val_ds->m;
    agree[2] = (double)test_ds->m;
    agree[3 + comm_rank(comm)] = (double)m;
    comm_allreduce_sum_double(comm, agree, (size_t)n_ranks + 3);
    const double *shard_m = agree + 3;
    size_t M = 0;
    for (int r = 0; r < n_ranks; r++)
        M += (size_t)shard_m[r];
    if (agree[0] > 0.0 || M == 0 || M > INT32_MAX) {
        if (!local_rc)
            local_rc = agree[0] > 0.0 ? nnt_errf(err, "training failed on another rank")
                                      : nnt_errf(err, "training needs between 1 and %d images, "
                                                      "not %zu", INT32_MAX, M);
        free(agree);
        return local_rc;
    }
    /* a set that is empty on every rank is no set; one empty on this rank only still takes part */
    val = agree[1] > 0.0 ? val_ds : NULL;
    test = agree[2] > 0.0 ? test_ds : NULL;
    size_t b = (o->batch == 0 || o->batch >= M) ? M : o->batch; /* global images per step */
    int full = b == M;
    size_t b_local = full ? m : (b * m / M + 1 < m ? b * m / M + 1 : m); /* most this rank takes */
    if (b_local == 0)
        b_local = 1;
    /* ---- end of data parallel ---- */

    /* the sample-space solver needs every image's Gram products, so it runs in one process */
    nnt_solver solver = NNT_SOLVER_PRIMAL;
    if (n_ranks == 1) {
        if (train_solver_resolve(&solver, o, m, (val ? val->m : 0) + (test ? test->m : 0), n_x,
                                 n_h, err)) {
            free(agree);
            return -1;
        }
        if (solver == NNT_SOLVER_DUAL) {
            free(agree);
            return dual_train(net, res, train, val, test, o, err);
        }
    } else if (o->solver == NNT_SOLVER_DUAL) {
        free(agree);
        return nnt_errf(err, "--solver dual runs in one process only: use primal or auto under mpirun");
    }
    res->solver = NNT_SOLVER_PRIMAL;
    size_t np = net->n_params;

    nnt_net grad = {0};
    optim st = {0};
    float *X = malloc(n_x * b_local * sizeof *X);
    int32_t *y = malloc(b_local * sizeof *y);
    float *A1 = malloc((size_t)n_h * b_local * sizeof *A1);
    float *dZ1 = malloc((size_t)n_h * b_local * sizeof *dZ1);
    float *Z2 = malloc((size_t)n_y * b_local * sizeof *Z2);
    float *A2 = malloc((size_t)n_y * b_local * sizeof *A2);
    float *dZ2 = malloc((size_t)n_y * b_local * sizeof *dZ2);
    size_t *idx = malloc((m ? m : 1) * sizeof *idx);
    float *best = val && o->patience > 0 ? malloc(np * sizeof *best) : NULL;
    if (o->optimizer != NNT_OPT_SGD)
        st.m = calloc(np, sizeof *st.m);
    if (o->optimizer == NNT_OPT_ADAM)
        st.v = calloc(np, sizeof *st.v);
    int rc = 0;
    if (!X || !y || !A1 || !dZ1 || !Z2 || !A2 || !dZ2 || !idx || (val && o->patience > 0 && !best) ||
        (o->optimizer != NNT_OPT_SGD && !st.m) || (o->optimizer == NNT_OPT_ADAM && !st.v)) {
        rc = nnt_errf(err, "out of memory for a batch of %zu images of %zu values", b_local, n_x);
    } else if (net_new(&grad, net->n_x, n_h, n_y, net->act, err)) {
        rc = -1;
    }
    int failed = rc != 0; /* data parallel: a rank that cannot train stops them all */
    comm_allreduce_max_int(comm, &failed, 1);
    if (failed) {
        if (rc == 0)
            rc = nnt_errf(err, "training failed on another rank");
        goto done;
    }
    for (size_t i = 0; i < m; i++)
        idx[i] = i;
    if (full) /* the tutorial's algorithm: one float copy of X for all epochs, no shuffling */
        dataset_gather(X, y, train, NULL, 0, m);

    double t0 = train_clock(), best_loss = INFINITY;
    size_t seen = 0;
    int since_best = 0;
    for (int epoch = 1; epoch <= o->epochs && rc == 0; epoch++) {
        if (!full)
            rng_shuffle(rng, idx, m);
        double loss_sum = 0.0;
        size_t correct = 0;
        for (size_t first = 0; first < M; first += b) {
            /* this rank's part of the step: images [lo, lo + bs) of its shard; all ranks
             * together take n_step, within n_ranks of b (exactly b with one rank, but for the
             * last step), and the summed gradient is their mean */
            size_t lo = shard_end(first, m, M);
            int bs = (int)(shard_end(first + b < M ? first + b : M, m, M) - lo);
            size_t n_step = n_ranks == 1 ? (size_t)bs : step_images(first, b, shard_m, n_ranks, M);
            /* X: n_x x bs, A1, dZ1: n_h x bs, Z2, A2, dZ2: n_y x bs */
            if (!full)
                dataset_gather(X, y, train, idx + lo, 0, (size_t)bs);
            /* summed over the ranks: loss, right answers, stop requests, divergences */
            double stats[4] = {0.0, 0.0, o->stop && *o->stop ? 1.0 : 0.0, 0.0};
            if (bs > 0) {
                net_forward(A1, Z2, A2, net, X, bs);
                stats[0] = output_loss(Z2, y, n_y, bs);
                for (int j = 0; j < bs; j++)
                    stats[1] += net_label(A2 + (size_t)j * n_y, n_y) == y[j];
                stats[3] = !isfinite(stats[0]);
            }
            if (bs > 0 && !stats[3])
                net_backward(&grad, dZ2, dZ1, net, X, A1, A2, y, bs, 1.0f / (float)n_step);
            else
                memset(grad.params, 0, np * sizeof *grad.params);
            comm_allreduce_sum_double(comm, stats, 4);
            if (stats[3] > 0.0) {
                double loss = stats[0]; /* NaN or ±Inf on some rank: the sum is not finite too */
                rc = nnt_errf(err, "training diverged at epoch %d: the loss is %s; try a lower "
                                   "learning rate (--lr)", epoch, isnan(loss) ? "NaN" : "infinite");
                break;
            }
            comm_allreduce_sum_float(comm, grad.params, np);
            loss_sum += stats[0];
            correct += (size_t)stats[1];
            if (o->l2 > 0.0f)
                add_l2(&grad, net, o->l2);
            if (optim_step(net, &grad, &st, o)) {
                rc = nnt_errf(err, "training diverged at epoch %d: a parameter became NaN or "
                                   "infinite; try a lower learning rate (--lr)", epoch);
                break;
            }
            seen += n_step;
            if (o->on_step) {
                size_t done_n = first + b < M ? first + b : M;
                nnt_step s = {epoch, o->epochs, done_n, M, loss_sum / (double)done_n,
                              (double)correct / (double)done_n, train_clock() - t0};
                o->on_step(o->ctx, &s);
            }
            /* one rank alone reads its flag again: a signal during the step stops it now */
            if (stats[2] > 0.0 || (n_ranks == 1 && o->stop && *o->stop)) {
                rc = NNT_TRAIN_STOPPED;
                break;
            }
        }
        if (rc != 0)
            break;
        res->epochs_run = epoch;
        res->final_loss = loss_sum / (double)M;

        nnt_epoch e = {epoch, o->epochs, loss_sum / (double)M, (double)correct / (double)M,
                       NAN, NAN, NAN, 0.0, 0.0, 0};
        int stop_now = 0;
        nnt_eval ev;
        if (val) {
            if (eval_dataset_all(&ev, net, val, comm, err)) {
                rc = -1;
                break;
            }
            e.val_loss = ev.loss;
            e.val_acc = ev.accuracy;
            if (ev.loss < best_loss) {
                best_loss = ev.loss;
                since_best = 0;
                e.best = 1;
                if (best)
                    memcpy(best, net->params, np * sizeof *best);
                res->best_epoch = epoch;
            } else if (best && ++since_best >= o->patience) {
                stop_now = 1;
            }
        }
        int last = epoch == o->epochs || stop_now;
        if (stop_now) { /* keep the weights of the best epoch, as the patience promised */
            memcpy(net->params, best, np * sizeof *best);
            res->stopped_early = 1;
        } else if (best && last) {
            memcpy(net->params, best, np * sizeof *best);
        }
        if (!best) /* without early stopping the network keeps the last epoch's weights */
            res->best_epoch = epoch;
        if (test && (last || (o->test_every > 0 && epoch % o->test_every == 0))) {
            if (eval_dataset_all(&ev, net, test, comm, err)) {
                rc = -1;
                break;
            }
            e.test_acc = ev.accuracy;
        }
        e.seconds = train_clock() - t0;
        e.images_per_s = e.seconds > 0 ? (double)seen / e.seconds : 0.0;
        if (o->on_epoch)
            o->on_epoch(o->ctx, &e);
        if (stop_now)
            break;
    }
done:
    net_free(&grad);
    free(X);
    free(y);
    free(A1);
    free(dZ1);
    free(Z2);
    free(A2);
    free(dZ2);
    free(idx);
    free(best);
    free(st.m);
    free(st.v);
    free(agree);
    return rc;
}
