/* replay_main.c — runs a fuzz target without libFuzzer: every file named on the command line, and
 * every regular file directly inside a folder named there, is passed once to
 * LLVMFuzzerTestOneInput. Linked with a target and built by any C compiler, it turns the seed
 * corpora and the saved reproducers into a regression test; a broken invariant aborts. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Reads path whole and runs the target on it; returns 0, or -1 (message printed) if unreadable. */
static int replay_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "replay: cannot open %s\n", path);
        return -1;
    }
    size_t cap = 4096, n = 0, got;
    uint8_t *buf = malloc(cap);
    while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            uint8_t *bigger = realloc(buf, cap * 2);
            if (!bigger)
                free(buf);
            buf = bigger;
            cap *= 2;
        }
    }
    int failed = !buf || ferror(f);
    fclose(f);
    if (failed) {
        fprintf(stderr, "replay: cannot read %s\n", path);
        free(buf);
        return -1;
    }
    LLVMFuzzerTestOneInput(buf, n);
    free(buf);
    return 0;
}

/* Replays path (a file, or the regular files in a folder); returns the number of inputs, or -1. */
static long replay_path(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        fprintf(stderr, "replay: cannot find %s\n", path);
        return -1;
    }
    if (!S_ISDIR(st.st_mode))
        return replay_file(path) == 0 ? 1 : -1;
    DIR *dir = opendir(path);
    if (!dir) {
        fprintf(stderr, "replay: cannot open folder %s\n", path);
        return -1;
    }
    long count = 0;
    struct dirent *e;
    while (count >= 0 && (e = readdir(dir)) != NULL) {
        if (e->d_name[0] == '.') /* ., .., and hidden files such as .gitkeep */
            continue;
        size_t len = strlen(path) + 1 + strlen(e->d_name) + 1;
        char *file = malloc(len);
        if (!file) {
            count = -1;
            break;
        }
        snprintf(file, len, "%s/%s", path, e->d_name);
        if (stat(file, &st) == 0 && S_ISREG(st.st_mode))
            count = replay_file(file) == 0 ? count + 1 : -1;
        free(file);
    }
    closedir(dir);
    return count;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s FILE|FOLDER...\n", argv[0]);
        return 2;
    }
    long total = 0;
    for (int i = 1; i < argc; i++) {
        long n = replay_path(argv[i]);
        if (n < 0)
            return 1;
        total += n;
    }
    printf("replay: %ld inputs, no invariant broken\n", total);
    return 0;
}
