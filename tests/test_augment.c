/* test_augment.c — --augment: the list's parser and its errors, each transform on small synthetic
 * images (a shift moves pixels, a flip mirrors, zero parameters are the identity, bilinear samples
 * stay in range and follow a linear ramp), determinism by key, and the gather of a batch. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "nnt/augment.h"

static nnt_augment parsed(const char *list)
{
    nnt_augment a;
    nnt_err err;
    int rc = augment_parse(&a, list, &err);
    CHECKF(rc == 0, "'%s': %s", list, err.msg);
    return a;
}

static void parser(void)
{
    nnt_augment a = parsed("shift=2,flip,rotate=10,zoom=0.1,shear=0.25,elastic=34:4");
    CHECK(a.shift == 2 && a.flip == 1);
    CHECK(a.rotate == 10.0f && a.scale == 0.1f && a.shear == 0.25f);
    CHECK(a.elastic_alpha == 34.0f && a.elastic_sigma == 4.0f);
    CHECK(augment_active(&a));
    char buf[256];
    augment_format(buf, sizeof buf, &a);
    CHECKF(strcmp(buf, "shift=2,flip,rotate=10,zoom=0.1,shear=0.25,elastic=34:4") == 0, "%s", buf);
    a = parsed("elastic=8:3,flip"); /* any order in; the canonical order out */
    augment_format(buf, sizeof buf, &a);
    CHECKF(strcmp(buf, "flip,elastic=8:3") == 0, "%s", buf);
    a = parsed("none");
    CHECK(!augment_active(&a));
    augment_format(buf, sizeof buf, &a);
    CHECKF(strcmp(buf, "none") == 0, "%s", buf);
    a = parsed("shift=0,rotate=0,zoom=0,shear=0,elastic=0:4"); /* all zero: nothing to do */
    CHECK(!augment_active(&a));

    static const struct {
        const char *list, *says;
    } bad[] = {
        {"", "empty item"},           {"flip,", "empty item"},
        {",flip", "empty item"},      {"shift", "shift needs a value"},
        {"shift=-1", "'-1'"},         {"shift=1.5", "whole number"},
        {"shift=2000", "'2000'"},     {"flip=1", "flip takes no value"},
        {"rotate=181", "'181'"},      {"rotate=x", "'x'"},
        {"zoom=1", "'1'"},           {"shear=2", "'2'"},
        {"elastic=34", "ALPHA:SIGMA"}, {"elastic=34:0", "'34:0'"},
        {"elastic=:4", "ALPHA:SIGMA"}, {"blur=2", "unknown transform 'blur'"},
        {"shift=1,shift=2", "'shift' is given twice"}, {"rotate=nan", "'nan'"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        nnt_err err = {{0}, 0};
        a = (nnt_augment){.shift = 9};
        int rc = augment_parse(&a, bad[i].list, &err);
        CHECKF(rc == -1, "'%s' accepted", bad[i].list);
        CHECKF(strstr(err.msg, bad[i].says) != NULL, "'%s': %s", bad[i].list, err.msg);
        CHECKF(strncmp(err.msg, "--augment", 9) == 0, "%s", err.msg);
        CHECK(!augment_active(&a));
    }
}

/* An image of w × h × c with distinct-ish samples, none 0 (so that a zero fill shows). */
static uint8_t *pattern(uint32_t w, uint32_t h, int c)
{
    size_t n = (size_t)w * h * (size_t)c;
    uint8_t *p = malloc(n);
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)(1 + (i * 37 + 11) % 255);
    return p;
}

/* dst is src moved by (tx, ty), mirrored first when flip, 0 where it came from outside. */
static int is_moved(const uint8_t *dst, const uint8_t *src, long w, long h, long c, long tx,
                    long ty, int flip)
{
    for (long y = 0; y < h; y++)
        for (long x = 0; x < w; x++)
            for (long k = 0; k < c; k++) {
                long sx = (flip ? w - 1 - x : x) - tx, sy = y - ty;
                int want = sx >= 0 && sx < w && sy >= 0 && sy < h ? src[(sy * w + sx) * c + k] : 0;
                if (dst[(y * w + x) * c + k] != want)
                    return 0;
            }
    return 1;
}

