/* dataset.h — a folder of class sub-folders of PNG and JPEG images: scanning it (scan.c), and
 * loading it as a uint8 matrix (dataset.c). */
#ifndef NNT_DATASET_H
#define NNT_DATASET_H

#include <stddef.h>
#include <stdint.h>

#include "nnt/err.h"
#include "nnt/image.h"
#include "nnt/pixels.h"
#include "nnt/rng.h"
#include "nnt/scale.h"

/* Image files and their class labels, in a fixed order (class, then path by byte order). */
typedef struct nnt_filelist {
    size_t n;
    char **paths;   /* n owned paths */
    int32_t *labels; /* n labels in [0, n_classes) */
} nnt_filelist;

/* The files below one class folder that the scan left out, and why (by their names). */
typedef struct nnt_scan_ignored {
    size_t n_unsupported; /* images of a format nnt does not read (.bmp, .gif, .webp, ...) */
    size_t n_other;       /* files whose names are not those of images */
    char exts[48];        /* the unsupported extensions seen, as ".gif .bmp" ("..." when more) */
} nnt_scan_ignored;

/* What ig counts, as "2 not images, 3 of unsupported formats .gif .bmp" ("" when nothing). */
void dataset_describe_ignored(char *out, size_t cap, const nnt_scan_ignored *ig);

/* What dataset_scan found. */
typedef struct nnt_scan {
    int n_classes;
    char **class_names; /* sorted by byte order (locale-independent) */
    nnt_filelist train;
    nnt_filelist test; /* n == 0 when there is no test split */
    int has_test;
    int has_train_dir;  /* the layout is dir/train/<class>/ rather than dir/<class>/ */
    size_t n_ignored;   /* files ignored in both splits */
    nnt_scan_ignored *ignored_train; /* n_classes: what each class folder of the training split
                                        left out; NULL when n_ignored is 0 */
    nnt_scan_ignored *ignored_test;  /* the same for the test split; NULL without one */
} nnt_scan;

/* Scans dir: either dir/train/<class>/ (+ optional dir/test/<class>/) or dir/<class>/. Images
 * are files named *.png, *.jpg or *.jpeg (any case; their content decides how they decode)
 * anywhere below a class folder; names starting with '.' are ignored; other files are left out
 * and counted per class (scan->ignored_*). The names decide because the scan opens no file: a
 * folder of 60,000 images is listed from the directory entries alone. Fails naming the folder
 * on: no class folders, fewer than two classes, class folders with no images (every one named,
 * with what was ignored in it), a test split whose classes differ, unreadable folders, symlink
 * loops. */
int dataset_scan(nnt_scan *scan, const char *dir, nnt_err *err);
void dataset_scan_free(nnt_scan *scan);

/* The shape every image is brought to. */
typedef struct nnt_geometry {
    uint32_t width, height;
    int channels; /* 1 or 3 */
} nnt_geometry;

typedef struct nnt_load_opts {
    uint64_t max_pixels;       /* per image; see img_load */
    uint32_t width, height;    /* resize every image to this (--size); 0 × 0 keeps sizes, which must agree */
    int skip_bad;              /* skip undecodable files with a warning instead of failing */
    int threads;               /* decoding threads, ≥ 1 */
    void (*warn)(void *ctx, const char *msg); /* receives one message per skipped file (may be NULL) */
    void *warn_ctx;
} nnt_load_opts;

/* The loaded images: stored as bytes (4× smaller than floats); batches are expanded on use. */
typedef struct nnt_dataset {
    nnt_geometry geom;
    size_t n_x;      /* width · height · channels */
    size_t m;        /* images */
    uint8_t *X;      /* n_x × m, column-major, ld = n_x: column j is image j in nnt_image order */
    int32_t *y;      /* m labels */
    char **paths;    /* m paths (owned copies) */
    size_t *file;    /* m: each image's index in the file list it was loaded from (files skipped
                        leave gaps); NULL when not loaded from a list */
    const nnt_scaler *scale; /* borrowed: applied by dataset_gather after pixels_to_floats;
                                NULL (dataset_load's): the inputs are pixel / 255 */
} nnt_dataset;

/* The CRC-32 of d's images and labels as decoded (X, then y as little-endian u32): the
 * fingerprint a checkpoint keeps of each set, so that a resume on other data is refused. It is
 * of what the run trains on (after --size, the split, skipped files), not of file names or
 * times, so a copied or moved folder still matches, and it costs one pass over memory. */
uint32_t dataset_crc(const nnt_dataset *d);

/* Reads the headers of files to decide the geometry: the size given in opts, else the first
 * image's (then every image must have it: a mismatch names the file and both sizes); channels 3
 * if any image is in colour, else 1. Files whose header is bad fail, or count as skipped. */
int dataset_probe(nnt_geometry *geom, const nnt_filelist *files, const nnt_load_opts *opts,
                  nnt_err *err);

/* Decodes files into ds in geom (resizing only when opts gives a size), on opts->threads threads.
 * With skip_bad, undecodable files are left out (one warning each, *n_skipped counts them);
 * otherwise the first bad file (in list order) fails the load. */
int dataset_load(nnt_dataset *ds, size_t *n_skipped, const nnt_filelist *files,
                 const nnt_geometry *geom, const nnt_load_opts *opts, nnt_err *err);
void dataset_free(nnt_dataset *ds);

/* The classes that files listed images of but none loaded (--skip-bad skipped them all), named
 * into out as "bag (all 30 failed to decode), coat (...)"; returns how many. listed[c] and
 * loaded[c]: the images of class c in the list and in the loaded set. */
int dataset_classes_lost(char *out, size_t cap, const size_t *listed, const size_t *loaded,
                         int n_classes, char *const *names);

/* Splits files into fit and held: round(frac · n_c) of each class c (at least one of a class
 * with two or more files, never all of them), chosen by rng, go to held; fit keeps the rest.
 * Both keep the files' order. The split is of the list, before any image is decoded, so every
 * rank of a data-parallel run makes the same one and loads its shard of each part. The paths
 * are borrowed from files: release the two lists with filelist_release. 0 < frac < 1. */
int filelist_split(nnt_filelist *fit, nnt_filelist *held, const nnt_filelist *files, double frac,
                   int n_classes, nnt_rng *rng, nnt_err *err);

/* Frees a list's arrays but not its paths, which it borrows (filelist_split, shards). */
void filelist_release(nnt_filelist *l);

/* X = the columns idx[0..b) of ds as floats (pixels_to_floats, then ds->scale when set), or the
 * columns first..first+b when idx is NULL. X: n_x × b, ld = n_x. y (b labels) is filled when not
 * NULL. */
void dataset_gather(float *X, int32_t *y, const nnt_dataset *ds, const size_t *idx, size_t first,
                    size_t b);

/* The image's samples as one X column (pixels_to_floats); img must be in ds geometry. */
void dataset_column_from_image(float *x, const nnt_image *img);

#endif
