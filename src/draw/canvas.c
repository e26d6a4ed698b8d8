/* canvas.c — raster drawing on an RGB image: alpha blending, rectangles, text in the bitmap font
 * of font.h, and anti-aliased lines drawn into coverage masks and painted once. */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "font.h"
#include "nnt/canvas.h"

_Static_assert(NNT_CANVAS_CAP == FONT_CAP, "canvas.h names font.h's capital height");

void canvas_blend(nnt_canvas *cv, int x, int y, nnt_rgb c, double a)
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

void canvas_fill_rect(nnt_canvas *cv, int x, int y, int w, int h, nnt_rgb c, double a)
{
    for (int j = y; j < y + h; j++)
        for (int i = x; i < x + w; i++)
            canvas_blend(cv, i, j, c, a);
}

static int glyph_ink(unsigned char ch, int col, int row)
{
    if (ch < FONT_FIRST || ch > FONT_LAST)
        ch = '?';
    int g = ch - FONT_FIRST;
    return font_sheet[g / FONT_PER_BLOCK][row][(g % FONT_PER_BLOCK) * (FONT_W + 1) + col] == '#';
}

/* Width in pixels of s (bold adds one column). */
int canvas_text_width(const char *s, int bold)
{
    size_t n = strlen(s);
    return n ? (int)n * FONT_ADVANCE - 1 + bold : 0;
}

/* Draws s with the top of its capitals at row y; bold is the text drawn twice, one pixel apart. */
void canvas_draw_text(nnt_canvas *cv, int x, int y, const char *s, nnt_rgb c, int bold)
{
    for (; *s; s++, x += FONT_ADVANCE)
        for (int row = 0; row < FONT_H; row++)
            for (int col = 0; col < FONT_W; col++)
                if (glyph_ink((unsigned char)*s, col, row))
                    canvas_fill_rect(cv, x + col, y + row, 1 + bold, 1, c, 1);
}

static void cover(nnt_mask *mk, int x, int y, double cov)
{
    if (cov <= 0)
        return;
    float *a = &mk->a[(size_t)(y - mk->y0) * mk->w + (x - mk->x0)];
    if (cov > *a)
        *a = cov > 1 ? 1.0f : (float)cov;
}

/* A round-capped segment of half-width hw, anti-aliased by distance from pixel centres. */
void canvas_segment(nnt_mask *mk, double ax, double ay, double bx, double by, double hw)
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
            cover(mk, x, y, hw + 0.5 - sqrt(ex * ex + ey * ey));
        }
}

/* The dashed version: phase is the distance along the line so far, carried between segments. */
void canvas_dashed(nnt_mask *mk, double ax, double ay, double bx, double by, double hw, double on,
                   double off, double *phase)
{
    const double period = on + off;
    double len = hypot(bx - ax, by - ay);
    for (double s = 0; s < len;) {
        double r = fmod(*phase + s, period);
        double next = r < on ? s + (on - r) : s + (period - r);
        if (next < s + 1e-6)
            next = s + 1e-6;
        if (next > len)
            next = len;
        if (r < on && len > 0)
            canvas_segment(mk, ax + (bx - ax) * s / len, ay + (by - ay) * s / len,
                           ax + (bx - ax) * next / len, ay + (by - ay) * next / len, hw);
        s = next;
    }
    *phase = fmod(*phase + len, period);
}

void canvas_paint(nnt_canvas *cv, nnt_mask *mk, nnt_mask *occupied, nnt_rgb c)
{
    size_t n = (size_t)mk->w * mk->h;
    for (size_t k = 0; k < n; k++) {
        if (mk->a[k] <= 0)
            continue;
        canvas_blend(cv, mk->x0 + (int)(k % mk->w), mk->y0 + (int)(k / mk->w), c, mk->a[k]);
        if (mk->a[k] > occupied->a[k])
            occupied->a[k] = mk->a[k];
        mk->a[k] = 0;
    }
}
