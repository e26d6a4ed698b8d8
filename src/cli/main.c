/* main.c — parses the command line and dispatches to a command; nothing else. Over 400 lines as
 * one concern: each command's getopt table and the checks of its values, read side by side. */
#include <getopt.h>
#include <inttypes.h>
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "nnt/blas.h"
#include "nnt/comm.h"
#include "nnt/defaults.h"
#include "nnt/image.h"

#ifndef NNT_VERSION
#define NNT_VERSION "0.0.0"
#endif

enum {
    OPT_HIDDEN = 256, OPT_ACT, OPT_SEED, OPT_INIT, OPT_OPTIMIZER, OPT_MOMENTUM, OPT_BETA1,
    OPT_BETA2, OPT_EPS, OPT_L2, OPT_VAL_SPLIT, OPT_PATIENCE, OPT_PLOT, OPT_LR, OPT_EPOCHS, OPT_BATCH, OPT_SIZE, OPT_MAX_PIXELS,
    OPT_SKIP_BAD, OPT_THREADS, OPT_LOG_EVERY, OPT_JSON, OPT_TOP, OPT_SCALE, OPT_SOLVER,
    OPT_DROPOUT, OPT_AUGMENT,
};

/* The learning-rate schedule's and the weight decay's options (their own block: see optim.h). */
enum { OPT_SCHEDULE = 700, OPT_LR_FACTOR, OPT_LR_STEP, OPT_LR_MIN, OPT_WARMUP, OPT_WEIGHT_DECAY };

