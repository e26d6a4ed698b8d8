/* augment.c — the --augment transforms of training images (shifts, flips, affine, elastic), each
 * drawn from a key that hashes (seed, epoch, position) so that no generator state is kept and the
 * same image is transformed alike whatever the threads, ranks or batch. Over 400 lines as one
 * concern: the list's parser and the transforms it names, with the sampling they share. */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nnt/augment.h"
#include "nnt/pixels.h"
#include "nnt/rng.h"
#include "nnt/simd.h"

/* ---- the list ---- */

/* s (up to its end) as a finite number in [lo, hi], and more than lo unless lo_ok. */
static int number_in(double *v, const char *s, double lo, int lo_ok, double hi)
{
    char *end;
    double x = strtod(s, &end);
    if (end == s || *end || !isfinite(x) || x < lo || x > hi || (!lo_ok && x == lo))
        return -1;
    *v = x;
    return 0;
}

static const char augment_items[] =
    "shift=N, flip, rotate=DEG, zoom=F, shear=F, elastic=ALPHA:SIGMA or none";

/* One item "name" or "name=value" into a; seen is a bit per transform, for repeats. */
static int parse_item(nnt_augment *a, unsigned *seen, char *item, nnt_err *err)
{
    static const char *const names[] = {"shift", "flip", "rotate", "zoom", "shear", "elastic"};
    char *value = strchr(item, '=');
    if (value)
        *value++ = '\0';
    int i = nnt_name_index(names, 6, item);
    if (i < 0)
        return nnt_errf(err, "--augment: unknown transform '%s'; the list takes %s", item,
                        augment_items);
    if (*seen & (1u << i))
        return nnt_errf(err, "--augment: '%s' is given twice", item);
    *seen |= 1u << i;
    if (i == 1) {
        if (value)
            return nnt_errf(err, "--augment: flip takes no value, not '%s'", value);
        a->flip = 1;
        return 0;
    }
    if (!value)
        return nnt_errf(err, "--augment: %s needs a value, e.g. %s", item,
                        i == 0 ? "shift=2" : i == 2 ? "rotate=10" : i == 5 ? "elastic=34:4"
                                                                           : "zoom=0.1");
    double v, sigma;
    switch (i) {
    case 0:
        if (number_in(&v, value, 0, 1, 1024) || v != floor(v))
            return nnt_errf(err, "--augment: shift takes a whole number of pixels from 0 to "
                                 "1024, not '%s'", value);
        a->shift = (int)v;
        return 0;
    case 2:
    case 3:
    case 4: { /* the affine map's bounds: degrees, a fraction of the size, a slope */
        static const double hi[] = {180, 0.9, 1};
        static const char *const takes[] = {"degrees from 0 to 180", "a fraction from 0 to 0.9",
                                            "a number from 0 to 1"};
        if (number_in(&v, value, 0, 1, hi[i - 2]))
            return nnt_errf(err, "--augment: %s takes %s, not '%s'", item, takes[i - 2], value);
        *(i == 2 ? &a->rotate : i == 3 ? &a->scale : &a->shear) = (float)v;
        return 0;
    }
    default: {
        char *colon = strchr(value, ':');
        if (colon)
            *colon = '\0';
        if (!colon || number_in(&v, value, 0, 1, 1000) || number_in(&sigma, colon + 1, 0, 0, 100))
            return nnt_errf(err, "--augment: elastic takes ALPHA:SIGMA, α from 0 to 1000 and σ "
                                 "above 0 up to 100 pixels (Simard et al.: 34:4), not '%s%s%s'",
                            value, colon ? ":" : "", colon ? colon + 1 : "");
        a->elastic_alpha = (float)v;
        a->elastic_sigma = (float)sigma;
        return 0;
    }
    }
}

