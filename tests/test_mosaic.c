/* test_mosaic.c — `nnt show`'s drawing: grid shapes for many unit counts, the size limit, and the
 * pixels of the v1 fixture's model (3 units of 3 × 2 gray weights, values i·0.125 − 1 in
 * params order, as tests/make_model_fixture.c writes it) and of an RGB model, where each colour
 * is worked out by hand from the weights. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "nnt/mosaic.h"

static int px_is(const nnt_image *img, uint32_t x, uint32_t y, int r, int g, int b)
{
    if (x >= img->width || y >= img->height)
        return 0;
    const uint8_t *p = img->pixels + ((size_t)y * img->width + x) * 3;
    if (p[0] == r && p[1] == g && p[2] == b)
        return 1;
    fprintf(stderr, "  pixel (%u, %u) is %d %d %d, wanted %d %d %d\n", (unsigned)x, (unsigned)y, p[0],
            p[1], p[2], r, g, b);
    return 0;
}

/* The whole scale × scale block of weight (x, y) of the tile at (x0, y0) has one colour. */
static int block_is(const nnt_image *img, uint32_t x0, uint32_t y0, int scale, uint32_t x,
                    uint32_t y, int r, int g, int b)
{
    for (int dy = 0; dy < scale; dy++)
        for (int dx = 0; dx < scale; dx++)
            if (!px_is(img, x0 + x * (uint32_t)scale + (uint32_t)dx, y0 + y * (uint32_t)scale + (uint32_t)dy, r, g, b))
                return 0;
    return 1;
}

static void test_layout(void)
{
    static const struct { int n; uint32_t cols, rows; } grids[] = {
        {1, 1, 1}, {2, 2, 1}, {3, 2, 2}, {4, 2, 2}, {5, 3, 2}, {10, 4, 3}, {64, 8, 8},
        {65, 9, 8}, {256, 16, 16}, {1000, 32, 32}, {1000000, 1000, 1000}};
    nnt_mosaic_layout l;
    nnt_err err;
    for (size_t i = 0; i < sizeof grids / sizeof grids[0]; i++) {
        CHECK(mosaic_layout(&l, grids[i].n, 1, 1, 1, UINT64_MAX, &err) == 0);
        CHECKF(l.cols == grids[i].cols && l.rows == grids[i].rows, "%d units: %ux%u", grids[i].n,
               (unsigned)l.cols, (unsigned)l.rows);
        CHECK((uint64_t)l.cols * l.rows >= (uint64_t)grids[i].n);
    }
    /* 28 × 28 inputs, 64 units at scale 4: 8 tiles of 112 px and 9 gaps of 2 each way */
    CHECK(mosaic_layout(&l, 64, 28, 28, 4, NNT_DEFAULT_MAX_PIXELS, &err) == 0);
    CHECK(l.tile_w == 112 && l.tile_h == 112 && l.width == 8 * 112 + 9 * 2 && l.height == l.width);
    /* the limit: 1000000 units of 28 × 28 do not fit in 2^26 pixels even at scale 1 */
    CHECK(mosaic_layout(&l, 1000000, 28, 28, 1, NNT_DEFAULT_MAX_PIXELS, &err) != 0 &&
          strstr(err.msg, "30002x30002") && strstr(err.msg, "67108864"));
    CHECK(mosaic_layout(&l, 2, 3, 2, 4, 29 * 12, &err) != 0);   /* 28 × 12 = 336 */
    CHECK(mosaic_layout(&l, 2, 3, 2, 4, 30 * 12, &err) == 0 && l.width == 30 && l.height == 12);
    CHECK(mosaic_layout(&l, 0, 3, 2, 4, UINT64_MAX, &err) != 0);
    /* sizes far past 32 bits are refused, not wrapped */
    CHECK(mosaic_layout(&l, 1 << 30, 65535, 65535, 64, UINT64_MAX, &err) != 0);
}

static void model_from(nnt_model *m, uint32_t w, uint32_t h, int c, int n_h, const float *W1)
{
    memset(m, 0, sizeof *m);
    m->width = w, m->height = h, m->channels = c, m->n_classes = 2;
    nnt_err err;
    CHECK(net_new(&m->net, (int)(w * h) * c, n_h, 1, NNT_ACT_RELU, &err) == 0);
    memcpy(m->net.W1, W1, sizeof(float) * (size_t)n_h * w * h * (size_t)c);
}

/* The colour of t = w / max|w| in the diverging map, as the man page states it. */
static int lerp(int to, double t) { return (int)lround(255 + (to - 255) * fabs(t)); }

