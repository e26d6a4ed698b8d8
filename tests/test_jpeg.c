/* test_jpeg.c — the JPEG reader (jpeg.c, through image.c's dispatch) against files made here with
 * libjpeg's compressor (jpeg_gen.h: gray, YCbCr, RGB, 4:2:0, Adobe and plain CMYK, YCCK,
 * progressive, arithmetic, restart markers) and against broken ones: truncated at every length,
 * bytes flipped, huge declared sizes, empty, a PNG signature before JPEG data. No input may
 * crash (tools/fuzz.sh sanitize runs this under ASan and UBSan); every broken file is refused
 * with a message naming it. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "jpeg_gen.h"
#include "nnt/image.h"

#define MAXPIX NNT_DEFAULT_MAX_PIXELS
#define W 19 /* odd sizes: partial MCUs at the right and bottom edges */
#define H 13

static char dir[64] = "/tmp/nnt-test-jpeg-XXXXXX";
static char path[128], png_path[128];

static void put(const char *to, const uint8_t *p, size_t n)
{
    FILE *fp = fopen(to, "wb");
    CHECK(fp && (n == 0 || fwrite(p, 1, n, fp) == n));
    if (fp)
        fclose(fp);
}

/* img_load of p[0..n) fails, naming the file; 1 when it did. */
static int refused(const uint8_t *p, size_t n, int channels, uint64_t max_pixels, const char *why)
{
    put(path, p, n);
    nnt_image img;
    nnt_err err = {{0}, 0};
    int rc = img_load(&img, path, channels, max_pixels, &err);
    CHECKF(rc != 0 || img.pixels, "a load returned 0 without pixels (%s)", why);
    if (rc == 0) {
        img_free(&img);
        return 0;
    }
    CHECKF(img.pixels == NULL && img.width == 0, "a failed load left an image (%s)", why);
    CHECKF(strstr(err.msg, path) != NULL, "message does not name the file (%s): %s", why, err.msg);
    return 1;
}

