/* fuzz_check.h — the fuzz targets' invariant check: unlike assert it survives NDEBUG (the corpus
 * replay test runs in Release builds), and it aborts so that libFuzzer records the input. */
#ifndef NNT_FUZZ_CHECK_H
#define NNT_FUZZ_CHECK_H

#include <stdio.h>
#include <stdlib.h>

#define FUZZ_CHECK(cond, ...)                                                                      \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: invariant failed: %s: ", __FILE__, __LINE__, #cond);           \
            fprintf(stderr, __VA_ARGS__);                                                          \
            fputc('\n', stderr);                                                                   \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

#endif
