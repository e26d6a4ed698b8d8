/* utf8.c — decoding UTF-8 one sequence at a time, strictly (RFC 3629): what npz strings and JSON
 * text need to turn any byte string into valid Unicode. */
#include "nnt/utf8.h"

uint32_t utf8_next(const unsigned char *s, size_t n, size_t *len)
{
    unsigned char c = s[0];
    *len = 1;
    if (c < 0x80)
        return c;
    size_t k;
    uint32_t cp, min;
    if (c >= 0xc2 && c <= 0xdf) {
        k = 2, cp = c & 0x1f, min = 0x80;
    } else if (c >= 0xe0 && c <= 0xef) {
        k = 3, cp = c & 0x0f, min = 0x800;
    } else if (c >= 0xf0 && c <= 0xf4) {
        k = 4, cp = c & 0x07, min = 0x10000;
    } else {
        return 0xfffd;
    }
    if (n < k)
        return 0xfffd;
    for (size_t i = 1; i < k; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0xfffd;
        cp = cp << 6 | (s[i] & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        return 0xfffd;
    *len = k;
    return cp;
}
