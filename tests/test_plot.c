/* test_plot.c — the training-curve chart: charts for 1, 20 and 2500 epochs, NaN gaps, constant and
 * all-NaN series are written, read back with img_load and checked where the lines, labels and
 * legend must be; bad input and unwritable paths must fail with the path in the message.
 *
 * Usage: test_plot [DIR]   with DIR, the charts are kept there to be looked at. */
#include <dirent.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../src/draw/font.h"
#include "check.h"
#include "nnt/image.h"
#include "nnt/plot.h"

#define W NNT_PLOT_WIDTH
#define H NNT_PLOT_HEIGHT

typedef struct rgb {
    uint8_t r, g, b;
} rgb;

/* The colours plot.c draws with. */
static const rgb TRAIN = {31, 119, 180}, VAL = {255, 127, 14}, TEST = {44, 160, 44};
static const rgb INK = {34, 34, 34}, GREY = {120, 120, 120}, WHITE = {255, 255, 255};

static char out_dir[512];
static int keep; /* the charts stay in out_dir */

/* ---- reading charts back -------------------------------------------------------------------- */

static int is(const nnt_image *img, int x, int y, rgb c)
{
    if (x < 0 || y < 0 || x >= (int)img->width || y >= (int)img->height)
        return 0;
    const uint8_t *p = img->pixels + ((size_t)y * img->width + x) * 3;
    return p[0] == c.r && p[1] == c.g && p[2] == c.b;
}

/* Pixels of exactly colour c in columns x0..x1, rows y0..y1. */
static int count(const nnt_image *img, int x0, int y0, int x1, int y1, rgb c)
{
    int k = 0;
    for (int y = y0; y <= y1; y++)
        for (int x = x0; x <= x1; x++)
            k += is(img, x, y, c);
    return k;
}

/* Whether colour c is within r pixels of (x, y). */
static int near(const nnt_image *img, double x, double y, int r, rgb c)
{
    int cx = (int)lround(x), cy = (int)lround(y);
    return count(img, cx - r, cy - r, cx + r, cy + r, c) > 0;
}

static double map_x(const nnt_plot_panel *p, double e)
{
    return p->x + (e - p->x_min) / (p->x_max - p->x_min) * (p->w - 1);
}

static double map_y(const nnt_plot_panel *p, double v)
{
    double t = p->log_y ? log10(v) : v, lo = p->log_y ? log10(p->y_min) : p->y_min;
    double hi = p->log_y ? log10(p->y_max) : p->y_max;
    return p->y + (p->h - 1) - (t - lo) / (hi - lo) * (p->h - 1);
}

/* Whether column col (from the left of str), row row, of str drawn plainly is ink. */
static int glyph_ink(const char *str, int n, int col, int row)
{
    if (col < 0 || col >= n * FONT_ADVANCE || col % FONT_ADVANCE >= FONT_W)
        return 0;
    int g = (unsigned char)str[col / FONT_ADVANCE] - FONT_FIRST;
    return font_sheet[g / FONT_PER_BLOCK][row][(g % FONT_PER_BLOCK) * (FONT_W + 1) + col % FONT_ADVANCE] == '#';
}

/* Whether str is written in colour c with the top of its capitals at (x, y), bold (each column
 * drawn twice, one pixel apart) or not: every glyph pixel of the font is c, every other pixel of
 * its cells is not, nor any in the cell before and after it (so "0.5" does not match the start of
 * "0.55"). */
static int text_at(const nnt_image *img, int x, int y, const char *str, rgb c, int bold)
{
    int n = (int)strlen(str);
    for (int row = 0; row < FONT_H; row++)
        for (int col = -FONT_ADVANCE; col < (n + 1) * FONT_ADVANCE; col++) {
            int want = glyph_ink(str, n, col, row) || (bold && glyph_ink(str, n, col - 1, row));
            if (is(img, x + col, y + row, c) != want)
                return 0;
        }
    return 1;
}

