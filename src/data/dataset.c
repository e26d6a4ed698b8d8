/* dataset.c — finding a dataset's images and classes on disk, and decoding them into a uint8 matrix. */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "nnt/dataset.h"
#include "nnt/path.h"
#include "nnt/pixels.h"

#define MAX_DEPTH 64

/* ---- small growable lists ---- */

typedef struct strvec {
    size_t n, cap;
    char **v;
} strvec;

static int strvec_push(strvec *s, char *str)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 16;
        char **v = realloc(s->v, cap * sizeof *v);
        if (!v)
            return -1;
        s->v = v;
        s->cap = cap;
    }
    s->v[s->n++] = str;
    return 0;
}

static void strvec_free(strvec *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->v[i]);
    free(s->v);
    memset(s, 0, sizeof *s);
}

static int is_png_name(const char *name)
{
    size_t n = strlen(name);
    return n > 4 && strcasecmp(name + n - 4, ".png") == 0;
}

/* Sorted names in dir that do not start with '.'. */
static int list_dir(strvec *out, const char *dir, nnt_err *err)
{
    DIR *d = opendir(dir);
    if (!d)
        return nnt_errf(err, "%s: cannot open folder: %s", dir, strerror(errno));
    struct dirent *e;
    errno = 0;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char *name = strdup(e->d_name);
        if (!name || strvec_push(out, name)) {
            free(name);
            closedir(d);
            return nnt_errf(err, "%s: out of memory listing the folder", dir);
        }
        errno = 0;
    }
    int rerr = errno;
    closedir(d);
    if (rerr)
        return nnt_errf(err, "%s: cannot read folder: %s", dir, strerror(rerr));
    if (out->n > 1)
        qsort(out->v, out->n, sizeof *out->v, path_cmp);
    return 0;
}

/* ---- scanning ---- */

typedef struct visit {
    dev_t dev;
    ino_t ino;
} visit;

/* Adds every PNG below dir (following links) to files; stack holds the folders above, so a link
 * back to one of them is reported instead of followed forever. */
static int walk(strvec *files, const char *dir, visit *stack, int depth, nnt_err *err)
{
    strvec names = {0};
    if (list_dir(&names, dir, err))
        return -1;
    int rc = 0;
    for (size_t i = 0; i < names.n && rc == 0; i++) {
        char *path = path_join(dir, names.v[i]);
        struct stat st;
        if (!path) {
            rc = nnt_errf(err, "%s: out of memory", dir);
        } else if (stat(path, &st) != 0) {
            rc = nnt_errf(err, "%s: %s", path, strerror(errno));
        } else if (S_ISDIR(st.st_mode)) {
            for (int k = 0; k <= depth && rc == 0; k++)
                if (stack[k].dev == st.st_dev && stack[k].ino == st.st_ino)
                    rc = nnt_errf(err, "%s: symlink loop (leads back to a folder above it)", path);
            if (rc == 0 && depth + 1 >= MAX_DEPTH)
                rc = nnt_errf(err, "%s: folders nested deeper than %d levels", path, MAX_DEPTH);
            if (rc == 0) {
                stack[depth + 1] = (visit){st.st_dev, st.st_ino};
                rc = walk(files, path, stack, depth + 1, err);
            }
        } else if (S_ISREG(st.st_mode) && is_png_name(names.v[i])) {
            if (strvec_push(files, path) == 0)
                path = NULL;
            else
                rc = nnt_errf(err, "%s: out of memory", dir);
        }
        free(path);
    }
    strvec_free(&names);
    return rc;
}

static int dir_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* The class folders of root (sorted) and the images of each, appended to list with labels. */
static int scan_split(nnt_filelist *list, strvec *classes, const char *root, nnt_err *err)
{
    strvec names = {0};
    strvec files = {0};
    size_t cap = 0;
    int rc = list_dir(&names, root, err);
    for (size_t i = 0; i < names.n && rc == 0; i++) {
        char *path = path_join(root, names.v[i]);
        if (!path) {
            rc = nnt_errf(err, "%s: out of memory", root);
            break;
        }
        struct stat st;
        if (stat(path, &st) != 0) {
            rc = nnt_errf(err, "%s: %s", path, strerror(errno));
        } else if (S_ISDIR(st.st_mode)) {
            /* a class folder */
            visit stack[MAX_DEPTH];
            struct stat rst;
            if (stat(root, &rst) != 0) {
                rc = nnt_errf(err, "%s: %s", root, strerror(errno));
            } else {
                stack[0] = (visit){rst.st_dev, rst.st_ino};
                stack[1] = (visit){st.st_dev, st.st_ino};
                size_t before = files.n;
                rc = walk(&files, path, stack, 1, err);
                if (rc == 0 && files.n == before)
                    rc = nnt_errf(err, "%s: class folder has no .png images", path);
                char *cname = rc == 0 ? strdup(names.v[i]) : NULL;
                if (rc == 0 && (!cname || strvec_push(classes, cname))) {
                    free(cname);
                    rc = nnt_errf(err, "%s: out of memory", root);
                }
                if (rc == 0) {
                    int32_t label = (int32_t)(classes->n - 1);
                    if (files.n > cap) {
                        size_t ncap = files.cap;
                        int32_t *l = realloc(list->labels, ncap * sizeof *l);
                        if (!l) {
                            rc = nnt_errf(err, "%s: out of memory", root);
                        } else {
                            list->labels = l;
                            cap = ncap;
                        }
                    }
                    for (size_t k = before; rc == 0 && k < files.n; k++)
                        list->labels[k] = label;
                }
            }
        }
        free(path);
    }
    strvec_free(&names);
    if (rc == 0 && classes->n == 0)
        rc = nnt_errf(err, "%s: no class folders (expected %s/<class>/*.png)", root, root);
    if (rc) {
        strvec_free(&files);
        return -1;
    }
    list->n = files.n;
    list->paths = files.v; /* ownership moves to list */
    return 0;
}

