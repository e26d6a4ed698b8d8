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
#include "nnt/checkpoint.h"
#include "nnt/comm.h"
#include "nnt/defaults.h"
#include "nnt/image.h"

#ifndef NNT_VERSION
#define NNT_VERSION "0.0.0"
#endif

/* The ids of each command's own options (the train options' are trainopt.c's, 1000 and up). */
enum {
    OPT_PLOT = 256, OPT_LOG_EVERY, OPT_JSON, OPT_TOP, OPT_MAX_PIXELS, OPT_THREADS, OPT_SCALE,
    OPT_CHECKPOINT, OPT_CHECKPOINT_EVERY, OPT_RESUME, OPT_INIT_FROM, OPT_SKIP_BAD,
};

/* The options a train command was given, each as "--name" or "--name=value" whatever way it was
 * spelt, for the checkpoint (ARGV) that a resume parses again: owned strings. */
typedef struct arg_list {
    int n;
    char **v;
} arg_list;

/* Appends a copy of s; -1 out of memory. */
static int args_add(arg_list *l, const char *s)
{
    char **v = realloc(l->v, (size_t)(l->n + 2) * sizeof *v);
    if (!v)
        return -1;
    l->v = v;
    if (!(v[l->n] = strdup(s)))
        return -1;
    v[++l->n] = NULL;
    return 0;
}

/* Appends "--name" or "--name=val". */
static int args_push(arg_list *l, const char *name, const char *val)
{
    size_t n = strlen(name) + (val ? strlen(val) + 1 : 0) + 3;
    char *s = malloc(n);
    if (!s)
        return -1;
    snprintf(s, n, "--%s%s%s", name, val ? "=" : "", val ? val : "");
    int rc = args_add(l, s);
    free(s);
    return rc;
}

static void args_free(arg_list *l)
{
    for (int i = 0; i < l->n; i++)
        free(l->v[i]);
    free(l->v);
    memset(l, 0, sizeof *l);
}

/* --resume's file among argv's options (getopt_long's way: abbreviations, --opt=value), or
 * NULL. It reads a copy: getopt permutes what it reads, and the real pass must see argv as
 * given (a value missing at the end would otherwise take the folder after the permutation). */
static const char *find_resume(int argc, char **argv, const struct option *opts)
{
    char **copy = malloc(((size_t)argc + 1) * sizeof *copy);
    if (!copy)
        return NULL;
    memcpy(copy, argv, ((size_t)argc + 1) * sizeof *copy);
    const char *file = NULL;
    int c;
    opterr = 0;
    optind = 0;
    while ((c = getopt_long(argc, copy, ":o:qh", opts, NULL)) != -1)
        if (c == OPT_RESUME)
            file = optarg;
    optind = 0;
    free(copy);
    return file;
}

static int train_parse(int argc, char **argv, const struct option *opts, arg_list *given_args,
                       const nnt_checkpoint *ck, const char *resume_path);

static int main_train(int argc, char **argv)
{
    static const struct option own[] = {
        {"output", required_argument, 0, 'o'},
        {"plot", required_argument, 0, OPT_PLOT},
        {"log-every", required_argument, 0, OPT_LOG_EVERY},
        {"json", no_argument, 0, OPT_JSON},
        {"quiet", no_argument, 0, 'q'},
        {"checkpoint", required_argument, 0, OPT_CHECKPOINT},
        {"checkpoint-every", required_argument, 0, OPT_CHECKPOINT_EVERY},
        {"resume", required_argument, 0, OPT_RESUME},
        {"init-from", required_argument, 0, OPT_INIT_FROM},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0},
    };
    struct option opts[TRAINOPT_COUNT + 12];
    if (trainopt_table(opts, sizeof opts / sizeof opts[0], own))
        return usage_error("train", "internal: the option table does not fit%s", "");
    /* --resume: the checkpoint's options come first, then this command's, which may override
     * the ones allowed to change (cmd_train compares the rest) */
    const char *resume = find_resume(argc, argv, opts);
    nnt_checkpoint ck = {0};
    char **all = NULL;
    int n_all = argc;
    if (resume) {
        nnt_err err;
        if (checkpoint_load(&ck, resume, &err)) {
            fprintf(stderr, "nnt: %s\n", err.msg);
            return EXIT_RUNTIME;
        }
        if (ck.argc < 1) {
            fprintf(stderr, "nnt: %s: the checkpoint names no dataset folder\n", resume);
            checkpoint_free(&ck);
            return EXIT_RUNTIME;
        }
        n_all = 1 + ck.argc + (argc - 1);
        if (!(all = calloc((size_t)n_all + 1, sizeof *all))) {
            checkpoint_free(&ck);
            fprintf(stderr, "nnt: out of memory\n");
            return EXIT_RUNTIME;
        }
        /* the saved folder last: a folder given now comes first and wins */
        all[0] = argv[0];
        for (int i = 0; i + 1 < ck.argc; i++)
            all[1 + i] = ck.argv[i];
        for (int i = 1; i < argc; i++)
            all[ck.argc + i - 1] = argv[i];
        all[n_all - 1] = ck.argv[ck.argc - 1];
    }
    arg_list given_args = {0};
    int rc = train_parse(n_all, all ? all : argv, opts, &given_args, resume ? &ck : NULL,
                         resume);
    args_free(&given_args);
    free(all);
    checkpoint_free(&ck);
    return rc;
}

