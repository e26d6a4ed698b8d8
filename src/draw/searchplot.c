/* searchplot.c — the chart of a parameter search: one searched option gives accuracy as a line,
 * two give a heat map (grid) or coloured points (random draws) with a colour bar; the best trial
 * is ringed and labelled (ranges and tick labels: axis.c; pixels, text and lines: canvas.c). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nnt/axis.h"
#include "nnt/canvas.h"
#include "nnt/searchplot.h"

static const nnt_rgb INK = {34, 34, 34};
static const nnt_rgb FRAME = {68, 68, 68};
static const nnt_rgb GRID = {226, 226, 226};
static const nnt_rgb EMPTY = {238, 238, 238};     /* a cell no trial reached */
static const nnt_rgb LINE = {31, 119, 180};       /* matplotlib's first colour */
static const nnt_rgb BEST = {214, 39, 40};        /* red: the best trial's ring and label */

#define W NNT_SEARCHPLOT_WIDTH
#define H NNT_SEARCHPLOT_HEIGHT
#define LEFT 96    /* tick labels of the y axis */
#define RIGHT 130  /* the colour bar and its labels */
#define TOP 74     /* title, the best's label */
#define BOTTOM 62  /* tick labels, then the x option's name */
#define MAX_CAT 64
#define TICK_LEN 5

/* One axis: a column per value (cat), or numbers, log10 of them when log. */
typedef struct sp_axis {
    int cat, n_cat;
    const char *val[MAX_CAT];
    int log;
    double lo, hi; /* numeric: the range, transformed */
    int p0, p1;    /* pixels at lo and hi (p1 < p0 for y) */
} sp_axis;

static int as_number(const char *s, double *v)
{
    char *end;
    *v = strtod(s, &end);
    return end != s && !*end && isfinite(*v);
}

static int axis_index(const sp_axis *ax, const char *v)
{
    for (int i = 0; i < ax->n_cat; i++)
        if (strcmp(ax->val[i], v) == 0)
            return i;
    return -1;
}

static double axis_px(const sp_axis *ax, const char *v)
{
    if (ax->cat)
        return ax->p0 + (axis_index(ax, v) + 0.5) * (ax->p1 - ax->p0) / ax->n_cat;
    double x;
    as_number(v, &x);
    double t = ax->log ? log10(x) : x;
    return ax->p0 + (t - ax->lo) / (ax->hi - ax->lo) * (ax->p1 - ax->p0);
}

/* The axis of one option over the points (which = 0: x, 1: y). */
static int axis_build(sp_axis *ax, const nnt_search_chart *c, int which, int log, nnt_err *err)
{
    memset(ax, 0, sizeof *ax);
    int numeric = c->numeric;
    double lo = INFINITY, hi = -INFINITY;
    for (int i = 0; i < c->n; i++) {
        const char *v = which ? c->points[i].y : c->points[i].x;
        double x;
        if (!as_number(v, &x) || (log && x <= 0))
            numeric = 0;
        else {
            lo = fmin(lo, x);
            hi = fmax(hi, x);
        }
    }
    if (!numeric) {
        ax->cat = 1;
        for (int i = 0; i < c->n; i++) {
            const char *v = which ? c->points[i].y : c->points[i].x;
            if (axis_index(ax, v) >= 0)
                continue;
            if (ax->n_cat == MAX_CAT)
                return nnt_errf(err, "cannot plot: more than %d values of --%s", MAX_CAT,
                                which ? c->y_name : c->x_name);
            ax->val[ax->n_cat++] = v;
        }
        return 0;
    }
    ax->log = log;
    ax->lo = log ? log10(lo) : lo;
    ax->hi = log ? log10(hi) : hi;
    double pad = ax->hi > ax->lo ? (ax->hi - ax->lo) * 0.05 : 0.5; /* points clear of the frame */
    ax->lo -= pad;
    ax->hi += pad;
    return 0;
}

/* viridis, by five stops: dark for low, yellow for high, ordered in lightness. */
static nnt_rgb colour_of(double t)
{
    static const nnt_rgb stop[5] = {{68, 1, 84}, {59, 82, 139}, {33, 145, 140}, {94, 201, 98},
                                    {253, 231, 37}};
    t = t < 0 ? 0 : t > 1 ? 1 : t;
    double s = t * 4;
    int i = s >= 4 ? 3 : (int)s;
    double f = s - i;
    return (nnt_rgb){(uint8_t)lround(stop[i].r + f * (stop[i + 1].r - stop[i].r)),
                     (uint8_t)lround(stop[i].g + f * (stop[i + 1].g - stop[i].g)),
                     (uint8_t)lround(stop[i].b + f * (stop[i + 1].b - stop[i].b))};
}

