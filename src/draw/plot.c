/* plot.c — the training-curve chart: the layout of a loss panel and an accuracy panel, their
 * grids, series and legends (ranges and tick labels: axis.c; pixels, text and lines: canvas.c). */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nnt/axis.h"
#include "nnt/canvas.h"
#include "nnt/plot.h"

static const nnt_rgb PAPER = {255, 255, 255};
static const nnt_rgb INK = {34, 34, 34};          /* text */
static const nnt_rgb FAINT_INK = {120, 120, 120}; /* the legend's header, "no data" */
static const nnt_rgb FRAME = {68, 68, 68};        /* axes box and tick marks */
static const nnt_rgb GRID = {226, 226, 226};
static const nnt_rgb MINOR_GRID = {243, 243, 243}; /* log scale: 2..9 x 10^k */
static const nnt_rgb LEGEND_EDGE = {204, 204, 204};

/* Series colours, matplotlib's first three. Blue and orange stay apart for most colour-blind
 * readers; green and orange may not, so test accuracy is also dashed. */
static const nnt_rgb TRAIN_COLOUR = {31, 119, 180}; /* blue */
static const nnt_rgb VAL_COLOUR = {255, 127, 14};   /* orange */
static const nnt_rgb TEST_COLOUR = {44, 160, 44};   /* green */

/* ---- layout, in pixels ---------------------------------------------------------------------- */

#define PANEL_W (NNT_PLOT_WIDTH / 2)
#define MARGIN_LEFT 64   /* panel edge to plotting area: room for 7-character tick labels */
#define MARGIN_RIGHT 22
#define MARGIN_BOTTOM 48 /* tick labels, then "epoch" */
#define TITLE_BAND 34    /* the chart title, when there is one */
#define TOP_GAP 10       /* above the panel titles */
#define PANEL_TITLE 26   /* a panel title and the space under it */
#define TICK_LEN 5
#define LINE_WIDTH 2.25  /* series lines */
#define MARKER_RADIUS 3.5
#define MARKERS_UP_TO 30 /* series of at most this many epochs get a marker on every point */
#define DASH_ON 9.0
#define DASH_OFF 5.0
#define MASK_PAD 6       /* lines and markers may spill this far over the frame */

/* ---- panels --------------------------------------------------------------------------------- */

typedef struct series {
    const double *v; /* n values */
    const char *name;
    nnt_rgb colour;
    int dashed;
} series;

typedef struct panel {
    nnt_plot_panel *out; /* geometry and ranges, as the caller sees them */
    nnt_axis x, y;
    const char *title;
    series s[3];
    int n_series;
} panel;

static double px_x(const panel *p, double e)
{
    const nnt_plot_panel *o = p->out;
    return o->x + (e - p->x.lo) / (p->x.hi - p->x.lo) * (o->w - 1);
}

static double px_y(const panel *p, double v)
{
    const nnt_plot_panel *o = p->out;
    double t = p->y.log ? log10(v) : v;
    return o->y + (o->h - 1) - (t - p->y.lo) / (p->y.hi - p->y.lo) * (o->h - 1);
}

static int has_point(const double *v, int n, int i)
{
    return i >= 0 && i < n && !isnan(v[i]);
}

static void mask_series(nnt_mask *mk, const panel *p, const series *s, int n)
{
    double phase = 0;
    int markers = n <= MARKERS_UP_TO;
    for (int i = 0; i < n; i++) {
        if (!has_point(s->v, n, i)) {
            phase = 0;
            continue;
        }
        double x = px_x(p, i + 1), y = px_y(p, s->v[i]);
        if (has_point(s->v, n, i + 1)) {
            double x2 = px_x(p, i + 2), y2 = px_y(p, s->v[i + 1]);
            if (s->dashed)
                canvas_dashed(mk, x, y, x2, y2, LINE_WIDTH / 2, DASH_ON, DASH_OFF, &phase);
            else
                canvas_segment(mk, x, y, x2, y2, LINE_WIDTH / 2);
        }
        /* A point with no neighbour would be invisible as a line. */
        if (markers || (!has_point(s->v, n, i - 1) && !has_point(s->v, n, i + 1)))
            canvas_segment(mk, x, y, x, y, MARKER_RADIUS);
    }
}

