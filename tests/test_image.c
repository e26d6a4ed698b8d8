/* test_image.c — the PNG reader against files written here with libpng (every format), hostile
 * files (truncated, bit-flipped, huge, bombs), bilinear resizing, and the writer's round trip. */
#include <dirent.h>
#include <png.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "check.h"
#include "nnt/image.h"

#define MAXPIX NNT_DEFAULT_MAX_PIXELS

/* ---- files -------------------------------------------------------------------------------- */

static char tmp_dir[512];

static void tmp_path(char *out, size_t size, const char *name)
{
    snprintf(out, size, "%s/%s", tmp_dir, name);
}

static int write_bytes(const char *path, const void *data, size_t n)
{
    FILE *fp = fopen(path, "wb");
    if (!fp)
        return -1;
    size_t put = n ? fwrite(data, 1, n, fp) : 0;
    return (fclose(fp) == 0 && put == n) ? 0 : -1;
}

static uint8_t *read_bytes(const char *path, size_t *n)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return NULL;
    uint8_t *buf = NULL;
    if (fseek(fp, 0, SEEK_END) == 0) {
        long len = ftell(fp);
        if (len > 0 && fseek(fp, 0, SEEK_SET) == 0 && (buf = malloc((size_t)len)) != NULL &&
            fread(buf, 1, (size_t)len, fp) != (size_t)len) {
            free(buf);
            buf = NULL;
        }
        *n = len > 0 ? (size_t)len : 0;
    }
    fclose(fp);
    return buf;
}

static void remove_tmp_dir(void)
{
    DIR *d = opendir(tmp_dir);
    if (d) {
        struct dirent *e;
        char path[1024];
        while ((e = readdir(d)) != NULL) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                continue;
            tmp_path(path, sizeof path, e->d_name);
            unlink(path);
        }
        closedir(d);
    }
    rmdir(tmp_dir);
}

/* A failed call must say which file it was about. */
#define CHECK_FAILS(rc, err, path)                                                                       \
    do {                                                                                                 \
        CHECKF((rc) != 0, "%s: expected a failure", (path));                                             \
        if ((rc) != 0)                                                                                   \
            CHECKF(strstr((err).msg, (path)) != NULL, "message does not name the file: %s", (err).msg); \
    } while (0)

/* ---- generated test images ---------------------------------------------------------------- */

/* What a test PNG holds, at the file's own bit depth: samples are gray, gray+alpha, RGB, RGBA or
 * palette indices, n_file_channels per pixel. */
typedef struct test_png {
    uint32_t width, height;
    int color_type, depth, interlace;
    int trns; /* write a tRNS chunk (gray, RGB, palette) */
    uint16_t *samples;
    png_color palette[256];
    int n_palette;
    png_byte trans_alpha[256];
    int n_trans;
    png_color_16 trans_color;
    const char *text_before, *text_after; /* optional tEXt before IDAT and after it */
} test_png;

static int n_file_channels(int color_type)
{
    switch (color_type) {
    case PNG_COLOR_TYPE_GRAY_ALPHA: return 2;
    case PNG_COLOR_TYPE_RGB: return 3;
    case PNG_COLOR_TYPE_RGB_ALPHA: return 4;
    default: return 1; /* gray, palette */
    }
}

static uint32_t lcg_next(uint32_t *state)
{
    *state = *state * 1664525u + 1013904223u;
    return *state >> 8;
}

/* Fills t->samples (malloc'd) with a pattern that has the extremes, gray-looking colour pixels
 * (r = g = b, which rgb_to_gray passes through) and everything else pseudo-random. */
static void make_pattern(test_png *t, uint32_t seed)
{
    int nc = n_file_channels(t->color_type);
    unsigned max = (1u << t->depth) - 1u; /* for a palette, the last index */
    size_t n_pixels = (size_t)t->width * t->height;
    t->samples = malloc(n_pixels * nc * sizeof *t->samples);
    for (size_t i = 0; i < n_pixels; i++) {
        uint16_t *p = t->samples + i * nc;
        for (int k = 0; k < nc; k++)
            p[k] = (uint16_t)(i == 0 ? max : i == 1 ? 0 : lcg_next(&seed) % (max + 1));
        if (nc >= 3 && i % 3 == 2)
            p[1] = p[2] = p[0];
    }
    if (t->color_type == PNG_COLOR_TYPE_PALETTE) {
        t->n_palette = 1 << t->depth;
        for (int i = 0; i < t->n_palette; i++) {
            png_color c = {(png_byte)lcg_next(&seed), (png_byte)lcg_next(&seed), (png_byte)lcg_next(&seed)};
            if (i % 4 == 1)
                c.green = c.blue = c.red;
            t->palette[i] = c;
        }
        t->n_trans = t->n_palette < 5 ? t->n_palette : 5;
        for (int i = 0; i < t->n_trans; i++)
            t->trans_alpha[i] = (png_byte)(i * 60);
    }
    /* tRNS names a colour that really occurs (pixel 0), so a decoder that composited it would show. */
    const uint16_t *p0 = t->samples;
    if (nc == 1)
        t->trans_color.gray = p0[0];
    else if (nc == 3) {
        t->trans_color.red = p0[0];
        t->trans_color.green = p0[1];
        t->trans_color.blue = p0[2];
    }
}