static int main_train(int argc, char **argv)
{
    static const struct option opts[] = {
        {"hidden", required_argument, 0, OPT_HIDDEN},
        {"act", required_argument, 0, OPT_ACT},
        {"init", required_argument, 0, OPT_INIT},
        {"seed", required_argument, 0, OPT_SEED},
        {"epochs", required_argument, 0, OPT_EPOCHS},
        {"iters", required_argument, 0, OPT_EPOCHS},
        {"batch", required_argument, 0, OPT_BATCH},
        {"optimizer", required_argument, 0, OPT_OPTIMIZER},
        {"lr", required_argument, 0, OPT_LR},
        {"schedule", required_argument, 0, OPT_SCHEDULE},
        {"lr-factor", required_argument, 0, OPT_LR_FACTOR},
        {"lr-step", required_argument, 0, OPT_LR_STEP},
        {"lr-min", required_argument, 0, OPT_LR_MIN},
        {"warmup", required_argument, 0, OPT_WARMUP},
        {"weight-decay", required_argument, 0, OPT_WEIGHT_DECAY},
        {"momentum", required_argument, 0, OPT_MOMENTUM},
        {"beta1", required_argument, 0, OPT_BETA1},
        {"beta2", required_argument, 0, OPT_BETA2},
        {"eps", required_argument, 0, OPT_EPS},
        {"l2", required_argument, 0, OPT_L2},
        {"dropout", required_argument, 0, OPT_DROPOUT},
        {"solver", required_argument, 0, OPT_SOLVER},
        {"val-split", required_argument, 0, OPT_VAL_SPLIT},
        {"patience", required_argument, 0, OPT_PATIENCE},
        {"size", required_argument, 0, OPT_SIZE},
        {"max-pixels", required_argument, 0, OPT_MAX_PIXELS},
        {"skip-bad", no_argument, 0, OPT_SKIP_BAD},
        {"scale", required_argument, 0, OPT_SCALE}, /* input scaling (show's --scale is another) */
        {"augment", required_argument, 0, OPT_AUGMENT},
        {"threads", required_argument, 0, OPT_THREADS},
        {"output", required_argument, 0, 'o'},
        {"plot", required_argument, 0, OPT_PLOT},
        {"log-every", required_argument, 0, OPT_LOG_EVERY},
        {"json", no_argument, 0, OPT_JSON},
        {"quiet", no_argument, 0, 'q'},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0},
    };
    train_args a = {
        .output = NNT_DEFAULT_OUTPUT, .hidden = NNT_DEFAULT_HIDDEN, .act = NNT_DEFAULT_ACT,
        .init = NNT_DEFAULT_INIT, .seed = NNT_DEFAULT_SEED, .log_every = NNT_DEFAULT_LOG_EVERY,
        .threads = comm_host_threads(), .max_pixels = NNT_DEFAULT_MAX_PIXELS,
        .train = train_opts_default(),
    };
    a.train.epochs = 0; /* auto: train_epochs_auto, once the training set's size is known */
    a.train.batch = NNT_DEFAULT_BATCH;
    a.train.optimizer = NNT_DEFAULT_OPTIMIZER;
    a.train.lr = 0.0f; /* 0 until given: the default depends on the optimiser */
    const char *cmd = "train";
    int c;
    float f;
    nnt_given given = {0}; /* what the recipe's defaults (defaults_recipe) must leave alone */
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":o:qh", opts, NULL)) != -1) {
        uint64_t v;
        switch (c) {
        case OPT_HIDDEN:
            if (parse_int(&a.hidden, optarg, 1, 1000000))
                return usage_error(cmd, "--hidden takes a whole number from 1 to 1000000, not '%s'", optarg);
            break;
        case OPT_ACT:
            if (act_parse(&a.act, optarg))
                return usage_error(cmd, "--act takes sigmoid, tanh, relu or leaky-relu, not '%s'", optarg);
            break;
        case OPT_INIT:
            if (net_init_parse(&a.init, optarg))
                return usage_error(cmd, "--init takes auto, he, xavier or normal, not '%s'", optarg);
            break;
        case OPT_SEED:
            if (parse_u64(&a.seed, optarg, 0, UINT64_MAX))
                return usage_error(cmd, "--seed takes a whole number >= 0, not '%s'", optarg);
            break;
        case OPT_EPOCHS:
            if (parse_int(&a.train.epochs, optarg, 1, 100000000))
                return usage_error(cmd, "--epochs takes a whole number from 1 to 100000000, not '%s'", optarg);
            break;
        case OPT_BATCH:
            if (strcmp(optarg, "full") == 0)
                a.train.batch = 0;
            else if (parse_u64(&v, optarg, 0, INT32_MAX) == 0)
                a.train.batch = (size_t)v;
            else
                return usage_error(cmd, "--batch takes a whole number or 'full', not '%s'", optarg);
            break;
        case OPT_OPTIMIZER:
            if (train_optimizer_parse(&a.train.optimizer, optarg))
                return usage_error(cmd, "--optimizer takes sgd, momentum or adam, not '%s'", optarg);
            break;
        case OPT_LR:
            if (parse_float(&a.train.lr, optarg, 0.0, 0, 1e38))
                return usage_error(cmd, "--lr takes a positive number, not '%s'", optarg);
            break;
        case OPT_SCHEDULE:
            if (optim_schedule_parse(&a.train.schedule.kind, optarg))
                return usage_error(cmd, "--schedule takes constant, step or cosine, not '%s'", optarg);
            given.schedule = 1;
            break;
        case OPT_LR_FACTOR:
            if (parse_float(&a.train.schedule.factor, optarg, 0.0, 0, 1.0))
                return usage_error(cmd, "--lr-factor takes a number above 0 up to 1, not '%s'", optarg);
            break;
        case OPT_LR_STEP:
            if (parse_int(&a.train.schedule.every, optarg, 1, 100000000))
                return usage_error(cmd, "--lr-step takes a whole number from 1 to 100000000, not '%s'", optarg);
            break;
        case OPT_LR_MIN:
            if (parse_float(&a.train.schedule.lr_min, optarg, 0.0, 1, 1e38))
                return usage_error(cmd, "--lr-min takes a number >= 0, not '%s'", optarg);
            break;
        case OPT_WARMUP:
            if (parse_int(&a.train.schedule.warmup, optarg, 0, 100000000))
                return usage_error(cmd, "--warmup takes a whole number from 0 to 100000000, not '%s'", optarg);
            break;
        case OPT_WEIGHT_DECAY:
            if (parse_float(&a.train.weight_decay, optarg, 0.0, 1, 1e6))
                return usage_error(cmd, "--weight-decay takes a number >= 0, not '%s'", optarg);
            break;
        case OPT_MOMENTUM:
            if (parse_float(&a.train.momentum, optarg, 0.0, 1, 0.999999))
                return usage_error(cmd, "--momentum takes a number from 0 to below 1, not '%s'", optarg);
            break;
        case OPT_BETA1:
        case OPT_BETA2:
            if (parse_float(&f, optarg, 0.0, 1, 0.999999999))
                return usage_error(cmd, "--beta1 and --beta2 take a number from 0 to below 1, not '%s'", optarg);
            *(c == OPT_BETA1 ? &a.train.beta1 : &a.train.beta2) = f;
            break;
        case OPT_EPS:
            if (parse_float(&a.train.eps, optarg, 0.0, 0, 1.0))
                return usage_error(cmd, "--eps takes a positive number up to 1, not '%s'", optarg);
            break;
        case OPT_L2:
            if (parse_float(&a.train.l2, optarg, 0.0, 1, 1e6))
                return usage_error(cmd, "--l2 takes a number >= 0, not '%s'", optarg);
            break;
        case OPT_DROPOUT:
            if (parse_float(&a.train.dropout, optarg, 0.0, 1, 1.0) || a.train.dropout >= 1.0f)
                return usage_error(cmd, "--dropout takes a fraction from 0 to below 1, not '%s'", optarg);
            break;
        case OPT_SOLVER:
            if (train_solver_parse(&a.train.solver, optarg))
                return usage_error(cmd, "--solver takes auto, primal or dual, not '%s'", optarg);
            break;
        case OPT_VAL_SPLIT:
            if (parse_float(&f, optarg, 0.0, 1, 0.99))
                return usage_error(cmd, "--val-split takes a fraction from 0 to 0.99, not '%s'", optarg);
            a.val_split = f;
            break;
        case OPT_PATIENCE:
            if (parse_int(&a.train.patience, optarg, 0, 100000000))
                return usage_error(cmd, "--patience takes a whole number >= 0, not '%s'", optarg);
            given.patience = 1;
            break;
        case OPT_SIZE:
            if (parse_size(&a.width, &a.height, optarg))
                return usage_error(cmd, "--size takes WxH with W and H from 1 to 65535, e.g. 64x64, not '%s'", optarg);
            break;
        case OPT_MAX_PIXELS:
            if (parse_u64(&a.max_pixels, optarg, 1, UINT64_MAX))
                return usage_error(cmd, "--max-pixels takes a whole number >= 1, not '%s'", optarg);
            break;
        case OPT_SKIP_BAD: a.skip_bad = 1; break;
        case OPT_SCALE:
            if (scale_parse(&a.scale, optarg))
                return usage_error(cmd, "--scale takes none, center or standardize, not '%s'", optarg);
            given.scale = 1;
            break;
        case OPT_AUGMENT: {
            nnt_err aerr;
            if (augment_parse(&a.train.augment, optarg, &aerr))
                return usage_error(cmd, "%s", aerr.msg);
            break;
        }
        case OPT_THREADS:
            if (parse_int(&a.threads, optarg, 1, 256))
                return usage_error(cmd, "--threads takes a whole number from 1 to 256, not '%s'", optarg);
            break;
        case 'o':
            if (!optarg[0])
                return usage_error(cmd, "--output needs a file name%s", "");
            a.output = optarg;
            break;
        case OPT_PLOT:
            if (!optarg[0])
                return usage_error(cmd, "--plot needs a file name%s", "");
            a.plot = optarg;
            break;
        case OPT_LOG_EVERY:
            if (parse_int(&a.log_every, optarg, 0, 100000000))
                return usage_error(cmd, "--log-every takes a whole number >= 0, not '%s'", optarg);
            break;
        case OPT_JSON: a.json = 1; break;
        case 'q': a.quiet = 1; break;
        case 'h': fputs(help_train, stdout); return EXIT_OK;
        default: return bad_option(cmd, c, argv);
        }
    }
    if (optind >= argc)
        return usage_error(cmd, "missing the dataset folder DIR%s", "");
    if (optind + 1 < argc)
        return usage_error(cmd, "unexpected argument '%s' (one dataset folder only)", argv[optind + 1]);
    if (a.train.patience > 0 && a.val_split == 0.0)
        return usage_error(cmd, "--patience needs a validation set: add --val-split F%s", "");
    defaults_recipe(&a.train, &a.scale, a.val_split > 0.0, &given);
    a.train.augment_seed = a.seed; /* each image's transform: a hash of it, the epoch, the image */
    nnt_err err;
    if (train_opts_check(&a.train, 1, &err)) /* the rest, which needs the ranks: cmd_train */
        return usage_error(cmd, "%s", err.msg);
    a.dir = argv[optind];
    a.train.dropout_seed = a.seed; /* the masks' own hash of it: nothing drawn from the trainer's */
    if (a.train.lr == 0.0f)
        a.train.lr = train_lr_default(a.train.optimizer);
    return cmd_train(&a);
}

