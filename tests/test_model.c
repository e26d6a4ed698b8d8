/* test_model.c — the model file: round trips, the pinned v1 fixture, every refusal of the decoder
 * (each decode runs on an exact-size heap copy, so ASan sees any overread), and crash-safe saving.
 * Usage: test_model [tests/data/model-v1.bin [OUT.bin]]; without arguments the fixture is found in
 * $NNT_TEST_DATA. OUT.bin, when given, receives a five-class model for readers written in other
 * languages (docs/model-format.md's Python example is checked against it). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <float.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "check.h"
#include "nnt/model.h"
#include "nnt/rng.h"

/* ---- helpers */

static int has(const nnt_err *e, const char *s) { return strstr(e->msg, s) != NULL; }

static int is_zeroed(const nnt_model *m)
{
    return m->net.params == NULL && m->class_names == NULL && m->meta == NULL && m->n_classes == 0;
}

/* Decodes an exact-size heap copy as "m.bin"; checks a failure leaves the model zeroed and
 * names the file. */
static int decode_copy(nnt_model *m, const uint8_t *buf, size_t len, nnt_err *err)
{
    uint8_t *copy = malloc(len ? len : 1);
    memcpy(copy, buf, len);
    err->msg[0] = '\0';
    int rc = model_decode(m, copy, len, "m.bin", err);
    free(copy);
    if (rc) {
        CHECKF(is_zeroed(m), "failed decode left allocations: %s", err->msg);
        CHECKF(strncmp(err->msg, "m.bin: ", 7) == 0, "message does not start with the name: %s",
               err->msg);
    }
    return rc;
}

/* Decoding must fail with a message containing `want`. */
#define CHECK_REFUSED(buf, len, want)                                                              \
    do {                                                                                           \
        nnt_model m_;                                                                              \
        nnt_err e_;                                                                                \
        int rc_ = decode_copy(&m_, (buf), (len), &e_);                                             \
        CHECKF(rc_ != 0 && has(&e_, (want)), "want \"%s\", got rc %d \"%s\"", (want), rc_,         \
               rc_ ? e_.msg : "");                                                                 \
        if (rc_ == 0)                                                                              \
            model_free(&m_);                                                                       \
    } while (0)

static void put_u32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t get_u32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get_u64(const uint8_t *p) { return get_u32(p) | (uint64_t)get_u32(p + 4) << 32; }

static void recrc(uint8_t *buf, size_t len)
{
    put_u32(buf + len - 4, (uint32_t)crc32(crc32(0L, Z_NULL, 0), buf, (uInt)(len - 4)));
}

/* Offset of the payload of chunk `tag` in a well-formed file (its length in *n), or 0. */
static size_t find_chunk(const uint8_t *b, size_t len, const char *tag, size_t *n)
{
    for (size_t pos = 12; pos + 12 <= len - 4;) {
        uint64_t clen = get_u64(b + pos + 4);
        if (memcmp(b + pos, tag, 4) == 0) {
            *n = (size_t)clen;
            return pos + 12;
        }
        pos += 12 + (size_t)clen;
    }
    return 0;
}

static char *copy_str(const char *s)
{
    size_t n = strlen(s) + 1;
    return memcpy(malloc(n), s, n);
}

/* An owned model with random parameters, plus the awkward values a file must carry bit-exactly. */
static nnt_model make_model(uint32_t w, uint32_t h, int c, int n_h, int n_classes, nnt_act act,
                            const char *const *names, const char *meta, uint64_t seed)
{
    nnt_model m = {.width = w, .height = h, .channels = c, .n_classes = n_classes};
    nnt_err err;
    int n_y = n_classes == 2 ? 1 : n_classes;
    if (net_new(&m.net, (int)(w * h * (uint32_t)c), n_h, n_y, act, &err)) {
        fprintf(stderr, "net_new: %s\n", err.msg);
        abort();
    }
    nnt_rng rng;
    rng_seed(&rng, seed);
    for (size_t i = 0; i < m.net.n_params; i++)
        m.net.params[i] = (float)rng_normal(&rng);
    const float odd[] = {-0.0f, FLT_MIN / 4, -FLT_MAX, FLT_MAX, FLT_MIN, 1e-45f, 0.1f};
    for (size_t i = 0; i < sizeof odd / sizeof *odd && i < m.net.n_params; i++)
        m.net.params[i] = odd[i];
    m.class_names = calloc((size_t)n_classes, sizeof *m.class_names);
    for (int i = 0; i < n_classes; i++)
        m.class_names[i] = copy_str(names[i]);
    m.meta = meta ? copy_str(meta) : NULL;
    return m;
}