static void disc(nnt_canvas *cv, double cx, double cy, double r, nnt_rgb c)
{
    for (int y = (int)(cy - r - 1); y <= (int)(cy + r + 1); y++)
        for (int x = (int)(cx - r - 1); x <= (int)(cx + r + 1); x++)
            canvas_blend(cv, x, y, c, r + 0.5 - hypot(x - cx, y - cy));
}

static void ring(nnt_canvas *cv, double cx, double cy, double r, double hw, nnt_rgb c)
{
    for (int y = (int)(cy - r - hw - 1); y <= (int)(cy + r + hw + 1); y++)
        for (int x = (int)(cx - r - hw - 1); x <= (int)(cx + r + hw + 1); x++)
            canvas_blend(cv, x, y, c, hw + 0.5 - fabs(hypot(x - cx, y - cy) - r));
}

static void frame(nnt_canvas *cv, int x, int y, int w, int h, int t, nnt_rgb c)
{
    canvas_fill_rect(cv, x, y, w, t, c, 1);
    canvas_fill_rect(cv, x, y + h - t, w, t, c, 1);
    canvas_fill_rect(cv, x, y, t, h, c, 1);
    canvas_fill_rect(cv, x + w - t, y, t, h, c, 1);
}

/* Text centred on (x, y), the middle of its capitals. */
static void text_mid(nnt_canvas *cv, int x, int y, const char *s, nnt_rgb c, int bold)
{
    canvas_draw_text(cv, x - canvas_text_width(s, bold) / 2, y - NNT_CANVAS_CAP / 2, s, c, bold);
}

/* The ticks and labels of one axis (vertical: the y axis) along the plotting area. */
static void draw_ticks(nnt_canvas *cv, const sp_axis *ax, int vertical, int x0, int y0, int x1,
                       int y1, int grid)
{
    char label[48];
    if (ax->cat) {
        int every = 1; /* labels that would overlap are thinned */
        int room = abs(ax->p1 - ax->p0) / ax->n_cat;
        int widest = 0;
        for (int i = 0; i < ax->n_cat; i++) {
            int w = vertical ? NNT_CANVAS_CAP + 6 : canvas_text_width(ax->val[i], 0) + 8;
            widest = w > widest ? w : widest;
        }
        while (room * every < widest)
            every++;
        for (int i = 0; i < ax->n_cat; i += every) {
            int p = (int)lround(axis_px(ax, ax->val[i]));
            if (vertical) {
                canvas_fill_rect(cv, x0 - TICK_LEN, p, TICK_LEN, 1, FRAME, 1);
                canvas_draw_text(cv, x0 - TICK_LEN - 4 - canvas_text_width(ax->val[i], 0),
                                 p - NNT_CANVAS_CAP / 2, ax->val[i], INK, 0);
            } else {
                canvas_fill_rect(cv, p, y1 + 1, 1, TICK_LEN, FRAME, 1);
                text_mid(cv, p, y1 + TICK_LEN + 10, ax->val[i], INK, 0);
            }
        }
        return;
    }
    nnt_axis a;
    double lo = ax->lo, hi = ax->hi;
    axis_linear(&a, lo, hi, vertical ? NNT_AXIS_Y_TICKS : NNT_AXIS_X_TICKS);
    double s = axis_step_value(a.st);
    if (ax->log && s < 1 && hi - lo >= 1.5) { /* whole decades when there are enough of them */
        a.st = (nnt_tick){1, 0};
        a.i0 = (long long)ceil(lo);
        a.i1 = (long long)floor(hi);
        s = 1;
    }
    for (long long i = a.i0; i <= a.i1; i++) {
        double t = i * s;
        if (t < lo - 1e-9 || t > hi + 1e-9)
            continue;
        if (ax->log && s == 1)
            axis_format_decimal(label, sizeof label, 1, (int)i, axis_wants_sci(pow(10, t)));
        else if (ax->log)
            snprintf(label, sizeof label, "%.3g", pow(10, t));
        else
            axis_format_decimal(label, sizeof label, i * a.st.m, a.st.p,
                                axis_wants_sci(fmax(fabs(a.i0 * s), fabs(a.i1 * s))));
        int p = (int)lround(ax->p0 + (t - lo) / (hi - lo) * (ax->p1 - ax->p0));
        if (vertical) {
            if (grid)
                canvas_fill_rect(cv, x0 + 1, p, x1 - x0 - 1, 1, GRID, 1);
            canvas_fill_rect(cv, x0 - TICK_LEN, p, TICK_LEN, 1, FRAME, 1);
            canvas_draw_text(cv, x0 - TICK_LEN - 4 - canvas_text_width(label, 0),
                             p - NNT_CANVAS_CAP / 2, label, INK, 0);
        } else {
            if (grid)
                canvas_fill_rect(cv, p, y0 + 1, 1, y1 - y0 - 1, GRID, 1);
            canvas_fill_rect(cv, p, y1 + 1, 1, TICK_LEN, FRAME, 1);
            text_mid(cv, p, y1 + TICK_LEN + 10, label, INK, 0);
        }
    }
}