/* Writes t with libpng's own writer (which does the packing and the Adam7 interlacing). */
static int write_test_png(const char *path, const test_png *t)
{
    int nc = n_file_channels(t->color_type);
    int bytes_per_sample = t->depth == 16 ? 2 : 1; /* depths below 8 are packed by png_set_packing */
    size_t row_bytes = (size_t)t->width * nc * bytes_per_sample;
    uint8_t *raw = malloc(row_bytes * t->height);
    png_bytep *rows = malloc(t->height * sizeof *rows);
    FILE *fp = fopen(path, "wb");
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    int ok = raw && rows && fp && png && info;
    if (ok && setjmp(png_jmpbuf(png)) == 0) {
        for (uint32_t y = 0; y < t->height; y++) {
            rows[y] = raw + y * row_bytes;
            for (size_t i = 0; i < (size_t)t->width * nc; i++) {
                uint16_t v = t->samples[(size_t)y * t->width * nc + i];
                if (t->depth == 16) {
                    rows[y][2 * i] = (uint8_t)(v >> 8);
                    rows[y][2 * i + 1] = (uint8_t)v;
                } else
                    rows[y][i] = (uint8_t)v;
            }
        }
        png_init_io(png, fp);
        png_set_IHDR(png, info, t->width, t->height, t->depth, t->color_type,
                     t->interlace ? PNG_INTERLACE_ADAM7 : PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
                     PNG_FILTER_TYPE_DEFAULT);
        if (t->color_type == PNG_COLOR_TYPE_PALETTE)
            png_set_PLTE(png, info, t->palette, t->n_palette);
        if (t->trns)
            png_set_tRNS(png, info, t->trans_alpha, t->n_trans, &t->trans_color);
        png_text text = {.compression = PNG_TEXT_COMPRESSION_NONE, .key = "Comment"};
        if (t->text_before) {
            text.text = (char *)t->text_before;
            png_set_text(png, info, &text, 1);
        }
        png_write_info(png, info);
        if (t->depth < 8)
            png_set_packing(png);
        png_write_image(png, rows);
        if (t->text_after) { /* chunks set now are written by png_write_end, after IDAT */
            text.text = (char *)t->text_after;
            png_set_text(png, info, &text, 1);
        }
        png_write_end(png, info);
    } else
        ok = 0;
    png_destroy_write_struct(&png, &info);
    if (fp && fclose(fp) != 0)
        ok = 0;
    free(rows);
    free(raw);
    return ok ? 0 : -1;
}

/* The 8-bit value libpng gives for sample v of the given depth: low depths replicate their bits
 * (1 -> 255, 2-bit 1 -> 85); png_set_scale_16 rounds v * 255 / 65535 to nearest. */
static unsigned to8(unsigned v, int depth)
{
    if (depth == 16)
        return (v * 255u + 32767u) / 65535u;
    return v * 255u / ((1u << depth) - 1u);
}

/* png_set_rgb_to_gray with the default weights (6968, 23434, 2366) / 32768, as pngrtran.c does
 * it without gamma: 8-bit truncates and keeps gray pixels exact; 16-bit rounds, then scales. */
static unsigned rgb_to_gray(unsigned r, unsigned g, unsigned b, int depth)
{
    if (depth == 16)
        return to8((6968u * r + 23434u * g + 2366u * b + 16384u) >> 15, 16);
    if (r == g && g == b)
        return r;
    return (6968u * r + 23434u * g + 2366u * b) >> 15;
}

