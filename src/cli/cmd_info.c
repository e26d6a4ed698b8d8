/* cmd_info.c — `nnt info`: what a model file holds (format version, classes, input geometry,
 * network, parameters), how it was trained (its META lines) and when (the file's modification
 * time: the file itself records no time, so identical runs write identical bytes); and what a
 * training checkpoint holds (position, best so far, options, data fingerprint). */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cli.h"
#include "nnt/checkpoint.h"
#include "nnt/json.h"
#include "nnt/meta.h"
#include "nnt/model.h"

/* Text from the file goes to a terminal: control bytes are shown as \xNN, not sent. */
static void put_text(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == 0x7f)
            printf("\\x%02x", c);
        else
            putchar(c);
    }
}

static int text_line(void *ctx, const char *key, size_t klen, const char *val, size_t vlen)
{
    (void)ctx;
    printf("  ");
    if (klen) {
        put_text(key, klen);
        putchar('=');
    }
    put_text(val, vlen);
    putchar('\n');
    return 0;
}

typedef struct json_meta {
    int first;
} json_meta;

static int json_line(void *ctx, const char *key, size_t klen, const char *val, size_t vlen)
{
    json_meta *j = ctx;
    printf("%s", j->first ? "" : ",");
    j->first = 0;
    json_fquote(stdout, key, klen); /* "" for a line without '=' */
    putchar(':');
    json_fquote(stdout, val, vlen);
    return 0;
}

/* 1 when path starts with a checkpoint's magic (a file that cannot be read is left to
 * model_load, which says why). */
static int is_checkpoint(const char *path)
{
    uint8_t head[8];
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    size_t n = fread(head, 1, sizeof head, f);
    fclose(f);
    return checkpoint_is(head, n);
}

/* A checkpoint: where the run stands, the best so far, its options and data fingerprint. */
static int info_checkpoint(const info_args *a)
{
    nnt_err err;
    nnt_checkpoint ck;
    if (checkpoint_load(&ck, a->model, &err)) {
        fprintf(stderr, "nnt: %s\n", err.msg);
        return EXIT_RUNTIME;
    }
    const nnt_train_state *s = &ck.state;
    char epochs[32] = "?";
    checkpoint_opt(epochs, sizeof epochs, ck.opts, "epochs");
    const nnt_ckpt_epoch *last = ck.n_history ? &ck.history[ck.n_history - 1] : NULL;
    double best_val = s->best_epoch > 0 && (uint64_t)s->best_epoch <= ck.n_history
                          ? ck.history[s->best_epoch - 1].val_loss : NAN;
    if (a->json) {
        printf("{\"file\":");
        json_string(stdout, a->model);
        printf(",\"kind\":\"checkpoint\",\"version\":%d,\"epoch\":%d,\"step\":%llu,"
               "\"epochs_done\":%d,\"epochs\":%s,\"images_seen\":%llu,\"optimizer_steps\":%lld,"
               "\"best_epoch\":%d,\"best_val_loss\":", NNT_CHECKPOINT_VERSION, (int)s->epoch,
               (unsigned long long)s->step, (int)s->epochs_run, epochs,
               (unsigned long long)s->seen, (long long)s->t, (int)s->best_epoch);
        json_number(stdout, best_val);
        printf(",\"last_loss\":");
        json_number(stdout, last ? last->train_loss : NAN);
        printf(",\"options\":{");
        json_meta j = {1};
        meta_each(ck.opts, json_line, &j);
        printf("},\"argv\":[");
        for (int i = 0; i < ck.argc; i++) {
            if (i)
                putchar(',');
            json_string(stdout, ck.argv[i]);
        }
        printf("]}\n");
    } else {
        printf("file        %s: a training checkpoint (format version %d)\n", a->model,
               NNT_CHECKPOINT_VERSION);
        printf("position    %d of %s epochs complete; goes on with epoch %d at step %llu\n",
               (int)s->epochs_run, epochs, (int)s->epoch, (unsigned long long)s->step);
        printf("progress    %llu images seen, %lld optimiser steps\n", (unsigned long long)s->seen,
               (long long)s->t);
        if (last)
            printf("last epoch  loss %.6f  acc %.4f\n", last->train_loss, last->train_acc);
        if (s->best_epoch > 0 && !isnan(best_val))
            printf("best        epoch %d, val loss %.6f%s\n", (int)s->best_epoch, best_val,
                   s->has_best ? " (its weights kept for early stopping)" : "");
        printf("resume      nnt train --resume %s\n", a->model);
        printf("options     (OPTS: what a resume must match; data_* are the sets' fingerprints)\n");
        meta_each(ck.opts, text_line, NULL);
        printf("command     ");
        for (int i = 0; i < ck.argc; i++) {
            put_text(ck.argv[i], strlen(ck.argv[i]));
            putchar(i + 1 < ck.argc ? ' ' : '\n');
        }
    }
    checkpoint_free(&ck);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "nnt: writing to standard output failed\n");
        return EXIT_RUNTIME;
    }
    return EXIT_OK;
}

