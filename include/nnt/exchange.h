/* exchange.h — the gradient exchange of data-parallel training (the reducer), over the ranks of
 * a communicator (comm.h, which includes this header). */
#ifndef NNT_EXCHANGE_H
#define NNT_EXCHANGE_H

#include <stddef.h>

#include "nnt/err.h"

struct nnt_comm; /* comm.h */

/* The data-parallel step's exchange, an all-reduce with the optimiser's work split among the
 * ranks. Each step: reducer_begin; every rank writes its gradient of n floats into
 * reducer_grad, saying how much of it is final as it goes (reducer_ready, a growing prefix);
 * reducer_sum; then every thread of every rank takes pieces of the summed gradient
 * (reducer_take) and updates those parameters; reducer_share hands them on to every rank.
 * - Ranks on several hosts: reducer_sum receives the others' values of this rank's part
 *   (reducer_part: contiguous parts in rank order, whole cache lines) with MPI_Alltoallv and adds
 *   them in rank order; the pieces are those of the part; reducer_share is MPI_Allgatherv.
 * - Ranks on one host (the usual case for a few ranks) share one block of memory with every
 *   rank's gradient, the parameters (reducer_params) and the optimiser's state
 *   (reducer_state). The pieces are those of the whole block, each handed out once every rank
 *   has reported it final and summed then, in rank order, by its taker: a rank whose core is
 *   ahead sums and updates while the others still compute. reducer_sum does nothing, and
 *   reducer_share is a barrier, not a copy. NNT_MPI_SHARED_MEMORY=0 in the environment makes
 *   them use the collectives instead, as on several hosts.
 * - One process: the gradient is the sum, and the part is everything.
 * The sums are added in rank order whoever adds them, so every way gives the same bits. */
typedef struct nnt_reducer nnt_reducer;
/* Collective: every rank calls it with the same n and n_state (the optimiser's state vectors,
 * shared as well when the ranks share memory: reducer_state). NULL with a message when out of
 * memory (every rank then fails alike). */
nnt_reducer *reducer_new(const struct nnt_comm *comm, size_t n, int n_state, nnt_err *err);
float *reducer_grad(nnt_reducer *r);
void reducer_part(const nnt_reducer *r, size_t *lo, size_t *hi);
/* Collective. When the ranks share memory, the parameter block they all train (n floats, set to
 * rank 0's `init`); NULL otherwise, and each rank trains its own copy. */
float *reducer_params(nnt_reducer *r, const float *init);
/* Shared optimiser state vector k < n_state (n floats, zero at first), or NULL when the ranks do
 * not share memory and each keeps its own. Valid after reducer_params. */
float *reducer_state(nnt_reducer *r, int k);
/* Main thread, every rank, at each step before any reducer_ready or reducer_take. */
void reducer_begin(nnt_reducer *r);
/* This rank's gradient is final in [0, upto), and it reads no parameter there again this step
 * (a taker may be updating them); upto only grows within a step, to n at its end. */
void reducer_ready(nnt_reducer *r, size_t upto);
/* Collective, after reducer_ready(r, n): see above. */
void reducer_sum(nnt_reducer *r);
/* Any thread, after reducer_sum: the block holding the summed gradient in [*lo, *hi), a piece
 * no other taker got (once every rank's gradient is final there); NULL when the step has no
 * piece left. */
float *reducer_take(nnt_reducer *r, size_t *lo, size_t *hi);
/* Collective, after the updates: every rank gets every part of params (reducer_params's block
 * when that is not NULL). */
void reducer_share(nnt_reducer *r, float *params);
/* How the ranks exchange: "one process", "shared memory" or "MPI collectives". */
const char *reducer_kind(const nnt_reducer *r);
/* Collective; NULL is allowed. */
void reducer_free(nnt_reducer *r);

#endif
