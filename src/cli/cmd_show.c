/* cmd_show.c — `nnt show`: the first-layer weights of every hidden unit as one mosaic PNG
 * (drawing: mosaic.c). A mosaic that would be too large at --scale is drawn at the largest scale
 * that fits, with a note; one too large even at scale 1 is an error. */
#include <stdio.h>

#include "cli.h"
#include "nnt/file.h"
#include "nnt/image.h"
#include "nnt/model.h"
#include "nnt/mosaic.h"

/* The largest mosaic drawn: as many pixels as nnt reads from one image (--max-pixels' default,
 * 8192 × 8192), 192 MiB of RGB. */
#define SHOW_MAX_PIXELS NNT_DEFAULT_MAX_PIXELS

int cmd_show(const show_args *a)
{
    nnt_err err;
    nnt_model m = {0};
    if (file_check_writable(a->output, "the mosaic (-o)", &err) ||
        model_load(&m, a->model, &err)) {
        fprintf(stderr, "nnt: %s\n", err.msg);
        return EXIT_RUNTIME;
    }
    nnt_mosaic_layout l;
    int scale = a->scale;
    while (mosaic_layout(&l, m.net.n_h, m.width, m.height, scale, SHOW_MAX_PIXELS, &err) != 0) {
        if (scale == 1) {
            fprintf(stderr, "nnt: %s: %s\n", a->model, err.msg);
            model_free(&m);
            return EXIT_RUNTIME;
        }
        scale--;
    }
    if (scale != a->scale)
        fprintf(stderr, "nnt: %s: --scale %d would exceed %llu pixels; drawing at --scale %d\n",
                a->output, a->scale, (unsigned long long)SHOW_MAX_PIXELS, scale);
    nnt_image img = {0};
    int code = EXIT_OK;
    if (mosaic_draw(&img, &m, scale, SHOW_MAX_PIXELS, &err)) {
        fprintf(stderr, "nnt: %s: %s\n", a->model, err.msg);
        code = EXIT_RUNTIME;
    } else if (img_write_png(a->output, &img, &err)) {
        fprintf(stderr, "nnt: %s\n", err.msg);
        code = EXIT_RUNTIME;
    }
    img_free(&img);
    model_free(&m);
    return code;
}
