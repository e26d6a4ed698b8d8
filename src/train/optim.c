/* optim.c — the optimisers' update of a parameter block: SGD, momentum, Adam, L2, finiteness. */
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

void optim_begin(nnt_optim *st)
{
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

NNT_VECTOR static int update(float *restrict p, const float *restrict g, nnt_optim *st, size_t lo,
                             size_t hi)
{
    int bad = 0;
    switch (st->kind) {
    case NNT_OPT_SGD: {
        float lr = st->lr;
        for (size_t i = lo; i < hi; i++) {
            p[i] -= lr * g[i];
            bad |= not_finite(p[i]);
        }
        break;
    }
    case NNT_OPT_MOMENTUM: {
        float lr = st->lr, mu = st->momentum;
        float *restrict m = st->m;
        for (size_t i = lo; i < hi; i++) {
            m[i] = mu * m[i] + g[i];
            p[i] -= lr * m[i];
            bad |= not_finite(p[i]);
        }
        break;
    }
    case NNT_OPT_ADAM: {
        float b1 = st->beta1, b2 = st->beta2, eps = st->eps, lr = st->lr, c1 = st->c1, c2 = st->c2;
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

float optim_sgd_step(const nnt_optim *st, float scale) { return st->lr * scale; }

float optim_sgd_decay(const nnt_optim *st) { return 1.0f - st->lr * st->l2; }