/* Blends mk in colour c onto the canvas, adds it to occupied, and clears it for the next series. */
static void draw_axes(nnt_canvas *cv, const panel *p)
{
    const nnt_plot_panel *o = p->out;
    char label[48];
    int right = o->x + o->w - 1, bottom = o->y + o->h - 1;

    /* Grid first, frame over it. */
    if (p->y.log) {
        int decades = (int)(p->y.hi - p->y.lo);
        for (int d = (int)p->y.lo; d < (int)p->y.hi && decades <= 4; d++)
            for (int k = 2; k <= 9; k++) {
                int y = (int)lround(px_y(p, k * pow(10, d)));
                canvas_fill_rect(cv, o->x + 1, y, o->w - 2, 1, MINOR_GRID, 1);
            }
        for (int d = (int)p->y.lo; d <= (int)p->y.hi; d++) {
            int y = (int)lround(o->y + (o->h - 1) - (d - p->y.lo) / (p->y.hi - p->y.lo) * (o->h - 1));
            if ((d - (int)p->y.lo) % p->y.every != 0)
                continue;
            canvas_fill_rect(cv, o->x + 1, y, o->w - 2, 1, GRID, 1);
            canvas_fill_rect(cv, o->x - TICK_LEN, y, TICK_LEN, 1, FRAME, 1);
            axis_format_decimal(label, sizeof label, 1, d, axis_wants_sci(pow(10, d)));
            canvas_draw_text(cv, o->x - TICK_LEN - 4 - canvas_text_width(label, 0), y - NNT_CANVAS_CAP / 2,
                             label, INK, 0);
        }
    } else {
        double s = axis_step_value(p->y.st);
        int sci = axis_wants_sci(fmax(fabs(p->y.i0 * s), fabs(p->y.i1 * s)));
        for (long long i = p->y.i0; i <= p->y.i1; i++) {
            int y = (int)lround(px_y(p, i * s));
            canvas_fill_rect(cv, o->x + 1, y, o->w - 2, 1, GRID, 1);
            canvas_fill_rect(cv, o->x - TICK_LEN, y, TICK_LEN, 1, FRAME, 1);
            axis_format_decimal(label, sizeof label, i * p->y.st.m, p->y.st.p, sci);
            canvas_draw_text(cv, o->x - TICK_LEN - 4 - canvas_text_width(label, 0), y - NNT_CANVAS_CAP / 2,
                             label, INK, 0);
        }
    }
    double s = axis_step_value(p->x.st);
    int sci = axis_wants_sci(p->x.i1 * s);
    for (long long i = p->x.i0; i <= p->x.i1; i++) {
        int x = (int)lround(px_x(p, i * s));
        canvas_fill_rect(cv, x, o->y + 1, 1, o->h - 2, GRID, 1);
        canvas_fill_rect(cv, x, bottom + 1, 1, TICK_LEN, FRAME, 1);
        axis_format_decimal(label, sizeof label, i * p->x.st.m, p->x.st.p, sci);
        canvas_draw_text(cv, x - canvas_text_width(label, 0) / 2, bottom + TICK_LEN + 5, label, INK, 0);
    }
    canvas_fill_rect(cv, o->x, o->y, o->w, 1, FRAME, 1);
    canvas_fill_rect(cv, o->x, bottom, o->w, 1, FRAME, 1);
    canvas_fill_rect(cv, o->x, o->y, 1, o->h, FRAME, 1);
    canvas_fill_rect(cv, right, o->y, 1, o->h, FRAME, 1);

    canvas_draw_text(cv, o->x + (o->w - canvas_text_width("epoch", 0)) / 2, bottom + TICK_LEN + 23, "epoch",
                     INK, 0);
    canvas_draw_text(cv, o->x + (o->w - canvas_text_width(p->title, 1)) / 2, o->y - 19, p->title, INK, 1);
}

/* The epoch of a series' last point (0 if none). */
static int last_epoch(const double *v, int n)
{
    for (int i = n - 1; i >= 0; i--)
        if (!isnan(v[i]))
            return i + 1;
    return 0;
}