static int same_model(const nnt_model *a, const nnt_model *b)
{
    if (a->width != b->width || a->height != b->height || a->channels != b->channels ||
        a->n_classes != b->n_classes || a->net.n_x != b->net.n_x || a->net.n_h != b->net.n_h ||
        a->net.n_y != b->net.n_y || a->net.act != b->net.act || a->net.n_params != b->net.n_params)
        return 0;
    if (memcmp(a->net.params, b->net.params, a->net.n_params * sizeof(float)) != 0)
        return 0;
    /* the named tensors must point into the block as net_new lays it out */
    if (b->net.W1 != b->net.params || b->net.b1 != b->net.W1 + (size_t)b->net.n_h * b->net.n_x ||
        b->net.W2 != b->net.b1 + b->net.n_h ||
        b->net.b2 != b->net.W2 + (size_t)b->net.n_y * b->net.n_h)
        return 0;
    for (int i = 0; i < a->n_classes; i++)
        if (strcmp(a->class_names[i], b->class_names[i]) != 0)
            return 0;
    if (!a->meta || !b->meta)
        return !a->meta && !b->meta;
    return strcmp(a->meta, b->meta) == 0;
}

/* ---- an independent writer, following docs/model-format.md rather than model.c */

typedef struct bytes {
    uint8_t *p;
    size_t n;
} bytes;

static void b_put(bytes *b, const void *src, size_t n)
{
    b->p = realloc(b->p, b->n + n + 1);
    if (n)
        memcpy(b->p + b->n, src, n);
    b->n += n;
}

static void b_u32(bytes *b, uint32_t v)
{
    uint8_t t[4];
    put_u32(t, v);
    b_put(b, t, 4);
}

static void b_u64(bytes *b, uint64_t v)
{
    b_u32(b, (uint32_t)v);
    b_u32(b, (uint32_t)(v >> 32));
}

static void b_f32(bytes *b, float f)
{
    uint32_t v;
    memcpy(&v, &f, 4);
    b_u32(b, v);
}

static void b_chunk(bytes *b, const char *tag, const bytes *payload)
{
    b_put(b, tag, 4);
    b_u64(b, payload->n);
    b_put(b, payload->p, payload->n);
}

/* The fixture's chunks, separately editable. */
typedef struct parts {
    bytes head, clss, parm, meta;
} parts;

static void head_payload(bytes *b, const uint32_t f[8], float divisor)
{
    b->n = 0;
    for (int i = 0; i < 8; i++)
        b_u32(b, f[i]);
    b_f32(b, divisor);
}

static void clss_payload(bytes *b, const char *const *names, const size_t *lens, uint32_t n)
{
    b->n = 0;
    b_u32(b, n);
    for (uint32_t i = 0; i < n; i++) {
        b_u32(b, (uint32_t)lens[i]);
        b_put(b, names[i], lens[i]);
    }
}

static const uint32_t FIXTURE_HEAD[8] = {3, 2, 1, 6, 3, 1, 2, NNT_ACT_RELU};

static parts fixture_parts(void)
{
    parts p;
    memset(&p, 0, sizeof p);
    head_payload(&p.head, FIXTURE_HEAD, 255.0f);
    const char *names[] = {"cat", "non-cat"};
    const size_t lens[] = {3, 7};
    clss_payload(&p.clss, names, lens, 2);
    b_u64(&p.parm, 25);
    for (int i = 0; i < 25; i++)
        b_f32(&p.parm, (float)i * 0.125f - 1.0f);
    b_put(&p.meta, "nnt_version=0.1.0\n", 18);
    return p;
}

static void free_parts(parts *p)
{
    free(p->head.p);
    free(p->clss.p);
    free(p->parm.p);
    free(p->meta.p);
}

/* Builds a version-1 file whose chunks follow `tags` (4 characters each); known tags
 * take their payload from p, any other tag gets 3 junk bytes; then END and the CRC. */
static bytes assemble(const parts *p, const char *tags)
{
    static const uint8_t magic[8] = {0x89, 'N', 'N', 'T', '\r', '\n', 0x1a, '\n'};
    bytes b = {0}, junk = {(uint8_t *)"xyz", 3}, none = {0};
    b_put(&b, magic, 8);
    b_u32(&b, 1);
    for (const char *t = tags; *t; t += 4) {
        const bytes *payload = !memcmp(t, "HEAD", 4)   ? &p->head
                               : !memcmp(t, "CLSS", 4) ? &p->clss
                               : !memcmp(t, "PARM", 4) ? &p->parm
                               : !memcmp(t, "META", 4) ? &p->meta
                                                       : &junk;
        b_chunk(&b, t, payload);
    }
    b_chunk(&b, "END ", &none);
    b_u32(&b, 0);
    recrc(b.p, b.n);
    return b;
}

#define STD "HEADCLSSPARMMETA"

/* ---- the pinned fixture */

