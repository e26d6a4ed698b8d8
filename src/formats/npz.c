/* npz.c — writes .npz archives: each array becomes a .npy (format 1.0) member of a zip with no
 * compression, so the file is a few fixed headers around the raw little-endian data. Zip records
 * follow the PKWARE APPNOTE: local header, data, then the central directory and its end record;
 * CRC-32 by zlib. Without zip64, every member and offset must stay below 4 GiB. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nnt/npz.h"

enum {
    ZIP_LOCAL_SIG = 0x04034b50,
    ZIP_CENTRAL_SIG = 0x02014b50,
    ZIP_END_SIG = 0x06054b50,
    ZIP_VERSION = 20,     /* 2.0: the version numpy's own savez writes */
    ZIP_DOS_DATE = 0x21,  /* 1980-01-01 00:00: a fixed time, so equal models give equal files */
    ZIP_LOCAL_BYTES = 30, /* fixed part of a local header */
    NPY_PREFIX = 10,      /* magic, version, u16 header length */
    NPY_ALIGN = 64,       /* numpy pads the header so the data starts aligned */
};
#define ZIP_MAX_U32 UINT64_C(0xfffffffe) /* 0xffffffff means "see zip64", which we do not write */

void npz_init(nnt_npz *z, const char *path)
{
    memset(z, 0, sizeof *z);
    z->path = path;
}

void npz_free(nnt_npz *z)
{
    wbuf_free(&z->file);
    wbuf_free(&z->central);
    z->n_members = 0;
}

/* The .npy header for descr and shape, padded with spaces and a final newline so that the data
 * starts at a multiple of 64 bytes; returns its length with the 10-byte prefix, 0 if too long. */
static size_t npy_header(char *out, size_t cap, const char *descr, const size_t *shape, int ndim)
{
    char dict[512]; /* 8 dimensions of 20 digits fit many times over */
    size_t n = 0;
    int k = snprintf(dict, sizeof dict, "{'descr': '%s', 'fortran_order': False, 'shape': (", descr);
    for (int d = 0; k >= 0 && (n += (size_t)k) < sizeof dict && d < ndim; d++)
        k = snprintf(dict + n, sizeof dict - n, "%s%zu", d ? ", " : "", shape[d]);
    if (k < 0 || n >= sizeof dict)
        return 0;
    /* a 1-d shape is written "(3,)", as Python's tuple syntax needs */
    k = snprintf(dict + n, sizeof dict - n, "%s), }", ndim == 1 ? "," : "");
    if (k < 0 || (n += (size_t)k) >= sizeof dict)
        return 0;
    size_t total = NPY_PREFIX + n + 1; /* + the newline */
    total = (total + NPY_ALIGN - 1) / NPY_ALIGN * NPY_ALIGN;
    if (total > cap || total - NPY_PREFIX > 0xffff)
        return 0;
    size_t hlen = total - NPY_PREFIX;
    memcpy(out, "\x93NUMPY\x01\x00", 8);
    out[8] = (char)(hlen & 0xff);
    out[9] = (char)(hlen >> 8);
    memcpy(out + NPY_PREFIX, dict, n);
    memset(out + NPY_PREFIX + n, ' ', hlen - n - 1);
    out[total - 1] = '\n';
    return total;
}

/* Writes the data of one member into z->file; n elements of item bytes each. */
typedef void put_fn(nnt_wbuf *b, const void *data, size_t n, size_t item);

static void put_f32(nnt_wbuf *b, const void *data, size_t n, size_t item)
{
    (void)item;
    wbuf_f32le(b, data, n);
}

static void put_i64(nnt_wbuf *b, const void *data, size_t n, size_t item)
{
    (void)item;
    const int64_t *v = data;
    for (size_t i = 0; i < n; i++)
        wbuf_u64le(b, (uint64_t)v[i]);
}

/* data: the code points, n strings of `item / 4` code points each, zero-padded (numpy's '<U') */
static void put_u32(nnt_wbuf *b, const void *data, size_t n, size_t item)
{
    const uint32_t *v = data;
    for (size_t i = 0; i < n * (item / 4); i++)
        wbuf_u32le(b, v[i]);
}