/* The legend, in whichever corner of the plotting area the lines cover least: a sample of each
 * line, its name and its last value, under a header saying which epoch that is. */
static void draw_legend(nnt_canvas *cv, const panel *p, const nnt_mask *occupied, int n)
{
    enum { PAD = 7, SAMPLE = 24, GAP = 7, ROW = 17, INSET = 10 };
    char values[3][48], header[48];
    int name_w = 0, value_w = 0, epoch = last_epoch(p->s[0].v, n), same_epoch = 1;
    for (int k = 0; k < p->n_series; k++) {
        int e = last_epoch(p->s[k].v, n);
        same_epoch &= e == epoch;
        axis_format_value(values[k], sizeof values[k], p->s[k].v[e - 1]);
        int w = canvas_text_width(p->s[k].name, 0), vw = canvas_text_width(values[k], 0);
        name_w = w > name_w ? w : name_w;
        value_w = vw > value_w ? vw : value_w;
    }
    if (same_epoch)
        snprintf(header, sizeof header, "epoch %d", epoch);
    else
        snprintf(header, sizeof header, "last");
    int header_w = canvas_text_width(header, 0);
    value_w = header_w > value_w ? header_w : value_w;
    int bw = PAD + SAMPLE + GAP + name_w + 2 * GAP + value_w + PAD, bh = 2 * PAD + ROW * (p->n_series + 1) - 5;
    const nnt_plot_panel *o = p->out;
    /* Preference on a tie: upper right, lower right, upper left, lower left. */
    int xs[4] = {o->x + o->w - INSET - bw, o->x + o->w - INSET - bw, o->x + INSET, o->x + INSET};
    int ys[4] = {o->y + INSET, o->y + o->h - INSET - bh, o->y + INSET, o->y + o->h - INSET - bh};
    int best = 0;
    double best_cover = INFINITY;
    for (int c = 0; c < 4; c++) {
        /* Lines just outside the box count too: a legend touching a line looks crowded. */
        double cover = 0;
        for (int y = ys[c] - INSET; y < ys[c] + bh + INSET; y++)
            for (int x = xs[c] - INSET; x < xs[c] + bw + INSET; x++)
                cover += occupied->a[(size_t)(y - occupied->y0) * occupied->w + (x - occupied->x0)];
        if (cover < best_cover - 1e-9) {
            best_cover = cover;
            best = c;
        }
    }
    int bx = xs[best], by = ys[best];
    canvas_fill_rect(cv, bx, by, bw, bh, PAPER, 0.88);
    canvas_fill_rect(cv, bx, by, bw, 1, LEGEND_EDGE, 1);
    canvas_fill_rect(cv, bx, by + bh - 1, bw, 1, LEGEND_EDGE, 1);
    canvas_fill_rect(cv, bx, by, 1, bh, LEGEND_EDGE, 1);
    canvas_fill_rect(cv, bx + bw - 1, by, 1, bh, LEGEND_EDGE, 1);
    canvas_draw_text(cv, bx + bw - PAD - header_w, by + PAD, header, FAINT_INK, 0);
    for (int k = 0; k < p->n_series; k++) {
        int ty = by + PAD + (k + 1) * ROW, ly = ty + NNT_CANVAS_CAP / 2 - 1;
        /* The sample looks like the line: dashed or not, with a marker when the line has them
         * (a dashed sample then shows its gaps either side of the marker). */
        int markers = n <= MARKERS_UP_TO;
        for (int x = 0; x < SAMPLE; x++)
            if (!p->s[k].dashed || (markers ? x < 6 || x >= SAMPLE - 6 : x % 12 < 8))
                canvas_fill_rect(cv, bx + PAD + x, ly, 1, 3, p->s[k].colour, 1);
        if (markers)
            for (int y = ly - 4; y <= ly + 6; y++)
                for (int x = bx + PAD + SAMPLE / 2 - 5; x <= bx + PAD + SAMPLE / 2 + 5; x++)
                    canvas_blend(cv, x, y, p->s[k].colour,
                          MARKER_RADIUS + 0.5 - hypot(x - (bx + PAD + SAMPLE / 2 - 0.5), y - (ly + 1)));
        canvas_draw_text(cv, bx + PAD + SAMPLE + GAP, ty, p->s[k].name, INK, 0);
        canvas_draw_text(cv, bx + bw - PAD - canvas_text_width(values[k], 0), ty, values[k], INK, 0);
    }
}