int cmd_info(const info_args *a)
{
    nnt_err err;
    nnt_model m = {0};
    if (is_checkpoint(a->model))
        return info_checkpoint(a);
    if (model_load(&m, a->model, &err)) {
        fprintf(stderr, "nnt: %s\n", err.msg);
        return EXIT_RUNTIME;
    }
    struct stat st;
    if (stat(a->model, &st) != 0) {
        fprintf(stderr, "nnt: %s: cannot stat: %s\n", a->model, strerror(errno));
        model_free(&m);
        return EXIT_RUNTIME;
    }
    /* UTC, so the same file reads the same in every time zone and locale */
    char when[32] = "";
    struct tm tm;
    if (gmtime_r(&st.st_mtime, &tm) == NULL ||
        strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        when[0] = '\0';

    const nnt_net *net = &m.net;
    size_t param_bytes = 0;
    int bytes_ok = nnt_mul_size(&param_bytes, net->n_params, sizeof(float)) == 0;
    const char *output = net->n_y == 1 ? "sigmoid" : "softmax";

    if (a->json) {
        printf("{\"file\":");
        json_string(stdout, a->model);
        printf(",\"bytes\":%lld,\"modified\":", (long long)st.st_size);
        if (when[0])
            json_string(stdout, when);
        else
            printf("null");
        printf(",\"version\":%lu,\"classes\":[", (unsigned long)m.version);
        for (int c = 0; c < m.n_classes; c++) {
            if (c)
                putchar(',');
            json_string(stdout, m.class_names[c]);
        }
        printf("],\"n_classes\":%d,\"width\":%lu,\"height\":%lu,\"channels\":%d,\"n_x\":%d,"
               "\"hidden\":%d,\"activation\":",
               m.n_classes, (unsigned long)m.width, (unsigned long)m.height, m.channels, net->n_x,
               net->n_h);
        json_string(stdout, act_name(net->act));
        printf(",\"output\":\"%s\",\"n_y\":%d,\"parameters\":%zu,\"parameter_bytes\":", output,
               net->n_y, net->n_params);
        if (bytes_ok)
            printf("%zu", param_bytes);
        else
            printf("null");
        printf(",\"meta\":");
        if (m.meta) {
            json_meta j = {1};
            putchar('{');
            meta_each(m.meta, json_line, &j);
            printf("},\"meta_text\":");
            json_string(stdout, m.meta);
        } else {
            printf("null,\"meta_text\":null");
        }
        printf("}\n");
    } else {
        printf("file        %s (%lld bytes)\n", a->model, (long long)st.st_size);
        printf("modified    %s (the file's modification time; the model records no time itself)\n",
               when[0] ? when : "unknown");
        printf("format      version %lu (this nnt reads 1 to %d)\n", (unsigned long)m.version,
               NNT_MODEL_VERSION);
        printf("classes     %d: ", m.n_classes);
        for (int c = 0; c < m.n_classes; c++) {
            if (c)
                printf(", ");
            put_text(m.class_names[c], strlen(m.class_names[c]));
        }
        printf("\ninput       %lux%lux%d (%s), n_x %d\n", (unsigned long)m.width,
               (unsigned long)m.height, m.channels, m.channels == 1 ? "gray" : "RGB", net->n_x);
        printf("hidden      %d units, %s\n", net->n_h, act_name(net->act));
        if (net->n_y == 1) {
            printf("output      1 sigmoid unit: P(");
            put_text(m.class_names[1], strlen(m.class_names[1]));
            printf("), predicted when above 0.5\n");
        } else {
            printf("output      %d softmax units, one per class\n", net->n_y);
        }
        printf("parameters  %zu float32", net->n_params);
        if (bytes_ok)
            printf(", %zu bytes", param_bytes);
        printf(" (W1 %dx%d, b1 %d, W2 %dx%d, b2 %d)\n", net->n_h, net->n_x, net->n_h, net->n_y,
               net->n_h, net->n_y);
        if (!m.meta) {
            printf("training    not recorded (no META chunk)\n");
        } else {
            printf("training    (META, as recorded)\n");
            meta_each(m.meta, text_line, NULL);
        }
    }
    model_free(&m);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "nnt: writing to standard output failed\n");
        return EXIT_RUNTIME;
    }
    return EXIT_OK;
}