static void check_fixture_model(const nnt_model *m)
{
    CHECK(m->version == 1);
    CHECK(m->width == 3 && m->height == 2 && m->channels == 1);
    CHECK(m->net.n_x == 6 && m->net.n_h == 3 && m->net.n_y == 1);
    CHECK(m->net.act == NNT_ACT_RELU);
    CHECK(m->n_classes == 2);
    CHECK(m->class_names && !strcmp(m->class_names[0], "cat") &&
          !strcmp(m->class_names[1], "non-cat"));
    CHECK(m->meta && !strcmp(m->meta, "nnt_version=0.1.0\n"));
    CHECK(m->net.n_params == 25);
    for (size_t i = 0; i < m->net.n_params && i < 25; i++)
        CHECKF(m->net.params[i] == (float)i * 0.125f - 1.0f, "param %zu is %g", i,
               (double)m->net.params[i]);
    /* spot checks through the named tensors: W1 is 3 x 6 column-major, so W1[r + 3c] */
    CHECK(m->net.W1[2 + 3 * 5] == 17 * 0.125f - 1.0f);
    CHECK(m->net.b1[0] == 18 * 0.125f - 1.0f && m->net.W2[2] == 23 * 0.125f - 1.0f);
    CHECK(m->net.b2[0] == 2.0f);
}

static uint8_t *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    uint8_t *b = NULL;
    size_t n = 0, cap = 0;
    for (;;) {
        if (n == cap)
            b = realloc(b, cap = cap ? 2 * cap : 4096);
        size_t got = fread(b + n, 1, cap - n, f);
        n += got;
        if (got == 0)
            break;
    }
    fclose(f);
    *len = n;
    return b;
}

static void test_fixture(const char *path)
{
    nnt_model m;
    nnt_err err;
    int rc = model_load(&m, path, &err);
    CHECKF(rc == 0, "%s", err.msg);
    if (rc)
        return;
    check_fixture_model(&m);

    size_t len;
    uint8_t *file = read_all(path, &len);
    CHECK(file != NULL && len == 260);
    /* our independent writer, reading the spec, produces the same bytes */
    parts p = fixture_parts();
    bytes built = assemble(&p, STD);
    CHECK(file && built.n == len && memcmp(built.p, file, len) == 0);
#if NNT_MODEL_VERSION == 1
    /* and so does this build's encoder: version 1 files do not change under anyone's feet */
    uint8_t *enc;
    size_t enc_len;
    CHECK(model_encode(&enc, &enc_len, &m, &err) == 0);
    CHECK(file && enc_len == len && memcmp(enc, file, len) == 0);
    free(enc);
#endif
    free(built.p);
    free_parts(&p);
    free(file);
    model_free(&m);
}

/* ---- round trips */

static void test_round_trip(const char *keep)
{
    const char *bin[] = {"cat", "non-cat"};
    const char *multi[] = {"airplane", "café", "日本", "x", "a b"};
    nnt_model models[3] = {
        make_model(64, 64, 3, 7, 2, NNT_ACT_RELU, bin, "nnt_version=0.1.0\nseed=1\n", 1),
        make_model(5, 4, 1, 9, 5, NNT_ACT_TANH, multi, NULL, 2),
        make_model(1, 1, 1, 1, 3, NNT_ACT_LEAKY_RELU, multi, "", 3),
    };
    for (int k = 0; k < 3; k++) {
        nnt_err err;
        uint8_t *buf, *again;
        size_t len, again_len;
        CHECKF(model_encode(&buf, &len, &models[k], &err) == 0, "%s", err.msg);
        nnt_model d;
        CHECKF(decode_copy(&d, buf, len, &err) == 0, "%s", err.msg);
        CHECKF(same_model(&models[k], &d), "model %d", k);
        CHECK(d.version == 1);
        /* canonical: decoding and encoding again gives the same bytes */
        CHECK(model_encode(&again, &again_len, &d, &err) == 0);
        CHECK(again_len == len && memcmp(again, buf, len) == 0);
        if (k == 1 && keep)
            CHECKF(model_save(&d, keep, &err) == 0, "%s", err.msg);
        free(again);
        free(buf);
        model_free(&d);
        model_free(&d); /* safe twice */
        model_free(&models[k]);
    }
}

/* ---- the decoder's refusals */