/* Whether str is written with its top-left corner anywhere in columns x0..x1, rows y0..y1. */
static int text_in(const nnt_image *img, int x0, int y0, int x1, int y1, const char *str, rgb c, int bold)
{
    for (int y = y0; y <= y1; y++)
        for (int x = x0; x <= x1; x++)
            if (text_at(img, x, y, str, c, bold))
                return 1;
    return 0;
}

/* A y tick label: right-aligned within 20 pixels left of the axis, centred on the value's row. */
static int y_label(const nnt_image *img, const nnt_plot_panel *p, double v, const char *str)
{
    int w = (int)strlen(str) * FONT_ADVANCE - 1, y = (int)lround(map_y(p, v)) - FONT_CAP / 2;
    return text_in(img, p->x - 20 - w, y - 1, p->x - 2 - w, y + 1, str, INK, 0);
}

/* An x tick label: centred under the epoch, within 20 pixels below the axis. */
static int x_label(const nnt_image *img, const nnt_plot_panel *p, double e, const char *str)
{
    int w = (int)strlen(str) * FONT_ADVANCE - 1, x = (int)lround(map_x(p, e)) - w / 2;
    return text_in(img, x - 1, p->y + p->h, x + 1, p->y + p->h + 20, str, INK, 0);
}

/* str anywhere in the panel's plotting area (the legend), in ink or, for its header, in grey. */
static int legend_has(const nnt_image *img, const nnt_plot_panel *p, const char *str)
{
    int x1 = p->x + p->w - 1 - (int)strlen(str) * FONT_ADVANCE, y1 = p->y + p->h - FONT_H;
    return text_in(img, p->x, p->y, x1, y1, str, INK, 0) || text_in(img, p->x, p->y, x1, y1, str, GREY, 0);
}

/* The panel's title, bold, centred above it. */
static int title_is(const nnt_image *img, const nnt_plot_panel *p, const char *str)
{
    int x = p->x + (p->w - (int)strlen(str) * FONT_ADVANCE) / 2;
    return text_in(img, x - 2, p->y - 30, x + 2, p->y - FONT_H, str, INK, 1);
}

/* Writes c to out_dir/name, reads it back, checks it against plot_render's pixels and what every
 * chart must have: its size, a white background, tick labels left of and under both panels. */
static int chart(nnt_image *img, nnt_plot_layout *lay, const char *name, const nnt_curves *c)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", out_dir, name);
    nnt_err err = {{0}, 0};
    int rc = plot_curves(path, c, &err);
    CHECKF(rc == 0, "%s: %s", name, err.msg);
    if (rc != 0)
        return -1;
    rc = img_load(img, path, 3, NNT_DEFAULT_MAX_PIXELS, &err);
    CHECKF(rc == 0, "%s: %s", name, err.msg);
    if (rc != 0)
        return -1;
    CHECK(img->width == W && img->height == H && img->channels == 3);

    nnt_image mem;
    CHECK(plot_render(&mem, lay, c, &err) == 0);
    CHECKF(mem.pixels && memcmp(mem.pixels, img->pixels, (size_t)W * H * 3) == 0, "%s: file differs from memory",
           name);
    img_free(&mem);

    int white = count(img, 0, 0, W - 1, H - 1, WHITE);
    CHECKF(white > W * H * 3 / 4, "%s: only %d of %d pixels are white", name, white, W * H);
    const nnt_plot_panel *panels[2] = {&lay->loss, &lay->acc};
    for (int k = 0; k < 2; k++) {
        const nnt_plot_panel *p = panels[k];
        CHECK(p->w > 300 && p->h > 300 && p->x >= 0 && p->y >= 0 && p->x + p->w <= W && p->y + p->h <= H);
        int left = count(img, p->x - 50, p->y - 6, p->x - 6, p->y + p->h + 6, INK);
        int under = count(img, p->x - 10, p->y + p->h + 6, p->x + p->w + 10, p->y + p->h + 20, INK);
        int epoch = count(img, p->x, p->y + p->h + 22, p->x + p->w, p->y + p->h + 40, INK);
        CHECKF(left > 40, "%s: panel %d: %d text pixels left of the y axis", name, k, left);
        CHECKF(under > 40, "%s: panel %d: %d text pixels under the x axis", name, k, under);
        CHECKF(epoch > 10, "%s: panel %d: no \"epoch\" label", name, k);
        CHECK(p->x_min <= 1 && p->x_max >= c->n && p->y_min < p->y_max);
    }
    return 0;
}

