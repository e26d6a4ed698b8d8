/* file.c — whole files: checked writable before a run, saved crash-safely (a temporary file in
 * the same folder, fsync, rename, so a reader sees the old file or the complete new one; the
 * temporary files a killed save left behind removed by the next), read with their size checked. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "nnt/file.h"
#include "nnt/rng.h"

/* The temporary file of a save of PATH is PATH.nnt-tmp-<pid>-XXXXXX: the pid says whether its
 * writer still runs (a stale one is removed by the next save), the marker and the exact shape
 * keep anyone else's files out of that. */
#define TMP_MARK ".nnt-tmp-"
#define TMP_RANDOM 6

/* The folder part of path ("." when it has none, "/" for "/x"); malloc'd, NULL out of memory. */
static char *dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? strndup(path, slash == path ? 1 : (size_t)(slash - path)) : strdup(".");
}

/* name is "<base>.nnt-tmp-<pid>-XXXXXX" (letters and digits): a save's temporary file of <base>;
 * *pid is its writer's. */
static int is_temp_of(const char *name, const char *base, long *pid)
{
    size_t n = strlen(base);
    if (strncmp(name, base, n) != 0 || strncmp(name + n, TMP_MARK, strlen(TMP_MARK)) != 0)
        return 0;
    const char *p = name + n + strlen(TMP_MARK);
    if (*p < '1' || *p > '9')
        return 0;
    char *end;
    errno = 0;
    long v = strtol(p, &end, 10);
    if (errno || end - p > 10 || *end != '-')
        return 0;
    for (int i = 1; i <= TMP_RANDOM; i++) {
        char c = end[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')))
            return 0;
    }
    if (end[TMP_RANDOM + 1] != '\0')
        return 0;
    *pid = v;
    return 1;
}

/* After a save of path: removes the temporary files of earlier saves of path whose writer is no
 * longer running on this host (killed mid-save), ours and only ours: regular files of this
 * user with exactly the name file_save gives. Best effort: a folder that cannot be listed keeps
 * them. */
static void remove_stale_temps(const char *path)
{
    char *dir = dir_of(path);
    if (!dir)
        return;
    const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL) {
        long pid;
        struct stat st;
        if (!is_temp_of(e->d_name, base, &pid))
            continue;
        if (pid == (long)getpid() || kill((pid_t)pid, 0) == 0 || errno != ESRCH)
            continue; /* a save that may still be running: its writer renames or removes it */
        if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(st.st_mode) ||
            st.st_uid != geteuid())
            continue;
        (void)unlinkat(dirfd(d), e->d_name, 0);
    }
    if (d)
        closedir(d);
    free(dir);
}

/* path's temporary name with its random part still XXXXXX (malloc'd in cap bytes, or NULL); the
 * pid takes at most 10 digits (pid_t is 32 bits). */
static char *temp_name(const char *path, size_t cap)
{
    char *tmp = malloc(cap);
    if (!tmp)
        return NULL;
    int n = snprintf(tmp, cap, "%s" TMP_MARK "%ld-", path, (long)getpid());
    size_t base = n > 0 ? (size_t)n : 0;
    memset(tmp + base, 'X', TMP_RANDOM);
    tmp[base + TMP_RANDOM] = '\0';
    return tmp;
}

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
        for (size_t i = 0; i < TMP_RANDOM; i++, z /= 62)
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
    char *dir = dir_of(path);
    if (!dir)
        return;
    int fd = open(dir, O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        (void)fsync(fd);
        close(fd);
    }
    free(dir);
}

int file_check_writable(const char *path, const char *what, nnt_err *err)
{
    size_t len = strlen(path);
    if (len == 0)
        return nnt_errf(err, "%s needs a file name", what);
    if (path[len - 1] == '/')
        return nnt_errf(err, "%s: ends in '/', which names a folder; %s must be a file", path, what);
    struct stat st;
    if (stat(path, &st) == 0) {
        if (S_ISDIR(st.st_mode))
            return nnt_errf(err, "%s: is a folder; %s must be a file", path, what);
        if (!S_ISREG(st.st_mode)) /* a device or FIFO is written in place (file_save) */
            return access(path, W_OK) == 0
                       ? 0
                       : nnt_errf(err, "%s: cannot write to it (%s): %s", path, what,
                                  strerror(errno));
    }
    char *dir = dir_of(path);
    if (!dir)
        return nnt_errf(err, "%s: out of memory", path);
    int rc = 0;
    const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
    long name_max;
    if (stat(dir, &st) != 0)
        rc = nnt_errf(err, "%s: cannot write %s there: folder %s: %s", path, what, dir,
                      strerror(errno));
    else if (!S_ISDIR(st.st_mode))
        rc = nnt_errf(err, "%s: cannot write %s there: %s is not a folder", path, what, dir);
    else if (access(dir, W_OK | X_OK) != 0)
        rc = nnt_errf(err, "%s: cannot write %s there: cannot create files in %s: %s", path, what,
                      dir, strerror(errno));
    else if ((name_max = pathconf(dir, _PC_NAME_MAX)) > 0 &&
             strlen(base) + strlen(TMP_MARK) + 11 + TMP_RANDOM > (size_t)name_max)
        rc = nnt_errf(err, "%s: the name is too long for its temporary file (%ld bytes at most "
                           "in %s, less %zu for the suffix)", path, name_max, dir,
                      strlen(TMP_MARK) + 11 + TMP_RANDOM);
    free(dir);
    if (rc)
        return rc;
    /* the one sure test (root passes access(), /proc refuses files it allows): create the
     * temporary file file_save would, and remove it at once */
    size_t cap = len + strlen(TMP_MARK) + 12 + TMP_RANDOM;
    char *tmp = temp_name(path, cap);
    if (!tmp)
        return nnt_errf(err, "%s: out of memory", path);
    int fd = open_temp(tmp, strlen(tmp) - TMP_RANDOM);
    if (fd < 0)
        rc = nnt_errf(err, "%s: cannot write %s there: cannot create a file in its folder: %s",
                      path, what, strerror(errno));
    else {
        close(fd);
        unlink(tmp);
    }
    free(tmp);
    return rc;
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
    char *tmp = temp_name(path, strlen(path) + strlen(TMP_MARK) + 12 + TMP_RANDOM);
    if (!tmp)
        return nnt_errf(err, "%s: out of memory", path);
    size_t base = strlen(tmp) - TMP_RANDOM;
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
        else if (code == EFBIG) /* SIGXFSZ ignored (main.c): the write fails instead */
            rc = nnt_errf(err, "%s: cannot save (%s failed): %s (over the file size limit, "
                               "ulimit -f?)", path, failed, strerror(code));
        else
            rc = nnt_errf(err, "%s: cannot save (%s failed): %s", path, failed, strerror(code));
        unlink(tmp);
    } else {
        sync_dir(path);
        remove_stale_temps(path);
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
