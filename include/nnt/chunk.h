/* chunk.h — the model file's container: a file header (8-byte magic, u32 version), then chunks
 * (4-byte tag, u64 little-endian length, payload) up to an empty END chunk, then the CRC-32 of
 * everything before it. What the chunks hold is model.h's. */
#ifndef NNT_CHUNK_H
#define NNT_CHUNK_H

#include <stddef.h>
#include <stdint.h>

#include "nnt/err.h"

enum {
    CHUNK_FILE_HEADER = 12, /* magic + u32 version: the same in every version, forever */
    CHUNK_HEADER = 12,      /* 4-byte tag + u64 payload length */
    CHUNK_CRC_BYTES = 4
};

/* The first 8 bytes of every model file (PNG's scheme: high bit, name, CR LF, ^Z, LF). */
extern const uint8_t chunk_magic[8];

/* Tags are four ASCII letters, right-padded with spaces; an upper-case first letter marks a chunk
 * a reader must understand (critical), a lower-case one a chunk it may skip (ancillary). */
int chunk_tag_valid(const uint8_t *t);
int chunk_tag_is(const uint8_t *t, const char *name);
int chunk_tag_critical(const uint8_t *t);

/* Writes a chunk's tag and length at p; returns where its payload goes. */
uint8_t *chunk_put_header(uint8_t *p, const char *tag, uint64_t len);

/* The chunk at *pos of the region p[0..n) (the chunks between file header and checksum): its tag,
 * payload and length, and *pos moved past it. Fails, naming the byte, on a bad tag or a chunk
 * that runs past the region. */
int chunk_next(const uint8_t **tag, const uint8_t **payload, size_t *len, const uint8_t *p, size_t n,
               size_t *pos, const char *name, nnt_err *err);

/* 0 when the last 4 bytes of buf are the CRC-32 of the rest; otherwise a message telling a
 * truncated file, bytes after a good checksum and damage apart (chunks longer than max_bytes are
 * damage). */
int chunk_check_integrity(const uint8_t *buf, size_t len, uint64_t max_bytes, const char *name,
                          nnt_err *err);

#endif
