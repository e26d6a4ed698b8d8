/* test_export.c — `nnt export`'s content: the ONNX graph is taken apart with a small protobuf
 * reader written here (independent of pb.c) and checked field by field against onnx.proto — IR
 * and opset versions, the four nodes, their attributes, the initializers' shapes and row-major
 * values, the input and output types, the metadata — and a forward pass computed from those
 * row-major initializers must equal net_forward's. The .npz gets its W1 orientation checked (the
 * archive format itself: test_npz). onnx.checker and numpy read both in tests/cli_export.sh. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "nnt/export.h"
#include "nnt/rng.h"

/* ---- a protobuf reader: just enough to look at what export.c wrote */

typedef struct pbf {
    uint32_t num;
    int wire;
    uint64_t v;       /* VARINT, I32 (raw bits), I64 */
    const uint8_t *p; /* LEN */
    size_t n;
} pbf;

typedef struct msg {
    const uint8_t *p;
    size_t n;
} msg;

static int varint(const uint8_t **p, const uint8_t *end, uint64_t *v)
{
    *v = 0;
    for (int shift = 0; shift < 64 && *p < end; shift += 7) {
        uint8_t b = *(*p)++;
        *v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80))
            return 0;
    }
    return -1;
}

/* The k-th field numbered num in m (k from 0); 0 when found. Fails the test on malformed bytes. */
static int field(const msg m, uint32_t num, int k, pbf *f)
{
    const uint8_t *p = m.p, *end = m.p + m.n;
    while (p < end) {
        uint64_t key;
        if (varint(&p, end, &key)) {
            CHECK(!"bad key varint");
            return -1;
        }
        pbf g = {.num = (uint32_t)(key >> 3), .wire = (int)(key & 7)};
        if (g.wire == 0) {
            if (varint(&p, end, &g.v)) {
                CHECK(!"bad varint");
                return -1;
            }
        } else if (g.wire == 5 || g.wire == 1) {
            size_t w = g.wire == 5 ? 4 : 8;
            if ((size_t)(end - p) < w) {
                CHECK(!"truncated fixed field");
                return -1;
            }
            for (size_t i = 0; i < w; i++)
                g.v |= (uint64_t)p[i] << (8 * i);
            p += w;
        } else if (g.wire == 2) {
            uint64_t n;
            if (varint(&p, end, &n) || n > (uint64_t)(end - p)) {
                CHECK(!"bad length");
                return -1;
            }
            g.p = p, g.n = (size_t)n;
            p += n;
        } else {
            CHECK(!"unknown wire type");
            return -1;
        }
        if (g.num == num && k-- == 0) {
            *f = g;
            return 0;
        }
    }
    return -1;
}

static int count(const msg m, uint32_t num)
{
    pbf f;
    int n = 0;
    while (field(m, num, n, &f) == 0)
        n++;
    return n;
}

static msg sub(const msg m, uint32_t num, int k)
{
    pbf f = {0};
    CHECKF(field(m, num, k, &f) == 0 && f.wire == 2, "no message field %u #%d", num, k);
    return (msg){f.p, f.n};
}

static int64_t int_of(const msg m, uint32_t num)
{
    pbf f = {0};
    CHECKF(field(m, num, 0, &f) == 0 && f.wire == 0, "no varint field %u", num);
    return (int64_t)f.v;
}

/* String field num (k-th) equals s. */
static int str_is(const msg m, uint32_t num, int k, const char *s)
{
    pbf f;
    return field(m, num, k, &f) == 0 && f.wire == 2 && f.n == strlen(s) && memcmp(f.p, s, f.n) == 0;
}

/* The graph's node whose output is `out`. */
static msg node_for(const msg graph, const char *out)
{
    for (int i = 0; i < count(graph, 1); i++)
        if (str_is(sub(graph, 1, i), 2, 0, out))
            return sub(graph, 1, i);
    CHECKF(0, "no node makes %s", out);
    return (msg){0};
}

/* The initializer called name: its dims and its raw_data as floats (malloc'd). */
static float *tensor(const msg graph, const char *name, int64_t *dims, int *ndim)
{
    for (int i = 0; i < count(graph, 5); i++) {
        msg t = sub(graph, 5, i);
        if (!str_is(t, 8, 0, name))
            continue;
        *ndim = count(t, 1);
        size_t n = 1;
        for (int d = 0; d < *ndim && d < 4; d++) {
            pbf f;
            CHECK(field(t, 1, d, &f) == 0 && f.wire == 0);
            dims[d] = (int64_t)f.v;
            n *= (size_t)f.v;
        }
        CHECK(int_of(t, 2) == 1); /* FLOAT */
        pbf raw = {0};
        CHECK(field(t, 9, 0, &raw) == 0 && raw.n == n * 4);
        float *v = malloc(n * sizeof *v + 1);
        memcpy(v, raw.p, raw.n); /* little-endian host, little-endian raw_data */
        return v;
    }
    CHECKF(0, "no initializer %s", name);
    return NULL;
}