int augment_parse(nnt_augment *a, const char *list, nnt_err *err)
{
    *a = (nnt_augment){0};
    if (strcmp(list, "none") == 0)
        return 0;
    char item[128];
    unsigned seen = 0;
    for (const char *p = list;; p++) {
        size_t n = strcspn(p, ",");
        if (n == 0) {
            *a = (nnt_augment){0};
            return nnt_errf(err, "--augment: an empty item in '%s'; the list takes %s", list,
                            augment_items);
        }
        if (n >= sizeof item) {
            *a = (nnt_augment){0};
            return nnt_errf(err, "--augment: an item of %zu characters in the list", n);
        }
        memcpy(item, p, n);
        item[n] = '\0';
        if (parse_item(a, &seen, item, err)) {
            *a = (nnt_augment){0};
            return -1;
        }
        p += n;
        if (!*p)
            return 0;
    }
}

int augment_active(const nnt_augment *a)
{
    return a->shift > 0 || a->flip || a->rotate > 0.0f || a->scale > 0.0f || a->shear > 0.0f ||
           a->elastic_alpha > 0.0f;
}

void augment_format(char *buf, size_t n, const nnt_augment *a)
{
    size_t used = 0;
    buf[0] = '\0';
#define AUG_PUT(...)                                                                       \
    do {                                                                                   \
        int k = snprintf(buf + used, n - used, "%s", used ? "," : "");                     \
        if (k > 0 && (size_t)k < n - used)                                                 \
            used += (size_t)k;                                                             \
        k = snprintf(buf + used, n - used, __VA_ARGS__);                                   \
        if (k > 0 && (size_t)k < n - used)                                                 \
            used += (size_t)k;                                                             \
    } while (0)
    if (a->shift > 0)
        AUG_PUT("shift=%d", a->shift);
    if (a->flip)
        AUG_PUT("flip");
    if (a->rotate > 0.0f)
        AUG_PUT("rotate=%.7g", a->rotate);
    if (a->scale > 0.0f)
        AUG_PUT("zoom=%.7g", a->scale);
    if (a->shear > 0.0f)
        AUG_PUT("shear=%.7g", a->shear);
    if (a->elastic_alpha > 0.0f)
        AUG_PUT("elastic=%.7g:%.7g", a->elastic_alpha, a->elastic_sigma);
#undef AUG_PUT
    if (!used)
        snprintf(buf, n, "none");
}

/* ---- one image ---- */

uint64_t augment_key(uint64_t seed, int epoch, size_t position)
{
    /* each splitmix64 round is a bijection of its input: distinct epochs give distinct
     * states, and the position is mixed in last */
    uint64_t x = seed;
    x = rng_splitmix64(&x) ^ (uint64_t)(uint32_t)epoch;
    x = rng_splitmix64(&x) ^ (uint64_t)position;
    return rng_splitmix64(&x);
}

/* The kernel's radius: 3σ holds all but 0.3 % of the Gaussian's weight. */
static size_t elastic_radius(float sigma) { return (size_t)ceil(3.0 * (double)sigma); }

/* Whole-pixel moves (shift, flip) copy pixels; anything else samples between them. */
static int augment_moves_only(const nnt_augment *a)
{
    return a->rotate <= 0.0f && a->scale <= 0.0f && a->shear <= 0.0f && a->elastic_alpha <= 0.0f;
}

int augment_work_floats(size_t *n, const nnt_augment *a, uint32_t w, uint32_t h, int channels)
{
    size_t px, fields = 0, pad, coords;
    *n = 0;
    if (augment_moves_only(a))
        return 0;
    /* with elastic: dx, dy and a pass's output, each w × h, and the kernel's 2r + 1 taps; then
     * a row's sample positions, 2w; the image as floats in a border of zeros, (w + 3) × (h + 3)
     * × channels; and the one-channel sampler's offsets and taps, 5w */
    if (a->elastic_alpha > 0.0f &&
        (nnt_mul_size(&px, w, h) || nnt_mul_size(&fields, px, 3) ||
         nnt_add_size(&fields, fields, 2 * elastic_radius(a->elastic_sigma) + 1)))
        return -1;
    if (nnt_mul_size(&pad, (size_t)w + 3, (size_t)h + 3) ||
        nnt_mul_size(&pad, pad, (size_t)channels) || nnt_mul_size(&coords, w, 7) ||
        nnt_add_size(n, fields, coords) || nnt_add_size(n, *n, pad))
        return -1;
    return 0;
}

