/* cmd_tune.c — `nnt tune`: a grid or seeded random search over lists and ranges of the train
 * options, each trial scored by K-fold cross-validation or on --val-split (crossval.c, as nnt cv
 * scores), the images decoded once; trials' folds run by --workers members and, under mpirun,
 * whole trials dealt to the ranks; a log of one JSON line per finished trial that --resume
 * reads back; the ranked table, the best `nnt train` command and its --refit model. */
#include <getopt.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "crossval.h"
#include "trainopt.h"
#include "nnt/agree.h"
#include "nnt/blas.h"
#include "nnt/comm.h"
#include "nnt/file.h"
#include "nnt/folds.h"
#include "nnt/rng.h"
#include "nnt/searchplot.h"
#include "nnt/shard.h"
#include "nnt/team.h"
#include "nnt/train.h"

enum {
    TUNE_OPT_JSON = 256, TUNE_OPT_WORKERS, TUNE_OPT_TRIALS, TUNE_OPT_LOG, TUNE_OPT_RESUME,
    TUNE_OPT_REFIT, TUNE_OPT_PLOT,
};

#define TUNE_MAX_PARAMS 8      /* options searched at once */
#define TUNE_MAX_VALUES 64     /* values of one option in a grid */
#define TUNE_MAX_SETTINGS 128  /* train options on one command line */
#define TUNE_MAX_TRIALS 100000
#define TUNE_VAL 32            /* room for one value as text */
#define TUNE_LOG_MAX_BYTES (64u << 20)

/* One searched option: its grid values, or for a random search the range drawn from. */
typedef struct tune_param {
    const char *name; /* the long option, "lr" */
    int c;            /* its getopt id */
    int is_int;       /* a whole-number option: range values are rounded */
    int n;            /* grid values */
    char val[TUNE_MAX_VALUES][TUNE_VAL];
    int range;        /* 1: LO:HI[:N|:logN] was given */
    int log;          /* the range is spaced (grid) or drawn (random) on a log scale */
    double lo, hi;
} tune_param;

/* One train option as written, in command-line order; param >= 0 when it is a searched one. */
typedef struct tune_setting {
    int c;
    const char *name;
    const char *val; /* NULL for a flag */
    int param;
} tune_setting;

/* One trial: its values, its resolved options, and what scoring it gave. */
typedef struct tune_trial {
    char val[TUNE_MAX_PARAMS][TUNE_VAL];
    train_args a;
    char *command;       /* the `nnt train` command of this setting */
    double acc, acc_sd, loss, loss_sd;
    int epochs;
    int done;            /* finished: run here, by another rank, or read from the log */
    int failed;          /* a fold diverged or failed: ranked last */
    int from_log;
    int left;            /* units not yet finished */
} tune_trial;

/* One unit of work: a fold of a trial (or the trial, on --val-split). */
typedef struct tune_unit {
    int trial, fold;
    double acc, loss;
    int epochs;
    int state; /* 0 to do, 1 finished, 2 failed, 3 stopped */
} tune_unit;

typedef struct tune_search {
    tune_param param[TUNE_MAX_PARAMS];
    int n_param;
    tune_setting set[TUNE_MAX_SETTINGS];
    int n_set;
    int trials;        /* --trials: random search of that many; 0: the grid */
    int k;             /* folds; 0 with --val-split */
    int workers, json, resume, refit;
    const char *log, *plot, *output;
    const char *dir;
    train_args base;   /* the fixed options, every searched one at its default */
    int threads_given;
} tune_search;

typedef struct tune_run {
    const tune_search *s;
    tune_trial *trial;
    int n_trial;
    tune_unit *unit;
    int n_unit, next;
    const nnt_dataset *all, *fit, *held; /* all + fold (cv), or fit + held (--val-split) */
    const int *fold;
    int n_y;
    int lead;
    char *log;       /* the log's bytes: the lines kept from before and one per finished trial */
    size_t log_len, log_cap;
    int log_failed;
    nnt_err log_err;
    pthread_mutex_t lock;
} tune_run;

/* ---- the search's options ---- */

static int tune_is_int(const char *name)
{
    static const char *const ints[] = {"hidden", "epochs", "iters", "batch", "lr-step", "warmup",
                                       "patience", "seed", NULL};
    for (int i = 0; ints[i]; i++)
        if (strcmp(name, ints[i]) == 0)
            return 1;
    return 0;
}

/* Options that shape the data or the run rather than the network: one value for the search. */
static int tune_searchable(const char *name)
{
    static const char *const fixed[] = {"augment", "size", "threads", "val-split", "max-pixels",
                                        NULL};
    for (int i = 0; fixed[i]; i++)
        if (strcmp(name, fixed[i]) == 0)
            return 0;
    return 1;
}

static void tune_format(char *buf, double v, int is_int)
{
    if (is_int)
        snprintf(buf, TUNE_VAL, "%lld", (long long)llround(v));
    else
        snprintf(buf, TUNE_VAL, "%.3g", v);
}

