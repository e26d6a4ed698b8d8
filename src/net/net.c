/* net.c — the network's parameters: the one block, its views, initialisation, and the labels
 * read from the output layer. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "nnt/net.h"

size_t net_param_count(int n_x, int n_h, int n_y, nnt_err *err)
{
    size_t w1, w2, n;
    if (n_x < 1 || n_h < 1 || n_y < 1) {
        nnt_errf(err, "network sizes must be positive (n_x %d, n_h %d, n_y %d)", n_x, n_h, n_y);
        return 0;
    }
    /* W1 + b1 + W2 + b2, each step checked: the sizes may come from a file */
    if (nnt_mul_size(&w1, (size_t)n_h, (size_t)n_x) || nnt_mul_size(&w2, (size_t)n_y, (size_t)n_h) ||
        nnt_add_size(&n, w1, (size_t)n_h) || nnt_add_size(&n, n, w2) ||
        nnt_add_size(&n, n, (size_t)n_y) || n > SIZE_MAX / sizeof(float)) {
        nnt_errf(err, "network of %d x %d x %d is too large", n_x, n_h, n_y);
        return 0;
    }
    return n;
}

int net_new(nnt_net *net, int n_x, int n_h, int n_y, nnt_act act, nnt_err *err)
{
    memset(net, 0, sizeof *net);
    size_t n = net_param_count(n_x, n_h, n_y, err);
    if (n == 0)
        return -1;
    float *p = nnt_calloc_aligned(n, sizeof *p);
    if (!p)
        return nnt_errf(err, "out of memory for %zu parameters", n);
    net_bind(net, p, n_x, n_h, n_y, act);
    return 0;
}

void net_bind(nnt_net *net, float *p, int n_x, int n_h, int n_y, nnt_act act)
{
    size_t n = (size_t)n_h * n_x + (size_t)n_h + (size_t)n_y * n_h + (size_t)n_y;
    net->n_x = n_x;
    net->n_h = n_h;
    net->n_y = n_y;
    net->act = act;
    net->n_params = n;
    net->params = p;
    net->W1 = p;
    net->b1 = net->W1 + (size_t)n_h * n_x;
    net->W2 = net->b1 + n_h;
    net->b2 = net->W2 + (size_t)n_y * n_h;
}

void net_free(nnt_net *net)
{
    free(net->params);
    memset(net, 0, sizeof *net);
}

static void init_layers(nnt_net *net, nnt_rng *rng, float scale1, float scale2)
{
    size_t n1 = (size_t)net->n_h * net->n_x, n2 = (size_t)net->n_y * net->n_h;
    for (size_t i = 0; i < n1; i++)
        net->W1[i] = (float)rng_normal(rng) * scale1;
    for (size_t i = 0; i < n2; i++)
        net->W2[i] = (float)rng_normal(rng) * scale2;
    memset(net->b1, 0, (size_t)net->n_h * sizeof(float));
    memset(net->b2, 0, (size_t)net->n_y * sizeof(float));
}

nnt_init net_init_resolve(nnt_init init, nnt_act act)
{
    if (init != NNT_INIT_AUTO)
        return init;
    return act == NNT_ACT_RELU || act == NNT_ACT_LEAKY_RELU ? NNT_INIT_HE : NNT_INIT_XAVIER;
}

void net_init(nnt_net *net, nnt_rng *rng, nnt_init init)
{
    double in1 = net->n_x, out1 = net->n_h, in2 = net->n_h, out2 = net->n_y;
    switch (net_init_resolve(init, net->act)) {
    case NNT_INIT_HE:
        init_layers(net, rng, (float)sqrt(2.0 / in1), (float)sqrt(2.0 / in2));
        break;
    case NNT_INIT_XAVIER:
        init_layers(net, rng, (float)sqrt(2.0 / (in1 + out1)), (float)sqrt(2.0 / (in2 + out2)));
        break;
    default:
        init_layers(net, rng, 0.01f, 0.01f);
        break;
    }
}

static const char *const init_names[] = {"auto", "normal", "he", "xavier"};

const char *net_init_name(nnt_init init)
{
    return (unsigned)init < 4 ? init_names[init] : "unknown";
}

int net_init_parse(nnt_init *init, const char *name)
{
    int i = nnt_name_index(init_names, 4, name);
    if (i >= 0)
        *init = (nnt_init)i;
    return i < 0 ? -1 : 0;
}

int32_t net_label(const float *A2col, int n_y)
{
    if (n_y == 1)
        return A2col[0] > 0.5f;
    int32_t best = 0;
    for (int i = 1; i < n_y; i++)
        if (A2col[i] > A2col[best])
            best = i;
    return best;
}

float net_label_prob(const float *A2col, int n_y, int32_t label)
{
    if (n_y == 1)
        return label ? A2col[0] : 1.0f - A2col[0];
    return A2col[label];
}