/* Uniform in [0, 1) from the image's stream. */
static double draw(uint64_t *s) { return (double)(rng_splitmix64(s) >> 11) * 0x1.0p-53; }

/* out = in (w × h, row-major) convolved down its columns with the kernel g[0..2r] (centred on
 * g[r]), zero outside: out[y][x] = Σ_t g[t]·in[y + t − r][x]. The rows one tap reaches are
 * contiguous, so each tap is one long loop over them, which vectorises; every output sums its
 * taps in one order, so every clone gives the same bits. */
NNT_VECTOR static void smooth_columns(float *out, const float *in, const float *g, size_t r,
                                      size_t w, size_t h)
{
    memset(out, 0, w * h * sizeof *out);
    for (size_t t = 0; t <= 2 * r; t++) {
        size_t lo = t < r ? r - t : 0, hi = h + r > t ? h + r - t : 0; /* 0 ≤ y + t − r < h */
        if (hi > h)
            hi = h;
        if (lo >= hi)
            continue;
        const float *src = in + (lo + t - r) * w;
        float *dst = out + lo * w, gt = g[t];
        for (size_t i = 0, n = (hi - lo) * w; i < n; i++)
            dst[i] += gt * src[i];
    }
}

/* out (w × h, row-major) = the transpose of in (h × w, row-major). */
static void transpose(float *out, const float *in, size_t w, size_t h)
{
    for (size_t y = 0; y < h; y++)
        for (size_t x = 0; x < w; x++)
            out[y * w + x] = in[x * h + y];
}

/* f (w × h, row-major) smoothed by the separable kernel g in both directions, through tmp:
 * down the columns, then down the columns of the transpose (along the rows), and back. */
static void elastic_smooth(float *f, float *tmp, const float *g, size_t r, size_t w, size_t h)
{
    smooth_columns(tmp, f, g, r, w, h);
    transpose(f, tmp, h, w);
    smooth_columns(tmp, f, g, r, h, w);
    transpose(f, tmp, w, h);
}

/* The displacement fields dx, dy (w × h each, in work) drawn from s and smoothed, times α. */
static void elastic_field(float *work, uint64_t *s, const nnt_augment *a, size_t w, size_t h)
{
    size_t n = w * h, r = elastic_radius(a->elastic_sigma);
    float *dx = work, *dy = work + n, *tmp = work + 2 * n, *g = work + 3 * n;
    double sum = 0.0, inv = 1.0 / (2.0 * (double)a->elastic_sigma * a->elastic_sigma);
    for (size_t t = 0; t <= 2 * r; t++) {
        double d = (double)t - (double)r;
        sum += exp(-d * d * inv);
    }
    /* a kernel of weight 1, times α: the smoothed field comes out scaled */
    for (size_t t = 0; t <= 2 * r; t++) {
        double d = (double)t - (double)r;
        g[t] = (float)(exp(-d * d * inv) / sum);
    }
    for (size_t i = 0; i < 2 * n; i += 2) { /* two 24-bit uniforms in [-1, 1) a draw */
        uint64_t u = rng_splitmix64(s);
        dx[i] = (float)(u >> 40) * 0x1.0p-23f - 1.0f;
        if (i + 1 < 2 * n)
            dx[i + 1] = (float)((u >> 8) & 0xffffffu) * 0x1.0p-23f - 1.0f;
    }
    elastic_smooth(dx, tmp, g, r, w, h);
    elastic_smooth(dy, tmp, g, r, w, h);
    for (size_t i = 0; i < 2 * n; i++)
        dx[i] *= a->elastic_alpha;
}

