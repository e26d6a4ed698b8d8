/* wbuf.c — growing byte buffers with a sticky failure flag, and whole-file saving (temporary
 * file, fsync, rename). file_save repeats model_save's steps: model.c keeps its own copy, which
 * could call this one (a later refactor; this module came with `nnt export`). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <zlib.h>

#include "nnt/le.h"
#include "nnt/rng.h"
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

/* A temporary name next to path, created with O_EXCL and mode 0666 so that the user's umask
 * applies as for any new file (mkstemp would fix 0600); the same scheme as model.c's. */
static int open_temp(char *tmp, size_t base)
{
    struct timespec ts = {0};
    (void)clock_gettime(CLOCK_REALTIME, &ts);
    uint64_t x = (uint64_t)getpid() ^ (uint64_t)ts.tv_nsec << 20 ^ (uint64_t)ts.tv_sec ^
                 (uint64_t)(uintptr_t)tmp;
    static const char chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    for (int attempt = 0; attempt < 100; attempt++) {
        uint64_t z = rng_splitmix64(&x); /* names need only differ */
        for (size_t i = 0; i < 6; i++, z /= 62)
            tmp[base + i] = chars[z % 62];
        int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd >= 0 || errno != EEXIST)
            return fd;
    }
    return -1; /* errno is EEXIST */
}

/* Makes the rename durable; best effort, as some file systems refuse fsync on a folder. */
static void sync_dir(const char *path)
{
    const char *slash = strrchr(path, '/');
    char *dir = slash ? strndup(path, slash == path ? 1 : (size_t)(slash - path)) : strdup(".");
    if (!dir)
        return;
    int fd = open(dir, O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        (void)fsync(fd);
        close(fd);
    }
    free(dir);
}

int file_save(const char *path, const void *data, size_t len, nnt_err *err)
{
    size_t base = strlen(path) + strlen(".tmp-");
    char *tmp = malloc(base + 7);
    if (!tmp)
        return nnt_errf(err, "%s: out of memory", path);
    snprintf(tmp, base + 7, "%s.tmp-XXXXXX", path);
    int fd = open_temp(tmp, base);
    if (fd < 0) {
        int saved = errno;
        free(tmp);
        return nnt_errf(err, "%s: cannot create a file in its folder: %s", path, strerror(saved));
    }
    /* the first failing step and its errno; every later step still runs its cleanup */
    const char *failed = NULL;
    int code = 0;
    FILE *f = fdopen(fd, "wb");
    if (!f) {
        failed = "fdopen";
        code = errno;
        close(fd);
    } else {
        if ((len && fwrite(data, 1, len, f) != len) || fflush(f) != 0) {
            failed = "write";
            code = errno;
        } else if (fsync(fileno(f)) != 0) {
            failed = "fsync";
            code = errno;
        }
        if (fclose(f) != 0 && !failed) {
            failed = "close";
            code = errno;
        }
    }
    if (!failed && rename(tmp, path) != 0) {
        failed = "rename";
        code = errno;
    }
    int rc = 0;
    if (failed) {
        rc = nnt_errf(err, "%s: cannot save (%s failed): %s", path, failed, strerror(code));
        unlink(tmp);
    } else {
        sync_dir(path);
    }
    free(tmp);
    return rc;
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