static int main_predict(int argc, char **argv)
{
    static const struct option opts[] = {
        {"json", no_argument, 0, OPT_JSON},
        {"max-pixels", required_argument, 0, OPT_MAX_PIXELS},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0},
    };
    predict_args a = {.max_pixels = NNT_DEFAULT_MAX_PIXELS};
    const char *cmd = "predict";
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
        switch (c) {
        case OPT_JSON: a.json = 1; break;
        case OPT_MAX_PIXELS:
            if (parse_u64(&a.max_pixels, optarg, 1, UINT64_MAX))
                return usage_error(cmd, "--max-pixels takes a whole number >= 1, not '%s'", optarg);
            break;
        case 'h': fputs(help_predict, stdout); return EXIT_OK;
        default: return bad_option(cmd, c, argv);
        }
    }
    if (optind >= argc)
        return usage_error(cmd, "missing the model file MODEL%s", "");
    if (optind + 1 >= argc)
        return usage_error(cmd, "missing the images to classify (IMAGE...)%s", "");
    a.model = argv[optind];
    a.images = argv + optind + 1;
    a.n_images = argc - optind - 1;
    return cmd_predict(&a);
}

static int main_eval(int argc, char **argv)
{
    static const struct option opts[] = {
        {"json", no_argument, 0, OPT_JSON},
        {"top", required_argument, 0, OPT_TOP},
        {"max-pixels", required_argument, 0, OPT_MAX_PIXELS},
        {"threads", required_argument, 0, OPT_THREADS},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0},
    };
    eval_args a = {.max_pixels = NNT_DEFAULT_MAX_PIXELS, .threads = comm_host_threads(),
                   .top = NNT_DEFAULT_EVAL_TOP};
    const char *cmd = "eval";
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
        switch (c) {
        case OPT_JSON: a.json = 1; break;
        case OPT_TOP:
            if (parse_int(&a.top, optarg, 0, 1000000))
                return usage_error(cmd, "--top takes a whole number >= 0, not '%s'", optarg);
            break;
        case OPT_MAX_PIXELS:
            if (parse_u64(&a.max_pixels, optarg, 1, UINT64_MAX))
                return usage_error(cmd, "--max-pixels takes a whole number >= 1, not '%s'", optarg);
            break;
        case OPT_THREADS:
            if (parse_int(&a.threads, optarg, 1, 256))
                return usage_error(cmd, "--threads takes a whole number from 1 to 256, not '%s'", optarg);
            break;
        case 'h': fputs(help_eval, stdout); return EXIT_OK;
        default: return bad_option(cmd, c, argv);
        }
    }
    if (optind >= argc)
        return usage_error(cmd, "missing the model file MODEL%s", "");
    if (optind + 1 >= argc)
        return usage_error(cmd, "missing the dataset folder DIR%s", "");
    if (optind + 2 < argc)
        return usage_error(cmd, "unexpected argument '%s'", argv[optind + 2]);
    a.model = argv[optind];
    a.dir = argv[optind + 1];
    return cmd_eval(&a);
}