/* Checks that val is a value option c takes, as nnt train would (its message if not). */
static int tune_check_value(int c, const char *val)
{
    train_args scratch;
    nnt_given given = {0};
    trainopt_defaults(&scratch);
    return trainopt_apply(&scratch, &given, c, val, "tune");
}

/* Parses "A,B,C" or "LO:HI", "LO:HI:N", "LO:HI:log", "LO:HI:logN" into p (grid: a range needs
 * its N); 0 or EXIT_USAGE. */
static int tune_param_parse(tune_param *p, const char *spec, int grid)
{
    if (strchr(spec, ',')) {
        const char *s = spec;
        while (1) {
            size_t len = strcspn(s, ",");
            if (len == 0 || len >= TUNE_VAL || p->n == TUNE_MAX_VALUES)
                return usage_error("tune", "a list of values takes up to 64 values of up to 31 "
                                   "characters, none empty, not '%s'", spec);
            memcpy(p->val[p->n], s, len);
            p->val[p->n][len] = 0;
            if (tune_check_value(p->c, p->val[p->n]))
                return EXIT_USAGE;
            p->n++;
            if (!s[len])
                break;
            s += len + 1;
        }
        return 0;
    }
    char *end;
    p->range = 1;
    p->lo = strtod(spec, &end);
    int ok = end != spec && *end == ':';
    if (ok) {
        const char *h = end + 1;
        p->hi = strtod(h, &end);
        ok = end != h && (*end == ':' || !*end) && isfinite(p->lo) && isfinite(p->hi) &&
             p->lo <= p->hi;
    }
    int n = 0;
    if (ok && *end == ':') {
        const char *q = end + 1;
        if (strncmp(q, "log", 3) == 0) {
            p->log = 1;
            q += 3;
        }
        long v = p->log && !*q ? 0 : strtol(q, &end, 10); /* LO:HI:log: drawn, no count */
        ok = (p->log && !*q) || (end != q && !*end && v >= 1 && v <= TUNE_MAX_VALUES);
        n = (int)v;
    }
    if (!ok)
        return usage_error("tune", "a range is LO:HI, LO:HI:N, LO:HI:log or LO:HI:logN with LO <= HI "
                           "and N from 1 to 64, not '%s'", spec);
    if (p->log && p->lo <= 0.0)
        return usage_error("tune", "a log range needs LO > 0, not '%s'", spec);
    if (grid && n == 0)
        return usage_error("tune", "a grid needs a count in the range (LO:HI:N or LO:HI:logN), "
                           "or --trials N for a random search, not '%s'", spec);
    char lo[TUNE_VAL], hi[TUNE_VAL];
    tune_format(lo, p->lo, p->is_int);
    tune_format(hi, p->hi, p->is_int);
    if (tune_check_value(p->c, lo) || tune_check_value(p->c, hi))
        return EXIT_USAGE;
    for (int i = 0; i < n; i++) {
        double t = n > 1 ? (double)i / (n - 1) : 0.0;
        double v = p->log ? p->lo * pow(p->hi / p->lo, t) : p->lo + t * (p->hi - p->lo);
        tune_format(p->val[p->n], v, p->is_int);
        int seen = 0; /* rounding may give a value twice */
        for (int j = 0; j < p->n; j++)
            seen |= strcmp(p->val[j], p->val[p->n]) == 0;
        p->n += !seen;
    }
    return 0;
}

/* ---- the trials ---- */

/* "nnt train" and the options as written, with trial t's values, then DIR; malloc'd. */
static char *tune_command(const tune_search *s, const tune_trial *t)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return NULL;
    fputs("nnt train", f);
    for (int i = 0; i < s->n_set; i++) {
        const tune_setting *st = &s->set[i];
        const char *v = st->param >= 0 ? t->val[st->param] : st->val;
        fprintf(f, " --%s", st->name);
        if (v) {
            /* quoted when the shell would split or expand it */
            if (!v[0] || strpbrk(v, " \t\n'\"\\$`*?[]{}()<>|&;#~!"))
                fprintf(f, " '%s'", v); /* values with a quote are not searched: none here */
            else
                fprintf(f, " %s", v);
        }
    }
    fprintf(f, " %s", s->dir);
    if (fclose(f))
        return NULL;
    return buf;
}

/* t->a: the defaults, the options in their order with t's values, then trainopt_finish; t NULL:
 * the searched options left at their defaults. */
static int tune_resolve(train_args *a, const tune_search *s, const tune_trial *t)
{
    nnt_given given = {0};
    trainopt_defaults(a);
    a->threads = 1; /* per fold, as in cv: the numbers depend on --threads, never on --workers */
    for (int i = 0; i < s->n_set; i++) {
        const tune_setting *st = &s->set[i];
        if (st->param >= 0 && !t)
            continue;
        int rc = trainopt_apply(a, &given, st->c, st->param >= 0 ? t->val[st->param] : st->val,
                                "tune");
        if (rc)
            return rc;
    }
    a->dir = s->dir;
    return trainopt_finish(a, &given, "tune");
}