/* The attribute called name of a node: its type and int/float value. */
static pbf attribute(const msg node, const char *name, int64_t *type)
{
    for (int i = 0; i < count(node, 5); i++) {
        msg a = sub(node, 5, i);
        if (!str_is(a, 1, 0, name))
            continue;
        *type = int_of(a, 20);
        pbf f = {0};
        CHECK(field(a, *type == 1 ? 2 : 3, 0, &f) == 0);
        return f;
    }
    CHECKF(0, "no attribute %s", name);
    return (pbf){0};
}

/* A graph input/output: name, float, shape [N, cols]. */
static void check_value_info(const msg vi, const char *name, int64_t cols)
{
    CHECKF(str_is(vi, 1, 0, name), "value info %s", name);
    msg tt = sub(sub(vi, 2, 0), 1, 0);
    CHECK(int_of(tt, 1) == 1);
    msg shape = sub(tt, 2, 0);
    CHECK(count(shape, 1) == 2);
    CHECK(str_is(sub(shape, 1, 0), 2, 0, "N"));
    CHECK(int_of(sub(shape, 1, 1), 1) == cols);
}

static const char *meta_value(const msg model, const char *key, size_t *n)
{
    for (int i = 0; i < count(model, 14); i++) {
        msg e = sub(model, 14, i);
        pbf v;
        if (str_is(e, 1, 0, key) && field(e, 2, 0, &v) == 0) {
            *n = v.n;
            return (const char *)v.p;
        }
    }
    return NULL;
}

/* ---- models */

static char *copy_str(const char *s)
{
    char *d = malloc(strlen(s) + 1);
    strcpy(d, s);
    return d;
}

static void make_model(nnt_model *m, uint32_t w, uint32_t h, int c, int n_h, int n_classes,
                       nnt_act act, const char *const *names, uint64_t seed)
{
    memset(m, 0, sizeof *m);
    m->width = w, m->height = h, m->channels = c, m->n_classes = n_classes;
    nnt_err err;
    int n_y = n_classes == 2 ? 1 : n_classes;
    CHECK(net_new(&m->net, (int)(w * h) * c, n_h, n_y, act, &err) == 0);
    nnt_rng rng;
    rng_seed(&rng, seed);
    for (size_t i = 0; i < m->net.n_params; i++)
        m->net.params[i] = (float)rng_normal(&rng);
    m->class_names = calloc((size_t)n_classes, sizeof *m->class_names);
    for (int k = 0; k < n_classes; k++)
        m->class_names[k] = copy_str(names[k]);
}

