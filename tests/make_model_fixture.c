/* make_model_fixture.c — writes the pinned model file tests/data/model-vN.bin for the newest
 * format version N.
 *
 * Run it ONCE per format version, when that version is introduced, and commit its output:
 *     gcc -std=c11 -D_POSIX_C_SOURCE=200809L -Iinclude src/base/err.c src/base/blas.c src/net/net.c src/net/act.c \
 *         src/base/rng.c src/formats/model.c src/formats/wbuf.c tests/make_model_fixture.c -lopenblas -lz -lm -o /tmp/mkfix
 *     /tmp/mkfix tests/data/model-v1.bin
 * Never regenerate an existing fixture: test_model loads it and checks every value below, so the
 * file is the promise that every later nnt still reads what this version wrote. A new format
 * version gets a new fixture (model-v2.bin, ...) next to the old ones.
 *
 * The model is tiny and every value exact in binary32, so a reader in any language can compare:
 * input 3 wide × 2 high × 1 channel (n_x = 6; width ≠ height catches a swap), 3 hidden units,
 * ReLU, classes "cat" and "non-cat" (one sigmoid output), meta "nnt_version=0.1.0\n", and the 25
 * parameters in net.params order (W1 3×6 column-major, b1 3, W2 1×3, b2 1) set to i·0.125 − 1. */
#include <stdio.h>

#include "nnt/model.h"

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s OUT.bin\n", argv[0]);
        return 2;
    }
    char cat[] = "cat", non_cat[] = "non-cat", meta[] = "nnt_version=0.1.0\n";
    char *names[] = {cat, non_cat};
    nnt_model model = {
        .width = 3, .height = 2, .channels = 1, .n_classes = 2, .class_names = names, .meta = meta};
    nnt_err err;
    if (net_new(&model.net, 6, 3, 1, NNT_ACT_RELU, &err)) {
        fprintf(stderr, "make_model_fixture: %s\n", err.msg);
        return 1;
    }
    for (size_t i = 0; i < model.net.n_params; i++)
        model.net.params[i] = (float)i * 0.125f - 1.0f;
    int rc = model_save(&model, argv[1], &err);
    net_free(&model.net);
    if (rc) {
        fprintf(stderr, "make_model_fixture: %s\n", err.msg);
        return 1;
    }
    return 0;
}