static int main_info(int argc, char **argv)
{
    static const struct option opts[] = {
        {"json", no_argument, 0, OPT_JSON},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0},
    };
    info_args a = {0};
    const char *cmd = "info";
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
        switch (c) {
        case OPT_JSON: a.json = 1; break;
        case 'h': fputs(help_info, stdout); return EXIT_OK;
        default: return bad_option(cmd, c, argv);
        }
    }
    if (optind >= argc)
        return usage_error(cmd, "missing the model file MODEL%s", "");
    if (optind + 1 < argc)
        return usage_error(cmd, "unexpected argument '%s'", argv[optind + 1]);
    a.model = argv[optind];
    return cmd_info(&a);
}

static int main_export(int argc, char **argv)
{
    static const struct option opts[] = {
        {"format", required_argument, 0, 'f'},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0},
    };
    export_args a = {0};
    const char *cmd = "export";
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":f:h", opts, NULL)) != -1) {
        switch (c) {
        case 'f':
            if (strcmp(optarg, "npz") != 0 && strcmp(optarg, "onnx") != 0)
                return usage_error(cmd, "--format takes npz or onnx, not '%s'", optarg);
            a.format = optarg;
            break;
        case 'h': fputs(help_export, stdout); return EXIT_OK;
        default: return bad_option(cmd, c, argv);
        }
    }
    if (!a.format)
        return usage_error(cmd, "missing --format npz|onnx%s", "");
    if (optind >= argc)
        return usage_error(cmd, "missing the model file MODEL%s", "");
    if (optind + 1 >= argc)
        return usage_error(cmd, "missing the output file OUT%s", "");
    if (optind + 2 < argc)
        return usage_error(cmd, "unexpected argument '%s'", argv[optind + 2]);
    a.model = argv[optind];
    a.output = argv[optind + 1];
    return cmd_export(&a);
}

