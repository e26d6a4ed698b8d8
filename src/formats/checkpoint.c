/* checkpoint.c — the training-state file (docs/model-format.md, "Checkpoints"): STAT, OPTS,
 * ARGV, PARM, OPTM, OPTV, BEST and HIST chunks in the model file's container (chunk.c), encoded
 * and decoded by a reader that trusts no byte, saved through file_save. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "nnt/checkpoint.h"
#include "nnt/chunk.h"
#include "nnt/file.h"
#include "nnt/le.h"
#include "nnt/meta.h"
#include "nnt/wbuf.h"

const uint8_t checkpoint_magic[8] = {0x89, 'N', 'N', 'C', '\r', '\n', 0x1a, '\n'};

enum { STAT_FIELDS = 22, STAT_BYTES = 8 * STAT_FIELDS, HIST_FIELDS = 5 };

static uint64_t f64_bits(double d)
{
    uint64_t u;
    memcpy(&u, &d, 8);
    return u;
}

static double bits_f64(uint64_t u)
{
    double d;
    memcpy(&d, &u, 8);
    return d;
}

/* The STAT payload as 22 u64 words, in the order docs/model-format.md gives. */
static void stat_words(uint64_t w[STAT_FIELDS], const nnt_train_state *s)
{
    uint64_t v[STAT_FIELDS] = {
        (uint64_t)(int64_t)s->epoch, s->step, s->done, s->seen, f64_bits(s->loss_sum), s->correct,
        s->rng[0], s->rng[1], s->rng[2], s->rng[3], (uint64_t)(int64_t)s->epochs_run,
        (uint64_t)(int64_t)s->best_epoch, (uint64_t)(int64_t)s->since_best, f64_bits(s->best_loss),
        f64_bits(s->first_loss), f64_bits(s->final_loss), (uint64_t)s->t, s->n_params,
        (uint64_t)(int64_t)s->n_state, (uint64_t)(int64_t)s->has_best, 0, 0};
    memcpy(w, v, sizeof v);
}

/* The rules a state keeps, for the writer (never write what the reader refuses) and the reader. */
static int check_state(const nnt_train_state *s, const char *name, nnt_err *err)
{
    if (s->epoch < 1 || s->epochs_run < 0 || s->epochs_run != s->epoch - 1)
        return nnt_errf(err, "%s: inconsistent position: epoch %d after %d complete epochs", name,
                        (int)s->epoch, (int)s->epochs_run);
    if (s->best_epoch < 0 || s->best_epoch > s->epochs_run || s->since_best < 0 || s->t < 0)
        return nnt_errf(err, "%s: inconsistent early-stopping counters", name);
    if (s->done > s->seen || s->correct > s->done || (s->step == 0) != (s->done == 0))
        return nnt_errf(err, "%s: inconsistent step counters", name);
    if (s->n_state < 0 || s->n_state > 2 || (s->has_best != 0 && s->has_best != 1))
        return nnt_errf(err, "%s: unknown optimiser state (%d vectors)", name, (int)s->n_state);
    if (s->n_params == 0 || s->n_params > NNT_CHECKPOINT_MAX_BYTES / 4)
        return nnt_errf(err, "%s: %llu parameters, not a network nnt trains", name,
                        (unsigned long long)s->n_params);
    if (!isfinite(s->loss_sum) || isnan(s->best_loss))
        return nnt_errf(err, "%s: a loss that is not finite", name);
    return 0;
}

/* ---- encoding */

static void put_chunk(nnt_wbuf *b, const char *tag, uint64_t len)
{
    wbuf_put(b, tag, 4);
    wbuf_u64le(b, len);
}

static void put_floats(nnt_wbuf *b, const char *tag, const float *p, uint64_t n)
{
    put_chunk(b, tag, 8 + 4 * n);
    wbuf_u64le(b, n);
    wbuf_f32le(b, p, (size_t)n);
}

