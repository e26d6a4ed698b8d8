/* cli.h — what main.c's parsing hands to each command; the commands print and pick exit codes. */
#ifndef NNT_CLI_H
#define NNT_CLI_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "nnt/act.h"
#include "nnt/net.h"
#include "nnt/train.h"

/* Exit codes of the nnt program. */
enum { EXIT_OK = 0, EXIT_RUNTIME = 1, EXIT_USAGE = 2 };

typedef struct train_args {
    const char *dir;
    const char *output;
    int hidden;
    nnt_act act;
    nnt_init init;
    nnt_train_opts train; /* epochs, batch, optimizer, lr, momentum, betas, eps, l2, patience */
    uint64_t seed;
    double val_split;   /* 0: none */
    const char *plot;   /* --plot FILE.png, or NULL */
    int log_every; /* -1: auto (every epoch, at most about 100 lines) */
    int threads;
    uint32_t width, height; /* --size; 0 = keep */
    uint64_t max_pixels;
    int skip_bad;
    int json;
    int quiet;
} train_args;

typedef struct predict_args {
    const char *model;
    char **images;
    int n_images;
    uint64_t max_pixels;
    int json;
} predict_args;

typedef struct eval_args {
    const char *model;
    const char *dir;
    uint64_t max_pixels;
    int threads;
    int top;  /* how many of the most confidently wrong files to list */
    int json;
} eval_args;

typedef struct info_args {
    const char *model;
    int json;
} info_args;

typedef struct export_args {
    const char *format; /* "npz" or "onnx" */
    const char *model;
    const char *output;
} export_args;

typedef struct show_args {
    const char *model;
    const char *output; /* the mosaic PNG */
    int scale;          /* pixels per weight */
} show_args;

int cmd_train(const train_args *a);
int cmd_predict(const predict_args *a);
int cmd_eval(const eval_args *a);
int cmd_info(const info_args *a);
int cmd_export(const export_args *a);
int cmd_show(const show_args *a);

/* Prints s to f as a JSON string literal (quotes, escapes). */
void json_string(FILE *f, const char *s);
/* Prints x to f as a JSON number, or null when it is not finite. */
void json_number(FILE *f, double x);

#endif
