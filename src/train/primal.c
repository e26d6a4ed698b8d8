/* primal.c — the primal step: net.h's pairs on a batch of images (with dropout between the
 * layers when asked), split over a team of threads (hidden units and images), the gradient
 * summed across ranks and the optimiser's work shared (comm.h's reducer), or plain SGD fused
 * into the products in one process. Over 400 lines as one concern: the step's phases, the team's
 * split of them and the exchange's pieces only make sense read together. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "nnt/augment.h"
#include "nnt/blas.h"
#include "nnt/eval.h"
#include "nnt/order.h"
#include "nnt/primal.h"
#include "nnt/simd.h"
#include "nnt/team.h"

typedef struct primal {
    nnt_net *net;      /* trained in place; bound to the shared block when ranks share one */
    nnt_net grad;      /* a view of the exchange's gradient block */
    const nnt_dataset *train, *val, *test;
    const nnt_train_opts *o;
    const nnt_comm *comm;
    int n_ranks;
    size_t m, M, b;    /* this rank's images, every rank's, a step's over all ranks */
    size_t steps;      /* an epoch's steps, ⌈M / b⌉: the schedule's unit (optim_lr) */
    int full;          /* b == M: the tutorial's algorithm, X gathered once, no batch order */
    nnt_order ord;
    nnt_optim st;
    nnt_team *team;
    int members;
    nnt_reducer *red;  /* the gradient lives in it; ranks exchange through it */
    float *own_params, *shared; /* the caller's block, and the one ranks on a host share */
    float *own_m, *own_v;       /* the optimiser's state, when the ranks do not share it */
    float *best;       /* early stopping's copy of the block */
    unsigned fp_state; /* the caller's subnormal mode, put back by finish */
    /* One step, shared by the team's members, which write disjoint parts: rows of hidden
     * units, columns of images, ranges of the parameter block. */
    const size_t *idx; /* the step's images in the shard (NULL: X already holds them) */
    float *X;          /* n_x × bs */
    int32_t *y;        /* bs */
    float *A1, *dZ1;   /* n_h × bs */
    float *Z2, *A2, *dZ2; /* n_y × bs */
    int bs;
    float scale;       /* 1 / the step's global image count */
    double *loss, *correct; /* per member: summed loss and right answers of its columns */
    int *bad;          /* per member: a parameter it updated is not finite */
    int finite;        /* after the forward pass: every member's loss is finite */
    int descend;       /* plain SGD fused into the backward pass */
    float step, decay; /* its rate/n_step and 1 − rate·λ (optim_sgd_step, optim_sgd_decay) */
    int pieces;        /* with ranks: a lone member reports the first layer's in pieces */
    size_t upd_lo, upd_hi; /* this rank's part of the parameter block (reducer_part) */
    /* dropout (NULL without): the output layer sees Ad = A1 ∘ mask, while the activation's
     * derivative still comes from A1 */
    float *Ad, *mask;  /* n_h × bs */
    uint64_t *key;     /* bs: each image's mask key (dropout_key) */
    uint64_t epoch;    /* the step's epoch, from 1, as the loop gives it: part of every key */
    /* --augment: each member gathers its images through the augmenter, in its own slot, keyed
     * by the epoch too */
    int augment;
    nnt_augmenter aug;
    size_t *all;         /* full batch: 0..m-1, so that every epoch gathers X anew */
} primal;

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

/* Dropout's keys of the step's images j0..j1: from the image's position in the whole training
 * list, not its place in the batch, so that no split of the work changes a mask. */
static void dropout_keys(primal *c, size_t j0, size_t j1)
{
    const nnt_train_opts *o = c->o;
    for (size_t j = j0; j < j1; j++) {
        size_t i = c->idx ? c->idx[j] : j;
        c->key[j] = dropout_key(o->dropout_seed, c->epoch, o->position ? o->position[i] : i);
    }
}

/* Forward, loss and backward of one step: the gather and the output layer split by images,
 * the hidden layer's products and gradients by units (aligned to 16 rows, a cache line). */
