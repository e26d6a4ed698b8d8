/* optim.c — the optimisers' update of a parameter block: SGD, momentum, Adam, L2, decoupled
 * weight decay, finiteness; the learning-rate schedule and the usual range of rates. */
#include <float.h>
#include <math.h>

#include "nnt/err.h"
#include "nnt/optim.h"
#include "nnt/simd.h"

static const char *const optimizer_names[] = {"sgd", "momentum", "adam"};

const char *train_optimizer_name(nnt_optimizer opt)
{
    return (unsigned)opt < 3 ? optimizer_names[opt] : "unknown";
}

int train_optimizer_parse(nnt_optimizer *opt, const char *name)
{
    int i = nnt_name_index(optimizer_names, 3, name);
    if (i >= 0)
        *opt = (nnt_optimizer)i;
    return i < 0 ? -1 : 0;
}

int optim_state_count(nnt_optimizer kind)
{
    return kind == NNT_OPT_ADAM ? 2 : kind == NNT_OPT_MOMENTUM ? 1 : 0;
}

static const char *const schedule_names[] = {"constant", "step", "cosine"};

const char *optim_schedule_name(nnt_schedule_kind kind)
{
    return (unsigned)kind < 3 ? schedule_names[kind] : "unknown";
}

int optim_schedule_parse(nnt_schedule_kind *kind, const char *name)
{
    int i = nnt_name_index(schedule_names, 3, name);
    if (i >= 0)
        *kind = (nnt_schedule_kind)i;
    return i < 0 ? -1 : 0;
}

float optim_lr(const nnt_optim *st, int epoch, size_t step, size_t steps_per_epoch, int epochs)
{
    const nnt_schedule *s = &st->sched;
    if (s->kind == NNT_SCHED_CONSTANT && s->warmup <= 0)
        return st->lr; /* lr itself: runs without a schedule keep their bits */
    /* positions in steps from the start of the run, in doubles: epochs × steps stay exact */
    double S = steps_per_epoch > 0 ? (double)steps_per_epoch : 1.0;
    double pos = (double)(epoch - 1) * S + (double)step, T = (double)epochs * S;
    double W = (double)(s->warmup > 0 ? s->warmup : 0) * S, lr = st->lr;
    if (pos < W) /* the first step at lr/W, the W-th at lr */
        return (float)(lr * (pos + 1.0) / W);
    double q = pos - W;
    switch (s->kind) {
    case NNT_SCHED_STEP: {
        double every = (double)(s->every > 0 ? s->every : 1) * S;
        return (float)(lr * pow((double)s->factor, floor(q / every)));
    }
    case NNT_SCHED_COSINE: {
        const double pi = 3.14159265358979323846;
        double lo = s->lr_min, Q = T - W;
        return Q > 0.0 ? (float)(lo + (lr - lo) * 0.5 * (1.0 + cos(pi * q / Q))) : st->lr;
    }
    default:
        return st->lr;
    }
}

void optim_begin(nnt_optim *st, float rate)
{
    st->rate = rate;
    st->t++;
    if (st->kind == NNT_OPT_ADAM) {
        st->c1 = 1.0f / (1.0f - powf(st->beta1, (float)st->t));
        st->c2 = 1.0f / (1.0f - powf(st->beta2, (float)st->t));
    }
}

/* 1 when x is NaN or ±Inf; written so the loops below still vectorise. */
static inline int not_finite(float x) { return !(fabsf(x) <= FLT_MAX); }

NNT_VECTOR static void add_l2(float *g, const float *p, size_t lo, size_t hi, float l2)
{
    for (size_t i = lo; i < hi; i++)
        g[i] += l2 * p[i];
}

void optim_add_l2(const nnt_optim *st, float *g, const float *p, size_t lo, size_t hi, size_t a,
                  size_t b)
{
    if (st->l2 > 0.0f)
        add_l2(g, p, lo > a ? lo : a, hi < b ? hi : b, st->l2);
}

NNT_VECTOR static void decay(float *p, size_t lo, size_t hi, float keep)
{
    for (size_t i = lo; i < hi; i++)
        p[i] *= keep;
}

void optim_decay(const nnt_optim *st, float *p, size_t lo, size_t hi, size_t a, size_t b)
{
    if (st->weight_decay > 0.0f)
        decay(p, lo > a ? lo : a, hi < b ? hi : b, 1.0f - st->rate * st->weight_decay);
}

NNT_VECTOR static int update(float *restrict p, const float *restrict g, nnt_optim *st, size_t lo,
                             size_t hi)
{
    int bad = 0;
    switch (st->kind) {
    case NNT_OPT_SGD: {
        float lr = st->rate;
        for (size_t i = lo; i < hi; i++) {
            p[i] -= lr * g[i];
            bad |= not_finite(p[i]);
        }
        break;
    }
    case NNT_OPT_MOMENTUM: {
        float lr = st->rate, mu = st->momentum;
        float *restrict m = st->m;
        for (size_t i = lo; i < hi; i++) {
            m[i] = mu * m[i] + g[i];
            p[i] -= lr * m[i];
            bad |= not_finite(p[i]);
        }
        break;
    }
    case NNT_OPT_ADAM: {
        float b1 = st->beta1, b2 = st->beta2, eps = st->eps, lr = st->rate;
        float c1 = st->c1, c2 = st->c2;
        float *restrict m = st->m, *restrict v = st->v;
        for (size_t i = lo; i < hi; i++) {
            m[i] = b1 * m[i] + (1.0f - b1) * g[i];
            v[i] = b2 * v[i] + (1.0f - b2) * g[i] * g[i];
            p[i] -= lr * (m[i] * c1) / (sqrtf(v[i] * c2) + eps);
            bad |= not_finite(p[i]);
        }
        break;
    }
    }
    return bad;
}

int optim_update(nnt_optim *st, float *p, const float *g, size_t lo, size_t hi)
{
    return update(p, g, st, lo, hi);
}

NNT_VECTOR int optim_finite(const float *p, size_t n)
{
    int bad = 0;
    for (size_t i = 0; i < n; i++)
        bad |= not_finite(p[i]);
    return !bad;
}

float optim_sgd_step(float rate, float scale) { return rate * scale; }

float optim_sgd_decay(const nnt_optim *st, float rate)
{
    float keep = 1.0f - rate * st->l2;
    /* the weight decay's term only when there is one: without it, the bits of before */
    return st->weight_decay > 0.0f ? keep - rate * st->weight_decay : keep;
}

const char *optim_lr_range(nnt_optimizer kind, size_t n_x, float *lo, float *hi)
{
    if (kind == NNT_OPT_ADAM) {
        *lo = 1e-5f;
        *hi = n_x > 784 ? (float)(1e-2 * sqrt(784.0 / (double)n_x)) : 1e-2f;
        return "Adam";
    }
    *lo = 1e-4f;
    *hi = 1.0f;
    return kind == NNT_OPT_MOMENTUM ? "momentum" : "SGD";
}
