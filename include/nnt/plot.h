/* plot.h — the training-curve chart: loss and accuracy per epoch drawn into a PNG. */
#ifndef NNT_PLOT_H
#define NNT_PLOT_H

#include "nnt/err.h"
#include "nnt/image.h"

/* The chart's size in pixels: a loss panel on the left, an accuracy panel on the right. */
#define NNT_PLOT_WIDTH 1200
#define NNT_PLOT_HEIGHT 500

/* What one training run recorded, epoch by epoch (x = 1..n). A series may be NULL (not recorded);
 * in one that is present, NAN means "no value at this epoch" and leaves a gap in its line. */
typedef struct nnt_curves {
    int n;                               /* epochs recorded, ≥ 1 */
    const double *train_loss, *val_loss; /* n values each, finite or NAN */
    const double *train_acc, *val_acc;   /* n fractions each, in [0, 1] or NAN */
    const double *test_acc;              /* n fractions, or NULL */
    const char *title;                   /* drawn above the panels, e.g. the command line; may be NULL */
} nnt_curves;

/* Where one panel's data lands: pixel (x + (e - x_min) / (x_max - x_min) * (w - 1), y + h - 1 -
 * (v - y_min) / (y_max - y_min) * (h - 1)) is epoch e, value v (with log10 of v, y_min and y_max
 * when log_y). */
typedef struct nnt_plot_panel {
    int x, y, w, h;      /* plotting area, frame included: columns x..x+w-1, rows y..y+h-1 */
    double x_min, x_max; /* epochs at the left and right edges */
    double y_min, y_max; /* values at the bottom and top edges */
    int log_y;           /* 1 when the y axis is logarithmic (loss spanning more than 2 decades) */
} nnt_plot_panel;

typedef struct nnt_plot_layout {
    nnt_plot_panel loss, acc;
} nnt_plot_layout;

/* Draws the chart into img (RGB, NNT_PLOT_WIDTH x NNT_PLOT_HEIGHT, allocated here: release it
 * with img_free). layout, if not NULL, receives where each panel's data landed. Fails on n < 1,
 * no series at all, an infinite value or an accuracy outside [0, 1] (message says which series
 * and epoch). */
int plot_render(nnt_image *img, nnt_plot_layout *layout, const nnt_curves *c, nnt_err *err);

/* plot_render, then writes the chart to path as a PNG; every message names path. */
int plot_curves(const char *path, const nnt_curves *c, nnt_err *err);

#endif
