/* cmd_eval.c — `nnt eval`: a model against a labelled folder; prints accuracy, the confusion
 * matrix, per-class precision/recall/F1 and the most confidently wrong files (the numbers come
 * from eval.c); picks exit codes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "report.h"
#include "nnt/blas.h"
#include "nnt/dataset.h"
#include "nnt/eval.h"
#include "nnt/model.h"
#include "nnt/path.h"

/* Everything one evaluation computed, for the two printers. */
typedef struct report {
    const nnt_model *model;
    const char *model_path;
    const char *folder; /* the split that was evaluated: DIR/test, DIR/train or DIR */
    const nnt_dataset *ds;  /* y holds the model's labels */
    const int32_t *pred;
    const float *prob;
    nnt_eval ev;
    const size_t *C; /* n × n, ld = n: C[t + p·n], rows true, columns predicted */
    const nnt_class_metrics *per_class;
    nnt_macro_metrics macro;
    const size_t *top; /* n_top image indices, most confidently wrong first */
    size_t n_top, n_wrong;
    int show_top; /* --top > 0 */
    int skip_bad; /* --skip-bad: the skipped count is reported (text and JSON) */
    size_t n_skipped;
    int *colw;    /* n entries of work space: the confusion matrix's column widths */
} report;

/* Columns on a terminal: UTF-8 continuation bytes take none (wide CJK glyphs are not counted
 * twice; names in them will misalign a little). */
static int text_width(const char *s)
{
    int w = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        w += (*p & 0xC0) != 0x80;
    return w;
}

static void pad(int n)
{
    for (; n > 0; n--)
        putchar(' ');
}

static void put_left(const char *s, int width)
{
    fputs(s, stdout);
    pad(width - text_width(s));
}

static void put_right(const char *s, int width)
{
    pad(width - text_width(s));
    fputs(s, stdout);
}

static int digits(size_t v)
{
    int d = 1;
    while (v >= 10) {
        v /= 10;
        d++;
    }
    return d;
}