static void shifts_and_flips(void)
{
    enum { W = 5, H = 4 };
    uint8_t *src = pattern(W, H, 1), dst[W * H * 3];
    nnt_augment a = parsed("shift=1");
    int seen[3][3] = {{0}};
    for (uint64_t key = 0; key < 200; key++) {
        augment_image(dst, src, W, H, 1, &a, key, NULL);
        int found = 0;
        for (int ty = -1; ty <= 1; ty++)
            for (int tx = -1; tx <= 1; tx++)
                if (is_moved(dst, src, W, H, 1, tx, ty, 0)) {
                    seen[ty + 1][tx + 1]++;
                    found = 1;
                }
        CHECKF(found == 1, "key %llu: not a shift by one pixel at most", (unsigned long long)key);
    }
    for (int i = 0; i < 9; i++)
        CHECKF(seen[i / 3][i % 3] > 5, "shift (%d, %d) seen %d times of 200", i % 3 - 1, i / 3 - 1,
               seen[i / 3][i % 3]);
    /* a known pixel: the one at (2, 1) lands at (2 + tx, 1 + ty) */
    uint8_t one[W * H] = {0};
    one[1 * W + 2] = 200;
    for (uint64_t key = 0; key < 20; key++) {
        augment_image(dst, one, W, H, 1, &a, key, NULL);
        int n = 0, at = -1;
        for (int i = 0; i < W * H; i++)
            if (dst[i]) {
                n++;
                at = i;
            }
        CHECK(n == 1 && dst[at] == 200 && abs(at % W - 2) <= 1 && abs(at / W - 1) <= 1);
    }

    /* flips: mirrored or not, about half each; the channels of a pixel stay together */
    uint8_t *rgb = pattern(W, H, 3);
    a = parsed("flip");
    int flipped = 0;
    for (uint64_t key = 0; key < 200; key++) {
        augment_image(dst, rgb, W, H, 3, &a, key, NULL);
        int f = is_moved(dst, rgb, W, H, 3, 0, 0, 1), same = is_moved(dst, rgb, W, H, 3, 0, 0, 0);
        CHECK(f != same);
        flipped += f;
    }
    CHECKF(flipped > 70 && flipped < 130, "%d of 200 flipped", flipped);
    free(src);
    free(rgb);
}

static void identities(void)
{
    enum { W = 9, H = 7 };
    uint8_t *src = pattern(W, H, 3), dst[W * H * 3];
    /* zero parameters, and parameters so small that every sample falls on its pixel centre
     * (the general path: bilinear sampling, the elastic field) */
    static const char *const lists[] = {"none", "rotate=0,zoom=0,elastic=0:4", "shift=0",
                                        "rotate=0.000001", "zoom=0.0000001", "shear=0.0000001",
                                        "elastic=0.000001:2"};
    for (size_t i = 0; i < sizeof lists / sizeof lists[0]; i++) {
        nnt_augment a = parsed(lists[i]);
        size_t n_work;
        CHECK(augment_work_floats(&n_work, &a, W, H, 3) == 0);
        float *work = n_work ? malloc(n_work * sizeof *work) : NULL;
        for (uint64_t key = 0; key < 10; key++) {
            memset(dst, 0xAA, sizeof dst);
            augment_image(dst, src, W, H, 3, &a, key * 7919, work);
            CHECKF(memcmp(dst, src, sizeof dst) == 0, "'%s' key %llu is not the identity",
                   lists[i], (unsigned long long)key);
        }
        free(work);
    }
    size_t n;
    nnt_augment e = parsed("elastic=34:4");
    CHECK(augment_work_floats(&n, &e, W, H, 3) == 0 && n == 3 * W * H + 25 + 7 * W + (W + 3) * (H + 3) * 3);
    CHECK(augment_work_floats(&n, &e, UINT32_MAX, UINT32_MAX, 1) == -1);
    nnt_augment r = parsed("rotate=10");
    CHECK(augment_work_floats(&n, &r, W, H, 1) == 0 && n == 7 * W + (W + 3) * (H + 3));
    CHECK(augment_work_floats(&n, &r, UINT32_MAX, UINT32_MAX, 3) == -1);
    nnt_augment m = parsed("shift=3,flip"); /* whole-pixel moves need no scratch */
    CHECK(augment_work_floats(&n, &m, UINT32_MAX, UINT32_MAX, 3) == 0 && n == 0);
    free(src);
}