static int draw_panel(nnt_canvas *cv, panel *p, int n, nnt_err *err)
{
    nnt_plot_panel *o = p->out;
    nnt_mask mk = {NULL, o->x - MASK_PAD, o->y - MASK_PAD, o->w + 2 * MASK_PAD, o->h + 2 * MASK_PAD};
    nnt_mask occupied = mk;
    size_t n_cells = (size_t)mk.w * mk.h; /* fixed by the layout: no overflow */
    mk.a = calloc(n_cells, sizeof *mk.a);
    occupied.a = calloc(n_cells, sizeof *occupied.a);
    if (!mk.a || !occupied.a) {
        free(mk.a);
        free(occupied.a);
        return nnt_errf(err, "out of memory");
    }
    draw_axes(cv, p);
    for (int k = 0; k < p->n_series; k++) {
        mask_series(&mk, p, &p->s[k], n);
        canvas_paint(cv, &mk, &occupied, p->s[k].colour);
    }
    if (p->n_series > 0) {
        draw_legend(cv, p, &occupied, n);
    } else {
        const char *none = "no data";
        canvas_draw_text(cv, o->x + (o->w - canvas_text_width(none, 0)) / 2,
                         o->y + o->h / 2 - NNT_CANVAS_CAP / 2, none, FAINT_INK, 0);
    }
    free(mk.a);
    free(occupied.a);
    return 0;
}

/* ---- the chart ------------------------------------------------------------------------------ */

/* Checks one series; widens [*vmin, *vmax] over its values and counts them into *n_points. */
static int check_series(const double *v, int n, const char *what, int fraction, double *vmin, double *vmax,
                        int *n_points, nnt_err *err)
{
    if (!v)
        return 0;
    for (int i = 0; i < n; i++) {
        if (isnan(v[i]))
            continue;
        if (!isfinite(v[i]))
            return nnt_errf(err, "cannot plot: the %s at epoch %d is %s (values must be finite, or NaN for none)",
                            what, i + 1, v[i] > 0 ? "inf" : "-inf");
        if (fraction && (v[i] < 0 || v[i] > 1))
            return nnt_errf(err, "cannot plot: the %s at epoch %d is %.9g, not a fraction in [0, 1]", what, i + 1,
                            v[i]);
        if (fabs(v[i]) > 1e300)
            return nnt_errf(err, "cannot plot: the %s at epoch %d is %g, too large to plot", what, i + 1, v[i]);
        *vmin = fmin(*vmin, v[i]);
        *vmax = fmax(*vmax, v[i]);
        (*n_points)++;
    }
    return 0;
}

/* Adds v to the panel's series if it has at least one point. */
static void add_series(panel *p, const double *v, int n, const char *name, nnt_rgb colour, int dashed)
{
    for (int i = 0; v && i < n; i++)
        if (!isnan(v[i])) {
            p->s[p->n_series++] = (series){v, name, colour, dashed};
            return;
        }
}

/* The title, cut to fit max_w with "..." at its end. */
static void draw_title(nnt_canvas *cv, const char *title, int max_w)
{
    char buf[256];
    snprintf(buf, sizeof buf, "%s", title);
    size_t len = strlen(buf);
    if (len < strlen(title) || canvas_text_width(buf, 1) > max_w) {
        while (len > 0 && canvas_text_width(buf, 1) + canvas_text_width("...", 1) > max_w)
            buf[--len] = '\0';
        snprintf(buf + len, sizeof buf - len, "...");
    }
    canvas_draw_text(cv, (cv->w - canvas_text_width(buf, 1)) / 2, 12, buf, INK, 1);
}