/* Exports m as ONNX and checks everything against it. */
static void check_onnx(const nnt_model *m, const char *act_op, const char *classes_json)
{
    nnt_wbuf out = {0};
    nnt_err err;
    CHECKF(export_onnx_encode(&out, m, "9.9.9", "m.onnx", &err) == 0, "%s", err.msg);
    const nnt_net *net = &m->net;
    msg model = {out.data, out.len};
    CHECK(int_of(model, 1) == NNT_ONNX_IR_VERSION && NNT_ONNX_IR_VERSION == 7);
    CHECK(str_is(model, 2, 0, "nnt") && str_is(model, 3, 0, "9.9.9"));
    CHECK(count(model, 8) == 1);
    msg opset = sub(model, 8, 0);
    CHECK(int_of(opset, 2) == 13 && str_is(opset, 1, 0, ""));
    CHECK(count(model, 7) == 1);
    msg graph = sub(model, 7, 0);

    /* nodes, in order, and their wiring */
    CHECK(count(graph, 1) == 4);
    static const char *outs[4] = {"Z1", "A1", "Z2", "probabilities"};
    for (int i = 0; i < 4; i++)
        CHECKF(str_is(sub(graph, 1, i), 2, 0, outs[i]), "node %d", i);
    msg g1 = node_for(graph, "Z1"), a1 = node_for(graph, "A1"), g2 = node_for(graph, "Z2");
    msg o = node_for(graph, "probabilities");
    CHECK(str_is(g1, 4, 0, "Gemm") && str_is(g1, 1, 0, "input") && str_is(g1, 1, 1, "W1") &&
          str_is(g1, 1, 2, "b1") && count(g1, 1) == 3);
    CHECK(str_is(g2, 4, 0, "Gemm") && str_is(g2, 1, 0, "A1") && str_is(g2, 1, 1, "W2") &&
          str_is(g2, 1, 2, "b2"));
    int64_t type;
    pbf tb = attribute(g1, "transB", &type);
    CHECK(type == 2 && tb.v == 1);
    tb = attribute(g2, "transB", &type);
    CHECK(type == 2 && tb.v == 1);
    CHECKF(str_is(a1, 4, 0, act_op) && str_is(a1, 1, 0, "Z1"), "activation %s", act_op);
    if (net->act == NNT_ACT_LEAKY_RELU) {
        pbf alpha = attribute(a1, "alpha", &type);
        float f;
        uint32_t bits = (uint32_t)alpha.v;
        memcpy(&f, &bits, 4);
        CHECK(type == 1 && f == 0.01f);
    } else {
        CHECK(count(a1, 5) == 0);
    }
    if (net->n_y == 1) {
        CHECK(str_is(o, 4, 0, "Sigmoid") && count(o, 5) == 0);
    } else {
        pbf axis = attribute(o, "axis", &type);
        CHECK(str_is(o, 4, 0, "Softmax") && type == 2 && axis.v == 1);
    }

    /* initializers: shapes, and W1 row u is unit u's weights (row-major) */
    int64_t dims[4];
    int nd;
    float *W1 = tensor(graph, "W1", dims, &nd);
    CHECK(nd == 2 && dims[0] == net->n_h && dims[1] == net->n_x);
    float *b1 = tensor(graph, "b1", dims, &nd);
    CHECK(nd == 1 && dims[0] == net->n_h);
    float *W2 = tensor(graph, "W2", dims, &nd);
    CHECK(nd == 2 && dims[0] == net->n_y && dims[1] == net->n_h);
    float *b2 = tensor(graph, "b2", dims, &nd);
    CHECK(nd == 1 && dims[0] == net->n_y);
    CHECK(count(graph, 5) == 4);
    check_value_info(sub(graph, 11, 0), "input", net->n_x);
    check_value_info(sub(graph, 12, 0), "probabilities", net->n_y);
    CHECK(count(graph, 11) == 1 && count(graph, 12) == 1);

    /* the graph's arithmetic on these initializers equals net_forward */
    if (W1 && b1 && W2 && b2) {
        for (int i = 0; i < net->n_h * net->n_x; i++)
            CHECK(W1[i] == net->W1[(i % net->n_x) * net->n_h + i / net->n_x]);
        int m_cols = 3;
        float *X = malloc(sizeof(float) * (size_t)(net->n_x * m_cols));
        float *A1 = malloc(sizeof(float) * (size_t)(net->n_h * m_cols));
        float *Z2 = malloc(sizeof(float) * (size_t)(net->n_y * m_cols));
        float *A2 = malloc(sizeof(float) * (size_t)(net->n_y * m_cols));
        for (int i = 0; i < net->n_x * m_cols; i++)
            X[i] = (float)((i * 37) % 256) / 255.0f;
        net_forward(A1, Z2, A2, net, X, m_cols);
        for (int j = 0; j < m_cols; j++) {
            double h[64], z[16], sum = 0, zmax = -INFINITY;
            for (int u = 0; u < net->n_h; u++) {
                double s = b1[u];
                for (int i = 0; i < net->n_x; i++)
                    s += (double)W1[u * net->n_x + i] * X[j * net->n_x + i];
                h[u] = net->act == NNT_ACT_RELU ? fmax(s, 0) : net->act == NNT_ACT_TANH ? tanh(s)
                     : net->act == NNT_ACT_SIGMOID ? 1 / (1 + exp(-s)) : s > 0 ? s : 0.01 * s;
            }
            for (int k = 0; k < net->n_y; k++) {
                z[k] = b2[k];
                for (int u = 0; u < net->n_h; u++)
                    z[k] += (double)W2[k * net->n_h + u] * h[u];
                zmax = fmax(zmax, z[k]);
            }
            for (int k = 0; k < net->n_y; k++)
                sum += exp(z[k] - zmax);
            for (int k = 0; k < net->n_y; k++) {
                double p = net->n_y == 1 ? 1 / (1 + exp(-z[k])) : exp(z[k] - zmax) / sum;
                CHECK_NEAR(p, A2[j * net->n_y + k], 1e-5);
            }
        }
        free(X), free(A1), free(Z2), free(A2);
    }
    free(W1), free(b1), free(W2), free(b2);

    size_t n;
    const char *v = meta_value(model, "classes", &n);
    CHECKF(v && n == strlen(classes_json) && memcmp(v, classes_json, n) == 0, "classes %.*s",
           v ? (int)n : 0, v ? v : "");
    char want[32];
    snprintf(want, sizeof want, "%lu", (unsigned long)m->height);
    CHECK((v = meta_value(model, "input_height", &n)) && n == strlen(want) && !memcmp(v, want, n));
    snprintf(want, sizeof want, "%lu", (unsigned long)m->width);
    CHECK((v = meta_value(model, "input_width", &n)) && n == strlen(want) && !memcmp(v, want, n));
    CHECK((v = meta_value(model, "input_divisor", &n)) && n == 3 && !memcmp(v, "255", 3));
    wbuf_free(&out);
}