static void bilinear(void)
{
    enum { W = 12, H = 10 };
    uint8_t flat[W * H], dst[W * H];
    memset(flat, 200, sizeof flat);
    /* a constant image stays within [0, 200]: interpolation between samples, 0 outside */
    static const char *const lists[] = {"rotate=30", "zoom=0.5", "shear=1", "elastic=20:3",
                                        "shift=2,rotate=20,zoom=0.2,shear=0.3,elastic=34:4"};
    for (size_t i = 0; i < sizeof lists / sizeof lists[0]; i++) {
        nnt_augment a = parsed(lists[i]);
        size_t n_work;
        augment_work_floats(&n_work, &a, W, H, 1);
        float *work = n_work ? malloc(n_work * sizeof *work) : NULL;
        int changed = 0;
        for (uint64_t key = 0; key < 50; key++) {
            augment_image(dst, flat, W, H, 1, &a, key, work);
            for (int j = 0; j < W * H; j++) {
                CHECKF(dst[j] <= 200, "'%s': %d", lists[i], dst[j]);
                changed |= dst[j] != 200;
            }
        }
        CHECKF(changed, "'%s' never moved the border", lists[i]);
        free(work);
    }
    /* a small elastic field moves samples by well under a pixel: the interior of a constant
     * image, two pixels from the border, keeps its value exactly */
    nnt_augment small = parsed("elastic=1:2");
    size_t n_small;
    CHECK(augment_work_floats(&n_small, &small, W, H, 1) == 0);
    float *work = malloc(n_small * sizeof *work);
    for (uint64_t key = 0; key < 20; key++) {
        augment_image(dst, flat, W, H, 1, &small, key, work);
        for (int y = 2; y < H - 2; y++)
            for (int x = 2; x < W - 2; x++)
                CHECK(dst[y * W + x] == 200);
    }
    /* a ramp along x, sheared: rows stay rows (sy = y), and row y samples x + s·(y + ½ − H/2),
     * so every interior sample is the ramp there: 10 + 15·sx, rounded */
    uint8_t ramp[W * H];
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++)
            ramp[y * W + x] = (uint8_t)(10 + 15 * x);
    nnt_augment sh = parsed("shear=0.2");
    for (uint64_t key = 0; key < 20; key++) {
        augment_image(dst, ramp, W, H, 1, &sh, key, work); /* smaller than elastic's */
        /* the shear from the top row's first interior sample (x = 3: within range for s ≤ 0.2) */
        double q0 = 0.5 - H / 2.0, s = ((dst[3] - 10) / 15.0 - 3.0) / q0;
        CHECKF(s >= -0.21 && s <= 0.21, "shear %g", s);
        for (int y = 0; y < H; y++)
            for (int x = 2; x < W - 2; x++) {
                double sx = x + s * (y + 0.5 - H / 2.0), want = 10 + 15 * sx;
                /* half a level of rounding here, at most as much from s's estimate */
                CHECKF(fabs(dst[y * W + x] - want) <= 1.01,
                       "key %llu (%d, %d): %d, wanted %.2f", (unsigned long long)key, x, y,
                       dst[y * W + x], want);
            }
    }
    free(work);
}