static void draw_title(nnt_canvas *cv, const char *title)
{
    char buf[256];
    snprintf(buf, sizeof buf, "%s", title);
    size_t len = strlen(buf);
    if (len < strlen(title) || canvas_text_width(buf, 1) > W - 20) {
        while (len > 0 && canvas_text_width(buf, 1) + canvas_text_width("...", 1) > W - 20)
            buf[--len] = '\0';
        snprintf(buf + len, sizeof buf - len, "...");
    }
    canvas_draw_text(cv, (W - canvas_text_width(buf, 1)) / 2, 14, buf, INK, 1);
}

/* The colour bar from lo to hi, right of the plotting area. */
static void draw_colour_bar(nnt_canvas *cv, double lo, double hi, int y0, int y1)
{
    int x = W - RIGHT + 34, w = 18;
    for (int y = y0; y <= y1; y++)
        canvas_fill_rect(cv, x, y, w, 1, colour_of((double)(y1 - y) / (y1 - y0)), 1);
    frame(cv, x - 1, y0 - 1, w + 2, y1 - y0 + 3, 1, FRAME);
    nnt_axis a;
    axis_linear(&a, lo, hi, NNT_AXIS_Y_TICKS);
    double s = axis_step_value(a.st);
    char label[48];
    for (long long i = a.i0; i <= a.i1; i++) {
        double v = i * s;
        if (v < lo - 1e-12 || v > hi + 1e-12)
            continue;
        int y = (int)lround(y1 - (v - lo) / (hi - lo) * (y1 - y0));
        canvas_fill_rect(cv, x + w + 1, y, TICK_LEN, 1, FRAME, 1);
        axis_format_decimal(label, sizeof label, i * a.st.m, a.st.p, 0);
        canvas_draw_text(cv, x + w + TICK_LEN + 4, y - NNT_CANVAS_CAP / 2, label, INK, 0);
    }
    text_mid(cv, x + w / 2, y0 - 16, "accuracy", INK, 0);
}