/* ---- the cases ------------------------------------------------------------------------------ */

static void test_one_epoch(void)
{
    double tl[1] = {2.3}, vl[1] = {2.1}, ta[1] = {0.1}, va[1] = {0.3};
    nnt_curves c = {1, tl, vl, ta, va, NULL, "nnt train data/ --epochs 1"};
    nnt_image img;
    nnt_plot_layout lay;
    if (chart(&img, &lay, "one-epoch.png", &c))
        return;
    /* A single epoch is a marker, in the middle of the x axis. */
    CHECK_NEAR(map_x(&lay.loss, 1), lay.loss.x + lay.loss.w / 2.0, 1);
    CHECK(near(&img, map_x(&lay.loss, 1), map_y(&lay.loss, 2.3), 1, TRAIN));
    CHECK(near(&img, map_x(&lay.loss, 1), map_y(&lay.loss, 2.1), 1, VAL));
    CHECK(near(&img, map_x(&lay.acc, 1), map_y(&lay.acc, 0.1), 1, TRAIN));
    CHECK(near(&img, map_x(&lay.acc, 1), map_y(&lay.acc, 0.3), 1, VAL));
    CHECK(count(&img, 0, 0, W - 1, H - 1, TEST) == 0);
    /* The title is drawn above the panels. */
    CHECK(count(&img, 0, 0, W - 1, lay.loss.y - 26, INK) > 50);
    img_free(&img);
}

