/* fuzz_jpeg.c — libFuzzer target for the JPEG reader (src/data/jpeg.c), through img_probe and
 * img_load: fuzz_image.h writes each input to a file and checks the invariants.
 *
 * img_load picks the reader by the first bytes, so a mutation of FF D8 FF would leave the JPEG
 * reader for the "not a PNG or JPEG" message; such an input is run a second time with the
 * three bytes put back, and the fuzzer stays in libjpeg's markers and entropy-coded data. */
#include "fuzz_image.h" /* first: it defines _GNU_SOURCE */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    write_temp(data, size);
    run();
    static const uint8_t soi[3] = {0xff, 0xd8, 0xff};
    if (size >= 3 && memcmp(data, soi, 3) != 0) {
        uint8_t *copy = malloc(size);
        FUZZ_CHECK(copy, "out of memory");
        memcpy(copy, data, size);
        memcpy(copy, soi, 3);
        write_temp(copy, size);
        run();
        free(copy);
    }
    return 0;
}