static int add_member(nnt_npz *z, const char *name, const char *descr, const size_t *shape,
                      int ndim, size_t item, put_fn *put, const void *data, nnt_err *err)
{
    if (ndim < 0 || ndim > NNT_NPZ_MAX_DIMS)
        return nnt_errf(err, "%s: array %s has %d dimensions, at most %d are written", z->path,
                        name, ndim, NNT_NPZ_MAX_DIMS);
    size_t count = 1, bytes;
    for (int d = 0; d < ndim; d++)
        if (nnt_mul_size(&count, count, shape[d]))
            return nnt_errf(err, "%s: array %s is too large", z->path, name);
    char header[1024];
    size_t hbytes = npy_header(header, sizeof header, descr, shape, ndim);
    size_t member_name_len = strlen(name) + strlen(".npy");
    if (hbytes == 0 || member_name_len > 0xffff)
        return nnt_errf(err, "%s: array %s: its name or shape is too long", z->path, name);
    if (nnt_mul_size(&bytes, count, item) || nnt_add_size(&bytes, bytes, hbytes) ||
        bytes > ZIP_MAX_U32 || z->file.len > ZIP_MAX_U32 || z->n_members >= 0xffff)
        return nnt_errf(err, "%s: array %s is too large for a zip without zip64 (4 GiB)", z->path,
                        name);

    /* local header, with the CRC patched in once the member's bytes are in the buffer */
    uint32_t offset = (uint32_t)z->file.len;
    wbuf_u32le(&z->file, ZIP_LOCAL_SIG);
    wbuf_u16le(&z->file, ZIP_VERSION);
    wbuf_u16le(&z->file, 0); /* flags */
    wbuf_u16le(&z->file, 0); /* method: stored */
    wbuf_u16le(&z->file, 0); /* time */
    wbuf_u16le(&z->file, ZIP_DOS_DATE);
    wbuf_u32le(&z->file, 0); /* CRC-32, patched below */
    wbuf_u32le(&z->file, (uint32_t)bytes);
    wbuf_u32le(&z->file, (uint32_t)bytes);
    wbuf_u16le(&z->file, (uint16_t)member_name_len);
    wbuf_u16le(&z->file, 0); /* extra field */
    wbuf_put(&z->file, name, strlen(name));
    wbuf_put(&z->file, ".npy", 4);
    size_t data_at = z->file.len;
    wbuf_put(&z->file, header, hbytes);
    put(&z->file, data, count, item);
    if (z->file.failed)
        return nnt_errf(err, "%s: out of memory for array %s", z->path, name);
    uint32_t crc = wbuf_crc32(z->file.data + data_at, bytes);
    for (int i = 0; i < 4; i++)
        z->file.data[offset + 14 + i] = (uint8_t)(crc >> (8 * i));

    wbuf_u32le(&z->central, ZIP_CENTRAL_SIG);
    wbuf_u16le(&z->central, ZIP_VERSION); /* made by: MS-DOS attributes, spec 2.0 */
    wbuf_u16le(&z->central, ZIP_VERSION); /* needed to extract */
    wbuf_u16le(&z->central, 0);           /* flags */
    wbuf_u16le(&z->central, 0);           /* stored */
    wbuf_u16le(&z->central, 0);
    wbuf_u16le(&z->central, ZIP_DOS_DATE);
    wbuf_u32le(&z->central, crc);
    wbuf_u32le(&z->central, (uint32_t)bytes);
    wbuf_u32le(&z->central, (uint32_t)bytes);
    wbuf_u16le(&z->central, (uint16_t)member_name_len);
    wbuf_u16le(&z->central, 0); /* extra */
    wbuf_u16le(&z->central, 0); /* comment */
    wbuf_u16le(&z->central, 0); /* disk */
    wbuf_u16le(&z->central, 0); /* internal attributes */
    wbuf_u32le(&z->central, 0); /* external attributes */
    wbuf_u32le(&z->central, offset);
    wbuf_put(&z->central, name, strlen(name));
    wbuf_put(&z->central, ".npy", 4);
    if (z->central.failed)
        return nnt_errf(err, "%s: out of memory", z->path);
    z->n_members++;
    return 0;
}

int npz_add_f32(nnt_npz *z, const char *name, const float *data, const size_t *shape, int ndim,
                nnt_err *err)
{
    return add_member(z, name, "<f4", shape, ndim, 4, put_f32, data, err);
}

int npz_add_i64(nnt_npz *z, const char *name, const int64_t *data, const size_t *shape, int ndim,
                nnt_err *err)
{
    return add_member(z, name, "<i8", shape, ndim, 8, put_i64, data, err);
}

int npz_add_str(nnt_npz *z, const char *name, const char *const *strs, size_t n, int ndim,
                nnt_err *err)
{
    if (ndim != 0 && ndim != 1)
        return nnt_errf(err, "%s: string array %s must have 0 or 1 dimensions", z->path, name);
    if (ndim == 0 && n != 1)
        return nnt_errf(err, "%s: a 0-d string array %s holds one string", z->path, name);
    size_t width = 1; /* numpy has no '<U0' for arrays of empty strings */
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(strs[i]), cps = 0;
        for (size_t at = 0, k; at < len; at += k, cps++)
            (void)utf8_next((const unsigned char *)strs[i] + at, len - at, &k);
        if (cps > width)
            width = cps;
    }
    size_t cells, bytes;
    if (nnt_mul_size(&cells, n, width) || nnt_mul_size(&bytes, cells, sizeof(uint32_t)))
        return nnt_errf(err, "%s: string array %s is too large", z->path, name);
    uint32_t *cp = calloc(cells ? cells : 1, sizeof *cp);
    if (!cp)
        return nnt_errf(err, "%s: out of memory for array %s", z->path, name);
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(strs[i]), j = 0;
        for (size_t at = 0, k; at < len; at += k)
            cp[i * width + j++] = utf8_next((const unsigned char *)strs[i] + at, len - at, &k);
    }
    char descr[32];
    snprintf(descr, sizeof descr, "<U%zu", width);
    size_t shape[1] = {n};
    int rc = add_member(z, name, descr, shape, ndim, width * 4, put_u32, cp, err);
    free(cp);
    return rc;
}

int npz_save(nnt_npz *z, nnt_err *err)
{
    size_t cd_offset = z->file.len, cd_size = z->central.len;
    if (cd_offset > ZIP_MAX_U32 || cd_size > ZIP_MAX_U32)
        return nnt_errf(err, "%s: too large for a zip without zip64 (4 GiB)", z->path);
    wbuf_put(&z->file, z->central.data, z->central.len);
    wbuf_u32le(&z->file, ZIP_END_SIG);
    wbuf_u16le(&z->file, 0); /* this disk */
    wbuf_u16le(&z->file, 0); /* disk of the central directory */
    wbuf_u16le(&z->file, (uint16_t)z->n_members);
    wbuf_u16le(&z->file, (uint16_t)z->n_members);
    wbuf_u32le(&z->file, (uint32_t)cd_size);
    wbuf_u32le(&z->file, (uint32_t)cd_offset);
    wbuf_u16le(&z->file, 0); /* comment */
    return wbuf_save(&z->file, z->path, err);
}
