/* pb.c — protobuf encoding by hand: ONNX needs a dozen message types and five field kinds, which
 * is this file (about 60 lines) against a code generator and a runtime library as build and package
 * dependencies (see docs/nnt.1, EXPORT). */
#include <string.h>

#include "nnt/pb.h"

void pb_varint(nnt_wbuf *b, uint64_t v)
{
    uint8_t bytes[10];
    size_t n = 0;
    do {
        uint8_t low = v & 0x7f;
        v >>= 7;
        bytes[n++] = v ? (uint8_t)(low | 0x80) : low;
    } while (v);
    wbuf_put(b, bytes, n);
}

void pb_tag(nnt_wbuf *b, uint32_t field, int wire_type)
{
    pb_varint(b, (uint64_t)field << 3 | (uint64_t)wire_type);
}

void pb_int(nnt_wbuf *b, uint32_t field, int64_t v)
{
    pb_tag(b, field, PB_VARINT);
    pb_varint(b, (uint64_t)v);
}

void pb_float(nnt_wbuf *b, uint32_t field, float v)
{
    pb_tag(b, field, PB_I32);
    wbuf_f32le(b, &v, 1);
}

void pb_bytes(nnt_wbuf *b, uint32_t field, const void *p, size_t n)
{
    pb_tag(b, field, PB_LEN);
    pb_varint(b, n);
    wbuf_put(b, p, n);
}

void pb_string(nnt_wbuf *b, uint32_t field, const char *s)
{
    pb_bytes(b, field, s, strlen(s));
}

void pb_message(nnt_wbuf *b, uint32_t field, const nnt_wbuf *sub)
{
    if (sub->failed) {
        b->failed = 1;
        return;
    }
    pb_bytes(b, field, sub->data, sub->len);
}
