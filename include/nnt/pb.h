/* pb.h — the protobuf wire format, write side only: what `nnt export --format onnx` needs.
 * Fields are appended to an nnt_wbuf; an embedded message is built in its own buffer and then
 * appended whole with pb_message, as its length must precede it. */
#ifndef NNT_PB_H
#define NNT_PB_H

#include <stddef.h>
#include <stdint.h>

#include "nnt/wbuf.h"

/* Wire types. */
enum { PB_VARINT = 0, PB_I64 = 1, PB_LEN = 2, PB_I32 = 5 };

/* v as a base-128 varint, least significant group first (1 to 10 bytes). */
void pb_varint(nnt_wbuf *b, uint64_t v);
/* The key of a field: (field << 3) | wire type, as a varint. */
void pb_tag(nnt_wbuf *b, uint32_t field, int wire_type);
/* An int32, int64, uint32, uint64, bool or enum field; negative values are sign-extended to 64
 * bits (10 bytes), as protobuf encodes int32 and int64. */
void pb_int(nnt_wbuf *b, uint32_t field, int64_t v);
/* A float field (wire type 5, little-endian binary32). */
void pb_float(nnt_wbuf *b, uint32_t field, float v);
/* A bytes field of n bytes. */
void pb_bytes(nnt_wbuf *b, uint32_t field, const void *p, size_t n);
/* A string field (s is NUL-terminated). */
void pb_string(nnt_wbuf *b, uint32_t field, const char *s);
/* An embedded message field holding sub's bytes; a failed sub fails b. */
void pb_message(nnt_wbuf *b, uint32_t field, const nnt_wbuf *sub);

#endif
