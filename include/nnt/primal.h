/* primal.h — the step on the images themselves (net.h's pairs): full and mini-batch, split over
 * a team of threads, the gradient exchanged across ranks (comm.h), plain SGD fused into the
 * products in one process. */
#ifndef NNT_PRIMAL_H
#define NNT_PRIMAL_H

#include "nnt/step.h"

/* Collective (every rank of o->comm calls it, and all fail alike): a stepper training net on
 * this rank's shard train of the `images` over all ranks, with val and test (NULL: none on any
 * rank; a rank's shard may be empty) evaluated over the ranks. Sets res->threads and
 * res->exchange. Returns 0, or -1 with a message. */
int primal_new(nnt_stepper *s, nnt_net *net, nnt_train_result *res, const nnt_dataset *train,
               const nnt_dataset *val, const nnt_dataset *test, size_t images,
               const nnt_train_opts *o, nnt_err *err);

#endif
