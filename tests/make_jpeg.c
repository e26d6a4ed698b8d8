/* make_jpeg.c — writes one JPEG of jpeg_gen.h's kinds, for the CLI tests and the fuzz corpus:
 * make_jpeg KIND WIDTH HEIGHT OUT [QUALITY]; make_jpeg --list names the kinds. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jpeg_gen.h"

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "--list") == 0) {
        for (int k = 0; k < JG_N_KINDS; k++)
            printf("%s\n", jpeg_gen_names[k]);
        return 0;
    }
    if (argc != 5 && argc != 6) {
        fprintf(stderr, "usage: make_jpeg KIND WIDTH HEIGHT OUT [QUALITY]  (make_jpeg --list)\n");
        return 2;
    }
    int kind = -1;
    for (int k = 0; k < JG_N_KINDS; k++)
        if (strcmp(argv[1], jpeg_gen_names[k]) == 0)
            kind = k;
    int w = atoi(argv[2]), h = atoi(argv[3]), q = argc == 6 ? atoi(argv[5]) : 90;
    if (kind < 0 || w < 1 || h < 1 || w > 4096 || h > 4096 || q < 1 || q > 100) {
        fprintf(stderr, "make_jpeg: bad kind, size or quality\n");
        return 2;
    }
    uint8_t *buf;
    size_t n;
    if (jpeg_gen(&buf, &n, kind, w, h, q))
        return 1;
    FILE *fp = fopen(argv[4], "wb");
    int ok = fp && fwrite(buf, 1, n, fp) == n;
    if (fp && fclose(fp) != 0)
        ok = 0;
    free(buf);
    if (!ok) {
        fprintf(stderr, "make_jpeg: cannot write %s\n", argv[4]);
        return 1;
    }
    return 0;
}