static void filelist_free(nnt_filelist *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->paths[i]);
    free(l->paths);
    free(l->labels);
    memset(l, 0, sizeof *l);
}

static void classes_free(strvec *c) { strvec_free(c); }

int dataset_scan(nnt_scan *scan, const char *dir, nnt_err *err)
{
    memset(scan, 0, sizeof *scan);
    if (!dir_exists(dir)) {
        struct stat st;
        if (stat(dir, &st) != 0)
            return nnt_errf(err, "%s: %s", dir, strerror(errno));
        return nnt_errf(err, "%s: not a folder", dir);
    }
    char *train_dir = path_join(dir, "train");
    char *test_dir = path_join(dir, "test");
    strvec classes = {0}, test_classes = {0};
    int rc = 0;
    if (!train_dir || !test_dir) {
        rc = nnt_errf(err, "%s: out of memory", dir);
    } else if (dir_exists(train_dir)) {
        rc = scan_split(&scan->train, &classes, train_dir, err);
        if (rc == 0 && dir_exists(test_dir)) {
            rc = scan_split(&scan->test, &test_classes, test_dir, err);
            scan->has_test = rc == 0;
            if (rc == 0) {
                int same = test_classes.n == classes.n;
                for (size_t i = 0; same && i < classes.n; i++)
                    same = strcmp(classes.v[i], test_classes.v[i]) == 0;
                if (!same) {
                    /* name the first class that is in one split and not the other */
                    size_t i = 0;
                    while (i < classes.n && i < test_classes.n &&
                           strcmp(classes.v[i], test_classes.v[i]) == 0)
                        i++;
                    const char *what = i < classes.n ? classes.v[i] : test_classes.v[i];
                    rc = nnt_errf(err,
                                  "%s: its classes differ from %s's (%zu vs %zu classes; first "
                                  "difference at '%s')",
                                  test_dir, train_dir, test_classes.n, classes.n, what);
                }
            }
        }
    } else {
        rc = scan_split(&scan->train, &classes, dir, err);
    }
    if (rc == 0 && classes.n < 2)
        rc = nnt_errf(err, "%s: only one class ('%s'); a classifier needs at least two class folders",
                      scan->has_test || dir_exists(train_dir) ? train_dir : dir, classes.v[0]);
    if (rc == 0 && classes.n > INT32_MAX / 2)
        rc = nnt_errf(err, "%s: too many classes", dir);
    free(train_dir);
    free(test_dir);
    classes_free(&test_classes);
    if (rc) {
        classes_free(&classes);
        dataset_scan_free(scan);
        return -1;
    }
    scan->n_classes = (int)classes.n;
    scan->class_names = classes.v;
    return 0;
}

void dataset_scan_free(nnt_scan *scan)
{
    for (int i = 0; i < scan->n_classes; i++)
        free(scan->class_names[i]);
    free(scan->class_names);
    filelist_free(&scan->train);
    filelist_free(&scan->test);
    memset(scan, 0, sizeof *scan);
}

/* ---- probing and loading ---- */

