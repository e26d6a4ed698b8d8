/* test_npz.c — the .npz writer and the byte buffer under it: UTF-8 decoding, little-endian
 * appends, then an archive written to disk and taken apart again: every zip record, CRC-32,
 * offset and size, every .npy header byte for byte (as numpy writes them) and the data, and the
 * refusals (too many dimensions, a missing folder: message names the file, nothing left behind).
 * numpy itself reads these archives in tests/cli_export.sh. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "check.h"
#include "nnt/npz.h"
#include "nnt/wbuf.h"

static uint32_t u16(const uint8_t *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8; }
static uint32_t u32(const uint8_t *p) { return u16(p) | u16(p + 2) << 16; }

static void test_utf8(void)
{
    size_t k;
    CHECK(utf8_next((const unsigned char *)"A", 1, &k) == 'A' && k == 1);
    CHECK(utf8_next((const unsigned char *)"\xc3\xbc", 2, &k) == 0xfc && k == 2);         /* ü */
    CHECK(utf8_next((const unsigned char *)"\xe2\x82\xac", 3, &k) == 0x20ac && k == 3);   /* € */
    CHECK(utf8_next((const unsigned char *)"\xf0\x9f\x91\x9f", 4, &k) == 0x1f45f && k == 4);
    /* refused: overlong, surrogate, past U+10FFFF, truncated, stray continuation, bad lead */
    CHECK(utf8_next((const unsigned char *)"\xc0\x80", 2, &k) == 0xfffd && k == 1);
    CHECK(utf8_next((const unsigned char *)"\xe0\x80\x80", 3, &k) == 0xfffd && k == 1);
    CHECK(utf8_next((const unsigned char *)"\xed\xa0\x80", 3, &k) == 0xfffd && k == 1);
    CHECK(utf8_next((const unsigned char *)"\xf4\x90\x80\x80", 4, &k) == 0xfffd && k == 1);
    CHECK(utf8_next((const unsigned char *)"\xe2\x82", 2, &k) == 0xfffd && k == 1);
    CHECK(utf8_next((const unsigned char *)"\xe2\x82x", 3, &k) == 0xfffd && k == 1);
    CHECK(utf8_next((const unsigned char *)"\x80", 1, &k) == 0xfffd && k == 1);
    CHECK(utf8_next((const unsigned char *)"\xff", 1, &k) == 0xfffd && k == 1);
}

static void test_wbuf(void)
{
    nnt_wbuf b = {0};
    wbuf_u8(&b, 0x01);
    wbuf_u16le(&b, 0x0302);
    wbuf_u32le(&b, 0x07060504);
    wbuf_u64le(&b, 0x0f0e0d0c0b0a0908ULL);
    float one = 1.0f, neg = -2.5f;
    wbuf_f32le(&b, &one, 1);
    wbuf_f32le(&b, &neg, 1);
    wbuf_put(&b, NULL, 0);
    static const uint8_t want[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
                                   0x00, 0x00, 0x80, 0x3f, 0x00, 0x00, 0x20, 0xc0};
    CHECK(!b.failed && b.len == sizeof want && memcmp(b.data, want, sizeof want) == 0);
    /* growth past the first allocation keeps every byte */
    for (int i = 0; i < 10000; i++)
        wbuf_u8(&b, (uint8_t)i);
    CHECK(b.len == sizeof want + 10000 && b.data[sizeof want + 9999] == (uint8_t)9999);
    /* a size past SIZE_MAX fails once and for all, and saving then refuses */
    wbuf_put(&b, "x", SIZE_MAX);
    CHECK(b.failed);
    size_t len = b.len;
    wbuf_u8(&b, 1);
    CHECK(b.len == len);
    nnt_err err;
    CHECK(wbuf_save(&b, "never.bin", &err) != 0 && strstr(err.msg, "never.bin: out of memory"));
    CHECK(access("never.bin", F_OK) != 0);
    wbuf_free(&b);
    CHECK(b.data == NULL && b.len == 0 && !b.failed);
}

static uint8_t *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *buf = malloc((size_t)n + 1);
    *len = fread(buf, 1, (size_t)n, f);
    fclose(f);
    return buf;
}

/* One member as the archive's central directory describes it. */
typedef struct member {
    char name[64];
    const uint8_t *data; /* the .npy bytes */
    size_t size;
} member;