static void test_damage(const uint8_t *file, size_t len)
{
    uint8_t *b = malloc(len + 100);
    /* every truncation fails, and says so */
    for (size_t n = 0; n < len; n++)
        CHECK_REFUSED(file, n, "truncated");

    /* every flipped byte fails, and beyond the file header as a checksum mismatch: only damage to
     * the END chunk's own header can look like a cut file */
    const uint8_t flips[] = {0x01, 0x80, 0xff};
    for (size_t i = 0; i < len; i++)
        for (size_t f = 0; f < sizeof flips; f++) {
            memcpy(b, file, len);
            b[i] ^= flips[f];
            nnt_model m;
            nnt_err err;
            int rc = decode_copy(&m, b, len, &err);
            const char *want = i < 8    ? "bad magic"
                               : i < 12 ? "unsupported format version"
                                        : "checksum mismatch: the file is damaged";
            int in_end = i >= len - 16 && i < len - 4;
            CHECKF(rc != 0 && (has(&err, want) || (in_end && has(&err, "truncated"))),
                   "byte %zu ^ %#x: %s", i, flips[f], rc ? err.msg : "decoded");
            if (rc == 0)
                model_free(&m);
        }

    /* bytes after the checksum */
    memcpy(b, file, len);
    b[len] = 0;
    CHECK_REFUSED(b, len + 1, "trailing bytes after the checksum");
    memset(b + len, 'x', 100);
    CHECK_REFUSED(b, len + 100, "100 trailing bytes after the checksum");

    /* not a model at all */
    CHECK_REFUSED((const uint8_t *)"hello, world\n", 13, "bad magic: not an nnt model file");
    CHECK_REFUSED((const uint8_t *)"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16, "bad magic");
    CHECK_REFUSED((const uint8_t *)"\x89NN", 3, "truncated");
    /* a text-mode transfer turning \r\n into \n */
    memcpy(b, file, 4);
    memcpy(b + 4, file + 5, len - 5);
    CHECK_REFUSED(b, len - 1, "bad magic");
    free(b);
}

/* Rewrites one u32 of the fixture at byte `at`, recomputes the CRC, expects `want`. */
static void check_patched(const uint8_t *file, size_t len, size_t at, uint32_t value,
                          const char *want)
{
    uint8_t *b = malloc(len);
    memcpy(b, file, len);
    put_u32(b + at, value);
    recrc(b, len);
    CHECK_REFUSED(b, len, want);
    free(b);
}

static void test_forged(const uint8_t *file, size_t len)
{
    char want[128];
    snprintf(want, sizeof want, "unsupported format version 0 (this nnt reads 1..%d)",
             NNT_MODEL_VERSION);
    check_patched(file, len, 8, 0, want);
    snprintf(want, sizeof want, "unsupported format version 99 (this nnt reads 1..%d)",
             NNT_MODEL_VERSION);
    check_patched(file, len, 8, 99, want);
    check_patched(file, len, 8, NNT_MODEL_VERSION + 1, "unsupported format version");

    size_t n, head = find_chunk(file, len, "HEAD", &n), parm = find_chunk(file, len, "PARM", &n);
    CHECK(head == 24 && parm != 0);
    enum { W, H, C, NX, NH, NY, NCLS, ACT, DIV };
    const struct {
        int field;
        uint32_t value;
        const char *want;
    } bad[] = {
        {NX, 7, "dimensions do not add up"},
        {W, 4, "dimensions do not add up"},
        {H, 3, "dimensions do not add up"},
        {W, 0, "dimensions do not add up"},
        {W, 0xffffffff, "dimensions do not add up"},
        {H, 0xffffffff, "dimensions do not add up"},
        {C, 2, "channels is 2"},
        {C, 3, "dimensions do not add up"},
        {C, 0, "channels is 0"},
        {NY, 2, "dimensions do not add up"},
        {NY, 0, "dimensions do not add up"},
        {NCLS, 1, "expected at least 2"},
        {NCLS, 0, "expected at least 2"},
        {NCLS, 3, "dimensions do not add up"},
        {NH, 0, "hidden units"},
        {NH, 4, "dimensions do not add up"}, /* PARM then holds too few parameters */
        {NH, 0x80000000u, "hidden units"},
        {ACT, NNT_ACT_COUNT, "unknown activation 4"},
        {ACT, 0xffffffff, "unknown activation"},
        {DIV, 0x3f800000, "input scaling"}, /* 1.0f */
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        check_patched(file, len, head + 4 * (size_t)bad[i].field, bad[i].value, bad[i].want);
    /* 65536 × 65536 × 1 wraps to 0 in 32 bits: must not pass as n_x = 0 */
    uint8_t *b = malloc(len);
    memcpy(b, file, len);
    put_u32(b + head, 65536);
    put_u32(b + head + 4, 65536);
    put_u32(b + head + 12, 0);
    recrc(b, len);
    CHECK_REFUSED(b, len, "dimensions do not add up");
    /* a huge class count whose n_y agrees: refused by CLSS without allocating */
    memcpy(b, file, len);
    put_u32(b + head + 4 * NY, 0x7fffffff);
    put_u32(b + head + 4 * NCLS, 0x7fffffff);
    recrc(b, len);
    CHECK_REFUSED(b, len, "dimensions do not add up");

    /* non-finite parameters */
    const uint32_t nonfinite[] = {0x7fc00000, 0xffc00000, 0x7f800001, 0x7f800000, 0xff800000};
    for (size_t i = 0; i < sizeof nonfinite / sizeof *nonfinite; i++)
        check_patched(file, len, parm + 8 + 4 * 5, nonfinite[i], "parameter 5 is not finite");
    /* PARM count that disagrees with its length, or with the network */
    check_patched(file, len, parm, 24, "does not hold");
    check_patched(file, len, parm + 4, 1, "does not hold"); /* count 2^32 + 25 */
    free(b);
}

static void test_chunks(void)
{
    parts p = fixture_parts();
    nnt_model m;
    nnt_err err;
    bytes b;

    /* chunk order after HEAD is free; META may be absent; unknown ancillary chunks are skipped */
    const char *good[] = {"HEADPARMMETACLSS", "HEADzzzzCLSSPARMmetaMETAxyzz", STD "zzzz",
                          "HEADCLSSPARM"};
    for (size_t i = 0; i < sizeof good / sizeof *good; i++) {
        b = assemble(&p, good[i]);
        int rc = decode_copy(&m, b.p, b.n, &err);
        CHECKF(rc == 0, "%s: %s", good[i], err.msg);
        if (rc == 0) {
            CHECK(m.width == 3 && m.net.n_params == 25 && !strcmp(m.class_names[1], "non-cat"));
            CHECK(i == 3 ? m.meta == NULL : !strcmp(m.meta, "nnt_version=0.1.0\n"));
            model_free(&m);
        }
        free(b.p);
    }

    const struct {
        const char *tags, *want;
    } bad[] = {
        {"HEADCLSSPARMMETAZZZZ", "unknown critical chunk ZZZZ"},
        {"HEADCLSSPARMPARM", "duplicate PARM chunk"},
        {"HEADHEADCLSSPARM", "duplicate HEAD chunk"},
        {"HEADCLSSPARMMETAMETA", "duplicate META chunk"},
        {"HEADCLSSCLSSPARM", "duplicate CLSS chunk"},
        {"HEADPARMMETA", "no CLSS chunk"},
        {"HEADCLSSMETA", "no PARM chunk"},
        {"CLSSHEADPARM", "expected HEAD"},
        {"zzzzHEADCLSSPARM", "expected HEAD"},
        {"", "expected HEAD"},
        {"HEADCLSSPARMHE1D", "bad chunk tag"},
        {"HEADCLSSPARMa zz", "bad chunk tag"},
        {"HEADCLSSPARM zzz", "bad chunk tag"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        b = assemble(&p, bad[i].tags);
        CHECK_REFUSED(b.p, b.n, bad[i].want);
        free(b.p);
    }

    /* an END chunk with a payload; bytes between END and the checksum */
    b = assemble(&p, STD);
    size_t end = b.n - 16;
    bytes e = {0};
    b_put(&e, b.p, end + 4);
    b_u64(&e, 1);
    b_put(&e, "x", 1);
    b_u32(&e, 0);
    recrc(e.p, e.n);
    CHECK_REFUSED(e.p, e.n, "END chunk has 1 bytes of payload");
    e.n = 0;
    b_put(&e, b.p, end + 12);
    b_put(&e, "junk", 4);
    b_u32(&e, 0);
    recrc(e.p, e.n);
    CHECK_REFUSED(e.p, e.n, "4 bytes between the END chunk and the checksum");
    /* no END at all: the checksum right after the last chunk */
    e.n = 0;
    b_put(&e, b.p, end);
    b_u32(&e, 0);
    recrc(e.p, e.n);
    CHECK_REFUSED(e.p, e.n, "truncated");
    /* a forged chunk length running past the end, with a valid checksum */
    const uint64_t lengths[] = {1000, UINT64_MAX, UINT64_MAX - 11, (uint64_t)1 << 63};
    for (size_t i = 0; i < sizeof lengths / sizeof *lengths; i++) {
        e.n = 0;
        b_put(&e, b.p, b.n);
        size_t meta_at = 0, n;
        meta_at = find_chunk(e.p, e.n, "META", &n) - 8;
        for (int k = 0; k < 8; k++)
            e.p[meta_at + k] = (uint8_t)(lengths[i] >> (8 * k));
        recrc(e.p, e.n);
        CHECK_REFUSED(e.p, e.n, "truncated");
    }
    free(e.p);
    free(b.p);

    /* HEAD of the wrong size */
    bytes saved = p.head;
    p.head = (bytes){0};
    b_put(&p.head, saved.p, 32);
    b = assemble(&p, STD);
    CHECK_REFUSED(b.p, b.n, "HEAD chunk is 32 bytes, expected 36");
    free(b.p);
    b_put(&p.head, saved.p + 32, 4);
    b_u32(&p.head, 0);
    b = assemble(&p, STD);
    CHECK_REFUSED(b.p, b.n, "HEAD chunk is 40 bytes, expected 36");
    free(b.p);
    free(p.head.p);
    p.head = saved;

    /* class names */
    char long_name[257];
    memset(long_name, 'a', 256);
    long_name[256] = '\0';
    const struct {
        const char *a, *b;
        size_t la, lb;
        const char *want;
    } names[] = {
        {"cat", "", 3, 0, "class name 1 is 0 bytes long"},
        {"cat", "a/b", 3, 3, "contains '/'"},
        {"c\0t", "dog", 3, 3, "contains a NUL byte"},
        {"..", "dog", 2, 3, "class name 0 is \"..\""},
        {".", "dog", 1, 3, "class name 0 is \".\""},
        {"cat", long_name, 3, 256, "is 256 bytes long, expected 1 to 255"},
        {"cat", "cat", 3, 3, "\"cat\" appears twice"},
    };
    bytes saved_clss = p.clss;
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        p.clss = (bytes){0};
        const char *list[] = {names[i].a, names[i].b};
        const size_t lens[] = {names[i].la, names[i].lb};
        clss_payload(&p.clss, list, lens, 2);
        b = assemble(&p, STD);
        CHECK_REFUSED(b.p, b.n, names[i].want);
        free(b.p);
        free(p.clss.p);
    }
    /* 255 bytes is fine */
    p.clss = (bytes){0};
    {
        const char *list[] = {"cat", long_name};
        const size_t lens[] = {3, 255};
        clss_payload(&p.clss, list, lens, 2);
        b = assemble(&p, STD);
        CHECK(decode_copy(&m, b.p, b.n, &err) == 0 && strlen(m.class_names[1]) == 255);
        model_free(&m);
        free(b.p);
        /* a name length past the chunk; a spare byte at its end; a count that disagrees */
        put_u32(p.clss.p + 4 + 4 + 3, 256);
        b = assemble(&p, STD);
        CHECK_REFUSED(b.p, b.n, "class name 1 runs past the CLSS chunk");
        free(b.p);
        put_u32(p.clss.p + 4 + 4 + 3, 255);
        b_put(&p.clss, "!", 1);
        b = assemble(&p, STD);
        CHECK_REFUSED(b.p, b.n, "1 unused bytes at the end of the CLSS chunk");
        free(b.p);
        put_u32(p.clss.p, 3);
        b = assemble(&p, STD);
        CHECK_REFUSED(b.p, b.n, "CLSS lists 3 class names, HEAD says 2 classes");
        free(b.p);
        free(p.clss.p);
    }
    p.clss = saved_clss;

    /* CLSS too small for its announced count: refused before allocating the name table */
    {
        uint32_t head[8];
        memcpy(head, FIXTURE_HEAD, sizeof head);
        head[5] = head[6] = 1000000000;
        bytes saved_head = p.head;
        p.head = (bytes){0};
        head_payload(&p.head, head, 255.0f);
        put_u32(p.clss.p, 1000000000);
        b = assemble(&p, STD);
        CHECK_REFUSED(b.p, b.n, "cannot hold 1000000000 names");
        free(b.p);
        put_u32(p.clss.p, 2);
        free(p.head.p);
        p.head = saved_head;
    }

    /* META with a NUL; an empty META decodes as "" */
    bytes saved_meta = p.meta;
    p.meta = (bytes){(uint8_t *)"a=1\n\0b=2\n", 9};
    b = assemble(&p, STD);
    CHECK_REFUSED(b.p, b.n, "META chunk contains a NUL byte");
    free(b.p);
    p.meta = (bytes){0};
    b = assemble(&p, STD);
    CHECK(decode_copy(&m, b.p, b.n, &err) == 0 && m.meta && m.meta[0] == '\0');
    model_free(&m);
    free(b.p);
    p.meta = saved_meta;

    /* PARM too short for its count */
    bytes saved_parm = p.parm;
    p.parm = (bytes){(uint8_t *)"\x19\0\0", 3};
    b = assemble(&p, STD);
    CHECK_REFUSED(b.p, b.n, "PARM chunk is 3 bytes, too short");
    free(b.p);
    p.parm = saved_parm;
    free_parts(&p);
}

static void test_encode_refuses(void)
{
    const char *names[] = {"cat", "non-cat", "dog"};
    nnt_model m = make_model(2, 2, 1, 2, 2, NNT_ACT_SIGMOID, names, NULL, 9);
    uint8_t *buf = (uint8_t *)"not null";
    size_t len = 1;
    nnt_err err;

    m.net.params[3] = NAN;
    CHECK(model_encode(&buf, &len, &m, &err) != 0 && has(&err, "parameter 3 is not finite"));
    CHECK(buf == NULL && len == 0);
    m.net.params[3] = 0;

    char *saved = m.class_names[1];
    char slash[] = "a/b", same[] = "cat", empty[] = "";
    m.class_names[1] = slash;
    CHECK(model_encode(&buf, &len, &m, &err) != 0 && has(&err, "contains '/'"));
    m.class_names[1] = same;
    CHECK(model_encode(&buf, &len, &m, &err) != 0 && has(&err, "appears twice"));
    m.class_names[1] = empty;
    CHECK(model_encode(&buf, &len, &m, &err) != 0 && has(&err, "0 bytes long"));
    m.class_names[1] = NULL;
    CHECK(model_encode(&buf, &len, &m, &err) != 0 && has(&err, "0 bytes long"));
    m.class_names[1] = saved;

    m.channels = 2;
    CHECK(model_encode(&buf, &len, &m, &err) != 0 && has(&err, "channels is 2"));
    m.channels = 1;
    m.n_classes = 3; /* n_y is still 1 */
    CHECK(model_encode(&buf, &len, &m, &err) != 0 && has(&err, "dimensions do not add up"));
    m.n_classes = 2;
    m.width = 3;
    CHECK(model_encode(&buf, &len, &m, &err) != 0 && has(&err, "dimensions do not add up"));
    m.width = 2;
    m.net.act = (nnt_act)7;
    CHECK(model_encode(&buf, &len, &m, &err) != 0 && has(&err, "unknown activation 7"));
    m.net.act = NNT_ACT_SIGMOID;
    m.net.n_params--;
    CHECK(model_encode(&buf, &len, &m, &err) != 0 && has(&err, "holds"));
    m.net.n_params++;

    CHECK(model_encode(&buf, &len, &m, &err) == 0);
    free(buf);
    model_free(&m);
}

/* ---- files */

static int count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    int n = 0;
    for (struct dirent *e; (e = readdir(d));)
        n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
    closedir(d);
    return n;
}

static void write_file(const char *path, const char *s)
{
    FILE *f = fopen(path, "wb");
    fputs(s, f);
    fclose(f);
}

static void test_files(const uint8_t *fixture, size_t fixture_len)
{
    const char *tmpdir = getenv("TMPDIR");
    char dir[4096], path[4200], other[4200];
    snprintf(dir, sizeof dir, "%s/test_model-XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp");
    if (!mkdtemp(dir)) {
        CHECKF(0, "mkdtemp: %s", strerror(errno));
        return;
    }
    const char *names[] = {"cat", "non-cat"};
    nnt_model m = make_model(8, 8, 3, 4, 2, NNT_ACT_TANH, names, "k=v\n", 4), back;
    nnt_err err;

    /* save, load */
    snprintf(path, sizeof path, "%s/m.bin", dir);
    CHECKF(model_save(&m, path, &err) == 0, "%s", err.msg);
    CHECKF(model_load(&back, path, &err) == 0, "%s", err.msg);
    CHECK(same_model(&m, &back) && back.version == 1);
    model_free(&back);
    CHECK(count_entries(dir) == 1);

    /* the file's mode follows the umask, as for any new file */
    struct stat st;
    mode_t old_mask = umask(022);
    unlink(path);
    CHECK(model_save(&m, path, &err) == 0 && stat(path, &st) == 0 && (st.st_mode & 0777) == 0644);
    umask(077);
    unlink(path);
    CHECK(model_save(&m, path, &err) == 0 && stat(path, &st) == 0 && (st.st_mode & 0777) == 0600);
    umask(old_mask);

    /* saving over an existing file replaces it and leaves nothing else */
    write_file(path, "old contents");
    CHECKF(model_save(&m, path, &err) == 0, "%s", err.msg);
    CHECK(model_load(&back, path, &err) == 0 && same_model(&m, &back));
    model_free(&back);
    CHECK(count_entries(dir) == 1);

    /* a failed write (the file size limit) leaves the old file untouched and no temporary */
    write_file(path, "old contents");
    struct rlimit lim;
    void (*old_handler)(int) = signal(SIGXFSZ, SIG_IGN);
    if (getrlimit(RLIMIT_FSIZE, &lim) == 0) {
        struct rlimit small = {64, lim.rlim_max};
        if (lim.rlim_max != RLIM_INFINITY && lim.rlim_max < 64)
            small.rlim_cur = lim.rlim_max;
        CHECK(setrlimit(RLIMIT_FSIZE, &small) == 0);
        int rc = model_save(&m, path, &err);
        setrlimit(RLIMIT_FSIZE, &lim);
        CHECKF(rc != 0 && has(&err, path) && has(&err, "write failed") &&
                   has(&err, "File too large"),
               "%s", rc ? err.msg : "saved");
        size_t n;
        uint8_t *b = read_all(path, &n);
        CHECK(b && n == 12 && memcmp(b, "old contents", 12) == 0);
        free(b);
        CHECK(count_entries(dir) == 1);
    }
    signal(SIGXFSZ, old_handler);

    /* a folder that does not exist: a clean message, nothing created */
    snprintf(other, sizeof other, "%s/missing/m.bin", dir);
    CHECK(model_save(&m, other, &err) != 0 && has(&err, other) &&
          has(&err, "No such file or directory"));
    CHECK(count_entries(dir) == 1);
    /* a folder we may not write to (root may write anywhere: skipped) */
    snprintf(other, sizeof other, "%s/ro", dir);
    if (geteuid() != 0 && mkdir(other, 0555) == 0) {
        char in_ro[4300];
        snprintf(in_ro, sizeof in_ro, "%s/m.bin", other);
        CHECK(model_save(&m, in_ro, &err) != 0 && has(&err, in_ro) &&
              has(&err, "Permission denied"));
        CHECK(count_entries(other) == 0);
        rmdir(other);
    }
    /* a path that is a folder: the rename fails after the write, and the temporary goes */
    snprintf(other, sizeof other, "%s/sub", dir);
    CHECK(mkdir(other, 0755) == 0);
    CHECK(model_save(&m, other, &err) != 0 && has(&err, "rename failed"));
    CHECK(count_entries(dir) == 2 && count_entries(other) == 0);
    /* invalid models are not saved */
    m.net.params[0] = INFINITY;
    snprintf(other, sizeof other, "%s/bad.bin", dir);
    CHECK(model_save(&m, other, &err) != 0 && has(&err, other) && has(&err, "not finite"));
    CHECK(count_entries(dir) == 2);

    /* loading: a folder, a missing file, a FIFO (must not block), too large, damaged */
    snprintf(other, sizeof other, "%s/sub", dir);
    CHECK(model_load(&back, other, &err) != 0 && has(&err, "not a regular file") &&
          is_zeroed(&back));
    rmdir(other);
    snprintf(other, sizeof other, "%s/none.bin", dir);
    CHECK(model_load(&back, other, &err) != 0 && has(&err, "No such file or directory"));
    snprintf(other, sizeof other, "%s/fifo", dir);
    if (mkfifo(other, 0600) == 0) {
        CHECK(model_load(&back, other, &err) != 0 && has(&err, "not a regular file"));
        unlink(other);
    }
    snprintf(other, sizeof other, "%s/huge.bin", dir);
    int fd = open(other, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd >= 0 && ftruncate(fd, (off_t)NNT_MODEL_MAX_BYTES + 1) == 0) { /* sparse: no disk used */
        close(fd);
        CHECK(model_load(&back, other, &err) != 0 && has(&err, "limit of a model file"));
    } else if (fd >= 0) {
        close(fd);
    }
    unlink(other);
    snprintf(other, sizeof other, "%s/empty.bin", dir);
    write_file(other, "");
    CHECK(model_load(&back, other, &err) != 0 && has(&err, other) && has(&err, "truncated"));
    FILE *f = fopen(other, "wb");
    fwrite(fixture, 1, fixture_len - 1, f);
    fclose(f);
    CHECK(model_load(&back, other, &err) != 0 && strncmp(err.msg, other, strlen(other)) == 0 &&
          has(&err, "truncated"));
    unlink(other);

    unlink(path);
    CHECK(count_entries(dir) == 0);
    rmdir(dir);
    model_free(&m);
}

int main(int argc, char **argv)
{
    /* the fixture's path: argv[1], else $NNT_TEST_DATA/model-v1.bin (as CMake sets it) */
    char fixture_path[4096];
    const char *data_dir = getenv("NNT_TEST_DATA");
    if (argc >= 2)
        snprintf(fixture_path, sizeof fixture_path, "%s", argv[1]);
    else if (data_dir)
        snprintf(fixture_path, sizeof fixture_path, "%s/model-v1.bin", data_dir);
    CHECKF(argc >= 2 || data_dir, "usage: test_model tests/data/model-v1.bin [OUT.bin]");
    if (argc < 2 && !data_dir)
        return check_done("test_model");
    size_t len = 0;
    uint8_t *fixture = read_all(fixture_path, &len);
    CHECKF(fixture != NULL, "cannot read %s", fixture_path);
    if (!fixture)
        return check_done("test_model");

    test_fixture(fixture_path);
    test_round_trip(argc > 2 ? argv[2] : NULL);
    test_damage(fixture, len);
    test_forged(fixture, len);
    test_chunks();
    test_encode_refuses();
    test_files(fixture, len);
    free(fixture);
    return check_done("test_model");
}