/* Every trial's values: the grid in order (the first option slowest), or s->trials draws. */
static int tune_trials(tune_trial **out, int *n_out, const tune_search *s)
{
    long long n = 1;
    if (s->trials)
        n = s->trials;
    else
        for (int i = 0; i < s->n_param; i++)
            if ((n *= s->param[i].n) > TUNE_MAX_TRIALS)
                return usage_error("tune", "the grid has more than 100000 trials%s", "");
    tune_trial *tr = calloc((size_t)n, sizeof *tr);
    if (!tr) {
        fprintf(stderr, "nnt: out of memory for %lld trials\n", n);
        return EXIT_RUNTIME;
    }
    nnt_rng rng;
    rng_seed(&rng, s->base.seed ^ 0x74756e65u); /* the draws' own stream: "tune" */
    for (long long t = 0; t < n; t++) {
        long long rest = t;
        for (int i = s->n_param - 1; i >= 0 && !s->trials; i--) {
            const tune_param *p = &s->param[i];
            memcpy(tr[t].val[i], p->val[rest % p->n], TUNE_VAL);
            rest /= p->n;
        }
        for (int i = 0; i < s->n_param && s->trials; i++) {
            const tune_param *p = &s->param[i];
            if (p->range) {
                double u = rng_uniform(&rng);
                double v = p->log ? exp(log(p->lo) + u * (log(p->hi) - log(p->lo)))
                                  : p->lo + u * (p->hi - p->lo);
                tune_format(tr[t].val[i], v, p->is_int);
            } else {
                memcpy(tr[t].val[i], p->val[rng_below(&rng, (uint64_t)p->n)], TUNE_VAL);
            }
        }
    }
    for (long long t = 0; t < n; t++) {
        int rc = tune_resolve(&tr[t].a, s, &tr[t]);
        if (rc == 0 && !(tr[t].command = tune_command(s, &tr[t]))) {
            fprintf(stderr, "nnt: out of memory for the trials' commands\n");
            rc = EXIT_RUNTIME;
        }
        if (rc) {
            for (long long j = 0; j <= t; j++)
                free(tr[j].command);
            free(tr);
            return rc;
        }
    }
    *out = tr;
    *n_out = (int)n;
    return 0;
}

/* ---- the log: one JSON line per finished trial ---- */

/* How trials are scored, as the log records it: a log line counts only for the same scoring. */
static void tune_score_name(char *buf, size_t n, const tune_search *s)
{
    if (s->k)
        snprintf(buf, n, "cv%d", s->k);
    else
        snprintf(buf, n, "val-split %.17g", s->base.val_split);
}

/* The trial's JSON object, no newline; malloc'd. */
static char *tune_json(const tune_search *s, const tune_trial *t, int index, int rank)
{
    char *buf = NULL, score[64];
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return NULL;
    tune_score_name(score, sizeof score, s);
    fprintf(f, "{");
    if (rank)
        fprintf(f, "\"rank\":%d,", rank);
    fprintf(f, "\"trial\":%d,\"status\":\"%s\",\"accuracy\":", index + 1,
            t->failed ? "failed" : "ok");
    if (t->failed) {
        fputs("null,\"accuracy_sd\":null,\"loss\":null,\"loss_sd\":null", f);
    } else {
        fprintf(f, "%.17g,\"accuracy_sd\":%.17g,\"loss\":%.17g,\"loss_sd\":%.17g", t->acc,
                t->acc_sd, t->loss, t->loss_sd);
    }
    fprintf(f, ",\"epochs\":%d,\"score\":", t->epochs);
    json_string(f, score);
    fputs(",\"settings\":{", f);
    for (int i = 0; i < s->n_param; i++) {
        fputs(i ? "," : "", f);
        json_string(f, s->param[i].name);
        fputc(':', f);
        json_string(f, t->val[i]);
    }
    fputs("},\"command\":", f);
    json_string(f, t->command);
    fputc('}', f);
    if (fclose(f))
        return NULL;
    return buf;
}

/* The number after "key": in line (before its settings), or NAN. */
static double tune_log_number(const char *line, const char *key)
{
    char pat[40];
    snprintf(pat, sizeof pat, "\"%s\":", key);
    const char *p = strstr(line, pat);
    const char *stop = strstr(line, "\"settings\":");
    if (!p || (stop && p > stop))
        return NAN;
    char *end;
    double v = strtod(p + strlen(pat), &end);
    return end == p + strlen(pat) ? NAN : v;
}

/* Appends line (and a newline) to the log's bytes and writes them whole: a kill leaves the old
 * file or the new one, a valid prefix either way. Rank 0 only; under r->lock. */
