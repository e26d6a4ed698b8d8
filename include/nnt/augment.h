/* augment.h — seeded on-the-fly augmentation of training images: the --augment list, one
 * image's transform as a pure function of a key, and the gather of a training batch through it. */
#ifndef NNT_AUGMENT_H
#define NNT_AUGMENT_H

#include <stddef.h>
#include <stdint.h>

#include "nnt/dataset.h"
#include "nnt/err.h"

/* The transforms of --augment; all zero: none. Each image draws its own parameters, uniformly
 * within these bounds, from its key. */
typedef struct nnt_augment {
    int shift;           /* translation by a whole number of pixels in [-shift, shift], x and y */
    int flip;            /* mirror left-right half of the images (wrong for digits and text) */
    float rotate;        /* rotation by up to ± this many degrees about the image centre */
    float scale;         /* zoom by a factor in [1 - scale, 1 + scale] */
    float shear;         /* horizontal shear x += s·y, s in [-shear, shear] */
    float elastic_alpha; /* elastic distortion (Simard et al. 2003): a uniform random field in */
    float elastic_sigma; /* [-1, 1] per pixel, smoothed by a Gaussian of σ pixels, times α */
} nnt_augment;

/* Parses a comma-separated list, e.g. "shift=2,flip,rotate=10,zoom=0.1,shear=0.1,elastic=34:4",
 * or "none". Returns 0, or -1 with a message naming the bad item (a usage error for the CLI);
 * *a is all zero on failure. */
int augment_parse(nnt_augment *a, const char *list, nnt_err *err);
/* 1 when a transforms anything (the trainer takes its plain path otherwise). */
int augment_active(const nnt_augment *a);
/* The list in canonical form ("shift=2,flip,elastic=34:4", fixed order, %.7g), for META. */
void augment_format(char *buf, size_t n, const nnt_augment *a);

/* The key of one image in one epoch: a counter-based hash (splitmix64) of the seed, the epoch
 * and the image's position in the whole training list, so that an image is transformed alike
 * whatever the threads, ranks or batch, and no generator state needs keeping. */
uint64_t augment_key(uint64_t seed, int epoch, size_t position);

/* Scratch floats augment_image needs for images of w × h × channels (0 for shifts and flips
 * alone); -1 on overflow. */
int augment_work_floats(size_t *n, const nnt_augment *a, uint32_t w, uint32_t h, int channels);

/* dst = src transformed by a with the parameters key draws: each output pixel centre is mapped
 * back into src (flip, then shear, rotation, scale about the centre, then the shift and the
 * elastic displacement) and sampled bilinearly with resize.c's pixel-centre convention; samples
 * outside src are 0. dst and src: w · h · channels samples in nnt_image order, not overlapping.
 * work: augment_work_floats floats (may be NULL when that is 0). */
void augment_image(uint8_t *dst, const uint8_t *src, uint32_t w, uint32_t h, int channels,
                   const nnt_augment *a, uint64_t key, float *work);

/* What a trainer's threads need to augment batches: the transforms, the seed, the images'
 * positions, and each thread's scratch (a slot: image bytes and elastic fields). */
typedef struct nnt_augmenter {
    const nnt_augment *a;    /* borrowed */
    uint64_t seed;
    const size_t *position;  /* each image's position in the whole training list (borrowed;
                                NULL: its index) */
    int slots;
    uint8_t *pix;            /* slots × pix_ld bytes */
    float *work;             /* slots × work_ld floats (NULL without elastic) */
    size_t pix_ld, work_ld;
} nnt_augmenter;

/* An augmenter of images in geom for `slots` threads; -1 with a message (out of memory, too
 * large). Release with augment_free, which is also safe after a failure. */
int augment_new(nnt_augmenter *g, const nnt_augment *a, uint64_t seed, const size_t *position,
                const nnt_geometry *geom, int slots, nnt_err *err);
void augment_free(nnt_augmenter *g);

/* dataset_gather of training columns idx[0..b) through augment_image, on scratch `slot`: X
 * (n_x × b, ld = n_x) gets each image transformed with augment_key(g->seed, epoch, its position)
 * and then pixels_to_floats and ds->scale when set; y (b labels) when not NULL. */
void augment_gather(float *X, int32_t *y, const nnt_augmenter *g, int slot,
                    const nnt_dataset *ds, const size_t *idx, size_t b, int epoch);

#endif
