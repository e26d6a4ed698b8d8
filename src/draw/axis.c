/* axis.c — a chart's axes: ranges widened to 1-2-5 steps, linear or by decades, and the numbers
 * written on them and in legends, formatted exactly and whatever the locale. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "nnt/axis.h"




/* ---- numbers, locale-independent */

/* Whether numbers up to max_abs are written as "2.5e-3" rather than "0.0025": below 0.01 and
 * from a million up. An axis decides once, from its largest tick, so its labels match. */
int axis_wants_sci(double max_abs)
{
    return max_abs != 0 && (max_abs < 0.01 || max_abs >= 1e6);
}

/* Writes n × 10^k without trailing zeros, plainly ("0.25", "2500") or, when sci (or when plain
 * would take more than 6 zeros), as "2.5e-3", "1e6". Exact: tick values are built from integers,
 * and nothing depends on the locale. */
void axis_format_decimal(char *buf, size_t size, long long n, int k, int sci)
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
    axis_format_decimal(buf, size, v < 0 ? -m : m, e - (digits - 1) + shift, axis_wants_sci(fabs(v)));
}

/* A legend value: 3 significant digits, more when 3 would round an accuracy such as 0.9996 up to a
 * perfect "1". */
void axis_format_value(char *buf, size_t size, double v)
{
    for (int digits = 3;; digits++) {
        format_sig(buf, size, v, digits);
        if (v == 1 || strcmp(buf, "1") != 0 || digits == 6)
            return;
    }
}

/* ---- axes */

/* The 1-2-5 step nearest raw (raw > 0), so that an axis gets between about 0.7 and 1.5 times
 * the intervals asked for. */
static nnt_tick nice_step(double raw)
{
    int p = (int)floor(log10(raw));
    double f = raw / pow(10, p);
    nnt_tick s = {1, p};
    if (f >= 7.07) /* geometric midpoints: sqrt(2 * 5) = 3.16, sqrt(5 * 10) = 7.07, sqrt(1 * 2) = 1.41 */
        s = (nnt_tick){1, p + 1};
    else if (f >= 3.16)
        s.m = 5;
    else if (f >= 1.41)
        s.m = 2;
    return s;
}

double axis_step_value(nnt_tick s)
{
    return s.m * pow(10, s.p);
}

static void linear_ticks(nnt_axis *ax)
{
    double s = axis_step_value(ax->st);
    ax->i0 = (long long)ceil(ax->lo / s - 1e-6);
    ax->i1 = (long long)floor(ax->hi / s + 1e-6);
}

/* [lo, hi] widened to whole steps of about (hi - lo) / n_ticks. */
void axis_linear(nnt_axis *ax, double lo, double hi, int n_ticks)
{
    ax->log = 0;
    ax->st = nice_step((hi - lo) / n_ticks);
    double s = axis_step_value(ax->st);
    ax->lo = floor(lo / s + 1e-9) * s;
    ax->hi = ceil(hi / s - 1e-9) * s;
    linear_ticks(ax);
}

/* Epochs 1..n on [0, a whole number of steps]; the single epoch of a 1-epoch run sits mid-axis. */
void axis_epoch(nnt_axis *ax, int n)
{
    ax->log = 0;
    ax->st = nice_step(n / (double)NNT_AXIS_X_TICKS);
    if (ax->st.p < 0)
        ax->st = (nnt_tick){1, 0};
    double s = axis_step_value(ax->st);
    ax->lo = 0;
    ax->hi = ceil(n / s - 1e-9) * s;
    if (ax->hi < 2)
        ax->hi = 2;
    linear_ticks(ax);
}

/* Loss: from 0 (or below, for a negative value) to a rounded maximum, or on a log scale, decade
 * to decade, when the positive values span more than two decades. */
void axis_loss(nnt_axis *ax, double vmin, double vmax)
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
    axis_linear(ax, lo < 0 ? lo - room : lo, hi > 0 ? hi + room : hi, NNT_AXIS_Y_TICKS);
}

/* Accuracy: up to 1; from 0, or from a rounded value under the lowest point when every point is
 * high enough (≥ 0.5) for 0..1 to squash the curves against the top. */
void axis_accuracy(nnt_axis *ax, double vmin)
{
    double lo = vmin < 0.9 ? vmin : 0.9;
    if (lo < 0.5) {
        axis_linear(ax, 0, 1, NNT_AXIS_Y_TICKS);
        return;
    }
    ax->log = 0;
    ax->st = nice_step((1 - lo) / NNT_AXIS_Y_TICKS);
    double s = axis_step_value(ax->st);
    ax->lo = floor(lo / s + 1e-9) * s;
    if (vmin - ax->lo < 0.02 * (1 - ax->lo))
        ax->lo -= s;
    if (ax->lo < 0)
        ax->lo = 0;
    ax->hi = 1;
    linear_ticks(ax);
}