static void tune_log_append(tune_run *r, const char *line)
{
    size_t n = strlen(line);
    if (r->log_failed || !r->s->log || !r->lead)
        return;
    if (r->log_len + n + 1 > r->log_cap) {
        size_t cap = (r->log_len + n + 1) * 2;
        char *p = realloc(r->log, cap);
        if (!p) {
            r->log_failed = 1;
            nnt_errf(&r->log_err, "%s: out of memory for the log", r->s->log);
            return;
        }
        r->log = p;
        r->log_cap = cap;
    }
    memcpy(r->log + r->log_len, line, n);
    r->log[r->log_len + n] = '\n';
    r->log_len += n + 1;
    if (file_save(r->s->log, r->log, r->log_len, &r->log_err))
        r->log_failed = 1;
}

/* --resume: every whole line of the log is kept; a trial whose command and scoring a line
 * records is done with that line's numbers. A missing log is an empty one. */
static int tune_log_read(tune_run *r, nnt_err *err)
{
    const tune_search *s = r->s;
    uint8_t *buf = NULL;
    size_t len = 0;
    FILE *probe = fopen(s->log, "rb");
    if (!probe)
        return 0;
    fclose(probe);
    if (file_load(&buf, &len, s->log, TUNE_LOG_MAX_BYTES, "a tune log", err))
        return -1;
    char score[64];
    tune_score_name(score, sizeof score, s);
    char *text = (char *)buf;
    size_t at = 0;
    while (at < len) {
        char *nl = memchr(text + at, '\n', len - at);
        if (!nl)
            break; /* a line cut short is not a trial's */
        *nl = 0;
        char *line = text + at;
        size_t n = (size_t)(nl - line);
        at += n + 1;
        if (n < 2 || line[0] != '{' || line[n - 1] != '}')
            continue;
        for (int t = 0; t < r->n_trial; t++) {
            tune_trial *tr = &r->trial[t];
            if (tr->done)
                continue;
            char *want = tune_json(s, tr, t, 0);
            if (!want) {
                free(buf);
                return nnt_errf(err, "out of memory reading %s", s->log);
            }
            /* the same setting and scoring: the tail from "score" on is equal */
            const char *mine = strstr(want, ",\"score\":"), *theirs = strstr(line, ",\"score\":");
            int same = mine && theirs && strcmp(mine, theirs) == 0;
            free(want);
            if (!same)
                continue;
            tr->done = tr->from_log = 1;
            tr->failed = strstr(line, "\"status\":\"failed\"") != NULL;
            tr->acc = tune_log_number(line, "accuracy");
            tr->acc_sd = tune_log_number(line, "accuracy_sd");
            tr->loss = tune_log_number(line, "loss");
            tr->loss_sd = tune_log_number(line, "loss_sd");
            double e = tune_log_number(line, "epochs");
            tr->epochs = isfinite(e) ? (int)e : 0;
            if (!tr->failed && !(isfinite(tr->acc) && isfinite(tr->loss)))
                tr->done = tr->from_log = 0;
            break;
        }
        if (r->lead && s->log) {
            pthread_mutex_lock(&r->lock);
            tune_log_append(r, line);
            pthread_mutex_unlock(&r->lock);
        }
    }
    free(buf);
    if (r->log_failed) {
        *err = r->log_err;
        return -1;
    }
    return 0;
}

/* ---- running the units ---- */

/* Trial t's numbers from its finished units. */
static void tune_trial_finish(tune_run *r, int t)
{
    tune_trial *tr = &r->trial[t];
    double acc[256], loss[256];
    int n = 0;
    for (int u = 0; u < r->n_unit; u++) {
        const tune_unit *un = &r->unit[u];
        if (un->trial != t)
            continue;
        tr->failed |= un->state == 2;
        acc[un->fold] = un->acc;
        loss[un->fold] = un->loss;
        tr->epochs = un->epochs;
        n++;
    }
    if (!tr->failed) {
        crossval_mean_sd(&tr->acc, &tr->acc_sd, acc, n);
        crossval_mean_sd(&tr->loss, &tr->loss_sd, loss, n);
    }
    tr->done = 1;
}