/* What img_load must return for t at `channels` (0: the file's own). */
static uint8_t *expected_pixels(const test_png *t, int channels, int *out_channels)
{
    int nc = n_file_channels(t->color_type);
    int color = (t->color_type & PNG_COLOR_MASK_COLOR) != 0;
    int c = channels ? channels : color ? 3 : 1;
    size_t n_pixels = (size_t)t->width * t->height;
    uint8_t *out = malloc(n_pixels * c);
    for (size_t i = 0; i < n_pixels; i++) {
        const uint16_t *p = t->samples + i * nc;
        unsigned r, g, b;
        int depth = t->depth;
        if (t->color_type == PNG_COLOR_TYPE_PALETTE) {
            png_color pc = t->palette[p[0]];
            r = pc.red, g = pc.green, b = pc.blue, depth = 8;
        } else if (color)
            r = p[0], g = p[1], b = p[2];
        else
            r = g = b = p[0];
        uint8_t *o = out + i * c;
        if (c == 3) {
            o[0] = (uint8_t)to8(r, depth);
            o[1] = (uint8_t)to8(g, depth);
            o[2] = (uint8_t)to8(b, depth);
        } else
            o[0] = (uint8_t)(color ? rgb_to_gray(r, g, b, depth) : to8(r, depth));
    }
    *out_channels = c;
    return out;
}

static const char *color_name(int ct)
{
    switch (ct) {
    case PNG_COLOR_TYPE_GRAY: return "gray";
    case PNG_COLOR_TYPE_GRAY_ALPHA: return "gray+alpha";
    case PNG_COLOR_TYPE_RGB: return "rgb";
    case PNG_COLOR_TYPE_RGB_ALPHA: return "rgba";
    default: return "palette";
    }
}

static void check_decodes(const char *path, const test_png *t, const char *label)
{
    nnt_err err = {{0}, 0};
    nnt_image_info info;
    int color = (t->color_type & PNG_COLOR_MASK_COLOR) != 0;
    int rc = img_probe(&info, path, MAXPIX, &err);
    CHECKF(rc == 0, "%s: probe: %s", label, err.msg);
    if (rc == 0)
        CHECKF(info.width == t->width && info.height == t->height && info.channels == (color ? 3 : 1),
               "%s: probe says %ux%u x%d", label, info.width, info.height, info.channels);

    static const int asked[] = {0, 1, 3};
    for (size_t a = 0; a < sizeof asked / sizeof *asked; a++) {
        nnt_image img;
        rc = img_load(&img, path, asked[a], MAXPIX, &err);
        CHECKF(rc == 0, "%s, channels %d: %s", label, asked[a], err.msg);
        if (rc != 0)
            continue;
        int c;
        uint8_t *want = expected_pixels(t, asked[a], &c);
        int same_shape = img.width == t->width && img.height == t->height && img.channels == c;
        CHECKF(same_shape, "%s, channels %d: got %ux%u x%d", label, asked[a], img.width, img.height, img.channels);
        if (same_shape) {
            size_t n = (size_t)t->width * t->height * c, i = 0;
            while (i < n && img.pixels[i] == want[i])
                i++;
            CHECKF(i == n, "%s, channels %d: pixel %zu sample %zu is %d, expected %d", label, asked[a], i / c,
                   i % c, i < n ? img.pixels[i] : 0, i < n ? want[i] : 0);
        }
        free(want);
        img_free(&img);
    }
}

/* Every colour type at every legal depth, interlaced or not, with and without tRNS, odd sizes. */
static void test_formats(void)
{
    static const struct {
        int color_type, depth;
    } formats[] = {
        {PNG_COLOR_TYPE_GRAY, 1},       {PNG_COLOR_TYPE_GRAY, 2},       {PNG_COLOR_TYPE_GRAY, 4},
        {PNG_COLOR_TYPE_GRAY, 8},       {PNG_COLOR_TYPE_GRAY, 16},      {PNG_COLOR_TYPE_GRAY_ALPHA, 8},
        {PNG_COLOR_TYPE_GRAY_ALPHA, 16}, {PNG_COLOR_TYPE_RGB, 8},        {PNG_COLOR_TYPE_RGB, 16},
        {PNG_COLOR_TYPE_RGB_ALPHA, 8},  {PNG_COLOR_TYPE_RGB_ALPHA, 16}, {PNG_COLOR_TYPE_PALETTE, 1},
        {PNG_COLOR_TYPE_PALETTE, 2},    {PNG_COLOR_TYPE_PALETTE, 4},    {PNG_COLOR_TYPE_PALETTE, 8},
    };
    static const uint32_t sizes[][2] = {{1, 1}, {7, 3}, {3, 7}, {17, 9}};
    char path[1024], label[128];
    uint32_t seed = 1;
    int n_files = 0;
    for (size_t f = 0; f < sizeof formats / sizeof *formats; f++) {
        int ct = formats[f].color_type;
        int can_trns = !(ct & PNG_COLOR_MASK_ALPHA);
        for (int interlace = 0; interlace <= 1; interlace++)
            for (size_t s = 0; s < sizeof sizes / sizeof *sizes; s++)
                for (int trns = 0; trns <= can_trns; trns++) {
                    test_png t = {.width = sizes[s][0], .height = sizes[s][1], .color_type = ct,
                                  .depth = formats[f].depth, .interlace = interlace, .trns = trns};
                    make_pattern(&t, seed++);
                    snprintf(label, sizeof label, "%s %d-bit %ux%u%s%s", color_name(ct), t.depth, t.width, t.height,
                             interlace ? " interlaced" : "", trns ? " tRNS" : "");
                    tmp_path(path, sizeof path, "format.png");
                    int rc = write_test_png(path, &t);
                    CHECKF(rc == 0, "%s: cannot write the test file", label);
                    if (rc == 0)
                        check_decodes(path, &t, label);
                    free(t.samples);
                    n_files++;
                }
    }
    CHECK(n_files == (15 + 11) * 2 * 4); /* every combination above ran; 11 formats can have tRNS */
}