static void test_gray(void)
{
    nnt_model m;
    float W1[18];
    for (int i = 0; i < 18; i++)
        W1[i] = (float)i * 0.125f - 1.0f; /* the fixture: W1 3 × 6, column-major */
    model_from(&m, 3, 2, 1, 3, W1);
    nnt_image img;
    nnt_err err;
    const int s = 4;
    CHECKF(mosaic_draw(&img, &m, s, NNT_DEFAULT_MAX_PIXELS, &err) == 0, "%s", err.msg);
    /* 2 × 2 grid of 12 × 8 tiles: 2·12 + 3·2 = 30 wide, 2·8 + 3·2 = 22 high */
    CHECK(img.width == 30 && img.height == 22 && img.channels == 3);
    /* unit 0 (tile at 2, 2): weights −1, −0.625, −0.25 / 0.125, 0.5, 0.875; max |w| = 1 */
    CHECK(block_is(&img, 2, 2, s, 0, 0, NNT_MOSAIC_NEG_R, NNT_MOSAIC_NEG_G, NNT_MOSAIC_NEG_B));
    CHECK(block_is(&img, 2, 2, s, 1, 0, lerp(33, 0.625), lerp(102, 0.625), lerp(172, 0.625)));
    CHECK(block_is(&img, 2, 2, s, 2, 1, lerp(178, 0.875), lerp(24, 0.875), lerp(43, 0.875)));
    /* unit 1 (tile at 16, 2): its last weight, +1 at (2, 1), is full red */
    CHECK(block_is(&img, 16, 2, s, 2, 1, NNT_MOSAIC_POS_R, NNT_MOSAIC_POS_G, NNT_MOSAIC_POS_B));
    /* unit 2 (tile at 2, 12): max |w| = 1.125; its weight at (2, 0) is exactly 0: white */
    CHECK(block_is(&img, 2, 12, s, 2, 0, 255, 255, 255));
    CHECK(block_is(&img, 2, 12, s, 0, 0, lerp(33, 0.75 / 1.125), lerp(102, 0.75 / 1.125),
                   lerp(172, 0.75 / 1.125)));
    CHECK(block_is(&img, 2, 12, s, 2, 1, NNT_MOSAIC_POS_R, NNT_MOSAIC_POS_G, NNT_MOSAIC_POS_B));
    /* gaps, the border and the empty fourth cell are black */
    CHECK(px_is(&img, 0, 0, 0, 0, 0) && px_is(&img, 14, 5, 0, 0, 0) && px_is(&img, 15, 5, 0, 0, 0));
    CHECK(px_is(&img, 5, 10, 0, 0, 0) && px_is(&img, 29, 21, 0, 0, 0));
    CHECK(block_is(&img, 16, 12, 6, 0, 0, 0, 0, 0) && block_is(&img, 16, 12, 6, 1, 0, 0, 0, 0));
    img_free(&img);
    /* scale 1 and a limit it does not fit */
    CHECK(mosaic_draw(&img, &m, 1, NNT_DEFAULT_MAX_PIXELS, &err) == 0 && img.width == 12 &&
          img.height == 10);
    CHECK(px_is(&img, 2, 2, NNT_MOSAIC_NEG_R, NNT_MOSAIC_NEG_G, NNT_MOSAIC_NEG_B));
    img_free(&img);
    CHECK(mosaic_draw(&img, &m, 4, 100, &err) != 0 && img.pixels == NULL);
    /* a unit whose weights are all 0 is white, not NaN-coloured */
    memset(m.net.W1, 0, 18 * sizeof(float));
    CHECK(mosaic_draw(&img, &m, 1, NNT_DEFAULT_MAX_PIXELS, &err) == 0);
    CHECK(px_is(&img, 2, 2, 255, 255, 255) && px_is(&img, 4, 3, 255, 255, 255));
    img_free(&img);
    model_free(&m);
}

static void test_rgb(void)
{
    /* one unit, 2 × 1 RGB: pixel 0 = (1, −1, 0), pixel 1 = (0.5, 0, −0.25); max |w| = 1, so
     * channel value 0.5 + w / 2 → 255, 0, 128 and 191, 128, 96 (0.75·255 = 191.25, 0.375·255 = 95.6) */
    const float W1[6] = {1, -1, 0, 0.5f, 0, -0.25f};
    nnt_model m;
    model_from(&m, 2, 1, 3, 1, W1);
    nnt_image img;
    nnt_err err;
    CHECK(mosaic_draw(&img, &m, 3, NNT_DEFAULT_MAX_PIXELS, &err) == 0);
    CHECK(img.width == 2 * 3 + 4 && img.height == 3 + 4);
    CHECK(block_is(&img, 2, 2, 3, 0, 0, 255, 0, 128));
    CHECK(block_is(&img, 2, 2, 3, 1, 0, 191, 128, 96));
    img_free(&img);
    model_free(&m);
    /* two units, the second all zero: mid-gray */
    const float W2[12] = {1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0};
    model_from(&m, 2, 1, 3, 2, W2);
    CHECK(mosaic_draw(&img, &m, 1, NNT_DEFAULT_MAX_PIXELS, &err) == 0);
    CHECK(img.width == 2 * 2 + 3 * 2 && px_is(&img, 2, 2, 255, 255, 255) && px_is(&img, 6, 2, 128, 128, 128));
    img_free(&img);
    model_free(&m);
}

int main(void)
{
    test_layout();
    test_gray();
    test_rgb();
    return check_done("test_mosaic");
}
