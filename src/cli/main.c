/* main.c — parses the command line and dispatches to a command; nothing else (the train options
 * are trainopt.c's): each command's getopt table and the checks of its values, side by side. */
#include <getopt.h>
#include <inttypes.h>
#include <png.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "trainopt.h"
#include "nnt/blas.h"
#include "nnt/comm.h"
#include "nnt/defaults.h"
#include "nnt/image.h"

#ifndef NNT_VERSION
#define NNT_VERSION "0.0.0"
#endif

/* The ids of each command's own options (the train options' are trainopt.c's, 1000 and up). */
enum {
    OPT_PLOT = 256, OPT_LOG_EVERY, OPT_JSON, OPT_TOP, OPT_MAX_PIXELS, OPT_THREADS, OPT_SCALE,
    OPT_SKIP_BAD,
};

static int main_train(int argc, char **argv)
{
    static const struct option own[] = {
        {"output", required_argument, 0, 'o'},
        {"plot", required_argument, 0, OPT_PLOT},
        {"log-every", required_argument, 0, OPT_LOG_EVERY},
        {"json", no_argument, 0, OPT_JSON},
        {"quiet", no_argument, 0, 'q'},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0},
    };
    struct option opts[TRAINOPT_COUNT + 8];
    if (trainopt_table(opts, sizeof opts / sizeof opts[0], own))
        return usage_error("train", "internal: the option table does not fit%s", "");
    train_args a;
    trainopt_defaults(&a);
    const char *cmd = "train";
    int c;
    nnt_given given = {0}; /* what the recipe's defaults (defaults_recipe) must leave alone */
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":o:qh", opts, NULL)) != -1) {
        int rc = trainopt_apply(&a, &given, c, optarg, cmd);
        if (rc >= 0) {
            if (rc)
                return rc;
            continue;
        }
        switch (c) {
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
    int rc = trainopt_finish(&a, &given, cmd);
    if (rc)
        return rc;
    a.dir = argv[optind];
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
        {"skip-bad", no_argument, 0, OPT_SKIP_BAD},
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
        case OPT_SKIP_BAD: a.skip_bad = 1; break;
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

    /* past a file size limit (ulimit -f) a write then fails with EFBIG, which file_save reports
     * naming the file and cleans up after, instead of the signal killing nnt mid-save */
    signal(SIGXFSZ, SIG_IGN);
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
    if (strcmp(cmd, "cv") == 0)
        return main_cv(argc - 1, argv + 1);
    return usage_error(NULL, "unknown command '%s'", cmd);
}