static int train_parse(int argc, char **argv, const struct option *opts, arg_list *given_args,
                       const nnt_checkpoint *ck, const char *resume_path)
{
    train_args a;
    trainopt_defaults(&a);
    const char *cmd = "train";
    int c, li;
    nnt_given given = {0}; /* what the recipe's defaults (defaults_recipe) must leave alone */
    a.checkpoint_every = -1;
    opterr = 0;
    optind = 0;
    while ((li = -1, c = getopt_long(argc, argv, ":o:qh", opts, &li)) != -1) {
        /* recorded as given, for a checkpoint; --resume itself is not part of the run */
        const char *name = c == 'o' ? "output" : c == 'q' ? "quiet" : li >= 0 ? opts[li].name : NULL;
        if (name && c != OPT_RESUME && c != 'h' && args_push(given_args, name, optarg)) {
            fprintf(stderr, "nnt: out of memory\n");
            return EXIT_RUNTIME;
        }
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
        case OPT_CHECKPOINT:
            if (!optarg[0])
                return usage_error(cmd, "--checkpoint needs a file name%s", "");
            a.checkpoint = optarg;
            break;
        case OPT_CHECKPOINT_EVERY:
            if (parse_int(&a.checkpoint_every, optarg, 0, 100000000))
                return usage_error(cmd, "--checkpoint-every takes a whole number of epochs >= 0, "
                                        "not '%s'", optarg);
            break;
        case OPT_RESUME: /* found and loaded by find_resume, unless it ran out of memory */
            if (!ck) {
                fprintf(stderr, "nnt: out of memory\n");
                return EXIT_RUNTIME;
            }
            break;
        case OPT_INIT_FROM:
            if (!optarg[0])
                return usage_error(cmd, "--init-from needs a model file%s", "");
            a.init_from = optarg;
            break;
        case 'h': fputs(help_train, stdout); return EXIT_OK;
        default: return bad_option(cmd, c, argv);
        }
    }
    /* resuming, the saved folder comes last: one given now is before it */
    if (optind >= argc)
        return usage_error(cmd, "missing the dataset folder DIR%s", "");
    if (optind + 1 + (ck != NULL) < argc)
        return usage_error(cmd, "unexpected argument '%s' (one dataset folder only)",
                           argv[optind + 1 + (ck != NULL)]);
    if (a.init_from && ck)
        a.init_from = NULL; /* the checkpoint holds the weights that went on from it */
    int rc = trainopt_finish(&a, &given, cmd);
    if (rc)
        return rc;
    a.dir = argv[optind];
    a.resumed = ck;
    a.resume = ck ? resume_path : NULL;
    /* the folder as the checkpoint keeps it: after the options */
    if (args_add(given_args, a.dir)) {
        fprintf(stderr, "nnt: out of memory\n");
        return EXIT_RUNTIME;
    }
    a.argc = given_args->n;
    a.argv = given_args->v;
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
    if (strcmp(cmd, "tune") == 0)
        return main_tune(argc - 1, argv + 1);
    return usage_error(NULL, "unknown command '%s'", cmd);
}
