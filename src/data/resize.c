/* resize.c — bilinear resizing of decoded images, pixel centres aligned (as PIL and OpenCV). */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "nnt/image.h"

/* Where destination column (or row) i samples the source: between i0 and i1, weight w on i1. */
typedef struct resize_tap {
    uint32_t i0, i1;
    double w;
} resize_tap;

static void resize_taps(resize_tap *taps, uint32_t n_dst, uint32_t n_src)
{
    double scale = (double)n_src / n_dst;
    for (uint32_t i = 0; i < n_dst; i++) {
        /* Pixel centres aligned: the centre of dst pixel i maps to the same point of the image. */
        double s = (i + 0.5) * scale - 0.5;
        if (s < 0)
            s = 0;
        if (s > n_src - 1)
            s = n_src - 1;
        taps[i].i0 = (uint32_t)s;
        taps[i].i1 = taps[i].i0 + 1 < n_src ? taps[i].i0 + 1 : taps[i].i0;
        taps[i].w = s - taps[i].i0;
    }
}

/* Bilinear interpolation of src at the taps, into out (already allocated). */
static void resample(nnt_image *out, const nnt_image *src, const resize_tap *xs, const resize_tap *ys)
{
    size_t c = (size_t)src->channels;
    size_t src_row_bytes = (size_t)src->width * c; /* fits: src->pixels exists */
    uint8_t *d = out->pixels;
    for (uint32_t y = 0; y < out->height; y++) {
        const uint8_t *r0 = src->pixels + ys[y].i0 * src_row_bytes;
        const uint8_t *r1 = src->pixels + ys[y].i1 * src_row_bytes;
        double wy = ys[y].w;
        for (uint32_t x = 0; x < out->width; x++) {
            size_t a = xs[x].i0 * c, b = xs[x].i1 * c;
            double wx = xs[x].w;
            for (size_t k = 0; k < c; k++) {
                double top = r0[a + k] + wx * (r0[b + k] - r0[a + k]);
                double bottom = r1[a + k] + wx * (r1[b + k] - r1[a + k]);
                double v = top + wy * (bottom - top);
                *d++ = (uint8_t)(v + 0.5); /* v is in [0, 255]: round half up */
            }
        }
    }
}

int img_resize(nnt_image *dst, const nnt_image *src, uint32_t width, uint32_t height, nnt_err *err)
{
    nnt_image out = {width, height, src->channels, NULL};
    resize_tap *taps = NULL;
    size_t row_bytes, n_bytes, n_taps, taps_bytes;
    int same_size = width == src->width && height == src->height;
    int rc = 0;
    if (width == 0 || height == 0) {
        rc = nnt_errf(err, "cannot resize to %" PRIu32 "x%" PRIu32, width, height);
        goto done;
    }
    if (!src->pixels || src->width == 0 || src->height == 0 || src->channels < 1) {
        rc = nnt_errf(err, "cannot resize an empty image");
        goto done;
    }
    if (nnt_mul_size(&row_bytes, width, (size_t)src->channels) || nnt_mul_size(&n_bytes, row_bytes, height) ||
        nnt_add_size(&n_taps, width, height) || nnt_mul_size(&taps_bytes, n_taps, sizeof *taps)) {
        rc = nnt_errf(err, "cannot resize to %" PRIu32 "x%" PRIu32 ": too large", width, height);
        goto done;
    }
    out.pixels = malloc(n_bytes);
    if (!same_size)
        taps = malloc(taps_bytes);
    if (!out.pixels || (!same_size && !taps)) {
        rc = nnt_errf(err, "cannot resize to %" PRIu32 "x%" PRIu32 ": out of memory", width, height);
        goto done;
    }
    if (same_size) {
        memcpy(out.pixels, src->pixels, n_bytes);
    } else {
        resize_taps(taps, width, src->width);
        resize_taps(taps + width, height, src->height);
        resample(&out, src, taps, taps + width);
    }
done:
    free(taps);
    if (rc != 0) {
        free(out.pixels);
        out = (nnt_image){0};
    }
    *dst = out;
    return rc;
}
