/* trainopt.c — parses the options that shape a training run, shared by train, cv and tune. */
#include "trainopt.h"

#include <stdint.h>
#include <string.h>

#include "nnt/augment.h"
#include "nnt/comm.h"
#include "nnt/err.h"
#include "nnt/optim.h"

enum {
    TO_HIDDEN = 1000,
    TO_ACT,
    TO_INIT,
    TO_SEED,
    TO_EPOCHS,
    TO_BATCH,
    TO_OPTIMIZER,
    TO_LR,
    TO_SCHEDULE,
    TO_LR_FACTOR,
    TO_LR_STEP,
    TO_LR_MIN,
    TO_WARMUP,
    TO_WEIGHT_DECAY,
    TO_MOMENTUM,
    TO_BETA1,
    TO_BETA2,
    TO_EPS,
    TO_L2,
    TO_DROPOUT,
    TO_SOLVER,
    TO_VAL_SPLIT,
    TO_PATIENCE,
    TO_SIZE,
    TO_MAX_PIXELS,
    TO_SKIP_BAD,
    TO_SCALE,
    TO_AUGMENT,
    TO_THREADS,
};

const struct option trainopt_options[] = {
    {"hidden", required_argument, 0, TO_HIDDEN},
    {"act", required_argument, 0, TO_ACT},
    {"init", required_argument, 0, TO_INIT},
    {"seed", required_argument, 0, TO_SEED},
    {"epochs", required_argument, 0, TO_EPOCHS},
    {"iters", required_argument, 0, TO_EPOCHS},
    {"batch", required_argument, 0, TO_BATCH},
    {"optimizer", required_argument, 0, TO_OPTIMIZER},
    {"lr", required_argument, 0, TO_LR},
    {"schedule", required_argument, 0, TO_SCHEDULE},
    {"lr-factor", required_argument, 0, TO_LR_FACTOR},
    {"lr-step", required_argument, 0, TO_LR_STEP},
    {"lr-min", required_argument, 0, TO_LR_MIN},
    {"warmup", required_argument, 0, TO_WARMUP},
    {"weight-decay", required_argument, 0, TO_WEIGHT_DECAY},
    {"momentum", required_argument, 0, TO_MOMENTUM},
    {"beta1", required_argument, 0, TO_BETA1},
    {"beta2", required_argument, 0, TO_BETA2},
    {"eps", required_argument, 0, TO_EPS},
    {"l2", required_argument, 0, TO_L2},
    {"dropout", required_argument, 0, TO_DROPOUT},
    {"solver", required_argument, 0, TO_SOLVER},
    {"val-split", required_argument, 0, TO_VAL_SPLIT},
    {"patience", required_argument, 0, TO_PATIENCE},
    {"size", required_argument, 0, TO_SIZE},
    {"max-pixels", required_argument, 0, TO_MAX_PIXELS},
    {"skip-bad", no_argument, 0, TO_SKIP_BAD},
    {"scale", required_argument, 0, TO_SCALE}, /* input scaling (show's --scale is another) */
    {"augment", required_argument, 0, TO_AUGMENT},
    {"threads", required_argument, 0, TO_THREADS},
        {0, 0, 0, 0},
};

void trainopt_defaults(train_args *a)
{
    *a = (train_args){
        .output = NNT_DEFAULT_OUTPUT, .hidden = NNT_DEFAULT_HIDDEN, .act = NNT_DEFAULT_ACT,
        .init = NNT_DEFAULT_INIT, .seed = NNT_DEFAULT_SEED, .log_every = NNT_DEFAULT_LOG_EVERY,
        .threads = comm_host_threads(), .max_pixels = NNT_DEFAULT_MAX_PIXELS,
        .train = train_opts_default(),
    };
    a->train.epochs = 0; /* auto: train_epochs_auto, once the training set's size is known */
    a->train.batch = NNT_DEFAULT_BATCH;
    a->train.optimizer = NNT_DEFAULT_OPTIMIZER;
    a->train.lr = 0.0f; /* 0 until given: the default depends on the optimiser */
}