static void test_twenty_epochs(void)
{
    enum { N = 20 };
    double tl[N], vl[N], ta[N], va[N], te[N];
    for (int i = 0; i < N; i++) {
        tl[i] = 2.0 * exp(-0.2 * i) + 0.05;
        vl[i] = tl[i] + 0.4;
        ta[i] = 0.95 - 0.6 * exp(-0.3 * i); /* 0.35 up to 0.95 */
        va[i] = ta[i] - 0.2;
        te[i] = ta[i] - 0.3;
    }
    nnt_curves c = {N, tl, vl, ta, va, te, NULL};
    nnt_image img;
    nnt_plot_layout lay;
    if (chart(&img, &lay, "twenty-epochs.png", &c))
        return;
    CHECK(!lay.loss.log_y && !lay.acc.log_y);
    CHECK(lay.loss.y_min == 0 && lay.loss.y_max >= vl[0] && lay.loss.y_max < 2 * vl[0]);
    CHECK(lay.acc.y_min == 0 && lay.acc.y_max == 1);
    CHECK(lay.loss.x_min == 0 && lay.loss.x_max == N);
    /* Every series passes where its values say, at every epoch (lines are 2 px or more). */
    int misses = 0;
    for (int i = 0; i < N; i++) {
        misses += !near(&img, map_x(&lay.loss, i + 1), map_y(&lay.loss, tl[i]), 1, TRAIN);
        misses += !near(&img, map_x(&lay.loss, i + 1), map_y(&lay.loss, vl[i]), 1, VAL);
        misses += !near(&img, map_x(&lay.acc, i + 1), map_y(&lay.acc, ta[i]), 1, TRAIN);
        misses += !near(&img, map_x(&lay.acc, i + 1), map_y(&lay.acc, va[i]), 1, VAL);
    }
    /* Test accuracy is dashed: most epochs, not all, have ink right at the point. */
    int test_hits = 0;
    for (int i = 0; i < N; i++)
        test_hits += near(&img, map_x(&lay.acc, i + 1), map_y(&lay.acc, te[i]), 2, TEST);
    CHECKF(misses <= 2, "%d points of the solid lines missing", misses); /* the legend may hide one or two */
    CHECKF(test_hits >= N / 2, "test accuracy found at %d of %d epochs", test_hits, N);
    /* Lines between the epochs too: mid-way from epoch 10 to 11. */
    CHECK(near(&img, map_x(&lay.loss, 10.5), map_y(&lay.loss, (tl[9] + tl[10]) / 2), 2, TRAIN));
    /* Tick labels in 1-2-5 steps, formatted without trailing zeros, and the legend. */
    const char *loss_ticks[] = {"0", "0.5", "1", "1.5", "2", "2.5", "3"};
    for (int k = 0; k < 7; k++)
        CHECKF(y_label(&img, &lay.loss, 0.5 * k, loss_ticks[k]), "no loss tick label %s", loss_ticks[k]);
    CHECK(!y_label(&img, &lay.loss, 0.5, "0.50") && !y_label(&img, &lay.loss, 0.5, "0,5"));
    const char *acc_ticks[] = {"0", "0.2", "0.4", "0.6", "0.8", "1"};
    for (int k = 0; k < 6; k++)
        CHECKF(y_label(&img, &lay.acc, 0.2 * k, acc_ticks[k]), "no accuracy tick label %s", acc_ticks[k]);
    const char *epoch_ticks[] = {"0", "5", "10", "15", "20"};
    for (int k = 0; k < 5; k++) {
        CHECKF(x_label(&img, &lay.loss, 5 * k, epoch_ticks[k]), "no epoch tick label %s", epoch_ticks[k]);
        CHECKF(x_label(&img, &lay.acc, 5 * k, epoch_ticks[k]), "no epoch tick label %s", epoch_ticks[k]);
    }
    CHECK(legend_has(&img, &lay.loss, "train") && legend_has(&img, &lay.loss, "validation"));
    CHECK(!legend_has(&img, &lay.loss, "test"));
    CHECK(title_is(&img, &lay.loss, "loss") && title_is(&img, &lay.acc, "accuracy"));
    CHECK(legend_has(&img, &lay.acc, "test") && legend_has(&img, &lay.acc, "epoch 20"));
    CHECK(legend_has(&img, &lay.acc, "0.948")); /* the last training accuracy, 3 digits */
    /* No test loss was given: no green in the loss panel. */
    CHECK(count(&img, lay.loss.x, lay.loss.y, lay.loss.x + lay.loss.w - 1, lay.loss.y + lay.loss.h - 1, TEST) == 0);
    /* No title: the panels start higher than in the one-epoch chart, and nothing is drawn above them. */
    CHECK(count(&img, 0, 0, W - 1, lay.loss.y - 26, INK) == 0);
    img_free(&img);
}

