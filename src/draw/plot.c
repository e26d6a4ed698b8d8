/* plot.c — the training-curve chart: a loss panel and an accuracy panel with 1-2-5 ticks, grid,
 * anti-aliased lines and legends, drawn on an RGB canvas with the bitmap font of font.h. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "font.h"
#include "nnt/plot.h"

typedef struct rgb {
    uint8_t r, g, b;
} rgb;

static const rgb PAPER = {255, 255, 255};
static const rgb INK = {34, 34, 34};          /* text */
static const rgb FAINT_INK = {120, 120, 120}; /* the legend's header, "no data" */
static const rgb FRAME = {68, 68, 68};        /* axes box and tick marks */
static const rgb GRID = {226, 226, 226};
static const rgb MINOR_GRID = {243, 243, 243}; /* log scale: 2..9 x 10^k */
static const rgb LEGEND_EDGE = {204, 204, 204};

/* Series colours, matplotlib's first three. Blue and orange stay apart for most colour-blind
 * readers; green and orange may not, so test accuracy is also dashed. */
static const rgb TRAIN_COLOUR = {31, 119, 180}; /* blue */
static const rgb VAL_COLOUR = {255, 127, 14};   /* orange */
static const rgb TEST_COLOUR = {44, 160, 44};   /* green */

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
#define Y_TICKS 5        /* about how many intervals on a y axis */
#define X_TICKS 6

/* ---- canvas --------------------------------------------------------------------------------- */

typedef struct canvas {
    uint8_t *px; /* RGB, row-major */
    int w, h;
} canvas;

static void blend(canvas *cv, int x, int y, rgb c, double a)
{
    if (x < 0 || y < 0 || x >= cv->w || y >= cv->h || a <= 0)
        return;
    if (a > 1)
        a = 1;
    uint8_t *p = cv->px + ((size_t)y * cv->w + x) * 3;
    const uint8_t to[3] = {c.r, c.g, c.b};
    for (int k = 0; k < 3; k++)
        p[k] = (uint8_t)(p[k] + (to[k] - p[k]) * a + 0.5); /* in [0, 255.5): rounds half up */
}

static void fill_rect(canvas *cv, int x, int y, int w, int h, rgb c, double a)
{
    for (int j = y; j < y + h; j++)
        for (int i = x; i < x + w; i++)
            blend(cv, i, j, c, a);
}

/* ---- text ----------------------------------------------------------------------------------- */

static int glyph_ink(unsigned char ch, int col, int row)
{
    if (ch < FONT_FIRST || ch > FONT_LAST)
        ch = '?';
    int g = ch - FONT_FIRST;
    return font_sheet[g / FONT_PER_BLOCK][row][(g % FONT_PER_BLOCK) * (FONT_W + 1) + col] == '#';
}

/* Width in pixels of s (bold adds one column). */
static int text_width(const char *s, int bold)
{
    size_t n = strlen(s);
    return n ? (int)n * FONT_ADVANCE - 1 + bold : 0;
}

/* Draws s with the top of its capitals at row y; bold is the text drawn twice, one pixel apart. */
static void draw_text(canvas *cv, int x, int y, const char *s, rgb c, int bold)
{
    for (; *s; s++, x += FONT_ADVANCE)
        for (int row = 0; row < FONT_H; row++)
            for (int col = 0; col < FONT_W; col++)
                if (glyph_ink((unsigned char)*s, col, row))
                    fill_rect(cv, x + col, y + row, 1 + bold, 1, c, 1);
}

/* ---- numbers, locale-independent ------------------------------------------------------------ */

/* Whether numbers up to max_abs are written as "2.5e-3" rather than "0.0025": below 0.01 and
 * from a million up. An axis decides once, from its largest tick, so its labels match. */
static int wants_sci(double max_abs)
{
    return max_abs != 0 && (max_abs < 0.01 || max_abs >= 1e6);
}