int trainopt_apply(train_args *a, nnt_given *given, int c, const char *val, const char *cmd)
{
    uint64_t v;
    float f;
    switch (c) {
        case TO_HIDDEN:
            if (parse_int(&a->hidden, val, 1, 1000000))
                return usage_error(cmd, "--hidden takes a whole number from 1 to 1000000, not '%s'", val);
            break;
        case TO_ACT:
            if (act_parse(&a->act, val))
                return usage_error(cmd, "--act takes sigmoid, tanh, relu or leaky-relu, not '%s'", val);
            break;
        case TO_INIT:
            if (net_init_parse(&a->init, val))
                return usage_error(cmd, "--init takes auto, he, xavier or normal, not '%s'", val);
            break;
        case TO_SEED:
            if (parse_u64(&a->seed, val, 0, UINT64_MAX))
                return usage_error(cmd, "--seed takes a whole number >= 0, not '%s'", val);
            break;
        case TO_EPOCHS:
            if (parse_int(&a->train.epochs, val, 1, 100000000))
                return usage_error(cmd, "--epochs takes a whole number from 1 to 100000000, not '%s'", val);
            break;
        case TO_BATCH:
            if (strcmp(val, "full") == 0)
                a->train.batch = 0;
            else if (parse_u64(&v, val, 0, INT32_MAX) == 0)
                a->train.batch = (size_t)v;
            else
                return usage_error(cmd, "--batch takes a whole number or 'full', not '%s'", val);
            break;
        case TO_OPTIMIZER:
            if (train_optimizer_parse(&a->train.optimizer, val))
                return usage_error(cmd, "--optimizer takes sgd, momentum or adam, not '%s'", val);
            break;
        case TO_LR:
            if (parse_float(&a->train.lr, val, 0.0, 0, 1e38))
                return usage_error(cmd, "--lr takes a positive number, not '%s'", val);
            break;
        case TO_SCHEDULE:
            if (optim_schedule_parse(&a->train.schedule.kind, val))
                return usage_error(cmd, "--schedule takes constant, step or cosine, not '%s'", val);
            given->schedule = 1;
            break;
        case TO_LR_FACTOR:
            if (parse_float(&a->train.schedule.factor, val, 0.0, 0, 1.0))
                return usage_error(cmd, "--lr-factor takes a number above 0 up to 1, not '%s'", val);
            break;
        case TO_LR_STEP:
            if (parse_int(&a->train.schedule.every, val, 1, 100000000))
                return usage_error(cmd, "--lr-step takes a whole number from 1 to 100000000, not '%s'", val);
            break;
        case TO_LR_MIN:
            if (parse_float(&a->train.schedule.lr_min, val, 0.0, 1, 1e38))
                return usage_error(cmd, "--lr-min takes a number >= 0, not '%s'", val);
            break;
        case TO_WARMUP:
            if (parse_int(&a->train.schedule.warmup, val, 0, 100000000))
                return usage_error(cmd, "--warmup takes a whole number from 0 to 100000000, not '%s'", val);
            break;
        case TO_WEIGHT_DECAY:
            if (parse_float(&a->train.weight_decay, val, 0.0, 1, 1e6))
                return usage_error(cmd, "--weight-decay takes a number >= 0, not '%s'", val);
            break;
        case TO_MOMENTUM:
            if (parse_float(&a->train.momentum, val, 0.0, 1, 0.999999))
                return usage_error(cmd, "--momentum takes a number from 0 to below 1, not '%s'", val);
            break;
        case TO_BETA1:
        case TO_BETA2:
            if (parse_float(&f, val, 0.0, 1, 0.999999999))
                return usage_error(cmd, "--beta1 and --beta2 take a number from 0 to below 1, not '%s'", val);
            *(c == TO_BETA1 ? &a->train.beta1 : &a->train.beta2) = f;
            break;
        case TO_EPS:
            if (parse_float(&a->train.eps, val, 0.0, 0, 1.0))
                return usage_error(cmd, "--eps takes a positive number up to 1, not '%s'", val);
            break;
        case TO_L2:
            if (parse_float(&a->train.l2, val, 0.0, 1, 1e6))
                return usage_error(cmd, "--l2 takes a number >= 0, not '%s'", val);
            break;
        case TO_DROPOUT:
            if (parse_float(&a->train.dropout, val, 0.0, 1, 1.0) || a->train.dropout >= 1.0f)
                return usage_error(cmd, "--dropout takes a fraction from 0 to below 1, not '%s'", val);
            break;
        case TO_SOLVER:
            if (train_solver_parse(&a->train.solver, val))
                return usage_error(cmd, "--solver takes auto, primal or dual, not '%s'", val);
            break;
        case TO_VAL_SPLIT:
            if (parse_float(&f, val, 0.0, 1, 0.99))
                return usage_error(cmd, "--val-split takes a fraction from 0 to 0.99, not '%s'", val);
            a->val_split = f;
            break;
        case TO_PATIENCE:
            if (parse_int(&a->train.patience, val, 0, 100000000))
                return usage_error(cmd, "--patience takes a whole number >= 0, not '%s'", val);
            given->patience = 1;
            break;
        case TO_SIZE:
            if (parse_size(&a->width, &a->height, val))
                return usage_error(cmd, "--size takes WxH with W and H from 1 to 65535, e.g. 64x64, not '%s'", val);
            break;
        case TO_MAX_PIXELS:
            if (parse_u64(&a->max_pixels, val, 1, UINT64_MAX))
                return usage_error(cmd, "--max-pixels takes a whole number >= 1, not '%s'", val);
            break;
        case TO_SKIP_BAD: a->skip_bad = 1; break;
        case TO_SCALE:
            if (scale_parse(&a->scale, val))
                return usage_error(cmd, "--scale takes none, center or standardize, not '%s'", val);
            given->scale = 1;
            break;
        case TO_AUGMENT: {
            nnt_err aerr;
            if (augment_parse(&a->train.augment, val, &aerr))
                return usage_error(cmd, "%s", aerr.msg);
            break;
        }
        case TO_THREADS:
            if (parse_int(&a->threads, val, 1, 256))
                return usage_error(cmd, "--threads takes a whole number from 1 to 256, not '%s'", val);
            break;
    default: return -1;
    }
    return 0;
}