/* Row d (w pixels of c samples) sampled at (sx[x], sy[x]) in pixel-index coordinates (pixel
 * i's centre at i, as resize.c's taps) by bilinear interpolation of P, the image as floats in a
 * border of zeros: pixel (x, y) at P[((y + 1)·ldp + x + 1)·c], ldp = w + 3, h + 3 rows.
 * Positions are clamped to [−1, w] × [−1, h], where every tap with weight is in the border, so
 * what falls outside reads 0 without a branch. */
NNT_VECTOR static void sample_row(uint8_t *d, const float *P, size_t ldp, size_t w, size_t h,
                                  size_t c, const float *sx, const float *sy)
{
    float xmax = (float)w, ymax = (float)h;
    for (size_t x = 0; x < w; x++) {
        float fx = sx[x] > -1.0f ? sx[x] : -1.0f, fy = sy[x] > -1.0f ? sy[x] : -1.0f; /* NaN: −1 */
        fx = fx < xmax ? fx : xmax;
        fy = fy < ymax ? fy : ymax;
        int x0 = (int)(fx + 1.0f) - 1, y0 = (int)(fy + 1.0f) - 1; /* floor: fx + 1 ≥ 0 */
        float wx = fx - (float)x0, wy = fy - (float)y0;
        const float *p0 = P + ((size_t)(y0 + 1) * ldp + (size_t)(x0 + 1)) * c, *p1 = p0 + ldp * c;
        for (size_t k = 0; k < c; k++) {
            float top = p0[k] + wx * (p0[c + k] - p0[k]);
            float bottom = p1[k] + wx * (p1[c + k] - p1[k]);
            float v = top + wy * (bottom - top) + 0.5f; /* round half up */
            d[x * c + k] = (uint8_t)(v < 255.0f ? v : 255.0f);
        }
    }
}

/* sample_row for one channel (grey images, the common case), the same arithmetic in the same
 * order, so the same bits, in three passes over the row so that two of them vectorise: where
 * each pixel samples (offsets into P and weights; arithmetic only), the four taps' loads (a
 * pixel at a time: the compiler's gathers are off for this tuning), then the interpolation
 * and rounding (arithmetic only). sx and sy are overwritten by the weights; t holds 5·w
 * floats. P holds (w + 3)·(h + 3) floats, which the caller checked is within int range. */
NNT_VECTOR static void sample_row1(uint8_t *d, const float *P, int ldp, int w, int h, float *sx,
                                   float *sy, float *t)
{
    float xmax = (float)w, ymax = (float)h;
    int32_t *o = (int32_t *)t;
    float *p00 = t + w, *p01 = p00 + w, *p10 = p01 + w, *p11 = p10 + w;
    for (int x = 0; x < w; x++) {
        float fx = sx[x] > -1.0f ? sx[x] : -1.0f, fy = sy[x] > -1.0f ? sy[x] : -1.0f; /* NaN: −1 */
        fx = fx < xmax ? fx : xmax;
        fy = fy < ymax ? fy : ymax;
        int x0 = (int)(fx + 1.0f) - 1, y0 = (int)(fy + 1.0f) - 1; /* floor: fx + 1 ≥ 0 */
        sx[x] = fx - (float)x0;
        sy[x] = fy - (float)y0;
        o[x] = (y0 + 1) * ldp + x0 + 1;
    }
    for (int x = 0; x < w; x++) {
        const float *p = P + o[x];
        p00[x] = p[0];
        p01[x] = p[1];
        p10[x] = p[ldp];
        p11[x] = p[ldp + 1];
    }
    for (int x = 0; x < w; x++) {
        float wx = sx[x], wy = sy[x];
        float top = p00[x] + wx * (p01[x] - p00[x]);
        float bottom = p10[x] + wx * (p11[x] - p10[x]);
        int v = (int)(top + wy * (bottom - top) + 0.5f); /* round half up: the sum is ≥ 0.5 */
        d[x] = (uint8_t)(v < 255 ? v : 255);
    }
}

