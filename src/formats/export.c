/* export.c — the model as numpy's .npz and as an ONNX graph (formats: npz.c, pb.c; what each
 * holds: export.h and docs/nnt.1). nnt stores matrices column-major; both formats want row-major,
 * so W1 and W2 are transposed on the way out. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nnt/export.h"
#include "nnt/json.h"
#include "nnt/npz.h"
#include "nnt/pb.h"
#include "nnt/pixels.h"

/* Protobuf parsers refuse messages of 2 GiB or more (ONNX then wants external data files). */
#define PB_MAX_MESSAGE ((size_t)INT32_MAX)

/* A (rows × cols, column-major, ld = rows) copied into row-major order; NULL when out of memory. */
static float *row_major(const float *A, int rows, int cols)
{
    size_t n;
    if (nnt_mul_size(&n, (size_t)rows, (size_t)cols))
        return NULL;
    float *out = malloc((n ? n : 1) * sizeof *out);
    if (!out)
        return NULL;
    for (size_t c = 0; c < (size_t)cols; c++)
        for (size_t r = 0; r < (size_t)rows; r++)
            out[r * (size_t)cols + c] = A[r + c * (size_t)rows];
    return out;
}

static const char *output_name(const nnt_model *m) { return m->net.n_y == 1 ? "sigmoid" : "softmax"; }

/* ---- npz */

int export_npz(const nnt_model *m, const char *path, nnt_err *err)
{
    const nnt_net *net = &m->net;
    float *W1 = row_major(net->W1, net->n_h, net->n_x);
    float *W2 = row_major(net->W2, net->n_y, net->n_h);
    if (!W1 || !W2) {
        free(W1);
        free(W2);
        return nnt_errf(err, "%s: out of memory", path);
    }
    nnt_npz z;
    npz_init(&z, path);
    size_t s_W1[2] = {(size_t)net->n_h, (size_t)net->n_x}, s_b1[2] = {(size_t)net->n_h, 1};
    size_t s_W2[2] = {(size_t)net->n_y, (size_t)net->n_h}, s_b2[2] = {(size_t)net->n_y, 1};
    size_t s_classes[1] = {(size_t)m->n_classes};
    const char *act = act_name(net->act), *out = output_name(m), *meta = m->meta ? m->meta : "";
    int64_t height = m->height, width = m->width, channels = m->channels;
    float divisor = NNT_PIXEL_DIVISOR, slope = NNT_LEAKY_SLOPE;
    int rc = npz_add_f32(&z, "W1", W1, s_W1, 2, err) || npz_add_f32(&z, "b1", net->b1, s_b1, 2, err) ||
             npz_add_f32(&z, "W2", W2, s_W2, 2, err) || npz_add_f32(&z, "b2", net->b2, s_b2, 2, err) ||
             npz_add_str(&z, "classes", (const char *const *)m->class_names, s_classes[0], 1, err) ||
             npz_add_str(&z, "activation", &act, 1, 0, err) ||
             npz_add_str(&z, "output", &out, 1, 0, err) ||
             npz_add_i64(&z, "height", &height, NULL, 0, err) ||
             npz_add_i64(&z, "width", &width, NULL, 0, err) ||
             npz_add_i64(&z, "channels", &channels, NULL, 0, err) ||
             npz_add_f32(&z, "input_divisor", &divisor, NULL, 0, err) ||
             npz_add_f32(&z, "leaky_slope", &slope, NULL, 0, err) ||
             npz_add_str(&z, "meta", &meta, 1, 0, err) || npz_save(&z, err);
    npz_free(&z);
    free(W1);
    free(W2);
    return rc ? -1 : 0;
}

/* ---- ONNX: field numbers and enum values of onnx/onnx.proto (IR version 7) */

enum {
    MODEL_IR_VERSION = 1, MODEL_PRODUCER_NAME = 2, MODEL_PRODUCER_VERSION = 3, MODEL_DOC = 6,
    MODEL_GRAPH = 7, MODEL_OPSET_IMPORT = 8, MODEL_METADATA = 14,
    OPSET_DOMAIN = 1, OPSET_VERSION = 2,
    ENTRY_KEY = 1, ENTRY_VALUE = 2,
    GRAPH_NODE = 1, GRAPH_NAME = 2, GRAPH_INITIALIZER = 5, GRAPH_DOC = 10, GRAPH_INPUT = 11,
    GRAPH_OUTPUT = 12,
    NODE_INPUT = 1, NODE_OUTPUT = 2, NODE_NAME = 3, NODE_OP_TYPE = 4, NODE_ATTRIBUTE = 5,
    ATTR_NAME = 1, ATTR_F = 2, ATTR_I = 3, ATTR_TYPE = 20,
    ATTR_TYPE_FLOAT = 1, ATTR_TYPE_INT = 2,
    TENSOR_DIMS = 1, TENSOR_DATA_TYPE = 2, TENSOR_NAME = 8, TENSOR_RAW_DATA = 9,
    TENSOR_FLOAT = 1,
    VALUE_NAME = 1, VALUE_TYPE = 2,
    TYPE_TENSOR = 1, TYPE_TENSOR_ELEM_TYPE = 1, TYPE_TENSOR_SHAPE = 2,
    SHAPE_DIM = 1, DIM_VALUE = 1, DIM_PARAM = 2,
};