static int main_show(int argc, char **argv)
{
    static const struct option opts[] = {
        {"output", required_argument, 0, 'o'},
        {"scale", required_argument, 0, OPT_SCALE},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0},
    };
    show_args a = {.scale = NNT_DEFAULT_SHOW_SCALE};
    const char *cmd = "show";
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":o:h", opts, NULL)) != -1) {
        switch (c) {
        case 'o':
            if (!optarg[0])
                return usage_error(cmd, "--output needs a file name%s", "");
            a.output = optarg;
            break;
        case OPT_SCALE:
            if (parse_int(&a.scale, optarg, 1, 64))
                return usage_error(cmd, "--scale takes a whole number from 1 to 64, not '%s'", optarg);
            break;
        case 'h': fputs(help_show, stdout); return EXIT_OK;
        default: return bad_option(cmd, c, argv);
        }
    }
    if (optind >= argc)
        return usage_error(cmd, "missing the model file MODEL%s", "");
    if (optind + 1 < argc)
        return usage_error(cmd, "unexpected argument '%s'", argv[optind + 1]);
    if (!a.output)
        return usage_error(cmd, "missing -o OUT.png%s", "");
    a.model = argv[optind];
    return cmd_show(&a);
}

int main(int argc, char **argv)
{
    /* OpenBLAS chooses its kernels as it loads, before main. Where its detection fell back to
     * generic kernels on a CPU it does not know, start again with the right ones named; a user's
     * own OPENBLAS_CORETYPE is always left alone (and also prevents a second restart). */
    const char *core = getenv("OPENBLAS_CORETYPE") ? NULL : blas_better_coretype();
    if (core && setenv("OPENBLAS_CORETYPE", core, 1) == 0)
        execv("/proc/self/exe", argv); /* returns only on failure: carry on with what we have */

    if (argc < 2) {
        fputs(help_main, stderr);
        return EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        fputs(help_main, stdout);
        return EXIT_OK;
    }
    if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "-V") == 0) {
        printf("nnt %s\nBLAS: %s\nlibpng: %s\n", NNT_VERSION, blas_name(), png_get_libpng_ver(NULL));
        return EXIT_OK;
    }
    /* each command parses its own options, with argv[0] being the command name */
    if (strcmp(cmd, "train") == 0)
        return main_train(argc - 1, argv + 1);
    if (strcmp(cmd, "predict") == 0)
        return main_predict(argc - 1, argv + 1);
    if (strcmp(cmd, "eval") == 0)
        return main_eval(argc - 1, argv + 1);
    if (strcmp(cmd, "info") == 0)
        return main_info(argc - 1, argv + 1);
    if (strcmp(cmd, "export") == 0)
        return main_export(argc - 1, argv + 1);
    if (strcmp(cmd, "show") == 0)
        return main_show(argc - 1, argv + 1);
    return usage_error(NULL, "unknown command '%s'", cmd);
}