static int encode(nnt_wbuf *b, const nnt_checkpoint *ck, const char *name, nnt_err *err)
{
    const nnt_train_state *s = &ck->state;
    if (check_state(s, name, err))
        return -1;
    if (!s->params || (s->n_state >= 1 && !s->m) || (s->n_state >= 2 && !s->v) ||
        (s->has_best && !s->best))
        return nnt_errf(err, "%s: the state lacks an array its sizes name", name);
    wbuf_put(b, checkpoint_magic, 8);
    wbuf_u32le(b, NNT_CHECKPOINT_VERSION);
    uint64_t w[STAT_FIELDS];
    stat_words(w, s);
    put_chunk(b, "STAT", STAT_BYTES);
    for (int i = 0; i < STAT_FIELDS; i++)
        wbuf_u64le(b, w[i]);
    size_t opts = ck->opts ? strlen(ck->opts) : 0;
    put_chunk(b, "OPTS", opts);
    wbuf_put(b, ck->opts, opts);
    uint64_t argv = 4;
    for (int i = 0; i < ck->argc; i++)
        argv += 4 + strlen(ck->argv[i]);
    put_chunk(b, "ARGV", argv);
    wbuf_u32le(b, (uint32_t)ck->argc);
    for (int i = 0; i < ck->argc; i++) {
        size_t n = strlen(ck->argv[i]);
        wbuf_u32le(b, (uint32_t)n);
        wbuf_put(b, ck->argv[i], n);
    }
    put_floats(b, "PARM", s->params, s->n_params);
    if (s->n_state >= 1)
        put_floats(b, "OPTM", s->m, s->n_params);
    if (s->n_state >= 2)
        put_floats(b, "OPTV", s->v, s->n_params);
    if (s->has_best)
        put_floats(b, "BEST", s->best, s->n_params);
    put_chunk(b, "HIST", 8 + 8 * HIST_FIELDS * ck->n_history);
    wbuf_u64le(b, ck->n_history);
    for (uint64_t e = 0; e < ck->n_history; e++) {
        const nnt_ckpt_epoch *h = &ck->history[e];
        double v[HIST_FIELDS] = {h->train_loss, h->train_acc, h->val_loss, h->val_acc, h->test_acc};
        for (int i = 0; i < HIST_FIELDS; i++)
            wbuf_u64le(b, f64_bits(v[i]));
    }
    put_chunk(b, "END ", 0);
    if (!b->failed)
        wbuf_u32le(b, wbuf_crc32(b->data, b->len));
    if (b->failed)
        return nnt_errf(err, "%s: out of memory", name);
    return 0;
}

int checkpoint_encode(uint8_t **buf, size_t *len, const nnt_checkpoint *ck, const char *name,
                      nnt_err *err)
{
    nnt_wbuf b = {0};
    *buf = NULL;
    *len = 0;
    if (encode(&b, ck, name ? name : "checkpoint", err)) {
        wbuf_free(&b);
        return -1;
    }
    *buf = b.data;
    *len = b.len;
    return 0;
}

int checkpoint_save(const nnt_checkpoint *ck, const char *path, nnt_err *err)
{
    nnt_wbuf b = {0};
    int rc = encode(&b, ck, path, err) ? -1 : wbuf_save(&b, path, err);
    wbuf_free(&b);
    return rc;
}

/* ---- decoding */

typedef struct span {
    const uint8_t *p;
    size_t n;
} span;

static int decode_floats(float **out, span s, uint64_t n, const char *tag, const char *name,
                         nnt_err *err)
{
    if (s.n < 8 || (s.n - 8) % 4 != 0 || (s.n - 8) / 4 != le_get_u64(s.p))
        return nnt_errf(err, "%s: %s chunk of %zu bytes does not hold the floats it announces",
                        name, tag, s.n);
    if (le_get_u64(s.p) != n)
        return nnt_errf(err, "%s: %s holds %llu values, STAT says %llu parameters", name, tag,
                        (unsigned long long)le_get_u64(s.p), (unsigned long long)n);
    float *p = malloc((size_t)n * sizeof *p); /* n ≤ the file's size / 4, checked above */
    if (!p)
        return nnt_errf(err, "%s: out of memory for %llu values", name, (unsigned long long)n);
    for (size_t i = 0; i < (size_t)n; i++) {
        p[i] = le_get_f32(s.p + 8 + 4 * i);
        if (!isfinite(p[i])) {
            free(p);
            return nnt_errf(err, "%s: %s value %zu is not finite", name, tag, i);
        }
    }
    *out = p;
    return 0;
}

