/* loop.c — the one epoch loop: a solver's steps (step.h) summed into each epoch's loss and
 * accuracy, divergence and stop requests, progress, validation and early stopping with the best
 * weights kept and put back, the test set; and train_run, which agrees with the other ranks on
 * the sets, decides the solver and drives the loop. */
#include <math.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "nnt/dual.h"
#include "nnt/primal.h"
#include "nnt/train.h"

double train_clock(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Where a run stands between two steps: what a checkpoint keeps of the loop beside the
 * solver's arrays (checkpoint.h). */
typedef struct loop_pos {
    int epoch;
    size_t k, done, seen, correct;
    double loss_sum, best_loss, first_loss;
    int since_best;
    nnt_rng at_epoch; /* the generator before the epoch drew its order */
} loop_pos;

/* Hands the state at pos to o->on_checkpoint: the loop's counters and the solver's arrays. */
static int train_checkpoint(nnt_stepper *s, const nnt_train_result *res, const loop_pos *pos,
                            const nnt_train_opts *o, nnt_err *err)
{
    nnt_train_state st;
    long *t;
    memset(&st, 0, sizeof st);
    s->arrays(s->self, &st, &t);
    st.epoch = pos->epoch;
    st.step = pos->k;
    st.done = pos->done;
    st.seen = pos->seen;
    st.loss_sum = pos->loss_sum;
    st.correct = pos->correct;
    memcpy(st.rng, pos->at_epoch.s, sizeof st.rng);
    st.epochs_run = res->epochs_run;
    st.best_epoch = res->best_epoch;
    st.since_best = pos->since_best;
    st.best_loss = pos->best_loss;
    st.first_loss = pos->first_loss;
    st.final_loss = res->final_loss;
    st.t = *t;
    return o->on_checkpoint(o->ctx, &st, err);
}

/* Puts a checkpoint's state r into the solver and the loop; -1 when it is not this run's. */
static int train_resume(nnt_stepper *s, nnt_train_result *res, loop_pos *pos,
                        const nnt_train_state *r, const nnt_train_opts *o, nnt_err *err)
{
    nnt_train_state st;
    long *t;
    memset(&st, 0, sizeof st);
    s->arrays(s->self, &st, &t);
    if (r->n_params != st.n_params || r->n_state != st.n_state || r->has_best != st.has_best)
        return nnt_errf(err, "the checkpoint holds %llu parameters and %d optimiser vectors%s; "
                             "this run has %llu and %d%s", (unsigned long long)r->n_params,
                        (int)r->n_state, r->has_best ? " and best weights" : "",
                        (unsigned long long)st.n_params, (int)st.n_state,
                        st.has_best ? " and best weights" : "");
    if (r->epoch > o->epochs || (r->done > 0 && r->done > s->images))
        return nnt_errf(err, "the checkpoint is at epoch %d, past the --epochs %d of this run",
                        (int)r->epoch, o->epochs);
    size_t n = (size_t)r->n_params;
    memcpy(st.params, r->params, n * sizeof *st.params);
    if (st.m)
        memcpy(st.m, r->m, n * sizeof *st.m);
    if (st.v)
        memcpy(st.v, r->v, n * sizeof *st.v);
    if (st.best)
        memcpy(st.best, r->best, n * sizeof *st.best);
    *t = (long)r->t;
    *pos = (loop_pos){(int)r->epoch, (size_t)r->step, (size_t)r->done, (size_t)r->seen,
                      (size_t)r->correct, r->loss_sum, r->best_loss, r->first_loss,
                      (int)r->since_best, {{0}}};
    memcpy(pos->at_epoch.s, r->rng, sizeof r->rng);
    res->epochs_run = (int)r->epochs_run;
    res->best_epoch = (int)r->best_epoch;
    res->final_loss = r->final_loss;
    return 0;
}

/* The epochs of a run on s, with a validation and a test set when has_val and has_test, from
 * the start or from o->resume. Returns 0, NNT_TRAIN_STOPPED or -1 with a message. */
static int train_epochs(nnt_stepper *s, nnt_train_result *res, nnt_rng *rng, int has_val,
                        int has_test, const nnt_train_opts *o, nnt_err *err)
{
    int one_rank = comm_size(o->comm) == 1, keep = has_val && o->patience > 0;
    size_t M = s->images;
    double t0 = train_clock();
    loop_pos at = {1, 0, 0, 0, 0, 0.0, INFINITY, NAN, 0, *rng};
    if (o->resume) {
        if (train_resume(s, res, &at, o->resume, o, err))
            return -1;
        *rng = at.at_epoch;
    }
    int resumed_epoch = at.epoch;
    for (int epoch = at.epoch; epoch <= o->epochs; epoch++) {
        at.at_epoch = *rng;
        at.epoch = epoch;
        if (s->begin_epoch)
            s->begin_epoch(s->self, rng);
        if (epoch != resumed_epoch || !o->resume) { /* a resumed epoch goes on where it stopped */
            at.loss_sum = 0.0;
            at.correct = 0;
            at.k = 0;
            at.done = 0;
        }
        for (; at.done < M; at.k++) {
            nnt_step_sums st;
            s->step(s->self, &st, epoch, at.k);
            if (!st.loss_finite) /* NaN or ±Inf on some rank: the sum is not finite too */
                return nnt_errf(err, "training diverged at epoch %d: the loss is %s; try a lower "
                                     "learning rate (--lr)", epoch, isnan(st.loss) ? "NaN" : "infinite");
            if (!st.params_finite)
                return nnt_errf(err, "training diverged at epoch %d: a parameter became NaN or "
                                     "infinite; try a lower learning rate (--lr)", epoch);
            at.loss_sum += st.loss;
            at.correct += st.correct;
            at.done += st.images;
            at.seen += st.images;
            if (o->on_step) {
                nnt_step p = {epoch, o->epochs, at.done, M, at.loss_sum / (double)at.done,
                              (double)at.correct / (double)at.done, train_clock() - t0};
                o->on_step(o->ctx, &p);
            }
            /* one rank alone reads its flag again: a signal during the step stops it now */
            if (st.stop || (one_rank && o->stop && *o->stop)) {
                at.k++; /* the state after this step, for the checkpoint */
                if (o->on_checkpoint && train_checkpoint(s, res, &at, o, err))
                    return -1;
                return NNT_TRAIN_STOPPED;
            }
        }
        double loss_sum = at.loss_sum;
        size_t correct = at.correct;
        res->epochs_run = epoch;
        res->final_loss = loss_sum / (double)M;
        /* a loss that explodes without overflowing (sgd at --lr 1e6: 76811, a model that
         * predicts one class) is divergence too: 100x the first epoch's, which is the loss
         * of the initial weights, and above 10 (far past chance's ln K for any K we train);
         * the sums are over all ranks, so every rank stops alike */
        if (epoch == 1)
            at.first_loss = res->final_loss;
        else if (res->final_loss > 100.0 * at.first_loss && res->final_loss > 10.0)
            return nnt_errf(err, "training diverged at epoch %d: the loss is %.4g, over 100 times "
                                 "the first epoch's %.4g; try a lower learning rate (--lr)",
                            epoch, res->final_loss, at.first_loss);

        nnt_epoch e = {epoch, o->epochs, loss_sum / (double)M, (double)correct / (double)M,
                       NAN, NAN, NAN, 0.0, 0.0, 0};
        int stop_now = 0;
        if (has_val) {
            if (s->evaluate(s->self, &e.val_loss, &e.val_acc, NNT_SET_VAL, err))
                return -1;
            if (e.val_loss < at.best_loss) { /* a tie is no better */
                at.best_loss = e.val_loss;
                at.since_best = 0;
                e.best = 1;
                res->best_epoch = epoch;
                if (keep)
                    s->keep_best(s->self);
            } else if (keep && ++at.since_best >= o->patience) {
                stop_now = 1;
            }
        }
        int last = epoch == o->epochs || stop_now;
        if (keep && last) { /* the best epoch's weights, as patience promised */
            s->restore_best(s->self);
            res->stopped_early = stop_now;
        }
        if (!keep) /* without early stopping the network keeps the last epoch's weights */
            res->best_epoch = epoch;
        if (has_test && (last || (o->test_every > 0 && epoch % o->test_every == 0))) {
            double test_loss;
            if (s->evaluate(s->self, &test_loss, &e.test_acc, NNT_SET_TEST, err))
                return -1;
        }
        e.seconds = train_clock() - t0;
        e.images_per_s = e.seconds > 0 ? (double)at.seen / e.seconds : 0.0;
        if (o->on_epoch)
            o->on_epoch(o->ctx, &e);
        if (stop_now)
            break;
        /* the next epoch, not yet begun: the generator as it is now */
        if (o->on_checkpoint && o->checkpoint_every > 0 && epoch < o->epochs &&
            epoch % o->checkpoint_every == 0) {
            loop_pos next = at;
            next.epoch = epoch + 1;
            next.k = next.done = next.correct = 0;
            next.loss_sum = 0.0;
            next.at_epoch = *rng;
            if (train_checkpoint(s, res, &next, o, err))
                return -1;
        }
    }
    return 0;
}

/* Data parallel: the ranks agree on the shard sizes, or on failing, before any step. *M gets
 * the training images of all ranks; *val and *test become NULL for a set empty on every rank
 * (one empty on this rank only still takes part). */
static int train_agree(size_t *M, const nnt_dataset **val, const nnt_dataset **test,
                       const nnt_net *net, const nnt_dataset *train, const nnt_comm *comm,
                       nnt_err *err)
{
    static const nnt_dataset none = {0};
    const nnt_dataset *val_ds = *val ? *val : &none, *test_ds = *test ? *test : &none;
    double agree[4] = {0.0}; /* failed, and the validation, test and training images */
    int local_rc = 0;
    size_t m = train->m;
    if (m > INT32_MAX)
        local_rc = nnt_errf(err, "training needs between 1 and %d images, not %zu", INT32_MAX, m);
    else if ((size_t)net->n_x != train->n_x)
        local_rc = nnt_errf(err, "the network takes %d inputs but the images have %zu", net->n_x,
                            train->n_x);
    agree[0] = local_rc ? 1.0 : 0.0;
    agree[1] = (double)val_ds->m;
    agree[2] = (double)test_ds->m;
    agree[3] = (double)m;
    comm_allreduce_sum_double(comm, agree, 4);
    *M = (size_t)agree[3];
    if (agree[0] > 0.0 || *M == 0 || *M > INT32_MAX) {
        if (!local_rc)
            local_rc = agree[0] > 0.0 ? nnt_err_peer(err, "training failed on another rank")
                                      : nnt_errf(err, "training needs between 1 and %d images, "
                                                      "not %zu", INT32_MAX, *M);
        return local_rc;
    }
    *val = agree[1] > 0.0 ? val_ds : NULL;
    *test = agree[2] > 0.0 ? test_ds : NULL;
    return 0;
}

int train_run(nnt_net *net, nnt_train_result *res, const nnt_dataset *train,
              const nnt_dataset *val, const nnt_dataset *test, nnt_rng *rng,
              const nnt_train_opts *o, nnt_err *err)
{
    *res = (nnt_train_result){0};
    size_t M;
    if (train_agree(&M, &val, &test, net, train, o->comm, err))
        return -1;
    /* a forced solver stays as it is (the CLI passes the one it resolved); auto is decided here */
    nnt_solver solver;
    size_t m_eval = (val ? val->m : 0) + (test ? test->m : 0);
    if (train_solver_resolve(&solver, o, M, m_eval, train->n_x, net->n_h, comm_size(o->comm), err))
        return -1;
    res->solver = solver;
    nnt_stepper s;
    if (solver == NNT_SOLVER_DUAL ? dual_new(&s, net, res, train, val, test, o, err)
                                  : primal_new(&s, net, res, train, val, test, M, o, err))
        return -1;
    int rc = 0;
    if ((o->on_checkpoint || o->resume) && (!s.arrays || comm_size(o->comm) > 1))
        rc = nnt_errf(err, "checkpoints need the primal solver in one process (--solver primal)");
    if (rc == 0)
        rc = train_epochs(&s, res, rng, val != NULL, test != NULL, o, err);
    s.finish(s.self, rc);
    s.free(s.self);
    return rc;
}