/* Writes n × 10^k without trailing zeros, plainly ("0.25", "2500") or, when sci (or when plain
 * would take more than 6 zeros), as "2.5e-3", "1e6". Exact: tick values are built from integers,
 * and nothing depends on the locale. */
static void format_decimal(char *buf, size_t size, long long n, int k, int sci)
{
    if (n == 0) {
        snprintf(buf, size, "0");
        return;
    }
    const char *sign = n < 0 ? "-" : "";
    unsigned long long u = n < 0 ? 0ULL - (unsigned long long)n : (unsigned long long)n;
    while (u % 10 == 0) {
        u /= 10;
        k++;
    }
    char d[24];
    int len = snprintf(d, sizeof d, "%llu", u);
    if (sci || k > 6 || -k - len > 6) {
        int e = len - 1 + k; /* exponent of the leading digit */
        if (len == 1)
            snprintf(buf, size, "%s%se%d", sign, d, e);
        else
            snprintf(buf, size, "%s%c.%se%d", sign, d[0], d + 1, e);
    } else if (k >= 0) {
        snprintf(buf, size, "%s%s%.*s", sign, d, k, "000000");
    } else if (len > -k) {
        snprintf(buf, size, "%s%.*s.%s", sign, len + k, d, d + len + k);
    } else {
        snprintf(buf, size, "%s0.%.*s%s", sign, -k - len, "000000", d);
    }
}

/* v to `digits` significant digits (1 to 15), for the legend. */
static void format_sig(char *buf, size_t size, double v, int digits)
{
    if (v == 0 || !isfinite(v)) {
        snprintf(buf, size, v == 0 ? "0" : "nan");
        return;
    }
    double a = fabs(v), top = pow(10, digits); /* the mantissa is an integer in [top / 10, top) */
    int shift = 0;
    if (a < 1e-280) { /* 10^(digits - 1 - e) would overflow for a subnormal */
        a *= 1e300;
        shift = -300;
    }
    int e = (int)floor(log10(a));
    long long m = llround(a * pow(10, digits - 1 - e));
    if (m >= top) { /* 9.995 rounds up to 10.0 */
        m = (m + 5) / 10;
        e++;
    }
    while (m > 0 && m < top / 10) { /* log10 just under a power of ten */
        m *= 10;
        e--;
    }
    format_decimal(buf, size, v < 0 ? -m : m, e - (digits - 1) + shift, wants_sci(fabs(v)));
}

/* A legend value: 3 significant digits, more when 3 would round an accuracy such as 0.9996 up to a
 * perfect "1". */
static void format_value(char *buf, size_t size, double v)
{
    for (int digits = 3;; digits++) {
        format_sig(buf, size, v, digits);
        if (v == 1 || strcmp(buf, "1") != 0 || digits == 6)
            return;
    }
}

/* ---- axes ----------------------------------------------------------------------------------- */

/* A step m × 10^p with m in {1, 2, 5}: the one nearest raw (raw > 0), so that an axis gets
 * between about 0.7 and 1.5 times the intervals asked for. */
typedef struct step {
    int m, p;
} step;

static step nice_step(double raw)
{
    int p = (int)floor(log10(raw));
    double f = raw / pow(10, p);
    step s = {1, p};
    if (f >= 7.07) /* geometric midpoints: sqrt(2 * 5) = 3.16, sqrt(5 * 10) = 7.07, sqrt(1 * 2) = 1.41 */
        s = (step){1, p + 1};
    else if (f >= 3.16)
        s.m = 5;
    else if (f >= 1.41)
        s.m = 2;
    return s;
}

static double step_value(step s)
{
    return s.m * pow(10, s.p);
}

/* One axis: its range and where its ticks go. */
typedef struct axis {
    double lo, hi; /* values at the ends; log10 of them when log */
    int log;
    step st;       /* linear: ticks at i × st for i = i0..i1 */
    long long i0, i1;
    int every;     /* log: a tick every this many decades */
} axis;

