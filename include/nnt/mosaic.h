/* mosaic.h — the first-layer weights of every hidden unit drawn as images of the input's shape,
 * one tile per unit, in one grid: what each unit responds to. */
#ifndef NNT_MOSAIC_H
#define NNT_MOSAIC_H

#include <stdint.h>

#include "nnt/err.h"
#include "nnt/image.h"
#include "nnt/model.h"

#define NNT_MOSAIC_GAP 2 /* black pixels between tiles and around the grid */

/* Diverging colours of gray inputs: a tile's most negative weight, 0, its most positive. */
#define NNT_MOSAIC_NEG_R 33
#define NNT_MOSAIC_NEG_G 102
#define NNT_MOSAIC_NEG_B 172
#define NNT_MOSAIC_POS_R 178
#define NNT_MOSAIC_POS_G 24
#define NNT_MOSAIC_POS_B 43

typedef struct nnt_mosaic_layout {
    uint32_t cols, rows;         /* cols = ⌈√units⌉, rows = ⌈units / cols⌉ */
    uint32_t tile_w, tile_h;     /* input width and height × scale */
    uint32_t width, height;      /* the whole image, gaps included */
} nnt_mosaic_layout;

/* The grid for n_units tiles of w × h weights drawn at scale pixels per weight; fails (message
 * with the size) when the image would have more than max_pixels pixels. */
int mosaic_layout(nnt_mosaic_layout *l, int n_units, uint32_t w, uint32_t h, int scale,
                  uint64_t max_pixels, nnt_err *err);

/* Draws W1 of m into img (RGB, allocated here; free with img_free). Tile u, left to right then top
 * to bottom, shows row u of W1 as an H × W × C image, each weight a scale × scale square, scaled
 * by the tile's own largest |w| (m_u) so that 0 stays in the middle: gray inputs go from blue
 * (−m_u) through white (0) to red (+m_u); RGB inputs show each channel as 0.5 + w / (2·m_u). */
int mosaic_draw(nnt_image *img, const nnt_model *m, int scale, uint64_t max_pixels, nnt_err *err);

#endif