static uint8_t clamp8(int v)
{
    return (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
}

/* The RGB the decoder should give for source pixel (x, y) of kind. */
static void expected_rgb(uint8_t rgb[3], int kind, int x, int y)
{
    int comps = jpeg_gen_components(kind);
    if (comps == 1) {
        rgb[0] = rgb[1] = rgb[2] = jpeg_gen_sample(x, y, 0, W, H);
        return;
    }
    for (int c = 0; c < 3; c++) {
        int v = jpeg_gen_sample(x, y, c, W, H);
        if (comps == 4) { /* R = (1 − C)(1 − K) */
            int k = jpeg_gen_sample(x, y, 3, W, H);
            v = ((255 - v) * (255 - k) + 127) / 255;
        }
        rgb[c] = clamp8(v);
    }
}

static void test_kinds(void)
{
    for (int kind = 0; kind < JG_N_KINDS; kind++) {
        const char *name = jpeg_gen_names[kind];
        uint8_t *buf = NULL;
        size_t n = 0;
        CHECK(jpeg_gen(&buf, &n, kind, W, H, 100) == 0);
        put(path, buf, n);
        nnt_image_info info;
        nnt_err err;
        int file_channels = jpeg_gen_components(kind) == 1 ? 1 : 3;
        CHECKF(img_probe(&info, path, MAXPIX, &err) == 0, "%s: %s", name, err.msg);
        CHECKF(info.width == W && info.height == H && info.channels == file_channels, "%s: probe %ux%ux%d",
               name, info.width, info.height, info.channels);
        nnt_image img[3];
        for (int c = 0; c < 3; c++) {
            int rc = img_load(&img[c], path, c == 2 ? 3 : c, MAXPIX, &err);
            CHECKF(rc == 0, "%s: load to %d channels: %s", name, c, err.msg);
            if (rc)
                return;
        }
        CHECK(img[0].channels == file_channels && img[1].channels == 1 && img[2].channels == 3);
        /* the RGB decode is the source within JPEG's loss at quality 100 */
        int worst = 0;
        for (int y = 0; y < H; y++)
            for (int x = 0; x < W; x++) {
                uint8_t want[3];
                expected_rgb(want, kind, x, y);
                for (int c = 0; c < 3; c++) {
                    int d = abs((int)img[2].pixels[((size_t)y * W + x) * 3 + c] - want[c]);
                    worst = d > worst ? d : worst;
                }
            }
        CHECKF(worst <= (kind == JG_SUBSAMPLED ? 12 : 6), "%s: decoded %d levels from the source", name,
               worst);
        /* gray: the file's own samples, or libpng's conversion of the RGB decode, exactly as the
         * same RGB pixels in a PNG give */
        nnt_image from_png;
        CHECK(img_write_png(png_path, &img[2], &err) == 0);
        CHECK(img_load(&from_png, png_path, 1, MAXPIX, &err) == 0);
        CHECKF(memcmp(from_png.pixels, img[1].pixels, (size_t)W * H) == 0,
               "%s: gray from the JPEG differs from gray from the same RGB as PNG", name);
        if (file_channels == 1)
            for (size_t p = 0; p < (size_t)W * H; p++)
                CHECK(img[2].pixels[3 * p] == img[1].pixels[p] && img[2].pixels[3 * p + 2] == img[1].pixels[p]);
        CHECK(memcmp(img[0].pixels, file_channels == 1 ? img[1].pixels : img[2].pixels,
                     (size_t)W * H * (size_t)file_channels) == 0);
        img_free(&from_png);
        for (int c = 0; c < 3; c++)
            img_free(&img[c]);
        free(buf);
    }
}

/* A JPEG is one by its bytes: named .png it loads; a PNG signature before JPEG data does not. */
static void test_content_not_name(void)
{
    uint8_t *buf = NULL;
    size_t n = 0;
    CHECK(jpeg_gen(&buf, &n, JG_YCC, W, H, 90) == 0);
    char named[160];
    snprintf(named, sizeof named, "%s/really-a-jpeg.png", dir);
    put(named, buf, n);
    nnt_image img;
    nnt_err err;
    CHECKF(img_load(&img, named, 0, MAXPIX, &err) == 0 && img.channels == 3, "%s", err.msg);
    img_free(&img);
    unlink(named);

    uint8_t *both = malloc(n + 8);
    memcpy(both, "\x89PNG\r\n\x1a\n", 8);
    memcpy(both + 8, buf, n);
    CHECK(refused(both, n + 8, 0, MAXPIX, "PNG signature, then JPEG data"));
    free(both);
    CHECK(refused(buf, 0, 0, MAXPIX, "empty"));
    nnt_err e2;
    put(path, buf, 0);
    CHECK(img_load(&img, path, 0, MAXPIX, &e2) != 0 && strstr(e2.msg, "empty file"));
    put(path, (const uint8_t *)"GIF89a\1\0\1\0", 10);
    CHECK(img_load(&img, path, 0, MAXPIX, &e2) != 0 && strstr(e2.msg, "not a PNG or JPEG image (a GIF"));
    put(path, (const uint8_t *)"hello", 5);
    CHECKF(img_probe(&(nnt_image_info){0}, path, MAXPIX, &e2) != 0 && strstr(e2.msg, "not a PNG or JPEG image"),
           "%s", e2.msg);
    free(buf);
}

/* Every truncation of every kind is refused: libjpeg's stdio source would pad it with gray. */
static void test_truncated(void)
{
    for (int kind = 0; kind < JG_N_KINDS; kind++) {
        uint8_t *buf = NULL;
        size_t n = 0, n_refused = 0;
        CHECK(jpeg_gen(&buf, &n, kind, W, H, 90) == 0);
        for (size_t len = 0; len < n; len++)
            n_refused += (size_t)refused(buf, len, 0, MAXPIX, "truncated");
        CHECKF(n_refused == n, "%s: %zu of %zu truncations refused", jpeg_gen_names[kind], n_refused, n);
        free(buf);
    }
}

/* Declared sizes over --max-pixels are refused from the header, before any allocation of the
 * image's size: 65500 × 65500 (libjpeg's largest) and 19 × 13 under a cap of 100 pixels. */
static void test_huge(void)
{
    uint8_t *buf = NULL;
    size_t n = 0;
    CHECK(jpeg_gen(&buf, &n, JG_PROGRESSIVE, W, H, 90) == 0);
    size_t sof = jpeg_gen_find_marker(buf, n, 0xc2);
    CHECK(sof > 0);
    nnt_image img;
    nnt_err err;
    put(path, buf, n);
    CHECK(img_load(&img, path, 0, 100, &err) != 0 && strstr(err.msg, "over the limit of 100 pixels"));
    CHECK(img_probe(&(nnt_image_info){0}, path, 100, &err) != 0 && strstr(err.msg, "--max-pixels"));
    buf[sof + 5] = buf[sof + 7] = 0xff; /* height and width 65500 */
    buf[sof + 6] = buf[sof + 8] = 0xdc;
    put(path, buf, n);
    CHECKF(img_load(&img, path, 0, MAXPIX, &err) != 0 && strstr(err.msg, "65500x65500, over the limit"),
           "%s", err.msg);
    buf[sof + 5] = buf[sof + 6] = 0; /* height 0 */
    CHECK(refused(buf, n, 0, MAXPIX, "height 0"));
    free(buf);
}

/* Damage: bytes flipped anywhere must never crash nor give a wrong-sized image; damage that a
 * decoder can see (markers, tables, a stray marker in the data, junk before EOI) is refused. */
static void test_damaged(void)
{
    for (int kind = 0; kind < JG_N_KINDS; kind++) {
        uint8_t *buf = NULL;
        size_t n = 0;
        CHECK(jpeg_gen(&buf, &n, kind, W, H, 90) == 0);
        uint8_t *copy = malloc(n + 16);
        for (size_t i = 0; i < n; i++) {
            memcpy(copy, buf, n);
            copy[i] ^= 0xff;
            put(path, copy, n);
            nnt_image img;
            nnt_err err = {{0}, 0};
            if (img_load(&img, path, 0, MAXPIX, &err) == 0) { /* say, a SOF of another size */
                CHECK(img.pixels && (uint64_t)img.width * img.height <= MAXPIX);
                img_free(&img);
            } else {
                CHECKF(strstr(err.msg, path) != NULL, "%s", err.msg);
            }
        }
        memcpy(copy, buf, n);
        copy[2] = 0x00; /* SOI then not a marker */
        CHECK(refused(copy, n, 0, MAXPIX, "no marker after SOI"));
        /* a marker in the middle of the entropy-coded data of the first scan; not with
         * arithmetic coding, where a marker ending the data early is legal (zeros follow) */
        size_t sos = jpeg_gen_find_marker(buf, n, 0xda);
        size_t data = sos + 2 + ((size_t)buf[sos + 2] << 8 | buf[sos + 3]);
        memcpy(copy, buf, n);
        copy[data + 3] = 0xff;
        copy[data + 4] = 0xd9;
        if (kind != JG_ARITH && kind != JG_GRAY_PROGRESSIVE_ARITH)
            CHECKF(refused(copy, n, 0, MAXPIX, "EOI inside the data"), "%s", jpeg_gen_names[kind]);
        /* junk between the last scan and EOI, more than the Huffman decoder's read-ahead can
         * swallow: "extraneous bytes before marker" */
        uint8_t *junk = malloc(n + 64);
        memcpy(junk, buf, n - 2);
        memset(junk + n - 2, 'j', 64);
        memcpy(junk + n + 62, "\xff\xd9", 2);
        CHECKF(refused(junk, n + 64, 0, MAXPIX, "junk before EOI"), "%s", jpeg_gen_names[kind]);
        free(junk);
        /* EOI missing */
        CHECK(refused(buf, n - 2, 0, MAXPIX, "no EOI"));
        free(copy);
        free(buf);
    }
}

int main(void)
{
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    snprintf(path, sizeof path, "%s/t.jpg", dir);
    snprintf(png_path, sizeof png_path, "%s/t.png", dir);
    test_kinds();
    test_content_not_name();
    test_truncated();
    test_huge();
    test_damaged();
    unlink(path);
    unlink(png_path);
    rmdir(dir);
    printf("test_jpeg: %d checks, %d failed\n", check_count, check_failures);
    return check_failures != 0;
}