static void tune_member(void *ctx, int id, int n)
{
    tune_run *r = ctx;
    (void)id;
    (void)n;
    while (!cli_stop_signal) {
        pthread_mutex_lock(&r->lock);
        int u = r->next < r->n_unit ? r->next++ : -1;
        pthread_mutex_unlock(&r->lock);
        if (u < 0)
            break;
        tune_unit *un = &r->unit[u];
        const train_args *a = &r->trial[un->trial].a;
        crossval_score o;
        if (r->s->k) {
            crossval_fold(&o, a, r->all, r->fold, un->fold, r->n_y, &cli_stop_signal);
        } else {
            nnt_dataset fit = *r->fit, held = *r->held; /* own copies: the scaler is set in them */
            crossval_run(&o, a, &fit, &held, 1, r->n_y, &cli_stop_signal);
        }
        pthread_mutex_lock(&r->lock);
        un->acc = o.held.accuracy;
        un->loss = o.held.loss;
        un->epochs = o.epochs;
        un->state = o.rc == 0 ? 1 : o.rc == NNT_TRAIN_STOPPED ? 3 : 2;
        if (un->state == 2 && r->s->k)
            fprintf(stderr, "nnt: warning: trial %d, fold %d: %s (the trial is ranked last)\n",
                    un->trial + 1, un->fold + 1, o.err.msg);
        else if (un->state == 2)
            fprintf(stderr, "nnt: warning: trial %d: %s (the trial is ranked last)\n",
                    un->trial + 1, o.err.msg);
        if (un->state != 3 && --r->trial[un->trial].left == 0) {
            tune_trial_finish(r, un->trial);
            char *line = tune_json(r->s, &r->trial[un->trial], un->trial, 0);
            if (line)
                tune_log_append(r, line);
            free(line);
        }
        pthread_mutex_unlock(&r->lock);
    }
}

/* ---- the report ---- */

/* Ranked best first: the higher accuracy, then the lower loss, then the earlier trial. */
static int tune_better(const tune_trial *x, int ix, const tune_trial *y, int iy)
{
    if (x->failed != y->failed)
        return y->failed;
    if (!x->failed) {
        if (x->acc != y->acc)
            return x->acc > y->acc;
        if (x->loss != y->loss)
            return x->loss < y->loss;
    }
    return ix < iy;
}

static void tune_rank(int *order, const tune_trial *t, int n)
{
    for (int i = 0; i < n; i++)
        order[i] = i;
    for (int i = 1; i < n; i++) { /* insertion sort: stable, and n is small */
        int v = order[i], j = i;
        while (j > 0 && tune_better(&t[v], v, &t[order[j - 1]], order[j - 1])) {
            order[j] = order[j - 1];
            j--;
        }
        order[j] = v;
    }
}

static void tune_print(const tune_search *s, const tune_trial *t, const int *order, int n)
{
    if (s->json) {
        char score[64];
        tune_score_name(score, sizeof score, s);
        printf("{\"search\":\"%s\",\"score\":", s->trials ? "random" : "grid");
        json_string(stdout, score);
        printf(",\"trials\":[");
        for (int i = 0; i < n; i++) {
            char *line = tune_json(s, &t[order[i]], order[i], i + 1);
            printf("%s%s", i ? "," : "", line ? line : "null");
            free(line);
        }
        printf("],\"best\":");
        json_string(stdout, t[order[0]].command);
        printf("}\n");
        return;
    }
    int w[TUNE_MAX_PARAMS];
    printf("rank  trial");
    for (int p = 0; p < s->n_param; p++) {
        w[p] = (int)strlen(s->param[p].name);
        for (int i = 0; i < n; i++) {
            int l = (int)strlen(t[i].val[p]);
            w[p] = l > w[p] ? l : w[p];
        }
        printf("  %-*s", w[p], s->param[p].name);
    }
    printf(s->k ? "  accuracy (sd)      loss  epochs\n" : "  accuracy    loss  epochs\n");
    for (int i = 0; i < n; i++) {
        const tune_trial *tr = &t[order[i]];
        printf("%4d  %5d", i + 1, order[i] + 1);
        for (int p = 0; p < s->n_param; p++)
            printf("  %-*s", w[p], tr->val[p]);
        if (tr->failed)
            printf("  %s\n", "failed (diverged or out of memory: see the log's warnings)");
        else if (s->k)
            printf("  %.4f (%.4f)  %.4f  %6d\n", tr->acc, tr->acc_sd, tr->loss, tr->epochs);
        else
            printf("  %8.4f  %.4f  %6d\n", tr->acc, tr->loss, tr->epochs);
    }
    printf("best: %s\n", t[order[0]].command);
}

/* --plot: accuracy against the one or two searched options (searchplot.h). */
static int tune_plot(const tune_search *s, const tune_trial *t, const int *order, int n,
                     nnt_err *err)
{
    nnt_search_point *pt = calloc((size_t)n, sizeof *pt);
    if (!pt)
        return nnt_errf(err, "out of memory for the search's chart");
    int m = 0;
    for (int i = 0; i < n; i++) {
        if (t[i].failed)
            continue;
        pt[m].x = t[i].val[0];
        pt[m].y = s->n_param > 1 ? t[i].val[1] : NULL;
        pt[m].acc = t[i].acc;
        pt[m].best = i == order[0];
        m++;
    }
    char title[512];
    snprintf(title, sizeof title, "nnt tune %s: %s accuracy of %d trial%s", s->dir,
             s->k ? "cross-validated" : "validation", n, n == 1 ? "" : "s");
    nnt_search_chart ch = {.x_name = s->param[0].name,
                           .y_name = s->n_param > 1 ? s->param[1].name : NULL,
                           .x_log = s->param[0].log, .y_log = s->n_param > 1 && s->param[1].log,
                           .numeric = s->trials > 0, .points = pt, .n = m, .title = title};
    int rc = searchplot_write(s->plot, &ch, err);
    free(pt);
    return rc;
}