int plot_render(nnt_image *img, nnt_plot_layout *layout, const nnt_curves *c, nnt_err *err)
{
    memset(img, 0, sizeof *img);
    if (c->n < 1)
        return nnt_errf(err, "cannot plot: no epochs recorded (n = %d)", c->n);
    int n = c->n;
    double lmin = INFINITY, lmax = -INFINITY, amin = INFINITY, amax = -INFINITY;
    int n_loss = 0, n_acc = 0;
    if (check_series(c->train_loss, n, "training loss", 0, &lmin, &lmax, &n_loss, err) ||
        check_series(c->val_loss, n, "validation loss", 0, &lmin, &lmax, &n_loss, err) ||
        check_series(c->train_acc, n, "training accuracy", 1, &amin, &amax, &n_acc, err) ||
        check_series(c->val_acc, n, "validation accuracy", 1, &amin, &amax, &n_acc, err) ||
        check_series(c->test_acc, n, "test accuracy", 1, &amin, &amax, &n_acc, err))
        return -1;
    if (!c->train_loss && !c->val_loss && !c->train_acc && !c->val_acc && !c->test_acc)
        return nnt_errf(err, "cannot plot: no series given");

    nnt_plot_layout lay;
    panel loss = {.out = &lay.loss, .title = "loss"}, acc = {.out = &lay.acc, .title = "accuracy"};
    int top = (c->title && c->title[0] ? TITLE_BAND : 0) + TOP_GAP + PANEL_TITLE;
    for (int k = 0; k < 2; k++) {
        nnt_plot_panel *o = k == 0 ? &lay.loss : &lay.acc;
        o->x = k * PANEL_W + MARGIN_LEFT;
        o->y = top;
        o->w = PANEL_W - MARGIN_LEFT - MARGIN_RIGHT;
        o->h = NNT_PLOT_HEIGHT - MARGIN_BOTTOM - top;
    }
    axis_epoch(&loss.x, n);
    acc.x = loss.x;
    if (n_loss)
        axis_loss(&loss.y, lmin, lmax);
    else
        axis_linear(&loss.y, 0, 1, NNT_AXIS_Y_TICKS);
    if (loss.y.log)
        loss.title = "loss (log scale)";
    axis_accuracy(&acc.y, n_acc ? amin : 0);
    add_series(&loss, c->train_loss, n, "train", TRAIN_COLOUR, 0);
    add_series(&loss, c->val_loss, n, "validation", VAL_COLOUR, 0);
    add_series(&acc, c->train_acc, n, "train", TRAIN_COLOUR, 0);
    add_series(&acc, c->val_acc, n, "validation", VAL_COLOUR, 0);
    add_series(&acc, c->test_acc, n, "test", TEST_COLOUR, 1);
    for (int k = 0; k < 2; k++) {
        panel *p = k == 0 ? &loss : &acc;
        p->out->x_min = p->x.lo;
        p->out->x_max = p->x.hi;
        p->out->log_y = p->y.log;
        p->out->y_min = p->y.log ? pow(10, p->y.lo) : p->y.lo;
        p->out->y_max = p->y.log ? pow(10, p->y.hi) : p->y.hi;
    }

    nnt_canvas cv = {malloc((size_t)NNT_PLOT_WIDTH * NNT_PLOT_HEIGHT * 3), NNT_PLOT_WIDTH, NNT_PLOT_HEIGHT};
    if (!cv.px)
        return nnt_errf(err, "out of memory");
    memset(cv.px, 255, (size_t)NNT_PLOT_WIDTH * NNT_PLOT_HEIGHT * 3);
    if (c->title && c->title[0])
        draw_title(&cv, c->title, NNT_PLOT_WIDTH - 20);
    if (draw_panel(&cv, &loss, n, err) || draw_panel(&cv, &acc, n, err)) {
        free(cv.px);
        return -1;
    }
    img->width = NNT_PLOT_WIDTH;
    img->height = NNT_PLOT_HEIGHT;
    img->channels = 3;
    img->pixels = cv.px;
    if (layout)
        *layout = lay;
    return 0;
}

int plot_curves(const char *path, const nnt_curves *c, nnt_err *err)
{
    nnt_image img;
    nnt_err why;
    if (plot_render(&img, NULL, c, &why))
        return nnt_errf(err, "%s: %s", path, why.msg);
    int rc = img_write_png(path, &img, err);
    img_free(&img);
    return rc;
}
