/* fuzz_image.h — what the image fuzz targets (fuzz_png.c, fuzz_jpeg.c) share: the one file per
 * process each input is written to (a memfd on Linux, rewritten and truncated per input), and
 * run(), which checks the readers' invariants on it. img_probe and img_load take a path and
 * choose the reader by the file's first bytes, so both targets go through the same calls.
 *
 * The input is probed, decoded to 0, 1 and 3 channels under a 2^20-pixel cap (so a legitimately
 * large image cannot exhaust memory), and every decode is resized. Invariants: a decode succeeds
 * only where the probe did, with the probed size; the three decodes agree; gray replicated to
 * RGB is the gray; a same-size resize is an exact copy; every failure leaves a zeroed image and
 * a message naming the file. */
#ifndef NNT_FUZZ_IMAGE_H
#define NNT_FUZZ_IMAGE_H

#define _GNU_SOURCE /* memfd_create */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#if defined(__linux__)
#include <sys/mman.h>
#endif

#include "fuzz_check.h"
#include "nnt/image.h"

#define FUZZ_MAX_PIXELS (UINT64_C(1) << 20)

static int g_fd = -1;
static char g_path[64];
static int g_unlink; /* a mkstemp file, removed at exit */

static void remove_temp(void)
{
    if (g_unlink)
        unlink(g_path);
}

/* Creates the per-process file once. */
static void open_temp(void)
{
    if (g_fd >= 0)
        return;
#if defined(__linux__)
    g_fd = memfd_create("nnt-fuzz-image", MFD_CLOEXEC);
    if (g_fd >= 0) {
        snprintf(g_path, sizeof g_path, "/proc/self/fd/%d", g_fd);
        return;
    }
#endif
    const char *dir = getenv("TMPDIR");
    snprintf(g_path, sizeof g_path, "%s/nnt-fuzz-image-XXXXXX", dir && strlen(dir) < 32 ? dir : "/tmp");
    g_fd = mkstemp(g_path);
    FUZZ_CHECK(g_fd >= 0, "cannot create a temporary file %s", g_path);
    g_unlink = 1;
    atexit(remove_temp);
}

static void write_temp(const uint8_t *data, size_t size)
{
    open_temp();
    size_t done = 0;
    while (done < size) {
        ssize_t n = pwrite(g_fd, data + done, size - done, (off_t)done);
        FUZZ_CHECK(n > 0, "cannot write %zu bytes to %s", size, g_path);
        done += (size_t)n;
    }
    FUZZ_CHECK(ftruncate(g_fd, (off_t)size) == 0, "cannot truncate %s", g_path);
}

static void check_failure(const nnt_err *err, const char *call)
{
    FUZZ_CHECK(err->msg[0] != '\0', "%s failed without a message", call);
    FUZZ_CHECK(strstr(err->msg, g_path) != NULL, "%s: message does not name the file: %s", call,
               err->msg);
}

static void check_resize(const nnt_image *src, uint32_t width, uint32_t height)
{
    nnt_image dst;
    nnt_err err = {{0}, 0};
    int rc = img_resize(&dst, src, width, height, &err);
    FUZZ_CHECK(rc == 0, "resize %ux%u -> %ux%u failed: %s", src->width, src->height, width, height,
               err.msg);
    FUZZ_CHECK(dst.pixels && dst.width == width && dst.height == height &&
                   dst.channels == src->channels,
               "resize gave %ux%ux%d", dst.width, dst.height, dst.channels);
    if (width == src->width && height == src->height)
        FUZZ_CHECK(memcmp(dst.pixels, src->pixels, (size_t)width * height * (size_t)src->channels) == 0,
                   "a same-size resize is not an exact copy");
    img_free(&dst);
}

static void run(void)
{
    nnt_image_info info;
    nnt_err err = {{0}, 0};
    int probed = img_probe(&info, g_path, FUZZ_MAX_PIXELS, &err) == 0;
    if (probed) {
        FUZZ_CHECK(info.width >= 1 && info.height >= 1 &&
                       (uint64_t)info.width * info.height <= FUZZ_MAX_PIXELS,
                   "probe gave %ux%u", info.width, info.height);
        FUZZ_CHECK(info.channels == 1 || info.channels == 3, "probe gave %d channels", info.channels);
    } else {
        check_failure(&err, "img_probe");
        FUZZ_CHECK(info.width == 0 && info.height == 0 && info.channels == 0,
                   "a failed probe left %ux%ux%d", info.width, info.height, info.channels);
    }

    static const int wants[3] = {0, 1, 3};
    nnt_image img[3];
    int ok[3];
    for (int i = 0; i < 3; i++) {
        err.msg[0] = '\0';
        ok[i] = img_load(&img[i], g_path, wants[i], FUZZ_MAX_PIXELS, &err) == 0;
        if (!ok[i]) {
            check_failure(&err, "img_load");
            FUZZ_CHECK(!img[i].pixels && img[i].width == 0 && img[i].height == 0,
                       "a failed load left a non-empty image");
            continue;
        }
        FUZZ_CHECK(probed, "img_load(channels %d) succeeded where img_probe failed: %s", wants[i],
                   err.msg);
        int want_channels = wants[i] ? wants[i] : info.channels;
        FUZZ_CHECK(img[i].pixels && img[i].width == info.width && img[i].height == info.height &&
                       img[i].channels == want_channels,
                   "load(channels %d) gave %ux%ux%d, probe said %ux%ux%d", wants[i], img[i].width,
                   img[i].height, img[i].channels, info.width, info.height, info.channels);
    }
    FUZZ_CHECK(ok[0] == ok[1] && ok[1] == ok[2], "loads to 0/1/3 channels disagree: %d %d %d", ok[0],
               ok[1], ok[2]);

    if (ok[0]) {
        size_t n_pixels = (size_t)info.width * info.height;
        /* the file's own channels are what channels = 0 means */
        const nnt_image *own = info.channels == 1 ? &img[1] : &img[2];
        FUZZ_CHECK(memcmp(img[0].pixels, own->pixels, n_pixels * (size_t)info.channels) == 0,
                   "channels 0 differs from channels %d", info.channels);
        if (info.channels == 1)
            for (size_t p = 0; p < n_pixels; p++) {
                uint8_t g = img[1].pixels[p];
                const uint8_t *rgb = img[2].pixels + 3 * p;
                FUZZ_CHECK(rgb[0] == g && rgb[1] == g && rgb[2] == g,
                           "gray %u became RGB %u %u %u at pixel %zu", g, rgb[0], rgb[1], rgb[2], p);
            }
        for (int i = 0; i < 3; i++) {
            check_resize(&img[i], 7, 5);
            check_resize(&img[i], 1, 1);
        }
        check_resize(&img[0], info.width, info.height);
        check_resize(&img[0], info.width < 40 ? info.width * 2 : 3, info.height < 40 ? info.height * 3 : 2);
    }
    for (int i = 0; i < 3; i++)
        img_free(&img[i]);
}

#endif