static void step_fn(void *arg, int id, int n)
{
    primal *c = arg;
    if (id > 0) /* member 0 is train_run's thread, which set it for the whole run */
        simd_flush_subnormals();
    nnt_net *net = c->net, *g = &c->grad;
    size_t n_x = (size_t)net->n_x, n_h = (size_t)net->n_h, n_y = (size_t)net->n_y;
    size_t j0, j1, h0, h1;
    nnt_part(&j0, &j1, (size_t)c->bs, id, n, 1);
    nnt_part(&h0, &h1, n_h, id, n, 16);
    if (c->idx && c->augment)
        augment_gather(c->X + j0 * n_x, c->y + j0, &c->aug, id, c->train, c->idx + j0, j1 - j0,
                       (int)c->epoch);
    else if (c->idx)
        dataset_gather(c->X + j0 * n_x, c->y + j0, c->train, c->idx + j0, 0, j1 - j0);
    if (c->mask)
        dropout_keys(c, j0, j1);
    team_barrier(c->team);
    /* forward: the hidden layer by units (Z1 overwritten by A1), the output layer by images */
    const float *X = c->X;
    float *A1 = c->A1, *dZ1 = c->dZ1, *dZ2 = c->dZ2;
    int bs = c->bs, u0 = (int)h0, u1 = (int)h1, ny = (int)n_y, nh = (int)n_h, nx = (int)n_x;
    linear_forward(A1, X, net->W1, net->b1, nh, nx, bs, u0, u1);
    act_forward_rows(A1, A1, nh, bs, u0, u1, net->act);
    const float *Ah = A1; /* the hidden layer's output as the output layer sees it */
    if (c->mask) {
        dropout_mask(c->mask, c->key, c->o->dropout, nh, bs, u0, u1);
        dropout_forward(c->Ad, A1, c->mask, nh, bs, u0, u1);
        Ah = c->Ad;
    }
    team_barrier(c->team);
    int nc = (int)(j1 - j0);
    float *Z2 = c->Z2 + j0 * n_y, *A2 = c->A2 + j0 * n_y;
    linear_forward(Z2, Ah + j0 * n_h, net->W2, net->b2, ny, nh, nc, 0, ny);
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
    if (c->descend) { /* the update inside the products; member 0 takes b2 */
        linear_backward_fused_sgd(dZ1, net->W2, id == 0 ? net->b2 : NULL, dZ2, Ah, ny, nh, bs,
                                  c->step, c->decay, 0, ny, u0, u1);
        if (c->mask)
            dropout_backward(dZ1, dZ1, c->mask, nh, bs, u0, u1);
        act_backward_rows(dZ1, dZ1, A1, nh, bs, u0, u1, net->act);
        linear_backward_fused_sgd(NULL, net->W1, net->b1, dZ1, X, nh, nx, bs, c->step, c->decay,
                                  u0, u1, 0, nx);
        return;
    }
    if (!c->pieces || n > 1) {
        linear_backward(dZ1, g->W2, id == 0 ? g->b2 : NULL, dZ2, Ah, net->W2, ny, nh, bs,
                        c->scale, 0, ny, u0, u1);
        if (c->mask)
            dropout_backward(dZ1, dZ1, c->mask, nh, bs, u0, u1);
        act_backward_rows(dZ1, dZ1, A1, nh, bs, u0, u1, net->act);
        linear_backward(NULL, g->W1, g->b1, dZ1, X, net->W1, nh, nx, bs, c->scale, u0, u1, 0,
                        nx);
        return;
    }
    /* with ranks, one member: the first layer's gradient (the start of the block, all but a few
     * percent of it) in pieces of input columns, each handed on when done, so that ranks ahead
     * can sum and update it while this one computes the rest (reducer_take) */
    linear_backward(dZ1, g->W2, g->b2, dZ2, Ah, net->W2, ny, nh, bs, c->scale, 0, ny, 0, nh);
    if (c->mask)
        dropout_backward(dZ1, dZ1, c->mask, nh, bs, 0, nh);
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

/* L2, weight decay and the optimiser's update, of the pieces of the parameter block this member
 * takes from the exchange (reducer_take) until none is left: which member (or rank) updates
 * which piece follows who is ahead, and each element's update depends on that element alone. */
static void update_fn(void *arg, int id, int n)
{
    (void)n;
    primal *c = arg;
    if (id > 0)
        simd_flush_subnormals();
    nnt_net *net = c->net;
    float *p = net->params, *g;
    size_t lo, hi, w1 = (size_t)net->n_h * net->n_x, w2 = (size_t)(net->W2 - p);
    int bad = 0;
    while ((g = reducer_take(c->red, &lo, &hi))) {
        optim_add_l2(&c->st, g, p, lo, hi, 0, w1); /* the weights, not the biases */
        optim_add_l2(&c->st, g, p, lo, hi, w2, w2 + (size_t)net->n_y * net->n_h);
        optim_decay(&c->st, p, lo, hi, 0, w1);
        optim_decay(&c->st, p, lo, hi, w2, w2 + (size_t)net->n_y * net->n_h);
        bad |= optim_update(&c->st, p, g, lo, hi);
    }
    c->bad[id] = bad;
}

static void primal_begin_epoch(void *self, nnt_rng *rng)
{
    primal *p = self;
    if (!p->full) /* one draw per epoch, the same on every rank */
        order_epoch(&p->ord, rng_next(rng));
}

static void primal_step(void *self, nnt_step_sums *out, int epoch, size_t k)
{
    primal *p = self;
    const nnt_train_opts *o = p->o;
    float rate = optim_lr(&p->st, epoch, k, p->steps, o->epochs);
    p->epoch = (uint64_t)epoch; /* dropout's masks and augmentation: keyed by it, never drawn */
    size_t np = p->net->n_params, first = k * p->b;
    /* this rank's part of the step, bs images; all ranks together take n_step (b, but for the
     * last step), and the summed gradient is their mean */
    int bs = p->full ? (int)p->m : (int)(p->ord.step[k + 1] - p->ord.step[k]);
    size_t n_step = first + p->b < p->M ? p->b : p->M - first;
    /* summed over the ranks: loss, right answers, stop requests, a loss and a parameter that
     * are not finite */
    double stats[5] = {0.0, 0.0, o->stop && *o->stop ? 1.0 : 0.0, 0.0, 0.0};
    reducer_begin(p->red);
    if (bs > 0) {
        p->idx = p->full ? p->all : p->ord.idx + p->ord.step[k]; /* all: NULL unless augmenting */
        p->bs = bs;
        p->scale = 1.0f / (float)n_step;
        p->step = optim_sgd_step(rate, p->scale);
        p->decay = optim_sgd_decay(&p->st, rate);
        team_run(p->team, step_fn, p);
        for (int i = 0; i < p->members; i++) {
            stats[0] += p->loss[i];
            stats[1] += p->correct[i];
        }
        stats[3] = !p->finite;
    }
    if (p->descend) { /* a non-finite weight shows in the next step's loss, or here */
        stats[4] = first + p->b >= p->M && !optim_finite(p->net->params, np);
    } else {
        /* every rank reports its whole gradient (zero without one), the ranks sum it, update it
         * piece by piece and hand it on (comm.h); one rank updates it all */
        if (bs == 0 || stats[3] > 0.0)
            memset(p->grad.params, 0, np * sizeof *p->grad.params);
        reducer_ready(p->red, np);
        reducer_sum(p->red);
        if (p->n_ranks > 1 || stats[3] == 0.0) {
            optim_begin(&p->st, rate);
            team_run(p->team, update_fn, p);
            for (int i = 0; i < p->members; i++)
                stats[4] += p->bad[i];
        }
        reducer_share(p->red, p->net->params);
    }
    comm_allreduce_sum_double(p->comm, stats, 5);
    *out = (nnt_step_sums){stats[0], (size_t)stats[1], n_step, !(stats[3] > 0.0),
                           !(stats[4] > 0.0), stats[2] > 0.0};
}

static int primal_evaluate(void *self, double *loss, double *acc, int set, nnt_err *err)
{
    primal *p = self;
    nnt_eval ev;
    if (p->members > 1) /* the team's members call the BLAS one thread each; this, all */
        blas_set_threads(p->o->threads);
    int rc = eval_dataset_all(&ev, p->net, set == NNT_SET_VAL ? p->val : p->test, p->comm, err);
    if (p->members > 1)
        blas_set_threads(1);
    if (rc)
        return -1;
    *loss = ev.loss;
    *acc = ev.accuracy;
    return 0;
}

static void primal_keep_best(void *self)
{
    primal *p = self;
    memcpy(p->best, p->net->params, p->net->n_params * sizeof *p->best);
}

static void primal_restore_best(void *self)
{
    primal *p = self; /* each rank its part, then every rank every part */
    memcpy(p->net->params + p->upd_lo, p->best + p->upd_lo,
           (p->upd_hi - p->upd_lo) * sizeof *p->best);
    reducer_share(p->red, p->net->params);
}

static void primal_arrays(void *self, nnt_train_state *st, long **t)
{
    primal *p = self;
    st->n_params = p->net->n_params;
    st->n_state = optim_state_count(p->o->optimizer);
    st->has_best = p->best != NULL;
    st->params = p->net->params;
    st->m = st->n_state >= 1 ? p->st.m : NULL;
    st->v = st->n_state >= 2 ? p->st.v : NULL;
    st->best = p->best;
    *t = &p->st.t;
}

static void primal_finish(void *self, int rc)
{
    (void)rc;
    primal *p = self;
    nnt_net *net = p->net;
    simd_restore_subnormals(p->fp_state);
    if (p->shared) { /* the caller's network gets the result, before the shared block goes */
        memcpy(p->own_params, p->shared, net->n_params * sizeof *p->own_params);
        net_bind(net, p->own_params, net->n_x, net->n_h, net->n_y, net->act);
    }
}

/* Collective (reducer_free): every rank frees its stepper. */
static void primal_free(void *self)
{
    primal *p = self;
    if (p->members > 1)
        blas_set_threads(p->o->threads);
    team_free(p->team);
    reducer_free(p->red);
    free(p->loss);
    free(p->bad);
    free(p->X);
    free(p->y);
    free(p->A1);
    free(p->dZ1);
    free(p->Z2);
    free(p->A2);
    free(p->dZ2);
    free(p->Ad);
    free(p->mask);
    free(p->key);
    order_free(&p->ord);
    free(p->best);
    free(p->all);
    augment_free(&p->aug);
    free(p->own_m);
    free(p->own_v);
    free(p);
}

int primal_new(nnt_stepper *s, nnt_net *net, nnt_train_result *res, const nnt_dataset *train,
               const nnt_dataset *val, const nnt_dataset *test, size_t images,
               const nnt_train_opts *o, nnt_err *err)
{
    const nnt_comm *comm = o->comm;
    primal *p = calloc(1, sizeof *p);
    int failed = !p; /* a rank without its state stops them all, before any other collective */
    comm_allreduce_max_int(comm, &failed, 1);
    if (failed) {
        int mine = !p;
        free(p);
        return mine ? nnt_errf(err, "out of memory for the trainer's state")
                    : nnt_err_peer(err, "training failed on another rank");
    }
    size_t m = train->m, n_x = train->n_x, M = images, np = net->n_params;
    int n_h = net->n_h, n_y = net->n_y;
    *p = (primal){.net = net, .train = train, .val = val, .test = test, .o = o, .comm = comm,
                  .n_ranks = comm_size(comm), .m = m, .M = M, .st = step_optim(o)};
    p->b = (o->batch == 0 || o->batch >= M) ? M : o->batch; /* global images per step */
    p->full = p->b == M;
    p->steps = (M + p->b - 1) / p->b;
    /* mini-batches come from strata of the whole list (order.h), which need every stratum's
     * size over all ranks; a rank that cannot count makes them all stop */
    double *count = p->full ? NULL : calloc(p->b, sizeof *count);
    int no_count = !p->full && !count, rc = 0;
    comm_allreduce_max_int(comm, &no_count, 1);
    if (no_count) {
        rc = count ? nnt_err_peer(err, "training failed on another rank")
                   : nnt_errf(err, "out of memory for %zu strata", p->b);
    } else if (!p->full) {
        order_count(count, o->position, m, p->b);
        comm_allreduce_sum_double(comm, count, p->b);
        rc = order_init(&p->ord, o->position, m, p->b, count, err);
    }
    free(count);
    size_t b_local = p->full ? m : p->ord.most; /* the most this rank takes in a step */
    if (b_local == 0)
        b_local = 1;

    int members = p->members = step_members(o->threads, n_h, n_x, b_local);
    /* one member leaves the BLAS its threads: the products may use them */
    res->threads = members > 1 || o->threads < 1 ? members : o->threads;
    int n_state = optim_state_count(o->optimizer);
    p->X = nnt_calloc_aligned(n_x * b_local, sizeof *p->X);
    p->y = malloc(b_local * sizeof *p->y);
    p->A1 = nnt_calloc_aligned((size_t)n_h * b_local, sizeof *p->A1);
    p->dZ1 = nnt_calloc_aligned((size_t)n_h * b_local, sizeof *p->dZ1);
    p->Z2 = nnt_calloc_aligned((size_t)n_y * b_local, sizeof *p->Z2);
    p->A2 = nnt_calloc_aligned((size_t)n_y * b_local, sizeof *p->A2);
    p->dZ2 = nnt_calloc_aligned((size_t)n_y * b_local, sizeof *p->dZ2);
    p->loss = calloc(2 * (size_t)members, sizeof *p->loss);
    p->correct = p->loss ? p->loss + members : NULL;
    p->bad = calloc((size_t)members, sizeof *p->bad);
    if (o->dropout > 0.0f) {
        p->Ad = nnt_calloc_aligned((size_t)n_h * b_local, sizeof *p->Ad);
        p->mask = nnt_calloc_aligned((size_t)n_h * b_local, sizeof *p->mask);
        p->key = malloc(b_local * sizeof *p->key);
    }
    int drop = o->dropout > 0.0f && (!p->Ad || !p->mask || !p->key);
    int keep = val && o->patience > 0;
    p->best = keep ? malloc(np * sizeof *p->best) : NULL;
    /* a failed order stops every rank below, with the other failures */
    if (rc == 0 && (!p->X || !p->y || !p->A1 || !p->dZ1 || !p->Z2 || !p->A2 || !p->dZ2 ||
                    !p->loss || !p->bad || (keep && !p->best) || drop))
        rc = nnt_errf(err, "out of memory for a batch of %zu images of %zu values", b_local, n_x);
    else if (rc == 0 && !(p->team = team_new(members, err)))
        rc = -1;
    if (rc == 0 && (p->augment = augment_active(&o->augment))) {
        rc = augment_new(&p->aug, &o->augment, o->augment_seed, o->position, &train->geom,
                         members, err);
        p->all = p->full ? malloc((m ? m : 1) * sizeof *p->all) : NULL;
        if (rc == 0 && p->full && !p->all)
            rc = nnt_errf(err, "out of memory for a batch of %zu images", m);
        for (size_t j = 0; p->all && j < m; j++)
            p->all[j] = j;
    }
    /* collective: every rank makes it, whatever failed above, and fails with the others */
    if (!(p->red = reducer_new(comm, np, n_state, err)) && rc == 0)
        rc = -1;
    if (p->red) {
        net_bind(&p->grad, reducer_grad(p->red), net->n_x, n_h, n_y, net->act);
        res->exchange = reducer_kind(p->red);
        p->st.m = reducer_state(p->red, 0);
        p->st.v = reducer_state(p->red, 1);
        if (n_state > 0 && !p->st.m)
            p->st.m = p->own_m = nnt_calloc_aligned(np, sizeof *p->st.m);
        if (n_state > 1 && !p->st.v)
            p->st.v = p->own_v = nnt_calloc_aligned(np, sizeof *p->st.v);
        if (rc == 0 && ((n_state > 0 && !p->st.m) || (n_state > 1 && !p->st.v)))
            rc = nnt_errf(err, "out of memory for the optimiser's state (%zu values)", np);
    }
    failed = rc != 0; /* data parallel: a rank that cannot train stops them all */
    comm_allreduce_max_int(comm, &failed, 1);
    if (failed) {
        if (rc == 0)
            rc = nnt_err_peer(err, "training failed on another rank");
        primal_free(p);
        return rc;
    }
    /* ranks on one host train one shared copy of the parameters (reducer_params) */
    p->own_params = net->params;
    if ((p->shared = reducer_params(p->red, net->params)))
        net_bind(net, p->shared, net->n_x, n_h, n_y, net->act);
    if (p->full && !p->augment) /* the tutorial's algorithm: X as floats once, no shuffling */
        dataset_gather(p->X, p->y, train, NULL, 0, m);
    /* plain SGD in one process needs no gradient: the products update the weights (with ranks,
     * the gradients must be summed before anyone moves) */
    p->descend = p->n_ranks == 1 && o->optimizer == NNT_OPT_SGD;
    reducer_part(p->red, &p->upd_lo, &p->upd_hi);
    /* ranks that share memory sum and update pieces while others still compute (reducer_take);
     * the collectives compute the gradient in the same pieces, so both give the same bits */
    p->pieces = p->n_ranks > 1;
    /* the team's members call the BLAS one thread each; evaluations use the library's threads */
    if (members > 1)
        blas_set_threads(1);
    p->fp_state = simd_flush_subnormals();
    *s = (nnt_stepper){p, M, primal_begin_epoch, primal_step, primal_evaluate, primal_keep_best,
                       primal_restore_best, primal_arrays, primal_finish, primal_free};
    return 0;
}
