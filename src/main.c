/* main.c — parses the command line and dispatches to a command; nothing else. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "nnt/blas.h"
#include "nnt/image.h"

#ifndef NNT_VERSION
#define NNT_VERSION "0.0.0"
#endif

static const char usage_main[] =
    "Usage: nnt COMMAND [OPTIONS] ...\n"
    "Train and use two-layer neural networks on folders of PNG images.\n"
    "\n"
    "Commands:\n"
    "  train DIR             train a network on DIR/train/<class>/*.png (and DIR/test/)\n"
    "                        or DIR/<class>/*.png, and write a model file\n"
    "  predict MODEL IMAGE...  classify images with a model\n"
    "\n"
    "  nnt COMMAND --help    options of a command\n"
    "  nnt --version         version and libraries\n"
    "\n"
    "Exit status: 0 success, 1 runtime or data error, 2 usage error,\n"
    "130/143 training interrupted by SIGINT/SIGTERM.\n";

static const char usage_train[] =
    "Usage: nnt train [OPTIONS] DIR\n"
    "Train a two-layer network (one hidden layer) on the PNG images in DIR, laid out as\n"
    "DIR/train/<class>/*.png with an optional DIR/test/<class>/*.png, or DIR/<class>/*.png.\n"
    "Class names are the folder names in sorted order. Two classes train one sigmoid output\n"
    "(the tutorial's model); more train a softmax output.\n"
    "\n"
    "Network:\n"
    "      --hidden N        hidden units (default 4)\n"
    "      --act NAME        hidden activation: sigmoid, tanh, relu, leaky-relu (default relu)\n"
    "      --seed N          seed of the random initialisation and batch order (default 1)\n"
    "Training (gradient descent; weights start as N(0,1)*0.01, biases 0):\n"
    "      --lr X            learning rate (default 0.0075)\n"
    "      --epochs N        passes over the training set (default 2500); alias --iters\n"
    "      --batch N|full    images per step; full = the whole set (default full)\n"
    "Data:\n"
    "      --size WxH        resize every image to WxH (default: all must have one size)\n"
    "      --max-pixels N    refuse images of more than N pixels (default 67108864)\n"
    "      --skip-bad        skip undecodable images with a warning (default: fail)\n"
    "      --threads N       decoding and BLAS threads (default: all cores)\n"
    "Output:\n"
    "  -o, --output PATH     model file to write (default model.bin)\n"
    "      --log-every N     progress line every N epochs, 0 = only the last\n"
    "                        (default: about ten lines, every epochs/10)\n"
    "      --json            JSON lines on stdout: progress, then a summary\n"
    "  -q, --quiet           no progress on stderr\n"
    "  -h, --help            this help\n";

static const char usage_predict[] =
    "Usage: nnt predict [OPTIONS] MODEL IMAGE...\n"
    "Classify PNG images with a model written by nnt train. Images are converted to the\n"
    "model's channels and resized (bilinear) to its input size when they differ.\n"
    "Prints one line per image: path, label, probability of that label (tab-separated).\n"
    "\n"
    "      --json            one JSON object per image: file, label, probability\n"
    "      --max-pixels N    refuse images of more than N pixels (default 67108864)\n"
    "  -h, --help            this help\n"
    "\n"
    "Exit status: 0 when every image was classified, 1 when any could not be (the others\n"
    "are still printed), 2 usage error.\n";

static int usage_error(const char *cmd, const char *fmt, const char *arg)
{
    fprintf(stderr, "nnt%s%s: ", cmd ? " " : "", cmd ? cmd : "");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\nTry 'nnt%s%s --help'.\n", cmd ? " " : "", cmd ? cmd : "");
    return EXIT_USAGE;
}

/* Whole number in [lo, hi] with nothing after it; 0 on success. */
static int parse_u64(uint64_t *out, const char *s, uint64_t lo, uint64_t hi)
{
    char *end;
    if (!s[0] || s[0] == '-' || s[0] == '+' || s[0] == ' ')
        return -1;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

static int parse_int(int *out, const char *s, int lo, int hi)
{
    uint64_t v;
    if (parse_u64(&v, s, (uint64_t)lo, (uint64_t)hi))
        return -1;
    *out = (int)v;
    return 0;
}

static int parse_size(uint32_t *w, uint32_t *h, const char *s)
{
    char buf[64];
    const char *x = strchr(s, 'x');
    uint64_t a, b;
    if (!x || (size_t)(x - s) >= sizeof buf)
        return -1;
    memcpy(buf, s, (size_t)(x - s));
    buf[x - s] = 0;
    if (parse_u64(&a, buf, 1, 65535) || parse_u64(&b, x + 1, 1, 65535))
        return -1;
    *w = (uint32_t)a;
    *h = (uint32_t)b;
    return 0;
}

static int default_threads(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > 256 ? 256 : (int)n;
}

/* getopt_long's own messages are off (opterr = 0) so every usage error has one format. */
static int bad_option(const char *cmd, int c, char **argv)
{
    if (c == ':')
        return usage_error(cmd, "option '%s' needs a value", argv[optind - 1]);
    if (optopt) {
        char s[3] = {'-', (char)optopt, 0};
        return usage_error(cmd, "unknown option '%s'", s);
    }
    return usage_error(cmd, "unknown option '%s'", argv[optind - 1]);
}

enum {
    OPT_HIDDEN = 256, OPT_ACT, OPT_SEED, OPT_LR, OPT_EPOCHS, OPT_BATCH, OPT_SIZE, OPT_MAX_PIXELS,
    OPT_SKIP_BAD, OPT_THREADS, OPT_LOG_EVERY, OPT_JSON
};

static int main_train(int argc, char **argv)
{
    static const struct option opts[] = {
        {"hidden", required_argument, 0, OPT_HIDDEN},
        {"act", required_argument, 0, OPT_ACT},
        {"seed", required_argument, 0, OPT_SEED},
        {"lr", required_argument, 0, OPT_LR},
        {"epochs", required_argument, 0, OPT_EPOCHS},
        {"iters", required_argument, 0, OPT_EPOCHS},
        {"batch", required_argument, 0, OPT_BATCH},
        {"size", required_argument, 0, OPT_SIZE},
        {"max-pixels", required_argument, 0, OPT_MAX_PIXELS},
        {"skip-bad", no_argument, 0, OPT_SKIP_BAD},
        {"threads", required_argument, 0, OPT_THREADS},
        {"output", required_argument, 0, 'o'},
        {"log-every", required_argument, 0, OPT_LOG_EVERY},
        {"json", no_argument, 0, OPT_JSON},
        {"quiet", no_argument, 0, 'q'},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0},
    };
    train_args a = {
        .output = "model.bin", .hidden = 4, .act = NNT_ACT_RELU, .lr = 0.0075f, .epochs = 2500,
        .batch = 0, .seed = 1, .log_every = -1, .threads = default_threads(),
        .max_pixels = NNT_DEFAULT_MAX_PIXELS,
    };
    const char *cmd = "train";
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":o:qh", opts, NULL)) != -1) {
        uint64_t v;
        char *end;
        switch (c) {
        case OPT_HIDDEN:
            if (parse_int(&a.hidden, optarg, 1, 1000000))
                return usage_error(cmd, "--hidden takes a whole number from 1 to 1000000, not '%s'", optarg);
            break;
        case OPT_ACT:
            if (act_parse(&a.act, optarg))
                return usage_error(cmd, "--act takes sigmoid, tanh, relu or leaky-relu, not '%s'", optarg);
            break;
        case OPT_SEED:
            if (parse_u64(&a.seed, optarg, 0, UINT64_MAX))
                return usage_error(cmd, "--seed takes a whole number >= 0, not '%s'", optarg);
            break;
        case OPT_LR:
            errno = 0;
            a.lr = strtof(optarg, &end);
            if (errno || end == optarg || *end || !isfinite(a.lr) || a.lr <= 0.0f)
                return usage_error(cmd, "--lr takes a positive number, not '%s'", optarg);
            break;
        case OPT_EPOCHS:
            if (parse_int(&a.epochs, optarg, 1, 100000000))
                return usage_error(cmd, "--epochs takes a whole number from 1 to 100000000, not '%s'", optarg);
            break;
        case OPT_BATCH:
            if (strcmp(optarg, "full") == 0)
                a.batch = 0;
            else if (parse_u64(&v, optarg, 0, INT32_MAX) == 0)
                a.batch = (size_t)v;
            else
                return usage_error(cmd, "--batch takes a whole number or 'full', not '%s'", optarg);
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
        case OPT_THREADS:
            if (parse_int(&a.threads, optarg, 1, 256))
                return usage_error(cmd, "--threads takes a whole number from 1 to 256, not '%s'", optarg);
            break;
        case 'o':
            if (!optarg[0])
                return usage_error(cmd, "--output needs a file name%s", "");
            a.output = optarg;
            break;
        case OPT_LOG_EVERY:
            if (parse_int(&a.log_every, optarg, 0, 100000000))
                return usage_error(cmd, "--log-every takes a whole number >= 0, not '%s'", optarg);
            break;
        case OPT_JSON: a.json = 1; break;
        case 'q': a.quiet = 1; break;
        case 'h': fputs(usage_train, stdout); return EXIT_OK;
        default: return bad_option(cmd, c, argv);
        }
    }
    if (optind >= argc)
        return usage_error(cmd, "missing the dataset folder DIR%s", "");
    if (optind + 1 < argc)
        return usage_error(cmd, "unexpected argument '%s' (one dataset folder only)", argv[optind + 1]);
    a.dir = argv[optind];
    if (a.log_every < 0)
        a.log_every = a.epochs >= 10 ? a.epochs / 10 : 1;
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
        case 'h': fputs(usage_predict, stdout); return EXIT_OK;
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

int main(int argc, char **argv)
{
    if (argc < 2) {
        fputs(usage_main, stderr);
        return EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        fputs(usage_main, stdout);
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
    return usage_error(NULL, "unknown command '%s'", cmd);
}