static void check_npz_orientation(const nnt_model *m, const char *dir)
{
    char path[600];
    snprintf(path, sizeof path, "%s/m.npz", dir);
    nnt_err err;
    CHECKF(export_npz(m, path, &err) == 0, "%s", err.msg);
    FILE *f = fopen(path, "rb");
    static uint8_t buf[1 << 16];
    size_t len = f ? fread(buf, 1, sizeof buf, f) : 0;
    if (f)
        fclose(f);
    CHECK(len > 100 && len < sizeof buf && memcmp(buf, "PK\x03\x04", 4) == 0);
    /* the first member is W1.npy: its header then n_h × n_x floats, row u = unit u */
    const nnt_net *net = &m->net;
    char dict[128];
    snprintf(dict, sizeof dict, "{'descr': '<f4', 'fortran_order': False, 'shape': (%d, %d), }",
             net->n_h, net->n_x);
    CHECK(memcmp(buf + 30, "W1.npy", 6) == 0);
    CHECK(memcmp(buf + 36 + 10, dict, strlen(dict)) == 0);
    size_t hlen = (size_t)buf[36 + 8] | (size_t)buf[36 + 9] << 8;
    const uint8_t *data = buf + 36 + 10 + hlen;
    for (int u = 0; u < net->n_h; u++)
        for (int i = 0; i < net->n_x; i++) {
            float w;
            memcpy(&w, data + 4 * ((size_t)u * net->n_x + i), 4);
            CHECK(w == net->W1[(size_t)i * net->n_h + u]);
        }
    /* b1 follows as (n_h, 1), so that W1 @ X + b1 broadcasts over the columns of X */
    snprintf(dict, sizeof dict, "{'descr': '<f4', 'fortran_order': False, 'shape': (%d, 1), }",
             net->n_h);
    const uint8_t *b1 = data + 4 * (size_t)net->n_h * net->n_x;
    CHECK(memcmp(b1 + 30, "b1.npy", 6) == 0 && memcmp(b1 + 36 + 10, dict, strlen(dict)) == 0);
    unlink(path);
    snprintf(path, sizeof path, "%s/none/m.npz", dir);
    CHECK(export_npz(m, path, &err) != 0 && strstr(err.msg, path));
    snprintf(path, sizeof path, "%s/none/m.onnx", dir);
    CHECK(export_onnx(m, path, "1", &err) != 0 && strstr(err.msg, path));
}

int main(void)
{
    char dir[] = "/tmp/nnt-test-export-XXXXXX";
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    nnt_model m;
    /* the v1 fixture's shape: 3 wide, 2 high, gray, 3 ReLU units, two classes */
    make_model(&m, 3, 2, 1, 3, 2, NNT_ACT_RELU, (const char *[]){"cat", "non-cat"}, 1);
    check_onnx(&m, "Relu", "[\"cat\",\"non-cat\"]");
    check_npz_orientation(&m, dir);
    model_free(&m);
    /* RGB, softmax, leaky ReLU; names needing JSON escapes, one not UTF-8 */
    make_model(&m, 2, 3, 3, 5, 3, NNT_ACT_LEAKY_RELU, (const char *[]){"a\"b", "\xff", "\xc3\xbc"}, 2);
    check_onnx(&m, "LeakyRelu", "[\"a\\\"b\",\"\\ufffd\",\"\xc3\xbc\"]");
    check_npz_orientation(&m, dir);
    model_free(&m);
    make_model(&m, 4, 4, 1, 7, 2, NNT_ACT_TANH, (const char *[]){"x", "y"}, 3);
    check_onnx(&m, "Tanh", "[\"x\",\"y\"]");
    model_free(&m);
    make_model(&m, 4, 1, 1, 2, 4, NNT_ACT_SIGMOID, (const char *[]){"p", "q", "r", "s"}, 4);
    check_onnx(&m, "Sigmoid", "[\"p\",\"q\",\"r\",\"s\"]");
    model_free(&m);
    rmdir(dir);
    return check_done("test_export");
}
