/* fuzz_png.c — libFuzzer target for the PNG reader (src/data/png.c), through img_probe and
 * img_load: fuzz_image.h writes each input to a file and checks the invariants.
 *
 * libpng quits on any CRC error (png.c asks it to), which would keep the fuzzer at the chunk
 * level; so an input whose chunk CRCs are wrong is run a second time with them recomputed. */
#include "fuzz_image.h" /* first: it defines _GNU_SOURCE */

#include <zlib.h>

/* Recomputes the CRC of every complete chunk after the signature; returns 1 if any changed. */
static int fix_crcs(uint8_t *p, size_t n)
{
    static const uint8_t sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    if (n < 8 || memcmp(p, sig, 8) != 0)
        return 0;
    int changed = 0;
    size_t pos = 8;
    while (n - pos >= 12) {
        uint32_t len = (uint32_t)p[pos] << 24 | (uint32_t)p[pos + 1] << 16 | (uint32_t)p[pos + 2] << 8 |
                       p[pos + 3];
        if (len > n - pos - 12)
            break;
        uint32_t crc = (uint32_t)crc32(crc32(0L, Z_NULL, 0), p + pos + 4, (uInt)len + 4);
        uint8_t *c = p + pos + 8 + len;
        uint8_t want[4] = {(uint8_t)(crc >> 24), (uint8_t)(crc >> 16), (uint8_t)(crc >> 8), (uint8_t)crc};
        if (memcmp(c, want, 4) != 0) {
            memcpy(c, want, 4);
            changed = 1;
        }
        pos += 12 + (size_t)len;
    }
    return changed;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    write_temp(data, size);
    run();
    uint8_t *copy = malloc(size ? size : 1);
    FUZZ_CHECK(copy, "out of memory");
    memcpy(copy, data, size);
    if (fix_crcs(copy, size)) {
        write_temp(copy, size);
        run();
    }
    free(copy);
    return 0;
}