static int decode_argv(nnt_checkpoint *ck, span s, const char *name, nnt_err *err)
{
    if (s.n < 4)
        return nnt_errf(err, "%s: ARGV chunk is %zu bytes, too short for its count", name, s.n);
    uint32_t argc = le_get_u32(s.p);
    if (argc > (s.n - 4) / 4 || argc > 100000) /* every argument takes 4 bytes at least */
        return nnt_errf(err, "%s: truncated: ARGV of %zu bytes cannot hold %lu arguments", name,
                        s.n, (unsigned long)argc);
    if (!(ck->argv = calloc((size_t)argc + 1, sizeof *ck->argv)))
        return nnt_errf(err, "%s: out of memory", name);
    size_t pos = 4;
    for (uint32_t i = 0; i < argc; i++) {
        if (s.n - pos < 4)
            return nnt_errf(err, "%s: truncated: ARGV ends in argument %lu", name, (unsigned long)i);
        size_t n = le_get_u32(s.p + pos);
        pos += 4;
        if (n > s.n - pos || memchr(s.p + pos, '\0', n))
            return nnt_errf(err, "%s: argument %lu of ARGV is damaged", name, (unsigned long)i);
        if (!(ck->argv[i] = malloc(n + 1)))
            return nnt_errf(err, "%s: out of memory", name);
        memcpy(ck->argv[i], s.p + pos, n);
        ck->argv[i][n] = '\0';
        ck->argc = (int)i + 1;
        pos += n;
    }
    if (pos != s.n)
        return nnt_errf(err, "%s: %zu unused bytes at the end of the ARGV chunk", name, s.n - pos);
    return 0;
}

static int decode_history(nnt_checkpoint *ck, span s, const char *name, nnt_err *err)
{
    if (s.n < 8 || (s.n - 8) % (8 * HIST_FIELDS) != 0 ||
        (s.n - 8) / (8 * HIST_FIELDS) != le_get_u64(s.p))
        return nnt_errf(err, "%s: HIST chunk of %zu bytes does not hold the epochs it announces",
                        name, s.n);
    uint64_t n = le_get_u64(s.p);
    if (n != (uint64_t)(ck->state.epoch - 1))
        return nnt_errf(err, "%s: HIST holds %llu epochs, STAT says %d complete", name,
                        (unsigned long long)n, (int)ck->state.epoch - 1);
    ck->history = calloc(n ? (size_t)n : 1, sizeof *ck->history);
    if (!ck->history)
        return nnt_errf(err, "%s: out of memory", name);
    ck->n_history = n;
    for (size_t e = 0; e < (size_t)n; e++) {
        const uint8_t *p = s.p + 8 + 8 * HIST_FIELDS * e;
        nnt_ckpt_epoch *h = &ck->history[e];
        h->train_loss = bits_f64(le_get_u64(p));
        h->train_acc = bits_f64(le_get_u64(p + 8));
        h->val_loss = bits_f64(le_get_u64(p + 16));
        h->val_acc = bits_f64(le_get_u64(p + 24));
        h->test_acc = bits_f64(le_get_u64(p + 32));
    }
    return 0;
}

static int decode_stat(nnt_train_state *s, span c, const char *name, nnt_err *err)
{
    if (c.n != STAT_BYTES)
        return nnt_errf(err, "%s: STAT chunk is %zu bytes, expected %d", name, c.n, STAT_BYTES);
    uint64_t w[STAT_FIELDS];
    for (int i = 0; i < STAT_FIELDS; i++)
        w[i] = le_get_u64(c.p + 8 * i);
    for (int i = 0; i < STAT_FIELDS; i++) /* the counters are small: a huge one is damage */
        if ((i == 0 || (i >= 10 && i <= 12) || i >= 18) && w[i] > INT32_MAX)
            return nnt_errf(err, "%s: STAT field %d is out of range", name, i);
    *s = (nnt_train_state){
        .epoch = (int32_t)w[0], .step = w[1], .done = w[2], .seen = w[3],
        .loss_sum = bits_f64(w[4]), .correct = w[5], .rng = {w[6], w[7], w[8], w[9]},
        .epochs_run = (int32_t)w[10], .best_epoch = (int32_t)w[11], .since_best = (int32_t)w[12],
        .best_loss = bits_f64(w[13]), .first_loss = bits_f64(w[14]), .final_loss = bits_f64(w[15]),
        .t = w[16] > INT64_MAX ? -1 : (int64_t)w[16], .n_params = w[17],
        .n_state = (int32_t)w[18], .has_best = (int32_t)w[19]};
    if (w[20] || w[21])
        return nnt_errf(err, "%s: STAT's reserved fields are not zero", name);
    return check_state(s, name, err);
}