static void print_text(const report *r)
{
    const nnt_model *m = r->model;
    int n = m->n_classes;
    size_t ld = (size_t)n;
    char num[64];

    printf("%s on %s: %zu images, %d classes\n", r->model_path, r->folder, r->ev.m, n);
    printf("accuracy %.4f (%zu of %zu right), mean cross-entropy %.4f\n", r->ev.accuracy,
           r->ev.correct, r->ev.m, r->ev.loss);
    if (r->skip_bad)
        printf("skipped %zu undecodable image%s (--skip-bad)\n", r->n_skipped,
               r->n_skipped == 1 ? "" : "s");

    /* ---- confusion matrix: a column per predicted class, as wide as its name or its counts */
    int wname = text_width("macro avg");
    for (int c = 0; c < n; c++)
        if (text_width(m->class_names[c]) > wname)
            wname = text_width(m->class_names[c]);
    printf("\nconfusion matrix (rows: true class, columns: predicted class)\n");
    pad(wname);
    for (int p = 0; p < n; p++) {
        int w = text_width(m->class_names[p]);
        for (int t = 0; t < n; t++)
            if (digits(r->C[(size_t)t + (size_t)p * ld]) > w)
                w = digits(r->C[(size_t)t + (size_t)p * ld]);
        r->colw[p] = w;
        printf("  ");
        put_right(m->class_names[p], w);
    }
    putchar('\n');
    for (int t = 0; t < n; t++) {
        put_left(m->class_names[t], wname);
        for (int p = 0; p < n; p++) {
            snprintf(num, sizeof num, "%zu", r->C[(size_t)t + (size_t)p * ld]);
            printf("  ");
            put_right(num, r->colw[p]);
        }
        putchar('\n');
    }

    /* ---- per-class scores */
    int wsup = text_width("support");
    if (digits(r->ev.m) > wsup)
        wsup = digits(r->ev.m);
    printf("\n");
    put_left("class", wname);
    printf("  precision  recall      F1  ");
    put_right("support", wsup);
    putchar('\n');
    for (int c = 0; c < n; c++) {
        const nnt_class_metrics *k = &r->per_class[c];
        put_left(m->class_names[c], wname);
        printf("  %9.4f  %6.4f  %6.4f  %*zu\n", k->precision, k->recall, k->f1, wsup, k->support);
    }
    put_left("macro avg", wname);
    printf("  %9.4f  %6.4f  %6.4f  %*zu\n", r->macro.precision, r->macro.recall, r->macro.f1, wsup,
           r->ev.m);

    /* say where a 0 is a definition rather than a measurement */
    for (int c = 0; c < n; c++) {
        const nnt_class_metrics *k = &r->per_class[c];
        if (k->support == 0 && k->predicted == 0)
            printf("note: %s has no images here and was never predicted: its scores are 0 and "
                   "it is left out of the macro averages\n", m->class_names[c]);
        else if (k->support == 0)
            printf("note: %s has no images here: its recall is taken as 0\n", m->class_names[c]);
        else if (k->predicted == 0)
            printf("note: %s was never predicted: its precision is taken as 0\n",
                   m->class_names[c]);
    }

    /* ---- the most confidently wrong files */
    if (!r->show_top)
        return;
    if (r->n_wrong == 0) {
        printf("\nno wrong predictions\n");
        return;
    }
    printf("\nmost confidently wrong (%zu of %zu wrong)\n", r->n_top, r->n_wrong);
    int wtrue = text_width("true"), wpred = text_width("predicted");
    for (size_t i = 0; i < r->n_top; i++) {
        size_t j = r->top[i];
        const char *t = m->class_names[r->ds->y[j]], *p = m->class_names[r->pred[j]];
        if (text_width(t) > wtrue)
            wtrue = text_width(t);
        if (text_width(p) > wpred)
            wpred = text_width(p);
    }
    printf("probability  ");
    put_left("true", wtrue);
    printf("  ");
    put_left("predicted", wpred);
    printf("  file\n");
    for (size_t i = 0; i < r->n_top; i++) {
        size_t j = r->top[i];
        printf("%11.4f  ", r->prob[j]);
        put_left(m->class_names[r->ds->y[j]], wtrue);
        printf("  ");
        put_left(m->class_names[r->pred[j]], wpred);
        printf("  %s\n", r->ds->paths[j]);
    }
}

static void print_json(const report *r, const char *dir)
{
    const nnt_model *m = r->model;
    int n = m->n_classes;
    size_t ld = (size_t)n;
    printf("{\"model\":");
    json_string(stdout, r->model_path);
    printf(",\"dir\":");
    json_string(stdout, dir);
    printf(",\"folder\":");
    json_string(stdout, r->folder);
    printf(",\"classes\":[");
    for (int c = 0; c < n; c++) {
        if (c)
            putchar(',');
        json_string(stdout, m->class_names[c]);
    }
    printf("],\"images\":%zu,", r->ev.m);
    if (r->skip_bad)
        printf("\"skipped\":%zu,", r->n_skipped);
    printf("\"correct\":%zu,\"accuracy\":", r->ev.correct);
    json_number(stdout, r->ev.accuracy);
    printf(",\"loss\":");
    json_number(stdout, r->ev.loss);
    printf(",\"confusion\":[");
    for (int t = 0; t < n; t++) {
        printf("%s[", t ? "," : "");
        for (int p = 0; p < n; p++)
            printf("%s%zu", p ? "," : "", r->C[(size_t)t + (size_t)p * ld]);
        putchar(']');
    }
    printf("],\"per_class\":[");
    for (int c = 0; c < n; c++) {
        const nnt_class_metrics *k = &r->per_class[c];
        printf("%s{\"class\":", c ? "," : "");
        json_string(stdout, m->class_names[c]);
        printf(",\"precision\":");
        json_number(stdout, k->precision);
        printf(",\"recall\":");
        json_number(stdout, k->recall);
        printf(",\"f1\":");
        json_number(stdout, k->f1);
        printf(",\"support\":%zu,\"predicted\":%zu}", k->support, k->predicted);
    }
    printf("],\"macro_precision\":");
    json_number(stdout, r->macro.precision);
    printf(",\"macro_recall\":");
    json_number(stdout, r->macro.recall);
    printf(",\"macro_f1\":");
    json_number(stdout, r->macro.f1);
    printf(",\"macro_classes\":%d,\"wrong_total\":%zu,\"wrong\":[", r->macro.n_classes, r->n_wrong);
    for (size_t i = 0; i < r->n_top; i++) {
        size_t j = r->top[i];
        printf("%s{\"file\":", i ? "," : "");
        json_string(stdout, r->ds->paths[j]);
        printf(",\"true\":");
        json_string(stdout, m->class_names[r->ds->y[j]]);
        printf(",\"predicted\":");
        json_string(stdout, m->class_names[r->pred[j]]);
        printf(",\"probability\":");
        json_number(stdout, r->prob[j]);
        putchar('}');
    }
    printf("]}\n");
}