/* Where row y's pixels sample the source: (sx, sy) = (m[2], m[5]) + M·(f·(x + ½ − cx), qy)
 * (M = m[0], m[1]; m[3], m[4]; f = −1 mirrors) plus the elastic displacement ex, ey of the row
 * (NULL: none), for x < w. Arithmetic only, so it vectorises. */
NNT_VECTOR static void row_positions(float *sx, float *sy, const double *m, double f, double cx,
                                     double qy, const float *ex, const float *ey, size_t w)
{
    double bx = m[2] + m[1] * qy, by = m[5] + m[4] * qy;
    for (size_t x = 0; x < w; x++) {
        double qx = f * ((double)x + 0.5 - cx);
        sx[x] = (float)(bx + m[0] * qx);
        sy[x] = (float)(by + m[3] * qx);
    }
    for (size_t x = 0; ex && x < w; x++) {
        sx[x] += ex[x];
        sy[x] += ey[x];
    }
}

void augment_image(uint8_t *dst, const uint8_t *src, uint32_t width, uint32_t height,
                   int channels, const nnt_augment *a, uint64_t key, float *work)
{
    size_t w = width, h = height, c = (size_t)channels, row = w * c;
    uint64_t s = key;
    /* every parameter is drawn, in this order, whichever transforms are on: the same image in
     * the same epoch draws the same shift whether or not a rotation is added */
    double u_tx = draw(&s), u_ty = draw(&s), u_flip = draw(&s), u_rot = draw(&s),
           u_zoom = draw(&s), u_shear = draw(&s);
    long span = 2L * a->shift + 1, tx = (long)(u_tx * span) - a->shift,
         ty = (long)(u_ty * span) - a->shift;
    int flip = a->flip && u_flip < 0.5;
    if (augment_moves_only(a)) {
        /* whole-pixel moves: the samples fall on pixel centres, so copy them */
        for (size_t y = 0; y < h; y++) {
            uint8_t *d = dst + y * row;
            long sy = (long)y - ty;
            memset(d, 0, row);
            if (sy < 0 || sy >= (long)h)
                continue;
            const uint8_t *r = src + (size_t)sy * row;
            long lo = tx > 0 ? tx : 0, hi = tx < 0 ? (long)w + tx : (long)w; /* sx in range */
            if (!flip && lo < hi)
                memcpy(d + (size_t)lo * c, r + (size_t)(lo - tx) * c, (size_t)(hi - lo) * c);
            for (size_t x = 0; flip && x < w; x++) {
                long sx = (long)(w - 1 - x) - tx;
                if (sx >= 0 && sx < (long)w)
                    memcpy(d + x * c, r + (size_t)sx * c, c);
            }
        }
        return;
    }
    double theta = (double)a->rotate * (2.0 * u_rot - 1.0) * (3.14159265358979323846 / 180.0);
    double zoom = 1.0 + (double)a->scale * (2.0 * u_zoom - 1.0);
    double sh = (double)a->shear * (2.0 * u_shear - 1.0), ct = cos(theta), st = sin(theta);
    /* source = centre + R(θ)·Shear·q / zoom − shift, q the output pixel centre from the centre
     * (mirrored when flipped); the identity parameters give exactly q */
    double m00 = ct / zoom, m01 = (ct * sh - st) / zoom, m10 = st / zoom, m11 = (st * sh + ct) / zoom;
    double cx = 0.5 * (double)w, cy = 0.5 * (double)h;
    double ox = cx - 0.5 - (double)tx, oy = cy - 0.5 - (double)ty; /* to pixel-index coordinates */
    const float *dx = NULL, *dy = NULL;
    float *rest = work;
    if (a->elastic_alpha > 0.0f) {
        elastic_field(work, &s, a, w, h);
        dx = work;
        dy = work + w * h;
        rest = work + 3 * w * h + 2 * elastic_radius(a->elastic_sigma) + 1;
    }
    float *sxs = rest, *sys = rest + w, *P = rest + 2 * w;
    size_t ldp = w + 3;
    memset(P, 0, ldp * (h + 3) * c * sizeof *P);
    for (size_t y = 0; y < h; y++) {
        float *pr = P + ((y + 1) * ldp + 1) * c;
        const uint8_t *sr = src + y * row;
        for (size_t i = 0; i < row; i++)
            pr[i] = sr[i];
    }
    double m[6] = {m00, m01, ox, m10, m11, oy};
    for (size_t y = 0; y < h; y++) {
        row_positions(sxs, sys, m, flip ? -1.0 : 1.0, cx, (double)y + 0.5 - cy,
                      dx ? dx + y * w : NULL, dy ? dy + y * w : NULL, w);
        if (c == 1 && ldp * (h + 3) <= INT_MAX)
            sample_row1(dst + y * row, P, (int)ldp, (int)w, (int)h, sxs, sys, P + ldp * (h + 3));
        else
            sample_row(dst + y * row, P, ldp, w, h, c, sxs, sys);
    }
}

