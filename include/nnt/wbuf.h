/* wbuf.h — a growing byte buffer for files built in memory (npz, ONNX), and saving one whole. */
#ifndef NNT_WBUF_H
#define NNT_WBUF_H

#include <stddef.h>
#include <stdint.h>

#include "nnt/err.h"
#include "nnt/file.h" /* file_save, which wbuf_save calls */

/* Appends never fail one by one: a failed growth (out of memory, or a size past SIZE_MAX) sets
 * `failed`, later appends do nothing, and the caller checks once at the end. Zero-initialise. */
typedef struct nnt_wbuf {
    uint8_t *data;
    size_t len, cap;
    int failed;
} nnt_wbuf;

/* Appends n bytes (p may be NULL when n is 0). */
void wbuf_put(nnt_wbuf *b, const void *p, size_t n);
/* Appends v as 1, 2, 4 or 8 little-endian bytes. */
void wbuf_u8(nnt_wbuf *b, uint8_t v);
void wbuf_u16le(nnt_wbuf *b, uint16_t v);
void wbuf_u32le(nnt_wbuf *b, uint32_t v);
void wbuf_u64le(nnt_wbuf *b, uint64_t v);
/* Appends n floats as little-endian IEEE-754 binary32, whatever the host's byte order. */
void wbuf_f32le(nnt_wbuf *b, const float *v, size_t n);
/* zlib's CRC-32 of n bytes (PNG, zip and the model file all use it), for any size_t n. */
uint32_t wbuf_crc32(const void *data, size_t n);
/* Frees the bytes and zeroes b; safe on a zeroed buffer. */
void wbuf_free(nnt_wbuf *b);

/* file_save of b's bytes; fails with "out of memory" when an append failed. */
int wbuf_save(const nnt_wbuf *b, const char *path, nnt_err *err);

#endif