/* The chunks between the file header and the checksum (region [p, p + n)). */
static int decode_chunks(nnt_checkpoint *ck, const uint8_t *p, size_t n, const char *name,
                         nnt_err *err)
{
    enum { STAT, OPTS, ARGV, PARM, OPTM, OPTV, BEST, HIST, N_KNOWN };
    static const char *const known[N_KNOWN] = {"STAT", "OPTS", "ARGV", "PARM",
                                               "OPTM", "OPTV", "BEST", "HIST"};
    span found[N_KNOWN] = {{NULL, 0}};
    int seen[N_KNOWN] = {0};
    size_t pos = 0;
    for (int first = 1;; first = 0) {
        const uint8_t *tag;
        span s;
        if (chunk_next(&tag, &s.p, &s.n, p, n, &pos, name, err))
            return -1;
        if (first && !chunk_tag_is(tag, "STAT"))
            return nnt_errf(err, "%s: the first chunk is %.4s, expected STAT", name,
                            (const char *)tag);
        if (chunk_tag_is(tag, "END ")) {
            if (s.n != 0)
                return nnt_errf(err, "%s: END chunk has a payload", name);
            break;
        }
        int k = 0;
        while (k < N_KNOWN && !chunk_tag_is(tag, known[k]))
            k++;
        if (k < N_KNOWN) {
            if (seen[k]++)
                return nnt_errf(err, "%s: duplicate %s chunk", name, known[k]);
            found[k] = s;
        } else if (chunk_tag_critical(tag)) {
            return nnt_errf(err, "%s: unknown critical chunk %.4s", name, (const char *)tag);
        }
    }
    if (pos != n)
        return nnt_errf(err, "%s: %zu bytes between the END chunk and the checksum", name, n - pos);
    for (int k = 0; k < N_KNOWN; k++)
        if (!seen[k] && (k <= PARM || k == HIST))
            return nnt_errf(err, "%s: no %s chunk", name, known[k]);
    nnt_train_state *s = &ck->state;
    if (decode_stat(s, found[STAT], name, err))
        return -1;
    if (seen[OPTM] != (s->n_state >= 1) || seen[OPTV] != (s->n_state >= 2) ||
        seen[BEST] != s->has_best)
        return nnt_errf(err, "%s: the optimiser's chunks do not match STAT", name);
    if (found[PARM].n > 8 && le_get_u64(found[PARM].p) != s->n_params)
        return nnt_errf(err, "%s: PARM holds %llu values, STAT says %llu", name,
                        (unsigned long long)le_get_u64(found[PARM].p),
                        (unsigned long long)s->n_params);
    if (meta_decode(&ck->opts, found[OPTS].p, found[OPTS].n, name, err) ||
        decode_argv(ck, found[ARGV], name, err) ||
        decode_floats(&s->params, found[PARM], s->n_params, "PARM", name, err) ||
        (seen[OPTM] && decode_floats(&s->m, found[OPTM], s->n_params, "OPTM", name, err)) ||
        (seen[OPTV] && decode_floats(&s->v, found[OPTV], s->n_params, "OPTV", name, err)) ||
        (seen[BEST] && decode_floats(&s->best, found[BEST], s->n_params, "BEST", name, err)) ||
        decode_history(ck, found[HIST], name, err))
        return -1;
    return 0;
}

int checkpoint_is(const uint8_t *buf, size_t len)
{
    return len >= 8 && memcmp(buf, checkpoint_magic, 8) == 0;
}