static void test_long_run(void)
{
    enum { N = 2500 };
    double *tl = malloc(N * sizeof *tl), *ta = malloc(N * sizeof *ta), *va = malloc(N * sizeof *va);
    double *lin = malloc(N * sizeof *lin);
    if (!tl || !ta || !va || !lin) {
        CHECK(!"out of memory");
        goto done;
    }
    uint32_t s = 12345;
    for (int i = 0; i < N; i++) {
        s = s * 1664525u + 1013904223u;
        double noise = (s >> 8) / 16777216.0 - 0.5;
        tl[i] = 2.3 * exp(-0.004 * i) + 1e-4 * (1.2 + noise); /* 2.3 down to about 1e-4 */
        lin[i] = 1.0 + 0.5 * exp(-0.002 * i) + 0.05 * noise;
        ta[i] = fmin(1, 0.99 - 0.3 * exp(-0.003 * i) + 0.01 * noise);
        va[i] = ta[i] - 0.05;
    }
    nnt_curves c = {N, tl, NULL, ta, va, NULL, "nnt train big/ --epochs 2500"};
    nnt_image img;
    nnt_plot_layout lay;
    if (chart(&img, &lay, "long-run-log.png", &c) == 0) {
        /* Four decades of loss: a log axis, from a power of ten under the lowest value to one over
         * the highest. */
        CHECK(lay.loss.log_y);
        CHECK(lay.loss.y_min <= 1e-4 && lay.loss.y_max >= 2.3);
        CHECK_NEAR(log10(lay.loss.y_min), round(log10(lay.loss.y_min)), 1e-9);
        CHECK(lay.loss.x_max == N);
        const char *decades[] = {"1e-4", "1e-3", "0.01", "0.1", "1", "10"};
        for (int k = 0; k < 6; k++)
            CHECKF(y_label(&img, &lay.loss, pow(10, k - 4), decades[k]), "no log tick label %s", decades[k]);
        CHECK(x_label(&img, &lay.loss, 500, "500") && x_label(&img, &lay.loss, 2500, "2500"));
        CHECK(title_is(&img, &lay.loss, "loss (log scale)") && title_is(&img, &lay.acc, "accuracy"));
        CHECK(legend_has(&img, &lay.loss, "epoch 2500"));
        /* Accuracy stays above 0.6: the axis starts above 0 but under the lowest point. */
        double lowest = 1;
        for (int i = 0; i < N; i++)
            lowest = fmin(lowest, fmin(ta[i], va[i]));
        CHECK(lowest > 0.6);
        CHECK(lay.acc.y_min > 0 && lay.acc.y_min < lowest && lay.acc.y_max == 1);
        int misses = 0;
        for (int i = 0; i < N; i += 50) {
            misses += !near(&img, map_x(&lay.loss, i + 1), map_y(&lay.loss, tl[i]), 2, TRAIN);
            misses += !near(&img, map_x(&lay.acc, i + 1), map_y(&lay.acc, va[i]), 2, VAL);
        }
        CHECKF(misses <= 2, "%d of 100 sampled points missing", misses);
        img_free(&img);
    }
    c.train_loss = lin;
    c.train_acc = NULL;
    c.title = NULL;
    if (chart(&img, &lay, "long-run-linear.png", &c) == 0) {
        CHECK(!lay.loss.log_y && lay.loss.y_min == 0);
        /* Only validation accuracy: orange in the accuracy panel, no blue there. */
        const nnt_plot_panel *a = &lay.acc;
        CHECK(count(&img, a->x, a->y, a->x + a->w - 1, a->y + a->h - 1, VAL) > 500);
        CHECK(count(&img, a->x, a->y, a->x + a->w - 1, a->y + a->h - 1, TRAIN) == 0);
        img_free(&img);
    }
done:
    free(tl);
    free(ta);
    free(va);
    free(lin);
}

static void test_nan_gaps(void)
{
    enum { N = 40 };
    double tl[N], ta[N], va[N];
    for (int i = 0; i < N; i++) {
        int gap = (i >= 9 && i <= 17) || (i >= 19 && i <= 27); /* epochs 10-18 and 20-28 */
        tl[i] = gap ? NAN : 1.5 - 0.03 * i;
        ta[i] = gap ? NAN : 0.3 + 0.015 * i;
        va[i] = i % 2 ? NAN : 0.2 + 0.01 * i; /* every other epoch: isolated points */
    }
    nnt_curves c = {N, tl, NULL, ta, va, NULL, "NaN gaps"};
    nnt_image img;
    nnt_plot_layout lay;
    if (chart(&img, &lay, "nan-gaps.png", &c))
        return;
    const nnt_plot_panel *l = &lay.loss;
    /* Nothing between epochs 9 and 19 but the lone point at 19 (the margin is the line's half-width). */
    int x0 = (int)ceil(map_x(l, 9) + 3), x1 = (int)floor(map_x(l, 19) - 5);
    CHECK(x1 > x0 + 20);
    CHECKF(count(&img, x0, l->y, x1, l->y + l->h - 1, TRAIN) == 0, "train loss drawn in its gap");
    CHECK(near(&img, map_x(l, 19), map_y(l, tl[18]), 1, TRAIN)); /* the lone point has a marker */
    CHECK(near(&img, map_x(l, 5), map_y(l, tl[4]), 1, TRAIN));
    CHECK(near(&img, map_x(l, 35), map_y(l, tl[34]), 1, TRAIN));
    /* Every other validation epoch is a marker of its own, with no line between. */
    const nnt_plot_panel *a = &lay.acc;
    int markers = 0;
    for (int i = 0; i < N; i += 2)
        markers += near(&img, map_x(a, i + 1), map_y(a, va[i]), 1, VAL);
    CHECKF(markers >= N / 2 - 2, "%d of %d lone validation points drawn", markers, N / 2);
    CHECK(!near(&img, map_x(a, 6), map_y(a, (va[4] + va[6]) / 2), 0, VAL));
    img_free(&img);
}

