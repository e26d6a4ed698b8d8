/* npz.h — numpy's .npz archives written in memory: .npy arrays (format 1.0, little-endian, C
 * order) as the members of an uncompressed (STORED) zip, which np.load reads without pickle. */
#ifndef NNT_NPZ_H
#define NNT_NPZ_H

#include <stddef.h>
#include <stdint.h>

#include "nnt/err.h"
#include "nnt/utf8.h" /* utf8_next, which npz_add_str uses */
#include "nnt/wbuf.h"

/* Most dimensions of one array. */
#define NNT_NPZ_MAX_DIMS 8

typedef struct nnt_npz {
    const char *path; /* named in every message */
    nnt_wbuf file;    /* local headers and members so far */
    nnt_wbuf central; /* their central-directory records */
    size_t n_members;
} nnt_npz;

/* Starts an empty archive that npz_save will write to path (kept by pointer). */
void npz_init(nnt_npz *z, const char *path);
/* Adds NAME.npy: n float32 values in C order, shape[0..ndim) (ndim 0 is a scalar: n = 1). */
int npz_add_f32(nnt_npz *z, const char *name, const float *data, const size_t *shape, int ndim,
                nnt_err *err);
/* Adds NAME.npy as int64 ('<i8'), likewise. */
int npz_add_i64(nnt_npz *z, const char *name, const int64_t *data, const size_t *shape, int ndim,
                nnt_err *err);
/* Adds NAME.npy as a unicode array ('<U' and the longest string's length in code points, at
 * least 1) of UTF-8 strings: shape (n,) when ndim is 1, a 0-d array of strs[0] when ndim is 0.
 * Bytes that are not valid UTF-8 become U+FFFD. */
int npz_add_str(nnt_npz *z, const char *name, const char *const *strs, size_t n, int ndim,
                nnt_err *err);
/* Appends the central directory and writes the archive with file_save. */
int npz_save(nnt_npz *z, nnt_err *err);
/* Frees the archive's buffers; safe after npz_init and after npz_save. */
void npz_free(nnt_npz *z);

#endif