int dataset_probe(nnt_geometry *geom, const nnt_filelist *files, const nnt_load_opts *opts,
                  nnt_err *err)
{
    int resize = opts->width > 0 && opts->height > 0;
    const char *first = NULL;
    nnt_image_info ref = {0};
    int channels = 1;
    for (size_t i = 0; i < files->n; i++) {
        nnt_image_info info;
        nnt_err e;
        if (img_probe(&info, files->paths[i], opts->max_pixels, &e)) {
            if (opts->skip_bad)
                continue; /* dataset_load warns about it once, when it fails to decode */
            *err = e;
            return -1;
        }
        if (!first) {
            first = files->paths[i];
            ref = info;
        } else if (!resize && (info.width != ref.width || info.height != ref.height)) {
            return nnt_errf(err,
                            "%s: image is %ux%u but %s is %ux%u (all images must have one size; "
                            "--size WxH resizes them)",
                            files->paths[i], info.width, info.height, first, ref.width, ref.height);
        }
        if (info.channels == 3)
            channels = 3;
    }
    if (!first)
        return nnt_errf(err, "no readable images among %zu files", files->n);
    geom->width = resize ? opts->width : ref.width;
    geom->height = resize ? opts->height : ref.height;
    geom->channels = channels;
    return 0;
}

typedef struct load_job {
    const nnt_filelist *files;
    const nnt_geometry *geom;
    const nnt_load_opts *opts;
    uint8_t *X;
    size_t n_x;
    size_t lo, hi;
    char **errs; /* errs[i]: malloc'd message when file i failed */
    int oom;
} load_job;

static int load_one(uint8_t *col, const char *path, const nnt_geometry *g, const nnt_load_opts *o,
                    nnt_err *err)
{
    nnt_image img = {0}, sized = {0};
    if (img_load(&img, path, g->channels, o->max_pixels, err))
        return -1;
    const nnt_image *use = &img;
    int rc = 0;
    if (img.width != g->width || img.height != g->height) {
        if (o->width > 0 && o->height > 0) {
            rc = img_resize(&sized, &img, g->width, g->height, err);
            use = &sized;
        } else {
            rc = nnt_errf(err, "%s: image is %ux%u, not %ux%u like the others (--size WxH resizes)",
                          path, img.width, img.height, g->width, g->height);
        }
    }
    if (rc == 0)
        memcpy(col, use->pixels, (size_t)g->width * g->height * g->channels);
    img_free(&img);
    img_free(&sized);
    return rc;
}

static void *load_worker(void *arg)
{
    load_job *j = arg;
    for (size_t i = j->lo; i < j->hi; i++) {
        nnt_err e;
        if (load_one(j->X + i * j->n_x, j->files->paths[i], j->geom, j->opts, &e)) {
            j->errs[i] = strdup(e.msg);
            if (!j->errs[i])
                j->oom = 1;
        }
    }
    return NULL;
}

int dataset_load(nnt_dataset *ds, size_t *n_skipped, const nnt_filelist *files,
                 const nnt_geometry *geom, const nnt_load_opts *opts, nnt_err *err)
{
    memset(ds, 0, sizeof *ds);
    *n_skipped = 0;
    size_t n = files->n, n_x, total;
    if (n == 0)
        return nnt_errf(err, "no images to load");
    if (nnt_mul_size(&n_x, geom->width, geom->height) || nnt_mul_size(&n_x, n_x, (size_t)geom->channels) ||
        nnt_mul_size(&total, n_x, n) || n_x > INT32_MAX)
        return nnt_errf(err, "%zu images of %ux%ux%d do not fit in memory", n, geom->width,
                        geom->height, geom->channels);
    ds->X = malloc(total ? total : 1);
    ds->y = malloc(n * sizeof *ds->y);
    ds->paths = calloc(n, sizeof *ds->paths);
    ds->file = malloc(n * sizeof *ds->file);
    char **errs = calloc(n, sizeof *errs);
    int threads = opts->threads < 1 ? 1 : opts->threads;
    if ((size_t)threads > n)
        threads = (int)n;
    load_job *jobs = calloc((size_t)threads, sizeof *jobs);
    pthread_t *tid = calloc((size_t)threads, sizeof *tid);
    int rc = 0;
    if (!ds->X || !ds->y || !ds->paths || !ds->file || !errs || !jobs || !tid) {
        rc = nnt_errf(err, "out of memory for %zu images of %zu bytes", n, n_x);
        goto done;
    }
    for (int t = 0; t < threads; t++)
        jobs[t] = (load_job){files, geom, opts, ds->X, n_x, n * t / threads, n * (t + 1) / threads, errs, 0};
    int started = 1;
    while (started < threads && pthread_create(&tid[started], NULL, load_worker, &jobs[started]) == 0)
        started++;
    /* job 0, and any whose thread could not be created, run on the calling thread */
    load_worker(&jobs[0]);
    for (int t = started; t < threads; t++)
        load_worker(&jobs[t]);
    for (int t = 1; t < started; t++)
        pthread_join(tid[t], NULL);
    for (int t = 0; t < threads; t++)
        if (jobs[t].oom)
            rc = nnt_errf(err, "out of memory while loading images");
    /* keep the good images, in list order, compacting the matrix in place */
    size_t k = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        if (errs[i]) {
            if (!opts->skip_bad) {
                rc = nnt_errf(err, "%s", errs[i]);
                break;
            }
            if (opts->warn)
                opts->warn(opts->warn_ctx, errs[i]);
            (*n_skipped)++;
            continue;
        }
        if (k != i)
            memmove(ds->X + k * n_x, ds->X + i * n_x, n_x);
        ds->y[k] = files->labels[i];
        ds->file[k] = i;
        ds->paths[k] = strdup(files->paths[i]);
        if (!ds->paths[k])
            rc = nnt_errf(err, "out of memory");
        k++;
    }
    if (rc == 0 && k == 0)
        rc = nnt_errf(err, "none of the %zu images could be read", n);
    ds->geom = *geom;
    ds->n_x = n_x;
    ds->m = k;