static void determinism(void)
{
    enum { W = 16, H = 16 };
    uint8_t *src = pattern(W, H, 1), d1[W * H], d2[W * H];
    nnt_augment a = parsed("shift=2,flip,rotate=15,zoom=0.1,shear=0.1,elastic=34:4");
    size_t n_work;
    augment_work_floats(&n_work, &a, W, H, 1);
    float *work = malloc(n_work * sizeof *work);
    augment_image(d1, src, W, H, 1, &a, 12345, work);
    memset(work, 0x7f, n_work * sizeof *work); /* the scratch's old contents do not matter */
    augment_image(d2, src, W, H, 1, &a, 12345, work);
    CHECK(memcmp(d1, d2, sizeof d1) == 0);
    augment_image(d2, src, W, H, 1, &a, 12346, work);
    CHECK(memcmp(d1, d2, sizeof d1) != 0);
    CHECK(memcmp(d1, src, sizeof d1) != 0);
    /* the key changes with each of its parts, and is a pure function of them */
    uint64_t k = augment_key(1, 3, 100);
    CHECK(k == augment_key(1, 3, 100));
    CHECK(k != augment_key(2, 3, 100) && k != augment_key(1, 4, 100) && k != augment_key(1, 3, 101));
    CHECK(augment_key(0, 0, 0) != augment_key(0, 1, 0) && augment_key(0, 0, 1) != augment_key(0, 1, 0));

    /* the gather: columns are pixels_to_floats of augment_image under the image's position's
     * key, whatever the batch they are in and whichever slot gathers them */
    enum { M = 3, NX = W * H };
    nnt_dataset ds = {.geom = {W, H, 1}, .n_x = NX, .m = M};
    uint8_t X8[NX * M];
    int32_t labels[M] = {4, 5, 6};
    for (size_t i = 0; i < sizeof X8; i++)
        X8[i] = (uint8_t)(i * 131 % 256);
    ds.X = X8;
    ds.y = labels;
    size_t position[M] = {10, 20, 30};
    nnt_geometry geom = {W, H, 1};
    nnt_augmenter g;
    nnt_err err;
    CHECK(augment_new(&g, &a, 7, position, &geom, 2, &err) == 0);
    float all[NX * M], one[NX], want[NX];
    int32_t y_all[M], y_one;
    size_t idx_all[M] = {0, 1, 2}, idx_two = 2;
    augment_gather(all, y_all, &g, 0, &ds, idx_all, M, 5);
    augment_gather(one, &y_one, &g, 1, &ds, &idx_two, 1, 5);
    CHECK(memcmp(one, all + 2 * NX, sizeof one) == 0);
    CHECK(y_one == 6 && y_all[0] == 4 && y_all[1] == 5);
    augment_image(d1, X8 + 2 * NX, W, H, 1, &a, augment_key(7, 5, 30), work);
    pixels_to_floats(want, d1, NX);
    CHECK(memcmp(want, one, sizeof want) == 0);
    augment_gather(one, NULL, &g, 1, &ds, &idx_two, 1, 6); /* another epoch, another transform */
    CHECK(memcmp(one, all + 2 * NX, sizeof one) != 0);
    /* --scale: the training set's scaler applies to the augmented pixels, as dataset_gather's */
    nnt_scaler sc;
    CHECK(scale_fit(&sc, NNT_SCALE_STANDARDIZE, X8, NX, M, &err) == 0);
    ds.scale = &sc;
    augment_gather(one, NULL, &g, 1, &ds, &idx_two, 1, 5);
    scale_apply(&sc, want, 1);
    CHECK(memcmp(want, one, sizeof want) == 0);
    scale_free(&sc);
    augment_free(&g);
    augment_free(&g); /* safe twice */
    free(work);
    free(src);
}

int main(void)
{
    parser();
    shifts_and_flips();
    identities();
    bilinear();
    determinism();
    return check_done("augment");
}
