/* order.c — strata of the training list and the epoch's steps drawn from them (order.h). */
#include <stdlib.h>
#include <string.h>

#include "nnt/order.h"
#include "nnt/rng.h"

int order_rank(size_t p, size_t b, size_t n_files, int size)
{
    if (size <= 1)
        return 0;
    if (b > 0 && b < n_files)
        p %= b; /* the stratum: a rank holds all of it */
    return (int)(p % (size_t)size);
}

void order_count(double *count, const size_t *pos, size_t m, size_t b)
{
    for (size_t i = 0; i < m; i++)
        count[(pos ? pos[i] : i) % b] += 1.0;
}

int order_init(nnt_order *o, const size_t *pos, size_t m, size_t b, const double *count,
               nnt_err *err)
{
    memset(o, 0, sizeof *o);
    if (b == 0)
        return nnt_errf(err, "a batch of no images");
    o->m = m;
    size_t M = 0;
    for (size_t s = 0; s < b; s++)
        M += (size_t)count[s];
    o->steps = (M + b - 1) / b;
    size_t *local = calloc(b, sizeof *local), *group_of = malloc(b * sizeof *group_of);
    size_t *active = malloc(b * sizeof *active); /* the strata with images left to visit */
    int rc = 0;
    if (!local || !group_of || !active) {
        rc = nnt_errf(err, "out of memory for %zu strata", b);
        goto done;
    }
    for (size_t i = 0; i < m; i++) {
        size_t p = pos ? pos[i] : i;
        if (pos && i > 0 && p <= pos[i - 1]) {
            rc = nnt_errf(err, "image positions must increase (image %zu is at %zu, after %zu)",
                          i, p, pos[i - 1]);
            goto done;
        }
        local[p % b]++;
    }
    for (size_t s = 0; s < b; s++) {
        if (local[s] && local[s] != (size_t)count[s]) {
            rc = nnt_errf(err, "stratum %zu is split between ranks (%zu of its %zu images here)", s,
                          local[s], (size_t)count[s]);
            goto done;
        }
        o->n_groups += local[s] > 0;
    }
    o->key = malloc((o->n_groups ? o->n_groups : 1) * sizeof *o->key);
    o->group = malloc((o->n_groups + 1) * sizeof *o->group);
    o->member = malloc((m ? m : 1) * sizeof *o->member);
    o->base = malloc((m ? m : 1) * sizeof *o->base);
    o->slot = malloc((m ? m : 1) * sizeof *o->slot);
    o->idx = malloc((m ? m : 1) * sizeof *o->idx);
    o->step = malloc((o->steps + 1) * sizeof *o->step);
    if (!o->key || !o->group || !o->member || !o->base || !o->slot || !o->idx || !o->step) {
        rc = nnt_errf(err, "out of memory for the batch order of %zu images", m);
        goto done;
    }
    o->group[0] = 0;
    for (size_t s = 0, g = 0; s < b; s++) {
        if (!local[s])
            continue;
        group_of[s] = g;
        o->key[g] = s;
        o->group[g + 1] = o->group[g] + local[s];
        local[s] = o->group[g]; /* from here on: where the stratum's next image goes */
        g++;
    }
    for (size_t i = 0; i < m; i++) /* in position order within each stratum */
        o->base[local[(pos ? pos[i] : i) % b]++] = i;
    /* the visit: round t takes the t-th image of every stratum that has one, in stratum order;
     * q counts images over all ranks, j this rank's. Strata leave the active list once spent,
     * so the visit costs one pass over the M images however unequal the strata are. */
    size_t q = 0, j = 0, n_active = 0;
    for (size_t s = 0; s < b; s++)
        if (count[s] > 0.0)
            active[n_active++] = s;
    o->step[0] = 0;
    for (size_t t = 0; n_active > 0; t++) {
        size_t kept = 0;
        for (size_t a = 0; a < n_active; a++) {
            size_t s = active[a];
            if (local[s]) /* held here (local is now the stratum's end, never 0) */
                o->slot[j++] = o->group[group_of[s]] + t;
            if (++q % b == 0)
                o->step[q / b] = j;
            if ((size_t)count[s] > t + 1)
                active[kept++] = s;
        }
        n_active = kept;
    }
    o->step[o->steps] = j;
    for (size_t k = 0; k < o->steps; k++)
        if (o->step[k + 1] - o->step[k] > o->most)
            o->most = o->step[k + 1] - o->step[k];
done:
    free(local);
    free(group_of);
    free(active);
    if (rc)
        order_free(o);
    return rc;
}

void order_epoch(nnt_order *o, uint64_t key)
{
    if (o->m) /* from position order: the key alone decides the epoch's order */
        memcpy(o->member, o->base, o->m * sizeof *o->member);
    for (size_t g = 0; g < o->n_groups; g++) {
        nnt_rng rng; /* an odd multiplier keeps distinct strata on distinct seeds */
        rng_seed(&rng, key ^ (o->key[g] * 0x9e3779b97f4a7c15ULL));
        rng_shuffle(&rng, o->member + o->group[g], o->group[g + 1] - o->group[g]);
    }
    for (size_t j = 0; j < o->m; j++)
        o->idx[j] = o->member[o->slot[j]];
}

void order_free(nnt_order *o)
{
    free(o->key);
    free(o->group);
    free(o->member);
    free(o->base);
    free(o->slot);
    free(o->step);
    free(o->idx);
    memset(o, 0, sizeof *o);
}