done:
    for (size_t i = 0; errs && i < n; i++)
        free(errs[i]);
    free(errs);
    free(jobs);
    free(tid);
    if (rc)
        dataset_free(ds);
    return rc;
}

void dataset_free(nnt_dataset *ds)
{
    if (ds->paths)
        for (size_t i = 0; i < ds->m; i++)
            free(ds->paths[i]);
    free(ds->paths);
    free(ds->file);
    free(ds->X);
    free(ds->y);
    memset(ds, 0, sizeof *ds);
}

int filelist_split(nnt_filelist *fit, nnt_filelist *held, const nnt_filelist *files, double frac,
                   int n_classes, nnt_rng *rng, nnt_err *err)
{
    memset(fit, 0, sizeof *fit);
    memset(held, 0, sizeof *held);
    size_t m = files->n;
    size_t *order = malloc((m ? m : 1) * sizeof *order);
    size_t *count = calloc((size_t)n_classes, sizeof *count);
    size_t *start = calloc((size_t)n_classes + 1, sizeof *start);
    char *pick = calloc(m ? m : 1, 1);
    int rc = 0;
    if (!order || !count || !start || !pick) {
        rc = nnt_errf(err, "out of memory splitting %zu images", m);
        goto done;
    }
    /* group the indices by class (stable), then shuffle each group and take its first k */
    const int32_t *y = files->labels;
    for (size_t j = 0; j < m; j++)
        count[y[j]]++;
    for (int c = 0; c < n_classes; c++)
        start[c + 1] = start[c] + count[c];
    memset(count, 0, (size_t)n_classes * sizeof *count); /* now the fill level of each group */
    for (size_t j = 0; j < m; j++)
        order[start[y[j]] + count[y[j]]++] = j;
    size_t n_held = 0;
    for (int c = 0; c < n_classes; c++) {
        size_t n = count[c], k = (size_t)floor(frac * (double)n + 0.5);
        if (k == 0 && n >= 2)
            k = 1;
        if (k >= n && n > 0)
            k = n - 1;
        rng_shuffle(rng, order + start[c], n);
        for (size_t i = 0; i < k; i++)
            pick[order[start[c] + i]] = 1;
        n_held += k;
    }
    if (n_held == 0) {
        rc = nnt_errf(err, "a validation fraction of %g leaves no image to validate on", frac);
        goto done;
    }
    size_t n_fit = m - n_held;
    fit->paths = malloc((n_fit ? n_fit : 1) * sizeof *fit->paths);
    fit->labels = malloc((n_fit ? n_fit : 1) * sizeof *fit->labels);
    held->paths = malloc(n_held * sizeof *held->paths);
    held->labels = malloc(n_held * sizeof *held->labels);
    if (!fit->paths || !fit->labels || !held->paths || !held->labels) {
        rc = nnt_errf(err, "out of memory splitting %zu images", m);
        goto done;
    }
    for (size_t j = 0; j < m; j++) { /* both in the list's order */
        nnt_filelist *to = pick[j] ? held : fit;
        to->paths[to->n] = files->paths[j];
        to->labels[to->n++] = y[j];
    }
done:
    if (rc) {
        filelist_release(fit);
        filelist_release(held);
    }
    free(order);
    free(count);
    free(start);
    free(pick);
    return rc;
}

void filelist_release(nnt_filelist *l)
{
    free(l->paths);
    free(l->labels);
    memset(l, 0, sizeof *l);
}

void dataset_gather(float *X, int32_t *y, const nnt_dataset *ds, const size_t *idx, size_t first,
                    size_t b)
{
    /* X: n_x x b, ld = n_x */
    size_t n_x = ds->n_x;
    for (size_t j = 0; j < b; j++) {
        size_t src = idx ? idx[j] : first + j;
        pixels_to_floats(X + j * n_x, ds->X + src * n_x, n_x);
        if (y)
            y[j] = ds->y[src];
    }
}

void dataset_column_from_image(float *x, const nnt_image *img)
{
    pixels_to_floats(x, img->pixels, (size_t)img->width * img->height * img->channels);
}
