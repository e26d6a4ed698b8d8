/* train.c — the training loop: forward/backward per step (batches: order.c), the update,
 * validation and early stopping, stop requests and divergence. */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "nnt/blas.h"
#include "nnt/dual.h"
#include "nnt/eval.h"
#include "nnt/optim.h"
#include "nnt/order.h"
#include "nnt/simd.h"
#include "nnt/team.h"
#include "nnt/train.h"

static const char *const solver_names[] = {"auto", "primal", "dual"};

const char *train_solver_name(nnt_solver solver)
{
    return (unsigned)solver < 3 ? solver_names[solver] : "unknown";
}

int train_solver_parse(nnt_solver *solver, const char *name)
{
    int i = nnt_name_index(solver_names, 3, name);
    if (i >= 0)
        *solver = (nnt_solver)i;
    return i < 0 ? -1 : 0;
}

float train_lr_default(nnt_optimizer opt)
{
    return opt == NNT_OPT_ADAM ? 0.001f : 0.01f;
}

int train_epochs_auto(size_t m, size_t batch)
{
    enum { AUTO_STEPS = 1000, AUTO_EPOCHS = 20 };
    size_t b = batch == 0 || batch > m ? m : batch;
    if (b == 0)
        return AUTO_EPOCHS;
    size_t steps = (m + b - 1) / b, epochs = (AUTO_STEPS + steps - 1) / steps;
    return epochs < AUTO_EPOCHS ? AUTO_EPOCHS : (int)epochs;
}

int train_opts_check(const nnt_train_opts *o, int n_ranks, nnt_err *err)
{
    if (o->solver == NNT_SOLVER_DUAL && o->optimizer == NNT_OPT_ADAM)
        return nnt_errf(err, "--solver dual needs --optimizer sgd or momentum: Adam's steps "
                             "leave the span of the training images");
    /* the Gram matrix would need every rank's images */
    if (o->solver == NNT_SOLVER_DUAL && n_ranks > 1)
        return nnt_errf(err, "--solver dual runs in one process only; use primal or auto under "
                             "mpirun");
    return 0;
}

