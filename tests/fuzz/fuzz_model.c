/* fuzz_model.c — libFuzzer target for the model file decoder (model_decode in src/formats/model.c).
 *
 * Invariants: a failure leaves a zeroed model and a message starting with the name given; a
 * success is a consistent model that model_encode accepts, whose encoding is no longer than the
 * input (the decoder keeps nothing the encoder drops, only skipped ancillary chunks), decodes to
 * the same model, and re-encodes to the same bytes.
 *
 * The file's CRC-32 is checked before any chunk is parsed, which a mutated input almost never
 * passes; so an input with the model magic is also run with its last four bytes replaced by the
 * right checksum, which lets the fuzzer reach the chunk parser. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "fuzz_check.h"
#include "nnt/meta.h"
#include "nnt/model.h"

#define NAME "fuzz-input"

static void check_zeroed(const nnt_model *m)
{
    FUZZ_CHECK(!m->net.params && !m->class_names && !m->meta && m->n_classes == 0 && m->width == 0 &&
                   m->net.n_params == 0 && m->version == 0,
               "a failed decode left a non-empty model");
}

static void check_same(const nnt_model *a, const nnt_model *b)
{
    FUZZ_CHECK(a->width == b->width && a->height == b->height && a->channels == b->channels &&
                   a->n_classes == b->n_classes && a->version == b->version,
               "geometry or class count changed in the round trip");
    FUZZ_CHECK(a->net.n_x == b->net.n_x && a->net.n_h == b->net.n_h && a->net.n_y == b->net.n_y &&
                   a->net.act == b->net.act && a->net.n_params == b->net.n_params,
               "network sizes changed in the round trip");
    FUZZ_CHECK(memcmp(a->net.params, b->net.params, a->net.n_params * sizeof(float)) == 0,
               "parameters changed in the round trip");
    for (int i = 0; i < a->n_classes; i++)
        FUZZ_CHECK(strcmp(a->class_names[i], b->class_names[i]) == 0, "class name %d changed", i);
    FUZZ_CHECK((!a->meta && !b->meta) || (a->meta && b->meta && strcmp(a->meta, b->meta) == 0),
               "meta changed in the round trip");
}

/* meta_each hands out slices of one line: no '\n' inside, a key never holding '=' */
static int count_line(void *ctx, const char *key, size_t klen, const char *val, size_t vlen)
{
    FUZZ_CHECK(!memchr(key, '\n', klen) && !memchr(key, '=', klen) && !memchr(val, '\n', vlen),
               "META line split wrongly");
    (*(size_t *)ctx)++;
    return 0;
}

static void check_decoded(const nnt_model *m, size_t size)
{
    const nnt_net *net = &m->net;
    FUZZ_CHECK(m->version >= 1 && m->version <= NNT_MODEL_VERSION, "version %u", m->version);
    FUZZ_CHECK(m->channels == 1 || m->channels == 3, "channels %d", m->channels);
    FUZZ_CHECK((uint64_t)net->n_x == (uint64_t)m->width * m->height * (uint64_t)m->channels,
               "n_x %d for %ux%ux%d", net->n_x, m->width, m->height, m->channels);
    FUZZ_CHECK(m->n_classes >= 2 && net->n_y == (m->n_classes == 2 ? 1 : m->n_classes),
               "n_y %d for %d classes", net->n_y, m->n_classes);
    nnt_err e;
    FUZZ_CHECK(net->params && net->n_params == net_param_count(net->n_x, net->n_h, net->n_y, &e),
               "%zu parameters", net->n_params);
    FUZZ_CHECK(net->n_params * 4 < size, "%zu parameters from %zu bytes", net->n_params, size);
    FUZZ_CHECK(m->class_names, "no class names");
    for (int i = 0; i < m->n_classes; i++)
        FUZZ_CHECK(m->class_names[i] && m->class_names[i][0], "class name %d empty", i);
    size_t lines = 0;
    meta_each(m->meta, count_line, &lines);
}

static void run(const uint8_t *data, size_t size)
{
    nnt_model m;
    nnt_err err = {{0}, 0};
    if (model_decode(&m, data, size, NAME, &err) != 0) {
        FUZZ_CHECK(strncmp(err.msg, NAME ": ", strlen(NAME ": ")) == 0 && err.msg[strlen(NAME ": ")],
                   "failure message does not start with the name: \"%s\"", err.msg);
        check_zeroed(&m);
        return;
    }
    check_decoded(&m, size);

    uint8_t *buf1 = NULL, *buf2 = NULL;
    size_t len1 = 0, len2 = 0;
    nnt_model m2;
    FUZZ_CHECK(model_encode(&buf1, &len1, &m, &err) == 0, "a decoded model does not encode: %s", err.msg);
    FUZZ_CHECK(len1 <= size, "encoding is %zu bytes, the input %zu", len1, size);
    FUZZ_CHECK(model_decode(&m2, buf1, len1, NAME, &err) == 0, "an encoded model does not decode: %s",
               err.msg);
    check_same(&m, &m2);
    FUZZ_CHECK(model_encode(&buf2, &len2, &m2, &err) == 0, "re-encoding failed: %s", err.msg);
    FUZZ_CHECK(len1 == len2 && memcmp(buf1, buf2, len1) == 0, "re-encoding gave other bytes");
    free(buf1);
    free(buf2);
    model_free(&m2);
    model_free(&m);
    check_zeroed(&m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const uint8_t magic[8] = {0x89, 'N', 'N', 'T', '\r', '\n', 0x1a, '\n'};
    run(data, size);
    if (size < 16 || memcmp(data, magic, 8) != 0)
        return 0;
    uint8_t *copy = malloc(size);
    FUZZ_CHECK(copy, "out of memory");
    memcpy(copy, data, size);
    uint32_t crc = (uint32_t)crc32(crc32(0L, Z_NULL, 0), copy, (uInt)(size - 4));
    for (int i = 0; i < 4; i++)
        copy[size - 4 + i] = (uint8_t)(crc >> (8 * i));
    if (memcmp(copy, data, size) != 0)
        run(copy, size);
    free(copy);
    return 0;
}