static void test_constant_series(void)
{
    enum { N = 12 };
    double tl[N], vl[N], ta[N], va[N];
    for (int i = 0; i < N; i++) {
        tl[i] = 0.5;
        vl[i] = 0;
        ta[i] = 1;
        va[i] = 1;
    }
    nnt_curves c = {N, tl, vl, ta, NULL, NULL, "constant"};
    nnt_image img;
    nnt_plot_layout lay;
    if (chart(&img, &lay, "constant.png", &c) == 0) {
        CHECK(lay.loss.y_min == 0 && lay.loss.y_max > 0.5 && !lay.loss.log_y);
        CHECK(lay.acc.y_max == 1 && lay.acc.y_min < 1 && lay.acc.y_min >= 0.5);
        CHECK(near(&img, map_x(&lay.loss, 6.5), map_y(&lay.loss, 0.5), 1, TRAIN));
        CHECK(near(&img, map_x(&lay.loss, 6.5), map_y(&lay.loss, 0), 1, VAL));
        CHECK(near(&img, map_x(&lay.acc, 6.5), map_y(&lay.acc, 1), 1, TRAIN));
        img_free(&img);
    }
    /* All zero: a loss axis of some height all the same. */
    c.train_loss = vl;
    c.val_loss = NULL;
    c.train_acc = NULL;
    c.val_acc = va;
    if (chart(&img, &lay, "constant-zero.png", &c) == 0) {
        CHECK(lay.loss.y_min == 0 && lay.loss.y_max > 0);
        CHECK(near(&img, map_x(&lay.loss, 3), map_y(&lay.loss, 0), 1, TRAIN));
        img_free(&img);
    }
}

/* Small losses: every label of an axis in the same form, "1e-3" below 0.01, "0.002" above. */
static void test_small_values(void)
{
    enum { N = 10 };
    double tiny[N], small[N], acc[N], val_acc[N];
    for (int i = 0; i < N; i++) {
        tiny[i] = 0.004 - 0.0002 * i;  /* 0.004 down to 0.0022: an axis up to 0.005 */
        small[i] = 0.012 - 0.0007 * i; /* 0.012 down to 0.0057: an axis up to 0.014 */
        acc[i] = 0.99962;
        val_acc[i] = 0.987654;
    }
    nnt_curves c = {N, tiny, NULL, acc, val_acc, NULL, "tiny"};
    nnt_image img;
    nnt_plot_layout lay;
    if (chart(&img, &lay, "tiny-loss.png", &c) == 0) {
        CHECK(!lay.loss.log_y && lay.loss.y_min == 0 && fabs(lay.loss.y_max - 0.005) < 1e-12);
        const char *ticks[] = {"0", "1e-3", "2e-3", "3e-3", "4e-3", "5e-3"};
        for (int k = 0; k < 6; k++)
            CHECKF(y_label(&img, &lay.loss, 0.001 * k, ticks[k]), "no tick label %s", ticks[k]);
        CHECK(legend_has(&img, &lay.loss, "2.2e-3"));
        /* Legend values have 3 digits, more rather than round an accuracy up to 1. */
        CHECK(legend_has(&img, &lay.acc, "0.988") && legend_has(&img, &lay.acc, "0.9996"));
        img_free(&img);
    }
    c.train_loss = small;
    if (chart(&img, &lay, "small-loss.png", &c) == 0) {
        const char *ticks[] = {"0", "0.002", "0.004", "0.006", "0.008", "0.01", "0.012", "0.014"};
        for (int k = 0; k < 8; k++)
            CHECKF(y_label(&img, &lay.loss, 0.002 * k, ticks[k]), "no tick label %s", ticks[k]);
        CHECK(legend_has(&img, &lay.loss, "5.7e-3"));
        img_free(&img);
    }
}

