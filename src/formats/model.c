/* model.c — the model file's content (docs/model-format.md): HEAD (geometry, network sizes,
 * activation, input scaling), CLSS, PARM and META encoded, and decoded by a reader that trusts no
 * byte of its input, both under one set of consistency rules (kept in one file, past 400 lines,
 * so that what is written and what is accepted are checked side by side). Framing and checksum:
 * chunk.c; crash-safe saving and size-checked loading: file.c. */
#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "nnt/checkpoint.h"
#include "nnt/chunk.h"
#include "nnt/file.h"
#include "nnt/le.h"
#include "nnt/meta.h"
#include "nnt/model.h"
#include "nnt/path.h"
#include "nnt/pixels.h"
#include "nnt/wbuf.h"

_Static_assert(sizeof(float) == 4 && FLT_MANT_DIG == 24, "the file stores IEEE-754 binary32");
/* HEAD stores the activation as its nnt_act number: these values are part of the file format. */
_Static_assert(NNT_ACT_SIGMOID == 0 && NNT_ACT_TANH == 1 && NNT_ACT_RELU == 2 &&
                   NNT_ACT_LEAKY_RELU == 3 && NNT_ACT_COUNT == 4,
               "renumbering nnt_act changes what old model files mean");

enum {
    HEAD_V1 = 36,      /* nine u32/f32 fields */
    NAME_MAX_LEN = 255 /* class names are folder names: NAME_MAX on common file systems */
};


/* ---- consistency, shared by the encoder (never write what the decoder refuses) and the decoder */

/* Checks the geometry and network sizes; on success sets *n_params. Values arrive as u64 so that a
 * negative int from a caller and a huge u32 from a file fail the same range checks. */
static int check_shape(const char *name, uint64_t width, uint64_t height, uint64_t channels,
                       uint64_t n_x, uint64_t n_h, uint64_t n_y, uint64_t n_classes, uint64_t act,
                       size_t *n_params, nnt_err *err)
{
    if (channels != 1 && channels != 3)
        return nnt_errf(err, "%s: channels is %llu, expected 1 (gray) or 3 (RGB)", name,
                        (unsigned long long)channels);
    if (width < 1 || height < 1 || width > INT_MAX || height > INT_MAX / width ||
        width * height > INT_MAX / channels)
        return nnt_errf(err,
                        "%s: dimensions do not add up: an input of %llu x %llu x %llu is "
                        "empty or larger than nnt supports",
                        name, (unsigned long long)width, (unsigned long long)height,
                        (unsigned long long)channels);
    if (n_x != width * height * channels)
        return nnt_errf(err,
                        "%s: dimensions do not add up: width x height x channels = %llu x "
                        "%llu x %llu, but the network has %llu inputs",
                        name, (unsigned long long)width, (unsigned long long)height,
                        (unsigned long long)channels, (unsigned long long)n_x);
    if (n_classes < 2 || n_classes > INT_MAX)
        return nnt_errf(err, "%s: %llu classes, expected at least 2", name,
                        (unsigned long long)n_classes);
    uint64_t want_n_y = n_classes == 2 ? 1 : n_classes;
    if (n_y != want_n_y)
        return nnt_errf(err,
                        "%s: dimensions do not add up: %llu classes need %llu output units, "
                        "but the network has %llu",
                        name, (unsigned long long)n_classes, (unsigned long long)want_n_y,
                        (unsigned long long)n_y);
    if (n_h < 1 || n_h > INT_MAX)
        return nnt_errf(err, "%s: %llu hidden units, expected 1 to %d", name,
                        (unsigned long long)n_h, INT_MAX);
    if (act >= NNT_ACT_COUNT)
        return nnt_errf(err, "%s: unknown activation %llu", name, (unsigned long long)act);
    nnt_err e;
    *n_params = net_param_count((int)n_x, (int)n_h, (int)n_y, &e);
    if (*n_params == 0)
        return nnt_errf(err, "%s: %s", name, e.msg);
    return 0;
}