static void linear_ticks(axis *ax)
{
    double s = step_value(ax->st);
    ax->i0 = (long long)ceil(ax->lo / s - 1e-6);
    ax->i1 = (long long)floor(ax->hi / s + 1e-6);
}

/* [lo, hi] widened to whole steps of about (hi - lo) / n_ticks. */
static void linear_axis(axis *ax, double lo, double hi, int n_ticks)
{
    ax->log = 0;
    ax->st = nice_step((hi - lo) / n_ticks);
    double s = step_value(ax->st);
    ax->lo = floor(lo / s + 1e-9) * s;
    ax->hi = ceil(hi / s - 1e-9) * s;
    linear_ticks(ax);
}

/* Epochs 1..n on [0, a whole number of steps]; the single epoch of a 1-epoch run sits mid-axis. */
static void epoch_axis(axis *ax, int n)
{
    ax->log = 0;
    ax->st = nice_step(n / (double)X_TICKS);
    if (ax->st.p < 0)
        ax->st = (step){1, 0};
    double s = step_value(ax->st);
    ax->lo = 0;
    ax->hi = ceil(n / s - 1e-9) * s;
    if (ax->hi < 2)
        ax->hi = 2;
    linear_ticks(ax);
}

/* Loss: from 0 (or below, for a negative value) to a rounded maximum, or on a log scale, decade
 * to decade, when the positive values span more than two decades. */
static void loss_axis(axis *ax, double vmin, double vmax)
{
    if (vmin > 0 && vmax / vmin > 100) {
        ax->log = 1;
        ax->lo = floor(log10(vmin));
        ax->hi = ceil(log10(vmax));
        ax->every = (int)ceil((ax->hi - ax->lo) / 6);
        return;
    }
    double lo = vmin < 0 ? vmin : 0, hi = vmax > 0 ? vmax : 0;
    if (hi - lo <= 0)
        hi = 1;
    double room = 0.03 * (hi - lo); /* keep the first epoch's loss off the frame */
    linear_axis(ax, lo < 0 ? lo - room : lo, hi > 0 ? hi + room : hi, Y_TICKS);
}

/* Accuracy: up to 1; from 0, or from a rounded value under the lowest point when every point is
 * high enough (≥ 0.5) for 0..1 to squash the curves against the top. */
static void acc_axis(axis *ax, double vmin)
{
    double lo = vmin < 0.9 ? vmin : 0.9;
    if (lo < 0.5) {
        linear_axis(ax, 0, 1, Y_TICKS);
        return;
    }
    ax->log = 0;
    ax->st = nice_step((1 - lo) / Y_TICKS);
    double s = step_value(ax->st);
    ax->lo = floor(lo / s + 1e-9) * s;
    if (vmin - ax->lo < 0.02 * (1 - ax->lo))
        ax->lo -= s;
    if (ax->lo < 0)
        ax->lo = 0;
    ax->hi = 1;
    linear_ticks(ax);
}

/* ---- panels --------------------------------------------------------------------------------- */

typedef struct series {
    const double *v; /* n values */
    const char *name;
    rgb colour;
    int dashed;
} series;

typedef struct panel {
    nnt_plot_panel *out; /* geometry and ranges, as the caller sees them */
    axis x, y;
    const char *title;
    series s[3];
    int n_series;
} panel;

/* Coverage of one series, or of all of a panel's series, over the plotting area and MASK_PAD
 * pixels around it: lines are drawn into a mask and the mask is blended once, so overlapping
 * segments of a 2500-epoch line do not darken each other. */
typedef struct mask {
    float *a;
    int x0, y0, w, h; /* canvas position of a[0], size */
} mask;

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