/* ---- hostile files ------------------------------------------------------------------------ */

static void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24), p[1] = (uint8_t)(v >> 16), p[2] = (uint8_t)(v >> 8), p[3] = (uint8_t)v;
}

/* Appends a chunk with a correct CRC to buf at *n; returns the new end. */
static size_t put_chunk(uint8_t *buf, size_t n, const char *type, const uint8_t *data, uint32_t len)
{
    put_be32(buf + n, len);
    memcpy(buf + n + 4, type, 4);
    if (len)
        memcpy(buf + n + 8, data, len);
    put_be32(buf + n + 8 + len, (uint32_t)crc32(0, buf + n + 4, 4 + len));
    return n + 12 + len;
}

/* A file whose IHDR says width × height (8-bit RGB), with correct CRCs, then a token IDAT (too
 * short for any image: png_read_info stops at its header) if asked, then IEND. */
static size_t header_only_png(uint8_t *buf, uint32_t width, uint32_t height, int with_idat)
{
    static const uint8_t sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    uint8_t ihdr[13] = {0};
    put_be32(ihdr, width);
    put_be32(ihdr + 4, height);
    ihdr[8] = 8;
    ihdr[9] = PNG_COLOR_TYPE_RGB;
    memcpy(buf, sig, 8);
    size_t n = put_chunk(buf, 8, "IHDR", ihdr, 13);
    if (with_idat)
        n = put_chunk(buf, n, "IDAT", (const uint8_t *)"\x78\x9c", 2);
    return put_chunk(buf, n, "IEND", NULL, 0);
}

static void test_not_png(void)
{
    char path[1024];
    nnt_err err = {{0}, 0};
    nnt_image img;
    nnt_image_info info;

    tmp_path(path, sizeof path, "empty.png");
    CHECK(write_bytes(path, "", 0) == 0);
    int rc = img_load(&img, path, 0, MAXPIX, &err);
    CHECK_FAILS(rc, err, path);
    CHECKF(strstr(err.msg, "empty") != NULL, "%s", err.msg);
    rc = img_probe(&info, path, MAXPIX, &err);
    CHECK_FAILS(rc, err, path);

    tmp_path(path, sizeof path, "x.png");
    const char *text = "this is not an image\n";
    CHECK(write_bytes(path, text, strlen(text)) == 0);
    rc = img_load(&img, path, 0, MAXPIX, &err);
    CHECK_FAILS(rc, err, path);
    CHECKF(strstr(err.msg, "not a PNG") != NULL, "%s", err.msg);
    rc = img_probe(&info, path, MAXPIX, &err);
    CHECK_FAILS(rc, err, path);
    CHECKF(strstr(err.msg, "not a PNG") != NULL, "%s", err.msg);

    tmp_path(path, sizeof path, "missing.png");
    rc = img_load(&img, path, 0, MAXPIX, &err);
    CHECK_FAILS(rc, err, path);

    rc = img_load(&img, tmp_dir, 0, MAXPIX, &err); /* a directory */
    CHECK_FAILS(rc, err, tmp_dir);

    tmp_path(path, sizeof path, "x.png");
    rc = img_load(&img, path, 2, MAXPIX, &err);
    CHECK_FAILS(rc, err, path);
}