static int is_dir(const char *path)
{
    struct stat st;
    return path && stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* The folder to scan: DIR, except that DIR/test without DIR/train (a test split shipped on its
 * own) is scanned as a flat folder of classes, where dataset_scan would see one class "test". */
static char *scan_root(const char *dir)
{
    char *train = path_join(dir, "train"), *test = path_join(dir, "test");
    char *root = NULL;
    if (train && test)
        root = !is_dir(train) && is_dir(test) ? test : strdup(dir);
    free(train);
    if (root != test)
        free(test);
    return root;
}

/* The folder whose images dataset_scan listed for evaluation, for messages and the report. */
static char *split_folder(const nnt_scan *scan, const char *root)
{
    char *train = path_join(root, "train");
    char *out = NULL;
    if (train) {
        if (scan->has_test)
            out = path_join(root, "test");
        else if (is_dir(train))
            out = strdup(train);
        else
            out = strdup(root);
    }
    free(train);
    return out;
}

/* malloc(n · size), NULL when it overflows or fails; never malloc(0). */
static void *alloc_array(size_t n, size_t size)
{
    size_t bytes;
    if (nnt_mul_size(&bytes, n ? n : 1, size))
        return NULL;
    return malloc(bytes);
}

static void unknown_class(const char *folder, const char *name, const nnt_model *m,
                          const char *model_path)
{
    fprintf(stderr, "nnt: %s/%s: '%s' is not a class of %s (its %d classes: ", folder, name, name,
            model_path, m->n_classes);
    int shown = m->n_classes < 20 ? m->n_classes : 20;
    for (int c = 0; c < shown; c++)
        fprintf(stderr, "%s%s", c ? ", " : "", m->class_names[c]);
    fprintf(stderr, "%s)\n", shown < m->n_classes ? ", ..." : "");
}

static void warn_skip(void *ctx, const char *msg)
{
    (void)ctx;
    fprintf(stderr, "nnt: warning: %s (skipped)\n", msg);
}

/* A class whose every image --skip-bad skipped is an error, as an empty class folder is (and as
 * nnt train has it): its scores would say nothing. Labels are the folder's, before mapping. */
static int classes_left(const nnt_filelist *files, const nnt_dataset *ds, const nnt_scan *scan,
                        const char *folder)
{
    size_t n = (size_t)scan->n_classes;
    size_t *count = alloc_array(2 * n, sizeof *count);
    if (!count) {
        fprintf(stderr, "nnt: out of memory\n");
        return -1;
    }
    memset(count, 0, 2 * n * sizeof *count);
    for (size_t j = 0; j < files->n; j++)
        count[files->labels[j]]++;
    for (size_t j = 0; j < ds->m; j++)
        count[n + (size_t)ds->y[j]]++;
    char lost[NNT_ERR_MAX];
    int n_lost = dataset_classes_lost(lost, sizeof lost, count, count + n, scan->n_classes,
                                      scan->class_names);
    free(count);
    if (n_lost)
        fprintf(stderr, "nnt: %s: --skip-bad left %s without images: %s\n", folder,
                n_lost == 1 ? "a class" : "classes", lost);
    return n_lost ? -1 : 0;
}

int cmd_eval(const eval_args *a)
{
    nnt_err err;
    nnt_model m = {0};
    nnt_scan scan = {0};
    nnt_dataset ds = {0};
    char *root = NULL, *folder = NULL;
    int32_t *map = NULL, *pred = NULL;
    float *prob = NULL;
    size_t *C = NULL, *top = NULL;
    int *colw = NULL;
    nnt_class_metrics *per_class = NULL;
    report r = {0};
    int code = EXIT_RUNTIME;

    blas_set_threads(a->threads);
    if (model_load(&m, a->model, &err)) {
        fprintf(stderr, "nnt: %s\n", err.msg);
        goto done;
    }
    if (!(root = scan_root(a->dir))) {
        fprintf(stderr, "nnt: out of memory\n");
        goto done;
    }
    if (dataset_scan(&scan, root, &err)) {
        fprintf(stderr, "nnt: %s\n", err.msg);
        goto done;
    }
    report_ignored(&scan, scan.has_test ? 2 : 1);
    folder = split_folder(&scan, root);
    map = alloc_array((size_t)scan.n_classes, sizeof *map);
    if (!folder || !map) {
        fprintf(stderr, "nnt: out of memory\n");
        goto done;
    }
    int missing =
        eval_map_classes(map, scan.class_names, scan.n_classes, m.class_names, m.n_classes);
    if (missing >= 0) {
        unknown_class(folder, scan.class_names[missing], &m, a->model);
        goto done;
    }

    /* the model's geometry: images of another size are resized and colour is converted, as by
     * nnt predict, so the columns are exactly those nnt train built for the same files */
    const nnt_filelist *files = scan.has_test ? &scan.test : &scan.train;
    nnt_geometry geom = {.width = m.width, .height = m.height, .channels = m.channels};
    nnt_load_opts lo = {.max_pixels = a->max_pixels, .width = m.width, .height = m.height,
                        .threads = a->threads, .skip_bad = a->skip_bad, .warn = warn_skip};
    size_t skipped;
    if (dataset_load(&ds, &skipped, files, &geom, &lo, &err)) {
        fprintf(stderr, "nnt: %s\n", err.msg);
        goto done;
    }
    if (classes_left(files, &ds, &scan, folder))
        goto done;
    for (size_t j = 0; j < ds.m; j++)
        ds.y[j] = map[ds.y[j]]; /* the folder's label → the model's */

    size_t n = (size_t)m.n_classes, nn;
    size_t k = (size_t)a->top < ds.m ? (size_t)a->top : ds.m;
    pred = alloc_array(ds.m, sizeof *pred);
    prob = alloc_array(ds.m, sizeof *prob);
    C = nnt_mul_size(&nn, n, n) ? NULL : alloc_array(nn, sizeof *C);
    per_class = alloc_array(n, sizeof *per_class);
    top = alloc_array(k, sizeof *top);
    colw = alloc_array(n, sizeof *colw);
    if (!pred || !prob || !C || !per_class || !top || !colw) {
        fprintf(stderr, "nnt: out of memory for %zu images of %d classes\n", ds.m, m.n_classes);
        goto done;
    }
    r = (report){.model = &m, .model_path = a->model, .folder = folder, .ds = &ds, .pred = pred,
                 .prob = prob, .C = C, .per_class = per_class, .top = top,
                 .show_top = a->top > 0, .skip_bad = a->skip_bad, .n_skipped = skipped,
                 .colw = colw};
    if (eval_dataset(&r.ev, pred, prob, &m.net, &ds, &err) ||
        eval_confusion(C, ds.y, pred, ds.m, m.n_classes, &err) ||
        eval_top_wrong(top, &r.n_top, &r.n_wrong, ds.y, pred, prob, ds.paths, ds.m, k, &err)) {
        fprintf(stderr, "nnt: %s: %s\n", folder, err.msg);
        goto done;
    }
    eval_class_metrics(per_class, &r.macro, C, m.n_classes);

    if (a->json)
        print_json(&r, a->dir);
    else
        print_text(&r);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "nnt: writing to standard output failed\n");
        goto done;
    }
    code = EXIT_OK;
done:
    free(root);
    free(folder);
    free(map);
    free(pred);
    free(prob);
    free(C);
    free(per_class);
    free(top);
    free(colw);
    dataset_free(&ds);
    dataset_scan_free(&scan);
    model_free(&m);
    return code;
}
