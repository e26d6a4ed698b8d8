/* axis.h — a chart's axes: ranges on 1-2-5 steps (or decades) and the numbers written on them. */
#ifndef NNT_AXIS_H
#define NNT_AXIS_H

#include <stddef.h>

#define NNT_AXIS_Y_TICKS 5 /* about how many intervals on a y axis */
#define NNT_AXIS_X_TICKS 6

/* A step m × 10^p with m in {1, 2, 5}. */
typedef struct nnt_tick {
    int m, p;
} nnt_tick;

/* One axis: its range and where its ticks go. */
typedef struct nnt_axis {
    double lo, hi; /* values at the ends; log10 of them when log */
    int log;
    nnt_tick st;   /* linear: ticks at i × st for i = i0..i1 */
    long long i0, i1;
    int every;     /* log: a tick every this many decades */
} nnt_axis;

/* m × 10^p as a double. */
double axis_step_value(nnt_tick s);
/* [lo, hi] widened to whole steps of about (hi - lo) / n_ticks. */
void axis_linear(nnt_axis *ax, double lo, double hi, int n_ticks);
/* Epochs 1..n on [0, a whole number of steps]; the single epoch of a 1-epoch run sits mid-axis. */
void axis_epoch(nnt_axis *ax, int n);
/* Loss: from 0 (or below, for a negative value) to a rounded maximum, or decade to decade when
 * the positive values span more than two decades. */
void axis_loss(nnt_axis *ax, double vmin, double vmax);
/* Accuracy: up to 1; from 0, or from a rounded value under the lowest point when every point is
 * high enough (≥ 0.5) for 0..1 to squash the curves against the top. */
void axis_accuracy(nnt_axis *ax, double vmin);

/* Whether numbers up to max_abs are written as "2.5e-3" rather than "0.0025". */
int axis_wants_sci(double max_abs);
/* n × 10^k without trailing zeros, plainly or (sci, or more than 6 zeros) as "2.5e-3". */
void axis_format_decimal(char *buf, size_t size, long long n, int k, int sci);
/* A legend value: 3 significant digits, more when 3 would round an accuracy up to "1". */
void axis_format_value(char *buf, size_t size, double v);

#endif