/* A class name becomes a folder or a label on a command line: 1..255 bytes, no NUL, no '/', not
 * "." or "..". UTF-8 is expected but not enforced, as POSIX folder names are any bytes. */
static int check_class_name(const char *name, const char *s, size_t len, size_t i, nnt_err *err)
{
    if (len < 1 || len > NAME_MAX_LEN)
        return nnt_errf(err, "%s: class name %zu is %zu bytes long, expected 1 to %d", name, i, len,
                        NAME_MAX_LEN);
    if (memchr(s, '\0', len))
        return nnt_errf(err, "%s: class name %zu contains a NUL byte", name, i);
    if (memchr(s, '/', len))
        return nnt_errf(err, "%s: class name %zu contains '/'", name, i);
    if ((len == 1 && s[0] == '.') || (len == 2 && s[0] == '.' && s[1] == '.'))
        return nnt_errf(err, "%s: class name %zu is \"%.*s\"", name, i, (int)len, s);
    return 0;
}

/* Sorting a copy finds duplicates in n log n: n comes from the file and may be large. */
static int check_unique(const char *name, char *const *names, size_t n, nnt_err *err)
{
    size_t bytes;
    const char **sorted = nnt_mul_size(&bytes, n, sizeof *sorted) ? NULL : malloc(bytes);
    if (!sorted)
        return nnt_errf(err, "%s: out of memory", name);
    memcpy(sorted, names, n * sizeof *sorted);
    qsort(sorted, n, sizeof *sorted, path_cmp);
    int rc = 0;
    for (size_t i = 1; i < n && rc == 0; i++)
        if (strcmp(sorted[i - 1], sorted[i]) == 0)
            rc = nnt_errf(err, "%s: class name \"%s\" appears twice", name, sorted[i]);
    free(sorted);
    return rc;
}

static int check_params(const char *name, const float *p, size_t n, nnt_err *err)
{
    for (size_t i = 0; i < n; i++)
        if (!isfinite(p[i]))
            return nnt_errf(err, "%s: parameter %zu is not finite (%g)", name, i, (double)p[i]);
    return 0;
}

/* ---- encoding */