static void test_all_nan_val(void)
{
    enum { N = 8 };
    double tl[N], ta[N], none[N];
    for (int i = 0; i < N; i++) {
        tl[i] = 1.0 / (i + 1);
        ta[i] = 0.5 + 0.05 * i;
        none[i] = NAN;
    }
    nnt_curves c = {N, tl, none, ta, none, none, "validation never measured"};
    nnt_image img;
    nnt_plot_layout lay;
    if (chart(&img, &lay, "all-nan-val.png", &c) == 0) {
        /* Neither drawn nor in the legend. */
        CHECK(count(&img, 0, 0, W - 1, H - 1, VAL) == 0);
        CHECK(count(&img, 0, 0, W - 1, H - 1, TEST) == 0);
        CHECK(near(&img, map_x(&lay.loss, 4), map_y(&lay.loss, tl[3]), 1, TRAIN));
        img_free(&img);
    }
    /* A panel with nothing at all says so. */
    c.train_acc = none;
    if (chart(&img, &lay, "no-accuracy.png", &c) == 0) {
        const nnt_plot_panel *a = &lay.acc;
        CHECK(count(&img, a->x + 1, a->y + 1, a->x + a->w - 2, a->y + a->h - 2, TRAIN) == 0);
        CHECK(count(&img, a->x + a->w / 2 - 30, a->y + a->h / 2 - 10, a->x + a->w / 2 + 30, a->y + a->h / 2 + 10,
                    GREY) > 20);
        CHECK(text_in(&img, a->x, a->y, a->x + a->w - 50, a->y + a->h - FONT_H, "no data", GREY, 0));
        img_free(&img);
    }
}

/* Long and non-ASCII titles are cut to fit and drawn with '?' glyphs. */
static void test_titles(void)
{
    double tl[3] = {1, 0.5, 0.25};
    char title[600];
    memset(title, 'x', sizeof title - 1);
    title[sizeof title - 1] = '\0';
    title[10] = (char)0xC3;
    title[11] = (char)0xA9;
    title[12] = '\t';
    nnt_curves c = {3, tl, NULL, NULL, NULL, NULL, title};
    nnt_image img;
    nnt_plot_layout lay;
    if (chart(&img, &lay, "long-title.png", &c) == 0) {
        int band = lay.loss.y - 26;
        CHECK(count(&img, 0, 0, W - 1, band, INK) > 1000);
        CHECK(count(&img, 0, 0, 4, band, INK) == 0 && count(&img, W - 5, 0, W - 1, band, INK) == 0);
        img_free(&img);
    }
}

/* ---- errors --------------------------------------------------------------------------------- */

static void expect_failure(const char *path, const nnt_curves *c, const char *needle, int exists)
{
    nnt_err err = {{0}, 0};
    int rc = plot_curves(path, c, &err);
    CHECKF(rc != 0, "%s: expected a failure (%s)", path, needle);
    if (rc == 0)
        return;
    CHECKF(strstr(err.msg, path) != NULL, "message does not name the file: %s", err.msg);
    CHECKF(strstr(err.msg, needle) != NULL, "message does not say \"%s\": %s", needle, err.msg);
    CHECKF(exists || access(path, F_OK) != 0, "%s: written despite the failure", path);
}

