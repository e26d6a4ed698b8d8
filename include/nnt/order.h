/* order.h — the order of an epoch's mini-batches, the same whatever the number of ranks. */
#ifndef NNT_ORDER_H
#define NNT_ORDER_H

#include <stddef.h>
#include <stdint.h>

#include "nnt/err.h"

/* Batches of b images are drawn from strata, not from one shuffled list, so that they do not
 * depend on which rank holds which image. The image at position p of the whole training list
 * (its file's place in the list every rank scans) is in stratum p mod b. Each epoch shuffles
 * every stratum; then the strata are visited in turn, each giving its next image while it has
 * one, and every b images visited make one step. With no file skipped, step k is the k-th image
 * of every stratum. A rank that holds whole strata (order_rank) finds its part of each step
 * without asking the others, and 1 and N ranks take the same steps: the gradients differ only
 * in the order the ranks' sums add up. */

/* The rank, of `size`, that holds position p of the n_files training files when the global batch
 * is b: whole strata, dealt in turn, so every step takes within one of b/size images from each
 * rank. For full-batch training (b = 0 or b >= n_files) there are no strata: p mod size. */
int order_rank(size_t p, size_t b, size_t n_files, int size);

typedef struct nnt_order {
    size_t m;        /* this rank's images */
    size_t steps;    /* steps per epoch (all ranks) */
    size_t most;     /* the most images a step takes from this rank */
    size_t n_groups; /* the strata this rank holds */
    uint64_t *key;   /* n_groups: their stratum numbers, which seed their shuffles */
    size_t *group;   /* n_groups + 1: stratum g's images are member[group[g]..group[g+1]) */
    size_t *base;    /* m: this rank's image indices by stratum, in position order */
    size_t *member;  /* m: the same, each stratum shuffled for the epoch */
    size_t *slot;    /* m: the epoch's j-th image of this rank is member[slot[j]] */
    size_t *step;    /* steps + 1: step k takes idx[step[k]..step[k+1]) */
    size_t *idx;     /* m: this rank's images in the epoch's order (order_epoch) */
} nnt_order;

/* Adds this rank's images to count[p mod b] (b counters): pos[i] is image i's position in the
 * whole list (pos NULL: i). Sum the counts over the ranks before order_init. */
void order_count(double *count, const size_t *pos, size_t m, size_t b);

/* The steps of batch b for this rank's m images at positions pos (increasing; NULL: 0..m-1),
 * given every stratum's image count over all ranks (order_count, summed; b entries). Fails
 * when a stratum is split between ranks, or out of memory. The first epoch needs order_epoch. */
int order_init(nnt_order *o, const size_t *pos, size_t m, size_t b, const double *count,
               nnt_err *err);

/* Shuffles every stratum this rank holds and lays out idx. key must be the same on every rank
 * (one draw from the run's generator per epoch): stratum s is shuffled from position order by a
 * generator seeded from key and s, so whichever rank holds it shuffles it alike, and the order
 * depends on key alone, not on earlier epochs. */
void order_epoch(nnt_order *o, uint64_t key);

void order_free(nnt_order *o);

#endif