/* A graph input or output: float tensor [N, cols], N left symbolic. */
static void value_info(nnt_wbuf *graph, int field, const char *name, int64_t cols)
{
    nnt_wbuf d0 = {0}, d1 = {0}, shape = {0}, tensor = {0}, type = {0}, vi = {0};
    pb_string(&d0, DIM_PARAM, "N");
    pb_int(&d1, DIM_VALUE, cols);
    pb_message(&shape, SHAPE_DIM, &d0);
    pb_message(&shape, SHAPE_DIM, &d1);
    pb_int(&tensor, TYPE_TENSOR_ELEM_TYPE, TENSOR_FLOAT);
    pb_message(&tensor, TYPE_TENSOR_SHAPE, &shape);
    pb_message(&type, TYPE_TENSOR, &tensor);
    pb_string(&vi, VALUE_NAME, name);
    pb_message(&vi, VALUE_TYPE, &type);
    pb_message(graph, field, &vi);
    wbuf_free(&d0), wbuf_free(&d1), wbuf_free(&shape), wbuf_free(&tensor), wbuf_free(&type);
    wbuf_free(&vi);
}

/* A float initializer of dims[0] (× dims[1]) values in row-major order, as raw little-endian. */
static void initializer(nnt_wbuf *graph, const char *name, const float *data, const int *dims,
                        int ndim)
{
    nnt_wbuf t = {0};
    size_t n = 1;
    for (int d = 0; d < ndim; d++) {
        pb_int(&t, TENSOR_DIMS, dims[d]);
        n *= (size_t)dims[d]; /* no overflow: the model holds these values */
    }
    pb_int(&t, TENSOR_DATA_TYPE, TENSOR_FLOAT);
    pb_string(&t, TENSOR_NAME, name);
    pb_tag(&t, TENSOR_RAW_DATA, PB_LEN);
    pb_varint(&t, (uint64_t)n * 4);
    wbuf_f32le(&t, data, n);
    pb_message(graph, GRAPH_INITIALIZER, &t);
    wbuf_free(&t);
}

/* An attribute of a node under construction: an int (INT) or a float (FLOAT). */
static void attr_int(nnt_wbuf *node, const char *name, int64_t v)
{
    nnt_wbuf a = {0};
    pb_string(&a, ATTR_NAME, name);
    pb_int(&a, ATTR_I, v);
    pb_int(&a, ATTR_TYPE, ATTR_TYPE_INT);
    pb_message(node, NODE_ATTRIBUTE, &a);
    wbuf_free(&a);
}

static void attr_float(nnt_wbuf *node, const char *name, float v)
{
    nnt_wbuf a = {0};
    pb_string(&a, ATTR_NAME, name);
    pb_float(&a, ATTR_F, v);
    pb_int(&a, ATTR_TYPE, ATTR_TYPE_FLOAT);
    pb_message(node, NODE_ATTRIBUTE, &a);
    wbuf_free(&a);
}

/* The node's inputs (NULL-terminated), output, name and operator; its attributes follow with
 * attr_* on the returned buffer, and node_end appends it to the graph. */
static void node_begin(nnt_wbuf *node, const char *op, const char *name, const char *const *in,
                       const char *out)
{
    for (; *in; in++)
        pb_string(node, NODE_INPUT, *in);
    pb_string(node, NODE_OUTPUT, out);
    pb_string(node, NODE_NAME, name);
    pb_string(node, NODE_OP_TYPE, op);
}

static void node_end(nnt_wbuf *graph, nnt_wbuf *node)
{
    pb_message(graph, GRAPH_NODE, node);
    wbuf_free(node);
}

static void metadata(nnt_wbuf *model, const char *key, const char *value)
{
    nnt_wbuf e = {0};
    pb_string(&e, ENTRY_KEY, key);
    pb_string(&e, ENTRY_VALUE, value);
    pb_message(model, MODEL_METADATA, &e);
    wbuf_free(&e);
}

