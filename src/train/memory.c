/* memory.c — what a training run will allocate and touch, counted from the shapes before any
 * of it is allocated, and the refusal of a run the process has no room for. */
#include <stdio.h>

#include "nnt/mem.h"
#include "nnt/optim.h"
#include "nnt/train.h"

/* Counted in doubles: the shapes are bounded (n_h ≤ 10⁶, m < 2³¹) but their products are not
 * in size_t's range on every platform, and an estimate needs no exact bytes. Only the large
 * blocks are counted, and only those the run touches (plain SGD in one process never writes
 * its gradient, so it stays untouched zero pages): a lower bound, so a run that fits is never
 * refused. */
void train_memory(nnt_train_memory *mem, const nnt_train_opts *o, nnt_solver solver,
                  size_t n_x, int n_h, int n_y, size_t m, size_t m_eval, int n_ranks)
{
    double F = sizeof(float), nx = (double)n_x, nh = n_h, ny = n_y, P = nh * (nx + 1) + ny * (nh + 1);
    *mem = (nnt_train_memory){0};
    mem->params = P * F;
    if (solver == NNT_SOLVER_DUAL) {
        /* the images and their centred copy, the Gram products of every set (m × k) and the
         * hidden layer's start products (n_h × k), dZ1 (n_h × m), one set's forward pass */
        double k = (double)m + (double)m_eval;
        mem->data = 2.0 * nx * (double)m * F;
        mem->gram = ((double)m * k + nh * k + nh * (double)m) * F;
        mem->batch = (nh + 2.0 * ny) * (double)(m > m_eval ? m : m_eval) * F;
        mem->total = mem->params + mem->data + mem->gram + mem->batch;
        return;
    }
    int descend = n_ranks == 1 && o->optimizer == NNT_OPT_SGD;
    mem->grad = descend ? 0.0 : P * F;
    mem->state = (double)optim_state_count(o->optimizer) * P * F;
    mem->best = o->patience > 0 && m_eval > 0 ? P * F : 0.0; /* early stopping's copy */
    double b = o->batch == 0 || o->batch >= m ? (double)m : (double)o->batch;
    /* X (n_x × b), A1 and dZ1 (n_h × b), dropout's masked copy and mask, three n_y × b */
    double hidden = o->dropout > 0.0f ? 4.0 : 2.0;
    mem->batch = (nx * b + hidden * nh * b + 3.0 * ny * b) * F;
    mem->total = mem->params + mem->grad + mem->state + mem->best + mem->batch;
}

int train_memory_check(const nnt_train_memory *mem, nnt_err *err)
{
    const char *what = NULL;
    double room = mem_room(&what);
    if (room < 0.0 || mem->total <= room)
        return 0;
    char total[32], have[32], parts[512];
    mem_format(total, sizeof total, mem->total);
    mem_format(have, sizeof have, room);
    size_t used = 0;
    const struct {
        const char *name;
        double bytes;
    } part[] = {{"parameters", mem->params}, {"gradient", mem->grad},
                {"optimiser state", mem->state}, {"best weights", mem->best},
                {"images", mem->data}, {"Gram products", mem->gram},
                {"batch", mem->batch}};
    parts[0] = '\0';
    for (size_t i = 0; i < sizeof part / sizeof part[0]; i++) {
        if (part[i].bytes <= 0.0)
            continue;
        char b[32];
        mem_format(b, sizeof b, part[i].bytes);
        int n = snprintf(parts + used, sizeof parts - used, "%s%s %s", used ? ", " : "",
                         part[i].name, b);
        if (n < 0 || (size_t)n >= sizeof parts - used)
            break;
        used += (size_t)n;
    }
    return nnt_errf(err, "this run needs at least %s (%s) but only %s is left %s; try a "
                         "smaller --hidden or --batch", total, parts, have, what);
}
