/* test_checkpoint.c — the training-state file: a round trip of every field, every single flipped
 * byte and every truncation refused naming the file (exact-size heap copies, so ASan sees an
 * overread), atomic saving, and the options' comparison a resume makes. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "nnt/checkpoint.h"

static int has(const nnt_err *e, const char *s) { return strstr(e->msg, s) != NULL; }

static int decode_copy(nnt_checkpoint *ck, const uint8_t *buf, size_t len, nnt_err *err)
{
    uint8_t *copy = malloc(len ? len : 1);
    memcpy(copy, buf, len);
    int rc = checkpoint_decode(ck, copy, len, "c.ckpt", err);
    free(copy);
    return rc;
}

int main(void)
{
    enum { N = 37 };
    float params[N], m[N], v[N], best[N];
    for (int i = 0; i < N; i++) {
        params[i] = 0.25f * (float)i - 3.0f;
        m[i] = -1e-3f * (float)i;
        v[i] = 1e-6f * (float)(i + 1);
        best[i] = (float)i;
    }
    nnt_ckpt_epoch hist[2] = {{0.7, 0.5, 0.69, 0.52, NAN}, {0.6, 0.6, 0.65, 0.58, 0.61}};
    char *argv[] = {"--epochs", "5", "--optimizer", "adam", ""};
    nnt_checkpoint ck = {
        .state = {.epoch = 3, .step = 2, .done = 40, .seen = 140, .loss_sum = 27.5, .correct = 21,
                  .rng = {1, 2, UINT64_MAX, 4}, .epochs_run = 2, .best_epoch = 2, .since_best = 0,
                  .best_loss = 0.65, .first_loss = 0.7, .final_loss = 0.6, .t = 9, .n_params = N,
                  .n_state = 2, .has_best = 1, .params = params, .m = m, .v = v, .best = best},
        .n_history = 2, .history = hist, .opts = "hidden=4\nlr=0.001\n", .argc = 5, .argv = argv};
    uint8_t *buf;
    size_t len;
    nnt_err err;
    CHECK(checkpoint_encode(&buf, &len, &ck, "c.ckpt", &err) == 0);
    CHECK(checkpoint_is(buf, len));

    /* ---- every field comes back */
    nnt_checkpoint back;
    CHECKF(decode_copy(&back, buf, len, &err) == 0, "%s", err.msg);
    const nnt_train_state *s = &back.state;
    CHECK(s->epoch == 3 && s->step == 2 && s->done == 40 && s->seen == 140 && s->correct == 21);
    CHECK(s->loss_sum == 27.5 && s->best_loss == 0.65 && s->first_loss == 0.7);
    CHECK(s->rng[2] == UINT64_MAX && s->rng[3] == 4 && s->t == 9 && s->n_state == 2);
    CHECK(memcmp(s->params, params, sizeof params) == 0 && memcmp(s->m, m, sizeof m) == 0 &&
          memcmp(s->v, v, sizeof v) == 0 && memcmp(s->best, best, sizeof best) == 0);
    CHECK(back.n_history == 2 && isnan(back.history[0].test_acc) && back.history[1].test_acc == 0.61);
    CHECK(strcmp(back.opts, "hidden=4\nlr=0.001\n") == 0);
    CHECK(back.argc == 5 && strcmp(back.argv[3], "adam") == 0 && back.argv[4][0] == '\0');
    checkpoint_free(&back);

    /* ---- damage: every flipped byte, every truncation, nothing, a model file */
    int refused = 0, named = 0;
    for (size_t i = 0; i < len; i++) {
        buf[i] ^= 0x20;
        nnt_checkpoint d;
        if (decode_copy(&d, buf, len, &err) != 0) {
            refused++;
            named += strncmp(err.msg, "c.ckpt: ", 8) == 0;
        } else {
            checkpoint_free(&d);
        }
        buf[i] ^= 0x20;
    }
    CHECKF(refused == (int)len && named == (int)len, "%d of %zu flips refused, %d named", refused,
           len, named);
    refused = 0;
    for (size_t n = 0; n < len; n++) {
        nnt_checkpoint d;
        refused += decode_copy(&d, buf, n, &err) != 0;
    }
    CHECKF(refused == (int)len, "%d of %zu truncations refused", refused, len);
    nnt_checkpoint d;
    CHECK(decode_copy(&d, buf, 0, &err) != 0 && has(&err, "empty"));
    uint8_t model[16] = {0x89, 'N', 'N', 'T', '\r', '\n', 0x1a, '\n', 1};
    CHECK(decode_copy(&d, model, sizeof model, &err) != 0 && has(&err, "it is a model file"));

    /* ---- a state the reader would refuse is never written */
    nnt_checkpoint bad = ck;
    bad.state.epochs_run = 1;
    uint8_t *b2;
    size_t l2;
    CHECK(checkpoint_encode(&b2, &l2, &bad, "c.ckpt", &err) != 0 && has(&err, "inconsistent"));
    bad = ck;
    bad.state.v = NULL;
    CHECK(checkpoint_encode(&b2, &l2, &bad, "c.ckpt", &err) != 0);

    /* ---- saved atomically, loaded back */
    char dir[] = "/tmp/nnt-ckpt-XXXXXX", path[64];
    CHECK(mkdtemp(dir) != NULL);
    snprintf(path, sizeof path, "%s/c.ckpt", dir);
    CHECKF(checkpoint_save(&ck, path, &err) == 0, "%s", err.msg);
    CHECKF(checkpoint_load(&back, path, &err) == 0, "%s", err.msg);
    CHECK(back.state.epoch == 3);
    checkpoint_free(&back);
    unlink(path);
    rmdir(dir);

    /* ---- the options: equal, a key that may change, one that may not, one missing */
    static const char *const may[] = {"epochs", "threads", NULL};
    CHECK(checkpoint_compare("a=1\nepochs=5\n", "a=1\nepochs=9\n", may, "c", &err) == 0);
    CHECK(checkpoint_compare("a=1\nlr=0.1\n", "a=1\nlr=0.2\n", may, "c", &err) != 0 &&
          has(&err, "lr was 0.1, now 0.2"));
    CHECK(checkpoint_compare("a=1\n", "a=1\nb=2\n", may, "c", &err) != 0 &&
          has(&err, "b was (none), now 2"));
    char val[16];
    CHECK(checkpoint_opt(val, sizeof val, "x=1\nlr=0.5\n", "lr") == 0 && strcmp(val, "0.5") == 0);
    CHECK(checkpoint_opt(val, sizeof val, "x=1\n", "l") != 0);
    free(buf);
    return check_done("test_checkpoint");
}