int checkpoint_decode(nnt_checkpoint *ck, const uint8_t *buf, size_t len, const char *name,
                      nnt_err *err)
{
    memset(ck, 0, sizeof *ck);
    if (!name)
        name = "checkpoint";
    if (len == 0)
        return nnt_errf(err, "%s: truncated: the file is empty", name);
    if (memcmp(buf, checkpoint_magic, len < 8 ? len : 8) != 0)
        return nnt_errf(err, "%s: bad magic: not an nnt checkpoint%s", name,
                        len >= 8 && memcmp(buf, chunk_magic, 8) == 0 ? " (it is a model file)" : "");
    if (len < CHUNK_FILE_HEADER)
        return nnt_errf(err, "%s: truncated: the file ends in its header", name);
    uint32_t version = le_get_u32(buf + 8);
    if (version != NNT_CHECKPOINT_VERSION)
        return nnt_errf(err, "%s: unsupported checkpoint version %lu (this nnt reads %d)", name,
                        (unsigned long)version, NNT_CHECKPOINT_VERSION);
    if (chunk_check_integrity(buf, len, NNT_CHECKPOINT_MAX_BYTES, name, err))
        return -1;
    if (decode_chunks(ck, buf + CHUNK_FILE_HEADER, len - CHUNK_FILE_HEADER - CHUNK_CRC_BYTES, name,
                      err)) {
        checkpoint_free(ck);
        return -1;
    }
    return 0;
}

int checkpoint_load(nnt_checkpoint *ck, const char *path, nnt_err *err)
{
    memset(ck, 0, sizeof *ck);
    uint8_t *buf;
    size_t len;
    if (file_load(&buf, &len, path, NNT_CHECKPOINT_MAX_BYTES, "a checkpoint", err))
        return -1;
    int rc = checkpoint_decode(ck, buf, len, path, err);
    free(buf);
    return rc;
}

void checkpoint_free(nnt_checkpoint *ck)
{
    if (!ck)
        return;
    free(ck->state.params);
    free(ck->state.m);
    free(ck->state.v);
    free(ck->state.best);
    free(ck->history);
    free(ck->opts);
    for (int i = 0; ck->argv && i < ck->argc; i++)
        free(ck->argv[i]);
    free(ck->argv);
    memset(ck, 0, sizeof *ck);
}

/* ---- the options' lines */

/* The line of key in text: its value and length, or NULL. */
static const char *find_opt(size_t *vlen, const char *text, const char *key)
{
    size_t klen = strlen(key);
    for (const char *l = text; l && *l;) {
        const char *end = strchr(l, '\n');
        size_t n = end ? (size_t)(end - l) : strlen(l);
        if (n > klen && memcmp(l, key, klen) == 0 && l[klen] == '=') {
            *vlen = n - klen - 1;
            return l + klen + 1;
        }
        l = end ? end + 1 : NULL;
    }
    return NULL;
}

int checkpoint_opt(char *out, size_t cap, const char *text, const char *key)
{
    size_t n;
    const char *v = find_opt(&n, text, key);
    if (!v || cap == 0)
        return -1;
    if (n >= cap)
        n = cap - 1;
    memcpy(out, v, n);
    out[n] = '\0';
    return 0;
}

static int may(const char *const *may_change, const char *key, size_t klen)
{
    for (; may_change && *may_change; may_change++)
        if (strlen(*may_change) == klen && memcmp(*may_change, key, klen) == 0)
            return 1;
    return 0;
}

/* The first key of a's lines that b lacks or gives another value; 0 when none. */
static int first_difference(const char *a, const char *b, const char *const *may_change,
                            char *key, size_t cap)
{
    for (const char *l = a; l && *l;) {
        const char *end = strchr(l, '\n'), *eq = strchr(l, '=');
        size_t n = end ? (size_t)(end - l) : strlen(l);
        if (eq && eq < l + n) {
            size_t klen = (size_t)(eq - l), vlen, blen;
            if (klen < cap && !may(may_change, l, klen)) {
                memcpy(key, l, klen);
                key[klen] = '\0';
                vlen = n - klen - 1;
                const char *bv = find_opt(&blen, b, key);
                if (!bv || blen != vlen || memcmp(bv, eq + 1, vlen) != 0)
                    return 1;
            }
        }
        l = end ? end + 1 : NULL;
    }
    return 0;
}

int checkpoint_compare(const char *saved, const char *now, const char *const *may_change,
                       const char *name, nnt_err *err)
{
    char key[128], was[256] = "(none)", is[256] = "(none)";
    if (!first_difference(saved, now, may_change, key, sizeof key) &&
        !first_difference(now, saved, may_change, key, sizeof key))
        return 0;
    checkpoint_opt(was, sizeof was, saved, key);
    checkpoint_opt(is, sizeof is, now, key);
    return nnt_errf(err, "%s: does not match this run: %s was %s, now %s", name, key, was, is);
}
