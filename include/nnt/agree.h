/* agree.h — how the ranks of a run agree on a failure: every rank stops at the same point, and
 * exactly one of them holds the message to report (every other one has err->peer set). */
#ifndef NNT_AGREE_H
#define NNT_AGREE_H

#include "nnt/comm.h"
#include "nnt/err.h"

/* Collective: every rank says how its last call went (rc: 0, or non-zero with err filled).
 * Returns 0 when no rank failed, else -1 on every rank. The lowest rank whose failure is its
 * own (rc != 0 and not err->peer) keeps its message with err->peer clear; every other rank
 * returns with err->peer set (and a message naming that rank when it had none), so the user
 * reads one message, from the rank that saw the failure first. comm NULL: one process. */
int agree_failed(const nnt_comm *comm, int rc, nnt_err *err);

/* Collective: the largest v of any rank (a signal one rank caught; rank 0's verdict). */
int agree_max(const nnt_comm *comm, int v);

#endif