static void test_bad_headers(void)
{
    char path[1024];
    uint8_t buf[128];
    nnt_err err = {{0}, 0};
    nnt_image img;
    nnt_image_info info;

    /* 10^10 pixels: must stop at the cap, by message, before any allocation could be tried. */
    tmp_path(path, sizeof path, "huge.png");
    CHECK(write_bytes(path, buf, header_only_png(buf, 100000, 100000, 1)) == 0);
    int rc = img_probe(&info, path, MAXPIX, &err);
    CHECK_FAILS(rc, err, path);
    CHECKF(strstr(err.msg, "100000x100000") && strstr(err.msg, "67108864") && strstr(err.msg, "--max-pixels"),
           "%s", err.msg);
    rc = img_load(&img, path, 0, MAXPIX, &err);
    CHECK_FAILS(rc, err, path);
    CHECKF(strstr(err.msg, "100000x100000") && strstr(err.msg, "67108864") && strstr(err.msg, "--max-pixels"),
           "%s", err.msg);
    CHECK(img.pixels == NULL);

    /* Widths libpng itself rejects: zero, and past 2^31 - 1. */
    static const uint32_t bad_sizes[][2] = {{0, 5}, {5, 0}, {0x80000000u, 1}};
    for (size_t i = 0; i < sizeof bad_sizes / sizeof *bad_sizes; i++) {
        tmp_path(path, sizeof path, "badsize.png");
        CHECK(write_bytes(path, buf, header_only_png(buf, bad_sizes[i][0], bad_sizes[i][1], 1)) == 0);
        rc = img_probe(&info, path, MAXPIX, &err);
        CHECK_FAILS(rc, err, path);
        rc = img_load(&img, path, 0, MAXPIX, &err);
        CHECK_FAILS(rc, err, path);
    }

    /* Any chunk before IHDR. */
    tmp_path(path, sizeof path, "textfirst.png");
    size_t n = header_only_png(buf, 4, 4, 1);
    memmove(buf + 8 + 12 + 4, buf + 8, n - 8);
    put_chunk(buf, 8, "tEXt", (const uint8_t *)"a\0b", 4);
    CHECK(write_bytes(path, buf, n + 12 + 4) == 0);
    rc = img_probe(&info, path, MAXPIX, &err);
    CHECK_FAILS(rc, err, path);
    rc = img_load(&img, path, 0, MAXPIX, &err);
    CHECK_FAILS(rc, err, path);
    CHECKF(strstr(err.msg, "IHDR") != NULL, "%s", err.msg);

    /* A legal header with no image data at all. */
    tmp_path(path, sizeof path, "noidat.png");
    CHECK(write_bytes(path, buf, header_only_png(buf, 4, 4, 0)) == 0);
    rc = img_probe(&info, path, MAXPIX, &err);
    CHECK(rc == 0 && info.width == 4 && info.height == 4 && info.channels == 3);
    rc = img_load(&img, path, 0, MAXPIX, &err);
    CHECK_FAILS(rc, err, path);
}

/* A small valid file with an ancillary chunk on each side of IDAT, as bytes. */
static uint8_t *small_png(const char *path, size_t *n, test_png *t)
{
    *t = (test_png){.width = 5, .height = 4, .color_type = PNG_COLOR_TYPE_RGB, .depth = 8,
                    .text_before = "before", .text_after = "after"};
    make_pattern(t, 99);
    if (write_test_png(path, t) != 0)
        return NULL;
    return read_bytes(path, n);
}

static void test_truncated(void)
{
    char path[1024], part[1024];
    tmp_path(path, sizeof path, "small.png");
    tmp_path(part, sizeof part, "truncated.png");
    size_t n;
    test_png t;
    uint8_t *bytes = small_png(path, &n, &t);
    CHECK(bytes != NULL);
    if (!bytes) {
        free(t.samples);
        return;
    }
    check_decodes(path, &t, "small rgb with tEXt");

    int n_wrong = 0;
    for (size_t len = 0; len < n; len++) {
        nnt_err err = {{0}, 0};
        nnt_image img;
        nnt_image_info info;
        if (write_bytes(part, bytes, len) != 0) {
            n_wrong++;
            continue;
        }
        int rc = img_load(&img, part, 0, MAXPIX, &err);
        if (rc == 0 || !strstr(err.msg, part)) {
            n_wrong++;
            fprintf(stderr, "truncated to %zu of %zu bytes: rc %d, %s\n", len, n, rc, err.msg);
            img_free(&img);
        }
        /* The probe reads the signature and IHDR only: exactly the first 33 bytes matter. */
        rc = img_probe(&info, part, MAXPIX, &err);
        if ((rc == 0) != (len >= 33))
            n_wrong++;
    }
    CHECKF(n_wrong == 0, "%d of %zu prefixes misbehaved", n_wrong, n);

    /* Bytes after IEND are not part of the image and are not read. */
    uint8_t *longer = malloc(n + 7);
    memcpy(longer, bytes, n);
    memcpy(longer + n, "garbage", 7);
    CHECK(write_bytes(part, longer, n + 7) == 0);
    nnt_err err;
    nnt_image img;
    CHECK(img_load(&img, part, 0, MAXPIX, &err) == 0);
    img_free(&img);
    free(longer);
    free(bytes);
    free(t.samples);
}

