/* image.h — decoded images: the reader a file's first bytes choose (image.c), PNG files (png.c:
 * header probing, hardened decoding to 8-bit gray/RGB, writing), JPEG files (jpeg.c, the same
 * hardening) and bilinear resizing (resize.c). */
#ifndef NNT_IMAGE_H
#define NNT_IMAGE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

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

/* Reads only the header of path: a PNG's signature and IHDR, a JPEG's markers up to its first
 * scan. The format is told by the first bytes, never by the name. Fails (message naming path and
 * reason) on anything that is neither ("not a PNG or JPEG image", with the format when it is a
 * known other one), and on width × height > max_pixels. */
int img_probe(nnt_image_info *info, const char *path, uint64_t max_pixels, nnt_err *err);

/* Decodes the whole of path to `channels` (1: gray, RGB is converted with libpng's default
 * weights; 3: RGB, gray is replicated; 0: the file's own, as img_probe reports). PNG: every colour
 * type, bit depth 1–16, palette, tRNS, interlacing; alpha is dropped, 16-bit samples are scaled to
 * 8 bits. JPEG: gray, YCbCr/RGB, CMYK/YCCK (to RGB), baseline, progressive, arithmetic-coded.
 * Any decoder error or warning of damage, a CRC error, truncation or trailing damage up to IEND or
 * EOI fails with the file's name and the reason; nothing is allocated before width × height is
 * checked against max_pixels. On success img->pixels is malloc'd; release it with img_free.
 * Thread-safe. */
int img_load(nnt_image *img, const char *path, int channels, uint64_t max_pixels, nnt_err *err);

/* What a file's name says it is, for the dataset scan (which does not open the files it skips). */
typedef enum nnt_image_name {
    NNT_NAME_IMAGE,       /* .png, .jpg, .jpeg (any case): a file nnt reads */
    NNT_NAME_UNSUPPORTED, /* an image format nnt does not read (.bmp, .gif, .webp, .tif, ...) */
    NNT_NAME_OTHER        /* anything else: not an image */
} nnt_image_name;
/* The kind of name; *ext (may be NULL) is set to the extension of an unsupported one, such as
 * ".gif" (static text, lower case). */
nnt_image_name img_name_kind(const char *name, const char **ext);

/* A file opened by img_probe or img_load, its first n_head bytes (at most 8) read into head: the
 * readers below go on from there. */
typedef struct nnt_image_file {
    FILE *fp;
    const char *path;
    uint8_t head[8];
    size_t n_head;
} nnt_image_file;

/* The readers image.c dispatches to, with the semantics of img_probe and img_load; channels is
 * 0, 1 or 3; info and img are zeroed by the caller. */
int img_png_probe(nnt_image_info *info, nnt_image_file *f, uint64_t max_pixels, nnt_err *err);
int img_png_load(nnt_image *img, nnt_image_file *f, int channels, uint64_t max_pixels, nnt_err *err);
int img_jpeg_probe(nnt_image_info *info, nnt_image_file *f, uint64_t max_pixels, nnt_err *err);
int img_jpeg_load(nnt_image *img, nnt_image_file *f, int channels, uint64_t max_pixels, nnt_err *err);

/* Frees img->pixels and zeroes img; safe on a zeroed image. */
void img_free(nnt_image *img);

/* Bilinear resize of src into dst (allocated here), width × height ≥ 1, same channels. Pixel
 * centres are aligned (as PIL and OpenCV do), so resizing to the same size is an exact copy. */
int img_resize(nnt_image *dst, const nnt_image *src, uint32_t width, uint32_t height, nnt_err *err);

/* Writes img as an 8-bit PNG (gray, RGB, or RGBA for channels == 4) to path. */
int img_write_png(const char *path, const nnt_image *img, nnt_err *err);

#endif