int trainopt_finish(train_args *a, const nnt_given *given, const char *cmd)
{
    if (a->train.patience > 0 && a->val_split == 0.0)
        return usage_error(cmd, "--patience needs a validation set: add --val-split F%s", "");
    defaults_recipe(&a->train, &a->scale, a->val_split > 0.0, given);
    a->train.augment_seed = a->seed; /* each image's transform: a hash of it, the epoch, the image */
    nnt_err err;
    if (train_opts_check(&a->train, 1, &err)) /* the rest, which needs the ranks: cmd_train */
        return usage_error(cmd, "%s", err.msg);
    a->train.dropout_seed = a->seed; /* the masks' own hash of it: nothing drawn from the trainer's */
    if (a->train.lr == 0.0f)
        a->train.lr = train_lr_default(a->train.optimizer);
    return 0;
}

int trainopt_table(struct option *out, size_t n, const struct option *own)
{
    size_t k = 0;
    for (const struct option *o = trainopt_options; o->name; o++) {
        if (k + 1 >= n)
            return -1;
        out[k++] = *o;
    }
    for (const struct option *o = own; o->name; o++) {
        if (k + 1 >= n)
            return -1;
        out[k++] = *o;
    }
    out[k] = (struct option){0, 0, 0, 0};
    return 0;
}