static void test_bit_flips(void)
{
    char path[1024], bad[1024];
    tmp_path(path, sizeof path, "small.png");
    tmp_path(bad, sizeof bad, "flipped.png");
    size_t n;
    test_png t;
    uint8_t *bytes = small_png(path, &n, &t);
    CHECK(bytes != NULL);
    if (!bytes) {
        free(t.samples);
        return;
    }
    int n_decoded = 0, n_wrong = 0;
    for (size_t i = 0; i < n; i++)
        for (int bit = 0; bit < 8; bit++) {
            bytes[i] ^= (uint8_t)(1u << bit);
            nnt_err err = {{0}, 0};
            nnt_image img;
            int rc = write_bytes(bad, bytes, n) == 0 ? img_load(&img, bad, 0, MAXPIX, &err) : -2;
            bytes[i] ^= (uint8_t)(1u << bit);
            if (rc == 0) {
                n_decoded++;
                if (img.width != t.width || img.height != t.height)
                    n_wrong++;
                img_free(&img);
            } else if (rc == -2 || !strstr(err.msg, bad))
                n_wrong++;
        }
    CHECKF(n_wrong == 0, "%d of %zu bit flips misbehaved", n_wrong, n * 8);
    /* Every byte up to IEND is under a CRC, the tEXt chunks' too (libpng only warns by default). */
    CHECKF(n_decoded == 0, "%d of %zu bit flips went unnoticed", n_decoded, n * 8);
    free(bytes);
    free(t.samples);
}

static uint32_t get_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Offset of the first chunk of that type in a PNG file's bytes, or 0. */
static size_t find_chunk(const uint8_t *b, size_t n, const char *type)
{
    for (size_t at = 8; at + 12 <= n; at += 12 + get_be32(b + at))
        if (memcmp(b + at + 4, type, 4) == 0)
            return at;
    return 0;
}

/* Damage inside the zlib stream that every chunk CRC vouches for. */
static void test_zlib_damage(void)
{
    char path[1024], bad[1024];
    tmp_path(path, sizeof path, "small.png");
    tmp_path(bad, sizeof bad, "zlib.png");
    size_t n;
    test_png t;
    uint8_t *bytes = small_png(path, &n, &t);
    size_t at = bytes ? find_chunk(bytes, n, "IDAT") : 0;
    CHECK(at != 0);
    if (at == 0) {
        free(bytes);
        free(t.samples);
        return;
    }
    uint32_t len = get_be32(bytes + at);
    size_t end = at + 12 + len;
    uint8_t *copy = malloc(n + 64);
    nnt_err err = {{0}, 0};
    nnt_image img;

    /* The stream's Adler-32 moved to an IDAT of its own and damaged: libpng reads it only in
     * png_read_end, after the last row, and by default only warns (a "benign" error). */
    memcpy(copy, bytes, at);
    size_t m = put_chunk(copy, at, "IDAT", bytes + at + 8, len - 4);
    uint8_t adler[4];
    memcpy(adler, bytes + at + 8 + len - 4, 4);
    adler[3] ^= 1;
    m = put_chunk(copy, m, "IDAT", adler, 4);
    memcpy(copy + m, bytes + end, n - end);
    CHECK(write_bytes(bad, copy, m + n - end) == 0);
    int rc = img_load(&img, bad, 0, MAXPIX, &err);
    CHECK_FAILS(rc, err, bad);
    img_free(&img);

    /* The same split with the right checksum is a valid file. */
    adler[3] ^= 1;
    put_chunk(copy, m - 16, "IDAT", adler, 4);
    CHECK(write_bytes(bad, copy, m + n - end) == 0);
    check_decodes(bad, &t, "rgb with its Adler-32 in a separate IDAT");

    free(copy);
    free(bytes);
    free(t.samples);
}

