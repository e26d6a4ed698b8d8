/* searchplot.h — the chart of a parameter search (nnt tune --plot): accuracy against one searched
 * option as a line, or against two as a heat map (a grid) or coloured points (random draws), with
 * a colour bar and the best trial marked and labelled. */
#ifndef NNT_SEARCHPLOT_H
#define NNT_SEARCHPLOT_H

#include "nnt/err.h"
#include "nnt/image.h"

#define NNT_SEARCHPLOT_WIDTH 900
#define NNT_SEARCHPLOT_HEIGHT 620

/* One trial: its values as written on the command line, and its score. */
typedef struct nnt_search_point {
    const char *x, *y; /* y NULL for a search of one option */
    double acc;        /* in [0, 1] */
    int best;          /* 1 for the trial ranked first */
} nnt_search_point;

typedef struct nnt_search_chart {
    const char *x_name, *y_name; /* the options; y_name NULL for one */
    int x_log, y_log;            /* a log range was searched: a numeric axis is logarithmic */
    int numeric;                 /* values drawn at random: numeric axes (when every value is a
                                    number) rather than one column per value */
    const nnt_search_point *points;
    int n;                       /* ≥ 1 */
    const char *title;           /* may be NULL */
} nnt_search_chart;

/* Draws the chart into img (RGB, NNT_SEARCHPLOT_WIDTH x NNT_SEARCHPLOT_HEIGHT, allocated here:
 * img_free). A grid's values go one per column (or row), in the order they first appear; with
 * two options each cell is coloured by its accuracy (the best, when trials share a cell) and
 * written in it. Fails on n < 1, more than 64 distinct values of a gridded option, or an
 * accuracy outside [0, 1]. */
int searchplot_render(nnt_image *img, const nnt_search_chart *c, nnt_err *err);

/* searchplot_render, then writes the chart to path as a PNG (atomically); messages name path. */
int searchplot_write(const char *path, const nnt_search_chart *c, nnt_err *err);

#endif