/* model_encode with `name` in front of its messages (model_save passes the path). */
static int encode(uint8_t **buf, size_t *len, const nnt_model *model, const char *name,
                  nnt_err *err)
{
    const nnt_net *net = &model->net;
    size_t n_params;
    *buf = NULL;
    *len = 0;
    if (check_shape(name, model->width, model->height, (uint64_t)(int64_t)model->channels,
                    (uint64_t)(int64_t)net->n_x, (uint64_t)(int64_t)net->n_h,
                    (uint64_t)(int64_t)net->n_y, (uint64_t)(int64_t)model->n_classes,
                    (uint64_t)net->act, &n_params, err))
        return -1;
    if (!net->params || net->n_params != n_params)
        return nnt_errf(err, "%s: the network holds %zu parameters, its sizes need %zu", name,
                        net->params ? net->n_params : 0, n_params);
    if (check_params(name, net->params, n_params, err))
        return -1;
    size_t n_classes = (size_t)model->n_classes;
    if (!model->class_names)
        return nnt_errf(err, "%s: no class names", name);

    /* sizes: every addition checked, though only a huge network or meta could overflow them */
    size_t clss = 4, parm, meta = model->meta ? strlen(model->meta) : 0, total;
    int overflow = 0;
    for (size_t i = 0; i < n_classes; i++) {
        const char *s = model->class_names[i];
        size_t n = s ? strlen(s) : 0;
        if (check_class_name(name, s ? s : "", n, i, err))
            return -1;
        overflow |= nnt_add_size(&clss, clss, 4 + n);
    }
    if (check_unique(name, model->class_names, n_classes, err))
        return -1;
    overflow |= nnt_mul_size(&parm, n_params, 4) || nnt_add_size(&parm, parm, 8) ||
                nnt_add_size(&total, CHUNK_FILE_HEADER + 4 * CHUNK_HEADER + HEAD_V1 + CHUNK_CRC_BYTES, clss) ||
                nnt_add_size(&total, total, parm) ||
                (model->meta && (nnt_add_size(&total, total, meta) ||
                                 nnt_add_size(&total, total, CHUNK_HEADER))) ||
                (uint64_t)total > NNT_MODEL_MAX_BYTES;
    if (overflow)
        return nnt_errf(err,
                        "%s: the model would be larger than the %llu-byte limit of the file "
                        "format",
                        name, (unsigned long long)NNT_MODEL_MAX_BYTES);

    uint8_t *b = malloc(total), *p = b;
    if (!b)
        return nnt_errf(err, "%s: out of memory for %zu bytes", name, total);
    memcpy(p, chunk_magic, 8);
    le_put_u32(p + 8, NNT_MODEL_VERSION);
    p += CHUNK_FILE_HEADER;

    p = chunk_put_header(p, "HEAD", HEAD_V1);
    uint32_t head[8] = {
        model->width,       model->height,      (uint32_t)model->channels,  (uint32_t)net->n_x,
        (uint32_t)net->n_h, (uint32_t)net->n_y, (uint32_t)model->n_classes, (uint32_t)net->act};
    for (int i = 0; i < 8; i++)
        le_put_u32(p + 4 * i, head[i]);
    le_put_f32(p + 32, NNT_PIXEL_DIVISOR);
    p += HEAD_V1;

    p = chunk_put_header(p, "CLSS", clss);
    le_put_u32(p, (uint32_t)n_classes);
    p += 4;
    for (size_t i = 0; i < n_classes; i++) {
        size_t n = strlen(model->class_names[i]);
        le_put_u32(p, (uint32_t)n);
        memcpy(p + 4, model->class_names[i], n);
        p += 4 + n;
    }

    p = chunk_put_header(p, "PARM", parm);
    le_put_u64(p, n_params);
    p += 8;
    for (size_t i = 0; i < n_params; i++, p += 4)
        le_put_f32(p, net->params[i]);

    if (model->meta) {
        p = chunk_put_header(p, "META", meta);
        memcpy(p, model->meta, meta);
        p += meta;
    }

    p = chunk_put_header(p, "END ", 0);
    le_put_u32(p, wbuf_crc32(b, (size_t)(p - b)));
    *buf = b;
    *len = total;
    return 0;
}

int model_encode(uint8_t **buf, size_t *len, const nnt_model *model, nnt_err *err)
{
    return encode(buf, len, model, "model", err);
}

/* ---- decoding */

typedef struct span {
    const uint8_t *p;
    size_t n;
} span;

/* HEAD: geometry, network sizes, activation, input scaling. */
static int decode_head(nnt_model *model, size_t *n_params, span s, const char *name, nnt_err *err)
{
    if (s.n != HEAD_V1)
        return nnt_errf(err, "%s: HEAD chunk is %zu bytes, expected %d", name, s.n, HEAD_V1);
    uint32_t f[8];
    for (int i = 0; i < 8; i++)
        f[i] = le_get_u32(s.p + 4 * i);
    if (check_shape(name, f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7], n_params, err))
        return -1;
    /* version 1 records the input scaling (pixels.h); a file asking for another one is refused
     * rather than silently mispredicted */
    float divisor = le_get_f32(s.p + 32);
    if (divisor != NNT_PIXEL_DIVISOR)
        return nnt_errf(err, "%s: input scaling divides pixels by %g; this nnt divides by %g", name,
                        (double)divisor, (double)NNT_PIXEL_DIVISOR);
    model->width = f[0];
    model->height = f[1];
    model->channels = (int)f[2];
    model->net.n_x = (int)f[3];
    model->net.n_h = (int)f[4];
    model->net.n_y = (int)f[5];
    model->n_classes = (int)f[6];
    model->net.act = (nnt_act)f[7];
    return 0;
}