/* A zTXt chunk that inflates to 16 MiB, over libpng's 8 MiB chunk limit: it is skipped unread,
 * so the (valid) file loads, fast. */
static void test_ztxt_bomb(void)
{
    char path[1024], plain[1024];
    tmp_path(plain, sizeof plain, "plain.png");
    tmp_path(path, sizeof path, "bomb.png");
    test_png t = {.width = 3, .height = 2, .color_type = PNG_COLOR_TYPE_GRAY, .depth = 8};
    make_pattern(&t, 5);
    size_t n_plain = 0;
    uint8_t *plain_bytes = write_test_png(plain, &t) == 0 ? read_bytes(plain, &n_plain) : NULL;
    CHECK(plain_bytes != NULL);

    size_t n_text = (size_t)16 << 20;
    uint8_t *text = calloc(n_text, 1);
    uLongf n_z = compressBound(n_text);
    uint8_t *chunk = malloc(9 + n_z);
    uint8_t *out = plain_bytes ? malloc(n_plain + 12 + 9 + n_z) : NULL;
    if (text && chunk && out && compress2(chunk + 9, &n_z, text, n_text, 9) == Z_OK) {
        memcpy(chunk, "Comment\0\0", 9); /* keyword, its NUL, compression method 0 */
        /* right after the signature and IHDR (33 bytes) */
        memcpy(out, plain_bytes, 33);
        size_t n = put_chunk(out, 33, "zTXt", chunk, (uint32_t)(9 + n_z));
        memcpy(out + n, plain_bytes + 33, n_plain - 33);
        n += n_plain - 33;
        CHECK(write_bytes(path, out, n) == 0);
        check_decodes(path, &t, "gray with a zTXt bomb");
    } else
        CHECK(!"cannot build the zTXt bomb");
    free(out);
    free(chunk);
    free(text);
    free(plain_bytes);
    free(t.samples);
}

static void test_pixel_cap(void)
{
    char path[1024];
    tmp_path(path, sizeof path, "cap.png");
    test_png t = {.width = 7, .height = 3, .color_type = PNG_COLOR_TYPE_RGB, .depth = 8};
    make_pattern(&t, 7);
    CHECK(write_test_png(path, &t) == 0);
    nnt_err err;
    nnt_image img;
    nnt_image_info info;
    CHECK(img_load(&img, path, 0, 21, &err) == 0);
    img_free(&img);
    img_free(&img); /* safe on a zeroed image */
    CHECK(img_probe(&info, path, 21, &err) == 0);
    int rc = img_load(&img, path, 0, 20, &err);
    CHECK_FAILS(rc, err, path);
    CHECKF(strstr(err.msg, "7x3") && strstr(err.msg, "limit of 20 pixels"), "%s", err.msg);
    rc = img_probe(&info, path, 20, &err);
    CHECK_FAILS(rc, err, path);
    free(t.samples);
}

/* ---- resize ------------------------------------------------------------------------------- */

static void test_resize(void)
{
    nnt_err err;
    nnt_image dst;

    uint8_t rnd[5 * 3 * 3];
    uint32_t seed = 3;
    for (size_t i = 0; i < sizeof rnd; i++)
        rnd[i] = (uint8_t)lcg_next(&seed);
    nnt_image src = {5, 3, 3, rnd};
    CHECK(img_resize(&dst, &src, 5, 3, &err) == 0);
    CHECK(dst.width == 5 && dst.height == 3 && dst.channels == 3 && memcmp(dst.pixels, rnd, sizeof rnd) == 0);
    img_free(&dst);

    /* Up 2x: source x of dst 0..3 is -0.25 (clamped to 0), 0.25, 0.75, 1.25 (clamped to 1). */
    uint8_t two[4] = {0, 100, 200, 40};
    static const uint8_t up[16] = {
        0,   25,  75,  100, /* the top row, interpolated along x */
        50,  59,  76,  85,  /* 3/4 top + 1/4 bottom: 58.75, 76.25 */
        150, 126, 79,  55,  /* 1/4 top + 3/4 bottom: 126.25, 78.75 */
        200, 160, 80,  40,
    };
    src = (nnt_image){2, 2, 1, two};
    CHECK(img_resize(&dst, &src, 4, 4, &err) == 0);
    CHECK(dst.width == 4 && dst.height == 4 && dst.channels == 1 && memcmp(dst.pixels, up, 16) == 0);
    img_free(&dst);

    /* Down 2x: dst pixel centres land between 2 × 2 source blocks, so each is a block's mean. */
    uint8_t four[16] = {
        10,  20,  0, 255, /* blocks: (10+20+30+41)/4 = 25.25, (0+255+255+1)/4 = 127.75 */
        30,  41,  255, 1,
        100, 100, 7, 9, /* 100, (7+9+11+14)/4 = 10.25 */
        100, 100, 11, 14,
    };
    static const uint8_t down[4] = {25, 128, 100, 10};
    src = (nnt_image){4, 4, 1, four};
    CHECK(img_resize(&dst, &src, 2, 2, &err) == 0);
    CHECK(dst.width == 2 && dst.height == 2 && memcmp(dst.pixels, down, 4) == 0);
    img_free(&dst);

    uint8_t flat[5 * 3 * 3];
    memset(flat, 137, sizeof flat);
    src = (nnt_image){5, 3, 3, flat};
    static const uint32_t sizes[][2] = {{11, 7}, {2, 1}, {1, 1}, {13, 2}, {5, 30}};
    for (size_t s = 0; s < sizeof sizes / sizeof *sizes; s++) {
        CHECK(img_resize(&dst, &src, sizes[s][0], sizes[s][1], &err) == 0);
        size_t n = (size_t)sizes[s][0] * sizes[s][1] * 3, i = 0;
        while (i < n && dst.pixels[i] == 137)
            i++;
        CHECKF(i == n, "constant image resized to %ux%u changed at sample %zu", sizes[s][0], sizes[s][1], i);
        img_free(&dst);
    }

    CHECK(img_resize(&dst, &src, 0, 4, &err) != 0);
    CHECK(dst.pixels == NULL);
}

