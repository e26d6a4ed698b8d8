/* cmd_predict.c — `nnt predict`: classify images with a saved model; picks exit codes. */
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "nnt/dataset.h"
#include "nnt/image.h"
#include "nnt/model.h"

/* Decodes path into x (one input column of the model), converting and resizing as needed. */
static int image_column(float *x, const nnt_model *m, const char *path, uint64_t max_pixels,
                        nnt_err *err)
{
    nnt_image img = {0}, sized = {0};
    if (img_load(&img, path, m->channels, max_pixels, err))
        return -1;
    int rc = 0;
    const nnt_image *use = &img;
    if (img.width != m->width || img.height != m->height) {
        rc = img_resize(&sized, &img, m->width, m->height, err);
        use = &sized;
    }
    if (rc == 0)
        dataset_column_from_image(x, use);
    img_free(&img);
    img_free(&sized);
    return rc;
}

int cmd_predict(const predict_args *a)
{
    nnt_err err;
    nnt_model m = {0};
    if (model_load(&m, a->model, &err)) {
        fprintf(stderr, "nnt: %s\n", err.msg);
        return EXIT_RUNTIME;
    }
    const nnt_net *net = &m.net;
    float *x = malloc((size_t)net->n_x * sizeof *x);
    float *A1 = malloc((size_t)net->n_h * sizeof *A1);
    float *Z2 = malloc((size_t)net->n_y * sizeof *Z2);
    float *A2 = malloc((size_t)net->n_y * sizeof *A2);
    int code = EXIT_OK;
    if (!x || !A1 || !Z2 || !A2) {
        fprintf(stderr, "nnt: out of memory\n");
        code = EXIT_RUNTIME;
        goto done;
    }
    for (int i = 0; i < a->n_images; i++) {
        const char *path = a->images[i];
        if (image_column(x, &m, path, a->max_pixels, &err)) {
            fprintf(stderr, "nnt: %s\n", err.msg);
            code = EXIT_RUNTIME;
            continue;
        }
        net_forward(A1, Z2, A2, net, x, 1);
        int32_t label = net_label(A2, net->n_y);
        float p = net_label_prob(A2, net->n_y, label);
        if (a->json) {
            printf("{\"file\":");
            json_string(stdout, path);
            printf(",\"label\":");
            json_string(stdout, m.class_names[label]);
            printf(",\"probability\":");
            json_number(stdout, p);
            printf("}\n");
        } else {
            printf("%s\t%s\t%.4f\n", path, m.class_names[label], p);
        }
    }
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "nnt: writing to standard output failed\n");
        code = EXIT_RUNTIME;
    }
done:
    free(x);
    free(A1);
    free(Z2);
    free(A2);
    model_free(&m);
    return code;
}
