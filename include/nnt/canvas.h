/* canvas.h — raster drawing on an RGB image: blending, rectangles, bitmap text, anti-aliased lines. */
#ifndef NNT_CANVAS_H
#define NNT_CANVAS_H

#include <stdint.h>

/* Rows of a capital letter or digit in the bitmap font: text is centred on lines by it. */
#define NNT_CANVAS_CAP 9

typedef struct nnt_rgb {
    uint8_t r, g, b;
} nnt_rgb;

/* w × h pixels of 3 bytes, row-major, no padding. */
typedef struct nnt_canvas {
    uint8_t *px;
    int w, h;
} nnt_canvas;

/* Coverage in [0, 1] over a rectangle of the canvas: lines are drawn into a mask and the mask is
 * painted once, so overlapping segments of one line do not darken each other. */
typedef struct nnt_mask {
    float *a;         /* w × h, row-major */
    int x0, y0, w, h; /* canvas position of a[0], size */
} nnt_mask;

/* Pixel (x, y) moved a of the way to c (a clamped to 1; outside the canvas: nothing). */
void canvas_blend(nnt_canvas *cv, int x, int y, nnt_rgb c, double a);
void canvas_fill_rect(nnt_canvas *cv, int x, int y, int w, int h, nnt_rgb c, double a);
/* Width in pixels of s in the bitmap font (bold adds one column). */
int canvas_text_width(const char *s, int bold);
/* Draws s with the top of its capitals at row y; bold is the text drawn twice, one pixel apart. */
void canvas_draw_text(nnt_canvas *cv, int x, int y, const char *s, nnt_rgb c, int bold);

/* A round-capped segment of half-width hw into mk, anti-aliased by distance from pixel centres. */
void canvas_segment(nnt_mask *mk, double ax, double ay, double bx, double by, double hw);
/* The same dashed, `on` pixels drawn and `off` left out; *phase is the distance along the line so
 * far, carried from segment to segment. */
void canvas_dashed(nnt_mask *mk, double ax, double ay, double bx, double by, double hw, double on,
                   double off, double *phase);
/* Blends mk in colour c onto the canvas, adds it to occupied (same rectangle) and clears mk. */
void canvas_paint(nnt_canvas *cv, nnt_mask *mk, nnt_mask *occupied, nnt_rgb c);

#endif