static void mask_cover(mask *mk, int x, int y, double cov)
{
    if (cov <= 0)
        return;
    float *a = &mk->a[(size_t)(y - mk->y0) * mk->w + (x - mk->x0)];
    if (cov > *a)
        *a = cov > 1 ? 1.0f : (float)cov;
}

/* A round-capped segment of half-width hw, anti-aliased by distance from pixel centres. */
static void mask_segment(mask *mk, double ax, double ay, double bx, double by, double hw)
{
    int x0 = (int)floor(fmin(ax, bx) - hw - 1), x1 = (int)ceil(fmax(ax, bx) + hw + 1);
    int y0 = (int)floor(fmin(ay, by) - hw - 1), y1 = (int)ceil(fmax(ay, by) + hw + 1);
    if (x0 < mk->x0)
        x0 = mk->x0;
    if (y0 < mk->y0)
        y0 = mk->y0;
    if (x1 > mk->x0 + mk->w - 1)
        x1 = mk->x0 + mk->w - 1;
    if (y1 > mk->y0 + mk->h - 1)
        y1 = mk->y0 + mk->h - 1;
    double dx = bx - ax, dy = by - ay, len2 = dx * dx + dy * dy;
    for (int y = y0; y <= y1; y++)
        for (int x = x0; x <= x1; x++) {
            double t = len2 > 0 ? ((x - ax) * dx + (y - ay) * dy) / len2 : 0;
            t = t < 0 ? 0 : t > 1 ? 1 : t;
            double ex = ax + t * dx - x, ey = ay + t * dy - y;
            mask_cover(mk, x, y, hw + 0.5 - sqrt(ex * ex + ey * ey));
        }
}

/* The dashed version: phase is the distance along the line so far, carried between segments. */
static void mask_dashed(mask *mk, double ax, double ay, double bx, double by, double hw, double *phase)
{
    const double period = DASH_ON + DASH_OFF;
    double len = hypot(bx - ax, by - ay);
    for (double s = 0; s < len;) {
        double r = fmod(*phase + s, period);
        double next = r < DASH_ON ? s + (DASH_ON - r) : s + (period - r);
        if (next < s + 1e-6)
            next = s + 1e-6;
        if (next > len)
            next = len;
        if (r < DASH_ON && len > 0)
            mask_segment(mk, ax + (bx - ax) * s / len, ay + (by - ay) * s / len, ax + (bx - ax) * next / len,
                         ay + (by - ay) * next / len, hw);
        s = next;
    }
    *phase = fmod(*phase + len, period);
}

static int has_point(const double *v, int n, int i)
{
    return i >= 0 && i < n && !isnan(v[i]);
}

static void mask_series(mask *mk, const panel *p, const series *s, int n)
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
                mask_dashed(mk, x, y, x2, y2, LINE_WIDTH / 2, &phase);
            else
                mask_segment(mk, x, y, x2, y2, LINE_WIDTH / 2);
        }
        /* A point with no neighbour would be invisible as a line. */
        if (markers || (!has_point(s->v, n, i - 1) && !has_point(s->v, n, i + 1)))
            mask_segment(mk, x, y, x, y, MARKER_RADIUS);
    }
}

/* Blends mk in colour c onto the canvas, adds it to occupied, and clears it for the next series. */
static void mask_paint(canvas *cv, mask *mk, mask *occupied, rgb c)
{
    size_t n = (size_t)mk->w * mk->h;
    for (size_t k = 0; k < n; k++) {
        if (mk->a[k] <= 0)
            continue;
        blend(cv, mk->x0 + (int)(k % mk->w), mk->y0 + (int)(k / mk->w), c, mk->a[k]);
        if (mk->a[k] > occupied->a[k])
            occupied->a[k] = mk->a[k];
        mk->a[k] = 0;
    }
}

