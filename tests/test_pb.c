/* test_pb.c — the protobuf writer against encodings worked out by hand from the wire-format
 * specification (its own example: field 1 = 150 is 08 96 01), at every varint length boundary,
 * for negative ints, floats, strings, nested messages and failure propagation. */
#include <stdint.h>
#include <string.h>

#include "check.h"
#include "nnt/pb.h"

/* b holds exactly the n bytes of want; b is emptied for the next case. */
static int bytes_are(nnt_wbuf *b, const uint8_t *want, size_t n)
{
    int ok = !b->failed && b->len == n && memcmp(b->data, want, n) == 0;
    if (!ok) {
        fprintf(stderr, "  got %zu bytes:", b->len);
        for (size_t i = 0; i < b->len; i++)
            fprintf(stderr, " %02x", b->data[i]);
        fputc('\n', stderr);
    }
    wbuf_free(b);
    return ok;
}
#define IS(b, ...) CHECK(bytes_are(&(b), (const uint8_t[]){__VA_ARGS__}, sizeof((const uint8_t[]){__VA_ARGS__})))

int main(void)
{
    nnt_wbuf b = {0};
    pb_varint(&b, 0);                    IS(b, 0x00);
    pb_varint(&b, 1);                    IS(b, 0x01);
    pb_varint(&b, 127);                  IS(b, 0x7f);
    pb_varint(&b, 128);                  IS(b, 0x80, 0x01);
    pb_varint(&b, 300);                  IS(b, 0xac, 0x02);
    pb_varint(&b, 16383);                IS(b, 0xff, 0x7f);
    pb_varint(&b, 16384);                IS(b, 0x80, 0x80, 0x01);
    pb_varint(&b, UINT32_MAX);           IS(b, 0xff, 0xff, 0xff, 0xff, 0x0f);
    pb_varint(&b, UINT64_C(1) << 63);    IS(b, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01);
    pb_varint(&b, UINT64_MAX);           IS(b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01);

    pb_int(&b, 1, 150);                  IS(b, 0x08, 0x96, 0x01); /* the specification's example */
    pb_int(&b, 20, 2);                   IS(b, 0xa0, 0x01, 0x02); /* a two-byte key */
    pb_int(&b, 3, -1);                   IS(b, 0x18, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01);
    pb_int(&b, 1, INT64_MAX);            IS(b, 0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f);
    pb_tag(&b, 536870911, PB_I64);       IS(b, 0xf9, 0xff, 0xff, 0xff, 0x0f); /* the largest field */
    pb_float(&b, 2, 1.0f);               IS(b, 0x15, 0x00, 0x00, 0x80, 0x3f);
    pb_float(&b, 2, 0.01f);              IS(b, 0x15, 0x0a, 0xd7, 0x23, 0x3c);
    pb_string(&b, 2, "testing");         IS(b, 0x12, 0x07, 't', 'e', 's', 't', 'i', 'n', 'g');
    pb_string(&b, 1, "");                IS(b, 0x0a, 0x00);
    pb_bytes(&b, 9, "\x00\x01", 2);      IS(b, 0x4a, 0x02, 0x00, 0x01);

    /* the specification's embedded message: field 3 holding {field 1 = 150} */
    nnt_wbuf sub = {0};
    pb_int(&sub, 1, 150);
    pb_message(&b, 3, &sub);             IS(b, 0x1a, 0x03, 0x08, 0x96, 0x01);
    /* an empty message, and one of 200 bytes, whose length takes two bytes */
    nnt_wbuf empty = {0};
    pb_message(&b, 7, &empty);           IS(b, 0x3a, 0x00);
    uint8_t long_bytes[200];
    memset(long_bytes, 0x55, sizeof long_bytes);
    pb_bytes(&b, 1, long_bytes, sizeof long_bytes);
    CHECK(b.len == 203 && b.data[0] == 0x0a && b.data[1] == 0xc8 && b.data[2] == 0x01 &&
          b.data[3] == 0x55 && b.data[202] == 0x55);
    wbuf_free(&b);
    /* a sub-message that failed fails its parent */
    sub.failed = 1;
    pb_message(&b, 3, &sub);
    CHECK(b.failed);
    wbuf_free(&b);
    wbuf_free(&sub);
    return check_done("test_pb");
}
