/* model.h — the model file: a versioned, checksummed binary holding all that prediction needs. */
#ifndef NNT_MODEL_H
#define NNT_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "nnt/err.h"
#include "nnt/net.h"

/* Newest format this build writes; model_load reads every version from 1 up to it. */
#define NNT_MODEL_VERSION 1
/* Loading refuses larger files before reading them (no header can make us allocate more). */
#define NNT_MODEL_MAX_BYTES (UINT64_C(1) << 32)

typedef struct nnt_model {
    nnt_net net;            /* owns the parameters */
    uint32_t width, height; /* input geometry: net.n_x == width * height * channels */
    int channels;           /* 1 gray, 3 RGB */
    int n_classes;          /* ≥ 2; net.n_y is 1 when n_classes == 2, else n_classes */
    char **class_names;     /* n_classes NUL-terminated UTF-8 names, owned */
    char *meta;             /* owned "key=value\n" lines on how it was trained (may be NULL; meta.h) */
    uint32_t version;       /* format version the file was read from (set by model_load) */
} nnt_model;

/* Serialises the model into a malloc'd buffer (*buf, *len). */
int model_encode(uint8_t **buf, size_t *len, const nnt_model *model, nnt_err *err);
/* Parses a buffer; every length and count is checked against what remains and for overflow, so
 * any byte string either decodes to a consistent model or fails with the reason ("bad magic",
 * "unsupported format version N", "checksum mismatch", "truncated", "trailing bytes",
 * "dimensions do not add up", ...). `name` is put in front of the reason. */
int model_decode(nnt_model *model, const uint8_t *buf, size_t len, const char *name, nnt_err *err);

/* Writes the model to a temporary file in path's folder, flushes and fsyncs it, then renames it
 * over path: an existing file at path is replaced only by a complete new one, and no temporary
 * file is left behind on any failure. */
int model_save(const nnt_model *model, const char *path, nnt_err *err);
/* Reads and decodes path (size-checked before reading). */
int model_load(nnt_model *model, const char *path, nnt_err *err);
/* Frees everything the model owns and zeroes it; safe on a zeroed model. */
void model_free(nnt_model *model);

#endif