int export_onnx_encode(nnt_wbuf *out, const nnt_model *m, const char *producer_version,
                       const char *name, nnt_err *err)
{
    const nnt_net *net = &m->net;
    float *W1 = row_major(net->W1, net->n_h, net->n_x);
    float *W2 = row_major(net->W2, net->n_y, net->n_h);
    if (!W1 || !W2) {
        free(W1);
        free(W2);
        return nnt_errf(err, "%s: out of memory", name);
    }
    static const char *const ACT_OP[NNT_ACT_COUNT] = {
        [NNT_ACT_SIGMOID] = "Sigmoid", [NNT_ACT_TANH] = "Tanh", [NNT_ACT_RELU] = "Relu",
        [NNT_ACT_LEAKY_RELU] = "LeakyRelu"};
    nnt_wbuf graph = {0}, node = {0}, text = {0}, opset = {0};
    char doc[512];

    node_begin(&node, "Gemm", "hidden_linear", (const char *const[]){"input", "W1", "b1", NULL}, "Z1");
    attr_int(&node, "transB", 1);
    node_end(&graph, &node);
    node_begin(&node, ACT_OP[net->act], "hidden_activation", (const char *const[]){"Z1", NULL}, "A1");
    if (net->act == NNT_ACT_LEAKY_RELU)
        attr_float(&node, "alpha", NNT_LEAKY_SLOPE);
    node_end(&graph, &node);
    node_begin(&node, "Gemm", "output_linear", (const char *const[]){"A1", "W2", "b2", NULL}, "Z2");
    attr_int(&node, "transB", 1);
    node_end(&graph, &node);
    if (net->n_y == 1) {
        node_begin(&node, "Sigmoid", "output_sigmoid", (const char *const[]){"Z2", NULL}, "probabilities");
    } else {
        node_begin(&node, "Softmax", "output_softmax", (const char *const[]){"Z2", NULL}, "probabilities");
        attr_int(&node, "axis", 1);
    }
    node_end(&graph, &node);

    pb_string(&graph, GRAPH_NAME, "nnt");
    initializer(&graph, "W1", W1, (const int[]){net->n_h, net->n_x}, 2);
    initializer(&graph, "b1", net->b1, (const int[]){net->n_h}, 1);
    initializer(&graph, "W2", W2, (const int[]){net->n_y, net->n_h}, 2);
    initializer(&graph, "b2", net->b2, (const int[]){net->n_y}, 1);
    free(W1);
    free(W2);
    snprintf(doc, sizeof doc,
             "Two-layer network trained by nnt. input: one image per row, its %lu x %lu x %d "
             "(height x width x channels) samples in row-major order divided by %g. "
             "probabilities: %s.",
             (unsigned long)m->height, (unsigned long)m->width, m->channels, (double)NNT_PIXEL_DIVISOR,
             net->n_y == 1 ? "P(class 1) (sigmoid); class 1 when above 0.5"
                           : "one per class (softmax), classes in metadata 'classes'");
    pb_string(&graph, GRAPH_DOC, doc);
    value_info(&graph, GRAPH_INPUT, "input", net->n_x);
    value_info(&graph, GRAPH_OUTPUT, "probabilities", net->n_y);

    pb_int(out, MODEL_IR_VERSION, NNT_ONNX_IR_VERSION);
    pb_string(out, MODEL_PRODUCER_NAME, "nnt");
    pb_string(out, MODEL_PRODUCER_VERSION, producer_version);
    pb_string(out, MODEL_DOC, doc);
    pb_message(out, MODEL_GRAPH, &graph);
    pb_string(&opset, OPSET_DOMAIN, ""); /* the default ai.onnx domain */
    pb_int(&opset, OPSET_VERSION, NNT_ONNX_OPSET);
    pb_message(out, MODEL_OPSET_IMPORT, &opset);

    wbuf_u8(&text, '[');
    for (int c = 0; c < m->n_classes; c++) {
        if (c)
            wbuf_u8(&text, ',');
        json_quote(&text, m->class_names[c], strlen(m->class_names[c])); /* valid UTF-8, as protobuf wants */
    }
    wbuf_put(&text, "]", 2); /* with the NUL: text.data is a C string */
    if (!text.failed)
        metadata(out, "classes", (const char *)text.data);
    char num[32];
    snprintf(num, sizeof num, "%lu", (unsigned long)m->height);
    metadata(out, "input_height", num);
    snprintf(num, sizeof num, "%lu", (unsigned long)m->width);
    metadata(out, "input_width", num);
    snprintf(num, sizeof num, "%d", m->channels);
    metadata(out, "input_channels", num);
    snprintf(num, sizeof num, "%g", (double)NNT_PIXEL_DIVISOR);
    metadata(out, "input_divisor", num);
    metadata(out, "activation", act_name(net->act));
    metadata(out, "output", output_name(m));

    int failed = graph.failed || text.failed || opset.failed || out->failed;
    wbuf_free(&graph);
    wbuf_free(&text);
    wbuf_free(&opset);
    if (failed)
        return nnt_errf(err, "%s: out of memory while building the ONNX graph", name);
    if (out->len > PB_MAX_MESSAGE)
        return nnt_errf(err, "%s: the ONNX graph would be %zu bytes, over protobuf's 2 GiB limit",
                        name, out->len);
    return 0;
}

int export_onnx(const nnt_model *m, const char *path, const char *producer_version, nnt_err *err)
{
    nnt_wbuf out = {0};
    int rc = export_onnx_encode(&out, m, producer_version, path, err);
    if (rc == 0)
        rc = wbuf_save(&out, path, err);
    wbuf_free(&out);
    return rc;
}
