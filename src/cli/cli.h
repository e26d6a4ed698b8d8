/* cli.h — what main.c's parsing hands to each command; the commands print and pick exit codes. */
#ifndef NNT_CLI_H
#define NNT_CLI_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "nnt/act.h"
#include "nnt/checkpoint.h"
#include "nnt/net.h"
#include "nnt/scale.h"
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
    nnt_scale_kind scale; /* --scale: fitted on the training images, folded into the model */
    int json;
    int quiet;
    const char *checkpoint;  /* --checkpoint FILE (NULL: OUTPUT.ckpt when checkpointing) */
    int checkpoint_every;    /* --checkpoint-every N epochs; -1: not given (1 with --checkpoint) */
    const nnt_checkpoint *resumed; /* --resume FILE's checkpoint, loaded (NULL: none) */
    const char *resume;      /* its file */
    const char *init_from;   /* --init-from MODEL: start from its weights */
    int argc;                /* the train options as given (then the folder), for the checkpoint */
    char **argv;
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
    int skip_bad; /* --skip-bad: undecodable images are counted, named and left out */
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
/* `nnt cv`: its options and its run (cmd_cv.c). */
int main_cv(int argc, char **argv);
/* `nnt tune`: its options and its search (cmd_tune.c). */
int main_tune(int argc, char **argv);
int cmd_predict(const predict_args *a);
int cmd_eval(const eval_args *a);
int cmd_info(const info_args *a);
int cmd_export(const export_args *a);
int cmd_show(const show_args *a);

/* stop.c: the signal that asked nnt to stop (0: none yet), set by the handlers that
 * cli_catch_signals installs for SIGINT and SIGTERM; and a signal's name for messages. */
extern volatile sig_atomic_t cli_stop_signal;
void cli_catch_signals(void);
const char *cli_signal_name(int sig);

/* parse.c: "nnt CMD: " fmt (with arg), then the --help hint, on stderr (cmd NULL: nnt itself);
 * returns EXIT_USAGE. */
int usage_error(const char *cmd, const char *fmt, const char *arg);
/* parse.c: the usage error of getopt_long's return c (':' a missing value, else unknown). */
int bad_option(const char *cmd, int c, char **argv);
/* parse.c: a flag's value, 0 on success: a whole number in [lo, hi] with nothing after it; an
 * int; WxH with W and H from 1 to 65535; a finite number in (lo, hi] ([lo, hi] when lo_ok). */
int parse_u64(uint64_t *out, const char *s, uint64_t lo, uint64_t hi);
int parse_int(int *out, const char *s, int lo, int hi);
int parse_size(uint32_t *w, uint32_t *h, const char *s);
int parse_float(float *out, const char *s, double lo, int lo_ok, double hi);

/* The --help texts (help.c): of nnt itself and of each command. */
extern const char help_main[], help_train[], help_cv[], help_predict[], help_eval[], help_info[],
    help_export[], help_show[], help_tune[];

/* Prints s to f as a JSON string literal (quotes, escapes). */
void json_string(FILE *f, const char *s);
/* Prints x to f as a JSON number, or null when it is not finite. */
void json_number(FILE *f, double x);

#endif