static void draw_axes(canvas *cv, const panel *p)
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
                fill_rect(cv, o->x + 1, y, o->w - 2, 1, MINOR_GRID, 1);
            }
        for (int d = (int)p->y.lo; d <= (int)p->y.hi; d++) {
            int y = (int)lround(o->y + (o->h - 1) - (d - p->y.lo) / (p->y.hi - p->y.lo) * (o->h - 1));
            if ((d - (int)p->y.lo) % p->y.every != 0)
                continue;
            fill_rect(cv, o->x + 1, y, o->w - 2, 1, GRID, 1);
            fill_rect(cv, o->x - TICK_LEN, y, TICK_LEN, 1, FRAME, 1);
            format_decimal(label, sizeof label, 1, d, wants_sci(pow(10, d)));
            draw_text(cv, o->x - TICK_LEN - 4 - text_width(label, 0), y - FONT_CAP / 2, label, INK, 0);
        }
    } else {
        double s = step_value(p->y.st);
        int sci = wants_sci(fmax(fabs(p->y.i0 * s), fabs(p->y.i1 * s)));
        for (long long i = p->y.i0; i <= p->y.i1; i++) {
            int y = (int)lround(px_y(p, i * s));
            fill_rect(cv, o->x + 1, y, o->w - 2, 1, GRID, 1);
            fill_rect(cv, o->x - TICK_LEN, y, TICK_LEN, 1, FRAME, 1);
            format_decimal(label, sizeof label, i * p->y.st.m, p->y.st.p, sci);
            draw_text(cv, o->x - TICK_LEN - 4 - text_width(label, 0), y - FONT_CAP / 2, label, INK, 0);
        }
    }
    double s = step_value(p->x.st);
    int sci = wants_sci(p->x.i1 * s);
    for (long long i = p->x.i0; i <= p->x.i1; i++) {
        int x = (int)lround(px_x(p, i * s));
        fill_rect(cv, x, o->y + 1, 1, o->h - 2, GRID, 1);
        fill_rect(cv, x, bottom + 1, 1, TICK_LEN, FRAME, 1);
        format_decimal(label, sizeof label, i * p->x.st.m, p->x.st.p, sci);
        draw_text(cv, x - text_width(label, 0) / 2, bottom + TICK_LEN + 5, label, INK, 0);
    }
    fill_rect(cv, o->x, o->y, o->w, 1, FRAME, 1);
    fill_rect(cv, o->x, bottom, o->w, 1, FRAME, 1);
    fill_rect(cv, o->x, o->y, 1, o->h, FRAME, 1);
    fill_rect(cv, right, o->y, 1, o->h, FRAME, 1);

    draw_text(cv, o->x + (o->w - text_width("epoch", 0)) / 2, bottom + TICK_LEN + 23, "epoch", INK, 0);
    draw_text(cv, o->x + (o->w - text_width(p->title, 1)) / 2, o->y - 19, p->title, INK, 1);
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
static void draw_legend(canvas *cv, const panel *p, const mask *occupied, int n)
{
    enum { PAD = 7, SAMPLE = 24, GAP = 7, ROW = 17, INSET = 10 };
    char values[3][48], header[48];
    int name_w = 0, value_w = 0, epoch = last_epoch(p->s[0].v, n), same_epoch = 1;
    for (int k = 0; k < p->n_series; k++) {
        int e = last_epoch(p->s[k].v, n);
        same_epoch &= e == epoch;
        format_value(values[k], sizeof values[k], p->s[k].v[e - 1]);
        int w = text_width(p->s[k].name, 0), vw = text_width(values[k], 0);
        name_w = w > name_w ? w : name_w;
        value_w = vw > value_w ? vw : value_w;
    }
    if (same_epoch)
        snprintf(header, sizeof header, "epoch %d", epoch);
    else
        snprintf(header, sizeof header, "last");
    int header_w = text_width(header, 0);
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
    fill_rect(cv, bx, by, bw, bh, PAPER, 0.88);
    fill_rect(cv, bx, by, bw, 1, LEGEND_EDGE, 1);
    fill_rect(cv, bx, by + bh - 1, bw, 1, LEGEND_EDGE, 1);
    fill_rect(cv, bx, by, 1, bh, LEGEND_EDGE, 1);
    fill_rect(cv, bx + bw - 1, by, 1, bh, LEGEND_EDGE, 1);
    draw_text(cv, bx + bw - PAD - header_w, by + PAD, header, FAINT_INK, 0);
    for (int k = 0; k < p->n_series; k++) {
        int ty = by + PAD + (k + 1) * ROW, ly = ty + FONT_CAP / 2 - 1;
        /* The sample looks like the line: dashed or not, with a marker when the line has them
         * (a dashed sample then shows its gaps either side of the marker). */
        int markers = n <= MARKERS_UP_TO;
        for (int x = 0; x < SAMPLE; x++)
            if (!p->s[k].dashed || (markers ? x < 6 || x >= SAMPLE - 6 : x % 12 < 8))
                fill_rect(cv, bx + PAD + x, ly, 1, 3, p->s[k].colour, 1);
        if (markers)
            for (int y = ly - 4; y <= ly + 6; y++)
                for (int x = bx + PAD + SAMPLE / 2 - 5; x <= bx + PAD + SAMPLE / 2 + 5; x++)
                    blend(cv, x, y, p->s[k].colour,
                          MARKER_RADIUS + 0.5 - hypot(x - (bx + PAD + SAMPLE / 2 - 0.5), y - (ly + 1)));
        draw_text(cv, bx + PAD + SAMPLE + GAP, ty, p->s[k].name, INK, 0);
        draw_text(cv, bx + bw - PAD - text_width(values[k], 0), ty, values[k], INK, 0);
    }
}