int train_solver_resolve(nnt_solver *solver, const nnt_train_opts *o, size_t m, size_t m_eval,
                         size_t n_x, int n_h, int n_ranks, nnt_err *err)
{
    if (train_opts_check(o, n_ranks, err))
        return -1;
    if (n_ranks > 1) {
        *solver = NNT_SOLVER_PRIMAL;
        return 0;
    }
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

int train_early_update(nnt_early *st, nnt_epoch *e, nnt_train_result *res, int patience,
                       int *stop)
{
    if (e->val_loss < st->best_loss) {
        st->best_loss = e->val_loss;
        st->since_best = 0;
        e->best = 1;
        res->best_epoch = e->epoch;
        return 1;
    }
    if (patience > 0 && ++st->since_best >= patience)
        *stop = 1;
    return 0;
}

void train_epoch_report(const nnt_train_opts *o, nnt_epoch *e, double t0, size_t seen)
{
    e->seconds = train_clock() - t0;
    e->images_per_s = e->seconds > 0 ? (double)seen / e->seconds : 0.0;
    if (o->on_epoch)
        o->on_epoch(o->ctx, e);
}

double train_clock(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* ---- one step, shared by a team of threads ---- */

/* Members of a step's team: one per `threads`, but no more than the CPUs the process may run
 * on, one per 32 hidden units and one per 2^18 multiply-adds of the step's largest product,
 * below which the barriers cost more than the second core gives (tiny networks train faster
 * on one thread). */
static int step_members(int threads, int n_h, size_t n_x, size_t b)
{
    int n = threads > 1 ? threads : 1, cpus = team_cpus();
    if (n > cpus)
        n = cpus;
    while (n > 1 && ((size_t)n_h < 32u * (size_t)n || (size_t)n_h * n_x * b < ((size_t)n << 18)))
        n--;
    return n;
}

/* What the members of a step share. The step's matrices are written in disjoint parts: rows
 * of hidden units, columns of images, ranges of the parameter block, per member. */
typedef struct step_ctx {
    nnt_team *team;
    nnt_net *net;      /* read by every member; parts updated by their owners */
    nnt_net *grad;
    const nnt_dataset *train;
    const size_t *idx; /* the step's images in the shard (NULL: X already holds them) */
    float *X;          /* n_x × bs */
    int32_t *y;        /* bs */
    float *A1, *dZ1;   /* n_h × bs */
    float *Z2, *A2, *dZ2; /* n_y × bs */
    int bs;
    float scale;       /* 1 / the step's global image count */
    double *loss;      /* per member: summed loss of its columns */
    double *correct;   /* per member: right answers in its columns */
    int finite;        /* after the forward pass: every member's loss is finite */
    /* the update */
    int descend;       /* plain SGD fused into the backward pass (net_hidden_descend) */
    float step, decay; /* its lr/n_step and 1 − lr·λ */
    size_t upd_lo, upd_hi; /* this rank's part of the parameter block (reducer_part) */
    nnt_reducer *red;  /* the exchange: where the gradient is reported and taken */
    int pieces;        /* with ranks: a lone member reports the first layer's in pieces */
    nnt_optim *st;
    int *bad;          /* per member: a parameter it updated is not finite */
} step_ctx;

/* Forward, loss and backward of one step: the gather and the output layer split by images,
 * the hidden layer's products and gradients by units (aligned to 16 rows, a cache line). */
static void step_fn(void *arg, int id, int n)
{
    step_ctx *c = arg;
    if (id > 0) /* member 0 is train_run's thread, which set it for the whole run */
        simd_flush_subnormals();
    const nnt_net *net = c->net;
    size_t n_x = (size_t)net->n_x, n_h = (size_t)net->n_h, n_y = (size_t)net->n_y;
    size_t j0, j1, h0, h1;
    nnt_part(&j0, &j1, (size_t)c->bs, id, n, 1);
    nnt_part(&h0, &h1, n_h, id, n, 16);
    if (c->idx)
        dataset_gather(c->X + j0 * n_x, c->y + j0, c->train, c->idx + j0, 0, j1 - j0);
    team_barrier(c->team);
    /* forward: the hidden layer by units (Z1 overwritten by A1), the output layer by images */
    const float *X = c->X;
    float *A1 = c->A1, *dZ1 = c->dZ1, *dZ2 = c->dZ2;
    int bs = c->bs, ih0 = (int)h0, ih1 = (int)h1, ny = (int)n_y, nh = (int)n_h, nx = (int)n_x;
    linear_forward(A1, X, net->W1, net->b1, nh, nx, bs, ih0, ih1);
    act_forward_rows(A1, A1, nh, bs, ih0, ih1, net->act);
    team_barrier(c->team);
    int nc = (int)(j1 - j0);
    float *Z2 = c->Z2 + j0 * n_y, *A2 = c->A2 + j0 * n_y;
    linear_forward(Z2, A1 + j0 * n_h, net->W2, net->b2, ny, nh, nc, 0, ny);
    output_forward(A2, Z2, ny, nc);
    c->loss[id] = output_loss(Z2, c->y + j0, ny, nc);
    double right = 0.0;
    for (int j = 0; j < nc; j++)
        right += net_label(A2 + (size_t)j * n_y, ny) == c->y[j0 + (size_t)j];
    c->correct[id] = right;
    /* backward: the same pairs in reverse, the output layer by images, the rest by units */
    output_backward(dZ2 + j0 * n_y, A2, c->y + j0, ny, nc);
    team_barrier(c->team);
    int finite = 1; /* every member reads every member's loss: they agree without a barrier */
    for (int k = 0; k < n; k++)
        finite &= isfinite(c->loss[k]) != 0;
    if (id == 0)
        c->finite = finite;
    if (!finite)
        return;
    nnt_net *g = c->grad, *w = c->net;
    if (c->descend) { /* the update inside the products: member 0 takes b2 */
        linear_backward_fused_sgd(dZ1, w->W2, id == 0 ? w->b2 : NULL, dZ2, A1, ny, nh, bs,
                                  c->step, c->decay, 0, ny, ih0, ih1);
        act_backward_rows(dZ1, dZ1, A1, nh, bs, ih0, ih1, net->act);
        linear_backward_fused_sgd(NULL, w->W1, w->b1, dZ1, X, nh, nx, bs, c->step, c->decay, ih0,
                                  ih1, 0, nx);
        return;
    }
    if (!c->pieces || n > 1) {
        linear_backward(dZ1, g->W2, id == 0 ? g->b2 : NULL, dZ2, A1, net->W2, ny, nh, bs,
                        c->scale, 0, ny, ih0, ih1);
        act_backward_rows(dZ1, dZ1, A1, nh, bs, ih0, ih1, net->act);
        linear_backward(NULL, g->W1, g->b1, dZ1, X, net->W1, nh, nx, bs, c->scale, ih0, ih1, 0,
                        nx);
        return;
    }
    /* with ranks, one member: the first layer's gradient (the start of the block, all but a few
     * percent of it) in pieces of input columns, each handed on when done, so that ranks ahead
     * can sum and update it while this one computes the rest (reducer_take) */
    linear_backward(dZ1, g->W2, g->b2, dZ2, A1, net->W2, ny, nh, bs, c->scale, 0, ny, 0, nh);
    act_backward_rows(dZ1, dZ1, A1, nh, bs, 0, nh, net->act);
    size_t n_pieces = n_x / 48; /* up to 16 pieces of at least 48 columns */
    n_pieces = n_pieces < 1 ? 1 : n_pieces > 16 ? 16 : n_pieces;
    for (size_t p = 0; p < n_pieces; p++) {
        size_t k0 = n_x * p / n_pieces, k1 = n_x * (p + 1) / n_pieces;
        linear_backward(NULL, g->W1, p == 0 ? g->b1 : NULL, dZ1, X, net->W1, nh, nx, bs,
                        c->scale, 0, nh, (int)k0, (int)k1);
        reducer_ready(c->red, k1 * n_h);
    }
}

/* L2 and the optimiser's update, of the pieces of the parameter block this member takes from
 * the exchange (reducer_take) until none is left: which member (or rank) updates which piece
 * follows who is ahead, and each element's update depends on that element alone. */
static void update_fn(void *arg, int id, int n)
{
    (void)n;
    step_ctx *c = arg;
    if (id > 0)
        simd_flush_subnormals();
    nnt_net *net = c->net;
    float *p = net->params, *g;
    size_t lo, hi, w1 = (size_t)net->n_h * net->n_x, w2 = (size_t)(net->W2 - p);
    int bad = 0;
    while ((g = reducer_take(c->red, &lo, &hi))) {
        optim_add_l2(c->st, g, p, lo, hi, 0, w1); /* the weights, not the biases */
        optim_add_l2(c->st, g, p, lo, hi, w2, w2 + (size_t)net->n_y * net->n_h);
        bad |= optim_update(c->st, p, g, lo, hi);
    }
    c->bad[id] = bad;
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
    double agree[4] = {0.0}; /* failed, and the validation, test and training images */
    int local_rc = 0;
    if (m > INT32_MAX)
        local_rc = nnt_errf(err, "training needs between 1 and %d images, not %zu", INT32_MAX, m);
    else if ((size_t)net->n_x != n_x)
        local_rc = nnt_errf(err, "the network takes %d inputs but the images have %zu", net->n_x, n_x);
    agree[0] = local_rc ? 1.0 : 0.0;
    agree[1] = (double)val_ds->m;
    agree[2] = (double)test_ds->m;
    agree[3] = (double)m;
    comm_allreduce_sum_double(comm, agree, 4);
    size_t M = (size_t)agree[3];
    if (agree[0] > 0.0 || M == 0 || M > INT32_MAX) {
        if (!local_rc)
            local_rc = agree[0] > 0.0 ? nnt_err_peer(err, "training failed on another rank")
                                      : nnt_errf(err, "training needs between 1 and %d images, "
                                                      "not %zu", INT32_MAX, M);
        return local_rc;
    }
    /* a set that is empty on every rank is no set; one empty on this rank only still takes part */
    val = agree[1] > 0.0 ? val_ds : NULL;
    test = agree[2] > 0.0 ? test_ds : NULL;
    size_t b = (o->batch == 0 || o->batch >= M) ? M : o->batch; /* global images per step */
    int full = b == M;
    /* mini-batches come from strata of the whole list (order.h), which need every stratum's
     * size over all ranks; a rank that cannot count makes them all stop */
    nnt_order ord = {0};
    double *count = full ? NULL : calloc(b, sizeof *count);
    int no_count = !full && !count;
    comm_allreduce_max_int(comm, &no_count, 1);
    int order_rc = 0;
    if (no_count) {
        order_rc = count ? nnt_err_peer(err, "training failed on another rank")
                         : nnt_errf(err, "out of memory for %zu strata", b);
    } else if (!full) {
        order_count(count, o->position, m, b);
        comm_allreduce_sum_double(comm, count, b);
        order_rc = order_init(&ord, o->position, m, b, count, err);
    }
    free(count);
    size_t b_local = full ? m : ord.most; /* the most this rank takes in a step */
    if (b_local == 0)
        b_local = 1;
    /* ---- end of data parallel ---- */

    /* the sample-space solver needs every image's Gram products, so it runs in one process */
    nnt_solver solver = NNT_SOLVER_PRIMAL;
    if (n_ranks == 1) {
        if (train_solver_resolve(&solver, o, m, (val ? val->m : 0) + (test ? test->m : 0), n_x,
                                 n_h, 1, err)) {
            order_free(&ord);
            return -1;
        }
        if (solver == NNT_SOLVER_DUAL) {
            order_free(&ord);
            int rc = dual_train(net, res, train, val, test, o, err);
            res->threads = o->threads > 1 ? o->threads : 1; /* the BLAS's */
            return rc;
        }
    } else if (o->solver == NNT_SOLVER_DUAL) {
        order_free(&ord);
        return nnt_errf(err, "--solver dual runs in one process only: use primal or auto under mpirun");
    }
    res->solver = NNT_SOLVER_PRIMAL;
    size_t np = net->n_params;
    int members = step_members(o->threads, n_h, n_x, b_local);
    /* one member leaves the BLAS its threads: the products may use them */
    res->threads = members > 1 || o->threads < 1 ? members : o->threads;

    nnt_net grad = {0};
    nnt_optim st = {o->optimizer, o->lr, o->momentum, o->beta1, o->beta2, o->eps, o->l2,
                    NULL, NULL, 0, 0.0f, 0.0f};
    nnt_team *team = NULL;
    nnt_reducer *red = NULL; /* the gradient lives in it; ranks exchange through it */
    float *own_m = NULL, *own_v = NULL; /* the optimiser's state, when the ranks do not share it */
    int n_state = optim_state_count(o->optimizer);
    float *X = nnt_calloc_aligned(n_x * b_local, sizeof *X);
    int32_t *y = malloc(b_local * sizeof *y);
    float *A1 = nnt_calloc_aligned((size_t)n_h * b_local, sizeof *A1);
    float *dZ1 = nnt_calloc_aligned((size_t)n_h * b_local, sizeof *dZ1);
    float *Z2 = nnt_calloc_aligned((size_t)n_y * b_local, sizeof *Z2);
    float *A2 = nnt_calloc_aligned((size_t)n_y * b_local, sizeof *A2);
    float *dZ2 = nnt_calloc_aligned((size_t)n_y * b_local, sizeof *dZ2);
    double *member_stats = calloc(2 * (size_t)members, sizeof *member_stats);
    int *member_bad = calloc((size_t)members, sizeof *member_bad);
    float *best = val && o->patience > 0 ? malloc(np * sizeof *best) : NULL;
    int rc = order_rc; /* a failed order stops every rank below, with the other failures */
    if (rc == 0 && (!X || !y || !A1 || !dZ1 || !Z2 || !A2 || !dZ2 || !member_stats ||
                    !member_bad || (val && o->patience > 0 && !best)))
        rc = nnt_errf(err, "out of memory for a batch of %zu images of %zu values", b_local, n_x);
    else if (rc == 0 && !(team = team_new(members, err)))
        rc = -1;
    /* collective: every rank makes it, whatever failed above, and fails with the others */
    if (!(red = reducer_new(comm, np, n_state, err)) && rc == 0)
        rc = -1;
    if (red) {
        net_bind(&grad, reducer_grad(red), net->n_x, n_h, n_y, net->act);
        res->exchange = reducer_kind(red);
        st.m = reducer_state(red, 0);
        st.v = reducer_state(red, 1);
        if (n_state > 0 && !st.m)
            st.m = own_m = nnt_calloc_aligned(np, sizeof *st.m);
        if (n_state > 1 && !st.v)
            st.v = own_v = nnt_calloc_aligned(np, sizeof *st.v);
        if (rc == 0 && ((n_state > 0 && !st.m) || (n_state > 1 && !st.v)))
            rc = nnt_errf(err, "out of memory for the optimiser's state (%zu values)", np);
    }
    int failed = rc != 0; /* data parallel: a rank that cannot train stops them all */
    comm_allreduce_max_int(comm, &failed, 1);
    if (failed) {
        if (rc == 0)
            rc = nnt_err_peer(err, "training failed on another rank");
        goto done;
    }
    /* ranks on one host train one shared copy of the parameters (reducer_params) */
    float *own_params = net->params, *shared = reducer_params(red, net->params);
    if (shared)
        net_bind(net, shared, net->n_x, n_h, n_y, net->act);
    if (full) /* the tutorial's algorithm: one float copy of X for all epochs, no shuffling */
        dataset_gather(X, y, train, NULL, 0, m);
    step_ctx ctx = {.team = team, .net = net, .grad = &grad, .train = train, .X = X, .y = y,
                    .A1 = A1, .dZ1 = dZ1, .Z2 = Z2, .A2 = A2, .dZ2 = dZ2,
                    .loss = member_stats, .correct = member_stats + members, .decay = 1.0f,
                    .st = &st, .bad = member_bad};
    /* plain SGD in one process needs no gradient: the products update the weights (with ranks,
     * the gradients must be summed before anyone moves) */
    ctx.descend = n_ranks == 1 && o->optimizer == NNT_OPT_SGD;
    ctx.decay = optim_sgd_decay(&st);
    reducer_part(red, &ctx.upd_lo, &ctx.upd_hi);
    ctx.red = red;
    /* ranks that share memory sum and update pieces while others still compute (reducer_take);
     * the collectives compute the gradient in the same pieces, so both give the same bits */
    ctx.pieces = n_ranks > 1;
    /* the team's members call the BLAS one thread each; evaluations use the library's threads */
    if (members > 1)
        blas_set_threads(1);

    unsigned fp_state = simd_flush_subnormals();
    double t0 = train_clock();
    size_t seen = 0;
    nnt_early early = {INFINITY, 0};
    for (int epoch = 1; epoch <= o->epochs && rc == 0; epoch++) {
        if (!full) /* one draw per epoch, the same on every rank */
            order_epoch(&ord, rng_next(rng));
        double loss_sum = 0.0;
        size_t correct = 0;
        for (size_t step = 0, first = 0; first < M; step++, first += b) {
            /* this rank's part of the step, bs images; all ranks together take n_step (b, but
             * for the last step), and the summed gradient is their mean */
            int bs = full ? (int)m : (int)(ord.step[step + 1] - ord.step[step]);
            size_t n_step = first + b < M ? b : M - first;
            /* summed over the ranks: loss, right answers, stop requests, a loss and a
             * parameter that are not finite */
            double stats[5] = {0.0, 0.0, o->stop && *o->stop ? 1.0 : 0.0, 0.0, 0.0};
            reducer_begin(red);
            if (bs > 0) {
                ctx.idx = full ? NULL : ord.idx + ord.step[step];
                ctx.bs = bs;
                ctx.scale = 1.0f / (float)n_step;
                ctx.step = optim_sgd_step(&st, ctx.scale);
                team_run(team, step_fn, &ctx);
                for (int k = 0; k < members; k++) {
                    stats[0] += ctx.loss[k];
                    stats[1] += ctx.correct[k];
                }
                stats[3] = !ctx.finite;
            }
            if (ctx.descend) { /* a non-finite weight shows in the next step's loss, or here */
                stats[4] = first + b >= M && !optim_finite(net->params, np);
            } else {
                /* every rank reports its whole gradient (zero without one), the ranks sum it,
                 * update it piece by piece and hand it on (comm.h); one rank updates it all */
                if (bs == 0 || stats[3] > 0.0)
                    memset(grad.params, 0, np * sizeof *grad.params);
                reducer_ready(red, np);
                reducer_sum(red);
                if (n_ranks > 1 || stats[3] == 0.0) {
                    optim_begin(&st);
                    team_run(team, update_fn, &ctx);
                    for (int k = 0; k < members; k++)
                        stats[4] += member_bad[k];
                }
                reducer_share(red, net->params);
            }
            comm_allreduce_sum_double(comm, stats, 5);
            if (stats[3] > 0.0) {
                double loss = stats[0]; /* NaN or ±Inf on some rank: the sum is not finite too */
                rc = nnt_errf(err, "training diverged at epoch %d: the loss is %s; try a lower "
                                   "learning rate (--lr)", epoch, isnan(loss) ? "NaN" : "infinite");
                break;
            }
            if (stats[4] > 0.0) {
                rc = nnt_errf(err, "training diverged at epoch %d: a parameter became NaN or "
                                   "infinite; try a lower learning rate (--lr)", epoch);
                break;
            }
            loss_sum += stats[0];
            correct += (size_t)stats[1];
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
        if (members > 1 && (val || test))
            blas_set_threads(o->threads);
        if (val) {
            if (eval_dataset_all(&ev, net, val, comm, err)) {
                rc = -1;
                break;
            }
            e.val_loss = ev.loss;
            e.val_acc = ev.accuracy;
            if (train_early_update(&early, &e, res, best ? o->patience : 0, &stop_now) && best)
                memcpy(best, net->params, np * sizeof *best);
        }
        int last = epoch == o->epochs || stop_now;
        if (stop_now || (best && last)) { /* the best epoch's weights, as patience promised */
            memcpy(net->params + ctx.upd_lo, best + ctx.upd_lo,
                   (ctx.upd_hi - ctx.upd_lo) * sizeof *best); /* each rank its part */
            reducer_share(red, net->params);
            res->stopped_early = stop_now;
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
        if (members > 1 && (val || test))
            blas_set_threads(1);
        train_epoch_report(o, &e, t0, seen);
        if (stop_now)
            break;
    }
    simd_restore_subnormals(fp_state);
    if (shared) { /* the caller's network gets the result, before the shared block goes */
        memcpy(own_params, shared, np * sizeof *own_params);
        net_bind(net, own_params, net->n_x, n_h, n_y, net->act);
    }
done:
    if (members > 1)
        blas_set_threads(o->threads);
    team_free(team);
    reducer_free(red);
    free(member_stats);
    free(member_bad);
    free(X);
    free(y);
    free(A1);
    free(dZ1);
    free(Z2);
    free(A2);
    free(dZ2);
    order_free(&ord);
    free(best);
    free(own_m);
    free(own_v);
    return rc;
}