int searchplot_render(nnt_image *img, const nnt_search_chart *c, nnt_err *err)
{
    memset(img, 0, sizeof *img);
    if (c->n < 1)
        return nnt_errf(err, "cannot plot: no finished trial");
    double amin = INFINITY, amax = -INFINITY;
    const nnt_search_point *best = &c->points[0];
    for (int i = 0; i < c->n; i++) {
        double a = c->points[i].acc;
        if (!(a >= 0 && a <= 1))
            return nnt_errf(err, "cannot plot: trial accuracy %g is not a fraction in [0, 1]", a);
        amin = fmin(amin, a);
        amax = fmax(amax, a);
        if (c->points[i].best)
            best = &c->points[i];
    }
    int two = c->y_name != NULL;
    sp_axis ax, ay;
    if (axis_build(&ax, c, 0, c->x_log, err) || (two && axis_build(&ay, c, 1, c->y_log, err)))
        return -1;
    int x0 = LEFT, x1 = W - (two ? RIGHT : 40), y0 = TOP, y1 = H - BOTTOM;
    ax.p0 = x0;
    ax.p1 = x1;
    nnt_canvas cv = {malloc((size_t)W * H * 3), W, H};
    if (!cv.px)
        return nnt_errf(err, "out of memory");
    memset(cv.px, 255, (size_t)W * H * 3);
    if (c->title && c->title[0])
        draw_title(&cv, c->title);

    char label[160], acc_s[32];
    if (!two) {
        /* accuracy on y, its range rounded as the training chart's is */
        nnt_axis acc_axis;
        axis_accuracy(&acc_axis, amin);
        ay = (sp_axis){.lo = acc_axis.lo, .hi = acc_axis.hi, .p0 = y1, .p1 = y0};
        draw_ticks(&cv, &ay, 1, x0, y0, x1, y1, 1);
        if (!ax.cat)
            draw_ticks(&cv, &ax, 0, x0, y0, x1, y1, 1);
        else
            draw_ticks(&cv, &ax, 0, x0, y0, x1, y1, 0);
        /* the points in x order, joined: the best accuracy where trials share a value */
        int *ord = malloc((size_t)c->n * sizeof *ord);
        nnt_mask mk = {calloc((size_t)W * H, sizeof(float)), 0, 0, W, H};
        nnt_mask occ = {calloc((size_t)W * H, sizeof(float)), 0, 0, W, H};
        if (!ord || !mk.a || !occ.a) {
            free(ord);
            free(mk.a);
            free(occ.a);
            free(cv.px);
            return nnt_errf(err, "out of memory");
        }
        int m = 0;
        for (int i = 0; i < c->n; i++) {
            double px = axis_px(&ax, c->points[i].x);
            int j = 0, dup = -1;
            for (; j < m; j++) {
                double q = axis_px(&ax, c->points[ord[j]].x);
                if (q == px)
                    dup = j;
                if (q >= px)
                    break;
            }
            if (dup >= 0) {
                if (c->points[i].acc > c->points[ord[dup]].acc)
                    ord[dup] = i;
                continue;
            }
            memmove(ord + j + 1, ord + j, (size_t)(m - j) * sizeof *ord);
            ord[j] = i;
            m++;
        }
        for (int j = 0; j + 1 < m; j++)
            canvas_segment(&mk, axis_px(&ax, c->points[ord[j]].x),
                           y1 - (c->points[ord[j]].acc - ay.lo) / (ay.hi - ay.lo) * (y1 - y0),
                           axis_px(&ax, c->points[ord[j + 1]].x),
                           y1 - (c->points[ord[j + 1]].acc - ay.lo) / (ay.hi - ay.lo) * (y1 - y0),
                           1.125);
        for (int j = 0; j < m; j++)
            canvas_segment(&mk, axis_px(&ax, c->points[ord[j]].x),
                           y1 - (c->points[ord[j]].acc - ay.lo) / (ay.hi - ay.lo) * (y1 - y0),
                           axis_px(&ax, c->points[ord[j]].x),
                           y1 - (c->points[ord[j]].acc - ay.lo) / (ay.hi - ay.lo) * (y1 - y0), 4);
        canvas_paint(&cv, &mk, &occ, LINE);
        free(ord);
        free(mk.a);
        free(occ.a);
        double bx = axis_px(&ax, best->x), by = y1 - (best->acc - ay.lo) / (ay.hi - ay.lo) * (y1 - y0);
        ring(&cv, bx, by, 9, 1.3, BEST);
        snprintf(acc_s, sizeof acc_s, "%.4f", best->acc); /* as the table */
        snprintf(label, sizeof label, "best %s", acc_s);
        int tw = canvas_text_width(label, 1), tx = (int)bx - tw / 2;
        tx = tx < x0 + 4 ? x0 + 4 : tx + tw > x1 - 4 ? x1 - 4 - tw : tx;
        canvas_draw_text(&cv, tx, (int)by - 28 < y0 + 4 ? (int)by + 16 : (int)by - 28, label, BEST, 1);
        text_mid(&cv, (x0 + x1) / 2, y1 + TICK_LEN + 34, c->x_name, INK, 1);
        canvas_draw_text(&cv, 8, y0 - 24, "accuracy", INK, 1);
    } else {
        ay.p0 = y1;
        ay.p1 = y0;
        double lo = amin, hi = amax;
        if (hi - lo < 1e-3) { /* one colour would stretch nothing: a small range around it */
            lo -= 0.0005;
            hi += 0.0005;
        }
        if (ax.cat && ay.cat) {
            /* the heat map: one cell per pair of values, the best trial's accuracy in it */
            double cw = (double)(x1 - x0) / ax.n_cat, ch = (double)(y1 - y0) / ay.n_cat;
            double *cell = malloc((size_t)ax.n_cat * ay.n_cat * sizeof *cell);
            if (!cell) {
                free(cv.px);
                return nnt_errf(err, "out of memory");
            }
            for (int i = 0; i < ax.n_cat * ay.n_cat; i++)
                cell[i] = -1;
            for (int i = 0; i < c->n; i++) {
                int k = axis_index(&ay, c->points[i].y) * ax.n_cat + axis_index(&ax, c->points[i].x);
                cell[k] = fmax(cell[k], c->points[i].acc);
            }
            for (int iy = 0; iy < ay.n_cat; iy++)
                for (int ix = 0; ix < ax.n_cat; ix++) {
                    double a = cell[iy * ax.n_cat + ix];
                    int cx0 = (int)lround(x0 + ix * cw), cx1 = (int)lround(x0 + (ix + 1) * cw);
                    int cy1 = (int)lround(y1 - iy * ch), cy0 = (int)lround(y1 - (iy + 1) * ch);
                    nnt_rgb col = a < 0 ? EMPTY : colour_of((a - lo) / (hi - lo));
                    canvas_fill_rect(&cv, cx0, cy0, cx1 - cx0, cy1 - cy0, col, 1);
                    if (a >= 0 && cw >= 44 && ch >= 16) {
                        snprintf(acc_s, sizeof acc_s, "%.4f", a);
                        double lum = 0.299 * col.r + 0.587 * col.g + 0.114 * col.b;
                        text_mid(&cv, (cx0 + cx1) / 2, (cy0 + cy1) / 2, acc_s,
                                 lum > 140 ? INK : (nnt_rgb){255, 255, 255}, 0);
                    }
                }
            free(cell);
            int bx = axis_index(&ax, best->x), by = axis_index(&ay, best->y);
            int bx0 = (int)lround(x0 + bx * cw), bx1 = (int)lround(x0 + (bx + 1) * cw);
            int by1 = (int)lround(y1 - by * ch), by0 = (int)lround(y1 - (by + 1) * ch);
            frame(&cv, bx0, by0, bx1 - bx0, by1 - by0, 3, BEST);
            draw_ticks(&cv, &ax, 0, x0, y0, x1, y1, 0);
            draw_ticks(&cv, &ay, 1, x0, y0, x1, y1, 0);
        } else {
            /* random draws: a disc per trial at its values, coloured by accuracy */
            draw_ticks(&cv, &ax, 0, x0, y0, x1, y1, 1);
            draw_ticks(&cv, &ay, 1, x0, y0, x1, y1, 1);
            for (int i = 0; i < c->n; i++) {
                double px = axis_px(&ax, c->points[i].x), py = axis_px(&ay, c->points[i].y);
                disc(&cv, px, py, 7.5, FRAME);
                disc(&cv, px, py, 6.5, colour_of((c->points[i].acc - lo) / (hi - lo)));
            }
            ring(&cv, axis_px(&ax, best->x), axis_px(&ay, best->y), 11, 1.3, BEST);
        }
        draw_colour_bar(&cv, lo, hi, y0, y1);
        text_mid(&cv, (x0 + x1) / 2, y1 + TICK_LEN + 34, c->x_name, INK, 1);
        canvas_draw_text(&cv, 8, y0 - 24, c->y_name, INK, 1);
        snprintf(acc_s, sizeof acc_s, "%.4f", best->acc); /* as the table */
        snprintf(label, sizeof label, "best: %s %s, %s %s: accuracy %s", c->x_name, best->x,
                 c->y_name, best->y, acc_s);
        text_mid(&cv, (x0 + x1) / 2, y0 - 20, label, BEST, 1);
    }
    frame(&cv, x0, y0, x1 - x0 + 1, y1 - y0 + 1, 1, FRAME);
    if (!two) {
        snprintf(acc_s, sizeof acc_s, "%.4f", best->acc); /* as the table */
        snprintf(label, sizeof label, "best: %s %s, accuracy %s", c->x_name, best->x, acc_s);
        text_mid(&cv, (x0 + x1) / 2, y0 - 20, label, BEST, 1);
    }
    img->width = W;
    img->height = H;
    img->channels = 3;
    img->pixels = cv.px;
    return 0;
}

int searchplot_write(const char *path, const nnt_search_chart *c, nnt_err *err)
{
    nnt_image img;
    nnt_err why;
    if (searchplot_render(&img, c, &why))
        return nnt_errf(err, "%s: %s", path, why.msg);
    int rc = img_write_png(path, &img, err);
    img_free(&img);
    return rc;
}