static int draw_panel(canvas *cv, panel *p, int n, nnt_err *err)
{
    nnt_plot_panel *o = p->out;
    mask mk = {NULL, o->x - MASK_PAD, o->y - MASK_PAD, o->w + 2 * MASK_PAD, o->h + 2 * MASK_PAD};
    mask occupied = mk;
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
        mask_paint(cv, &mk, &occupied, p->s[k].colour);
    }
    if (p->n_series > 0) {
        draw_legend(cv, p, &occupied, n);
    } else {
        const char *none = "no data";
        draw_text(cv, o->x + (o->w - text_width(none, 0)) / 2, o->y + o->h / 2 - FONT_CAP / 2, none, FAINT_INK, 0);
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
static void add_series(panel *p, const double *v, int n, const char *name, rgb colour, int dashed)
{
    for (int i = 0; v && i < n; i++)
        if (!isnan(v[i])) {
            p->s[p->n_series++] = (series){v, name, colour, dashed};
            return;
        }
}

/* The title, cut to fit max_w with "..." at its end. */
static void draw_title(canvas *cv, const char *title, int max_w)
{
    char buf[256];
    snprintf(buf, sizeof buf, "%s", title);
    size_t len = strlen(buf);
    if (len < strlen(title) || text_width(buf, 1) > max_w) {
        while (len > 0 && text_width(buf, 1) + text_width("...", 1) > max_w)
            buf[--len] = '\0';
        snprintf(buf + len, sizeof buf - len, "...");
    }
    draw_text(cv, (cv->w - text_width(buf, 1)) / 2, 12, buf, INK, 1);
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
    epoch_axis(&loss.x, n);
    acc.x = loss.x;
    if (n_loss)
        loss_axis(&loss.y, lmin, lmax);
    else
        linear_axis(&loss.y, 0, 1, Y_TICKS);
    if (loss.y.log)
        loss.title = "loss (log scale)";
    acc_axis(&acc.y, n_acc ? amin : 0);
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

    canvas cv = {malloc((size_t)NNT_PLOT_WIDTH * NNT_PLOT_HEIGHT * 3), NNT_PLOT_WIDTH, NNT_PLOT_HEIGHT};
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
