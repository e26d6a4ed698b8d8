/* agree.c — agreement on failures between ranks (agree.h), built on err->peer: a rank that
 * failed because another did is told so by the flag, never by the text of a message. */
#include "nnt/agree.h"

int agree_failed(const nnt_comm *comm, int rc, nnt_err *err)
{
    int size = comm_size(comm), rank = comm ? comm->rank : 0;
    int own = rc != 0 && !err->peer;
    /* the lowest failing rank wins the maximum: it maps to the largest value */
    int v = own ? size - rank : 0;
    comm_allreduce_max_int(comm, &v, 1);
    if (!v)
        return rc ? -1 : 0; /* failed only as a peer, while no rank failed itself: none reports */
    int first = size - v;
    if (first == rank)
        return -1;
    if (rc)
        err->peer = 1; /* a failure of its own, but a lower rank's message is the one reported */
    else
        nnt_err_peer(err, "rank %d failed", first);
    return -1;
}

int agree_max(const nnt_comm *comm, int v)
{
    comm_allreduce_max_int(comm, &v, 1);
    return v;
}
