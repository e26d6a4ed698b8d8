/* test_pngsuite.c — the PNG reader against the PngSuite (argv[1]): every valid file decodes at its
 * probed size, interlaced files equal their non-interlaced twins, every x*.png is refused. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "nnt/image.h"

#define MAXPIX NNT_DEFAULT_MAX_PIXELS

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int is_png(const char *name)
{
    size_t n = strlen(name);
    return n > 4 && strcmp(name + n - 4, ".png") == 0;
}

static int has_name(char **names, size_t n, const char *name)
{
    return bsearch(&name, names, n, sizeof *names, cmp_names) != NULL;
}

static void check_valid(const char *path)
{
    nnt_err err = {{0}, 0};
    nnt_image_info info;
    int rc = img_probe(&info, path, MAXPIX, &err);
    CHECKF(rc == 0, "%s", err.msg);
    if (rc != 0)
        return;
    static const int asked[] = {0, 1, 3};
    for (size_t a = 0; a < 3; a++) {
        nnt_image img;
        rc = img_load(&img, path, asked[a], MAXPIX, &err);
        CHECKF(rc == 0, "channels %d: %s", asked[a], err.msg);
        if (rc != 0)
            continue;
        int want = asked[a] ? asked[a] : info.channels;
        CHECKF(img.width == info.width && img.height == info.height && img.channels == want,
               "%s, channels %d: decoded %ux%u x%d, probed %ux%u x%d", path, asked[a], img.width, img.height,
               img.channels, info.width, info.height, info.channels);
        img_free(&img);
    }
}

/* An interlaced file and its non-interlaced twin hold the same pixels. */
static void check_twins(const char *interlaced, const char *plain)
{
    static const int asked[] = {0, 1, 3};
    for (size_t a = 0; a < 3; a++) {
        nnt_err err = {{0}, 0};
        nnt_image x = {0}, y = {0};
        int rc = img_load(&x, interlaced, asked[a], MAXPIX, &err) || img_load(&y, plain, asked[a], MAXPIX, &err);
        CHECKF(rc == 0, "%s", err.msg);
        if (rc == 0)
            CHECKF(x.width == y.width && x.height == y.height && x.channels == y.channels &&
                       memcmp(x.pixels, y.pixels, (size_t)x.width * x.height * x.channels) == 0,
                   "%s and %s differ at channels %d", interlaced, plain, asked[a]);
        img_free(&x);
        img_free(&y);
    }
}

static void check_refused(const char *path)
{
    nnt_err err = {{0}, 0};
    nnt_image img;
    int rc = img_load(&img, path, 0, MAXPIX, &err);
    CHECKF(rc != 0, "%s: decoded, but it is broken", path);
    if (rc != 0)
        CHECKF(strstr(err.msg, path) != NULL, "message does not name the file: %s", err.msg);
    else
        img_free(&img);
}

/* Samples (x, y) of a few files, as PIL reads them (16-bit: the raw value v scaled as
 * (v * 255 + 32767) / 65535; alpha dropped, never composited; gray from RGB with libpng's
 * default weights (6968 R + 23434 G + 2366 B) >> 15). */
static const struct {
    const char *name;
    int channels;
    uint32_t x, y;
    uint8_t value[3];
} known[] = {
    {"basn0g01", 0, 0, 0, {255}},          {"basn0g01", 0, 31, 31, {0}},
    {"basn0g02", 0, 4, 0, {85}},           {"basn0g02", 0, 31, 31, {170}},
    {"basn0g08", 0, 4, 0, {4}},            {"basn0g08", 0, 0, 4, {128}},
    {"basn0g08", 0, 5, 9, {217}},          {"basn0g08", 3, 5, 9, {217, 217, 217}},
    {"basn0g16", 0, 4, 0, {36}},           /* raw 9216 */
    {"basn0g16", 0, 5, 9, {63}},           /* raw 16128 */
    {"basn2c08", 0, 4, 0, {255, 255, 251}}, {"basn2c08", 0, 5, 9, {255, 218, 255}},
    {"basn2c08", 1, 5, 9, {228}},          {"basn2c08", 1, 31, 31, {0}},
    {"basn3p08", 0, 5, 9, {153, 74, 0}},   {"basn3p08", 0, 31, 31, {255, 254, 255}},
    {"basn4a08", 0, 5, 9, {180}},          /* alpha 41 */
    {"basn6a08", 0, 5, 9, {224, 255, 6}},  /* alpha 41 */
    {"tbrn2c08", 0, 0, 0, {255, 255, 255}}, /* the tRNS colour itself */
    {"tbrn2c08", 0, 5, 9, {133, 136, 133}},
};

static void check_known(const char *dir)
{
    char path[4096];
    for (size_t i = 0; i < sizeof known / sizeof *known; i++) {
        snprintf(path, sizeof path, "%s/%s.png", dir, known[i].name);
        nnt_err err = {{0}, 0};
        nnt_image img;
        int rc = img_load(&img, path, known[i].channels, MAXPIX, &err);
        CHECKF(rc == 0, "%s", err.msg);
        if (rc != 0)
            continue;
        int ok = known[i].x < img.width && known[i].y < img.height;
        const uint8_t *p = img.pixels + ((size_t)known[i].y * img.width + known[i].x) * img.channels;
        for (int c = 0; ok && c < img.channels; c++)
            ok = p[c] == known[i].value[c];
        CHECKF(ok, "%s (%u, %u) at channels %d: got %d %d %d", known[i].name, known[i].x, known[i].y,
               known[i].channels, p[0], img.channels > 1 ? p[1] : -1, img.channels > 1 ? p[2] : -1);
        img_free(&img);
    }
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : "../shared/data/pngsuite";
    DIR *d = opendir(dir);
    if (!d) {
        printf("skipped: PngSuite not found at %s\n", dir);
        return TEST_SKIP;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (!is_png(e->d_name))
            continue;
        if (n == cap) {
            cap = cap ? 2 * cap : 256;
            char **grown = realloc(names, cap * sizeof *names);
            if (!grown)
                break;
            names = grown;
        }
        if (!(names[n] = strdup(e->d_name)))
            break;
        n++;
    }
    closedir(d);
    if (n > 0)
        qsort(names, n, sizeof *names, cmp_names);

    char path[4096], twin[4096];
    int n_valid = 0, n_broken = 0, n_twins = 0;
    for (size_t i = 0; i < n; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        if (names[i][0] == 'x') {
            check_refused(path);
            n_broken++;
            continue;
        }
        check_valid(path);
        n_valid++;
        /* PngSuite names: 3 characters, then 'i' (interlaced) or 'n', then the format. */
        if (strlen(names[i]) > 4 && names[i][3] == 'i') {
            char name[256];
            snprintf(name, sizeof name, "%s", names[i]);
            name[3] = 'n';
            if (has_name(names, n, name)) {
                snprintf(twin, sizeof twin, "%s/%s", dir, name);
                check_twins(path, twin);
                n_twins++;
            }
        }
    }
    check_known(dir);
    /* The 2011 suite: 161 valid files (PngSuite.png included), 14 broken, 33 interlaced twins. */
    CHECKF(n_valid >= 161 && n_broken >= 14 && n_twins >= 33, "found %d valid, %d broken, %d twins", n_valid,
           n_broken, n_twins);
    printf("%s: %d valid files, %d broken, %d interlaced twins compared\n", dir, n_valid, n_broken, n_twins);

    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    return check_done("test_pngsuite");
}