/* CLSS: u32 count, then count × (u32 length, bytes). */
static int decode_classes(nnt_model *model, span s, const char *name, nnt_err *err)
{
    if (s.n < 4)
        return nnt_errf(err, "%s: CLSS chunk is %zu bytes, too short for its count", name, s.n);
    uint32_t count = le_get_u32(s.p);
    if (count != (uint32_t)model->n_classes)
        return nnt_errf(err,
                        "%s: dimensions do not add up: CLSS lists %lu class names, HEAD says "
                        "%d classes",
                        name, (unsigned long)count, model->n_classes);
    /* every name takes at least 5 bytes, so this bounds the allocation by the file size */
    if (count > (s.n - 4) / 5)
        return nnt_errf(err, "%s: truncated: CLSS chunk of %zu bytes cannot hold %lu names", name,
                        s.n, (unsigned long)count);
    model->class_names = calloc(count, sizeof *model->class_names);
    if (!model->class_names)
        return nnt_errf(err, "%s: out of memory", name);
    size_t pos = 4;
    for (size_t i = 0; i < count; i++) {
        if (s.n - pos < 4)
            return nnt_errf(err, "%s: truncated: CLSS chunk ends in class name %zu", name, i);
        size_t n = le_get_u32(s.p + pos);
        pos += 4;
        if (n > s.n - pos)
            return nnt_errf(err, "%s: truncated: class name %zu runs past the CLSS chunk", name, i);
        const char *str = (const char *)s.p + pos;
        if (check_class_name(name, str, n, i, err))
            return -1;
        if (!(model->class_names[i] = malloc(n + 1)))
            return nnt_errf(err, "%s: out of memory", name);
        memcpy(model->class_names[i], str, n);
        model->class_names[i][n] = '\0';
        pos += n;
    }
    if (pos != s.n)
        return nnt_errf(err, "%s: %zu unused bytes at the end of the CLSS chunk", name, s.n - pos);
    return check_unique(name, model->class_names, count, err);
}

/* PARM: u64 count, then count float32 in net.params order. */
static int decode_params(nnt_model *model, size_t n_params, span s, const char *name, nnt_err *err)
{
    if (s.n < 8)
        return nnt_errf(err, "%s: PARM chunk is %zu bytes, too short for its count", name, s.n);
    uint64_t count = le_get_u64(s.p);
    if ((s.n - 8) % 4 != 0 || (s.n - 8) / 4 != count)
        return nnt_errf(err,
                        "%s: PARM chunk of %zu bytes does not hold the %llu parameters it "
                        "announces",
                        name, s.n, (unsigned long long)count);
    if (count != n_params)
        return nnt_errf(err,
                        "%s: dimensions do not add up: %llu parameters stored, the network "
                        "needs %zu",
                        name, (unsigned long long)count, n_params);
    nnt_net *net = &model->net;
    nnt_err e;
    if (net_new(net, net->n_x, net->n_h, net->n_y, net->act, &e)) /* zeroes net on failure */
        return nnt_errf(err, "%s: %s", name, e.msg);
    for (size_t i = 0; i < n_params; i++)
        net->params[i] = le_get_f32(s.p + 8 + 4 * i);
    return check_params(name, net->params, n_params, err);
}

