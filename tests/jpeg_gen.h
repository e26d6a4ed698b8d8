/* jpeg_gen.h — JPEG files made with libjpeg's compressor, for test_jpeg.c, make_jpeg.c (the CLI
 * tests' and the fuzz corpus's files): every kind nnt reads, from one smooth source image. */
#ifndef NNT_TEST_JPEG_GEN_H
#define NNT_TEST_JPEG_GEN_H

#include <stdint.h>
#include <stdio.h> /* before jpeglib.h */
#include <stdlib.h>
#include <string.h>

#include <jpeglib.h>

typedef enum jpeg_gen_kind {
    JG_GRAY,        /* 1 component */
    JG_YCC,         /* RGB stored as YCbCr 4:4:4, the usual colour file */
    JG_RGB,         /* RGB stored as RGB (Adobe transform 0) */
    JG_SUBSAMPLED,  /* YCbCr 4:2:0, as cameras write */
    JG_CMYK,        /* Adobe CMYK, samples inverted as Photoshop stores them */
    JG_CMYK_PLAIN,  /* CMYK without an Adobe marker, samples as they are */
    JG_YCCK,        /* Adobe YCCK */
    JG_PROGRESSIVE, /* YCbCr, progressive */
    JG_ARITH,       /* YCbCr, arithmetic-coded */
    JG_RESTART,     /* YCbCr with a restart marker after every MCU */
    JG_GRAY_PROGRESSIVE_ARITH,
    JG_N_KINDS
} jpeg_gen_kind;

static const char *const jpeg_gen_names[JG_N_KINDS] = {
    "gray", "ycc", "rgb", "subsampled", "cmyk", "cmyk-plain", "ycck", "progressive", "arithmetic",
    "restart", "gray-progressive-arithmetic"};

/* The source image: smooth ramps (JPEG keeps them within a few levels), channel c of 4. */
static inline uint8_t jpeg_gen_sample(int x, int y, int c, int w, int h)
{
    int v;
    switch (c) {
    case 0: v = 40 + 170 * x / (w > 1 ? w - 1 : 1); break;
    case 1: v = 220 - 160 * y / (h > 1 ? h - 1 : 1); break;
    case 2: v = 60 + 60 * (x + y) / (w + h); break;
    default: v = 30 + 40 * y / (h > 1 ? h - 1 : 1); break;
    }
    return (uint8_t)v;
}

/* The components of kind: 1 (gray), 3 (RGB) or 4 (CMYK, as the source stores them). */
static inline int jpeg_gen_components(int kind)
{
    if (kind == JG_GRAY || kind == JG_GRAY_PROGRESSIVE_ARITH)
        return 1;
    return kind == JG_CMYK || kind == JG_CMYK_PLAIN || kind == JG_YCCK ? 4 : 3;
}

/* The sample libjpeg is given: CMYK kinds with an Adobe marker are stored inverted. */
static inline uint8_t jpeg_gen_stored(int kind, int x, int y, int c, int w, int h)
{
    uint8_t v = jpeg_gen_sample(x, y, c, w, h);
    return kind == JG_CMYK || kind == JG_YCCK ? (uint8_t)(255 - v) : v;
}

/* A w × h JPEG of kind at quality, malloc'd into *out (*n bytes); 0 or -1. */
static inline int jpeg_gen(uint8_t **out, size_t *n, int kind, int w, int h, int quality)
{
    struct jpeg_compress_struct c;
    struct jpeg_error_mgr jerr;
    unsigned char *buf = NULL;
    unsigned long len = 0;
    int comps = jpeg_gen_components(kind);
    uint8_t *row = malloc((size_t)w * (size_t)comps);
    if (!row)
        return -1;
    c.err = jpeg_std_error(&jerr);
    jpeg_create_compress(&c);
    jpeg_mem_dest(&c, &buf, &len);
    c.image_width = (JDIMENSION)w;
    c.image_height = (JDIMENSION)h;
    c.input_components = comps;
    c.in_color_space = comps == 1 ? JCS_GRAYSCALE : comps == 3 ? JCS_RGB : JCS_CMYK;
    jpeg_set_defaults(&c);
    jpeg_set_quality(&c, quality, TRUE);
    /* 4:4:4 unless asked: chroma at full resolution keeps the ramps' colours exact enough */
    for (int i = 0; i < c.num_components; i++)
        c.comp_info[i].h_samp_factor = c.comp_info[i].v_samp_factor = 1;
    if (kind == JG_SUBSAMPLED)
        c.comp_info[0].h_samp_factor = c.comp_info[0].v_samp_factor = 2;
    if (kind == JG_RGB)
        jpeg_set_colorspace(&c, JCS_RGB);
    if (kind == JG_YCCK)
        jpeg_set_colorspace(&c, JCS_YCCK);
    if (kind == JG_CMYK_PLAIN)
        c.write_Adobe_marker = FALSE;
    if (kind == JG_PROGRESSIVE || kind == JG_GRAY_PROGRESSIVE_ARITH)
        jpeg_simple_progression(&c);
    if (kind == JG_ARITH || kind == JG_GRAY_PROGRESSIVE_ARITH)
        c.arith_code = TRUE;
    if (kind == JG_RESTART)
        c.restart_interval = 1;
    jpeg_start_compress(&c, TRUE);
    while (c.next_scanline < c.image_height) {
        int y = (int)c.next_scanline;
        for (int x = 0; x < w; x++)
            for (int k = 0; k < comps; k++)
                row[(size_t)x * comps + k] = jpeg_gen_stored(kind, x, y, k, w, h);
        JSAMPROW rows[1] = {row};
        jpeg_write_scanlines(&c, rows, 1);
    }
    jpeg_finish_compress(&c);
    jpeg_destroy_compress(&c);
    free(row);
    *out = buf;
    *n = len;
    return 0;
}

/* The offset of the first marker `code` (FF code) among the markers before the first scan's
 * data, or 0: for patching a SOF's size or finding where the entropy-coded data starts. */
static inline size_t jpeg_gen_find_marker(const uint8_t *p, size_t n, int code)
{
    size_t pos = 2;
    while (pos + 4 <= n && p[pos] == 0xff) {
        if (p[pos + 1] == code)
            return pos;
        if (p[pos + 1] == 0xda)
            return 0;
        pos += 2 + ((size_t)p[pos + 2] << 8 | p[pos + 3]);
    }
    return 0;
}

#endif
