/* dataset.c — a dataset's images decoded into a uint8 matrix (on threads), split for validation,
 * and gathered into float batches (scaled when the set has a scaler). Finding them on disk is
 * scan.c's. */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "nnt/dataset.h"
#include "nnt/pixels.h"

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

int dataset_classes_lost(char *out, size_t cap, const size_t *listed, const size_t *loaded,
                         int n_classes, char *const *names)
{
    int n = 0;
    size_t k = 0;
    out[0] = '\0';
    for (int c = 0; c < n_classes; c++) {
        if (listed[c] == 0 || loaded[c] != 0)
            continue;
        if (k < cap) {
            int w = snprintf(out + k, cap - k, "%s%s (all %zu failed to decode)", n ? ", " : "",
                             names[c], listed[c]);
            k += w > 0 ? (size_t)w : 0;
        }
        n++;
    }
    return n;
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
        if (ds->scale) /* every set of a run alike: training, validation and test */
            scale_apply(ds->scale, X + j * n_x, 1);
        if (y)
            y[j] = ds->y[src];
    }
}

void dataset_column_from_image(float *x, const nnt_image *img)
{
    pixels_to_floats(x, img->pixels, (size_t)img->width * img->height * img->channels);
}

/* zlib's crc32 takes at most UINT_MAX bytes a call */
static uLong crc_bytes(uLong crc, const uint8_t *p, size_t n)
{
    while (n > 0) {
        uInt k = n > (1u << 30) ? (1u << 30) : (uInt)n;
        crc = crc32(crc, p, k);
        p += k;
        n -= k;
    }
    return crc;
}

uint32_t dataset_crc(const nnt_dataset *d)
{
    uLong crc = crc32(0L, Z_NULL, 0);
    if (d->m == 0)
        return (uint32_t)crc;
    crc = crc_bytes(crc, d->X, d->n_x * d->m);
    for (size_t j = 0; j < d->m; j++) {
        uint8_t b[4] = {(uint8_t)d->y[j], (uint8_t)(d->y[j] >> 8), (uint8_t)(d->y[j] >> 16),
                        (uint8_t)(d->y[j] >> 24)};
        crc = crc32(crc, b, 4);
    }
    return (uint32_t)crc;
}