/* Version 1: the chunks between the file header and the checksum (region [p, p + n)). */
static int decode_v1(nnt_model *model, const uint8_t *p, size_t n, const char *name, nnt_err *err)
{
    static const char *const known[] = {"HEAD", "CLSS", "PARM", "META"};
    span found[4] = {{NULL, 0}};
    int seen[4] = {0};
    size_t pos = 0;
    for (int first = 1;; first = 0) {
        const uint8_t *tag;
        span s;
        if (chunk_next(&tag, &s.p, &s.n, p, n, &pos, name, err))
            return -1;
        if (first && !chunk_tag_is(tag, "HEAD"))
            return nnt_errf(err, "%s: the first chunk is %.4s, expected HEAD", name,
                            (const char *)tag);
        if (chunk_tag_is(tag, "END ")) {
            if (s.n != 0)
                return nnt_errf(err, "%s: END chunk has %zu bytes of payload, expected none", name,
                                s.n);
            break;
        }
        int k = 0;
        while (k < 4 && !chunk_tag_is(tag, known[k]))
            k++;
        if (k < 4) {
            if (seen[k]++)
                return nnt_errf(err, "%s: duplicate %s chunk", name, known[k]);
            found[k] = s;
        } else if (chunk_tag_critical(tag)) {
            return nnt_errf(err, "%s: unknown critical chunk %.4s (written by a newer nnt?)", name,
                            (const char *)tag);
        } /* else an unknown ancillary chunk: skipped, by the rule in docs/model-format.md */
    }
    if (pos != n)
        return nnt_errf(err, "%s: %zu bytes between the END chunk and the checksum", name, n - pos);
    for (int k = 1; k < 3; k++) /* HEAD was checked to come first; META is optional */
        if (!seen[k])
            return nnt_errf(err, "%s: no %s chunk", name, known[k]);
    size_t n_params;
    if (decode_head(model, &n_params, found[0], name, err) ||
        decode_classes(model, found[1], name, err) ||
        decode_params(model, n_params, found[2], name, err) ||
        (seen[3] && meta_decode(&model->meta, found[3].p, found[3].n, name, err)))
        return -1;
    return 0;
}

int model_decode(nnt_model *model, const uint8_t *buf, size_t len, const char *name, nnt_err *err)
{
    memset(model, 0, sizeof *model);
    if (!name)
        name = "model";
    if (len == 0)
        return nnt_errf(err, "%s: truncated: the file is empty", name);
    if ((uint64_t)len > NNT_MODEL_MAX_BYTES)
        return nnt_errf(err, "%s: %zu bytes, more than the %llu-byte limit of a model file", name,
                        len, (unsigned long long)NNT_MODEL_MAX_BYTES);
    if (memcmp(buf, chunk_magic, len < 8 ? len : 8) != 0)
        return nnt_errf(err, "%s: bad magic: not an nnt model file%s", name,
                        checkpoint_is(buf, len) ? " (a training checkpoint: nnt train --resume "
                                                  "goes on with it, nnt info shows it)" : "");
    if (len < CHUNK_FILE_HEADER)
        return nnt_errf(err, "%s: truncated: the file ends in its header", name);
    /* the version comes before the checksum: a later version may checksum differently */
    uint32_t version = le_get_u32(buf + 8);
    if (version == 0 || version > NNT_MODEL_VERSION)
        return nnt_errf(err, "%s: unsupported format version %lu (this nnt reads 1..%d)", name,
                        (unsigned long)version, NNT_MODEL_VERSION);
    if (chunk_check_integrity(buf, len, NNT_MODEL_MAX_BYTES, name, err))
        return -1;
    /* a matching checksum proves nothing against a crafted file: decode_v1 checks every bound */
    if (decode_v1(model, buf + CHUNK_FILE_HEADER, len - CHUNK_FILE_HEADER - CHUNK_CRC_BYTES, name, err)) {
        model_free(model);
        return -1;
    }
    model->version = version;
    return 0;
}

/* ---- files */

int model_save(const nnt_model *model, const char *path, nnt_err *err)
{
    uint8_t *buf;
    size_t len;
    if (encode(&buf, &len, model, path, err))
        return -1;
    int rc = file_save(path, buf, len, err); /* all or nothing */
    free(buf);
    return rc;
}

int model_load(nnt_model *model, const char *path, nnt_err *err)
{
    memset(model, 0, sizeof *model);
    uint8_t *buf;
    size_t len;
    if (file_load(&buf, &len, path, NNT_MODEL_MAX_BYTES, "a model file", err))
        return -1;
    int rc = model_decode(model, buf, len, path, err);
    free(buf);
    return rc;
}

void model_free(nnt_model *model)
{
    if (!model)
        return;
    net_free(&model->net);
    if (model->class_names)
        for (int i = 0; i < model->n_classes; i++)
            free(model->class_names[i]);
    free(model->class_names);
    free(model->meta);
    memset(model, 0, sizeof *model);
}
