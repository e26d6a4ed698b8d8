/* cmd_export.c — `nnt export`: a model file written as numpy's .npz or as an ONNX graph (what
 * each holds: export.h, docs/nnt.1). */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "nnt/export.h"
#include "nnt/file.h"
#include "nnt/model.h"

#ifndef NNT_VERSION
#define NNT_VERSION "0.0.0"
#endif

int cmd_export(const export_args *a)
{
    nnt_err err;
    nnt_model m = {0};
    if (file_check_writable(a->output, "the export", &err) || model_load(&m, a->model, &err)) {
        fprintf(stderr, "nnt: %s\n", err.msg);
        return EXIT_RUNTIME;
    }
    int rc = strcmp(a->format, "onnx") == 0 ? export_onnx(&m, a->output, NNT_VERSION, &err)
                                            : export_npz(&m, a->output, &err);
    model_free(&m);
    if (rc) {
        fprintf(stderr, "nnt: %s\n", err.msg);
        return EXIT_RUNTIME;
    }
    return EXIT_OK;
}