/* ---- writing ------------------------------------------------------------------------------ */

static void test_write(void)
{
    char path[1024];
    nnt_err err = {{0}, 0};
    static const int channels[] = {1, 3, 4};
    for (size_t k = 0; k < 3; k++) {
        int c = channels[k];
        uint32_t w = 9, h = 5;
        uint8_t px[9 * 5 * 4];
        uint32_t seed = (uint32_t)c;
        for (size_t i = 0; i < sizeof px; i++)
            px[i] = (uint8_t)lcg_next(&seed);
        nnt_image img = {w, h, c, px};
        tmp_path(path, sizeof path, "written.png");
        CHECKF(img_write_png(path, &img, &err) == 0, "%s", err.msg);

        nnt_image back;
        int rc = img_load(&back, path, 0, MAXPIX, &err);
        CHECKF(rc == 0, "%s", err.msg);
        if (rc != 0)
            continue;
        int keep = c == 4 ? 3 : c; /* alpha is dropped on reading */
        CHECK(back.width == w && back.height == h && back.channels == keep);
        int same = back.channels == keep;
        for (size_t i = 0; same && i < (size_t)w * h; i++)
            same = memcmp(back.pixels + i * keep, px + i * c, keep) == 0;
        CHECKF(same, "%d-channel image did not round-trip", c);
        img_free(&back);
    }

    uint8_t px[4] = {1, 2, 3, 4};
    nnt_image img = {2, 2, 1, px};
    tmp_path(path, sizeof path, "no/such/dir.png");
    int rc = img_write_png(path, &img, &err);
    CHECK_FAILS(rc, err, path);

    img.channels = 2;
    tmp_path(path, sizeof path, "two.png");
    rc = img_write_png(path, &img, &err);
    CHECK_FAILS(rc, err, path);

    /* A full disk: the error is reported, and the device is (of course) not removed. */
    if (access("/dev/full", W_OK) == 0) {
        uint8_t big[64 * 64 * 3];
        uint32_t seed = 11;
        for (size_t i = 0; i < sizeof big; i++)
            big[i] = (uint8_t)lcg_next(&seed);
        img = (nnt_image){64, 64, 3, big};
        rc = img_write_png("/dev/full", &img, &err);
        CHECK_FAILS(rc, err, "/dev/full");
        CHECK(access("/dev/full", F_OK) == 0);
    }
}

int main(void)
{
    const char *base = getenv("TMPDIR");
    snprintf(tmp_dir, sizeof tmp_dir, "%s/nnt_test_image.XXXXXX", base && *base ? base : "/tmp");
    if (!mkdtemp(tmp_dir)) {
        perror(tmp_dir);
        return 1;
    }
    test_formats();
    test_not_png();
    test_bad_headers();
    test_truncated();
    test_bit_flips();
    test_zlib_damage();
    test_ztxt_bomb();
    test_pixel_cap();
    test_resize();
    test_write();
    remove_tmp_dir();
    return check_done("test_image");
}
