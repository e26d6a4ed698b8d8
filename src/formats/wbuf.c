/* wbuf.c — growing byte buffers with a sticky failure flag, saved whole through file.c, and the
 * CRC-32 they are checksummed with. */
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "nnt/le.h"
#include "nnt/wbuf.h"

/* Makes room for n more bytes; 0 on success, -1 (and b->failed) otherwise. */
static int reserve(nnt_wbuf *b, size_t n)
{
    if (b->failed)
        return -1;
    size_t need;
    if (nnt_add_size(&need, b->len, n)) {
        b->failed = 1;
        return -1;
    }
    if (need <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < need)
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    uint8_t *p = realloc(b->data, cap);
    if (!p) {
        b->failed = 1;
        return -1;
    }
    b->data = p;
    b->cap = cap;
    return 0;
}

void wbuf_put(nnt_wbuf *b, const void *p, size_t n)
{
    if (n == 0 || reserve(b, n))
        return;
    memcpy(b->data + b->len, p, n);
    b->len += n;
}

static void put_le(nnt_wbuf *b, uint64_t v, int n)
{
    uint8_t bytes[8];
    le_put(bytes, v, n);
    wbuf_put(b, bytes, (size_t)n);
}

void wbuf_u8(nnt_wbuf *b, uint8_t v) { wbuf_put(b, &v, 1); }
void wbuf_u16le(nnt_wbuf *b, uint16_t v) { put_le(b, v, 2); }
void wbuf_u32le(nnt_wbuf *b, uint32_t v) { put_le(b, v, 4); }
void wbuf_u64le(nnt_wbuf *b, uint64_t v) { put_le(b, v, 8); }

void wbuf_f32le(nnt_wbuf *b, const float *v, size_t n)
{
    size_t bytes;
    if (nnt_mul_size(&bytes, n, 4)) {
        b->failed = 1;
        return;
    }
    if (bytes == 0 || reserve(b, bytes))
        return;
    uint8_t *p = b->data + b->len;
    for (size_t i = 0; i < n; i++, p += 4)
        le_put_f32(p, v[i]);
    b->len += bytes;
}

void wbuf_free(nnt_wbuf *b)
{
    free(b->data);
    memset(b, 0, sizeof *b);
}

int wbuf_save(const nnt_wbuf *b, const char *path, nnt_err *err)
{
    if (b->failed)
        return nnt_errf(err, "%s: out of memory while building the file", path);
    return file_save(path, b->data, b->len, err);
}

uint32_t wbuf_crc32(const void *data, size_t n)
{
    /* zlib's crc32 takes a uInt length; feed it in pieces so any size_t works */
    const uint8_t *p = data;
    uLong crc = crc32(0L, Z_NULL, 0);
    while (n > 0) {
        uInt k = n > (1u << 30) ? (1u << 30) : (uInt)n;
        crc = crc32(crc, p, k);
        p += k;
        n -= k;
    }
    return (uint32_t)crc;
}