/* Walks the archive from its end record; checks every record against its local header and CRC. */
static int parse_zip(member *out, int max, const uint8_t *z, size_t len)
{
    if (len < 22 || u32(z + len - 22) != 0x06054b50)
        return -1;
    const uint8_t *end = z + len - 22;
    int n = (int)u16(end + 10);
    CHECK(u16(end + 8) == (uint32_t)n && u16(end + 20) == 0 && u16(end + 4) == 0);
    size_t cd_size = u32(end + 12), cd_off = u32(end + 16);
    CHECK(cd_off + cd_size == len - 22);
    const uint8_t *c = z + cd_off;
    for (int i = 0; i < n && i < max; i++) {
        CHECK(u32(c) == 0x02014b50 && u16(c + 10) == 0 /* stored */);
        uint32_t crc = u32(c + 16), csize = u32(c + 20), usize = u32(c + 24);
        size_t name_len = u16(c + 28), extra = u16(c + 30), comment = u16(c + 32);
        size_t off = u32(c + 42);
        CHECK(csize == usize && extra == 0 && comment == 0 && name_len < sizeof out[i].name);
        memcpy(out[i].name, c + 46, name_len);
        out[i].name[name_len] = '\0';
        const uint8_t *l = z + off;
        CHECK(u32(l) == 0x04034b50 && u16(l + 8) == 0);
        CHECK(u32(l + 14) == crc && u32(l + 18) == csize && u32(l + 22) == usize);
        CHECK(u16(l + 26) == name_len && memcmp(l + 30, out[i].name, name_len) == 0);
        out[i].data = l + 30 + name_len + u16(l + 28);
        out[i].size = usize;
        CHECKF((uint32_t)crc32(0, out[i].data, (uInt)usize) == crc, "CRC of %s", out[i].name);
        c += 46 + name_len + extra + comment;
    }
    CHECK(c == z + cd_off + cd_size);
    return n;
}

/* The .npy header text (dict + padding + newline) must be `dict` exactly; returns the data. */
static const uint8_t *check_npy(const member *m, const char *dict, size_t data_bytes)
{
    const uint8_t *p = m->data;
    CHECKF(memcmp(p, "\x93NUMPY\x01\x00", 8) == 0, "%s: magic", m->name);
    size_t hlen = u16(p + 8), total = 10 + hlen;
    CHECKF(total % 64 == 0, "%s: header of %zu bytes", m->name, total);
    CHECKF(strlen(dict) < hlen && memcmp(p + 10, dict, strlen(dict)) == 0, "%s: header %.*s",
           m->name, (int)hlen, (const char *)p + 10);
    for (size_t i = 10 + strlen(dict); i + 1 < total; i++)
        CHECK(p[i] == ' ');
    CHECK(p[total - 1] == '\n');
    CHECKF(m->size == total + data_bytes, "%s: %zu bytes, wanted %zu", m->name, m->size,
           total + data_bytes);
    return p + total;
}

