/* file.c — whole files: saved crash-safely (a temporary file in the same folder, fsync, rename,
 * so a reader sees the old file or the complete new one) and read with their size checked first. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "nnt/file.h"
#include "nnt/rng.h"

/* A temporary name next to path, created with O_EXCL and mode 0666 so that the user's umask
 * applies as for any new file (mkstemp would fix 0600). */
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

/* A device or a FIFO (/dev/null, a terminal, a named pipe) is written as it is: a rename would
 * replace the node itself with a regular file, and what the user named is the stream. */
static int save_in_place(const char *path, const void *data, size_t len, nnt_err *err)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return nnt_errf(err, "%s: cannot open: %s", path, strerror(errno));
    int bad = (len && fwrite(data, 1, len, f) != len) || fflush(f) != 0;
    int code = errno;
    if (fclose(f) != 0 && !bad) {
        bad = 1;
        code = errno;
    }
    return bad ? nnt_errf(err, "%s: write error: %s", path, strerror(code)) : 0;
}

int file_save(const char *path, const void *data, size_t len, nnt_err *err)
{
    struct stat st;
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode))
        return save_in_place(path, data, len, err);
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
        if (code == EISDIR) /* the one failure a user makes most: -o naming a folder */
            rc = nnt_errf(err, "%s: cannot create a file over a folder (rename failed: %s)", path,
                          strerror(code));
        else
            rc = nnt_errf(err, "%s: cannot save (%s failed): %s", path, failed, strerror(code));
        unlink(tmp);
    } else {
        sync_dir(path);
    }
    free(tmp);
    return rc;
}

int file_load(uint8_t **buf, size_t *len, const char *path, uint64_t max_bytes, const char *what,
              nnt_err *err)
{
    *buf = NULL;
    *len = 0;
    /* O_NONBLOCK: opening a FIFO must not hang before fstat can refuse it */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (fd < 0)
        return nnt_errf(err, "%s: cannot open: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int saved = errno;
        close(fd);
        return nnt_errf(err, "%s: cannot stat: %s", path, strerror(saved));
    }
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        return nnt_errf(err, "%s: not a regular file", path);
    }
    if (st.st_size < 0 || (uint64_t)st.st_size > max_bytes || (uint64_t)st.st_size > SIZE_MAX) {
        close(fd);
        return nnt_errf(err, "%s: %lld bytes, more than the %llu-byte limit of %s", path,
                        (long long)st.st_size, (unsigned long long)max_bytes, what);
    }
    size_t size = (size_t)st.st_size;
    uint8_t *b = malloc(size ? size : 1);
    if (!b) {
        close(fd);
        return nnt_errf(err, "%s: out of memory for %zu bytes", path, size);
    }
    FILE *f = fdopen(fd, "rb"); /* O_NONBLOCK has no effect on a regular file */
    if (!f) {
        int saved = errno;
        free(b);
        close(fd);
        return nnt_errf(err, "%s: cannot read: %s", path, strerror(saved));
    }
    /* a file that shrinks meanwhile comes back shorter; its reader decides what that means */
    size_t got = fread(b, 1, size, f);
    int failed = ferror(f);
    int saved = errno;
    fclose(f);
    if (failed) {
        free(b);
        return nnt_errf(err, "%s: read error: %s", path, strerror(saved));
    }
    *buf = b;
    *len = got;
    return 0;
}