/* ---- the command ---- */

static int tune_check_outputs(const tune_search *s, nnt_err *err)
{
    if (s->refit && file_check_writable(s->output, "the model (-o)", err))
        return -1;
    if (s->log && file_check_writable(s->log, "the log (--log)", err))
        return -1;
    if (s->plot && file_check_writable(s->plot, "the chart (--plot)", err))
        return -1;
    return 0;
}

static int cmd_tune(tune_search *s)
{
    nnt_err err;
    nnt_comm comm;
    nnt_shard data = {0};
    tune_trial *trial = NULL;
    int n_trial = 0, code = EXIT_RUNTIME, rc;
    int *fold = NULL, *order = NULL;
    nnt_team *team = NULL;
    tune_run r = {.s = s};
    pthread_mutex_init(&r.lock, NULL);
    if ((rc = tune_trials(&trial, &n_trial, s)))
        return rc;
    if (comm_init(&comm, &err)) {
        fprintf(stderr, "nnt: %s\n", err.msg);
        goto free_trials;
    }
    r.lead = comm.rank == 0;
    r.trial = trial;
    r.n_trial = n_trial;
    cli_catch_signals();
    rc = r.lead ? tune_check_outputs(s, &err) : 0;
    if (agree_failed(&comm, rc, &err))
        goto fail;
    if (train_opts_check(&s->base.train, 1, &err)) {
        if (r.lead)
            fprintf(stderr, "nnt tune: %s\nTry 'nnt tune --help'.\n", err.msg);
        code = EXIT_USAGE;
        goto done;
    }
    /* the log first: a resumed search that has nothing left to run decodes nothing either */
    rc = s->resume ? tune_log_read(&r, &err) : 0;
    if (agree_failed(&comm, rc, &err))
        goto fail;
    int n_done = 0;
    for (int t = 0; t < n_trial; t++)
        n_done += trial[t].done;

    blas_set_threads(1); /* each member calls the BLAS single-threaded (team.h) */
    /* every rank decodes the whole training split: ranks share trials, not images */
    nnt_load_opts lo = {.max_pixels = s->base.max_pixels, .width = s->base.width,
                        .height = s->base.height, .skip_bad = s->base.skip_bad,
                        .threads = s->threads_given ? s->base.threads : team_cpus()};
    nnt_shard_opts so = {.dir = s->dir, .val_split = s->base.val_split, .seed = s->base.seed,
                         .batch = s->base.train.batch, .load = lo};
    rc = n_done < n_trial ? shard_load(&data, &so, NULL, &err) : 0;
    if (agree_failed(&comm, rc, &err))
        goto fail;
    int units_per = s->k ? s->k : 1;
    if (n_done < n_trial && s->k) {
        fold = malloc((data.train.m ? data.train.m : 1) * sizeof *fold);
        rc = fold ? folds_split(fold, data.train.y, data.train.m, data.scan.n_classes, s->k,
                                s->base.seed, &err)
                  : nnt_errf(&err, "out of memory for %zu images' folds", data.train.m);
        if (agree_failed(&comm, rc, &err))
            goto fail;
    }
    /* this rank's units: the folds of its unfinished trials (trial t is rank t mod ranks') */
    r.unit = calloc((size_t)n_trial * (size_t)units_per, sizeof *r.unit);
    order = calloc((size_t)n_trial, sizeof *order);
    if (!r.unit || !order) {
        nnt_errf(&err, "out of memory for %d trials", n_trial);
        goto fail;
    }
    for (int t = 0; t < n_trial; t++) {
        if (trial[t].done || t % comm.size != comm.rank)
            continue;
        trial[t].left = units_per;
        for (int f = 0; f < units_per; f++)
            r.unit[r.n_unit++] = (tune_unit){.trial = t, .fold = f};
    }
    r.all = &data.train;
    r.fit = &data.train;
    r.held = &data.val;
    r.fold = fold;
    r.n_y = data.scan.n_classes == 2 ? 1 : data.scan.n_classes;
    if (r.lead) {
        fprintf(stderr, "nnt tune: %d trial%s (%s), each scored by ", n_trial, n_trial == 1 ? "" : "s",
                s->trials ? "random" : "grid");
        if (s->k)
            fprintf(stderr, "%d-fold cross-validation", s->k);
        else
            fprintf(stderr, "the %zu validation images", data.val.m);
        if (n_done)
            fprintf(stderr, "; %d finished in %s, %d to run", n_done, s->log, n_trial - n_done);
        if (comm.size > 1)
            fprintf(stderr, "; dealt to %d ranks", comm.size);
        fprintf(stderr, "\n");
    }
    int workers = s->workers < r.n_unit ? s->workers : r.n_unit;
    if (workers > 0) {
        team = team_new(workers, &err);
        if (!team)
            goto fail;
        team_run(team, tune_member, &r);
    }
    if (r.log_failed) {
        err = r.log_err;
        goto fail;
    }
    /* the other ranks' trials: each rank sends the numbers of its own */
    if (comm.size > 1) {
        enum { F = 7 };
        double *v = calloc((size_t)n_trial * F, sizeof *v);
        rc = v ? 0 : nnt_errf(&err, "out of memory for %d trials", n_trial);
        if (agree_failed(&comm, rc, &err))
            goto fail;
        for (int t = 0; t < n_trial; t++)
            if (trial[t].done && !trial[t].from_log && t % comm.size == comm.rank) {
                double *x = v + (size_t)t * F;
                x[0] = 1.0;
                x[1] = trial[t].failed;
                x[2] = trial[t].acc;
                x[3] = trial[t].acc_sd;
                x[4] = trial[t].loss;
                x[5] = trial[t].loss_sd;
                x[6] = trial[t].epochs;
            }
        comm_allreduce_sum_double(&comm, v, (size_t)n_trial * F);
        for (int t = 0; t < n_trial; t++) {
            const double *x = v + (size_t)t * F;
            if (trial[t].done || x[0] == 0.0)
                continue;
            tune_trial *tr = &trial[t];
            tr->done = 1;
            tr->failed = x[1] != 0.0;
            tr->acc = x[2];
            tr->acc_sd = x[3];
            tr->loss = x[4];
            tr->loss_sd = x[5];
            tr->epochs = (int)x[6];
            char *line = tune_json(s, &trial[t], t, 0);
            if (line)
                tune_log_append(&r, line);
            free(line);
        }
        free(v);
        if (agree_failed(&comm, r.log_failed ? -1 : 0, &err)) {
            err = r.log_err;
            goto fail;
        }
    }
    int sig = agree_max(&comm, cli_stop_signal);
    n_done = 0;
    for (int t = 0; t < n_trial; t++)
        n_done += trial[t].done;
    if (sig || n_done < n_trial) {
        if (r.lead)
            fprintf(stderr, "nnt: interrupted by %s: %d of %d trials finished%s%s%s\n",
                    cli_signal_name(sig ? sig : SIGTERM), n_done, n_trial,
                    s->log ? " (in " : "", s->log ? s->log : "", s->log ? "; --resume runs the rest)" : "");
        code = 128 + (sig ? sig : SIGTERM);
        goto done;
    }
    tune_rank(order, trial, n_trial);
    if (r.lead) {
        tune_print(s, trial, order, n_trial);
        if (fflush(stdout) != 0 || ferror(stdout)) {
            nnt_errf(&err, "writing to standard output failed");
            goto fail;
        }
    }
    rc = r.lead && s->plot ? tune_plot(s, trial, order, n_trial, &err) : 0;
    if (agree_failed(&comm, rc, &err))
        goto fail;
    shard_free(&data); /* the refit decodes what it needs itself */
    if (s->refit) {
        if (trial[order[0]].failed) {
            nnt_errf(&err, "no trial finished: nothing to refit");
            goto fail;
        }
        train_args best = trial[order[0]].a;
        best.output = s->output;
        best.threads = s->threads_given ? s->base.threads : comm_host_threads();
        best.json = 0;
        best.quiet = s->base.quiet;
        if (r.lead && !best.quiet)
            fprintf(stderr, "nnt tune: refit: %s -o %s\n", trial[order[0]].command, s->output);
        blas_set_threads(best.threads);
        code = cmd_train(&best); /* under mpirun, every rank trains it together */
        goto done;
    }
    code = EXIT_OK;
    goto done;
fail:
    if (!err.peer)
        fprintf(stderr, "nnt: %s\n", err.msg);
done:
    team_free(team);
    free(fold);
    free(order);
    free(r.unit);
    free(r.log);
    shard_free(&data);
    comm_finalize(&comm);
free_trials:
    for (int t = 0; t < n_trial; t++)
        free(trial[t].command);
    free(trial);
    pthread_mutex_destroy(&r.lock);
    return code;
}