static void test_archive(const char *dir)
{
    char path[600];
    snprintf(path, sizeof path, "%s/a.npz", dir);
    nnt_npz z;
    nnt_err err;
    npz_init(&z, path);
    const float M[6] = {1, 2, 3, 4, 5, -0.5f};
    const float s = 0.25f;
    const int64_t big = -3, v[3] = {7, 1LL << 40, -1};
    const char *names[3] = {"ab", "\xc3\xbc\xe2\x82\xacx", ""};
    const char *one = "relu";
    CHECK(npz_add_f32(&z, "M", M, (const size_t[]){2, 3}, 2, &err) == 0);
    CHECK(npz_add_f32(&z, "col", M, (const size_t[]){3, 1}, 2, &err) == 0);
    CHECK(npz_add_f32(&z, "s", &s, NULL, 0, &err) == 0);
    CHECK(npz_add_i64(&z, "i", &big, NULL, 0, &err) == 0);
    CHECK(npz_add_i64(&z, "v", v, (const size_t[]){3}, 1, &err) == 0);
    CHECK(npz_add_str(&z, "names", names, 3, 1, &err) == 0);
    CHECK(npz_add_str(&z, "act", &one, 1, 0, &err) == 0);
    CHECK(npz_add_str(&z, "empty", &names[2], 1, 0, &err) == 0);
    CHECK(npz_add_f32(&z, "x", M, (const size_t[]){0}, 1, &err) == 0);
    /* refusals leave the archive as it was */
    size_t len_before = z.file.len;
    CHECK(npz_add_f32(&z, "deep", M, (const size_t[]){1, 1, 1, 1, 1, 1, 1, 1, 1}, 9, &err) != 0 &&
          strstr(err.msg, "a.npz: array deep has 9 dimensions"));
    CHECK(npz_add_str(&z, "two", names, 2, 0, &err) != 0 && strstr(err.msg, "a.npz"));
    CHECK(npz_add_f32(&z, "huge", M, (const size_t[]){SIZE_MAX / 2, 3}, 2, &err) != 0 &&
          strstr(err.msg, "too large"));
    CHECK(z.file.len == len_before && z.n_members == 9);
    CHECKF(npz_save(&z, &err) == 0, "%s", err.msg);
    npz_free(&z);

    size_t len;
    uint8_t *buf = read_all(path, &len);
    CHECK(buf != NULL);
    if (!buf)
        return;
    member m[16];
    int n = parse_zip(m, 16, buf, len);
    CHECK(n == 9);
    if (n == 9) {
        static const char *want_names[9] = {"M.npy", "col.npy", "s.npy", "i.npy", "v.npy",
                                            "names.npy", "act.npy", "empty.npy", "x.npy"};
        for (int i = 0; i < 9; i++)
            CHECKF(strcmp(m[i].name, want_names[i]) == 0, "member %d is %s", i, m[i].name);
        const uint8_t *d = check_npy(&m[0], "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", 24);
        CHECK(memcmp(d, M, 24) == 0); /* the test machine is little-endian, as the file */
        check_npy(&m[1], "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 1), }", 12);
        d = check_npy(&m[2], "{'descr': '<f4', 'fortran_order': False, 'shape': (), }", 4);
        CHECK(memcmp(d, "\x00\x00\x80\x3e", 4) == 0);
        d = check_npy(&m[3], "{'descr': '<i8', 'fortran_order': False, 'shape': (), }", 8);
        CHECK(memcmp(d, "\xfd\xff\xff\xff\xff\xff\xff\xff", 8) == 0);
        d = check_npy(&m[4], "{'descr': '<i8', 'fortran_order': False, 'shape': (3,), }", 24);
        CHECK(d[8 + 5] == 1 && d[16] == 0xff && d[23] == 0xff);
        /* three strings of up to 3 code points: ü € x, zero-padded UCS-4 */
        d = check_npy(&m[5], "{'descr': '<U3', 'fortran_order': False, 'shape': (3,), }", 36);
        static const uint8_t U[36] = {'a', 0, 0, 0, 'b', 0, 0, 0, 0, 0, 0, 0,
                                      0xfc, 0, 0, 0, 0xac, 0x20, 0, 0, 'x', 0, 0, 0};
        CHECK(memcmp(d, U, 36) == 0);
        d = check_npy(&m[6], "{'descr': '<U4', 'fortran_order': False, 'shape': (), }", 16);
        CHECK(memcmp(d, "r\0\0\0e\0\0\0l\0\0\0u\0\0\0", 16) == 0);
        check_npy(&m[7], "{'descr': '<U1', 'fortran_order': False, 'shape': (), }", 4);
        check_npy(&m[8], "{'descr': '<f4', 'fortran_order': False, 'shape': (0,), }", 0);
    }
    free(buf);

    /* an archive with no members is a valid empty zip */
    npz_init(&z, path);
    CHECK(npz_save(&z, &err) == 0);
    npz_free(&z);
    buf = read_all(path, &len);
    CHECK(buf && len == 22 && u32(buf) == 0x06054b50);
    free(buf);
    unlink(path);
}

static void test_save_errors(const char *dir)
{
    char path[600];
    snprintf(path, sizeof path, "%s/no/such/dir/a.npz", dir);
    nnt_npz z;
    nnt_err err;
    npz_init(&z, path);
    float x = 1;
    CHECK(npz_add_f32(&z, "x", &x, NULL, 0, &err) == 0);
    CHECK(npz_save(&z, &err) != 0 && strstr(err.msg, path) && strstr(err.msg, "No such file"));
    npz_free(&z);
    /* saving over an existing file replaces it whole and leaves no temporary file */
    snprintf(path, sizeof path, "%s/b.npz", dir);
    CHECK(file_save(path, "old", 3, &err) == 0);
    CHECK(file_save(path, "new!", 4, &err) == 0);
    size_t len;
    uint8_t *buf = read_all(path, &len);
    CHECK(buf && len == 4 && memcmp(buf, "new!", 4) == 0);
    free(buf);
    unlink(path);
    DIR *d = opendir(dir);
    int left = 0;
    for (struct dirent *e; d && (e = readdir(d));)
        left += e->d_name[0] != '.';
    if (d)
        closedir(d);
    CHECKF(left == 0, "%d files left in %s", left, dir);
}

int main(void)
{
    char dir[] = "/tmp/nnt-test-npz-XXXXXX";
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    test_utf8();
    test_wbuf();
    test_archive(dir);
    test_save_errors(dir);
    rmdir(dir);
    return check_done("test_npz");
}