int augment_new(nnt_augmenter *g, const nnt_augment *a, uint64_t seed, const size_t *position,
                const nnt_geometry *geom, int slots, nnt_err *err)
{
    size_t work, n_x, n_pix, n_work;
    *g = (nnt_augmenter){a, seed, position, slots, NULL, NULL, 0, 0};
    if (augment_work_floats(&work, a, geom->width, geom->height, geom->channels) ||
        nnt_mul_size(&n_x, (size_t)geom->width * geom->height, (size_t)geom->channels) ||
        nnt_add_size(&n_x, n_x, 63) || nnt_add_size(&work, work, 15))
        return nnt_errf(err, "images of %ux%u are too large to augment", (unsigned)geom->width,
                        (unsigned)geom->height);
    /* each slot a cache line apart: threads never write the same line */
    g->pix_ld = n_x / 64 * 64;
    g->work_ld = work / 16 * 16;
    if (nnt_mul_size(&n_pix, g->pix_ld, (size_t)slots) ||
        nnt_mul_size(&n_work, g->work_ld, (size_t)slots))
        return nnt_errf(err, "images of %zu values are too large to augment", n_x);
    g->pix = nnt_calloc_aligned(n_pix, 1);
    g->work = g->work_ld ? nnt_calloc_aligned(n_work, sizeof *g->work) : NULL;
    if (!g->pix || (g->work_ld && !g->work))
        return nnt_errf(err, "out of memory for augmenting images of %zu values", n_x);
    return 0;
}

void augment_free(nnt_augmenter *g)
{
    free(g->pix);
    free(g->work);
    *g = (nnt_augmenter){0};
}

void augment_gather(float *X, int32_t *y, const nnt_augmenter *g, int slot,
                    const nnt_dataset *ds, const size_t *idx, size_t b, int epoch)
{
    /* X: n_x × b, ld = n_x */
    size_t n_x = ds->n_x;
    uint8_t *pix = g->pix + (size_t)slot * g->pix_ld;
    float *work = g->work ? g->work + (size_t)slot * g->work_ld : NULL;
    for (size_t j = 0; j < b; j++) {
        size_t i = idx[j];
        uint64_t key = augment_key(g->seed, epoch, g->position ? g->position[i] : i);
        augment_image(pix, ds->X + i * n_x, ds->geom.width, ds->geom.height, ds->geom.channels,
                      g->a, key, work);
        pixels_to_floats(X + j * n_x, pix, n_x);
        if (ds->scale) /* as dataset_gather: the training set's scaler, on augmented pixels */
            scale_apply(ds->scale, X + j * n_x, 1);
        if (y)
            y[j] = ds->y[i];
    }
}
