/* mosaic.c — draws the first-layer weights (`nnt show`). Each tile is normalised on its own,
 * symmetrically around 0, so a unit with small weights is as readable as one with large ones and
 * the sign of every weight keeps its colour. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "nnt/mosaic.h"

int mosaic_layout(nnt_mosaic_layout *l, int n_units, uint32_t w, uint32_t h, int scale,
                  uint64_t max_pixels, nnt_err *err)
{
    if (n_units < 1 || w < 1 || h < 1 || scale < 1)
        return nnt_errf(err, "cannot lay out %d tiles of %ux%u at scale %d", n_units, (unsigned)w,
                        (unsigned)h, scale);
    uint64_t n = (uint64_t)n_units, cols = (uint64_t)ceil(sqrt((double)n));
    while (cols * cols < n)
        cols++;
    while (cols > 1 && (cols - 1) * (cols - 1) >= n)
        cols--;
    uint64_t rows = (n + cols - 1) / cols;
    /* every factor is below 2^32, so each product below fits in 64 bits before it is checked */
    uint64_t tile_w = (uint64_t)w * (uint64_t)scale, tile_h = (uint64_t)h * (uint64_t)scale;
    uint64_t width = cols * tile_w + (cols + 1) * NNT_MOSAIC_GAP;
    uint64_t height = rows * tile_h + (rows + 1) * NNT_MOSAIC_GAP;
    if (width > UINT32_MAX / 2 || height > UINT32_MAX / 2 || width * height > max_pixels)
        return nnt_errf(err,
                        "%d units of %ux%u weights at %d pixels each make a %llux%llu image, over "
                        "the limit of %llu pixels",
                        n_units, (unsigned)w, (unsigned)h, scale, (unsigned long long)width,
                        (unsigned long long)height, (unsigned long long)max_pixels);
    *l = (nnt_mosaic_layout){.cols = (uint32_t)cols, .rows = (uint32_t)rows,
                             .tile_w = (uint32_t)tile_w, .tile_h = (uint32_t)tile_h,
                             .width = (uint32_t)width, .height = (uint32_t)height};
    return 0;
}

static uint8_t lerp_byte(double from, double to, double t)
{
    double v = from + (to - from) * t;
    return (uint8_t)lround(v < 0 ? 0 : v > 255 ? 255 : v);
}

/* The colour of weight w in a tile whose largest |w| is max (max > 0 or the tile is all zero). */
static void gray_colour(uint8_t rgb[3], float w, float max)
{
    double t = max > 0 ? (double)w / max : 0.0;
    if (t < 0) {
        rgb[0] = lerp_byte(255, NNT_MOSAIC_NEG_R, -t);
        rgb[1] = lerp_byte(255, NNT_MOSAIC_NEG_G, -t);
        rgb[2] = lerp_byte(255, NNT_MOSAIC_NEG_B, -t);
    } else {
        rgb[0] = lerp_byte(255, NNT_MOSAIC_POS_R, t);
        rgb[1] = lerp_byte(255, NNT_MOSAIC_POS_G, t);
        rgb[2] = lerp_byte(255, NNT_MOSAIC_POS_B, t);
    }
}

int mosaic_draw(nnt_image *img, const nnt_model *m, int scale, uint64_t max_pixels, nnt_err *err)
{
    memset(img, 0, sizeof *img);
    const nnt_net *net = &m->net;
    nnt_mosaic_layout l;
    if (mosaic_layout(&l, net->n_h, m->width, m->height, scale, max_pixels, err))
        return -1;
    size_t bytes;
    if (nnt_mul_size(&bytes, (size_t)l.width * l.height, 3))
        return nnt_errf(err, "a %ux%u image is too large", (unsigned)l.width, (unsigned)l.height);
    uint8_t *px = calloc(bytes, 1); /* black: the gaps and any empty cells of the last row */
    if (!px)
        return nnt_errf(err, "out of memory for a %ux%u image", (unsigned)l.width, (unsigned)l.height);
    const size_t n_h = (size_t)net->n_h, C = (size_t)m->channels, W = m->width, H = m->height;
    for (size_t u = 0; u < n_h; u++) {
        /* W1 is n_h × n_x, ld = n_h: unit u's weight of input i is W1[u + i·n_h], and input
         * i = (y·W + x)·C + c, the order of an image's samples (image.h) */
        const float *row = net->W1 + u;
        float max = 0.0f;
        for (size_t i = 0; i < (size_t)net->n_x; i++)
            max = fmaxf(max, fabsf(row[i * n_h]));
        size_t x0 = (u % l.cols) * (l.tile_w + NNT_MOSAIC_GAP) + NNT_MOSAIC_GAP;
        size_t y0 = (u / l.cols) * (l.tile_h + NNT_MOSAIC_GAP) + NNT_MOSAIC_GAP;
        for (size_t y = 0; y < H; y++)
            for (size_t x = 0; x < W; x++) {
                uint8_t rgb[3];
                const float *w = row + (y * W + x) * C * n_h;
                if (C == 1) {
                    gray_colour(rgb, w[0], max);
                } else {
                    for (size_t c = 0; c < 3; c++)
                        rgb[c] = lerp_byte(0, 255, max > 0 ? 0.5 + w[c * n_h] / (2.0 * max) : 0.5);
                }
                for (size_t dy = 0; dy < (size_t)scale; dy++) {
                    uint8_t *p = px + ((y0 + y * (size_t)scale + dy) * l.width + x0 +
                                       x * (size_t)scale) * 3;
                    for (size_t dx = 0; dx < (size_t)scale; dx++, p += 3)
                        memcpy(p, rgb, 3);
                }
            }
    }
    *img = (nnt_image){.width = l.width, .height = l.height, .channels = 3, .pixels = px};
    return 0;
}
