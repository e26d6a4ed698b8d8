/* image.h — decoded images: PNG files (png.c: header probing, hardened decoding to 8-bit
 * gray/RGB, writing) and bilinear resizing (resize.c). */
#ifndef NNT_IMAGE_H
#define NNT_IMAGE_H

#include <stddef.h>
#include <stdint.h>

#include "nnt/err.h"

/* Default cap on width × height of one decoded image (--max-pixels); 2^26 = 8192 × 8192. */
#define NNT_DEFAULT_MAX_PIXELS (UINT64_C(1) << 26)

/* What the header says, before any pixel is decoded. */
typedef struct nnt_image_info {
    uint32_t width, height;
    int channels; /* 1 if the file is grayscale (with or without alpha), 3 otherwise (RGB, palette) */
} nnt_image_info;

/* A decoded image: 8 bits per sample, interleaved, row-major, no padding:
 * sample (x, y, c) is pixels[((size_t)y * width + x) * channels + c]. This is also the order of
 * one column of the data matrix X (the tutorial's reshape of an H × W × C array). */
typedef struct nnt_image {
    uint32_t width, height;
    int channels; /* 1 or 3 */
    uint8_t *pixels;
} nnt_image;

/* Reads only the signature and IHDR of path. Fails (message naming path and reason) on anything
 * that is not a PNG, and on width × height > max_pixels. */
int img_probe(nnt_image_info *info, const char *path, uint64_t max_pixels, nnt_err *err);

/* Decodes the whole of path (every colour type, bit depth 1–16, palette, tRNS, interlacing) to
 * `channels` (1: gray, RGB is converted with libpng's default weights; 3: RGB, gray is replicated;
 * 0: the file's own, as img_probe reports). Alpha is dropped, 16-bit samples are scaled to 8 bits.
 * Any libpng error, CRC error, truncation or trailing damage up to IEND fails with the file's name
 * and libpng's reason; nothing is allocated before width × height is checked against max_pixels.
 * On success img->pixels is malloc'd; release it with img_free. Thread-safe. */
int img_load(nnt_image *img, const char *path, int channels, uint64_t max_pixels, nnt_err *err);

/* Frees img->pixels and zeroes img; safe on a zeroed image. */
void img_free(nnt_image *img);

/* Bilinear resize of src into dst (allocated here), width × height ≥ 1, same channels. Pixel
 * centres are aligned (as PIL and OpenCV do), so resizing to the same size is an exact copy. */
int img_resize(nnt_image *dst, const nnt_image *src, uint32_t width, uint32_t height, nnt_err *err);

/* Writes img as an 8-bit PNG (gray, RGB, or RGBA for channels == 4) to path. */
int img_write_png(const char *path, const nnt_image *img, nnt_err *err);

#endif