static void test_errors(void)
{
    double tl[4] = {1, 0.5, 0.25, 0.125}, ta[4] = {0.1, 0.2, 0.3, 0.4};
    char path[1024], bad_dir[1024];
    snprintf(path, sizeof path, "%s/bad.png", out_dir);
    snprintf(bad_dir, sizeof bad_dir, "%s/no/such/dir/chart.png", out_dir);

    nnt_curves c = {4, tl, NULL, ta, NULL, NULL, NULL};
    expect_failure(bad_dir, &c, "cannot create", 0);
    expect_failure(out_dir, &c, "cannot create", 1); /* a directory */

    c.n = 0;
    expect_failure(path, &c, "n = 0", 0);
    c.n = -3;
    expect_failure(path, &c, "n = -3", 0);
    c.n = 4;

    tl[2] = INFINITY;
    expect_failure(path, &c, "training loss at epoch 3 is inf", 0);
    tl[2] = -INFINITY;
    expect_failure(path, &c, "-inf", 0);
    tl[2] = 0.25;
    ta[3] = 1.5;
    expect_failure(path, &c, "training accuracy at epoch 4 is 1.5", 0);
    ta[3] = -0.1;
    expect_failure(path, &c, "not a fraction", 0);
    ta[3] = 0.4;
    tl[0] = 1e305;
    expect_failure(path, &c, "too large", 0);
    tl[0] = 1;

    nnt_curves none = {4, NULL, NULL, NULL, NULL, NULL, "nothing"};
    expect_failure(path, &none, "no series", 0);

    /* plot_render leaves a zeroed image on failure. */
    nnt_image img = {1, 1, 1, (uint8_t *)&img};
    nnt_err err;
    CHECK(plot_render(&img, NULL, &none, &err) != 0 && img.pixels == NULL && img.width == 0);
    /* And the good curves still plot. */
    nnt_curves ok = {4, tl, NULL, ta, NULL, NULL, NULL};
    CHECK(plot_render(&img, NULL, &ok, &err) == 0 && img.pixels && img.width == W && img.height == H);
    img_free(&img);
}

/* The font sheet: every row of every block as wide as its glyphs, '#' and '.' only, blanks
 * between glyphs, and ink in every glyph but the space. */
static void test_font_sheet(void)
{
    int bad = 0, blank = 0;
    for (int ch = FONT_FIRST; ch <= FONT_LAST; ch++) {
        int g = ch - FONT_FIRST, b = g / FONT_PER_BLOCK, k = g % FONT_PER_BLOCK;
        int in_block = b == FONT_BLOCKS - 1 ? (FONT_LAST - FONT_FIRST) % FONT_PER_BLOCK + 1 : FONT_PER_BLOCK;
        int ink = 0;
        for (int row = 0; row < FONT_H; row++) {
            const char *s = font_sheet[b][row];
            bad += strlen(s) != (size_t)(in_block * (FONT_W + 1) - 1);
            for (int col = 0; col < FONT_W && strlen(s) >= (size_t)(k * (FONT_W + 1) + FONT_W); col++) {
                char p = s[k * (FONT_W + 1) + col];
                bad += p != '#' && p != '.';
                ink += p == '#';
            }
            if (k + 1 < in_block && strlen(s) > (size_t)(k * (FONT_W + 1) + FONT_W))
                bad += s[k * (FONT_W + 1) + FONT_W] != ' ';
        }
        blank += ch != ' ' && ink == 0;
    }
    CHECKF(bad == 0, "%d malformed places in the font sheet", bad);
    CHECKF(blank == 0, "%d printable glyphs without ink", blank);
}

static void remove_out_dir(void)
{
    DIR *d = opendir(out_dir);
    if (d) {
        struct dirent *e;
        char path[1024];
        while ((e = readdir(d)) != NULL) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                continue;
            snprintf(path, sizeof path, "%s/%s", out_dir, e->d_name);
            unlink(path);
        }
        closedir(d);
    }
    rmdir(out_dir);
}

int main(int argc, char **argv)
{
    if (argc > 1) {
        snprintf(out_dir, sizeof out_dir, "%s", argv[1]);
        keep = 1;
    } else {
        const char *base = getenv("TMPDIR");
        snprintf(out_dir, sizeof out_dir, "%s/nnt_test_plot.XXXXXX", base && *base ? base : "/tmp");
        if (!mkdtemp(out_dir)) {
            perror(out_dir);
            return 1;
        }
    }
    test_font_sheet();
    test_one_epoch();
    test_twenty_epochs();
    test_long_run();
    test_nan_gaps();
    test_constant_series();
    test_small_values();
    test_all_nan_val();
    test_titles();
    test_errors();
    if (!keep)
        remove_out_dir();
    return check_done("test_plot");
}