int main_tune(int argc, char **argv)
{
    static const struct option own[] = {
        {"folds", required_argument, 0, 'k'},
        {"trials", required_argument, 0, TUNE_OPT_TRIALS},
        {"workers", required_argument, 0, TUNE_OPT_WORKERS},
        {"log", required_argument, 0, TUNE_OPT_LOG},
        {"resume", no_argument, 0, TUNE_OPT_RESUME},
        {"refit", no_argument, 0, TUNE_OPT_REFIT},
        {"output", required_argument, 0, 'o'},
        {"plot", required_argument, 0, TUNE_OPT_PLOT},
        {"json", no_argument, 0, TUNE_OPT_JSON},
        {"quiet", no_argument, 0, 'q'},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0},
    };
    struct option opts[TRAINOPT_COUNT + 16];
    const char *cmd = "tune";
    if (trainopt_table(opts, sizeof opts / sizeof opts[0], own))
        return usage_error(cmd, "internal: the option table does not fit%s", "");
    static tune_search s; /* large (the grids' values); main_tune runs once */
    memset(&s, 0, sizeof s);
    s.workers = team_cpus();
    s.output = NNT_DEFAULT_OUTPUT;
    int k = 0, c, li, quiet = 0;
    opterr = 0;
    /* first pass: whether this is a random search, which a range's count depends on */
    while ((c = getopt_long(argc, argv, ":k:o:qh", opts, &li)) != -1)
        if (c == TUNE_OPT_TRIALS && parse_int(&s.trials, optarg, 1, TUNE_MAX_TRIALS))
            return usage_error(cmd, "--trials takes a whole number from 1 to 100000, not '%s'", optarg);
    optind = 0;
    while ((c = getopt_long(argc, argv, ":k:o:qh", opts, &li)) != -1) {
        if (c >= 1000) { /* a train option (trainopt.h): one value, or a list or range searched */
            const char *name = opts[li].name;
            if (s.n_set == TUNE_MAX_SETTINGS)
                return usage_error(cmd, "more than 128 train options%s", "");
            tune_setting *st = &s.set[s.n_set++];
            *st = (tune_setting){.c = c, .name = name, .val = optarg, .param = -1};
            if (strcmp(name, "threads") == 0)
                s.threads_given = 1;
            if (optarg && tune_searchable(name) && strpbrk(optarg, ",:")) {
                for (int p = 0; p < s.n_param; p++)
                    if (s.param[p].c == c)
                        return usage_error(cmd, "--%s is searched twice", name);
                if (s.n_param == TUNE_MAX_PARAMS)
                    return usage_error(cmd, "at most 8 options searched at once%s", "");
                tune_param *p = &s.param[s.n_param];
                p->name = name;
                p->c = c;
                p->is_int = tune_is_int(name);
                int rc = tune_param_parse(p, optarg, s.trials == 0);
                if (rc)
                    return rc;
                st->param = s.n_param++;
            } else if (tune_check_value(c, optarg)) {
                return EXIT_USAGE;
            }
            continue;
        }
        switch (c) {
        case 'k':
            if (parse_int(&k, optarg, 2, 256))
                return usage_error(cmd, "-k takes a whole number of folds from 2 to 256, not '%s'", optarg);
            break;
        case TUNE_OPT_TRIALS: break; /* the first pass's */
        case TUNE_OPT_WORKERS:
            if (parse_int(&s.workers, optarg, 1, 256))
                return usage_error(cmd, "--workers takes a whole number from 1 to 256, not '%s'", optarg);
            break;
        case TUNE_OPT_LOG:
            if (!optarg[0])
                return usage_error(cmd, "--log needs a file name%s", "");
            s.log = optarg;
            break;
        case TUNE_OPT_RESUME: s.resume = 1; break;
        case TUNE_OPT_REFIT: s.refit = 1; break;
        case 'o':
            if (!optarg[0])
                return usage_error(cmd, "--output needs a file name%s", "");
            s.output = optarg;
            break;
        case TUNE_OPT_PLOT:
            if (!optarg[0])
                return usage_error(cmd, "--plot needs a file name%s", "");
            s.plot = optarg;
            break;
        case TUNE_OPT_JSON: s.json = 1; break;
        case 'q': quiet = 1; break;
        case 'h': fputs(help_tune, stdout); return EXIT_OK;
        default: return bad_option(cmd, c, argv);
        }
    }
    if (optind >= argc)
        return usage_error(cmd, "missing the dataset folder DIR%s", "");
    if (optind + 1 < argc)
        return usage_error(cmd, "unexpected argument '%s' (one dataset folder only)", argv[optind + 1]);
    s.dir = argv[optind];
    if (s.n_param == 0)
        return usage_error(cmd, "nothing to search: give a train option a list (--hidden "
                           "64,128) or a range (--lr 1e-3:1e-2:log3)%s", "");
    if (s.resume && !s.log)
        return usage_error(cmd, "--resume reads the log of --log FILE: name it%s", "");
    if (s.plot && s.n_param > 2)
        return usage_error(cmd, "--plot draws one or two searched options, not more%s", "");
    if (s.plot && s.log && strcmp(s.plot, s.log) == 0)
        return usage_error(cmd, "--plot and --log name the same file%s", "");
    if (s.refit && s.log && strcmp(s.output, s.log) == 0)
        return usage_error(cmd, "-o and --log name the same file%s", "");
    int rc = tune_resolve(&s.base, &s, NULL);
    if (rc)
        return rc;
    if (s.base.val_split > 0 && k)
        return usage_error(cmd, "-k and --val-split: a trial is scored by one of them%s", "");
    s.k = s.base.val_split > 0 ? 0 : k ? k : 3;
    s.base.quiet = quiet;
    return cmd_tune(&s);
}
